#!/bin/sh
# build.sh [DIR [CMAKE ARGS...]]: configures and builds into DIR (default build/).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
[ $# -gt 0 ] && shift
cmake -S "$top" -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null

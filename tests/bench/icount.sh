#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/bench/icount.sh [--workloads "oci binds10 binds1000"] BIN...: user-space
# instructions (valgrind --tool=callgrind, "I refs") of one `apply` per
# workload and binary. Unlike wall time, the count does not move with the
# load of a shared machine, so it compares two builds exactly. Under valgrind
# the kernel's openat2 and new mount API are unknown (ENOSYS): the walk and
# the proc-fd backend run, and kernel time is not counted at all. Needs root.
set -euo pipefail

WORKLOADS="oci binds10 binds1000"
if [ "${1:-}" = --workloads ]; then
	WORKLOADS=$2
	shift 2
fi
[ $# -ge 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "icount.sh: needs root" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "icount.sh: valgrind missing: run tests/bench/deps.sh" >&2; exit 2; }

W=$(mktemp -d /tmp/mg-icount.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src"

gen() { # workload -> $W/$1/{tmpl/,args}
	local w=$1 d=$W/$1
	mkdir -p "$d/tmpl"
	case $w in
	oci)
		mkdir -p "$d/tmpl/proc" "$d/tmpl/dev" "$d/tmpl/sys" "$d/tmpl/etc"
		printf -- '--preset\noci-default\n' >"$d/args"
		;;
	binds*)
		local n=${w#binds}
		mkdir -p "$d/tmpl/b"
		(cd "$d/tmpl/b" && seq 0 $((n - 1)) | xargs mkdir)
		{
			printf '[options]\nsymlinks = in-root\n'
			seq 0 $((n - 1)) | awk -v s="$W/src" '{
				printf "\n[mount b%s]\ntype = bind\nsource = %s\ntarget = /b/%s\noptions = ro\n", $1, s, $1 }'
		} >"$d/mg.conf"
		printf -- '--config\n%s\n' "$d/mg.conf" >"$d/args"
		;;
	*)
		echo "icount.sh: unknown workload $w (oci, bindsN)" >&2
		exit 2
		;;
	esac
}

printf '%-10s %14s  %s\n' workload instructions binary
for w in $WORKLOADS; do
	gen "$w"
	mapfile -t args <"$W/$w/args"
	for bin in "$@"; do
		rm -rf "$W/root"
		cp -a "$W/$w/tmpl" "$W/root"
		out=$W/cg.out
		rc=0
		unshare -m --propagation private valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$bin" apply --root "$W/root" "${args[@]}" >/dev/null 2>"$W/vg.log" || rc=$?
		ir=$(sed -n 's/^summary: *//p' "$out" 2>/dev/null || true)
		[ "$rc" = 0 ] && [ -n "$ir" ] || { echo "icount.sh: $bin on $w failed (exit $rc):" >&2; tail -5 "$W/vg.log" >&2; exit 1; }
		printf '%-10s %14s  %s\n' "$w" "$ir" "$bin"
	done
done

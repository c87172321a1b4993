#!/bin/sh
# Installs the Debian packages mount-guard needs to build, test and run its
# demo. Skips apt entirely when everything is already there.
set -eu
PKGS="build-essential cmake pkg-config libcap-ng-dev libmount-dev libinih-dev check
libseccomp-dev libjson-c-dev valgrind python3 util-linux mandoc libcap2-bin clang libclang-rt-14-dev
runc systemd man-db busybox-static"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null

#!/bin/bash
# The built-in demo: installs what is missing, builds, generates a small
# rootfs with some hostile symlinks in it, and runs mount-guard plan and
# apply on it inside a private mount namespace. The host's mounts are never
# touched; everything is gone when the namespace ends.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${MG_DEMO_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root (it mounts, in a private namespace)" >&2; exit 1; }
	"$top/scripts/deps.sh"
	"$top/scripts/build.sh" "$top/build"
	exec env MG_DEMO_INNER=1 MG_BIN="${MG_BIN:-$top/build/mount-guard}" \
		unshare -m --propagation private "$0" "$@"
fi

mg=$MG_BIN
demo=$(mktemp -d /tmp/mount-guard-demo.XXXXXX)
trap 'cd /; umount -R "$demo/rootfs" 2>/dev/null; rm -rf "$demo"' EXIT
root=$demo/rootfs
mkdir -p "$root" "$demo/share"
mount -t tmpfs -o mode=0755 demo-rootfs "$root"
echo "host data, bound read-only" >"$demo/share/README"
(
	cd "$root"
	mkdir -p bin etc proc sys tmp run usr/lib var srv
	ln -s usr/lib lib            # merged /usr
	ln -s /run var/run           # /var/run -> /run
	# Hostile: a symlink to the host's /etc. A mounter that hands this
	# path to mount(2) covers the host's /etc; resolved in the root, it
	# can only lead to the rootfs's own /etc.
	ln -s /etc escape
	mkfifo srv/trap              # a FIFO: open(2) on it would block
)

cat >"$demo/mount-guard.conf" <<CONF
; mount-guard demo: see mount-guard.conf(5)
[mount proc]
type = proc
target = /proc
options = nosuid,nodev,noexec

[mount sys]
type = sysfs
target = /sys
options = ro,nosuid,nodev,noexec

[mount tmp]
type = tmpfs
target = /tmp
options = nosuid,nodev,size=16m,mode=1777

[mount share]
type = bind
source = $demo/share
target = /srv/share
options = ro,nosuid,nodev
create = dir

[mount app-run]
type = tmpfs
target = /var/run/app
options = nosuid,nodev,noexec,mode=0750
create = dir

[mount escape]
type = tmpfs
target = /escape
options = nosuid,nodev
CONF

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "the mount list ($demo/mount-guard.conf)"
grep -v '^;' "$demo/mount-guard.conf"
say "mount-guard plan (resolves and checks; changes nothing)"
"$mg" plan --root "$root" --config "$demo/mount-guard.conf" || true
say "mount-guard apply"
"$mg" apply --root "$root" --config "$demo/mount-guard.conf"
say "the mounts it made inside the demo rootfs (findmnt -R)"
findmnt -R -o TARGET,FSTYPE,OPTIONS "$root"
say "the symlink 'escape' -> /etc landed on the rootfs's /etc, not the host's"
findmnt -n -o TARGET,FSTYPE "$root/etc"
echo "host /etc: $(findmnt -n -o TARGET,FSTYPE -T /etc) (unchanged: $(test -s /etc/hostname && echo readable))"
say "the read-only bind: reading works, writing does not"
cat "$root/srv/share/README"
touch "$root/srv/share/new-file" 2>&1 || true
say "a hostile entry: a FIFO as target is refused (exit 3), nothing changes"
printf '[mount trap]\ntype = tmpfs\ntarget = /srv/trap\n' >"$demo/hostile.conf"
set +e
"$mg" apply --root "$root" --config "$demo/hostile.conf"
echo "exit status: $?"

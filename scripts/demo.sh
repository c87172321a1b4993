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
	echo "root:\$6\$not-a-real-hash:19000::::::" >etc/shadow
	echo "a tool" >usr/lib/tool
	ln -s usr/lib lib            # merged /usr
	ln -s /run var/run           # /var/run -> /run
	# Hostile: a symlink to the host's /var. A mounter that hands this
	# path to mount(2) covers the host's /var; resolved in the root, it
	# can only lead to the rootfs's own /var.
	ln -s /var escape
	# Hostile, runc CVE-2025-31133 style: /dev/null is a symlink to a
	# procfs file. mount-guard never uses it: masks come from its own tmpfs,
	# and type = dev binds the host's verified nodes.
	mkdir -p dev
	ln -s /proc/sys/kernel/core_pattern dev/null
	mkfifo srv/trap              # a FIFO: open(2) on it would block
)

cat >"$demo/mount-guard.conf" <<CONF
; mount-guard demo: see mount-guard.conf(5). The oci-default preset brings
; proc, a minimal /dev, mqueue, a read-only sysfs and runc's masked and
; read-only paths; this file adds its own entries.
[options]
preset = oci-default

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

[masked]
path = /etc/shadow

[readonly]
path = /usr
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
say "the symlink 'escape' -> /var landed on the rootfs's /var, not the host's"
findmnt -n -o TARGET,FSTYPE "$root/var"
echo "host /var is on: $(findmnt -n -o TARGET,FSTYPE -T /var) (nothing new mounted there)"
say "the read-only bind: reading works, writing does not"
cat "$root/srv/share/README"
touch "$root/srv/share/new-file" 2>&1 || true
say "a masked file reads empty and cannot be written; a read-only path refuses writes"
echo "/etc/shadow: [$(cat "$root/etc/shadow")] ($(wc -c <"$root/etc/shadow") bytes)"
sh -c "echo x > '$root/etc/shadow'" 2>&1 || true
sh -c "echo x > '$root/usr/lib/tool'" 2>&1 || true
say "the rootfs's hostile /dev/null was never used: /dev is mount-guard's own"
ls -l "$root/dev/null" "$root/dev/zero" "$root/dev/ptmx"
echo "host core_pattern: $(cat /proc/sys/kernel/core_pattern)"
say "a hostile entry: a FIFO as target is refused (exit 3), nothing changes"
printf '[mount trap]\ntype = tmpfs\ntarget = /srv/trap\n' >"$demo/hostile.conf"
set +e
"$mg" apply --root "$root" --config "$demo/hostile.conf"
echo "exit status: $?"
say "mount-guard teardown: everything beneath the root goes, deepest first"
"$mg" teardown --root "$root" | tail -n 3
echo "left beneath the root: $(findmnt -R -n -o TARGET "$root" | tail -n +2 | wc -l) mounts"

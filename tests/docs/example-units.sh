#!/bin/bash
# Runs the commands of an example unit the way systemd would, and checks
# from inside the rootfs that the service gets what the unit says. Called by
# tests/docs/run.sh, inside a private mount namespace of its own:
#
#   unshare -m --propagation private example-units.sh DEST UNIT
#
# DEST is a DESTDIR install (usr/sbin/mount-guard, the installed examples);
# UNIT is rootdir-app.service or exec-app.service. The unit's paths are
# pointed at a scratch rootfs (a static busybox in it) and at the installed
# lists; /var/lib (the lists' bind source /var/lib/app) is a tmpfs of this
# namespace only. The service's own program (a web server) is replaced by
# the checks. Prints what is wrong and exits 1, or exits 0.
set -u
dest=$1 unit=$2
examples=$dest/usr/share/doc/mount-guard/examples
[ -f "$examples/$unit" ] || { echo "no $examples/$unit"; exit 1; }
bb=$(command -v busybox) || { echo "busybox missing (Debian busybox-static; scripts/deps.sh)"; exit 1; }
mount --make-rprivate / || exit 1

tmp=$(mktemp -d /tmp/mg-units.XXXXXX) || exit 1
root=$tmp/rootfs
# Clean-up whatever the commands left (this namespace goes away anyway, but
# the files beneath read-only mounts could not be removed): mount-guard's
# own teardown takes every mount beneath the root in any order of
# overmounts (umount -R does not), then the root's bind onto itself goes.
cleanup() {
	cd /
	"$dest/usr/sbin/mount-guard" teardown --root "$root" >/dev/null 2>&1
	umount -l "$root" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$root/bin" "$root/etc" "$root/usr" "$root/srv/www" || exit 1
cp "$bb" "$root/bin/busybox" || exit 1
echo "root:x:0:0::/:/bin/sh" >"$root/etc/passwd"
echo "root:secret:19000::::::" >"$root/etc/shadow"
mount -t tmpfs -o mode=0755 units-var-lib /var/lib || exit 1
mkdir -p /var/lib/app

# The unit's lines for KEY, with the paths of this test and without the
# prefixes (+ - ! @ :) that only tell systemd how to run them.
lines() {
	sed -n "s/^$1=//p" "$examples/$unit" | sed -e 's/^[-+!@:]*//' \
		-e "s#/srv/app/rootfs#$root#g" \
		-e "s#/etc/mount-guard/#$examples/#g" \
		-e "s#^/usr/sbin/mount-guard #$dest/usr/sbin/mount-guard #"
}
run_lines() { # KEY
	local l words
	while IFS= read -r l; do
		read -ra words <<<"$l"
		"${words[@]}" >"$tmp/out" 2>&1 || { echo "$1=$l: exit $?"; cat "$tmp/out"; return 1; }
	done < <(lines "$1")
}
[ -n "$(lines ExecStart)" ] || { echo "$unit has no ExecStart="; exit 1; }

# What the service must find, run as its program would be. The output is
# compared as a whole: each line a fact.
checks='
s=$(/bin/busybox stat -f -c %T /proc); echo "proc: $s"
echo "shadow bytes: $(/bin/busybox wc -c </etc/shadow)"
/bin/busybox touch /etc/x 2>/dev/null && echo "etc: writable" || echo "etc: read-only"
/bin/busybox touch /var/lib/app/x 2>/dev/null && echo "state: writable" || echo "state: read-only"
[ -c /dev/null ] && echo "dev/null: char" || echo "dev/null: not a character device"
/bin/busybox grep -E "^(CapEff|NoNewPrivs):" /proc/self/status | /bin/busybox tr -d "\t"
'
expect() { # WANTED-LINE...: each must be in $tmp/got
	local w bad=0
	for w in "$@"; do
		grep -qxF -- "$w" "$tmp/got" || { echo "missing: $w"; bad=1; }
	done
	[ $bad = 0 ] || { echo "--- got:"; cat "$tmp/got"; }
	return $bad
}

case $unit in
rootdir-app.service)
	# ExecStartPre= lines in order; ExecStart= in RootDirectory= (a chroot:
	# the unit asks for no mount namespace), as its User= would be root's
	# here; then ExecStopPost=, and nothing may be left.
	grep -qx 'RootDirectory=/srv/app/rootfs' "$examples/$unit" || { echo "RootDirectory= is not /srv/app/rootfs"; exit 1; }
	run_lines ExecStartPre || exit 1
	chroot "$root" /bin/busybox sh -c "$checks" >"$tmp/got" 2>&1
	expect "proc: proc" "shadow bytes: 0" "etc: read-only" "state: writable" "dev/null: char" || exit 1
	run_lines ExecStopPost || exit 1
	;;
exec-app.service)
	# ExecStart= with its command (after "--") replaced by the checks, under
	# the unit's CapabilityBoundingSet= and NoNewPrivileges= (setpriv), so
	# that a bounding set missing what exec needs fails here too.
	l=$(lines ExecStart)
	l=${l%% -- *}
	read -ra words <<<"$l"
	bset=$(sed -n 's/^CapabilityBoundingSet=//p' "$examples/$unit" | tr 'A-Z ' 'a-z\n' |
		sed -n 's/^cap_\(.*\)/+\1/p' | paste -sd, -)
	[ -n "$bset" ] || { echo "$unit has no CapabilityBoundingSet="; exit 1; }
	nnp=()
	grep -qx 'NoNewPrivileges=yes' "$examples/$unit" && nnp=(--no-new-privs)
	setpriv --bounding-set "-all,$bset" "${nnp[@]}" \
		"${words[@]}" -- /bin/busybox sh -c "$checks"' /bin/busybox touch /x 2>/dev/null && echo "root: writable" || echo "root: read-only"' \
		>"$tmp/got" 2>&1 || { echo "ExecStart=: exit $?"; cat "$tmp/got"; exit 1; }
	expect "proc: proc" "shadow bytes: 0" "state: writable" "dev/null: char" "root: read-only" \
		"CapEff:0000000000000000" "NoNewPrivs:1" || exit 1
	;;
*) echo "unknown unit $unit"; exit 1 ;;
esac
left=$(findmnt -R -n -o TARGET "$root" 2>/dev/null)
[ -z "$left" ] || { echo "left mounted after the unit's commands:"; printf '%s\n' "$left"; exit 1; }
exit 0

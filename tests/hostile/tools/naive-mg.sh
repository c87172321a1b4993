#!/bin/bash
# A deliberately naive stand-in for mount-guard (test-only, never
# installed), for `run.sh --stub naive`: it proves the corpus can fail. It
# does what the vulnerable runtimes of the CVEs did: it glues the rootfs
# path and each target into a string and hands that to mount(8), which
# follows every symlink on the way (out of the root too); it masks files by
# binding the rootfs's own /dev/null over them (runc before CVE-2025-31133),
# never checks file types or filesystem types, and never rolls back.
# It never creates anything (create = is ignored), so that a symlink to a
# host path cannot make it touch the host's files; its mounts stay in the
# case's private mount namespace. Presets and executable are ignored.
#
#   naive-mg.sh apply --root ROOT --config FILE
root= conf=
while [ $# -gt 0 ]; do
	case "$1" in
	--root) root=$2; shift 2 ;;
	--config) conf=$2; shift 2 ;;
	*) shift ;;
	esac
done
[ -n "$root" ] && [ -f "$conf" ] || { echo "usage: naive-mg.sh apply --root ROOT --config FILE" >&2; exit 2; }
rc=0
unescape() { local s=$1; s=${s//\\s/ }; s=${s//\\;/;}; s=${s//\\#/#}; printf '%s' "$s"; }
bad() { echo "naive-mg: entry '$1': $2 failed" >&2; rc=1; }
do_mount() { # name type target source options
	local p="$root$(unescape "$3")" o=$5 flags
	flags=$(printf '%s' "$o" | tr ',' '\n' | grep -xE 'ro|rw|nosuid|nodev|noexec' | paste -sd, -)
	case "$2" in
	bind) mount --bind "$(unescape "$4")" "$p" || bad "$1" mount ;;
	rbind) mount --rbind "$(unescape "$4")" "$p" || bad "$1" mount ;;
	dev) mount -t tmpfs -o "${o:-mode=0755}" tmpfs "$p" || bad "$1" mount ;;
	*) mount -t "$2" ${o:+-o "$o"} "$2" "$p" || bad "$1" mount ;;
	esac
	case "$2" in bind | rbind) [ -n "$flags" ] && mount -o "remount,bind,$flags" "$p" 2>/dev/null ;; esac
}
sec= name= type= target= source= options=
flush() {
	[ -n "$name" ] && do_mount "$name" "$type" "$target" "$source" "$options"
	name= type= target= source= options=
}
while IFS= read -r line; do
	case "$line" in
	'['*']'*) flush; sec=${line#[}; sec=${sec%%]*}; case "$sec" in "mount "*) name=${sec#mount } ;; esac ;;
	*=*)
		k=${line%%=*} k=${k// /} v=${line#*=} v=${v# }
		case "$sec" in
		"mount "*) case "$k" in type) type=$v ;; target) target=$v ;; source) source=$v ;; options) options=$v ;; esac ;;
		masked | readonly | writable) eval "list_$sec+=(\"\$(unescape \"\$v\")\")" ;;
		esac ;;
	esac
done <"$conf"
flush
for p in "${list_masked[@]}"; do
	if [ -d "$root$p" ]; then mount -t tmpfs -o ro tmpfs "$root$p" || bad masked mask
	else mount --bind "$root/dev/null" "$root$p" || bad masked mask; fi
done
for p in "${list_readonly[@]}"; do
	mount --bind "$root$p" "$root$p" && mount -o remount,bind,ro "$root$p" || bad readonly readonly
done
for p in "${list_writable[@]}"; do
	mount --bind "$root$p" "$root$p" && mount -o remount,bind,rw "$root$p" || bad writable writable
done
# NAIVE_EXIT=N (run.sh --stub naive-liar): claim exit N with the words of
# a clean refusal, whatever was mounted.
if [ -n "${NAIVE_EXIT:-}" ]; then
	echo "naive-mg: entry 'any': refused (a lie: mounts may be left)" >&2
	echo "result: failed (exit $NAIVE_EXIT); nothing this run did is left in place"
	exit "$NAIVE_EXIT"
fi
[ $rc = 0 ] && echo "result: applied (naive)" || echo "result: failed (exit 1)"
exit $rc

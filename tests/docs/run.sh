#!/bin/bash
# Documentation tests: the man pages render without warnings and pass
# mandoc's lint, they name every option, command, exit code, key, section
# and type the sources accept (completeness.py), and the example units
# installed from docs/examples/ pass systemd-analyze verify and, their
# commands run as systemd would run them, do what they promise
# (example-units.sh; root, for the mounts in a private namespace).
#
#   tests/docs/run.sh [BUILD_DIR]     (default: build/; needs a built tree)
#
# mandoc: messages of every level, style included, fail the test. The pages
# are clean at that level, and mandoc's style messages about man(7) source
# (trailing blanks, a sentence not on a line of its own, useless macros)
# are cheap to fix and each one is a real blemish in the rendered page or
# in its diffs; none of them depends on what else is installed.
#
# Prints "ok"/"FAIL" per check and a final "N passed, N failed" line.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$HERE/../.." && pwd)
build=${1:-$top/build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "no build directory ${1:-$top/build}"; echo "0 passed, 1 failed"; exit 1; }
pages=(mount-guard.8 mount-guard.conf.5 mount-guard-policy.5)
export LC_ALL=C.UTF-8 MANWIDTH=80

CHECK_SHOW=always
. "$top/tests/lib/check.sh"

tmp=$(mktemp -d /tmp/mg-docs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# ---- the pages render, and lint clean ---------------------------------------
# mandoc -W style: every message from the style level up; it exits 0 only
# when it printed nothing at that level, but the output decides.
lint() { local o; o=$(mandoc -T lint -W style "$1" 2>&1); printf '%s' "$o"; [ -z "$o" ]; }
# groff with every warning (-ww), as man(1) formats it; warnings go to
# stderr and do not change groff's exit status, so stderr decides.
# -t: the pages have tables (tbl), as man(1) finds by itself.
render_groff() { local o; o=$(groff -t -man -ww -z -Tutf8 "$1" 2>&1); printf '%s' "$o"; [ -z "$o" ]; }
# man(1) in a UTF-8 and in the C locale (ASCII output: a character that
# exists only in Unicode is a warning there).
render_man() {
	local o loc
	for loc in C.UTF-8 C; do
		o=$(LC_ALL=$loc man --warnings=all -l "$1" 2>&1 >/dev/null)
		[ -z "$o" ] || { printf '%s: %s\n' "LC_ALL=$loc" "$o"; return 1; }
	done
	[ "$(man -l "$1" 2>/dev/null | wc -l)" -gt 20 ]
}
for p in "${pages[@]}"; do
	check "mandoc lint $p" lint "$top/docs/$p"
	check "groff -ww $p" render_groff "$top/docs/$p"
	check "man -l $p" render_man "$top/docs/$p"
done

# The lint and the render checks can fail: a page with an unknown macro and
# a trailing blank must be caught by each of them.
printf '.TH BROKEN 8 2026-01-01\n.SH NAME\nbroken \\- a test page\n.XX unknown\ntrailing blank \n' >"$tmp/broken.8"
sees_broken() { ! "$1" "$tmp/broken.8" >/dev/null 2>&1; }
check "mandoc lint catches a broken page" sees_broken lint
check "groff -ww catches a broken page" sees_broken render_groff
check "man -l catches a broken page" sees_broken render_man

# ---- completeness: the sources' names, in the pages -------------------------
for c in options commands exit-codes conf-keys conf-sections conf-types presets policy-keys policy-sections; do
	check "complete: $c" python3 "$HERE/completeness.py" "$top" "$c"
done

# ---- the example units ------------------------------------------------------
# Installed as a package would install them (DESTDIR, prefix /usr), so that
# the units' /usr/sbin/mount-guard is the file the install rules put there
# and their Documentation= man pages are the installed ones.
dest=$tmp/dest
install_ok=0
if DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/install.log" 2>&1; then
	install_ok=1
fi
check "cmake --install into DESTDIR" sh -c "[ $install_ok = 1 ] || cat '$tmp/install.log'"
examples=$dest/usr/share/doc/mount-guard/examples

# systemd-analyze verify checks that every Exec*= executable exists (on this
# host, and only /usr/sbin/mount-guard is ours: it is pointed at the staged
# copy) and, through man(1), that every Documentation=man: page exists
# (MANPATH: the staged pages only, so a page the install rules miss fails).
# It exits 0 on some problems it prints (an unusable ExecStart= prefix, an
# unknown key), so any output fails the check, not only its exit status.
verify_unit() { # UNIT FILE
	local unit=$1 dir="$tmp/verify.$RANDOM" o rc
	mkdir -p "$dir"
	grep -q '/usr/sbin/mount-guard ' "$unit" || { echo "$unit does not run /usr/sbin/mount-guard"; return 1; }
	sed "s#/usr/sbin/mount-guard #$dest/usr/sbin/mount-guard #" "$unit" >"$dir/${unit##*/}"
	o=$(MANPATH=$dest/usr/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=yes "$dir/${unit##*/}" 2>&1)
	rc=$?
	printf '%s' "$o"
	[ $rc -eq 0 ] && [ -z "$o" ]
}
units=()
for u in "$top"/docs/examples/*.service; do units+=("${u##*/}"); done
[ ${#units[@]} -ge 2 ] || check "example units exist" false
for u in "${units[@]}"; do
	check "systemd-analyze verify $u" verify_unit "$examples/$u"
done
# ... and it would see a broken unit: a typo in a key, a relative
# executable, a missing program, a missing man page.
broken_unit() { # SED-EXPRESSION, applied to rootdir-app.service
	local u=rootdir-app.service
	cp "$examples/$u" "$tmp/$u"
	sed -i "$1" "$tmp/$u"
	cmp -s "$examples/$u" "$tmp/$u" && { echo "the expression changed nothing in $u: $1"; return 1; }
	! verify_unit "$tmp/$u" >/dev/null
}
check "verify catches an unknown key" broken_unit '/^\[Service\]/a RootDirectoryOnly=yes'
check "verify catches a relative executable" broken_unit 's#^ExecStopPost=+/usr/sbin/mount-guard #ExecStopPost=+mount-guard #'
check "verify catches a missing program" broken_unit 's#^\(Exec[A-Za-z]*=[-+]*\)/usr/bin/mount #\1/usr/bin/no-such-mount #'
check "verify catches a missing man page" broken_unit 's#^Documentation=.*#Documentation=man:mount-guard-none(8)#'

# The lists beside the units parse: plan reads each, against an empty
# rootfs, in a private mount namespace (plan mounts nothing; the namespace
# is there in case it ever did). Exit 2 is a config error; 0 or 1 (a bind
# source that is not on this host) means the list was understood.
plan_conf() {
	local conf=$1 root="$tmp/plan-root.$RANDOM" o rc
	mkdir -p "$root"
	# readonly-root = yes is exec's alone, and plan refuses it (exit 2): the
	# key is taken out of the copy that plan reads.
	sed '/^readonly-root *=/d' "$conf" >"$root.conf"
	o=$(unshare -m --propagation private "$dest/usr/sbin/mount-guard" plan --root "$root" --config "$root.conf" 2>&1)
	rc=$?
	if [ $rc = 2 ] || printf '%s' "$o" | grep -q ': config: '; then
		printf '%s\n' "$o" | grep 'mount-guard:'
		return 1
	fi
	return 0
}
if [ "$(id -u)" = 0 ]; then
	for c in "$examples"/*.conf; do
		[ -e "$c" ] || { check "example lists exist" false; break; }
		check "plan parses ${c##*/}" plan_conf "$c"
	done
	# Each unit's own commands, run as systemd would run them (in a private
	# mount namespace, on a scratch busybox rootfs), do what the unit
	# promises: procfs, an empty masked /etc/shadow, read-only where the
	# list says, writable state, no capabilities and no_new_privs for exec,
	# nothing left mounted afterwards (example-units.sh).
	for u in "${units[@]}"; do
		check "the commands of $u work" unshare -m --propagation private "$HERE/example-units.sh" "$dest" "$u"
	done
elif [ "${CI:-}" = true ]; then
	check "plan parses the example lists (needs root)" false
else
	echo "SKIP plan of the example lists: not root"
fi

[ $fail -eq 0 ] || echo "failed [docs]: ${failed[*]}"
echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]

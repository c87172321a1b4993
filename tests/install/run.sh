#!/bin/bash
# Install test: `DESTDIR=$tmp cmake --install BUILD --prefix /usr` puts every
# file where the FHS says, with sane modes and nothing else; the staged
# binary runs, the staged library, header and .pc build the example client,
# the README demo runs with the staged binary (in its own private mount
# namespace, as scripts/demo.sh does itself), and MG_INSTALL_SETCAP=ON puts
# the file capabilities on the staged binary (and OFF does not).
#
#   tests/install/run.sh [BUILD_DIR]
#
# Without BUILD_DIR (what CI runs) a fresh build directory is configured for
# /usr (-DCMAKE_INSTALL_PREFIX=/usr: the helper path compiled into the
# library and the .pc file come from the configured prefix, not from
# --prefix at install time) and installed twice, without and with
# MG_INSTALL_SETCAP. With BUILD_DIR, that build is installed once, as it is
# configured; a build configured for another prefix fails the helper-path
# check, rightly: its library would start a mount-guard that is not there.
#
# Needs root (setcap, and the demo mounts). Prints "ok"/"FAIL" per check and
# a final "N passed, N failed" line.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$HERE/../.." && pwd)

. "$top/tests/lib/check.sh"
finish() {
	[ $fail -eq 0 ] || echo "failed [install]: ${failed[*]}"
	echo "install: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}

if [ "$(id -u)" != 0 ]; then
	echo "the install test needs root (setcap, and the demo mounts in a private namespace)"
	if [ "${CI:-}" = true ]; then fail=1; finish; fi
	echo "SKIP: not root (outside CI)"; echo "install: 0 passed, 0 failed, 1 skipped"; exit 0
fi

tmp=$(mktemp -d /tmp/mg-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ $# -ge 1 ]; then
	build=$(cd "$1" 2>/dev/null && pwd) || { check "build directory $1 exists" false; finish; }
	variants=(asis)
else
	build=$tmp/build
	configure() { cmake -S "$top" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DMG_BUILD_TESTS=OFF "$@" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; return 1; }; }
	do_build() { cmake --build "$build" -j "$(nproc)" >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; return 1; }; }
	check "configure a fresh build for /usr" configure -DMG_INSTALL_SETCAP=OFF || finish
	check "build it" do_build || finish
	variants=(nocap setcap)
fi

cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
version=$(sed -n 's/^project(mount-guard VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
libdir=$(cache CMAKE_INSTALL_LIBDIR)
case $libdir in /usr/*) libdir=${libdir#/usr/} ;; /*) ;; esac
[ -n "$libdir" ] || libdir=lib

# The files an install must put in place, relative to DESTDIR, and their
# modes. Lists that grow with the sources (presets, examples) are read from
# the source tree.
expected() {
	echo "usr/sbin/mount-guard 755"
	# 0644, as Debian Policy (8.1) asks of shared libraries and cmake does.
	echo "usr/$libdir/libmountguard.so.0 644"
	echo "usr/$libdir/libmountguard.so link"
	echo "usr/include/mountguard.h 644"
	echo "usr/$libdir/pkgconfig/mountguard.pc 644"
	echo "usr/share/man/man8/mount-guard.8 644"
	echo "usr/share/man/man5/mount-guard.conf.5 644"
	echo "usr/share/man/man5/mount-guard-policy.5 644"
	echo "usr/share/mount-guard/example-policy.conf 644"
	local f
	for f in "$top"/policy/presets/*.conf; do echo "usr/share/mount-guard/presets/${f##*/} 644"; done
	for f in "$top"/docs/examples/*.service "$top"/docs/examples/*.conf "$top"/docs/examples/*.c; do
		[ -e "$f" ] && echo "usr/share/doc/mount-guard/examples/${f##*/} 644"
	done
}

files_in_place() { # DEST
	local dest=$1 path mode bad=0 got
	while read -r path mode; do
		if [ "$mode" = link ]; then
			[ -L "$dest/$path" ] && [ -e "$dest/$path" ] || { echo "missing or dangling symlink: /$path"; bad=1; }
			continue
		fi
		[ -f "$dest/$path" ] && [ ! -L "$dest/$path" ] || { echo "missing: /$path"; bad=1; continue; }
		got=$(stat -c '%a %U:%G' "$dest/$path")
		[ "$got" = "$mode root:root" ] || { echo "/$path: mode and owner $got, expected $mode root:root"; bad=1; }
	done < <(expected)
	return $bad
}

nothing_else() { # DEST: every installed file is one of the expected
	local dest=$1 extra
	extra=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort |
		comm -23 - <(expected | awk '{print $1}' | sort))
	[ -z "$extra" ] || { echo "installed but not expected:"; printf '  /%s\n' $extra; return 1; }
}

no_special_modes() { # DEST: no setuid/setgid file, nothing writable by group or others
	local dest=$1 bad
	bad=$(find "$dest" \( -perm -4000 -o -perm -2000 -o \( ! -type l -perm /022 \) \) -printf '%m %p\n')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

runs() { # DEST
	local bin=$1/usr/sbin/mount-guard out
	out=$("$bin" --version) || { echo "--version: exit $?"; return 1; }
	[ "$out" = "mount-guard $version" ] || { echo "--version printed '$out', expected 'mount-guard $version'"; return 1; }
	out=$("$bin" --help) || { echo "--help: exit $?"; return 1; }
	printf '%s' "$out" | grep -q '^Usage: mount-guard apply' || { echo "--help lacks the usage:"; printf '%s\n' "$out"; return 1; }
	# A usage error is exit 2, from the staged binary too.
	"$bin" no-such-command >/dev/null 2>&1
	out=$?
	[ "$out" = 2 ] || { echo "an unknown command gave exit $out, expected 2"; return 1; }
}

library_usable() { # DEST: the staged .pc, header and library build and link the example client
	local dest=$1 flags helper
	export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/$libdir/pkgconfig
	flags=$(pkg-config --cflags --libs mountguard) || return 1
	unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
	# Read as written: pkg-config would prefix the sysroot to it.
	helper=$(sed -n 's/^helper=//p' "$dest/usr/$libdir/pkgconfig/mountguard.pc")
	[ "$helper" = /usr/sbin/mount-guard ] || { echo "mountguard.pc: helper=$helper, expected /usr/sbin/mount-guard"; return 1; }
	# shellcheck disable=SC2086
	cc -Wall -Werror "$top/docs/examples/client.c" $flags -o "$tmp/client" || return 1
	LD_LIBRARY_PATH=$dest/usr/$libdir "$tmp/client" >/dev/null 2>&1
	[ $? = 2 ] || { echo "the client linked against the staged library does not run (usage: exit 2)"; return 1; }
}

helper_path() { # DEST: the helper the library starts is the one installed
	local dest=$1 lib
	lib=$dest/usr/$libdir/libmountguard.so.0
	grep -aq '/usr/sbin/mount-guard' "$lib" ||
		{ echo "libmountguard does not name /usr/sbin/mount-guard; it names: $(grep -ao '/[a-z/]*sbin/mount-guard' "$lib" | head -1)"; return 1; }
	[ -x "$dest/usr/sbin/mount-guard" ]
}

demo() { # DEST: the README demo, with the staged binary, in a private namespace
	local dest=$1 out rc
	out=$(MG_DEMO_INNER=1 MG_BIN=$dest/usr/sbin/mount-guard unshare -m --propagation private "$top/scripts/demo.sh" 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$tmp/demo.log"
	[ $rc = 0 ] || { echo "demo: exit $rc"; tail -30 "$tmp/demo.log"; return 1; }
	local want
	for want in "result: " "entries applied and verified" "exit status: 3" "left beneath the root: 0 mounts"; do
		grep -qF -- "$want" "$tmp/demo.log" || { echo "demo output lacks: $want"; tail -30 "$tmp/demo.log"; return 1; }
	done
}

caps() { # DEST WANT(yes|no)
	local got
	got=$(getcap "$1/usr/sbin/mount-guard")
	if [ "$2" = yes ]; then
		printf '%s' "$got" | grep -q 'cap_dac_override,cap_dac_read_search,cap_setpcap,cap_sys_admin=ep$' ||
			{ echo "getcap: '$got'"; return 1; }
	else
		[ -z "$got" ] || { echo "capabilities without MG_INSTALL_SETCAP: $got"; return 1; }
	fi
}

for v in "${variants[@]}"; do
	case $v in
	nocap) want_caps=no ;;
	setcap)
		check "reconfigure with MG_INSTALL_SETCAP=ON" configure -DMG_INSTALL_SETCAP=ON || continue
		want_caps=yes ;;
	asis) [ "$(cache MG_INSTALL_SETCAP)" = ON ] && want_caps=yes || want_caps=no ;;
	esac
	dest=$tmp/dest-$v
	do_install() { DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/install-$v.log" 2>&1 || { cat "$tmp/install-$v.log"; return 1; }; }
	check "[$v] DESTDIR=... cmake --install --prefix /usr" do_install || continue
	check "[$v] every listed file, with its mode" files_in_place "$dest"
	check "[$v] nothing else installed" nothing_else "$dest"
	check "[$v] no setuid, setgid or writable file" no_special_modes "$dest"
	check "[$v] file capabilities: $want_caps" caps "$dest" $want_caps
	check "[$v] the staged binary runs (--version, --help)" runs "$dest"
	check "[$v] the library's helper is the installed binary" helper_path "$dest"
	if [ "$v" != setcap ]; then
		# The same files again; once is enough.
		check "[$v] library, header and .pc build the example client" library_usable "$dest"
	fi
	check "[$v] the README demo with the staged binary" demo "$dest"
done
finish

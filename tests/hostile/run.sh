#!/bin/bash
# The hostile-rootfs corpus: named cases, grouped by the attack they model
# (cases/NN-GROUP.sh), each a tree an attacker left in the rootfs, a request
# and the expected outcome (see lib.sh). Every case runs in its own private
# mount namespace (unshare -m --propagation private), never touching the
# host's mounts, once per backend and per symlink mode it declares.
#
#   run.sh [--wrap CMD] [--label L] [--both-backends BUILD_DIR]
#          [--stub naive|naive-liar|refuse-all] [CASE...]
#
# MG_BIN (default build/mount-guard) is the binary under test. --wrap runs
# it under CMD (BUILD_DIR/tests/mg-enosys: the openat2 fallback walk and the
# proc-fd mount backend). --both-backends BUILD_DIR runs every case as is
# and under BUILD_DIR/tests/mg-enosys, with BUILD_DIR/mount-guard. CASE is a
# function name with or without its hcase_ prefix, or a group name.
#
# --stub runs the corpus against a stand-in instead of mount-guard, to show
# that the corpus can fail: tools/naive-mg.sh (a path-string mounter that
# follows every symlink, masks with /dev/null, like the runtimes of the
# CVEs; naive-liar: the same, but it then claims a refusal, exit 3, so only
# the checks of mountinfo, the tree and the sentinel can catch it) or
# tools/refuse-all.sh (refuses everything). Each FAIL there is the corpus
# catching it.
#
# Prints "ok"/"FAIL" per case, backend and mode (a case in known-failures
# is still a FAIL, with the bug named), "hostile: GROUP: N/M" per group,
# then "hostile cases: P of T passed (...)" and last "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ITLIB=$HERE/../integration/lib.sh
: "${MG_BIN:=$HERE/../../build/mount-guard}"
: "${MG_WRAP:=}"
LABEL=
BOTH=
STUB=
INNER=
while [ $# -gt 0 ]; do
	case "$1" in
	--wrap) MG_WRAP=$2; shift 2 ;;
	--label) LABEL=$2; shift 2 ;;
	--both-backends) BOTH=$2; shift 2 ;;
	--stub) STUB=$2; shift 2 ;;
	--inner) INNER=$2 MODE=$3; shift 3 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) break ;;
	esac
done

# The cases, and the group (file) each one belongs to.
declare -A GROUP_OF=()
GROUPS_ORDER=()
load_cases() {
	local f g before fn
	for f in "$HERE"/cases/*.sh; do
		g=$(basename "$f" .sh) g=${g#[0-9][0-9]-}
		before=$(declare -F | awk '{print $3}')
		. "$f"
		GROUPS_ORDER+=("$g")
		for fn in $(comm -13 <(printf '%s\n' "$before" | sort) <(declare -F | awk '{print $3}' | sort)); do
			case "$fn" in hcase_*) GROUP_OF[$fn]=$g ;; esac
		done
	done
}

if [ -n "$INNER" ]; then
	# One case, one mode, inside its own mount namespace.
	HERE_IT=$HERE
	HERE=$HERE/../integration . "$ITLIB"
	HERE=$HERE_IT
	. "$HERE/lib.sh"
	for f in "$HERE"/cases/*.sh; do . "$f"; done
	mount --make-rprivate / || exit 90
	T=$(mktemp -d /tmp/mg-hostile.XXXXXX) || exit 91
	export T ROOT="$T/root" OUT="$T/outside"
	mkdir -p "$ROOT" "$OUT" "$T/host"
	echo "sentinel $$" >"$OUT/sentinel"
	h_reset
	"$INNER" || { echo "  the case's builder failed"; exit 1; }
	h_run "$MODE"
	rc=$?
	for c in "${H_CLEANUP[@]}"; do eval "$c"; done
	cd /
	# Every mount beneath $T, deepest first (umount -R needs a mount point
	# at its argument, and $ROOT is none), then the files, never across a
	# mount that is still there: a bind gone wrong must not take host files
	# along.
	for _ in 1 2 3; do
		MI_T=$T/ awk 'index($5, ENVIRON["MI_T"]) == 1 { print length($5), $5 }' /proc/self/mountinfo |
			sort -rn | cut -d' ' -f2- | while IFS= read -r m; do umount -l "$(printf '%b' "$m")" 2>/dev/null; done
	done
	rm -rf --one-file-system "$T" 2>/dev/null
	exit $rc
fi

if [ "$(id -u)" != 0 ]; then
	echo "hostile corpus needs root (mount namespaces, mounts)"
	if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
	echo "SKIP: not root (outside CI)"; echo "0 passed, 0 failed"; exit 0
fi

# Backends: label and wrapper.
BACKENDS=()
case "$STUB" in
"") ;;
naive) MG_BIN=$HERE/tools/naive-mg.sh MG_BACKEND=new-api ;;
naive-liar) MG_BIN=$HERE/tools/naive-mg.sh MG_BACKEND=new-api NAIVE_EXIT=3; export NAIVE_EXIT ;;
refuse-all) MG_BIN=$HERE/tools/refuse-all.sh MG_BACKEND=new-api ;;
*) echo "unknown stub $STUB"; echo "0 passed, 1 failed"; exit 2 ;;
esac
if [ -n "$BOTH" ]; then
	MG_BIN=$BOTH/mount-guard
	BACKENDS=("new-api|" "enosys|$BOTH/tests/mg-enosys")
else
	BACKENDS=("${LABEL:-${STUB:-default}}|$MG_WRAP")
fi
if [ ! -x "$MG_BIN" ]; then echo "no binary at $MG_BIN (build first)"; echo "0 passed, 1 failed"; exit 1; fi
export MG_BIN

load_cases
cases=()
if [ $# -eq 0 ]; then
	mapfile -t cases < <(declare -F | awk '{print $3}' | grep '^hcase_')
else
	for a in "$@"; do
		if printf '%s\n' "${GROUPS_ORDER[@]}" | grep -qx -- "$a"; then
			for fn in "${!GROUP_OF[@]}"; do [ "${GROUP_OF[$fn]}" = "$a" ] && cases+=("$fn"); done
		else
			fn=hcase_${a#hcase_}
			[ -n "${GROUP_OF[$fn]:-}" ] || { echo "no case $a"; echo "0 passed, 1 failed"; exit 2; }
			cases+=("$fn")
		fi
	done
	mapfile -t cases < <(printf '%s\n' "${cases[@]}" | sort -u)
fi

# The modes a case runs in: both when its want line names two statuses.
modes_of() {
	case "$(declare -f "$1" | awk '$1 == "want" { gsub(/;/, ""); print NF - 1; exit }')" in
	1) echo in-root ;;
	2) echo in-root refuse ;;
	*) echo none ;;
	esac
}

# known-failures: "CASE MODE BACKEND  why" (MODE, BACKEND may be *).
known_bug() { # case mode backend -> prints why
	[ -f "$HERE/known-failures" ] || return 1
	awk -v c="$1" -v m="$2" -v b="$3" '
		/^[[:space:]]*(#|$)/ { next }
		($1 == c || "hcase_" $1 == c) && ($2 == m || $2 == "*") && ($3 == b || $3 == "*") {
			$1 = $2 = $3 = ""; sub(/^ +/, ""); print; found = 1; exit }
		END { exit !found }' "$HERE/known-failures"
}

declare -A GP=() GT=()
pass=0 fail=0 nb=${#BACKENDS[@]}
failed=()
for c in "${cases[@]}"; do
	modes=$(modes_of "$c")
	g=${GROUP_OF[$c]}
	if [ "$modes" = none ]; then
		echo "FAIL [-] ${c#hcase_}: no literal 'want RC [RC]' line"
		fail=$((fail + 1)) GT[$g]=$((${GT[$g]:-0} + 1)); failed+=("$c"); continue
	fi
	for b in "${BACKENDS[@]}"; do
		bl=${b%%|*} bw=${b#*|}
		for m in $modes; do
			GT[$g]=$((${GT[$g]:-0} + 1))
			# mount-guard gets 60 s, the whole case 180 s: a FIFO opened
			# by mistake (or a stand-in that hangs) cannot stall the corpus.
			out=$(MG_WRAP="timeout -k 5 60 $bw" MG_BACKEND=${MG_BACKEND:-} \
				timeout -k 5 180 unshare -m --propagation private "$HERE/run.sh" --inner "$c" "$m" 2>&1)
			rc=$?
			why=$(known_bug "$c" "$m" "$bl")
			if [ $rc -eq 0 ]; then
				pass=$((pass + 1)) GP[$g]=$((${GP[$g]:-0} + 1))
				echo "ok   [$bl/$m] ${c#hcase_}${why:+ (listed in known-failures, but passes now)}"
			else
				fail=$((fail + 1)); failed+=("${c#hcase_}[$bl/$m]")
				echo "FAIL [$bl/$m] ${c#hcase_}${why:+ (known bug: $why)}"
				printf '%s\n' "$out" | tail -n 60 | sed 's/^/    /'
			fi
		done
	done
done

[ $fail -eq 0 ] || echo "failed: ${failed[*]}"
for g in "${GROUPS_ORDER[@]}"; do
	[ -n "${GT[$g]:-}" ] && echo "hostile: $g: ${GP[$g]:-0}/${GT[$g]}"
done
echo "hostile cases: $pass of $((pass + fail)) passed (${#cases[@]} named cases, $nb backend$([ "$nb" = 1 ] || echo s), both symlink modes where they differ)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

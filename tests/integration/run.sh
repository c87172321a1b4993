#!/bin/bash
# Integration tests: the built binary, as root, on purpose-built hostile trees.
# Every case runs in its own private mount namespace (unshare -m
# --propagation private) and never touches the host's mounts.
#
#   run.sh [--wrap "CMD ARGS"] [--label NAME] [--exclude CASE]... [CASE...]
#
# --wrap runs mount-guard under a wrapper: tests/wrap/mg-enosys (forces the
# openat2 fallback walk and the /proc/self/fd backend) or valgrind.
# Prints "ok"/"FAIL" per case and a final "N passed, N failed" line.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${MG_BIN:=$HERE/../../build/mount-guard}"
: "${MG_WRAP:=}"
LABEL=default
while [ $# -gt 0 ]; do
	case "$1" in
	--wrap) MG_WRAP=$2; shift 2 ;;
	--label) LABEL=$2; shift 2 ;;
	--case-inner) shift; INNER=$1; shift ;;
	--exclude) EXCLUDE="${EXCLUDE:-} $2"; shift 2 ;;
	*) break ;;
	esac
done
export MG_BIN MG_WRAP HERE LABEL

. "$HERE/lib.sh"
for f in "$HERE"/cases/*.sh; do . "$f"; done

if [ -n "${INNER:-}" ]; then
	# Inside the case's own mount namespace.
	mount --make-rprivate / || exit 90
	T=$(mktemp -d /tmp/mg-it.XXXXXX) || exit 91
	export T ROOT="$T/root" OUT="$T/outside"
	mkdir -p "$ROOT" "$OUT"
	echo "sentinel $$" >"$OUT/sentinel"
	baseline
	"case_$INNER"
	rc=$?
	if [ $rc -eq 0 ]; then
		check_no_mount_outside_root "$(cat "$T/.ids_before")" || rc=1
		[ "$(sentinel_state)" = "$(cat "$T/.sentinel_before")" ] || { echo "  sentinel outside the root changed"; rc=1; }
	fi
	cd /
	# Take down every mount beneath $T, deepest first ($ROOT need not be a
	# mount point itself, so `umount -R $ROOT` is not enough), and never let
	# rm cross into a mount that is left (a bind of a host directory).
	awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print length($5), $5 }' /proc/self/mountinfo |
		sort -rn | cut -d' ' -f2- | while read -r m; do umount -l "$(printf '%b' "$m")" 2>/dev/null; done
	rm -rf --one-file-system "$T" 2>/dev/null
	exit $rc
fi

if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root (mount namespaces, mounts)"
	if [ "${CI:-}" = true ]; then echo "0 passed, 1 failed"; exit 1; fi
	echo "SKIP: not root (outside CI)"; echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
if [ ! -x "$MG_BIN" ]; then echo "no binary at $MG_BIN (build first)"; echo "0 passed, 1 failed"; exit 1; fi

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	mapfile -t cases < <(declare -F | awk '{print $3}' | sed -n 's/^case_//p')
fi
pass=0 fail=0 failed=()
for c in "${cases[@]}"; do
	case " ${EXCLUDE:-} " in *" $c "*) echo "not in this pass [$LABEL] $c: ${EXCLUDE_WHY:-excluded}"; continue ;; esac
	out=$(unshare -m --propagation private "$HERE/run.sh" --wrap "$MG_WRAP" --label "$LABEL" --case-inner "$c" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   [$LABEL] $c"
	else
		fail=$((fail + 1)); failed+=("$c"); echo "FAIL [$LABEL] $c (rc $rc)"; printf '%s\n' "$out" | sed 's/^/    /' | tail -40
	fi
done
[ $fail -eq 0 ] || echo "failed [$LABEL]: ${failed[*]}"
echo "integration[$LABEL]: $pass passed, $fail failed"
[ $fail -eq 0 ]

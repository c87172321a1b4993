#!/bin/bash
# Race harness: mount-guard against an attacker that exchanges every
# component of the target path with a symlink outside the root (absolute,
# `..`-heavy) or with a directory leading outside, thousands of times, on
# both backends; and the same for a deliberately naive path-string mounter,
# which the harness must catch escaping (a harness that cannot fail proves
# nothing).
#
#   run.sh [--attempts N] [BUILD_DIR]
#
# BUILD_DIR (or MG_BIN=BUILD_DIR/mount-guard) holds mount-guard,
# tests/mg-enosys and tests/race/mg-race-{attacker,naive}. Each (tool,
# backend) pair runs in its own private mount namespace (unshare -m
# --propagation private), on a tmpfs of its own. After every attempt, with
# the attacker stopped: every new mount must have its mount point inside the
# root, a bind mount from the work tmpfs must show a source inside the root,
# and the sentinel directory outside must be unchanged; then everything the
# attempt mounted is unmounted. Prints one line per pair
#   race TOOL/BACKEND: N attempts, E escapes
# and a final "race: N passed, N failed". mount-guard must have 0 escapes
# (and succeed at least once: a tool that never mounts proves nothing); the
# naive mounter must have more than 0.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ATTEMPTS=${MG_RACE_ATTEMPTS:-1000}
INNER=
while [ $# -gt 0 ]; do
	case "$1" in
	--attempts) ATTEMPTS=$2; shift 2 ;;
	--inner) INNER=1; shift; break ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) MG_BIN=$1/mount-guard; shift ;;
	esac
done
: "${MG_BIN:=$HERE/../../build/mount-guard}"
BDIR=$(dirname "$MG_BIN")
ATTACKER=$BDIR/tests/race/mg-race-attacker
NAIVE=$BDIR/tests/race/mg-race-naive
ENOSYS=$BDIR/tests/mg-enosys
export MG_BIN

# ---- one (tool, backend) pair, inside its own mount namespace -------------
inner() { # TOOL BACKEND N
	local tool=$1 backend=$2 n=$3 wrap=
	[ "$backend" = fallback ] && wrap=$ENOSYS
	mount --make-rprivate / || return 90
	local W
	W=$(mktemp -d /tmp/mg-race.XXXXXX) || return 91
	mount -t tmpfs -o mode=0755 tmpfs "$W" || return 92
	local ROOT=$W/root OUT=$W/outside
	mkdir -p "$ROOT/a/b/c" "$ROOT/a/b/hidden" "$OUT/b/c" "$OUT/b/hidden"
	echo "sentinel $$" >"$OUT/sentinel"
	echo "secret" >"$OUT/b/hidden/secret"
	cat >"$W/mg.conf" <<-'CONF'
	[mount t]
	type = tmpfs
	target = /a/b/c
	options = nosuid,nodev
	create = dir

	[masked]
	path = /a/b/hidden

	[readonly]
	path = /a/b
	CONF
	# The work tmpfs's device: a bind mount from it must come from inside
	# the root (field 4 of mountinfo is the source's path in that fs).
	local wdev
	wdev=$(awk -v p="$W" '$5 == p {d = $3} END {print d}' /proc/self/mountinfo)
	awk '{print $1}' /proc/self/mountinfo >"$W/ids"
	sentinel() { (find "$OUT" -printf '%p %y %m %s %T@\n' | sort; cat "$OUT/sentinel") 2>&1; }
	local sent
	sent=$(sentinel)

	if [ "$tool" = mount-guard ]; then
		local got
		# shellcheck disable=SC2086
		got=$($wrap "$MG_BIN" plan --json --root "$ROOT" --config "$W/mg.conf" 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin).get("mount_backend", "?"))' 2>/dev/null)
		local want=new-api
		[ "$backend" = fallback ] && want=proc-fd
		if [ "$got" != "$want" ]; then
			echo "race $tool/$backend: backend is '$got', expected $want"
			return 1
		fi
	fi

	"$ATTACKER" "$ROOT" "$OUT" a b c >"$W/attacker.out" 2>&1 &
	local apid=$! i
	for i in $(seq 1 100); do grep -q ready "$W/attacker.out" && break; sleep 0.05; done
	grep -q ready "$W/attacker.out" || { echo "race $tool/$backend: attacker did not start: $(cat "$W/attacker.out")"; return 1; }

	local escapes=0 harness_err=0 rc out line
	declare -A rcs=()
	for ((i = 1; i <= n; i++)); do
		if [ "$tool" = mount-guard ]; then
			# shellcheck disable=SC2086
			timeout 30 $wrap "$MG_BIN" apply --root "$ROOT" --config "$W/mg.conf" >/dev/null 2>"$W/err"
		else
			# shellcheck disable=SC2086
			timeout 30 $wrap "$NAIVE" "$ROOT" /a/b/c /a/b/hidden /a/b 2>"$W/err"
		fi
		rc=$?
		rcs[$rc]=$((${rcs[$rc]:-0} + 1))
		[ "$rc" = 4 ] && { echo "  attempt $i: exit 4 (rollback failed):"; sed 's/^/    /' "$W/err" | head -5; }
		kill -STOP "$apid"
		# New mounts: where they are, and (binds from the work tmpfs) what they show.
		out=$(awk -v root="$ROOT" -v wdev="$wdev" 'NR == FNR { old[$1] = 1; next }
			!($1 in old) {
				bad = ""
				if (index($5, root "/") != 1) bad = "mount point outside the root"
				else if ($3 == wdev && $4 != "/root" && index($4, "/root/") != 1) bad = "bind source outside the root: " $4
				if (bad != "") print "ESCAPE " $5 " (" bad ")"
				print "NEW " $5
			}' "$W/ids" /proc/self/mountinfo)
		if [ "$(sentinel)" != "$sent" ]; then
			out+=$'\nESCAPE sentinel directory changed'
		fi
		if printf '%s\n' "$out" | grep -q '^ESCAPE'; then
			escapes=$((escapes + 1))
			[ $escapes -le 3 ] && printf '%s\n' "$out" | sed -n 's/^ESCAPE /  attempt '"$i"': escape: /p' | head -3
		fi
		# Take down what this attempt mounted, newest first.
		if [ -n "$out" ]; then
			# Stacked mounts (one path twice) and a lazy unmount that
			# takes a subtree with it make one pass in mountinfo order
			# miss some: pass again over what is left, a few times.
			local pass left
			for pass in 1 2 3 4 5; do
				left=$(awk 'NR == FNR { old[$1] = 1; next } !($1 in old) { print $5 }' "$W/ids" /proc/self/mountinfo)
				[ -n "$left" ] || break
				printf '%s\n' "$left" | tac | while IFS= read -r line; do
					umount -l "$(printf '%b' "$line")" 2>/dev/null
				done
			done
			if awk 'NR == FNR { old[$1] = 1; next } !($1 in old) { f = 1 } END { exit !f }' "$W/ids" /proc/self/mountinfo; then
				harness_err=$((harness_err + 1))
				echo "  attempt $i: could not take the new mounts down"
				kill -CONT "$apid"
				break
			fi
			sent=$(sentinel) # a changed sentinel is counted once
		fi
		kill -CONT "$apid"
	done
	kill -TERM "$apid"
	wait "$apid" 2>/dev/null
	local k exits=
	for k in $(printf '%s\n' "${!rcs[@]}" | sort -n); do exits+=" $k:${rcs[$k]}"; done
	echo "race $tool/$backend: $((i > n ? n : i)) attempts, $escapes escapes"
	echo "  exit statuses (status:count):$exits; $(tail -n 1 "$W/attacker.out")"
	cd /
	umount -R "$W" 2>/dev/null
	rmdir "$W" 2>/dev/null
	[ $harness_err -eq 0 ] || return 1
	if [ "$tool" = mount-guard ]; then
		[ $escapes -eq 0 ] || { echo "  FAIL: mount-guard escaped the root"; return 1; }
		[ "${rcs[0]:-0}" -gt 0 ] || { echo "  FAIL: mount-guard never succeeded (the race proves nothing)"; return 1; }
		[ "${rcs[2]:-0}" -eq 0 ] || { echo "  FAIL: mount-guard reported a usage error"; return 1; }
		[ "${rcs[4]:-0}" -eq 0 ] || { echo "  FAIL: a rollback failed"; return 1; }
	else
		[ $escapes -gt 0 ] || { echo "  FAIL: the naive mounter never escaped: the harness cannot detect escapes"; return 1; }
	fi
	return 0
}

if [ -n "$INNER" ]; then
	inner "$@"
	exit $?
fi

if [ "$(id -u)" != 0 ]; then
	echo "the race harness needs root (mount namespaces, mounts)"
	if [ "${CI:-}" = true ]; then echo "race: 0 passed, 1 failed"; exit 1; fi
	echo "SKIP: not root (outside CI)"; echo "race: 0 passed, 0 failed"; exit 0
fi
for b in "$MG_BIN" "$ATTACKER" "$NAIVE" "$ENOSYS"; do
	[ -x "$b" ] || { echo "no binary at $b (build first)"; echo "race: 0 passed, 1 failed"; exit 1; }
done
case "$ATTEMPTS" in ''|*[!0-9]*|0) echo "--attempts: a positive number"; exit 2 ;; esac

pass=0 fail=0
for tool in mount-guard naive; do
	for backend in default fallback; do
		if unshare -m --propagation private "$0" --inner "$tool" "$backend" "$ATTEMPTS"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
done
echo "race: $pass passed, $fail failed"
[ $fail -eq 0 ]

# All or nothing: a failure at any entry leaves mountinfo as it was and
# removes what the run created.

case_rollback_on_missing_target() {
	mkdir -p "$ROOT/a" "$ROOT/proc"
	local before
	before=$(snapshot)
	conf "[mount proc]
type = proc
target = /proc
[mount a]
type = tmpfs
target = /a
[mount made]
type = tmpfs
target = /made/deeper
create = dir
[mount missing]
type = tmpfs
target = /does-not-exist"
	apply --json
	expect_rc 1 || return 1
	expect_unchanged "$before" || return 1
	[ ! -e "$ROOT/made" ] || fail "created directories left behind" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
st = [e["status"] for e in d["entries"]]
assert st == ["rolled-back", "rolled-back", "rolled-back", "failed"], st
assert "does not exist" in d["entries"][3]["error"], d["entries"][3]
assert d["ok"] is False and d["exit_code"] == 1
' || fail "json statuses"
}

case_rollback_on_unsafe_entry_late() {
	mkdir -p "$ROOT/a" "$ROOT/b"
	mkfifo "$ROOT/fifo"
	local before
	before=$(snapshot)
	conf "[mount a]
type = tmpfs
target = /a
[mount b]
type = tmpfs
target = /b
[mount f]
type = tmpfs
target = /fifo"
	apply
	expect_rc 3 || return 1
	expect_err "entry 'f'" || return 1
	expect_unchanged "$before"
}

case_rollback_when_later_entry_fails_on_top() {
	# The failing entry is beneath an earlier mount: the dry run defers it,
	# the real run fails on it, and everything goes back.
	mkdir -p "$ROOT/w"
	local before
	before=$(snapshot)
	conf "[mount w]
type = tmpfs
target = /w
[mount under]
type = tmpfs
target = /w/not-there"
	apply
	expect_rc 1 || return 1
	expect_unchanged "$before"
}

case_rollback_at_every_position() {
	# A 20-entry list with the failing entry at position k, for each k.
	local k i before body
	mkdir -p "$ROOT/proc"
	for k in $(seq 1 20); do
		body=""
		for i in $(seq 1 20); do
			if [ "$i" = "$k" ]; then
				body="$body
[mount e$i]
type = tmpfs
target = /missing$i"
			else
				body="$body
[mount e$i]
type = tmpfs
target = /d$k/e$i
create = dir"
			fi
		done
		before=$(snapshot)
		conf "$body"
		apply
		expect_rc 1 || { echo "  at k=$k"; return 1; }
		expect_unchanged "$before" || { echo "  at k=$k"; return 1; }
		[ ! -e "$ROOT/d$k" ] || fail "created dirs left at k=$k" || return 1
	done
}

case_rollback_mount_error_from_kernel() {
	# The kernel itself refuses the mount (an invalid devpts gid is fine,
	# so use a tmpfs size the kernel rejects): exit 1, earlier mounts undone.
	mkdir -p "$ROOT/a" "$ROOT/b"
	local before
	before=$(snapshot)
	conf "[mount a]
type = tmpfs
target = /a
[mount b]
type = tmpfs
target = /b
options = nr_inodes=99999999999999999999999"
	apply
	expect_rc 1 || return 1
	expect_err "entry 'b'" || return 1
	expect_unchanged "$before"
}

case_rollback_that_fails_is_exit_4() {
	# Every umount2 fails (injected): the run must not claim that nothing is
	# left. Exit 4, rollback_incomplete, and the entries still mounted say
	# "mounted".
	need_faultinject || return 1
	mkdir -p "$ROOT/a" "$ROOT/b"
	conf "[mount a]
type = tmpfs
target = /a
[mount b]
type = tmpfs
target = /b
[mount c]
type = tmpfs
target = /missing"
	with_faults "MG_FAULT_UMOUNT=1" apply --json
	[ "$(injected_count)" -ge 2 ] 2>/dev/null || fail "the injector saw no attach calls: '$(injected_count)'" || return 1
	expect_rc 4 || return 1
	expect_err "rollback: unmount of entry" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["exit_code"] == 4 and d["rollback_incomplete"] is True, d
st = [e["status"] for e in d["entries"]]
assert st == ["mounted", "mounted", "failed"], st
' || fail "json" || return 1
	is_mounted "$ROOT/a" || fail "a should still be mounted (the injected failure)" || return 1
	umount "$ROOT/a" "$ROOT/b"
}

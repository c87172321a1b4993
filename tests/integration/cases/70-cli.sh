# Command line, config errors and plan: nothing touched.

case_help_and_version() {
	mg --help
	expect_rc 0 || return 1
	expect_out "mount-guard apply" || return 1
	mg --version
	expect_rc 0 || return 1
	expect_out "mount-guard 0." || return 1
	mg
	expect_rc 2 || return 1
	mg frobnicate --root / --config /dev/null
	expect_rc 2 || return 1
	mg apply --root "$ROOT"
	expect_rc 2 || return 1
	mg apply --root "$ROOT" --config "$T/none" --bogus
	expect_rc 2
}

case_config_error_touches_nothing() {
	mkdir -p "$ROOT/a"
	local before
	before=$(snapshot)
	conf "[mount a]
type = tmpfs
target = /a
create = dir
[mount b]
type = tmpfs
target = /b
options = nosuid,frobnicate"
	apply
	expect_rc 2 || return 1
	expect_err "mg.conf:8: entry 'b'" || return 1
	expect_err "unknown option 'frobnicate'" || return 1
	expect_unchanged "$before"
}

case_config_long_line_refused() {
	local long
	long=$(printf 'x%.0s' $(seq 1 200))
	conf "[mount a]
type = tmpfs
target = /$long"
	apply
	expect_rc 2 || return 1
	expect_err "mg.conf:3:" || return 1
	expect_err "inih takes at most 199"
}

case_config_nul_refused() {
	printf '[mount a]\ntype = tmpfs\ntarget = /a\0b\n' >"$T/mg.conf"
	apply
	expect_rc 2 || return 1
	expect_err "mg.conf:3:" || return 1
	expect_err "NUL"
}

case_config_missing_file() {
	mg apply --root "$ROOT" --config "$T/absent.conf"
	expect_rc 2 || return 1
	expect_err "cannot open config"
}

case_config_from_stdin() {
	mkdir -p "$ROOT/a"
	printf '[mount a]\ntype = tmpfs\ntarget = /a\n' | $MG_WRAP "$MG_BIN" apply --root "$ROOT" --config - >/dev/null 2>"$T/err"
	RC=$? STDOUT="" STDERR=$(cat "$T/err")
	expect_rc 0 || return 1
	is_mounted "$ROOT/a" || fail "not mounted"
}

case_root_missing() {
	conf "[mount a]
type = tmpfs
target = /a"
	mg apply --root "$T/no-such-root" --config "$T/mg.conf"
	expect_rc 2 || return 1
	expect_err "cannot open root"
}

case_plan_changes_nothing() {
	mkdir -p "$ROOT/proc"
	local before
	before=$(snapshot)
	conf "[mount proc]
type = proc
target = /proc
[mount t]
type = tmpfs
target = /new/dir
create = dir
[mount under]
type = tmpfs
target = /new/dir/inner
create = dir"
	plan --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	[ ! -e "$ROOT/new" ] || fail "plan created a directory" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["command"] == "plan" and d["ok"] is True, d
e = d["entries"]
assert [x["status"] for x in e] == ["planned", "planned", "deferred"], e
assert e[1]["resolved"] == "/new/dir" and e[1]["action"] == "create-dir+mount", e[1]
' || fail "plan json"
}

case_plan_reports_refusal() {
	mkfifo "$ROOT/fifo"
	conf "[mount f]
type = tmpfs
target = /fifo"
	plan --json
	expect_rc 3 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["entries"][0]
assert e["status"] == "refused" and "FIFO" in e["error"], e
assert d["exit_code"] == 3
' || fail "plan json"
}

case_no_cap_sys_admin() {
	mkdir -p "$ROOT/a"
	chmod 755 "$T"
	conf "[mount a]
type = tmpfs
target = /a"
	chmod 644 "$T/mg.conf"
	local o e
	o=$(mktemp) e=$(mktemp)
	chmod 666 "$o" "$e"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		$MG_WRAP "$MG_BIN" apply --root "$ROOT" --config "$T/mg.conf" >"$o" 2>"$e"
	RC=$? STDOUT=$(cat "$o") STDERR=$(cat "$e")
	expect_rc 1 || return 1
	expect_err "CAP_SYS_ADMIN" || return 1
	is_mounted "$ROOT/a" && fail "mounted without privilege"
	return 0
}

case_env_and_fds_not_inherited() {
	# The helper starts with a stray fd and environment; neither may
	# matter (nothing to observe from outside but success and no leak of
	# the fd into a mount: the fd points outside the root).
	mkdir -p "$ROOT/a"
	conf "[mount a]
type = tmpfs
target = /a"
	exec 7<"$OUT"
	LD_PRELOAD= MG_DEBUG=1 apply
	exec 7<&-
	expect_rc 0
}

# Messages under systemd: when JOURNAL_STREAM names mount-guard's own stderr
# (its "device:inode", as systemd.exec(5) sets it for StandardError=journal),
# every message line starts with a syslog priority prefix ("<3>" for errors)
# so that journald keeps the level; when it names another file, is not
# systemd's format, or is unset, lines are plain. helper/log.c.

# journal_mg MODE ARGS...: mg with JOURNAL_STREAM set, by a small wrapper
# placed in front of $MG_WRAP (which may be valgrind or mg-enosys), from the
# descriptors mount-guard itself will have:
#   stderr   stderr's own device:inode            (prefixes expected)
#   stdout   stdout's device:inode, a file of its own: what systemd sets
#            when StandardError= is not the journal but stdout is
#   trailing stderr's device:inode with text after it
#   garbage  not two numbers
#   unset    no JOURNAL_STREAM at all
journal_mg() {
	local mode=$1
	shift
	if [ ! -x "$T/journal-stream" ]; then
		cat >"$T/journal-stream" <<'SH'
#!/bin/sh
# journal-stream MODE CMD...: runs CMD with JOURNAL_STREAM set from MODE.
mode=$1
shift
exec 3>&1 # stat's own stdout is the pipe of $(...): read stdout through fd 3
err=$(stat -L -c '%d:%i' /proc/self/fd/2) || exit 97
out=$(stat -L -c '%d:%i' /proc/self/fd/3) || exit 97
exec 3>&-
[ "$err" != "$out" ] || { echo "journal-stream: stdout and stderr are one file" >&2; exit 97; }
case $mode in
stderr) JOURNAL_STREAM=$err ;;
stdout) JOURNAL_STREAM=$out ;;
trailing) JOURNAL_STREAM="${err}x" ;;
garbage) JOURNAL_STREAM=journal ;;
unset) unset JOURNAL_STREAM; exec "$@" ;;
*) exit 98 ;;
esac
export JOURNAL_STREAM
exec "$@"
SH
		chmod 0755 "$T/journal-stream"
	fi
	local MG_WRAP="$T/journal-stream $mode ${MG_WRAP:-}"
	mg "$@"
	[ "$RC" != 97 ] && [ "$RC" != 98 ] || fail "the journal-stream wrapper failed"
}

# mount-guard's own lines on stderr: all but valgrind's ("==PID==" and
# "--PID--" lines, when MG_WRAP is valgrind).
own_stderr() { printf '%s\n' "$STDERR" | grep -Ev '^(==|--)[0-9]+(==|--)'; }

# Each line of mount-guard's stderr starts with "<N>mount-guard: " (N a
# syslog priority), and the line for the error itself with
# "<3>mount-guard: " and $1.
expect_prefixed_error() {
	[ -n "$STDERR" ] || fail "no message on stderr" || return 1
	local bad
	bad=$(own_stderr | grep -v '^<[0-7]>mount-guard: ')
	[ -z "$bad" ] || fail "stderr lines without a priority prefix: $bad" || return 1
	printf '%s\n' "$STDERR" | grep -q "^<3>mount-guard: .*$1" ||
		fail "no '<3>mount-guard: ...$1' line on stderr"
}

# No line of $STDERR has a priority prefix, and the error line is there
# plainly.
expect_plain_error() {
	[ -n "$STDERR" ] || fail "no message on stderr" || return 1
	if printf '%s\n' "$STDERR" | grep -q '^<[0-9]*>'; then
		fail "a priority prefix, although JOURNAL_STREAM does not name stderr"
		return 1
	fi
	printf '%s\n' "$STDERR" | grep -q "^mount-guard: .*$1" || fail "no plain 'mount-guard: ...$1' line"
}

# The report on stdout is for people and programs, never prefixed.
expect_stdout_plain() {
	if printf '%s\n' "$STDOUT" | grep -q '^<[0-9]*>'; then
		fail "a priority prefix on stdout"
		return 1
	fi
}

journal_config_error() { # MODE: a config error, exit 2, nothing touched
	local before
	before=$(snapshot)
	conf "[mount a]
type = tmpfs
target = /a
options = nosuid,frobnicate"
	journal_mg "$1" apply --root "$ROOT" --config "$T/mg.conf"
	expect_rc 2 || return 1
	expect_stdout_plain || return 1
	expect_unchanged "$before"
}

case_journal_stream_is_stderr_prefixes_errors() {
	journal_config_error stderr || return 1
	expect_prefixed_error "mg.conf:4: entry 'a': config: .*unknown option 'frobnicate'"
}

case_journal_stream_refusal_prefixed() {
	# A refusal (exit 3) is an error too.
	local before
	mkfifo "$ROOT/fifo"
	before=$(snapshot)
	conf "[mount t]
type = tmpfs
target = /fifo"
	journal_mg stderr apply --root "$ROOT" --config "$T/mg.conf"
	expect_rc 3 || return 1
	expect_prefixed_error "FIFO" || return 1
	expect_stdout_plain || return 1
	expect_unchanged "$before"
}

case_journal_stream_success_is_quiet() {
	# Success prints its report on stdout and nothing on stderr, journal or not.
	mkdir -p "$ROOT/a"
	conf "[mount a]
type = tmpfs
target = /a
options = nosuid,nodev"
	journal_mg stderr apply --root "$ROOT" --config "$T/mg.conf"
	expect_rc 0 || return 1
	[ -z "$(own_stderr)" ] || fail "stderr is not empty" || return 1
	expect_stdout_plain || return 1
	[ "$(fstype_at "$ROOT/a")" = tmpfs ] || fail "nothing mounted on /a"
}

case_journal_stream_other_file_plain() {
	# stdout goes to the journal, stderr elsewhere: stderr is not the journal.
	journal_config_error stdout || return 1
	expect_plain_error "unknown option 'frobnicate'"
}

case_journal_stream_trailing_text_plain() {
	journal_config_error trailing || return 1
	expect_plain_error "unknown option 'frobnicate'"
}

case_journal_stream_garbage_plain() {
	journal_config_error garbage || return 1
	expect_plain_error "unknown option 'frobnicate'"
}

case_journal_stream_unset_plain() {
	journal_config_error unset || return 1
	expect_plain_error "unknown option 'frobnicate'"
}

# A usage error: the error line is prefixed, and no unprefixed usage text
# follows it into the journal; outside the journal the usage text is there.
case_journal_stream_usage_error_prefixed() {
	journal_mg stderr apply --root "$ROOT" --no-such-option
	expect_rc 2 || return 1
	expect_prefixed_error "unknown or incomplete option '--no-such-option'" || return 1
	journal_mg unset apply --root "$ROOT" --no-such-option
	expect_rc 2 || return 1
	printf '%s\n' "$STDERR" | grep -q '^Usage: mount-guard' || fail "no usage text outside the journal"
}

# Live-process checks: what a `serve` helper holds while it runs, read from
# /proc/PID/status and /proc/PID/fd of the live process.
#
# - Waiting for the request (mg-client --stop-before-send; the helper has done
#   its hygiene and waits for HELLO): NoNewPrivs 1; fds exactly 0, 1, 2 and the
#   socket (3); no seccomp filter of its own yet (it comes after the request);
#   capabilities already reduced to what any request can need (sys_admin,
#   setpcap, dac_read_search, dac_override); the request decides the rest
#   (helper/serve.c reduces them again with mg_caps_limit_for_apply() once
#   the request is read).
# - Mid-run (the fault injector holds every attach call, i.e. the helper is
#   blocked in mount(2) or move_mount(2) inside the engine): CapEff = CapPrm =
#   CapBnd = {sys_admin, setpcap, dac_read_search} plus dac_override when the
#   request creates or masks (helper/caps.c), CapInh 0, CapAmb 0, NoNewPrivs
#   1, Seccomp 2 and one filter more than the wrappers' (its own); fds: 0-2, the socket, the
#   rootfs fd (and dups of it), the procfs it uses (a private instance: its
#   root and PID/fd; on the fallback backend /proc and /proc/PID/fd), the
#   engine's targets inside the rootfs and its own mounts' roots ("/"), at
#   most 16 in all (measured on 6.18, both backends: 10 with a create and a
#   mask, 9 for one tmpfs).
# - After success: the answer is sent, mg_caps_drop_all() has run, and the
#   process blocks in exit_group(2), which the injector holds until its last
#   line is written, here into a full pipe: every capability set is 0.

# status_field PID NAME: the value of NAME: in /proc/PID/status
status_field() { awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null; }

# expect_status PID NAME VALUE
expect_status() {
	local v
	v=$(status_field "$1" "$2")
	[ "$v" = "$3" ] || { echo "  $2: '$v', expected '$3'"; return 1; }
}

# injected [VAR=VALUE...]: the start of a helper command line that runs the
# helper under the fault injector with these settings (env and the injector
# exec: the helper keeps the PID the parent reports, and stays its child).
injected() { echo "/usr/bin/env $* $MG_FAULTINJECT"; }

# in_syscall PID NAME...: PID is blocked in one of these system calls
# (/proc/PID/syscall; the injector holds them).
in_syscall() {
	local pid=$1 nr want
	shift
	{ read -r nr _ <"/proc/$pid/syscall"; } 2>/dev/null || return 1
	for want in "$@"; do
		case "$(uname -m):$want" in
		x86_64:mount) [ "$nr" = 165 ] && return 0 ;;
		x86_64:move_mount | aarch64:move_mount) [ "$nr" = 429 ] && return 0 ;;
		x86_64:exit_group) [ "$nr" = 231 ] && return 0 ;;
		aarch64:mount) [ "$nr" = 40 ] && return 0 ;;
		aarch64:exit_group) [ "$nr" = 94 ] && return 0 ;;
		esac
	done
	return 1
}

# live_wrap: $MG_WRAP, but for valgrind: under it /proc/PID shows valgrind's
# process (its own fds above the guest's limit, its own view of capsets),
# not what mount-guard holds, so these cases look at the plain binary then.
live_wrap() { case "$MG_WRAP" in *valgrind*) echo "" ;; *) echo "$MG_WRAP" ;; esac; }

# sock_fd PID: the N of the helper's `serve --fd N`
sock_fd() { tr '\0' '\n' <"/proc/$1/cmdline" | sed -n '/^--fd$/{n;p;q}'; }

# fd_list PID: "N:target" per open fd, sorted by number
fd_list() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf '%s:%s\n' "${f##*/}" "$(readlink "$f")"
	done | sort -n
}

case_live_helper_waiting_for_request() {
	client_tool
	default_policy "[uid 0]
trust = yes"
	local hp="" i bad=0
	mkfifo "$T/in"
	LD_LIBRARY_PATH="$T/bin" "$CLIENT" --helper "$MG_BIN" --root "$ROOT" --mount t:tmpfs::/t:nosuid:dir \
		--stop-before-send <"$T/in" >"$T/out" 2>&1 &
	local cpid=$!
	exec 8>"$T/in"
	for i in $(seq 1 100); do
		hp=$(sed -n 's/^helper //p' "$T/out")
		[ -n "$hp" ] && break
		sleep 0.1
	done
	[ -n "$hp" ] || { exec 8>&-; wait "$cpid"; fail "no helper pid: $(cat "$T/out")"; return 1; }
	# Wait until the helper blocks (hygiene done, waiting for HELLO).
	for i in $(seq 1 100); do
		[ "$(status_field "$hp" State)" = S ] && [ "$(status_field "$hp" NoNewPrivs)" = 1 ] && break
		sleep 0.05
	done
	# While it reads the request, at most what any request can need:
	# sys_admin, setpcap, dac_read_search, dac_override, in every set.
	local most=0000000000200106
	[ "$(sock_fd "$hp")" = 3 ] || { echo "  mg-client did not give the socket as fd 3"; bad=1; }
	expect_status "$hp" NoNewPrivs 1 || bad=1
	expect_status "$hp" Seccomp 0 || bad=1
	expect_status "$hp" CapEff "$most" || bad=1
	expect_status "$hp" CapPrm "$most" || bad=1
	expect_status "$hp" CapBnd "$most" || bad=1
	expect_status "$hp" CapInh 0000000000000000 || bad=1
	expect_status "$hp" CapAmb 0000000000000000 || bad=1
	local fds
	fds=$(fd_list "$hp")
	[ "$(printf '%s\n' "$fds" | cut -d: -f1 | tr '\n' ' ')" = "0 1 2 3 " ] ||
		{ echo "  fds before the request:"; printf '    %s\n' "$fds"; bad=1; }
	printf '%s\n' "$fds" | grep -q '^3:socket:\[' || { echo "  fd 3 is not the socket: $fds"; bad=1; }
	echo go >&8
	exec 8>&-
	wait "$cpid"
	RC=$? STDOUT=$(cat "$T/out") STDERR=
	[ $bad = 0 ] || { fail "the waiting helper holds more than documented"; return 1; }
	expect_rc 0 || return 1
	expect_out "exit 0" || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs after the request"
}

# live_mid_run WANT_CAPS ENTRY...: catches the helper inside the engine and
# checks what it holds.
live_mid_run() {
	local want=$1 bad=0 hp="" i
	shift
	root_policy "$TRUST_ROOT"
	# The injector wraps the helper only, not the python parent.
	need_faultinject || return 1
	"$PY" "$WIRE_CLIENT" request "$(injected MG_FAULT_SLEEP_MS=1500) $(live_wrap) $MG_BIN" \
		"$ROOT" "$POLICY" "$@" >"$T/wire.out" 2>"$T/wire.err" &
	local wpid=$!
	for i in $(seq 1 100); do
		hp=$(sed -n 's/^helper-pid //p' "$T/wire.out")
		[ -n "$hp" ] && break
		sleep 0.05
	done
	[ -n "$hp" ] || { wait "$wpid"; fail "no helper pid: $(cat "$T/wire.out" "$T/wire.err")"; return 1; }
	# Capabilities are reduced once the request is read; the engine's first
	# attach call is then held for 1.5 s by the injector.
	local full
	full=$(status_field $$ CapBnd)
	for i in $(seq 1 200); do
		[ "$(status_field "$hp" CapBnd)" != "$full" ] && in_syscall "$hp" mount move_mount && break
		sleep 0.02
	done
	sleep 0.2
	in_syscall "$hp" mount move_mount || { echo "  not in an attach call: $(cat "/proc/$hp/syscall" 2>&1)"; bad=1; }
	expect_status "$hp" CapEff "$want" || bad=1
	expect_status "$hp" CapPrm "$want" || bad=1
	expect_status "$hp" CapBnd "$want" || bad=1
	expect_status "$hp" CapInh 0000000000000000 || bad=1
	expect_status "$hp" CapAmb 0000000000000000 || bad=1
	expect_status "$hp" NoNewPrivs 1 || bad=1
	expect_status "$hp" Seccomp 2 || bad=1
	# The injector's filter (and mg-enosys's) are there from the start: the
	# helper's own is one more.
	local wrapped
	# shellcheck disable=SC2046 # live_wrap is a command line, split on purpose
	wrapped=$(/usr/bin/env "$MG_FAULTINJECT" $(live_wrap) /bin/cat /proc/self/status 2>/dev/null |
		awk '$1 == "Seccomp_filters:" { print $2 }')
	[ -n "$wrapped" ] && [ "$wrapped" -ge 1 ] || { echo "  the injector installs no filter ('$wrapped')"; bad=1; }
	expect_status "$hp" Seccomp_filters "$((wrapped + 1))" || bad=1
	local fds n
	fds=$(fd_list "$hp")
	echo "$fds" >"$T/fds"
	n=$(printf '%s\n' "$fds" | grep -c .)
	# 0-2 and the socket (the parent's --fd N) as before.
	local sfd
	sfd=$(sock_fd "$hp")
	[ "$(printf '%s\n' "$fds" | head -n 3 | cut -d: -f1 | tr '\n' ' ')" = "0 1 2 " ] || { echo "  no fds 0-2"; bad=1; }
	printf '%s\n' "$fds" | grep -q "^$sfd:socket:\\[" || { echo "  fd $sfd (--fd) is not the socket"; bad=1; }
	# No other socket, no pipe, nothing the caller could have slipped in.
	[ "$(printf '%s\n' "$fds" | grep -c 'socket:\|pipe:')" = 1 ] || { echo "  extra socket or pipe"; bad=1; }
	# The rootfs is held by fd ...
	printf '%s\n' "$fds" | grep -qx "[0-9]*:$ROOT" || { echo "  no rootfs fd"; bad=1; }
	# ... and every other path fd is inside the rootfs, or the helper's own
	# (its procfs, its mask tmpfs: anonymous or "/" of a private mount).
	local line p
	while IFS= read -r line; do
		p=${line#*:}
		case "${line%%:*}" in 0|1|2|"$sfd") continue ;; esac
		case "$p" in
		# the rootfs and targets in it; the private procfs instance (its
		# root "/" and "/PID/fd", outside this namespace's tree) or, on
		# the fallback backend, the verified /proc and /proc/PID/fd; "/"
		# is also the root of the helper's own mask tmpfs; fs contexts
		"$ROOT" | "$ROOT"/* | / | "/$hp/fd" | /proc | "/proc/$hp/fd" | anon_inode:*) ;;
		*) echo "  unexpected fd: $line"; bad=1 ;;
		esac
	done <<<"$fds"
	[ "$n" -le 16 ] || { echo "  $n fds (more than 16)"; bad=1; }
	wait "$wpid"
	wire_parse "$(cat "$T/wire.out")"
	[ $bad = 0 ] || { fail "mid-run, the helper holds more than documented; fds:"$'\n'"$(printf '%s\n' "$fds" | sed 's/^/    /')"; return 1; }
	expect_rc 0 || return 1
	[ "$DONE" = 0 ] || fail "DONE '$DONE'"
}

CAPS_NO_CREATE=0000000000200104 # sys_admin (21), setpcap (8), dac_read_search (2)
CAPS_CREATE=0000000000200106    # the same and dac_override (1)

case_live_helper_mid_run_creating() {
	mkdir -p "$ROOT/etc"
	echo pw >"$ROOT/etc/shadow"
	live_mid_run "$CAPS_CREATE" tmpfs:+/t:nosuid mask:/etc/shadow || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs" || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "not masked"
}

case_live_helper_mid_run_not_creating() {
	mkdir -p "$ROOT/t"
	live_mid_run "$CAPS_NO_CREATE" tmpfs:/t:nosuid || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs"
}

case_live_helper_after_success_holds_nothing() {
	# After DONE the helper drops every capability, then exits; the injector
	# holds its exit_group(2) until its last line is written to stderr, here
	# a pipe we filled first: the helper blocks there, alive, after success.
	need_faultinject || return 1
	root_policy "$TRUST_ROOT"
	local hp="" i bad=0
	mkfifo "$T/err"
	exec 7<>"$T/err" # holds the pipe (and its contents) open
	# Fill the pipe (64 KiB by default) through an open of its own: a
	# non-blocking one, while the helper's stderr stays blocking.
	"$PY" -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True: os.write(fd, b"x" * 512)
except BlockingIOError: pass' "$T/err"
	"$PY" "$WIRE_CLIENT" request "$(injected) $(live_wrap) $MG_BIN" "$ROOT" "$POLICY" tmpfs:+/t:nosuid \
		>"$T/wire.out" 2>"$T/err" &
	local wpid=$!
	for i in $(seq 1 100); do
		hp=$(sed -n 's/^helper-pid //p' "$T/wire.out")
		[ -n "$hp" ] && break
		sleep 0.05
	done
	[ -n "$hp" ] || { exec 7<&-; wait "$wpid"; fail "no helper pid"; return 1; }
	# Wait until it is blocked at exit: the mount is there and its
	# effective set is empty.
	for i in $(seq 1 200); do
		is_mounted "$ROOT/t" && [ "$(status_field "$hp" CapEff)" = 0000000000000000 ] &&
			in_syscall "$hp" exit_group && break
		sleep 0.05
	done
	local z=0000000000000000
	[ -e "/proc/$hp/status" ] || { echo "  the helper is gone"; bad=1; }
	[ $bad = 0 ] && { in_syscall "$hp" exit_group || { echo "  not at exit: $(cat "/proc/$hp/syscall" 2>&1)"; bad=1; }; }
	[ $bad = 0 ] && for f in CapEff CapPrm CapInh CapBnd CapAmb; do expect_status "$hp" $f $z || bad=1; done
	[ $bad = 0 ] && { expect_status "$hp" NoNewPrivs 1 || bad=1; }
	# Let it finish: drain the pipe.
	timeout 10 cat <&7 >/dev/null &
	local cat_pid=$!
	wait "$wpid"
	kill "$cat_pid" 2>/dev/null
	wait "$cat_pid" 2>/dev/null
	exec 7<&-
	: >"$T/wire.err"
	wire_parse "$(cat "$T/wire.out")"
	[ $bad = 0 ] || { fail "after success, the helper still holds capabilities"; return 1; }
	expect_rc 0 || return 1
	[ "$DONE" = 0 ] || fail "DONE '$DONE'" || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs"
}

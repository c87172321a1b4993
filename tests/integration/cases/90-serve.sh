# serve: the socket protocol, the admin policy, unprivileged callers through
# file capabilities, and a hostile or dying parent.

TRUST_ROOT="[uid 0]
trust = yes"

case_serve_root_by_path() {
	mkdir -p "$ROOT/etc"
	echo pw >"$ROOT/etc/shadow"
	root_policy "$TRUST_ROOT"
	wire request "$ROOT" "$POLICY" tmpfs:+/t:nosuid mask:/etc/shadow
	expect_rc 0 || return 1
	[ "$DONE" = 0 ] || fail "DONE $DONE" || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs" || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "not masked"
}

case_serve_root_by_fd_with_source_fd() {
	mkdir -p "$T/src"
	echo data >"$T/src/f"
	root_policy "$TRUST_ROOT"
	wire request-fd "$ROOT" "$POLICY" bind:+/b:ro:fd:"$T/src"
	expect_rc 0 || return 1
	[ "$(cat "$ROOT/b/f")" = data ] || fail "bind content" || return 1
	touch "$ROOT/b/x" 2>/dev/null && fail "not ro" && return 1
	return 0
}

case_serve_root_without_rule_refused() {
	# Root is not trusted by default: no rule, nothing.
	root_policy "[uid 1000]
rootfs = /srv"
	local before
	before=$(snapshot)
	wire request "$ROOT" "$POLICY" tmpfs:/t
	expect_rc 3 || return 1
	[ "$DONE" = 3 ] || fail "DONE '$DONE'" || return 1
	expect_unchanged "$before"
}

case_serve_policy_option_is_root_only() {
	# --policy chooses the rules: an unprivileged caller must not.
	fcap_copy
	root_policy "$TRUST_ROOT"
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$WIRE_CLIENT" request "$FCAP" "$ROOT" "$POLICY" tmpfs:/t 2>&1)
	wire_parse "$out"
	expect_rc 3 || return 1
	is_mounted "$ROOT/t" && fail "mounted" && return 1
	return 0
}

hostile() { # $1: frame class
	root_policy "$TRUST_ROOT"
	local before
	before=$(snapshot)
	wire "$1" "$ROOT" "$POLICY"
	[ "$RC" != 0 ] && [ "$RC" != none ] || fail "helper exit '$RC' for $1" || return 1
	[ "$ANSWERS" = 0 ] || fail "the helper answered $ANSWERS packets after a protocol error" || return 1
	grep -q "protocol error\|ECONNRESET" "$T/wire.err" || fail "no protocol error reported: $(cat "$T/wire.err")" || return 1
	expect_unchanged "$before"
}
case_serve_hostile_truncated_header() { hostile truncated-header; }
case_serve_hostile_wrong_magic() { hostile wrong-magic; }
case_serve_hostile_wrong_version() { hostile wrong-version; }
case_serve_hostile_length_mismatch() { hostile length-mismatch; }
case_serve_hostile_oversize() { hostile oversize; }
case_serve_hostile_unknown_type() { hostile unknown-type; }
case_serve_hostile_out_of_phase() { hostile out-of-phase; }
case_serve_hostile_unknown_flags() { hostile unknown-flags; }
case_serve_hostile_unexpected_fds() { hostile unexpected-fds; }
case_serve_hostile_too_many_fds() { hostile too-many-fds; }
case_serve_hostile_nul_in_path() { hostile nul-in-path; }
case_serve_hostile_closed_mid_request() { hostile closed-mid-request; }

case_serve_parent_dies_after_commit() {
	# The parent commits and leaves at once: the helper applies, cannot
	# deliver the answer, and takes everything back.
	root_policy "$TRUST_ROOT"
	local before
	before=$(snapshot)
	# Each attach call of the helper is held 300 ms (injected), so the
	# parent is surely gone when the answer is due. The injector execs the
	# helper: it stays the parent's child (the peer check).
	need_faultinject || return 1
	MG_FAULT_SLEEP_MS=300 MG_WRAP="$MG_FAULTINJECT $MG_WRAP" wire parent-dies-after-commit "$ROOT" "$POLICY"
	[ "$RC" = 1 ] || fail "helper exit '$RC'" || return 1
	[ "$(sed -n 's/^faultinject: \([0-9]*\) attach calls$/\1/p' "$T/wire.err")" -ge 1 ] 2>/dev/null ||
		fail "the helper made no attach call under the injector: $(cat "$T/wire.err")" || return 1
	grep -q "went away\|rolled back\|roll" "$T/wire.err" || fail "no rollback reported: $(cat "$T/wire.err")" || return 1
	expect_unchanged "$before" || return 1
	[ ! -e "$ROOT/t" ] || fail "created directory left behind"
}

case_serve_not_our_parent_refused() {
	# A socket whose peer is not the helper's parent: refused, silent.
	root_policy "$TRUST_ROOT"
	python3 - "$MG_BIN" "$POLICY" <<'PY' >"$T/out" 2>&1
import os, socket, subprocess, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.set_inheritable(b.fileno(), True)
# The pair belongs to this process (SO_PEERCRED names it), but the helper's
# parent is the shell in between.
r = subprocess.run(["sh", "-c", '"$0" serve --fd %d --policy "$1"; echo "helper-exit $?"' % b.fileno(), sys.argv[1], sys.argv[2]], pass_fds=[b.fileno()], timeout=60)
PY
	RC=$(sed -n 's/^helper-exit //p' "$T/out")
	[ "$RC" = 3 ] || fail "$(cat "$T/out")"
}

# ---- unprivileged callers through file capabilities ------------------------

nobody_setup() {
	fcap_copy
	mkdir -p "$T/bases/r1"/{t,b,p,a,c,d,e} "$T/other/r/t" "$T/src/pub" "$T/src/secret"
	echo public >"$T/src/pub/f"
	echo secret >"$T/src/secret/f"
	chown -R 65534:65534 "$T/bases" "$T/other"
	chmod 0755 "$T/bases" "$T/other" "$T/src" "$T/src/pub"
	chmod 0700 "$T/src/secret"
	default_policy "[uid 0]
trust = yes
[uid 65534]
rootfs = $T/bases
types = bind, tmpfs
sources = $T/src
max-entries = 4"
	# The mounts of these cases go into the caller's rootfs: the harness checks
	# that nothing lands outside it.
	ROOT="$T/bases/r1"
	R1=$ROOT
	baseline
}

case_unprivileged_allowed_request() {
	nobody_setup
	as_nobody_wire request-fd "$R1" tmpfs:/t bind:/b::fd:"$T/src/pub"
	expect_rc 0 || return 1
	[ "$DONE" = 0 ] || fail "DONE $DONE" || return 1
	[ "$(cat "$R1/b/f")" = public ] || fail "bind" || return 1
	# nosuid and nodev are forced on every mount of an unprivileged caller.
	mountinfo_at "$R1/t" | grep -q 'nosuid,nodev' || fail "tmpfs flags: $(mountinfo_at "$R1/t")" || return 1
	mountinfo_at "$R1/b" | grep -q 'nosuid,nodev' || fail "bind flags: $(mountinfo_at "$R1/b")"
}

escalation() { # $1: what, rest: wire args
	local what=$1 before
	shift
	before=$(snapshot)
	as_nobody_wire "$@"
	[ "$RC" = 3 ] || fail "$what: helper exit '$RC' (want 3)" || return 1
	expect_unchanged "$before" || return 1
	return 0
}

case_unprivileged_rootfs_outside_bases() {
	nobody_setup
	escalation "rootfs outside the bases" request-fd "$T/other/r" tmpfs:/t
}

case_unprivileged_symlinked_rootfs() {
	nobody_setup
	ln -s "$T/other/r" "$T/bases/link"
	escalation "symlinked rootfs" request-fd "$T/bases/link" tmpfs:/t
}

case_unprivileged_rootfs_as_path() {
	nobody_setup
	escalation "rootfs as a path" request "$R1" tmpfs:/t
}

case_unprivileged_unreadable_source_as_path() {
	nobody_setup
	escalation "source the caller cannot read, as a path" request-fd "$R1" bind:/b::path:"$T/src/secret"
}

case_unprivileged_source_as_opath() {
	# O_PATH needs no read permission: such an fd must not be bound.
	nobody_setup
	escalation "source passed as O_PATH" request-fd "$R1" bind:/b::opath:"$T/src/secret"
}

case_unprivileged_forbidden_type() {
	nobody_setup
	escalation "forbidden type" request-fd "$R1" proc:/p
}

case_unprivileged_suid_requested() {
	nobody_setup
	escalation "suid requested" request-fd "$R1" tmpfs:/t:suid
}

case_unprivileged_dev_requested() {
	nobody_setup
	escalation "dev requested" request-fd "$R1" tmpfs:/t:dev
}

case_unprivileged_too_many_entries() {
	nobody_setup
	escalation "too many entries" request-fd "$R1" tmpfs:/a tmpfs:/b tmpfs:/c tmpfs:/d tmpfs:/e
}

case_unprivileged_world_writable_policy() {
	nobody_setup
	chmod 0666 /etc/mount-guard/policy.conf
	escalation "world-writable policy" request-fd "$R1" tmpfs:/t
}

case_unprivileged_apply_refused() {
	# apply trusts its config: not for an unprivileged caller, even with
	# the capabilities of the file.
	nobody_setup
	printf '[mount t]\ntype = tmpfs\ntarget = /t\ncreate = dir\n' >"$T/c.conf"
	chmod 0644 "$T/c.conf"
	local e
	e=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FCAP" apply --root "$R1" --config "$T/c.conf" 2>&1)
	RC=$?
	STDERR=$e
	expect_rc 3 || return 1
	expect_err "apply is for root"
}

case_policy_check_and_plan_as_uid() {
	nobody_setup
	mg policy check /etc/mount-guard/policy.conf
	expect_rc 0 || return 1
	expect_out "2 rules, valid" || return 1
	mg plan --as-uid 65534
	expect_rc 0 || return 1
	expect_out "$T/bases" || return 1
	mg plan --as-uid 4242
	expect_rc 3 || return 1
	chmod 0666 /etc/mount-guard/policy.conf
	mg policy check /etc/mount-guard/policy.conf
	expect_rc 3
}

case_unprivileged_teardown_refused() {
	# teardown unmounts by fd and mount id with CAP_SYS_ADMIN: root's only.
	nobody_setup
	mount -t tmpfs tmpfs "$R1/t"
	baseline
	local e
	e=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FCAP" teardown --root "$R1" 2>&1)
	RC=$? STDERR=$e
	expect_rc 3 || return 1
	expect_err "teardown is for root" || return 1
	is_mounted "$R1/t" || fail "unmounted by an unprivileged caller"
}

case_unprivileged_plan_has_no_capabilities() {
	# plan runs with the caller's own rights: a file it cannot read stays
	# unread, whatever capabilities the binary file carries.
	nobody_setup
	local e
	e=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$FCAP" plan --root "$R1" --config /etc/shadow 2>&1)
	RC=$? STDERR=$e
	expect_rc 2 || return 1
	expect_err "cannot open config" || return 1
	printf '%s' "$e" | grep -q "outside any section" && fail "it read /etc/shadow" && return 1
	return 0
}

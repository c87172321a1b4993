# libmountguard, through its test tool mg-client: the way a runtime calls
# mount-guard. The library execs the helper itself (no wrapper), so these
# cases exercise the default backends in every pass.

client_tool() { # copies mg-client and the library where any uid can run them
	mkdir -p "$T/bin"
	chmod 0755 "$T" "$T/bin"
	local d
	d=$(dirname "$MG_BIN")
	cp "$d/tests/mg-client" "$T/bin/"
	cp -a "$d"/libmountguard.so* "$T/bin/"
	CLIENT="$T/bin/mg-client"
}

client() { # runs mg-client; sets RC, STDOUT, STDERR
	local o e
	o=$(mktemp) e=$(mktemp)
	LD_LIBRARY_PATH="$T/bin" "$@" >"$o" 2>"$e"
	RC=$? STDOUT=$(cat "$o") STDERR=$(cat "$e")
	rm -f "$o" "$e"
}

case_client_root_applies() {
	client_tool
	default_policy "[uid 0]
trust = yes"
	mkdir -p "$ROOT/etc"
	echo pw >"$ROOT/etc/shadow"
	client "$CLIENT" --helper "$MG_BIN" --root "$ROOT" --mount t:tmpfs::/t:nosuid:dir \
		--mask /etc/shadow
	expect_rc 0 || return 1
	expect_out "result t mounted /t" || return 1
	expect_out "exit 0" || return 1
	[ "$(fstype_at "$ROOT/t")" = tmpfs ] || fail "no tmpfs" || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "not masked"
}

case_client_unprivileged_through_file_caps() {
	nobody_setup
	client_tool
	client setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CLIENT" --helper "$FCAP" --root-fd "$R1" --mount-fd b:bind:"$T/src/pub":/b \
		--mount t:tmpfs::/t
	expect_rc 0 || return 1
	[ "$(cat "$R1/b/f")" = public ] || fail "bind" || return 1
	mountinfo_at "$R1/t" | grep -q 'nosuid,nodev' || fail "flags not forced: $(mountinfo_at "$R1/t")"
}

case_client_unprivileged_opath_source_refused() {
	nobody_setup
	client_tool
	local before
	before=$(snapshot)
	client setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CLIENT" --helper "$FCAP" --root-fd "$R1" --mount-opath b:bind:"$T/src/secret":/b
	expect_rc 3 || return 1
	expect_out "exit 3" || return 1
	expect_unchanged "$before"
}

case_client_helper_killed_is_failure() {
	# The helper dies mid-request: the library must report a failure, never
	# a success it did not receive.
	client_tool
	default_policy "[uid 0]
trust = yes"
	mkdir -p "$ROOT/t"
	client "$CLIENT" --helper "$MG_BIN" --root "$ROOT" --mount t:tmpfs::/t --kill-helper-after-send
	[ "$RC" != 0 ] || fail "the library reported success" || return 1
	[ "$RC" -ge 100 ] || fail "exit $RC: expected a library failure (100+errno)" || return 1
	umount "$ROOT/t" 2>/dev/null
	return 0
}

case_client_parent_killed_before_send() {
	# The caller dies while the helper waits for the request: the helper
	# gets EOF (its monitor is killed with the caller), mounts nothing.
	client_tool
	default_policy "[uid 0]
trust = yes"
	mkdir -p "$ROOT/t"
	local before pid
	before=$(snapshot)
	mkfifo "$T/in"
	LD_LIBRARY_PATH="$T/bin" "$CLIENT" --helper "$MG_BIN" --root "$ROOT" --mount t:tmpfs::/t \
		--stop-before-send <"$T/in" >"$T/out" 2>&1 &
	pid=$!
	exec 8>"$T/in"
	local i hp=""
	for i in $(seq 1 100); do
		hp=$(sed -n 's/^helper //p' "$T/out")
		[ -n "$hp" ] && break
		sleep 0.1
	done
	[ -n "$hp" ] || { exec 8>&-; fail "no helper pid: $(cat "$T/out")"; return 1; }
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	exec 8>&-
	for i in $(seq 1 100); do
		kill -0 "$hp" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$hp" 2>/dev/null && fail "the helper is still running" && return 1
	expect_unchanged "$before"
}

nobody_client() { # mg-client as uid 65534 against the file-capability copy
	client setpriv --reuid=65534 --regid=65534 --clear-groups "$CLIENT" --helper "$FCAP" "$@"
}

client_escalation() { # $1: what; rest: mg-client arguments
	local what=$1 before
	shift
	before=$(snapshot)
	nobody_client "$@"
	[ "$RC" = 3 ] || fail "$what: exit $RC (want 3)" || return 1
	expect_out "exit 3" || return 1
	expect_unchanged "$before" || { echo "  $what"; return 1; }
}

case_client_unprivileged_escalations() {
	# Each escalation the policy must refuse, through the library, as an
	# unprivileged caller: exit 3 and nothing mounted.
	nobody_setup
	client_tool
	ln -s "$T/other/r" "$T/bases/link"
	client_escalation "rootfs outside the bases" --root-fd "$T/other/r" --mount t:tmpfs::/t || return 1
	client_escalation "symlinked rootfs" --root-fd "$T/bases/link" --mount t:tmpfs::/t || return 1
	client_escalation "rootfs as a path" --root "$R1" --mount t:tmpfs::/t || return 1
	client_escalation "source as a path (unreadable)" --root-fd "$R1" --mount b:bind:"$T/src/secret":/b || return 1
	client_escalation "source as O_PATH" --root-fd "$R1" --mount-opath b:bind:"$T/src/secret":/b || return 1
	client_escalation "forbidden type" --root-fd "$R1" --mount p:proc::/p || return 1
	client_escalation "suid requested" --root-fd "$R1" --mount t:tmpfs::/t:suid || return 1
	client_escalation "dev requested" --root-fd "$R1" --mount t:tmpfs::/t:dev || return 1
	client_escalation "too many entries" --root-fd "$R1" --mount a:tmpfs::/a --mount b:tmpfs::/b \
		--mount c:tmpfs::/c --mount d:tmpfs::/d --mount e:tmpfs::/e || return 1
	chmod 0666 /etc/mount-guard/policy.conf
	client_escalation "world-writable policy" --root-fd "$R1" --mount t:tmpfs::/t
}

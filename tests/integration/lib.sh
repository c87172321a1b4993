# Helpers for integration cases. Each case is a function case_NAME that
# returns 0 on pass; it runs with $T (scratch dir), $ROOT (the rootfs) and
# $OUT (a sentinel directory outside the root) set, in its own namespace.

# mg ARGS...: runs mount-guard (under $MG_WRAP, and that under $MG_INJECT,
# see with_faults); sets RC, STDOUT, STDERR.
mg() {
	local o e
	o=$(mktemp) e=$(mktemp)
	# shellcheck disable=SC2086
	env ${MG_ENV:-} ${MG_INJECT:-} $MG_WRAP "$MG_BIN" "$@" >"$o" 2>"$e"
	RC=$?
	STDOUT=$(cat "$o") STDERR=$(cat "$e")
	rm -f "$o" "$e"
	if [ "$RC" = 99 ]; then echo "  valgrind reported errors:"; printf '%s\n' "$STDERR" | tail -30; fi
	return 0
}

# conf TEXT: writes $T/mg.conf
conf() { printf '%s\n' "$1" >"$T/mg.conf"; }

apply() { mg apply --root "$ROOT" --config "$T/mg.conf" "$@"; }
plan() { mg plan --root "$ROOT" --config "$T/mg.conf" "$@"; }

fail() { echo "  $*"; echo "  --- exit $RC; stdout:"; printf '%s\n' "$STDOUT" | sed 's/^/    /'; echo "  --- stderr:"; printf '%s\n' "$STDERR" | sed 's/^/    /'; return 1; }

expect_rc() { [ "$RC" = "$1" ] || fail "expected exit $1, got $RC"; }
expect_err() { printf '%s' "$STDERR" | grep -qF -- "$1" || fail "stderr lacks: $1"; }
expect_out() { printf '%s' "$STDOUT" | grep -qF -- "$1" || fail "stdout lacks: $1"; }

mount_ids() { awk '{print $1}' /proc/self/mountinfo | sort -n; }

# The mount point (as the kernel escapes it) of every mount not in $1.
new_mounts() {
	local before=$1
	awk 'NR==FNR { old[$1] = 1; next } !($1 in old) { print $5 }' <(printf '%s\n' "$before") /proc/self/mountinfo
}

check_no_mount_outside_root() {
	local m bad=0
	while IFS= read -r m; do
		[ -z "$m" ] && continue
		case "$m" in "$ROOT"/*) ;; *) echo "  new mount outside the root: $m"; bad=1 ;; esac
	done < <(new_mounts "$1")
	return $bad
}

sentinel_state() { (cd "$OUT" && ls -lA --time-style=+%s . && cat sentinel; awk -v o="$OUT" '$5 ~ "^"o {print}' /proc/self/mountinfo) 2>&1; }

# The mountinfo line of the mount at exactly $1 (host path), the top one.
mountinfo_at() { awk -v p="$1" '$5 == p' /proc/self/mountinfo | tail -n 1; }
fstype_at() { mountinfo_at "$1" | awk '{for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1); exit }}'; }
is_mounted() { [ -n "$(mountinfo_at "$1")" ]; }

# Nothing mounted, nothing changed: compare a mountinfo snapshot.
snapshot() { awk '{print $1, $5, $6}' /proc/self/mountinfo | sort; }
expect_unchanged() { [ "$(snapshot)" = "$1" ] || { fail "mountinfo changed:"; diff <(printf '%s\n' "$1") <(snapshot) | sed 's/^/    /'; return 1; }; }

# Which mount backend does mount-guard pick here, under $MG_WRAP? (Both the
# ENOSYS wrapper and valgrind, which does not know the new mount API's
# syscalls, make it fall back.) Asked once per case, from the binary itself.
backend_is_fallback() {
	if [ -z "${MG_BACKEND:-}" ]; then
		mkdir -p "$T/.probe"
		printf '[mount p]\ntype = tmpfs\ntarget = /\n' >"$T/.probe.conf"
		# shellcheck disable=SC2086
		MG_BACKEND=$($MG_WRAP "$MG_BIN" plan --json --root "$T/.probe" --config "$T/.probe.conf" 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin).get("mount_backend", "?"))')
	fi
	[ "$MG_BACKEND" = proc-fd ]
}

# baseline: a case that makes its own mounts outside the root (a bind source
# with submounts, say) calls this after making them.
baseline() { mount_ids >"$T/.ids_before"; sentinel_state >"$T/.sentinel_before"; }

# LeakSanitizer reads /proc/PID/task at exit (and the sanitizer runtime
# reads its options from /proc/self/environ, so they cannot turn it off):
# in a sanitizer build, a case that replaces /proc on purpose gets LSan's
# "fatal error" exit. no_lsan runs the command and, only for that exact
# failure, takes the exit status the report line states instead.
no_lsan() {
	"$@"
	if printf '%s' "$STDERR" | grep -q "LeakSanitizer has encountered a fatal error"; then
		case "$STDOUT" in
		*"result: "*" entries applied and verified"*) RC=0 ;;
		*"result: failed (exit "*) RC=$(printf '%s' "$STDOUT" | sed -n 's/.*result: failed (exit \([0-9]*\)).*/\1/p') ;;
		esac
	fi
}

# with_env "VAR=value ..." CMD...: runs CMD (a function using mg) with those
# variables in mount-guard's starting environment.
with_env() { local MG_ENV="$1"; shift; "$@"; }

# The fault injector (tests/wrap/faultinject.c): a wrapper, `mg-faultinject
# CMD...`, that holds CMD's mount calls with seccomp user notification, so it
# works on a static binary too. It goes outside $MG_WRAP: CMD is then
# mg-enosys or valgrind, which exec or run mount-guard in the same process.
: "${MG_FAULTINJECT:=$(dirname "$MG_BIN")/tests/mg-faultinject}"

# with_faults "MG_FAULT_...=value ..." CMD...: runs CMD (a function using mg)
# with mount-guard under the fault injector, these variables set for it.
with_faults() { local MG_ENV="$1" MG_INJECT="$MG_FAULTINJECT"; shift; "$@"; }

# need_faultinject: fails the case if the injector is not built.
need_faultinject() { [ -x "$MG_FAULTINJECT" ] || fail "no fault injector at $MG_FAULTINJECT"; }

# injected_count: N of the injector's "faultinject: N attach calls" line in
# $STDERR (empty if it is missing).
injected_count() { printf '%s\n' "$STDERR" | sed -n 's/^faultinject: \([0-9]*\) attach calls$/\1/p'; }

# ---- serve ------------------------------------------------------------------
WIRE_CLIENT="$HERE/tools/wire_client.py"
# The system's python: an unprivileged test user cannot reach root's own
# (a pyenv under /root, say).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# root_policy TEXT: a policy root may name with --policy, in a directory
# chain the policy loader trusts (a private tmpfs on /mnt, in this case's
# own namespace). Sets POLICY.
root_policy() {
	mountpoint -q /mnt || mount -t tmpfs -o mode=0755 tmpfs /mnt
	mkdir -p /mnt/mg-policy && chmod 0755 /mnt/mg-policy
	printf '%s\n' "$1" >/mnt/mg-policy/policy.conf
	chmod 0644 /mnt/mg-policy/policy.conf
	POLICY=/mnt/mg-policy/policy.conf
	baseline # the tmpfs on /mnt is the test's own, not mount-guard's
}

# default_policy TEXT: the policy at the default path, which an unprivileged
# caller cannot choose: /etc is replaced, in this namespace only, by a copy
# that has /etc/mount-guard/policy.conf.
default_policy() {
	if [ ! -d /mnt/etc ]; then
		mountpoint -q /mnt || mount -t tmpfs -o mode=0755 tmpfs /mnt
		cp -a /etc /mnt/etc
		mount --bind /mnt/etc /etc
	fi
	mkdir -p /etc/mount-guard && chmod 0755 /etc/mount-guard
	printf '%s\n' "$1" >/etc/mount-guard/policy.conf
	chmod 0644 /etc/mount-guard/policy.conf
	baseline
}

# fcap_copy: a copy of mount-guard with the file capabilities of the
# setuid-free deployment, runnable by anyone. Sets FCAP.
fcap_copy() {
	chmod 0755 "$T"
	FCAP="$T/mount-guard-fcap"
	cp "$MG_BIN" "$FCAP"
	chmod 0755 "$FCAP"
	setcap cap_sys_admin,cap_setpcap,cap_dac_read_search,cap_dac_override+ep "$FCAP"
}

# wire MODE ROOT POLICY [ENTRY...]: the scriptable parent (tools/wire_client.py)
# runs `serve` under $MG_WRAP; sets RC (the helper's exit), ANSWERS, DONE.
wire() {
	local out
	out=$(python3 "$WIRE_CLIENT" "$1" "$MG_WRAP $MG_BIN" "${@:2}" 2>"$T/wire.err")
	wire_parse "$out"
}
# as_nobody_wire MODE ROOT [ENTRY...]: the same, as uid/gid 65534, against the
# file-capability copy and the default policy.
as_nobody_wire() {
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PY" "$WIRE_CLIENT" "$1" "$FCAP" "$2" - "${@:3}" 2>"$T/wire.err")
	wire_parse "$out"
}
wire_parse() {
	STDOUT=$1 STDERR=$(cat "$T/wire.err")
	RC=$(printf '%s\n' "$1" | sed -n 's/^helper-exit //p')
	ANSWERS=$(printf '%s\n' "$1" | sed -n 's/^answers //p')
	DONE=$(printf '%s\n' "$1" | sed -n 's/^done //p')
	[ -n "$RC" ] || RC=none
}

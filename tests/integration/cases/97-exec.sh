# exec: apply the list, switch root into it, drop everything, run CMD; what
# CMD sees from inside, and what is left outside afterwards.

# A root with a static busybox as its only program (busybox-static), a
# marker that only this root has, a file to mask and a directory to make
# read-only.
exec_tree() {
	mkdir -p "$ROOT/bin" "$ROOT/ro"
	cp /bin/busybox "$ROOT/bin/busybox" || return 1
	local a
	for a in sh cat stat grep touch echo; do ln -s busybox "$ROOT/bin/$a"; done
	echo "marker-$$" >"$ROOT/marker"
	echo top-secret >"$ROOT/secret"
}

exec_conf() {
	conf "$1[mount proc]
type = proc
target = /proc
create = dir
[mount sys]
type = sysfs
target = /sys
create = dir
[masked]
path = /secret
[readonly]
path = /ro"
}

mgexec() { mg exec --root "$ROOT" --config "$T/mg.conf" "$@"; }

# What CMD reports about itself, one "key=value" line each.
INSIDE='echo "proc=$(stat -f -c %T /proc)"
echo "sys=$(stat -f -c %T /sys)"
echo "marker=$(cat /marker)"
echo "secret=[$(cat /secret)]"
touch /ro/new 2>&1 && echo "ro=writable"
grep -E "^(CapEff|CapPrm|CapInh|CapBnd|CapAmb|NoNewPrivs|Seccomp_filters):" /proc/self/status
for f in 3 4 5 6 7 8 9 10 11 12; do [ -e /proc/self/fd/$f ] && echo "open-fd=$f"; done
echo "cwd=$(pwd)"'

expect_inside() {
	local k
	expect_out "proc=proc" || return 1
	expect_out "sys=sysfs" || return 1
	expect_out "marker=marker-$$" || return 1
	expect_out "secret=[]" || return 1
	expect_out "/ro/new: Read-only file system" || return 1
	for k in CapEff CapPrm CapInh CapBnd CapAmb; do
		expect_out "$k:	0000000000000000" || return 1
	done
	expect_out "NoNewPrivs:	1" || return 1
	# mount-guard's own seccomp allow-list is not inherited: CMD has only
	# the filters of whatever started mount-guard (mg-enosys has one).
	local filters
	# shellcheck disable=SC2086
	filters=$($MG_WRAP /bin/grep '^Seccomp_filters:' /proc/self/status)
	[ -n "$filters" ] && expect_out "$filters" || return 1
	expect_out "cwd=/" || return 1
	case "$STDOUT" in *ro=writable* | *open-fd=*) fail "writable read-only path or an fd leaked"; return 1 ;; esac
}

case_exec_unshare_inside_view() {
	exec_tree || return 1
	exec_conf ""
	local before
	before=$(snapshot)
	mgexec --unshare -- sh -c "$INSIDE"
	expect_rc 0 || return 1
	expect_inside || return 1
	# Silent on success (valgrind may have its own lines there).
	case "$STDERR" in *mount-guard*) fail "exec printed on stderr"; return 1 ;; esac
	# Everything lived in exec's own namespace: nothing here changed.
	expect_unchanged "$before" || return 1
	[ "$(cat "$ROOT/secret")" = top-secret ] || fail "the mask is visible outside" || return 1
	[ ! -e "$ROOT/ro/new" ] || fail "the read-only path was written"
}

# Without --unshare: the list is applied in the namespace exec is given (the
# test's own), and stays there; the root switch does not move the caller.
case_exec_given_namespace() {
	exec_tree || return 1
	exec_conf ""
	mgexec -- sh -c "$INSIDE"
	expect_rc 0 || return 1
	expect_inside || return 1
	[ -d "$T" ] && [ ! -e /marker ] || fail "the caller's root moved" || return 1
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "proc not left applied" || return 1
	[ "$(fstype_at "$ROOT/sys")" = sysfs ] || fail "sysfs not left applied" || return 1
	[ -z "$(cat "$ROOT/secret")" ] || fail "mask not left applied" || return 1
	# The root was no mount point: exec bound it onto itself for
	# pivot_root, but only in its own namespace; only the list is left.
	! is_mounted "$ROOT" || fail "the bind of the root onto itself was left" || return 1
	mg teardown --root "$ROOT"
	expect_rc 0 || return 1
	[ "$(cat "$ROOT/secret")" = top-secret ] || fail "mask still there" || return 1
	[ -z "$(new_mounts "$(cat "$T/.ids_before")")" ] || fail "teardown left mounts"
}

case_exec_status_and_argv_passed() {
	exec_tree || return 1
	exec_conf ""
	mgexec --unshare -- sh -c 'echo "args=$0|$1|$2"; exit 7' zero 'one two' "th'ree"
	expect_rc 7 || return 1
	expect_out "args=zero|one two|th'ree"
}

case_exec_environment_reaches_cmd() {
	exec_tree || return 1
	exec_conf ""
	# "sh" is found on the caller's PATH, inside the new root.
	with_env "MG_TEST_VAR=hello-exec PATH=/nowhere:/bin" mgexec --unshare -- sh -c 'echo "var=$MG_TEST_VAR path=$PATH"'
	expect_rc 0 || return 1
	expect_out "var=hello-exec path=/nowhere:/bin"
}

# The caller's umask reaches CMD (mount-guard itself runs with 022).
case_exec_umask_reaches_cmd() {
	exec_tree || return 1
	exec_conf ""
	local saved
	saved=$(umask)
	umask 0027
	mgexec --unshare -- sh -c 'echo "umask=$(umask)"'
	umask "$saved"
	expect_rc 0 || return 1
	expect_out "umask=0027"
}

case_exec_missing_command_unshare() {
	exec_tree || return 1
	exec_conf ""
	local before
	before=$(snapshot)
	mgexec --unshare -- no-such-command arg
	expect_rc 127 || return 1
	expect_err "exec: no-such-command: No such file or directory" || return 1
	expect_unchanged "$before"
}

case_exec_missing_command_given_namespace() {
	exec_tree || return 1
	exec_conf ""
	mgexec -- /bin/no-such-command
	expect_rc 127 || return 1
	expect_err "No such file or directory" || return 1
	# Documented: without --unshare the list stays applied.
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "the list did not stay applied" || return 1
	! is_mounted "$ROOT" || fail "the bind of the root onto itself was left" || return 1
	mg teardown --root "$ROOT"
	expect_rc 0
}

case_exec_not_executable() {
	exec_tree || return 1
	exec_conf ""
	local before
	before=$(snapshot)
	mgexec --unshare -- /marker
	expect_rc 126 || return 1
	expect_err "exec: /marker: Permission denied" || return 1
	expect_unchanged "$before"
}

# A target through a symlink out of the root (sysfs may not go through one):
# refused, rolled back, and CMD never runs; with and without --unshare.
case_exec_hostile_refused_cmd_never_runs() {
	exec_tree || return 1
	ln -s "$OUT" "$ROOT/evil"
	mkdir -p "$ROOT$OUT"
	conf "[mount proc]
type = proc
target = /proc
create = dir
[mount sys]
type = sysfs
target = /evil"
	local before u
	before=$(snapshot)
	for u in --unshare ""; do
		mgexec $u -- sh -c 'echo ran >/ran; echo CMD-RAN'
		expect_rc 3 || return 1
		expect_err "goes through a symlink" || return 1
		expect_err "result: failed (exit 3)" || return 1
		case "$STDOUT" in *CMD-RAN*) fail "CMD ran"; return 1 ;; esac
		[ ! -e "$ROOT/ran" ] || fail "CMD ran ($u)" || return 1
		[ ! -e "$ROOT/proc" ] || fail "the created /proc was not removed" || return 1
		expect_unchanged "$before" || return 1
	done
}

# The root mount itself read-only; submounts keep the flags the list gave them.
case_exec_readonly_root() {
	mount -t tmpfs -o mode=0755 tmpfs "$ROOT" || return 1
	baseline # the tmpfs is the test's own: exec needs no self-bind here
	exec_tree || return 1
	mkdir -p "$ROOT/tmp"
	exec_conf "[options]
readonly-root = yes
[mount tmp]
type = tmpfs
target = /tmp
"
	local before
	before=$(snapshot)
	mgexec --unshare -- sh -c 'touch /new-at-root 2>&1; touch /tmp/ok && echo tmp=writable; touch /ro/x 2>&1; echo "marker=$(cat /marker)"'
	expect_rc 0 || return 1
	expect_out "/new-at-root: Read-only file system" || return 1
	expect_out "tmp=writable" || return 1
	expect_out "/ro/x: Read-only file system" || return 1
	expect_out "marker=marker-$$" || return 1
	expect_unchanged "$before" || return 1
	touch "$ROOT/outside-still-writable" || fail "the root became read-only outside exec's namespace"
}

case_exec_readonly_root_no_keeps_writable() {
	exec_tree || return 1
	exec_conf "[options]
readonly-root = no
"
	mgexec --unshare -- sh -c 'touch /new-at-root && echo root=writable'
	expect_rc 0 || return 1
	expect_out "root=writable"
}

case_exec_readonly_root_bad_values() {
	exec_tree || return 1
	local before
	before=$(snapshot)
	exec_conf "[options]
symlinks = in-root
readonly-root = maybe
"
	mgexec --unshare -- sh -c 'echo ran >/ran'
	expect_rc 2 || return 1
	expect_err "mg.conf:3: config: readonly-root must be yes or no, not 'maybe'" || return 1
	exec_conf "[options]
readonly-root = yes
readonly-root = no
"
	mgexec --unshare -- sh -c 'echo ran >/ran'
	expect_rc 2 || return 1
	expect_err "mg.conf:3: config: duplicate key 'readonly-root' (first at line 2)" || return 1
	# apply and plan never switch into the root: the key is not theirs.
	exec_conf "[options]
readonly-root = yes
"
	apply
	expect_rc 2 || return 1
	expect_err "mg.conf:2: config: readonly-root = yes is for exec only" || return 1
	plan
	expect_rc 2 || return 1
	[ ! -e "$ROOT/ran" ] || fail "CMD ran" || return 1
	expect_unchanged "$before"
}

case_exec_usage_errors() {
	exec_tree || return 1
	exec_conf ""
	local before
	before=$(snapshot)
	mg exec --root "$ROOT" --config "$T/mg.conf"
	expect_rc 2 || return 1
	mg exec --unshare --root / --config "$T/mg.conf" -- /bin/sh -c 'echo ran'
	expect_rc 2 || return 1
	expect_err "a root other than /" || return 1
	mg exec --unshare --root "$T/no-such-root" --config "$T/mg.conf" -- /bin/sh
	expect_rc 2 || return 1
	expect_unchanged "$before"
}

case_exec_mount_arguments() {
	exec_tree || return 1
	local before
	before=$(snapshot)
	# No config at all: bubblewrap-style arguments only.
	mg exec --unshare --root "$ROOT" --proc /proc --tmpfs /ro --mask /secret -- \
		sh -c 'echo "proc=$(stat -f -c %T /proc) ro=$(stat -f -c %T /ro) secret=[$(cat /secret)]"'
	expect_rc 0 || return 1
	expect_out "proc=proc ro=tmpfs secret=[]" || return 1
	# After the config's entries: the config's [readonly] /ro applies to
	# the argument's tmpfs there (mounts first, then read-only paths).
	exec_conf ""
	mgexec --unshare --tmpfs /ro -- sh -c 'echo "ro=$(stat -f -c %T /ro)"; touch /ro/x'
	expect_rc 1 || return 1
	expect_out "ro=tmpfs" || return 1
	expect_err "/ro/x: Read-only file system" || return 1
	expect_unchanged "$before"
}

# pivot_root(2) fails with EINVAL where the root can never be pivoted away
# (the initramfs rootfs): then exec must switch root by MS_MOVE + chroot.
# A seccomp filter (libseccomp through ctypes) makes pivot_root fail so; the
# case fails without that fallback.
case_exec_switch_root_fallback_move_chroot() {
	cat >"$T/nopivot.py" <<'PY'
import ctypes, errno, os, sys
s = ctypes.CDLL("libseccomp.so.2", use_errno=True)
s.seccomp_init.restype = ctypes.c_void_p
s.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
s.seccomp_load.argtypes = [ctypes.c_void_p]
f = s.seccomp_init(0x7FFF0000)  # SCMP_ACT_ALLOW
nr = s.seccomp_syscall_resolve_name(b"pivot_root")
if not f or nr < 0 or s.seccomp_rule_add(f, 0x00050000 | errno.EINVAL, nr, 0) or s.seccomp_load(f):
    sys.exit("nopivot: cannot install the filter")
os.execvp(sys.argv[1], sys.argv[1:])
PY
	exec_tree || return 1
	exec_conf "[options]
readonly-root = yes
"
	local before
	before=$(snapshot)
	# The filter's own proof: pivot_root now fails with EINVAL.
	python3 "$T/nopivot.py" unshare -m --propagation private sh -c 'cd "$1" && exec pivot_root . .' - "$ROOT" 2>"$T/pivot.err"
	grep -q "Invalid argument" "$T/pivot.err" || { echo "  the filter did not make pivot_root fail: $(cat "$T/pivot.err")"; return 1; }
	local MG_WRAP="python3 $T/nopivot.py ${MG_WRAP}"
	mgexec --unshare -- sh -c "$INSIDE; touch /at-root 2>&1; exit 0"
	expect_rc 0 || return 1
	expect_inside || return 1
	expect_out "/at-root: Read-only file system" || return 1
	expect_unchanged "$before" || return 1
	# Without --unshare too: the switch happens in a private namespace.
	mgexec -- sh -c 'echo "marker=$(cat /marker)"'
	expect_rc 0 || return 1
	expect_out "marker=marker-$$" || return 1
	mg teardown --root "$ROOT"
	expect_rc 0
}

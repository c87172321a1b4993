# Successful applies: every type, create, options, both symlink modes.

case_apply_all_types() {
	mkdir -p "$ROOT"/{proc,sys,tmp,run,dev/pts,dev/mqueue,sys/fs/cgroup} "$T/src"
	echo data >"$T/src/file"
	conf "[mount proc]
type = proc
target = /proc
options = nosuid,nodev,noexec
[mount sys]
type = sysfs
target = /sys
options = ro,nosuid,nodev,noexec
[mount tmp]
type = tmpfs
target = /tmp
options = nosuid,nodev,size=8m,mode=1777
[mount pts]
type = devpts
target = /dev/pts
options = newinstance,ptmxmode=0666,mode=0620,nosuid,noexec
[mount mq]
type = mqueue
target = /dev/mqueue
[mount data]
type = bind
source = $T/src
target = /data
options = ro,nosuid,nodev
create = dir"
	apply
	expect_rc 0 || return 1
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "no proc at /proc" || return 1
	[ "$(fstype_at "$ROOT/sys")" = sysfs ] || fail "no sysfs" || return 1
	[ "$(fstype_at "$ROOT/tmp")" = tmpfs ] || fail "no tmpfs" || return 1
	[ "$(fstype_at "$ROOT/dev/pts")" = devpts ] || fail "no devpts" || return 1
	[ "$(fstype_at "$ROOT/dev/mqueue")" = mqueue ] || fail "no mqueue" || return 1
	[ "$(cat "$ROOT/data/file")" = data ] || fail "bind content" || return 1
	touch "$ROOT/data/new" 2>/dev/null && fail "ro bind is writable" && return 1
	mountinfo_at "$ROOT/data" | grep -q ' ro,nosuid,nodev' || fail "bind flags: $(mountinfo_at "$ROOT/data")" || return 1
	mountinfo_at "$ROOT/proc" | grep -q 'nosuid,nodev,noexec' || fail "proc flags" || return 1
	[ "$(stat -c %a "$ROOT/tmp")" = 1777 ] || fail "tmpfs mode $(stat -c %a "$ROOT/tmp")" || return 1
	expect_out "6 of 6 entries applied and verified"
}

case_apply_cgroup2() {
	mkdir -p "$ROOT/cg"
	conf "[mount cg]
type = cgroup2
target = /cg
options = nosuid,nodev,noexec"
	apply
	expect_rc 0 || return 1
	[ "$(fstype_at "$ROOT/cg")" = cgroup2 ] || fail "no cgroup2"
}

case_bind_file_create_file() {
	echo secret-of-host >"$T/hostfile"
	mkdir -p "$ROOT/etc"
	conf "[mount f]
type = bind
source = $T/hostfile
target = /etc/resolv.conf
create = file
options = ro"
	apply
	expect_rc 0 || return 1
	[ -f "$ROOT/etc/resolv.conf" ] || fail "not a file" || return 1
	[ "$(cat "$ROOT/etc/resolv.conf")" = secret-of-host ] || fail "content"
}

case_create_nested_dirs_and_mode() {
	conf "[mount t]
type = tmpfs
target = /a/b/c
create = dir
mode = 0700"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/a/b/c" || fail "not mounted" || return 1
	umount "$ROOT/a/b/c"
	[ "$(stat -c %a "$ROOT/a/b/c")" = 700 ] || fail "mode $(stat -c %a "$ROOT/a/b/c")" || return 1
	[ "$(stat -c %a "$ROOT/a/b")" = 755 ] || fail "parent mode"
}

case_create_mode_past_umask_and_setgid() {
	mkdir -p "$ROOT/shared" && chmod 2775 "$ROOT/shared"
	conf "[mount t]
type = tmpfs
target = /shared/x
create = dir
mode = 0777"
	apply
	expect_rc 0 || return 1
	umount "$ROOT/shared/x"
	[ "$(stat -c %a "$ROOT/shared/x")" = 2777 ] || fail "mode $(stat -c %a "$ROOT/shared/x") (want 2777: 0777 + inherited setgid)"
}

case_rbind_with_submounts() {
	mkdir -p "$T/src/sub" "$ROOT/r"
	mount -t tmpfs tmpfs "$T/src/sub"
	echo inner >"$T/src/sub/f"
	baseline
	conf "[mount r]
type = rbind
source = $T/src
target = /r"
	apply
	expect_rc 0 || return 1
	[ "$(cat "$ROOT/r/sub/f")" = inner ] || fail "submount not carried"
}

case_rbind_ro_recursive() {
	mkdir -p "$T/src/sub" "$ROOT/r"
	mount -t tmpfs tmpfs "$T/src/sub"
	baseline
	conf "[mount r]
type = rbind
source = $T/src
target = /r
options = ro"
	apply
	expect_rc 0 || return 1
	touch "$ROOT/r/x" 2>/dev/null && fail "top writable" && return 1
	touch "$ROOT/r/sub/x" 2>/dev/null && fail "submount writable" && return 1
	# The source's own submount is untouched.
	touch "$T/src/sub/x" || fail "the source submount became read-only"
}

case_stacked_entries_in_order() {
	conf "[mount outer]
type = tmpfs
target = /w
create = dir
[mount inner]
type = tmpfs
target = /w/inner
create = dir
options = ro"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/w/inner" || fail "inner not mounted" || return 1
	mountinfo_at "$ROOT/w/inner" | grep -q ' ro,' || fail "inner not ro"
}

case_refuse_mode_plain_path_ok() {
	mkdir -p "$ROOT/a/b"
	conf "[options]
symlinks = refuse
[mount t]
type = tmpfs
target = /a/./b/"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/a/b" || fail "not mounted"
}

case_json_report() {
	mkdir -p "$ROOT/proc"
	conf "[mount proc]
type = proc
target = /proc
[mount t]
type = tmpfs
target = /x/y
create = dir"
	apply --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is True and d["exit_code"] == 0 and d["verified"] is True, d
e = d["entries"]
assert [x["name"] for x in e] == ["proc", "t"], e
assert e[0]["target"] == "/proc" and e[0]["resolved"] == "/proc" and e[0]["action"] == "mount" and e[0]["status"] == "mounted", e[0]
assert e[1]["resolved"] == "/x/y" and e[1]["action"] == "create-dir+mount", e[1]
assert e[1]["line"] == 4, e[1]
assert isinstance(e[0]["mount_id"], int)
' || fail "json check failed"
}

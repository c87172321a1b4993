# Masks, read-only paths, writable exceptions, /dev, presets.

case_mask_file_and_dir() {
	mkdir -p "$ROOT/etc" "$ROOT/secret/inner"
	echo password >"$ROOT/etc/shadow"
	echo hidden >"$ROOT/secret/inner/file"
	conf "[masked]
path = /etc/shadow
path = /secret
path = /etc/shadow"
	apply --json
	expect_rc 0 || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "masked file not empty" || return 1
	local out
	out=$(sh -c "echo x > '$ROOT/etc/shadow'" 2>&1) && fail "write to a masked file worked" && return 1
	case "$out" in *"Read-only file system"* | *"Permission denied"*) ;; *) fail "unexpected write error: $out"; return 1 ;; esac
	[ -z "$(ls -A "$ROOT/secret")" ] || fail "masked dir lists: $(ls -A "$ROOT/secret")" || return 1
	mkdir "$ROOT/secret/new" 2>/dev/null && fail "masked dir writable" && return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
st = [(e["kind"], e["status"]) for e in d["entries"]]
assert st == [("mask", "mounted"), ("mask", "mounted"), ("mask", "duplicate")], st
' || fail "json"
	# The source of the masks is nowhere in the root.
	[ "$(ls -A "$ROOT")" = "$(printf 'etc\nsecret')" ] || fail "stray files in the root: $(ls -A "$ROOT")"
}

case_mask_missing_is_skipped_and_reported() {
	mkdir -p "$ROOT/etc"
	conf "[masked]
path = /etc/nothing-here
path = /no/such/dir"
	apply --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["entries"]
assert [x["status"] for x in e] == ["skipped", "skipped"], e
assert all(x["error"] == "does not exist" for x in e), e
' || fail "json" || return 1
	apply
	expect_out "skipped: /etc/nothing-here does not exist"
}

case_mask_symlink_to_outside_lands_inside() {
	# The rootfs points a masked path at the host's copy of the sentinel.
	mkdir -p "$ROOT$OUT"
	echo decoy >"$ROOT$OUT/sentinel"
	ln -s "$OUT/sentinel" "$ROOT/victim"
	conf "[masked]
path = /victim"
	apply
	expect_rc 0 || return 1
	[ -z "$(cat "$ROOT$OUT/sentinel")" ] || fail "in-root target not masked" || return 1
	[ -n "$(cat "$OUT/sentinel")" ] || fail "the host file was masked"
}

case_mask_fifo_refused() {
	mkfifo "$ROOT/fifo"
	local before
	before=$(snapshot)
	conf "[masked]
path = /fifo"
	apply
	expect_rc 3 || return 1
	expect_unchanged "$before"
}

devnull_case() { # $1: how the rootfs's /dev/null is spoiled
	mkdir -p "$ROOT/dev" "$ROOT/proc" "$ROOT/etc"
	echo password >"$ROOT/etc/shadow"
	case "$1" in
	symlink) ln -s /proc/sys/kernel/core_pattern "$ROOT/dev/null" ;;
	file) echo "not a device" >"$ROOT/dev/null" ;;
	fifo) mkfifo "$ROOT/dev/null" ;;
	deleted) ;;
	esac
	local core
	core=$(cat /proc/sys/kernel/core_pattern)
	conf "[mount proc]
type = proc
target = /proc
[masked]
path = /etc/shadow
path = /proc/sys/kernel/core_pattern"
	apply
	expect_rc 0 || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "shadow not masked" || return 1
	[ -z "$(cat "$ROOT/proc/sys/kernel/core_pattern")" ] || fail "core_pattern not masked" || return 1
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$core" ] || fail "host core_pattern changed" || return 1
	# The rootfs's /dev/null was never used or touched.
	case "$1" in
	symlink) [ "$(readlink "$ROOT/dev/null")" = /proc/sys/kernel/core_pattern ] || fail "dev/null touched" ;;
	file) [ "$(cat "$ROOT/dev/null")" = "not a device" ] || fail "dev/null touched" ;;
	fifo) [ -p "$ROOT/dev/null" ] || fail "dev/null touched" ;;
	deleted) [ ! -e "$ROOT/dev/null" ] || fail "dev/null appeared" ;;
	esac
}
case_devnull_is_symlink_to_procfs() { devnull_case symlink; }
case_devnull_is_regular_file() { devnull_case file; }
case_devnull_is_fifo() { devnull_case fifo; }
case_devnull_deleted() { devnull_case deleted; }

case_readonly_recursive_every_submount() {
	mkdir -p "$ROOT/data/a" "$ROOT/data/b"
	mount -t tmpfs tmpfs "$ROOT/data"
	mkdir -p "$ROOT/data/a" "$ROOT/data/b"
	mount -t tmpfs tmpfs "$ROOT/data/a"
	mkdir -p "$ROOT/data/a/deep"
	mount -t tmpfs tmpfs "$ROOT/data/a/deep"
	conf "[readonly]
path = /data"
	apply
	expect_rc 0 || return 1
	local p
	for p in data data/b data/a data/a/deep; do
		touch "$ROOT/$p/x" 2>/dev/null && fail "/$p is writable" && return 1
	done
	return 0
}

case_readonly_keeps_existing_flags() {
	mkdir -p "$ROOT/data"
	mount -t tmpfs -o nosuid,nodev,noexec tmpfs "$ROOT/data"
	conf "[readonly]
path = /data"
	apply
	expect_rc 0 || return 1
	mountinfo_at "$ROOT/data" | grep -q ' ro,nosuid,nodev,noexec' || fail "flags: $(mountinfo_at "$ROOT/data")"
}

case_readonly_parent_swapped_for_symlink() {
	# /srv was swapped for a symlink to "outside"; resolved in the root it
	# can only reach the rootfs's own /outside.
	mkdir -p "$ROOT/outside/data"
	ln -s ../../../../outside "$ROOT/srv"
	conf "[readonly]
path = /srv/data"
	apply
	expect_rc 0 || return 1
	expect_out "-> /outside/data" || return 1
	touch "$ROOT/outside/data/x" 2>/dev/null && fail "not read-only" && return 1
	touch "$OUT/still-writable" || fail "outside became read-only"
	rm -f "$OUT/still-writable"
}

case_writable_exception_under_readonly() {
	mkdir -p "$ROOT/data"
	mount -t tmpfs tmpfs "$ROOT/data"
	mkdir -p "$ROOT/data/rw" "$ROOT/data/ro"
	conf "[readonly]
path = /data
[writable]
path = /data/rw"
	apply
	expect_rc 0 || return 1
	touch "$ROOT/data/ro/x" 2>/dev/null && fail "/data/ro writable" && return 1
	touch "$ROOT/data/rw/x" || fail "/data/rw not writable" || return 1
	touch "$ROOT/data/x" 2>/dev/null && fail "/data writable" && return 1
	return 0
}

case_writable_proc_path_under_readonly_proc() {
	mkdir -p "$ROOT/proc"
	conf "[mount proc]
type = proc
target = /proc
[readonly]
path = /proc/sys
[writable]
path = /proc/sys/net"
	apply
	expect_rc 0 || return 1
	mountinfo_at "$ROOT/proc/sys" | grep -q ' ro,' || fail "/proc/sys not ro" || return 1
	mountinfo_at "$ROOT/proc/sys/net" | grep -q ' rw,' || fail "/proc/sys/net not rw: $(mountinfo_at "$ROOT/proc/sys/net")"
}

case_dev_minimal() {
	mkdir -p "$ROOT/dev" "$ROOT/proc"
	# A hostile /dev underneath: a symlink where null should be.
	ln -s /proc/sys/kernel/core_pattern "$ROOT/dev/null"
	conf "[mount dev]
type = dev
target = /dev
options = nosuid,size=1m"
	apply
	expect_rc 0 || return 1
	local n want
	for n in null:1,3 zero:1,5 full:1,7 random:1,8 urandom:1,9 tty:5,0; do
		want=${n#*:}
		n=${n%%:*}
		[ -c "$ROOT/dev/$n" ] || fail "/dev/$n is not a character device" || return 1
		# (every expected major and minor is below 10: hex = decimal)
		[ "$(stat -c '%t,%T' "$ROOT/dev/$n")" = "$want" ] ||
			fail "/dev/$n is $(stat -c '%t,%T' "$ROOT/dev/$n"), want $want" || return 1
	done
	[ "$(fstype_at "$ROOT/dev/pts")" = devpts ] || fail "no devpts" || return 1
	[ "$(fstype_at "$ROOT/dev/shm")" = tmpfs ] || fail "no shm" || return 1
	[ "$(readlink "$ROOT/dev/ptmx")" = pts/ptmx ] || fail "ptmx" || return 1
	[ "$(readlink "$ROOT/dev/fd")" = /proc/self/fd ] || fail "fd link" || return 1
	[ "$(stat -c %a "$ROOT/dev")" = 755 ] || fail "dev mode $(stat -c %a "$ROOT/dev")" || return 1
	echo hello >"$ROOT/dev/null" || fail "cannot write /dev/null" || return 1
	[ "$(head -c 3 "$ROOT/dev/zero" | od -An -tx1 | tr -d ' ')" = 000000 ] || fail "zero"
}

case_preset_oci_default() {
	# A generated rootfs: mostly empty directories.
	mkdir -p "$ROOT"/{bin,etc,usr,var,tmp}
	mg apply --root "$ROOT" --preset oci-default --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, os, sys
d = json.load(sys.stdin)
e = d["entries"]
mounts = [(x["name"], x["type"], x["target"], x["status"]) for x in e if x["kind"] == "mount"]
assert mounts == [("proc", "proc", "/proc", "mounted"), ("dev", "dev", "/dev", "mounted"),
                  ("mqueue", "mqueue", "/dev/mqueue", "mounted"), ("sysfs", "sysfs", "/sys", "mounted")], mounts
masked = [x["target"] for x in e if x["kind"] == "mask"]
assert masked == ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                  "/proc/scsi"], masked
ro = [x["target"] for x in e if x["kind"] == "readonly"]
assert ro == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], ro
# What exists on this kernel is masked or read-only; the rest is skipped.
root = sys.argv[1]
for x in e:
    if x["kind"] == "mount":
        continue
    exists = os.path.lexists("/proc" + x["target"][5:]) if x["target"].startswith("/proc/") else os.path.lexists(x["target"])
    want = "mounted" if exists else "skipped"
    assert x["status"] == want, (x, want)
assert d["verified"] is True
' "$ROOT" || fail "preset json" || return 1
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "proc" || return 1
	touch "$ROOT/proc/sys/kernel/x" 2>/dev/null && fail "/proc/sys writable" && return 1
	[ -z "$(ls -A "$ROOT/sys/firmware")" ] || fail "/sys/firmware not masked" || return 1
	return 0
}

case_preset_plus_own_entries() {
	mkdir -p "$T/tools"
	echo tool >"$T/tools/t"
	conf "[options]
preset = minimal-chroot
[mount tools]
type = bind
source = $T/tools/t
target = /bin/t
options = ro,nosuid,nodev
create = file"
	apply --json
	expect_rc 0 || return 1
	[ "$(cat "$ROOT/bin/t")" = tool ] || fail "bind" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [x["name"] for x in d["entries"] if x["kind"] == "mount"]
assert names == ["proc", "tmp", "tools"], names
' || fail "order"
}

case_preset_name_collision_refused() {
	conf "[options]
preset = minimal-chroot
[mount proc]
type = tmpfs
target = /x"
	apply
	expect_rc 2 || return 1
	expect_err "already defined by preset minimal-chroot"
}

case_preset_unknown() {
	mg apply --root "$ROOT" --preset no-such
	expect_rc 2 || return 1
	expect_err "unknown preset 'no-such'"
}

# Fault injection: a 20-entry list of every kind; the k-th attaching call
# fails (EIO, injected by mg-faultinject) for every k in turn. Each run must
# leave mountinfo exactly as before and remove what it created.
fault_config() {
	mkdir -p "$ROOT/proc" "$ROOT/data" "$T/src/sub" "$ROOT/etc"
	echo pw >"$ROOT/etc/shadow"
	local body="" i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
		body="$body
[mount t$i]
type = tmpfs
target = /t/$i
create = dir"
	done
	conf "[mount proc]
type = proc
target = /proc
[mount dev]
type = dev
target = /dev
create = dir
[mount data]
type = rbind
source = $T/src
target = /data
options = ro
$body
[masked]
path = /etc/shadow
path = /proc/keys
[readonly]
path = /proc/sys
[writable]
path = /proc/sys/net"
}

case_fault_injection_every_attach_call() {
	need_faultinject || return 1
	fault_config
	mount -t tmpfs tmpfs "$T/src/sub"
	baseline
	# A clean run first, to count the injection points.
	local before n k
	before=$(snapshot)
	with_faults "" apply
	expect_rc 0 || return 1
	n=$(injected_count)
	[ -n "$n" ] && [ "$n" -ge 20 ] || fail "too few injection points: '$n'" || return 1
	umount -R "$ROOT/proc" "$ROOT/dev" "$ROOT/data" "$ROOT/etc/shadow" 2>/dev/null
	for k in $(seq 1 13); do umount "$ROOT/t/$k"; done
	rm -rf "$ROOT/t"
	expect_unchanged "$before" || { echo "  cleanup after the clean run failed"; return 1; }
	for k in $(seq 1 "$n"); do
		with_faults "MG_FAULT_AT=$k" apply
		[ "$RC" = 1 ] || fail "k=$k: expected exit 1" || return 1
		# The k-th call really failed, and the run stopped there.
		expect_err "faultinject: attach call $k (" || return 1
		expect_err "Input/output error" || return 1
		[ "$(injected_count)" = "$k" ] || fail "k=$k: $(injected_count) attach calls" || return 1
		expect_unchanged "$before" || { echo "  k=$k"; return 1; }
		[ ! -e "$ROOT/t" ] || fail "k=$k: created directories left behind" || return 1
		[ -z "$(ls -A "$ROOT" | grep mount-guard)" ] || fail "k=$k: staging left behind" || return 1
	done
	echo "  $n injection points, each rolled back cleanly"
}

case_readonly_in_user_namespace_keeps_locked_flags() {
	# In a user namespace the flags a mount had when the namespace was made
	# are locked: a remount that drops nosuid/nodev fails with EPERM. The
	# read-only path must keep them (and mountinfo shows they are kept).
	mkdir -p "$ROOT/data/sub" "$ROOT/d2"
	mount -t tmpfs -o nosuid,nodev,noexec tmpfs "$ROOT/data"
	mkdir -p "$ROOT/data/sub"
	mount -t tmpfs -o nosuid,nodev tmpfs "$ROOT/data/sub"
	conf "[readonly]
path = /data
[mount t]
type = tmpfs
target = /d2
options = nosuid"
	# Apply, then read mountinfo, inside the user namespace.
	local o e
	o=$(mktemp) e=$(mktemp)
	# shellcheck disable=SC2016
	unshare -U -r -m --propagation unchanged sh -c '$1 "$2" apply --root "$3" --config "$4"; rc=$?
		echo "--- mountinfo"; cat /proc/self/mountinfo; exit $rc' sh "$MG_WRAP" "$MG_BIN" "$ROOT" "$T/mg.conf" >"$o" 2>"$e"
	RC=$? STDOUT=$(cat "$o") STDERR=$(cat "$e")
	expect_rc 0 || return 1
	local mi
	mi=$(printf '%s\n' "$STDOUT" | sed -n '/^--- mountinfo$/,$p')
	# The read-only copy of /data and of /data/sub: ro, and the locked
	# flags kept.
	printf '%s\n' "$mi" | awk -v p="$ROOT/data" '$5 == p' | tail -n 1 | grep -q ' ro,nosuid,nodev,noexec' ||
		fail "/data in the userns: $(printf '%s\n' "$mi" | awk -v p="$ROOT/data" '$5 == p')" || return 1
	printf '%s\n' "$mi" | awk -v p="$ROOT/data/sub" '$5 == p' | tail -n 1 | grep -q ' ro,nosuid,nodev' ||
		fail "/data/sub in the userns" || return 1
	# Outside the user namespace nothing changed (its mounts were copies).
	mountinfo_at "$ROOT/data" | grep -q ' rw,nosuid,nodev,noexec' || fail "outer mount changed"
}

case_preset_minimal_chroot_with_executable() {
	mkdir -p "$ROOT"
	conf "[options]
preset = minimal-chroot
executable = /bin/true"
	apply --json
	expect_rc 0 || return 1
	cmp -s "$ROOT/bin/true" /bin/true || fail "the executable is not there" || return 1
	mountinfo_at "$ROOT/bin/true" | grep -q ' ro,nosuid,nodev' || fail "not ro,nosuid,nodev" || return 1
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "no proc" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [x["name"] for x in d["entries"] if x["kind"] == "mount"]
assert names == ["proc", "tmp", "executable"], names
' || fail "order"
}

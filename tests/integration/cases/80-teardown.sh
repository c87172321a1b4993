# teardown: every mount beneath the root goes, deepest first, by fd and
# mount id; nothing outside the root is touched, even when the tree was
# changed to point outside it.

teardown() { mg teardown --root "$ROOT" "$@"; }

# "PATH ID FSTYPE" (in-root path) of every mount strictly beneath the root.
mounts_beneath_root() {
	awk -v r="$ROOT" '
		index($5, r "/") == 1 {
			for (i = 7; i <= NF; i++) if ($i == "-") break
			print substr($5, length(r) + 1), $1, $(i + 1)
		}' /proc/self/mountinfo | sort
}

# json_check PYTHON: runs PYTHON with d = the JSON report on stdout.
json_check() {
	printf '%s' "$STDOUT" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d['command'] == 'teardown' and d['version'] == 1, d
assert d['ok'] == (d['exit_code'] == 0), d
assert d['count'] == len(d['unmounted']), d
$1
" || fail "json report"
}

# The same lines as mounts_beneath_root, from the report's unmounted list.
json_unmounted() {
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["unmounted"]:
    print(m["path"], m["mount_id"], m["fstype"])' | sort
}

case_teardown_after_apply_restores_mountinfo() {
	mkdir -p "$ROOT"/{proc,t,ro,r} "$T/data" "$T/src/sub"
	echo data >"$T/data/f"
	mount -t tmpfs tmpfs "$T/src/sub"
	echo inner >"$T/src/sub/f"
	baseline
	local before mounted
	before=$(snapshot)
	conf "[mount proc]
type = proc
target = /proc
[mount t]
type = tmpfs
target = /t
[mount inner]
type = tmpfs
target = /t/inner
create = dir
[mount ro]
type = bind
source = $T/data
target = /ro
options = ro
[mount r]
type = rbind
source = $T/src
target = /r"
	apply
	expect_rc 0 || return 1
	mounted=$(mounts_beneath_root)
	[ "$(printf '%s\n' "$mounted" | wc -l)" = 6 ] || fail "apply made: $mounted" || return 1
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	[ "$(json_unmounted)" = "$mounted" ] || fail "reported $(json_unmounted), mounted were $mounted" || return 1
	json_check '
assert d["count"] == 6 and d["left"] == [] and d["error"] is None, d
order = [m["path"] for m in d["unmounted"]]
# deepest first: each mount after everything beneath it
assert order.index("/t/inner") < order.index("/t"), order
assert order.index("/r/sub") < order.index("/r"), order' || return 1
	[ "$(cat "$T/src/sub/f")" = inner ] || fail "the rbind source's own submount went" || return 1
	teardown
	expect_rc 0 || return 1
	expect_out "0 mounts taken down"
}

case_teardown_nothing_mounted() {
	mkdir -p "$ROOT/a/b" "$ROOT/proc"
	local before
	before=$(snapshot)
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert d["count"] == 0 and d["unmounted"] == [] and d["left"] == [], d'
}

case_teardown_keeps_root_mount_point() {
	# The root is a mount point, twice over (a stack at the root's path):
	# both layers stay; only what is beneath goes.
	mount -t tmpfs lower "$ROOT"
	mount -t tmpfs rootfs "$ROOT"
	mkdir -p "$ROOT/a" "$ROOT/b"
	echo keep >"$ROOT/keep"
	baseline
	local before
	before=$(snapshot)
	mount -t tmpfs tmpfs "$ROOT/a"
	mount --bind "$ROOT/b" "$ROOT/b"
	teardown
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	[ "$(cat "$ROOT/keep")" = keep ] || fail "the root mount went" || return 1
	expect_out "2 mounts taken down"
}

case_teardown_refuses_slash() {
	local before
	before=$(snapshot)
	mg teardown --root /
	expect_rc 2 || return 1
	expect_unchanged "$before"
}

case_teardown_overmounted_mount_point() {
	mkdir -p "$ROOT/s"
	local before
	before=$(snapshot)
	mount -t tmpfs first "$ROOT/s"
	mount -t tmpfs second "$ROOT/s"
	mount -t tmpfs third "$ROOT/s"
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert [m["path"] for m in d["unmounted"]] == ["/s"] * 3, d'
}

case_teardown_leaves_mounts_outside_root() {
	# Outside the root: a bind of $OUT, and a sibling whose name starts
	# with the root's name (a string-prefix trap).
	mkdir -p "${ROOT}x/in" "$T/elsewhere" "$ROOT/o" "$ROOT/a"
	mount --bind "$OUT" "$T/elsewhere"
	mount -t tmpfs sibling "${ROOT}x"
	mkdir -p "${ROOT}x/in"
	mount -t tmpfs sibling-in "${ROOT}x/in"
	baseline
	local before
	before=$(snapshot)
	conf "[mount o]
type = bind
source = $OUT
target = /o
[mount a]
type = tmpfs
target = /a"
	apply
	expect_rc 0 || return 1
	teardown
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	is_mounted "$T/elsewhere" || fail "the bind outside went" || return 1
	is_mounted "${ROOT}x/in" || fail "the sibling's mount went"
}

# The tree is changed after apply so that a mounted-on path now holds a
# symlink to a mount outside the root ($OUT, a mount point here, so that
# following the link and unmounting would show in mountinfo and in the
# harness's sentinel check).

case_teardown_symlink_on_overmount_then_by_id() {
	# /d/m is mounted on, then /d is overmounted with a tmpfs whose m is a
	# symlink to $OUT. Reverse order takes the overmount of /d first (it is
	# newer); /d/m then leads to its mount again and goes by id: exit 0.
	mkdir -p "$ROOT/d/m"
	mount --bind "$OUT" "$OUT"
	baseline
	local before
	before=$(snapshot)
	mount -t tmpfs under "$ROOT/d/m"
	mount -t tmpfs over "$ROOT/d"
	ln -s "$OUT" "$ROOT/d/m"
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert [m["path"] for m in d["unmounted"]] == ["/d", "/d/m"], d'
}

case_teardown_symlink_on_older_overmount_retried() {
	# As above, but the mount at /d/m is newer than the overmount of /d (it
	# was mounted through an fd opened before /d was covered), so the
	# reverse walk meets /d/m first, while the path holds the symlink: it is
	# skipped, /d goes, and the next pass takes /d/m by id: exit 0.
	mkdir -p "$ROOT/d/m"
	mount --bind "$OUT" "$OUT"
	baseline
	local before ids
	before=$(snapshot)
	python3 - "$ROOT" "$OUT" <<'EOF' || { fail "setup"; return 1; }
import ctypes, os, subprocess, sys
root, out = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(root + "/d/m", os.O_PATH | os.O_DIRECTORY)
subprocess.run(["mount", "-t", "tmpfs", "over", root + "/d"], check=True)
os.symlink(out, root + "/d/m")
if libc.mount(b"under", f"/proc/self/fd/{fd}".encode(), b"tmpfs", 0, None) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
EOF
	ids=$(mounts_beneath_root)
	# Construction check: the kernel lists /d/m after /d.
	awk -v r="$ROOT" '$5 == r "/d" {o = NR} $5 == r "/d/m" {m = NR} END {exit !(o && m && m > o)}' \
		/proc/self/mountinfo || fail "construction: /d/m not listed after /d: $ids" || return 1
	[ "$(readlink "$ROOT/d/m")" = "$OUT" ] || fail "construction: no symlink" || return 1
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert [m["path"] for m in d["unmounted"]] == ["/d", "/d/m"], d'
}

case_teardown_symlink_under_root_overmount_skipped() {
	# The root itself is overmounted after apply by a tree whose /d/m is a
	# symlink to $OUT. The root is never torn down, so /d/m cannot be
	# reached without that symlink: skipped and reported, exit 3, while a
	# mount that is reachable still goes. Nothing outside is touched.
	mkdir -p "$ROOT/d/m"
	mount --bind "$OUT" "$OUT"
	mount -t tmpfs under "$ROOT/d/m"
	mount -t tmpfs newroot "$ROOT"
	mkdir -p "$ROOT/d" "$ROOT/n"
	ln -s "$OUT" "$ROOT/d/m"
	baseline
	local before
	before=$(snapshot)
	mount -t tmpfs reachable "$ROOT/n"
	teardown --json
	expect_rc 3 || return 1
	expect_err "tree changed" || return 1
	expect_unchanged "$before" || return 1
	is_mounted "$OUT" || fail "\$OUT went" || return 1
	[ "$(mountinfo_at "$ROOT/d/m" | awk '{print $1}')" ] || fail "/d/m went" || return 1
	json_check '
assert d["ok"] is False and d["exit_code"] == 3, d
assert [m["path"] for m in d["unmounted"]] == ["/n"], d
assert len(d["left"]) == 1, d
l = d["left"][0]
assert l["path"] == "/d/m" and l["unsafe"] is True and l["fstype"] == "tmpfs", l
assert "symbolic links" in l["reason"], l'
}

case_teardown_path_leads_to_other_mount_skipped() {
	# As above, but the new root has a plain directory at /d/m: the path
	# resolves, onto the wrong mount. The mount id check skips it: exit 3.
	mkdir -p "$ROOT/d/m"
	mount -t tmpfs under "$ROOT/d/m"
	mount -t tmpfs newroot "$ROOT"
	mkdir -p "$ROOT/d/m"
	baseline
	local before
	before=$(snapshot)
	teardown --json
	expect_rc 3 || return 1
	expect_unchanged "$before" || return 1
	json_check '
assert d["count"] == 0 and len(d["left"]) == 1, d
assert d["left"][0]["unsafe"] is True and "mount id" in d["left"][0]["reason"], d'
}

case_teardown_renamed_mount_point() {
	# A directory above a mount point is renamed after apply and its old
	# name becomes a symlink to $OUT. mountinfo names the mount at its new
	# place; it goes from there.
	mkdir -p "$ROOT/x/a"
	mount --bind "$OUT" "$OUT"
	baseline
	local before
	before=$(snapshot)
	mount -t tmpfs moved "$ROOT/x/a"
	mv "$ROOT/x" "$ROOT/y"
	ln -s "$OUT" "$ROOT/x"
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert [m["path"] for m in d["unmounted"]] == ["/y/a"], d'
}

case_teardown_mount_moved_under_newer_parent() {
	# mount --move puts an older mount beneath a newer one: the reverse
	# walk meets the parent first, which waits for its child (a detach
	# would take the child along unchecked); both go.
	mkdir -p "$ROOT/p" "$T/old"
	local before
	before=$(snapshot)
	mount -t tmpfs old "$T/old"
	mount -t tmpfs parent "$ROOT/p"
	mkdir "$ROOT/p/c"
	mount --move "$T/old" "$ROOT/p/c"
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check 'assert [m["path"] for m in d["unmounted"]] == ["/p/c", "/p"], d'
}

case_teardown_locked_mounts_fail() {
	# In a new user namespace the mounts copied from ours are locked and
	# umount2 refuses them (EINVAL). Nothing is unsafe, so that is a plain
	# failure: exit 1, each mount reported with why it stayed.
	mkdir -p "$ROOT/a" "$ROOT/b"
	mount -t tmpfs a "$ROOT/a"
	mkdir "$ROOT/a/c"
	mount -t tmpfs c "$ROOT/a/c"
	mount -t tmpfs b "$ROOT/b"
	local before
	before=$(snapshot)
	MG_WRAP="unshare -U -r -m --propagation unchanged $MG_WRAP" teardown --json
	expect_rc 1 || return 1
	expect_err "3 mount(s) left beneath the root" || return 1
	expect_unchanged "$before" || return 1
	json_check '
assert d["count"] == 0 and d["exit_code"] == 1, d
left = {m["path"]: m for m in d["left"]}
assert sorted(left) == ["/a", "/a/c", "/b"], d
assert not any(m["unsafe"] for m in d["left"]), d
assert left["/a/c"]["reason"].startswith("umount2:"), left
assert "beneath it" in left["/a"]["reason"], left'
}

case_teardown_odd_names() {
	# mountinfo escapes space, tab, newline and backslash (not commas);
	# libmount's unescaped name is resolved, and reported as it is.
	local before
	export ODD=$'/sp ace,comma\\back\nnew\ttab'
	mkdir -p "$ROOT$ODD"
	before=$(snapshot)
	mount -t tmpfs odd "$ROOT$ODD"
	teardown --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	json_check '
import os
assert [m["path"] for m in d["unmounted"]] == [os.environ["ODD"]], d'
}

# show --root DIR [--json]: the mount tree at and beneath DIR by mount and
# parent ids, as text and JSON; it changes nothing and needs no privilege.
# apply's text summary ends with the same tree.

# A known tree: $ROOT is a tmpfs with a name that has a space (with a
# submount), one with a newline, a read-only submount, a stack of two
# tmpfs on /ov (the top one shared), /plain (not a mount point) with
# /plain/deep beneath it and /plainer beside it, and, outside, $ROOT-sibling:
# names that start like the root's, which show must tell apart.
show_known_tree() {
	mount -t tmpfs show-root "$ROOT" || return 1
	mkdir -p "$ROOT/a b" "$ROOT/nl
x" "$ROOT/ro" "$ROOT/ov" "$ROOT/plain/deep" "$ROOT/plainer" "$ROOT-sibling"
	mount -t tmpfs show-space "$ROOT/a b" &&
		mkdir "$ROOT/a b/inner" && mount -t tmpfs show-inner "$ROOT/a b/inner" &&
		mount -t tmpfs show-newline "$ROOT/nl
x" &&
		mount -t tmpfs -o ro,nosuid show-ro "$ROOT/ro" &&
		mount -t tmpfs show-under "$ROOT/ov" && mount -t tmpfs show-over "$ROOT/ov" &&
		mount --make-shared "$ROOT/ov" &&
		mount -t tmpfs show-deep "$ROOT/plain/deep" && mount -t tmpfs show-plainer "$ROOT/plainer" &&
		mount -t tmpfs show-sibling "$ROOT-sibling" || return 1
	# These mounts are the test's own, not mount-guard's.
	baseline
}

# show_check_json ROOT_IS_MOUNT COUNT PYTHON: parses $STDOUT as show's JSON,
# checks the schema, the ids against /proc/self/mountinfo, then runs PYTHON
# with d (the document), by_path (in-root path -> node list) and root.
show_check_json() {
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
want_mount, want_count, root, extra = sys.argv[1] == "yes", int(sys.argv[2]), sys.argv[3], sys.argv[4]
assert d["version"] == 1 and d["command"] == "show" and d["ok"] is True and d["exit_code"] == 0, d
assert d["error"] is None and d["root_is_mount"] is want_mount, d
def unescape(s):
    out, i = b"", 0
    b = s.encode()
    while i < len(b):
        if b[i:i+1] == b"\\" and i + 3 < len(b):
            out += bytes([int(b[i+1:i+4], 8)]); i += 4
        else:
            out += b[i:i+1]; i += 1
    return out.decode()
mi = {}
for line in open("/proc/self/mountinfo"):
    f = line.split()
    mi[int(f[0])] = (int(f[1]), unescape(f[4]))
keys = {"id", "parent", "target", "path", "source", "fsroot", "fstype", "options", "fs_options",
        "propagation", "children"}
by_path, n = {}, 0
def walk(node, parent):
    global n
    n += 1
    assert set(node) == keys, node.keys()
    assert mi[node["id"]] == (node["parent"], node["target"]), (node, mi.get(node["id"]))
    if parent is not None:
        assert node["parent"] == parent["id"], (node, parent)
    t = node["target"]
    assert t == root or t.startswith(root + "/"), t
    assert node["path"] == (t[len(root):] or "/"), node
    by_path.setdefault(node["path"], []).append(node)
    for c in node["children"]:
        walk(c, node)
for top in d["mounts"]:
    walk(top, None)
assert n == want_count == d["count"], (n, want_count, d["count"])
exec(extra)
' "$@" || fail "show json"
}

case_show_tree_and_json() {
	show_known_tree || return 1
	local before
	before=$(snapshot)
	mg show --root "$ROOT" --json
	expect_rc 0 || return 1
	show_check_json yes 9 "$ROOT" '
assert len(d["mounts"]) == 1, d["mounts"]
top = d["mounts"][0]
assert top["path"] == "/" and top["source"] == "show-root" and top["fstype"] == "tmpfs", top
kids = [c["path"] for c in top["children"]]
assert sorted(kids) == sorted(["/a b", "/nl\nx", "/ro", "/ov", "/plain/deep", "/plainer"]), kids
space = by_path["/a b"][0]
assert [c["path"] for c in space["children"]] == ["/a b/inner"], space
ro = by_path["/ro"][0]
assert ro["options"].split(",")[0] == "ro" and "nosuid" in ro["options"].split(","), ro
assert all(x["options"].split(",")[0] == "rw" for p, l in by_path.items() if p != "/ro" for x in l)
# The overmount is a child of what it covers, at the same path.
under, over = by_path["/ov"]
assert under["source"] == "show-under" and over["source"] == "show-over", by_path["/ov"]
assert under["children"] == [over] and over["parent"] == under["id"], under
assert over["propagation"] == "shared" and under["propagation"] == "private", (over, under)
assert all(x["source"] != "show-sibling" for l in by_path.values() for x in l)
' || return 1
	# Text: the same tree, names escaped, children drawn beneath parents.
	mg show --root "$ROOT"
	expect_rc 0 || return 1
	expect_out "mount-guard show: root $ROOT (a mount point; 9 mounts at and beneath it)" || return 1
	printf '%s\n' "$STDOUT" | sed -n 2p | grep -q '^TARGET  *SOURCE  *FSTYPE  *OPTIONS  *PROPAGATION$' ||
		fail "header line" || return 1
	printf '%s\n' "$STDOUT" | grep -q '^/  *show-root  *tmpfs  *rw' || fail "root line" || return 1
	printf '%s\n' "$STDOUT" | grep -q '^├─/a b  *show-space ' || fail "space line" || return 1
	printf '%s\n' "$STDOUT" | grep -q '^│ └─/a b/inner  *show-inner ' || fail "nested line" || return 1
	printf '%s\n' "$STDOUT" | grep -qF '/nl\x0ax' || fail "newline not escaped" || return 1
	printf '%s\n' "$STDOUT" | grep -q '─/ro  *show-ro  *tmpfs  *ro,nosuid' || fail "read-only line" || return 1
	printf '%s\n' "$STDOUT" | grep -q '└─/ov  *show-over  *tmpfs  .* shared$' || fail "overmount line" || return 1
	[ "$(printf '%s\n' "$STDOUT" | wc -l)" = 11 ] || fail "11 lines expected" || return 1
	printf '%s' "$STDOUT" | grep -q show-sibling && fail "a sibling with the root's prefix is shown" && return 1
	expect_unchanged "$before"
}

case_show_not_a_mount_point() {
	show_known_tree || return 1
	mg show --root "$ROOT/plain" --json
	expect_rc 0 || return 1
	show_check_json no 1 "$ROOT/plain" '
assert [m["path"] for m in d["mounts"]] == ["/deep"] and d["mounts"][0]["source"] == "show-deep", d
' || return 1
	mg show --root "$ROOT/plain"
	expect_rc 0 || return 1
	expect_out "(not a mount point; 1 mount at and beneath it)" || return 1
	printf '%s\n' "$STDOUT" | grep -q '^/deep  *show-deep ' || fail "deep line" || return 1
	# Nothing beneath: an empty list, and no table.
	mkdir "$ROOT/plain/empty"
	mg show --root "$ROOT/plain/empty" --json
	expect_rc 0 || return 1
	show_check_json no 0 "$ROOT/plain/empty" 'assert d["mounts"] == []' || return 1
	mg show --root "$ROOT/plain/empty"
	expect_rc 0 || return 1
	[ "$STDOUT" = "mount-guard show: root $ROOT/plain/empty (not a mount point; 0 mounts at and beneath it)" ] ||
		fail "empty text"
}

case_show_root_overmounted() {
	# Two mounts on the root itself, the lower one with a submount the
	# upper one hides: the tree starts at the bottom of the stack.
	mount -t tmpfs show-low "$ROOT" && mkdir "$ROOT/hidden" && mount -t tmpfs show-hidden "$ROOT/hidden" &&
		mount -t tmpfs show-high "$ROOT" || return 1
	baseline
	mg show --root "$ROOT" --json
	expect_rc 0 || return 1
	show_check_json yes 3 "$ROOT" '
top = d["mounts"]
assert len(top) == 1 and top[0]["source"] == "show-low", top
assert [(c["source"], c["path"]) for c in top[0]["children"]] == [("show-hidden", "/hidden"), ("show-high", "/")], top
'
}

case_show_errors() {
	local before
	before=$(snapshot)
	mg show --root "$T/absent"
	expect_rc 2 || return 1
	expect_err "cannot open root $T/absent: No such file or directory" || return 1
	[ -z "$STDOUT" ] || fail "output on error" || return 1
	echo x >"$T/file"
	mg show --root "$T/file"
	expect_rc 2 || return 1
	expect_err "cannot open root $T/file: Not a directory" || return 1
	mg show --root "$T/absent" --json
	expect_rc 2 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is False and d["exit_code"] == 2 and d["mounts"] == [] and d["count"] == 0, d
assert "cannot open root" in d["error"], d
' || fail "error json" || return 1
	mg show
	expect_rc 2 || return 1
	mg show --root "$ROOT" --config /dev/null
	expect_rc 2 || return 1
	expect_err "show takes --root DIR (and --json) only" || return 1
	mg show --root "$ROOT" --preset oci-default
	expect_rc 2 || return 1
	mg show --root "$ROOT" extra
	expect_rc 2 || return 1
	expect_unchanged "$before"
}

case_show_as_nobody() {
	show_known_tree || return 1
	chmod 755 "$T"
	local o e
	o=$(mktemp) e=$(mktemp)
	chmod 666 "$o" "$e"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		$MG_WRAP "$MG_BIN" show --root "$ROOT" --json >"$o" 2>"$e"
	RC=$? STDOUT=$(cat "$o") STDERR=$(cat "$e")
	rm -f "$o" "$e"
	expect_rc 0 || return 1
	show_check_json yes 9 "$ROOT" 'assert by_path["/ro"][0]["options"].startswith("ro,")'
}

case_show_after_apply() {
	mkdir -p "$ROOT/usr"
	mg apply --root "$ROOT" --ro-bind /usr /usr --tmpfs "/a b" --proc /proc --ro /proc/sys
	expect_rc 0 || return 1
	expect_out "result: 4 of 4 entries applied and verified against mountinfo; 0 skipped" || return 1
	# /usr's copy is recursive: with whatever the host has beneath /usr.
	local n
	n=$((4 + $(awk '$5 ~ "^/usr/"' /proc/self/mountinfo | wc -l)))
	expect_out "mount tree of $ROOT ($n mounts at and beneath it):" || return 1
	local tree
	tree=$(printf '%s\n' "$STDOUT" | sed -n '/^mount tree of /,$p')
	printf '%s\n' "$tree" | grep -q '^  /usr .*ro,nosuid,nodev' || fail "usr line" || return 1
	printf '%s\n' "$tree" | grep -q '^  /a b .* tmpfs  *rw,nosuid,nodev' || fail "tmpfs line" || return 1
	printf '%s\n' "$tree" | grep -q '^  /proc .* proc  *rw,nosuid,nodev,noexec' || fail "proc line" || return 1
	printf '%s\n' "$tree" | grep -q '^  └─/proc/sys .* proc  *ro,nosuid,nodev,noexec' || fail "proc/sys line" || return 1
	# The same as show says.
	local shown
	mg show --root "$ROOT"
	shown=$(printf '%s\n' "$STDOUT" | tail -n +2 | sed 's/^/  /')
	[ "$(printf '%s\n' "$tree" | tail -n +2)" = "$shown" ] || fail "apply's tree differs from show's"
}

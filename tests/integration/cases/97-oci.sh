# oci-hook under a real runtime: Debian's runc runs a container whose
# config.json registers `mount-guard oci-hook` as its createContainer hook
# (in the container's mount namespace, after runc's mounts, before
# pivot_root, the state JSON on stdin). The hook runs mount-guard under
# $MG_WRAP like every case, so both backends are exercised.
#
# runc keeps its state under $T/runc-state (--root), the container runs in
# its own mount namespace (and pid, net, ipc, uts: `runc spec`'s defaults,
# cgroups included), so nothing is left on the host: the container is
# deleted in any case, and the framework checks that no mount appeared
# outside the rootfs of this case's namespace.
#
# The rootfs is the case's $ROOT; the bundle ($T/bundle) names it as
# "../root", a relative root.path with "..", which runc and mount-guard both
# clean to $ROOT.

OCI_ID_N=0

# oci_rootfs: a busybox rootfs in $ROOT with the files the checks look at.
oci_rootfs() {
	[ -x /bin/busybox ] || { echo "  /bin/busybox missing (Debian busybox-static; scripts/deps.sh)"; return 1; }
	mkdir -p "$ROOT"/bin "$ROOT"/etc "$ROOT"/usr/lib "$ROOT"/secrets "$ROOT"/tmp "$ROOT"/out \
		"$ROOT"/proc "$ROOT"/dev "$ROOT"/sys || return 1
	cp /bin/busybox "$ROOT/bin/busybox" || return 1
	local c
	for c in sh cat echo stat ls test '['; do ln -sf busybox "$ROOT/bin/$c"; done
	echo "root:secret-hash:19000::::::" >"$ROOT/etc/shadow"
	chmod 0640 "$ROOT/etc/shadow"
	echo "key" >"$ROOT/secrets/api.key"
	echo "lib" >"$ROOT/usr/lib/libc.so"
	# What the container runs: each check prints one line on stdout.
	cat >"$ROOT/check.sh" <<'EOF'
echo started >/out/ran
echo "proc: $(stat -f -c %T /proc)"
echo "tmp: $(stat -f -c %T /tmp)"
echo "shadow: [$(cat /etc/shadow)]"
echo "secrets: [$(ls -A /secrets)]"
if echo x 2>/tmp/e1 >/etc/shadow; then echo "shadow write: allowed"; else echo "shadow write: $(cat /tmp/e1)"; fi
if echo x 2>/tmp/e2 >/usr/probe; then echo "usr write: allowed"; else echo "usr write: $(cat /tmp/e2)"; fi
if echo x 2>/tmp/e3 >/tmp/probe; then echo "tmp write: ok"; else echo "tmp write: $(cat /tmp/e3)"; fi
echo "usr read: $(cat /usr/lib/libc.so)"
EOF
}

# oci_bundle: $T/bundle/config.json from `runc spec`, with the hook
# ($T/hook.sh) registered at createContainer and $T/cout bound on /out (the
# marker the container writes, outside the rootfs).
oci_bundle() {
	command -v runc >/dev/null || { echo "  runc missing (Debian runc; scripts/deps.sh)"; return 1; }
	mkdir -p "$T/bundle" "$T/cout" "$T/runc-state" || return 1
	(cd "$T/bundle" && runc spec) || { echo "  runc spec failed"; return 1; }
	python3 - "$T" <<'EOF' || { echo "  cannot edit config.json"; return 1; }
import json, sys
t = sys.argv[1]
path = t + "/bundle/config.json"
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "/check.sh"]
c["root"] = {"path": "../root", "readonly": False}
c["mounts"].append({"destination": "/out", "type": "bind", "source": t + "/cout",
                    "options": ["rbind", "rw"]})
c["hooks"] = {"createContainer": [{
    "path": t + "/hook.sh", "args": ["hook.sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "timeout": 120}]}
json.dump(c, open(path, "w"), indent=1)
EOF
	# The hook: mount-guard under $MG_WRAP; its exit status and output are
	# kept for the checks (runc only says that the hook failed). runc gives
	# a hook only the environment config.json lists: the sanitizer options
	# of a sanitizer pass are written into the script.
	# (Single quotes are kept as written in a here-document: SC2016 is wrong.)
	# shellcheck disable=SC2016
	cat >"$T/hook.sh" <<EOF
#!/bin/sh
${ASAN_OPTIONS:+export ASAN_OPTIONS='$ASAN_OPTIONS'}
${UBSAN_OPTIONS:+export UBSAN_OPTIONS='$UBSAN_OPTIONS'}
$MG_WRAP "$MG_BIN" oci-hook --config "$T/mg.conf" >"$T/hook.out" 2>"$T/hook.err"
rc=\$?
echo \$rc >"$T/hook.rc"
exit \$rc
EOF
	chmod 0755 "$T/hook.sh"
}

# oci_run: runs the container (runc run, foreground); sets RUNC_RC, COUT
# (the container's stdout), RUNC_ERR, HOOK_RC, HOOK_ERR. The container is
# deleted afterwards whatever happened.
oci_run() {
	OCI_ID_N=$((OCI_ID_N + 1))
	local id="mg-oci-$$-$OCI_ID_N"
	rm -f "$T/hook.rc" "$T/hook.out" "$T/hook.err" "$T/cout/ran"
	timeout -k 5 180 runc --root "$T/runc-state" run --bundle "$T/bundle" "$id" \
		</dev/null >"$T/c.out" 2>"$T/c.err"
	RUNC_RC=$?
	runc --root "$T/runc-state" delete -f "$id" >/dev/null 2>&1
	COUT=$(cat "$T/c.out") RUNC_ERR=$(cat "$T/c.err")
	HOOK_RC=$(cat "$T/hook.rc" 2>/dev/null || echo "none")
	HOOK_ERR=$(cat "$T/hook.err" 2>/dev/null)
	STDOUT="container: $COUT
hook stdout: $(cat "$T/hook.out" 2>/dev/null)" STDERR="runc: $RUNC_ERR
hook: $HOOK_ERR" RC="runc $RUNC_RC, hook $HOOK_RC"
	if [ "$HOOK_RC" = 99 ]; then echo "  valgrind reported errors:"; printf '%s\n' "$HOOK_ERR" | tail -30; fi
	# Nothing of the container is left: runc's state and its cgroups (runc
	# 1.1 without cgroupsPath: /sys/fs/cgroup/[CONTROLLER/][PARENT/]ID).
	if [ -n "$(ls -A "$T/runc-state" 2>/dev/null)" ]; then
		echo "  runc state left: $(ls -A "$T/runc-state")"
		return 1
	fi
	local cg
	cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null)
	[ -z "$cg" ] || { echo "  cgroups left: $cg"; return 1; }
	return 0
}

# expect_cout LINE: the container printed exactly that line.
expect_cout() { printf '%s\n' "$COUT" | grep -qxF -- "$1" || fail "container output lacks the line: $1"; }
# expect_cout_re REGEX: ... a line matching it (busybox's message prefixes vary).
expect_cout_re() { printf '%s\n' "$COUT" | grep -qx -- "$1" || fail "container output lacks a line like: $1"; }

oci_good_conf() {
	conf "[mount tmp]
type = tmpfs
target = /tmp
options = nosuid,nodev,size=4m,mode=1777
[masked]
path = /etc/shadow
path = /secrets
[readonly]
path = /usr"
}

# oci_hook_registered yes|no: the bundle's createContainer hook on or off.
oci_hook_registered() {
	python3 - "$T/bundle/config.json" "$1" <<'EOF' || { echo "  cannot edit config.json"; return 1; }
import json, sys
path, on = sys.argv[1], sys.argv[2] == "yes"
c = json.load(open(path))
if on:
    c["hooks"] = c.pop("hooks-off")
else:
    c["hooks-off"] = c.pop("hooks")
json.dump(c, open(path, "w"), indent=1)
EOF
}

case_oci_runc_hook_applies() {
	oci_rootfs || return 1
	oci_bundle || return 1
	oci_good_conf
	# Control: without the hook the same checks see the rootfs as it is, so
	# they can tell the hook's work from its absence.
	oci_hook_registered no || return 1
	oci_run || return 1
	[ "$RUNC_RC" = 0 ] && [ "$HOOK_RC" = none ] || fail "control run" || return 1
	expect_cout "shadow: [root:secret-hash:19000::::::]" || return 1
	expect_cout "secrets: [api.key]" || return 1
	expect_cout "usr write: allowed" || return 1
	printf '%s\n' "$COUT" | grep -qx "tmp: tmpfs" && fail "control: /tmp is a tmpfs already" && return 1
	rm -f "$ROOT/usr/probe" "$ROOT/tmp/"*
	echo "root:secret-hash:19000::::::" >"$ROOT/etc/shadow"
	oci_hook_registered yes || return 1
	oci_run || return 1
	[ "$HOOK_RC" = 0 ] || fail "the hook failed" || return 1
	[ "$RUNC_RC" = 0 ] || fail "runc failed" || return 1
	[ -f "$T/cout/ran" ] || fail "the container did not run" || return 1
	grep -q "4 of 4 entries applied and verified" "$T/hook.out" || fail "hook report" || return 1
	# The hook ran mount-guard under $MG_WRAP: the backend it picks there.
	local want=new-api
	backend_is_fallback && want=proc-fd
	grep -q "mounts $want," "$T/hook.out" || fail "the hook did not use the $want backend" || return 1
	# What the container sees, from inside.
	expect_cout "proc: proc" || return 1
	expect_cout "tmp: tmpfs" || return 1
	expect_cout "shadow: []" || return 1
	expect_cout "secrets: []" || return 1
	expect_cout_re "shadow write: .*can't create /etc/shadow: Read-only file system" || return 1
	expect_cout_re "usr write: .*can't create /usr/probe: Read-only file system" || return 1
	expect_cout "tmp write: ok" || return 1
	expect_cout "usr read: lib" || return 1
	# The mounts were the container's own: the rootfs here is untouched.
	[ "$(cat "$ROOT/etc/shadow")" = "root:secret-hash:19000::::::" ] || fail "shadow changed" || return 1
	[ ! -e "$ROOT/tmp/probe" ] && [ ! -e "$ROOT/usr/probe" ] || fail "probe files in the rootfs" || return 1
	[ -z "$(awk -v r="$ROOT" 'index($5, r) == 1' /proc/self/mountinfo)" ] ||
		fail "mounts of the container visible here" || return 1
}

# A hostile rootfs: /data is a symlink to a host directory outside the
# rootfs. Resolved in the root it dangles, and a target that must be created
# through a dangling symlink is refused (exit 3). The entry before it had
# already created and mounted /made-by-hook: the rollback removes both. runc
# must not start the container: its process never runs (no marker), runc
# fails, and nothing is left in the rootfs or on the host directory.
case_oci_runc_hostile_rootfs_refused() {
	oci_rootfs || return 1
	oci_bundle || return 1
	mkdir -p "$T/escape"
	ln -s "$T/escape" "$ROOT/data"
	conf "[mount first]
type = tmpfs
target = /made-by-hook
create = dir
[mount data]
type = tmpfs
target = /data
create = dir
[masked]
path = /etc/shadow"
	oci_run || return 1
	[ "$HOOK_RC" = 3 ] || fail "the hook should refuse with exit 3" || return 1
	printf '%s' "$HOOK_ERR" | grep -q "entry 'data'.*dangling symlink" ||
		fail "the refusal does not name the entry and the reason" || return 1
	grep -q "^  first .* rolled-back " "$T/hook.out" || fail "/made-by-hook was not rolled back" || return 1
	grep -q "nothing this run did is left in place" "$T/hook.out" || fail "hook report" || return 1
	[ "$RUNC_RC" != 0 ] || fail "runc succeeded" || return 1
	printf '%s' "$RUNC_ERR" | grep -qi "hook" || fail "runc's error does not mention the hook" || return 1
	[ ! -e "$T/cout/ran" ] || fail "the container process ran" || return 1
	[ -z "$COUT" ] || fail "the container printed something" || return 1
	[ ! -e "$ROOT/made-by-hook" ] || fail "the created directory was left" || return 1
	[ -L "$ROOT/data" ] && [ -z "$(ls -A "$T/escape")" ] || fail "the symlink target was touched" || return 1
	[ ! -e "$ROOT$T/escape" ] || fail "created through the symlink" || return 1
	[ "$(cat "$ROOT/etc/shadow")" = "root:secret-hash:19000::::::" ] || fail "shadow changed" || return 1
}

# A hostile rootfs whose mask target /etc/shadow is a FIFO: mount-guard
# masks only directories and regular files, refuses it (exit 3) without
# blocking on it, and runc does not start the container.
case_oci_runc_fifo_mask_refused() {
	oci_rootfs || return 1
	oci_bundle || return 1
	rm -f "$ROOT/etc/shadow"
	mkfifo "$ROOT/etc/shadow"
	oci_good_conf
	oci_run || return 1
	[ "$HOOK_RC" = 3 ] || fail "the hook should refuse with exit 3" || return 1
	printf '%s' "$HOOK_ERR" | grep -q "/etc/shadow is a FIFO" || fail "the refusal's reason" || return 1
	grep -q "^  tmp .* rolled-back " "$T/hook.out" || fail "the tmpfs was not rolled back" || return 1
	[ "$RUNC_RC" != 0 ] || fail "runc succeeded" || return 1
	[ ! -e "$T/cout/ran" ] || fail "the container process ran" || return 1
	[ -p "$ROOT/etc/shadow" ] || fail "the FIFO was replaced" || return 1
}

# ---- the hook by hand: what it reads, and every refusal before any mount --

# oci_state_json: a state as runc writes it, for the bundle $T/bundle.
oci_state_json() {
	printf '{"ociVersion":"1.0.2-dev","id":"by-hand","status":"creating","pid":1,"bundle":"%s","annotations":{}}' \
		"$T/bundle"
}

# hook_by_hand STDIN-FILE: runs `oci-hook --config $T/mg.conf` with that stdin.
hook_by_hand() { mg oci-hook --config "$T/mg.conf" "$@" <"$T/state.json"; }

case_oci_hook_by_hand_applies() {
	oci_rootfs || return 1
	mkdir -p "$T/bundle"
	printf '{"ociVersion":"1.0.2","root":{"path":"../root"}}\n' >"$T/bundle/config.json"
	oci_state_json >"$T/state.json"
	oci_good_conf
	hook_by_hand
	expect_rc 0 || return 1
	expect_out "4 of 4 entries applied and verified" || return 1
	[ "$(fstype_at "$ROOT/tmp")" = tmpfs ] || fail "no tmpfs on /tmp" || return 1
	[ -z "$(cat "$ROOT/etc/shadow")" ] || fail "shadow not masked" || return 1
	(echo x >"$ROOT/usr/probe") 2>/dev/null && fail "/usr writable" && return 1
	# Again with an absolute root.path and --json: the report names the rootfs.
	mg teardown --root "$ROOT"
	expect_rc 0 || return 1
	printf '{"root":{"path":"%s"}}' "$ROOT" >"$T/bundle/config.json"
	hook_by_hand --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["root"] == sys.argv[1], r["root"]
assert r["command"] == "apply", r.get("command")
' "$ROOT" || fail "JSON report" || return 1
	oci_teardown
}

# oci_teardown: the case's mounts beneath $ROOT go (the framework's cleanup
# then removes $T without walking into them).
oci_teardown() {
	mg teardown --root "$ROOT"
	expect_rc 0 || return 1
	[ -z "$(awk -v r="$ROOT/" 'index($5, r) == 1' /proc/self/mountinfo)" ] || fail "mounts left after teardown"
}

case_oci_hook_by_hand_preset() {
	# --preset instead of --config: runc's own defaults, applied as a hook.
	mkdir -p "$ROOT" "$T/bundle"
	printf '{"root":{"path":"../root"}}' >"$T/bundle/config.json"
	oci_state_json >"$T/state.json"
	mg oci-hook --preset oci-default <"$T/state.json"
	expect_rc 0 || return 1
	expect_out "entries applied and verified" || return 1
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "no proc on /proc" || return 1
	[ "$(fstype_at "$ROOT/sys")" = sysfs ] || fail "no sysfs on /sys" || return 1
	[ -c "$ROOT/dev/null" ] || fail "no /dev/null" || return 1
	oci_teardown
}

# oci_refused WHY-ON-STDERR: the hook by hand exits 2, says why, mounts nothing.
oci_refused() {
	local before
	before=$(snapshot)
	hook_by_hand
	expect_rc 2 || return 1
	expect_err "$1" || return 1
	expect_unchanged "$before" || return 1
	[ -z "$(ls -A "$ROOT/tmp")" ] || fail "something created in the rootfs"
}

case_oci_hook_malformed_state_refused() {
	oci_rootfs || return 1
	mkdir -p "$T/bundle"
	printf '{"root":{"path":"../root"}}' >"$T/bundle/config.json"
	oci_good_conf
	: >"$T/state.json"
	oci_refused "OCI state on stdin is empty" || return 1
	oci_state_json | head -c 40 >"$T/state.json"
	oci_refused "ends inside its JSON value" || return 1
	printf '{"bundle":"%s",}' "$T/bundle" >"$T/state.json"
	oci_refused "is not valid JSON" || return 1
	printf '{"bundle":"%s"} {"bundle":"/"}' "$T/bundle" >"$T/state.json"
	oci_refused "is not valid JSON" || return 1
	printf '["%s"]' "$T/bundle" >"$T/state.json"
	oci_refused "is not a JSON object" || return 1
	printf '{"bundle":"%s"}\0' "$T/bundle" >"$T/state.json"
	oci_refused "has a NUL byte" || return 1
	printf '{"id":"x"}' >"$T/state.json"
	oci_refused 'has no "bundle"' || return 1
	printf '{"bundle":7}' >"$T/state.json"
	oci_refused '"bundle" is not a string' || return 1
	printf '{"bundle":"bundle"}' >"$T/state.json"
	oci_refused 'bundle "bundle" is not an absolute path' || return 1
	printf '{"bundle":"%s","status":"running"}' "$T/bundle" >"$T/state.json"
	oci_refused 'status "running"' || return 1
	# Deeper than the nesting limit (16).
	printf '{"bundle":"%s","annotations":{"a":%s%s}}' "$T/bundle" \
		"$(printf '[%.0s' $(seq 20))" "$(printf ']%.0s' $(seq 20))" >"$T/state.json"
	oci_refused "nests deeper than 16 levels" || return 1
	# Over 1 MiB: refused, never cut and parsed.
	{ oci_state_json; head -c 1048576 /dev/zero | tr '\0' ' '; } >"$T/state.json"
	oci_refused "OCI state on stdin is larger than 1 MiB" || return 1
	# Exactly 1 MiB is read whole (and applied).
	{ oci_state_json; head -c $((1048576 - $(oci_state_json | wc -c))) /dev/zero | tr '\0' ' '; } >"$T/state.json"
	[ "$(wc -c <"$T/state.json")" = 1048576 ] || fail "fixture size" || return 1
	hook_by_hand
	expect_rc 0 || return 1
	oci_teardown
}

case_oci_hook_bad_bundle_refused() {
	oci_rootfs || return 1
	mkdir -p "$T/bundle"
	oci_good_conf
	oci_state_json >"$T/state.json"
	oci_refused "cannot open $T/bundle/config.json: No such file or directory" || return 1
	mkfifo "$T/bundle/config.json"
	oci_refused "config.json is not a regular file" || return 1
	rm -f "$T/bundle/config.json"
	printf '{"root":{"path":"../root"}' >"$T/bundle/config.json"
	oci_refused "$T/bundle/config.json ends inside its JSON value" || return 1
	printf '{"root":{}}' >"$T/bundle/config.json"
	oci_refused 'has no "root.path"' || return 1
	printf '{"root":{"path":""}}' >"$T/bundle/config.json"
	oci_refused "root.path is empty" || return 1
	printf '{"root":{"path":["../root"]}}' >"$T/bundle/config.json"
	oci_refused '"root.path" is not a string' || return 1
	# runc would read "Path" (Go matches keys in any case): refused.
	printf '{"root":{"path":"../root","Path":"/"}}' >"$T/bundle/config.json"
	oci_refused 'key "Path" differs from "path" only in case' || return 1
	printf '{"root":{"path":"../nothing-here"}}' >"$T/bundle/config.json"
	oci_refused "cannot open root $T/nothing-here" || return 1
	# The list is read from a file: "-" would be the state itself.
	printf '{"root":{"path":"../root"}}' >"$T/bundle/config.json"
	local before
	before=$(snapshot)
	mg oci-hook --config - <"$T/state.json"
	expect_rc 2 || return 1
	expect_err "--config - is not possible" || return 1
	expect_unchanged "$before"
}

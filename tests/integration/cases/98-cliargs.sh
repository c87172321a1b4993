# bubblewrap-style mount arguments (--bind SRC DST, --ro-bind, --proc, --dev,
# --tmpfs, --mqueue, --mask, --ro, --rw): each kind applied and checked in
# mountinfo, after the config's (and preset's) entries in order, and every
# refusal exit 2 (or 3 for a hostile tree) with the argument named and
# nothing touched. Argument positions count from mount-guard's argv[0]:
# `mg apply --root R --tmpfs /x` makes --tmpfs argument 4 (arg4-tmpfs).

# The per-mount options (mountinfo field 6) of the top mount at $1.
cliargs_opts_at() { mountinfo_at "$1" | awk '{print $6}'; }
cliargs_has_opt() { case ",$(cliargs_opts_at "$1")," in *",$2,"*) return 0 ;; esac; return 1; }

case_cliargs_each_kind() {
	mkdir -p "$T/src/sub" "$ROOT/usr/local" "$ROOT/etc"
	echo data >"$T/src/file"
	echo host-file >"$T/hostfile"
	echo secret >"$ROOT/etc/secret"
	mg apply --root "$ROOT" --bind "$T/src" /data --ro-bind "$T/src" /rodata \
		--bind "$T/hostfile" /etc/hostfile --proc /proc --dev /dev --tmpfs /tmp \
		--mqueue /dev/mqueue --mask /etc/secret --ro /usr --rw /usr/local
	expect_rc 0 || return 1
	# Names give the argv position of each option.
	local n
	for n in arg4-bind arg7-ro-bind arg10-bind arg13-proc arg15-dev arg17-tmpfs arg19-mqueue \
		arg21-mask arg23-ro arg25-rw; do
		expect_out "$n" || return 1
	done
	expect_out "10 of 10 entries applied and verified" || return 1
	# bubblewrap's binds are recursive, nosuid and nodev; --ro-bind adds ro.
	[ "$(cat "$ROOT/data/file")" = data ] || fail "--bind content" || return 1
	cliargs_has_opt "$ROOT/data" rw && cliargs_has_opt "$ROOT/data" nosuid &&
		cliargs_has_opt "$ROOT/data" nodev || fail "--bind flags: $(cliargs_opts_at "$ROOT/data")" || return 1
	cliargs_has_opt "$ROOT/rodata" ro && cliargs_has_opt "$ROOT/rodata" nosuid &&
		cliargs_has_opt "$ROOT/rodata" nodev || fail "--ro-bind flags: $(cliargs_opts_at "$ROOT/rodata")" || return 1
	touch "$ROOT/rodata/new" 2>/dev/null && fail "--ro-bind is writable" && return 1
	touch "$ROOT/data/new" || fail "--bind is not writable" || return 1
	# A missing target of a bind of a file is created as an empty file.
	[ -f "$ROOT/etc/hostfile" ] && [ "$(cat "$ROOT/etc/hostfile")" = host-file ] ||
		fail "--bind of a file" || return 1
	is_mounted "$ROOT/etc/hostfile" || fail "--bind of a file: not a mount" || return 1
	# Missing targets of the other kinds are created as directories.
	[ "$(fstype_at "$ROOT/proc")" = proc ] || fail "no proc" || return 1
	cliargs_has_opt "$ROOT/proc" nosuid && cliargs_has_opt "$ROOT/proc" nodev &&
		cliargs_has_opt "$ROOT/proc" noexec || fail "--proc flags: $(cliargs_opts_at "$ROOT/proc")" || return 1
	[ "$(fstype_at "$ROOT/dev")" = tmpfs ] && [ -c "$ROOT/dev/null" ] || fail "--dev" || return 1
	[ "$(fstype_at "$ROOT/dev/pts")" = devpts ] || fail "--dev: no devpts" || return 1
	[ "$(fstype_at "$ROOT/tmp")" = tmpfs ] || fail "no tmpfs" || return 1
	cliargs_has_opt "$ROOT/tmp" nosuid && cliargs_has_opt "$ROOT/tmp" nodev ||
		fail "--tmpfs flags: $(cliargs_opts_at "$ROOT/tmp")" || return 1
	[ "$(stat -c %a "$ROOT/tmp")" = 755 ] || fail "--tmpfs mode $(stat -c %a "$ROOT/tmp")" || return 1
	[ "$(fstype_at "$ROOT/dev/mqueue")" = mqueue ] || fail "no mqueue" || return 1
	# --mask: empty and read-only; --ro: read-only; --rw: writable beneath it.
	[ -z "$(cat "$ROOT/etc/secret")" ] || fail "mask shows the file" || return 1
	echo x 2>/dev/null >"$ROOT/etc/secret" && fail "mask is writable" && return 1
	cliargs_has_opt "$ROOT/usr" ro || fail "--ro: $(cliargs_opts_at "$ROOT/usr")" || return 1
	touch "$ROOT/usr/new" 2>/dev/null && fail "--ro is writable" && return 1
	cliargs_has_opt "$ROOT/usr/local" rw || fail "--rw: $(cliargs_opts_at "$ROOT/usr/local")" || return 1
	touch "$ROOT/usr/local/new" || fail "--rw is not writable"
}

case_cliargs_alone_plan_changes_nothing() {
	local before
	before=$(snapshot)
	mg plan --root "$ROOT" --ro-bind /usr /usr --proc /proc --json
	expect_rc 0 || return 1
	expect_unchanged "$before" || return 1
	[ ! -e "$ROOT/usr" ] && [ ! -e "$ROOT/proc" ] || fail "plan created a target" || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["entries"]
assert d["ok"] is True, d
assert [(x["name"], x["type"], x["source"], x["target"], x["create"], x["options"]) for x in e] == [
    ("arg4-ro-bind", "rbind", "/usr", "/usr", "dir", "ro,nosuid,nodev"),
    ("arg7-proc", "proc", None, "/proc", "dir", "nosuid,nodev,noexec")], e
' || fail "plan json"
}

case_cliargs_after_config_in_order() {
	mkdir -p "$T/src" "$ROOT/x"
	echo from-src >"$T/src/f"
	conf "[mount a]
type = tmpfs
target = /a
options = mode=0700
create = dir
[mount x]
type = tmpfs
target = /x
options = mode=0700"
	# argv: 4 --config, 6 --bind, 9 --tmpfs
	apply --bind "$T/src" /a/b --tmpfs /x --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [x["name"] for x in d["entries"]] == ["a", "x", "arg6-bind", "arg9-tmpfs"], d["entries"]
assert all(x["status"] == "mounted" for x in d["entries"]), d["entries"]
' || fail "order in the report" || return 1
	# The bind lands inside the config's tmpfs (created there, after it).
	[ "$(cat "$ROOT/a/b/f")" = from-src ] || fail "bind beneath the config's tmpfs" || return 1
	local a_id b_parent
	a_id=$(mountinfo_at "$ROOT/a" | awk '{print $1}')
	b_parent=$(mountinfo_at "$ROOT/a/b" | awk '{print $2}')
	[ -n "$a_id" ] && [ "$a_id" = "$b_parent" ] || fail "/a/b is not on the config's /a" || return 1
	# Both on /x: the argument's tmpfs (0755) is on top of the config's (0700).
	[ "$(awk -v p="$ROOT/x" '$5 == p' /proc/self/mountinfo | wc -l)" = 2 ] || fail "two mounts on /x" || return 1
	[ "$(stat -c %a "$ROOT/x")" = 755 ] || fail "the argument did not come last on /x"
}

case_cliargs_after_preset() {
	mg plan --root "$ROOT" --preset minimal-chroot --tmpfs /run --json
	expect_rc 0 || return 1
	printf '%s' "$STDOUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [x["name"] for x in d["entries"]]
assert names[:2] == ["proc", "tmp"] and "arg6-tmpfs" in names, names
mounts = [n for n, x in zip(names, d["entries"]) if x["kind"] == "mount"]
assert mounts[-1] == "arg6-tmpfs", mounts
' || fail "preset then arguments"
}

case_cliargs_bind_source_symlink_followed() {
	# Sources are host paths, trusted like the config's (SECURITY.md):
	# a symlink is followed, and what it names decides what is created.
	mkdir -p "$T/srcdir"
	echo in-dir >"$T/srcdir/f"
	echo a-file >"$T/srcfile"
	ln -s "$T/srcdir" "$T/link-dir"
	ln -s "$T/srcfile" "$T/link-file"
	mg apply --root "$ROOT" --ro-bind "$T/link-dir" /d --ro-bind "$T/link-file" /f
	expect_rc 0 || return 1
	[ -d "$ROOT/d" ] && [ "$(cat "$ROOT/d/f")" = in-dir ] || fail "dir through a link" || return 1
	[ -f "$ROOT/f" ] && [ "$(cat "$ROOT/f")" = a-file ] || fail "file through a link"
}

# Each refusal: exit 2, the message, nothing mounted, nothing created.
cliargs_refused() {
	local want=$1 msg=$2 before
	shift 2
	before=$(snapshot)
	mg "$@"
	expect_rc "$want" || return 1
	expect_err "$msg" || return 1
	expect_unchanged "$before" || return 1
	[ -z "$(ls -A "$ROOT")" ] || fail "something was created in the root: $(ls -A "$ROOT")"
}

case_cliargs_usage_errors() {
	cliargs_refused 2 "argument 4 (--bind): missing second operand" apply --root "$ROOT" --bind /usr || return 1
	cliargs_refused 2 "argument 6 (--ro-bind): missing second operand" \
		exec --root "$ROOT" --tmpfs /t --ro-bind /usr -- /bin/true || return 1
	cliargs_refused 2 "argument 4 (--tmpfs): missing operand" apply --root "$ROOT" --tmpfs || return 1
	cliargs_refused 2 "argument 6 (--tmpfs tmp): entry 'arg6-tmpfs': config: DST must be an absolute path" \
		apply --root "$ROOT" --tmpfs /ok --tmpfs tmp --proc /proc || return 1
	cliargs_refused 2 "argument 4 (--bind usr /usr): entry 'arg4-bind': config: SRC must be an absolute path" \
		apply --root "$ROOT" --bind usr /usr || return 1
	cliargs_refused 2 "argument 4 (--mask etc/shadow)" apply --root "$ROOT" --mask etc/shadow || return 1
	cliargs_refused 2 "argument 4 (--bind $T/absent /a): entry 'arg4-bind': config: source $T/absent: No such file" \
		apply --root "$ROOT" --bind "$T/absent" /a || return 1
	local long
	long=$(printf 'x%.0s' $(seq 1 300))
	cliargs_refused 2 "DST has a component longer than NAME_MAX" apply --root "$ROOT" --tmpfs "/$long" || return 1
	# A path with a newline is named escaped, on one line.
	cliargs_refused 2 "argument 4 (--ro a\\x0ab)" plan --root "$ROOT" --ro "a
b" || return 1
	cliargs_refused 2 "unknown or incomplete option '--frobnicate'" \
		apply --root "$ROOT" --tmpfs /a --frobnicate || return 1
	cliargs_refused 2 "unexpected argument '/c'" apply --root "$ROOT" --bind /usr /b /c || return 1
	# No --root, or nothing to mount.
	cliargs_refused 2 "needs --root DIR" apply --tmpfs /a || return 1
	cliargs_refused 2 "needs --root DIR and --config FILE, --preset NAME or mount arguments" \
		apply --root "$ROOT" || return 1
	cliargs_refused 2 "exec needs" exec --root "$ROOT" --tmpfs /a || return 1
}

case_cliargs_refused_for_other_commands() {
	cliargs_refused 2 "argument 4 (--tmpfs): mount arguments are for apply, plan and exec, not teardown" \
		teardown --root "$ROOT" --tmpfs /a || return 1
	cliargs_refused 2 "argument 4 (--bind): mount arguments are for apply, plan and exec, not show" \
		show --root "$ROOT" --bind /usr /usr || return 1
	cliargs_refused 2 "mount arguments are for apply, plan and exec, not serve" serve --fd 3 --ro /usr || return 1
	cliargs_refused 2 "mount arguments are for apply, plan and exec, not oci-hook" \
		oci-hook --preset oci-default --proc /proc || return 1
	cliargs_refused 2 "mount arguments are for apply, plan and exec, not policy" \
		policy check /dev/null --mask /x || return 1
	cliargs_refused 2 "explains the policy only" plan --as-uid 1000 --tmpfs /x
}

case_cliargs_options_per_command() {
	cliargs_refused 2 "--as-uid/--as-gid is for plan only, not apply" \
		apply --root "$ROOT" --tmpfs /a --as-uid 1000 || return 1
	cliargs_refused 2 "explains the policy only" plan --as-uid 1000 --root "$ROOT" --tmpfs /a || return 1
	cliargs_refused 2 "--fd is for serve only, not apply" apply --root "$ROOT" --tmpfs /a --fd 3 || return 1
	cliargs_refused 2 "--draft is for policy only, not apply" apply --root "$ROOT" --tmpfs /a --draft || return 1
	cliargs_refused 2 "--policy is for serve and plan --as-uid, not apply" \
		apply --root "$ROOT" --tmpfs /a --policy /dev/null || return 1
	cliargs_refused 2 "teardown takes --root DIR (and --json) only" teardown --root "$ROOT" --unshare || return 1
	cliargs_refused 2 "--unshare is for exec only" apply --root "$ROOT" --tmpfs /a --unshare || return 1
	# Commands that would ignore an option refuse it instead.
	cliargs_refused 2 "policy check takes FILE (and --draft) only" policy check /dev/null --root "$ROOT" || return 1
	cliargs_refused 2 "policy check takes FILE (and --draft) only" policy check /dev/null --json || return 1
	cliargs_refused 2 "policy check takes FILE (and --draft) only" policy check /dev/null --config /dev/null || return 1
	cliargs_refused 2 "serve takes --fd N (and --policy FILE) only" serve --fd 3 --unshare || return 1
	cliargs_refused 2 "explains the policy only" plan --as-uid 1000 --unshare
}

case_cliargs_name_taken_by_config() {
	conf "[mount arg6-tmpfs]
type = tmpfs
target = /a
create = dir"
	cliargs_refused 2 "argument 6 (--tmpfs /b): entry 'arg6-tmpfs': config: entry name 'arg6-tmpfs' is already used by $T/mg.conf line 1" \
		apply --root "$ROOT" --config "$T/mg.conf" --tmpfs /b
}

case_cliargs_config_error_first() {
	conf "[mount a]
type = tmpfs
target = relative"
	cliargs_refused 2 "mg.conf:3: entry 'a'" apply --root "$ROOT" --config "$T/mg.conf" --tmpfs /b
}

case_cliargs_hostile_target_refused() {
	# Dangling symlinks out of the root (absolute and relative): nothing is
	# created through them, nothing is mounted (exit 3), the argument named.
	ln -s "$OUT" "$ROOT/evil"
	ln -s ../../../../../../outside "$ROOT/rel"
	local before a
	before=$(snapshot)
	for a in "--proc /evil" "--tmpfs /evil/new" "--tmpfs /rel/x" "--bind /usr /evil/u" "--dev /rel"; do
		# shellcheck disable=SC2086
		mg apply --root "$ROOT" --tmpfs /ok $a
		expect_rc 3 || return 1
		expect_err "argument 6 (${a})" || return 1
		expect_unchanged "$before" || return 1
		[ "$(ls -A "$ROOT" | tr '\n' ' ')" = "evil rel " ] || fail "created: $(ls -A "$ROOT")" || return 1
	done
	# The same symlink when its in-root target exists: the mount lands
	# inside the root ($ROOT$OUT), never on $OUT.
	mkdir -p "$ROOT$OUT"
	mg apply --root "$ROOT" --tmpfs /evil
	expect_rc 0 || return 1
	[ "$(fstype_at "$ROOT$OUT")" = tmpfs ] || fail "did not land in the root"
}

case_cliargs_symlinks_refuse_applies() {
	mkdir -p "$ROOT/real"
	ln -s real "$ROOT/link"
	conf "[options]
symlinks = refuse"
	local before
	before=$(snapshot)
	apply --tmpfs /link
	expect_rc 3 || return 1
	expect_err "argument 6 (--tmpfs /link): entry 'arg6-tmpfs': resolve: target /link has a symlink" || return 1
	expect_unchanged "$before"
}

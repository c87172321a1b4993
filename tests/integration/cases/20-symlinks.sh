# Symlinks inside the rootfs that try to lead mounts outside it.

case_abs_symlink_to_outside_lands_inside() {
	# evil -> $OUT (an absolute host path): resolved in root, it means
	# $ROOT$OUT, which we create so the mount has a place to land.
	ln -s "$OUT" "$ROOT/evil"
	mkdir -p "$ROOT$OUT"
	conf "[mount t]
type = tmpfs
target = /evil"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT$OUT" || fail "did not land in the root" || return 1
	expect_out "-> $OUT"
}

case_abs_symlink_to_outside_missing() {
	ln -s "$OUT" "$ROOT/evil"
	conf "[mount t]
type = tmpfs
target = /evil"
	apply
	expect_rc 1 || return 1
	expect_err "entry 't'" || return 1
	expect_err "does not exist"
}

case_relative_symlink_escape_clamped() {
	mkdir -p "$ROOT/a" "$ROOT/outside"
	ln -s ../../../../outside "$ROOT/a/evil"
	conf "[mount t]
type = tmpfs
target = /a/evil"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/outside" || fail "not clamped to the root"
}

case_dotdot_in_target_clamped() {
	mkdir -p "$ROOT/outside"
	conf "[mount t]
type = tmpfs
target = /../../../outside"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/outside" || fail "not at /outside in the root"
}

case_symlink_chain_via_dotdot() {
	mkdir -p "$ROOT/x/y" "$ROOT/etc"
	ln -s ../../../../etc "$ROOT/x/y/up"
	ln -s /x/y/up/../etc "$ROOT/link"
	conf "[mount t]
type = tmpfs
target = /link"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/etc" || fail "expected the mount on /etc"
}

case_symlink_loop_refused() {
	ln -s b "$ROOT/a"
	ln -s a "$ROOT/b"
	conf "[mount t]
type = tmpfs
target = /a"
	apply
	expect_rc 3 || return 1
	expect_err "symlink loop"
}

case_symlink_loop_with_create_refused() {
	ln -s b "$ROOT/a"
	ln -s a "$ROOT/b"
	conf "[mount t]
type = tmpfs
target = /a/sub
create = dir"
	apply
	expect_rc 3
}

case_dangling_symlink_create_refused() {
	ln -s /nowhere/at/all "$ROOT/dangle"
	local before
	before=$(snapshot)
	conf "[mount t]
type = tmpfs
target = /dangle
create = dir"
	apply
	expect_rc 3 || return 1
	expect_err "dangling symlink" || return 1
	[ ! -e "$ROOT/nowhere" ] || fail "created through the dangling link" || return 1
	expect_unchanged "$before"
}

case_dangling_symlink_no_create() {
	ln -s /nowhere "$ROOT/dangle"
	conf "[mount t]
type = tmpfs
target = /dangle"
	apply
	expect_rc 1
}

case_refuse_mode_symlink_refused() {
	mkdir -p "$ROOT/real"
	ln -s real "$ROOT/link"
	local before
	before=$(snapshot)
	conf "[options]
symlinks = refuse
[mount t]
type = tmpfs
target = /link"
	apply
	expect_rc 3 || return 1
	expect_err "symlinks = refuse" || return 1
	expect_unchanged "$before"
}

case_refuse_mode_dotdot_above_root() {
	mkdir -p "$ROOT/a"
	conf "[options]
symlinks = refuse
[mount t]
type = tmpfs
target = /../a"
	apply
	expect_rc 3
}

case_refuse_mode_intermediate_symlink() {
	mkdir -p "$ROOT/real/d"
	ln -s real "$ROOT/link"
	conf "[options]
symlinks = refuse
[mount t]
type = tmpfs
target = /link/d"
	apply
	expect_rc 3
}

case_magic_link_in_rootfs_proc_refused() {
	# A procfs mounted inside the rootfs: /proc/self/root is a magic link
	# that would jump to the host's root.
	mkdir -p "$ROOT/proc"
	mount -t proc proc "$ROOT/proc"
	conf "[mount t]
type = tmpfs
target = /proc/self/root/tmp"
	apply
	expect_rc 3 || return 1
	expect_err "magic link"
}

case_symlink_to_magic_link_refused() {
	mkdir -p "$ROOT/proc"
	mount -t proc proc "$ROOT/proc"
	# The helper's own cwd is the host's /: a jump there is an escape.
	ln -s /proc/self/cwd "$ROOT/cwdlink"
	conf "[mount t]
type = tmpfs
target = /cwdlink"
	apply
	expect_rc 3
}

case_merged_usr_symlinks_ok() {
	mkdir -p "$ROOT/usr/lib" "$ROOT/var" "$ROOT/run/lock"
	ln -s usr/lib "$ROOT/lib"
	ln -s /run "$ROOT/var/run"
	conf "[mount a]
type = tmpfs
target = /lib/x
create = dir
[mount b]
type = tmpfs
target = /var/run/lock"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/usr/lib/x" || fail "a not at /usr/lib/x" || return 1
	is_mounted "$ROOT/run/lock" || fail "b not at /run/lock"
}

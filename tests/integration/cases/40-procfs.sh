# A fake /proc in the rootfs, and a fake /proc in mount-guard's own namespace.

case_proc_target_symlink_refused() {
	# runc CVE-2019-16884 style: the rootfs makes /proc a symlink, so a
	# procfs (and what is later written under it) lands somewhere else.
	mkdir -p "$ROOT/fakeproc"
	ln -s /fakeproc "$ROOT/proc"
	conf "[mount proc]
type = proc
target = /proc"
	apply
	expect_rc 3 || return 1
	expect_err "through a symlink" || return 1
	is_mounted "$ROOT/fakeproc" && fail "mounted on the link target"
	return 0
}

case_sysfs_target_symlink_refused() {
	mkdir -p "$ROOT/elsewhere"
	ln -s elsewhere "$ROOT/sys"
	conf "[mount s]
type = sysfs
target = /sys"
	apply
	expect_rc 3
}

case_bind_onto_proc_refused() {
	mkdir -p "$ROOT/proc" "$T/fake"
	conf "[mount p]
type = bind
source = $T/fake
target = /proc"
	apply
	expect_rc 3 || return 1
	expect_err "only a procfs may be mounted on /proc"
}

case_tmpfs_onto_proc_refused() {
	mkdir -p "$ROOT/proc"
	conf "[mount p]
type = tmpfs
target = /proc"
	apply
	expect_rc 3
}

case_fake_proc_tree_refused() {
	# /proc in the rootfs is a plain directory tree (or a tmpfs): writing a
	# "mask" under it would only hide the attacker's own files.
	mkdir -p "$ROOT/proc/sys/kernel" "$T/src"
	conf "[mount m]
type = bind
source = $T/src
target = /proc/sys"
	apply
	expect_rc 3 || return 1
	expect_err "fake /proc"
}

case_fake_proc_tmpfs_refused() {
	mkdir -p "$ROOT/proc"
	mount -t tmpfs tmpfs "$ROOT/proc"
	mkdir -p "$ROOT/proc/sys" "$T/src"
	conf "[mount m]
type = bind
source = $T/src
target = /proc/sys"
	apply
	expect_rc 3
}

case_under_real_proc_after_proc_entry() {
	mkdir -p "$ROOT/proc" "$T/src"
	conf "[mount proc]
type = proc
target = /proc
[mount m]
type = bind
source = $T/src
target = /proc/sys
options = ro"
	apply
	expect_rc 0 || return 1
	is_mounted "$ROOT/proc/sys" || fail "no bind on the real /proc/sys"
}

case_helper_proc_is_tmpfs() {
	# mount-guard's own /proc is fake. The new-API backend uses a private
	# procfs instance and never looks at /proc; the fallback backend must
	# refuse to use it.
	mkdir -p "$ROOT/d"
	mount -t tmpfs tmpfs /proc
	conf "[mount t]
type = tmpfs
target = /d"
	no_lsan apply
	umount /proc
	if backend_is_fallback; then
		expect_rc 3 || return 1
		expect_err "not the root of a procfs"
	else
		expect_rc 0 || return 1
		expect_out "procfs private"
	fi
}

case_helper_proc_is_bind_of_pid_dir() {
	# /proc replaced by a bind of one procfs directory: right magic, wrong
	# inode.
	mkdir -p "$ROOT/d"
	mount --bind /proc/1 /proc
	conf "[mount t]
type = tmpfs
target = /d"
	no_lsan apply
	umount /proc
	if backend_is_fallback; then
		expect_rc 3 || return 1
		expect_err "not the root of a procfs"
	else
		expect_rc 0
	fi
}

case_helper_proc_fd_overmounted() {
	# A tmpfs over /proc/PID/fd of the helper itself (the shell mounts it
	# over its own pid, then execs the helper, which keeps the pid): self/fd
	# would then be a directory the attacker filled. The fallback refuses
	# it (mount id differs from the procfs root's); the private instance
	# of the new-API backend is not affected.
	mkdir -p "$ROOT/d" "$T/fakefd"
	conf "[mount t]
type = tmpfs
target = /d"
	local o e
	o=$(mktemp) e=$(mktemp)
	# shellcheck disable=SC2016
	sh -c 'd=$1; shift; mount --bind "$d" /proc/$$/fd && exec "$@"' sh "$T/fakefd" $MG_WRAP "$MG_BIN" apply --root "$ROOT" --config "$T/mg.conf" >"$o" 2>"$e"
	RC=$? STDOUT=$(cat "$o") STDERR=$(cat "$e")
	if backend_is_fallback; then
		expect_rc 3 || return 1
		expect_err "self/fd" || return 1
		is_mounted "$ROOT/d" && fail "mounted anyway"
		return 0
	fi
	expect_rc 0
}

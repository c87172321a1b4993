# Targets that are not directories or regular files, and type mismatches.

refused_target() { # $1: path in root (already made), $2: expected words
	local before
	before=$(snapshot)
	conf "[mount t]
type = tmpfs
target = $1"
	apply
	expect_rc 3 || return 1
	expect_err "$2" || return 1
	expect_unchanged "$before"
}

case_fifo_target_refused() {
	mkfifo "$ROOT/fifo"
	# A plain open(2) of a FIFO would block forever: only O_PATH is used.
	timeout 20 true
	refused_target /fifo "FIFO"
}

case_socket_target_refused() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$ROOT/sock"
	refused_target /sock "socket"
}

case_chardev_target_refused() {
	mknod "$ROOT/null" c 1 3
	refused_target /null "character device"
}

case_blockdev_target_refused() {
	mknod "$ROOT/blk" b 7 0
	refused_target /blk "block device"
}

case_file_where_dir_expected() {
	echo x >"$ROOT/file"
	refused_target /file/sub "not a directory"
}

case_tmpfs_on_regular_file_refused() {
	echo x >"$ROOT/file"
	refused_target /file "needs a directory"
}

case_bind_dir_onto_file_refused() {
	mkdir -p "$T/src"
	echo x >"$ROOT/file"
	conf "[mount b]
type = bind
source = $T/src
target = /file"
	apply
	expect_rc 3 || return 1
	expect_err "source is a directory but the target"
}

case_bind_source_fifo_refused() {
	mkfifo "$T/srcfifo"
	mkdir -p "$ROOT/d"
	conf "[mount b]
type = bind
source = $T/srcfifo
target = /d"
	apply
	expect_rc 3 || return 1
	expect_err "source is a FIFO"
}

case_target_is_root_refused() {
	conf "[mount t]
type = tmpfs
target = /"
	apply
	expect_rc 3 || return 1
	expect_err "rootfs root"
}

case_symlink_to_root_refused() {
	ln -s / "$ROOT/rootlink"
	conf "[mount t]
type = tmpfs
target = /rootlink"
	apply
	expect_rc 3
}

# Many binds of one source. From the 16th bind of a source on, the new-API
# backend clones a private detached copy of it instead of the source itself
# (engine.c, bind_source_fd: the kernel's cost of cloning grows with the
# mounts on the source's mount). $T/src and $ROOT lie on one filesystem
# mount, as in the benchmark, so the copy path runs here; the proc-fd
# backend (enosys pass) binds every one from the source. Either way the
# result must be the same mounts.

# binds_conf N SOURCE [MISSING]: N read-only binds of SOURCE on /b/0../b/N-1;
# entry MISSING (if given) targets a path that does not exist.
binds_conf() {
	local n=$1 src=$2 missing=${3:--1} i
	mkdir -p "$ROOT/b"
	{
		for ((i = 0; i < n; i++)); do
			if [ "$i" = "$missing" ]; then
				printf '[mount b%s]\ntype = bind\nsource = %s\ntarget = /nope/%s\noptions = ro\n\n' "$i" "$src" "$i"
			else
				mkdir -p "$ROOT/b/$i"
				printf '[mount b%s]\ntype = bind\nsource = %s\ntarget = /b/%s\noptions = ro\n\n' "$i" "$src" "$i"
			fi
		done
	} >"$T/mg.conf"
}

case_many_binds_of_one_source() {
	mkdir -p "$T/src"
	echo hello >"$T/src/file"
	binds_conf 40 "$T/src"
	apply
	expect_rc 0 || return 1
	local i line
	for ((i = 0; i < 40; i++)); do
		line=$(mountinfo_at "$ROOT/b/$i")
		[ -n "$line" ] || fail "/b/$i is not mounted" || return 1
		# the mount's root is the source directory, and it is read-only
		[ "$(echo "$line" | awk '{print $4}')" = "$T/src" ] || fail "/b/$i: root is not $T/src: $line" || return 1
		echo "$line" | awk '{print $6}' | grep -qE '(^|,)ro(,|$)' || fail "/b/$i is not ro: $line" || return 1
		[ "$(cat "$ROOT/b/$i/file")" = hello ] || fail "/b/$i does not show the source" || return 1
		touch "$ROOT/b/$i/new" 2>/dev/null && { fail "/b/$i is writable"; return 1; }
	done
	# a change in the source shows in every bind (they are the source, not copies of its files)
	echo changed >"$T/src/file"
	[ "$(cat "$ROOT/b/0/file")" = changed ] && [ "$(cat "$ROOT/b/39/file")" = changed ] ||
		fail "binds do not follow the source" || return 1
	# exactly 40 new mounts, nothing else (no copy left attached anywhere)
	local n
	n=$(new_mounts "$(cat "$T/.ids_before")" | wc -l)
	[ "$n" = 40 ] || fail "expected 40 new mounts, got $n"
}

case_many_binds_of_one_source_shared_peers() {
	# Every bind of a shared source joins the source's peer group: the
	# first ones (cloned from the source) and the later ones (cloned
	# from the private copy) alike.
	mkdir -p "$T/shared"
	mount -t tmpfs -o size=1m mgshared "$T/shared" || fail "tmpfs" || return 1
	mount --make-shared "$T/shared" || fail "make-shared" || return 1
	mkdir -p "$T/shared/d"
	local peer
	peer=$(mountinfo_at "$T/shared" | grep -o 'shared:[0-9]*')
	[ -n "$peer" ] || fail "the source mount is not shared" || return 1
	baseline
	binds_conf 24 "$T/shared/d"
	apply
	expect_rc 0 || return 1
	local i got
	for ((i = 0; i < 24; i++)); do
		got=$(mountinfo_at "$ROOT/b/$i" | grep -o 'shared:[0-9]*')
		[ "$got" = "$peer" ] || fail "/b/$i: peer group '$got', the source's is '$peer'" || return 1
	done
	umount "$ROOT"/b/* 2>/dev/null
}

case_many_binds_of_one_source_rolled_back() {
	mkdir -p "$T/src"
	binds_conf 40 "$T/src" 33
	local before
	before=$(snapshot)
	apply
	expect_rc 1 || return 1
	expect_err "b33" || return 1
	expect_unchanged "$before"
}

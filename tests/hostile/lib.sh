# The hostile-corpus DSL. A case is a function hcase_GROUP_NAME that only
# declares: the tree an attacker left in the rootfs (t_*), the request
# (c_*), and the expected outcome (want, e_*). run.sh then runs it, in its
# own private mount namespace, once per backend and symlink mode, and checks
# what every case must satisfy whatever it declared:
#   - the exit status is the one wanted for this mode and backend;
#   - no new mount has appeared outside the root;
#   - the sentinel directory outside the root ($OUT) is untouched, and so is
#     every host file named with e_host_same (core_pattern always);
#   - on any non-zero exit: mountinfo and the rootfs tree (names, types,
#     modes, owners, inodes, link targets) are exactly as before, stderr
#     names the entry ("entry '...'", or the setup step that failed before
#     any entry) and stdout says nothing is left.
# Paths given to t_*, c_* and e_* are in-root paths ("/a/b") unless the name
# says host. $ROOT is the rootfs, $OUT the sentinel directory beside it, $T
# the scratch directory holding both (host sources go in $T/host).
#
# This file is sourced by run.sh after tests/integration/lib.sh, whose
# helpers (mg, apply, snapshot, mount_ids, check_no_mount_outside_root,
# sentinel_state, backend_is_fallback, no_lsan) it
# uses.

# ---- the tree ---------------------------------------------------------------
# Every builder step must work: a tree that is not what the case says would
# make it pass for the wrong reason, so a failed step fails the case.
_do() { "$@" || { echo "  the tree builder failed: $*"; H_BUILD_BAD=1; }; }
_parent() { _do mkdir -p "$(dirname "$ROOT$1")"; }
t_dir() { local p; for p; do _do mkdir -p "$ROOT$p"; done; }
t_file() { _parent "$1"; printf '%s\n' "${2:-plain file}" >"$ROOT$1" || _do false "write $1"; }
# t_link PATH TARGET: PATH -> TARGET (TARGET written as given).
t_link() { _parent "$1"; _do ln -sfn "$2" "$ROOT$1"; }
t_fifo() { _parent "$1"; _do mkfifo "$ROOT$1"; }
t_sock() { _parent "$1"; _do python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$ROOT$1"; }
t_cdev() { _parent "$1"; _do mknod "$ROOT$1" c "$2" "$3"; }
t_bdev() { _parent "$1"; _do mknod "$ROOT$1" b "$2" "$3"; }
# t_mount TYPE PATH [OPTIONS]: a mount the attacker (or a racing runtime)
# left in the rootfs before mount-guard runs: a fake procfs, an overmount.
t_mount() { _do mkdir -p "$ROOT$2"; _do mount -t "$1" ${3:+-o "$3"} "$1" "$ROOT$2"; }
t_bind() { _do mkdir -p "$ROOT$2"; _do mount --bind "$1" "$ROOT$2"; }
# host_dir NAME / host_file NAME [CONTENT] / host_link NAME TARGET: bind
# sources, "volumes" and such on the host side, in $T/host.
host_dir() { _do mkdir -p "$T/host/$1"; }
host_file() { _do mkdir -p "$(dirname "$T/host/$1")"; printf '%s\n' "${2:-host file}" >"$T/host/$1" || _do false "write host $1"; }
host_link() { _do mkdir -p "$(dirname "$T/host/$1")"; _do ln -sfn "$2" "$T/host/$1"; }
# The write-only procfs trigger the CVEs aim at: /proc/sysrq-trigger, or
# where the kernel has none (CONFIG_MAGIC_SYSRQ=n), /proc/sys/vm/drop_caches,
# another write-only trigger. Only ever asked about with access(2).
SYSRQ=/proc/sysrq-trigger
[ -e /proc/sysrq-trigger ] || SYSRQ=/proc/sys/vm/drop_caches
# host_proc KIND: mount-guard's own /proc is fake while it runs (mounted
# just before the run, removed just after): tmpfs, pid (a bind of
# /proc/1), sysfs, or sys (a bind of /proc/sys, real procfs magic, wrong
# root).
host_proc() { H_HOSTPROC=$1; }
# host_fd N HOSTPATH: mount-guard starts with fd N open on HOSTPATH (a
# descriptor leaked by its caller, as runc leaked one in CVE-2024-21626).
host_fd() { H_HOSTFD=$1 H_HOSTFD_PATH=$2; }
# h_cleanup CMD: run CMD when the case is over (a helper process to end).
h_cleanup() { H_CLEANUP+=("$1"); }

# ---- the request ------------------------------------------------------------
# c_opt KEY VALUE: an [options] key (preset, executable); symlinks is the
# runner's, set per mode.
c_opt() { H_OPTS+="$1 = $2"$'\n'; }
# c_mount NAME TYPE TARGET [KEY=VALUE...]: a [mount NAME] section.
c_mount() {
	local s="[mount $1]"$'\n'"type = $2"$'\n'"target = $3"$'\n' kv
	shift 3
	for kv; do s+="${kv%%=*} = ${kv#*=}"$'\n'; done
	H_MOUNTS+="$s"
}
c_mask() { local p; for p; do H_MASKED+="path = $p"$'\n'; done; }
c_ro() { local p; for p; do H_RO+="path = $p"$'\n'; done; }
c_rw() { local p; for p; do H_RW+="path = $p"$'\n'; done; }

h_config() { # MODE: the config text
	printf '[options]\nsymlinks = %s\n%s' "$1" "$H_OPTS"
	[ -n "$H_MOUNTS" ] && printf '%s' "$H_MOUNTS"
	[ -n "$H_MASKED" ] && printf '[masked]\n%s' "$H_MASKED"
	[ -n "$H_RO" ] && printf '[readonly]\n%s' "$H_RO"
	[ -n "$H_RW" ] && printf '[writable]\n%s' "$H_RW"
	return 0
}

# ---- the expectation --------------------------------------------------------
# want RC_IN_ROOT [RC_REFUSE]: the exit status with symlinks = in-root and,
# if given, with symlinks = refuse. With one argument the case runs in
# in-root mode only; with two it runs in both (give the same status twice
# for a case whose outcome does not depend on the mode). run.sh reads the
# arguments from the function's text: they must be literal numbers, or
# alternatives such as 1/3 where the documentation allows either (never 0
# among them).
want() { H_WANT_IN=$1; H_WANT_REF=${2:-}; }
# want_fb RC: the exit status on the proc-fd (fallback) backend, in every
# mode, where it differs from the new-API backend's.
want_fb() { H_WANT_FB=$1; }
# e_err TEXT [MODE]: stderr contains TEXT (when the run fails; in MODE only
# if given).
e_err() { H_ERRS+=("${2:-any}"$'\t'"$1"); }
# e_check DESCRIPTION SHELL...: after a successful run, SHELL must succeed.
e_check() { local d=$1; shift; H_CHECKS+=("$d"$'\t'"$*"); }
e_mounted() { e_check "a ${2:-} mount at $1" "_is_mounted_as '$1' '${2:-}'"; }
e_not_mounted() { e_check "no mount at $1" "! h_is_mounted '$ROOT$1'"; }
e_empty() { e_check "$1 is a regular file and reads empty" "[ -f '$ROOT$1' ] && [ -z \"\$(timeout 5 cat '$ROOT$1')\" ]"; }
e_content() { e_check "$1 reads '$2'" "[ \"\$(timeout 5 cat '$ROOT$1')\" = '$2' ]"; }
# access(2) with W_OK reports EROFS for root without writing anything: safe
# to ask of /proc/sysrq-trigger.
e_nowrite() { e_check "$1 exists and is not writable" "[ -e '$ROOT$1' ] && [ ! -w '$ROOT$1' ]"; }
e_writable() { e_check "$1 is writable" "[ -w '$ROOT$1' ]"; }
e_mode() { e_check "$1 has mode $2" "[ \"\$(stat -c %a '$ROOT$1')\" = '$2' ]"; }
e_chr() { e_check "$1 is the character device $2" "[ \"\$(stat -c %F:%t:%T '$ROOT$1')\" = 'character special file:$2' ]"; }
e_missing() { e_check "$1 does not exist" "[ ! -e '$ROOT$1' ] && [ ! -L '$ROOT$1' ]"; }
e_link() { e_check "$1 is still the symlink -> $2" "[ \"\$(readlink '$ROOT$1')\" = '$2' ]"; }
e_empty_dir() { e_check "$1 lists nothing" "[ -z \"\$(ls -A '$ROOT$1')\" ]"; }
# e_host_same HOSTPATH: a host file whose content must not change.
e_host_same() { H_HOSTSAME+=("$1"); }

# The mountinfo line of the top mount at exactly the host path $1.
# mountinfo escapes blanks, newlines and backslashes in mount points; the
# path goes to awk through the environment, where it is not unescaped.
mi_escape() { printf '%s' "$1" | sed 's/\\/\\134/g; s/ /\\040/g; s/\t/\\011/g'; }
mi_line() { MI_P=$(mi_escape "$1") awk '$5 == ENVIRON["MI_P"]' /proc/self/mountinfo | tail -n 1; }
mi_fstype() { mi_line "$1" | awk '{for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1); exit }}'; }
h_is_mounted() { [ -n "$(mi_line "$1")" ]; }
_is_mounted_as() { # in-root path, fstype or ''
	h_is_mounted "$ROOT$1" || { echo "  nothing mounted at $1"; return 1; }
	[ -z "$2" ] || [ "$(mi_fstype "$ROOT$1")" = "$2" ] || { echo "  $1 is $(mi_fstype "$ROOT$1"), not $2"; return 1; }
}

# ---- running one case (inside its namespace) --------------------------------
h_reset() {
	H_BUILD_BAD=0 H_HOSTFD= H_HOSTFD_PATH= H_OPTS= H_MOUNTS= H_MASKED= H_RO= H_RW= H_HOSTPROC=
	H_WANT_IN= H_WANT_REF= H_WANT_FB=
	H_ERRS=() H_CHECKS=() H_CLEANUP=() H_HOSTSAME=(/proc/sys/kernel/core_pattern)
}

# The rootfs as it stands, without crossing into mounts: anything created,
# removed or replaced shows.
tree_state() { find "$ROOT" -xdev -printf '%P %y %m %U:%G %i %l\n' 2>&1 | sort; }
host_state() { local f; for f in "${H_HOSTSAME[@]}"; do printf '%s: ' "$f"; cat "$f" 2>&1 | head -c 4096 | md5sum; done; }

hfail() { echo "  $*"; H_BAD=1; }

# h_run MODE: write the config, run mount-guard apply, check. Returns 0 on
# pass.
h_run() {
	local mode=$1 want rc_ok=1
	H_BAD=0
	[ "$H_BUILD_BAD" = 0 ] || return 1
	if [ -n "$H_WANT_FB" ] && backend_is_fallback; then want=$H_WANT_FB
	elif [ "$mode" = refuse ]; then want=$H_WANT_REF
	else want=$H_WANT_IN; fi
	[ -n "$want" ] || { echo "  case declares no outcome for symlinks = $mode"; return 1; }
	h_config "$mode" >"$T/mg.conf"
	local ids snap tree sent host
	ids=$(mount_ids) snap=$(snapshot) tree=$(tree_state) sent=$(sentinel_state) host=$(host_state)
	case "$H_HOSTPROC" in
	"") ;;
	tmpfs) mount -t tmpfs tmpfs /proc ;;
	sysfs) mount -t sysfs sysfs /proc ;;
	pid) mount --bind /proc/1 /proc ;;
	sys) mount --bind /proc/sys /proc ;;
	*) echo "  unknown host_proc $H_HOSTPROC"; return 1 ;;
	esac
	if [ -n "$H_HOSTFD" ]; then
		eval "exec $H_HOSTFD<\"\$H_HOSTFD_PATH\"" || { echo "  cannot open fd $H_HOSTFD"; return 1; }
		no_lsan apply
		eval "exec $H_HOSTFD<&-"
	else
		no_lsan apply
	fi
	[ -n "$H_HOSTPROC" ] && umount /proc
	# "1/3": either status is right (where the documentation leaves it open).
	case "/$want/" in */"$RC"/*) ;; *) hfail "expected exit $want (symlinks = $mode), got $RC"; rc_ok=0 ;; esac
	local e m t
	for e in "${H_ERRS[@]}"; do
		m=${e%%$'\t'*} t=${e#*$'\t'}
		[ "$want" != 0 ] && { [ "$m" = any ] || [ "$m" = "$mode" ]; } || continue
		printf '%s' "$STDERR" | grep -qF -- "$t" || hfail "stderr lacks: $t"
	done
	if [ "$want" = 0 ] && [ $rc_ok = 1 ]; then
		local c
		for c in "${H_CHECKS[@]}"; do
			eval "${c#*$'\t'}" || hfail "check failed: ${c%%$'\t'*}"
		done
	elif [ "$want" != 0 ]; then
		[ "$(snapshot)" = "$snap" ] || { hfail "mountinfo changed on a failed run:"; diff <(printf '%s\n' "$snap") <(snapshot) | sed 's/^/    /'; }
		[ "$(tree_state)" = "$tree" ] || { hfail "the rootfs tree changed on a failed run:"; diff <(printf '%s\n' "$tree") <(tree_state) | sed 's/^/    /'; }
		# Which entry failed, or (before any entry) which setup step, or
		# (exit 2) which line of the configuration.
		printf '%s' "$STDERR" | grep -qE "entry '|: setup: |\.conf:[0-9]+: config: " || hfail "stderr names neither the entry, the setup step nor the config line"
		if [ "$RC" = 1 ] || [ "$RC" = 3 ]; then
			printf '%s' "$STDOUT" | grep -qF "nothing this run did is left in place" || hfail "stdout does not say nothing is left"
		fi
	fi
	check_no_mount_outside_root "$ids" || H_BAD=1
	[ "$(sentinel_state)" = "$sent" ] || hfail "the sentinel outside the root changed"
	[ "$(host_state)" = "$host" ] || hfail "a host file changed: ${H_HOSTSAME[*]}"
	if [ $H_BAD != 0 ]; then
		echo "  --- config (symlinks = $mode):"; sed 's/^/    /' "$T/mg.conf"
		echo "  --- exit $RC; stdout:"; printf '%s\n' "$STDOUT" | sed 's/^/    /'
		echo "  --- stderr:"; printf '%s\n' "$STDERR" | sed 's/^/    /'
		return 1
	fi
	return 0
}

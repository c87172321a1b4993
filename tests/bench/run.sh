#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/bench/run.sh [--quick]: mount-guard against the raw mount(2) floor
# (raw_mount), bubblewrap and a mount(8)-per-line script. See README.md here.
# Needs root. Everything runs in a private mount namespace on a private tmpfs;
# each measured run gets its own fresh `unshare -m --propagation private`
# namespace and a fresh copy of the rootfs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC_TREE=$(cd "$HERE/../.." && pwd)
BUILD=${MG_BENCH_BUILD:-/tmp/mg-bench-build}
OUT=${MG_BENCH_OUT:-/tmp/mg-bench-results}
WORK=${MG_BENCH_WORK:-/tmp/mg-bench-work}

QUICK=0
INNER=0
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	--inner) INNER=1 ;;
	-h | --help)
		sed -n '2,7p' "$0"
		exit 0
		;;
	*)
		echo "usage: $0 [--quick]" >&2
		exit 2
		;;
	esac
done

if [ "$INNER" = 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 2; }
	for t in bwrap gnuplot unshare mount cc cmake; do
		command -v "$t" >/dev/null || { echo "run.sh: $t missing: run tests/bench/deps.sh" >&2; exit 2; }
	done
	if [ -z "${MG_BIN:-}" ]; then
		echo "== building mount-guard (Release) and mg-enosys in $BUILD"
		cmake -S "$SRC_TREE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMG_BUILD_TESTS=ON >"$BUILD.log" 2>&1 ||
			{ cat "$BUILD.log"; exit 1; }
		make -C "$BUILD" -j"$(nproc)" mount-guard mg-enosys mg-client >>"$BUILD.log" 2>&1 || { tail -30 "$BUILD.log"; exit 1; }
	fi
	mkdir -p "$BUILD/bench" "$OUT" "$WORK"
	cc -O2 -Wall -Wextra -o "$BUILD/bench/raw_mount" "$HERE/raw_mount.c"
	cc -O2 -Wall -Wextra -o "$BUILD/bench/mg_time" "$HERE/mg_time.c"
	exec unshare -m --propagation private "$0" --inner "$@"
fi

# ---- inside our own private mount namespace --------------------------------
MG=${MG_BIN:-$BUILD/mount-guard}
ENOSYS=${MG_ENOSYS:-$BUILD/tests/mg-enosys}
CLIENT=${MG_CLIENT:-$BUILD/tests/mg-client}
RAW=$BUILD/bench/raw_mount
# MG_BASE: another mount-guard binary (the one before a change), measured as
# tool mg-base on the oci and bind workloads, interleaved with the others.
MG_BASE=${MG_BASE:-}
BASE_TOOL=${MG_BASE:+mg-base}
TIMER=$BUILD/bench/mg_time
mount -t tmpfs -o size=2g,mode=0755 mgbench "$WORK"
T=$WORK/tmpl   # templates and mount lists per workload
R=$WORK/root   # the fresh rootfs of one run
HSRC=$WORK/src # host bind source
mkdir -p "$T" "$HSRC"
: >"$HSRC/.keep"
# The serve path (libmountguard's mg-client, for targets longer than a config
# line may be) needs a root-owned policy (root trusted) in a directory no one else can write,
# up to /: one on a tmpfs over /mnt, in this private namespace only.
mount -t tmpfs -o size=1m,mode=0755 mgbench-policy /mnt
printf "[uid 0]\ntrust = yes\n" >/mnt/policy.conf
printf '#!/bin/sh\nexec %s "$@" --policy /mnt/policy.conf\n' "$MG" >"$WORK/mghelper"
chmod 0755 "$WORK/mghelper"

if [ "$QUICK" = 1 ]; then
	NS="10 100"
	DS="1 16"
	REPS=3
	REPS_SMALL=3
	REPS_BIG=3
	SCRIPT_MAX_N=100
else
	NS="10 100 1000 10000"
	DS="1 16 64 256"
	REPS=${MG_BENCH_REPS:-11}
	# Runs of a few ms (oci, N <= 100, the depth workloads) move by 10-20%
	# on a shared machine: more of them, for a steadier median.
	REPS_SMALL=${MG_BENCH_REPS_SMALL:-31}
	REPS_BIG=${MG_BENCH_REPS_BIG:-5} # at N = 10000
	SCRIPT_MAX_N=${MG_BENCH_SCRIPT_MAX_N:-1000}
fi
DEPTH_REPS=$((REPS_SMALL * 2))

RAWDATA=$OUT/raw.tsv # workload tool rep ns maxrss_kib rc cpu_ns
: >"$RAWDATA"
echo "== machine: $(nproc) CPUs, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== mount-guard: $MG${MG_BASE:+ (mg-base: $MG_BASE)}"

# ---- workload generators: each writes $T/$w/{tmpl/,raw.list,mg.conf,mg.args,bwrap.args,mount8.sh}
# Paths in lists, args and scripts use the literal rootfs path $R.

OCI_MASKS="/proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi"
OCI_RO="/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger"

gen_oci() {
	local d=$T/oci
	mkdir -p "$d/tmpl/proc" "$d/tmpl/dev" "$d/tmpl/sys" "$d/tmpl/etc" "$d/tmpl/usr/bin" "$d/tmpl/tmp"
	echo "bench:x:0:0::/:/bin/sh" >"$d/tmpl/etc/passwd"
	printf -- '--preset\noci-default\n' >"$d/mg.args"
	local raw=$d/raw.list sh=$d/mount8.sh bw=$d/bwrap.args
	{
		echo "mkdir $R/proc"
		echo "mount proc $R/proc proc nosuid,noexec,nodev -"
		echo "mkdir $R/dev"
		echo "mount tmpfs $R/dev tmpfs nosuid,strictatime mode=0755,size=65536k"
		for n in null zero full random urandom tty; do
			echo "file $R/dev/$n"
			echo "mount /dev/$n $R/dev/$n - bind -"
			echo "mount - $R/dev/$n - remount,bind,nosuid,noexec -"
		done
		echo "mkdir $R/dev/pts"
		echo "mount devpts $R/dev/pts devpts nosuid,noexec newinstance,ptmxmode=0666,mode=0620,gid=5"
		echo "mkdir $R/dev/shm"
		echo "mount shm $R/dev/shm tmpfs nosuid,nodev,noexec mode=1777,size=65536k"
		echo "symlink /proc/self/fd $R/dev/fd"
		echo "symlink /proc/self/fd/0 $R/dev/stdin"
		echo "symlink /proc/self/fd/1 $R/dev/stdout"
		echo "symlink /proc/self/fd/2 $R/dev/stderr"
		echo "symlink pts/ptmx $R/dev/ptmx"
		echo "mkdir $R/dev/mqueue"
		echo "mount mqueue $R/dev/mqueue mqueue nosuid,noexec,nodev -"
		echo "mkdir $R/sys"
		echo "mount sysfs $R/sys sysfs nosuid,noexec,nodev,ro -"
	} >"$raw"
	{
		echo "#!/bin/sh -e"
		echo "mkdir -p $R/proc $R/dev $R/sys"
		echo "mount -t proc -o nosuid,noexec,nodev proc $R/proc"
		echo "mount -t tmpfs -o nosuid,strictatime,mode=0755,size=65536k tmpfs $R/dev"
		for n in null zero full random urandom tty; do
			echo ": >$R/dev/$n"
			echo "mount --bind -o nosuid,noexec /dev/$n $R/dev/$n"
		done
		echo "mkdir $R/dev/pts $R/dev/shm $R/dev/mqueue"
		echo "mount -t devpts -o nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5 devpts $R/dev/pts"
		echo "mount -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=65536k shm $R/dev/shm"
		echo "ln -s /proc/self/fd $R/dev/fd"
		echo "ln -s /proc/self/fd/0 $R/dev/stdin"
		echo "ln -s /proc/self/fd/1 $R/dev/stdout"
		echo "ln -s /proc/self/fd/2 $R/dev/stderr"
		echo "ln -s pts/ptmx $R/dev/ptmx"
		echo "mount -t mqueue -o nosuid,noexec,nodev mqueue $R/dev/mqueue"
		echo "mount -t sysfs -o nosuid,noexec,nodev,ro sysfs $R/sys"
	} >"$sh"
	# bubblewrap cannot mount sysfs without a network namespace of its own:
	# a read-only recursive bind of the host's /sys stands in for it.
	{
		printf -- '%s\n' --bind / / --proc "$R/proc" --dev "$R/dev" --mqueue "$R/dev/mqueue" --ro-bind /sys "$R/sys"
	} >"$bw"
	# Masks and read-only paths that exist on this kernel (the preset skips the rest).
	local p
	for p in $OCI_MASKS; do
		if [ -d "$p" ]; then
			echo "mount tmpfs $R$p tmpfs ro,nosuid,nodev,noexec size=4k,nr_inodes=4" >>"$raw"
			echo "mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,nr_inodes=4 tmpfs $R$p" >>"$sh"
			printf -- '%s\n' --tmpfs "$R$p" --remount-ro "$R$p" >>"$bw"
		elif [ -e "$p" ]; then
			echo "mount /dev/null $R$p - bind -" >>"$raw"
			echo "mount - $R$p - remount,bind,ro,nosuid,nodev,noexec -" >>"$raw"
			echo "mount --bind -o ro,nosuid,nodev,noexec /dev/null $R$p" >>"$sh"
			printf -- '%s\n' --ro-bind /dev/null "$R$p" >>"$bw"
		fi
	done
	for p in $OCI_RO; do
		[ -e "$p" ] || continue
		echo "mount $R$p $R$p - bind,rec -" >>"$raw"
		echo "mount - $R$p - remount,bind,ro,nosuid,nodev,noexec -" >>"$raw"
		echo "mount --rbind -o ro,nosuid,nodev,noexec $R$p $R$p" >>"$sh"
		# bwrap resolves bind sources in the old root, where $R/proc is empty:
		# the host's /proc (same pid namespace, same contents) stands in.
		printf -- '%s\n' --ro-bind "$p" "$R$p" >>"$bw"
	done
}

gen_binds() { # N read-only binds of $HSRC on /b/0 .. /b/N-1
	local n=$1 d=$T/binds$1
	mkdir -p "$d/tmpl/b"
	(cd "$d/tmpl/b" && seq 0 $((n - 1)) | xargs mkdir)
	seq 0 $((n - 1)) | awk -v r="$R" -v s="$HSRC" '{
		print "mount " s " " r "/b/" $1 " - bind -"
		print "mount - " r "/b/" $1 " - remount,bind,ro -" }' >"$d/raw.list"
	{
		printf '[options]\nsymlinks = in-root\n'
		seq 0 $((n - 1)) | awk -v s="$HSRC" '{
			printf "\n[mount b%s]\ntype = bind\nsource = %s\ntarget = /b/%s\noptions = ro\n", $1, s, $1 }'
	} >"$d/mg.conf"
	printf -- '--config\n%s\n' "$d/mg.conf" >"$d/mg.args"
	{
		printf -- '%s\n' --bind / /
		seq 0 $((n - 1)) | awk -v r="$R" -v s="$HSRC" '{ print "--ro-bind"; print s; print r "/b/" $1 }'
	} >"$d/bwrap.args"
	{
		echo "#!/bin/sh -e"
		seq 0 $((n - 1)) | awk -v r="$R" -v s="$HSRC" '{ print "mount --bind -o ro " s " " r "/b/" $1 }'
	} >"$d/mount8.sh"
}

# One bind whose target is D components deep. Every level holds a directory
# "d" and a symlink "s -> d"; the path takes "s" at every STEP-th of its D-1
# intermediate components and "d" at the others, STEP chosen so that at most
# 32 symlinks are crossed (the kernel, openat2 and mount-guard all stop at 40),
# and ends in the directory "t". D = 1 is "/t"; D = 16 crosses 15 symlinks,
# D = 64 and D = 256 cross 32 each.
gen_depth() {
	local D=$1 d=$T/depth$1
	local inter=$((D - 1)) step=1 i rel="" phys=""
	[ "$inter" -gt 32 ] && step=$(((inter + 31) / 32))
	for ((i = 0; i < inter; i++)); do
		if ((i % step == 0)); then rel="$rel/s"; else rel="$rel/d"; fi
		phys="$phys/d"
	done
	rel="$rel/t"
	mkdir -p "$d/tmpl$phys/t"
	local p="$d/tmpl"
	for ((i = 0; i < inter; i++)); do
		ln -s d "$p/s"
		p="$p/d"
	done
	echo "mount $HSRC $R$rel - bind -" >"$d/raw.list"
	echo "mount - $R$rel - remount,bind,ro -" >>"$d/raw.list"
	# A config line holds at most 199 bytes (inih): deeper targets go through
	# the serve path only (tool mg-serve, also run for the shallow ones).
	if [ $((${#rel} + 9)) -le 199 ]; then
		printf '[options]\nsymlinks = in-root\n\n[mount deep]\ntype = bind\nsource = %s\ntarget = %s\noptions = ro\n' "$HSRC" "$rel" >"$d/mg.conf"
		printf -- '--config\n%s\n' "$d/mg.conf" >"$d/mg.args"
	fi
	echo "deep:bind:$HSRC:$rel:ro" >"$d/client.arg"
	printf -- '%s\n' --bind / / --ro-bind "$HSRC" "$R$rel" >"$d/bwrap.args"
	printf '#!/bin/sh -e\nmount --bind -o ro %s %s\n' "$HSRC" "$R$rel" >"$d/mount8.sh"
}

# ---- one measured run -------------------------------------------------------
measure() { # workload tool rep
	local w=$1 tool=$2 rep=$3 d=$T/$1 args=() res
	rm -rf "$R"
	cp -a "$d/tmpl" "$R"
	case $tool in
	raw) args=("$RAW" "$d/raw.list") ;;
	mg) mapfile -t args <"$d/mg.args"; args=("$MG" apply --root "$R" "${args[@]}") ;;
	mg-enosys) mapfile -t args <"$d/mg.args"; args=("$ENOSYS" "$MG" apply --root "$R" "${args[@]}") ;;
	mg-base) mapfile -t args <"$d/mg.args"; args=("$MG_BASE" apply --root "$R" "${args[@]}") ;;
	bwrap) mapfile -t args <"$d/bwrap.args"; args=(bwrap "${args[@]}" true) ;;
	mount8) args=(sh "$d/mount8.sh") ;;
	mg-serve) args=("$CLIENT" --helper "$WORK/mghelper" --root "$R" --mount "$(cat "$d/client.arg")") ;;
	mg-serve-enosys) args=("$ENOSYS" "$CLIENT" --helper "$WORK/mghelper" --root "$R" --mount "$(cat "$d/client.arg")") ;;
	esac
	res=$(unshare -m --propagation private "$TIMER" "${args[@]}")
	set -- $res
	if [ "$3" != 0 ]; then
		echo "run.sh: $w/$tool rep $rep exited $3; rerun with output:" >&2
		rm -rf "$R"; cp -a "$d/tmpl" "$R"
		MG_TIME_KEEP_OUTPUT=1 unshare -m --propagation private "$TIMER" "${args[@]}" 2>&1 | tail -15 >&2 || true
		exit 1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$tool" "$rep" "$1" "$2" "$3" "$4" >>"$RAWDATA"
	rm -rf "$R"
}

run_workload() { # workload reps tools... (a tool named ONCE:tool runs in the first rep only)
	local w=$1 reps=$2 rep tool
	shift 2
	printf '  %-10s' "$w" >&2
	for ((rep = 1; rep <= reps; rep++)); do
		for tool in "$@"; do
			case $tool in
			ONCE:*) [ "$rep" = 1 ] && measure "$w" "${tool#ONCE:}" "$rep" ;;
			*) measure "$w" "$tool" "$rep" ;;
			esac
		done
		printf '.' >&2
	done
	echo >&2
}

echo "== generating workloads in $T"
gen_oci
for n in $NS; do gen_binds "$n"; done
for D in $DS; do gen_depth "$D"; done

START=$(date +%s)
echo "== measuring (reps: oci and N <= 100: $REPS_SMALL; N = 1000: $REPS; N=10000: $REPS_BIG, no bwrap; depth: $DEPTH_REPS; mount(8) script up to N=$SCRIPT_MAX_N)"
# MG_BENCH_WORKLOADS: only these workloads (say "oci binds1000"), all if unset.
want() { [ -z "${MG_BENCH_WORKLOADS:-}" ] || [[ " $MG_BENCH_WORKLOADS " == *" $1 "* ]]; }
want oci && run_workload oci "$REPS_SMALL" raw mg $BASE_TOOL bwrap mount8
for n in $NS; do
	want "binds$n" || continue
	tools="raw mg $BASE_TOOL bwrap"
	reps=$REPS
	[ "$n" -le 100 ] && reps=$REPS_SMALL
	# bubblewrap refuses more than 9000 arguments (MAX_ARGS, --args included):
	# at most 2999 binds, so none at N = 10000.
	[ "$n" -ge 10000 ] && reps=$REPS_BIG && tools="raw mg $BASE_TOOL"
	[ "$n" -le "$SCRIPT_MAX_N" ] && tools="$tools mount8"
	run_workload "binds$n" "$reps" $tools
done
for D in $DS; do
	want "depth$D" || continue
	tools="raw mg-serve mg-serve-enosys bwrap"
	[ -e "$T/depth$D/mg.args" ] && tools="raw mg mg-enosys mg-serve mg-serve-enosys bwrap"
	run_workload "depth$D" "$DEPTH_REPS" $tools
done
echo "== measured in $(($(date +%s) - START)) s"

# ---- report ----------------------------------------------------------------
REPORT=$OUT/table.txt
{
	echo "machine: $(nproc) CPUs, kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "mount-guard $(git -C "$SRC_TREE" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ)"
	echo "median whole-process wall time of each tool in its own fresh namespace; ratio = tool / raw_mount;"
	echo "per-entry = median / entries; RSS = peak RSS over the runs (KiB); cpu = median user + system CPU time"
	echo "of the tool's processes (getrusage), without the time they slept or waited for a CPU;"
	echo "min_x_raw = fastest run / raw's fastest run (noise only adds time: the steadier ratio on a shared machine)"
	echo
	awk -F'\t' '
	function median(key,   n, i, j, t, a) {
		n = cnt[key]; for (i = 1; i <= n; i++) a[i] = v[key, i]
		return sorted_median(a, n)
	}
	function cmedian(key,   n, i, a) {
		n = cnt[key]; for (i = 1; i <= n; i++) a[i] = cv[key, i]
		return sorted_median(a, n)
	}
	function sorted_median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ k = $1 SUBSEP $2; cnt[k]++; v[k, cnt[k]] = $4; cv[k, cnt[k]] = $7; if ($5 > rss[k]) rss[k] = $5
	  if (!(k in mn) || $4 < mn[k]) mn[k] = $4
	  if (!($1 in seenw)) { seenw[$1] = 1; ws[++nw] = $1 }
	  if (!(k in seenk)) { seenk[k] = 1; tl[$1] = tl[$1] " " $2 } }
	END {
		printf "%-10s %-16s %5s %11s %8s %13s %9s %8s %9s %9s\n", "workload", "tool", "runs", "median_ms", "x_raw", "per_entry_us", "rss_KiB", "cpu_ms", "cpu_x_raw", "min_x_raw"
		for (i = 1; i <= nw; i++) {
			w = ws[i]; ents = 1
			if (w ~ /^binds/) { ents = substr(w, 6) + 0 }
			if (w == "oci" || w ~ /^depth/) ents = 0
			base = median(w SUBSEP "raw"); cbase = cmedian(w SUBSEP "raw")
			nt = split(substr(tl[w], 2), tools, " ")
			for (j = 1; j <= nt; j++) {
				k = w SUBSEP tools[j]; m = median(k)
				pe = ents > 0 ? sprintf("%.2f", m / ents / 1000) : "-"
				c = cmedian(k)
				printf "%-10s %-16s %5d %11.3f %8.2f %13s %9d %8.3f %9.2f %9.2f\n", w, tools[j], cnt[k], m / 1e6, m / base, pe, rss[k], c / 1e6, (cbase > 0 ? c / cbase : 0), mn[k] / mn[w SUBSEP "raw"]
				printf "%s\t%s\t%d\t%.6f\t%d\n", w, tools[j], ents, m / 1e6, rss[k] > "/dev/stderr"
			}
		}
	}' "$RAWDATA" 2>"$OUT/medians.tsv"
} >"$REPORT"
cat "$REPORT"

# Marginal cost per entry between consecutive N (the kernel part grows with the
# number of mounts already in the namespace).
{
	echo
	echo "marginal cost per added entry, (t(N2) - t(N1)) / (N2 - N1), us:"
	awk -F'\t' '$1 ~ /^binds/ { t[$2, $3] = $4; if (!($2 in s)) { s[$2] = 1; tl[++n] = $2 } ; if (!($3 in sn)) { sn[$3] = 1; ns[++m] = $3 } }
	END { for (i = 1; i <= n; i++) { printf "  %-16s", tl[i]
		for (j = 2; j <= m; j++) if ((tl[i], ns[j]) in t) printf "  %s->%s: %8.2f", ns[j - 1], ns[j], (t[tl[i], ns[j]] - t[tl[i], ns[j - 1]]) * 1000 / (ns[j] - ns[j - 1])
		printf "\n" } }' "$OUT/medians.tsv"
	echo
	echo "depth: cost of D components relative to D = 1, same tool:"
	awk -F'\t' '$1 ~ /^depth/ { D = substr($1, 6) + 0; t[$2, D] = $4; if (!($2 in s)) { s[$2] = 1; tl[++n] = $2 }; if (!(D in sd)) { sd[D] = 1; ds[++m] = D } }
	END { for (i = 1; i <= n; i++) { printf "  %-16s", tl[i]; for (j = 1; j <= m; j++) if ((tl[i], ds[j]) in t) printf "  D=%d: %5.2fx", ds[j], t[tl[i], ds[j]] / t[tl[i], ds[1]]; else printf "  D=%d:   n/a", ds[j]; printf "\n" } }' "$OUT/medians.tsv"
} | tee -a "$REPORT"

# ---- plot -------------------------------------------------------------------
awk -F'\t' '$1 ~ /^binds/ { print $3 "\t" $2 "\t" $4 }' "$OUT/medians.tsv" | sort -k2,2 -k1,1n >"$OUT/binds.dat"
plot=""
for tool in raw mg mg-base bwrap mount8; do
	awk -v t="$tool" -F'\t' '$2 == t { print $1 "\t" $3 }' "$OUT/binds.dat" >"$OUT/binds-$tool.dat"
	[ -s "$OUT/binds-$tool.dat" ] || continue
	case $tool in raw) title="raw mount(2) baseline" ;; mg) title="mount-guard apply" ;; mg-base) title="mount-guard apply (MG_BASE)" ;; bwrap) title="bubblewrap" ;; mount8) title="mount(8) per line" ;; esac
	plot="$plot${plot:+, }'$OUT/binds-$tool.dat' using 1:2 with linespoints lw 2 title '$title'"
done
[ -n "$plot" ] && gnuplot <<GP
set terminal pngcairo size 900,600 noenhanced
set output '$OUT/binds.png'
set title 'N read-only binds: whole-process wall time (median), $(nproc) CPUs, kernel $(uname -r)'
set xlabel 'N (binds)'
set ylabel 'time (ms)'
set logscale xy
set grid
set key top left
plot $plot
GP
[ -n "$plot" ] || echo "== no bind workload measured: no plot"
echo "== table: $REPORT; plot: $OUT/binds.png; raw samples: $RAWDATA"
umount "$WORK" /mnt || true

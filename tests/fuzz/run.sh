#!/bin/bash
# tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# Builds the libFuzzer harnesses (a clang build dir, configured on first use)
# and, for each harness (default: every tests/fuzz/fuzz_*.c):
#   1. replays every file in tests/fuzz/regressions/HARNESS/ (past findings
#      must stay fixed);
#   2. fuzzes for SECONDS (default 20) on a copy of tests/fuzz/corpus/HARNESS/
#      in a temporary directory, so the checked-in corpus never grows;
#   3. prints "fuzz NAME: EXECS execs, COV coverage, N findings".
# A crash, leak, timeout or out-of-memory input is copied into
# tests/fuzz/regressions/HARNESS/ for the developer to commit, and the harness
# fails. Ends with "fuzz: N passed, N failed"; exits 1 when any failed, 2 when
# the harnesses cannot be built.
#
# Environment:
#   MG_FUZZ_BUILD_DIR  build directory (default: build-fuzz/ at the top)
#   MG_FUZZ_FLAGS      extra libFuzzer flags for every harness, e.g. "-jobs=4 -workers=4"
#   MG_FUZZ_KEEP=1     keep the temporary directory (logs, grown corpora)
#   CC                 the clang to configure with (default: clang)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${MG_FUZZ_BUILD_DIR:-$top/build-fuzz}

secs=20
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
if [ $# -gt 0 ]; then
	harnesses=("$@")
else
	harnesses=()
	for f in "$here"/fuzz_*.c; do
		n=${f##*/fuzz_}
		harnesses+=("${n%.c}")
	done
fi
if [ ${#harnesses[@]} -eq 0 ]; then
	echo "fuzz: no harnesses" >&2
	exit 2
fi

# ---- build ---------------------------------------------------------------
if ! grep -qs '^MG_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
	echo "fuzz: configuring $build" >&2
	if ! cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER="${CC:-clang}" -DMG_FUZZ=ON \
		-DMG_SANITIZE=ON >"$build.configure.log" 2>&1; then
		cat "$build.configure.log" >&2
		echo "fuzz: cannot configure $build" >&2
		exit 2
	fi
	rm -f "$build.configure.log"
else
	# A harness added since: the generated build files must know it.
	cmake "$build" >/dev/null 2>&1 || { echo "fuzz: cannot reconfigure $build" >&2; exit 2; }
fi
targets=()
for h in "${harnesses[@]}"; do
	targets+=("fuzz-$h")
done
if ! buildlog=$(cmake --build "$build" --target "${targets[@]}" -j "$(nproc)" 2>&1); then
	printf '%s\n' "$buildlog" | tail -n 40 >&2
	echo "fuzz: cannot build ${targets[*]} in $build" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mg-fuzz.XXXXXX")
if [ "${MG_FUZZ_KEEP:-0}" = 1 ]; then
	echo "fuzz: keeping $work" >&2
else
	trap 'rm -rf "$work"' EXIT
fi

# The part of a libFuzzer log worth showing: the first report to the end.
show_report() {
	local log=$1
	local from
	from=$(grep -n -m1 -E '^(==[0-9]+==|fuzz_[a-z0-9_]+: |.*runtime error:|ERROR: libFuzzer|Running: )' "$log" | cut -d: -f1)
	if [ -n "$from" ]; then
		sed -n "${from},\$p" "$log" | head -n 80 >&2
	else
		tail -n 40 "$log" >&2
	fi
}

# libFuzzer flags from NAME.options: one or more per line, '#' comments.
options_of() {
	local f="$here/$1.options"
	[ -f "$f" ] && sed -e 's/#.*//' "$f" | tr -s ' \t\n' ' '
}

passed=0
failed=0
for h in "${harnesses[@]}"; do
	bin="$build/tests/fuzz/fuzz-$h"
	hw="$work/$h"
	mkdir -p "$hw/corpus" "$hw/artifacts" "$hw/tmp"
	findings=0
	if [ ! -x "$bin" ]; then
		echo "fuzz $h: not built ($bin missing: is it in MG_FUZZ_HARNESSES?)"
		failed=$((failed + 1))
		continue
	fi
	# shellcheck disable=SC2207
	opts=($(options_of "$h"))
	common=(-rss_limit_mb=2048 -timeout=25)

	# 1. Past findings.
	regdir="$here/regressions/$h"
	replay_ok=1
	if [ -d "$regdir" ]; then
		for f in "$regdir"/*; do
			[ -f "$f" ] || continue
			if ! TMPDIR="$hw/tmp" "$bin" "${common[@]}" "$f" >"$hw/replay.log" 2>&1; then
				echo "fuzz $h: regression ${f#"$top"/} fails again:" >&2
				show_report "$hw/replay.log" >&2
				findings=$((findings + 1))
				replay_ok=0
			fi
		done
	fi

	# 2. Fuzz on a copy of the seeds (and of the past findings, when they pass).
	[ -d "$here/corpus/$h" ] && cp -R "$here/corpus/$h/." "$hw/corpus/"
	[ $replay_ok = 1 ] && [ -d "$regdir" ] && cp -R "$regdir/." "$hw/corpus/"
	dict=()
	[ -f "$here/$h.dict" ] && dict=("-dict=$here/$h.dict")
	# shellcheck disable=SC2086
	(cd "$hw" && TMPDIR="$hw/tmp" "$bin" "${common[@]}" -max_total_time="$secs" \
		-print_final_stats=1 -artifact_prefix="$hw/artifacts/" "${dict[@]}" "${opts[@]}" \
		${MG_FUZZ_FLAGS:-} "$hw/corpus" >"$hw/fuzz.log" 2>&1)
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$hw/fuzz.log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[:[:space:]].*/\1/p' "$hw/fuzz.log" | tail -n 1)
	cov=$(sed -n 's/.*[[:space:]]cov: \([0-9]*\).*/\1/p' "$hw/fuzz.log" | tail -n 1)

	# 3. Findings: every artifact, kept for the developer.
	nart=0
	for a in "$hw/artifacts"/*; do
		[ -f "$a" ] || continue
		mkdir -p "$regdir"
		cp "$a" "$regdir/"
		echo "fuzz $h: finding saved as ${regdir#"$top"/}/${a##*/} (commit it)" >&2
		nart=$((nart + 1))
	done
	findings=$((findings + nart))
	if [ $rc -ne 0 ]; then
		[ $nart -eq 0 ] && findings=$((findings + 1)) # died without an input to blame
		echo "fuzz $h: libFuzzer exited $rc:" >&2
		show_report "$hw/fuzz.log"
	fi
	echo "fuzz $h: ${execs:-0} execs, ${cov:-?} coverage, $findings findings"
	if [ $findings -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]

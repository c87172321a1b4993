#!/bin/bash
# Builds and runs every test: unit tests (check, via ctest), the integration
# suite on both backends (as is, and under the ENOSYS wrapper that forces the
# openat2 fallback walk and the /proc/self/fd backend), the same again in an
# ASan+UBSan build, the integration suite under valgrind memcheck, and the
# libFuzzer harnesses for a bounded time.
#
#   scripts/test.sh [--quick]     --quick: skip the sanitizer and valgrind passes
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
if [ "$(id -u)" != 0 ]; then
	echo "test: run as root: the tests mount (each in its own private namespace)" >&2
	[ "${CI:-}" = true ] && exit 1
	echo "SKIP: not root (outside CI)"; exit 0
fi
"$top/scripts/deps.sh" || exit 1

total_pass=0 total_fail=0 steps_failed=()
record() { # $1 step name, $2 exit code, $3 log file
	local p f
	p=$(grep -Eo '[0-9]+ passed' "$3" | tail -n1 | grep -Eo '[0-9]+')
	f=$(grep -Eo '[0-9]+ failed' "$3" | tail -n1 | grep -Eo '[0-9]+')
	if [ -z "$p" ]; then # ctest: "100% tests passed, 0 tests failed out of 7"
		local tot
		tot=$(grep -Eo 'out of [0-9]+' "$3" | tail -n1 | grep -Eo '[0-9]+')
		f=$(grep -Eo '[0-9]+ tests failed' "$3" | tail -n1 | grep -Eo '^[0-9]+')
		p=$(( ${tot:-0} - ${f:-0} ))
	fi
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0}))
	if [ "$2" != 0 ]; then
		steps_failed+=("$1")
		[ "${f:-0}" = 0 ] && total_fail=$((total_fail + 1))
	fi
	printf '== %-28s exit %s: %s passed, %s failed\n' "$1" "$2" "${p:-0}" "${f:-0}"
}
# Every step's output is kept (build/test-logs/STEP.log) for the summary.
logdir="$top/build/test-logs"
rm -rf "$logdir"
mkdir -p "$logdir"
step() { # $1 name, rest: command
	local name=$1 log
	shift
	log="$logdir/${name//\//_}.log"
	echo "== $name: $*"
	"$@" 2>&1 | tee "$log"
	record "$name" "${PIPESTATUS[0]}" "$log"
}

build() { # $1 dir, rest: cmake args
	local dir=$1
	shift
	echo "== build $dir $*"
	"$top/scripts/build.sh" "$dir" "$@" || { echo "build failed: $dir"; steps_failed+=("build $dir"); total_fail=$((total_fail + 1)); return 1; }
}

it="$top/tests/integration/run.sh"
if build "$top/build"; then
	step unit ctest --test-dir "$top/build" --output-on-failure
	step "integration/new-api" env MG_BIN="$top/build/mount-guard" "$it" --label new-api
	step "integration/enosys" env MG_BIN="$top/build/mount-guard" "$it" --label enosys \
		--wrap "$top/build/tests/mg-enosys"
	# An attacker swapping every component of a target for symlinks out of
	# the root while mount-guard (0 escapes allowed) and a naive path-string
	# mounter (must escape: the harness proves it can see one) work, on
	# both backends.
	# The hostile-rootfs corpus: named cases grouped by the CVE they model,
	# as is and under mg-enosys, in both symlink modes where they differ.
	step "hostile" "$top/tests/hostile/run.sh" --both-backends "$top/build"
	step "race" "$top/tests/race/run.sh" --attempts "${MG_RACE_ATTEMPTS:-500}" "$top/build"
	# Man pages (mandoc lint, groff warnings, every option and key
	# documented), systemd-analyze verify and a run of the example units.
	step "docs" "$top/tests/docs/run.sh" "$top/build"
	# cmake --install into a DESTDIR (its own build dir, configured for
	# /usr), with and without the file capability; the demo from there.
	step "install" "$top/tests/install/run.sh"
fi
if [ $quick = 0 ]; then
	if build "$top/build-asan" -DMG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
		step "asan/unit" ctest --test-dir "$top/build-asan" --output-on-failure
		step "asan/integration/new-api" env MG_BIN="$top/build-asan/mount-guard" "$it" --label asan-new-api
		step "asan/integration/enosys" env MG_BIN="$top/build-asan/mount-guard" "$it" --label asan-enosys \
			--wrap "$top/build-asan/tests/mg-enosys"
		step "hostile-asan" "$top/tests/hostile/run.sh" --label asan --both-backends "$top/build-asan"
		unset ASAN_OPTIONS UBSAN_OPTIONS
	fi
	# valgrind's memcheck replaces malloc through the dynamic loader: in the
	# default static PIE it would see no heap at all (no leak, no bad free
	# could fail the pass), so it runs on a dynamically linked build of the
	# same sources, and refuses a binary without a program interpreter.
	if build "$top/build-vg" -DMG_STATIC_PIE=OFF -DMG_BUILD_TESTS=ON; then
		vg_bin="$top/build-vg/mount-guard"
		vg="valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-fds=no"
		if ! readelf -l "$vg_bin" | grep -q 'Requesting program interpreter'; then
			echo "valgrind: $vg_bin is statically linked: memcheck cannot see its heap"
			steps_failed+=("valgrind (static binary)")
			total_fail=$((total_fail + 1))
		else
			# valgrind itself needs a real /proc (/proc/self/maps, its own
			# fds), so the three cases that give mount-guard a fake /proc
			# cannot run under it; they run in the four passes above.
			step "valgrind/integration" env MG_BIN="$vg_bin" \
				EXCLUDE_WHY="valgrind needs a real /proc; covered by the other passes" "$it" \
				--label valgrind --wrap "$vg" --exclude helper_proc_is_tmpfs \
				--exclude helper_proc_is_bind_of_pid_dir --exclude helper_proc_fd_overmounted
		fi
	fi
fi
if [ $quick = 0 ]; then
	# Every parser and the resolvers under libFuzzer, bounded (20 s each by
	# default; MG_FUZZ_SECONDS for more). Any finding fails the run.
	step "fuzz" "$top/tests/fuzz/run.sh" "${MG_FUZZ_SECONDS:-20}"
fi
echo
"$top/scripts/test-summary.sh" "$logdir"
echo
if [ ${#steps_failed[@]} -gt 0 ]; then echo "failed steps: ${steps_failed[*]}"; fi
echo "all tests: $total_pass passed, $total_fail failed"
[ ${#steps_failed[@]} -eq 0 ]

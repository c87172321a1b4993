# check NAME CMD...: runs CMD, which prints what is wrong and returns
# non-zero; counts it in $pass/$fail (and $failed) and prints "ok"/"FAIL".
# CMD's output is shown indented: always when CHECK_SHOW=always (its first
# 40 lines), else only on failure (its last 40). Sourced by tests/docs and
# tests/install, which print "N passed, N failed" from the counts.
pass=0 fail=0 failed=()
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   $name"
		[ "${CHECK_SHOW:-}" = always ] && [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /' | head -40
	else
		fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name"
		[ -n "$out" ] || return 0
		if [ "${CHECK_SHOW:-}" = always ]; then
			printf '%s\n' "$out" | sed 's/^/    /' | head -40
		else
			printf '%s\n' "$out" | sed 's/^/    /' | tail -40
		fi
	fi
	return 0
}

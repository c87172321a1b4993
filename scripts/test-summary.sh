#!/bin/bash
# The security-testing summary (issue 5): one line per part, read from the
# step logs scripts/test.sh keeps in DIR. A part whose step did not run says
# so; nothing here decides pass or fail (the steps do).
#
#   scripts/test-summary.sh DIR
set -u
dir=${1:?usage: test-summary.sh LOGDIR}
log() { [ -f "$dir/$1.log" ] && cat "$dir/$1.log"; }

echo "== security testing summary"
# Race: "race TOOL/BACKEND: N attempts, N escapes" per run.
r=$(log race | sed -n 's/^race \([a-z-]*\/[a-z]*\): \([0-9]*\) attempts, \([0-9]*\) escapes$/\1 \2 \3/p')
if [ -n "$r" ]; then
	printf '%s\n' "$r" | awk '{ split($1, t, "/"); a[t[1]] = a[t[1]] sprintf(" %s %d attempts %d escapes;", t[2], $2, $3) }
		END { printf "race:    mount-guard:%s naive mounter:%s (mount-guard must be 0, naive > 0)\n", a["mount-guard"], a["naive"] }'
else
	echo "race:    not run"
fi
# Fuzz: "fuzz H: N execs, C coverage, N findings" per harness.
f=$(log fuzz | sed -n 's/^fuzz \([a-z_]*\): \([0-9]*\) execs, \(.*\) coverage, \([0-9]*\) findings$/\1 \2 \3 \4/p')
if [ -n "$f" ]; then
	printf '%s\n' "$f" | awk '{ s = s sprintf(" %s %d execs/%s cov/%d findings;", $1, $2, $3, $4); n += $4 }
		END { printf "fuzz:   %s total findings %d\n", s, n }'
else
	echo "fuzz:    not run"
fi
# Hostile corpus: its own summary line, per pass.
h=""
for l in "$dir"/hostile*.log; do
	[ -f "$l" ] || continue
	h+=" $(basename "$l" .log):$(sed -n 's/^hostile cases: / /p' "$l" | tail -n 1);"
done
echo "hostile:${h:- not run}"
# Live-process checks: the live_* integration cases, per pass.
lv=""
for l in "$dir"/*integration*.log; do
	[ -f "$l" ] || continue
	ok=$(grep -c '^ok   \[.*\] live_' "$l")
	bad=$(grep -c '^FAIL \[.*\] live_' "$l")
	skip=$(grep -c '^not in this pass .* live_' "$l")
	[ $((ok + bad + skip)) -gt 0 ] || continue
	lv+=" $(basename "$l" .log | sed 's/_*integration_*/-/; s/^-//; s/-$//') $ok/$((ok + bad))${skip:+$( [ "$skip" -gt 0 ] && echo " ($skip not in pass)")};"
done
echo "live:   ${lv:- not run} (caps exactly the documented set, NoNewPrivs 1, documented fds only; all caps 0 after success)"

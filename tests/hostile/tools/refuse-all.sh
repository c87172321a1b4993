#!/bin/bash
# A stand-in for mount-guard that refuses every request (test-only), for
# `run.sh --stub refuse-all`: every case that must succeed has to catch it,
# or the corpus's successes prove nothing.
echo "refuse-all: entry 'any': refused without looking" >&2
echo "result: failed (exit 3); nothing this run did is left in place"
exit 3

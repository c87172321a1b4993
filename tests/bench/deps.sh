#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian packages tests/bench/run.sh needs on top of the build dependencies
# (scripts/deps.sh): the bubblewrap peer, /usr/bin/time for ad-hoc RSS checks,
# gnuplot for the plot, perf and valgrind for profiling a missed target.
set -e
apt-get update
apt-get install -y bubblewrap time gnuplot-nox util-linux linux-perf valgrind

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Race harness attacker (test-only, never installed).
 *
 *   attacker ROOT OUTSIDE COMPONENT...
 *
 * For the target path ROOT/C1/C2/.../Cn (COMPONENT... are C1..Cn), it builds,
 * beside every component Ci (in its real parent directory):
 *   Ci.abs  a symlink to the matching place outside: OUTSIDE/C2/.../Ci
 *   Ci.dd   the same through a `..`-heavy relative link (../../../..//OUTSIDE/...)
 *   Ci.dir  a directory whose next component is an absolute symlink outside
 *           (Ci.dir/Ci+1 -> OUTSIDE/C2/.../Ci+1), or empty for the last one
 * and then loops until SIGTERM: pick a component and a variant at random,
 * renameat2(RENAME_EXCHANGE) them, spin a little, exchange them back. Every
 * exchange goes through an O_PATH fd of the real parent directory, never a
 * path string, so the attacker itself never follows its own links outside.
 * OUTSIDE mirrors the target (OUTSIDE/C2/.../Cn exist) so that a mounter that
 * follows the links has somewhere to land. On SIGTERM it stops after the
 * current pair is back in place and prints how many exchanges succeeded.
 * It alternates, in random 50 ms phases, between a storm of exchanges, a
 * paced attack where every other round pauses up to MG_RACE_PAUSE_US
 * (default 200), a calm one (an exchange pair per millisecond) and a quiet
 * one (none), so that the tree is sometimes whole for a whole run of the
 * tool (about 2 ms: one exchange pair per millisecond left almost no such
 * window once mount-guard got that fast, and a CI run saw 500 refusals out
 * of 500). MG_RACE_PAUSE_US=0: a storm throughout. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define MAXC 16

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static int xchg(int dfd, const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, dfd, a, dfd, b, RENAME_EXCHANGE);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc - 3 > MAXC) {
		fprintf(stderr, "usage: attacker ROOT OUTSIDE COMPONENT... (at most %d)\n", MAXC);
		return 2;
	}
	const char *root = argv[1], *outside = argv[2];
	int n = argc - 3;
	char **comp = argv + 3;
	int parent[MAXC];
	char rel[PATH_MAX] = ""; /* C2/.../Ci: the place outside matching Ci */
	char buf[PATH_MAX], dd[PATH_MAX];

	int fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		die(root);
	for (int i = 0; i < n; i++) {
		parent[i] = fd;
		if (i > 0) {
			size_t l = strlen(rel);
			snprintf(rel + l, sizeof(rel) - l, "%s%s", l ? "/" : "", comp[i]);
		}
		/* Ci.abs -> OUTSIDE/rel */
		snprintf(buf, sizeof(buf), "%s%s%s", outside, rel[0] ? "/" : "", rel);
		snprintf(dd, sizeof(dd), "%s.abs", comp[i]);
		unlinkat(fd, dd, 0);
		if (symlinkat(buf, fd, dd) < 0)
			die("symlink .abs");
		/* Ci.dd -> ../../(many)/OUTSIDE/rel: from anywhere, up to / and down */
		dd[0] = 0;
		for (int k = 0; k < 24; k++)
			strcat(dd, "../");
		strncat(dd, buf + 1, sizeof(dd) - strlen(dd) - 1);
		snprintf(buf, sizeof(buf), "%s.dd", comp[i]);
		unlinkat(fd, buf, 0);
		if (symlinkat(dd, fd, buf) < 0)
			die("symlink .dd");
		/* Ci.dir: a directory whose next component leads outside */
		snprintf(buf, sizeof(buf), "%s.dir", comp[i]);
		if (mkdirat(fd, buf, 0755) < 0 && errno != EEXIST)
			die("mkdir .dir");
		if (i + 1 < n) {
			int dfd = openat(fd, buf, O_PATH | O_DIRECTORY | O_NOFOLLOW);
			if (dfd < 0)
				die("open .dir");
			char tgt[PATH_MAX];
			if (snprintf(tgt, sizeof(tgt), "%s%s%s/%s", outside, rel[0] ? "/" : "", rel,
				     comp[i + 1]) >= (int)sizeof(tgt))
				die("target path too long");
			unlinkat(dfd, comp[i + 1], 0);
			if (symlinkat(tgt, dfd, comp[i + 1]) < 0)
				die("symlink in .dir");
			close(dfd);
		}
		/* The real component: a directory (the last may be created later). */
		if (mkdirat(fd, comp[i], 0755) < 0 && errno != EEXIST)
			die("mkdir component");
		int next = openat(fd, comp[i], O_PATH | O_DIRECTORY | O_NOFOLLOW);
		if (next < 0)
			die("open component");
		fd = next;
	}
	close(fd);

	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	static const char *const var[] = { "abs", "dd", "dir" };
	unsigned long ok = 0, tries = 0;
	const char *pe = getenv("MG_RACE_PAUSE_US");
	unsigned pause_us = pe ? (unsigned)strtoul(pe, NULL, 10) : 200;
	long phase_end = 0;
	int paced = 0; /* 0 storm, 1 paced, 2 calm, 3 quiet */
	unsigned seed = (unsigned)getpid();
	printf("attacker ready\n");
	fflush(stdout);
	while (!stop) {
		if (paced == 3 && pause_us) {
			/* Quiet: no exchange until the phase ends. */
			struct timespec now, nap = { 0, 1000000L };
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec * 1000L + now.tv_nsec / 1000000L < phase_end) {
				nanosleep(&nap, NULL);
				continue;
			}
			paced = (int)((unsigned)rand_r(&seed) % 4);
			phase_end = now.tv_sec * 1000L + now.tv_nsec / 1000000L + 50;
		}
		int i = (int)((unsigned)rand_r(&seed) % (unsigned)n);
		char other[NAME_MAX + 1];
		snprintf(other, sizeof(other), "%s.%s", comp[i], var[(unsigned)rand_r(&seed) % 3]);
		tries++;
		if (xchg(parent[i], comp[i], other) < 0)
			continue; /* EBUSY: a mount point now; ENOENT: swapped away */
		ok++;
		for (volatile int s = 0; s < 2000; s++)
			;
		/* Back, so that the tree keeps its shape. This can fail if the
		 * directory became a mount point meanwhile; the next exchange of
		 * the same pair puts it back. */
		if (xchg(parent[i], comp[i], other) == 0)
			ok++;
		/* Phases of 50 ms, at random: a storm (no pause), paced (every
		 * other round a pause of up to PAUSE_US) or calm (one exchange
		 * pair per millisecond): windows in which the tree is whole, so
		 * that the tool under test also gets to mount, not only to refuse
		 * (a race it always loses proves as little as one it never runs). */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = now.tv_sec * 1000L + now.tv_nsec / 1000000L;
		if (ms >= phase_end) {
			paced = (int)((unsigned)rand_r(&seed) % 4);
			phase_end = ms + 50;
		}
		if (paced == 2 && pause_us) {
			struct timespec calm = { 0, 1000000L };
			nanosleep(&calm, NULL);
		} else if (paced == 1 && pause_us && (unsigned)rand_r(&seed) % 2) {
			struct timespec ts = { 0, (long)((unsigned)rand_r(&seed) % pause_us) * 1000L };
			nanosleep(&ts, NULL);
		}
	}
	printf("attacker: %lu successful exchanges in %lu rounds\n", ok, tries);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LD_PRELOAD fault injector for the rollback tests (test-only; never
 * installed, and no knob in mount-guard itself). It counts the calls that
 * attach a mount -- mount(2), move_mount(2) -- and makes call number
 * MG_FAULT_AT fail with MG_FAULT_ERRNO (default EIO) without doing it.
 * With MG_FAULT_UMOUNT set, every umount2(2) fails with EBUSY, so that a
 * rollback itself fails (exit 4 and its report are tested with it).
 * With MG_FAULT_SLEEP_MS=N, every attach call first spins for N ms (a busy
 * wait on the vDSO clock: mount-guard's seccomp filter forbids nanosleep),
 * so that a test can act while a run is under way.
 * At exit it prints "faultinject: N attach calls" to stderr so a test can
 * learn how many injection points a run has. The environment is read in a
 * constructor, before mount-guard clears it. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <time.h>

static long fail_at = -1, calls;
static int fail_umount;
static long sleep_ms;
static int fail_errno = EIO;

__attribute__((constructor)) static void init(void)
{
	const char *at = getenv("MG_FAULT_AT"), *e = getenv("MG_FAULT_ERRNO");
	if (at)
		fail_at = strtol(at, NULL, 10);
	if (e)
		fail_errno = (int)strtol(e, NULL, 10);
	fail_umount = getenv("MG_FAULT_UMOUNT") != NULL;
	const char *sl = getenv("MG_FAULT_SLEEP_MS");
	if (sl)
		sleep_ms = strtol(sl, NULL, 10);
}

__attribute__((destructor)) static void fini(void)
{
	fprintf(stderr, "faultinject: %ld attach calls\n", calls);
}

static void spin(void)
{
	struct timespec a, b;
	if (sleep_ms <= 0 || clock_gettime(CLOCK_MONOTONIC, &a) != 0)
		return;
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < sleep_ms);
}

static int inject(void)
{
	spin();
	if (++calls == fail_at) {
		errno = fail_errno;
		return 1;
	}
	return 0;
}

int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data)
{
	static int (*real)(const char *, const char *, const char *, unsigned long, const void *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mount");
	/* Only attaching calls count: remounts change flags of what is there. */
	if (!(flags & MS_REMOUNT) && inject())
		return -1;
	return real(src, dst, type, flags, data);
}

int move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "move_mount");
	/* mount-guard's backend probe calls move_mount(-1, ...): not an attach. */
	if (from_dfd >= 0 && inject())
		return -1;
	return real(from_dfd, from, to_dfd, to, flags);
}

int umount2(const char *target, int flags)
{
	static int (*real)(const char *, int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "umount2");
	if (fail_umount) {
		errno = EBUSY;
		return -1;
	}
	return real(target, flags);
}

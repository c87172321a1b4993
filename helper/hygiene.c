/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hygiene.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool kept(int fd, const int *keep, int n_keep)
{
	for (int i = 0; i < n_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

static int close_range_compat(unsigned first, unsigned last)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
#endif
	/* Pre-5.9 kernels (or a seccomp filter): close one by one. /proc may be
	 * fake here, so do not list /proc/self/fd; walk up to the fd limit. */
	struct rlimit rl;
	unsigned max = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < max)
		max = (unsigned)rl.rlim_cur;
	for (unsigned fd = first; fd <= last && fd < max; fd++)
		close((int)fd);
	return 0;
}

static int close_unlisted(const int *keep, int n_keep)
{
	/* Close the gaps between kept fds, in increasing order. */
	unsigned from = 3;
	for (;;) {
		int next = -1;
		for (int i = 0; i < n_keep; i++)
			if (keep[i] >= (int)from && (next < 0 || keep[i] < next))
				next = keep[i];
		unsigned to = next < 0 ? ~0U : (unsigned)next - 1;
		if (to >= from) {
			int r = close_range_compat(from, to);
			if (r < 0)
				return r;
		}
		if (next < 0)
			return 0;
		from = (unsigned)next + 1;
	}
}

int mg_hygiene(const int *keep, int n_keep)
{
	if (clearenv() != 0)
		return -ENOMEM;
	umask(022);
	int r = close_unlisted(keep, n_keep);
	if (r < 0)
		return r;
	for (int fd = 0; fd <= 2; fd++) {
		if (kept(fd, keep, n_keep) || fcntl(fd, F_GETFD) >= 0)
			continue;
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd < 0)
			return -errno;
		if (nfd != fd) {
			/* Lower fds were open, so open() should have returned fd. */
			close(nfd);
			return -EBADF;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

char **mg_environ_copy(void)
{
	extern char **environ;
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		v[i] = strdup(environ[i]);
		if (!v[i])
			return NULL; /* the process is about to fail anyway */
	}
	return v;
}

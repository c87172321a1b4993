/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *mg_resolver_name(enum mg_resolver r)
{
	return r == MG_RESOLVER_OPENAT2 ? "openat2" : "walk";
}

enum mg_resolver mg_resolver_detect(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (fd >= 0) {
		close(fd);
		return MG_RESOLVER_OPENAT2;
	}
	/* ENOSYS: no such syscall (or a filter says so); E2BIG/EINVAL: a kernel
	 * that does not know these resolve flags. Anything else (EPERM from a
	 * filter, say) is also a reason to use the walk, which needs nothing
	 * but openat. */
	return MG_RESOLVER_WALK;
}

int mg_resolve(enum mg_resolver backend, int root_fd, const char *path, unsigned flags)
{
	if (backend == MG_RESOLVER_OPENAT2)
		return mg_resolve_openat2(root_fd, path, flags);
	return mg_resolve_walk(root_fd, path, flags);
}

int mg_resolve_openat2(int root_fd, const char *path, unsigned flags)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	/* refuse: RESOLVE_BENEATH makes `..` above the root (and absolute
	 * symlinks, which cannot occur with NO_SYMLINKS) an EXDEV error. */
	if (flags & MG_RESOLVE_NO_SYMLINKS)
		how.resolve |= RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
	else
		how.resolve |= RESOLVE_IN_ROOT;
	/* The length limit applies to the path as given, before the leading
	 * slashes go: the same answer as the walk (found by fuzz_resolve). */
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	while (*path == '/')
		path++; /* RESOLVE_BENEATH refuses absolute paths; IN_ROOT does not care */
	if (*path == '\0')
		path = ".";
	for (int i = 0; i < MG_OPENAT2_RETRIES; i++) {
		int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

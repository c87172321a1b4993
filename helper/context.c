/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "context.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

const char *mg_mount_backend_name(enum mg_mount_backend b)
{
	return b == MG_MOUNT_NEWAPI ? "new-api" : "proc-fd";
}

enum mg_mount_backend mg_mount_backend_detect(void)
{
	/* mount_setattr (5.12) is the newest call the backend needs; fsopen,
	 * open_tree and move_mount (5.2) must answer too: a seccomp filter may
	 * hide one without the other. Each is asked with arguments it rejects
	 * before doing any work (a null or a bad fd: EFAULT, EBADF or EINVAL):
	 * only ENOSYS says it is missing. */
	if (mount_setattr(-1, "", AT_EMPTY_PATH, NULL, 0) < 0 && errno == ENOSYS)
		return MG_MOUNT_PROCFD;
	if (fsopen(NULL, FSOPEN_CLOEXEC) < 0 && errno == ENOSYS)
		return MG_MOUNT_PROCFD;
	if (open_tree(-1, "", OPEN_TREE_CLOEXEC | AT_EMPTY_PATH) < 0 && errno == ENOSYS)
		return MG_MOUNT_PROCFD;
	if (move_mount(-1, "", -1, "", 0) < 0 && errno == ENOSYS)
		return MG_MOUNT_PROCFD;
	return MG_MOUNT_NEWAPI;
}

int mg_in_root_path(const struct mg_ctx *ctx, int fd, char *out, size_t size)
{
	char abs[PATH_MAX];
	int r = mg_procfs_fd_path(&ctx->proc, fd, abs, sizeof(abs));
	if (r < 0)
		return r;
	size_t len = strlen(abs);
	static const char deleted[] = " (deleted)";
	if (len > sizeof(deleted) - 1 && strcmp(abs + len - (sizeof(deleted) - 1), deleted) == 0) {
		struct stat st;
		if (fstat(fd, &st) < 0 || st.st_nlink == 0)
			return -ENOENT;
	}
	const char *rel;
	if (ctx->root_len == 1) /* the root is "/" */
		rel = abs;
	else if (strncmp(abs, ctx->root_path, ctx->root_len) == 0 &&
		 (abs[ctx->root_len] == '\0' || abs[ctx->root_len] == '/'))
		rel = abs[ctx->root_len] ? abs + ctx->root_len : "/";
	else
		return -EXDEV;
	size_t n = strlen(rel);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(out, rel, n + 1);
	return 0;
}

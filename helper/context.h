/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What one run of the engine works with: the rootfs, the verified procfs and
 * the backends chosen for this kernel. */
#ifndef MG_CONTEXT_H
#define MG_CONTEXT_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "plan.h"
#include "procfs.h"
#include "resolve.h"

enum mg_mount_backend {
	MG_MOUNT_NEWAPI, /* open_tree/fsopen/fsmount/move_mount/mount_setattr */
	MG_MOUNT_PROCFD, /* mount(2) on self/fd/N of a verified procfs */
};

struct mg_ctx {
	int root_fd;
	char root_path[PATH_MAX]; /* as the kernel names root_fd (readlink) */
	size_t root_len;
	struct mg_procfs proc;
	enum mg_resolver resolver;
	enum mg_mount_backend backend;
	unsigned resolve_flags; /* MG_RESOLVE_* from [options] symlinks */
	bool dry_run;           /* plan: resolve and check, change nothing */
	bool hold;              /* keep a successful run undoable until mg_engine_commit/abort */
	/* serve: set (from a signal handler) when the caller died; the engine
	 * stops at the next entry and rolls back. NULL: nobody to watch. */
	const volatile sig_atomic_t *cancel;
};

const char *mg_mount_backend_name(enum mg_mount_backend b);
/* The new mount API if every call of it answers, else the procfd backend. */
enum mg_mount_backend mg_mount_backend_detect(void);

/* The in-root path ("/..." relative to the rootfs) the kernel gives for fd.
 * -EXDEV when fd is not beneath the root, -ENAMETOOLONG past PATH_MAX,
 * -ENOENT when it was deleted. Both a report and a check. */
int mg_in_root_path(const struct mg_ctx *ctx, int fd, char *out, size_t size);

#endif

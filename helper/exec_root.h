/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec's mount-namespace steps around the apply: a private namespace, a root
 * that is a mount point, the switch into it, and a read-only root mount. */
#ifndef MG_EXEC_ROOT_H
#define MG_EXEC_ROOT_H

#include "context.h"
#include "mg_error.h"
#include "procfs.h"

/* A new mount namespace whose every mount is private: exec --unshare does
 * this first; without --unshare, only the root switch happens in one (see
 * cmd_exec.c). */
int mg_exec_unshare(struct mg_error *err);

/* pivot_root needs the new root to be a mount point: when ctx's root is not
 * one, binds it onto itself (recursively, so that what is mounted beneath
 * it, the applied list included, comes along) and sets *bind_fd to that
 * mount; else *bind_fd = -1. */
int mg_exec_root_mountpoint(const struct mg_ctx *ctx, int *bind_fd, struct mg_error *err);

/* Makes the mount at root_fd this process's root and working directory,
 * the old root detached (pivot_root), or, where pivot_root cannot work (the
 * initramfs rootfs), moved over / and chroot()ed into. */
int mg_exec_switch_root(int root_fd, struct mg_error *err);

/* Makes the root mount (not its submounts) read-only, keeping its other
 * flags; checked with statvfs afterwards. */
int mg_exec_readonly_root(struct mg_error *err);

#endif

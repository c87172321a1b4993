/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounting by fd. One entry point; the backend chosen for this kernel runs
 * behind it and callers never know which. */
#ifndef MG_MOUNT_BACKEND_H
#define MG_MOUNT_BACKEND_H

#include <stdbool.h>

#include "context.h"
#include "mg_error.h"
#include "plan.h"

/* Mounts entry `e` onto target_fd (source_fd: the bind source, else -1).
 * On success *mnt_fd is an O_PATH fd of the new mount's root. Nothing is
 * left attached on failure. */
int mg_mount_entry(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		   int source_fd, int *mnt_fd, struct mg_error *err);

/* Binds what source_fd refers to (with everything mounted beneath it when
 * rec) onto target_fd, with the attributes of `o` set or cleared on every
 * mount of the copy; attributes not named are kept as the source has them,
 * so flags locked in a user namespace survive. */
int mg_bind_fd(const struct mg_ctx *ctx, int source_fd, int target_fd, bool rec,
	       const struct mg_mntopts *o, int *mnt_fd, struct mg_error *err);
int mg_newapi_bind(int source_fd, int target_fd, bool rec, const struct mg_mntopts *o, int *mnt_fd,
		   struct mg_error *err);
int mg_procfd_bind(const struct mg_ctx *ctx, int source_fd, int target_fd, bool rec,
		   const struct mg_mntopts *o, int *mnt_fd, struct mg_error *err);
/* mount(2) MS_REMOUNT of the superblock mnt_fd is on, read-only. */
int mg_procfd_remount_sb_ro(const struct mg_ctx *ctx, int mnt_fd, struct mg_error *err);

int mg_mount_newapi(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err);
int mg_mount_procfd(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err);

#endif

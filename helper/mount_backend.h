/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounting by fd. One entry point; the backend chosen for this kernel runs
 * behind it and callers never know which. */
#ifndef MG_MOUNT_BACKEND_H
#define MG_MOUNT_BACKEND_H

#include "context.h"
#include "mg_error.h"
#include "plan.h"

/* Mounts entry `e` onto target_fd (source_fd: the bind source, else -1).
 * On success *mnt_fd is an O_PATH fd of the new mount's root. Nothing is
 * left attached on failure. */
int mg_mount_entry(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		   int source_fd, int *mnt_fd, struct mg_error *err);

int mg_mount_newapi(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err);
int mg_mount_procfd(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mount_backend.h"

int mg_bind_fd(const struct mg_ctx *ctx, int source_fd, int target_fd, bool rec,
	       const struct mg_mntopts *o, int *mnt_fd, struct mg_error *err)
{
	if (ctx->backend == MG_MOUNT_NEWAPI)
		return mg_newapi_bind(source_fd, target_fd, rec, o, mnt_fd, err);
	return mg_procfd_bind(ctx, source_fd, target_fd, rec, o, mnt_fd, err);
}

int mg_mount_entry(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		   int source_fd, int *mnt_fd, struct mg_error *err)
{
	if (ctx->backend == MG_MOUNT_NEWAPI)
		return mg_mount_newapi(ctx, e, target_fd, source_fd, mnt_fd, err);
	return mg_mount_procfd(ctx, e, target_fd, source_fd, mnt_fd, err);
}

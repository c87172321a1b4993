/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where masks come from: an empty, read-only tmpfs and an empty file in it,
 * made by mount-guard itself. Never /dev/null or anything else by path: runc
 * CVE-2025-31133 bound a rootfs-controlled "/dev/null" (a symlink to
 * /proc/sys/kernel/core_pattern) over masked paths. Every mask is a bind of
 * this one instance. */
#ifndef MG_MASK_SOURCE_H
#define MG_MASK_SOURCE_H

#include <limits.h>

#include "context.h"
#include "mg_error.h"

struct mg_mask_src {
	int dir_fd;  /* root of the empty read-only tmpfs */
	int file_fd; /* O_PATH of the empty file in it */
	int detached_fd; /* the detached tmpfs itself: closing it would dissolve the tree */
	/* Legacy staging (see mask_source.c): where the tmpfs is attached. */
	int stage_parent_fd;
	char stage_name[NAME_MAX + 1];
	dev_t stage_dev;
	ino_t stage_ino;
	int stage_mnt_fd;
};

#define MG_MASK_SRC_INIT { -1, -1, -1, -1, "", 0, 0, -1 }

/* Makes the source (once; later calls return at once). */
int mg_mask_src_open(const struct mg_ctx *ctx, struct mg_mask_src *src, struct mg_error *err);
/* Detaches a staging mount and removes the staging directory; the masks
 * bound from it stay. Safe to call on an unopened source (or twice).
 * Returns the first failure: something of the staging is then left. */
int mg_mask_src_close(const struct mg_ctx *ctx, struct mg_mask_src *src);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A mount target: resolved in the root to one O_PATH fd, created first when
 * the entry asks (mkdirat/openat O_EXCL relative to fds, never by path). */
#ifndef MG_TARGET_H
#define MG_TARGET_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"
#include "mg_error.h"
#include "plan.h"
#include "undo.h"

struct mg_target {
	int fd;                  /* O_PATH; -1 in a dry run when it would be created */
	char resolved[PATH_MAX]; /* in-root path that was (or would be) used */
	mode_t fmt;              /* S_IFDIR or S_IFREG (what it is or would be) */
	unsigned created;        /* path components created (or that would be) */
	uint64_t mnt_id;         /* of the mount fd is on; 0 when the kernel gives none */
};

/* Opens (and, if asked, creates) the target of entry `idx`. Creations are
 * recorded in `undo`. */
int mg_target_open(const struct mg_ctx *ctx, const struct mg_entry *e, size_t idx,
		   struct mg_undo *undo, struct mg_target *t, struct mg_error *err);

/* Lexical normalisation: collapses "//" and ".", and applies ".." clamped at
 * "/". Only to compare a written path with what it resolved to. */
int mg_path_lexical(const char *in, char *out, size_t size);

/* Maps a resolution errno to a message and an exit kind. */
int mg_resolve_fail(const struct mg_ctx *ctx, int r, const char *what, const char *path,
		    struct mg_error *err);

#endif

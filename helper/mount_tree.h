/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount tree at and beneath a directory, from this mount namespace's
 * mountinfo, linked by mount id and parent id: path prefixes alone cannot
 * tell an overmount from its victim, nor a mount beneath a directory from
 * one beneath a sibling whose name starts the same. For `show` and for
 * apply's summary. One streaming read keeps only the mounts at or beneath
 * the root (and the one the root lies in): a namespace of 10,000 mounts
 * costs nothing when the root holds ten. */
#ifndef MG_MOUNT_TREE_H
#define MG_MOUNT_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mg_error.h"
#include "mountinfo.h"
#include "procfs.h"

struct mg_mount_node;  /* mount_tree.c */
struct mg_mount_walk;  /* mount_tree.c */
struct mg_text_block;  /* mount_tree.c */

struct mg_mount_tree {
	struct mg_mount_node *nodes; /* the mounts kept, mountinfo order */
	size_t n, cap;
	struct mg_text_block *text; /* their strings */
	uint32_t *children; /* node indices, grouped by parent, each group in mountinfo order */
	uint32_t *tops;     /* the mounts shown at the top: the bottom of the stack at the root
			     * when it is a mount point, else the mounts right beneath it */
	size_t ntops;
	size_t nshown;      /* mounts at and beneath the root */
	bool root_is_mount; /* the root is itself a mount point */
	const char *root;   /* the root as the kernel names it (mountinfo's spelling) */
	size_t root_len;
	/* Room for a walk, taken when the tree is read so that printing
	 * cannot fail half-way. */
	struct mg_mount_walk *walk_stack;
	bool *walk_last;
	/* While it is read: */
	uint64_t root_id;  /* the mount the root lies in */
	size_t rest_len;   /* of the last mount kept */
};

/* Reads self/mountinfo of the verified procfs and builds the tree of the
 * mounts at and beneath root_fd, whose kernel name is root_path (readlink
 * of its self/fd link). Errors are MG_EXIT_FAILED, stage verify. */
int mg_mount_tree_read(struct mg_mount_tree *t, const struct mg_procfs *proc, int root_fd,
		       const char *root_path, struct mg_error *err);
void mg_mount_tree_free(struct mg_mount_tree *t);
/* The same in three steps, for a caller that reads mountinfo anyway (apply's
 * verification hands each line over, so that its summary needs no read of
 * its own): begin, add every line of one read, end. After a failure of any
 * step the tree is to be freed. */
int mg_mount_tree_begin(struct mg_mount_tree *t, int root_fd, const char *root_path,
			struct mg_error *err);
int mg_mount_tree_add(struct mg_mount_tree *t, const struct mg_mountinfo_line *m, struct mg_error *err);
int mg_mount_tree_end(struct mg_mount_tree *t, struct mg_error *err);

/* Like findmnt --tree: one line per mount, "TARGET SOURCE FSTYPE OPTIONS
 * PROPAGATION", targets relative to the root ("/" is the root itself),
 * children indented beneath their parent; every line starts with
 * `indent`. Odd bytes are escaped (mg_escape_for_display). */
void mg_mount_tree_text(FILE *f, const struct mg_mount_tree *t, const char *indent);
/* The JSON array of the top mounts, each with its "children" (the schema
 * is in mount-guard(8), show). */
void mg_mount_tree_json(FILE *f, const struct mg_mount_tree *t);

#endif

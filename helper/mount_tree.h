/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount tree at and beneath a directory, from this mount namespace's
 * mountinfo (parsed by libmount, which unescapes \040, \012 and friends),
 * linked by mount id and parent id: path prefixes alone cannot tell an
 * overmount from its victim, nor a mount beneath a directory from one
 * beneath a sibling whose name starts the same. For `show` and for apply's
 * summary. */
#ifndef MG_MOUNT_TREE_H
#define MG_MOUNT_TREE_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mg_error.h"
#include "procfs.h"

struct mg_mount_node {
	struct libmnt_fs *fs; /* owned by the tree's table */
	uint64_t id, parent;
	size_t first_child, nchildren; /* into the tree's `children` */
};

struct mg_mount_tree {
	struct libmnt_table *tb;
	struct mg_mount_node *nodes; /* every mount of the namespace, mountinfo order */
	size_t n;
	size_t *children; /* node indices, grouped by parent, each group in mountinfo order */
	size_t *tops;     /* the mounts shown at the top: the bottom of the stack at the root
			   * when it is a mount point, else the mounts right beneath it */
	size_t ntops;
	size_t nshown;      /* mounts at and beneath the root */
	bool root_is_mount; /* the root is itself a mount point */
	const char *root;   /* the root as the kernel names it (mountinfo's spelling) */
	/* Room for a walk, taken when the tree is read so that printing
	 * cannot fail half-way. */
	struct mg_mount_walk *walk_stack;
	bool *walk_last;
};

/* Reads self/mountinfo of the verified procfs and builds the tree of the
 * mounts at and beneath root_fd, whose kernel name is root_path (readlink
 * of its self/fd link). Errors are MG_EXIT_FAILED, stage verify. */
int mg_mount_tree_read(struct mg_mount_tree *t, const struct mg_procfs *proc, int root_fd,
		       const char *root_path, struct mg_error *err);
void mg_mount_tree_free(struct mg_mount_tree *t);

/* Like findmnt --tree: one line per mount, "TARGET SOURCE FSTYPE OPTIONS
 * PROPAGATION", targets relative to the root ("/" is the root itself),
 * children indented beneath their parent; every line starts with
 * `indent`. Odd bytes are escaped (mg_escape_for_display). */
void mg_mount_tree_text(FILE *f, const struct mg_mount_tree *t, const char *indent);
/* The JSON array of the top mounts, each with its "children" (the schema
 * is in mount-guard(8), show). */
void mg_mount_tree_json(FILE *f, const struct mg_mount_tree *t);

#endif

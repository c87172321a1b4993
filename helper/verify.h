/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The end-of-run check against mountinfo: every mount this run made is where
 * it should be, inside the root, with the flags asked for, and no other new
 * mount appeared. One streaming read of mountinfo, whatever the entry count;
 * O(log n) per mount for our own, O(depth) for a copied submount. */
#ifndef MG_VERIFY_H
#define MG_VERIFY_H

#include "context.h"
#include "engine.h"
#include "mount_tree.h"
#include "mountinfo.h"
#include "plan.h"

/* `tree`, when not NULL, is built from the same read (the summary's mount
 * tree): a successful run then reads mountinfo twice in all, before and
 * here. On failure it is freed. */
int mg_verify_run(const struct mg_ctx *ctx, const struct mg_plan *plan, const struct mg_run *run,
		  const struct mg_idset *before, struct mg_mount_tree *tree, struct mg_error *err);

#endif

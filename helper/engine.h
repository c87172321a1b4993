/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pipeline after the front-end: resolve -> mount -> verify -> commit or
 * roll back. `plan` runs it with dry_run and changes nothing. */
#ifndef MG_ENGINE_H
#define MG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "mg_error.h"
#include "mount_tree.h"
#include "plan.h"
#include "undo.h"

enum mg_status {
	MG_ST_NOT_REACHED, /* a failure earlier in the list stopped the run */
	MG_ST_PLANNED,     /* dry run: would be applied */
	MG_ST_DEFERRED,    /* dry run: beneath an earlier entry's mount; checked when applied */
	MG_ST_MOUNTED,
	MG_ST_ROLLED_BACK, /* was mounted, then undone because of a later failure */
	MG_ST_FAILED,      /* this entry failed (see error) */
	MG_ST_REFUSED,     /* this entry was refused as unsafe */
	MG_ST_SKIPPED,     /* mask/read-only/writable path that does not exist */
	MG_ST_DUPLICATE,   /* a restriction of exactly the path of an earlier one of its kind: done once */
};

struct mg_result {
	char *resolved; /* in-root path used (or that would be), NULL when unknown */
	unsigned created;
	enum mg_status status;
	char *error;
	uint64_t mnt_id;
};

/* A mount made for an entry besides its own (the parts of type = dev). */
struct mg_extra_mount {
	uint64_t id;
	size_t entry;
};

struct mg_run {
	struct mg_extra_mount *extra;
	size_t nextra, extra_cap;
	struct mg_result *res; /* one per plan entry */
	size_t n;
	bool verified; /* mountinfo check passed */
	bool rollback_failed; /* a failure, then an undo step failed: not all was undone */
	struct mg_undo *held; /* ctx->hold: what a successful run did, still undoable */
	/* The mount tree at and beneath the root as verification read it
	 * (NULL on a dry run or a failure): apply's summary prints it. */
	struct mg_mount_tree *tree;
};

const char *mg_status_name(enum mg_status s);
/* The per-mount attributes an entry asks for (masks: ro,nosuid,nodev,noexec;
 * read-only paths: ro; writable: not ro; mounts: their options). The
 * filesystem options are not copied. */
void mg_entry_attrs(const struct mg_entry *e, struct mg_mntopts *o);
/* Whether an entry's mount copies a whole tree (rbind, read-only, writable). */
bool mg_entry_recursive(const struct mg_entry *e);
/* "mount", "create-dir+mount", "create-file+mount"; "mask", "readonly",
 * "writable" for restrictions */
const char *mg_action_name(const struct mg_entry *e, const struct mg_result *r);

/* Runs the plan. With ctx->dry_run the tree is only inspected. On failure
 * everything already done is undone before returning; err says why. */
int mg_engine_run(struct mg_ctx *ctx, const struct mg_plan *plan, struct mg_run *run,
		  struct mg_error *err);
/* After a successful run with ctx->hold: keep everything (the caller has
 * been told), or take everything back (the caller went away before it heard
 * of success). abort returns 0 or the first failure, and sets
 * run->rollback_failed. */
void mg_engine_commit(struct mg_run *run);
int mg_engine_abort(const struct mg_ctx *ctx, struct mg_run *run);
void mg_run_free(struct mg_run *run);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "escape.h"
#include "mntopts.h"
#include "mountinfo.h"
#include "pathset.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct by_id {
	uint64_t id;
	size_t entry;
	bool extra; /* a part of a composite entry (type = dev): beneath its target */
};

static int cmp_by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct by_id *)a)->id, y = ((const struct by_id *)b)->id;
	return x < y ? -1 : x > y;
}

/* Is mountinfo path `p` the in-root path `rel` (or, with `below`, beneath it)? */
static bool at_root_path(const struct mg_ctx *ctx, const char *p, const char *rel, bool below)
{
	size_t rl = ctx->root_len == 1 ? 0 : ctx->root_len;
	if (rl && (strncmp(p, ctx->root_path, rl) != 0))
		return false;
	p += rl;
	size_t n = strlen(rel);
	if (strncmp(p, rel, n) != 0)
		return false;
	return below ? p[n] == '/' : p[n] == '\0';
}

static bool inside_root(const struct mg_ctx *ctx, const char *p)
{
	return ctx->root_len == 1 || (strncmp(p, ctx->root_path, ctx->root_len) == 0 &&
				      (p[ctx->root_len] == '/' || p[ctx->root_len] == '\0'));
}

static int check_flags(const struct mg_entry *e, unsigned long flags, struct mg_error *err)
{
	struct mg_mntopts want;
	mg_entry_attrs(e, &want);
	static const struct {
		unsigned attr;
		unsigned long ms;
		const char *name;
	} bits[] = {
		{ MOUNT_ATTR_RDONLY, MS_RDONLY, "ro" },     { MOUNT_ATTR_NOSUID, MS_NOSUID, "nosuid" },
		{ MOUNT_ATTR_NODEV, MS_NODEV, "nodev" },    { MOUNT_ATTR_NOEXEC, MS_NOEXEC, "noexec" },
		{ MOUNT_ATTR_NODIRATIME, MS_NODIRATIME, "nodiratime" },
		{ MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW, "nosymfollow" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		bool on = (flags & bits[i].ms) != 0;
		if (((want.attr_set & bits[i].attr) && !on) || ((want.attr_clr & bits[i].attr) && on))
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0,
				       "mountinfo shows '%s' %s for the mount, not as asked", bits[i].name,
				       on ? "set" : "unset");
	}
	if (want.atime == MOUNT_ATTR_NOATIME && !(flags & MS_NOATIME))
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0, "noatime did not take effect");
	return 0;
}

struct check {
	const struct mg_ctx *ctx;
	const struct mg_plan *plan;
	const struct mg_run *run;
	const struct mg_idset *before;
	struct by_id *ours; /* sorted by mount id */
	size_t nours, found;
	/* In-root path of each recursive entry's mount -> the index in `ours`
	 * of the one that decides for submounts copied beneath it. */
	struct mg_pathset covers;
	struct mg_mount_tree *tree; /* fed every line too, when not NULL */
};

/* Of two recursive entries over the same submount, the later kind decides
 * (a writable exception over a read-only path), then the newer mount. */
static bool decides_over(const struct check *c, size_t k, size_t than)
{
	const struct mg_entry *a = &c->plan->entries[c->ours[k].entry];
	const struct mg_entry *b = &c->plan->entries[c->ours[than].entry];
	return a->kind > b->kind || (a->kind == b->kind && k > than);
}

static int add_covers(struct check *c)
{
	for (size_t k = 0; k < c->nours; k++) {
		const struct mg_entry *e = &c->plan->entries[c->ours[k].entry];
		const char *rel = c->run->res[c->ours[k].entry].resolved;
		size_t prev;
		if (c->ours[k].extra || !mg_entry_recursive(e) || !rel)
			continue;
		if (mg_pathset_get(&c->covers, rel, strlen(rel), &prev) && !decides_over(c, k, prev))
			continue;
		if (mg_pathset_put(&c->covers, rel, k) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The entry whose recursive copy put a new mount at host path `path` there:
 * the deciding one among those mounted on an ancestor of it. O(depth). */
static const struct mg_entry *covering_entry(const struct check *c, const char *path)
{
	const struct mg_ctx *ctx = c->ctx;
	size_t rl = ctx->root_len == 1 ? 0 : ctx->root_len;
	size_t best = SIZE_MAX, k;
	if (!inside_root(ctx, path))
		return NULL;
	const char *rel = path + rl;
	for (size_t len = strlen(rel); len > 1;) {
		while (len > 0 && rel[len - 1] != '/')
			len--;
		if (len > 1)
			len--; /* the ancestor without its trailing slash */
		if (len == 0 || (len == 1 && rel[0] == '/'))
			break; /* "/" itself is never a target */
		if (mg_pathset_get(&c->covers, rel, len, &k) && (best == SIZE_MAX || decides_over(c, k, best)))
			best = k;
	}
	return best == SIZE_MAX ? NULL : &c->plan->entries[c->ours[best].entry];
}

static int check_line(const struct mg_mountinfo_line *m, void *arg, struct mg_error *err)
{
	struct check *c = arg;
	const struct mg_plan *plan = c->plan;
	struct by_id key = { m->id, 0, false };
	char shown[PATH_MAX * 2];
	int r;

	if (c->tree) {
		r = mg_mount_tree_add(c->tree, m, err);
		if (r < 0)
			return r;
	}

	struct by_id *mine = bsearch(&key, c->ours, c->nours, sizeof(*c->ours), cmp_by_id);
	if (mine) {
		const struct mg_entry *e = &plan->entries[mine->entry];
		const char *rel = c->run->res[mine->entry].resolved;
		c->found++;
		if (!rel || !at_root_path(c->ctx, m->path, rel, mine->extra)) {
			mg_escape_for_display(m->path, shown, sizeof(shown));
			r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
				    "entry '%s' is mounted at %s, not where it was put", e->name, shown);
			mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
			return r;
		}
		r = mine->extra ? 0 : check_flags(e, m->flags, err);
		if (r < 0)
			mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
		return r;
	}
	if (mg_idset_has(c->before, m->id))
		return 0;
	/* A new mount we did not make directly: only the submounts a
	 * recursive bind copied (rbind, read-only, writable), beneath its
	 * target, are expected; a read-only copy must be read-only all the
	 * way down. */
	const struct mg_entry *cover = covering_entry(c, m->path);
	if (!cover) {
		mg_escape_for_display(m->path, shown, sizeof(shown));
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "an unexpected new mount appeared at %s (id %llu)", shown,
			       (unsigned long long)m->id);
	}
	struct mg_mntopts want;
	mg_entry_attrs(cover, &want);
	if ((want.attr_set & MOUNT_ATTR_RDONLY) && !(m->flags & MS_RDONLY)) {
		mg_escape_for_display(m->path, shown, sizeof(shown));
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0,
			    "submount %s of read-only entry '%s' is not read-only", shown, cover->name);
		mg_error_set_entry(err, mg_entry_file(plan, cover), cover->line, cover->name);
		return r;
	}
	return 0;
}

int mg_verify_run(const struct mg_ctx *ctx, const struct mg_plan *plan, const struct mg_run *run,
		  const struct mg_idset *before, struct mg_mount_tree *tree, struct mg_error *err)
{
	_cleanup_free_ struct by_id *ours = calloc(plan->n + run->nextra + 1, sizeof(*ours));
	struct check c = { .ctx = ctx, .plan = plan, .run = run, .before = before, .ours = ours,
			   .tree = tree };
	int r;

	if (!ours)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->n; i++)
		if (run->res[i].status == MG_ST_MOUNTED)
			ours[c.nours++] = (struct by_id){ run->res[i].mnt_id, i, false };
	for (size_t i = 0; i < run->nextra; i++)
		ours[c.nours++] = (struct by_id){ run->extra[i].id, run->extra[i].entry, true };
	qsort(ours, c.nours, sizeof(*ours), cmp_by_id);

	r = add_covers(&c);
	if (r < 0)
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "out of memory");
	else if (tree)
		r = mg_mount_tree_begin(tree, ctx->root_fd, ctx->root_path, err);
	if (r == 0)
		r = mg_mountinfo_each(&ctx->proc, check_line, &c, err);
	if (r == 0 && tree)
		r = mg_mount_tree_end(tree, err);
	if (r == 0 && c.found != c.nours)
		r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			    "%zu of this run's %zu mounts are missing from mountinfo",
			    c.nours - c.found, c.nours);
	mg_pathset_free(&c.covers);
	if (r < 0 && tree)
		mg_mount_tree_free(tree);
	return r;
}

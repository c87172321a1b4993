/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "escape.h"
#include "mntopts.h"
#include "mountinfo.h"

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

static int check_flags(const struct mg_entry *e, struct libmnt_fs *fs, struct mg_error *err)
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
	unsigned long flags = 0;
	const char *vfs = mnt_fs_get_vfs_options(fs);
	if (vfs && mnt_optstr_get_flags(vfs, &flags, mnt_get_builtin_optmap(MNT_LINUX_MAP)) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, EINVAL,
			       "cannot parse the mount's options '%s'", vfs);
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

int mg_verify_run(const struct mg_ctx *ctx, const struct mg_plan *plan, const struct mg_run *run,
		  struct libmnt_table *before, struct mg_error *err)
{
	struct libmnt_table *after = NULL;
	struct libmnt_iter *it = NULL;
	struct mg_idset old = { 0 };
	_cleanup_free_ struct by_id *ours = calloc(plan->n + run->nextra + 1, sizeof(*ours));
	size_t nours = 0;
	int r;

	if (!ours)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->n; i++)
		if (run->res[i].status == MG_ST_MOUNTED)
			ours[nours++] = (struct by_id){ run->res[i].mnt_id, i, false };
	for (size_t i = 0; i < run->nextra; i++)
		ours[nours++] = (struct by_id){ run->extra[i].id, run->extra[i].entry, true };
	qsort(ours, nours, sizeof(*ours), cmp_by_id);

	r = mg_idset_from_table(before, &old);
	if (r < 0) {
		mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "out of memory");
		goto out;
	}
	r = mg_mountinfo_read(&ctx->proc, &after, err);
	if (r < 0)
		goto out;
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!it) {
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		goto out;
	}
	size_t found = 0;
	struct libmnt_fs *fs;
	while (mnt_table_next_fs(after, it, &fs) == 0) {
		struct by_id key = { (uint64_t)mnt_fs_get_id(fs), 0 };
		const char *path = mnt_fs_get_target(fs);
		char shown[PATH_MAX * 2];
		if (!path)
			path = "";
		struct by_id *mine = bsearch(&key, ours, nours, sizeof(*ours), cmp_by_id);
		if (mine) {
			const struct mg_entry *e = &plan->entries[mine->entry];
			const char *rel = run->res[mine->entry].resolved;
			found++;
			if (!rel || !at_root_path(ctx, path, rel, mine->extra)) {
				mg_escape_for_display(path, shown, sizeof(shown));
				r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
					    "entry '%s' is mounted at %s, not where it was put", e->name,
					    shown);
				mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
				goto out;
			}
			r = mine->extra ? 0 : check_flags(e, fs, err);
			if (r < 0) {
				mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
				goto out;
			}
			continue;
		}
		if (mg_idset_has(&old, key.id))
			continue;
		/* A new mount we did not make directly: only the submounts a
		 * recursive bind copied (rbind, read-only, writable), beneath
		 * its target, are expected; a read-only copy must be read-only
		 * all the way down. The newest covering entry decides. */
		const struct mg_entry *cover = NULL;
		for (size_t k = 0; k < nours; k++) {
			const struct mg_entry *e = &plan->entries[ours[k].entry];
			if (!ours[k].extra && mg_entry_recursive(e) && inside_root(ctx, path) &&
			    at_root_path(ctx, path, run->res[ours[k].entry].resolved, true) &&
			    (!cover || e->kind >= cover->kind))
				cover = e;
		}
		if (cover) {
			struct mg_mntopts want;
			unsigned long flags = 0;
			const char *vfs = mnt_fs_get_vfs_options(fs);
			mg_entry_attrs(cover, &want);
			if ((want.attr_set & MOUNT_ATTR_RDONLY) &&
			    (!vfs || mnt_optstr_get_flags(vfs, &flags, mnt_get_builtin_optmap(MNT_LINUX_MAP)) < 0 ||
			     !(flags & MS_RDONLY))) {
				mg_escape_for_display(path, shown, sizeof(shown));
				r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0,
					    "submount %s of read-only entry '%s' is not read-only", shown,
					    cover->name);
				mg_error_set_entry(err, mg_entry_file(plan, cover), cover->line, cover->name);
				goto out;
			}
		}
		if (!cover) {
			mg_escape_for_display(path, shown, sizeof(shown));
			r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
				    "an unexpected new mount appeared at %s (id %llu)", shown,
				    (unsigned long long)key.id);
			goto out;
		}
	}
	if (found != nours)
		r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			    "%zu of this run's %zu mounts are missing from mountinfo", nours - found,
			    nours);
out:
	mnt_free_iter(it);
	if (after)
		mnt_unref_table(after);
	mg_idset_free(&old);
	return r;
}

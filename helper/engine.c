/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"
#include "mount_backend.h"
#include "mountinfo.h"
#include "pathset.h"
#include "target.h"
#include "undo.h"
#include "verify.h"

const char *mg_status_name(enum mg_status s)
{
	static const char *const names[] = {
		[MG_ST_NOT_REACHED] = "not-reached", [MG_ST_PLANNED] = "planned",
		[MG_ST_DEFERRED] = "deferred",       [MG_ST_MOUNTED] = "mounted",
		[MG_ST_ROLLED_BACK] = "rolled-back", [MG_ST_FAILED] = "failed",
		[MG_ST_REFUSED] = "refused",
	};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *mg_action_name(const struct mg_entry *e, const struct mg_result *r)
{
	if (r->created == 0)
		return "mount";
	return e->create == MG_CREATE_FILE ? "create-file+mount" : "create-dir+mount";
}

static int open_source(const struct mg_entry *e, struct stat *st, struct mg_error *err)
{
	/* The source is a host path from the administrator's config: it is
	 * trusted like the rootfs path itself (see SECURITY.md). */
	_cleanup_close_ int fd = open(e->source, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, errno, "cannot open source %s",
			       e->source);
	if (fstat(fd, st) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, errno, "fstat source");
	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "source is a %s; only directories and regular files can be bound",
			       mg_file_type_name(st->st_mode));
	return TAKE_FD(fd);
}

/* The rules a target must meet, whoever wrote the rootfs. */
static int check_target(const struct mg_entry *e,
			const struct mg_target *t, const struct stat *src, struct mg_error *err)
{
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	char norm[PATH_MAX];

	if (strcmp(t->resolved, "/") == 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "target resolves to the rootfs root itself");
	if (!bind && t->fmt != S_IFDIR)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, ENOTDIR,
			       "a %s mount needs a directory; the target (%s) is a %s",
			       mg_fstype_name(e->type), t->resolved, mg_file_type_name(t->fmt));
	if (bind && (src->st_mode & S_IFMT) != t->fmt)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "source is a %s but the target (%s) is a %s",
			       mg_file_type_name(src->st_mode), t->resolved, mg_file_type_name(t->fmt));
	/* proc and sysfs go on real directories only: a symlinked /proc lets
	 * the rootfs choose where the procfs lands (runc CVE-2019-16884). */
	if ((e->type == MG_FS_PROC || e->type == MG_FS_SYSFS) &&
	    (mg_path_lexical(e->target, norm, sizeof(norm)) < 0 || strcmp(norm, t->resolved) != 0))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, ELOOP,
			       "%s target %s goes through a symlink (to %s); %s mounts only on real "
			       "directories",
			       mg_fstype_name(e->type), e->target, t->resolved, mg_fstype_name(e->type));
	/* Nothing but a verified procfs may end up on /proc. */
	if (strcmp(t->resolved, "/proc") == 0 && e->type != MG_FS_PROC)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "only a procfs may be mounted on /proc, not %s", mg_fstype_name(e->type));
	if (strncmp(t->resolved, "/proc/", 6) == 0 && t->fd >= 0) {
		unsigned long magic = 0;
		if (mg_fd_fs_magic(t->fd, &magic) < 0 || magic != PROC_SUPER_MAGIC)
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
				       "target %s is under /proc but not on a procfs (fake /proc?)",
				       t->resolved);
	}
	return 0;
}

/* Proves the new mount is what was asked, and on top of the target. */
static int check_new_mount(const struct mg_entry *e, int mnt_fd, int target_fd, int source_fd,
			   uint64_t *mnt_id, struct mg_error *err)
{
	unsigned long want = mg_fstype_magic(e->type), got;
	uint64_t under;
	if (e->type == MG_FS_BIND || e->type == MG_FS_RBIND) {
		if (mg_fd_fs_magic(source_fd, &want) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "fstatfs source");
	}
	if (mg_fd_fs_magic(mnt_fd, &got) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "fstatfs new mount");
	if (got != want)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount has filesystem magic %#lx, expected %#lx", got, want);
	if (e->type == MG_FS_PROC && !mg_fd_is_procfs_root(mnt_fd))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount is not the root of a procfs");
	if (mg_fd_mount_id(mnt_fd, mnt_id) < 0 || mg_fd_mount_id(target_fd, &under) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "mount id");
	if (*mnt_id == under)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount has the same mount id as the target's mount");
	return 0;
}

/* Dry run only: is this entry beneath an earlier entry's mount? Then what
 * it resolves to now says nothing about what it will resolve to. */
static bool shadowed(const struct mg_pathset *targets, const struct mg_entry *e, const char *resolved)
{
	char norm[PATH_MAX];
	if (mg_path_lexical(e->target, norm, sizeof(norm)) == 0 && mg_pathset_covers(targets, norm))
		return true;
	return resolved && resolved[0] && mg_pathset_covers(targets, resolved);
}

static void record_error(struct mg_result *r, const struct mg_error *err, bool unsafe)
{
	char buf[2048];
	mg_error_format(err, buf, sizeof(buf));
	free(r->error);
	r->error = strdup(buf);
	r->status = unsafe ? MG_ST_REFUSED : MG_ST_FAILED;
}

static int run_entry(struct mg_ctx *ctx, const struct mg_plan *plan, size_t i,
		     struct mg_pathset *targets, struct mg_undo *undo, struct mg_result *res,
		     struct mg_error *err)
{
	const struct mg_entry *e = &plan->entries[i];
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	_cleanup_close_ int src = -1, mnt = -1;
	struct mg_target t = { .fd = -1 };
	struct stat sst = { 0 };
	struct mg_error local = { 0 };
	/* In a dry run, an entry beneath an earlier target may fail to resolve
	 * now and be fine later: collect its error locally first. */
	struct mg_error *e_err = ctx->dry_run ? &local : err;
	int r;

	if (bind) {
		src = open_source(e, &sst, err);
		if (src < 0)
			return src;
	}
	r = mg_target_open(ctx, e, i, undo, &t, e_err);
	_cleanup_close_ int tfd = t.fd;
	res->created = t.created;
	if (t.resolved[0])
		res->resolved = strdup(t.resolved);
	if (ctx->dry_run) {
		if (shadowed(targets, e, t.resolved)) {
			res->status = MG_ST_DEFERRED;
			return 0;
		}
		if (r < 0) {
			*err = local;
			return r;
		}
	}
	if (r < 0)
		return r;
	r = check_target(e, &t, &sst, err);
	if (r < 0)
		return r;
	if (ctx->dry_run) {
		res->status = MG_ST_PLANNED;
		return mg_pathset_add(targets, t.resolved);
	}
	r = mg_mount_entry(ctx, e, tfd, src, &mnt, err);
	if (r < 0)
		return r;
	uint64_t id = 0;
	r = check_new_mount(e, mnt, tfd, src, &id, err);
	if (r < 0) {
		/* Still ours to take back: hand it to the undo list first. */
		if (mg_undo_add_mount(undo, TAKE_FD(mnt), id, i) == 0)
			res->status = MG_ST_MOUNTED;
		return r;
	}
	r = mg_undo_add_mount(undo, TAKE_FD(mnt), id, i);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "out of memory");
	res->mnt_id = id;
	res->status = MG_ST_MOUNTED;
	return 0;
}

int mg_engine_run(struct mg_ctx *ctx, const struct mg_plan *plan, struct mg_run *run,
		  struct mg_error *err)
{
	struct mg_undo undo = { 0 };
	struct mg_pathset targets = { 0 };
	struct libmnt_table *before = NULL;
	int r = 0;

	run->n = plan->n;
	run->res = calloc(plan->n ? plan->n : 1, sizeof(*run->res));
	if (!run->res)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->n; i++)
		if (plan->entries[i].kind != MG_KIND_MOUNT || plan->entries[i].type == MG_FS_DEV) {
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, EOPNOTSUPP,
				    "masks, read-only paths, writable paths and type = dev are not "
				    "applied yet");
			mg_error_set_entry(err, mg_entry_file(plan, &plan->entries[i]),
					   plan->entries[i].line, plan->entries[i].name);
			goto out;
		}
	if (!ctx->dry_run) {
		r = mg_mountinfo_read(&ctx->proc, &before, err);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < plan->n; i++) {
		const struct mg_entry *e = &plan->entries[i];
		r = run_entry(ctx, plan, i, &targets, &undo, &run->res[i], err);
		if (r < 0) {
			mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
			record_error(&run->res[i], err, err->kind == MG_EXIT_UNSAFE);
			goto out;
		}
	}
	if (!ctx->dry_run) {
		r = mg_verify_run(ctx, plan, run, before, err);
		if (r < 0)
			goto out;
		run->verified = true;
	}
out:
	if (r < 0 && !ctx->dry_run) {
		for (size_t i = 0; i < undo.n; i++)
			if (undo.items[i].kind == MG_UNDO_MOUNT &&
			    run->res[undo.items[i].entry].status == MG_ST_MOUNTED)
				run->res[undo.items[i].entry].status = MG_ST_ROLLED_BACK;
		if (mg_undo_run(&undo, &ctx->proc, NULL) < 0)
			run->rollback_failed = true;
	}
	mg_undo_free(&undo);
	mg_pathset_free(&targets);
	if (before)
		mnt_unref_table(before);
	return r;
}

void mg_run_free(struct mg_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->res[i].resolved);
		free(run->res[i].error);
	}
	free(run->res);
	memset(run, 0, sizeof(*run));
}

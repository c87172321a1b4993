/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statvfs.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "devfs.h"
#include "mask_source.h"
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
		[MG_ST_REFUSED] = "refused",         [MG_ST_SKIPPED] = "skipped",
		[MG_ST_DUPLICATE] = "duplicate",
	};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *mg_action_name(const struct mg_entry *e, const struct mg_result *r)
{
	if (e->kind != MG_KIND_MOUNT)
		return mg_kind_name(e->kind);
	if (r->created == 0)
		return "mount";
	return e->create == MG_CREATE_FILE ? "create-file+mount" : "create-dir+mount";
}

/* What a bind source is: an O_PATH fd and the facts checked about it. */
struct source {
	int fd;
	int copy_fd;   /* a private detached copy to clone from (see bind_source_fd), or -1 */
	unsigned uses; /* binds made from it so far */
	bool no_copy;  /* the kernel cannot clone the copy: clone fd itself */
	mode_t fmt;
	unsigned long magic;
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id; /* 0: the kernel gave none (statx before 5.8) */
};

/* fd's type, device, inode and mount id in one statx. */
static int source_stat(int fd, struct source *s)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx) < 0)
		return -errno;
	s->fmt = stx.stx_mode & S_IFMT;
	s->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	s->ino = stx.stx_ino;
	s->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	return 0;
}

static int open_source(const struct mg_entry *e, struct source *s, struct mg_error *err)
{
	/* A source handed over as an fd (serve) was opened by the caller with
	 * the caller's own rights; a path comes from the administrator's config
	 * and is trusted like the rootfs path itself (see SECURITY.md). */
	_cleanup_close_ int fd = e->source_fd >= 0 ? fcntl(e->source_fd, F_DUPFD_CLOEXEC, 3)
						   : open(e->source, O_PATH | O_CLOEXEC);
	int r;
	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, errno, "cannot open source %s",
			       e->source ? e->source : "(fd)");
	r = source_stat(fd, s);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, -r, "statx source");
	if (s->fmt != S_IFDIR && s->fmt != S_IFREG)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "source is a %s; only directories and regular files can be bound",
			       mg_file_type_name(s->fmt));
	if (mg_fd_fs_magic(fd, &s->magic) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, errno, "fstatfs source");
	s->fd = TAKE_FD(fd);
	s->copy_fd = -1;
	s->uses = 0;
	s->no_copy = false;
	return 0;
}

static void source_close(struct source *s)
{
	mg_closep(&s->copy_fd);
	mg_closep(&s->fd);
}

/* From this many binds of one cached source on, they are cloned from a
 * private copy of it (bind_source_fd). Below it the kernel's quadratic term
 * is smaller than what the copy costs: closing a detached mount waits for an
 * RCU grace period (synchronize_rcu_expedited, ~0.1 ms here). */
#define SOURCE_COPY_AFTER 16

/* The fd a plain bind of `s` clones. Cloning a mount costs the kernel a look
 * at every mount on the source's mount (__do_loopback asks whether any is a
 * locked mount beneath the source), and N binds into a rootfs that lies on
 * the same filesystem mount as their source all land on that mount: O(N^2),
 * 75% of a 1,000-bind run here. A detached copy of the source, made by the
 * same open_tree from the same fd (with the same check on the source's
 * mount), has no mounts on it: clones of it cost the same whatever N is, and
 * are the same mount (same superblock, directory, flags and peer group). A
 * kernel that cannot clone a detached mount (before 6.15: EINVAL) keeps
 * cloning the source itself; so does the proc-fd backend. */
static int bind_source_fd(const struct mg_ctx *ctx, struct source *s)
{
	if (ctx->backend != MG_MOUNT_NEWAPI || s->no_copy || ++s->uses < SOURCE_COPY_AFTER)
		return s->fd;
	if (s->copy_fd < 0) {
		s->copy_fd = open_tree(s->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		/* Any failure here is the bind's own to report: it clones the
		 * source as it would have. */
		if (s->copy_fd < 0) {
			s->no_copy = true;
			return s->fd;
		}
	}
	return s->copy_fd;
}

/* Bind sources named by path, opened once each: a list of N binds of one
 * directory used to open, fstat, fstatfs and close it N times. An open
 * source is reused only while its path still leads to the same inode on the
 * same mount (one statx), so a mount made on or above it meanwhile is seen
 * exactly as a fresh open would see it. */
struct source_cache {
	struct mg_pathset index; /* path -> slot */
	struct source *slot;
	size_t n, cap;
};

static bool still_there(const char *path, const struct source *s)
{
	struct statx stx;
	return s->mnt_id != 0 &&
	       statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO | STATX_MNT_ID,
		     &stx) == 0 &&
	       (stx.stx_mask & STATX_MNT_ID) && stx.stx_mnt_id == s->mnt_id &&
	       stx.stx_ino == s->ino && makedev(stx.stx_dev_major, stx.stx_dev_minor) == s->dev;
}

/* The source of bind entry e, borrowed from the cache (do not close it). */
static int cached_source(struct source_cache *c, const struct mg_entry *e, struct source **out,
			 struct mg_error *err)
{
	size_t k;
	bool known = mg_pathset_get(&c->index, e->source, strlen(e->source), &k);
	if (known && still_there(e->source, &c->slot[k])) {
		*out = &c->slot[k];
		return 0;
	}
	struct source fresh;
	int r = open_source(e, &fresh, err);
	if (r < 0)
		return r;
	if (!known) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 8;
			struct source *ns = realloc(c->slot, cap * sizeof(*ns));
			if (!ns) {
				source_close(&fresh);
				return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, ENOMEM, "out of memory");
			}
			c->slot = ns;
			c->cap = cap;
		}
		k = c->n;
		if (mg_pathset_put(&c->index, e->source, k) < 0) {
			source_close(&fresh);
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, ENOMEM, "out of memory");
		}
		c->n++;
	} else {
		source_close(&c->slot[k]);
	}
	c->slot[k] = fresh;
	*out = &c->slot[k];
	return 0;
}

static void source_cache_free(struct source_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		source_close(&c->slot[i]);
	free(c->slot);
	mg_pathset_free(&c->index);
	memset(c, 0, sizeof(*c));
}

/* The rules a target must meet, whoever wrote the rootfs. */
static int check_target(const struct mg_entry *e, const struct mg_target *t, mode_t src_fmt,
			struct mg_error *err)
{
	/* Restrictions bind onto whatever the path is: a file or a directory. */
	bool bind = e->kind != MG_KIND_MOUNT || e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	/* The target as written, normalised: once, for the rules below. */
	char norm[PATH_MAX];
	bool written_ok = mg_path_lexical(e->target, norm, sizeof(norm)) == 0;

	if (strcmp(t->resolved, "/") == 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "target resolves to the rootfs root itself");
	if (!bind && t->fmt != S_IFDIR)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, ENOTDIR,
			       "a %s mount needs a directory; the target (%s) is a %s",
			       mg_fstype_name(e->type), t->resolved, mg_file_type_name(t->fmt));
	if (bind && src_fmt != t->fmt)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "source is a %s but the target (%s) is a %s",
			       mg_file_type_name(src_fmt), t->resolved, mg_file_type_name(t->fmt));
	/* proc and sysfs go on real directories only: a symlinked /proc lets
	 * the rootfs choose where the procfs lands (runc CVE-2019-16884). */
	if (e->kind == MG_KIND_MOUNT && (e->type == MG_FS_PROC || e->type == MG_FS_SYSFS) &&
	    (!written_ok || strcmp(norm, t->resolved) != 0))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, ELOOP,
			       "%s target %s goes through a symlink (to %s); %s mounts only on real "
			       "directories",
			       mg_fstype_name(e->type), e->target, t->resolved, mg_fstype_name(e->type));
	/* Nothing but a verified procfs may end up on /proc: judged by where
	 * the target resolved to and by how it was written, so that a
	 * symlinked /proc cannot move an entry meant for /proc (a volume, a
	 * mask of a procfs file) onto a directory of the image's choosing
	 * (runc CVE-2019-19921, CVE-2023-27561). */
	bool proc_entry = e->kind == MG_KIND_MOUNT && e->type == MG_FS_PROC;
	if (!proc_entry && (strcmp(t->resolved, "/proc") == 0 || (written_ok && strcmp(norm, "/proc") == 0)))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "only a procfs may be mounted on /proc, not %s", mg_entry_type_name(e));
	bool under_proc = strncmp(t->resolved, "/proc/", 6) == 0 ||
			  (written_ok && strncmp(norm, "/proc/", 6) == 0);
	if (under_proc && t->fd >= 0) {
		unsigned long magic = 0;
		if (mg_fd_fs_magic(t->fd, &magic) < 0 || magic != PROC_SUPER_MAGIC)
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
				       "target %s is under /proc but not on a procfs (fake /proc?)",
				       t->resolved);
	}
	return 0;
}

void mg_entry_attrs(const struct mg_entry *e, struct mg_mntopts *o)
{
	memset(o, 0, sizeof(*o));
	o->atime = -1;
	switch (e->kind) {
	case MG_KIND_MOUNT:
		o->attr_set = e->opts.attr_set;
		o->attr_clr = e->opts.attr_clr;
		o->atime = e->opts.atime;
		break;
	case MG_KIND_MASK:
		o->attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
		break;
	case MG_KIND_READONLY:
		o->attr_set = MOUNT_ATTR_RDONLY;
		break;
	default:
		o->attr_clr = MOUNT_ATTR_RDONLY;
		break;
	}
}

bool mg_entry_recursive(const struct mg_entry *e)
{
	return (e->kind == MG_KIND_MOUNT && e->type == MG_FS_RBIND) || e->kind == MG_KIND_READONLY ||
	       e->kind == MG_KIND_WRITABLE;
}

/* Proves the new mount is what was asked (filesystem magic `want`; 0: see
 * clone_magic), and on top of the target. */
static int check_new_mount(const struct mg_entry *e, int mnt_fd, const struct mg_target *t,
			   unsigned long want, uint64_t *mnt_id, struct mg_error *err)
{
	unsigned long got = want;
	uint64_t under = t->mnt_id;
	if (want && mg_fd_fs_magic(mnt_fd, &got) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "fstatfs new mount");
	if (got != want)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount has filesystem magic %#lx, expected %#lx", got, want);
	if (e->kind == MG_KIND_MOUNT && e->type == MG_FS_PROC && !mg_fd_is_procfs_root(mnt_fd))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount is not the root of a procfs");
	/* The target's mount id was read when it was opened (the fd pins
	 * that mount): only older kernels need to ask again. */
	if (mg_fd_mount_id(mnt_fd, mnt_id) < 0 || (!under && mg_fd_mount_id(t->fd, &under) < 0))
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "mount id");
	if (*mnt_id == under)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
			       "new mount has the same mount id as the target's mount");
	return 0;
}

/* The magic check_new_mount should find on a mount cloned from fd_magic's
 * file, or 0 for none. With the new API the mount is open_tree's clone of
 * that very fd, handed back as an fd: its superblock is the fd's by
 * construction, and a check would be one fstatfs per entry (1,000 in a
 * 1,000-bind list) that cannot fail. The proc-fd backend mounts a
 * /proc/self/fd/N path and opens the result again: there it proves the
 * path led where the fd was. A new filesystem (fsmount) is always checked:
 * fsopen("tmpfs") is ramfs on a kernel without CONFIG_SHMEM. */
static unsigned long clone_magic(const struct mg_ctx *ctx, unsigned long fd_magic)
{
	return ctx->backend == MG_MOUNT_NEWAPI ? 0 : fd_magic;
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

struct engine {
	struct mg_ctx *ctx;
	const struct mg_plan *plan;
	struct mg_run *run;
	struct mg_undo undo;
	struct mg_pathset targets; /* dry run: resolved targets so far */
	struct mg_pathset seen[MG_KIND__MAX]; /* resolved restriction targets, to mount each once */
	struct mg_mask_src mask_src;
	struct source_cache sources;
	struct mg_devnodes nodes;
};

/* Hands a new mount to the undo list and records it for the entry. */
static int keep_mount(struct engine *g, size_t i, int *mnt, uint64_t id, struct mg_error *err)
{
	int r = mg_undo_add_mount(&g->undo, *mnt, id, i);
	*mnt = -1;
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "out of memory");
	g->run->res[i].mnt_id = id;
	g->run->res[i].status = MG_ST_MOUNTED;
	return 0;
}

static int add_extra(struct mg_run *run, uint64_t id, size_t entry)
{
	if (run->nextra == run->extra_cap) {
		size_t cap = run->extra_cap ? run->extra_cap * 2 : 16;
		struct mg_extra_mount *n = realloc(run->extra, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		run->extra = n;
		run->extra_cap = cap;
	}
	run->extra[run->nextra++] = (struct mg_extra_mount){ id, entry };
	return 0;
}

/* Resolves an entry's target; in a dry run decides whether it is deferred.
 * Returns 1 when the entry is done (deferred), 0 to go on, <0 on failure.
 * With `missing_ok`, a target that does not exist marks the entry skipped. */
static int open_target(struct engine *g, size_t i, struct mg_target *t, bool missing_ok,
		       struct mg_error *err)
{
	const struct mg_entry *e = &g->plan->entries[i];
	struct mg_result *res = &g->run->res[i];
	struct mg_error local = { 0 };
	int r = mg_target_open(g->ctx, e, i, &g->undo, t, &local);
	res->created = t->created;
	if (t->resolved[0])
		res->resolved = strdup(t->resolved);
	if (g->ctx->dry_run && shadowed(&g->targets, e, t->resolved)) {
		res->status = MG_ST_DEFERRED;
		return 1;
	}
	if (r < 0 && missing_ok && local.stage == MG_STAGE_RESOLVE && local.err == ENOENT) {
		res->status = MG_ST_SKIPPED;
		res->error = strdup("does not exist");
		return 1;
	}
	if (r < 0)
		*err = local;
	return r;
}

static int run_mount(struct engine *g, size_t i, struct mg_error *err)
{
	const struct mg_entry *e = &g->plan->entries[i];
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	_cleanup_close_ int own_src = -1, mnt = -1;
	struct mg_target t = { .fd = -1 };
	struct source fd_src;
	struct source *src = NULL;
	bool cached = false;
	unsigned long want = mg_fstype_magic(e->type);
	int r;

	if (bind && e->source_fd < 0) {
		r = cached_source(&g->sources, e, &src, err);
		if (r < 0)
			return r;
		cached = true;
	} else if (bind) {
		/* A handed-over fd serves exactly one entry: nothing to share. */
		r = open_source(e, &fd_src, err);
		if (r < 0)
			return r;
		own_src = fd_src.fd;
		src = &fd_src;
	}
	if (src)
		want = clone_magic(g->ctx, src->magic);
	r = open_target(g, i, &t, false, err);
	_cleanup_close_ int tfd = t.fd;
	if (r != 0)
		return r > 0 ? 0 : r;
	r = check_target(e, &t, src ? src->fmt : 0, err);
	if (r < 0)
		return r;
	if (g->ctx->dry_run) {
		g->run->res[i].status = MG_ST_PLANNED;
		return mg_pathset_add(&g->targets, t.resolved);
	}
	int src_fd = !src ? -1 : cached && e->type == MG_FS_BIND ? bind_source_fd(g->ctx, src) : src->fd;
	r = mg_mount_entry(g->ctx, e, tfd, src_fd, &mnt, err);
	if (r < 0)
		return r;
	uint64_t id = 0;
	r = check_new_mount(e, mnt, &t, want, &id, err);
	if (r < 0) {
		/* Still ours to take back: hand it to the undo list first. */
		keep_mount(g, i, &mnt, id, NULL);
		return r;
	}
	_cleanup_close_ int dev_root = e->type == MG_FS_DEV ? fcntl(mnt, F_DUPFD_CLOEXEC, 3) : -1;
	r = keep_mount(g, i, &mnt, id, err);
	if (r < 0 || e->type != MG_FS_DEV)
		return r;
	uint64_t ids[MG_DEVFS_MOUNTS];
	size_t nids = 0;
	if (dev_root < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "dup");
	r = mg_devfs_populate(g->ctx, e, dev_root, &g->nodes, i, &g->undo, ids, &nids, err);
	for (size_t k = 0; k < nids; k++)
		if (add_extra(g->run, ids[k], i) < 0 && r == 0)
			r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
	return r;
}

/* Masks, read-only paths and writable exceptions: binds of our own empty
 * tmpfs, or of the path onto itself with read-only set or cleared. A target
 * that does not exist is skipped and reported. */
static int run_restrict(struct engine *g, size_t i, struct mg_error *err)
{
	const struct mg_entry *e = &g->plan->entries[i];
	struct mg_result *res = &g->run->res[i];
	_cleanup_close_ int mnt = -1;
	struct mg_target t = { .fd = -1 };
	struct mg_mntopts o;
	unsigned long want = TMPFS_MAGIC;
	int r;

	r = open_target(g, i, &t, true, err);
	_cleanup_close_ int tfd = t.fd;
	if (r != 0)
		return r > 0 ? 0 : r;
	r = check_target(e, &t, t.fmt, err);
	if (r < 0)
		return r;
	/* The same path twice (a preset and the config, say): once is enough. */
	struct mg_pathset *seen = &g->seen[e->kind];
	if (mg_pathset_has(seen, t.resolved, strlen(t.resolved))) {
		res->status = MG_ST_DUPLICATE;
		return 0;
	}
	if (mg_pathset_add(seen, t.resolved) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
	if (g->ctx->dry_run) {
		res->status = MG_ST_PLANNED;
		return mg_pathset_add(&g->targets, t.resolved);
	}
	mg_entry_attrs(e, &o);
	switch (e->kind) {
	case MG_KIND_MASK:
		r = mg_mask_src_open(g->ctx, &g->mask_src, err);
		if (r < 0)
			return r;
		want = clone_magic(g->ctx, want);
		r = mg_bind_fd(g->ctx, t.fmt == S_IFDIR ? g->mask_src.dir_fd : g->mask_src.file_fd, tfd,
			       false, &o, &mnt, err);
		break;
	case MG_KIND_READONLY:
	case MG_KIND_WRITABLE:
		if (g->ctx->backend != MG_MOUNT_NEWAPI && mg_fd_fs_magic(tfd, &want) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "fstatfs target");
		want = clone_magic(g->ctx, want);
		r = mg_bind_fd(g->ctx, tfd, tfd, true, &o, &mnt, err);
		break;
	default:
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, EINVAL, "unknown entry kind");
	}
	if (r < 0)
		return r;
	uint64_t id = 0;
	r = check_new_mount(e, mnt, &t, want, &id, err);
	struct statvfs sv;
	if (r == 0 && e->kind == MG_KIND_WRITABLE && fstatvfs(mnt, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, EROFS,
			    "%s stays read-only: its filesystem itself is read-only", t.resolved);
	int k = keep_mount(g, i, &mnt, id, r < 0 ? NULL : err);
	return r < 0 ? r : k;
}

/* Entries run by kind (mounts, masks, read-only, writable), each kind in
 * file order: a mask must land on what the mounts made, and a writable
 * exception must come after the read-only tree it punches through. */
static int run_all(struct engine *g, struct mg_error *err)
{
	for (int kind = 0; kind < MG_KIND__MAX; kind++) {
		for (size_t i = 0; i < g->plan->n; i++) {
			const struct mg_entry *e = &g->plan->entries[i];
			if ((int)e->kind != kind)
				continue;
			if (g->ctx->cancel && *g->ctx->cancel) {
				mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ECANCELED,
					"the caller went away; rolling back");
				return -ECANCELED;
			}
			int r = kind == MG_KIND_MOUNT ? run_mount(g, i, err) : run_restrict(g, i, err);
			if (r < 0) {
				mg_error_set_entry(err, mg_entry_file(g->plan, e), e->line, e->name);
				record_error(&g->run->res[i], err, err->kind == MG_EXIT_UNSAFE);
				return r;
			}
		}
		/* The staging mount (if any) goes before anything is verified. */
		if (kind == MG_KIND_MASK && mg_mask_src_close(g->ctx, &g->mask_src) < 0) {
			g->run->rollback_failed = true; /* the staging is left in the rootfs */
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, EBUSY,
				       "cannot take the masks' staging mount down");
		}
	}
	return 0;
}

/* Undoes everything in `u`, newest first. An entry is reported rolled back
 * only when every mount made for it is gone; one whose unmount failed stays
 * "mounted", because it is. */
static int roll_back(const struct mg_ctx *ctx, struct mg_undo *u, struct mg_run *run)
{
	int r = mg_undo_run(u, &ctx->proc, NULL);
	for (size_t i = 0; i < u->n; i++)
		if (u->items[i].kind == MG_UNDO_MOUNT && !u->items[i].failed &&
		    run->res[u->items[i].entry].status == MG_ST_MOUNTED)
			run->res[u->items[i].entry].status = MG_ST_ROLLED_BACK;
	for (size_t i = 0; i < u->n; i++)
		if (u->items[i].kind == MG_UNDO_MOUNT && u->items[i].failed)
			run->res[u->items[i].entry].status = MG_ST_MOUNTED;
	if (r < 0)
		run->rollback_failed = true;
	return r;
}

static bool needs_devnodes(const struct mg_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->entries[i].kind == MG_KIND_MOUNT && plan->entries[i].type == MG_FS_DEV)
			return true;
	return false;
}

int mg_engine_run(struct mg_ctx *ctx, const struct mg_plan *plan, struct mg_run *run,
		  struct mg_error *err)
{
	struct engine g = { .ctx = ctx, .plan = plan, .run = run, .mask_src = MG_MASK_SRC_INIT };
	struct mg_idset before = { 0 };
	int r = 0;

	for (size_t k = 0; k < MG_DEVNODES; k++)
		g.nodes.fd[k] = -1;
	run->n = plan->n;
	run->res = calloc(plan->n ? plan->n : 1, sizeof(*run->res));
	if (!run->res)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	if (!ctx->dry_run) {
		/* Host device nodes are opened before any rootfs work. */
		if (needs_devnodes(plan)) {
			r = mg_devnodes_open(&g.nodes, err);
			if (r < 0)
				goto out;
		}
		r = mg_idset_read(&ctx->proc, &before, err);
		if (r < 0)
			goto out;
	}
	r = run_all(&g, err);
	if (r == 0 && !ctx->dry_run) {
		run->tree = calloc(1, sizeof(*run->tree));
		r = run->tree ? mg_verify_run(ctx, plan, run, &before, run->tree, err)
			      : mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		if (r == 0)
			run->verified = true;
	}
	if (r == 0 && !ctx->dry_run && ctx->hold) {
		run->held = malloc(sizeof(*run->held));
		if (!run->held)
			r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
		else {
			*run->held = g.undo;
			memset(&g.undo, 0, sizeof(g.undo));
		}
	}
out:
	if (mg_mask_src_close(ctx, &g.mask_src) < 0)
		run->rollback_failed = true; /* a staging mount or directory is left */
	if (r < 0 && !ctx->dry_run)
		roll_back(ctx, &g.undo, run);
	mg_undo_free(&g.undo);
	source_cache_free(&g.sources);
	mg_pathset_free(&g.targets);
	for (int k = 0; k < MG_KIND__MAX; k++)
		mg_pathset_free(&g.seen[k]);
	mg_devnodes_close(&g.nodes);
	mg_idset_free(&before);
	return r;
}

void mg_engine_commit(struct mg_run *run)
{
	if (run->held) {
		mg_undo_free(run->held);
		free(run->held);
		run->held = NULL;
	}
}

int mg_engine_abort(const struct mg_ctx *ctx, struct mg_run *run)
{
	int r = 0;
	if (run->held) {
		r = roll_back(ctx, run->held, run);
		mg_undo_free(run->held);
		free(run->held);
		run->held = NULL;
	}
	return r;
}

void mg_run_free(struct mg_run *run)
{
	mg_engine_commit(run);
	for (size_t i = 0; i < run->n; i++) {
		free(run->res[i].resolved);
		free(run->res[i].error);
	}
	free(run->res);
	free(run->extra);
	if (run->tree) {
		mg_mount_tree_free(run->tree);
		free(run->tree);
	}
	memset(run, 0, sizeof(*run));
}

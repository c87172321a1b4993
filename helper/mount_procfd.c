/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The classic safe_mount for kernels without the new mount API: mount(2) on
 * "N", resolved from our verified procfs's self/fd directory (the process
 * cwd while the call runs), so the target is the object fd N refers to and
 * no path in the rootfs is ever handed to mount(2).
 *
 * A magic-link open does not step into mounts on top of the object it lands
 * on, so after mounting, the new mount's root is reached from the target's
 * parent directory by name: that (parent fd, name) pair is pinned and checked
 * against the target fd's inode before anything is mounted. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"
#include "mntopts.h"
#include "mount_backend.h"
#include "mountinfo.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

static const struct {
	unsigned attr;
	unsigned long ms;
	unsigned long st;
} attr_map[] = {
	{ MOUNT_ATTR_RDONLY, MS_RDONLY, ST_RDONLY },
	{ MOUNT_ATTR_NOSUID, MS_NOSUID, ST_NOSUID },
	{ MOUNT_ATTR_NODEV, MS_NODEV, ST_NODEV },
	{ MOUNT_ATTR_NOEXEC, MS_NOEXEC, ST_NOEXEC },
	{ MOUNT_ATTR_NODIRATIME, MS_NODIRATIME, ST_NODIRATIME },
	{ MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW, ST_NOSYMFOLLOW },
};

static unsigned long atime_ms(int atime)
{
	switch (atime) {
	case MOUNT_ATTR_NOATIME:
		return MS_NOATIME;
	case MOUNT_ATTR_STRICTATIME:
		return MS_STRICTATIME;
	case MOUNT_ATTR_RELATIME:
		return MS_RELATIME;
	default:
		return 0;
	}
}

static unsigned long attrs_to_ms(unsigned attrs)
{
	unsigned long ms = 0;
	for (size_t i = 0; i < ARRAY_SIZE(attr_map); i++)
		if (attrs & attr_map[i].attr)
			ms |= attr_map[i].ms;
	return ms;
}

/* The flags for a bind remount: what the mount has now (so locked flags in a
 * user namespace survive), changed only where the entry asked. */
static int remount_flags(int mnt_fd, const struct mg_mntopts *o, unsigned long *out)
{
	struct statvfs sv;
	if (fstatvfs(mnt_fd, &sv) < 0)
		return -errno;
	unsigned long ms = MS_REMOUNT | MS_BIND;
	for (size_t i = 0; i < ARRAY_SIZE(attr_map); i++) {
		bool on = (sv.f_flag & attr_map[i].st) != 0;
		if (o->attr_set & attr_map[i].attr)
			on = true;
		if (o->attr_clr & attr_map[i].attr)
			on = false;
		if (on)
			ms |= attr_map[i].ms;
	}
	if (o->atime != -1)
		ms |= atime_ms(o->atime);
	else if (sv.f_flag & ST_NOATIME)
		ms |= MS_NOATIME;
	else if (!(sv.f_flag & ST_RELATIME))
		ms |= MS_STRICTATIME;
	*out = ms;
	return 0;
}

static int build_data(const struct mg_mntopts *o, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < o->nfs; i++) {
		int w = snprintf(buf + n, size - n, "%s%s%s%s", n ? "," : "", o->fs[i].key,
				 o->fs[i].value ? "=" : "", o->fs[i].value ? o->fs[i].value : "");
		if (w < 0 || (size_t)w >= size - n)
			return -E2BIG;
		n += (size_t)w;
	}
	return 0;
}

/* mount(2) with both paths taken as fd numbers in the verified self/fd. */
static int mount_via_fd_dir(const struct mg_ctx *ctx, int src_fd, const char *fstype, int dst_fd,
			    unsigned long flags, const char *data)
{
	char src[16], dst[16];
	mg_fd_name(dst_fd, dst);
	if (src_fd >= 0)
		mg_fd_name(src_fd, src);
	else
		snprintf(src, sizeof(src), "%s", fstype ? fstype : "none");
	if (fchdir(ctx->proc.fd_dir) < 0)
		return -errno;
	/* The kernel ignores the type of a bind or a remount; "none" rather
	 * than NULL keeps memcheck (which checks it as a string) quiet. */
	int r = mount(src, dst, src_fd >= 0 || !fstype ? "none" : fstype, flags, data) < 0 ? -errno : 0;
	mg_chdir_root();
	return r;
}

static void detach(const struct mg_ctx *ctx, int mnt_fd)
{
	(void)mg_procfs_detach(&ctx->proc, mnt_fd);
}

/* Pins the target's parent directory and name, proven to lead to target_fd. */
static int pin_parent(const struct mg_ctx *ctx, int target_fd, char *base, struct mg_error *err)
{
	char resolved[PATH_MAX];
	struct stat a, b;
	int r = mg_in_root_path(ctx, target_fd, resolved, sizeof(resolved));
	if (r < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, -r, "cannot name the target");
	char *slash = strrchr(resolved, '/');
	if (!slash || slash[1] == '\0')
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, EBUSY,
			       "the target is the rootfs root itself");
	size_t blen = strlen(slash + 1);
	if (blen > NAME_MAX)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, ENAMETOOLONG, "target name too long");
	memcpy(base, slash + 1, blen + 1);
	if (slash == resolved)
		slash[1] = '\0';
	else
		*slash = '\0';
	/* The kernel's own name for the parent has no symlinks in it, so a
	 * symlink seen now is a race: refuse it. */
	_cleanup_close_ int pfd =
		mg_resolve(ctx->resolver, ctx->root_fd, resolved, MG_RESOLVE_NO_SYMLINKS);
	if (pfd < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, -pfd,
			       "the target's parent changed while we worked");
	_cleanup_close_ int check = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (check < 0 || fstat(check, &a) < 0 || fstat(target_fd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, ESTALE,
			       "the target moved while we worked");
	return TAKE_FD(pfd);
}

/* mount(2) onto target_fd, then the new mount's root, reached from the
 * pinned parent by name and proven to be a different mount. */
static int mount_and_reopen(const struct mg_ctx *ctx, int target_fd, int src_fd,
			    const char *fstype, unsigned long flags, const char *data, int *out,
			    struct mg_error *err)
{
	char base[NAME_MAX + 1];
	uint64_t before, after;
	_cleanup_close_ int pfd = pin_parent(ctx, target_fd, base, err);
	if (pfd < 0)
		return pfd;
	if (mg_fd_mount_id(target_fd, &before) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mount id of the target");
	int r = mount_via_fd_dir(ctx, src_fd, fstype, target_fd, flags, data);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "mount %s via /proc/self/fd",
			       fstype ? fstype : "bind");
	_cleanup_close_ int nfd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0 || mg_fd_mount_id(nfd, &after) < 0 || after == before) {
		/* We cannot see our own mount: take it off by name from the
		 * pinned parent (one component, no symlink followed). */
		if (fchdir(pfd) == 0)
			(void)umount2(base, MNT_DETACH | UMOUNT_NOFOLLOW);
		mg_chdir_root();
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, ESTALE,
			       "the new mount is not where it was put");
	}
	*out = TAKE_FD(nfd);
	return 0;
}

static bool has_attrs(const struct mg_mntopts *o)
{
	return o->attr_set || o->attr_clr || o->atime != -1;
}

static int remount_one(const struct mg_ctx *ctx, int mnt_fd, const struct mg_mntopts *o)
{
	unsigned long ms = 0;
	int r = remount_flags(mnt_fd, o, &ms);
	return r < 0 ? r : mount_via_fd_dir(ctx, -1, NULL, mnt_fd, ms, NULL);
}

/* The mounts of the namespace as remount_submounts needs them: id, parent
 * and mount point (offsets into one string arena), from one streaming read. */
struct mount_list {
	struct listed {
		uint64_t id, parent;
		size_t path; /* offset into names */
	} *m;
	size_t n, cap;
	char *names;
	size_t len, names_cap;
};

static int list_add(const struct mg_mountinfo_line *l, void *arg, struct mg_error *err)
{
	struct mount_list *ml = arg;
	size_t plen = strlen(l->path) + 1;
	if (ml->n == ml->cap) {
		size_t cap = ml->cap ? ml->cap * 2 : 64;
		struct listed *nm = realloc(ml->m, cap * sizeof(*nm));
		if (!nm)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
		ml->m = nm;
		ml->cap = cap;
	}
	if (ml->names_cap - ml->len < plen) {
		size_t cap = ml->names_cap ? ml->names_cap * 2 : 4096;
		while (cap - ml->len < plen)
			cap *= 2;
		char *nn = realloc(ml->names, cap);
		if (!nn)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
		ml->names = nn;
		ml->names_cap = cap;
	}
	memcpy(ml->names + ml->len, l->path, plen);
	ml->m[ml->n++] = (struct listed){ l->id, l->parent, ml->len };
	ml->len += plen;
	return 0;
}

/* Without mount_setattr(AT_RECURSIVE) every submount of a recursive bind
 * needs its own remount. They are found in mountinfo (children of the new
 * mount, then theirs), each reached by its in-root path with symlinks
 * refused (the kernel's own name has none) and proven by mount id. */
static int remount_submounts(const struct mg_ctx *ctx, uint64_t top, const struct mg_mntopts *o,
			     struct mg_error *err)
{
	struct mount_list ml = { 0 };
	_cleanup_free_ uint64_t *ids = NULL;
	size_t n = 1, cap = 16;
	int r;

	ids = malloc(cap * sizeof(*ids));
	r = ids ? mg_mountinfo_each(&ctx->proc, list_add, &ml, err)
		: mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
	if (r < 0)
		goto out;
	ids[0] = top;
	/* mountinfo lists a parent before its children; mounts moved later
	 * may break that, so sweep until nothing new is found. */
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t k = 0; k < ml.n; k++) {
			uint64_t id = ml.m[k].id, parent = ml.m[k].parent;
			bool have_parent = false, have_self = false;
			for (size_t i = 0; i < n; i++) {
				have_parent |= ids[i] == parent;
				have_self |= ids[i] == id;
			}
			if (!have_parent || have_self)
				continue;
			const char *path = ml.names + ml.m[k].path;
			uint64_t got;
			if (strncmp(path, ctx->root_path, ctx->root_len) != 0) {
				r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, EXDEV,
					    "a submount of the bind is outside the root");
				goto out;
			}
			const char *rel = ctx->root_len == 1 ? path : path + ctx->root_len;
			_cleanup_close_ int fd = mg_resolve(ctx->resolver, ctx->root_fd, rel,
							    MG_RESOLVE_NO_SYMLINKS);
			if (fd < 0 || mg_fd_mount_id(fd, &got) < 0 || got != id) {
				r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, ESTALE,
					    "cannot reach submount %llu of the bind (overmounted or "
					    "moved)",
					    (unsigned long long)id);
				goto out;
			}
			r = remount_one(ctx, fd, o);
			if (r < 0) {
				mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r,
					"remount of submount %llu", (unsigned long long)id);
				goto out;
			}
			if (n == cap) {
				uint64_t *ni = realloc(ids, cap * 2 * sizeof(*ni));
				if (!ni) {
					r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
					goto out;
				}
				ids = ni;
				cap *= 2;
			}
			ids[n++] = id;
			grew = true;
		}
	}
	r = 0;
out:
	free(ml.m);
	free(ml.names);
	return r;
}

int mg_procfd_bind(const struct mg_ctx *ctx, int source_fd, int target_fd, bool rec,
		   const struct mg_mntopts *o, int *mnt_fd, struct mg_error *err)
{
	_cleanup_close_ int nfd = -1;
	uint64_t top;
	int r = mount_and_reopen(ctx, target_fd, source_fd, NULL, MS_BIND | (rec ? MS_REC : 0), NULL,
				 &nfd, err);
	if (r < 0)
		return r;
	if (has_attrs(o)) {
		r = remount_one(ctx, nfd, o);
		if (r < 0)
			mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "remount of the bind with its options");
		else if (rec && mg_fd_mount_id(nfd, &top) == 0)
			r = remount_submounts(ctx, top, o, err);
		if (r < 0) {
			detach(ctx, nfd);
			return r;
		}
	}
	*mnt_fd = TAKE_FD(nfd);
	return 0;
}

int mg_procfd_remount_sb_ro(const struct mg_ctx *ctx, int mnt_fd, struct mg_error *err)
{
	/* No MS_BIND: this changes the superblock, not just this mount. */
	int r = mount_via_fd_dir(ctx, -1, NULL, mnt_fd,
				 MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return r < 0 ? mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "read-only remount") : 0;
}

int mg_mount_procfd(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err)
{
	char data[1024];

	if (e->type == MG_FS_BIND || e->type == MG_FS_RBIND)
		return mg_procfd_bind(ctx, source_fd, target_fd, e->type == MG_FS_RBIND, &e->opts,
				      mnt_fd, err);
	/* type = dev is a tmpfs that devfs.c fills afterwards. */
	const char *fstype = e->type == MG_FS_DEV ? "tmpfs" : mg_fstype_name(e->type);
	if (build_data(&e->opts, data, sizeof(data)) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, E2BIG, "options too long");
	unsigned long flags = attrs_to_ms(e->opts.attr_set) | atime_ms(e->opts.atime);
	return mount_and_reopen(ctx, target_fd, -1, fstype, flags, data[0] ? data : NULL, mnt_fd, err);
}

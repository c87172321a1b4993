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
	snprintf(dst, sizeof(dst), "%d", dst_fd);
	if (src_fd >= 0)
		snprintf(src, sizeof(src), "%d", src_fd);
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
	char name[16];
	snprintf(name, sizeof(name), "%d", mnt_fd);
	if (fchdir(ctx->proc.fd_dir) == 0)
		(void)umount2(name, MNT_DETACH);
	mg_chdir_root();
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

int mg_mount_procfd(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err)
{
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	const char *fstype = mg_fstype_name(e->type);
	char base[NAME_MAX + 1], data[1024];
	uint64_t before, after;
	int r;

	if (e->type == MG_FS_RBIND && (e->opts.attr_set || e->opts.attr_clr || e->opts.atime != -1))
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, EOPNOTSUPP,
			       "options on an rbind need mount_setattr(AT_RECURSIVE) (Linux 5.12) "
			       "to apply to every submount; this kernel has no new mount API");
	_cleanup_close_ int pfd = pin_parent(ctx, target_fd, base, err);
	if (pfd < 0)
		return pfd;
	if (mg_fd_mount_id(target_fd, &before) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mount id of the target");
	if (bind) {
		r = mount_via_fd_dir(ctx, source_fd, NULL, target_fd,
				     MS_BIND | (e->type == MG_FS_RBIND ? MS_REC : 0), NULL);
	} else {
		if (build_data(&e->opts, data, sizeof(data)) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, E2BIG, "options too long");
		unsigned long flags = attrs_to_ms(e->opts.attr_set) | atime_ms(e->opts.atime);
		r = mount_via_fd_dir(ctx, -1, fstype, target_fd, flags, data[0] ? data : NULL);
	}
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "mount %s via /proc/self/fd",
			       fstype);

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
	if (bind && (e->opts.attr_set || e->opts.attr_clr || e->opts.atime != -1)) {
		unsigned long ms = 0;
		r = remount_flags(nfd, &e->opts, &ms);
		if (r == 0)
			r = mount_via_fd_dir(ctx, -1, NULL, nfd, ms, NULL);
		if (r < 0) {
			detach(ctx, nfd);
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r,
				       "remount of the bind with its options");
		}
	}
	*mnt_fd = TAKE_FD(nfd);
	return 0;
}

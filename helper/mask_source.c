/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Two ways to hold the mask tmpfs, one per kernel generation:
 *
 * - New mount API, and a kernel that lets open_tree(OPEN_TREE_CLONE) copy a
 *   detached mount the caller made (6.15+): the tmpfs is never attached
 *   anywhere; masks are clones of it. Nobody else can see or change it.
 *   (The clone that probes for this is kept mounted on "p" in the tmpfs,
 *   and the run's private procfs on "q", so that the whole detached tree
 *   goes in one unmount: each unmount waits for an RCU grace period.)
 * - Otherwise a bind needs a source attached in our namespace, so the tmpfs
 *   is mounted on a fresh 0700 staging directory in the rootfs root, used,
 *   then detached and the directory removed before verification. Every step
 *   is by fd; the directory is created with O_EXCL semantics (mkdirat) and
 *   removed only if it is still the inode we made.
 *
 * Either way the tmpfs is read-only at the superblock level before any mask
 * is bound from it, and every mask is also a read-only, nosuid, nodev,
 * noexec mount. */
#include "mask_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "mount_backend.h"

/* The tmpfs holds an empty directory "d" (0555) and an empty file "f"
 * (0444), made while it is still writable. Masks bind "d" or "f", never the
 * root, so a masked directory lists nothing at all. */
static int make_sources(int root_fd, struct mg_mask_src *src, struct mg_error *err)
{
	_cleanup_close_ int w =
		openat(root_fd, "f", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (w < 0 || mkdirat(root_fd, "d", 0555) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: create");
	src->file_fd = openat(root_fd, "f", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	src->dir_fd = openat(root_fd, "d", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (src->file_fd < 0 || src->dir_fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: open");
	return 0;
}

static int open_detached(const struct mg_ctx *ctx, struct mg_mask_src *src, struct mg_error *err)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1, pick = -1, probe = -1;
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", "5", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: fsconfig");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: fsmount");
	/* Can this kernel clone a detached mount? If not, stage instead. */
	probe = open_tree(mnt, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (probe < 0 && errno == EINVAL)
		return -EINVAL;
	if (probe < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: open_tree");
	if (make_sources(mnt, src, err) < 0)
		return -EIO;
	/* The probe is a detached mount tree of its own: closing it ends in the
	 * kernel's synchronize_rcu_expedited (about 0.1 ms here), and closing
	 * the source later in another. Mounted on a directory of the source
	 * (never bound: masks bind "d" or "f" only, without submounts), it goes
	 * in the source's one unmount instead. Where the kernel cannot mount
	 * on a detached tree (EINVAL), the probe is closed as before; any other
	 * failure of a mount call is the run's failure, as everywhere. */
	if (mkdirat(mnt, "p", 0) == 0 && move_mount(probe, "", mnt, "p", MOVE_MOUNT_F_EMPTY_PATH) < 0 &&
	    errno != EINVAL)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: move_mount");
	/* The run's private procfs instance is a detached tree too, whose
	 * close would wait for a grace period of its own: it goes on "q", in
	 * the same unmount. Its fds keep working once the tree is unmounted
	 * (lookups through an fd need no mount point: self/mountinfo,
	 * self/fd/N for an undo's umount2), and nothing beneath it is ever
	 * bound. Same EINVAL rule as for the probe. */
	if (ctx->proc.private_instance && mkdirat(mnt, "q", 0) == 0 &&
	    move_mount(ctx->proc.root_fd, "", mnt, "q", MOVE_MOUNT_F_EMPTY_PATH) < 0 && errno != EINVAL)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno,
			       "mask source: move_mount of the procfs");
	pick = fspick(mnt, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
	if (pick < 0 || fsconfig(pick, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
	    fsconfig(pick, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: read-only");
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mask source: mount_setattr");
	src->detached_fd = TAKE_FD(mnt);
	return 0;
}

static int open_staged(const struct mg_ctx *ctx, struct mg_mask_src *src, struct mg_error *err)
{
	struct mg_entry tmpfs = { .kind = MG_KIND_MOUNT, .type = MG_FS_TMPFS, .name = "mask-source" };
	struct stat st;
	int r;

	tmpfs.opts.atime = -1;
	tmpfs.opts.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	struct mg_fsopt fsopts[] = { { "mode", "0755" }, { "size", "4k" }, { "nr_inodes", "4" } };
	tmpfs.opts.fs = fsopts; /* tmpfs is never cleared */
	tmpfs.opts.nfs = ARRAY_SIZE(fsopts);

	snprintf(src->stage_name, sizeof(src->stage_name), ".mount-guard-masks.%d", (int)getpid());
	if (mkdirat(ctx->root_fd, src->stage_name, 0700) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno,
			       "mask source: cannot make the staging directory %s in the root",
			       src->stage_name);
	src->stage_parent_fd = fcntl(ctx->root_fd, F_DUPFD_CLOEXEC, 3);
	_cleanup_close_ int dir =
		openat(ctx->root_fd, src->stage_name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (src->stage_parent_fd < 0 || dir < 0 || fstat(dir, &st) < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_MOUNT, errno,
			       "mask source: the staging directory changed");
	src->stage_dev = st.st_dev;
	src->stage_ino = st.st_ino;
	r = mg_mount_entry(ctx, &tmpfs, dir, -1, &src->stage_mnt_fd, err);
	if (r < 0)
		return r;
	if (make_sources(src->stage_mnt_fd, src, err) < 0 ||
	    mg_procfd_remount_sb_ro(ctx, src->stage_mnt_fd, err) < 0)
		return -EIO;
	return 0;
}

int mg_mask_src_open(const struct mg_ctx *ctx, struct mg_mask_src *src, struct mg_error *err)
{
	if (src->dir_fd >= 0)
		return 0;
	if (ctx->backend == MG_MOUNT_NEWAPI) {
		int r = open_detached(ctx, src, err);
		if (r == 0 || err->set)
			return r;
	}
	return open_staged(ctx, src, err);
}

int mg_mask_src_close(const struct mg_ctx *ctx, struct mg_mask_src *src)
{
	int r = 0;
	if (src->stage_mnt_fd >= 0)
		r = mg_procfs_detach(&ctx->proc, src->stage_mnt_fd);
	if (src->stage_parent_fd >= 0) {
		struct stat st;
		if (fstatat(src->stage_parent_fd, src->stage_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_dev == src->stage_dev && st.st_ino == src->stage_ino &&
		    unlinkat(src->stage_parent_fd, src->stage_name, AT_REMOVEDIR) < 0 && r == 0)
			r = -errno;
	}
	mg_closep(&src->stage_mnt_fd);
	mg_closep(&src->stage_parent_fd);
	mg_closep(&src->dir_fd);
	mg_closep(&src->file_fd);
	mg_closep(&src->detached_fd);
	src->stage_mnt_fd = src->stage_parent_fd = src->dir_fd = src->file_fd = src->detached_fd = -1;
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "exec_root.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"
#include "mount_backend.h"

/* mount(2) ignores the source and type of a propagation change, a move and
 * a bind remount; "none" rather than NULL keeps memcheck quiet. */
int mg_exec_unshare(struct mg_error *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "unshare(CLONE_NEWNS)");
	/* Private, not slave: verification requires that no mount appears in
	 * our namespace during the run but ours (a host mount propagating in
	 * would make it refuse), and the command's tree is then a snapshot that
	 * later host mounts and unmounts (of a bind source's submounts, say)
	 * never reach. Nothing propagates back to the host either way. "/" is
	 * the namespace's own root here, not a path in the rootfs. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno,
			       "making every mount of the new namespace private%s",
			       errno == EINVAL ? " (/ is not a mount point: started in a chroot?)" : "");
	return 0;
}

/* The proc-fd backend finds a new mount again by name from the target's
 * parent inside the root, which the root itself does not have. The root's
 * host path is trusted (SECURITY.md), and the kernel's name for it has no
 * symlink: the new mount is the top one there, proven by its mount id. */
static int bind_root_procfd(const struct mg_ctx *ctx, uint64_t before, int *bind_fd,
			    struct mg_error *err)
{
	char fd[16];
	uint64_t after;
	snprintf(fd, sizeof(fd), "%d", ctx->root_fd);
	if (fchdir(ctx->proc.fd_dir) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "fchdir into self/fd");
	int r = mount(fd, fd, "none", MS_BIND | MS_REC, NULL);
	int e = errno;
	mg_chdir_root();
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, e,
			       "binding the root onto itself via /proc/self/fd");
	_cleanup_close_ int nfd = open(ctx->root_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0 || mg_fd_mount_id(nfd, &after) < 0 || after == before) {
		if (nfd >= 0)
			(void)mg_procfs_detach(&ctx->proc, nfd);
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, ESTALE,
			       "the bind of the root onto itself is not where it was put");
	}
	*bind_fd = TAKE_FD(nfd);
	return 0;
}

int mg_exec_root_mountpoint(const struct mg_ctx *ctx, int *bind_fd, struct mg_error *err)
{
	uint64_t here, above;
	struct mg_mntopts keep = { .atime = -1 }; /* every flag as the source has it */
	_cleanup_close_ int parent = openat(ctx->root_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

	*bind_fd = -1;
	if (parent < 0 || mg_fd_mount_id(ctx->root_fd, &here) < 0 ||
	    mg_fd_mount_id(parent, &above) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno,
			       "cannot tell whether the root is a mount point");
	if (here != above)
		return 0;
	/* Recursive, as systemd's RootDirectory= and bwrap do: a plain bind
	 * would hide whatever is already mounted beneath the root. */
	if (ctx->backend == MG_MOUNT_NEWAPI)
		return mg_newapi_bind(ctx->root_fd, ctx->root_fd, true, &keep, bind_fd, err);
	return bind_root_procfd(ctx, here, bind_fd, err);
}

int mg_exec_switch_root(int root_fd, struct mg_error *err)
{
	if (fchdir(root_fd) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "fchdir into the root");
	/* pivot_root(2)'s own idiom: put_old on new_root, then detach it, so no
	 * directory has to be made in a rootfs we do not trust. */
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno,
				       "detaching the old root after pivot_root");
	} else if (errno == EINVAL) {
		/* The initramfs rootfs can never be pivoted away (pivot_root(2),
		 * EINVAL): move the new root over it and chroot, as
		 * switch_root(8) does. The old root stays beneath, out of reach
		 * of a process without CAP_SYS_CHROOT and without fds to it,
		 * which is what the command will be. */
		int pivot_errno = errno;
		if (mount(".", "/", "none", MS_MOVE, NULL) < 0 || chroot(".") < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno,
				       "cannot switch root: pivot_root: %s; then MS_MOVE and chroot "
				       "(is the root's parent mount shared? --unshare makes it private)",
				       strerror(pivot_errno));
	} else {
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "pivot_root");
	}
	if (chdir("/") < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "chdir to the new root");
	return 0;
}

/* The MS_* flags of a mount as statvfs reports them: a bind remount sets
 * the mount's flags to exactly what it is given, and flags locked in a user
 * namespace must be given back or it fails. */
static unsigned long mount_flags_kept(const struct statvfs *sv)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_NOSUID, MS_NOSUID },     { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long ms = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv->f_flag & map[i].st)
			ms |= map[i].ms;
	return ms;
}

int mg_exec_readonly_root(struct mg_error *err)
{
	struct statvfs sv;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	/* "/" is the root we just switched into, not a path of the rootfs. */
	_cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "opening the new root");
	/* Not AT_RECURSIVE: the list gave every submount the flags it asked for
	 * (a writable /tmp, say); this is bwrap's --remount-ro /. */
	int r = mount_setattr(fd, "", AT_EMPTY_PATH, &ro, sizeof(ro));
	if (r < 0 && errno == ENOSYS) {
		r = fstatvfs(fd, &sv);
		if (r == 0)
			r = mount("none", "/", "none", MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags_kept(&sv),
				  NULL);
	}
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno,
			       "making the new root read-only");
	if (fstatvfs(fd, &sv) < 0 || !(sv.f_flag & ST_RDONLY))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, errno,
			       "the new root is still writable after the read-only remount");
	return 0;
}

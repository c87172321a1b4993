/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"

static int open_private_instance(void)
{
	_cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	/* subset=pid (5.8) hides everything but the pid directories and
	 * self/thread-self: the instance exposes nothing we do not use. */
	(void)fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	return mnt < 0 ? -errno : mnt;
}

/* self/fd must be procfs, on the same mount as the root we verified, and
 * entry N in it must be our own fd N. */
static int verify_fd_dir(int root_fd, int fd_dir)
{
	uint64_t root_mnt, dir_mnt;
	unsigned long magic;
	struct stat a, b;
	char name[16];

	if (mg_fd_fs_magic(fd_dir, &magic) < 0 || magic != PROC_SUPER_MAGIC)
		return -EXDEV;
	if (mg_fd_mount_id(root_fd, &root_mnt) < 0 || mg_fd_mount_id(fd_dir, &dir_mnt) < 0)
		return -EOPNOTSUPP;
	if (root_mnt != dir_mnt)
		return -EXDEV;
	mg_fd_name(fd_dir, name);
	if (fstat(fd_dir, &a) < 0 || fstatat(fd_dir, name, &b, 0) < 0)
		return -errno;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -EXDEV;
	return 0;
}

int mg_procfs_open(struct mg_procfs *p, const char *proc_path, bool try_private,
		   struct mg_error *err)
{
	_cleanup_close_ int root = -1, dir = -1;
	int r;

	p->root_fd = p->fd_dir = -1;
	p->private_instance = false;
	if (try_private) {
		root = open_private_instance();
		p->private_instance = root >= 0;
	}
	if (root < 0) {
		root = open(proc_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (root < 0)
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, errno, "cannot open %s",
				       proc_path);
	}
	if (!mg_fd_is_procfs_root(root))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, 0,
			       "%s is not the root of a procfs (fake or overmounted /proc?)",
			       proc_path);
	dir = openat(root, "self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, errno,
			       "cannot open self/fd in the procfs");
	r = verify_fd_dir(root, dir);
	if (r < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, -r,
			       "procfs self/fd is not this process's fd table (something is "
			       "mounted over it?)");
	p->root_fd = TAKE_FD(root);
	p->fd_dir = TAKE_FD(dir);
	return 0;
}

void mg_procfs_close(struct mg_procfs *p)
{
	mg_closep(&p->fd_dir);
	mg_closep(&p->root_fd);
	p->fd_dir = p->root_fd = -1;
}

void mg_chdir_root(void)
{
	if (chdir("/") < 0)
		abort(); /* cannot happen; never keep a cwd inside procfs */
}

int mg_procfs_detach(const struct mg_procfs *p, int mnt_fd)
{
	char name[16];
	mg_fd_name(mnt_fd, name);
	if (fchdir(p->fd_dir) < 0)
		return -errno;
	int r = umount2(name, MNT_DETACH) < 0 ? -errno : 0;
	mg_chdir_root();
	return r;
}

void mg_fd_name(int fd, char *name)
{
	char digits[12];
	size_t n = 0;
	unsigned v = fd < 0 ? 0 : (unsigned)fd; /* fds are never negative here */
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		name[i] = digits[n - 1 - i];
	name[n] = '\0';
}

int mg_procfs_fd_path(const struct mg_procfs *p, int fd, char *buf, size_t size)
{
	char name[16];
	mg_fd_name(fd, name);
	ssize_t n = readlinkat(p->fd_dir, name, buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG; /* possibly truncated: never use it */
	buf[n] = '\0';
	if (buf[0] != '/')
		return -EXDEV; /* "pipe:[..]", "anon_inode:..": not a path */
	return 0;
}

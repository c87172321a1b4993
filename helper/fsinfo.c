/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fsinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>

int mg_fd_mount_id(int fd, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID)) {
		*id = stx.stx_mnt_id;
		return 0;
	}
	/* Before 5.8 statx has no mount id; name_to_handle_at reports the same
	 * id (it fails with EOVERFLOW on a too-small handle, but only after it
	 * has looked the mount up, so use a full-size one). */
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h;
	int mnt = -1;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH) == 0 && mnt >= 0) {
		*id = (uint64_t)mnt;
		return 0;
	}
	return -(errno ? errno : EOPNOTSUPP);
}

int mg_fd_fs_magic(int fd, unsigned long *magic)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	*magic = (unsigned long)sf.f_type;
	return 0;
}

bool mg_fd_is_procfs_root(int fd)
{
	unsigned long magic = 0;
	struct stat st;
	return mg_fd_fs_magic(fd, &magic) == 0 && magic == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 &&
	       S_ISDIR(st.st_mode) && st.st_ino == MG_PROC_ROOT_INO;
}

const char *mg_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFREG:
		return "regular file";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "FIFO";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "unknown file type";
	}
}

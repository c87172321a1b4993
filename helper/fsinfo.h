/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an fd is: filesystem magic, mount id, file type. */
#ifndef MG_FSINFO_H
#define MG_FSINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define MG_PROC_ROOT_INO 1 /* PROC_ROOT_INO: the root inode of every procfs */

/* The mount id (as in mountinfo's first field) of the mount fd is on. */
int mg_fd_mount_id(int fd, uint64_t *id);
/* fstatfs(fd).f_type */
int mg_fd_fs_magic(int fd, unsigned long *magic);
/* True when fd is the root directory of a procfs. */
bool mg_fd_is_procfs_root(int fd);
const char *mg_file_type_name(mode_t mode);

#endif

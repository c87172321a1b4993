/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A procfs we have proven is procfs. The /proc we were started with may be a
 * tmpfs, a directory tree or a bind of some other procfs file (runc
 * CVE-2019-16884, LXC CVE-2015-1335); readlink and the /proc/self/fd/N mount
 * backend go only through this handle. */
#ifndef MG_PROCFS_H
#define MG_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"

struct mg_procfs {
	int root_fd; /* procfs root: a private fsmount() instance, or verified /proc */
	int fd_dir;  /* <root>/self/fd, proven to be this process's fd table */
	bool private_instance;
};

/* Prefers a private, detached procfs (fsopen; nobody else can see it, so
 * nobody can overmount it); falls back to /proc after checking its magic,
 * its root inode, that self/fd is on the same mount (nothing mounted over
 * it) and that self/fd/N really is our fd N. `proc_path` is "/proc" except
 * in tests. */
int mg_procfs_open(struct mg_procfs *p, const char *proc_path, bool try_private,
		   struct mg_error *err);
void mg_procfs_close(struct mg_procfs *p);

/* Leaves the procfs fd directory we fchdir()ed into for a mount(2) or
 * umount2(2) call; "/" cannot fail to exist for us. */
void mg_chdir_root(void);

/* Detaches the mount whose root mnt_fd is on. umount2 has no dirfd, so "N"
 * is resolved from the verified self/fd (the process cwd for the call): the
 * magic link lands on the mount's root, which is what umount wants.
 * MNT_DETACH because mnt_fd itself keeps the mount busy. (umount2 steps onto
 * anything mounted on that root since the caller's checks: only a child of
 * that mount can be there.) Returns 0 or a negative errno. */
int mg_procfs_detach(const struct mg_procfs *p, int mnt_fd);

/* "N", the name of fd N in self/fd: what every mount, unmount and readlink
 * through the procfs spells, once or twice per entry, so not snprintf
 * (a fifth of the user-space cost of a bind). `name` holds 12 bytes. */
void mg_fd_name(int fd, char *name);

/* The path the kernel reports for fd (readlink of self/fd/N). Fails closed
 * with -ENAMETOOLONG when it does not fit in `size`. */
int mg_procfs_fd_path(const struct mg_procfs *p, int fd, char *buf, size_t size);

#endif

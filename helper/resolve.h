/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-root path resolution: an O_PATH fd for a path inside a rootfs that may be
 * hostile. Two backends with the same answers: openat2(RESOLVE_IN_ROOT) where
 * the kernel has it (5.6), and a userspace walk otherwise. */
#ifndef MG_RESOLVE_H
#define MG_RESOLVE_H

enum mg_resolver {
	MG_RESOLVER_OPENAT2,
	MG_RESOLVER_WALK,
};

/* Resolve flags: what the call guarantees. */
enum {
	/* symlinks = refuse: any symlink, and any `..` above the root, is an
	 * error (-ELOOP / -EXDEV) instead of being followed or clamped. */
	MG_RESOLVE_NO_SYMLINKS = 1u << 0,
};

/* Symlinks followed during one resolution before -ELOOP (the kernel's
 * MAXSYMLINKS). */
#define MG_MAX_SYMLINKS 40
/* openat2 fails with EAGAIN when a rename or mount races anywhere on the
 * system (RESOLVE_IN_ROOT checks mount_lock/rename_lock); retry this often,
 * then fail closed. */
#define MG_OPENAT2_RETRIES 128

const char *mg_resolver_name(enum mg_resolver r);
/* openat2 if the kernel (and any seccomp filter) allows it, else the walk. */
enum mg_resolver mg_resolver_detect(void);

/* Each returns an O_PATH|O_CLOEXEC fd or a negative errno. Paths are taken as
 * relative to root_fd whether or not they start with '/'. Magic links
 * (/proc/PID/fd/N and kin) are always refused with -ELOOP. */
int mg_resolve(enum mg_resolver backend, int root_fd, const char *path, unsigned flags);
int mg_resolve_openat2(int root_fd, const char *path, unsigned flags);
int mg_resolve_walk(int root_fd, const char *path, unsigned flags);

#endif

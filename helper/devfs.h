/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* type = dev: a minimal /dev. A tmpfs (mounted by the engine like any other
 * entry) filled here with binds of the host's null, zero, full, random,
 * urandom and tty, a new devpts instance at pts with ptmx -> pts/ptmx, a
 * tmpfs at shm, and the fd, stdin, stdout, stderr symlinks. Nothing is looked
 * up in the rootfs's /dev: the host nodes are opened before any rootfs work
 * and proven to be the right character devices. */
#ifndef MG_DEVFS_H
#define MG_DEVFS_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "mg_error.h"
#include "plan.h"
#include "undo.h"

#define MG_DEVNODES 6

struct mg_devnodes {
	int fd[MG_DEVNODES]; /* O_PATH, in the order of mg_devnode_names */
};

extern const char *const mg_devnode_names[MG_DEVNODES];

/* Opens and checks the host's nodes (type, major:minor, not on a nodev mount). */
int mg_devnodes_open(struct mg_devnodes *n, struct mg_error *err);
void mg_devnodes_close(struct mg_devnodes *n);

/* Fills the new /dev tmpfs whose root is dev_fd. Every mount made is added to
 * `undo` (entry idx) and its id appended to ids (at most MG_DEVFS_MOUNTS). */
#define MG_DEVFS_MOUNTS (MG_DEVNODES + 2)
int mg_devfs_populate(const struct mg_ctx *ctx, const struct mg_entry *e, int dev_fd,
		      const struct mg_devnodes *nodes, size_t idx, struct mg_undo *undo,
		      uint64_t *ids, size_t *nids, struct mg_error *err);

#endif

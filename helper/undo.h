/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What this run changed, so that a failure can take all of it back, newest
 * first, through fds: never by path. */
#ifndef MG_UNDO_H
#define MG_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mg_error.h"
#include "procfs.h"

enum mg_undo_kind {
	MG_UNDO_MOUNT,  /* fd: root of a mount this run attached */
	MG_UNDO_CREATE, /* fd: parent directory; name/dev/ino: what we created there */
};

struct mg_undo_item {
	enum mg_undo_kind kind;
	int fd;
	char *name;
	dev_t dev;
	ino_t ino;
	bool is_dir;
	uint64_t mnt_id;
	size_t entry; /* plan index, for messages */
	bool failed;  /* mg_undo_run could not undo it */
};

struct mg_undo {
	struct mg_undo_item *items;
	size_t n, cap;
};

/* Both take ownership of fd (closed on failure too). */
int mg_undo_add_mount(struct mg_undo *u, int mnt_fd, uint64_t mnt_id, size_t entry);
int mg_undo_add_create(struct mg_undo *u, int parent_fd, const char *name, dev_t dev, ino_t ino,
		       bool is_dir, size_t entry);

/* Unmounts (MNT_DETACH through the verified procfs) and removes, newest
 * first. Keeps going past failures, marks each failed item and returns the
 * first failure; a created entry that is no longer the inode we made is
 * left alone. The list is kept (for the caller to read); free it after. */
int mg_undo_run(struct mg_undo *u, const struct mg_procfs *proc, struct mg_error *err);

/* Forgets everything (success): closes the fds. */
void mg_undo_free(struct mg_undo *u);

#endif

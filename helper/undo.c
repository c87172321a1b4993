/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "undo.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "context.h"

static struct mg_undo_item *grow(struct mg_undo *u)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct mg_undo_item *ni = realloc(u->items, cap * sizeof(*ni));
		if (!ni)
			return NULL;
		u->items = ni;
		u->cap = cap;
	}
	struct mg_undo_item *it = &u->items[u->n];
	memset(it, 0, sizeof(*it));
	return it;
}

int mg_undo_add_mount(struct mg_undo *u, int mnt_fd, uint64_t mnt_id, size_t entry)
{
	struct mg_undo_item *it = grow(u);
	if (!it) {
		close(mnt_fd);
		return -ENOMEM;
	}
	it->kind = MG_UNDO_MOUNT;
	it->fd = mnt_fd;
	it->mnt_id = mnt_id;
	it->entry = entry;
	u->n++;
	return 0;
}

int mg_undo_add_create(struct mg_undo *u, int parent_fd, const char *name, dev_t dev, ino_t ino,
		       bool is_dir, size_t entry)
{
	struct mg_undo_item *it = grow(u);
	char *n = strdup(name);
	if (!it || !n) {
		free(n);
		close(parent_fd);
		return -ENOMEM;
	}
	it->kind = MG_UNDO_CREATE;
	it->fd = parent_fd;
	it->name = n;
	it->dev = dev;
	it->ino = ino;
	it->is_dir = is_dir;
	it->entry = entry;
	u->n++;
	return 0;
}


static int undo_create(const struct mg_undo_item *it)
{
	struct stat st;
	if (fstatat(it->fd, it->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (st.st_dev != it->dev || st.st_ino != it->ino)
		return -ESTALE; /* not ours any more: leave it */
	if (unlinkat(it->fd, it->name, it->is_dir ? AT_REMOVEDIR : 0) < 0)
		return -errno;
	return 0;
}

int mg_undo_run(struct mg_undo *u, const struct mg_procfs *proc, struct mg_error *err)
{
	int first = 0;
	for (size_t i = u->n; i-- > 0;) {
		struct mg_undo_item *it = &u->items[i];
		int r = it->kind == MG_UNDO_MOUNT ? mg_procfs_detach(proc, it->fd) : undo_create(it);
		if (r < 0 && first == 0) {
			first = r;
			mg_fail(err, MG_EXIT_FAILED, MG_STAGE_ROLLBACK, -r, "rollback of entry %zu failed",
				it->entry);
		}
		if (r < 0) {
			it->failed = true;
			mg_log(LOG_ERR, "rollback: %s of entry %zu%s%s failed: %s",
				it->kind == MG_UNDO_MOUNT ? "unmount" : "removal", it->entry,
				it->name ? " " : "", it->name ? it->name : "", strerror(-r));
		}
	}
	return first;
}

void mg_undo_free(struct mg_undo *u)
{
	for (size_t i = 0; i < u->n; i++) {
		mg_closep(&u->items[i].fd);
		free(u->items[i].name);
	}
	free(u->items);
	memset(u, 0, sizeof(*u));
}

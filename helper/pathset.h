/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of in-root paths with O(1) lookup, so that "is any ancestor of this
 * path an earlier mount target?" costs O(depth), not O(entries). */
#ifndef MG_PATHSET_H
#define MG_PATHSET_H

#include <stdbool.h>
#include <stddef.h>

struct mg_pathset {
	char **slots;
	size_t *vals; /* one value per slot (mg_pathset_put) */
	size_t cap, n;
};

int mg_pathset_add(struct mg_pathset *s, const char *path);
bool mg_pathset_has(const struct mg_pathset *s, const char *path, size_t len);
/* As a map: sets the value of `path` (adding it if needed); `get` finds the
 * first `len` bytes of a path and its value. */
int mg_pathset_put(struct mg_pathset *s, const char *path, size_t val);
bool mg_pathset_get(const struct mg_pathset *s, const char *path, size_t len, size_t *val);
/* True when `path` or one of its ancestors ("/" included) is in the set. */
bool mg_pathset_covers(const struct mg_pathset *s, const char *path);
void mg_pathset_free(struct mg_pathset *s);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pathset.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static bool slot_eq(const char *slot, const char *p, size_t len)
{
	return strncmp(slot, p, len) == 0 && slot[len] == '\0';
}

static int grow(struct mg_pathset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **ns = calloc(cap, sizeof(*ns));
	size_t *nv = calloc(cap, sizeof(*nv));
	if (!ns || !nv) {
		free(ns);
		free(nv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slots[i])
			continue;
		size_t j = hash(s->slots[i], strlen(s->slots[i])) & (cap - 1);
		while (ns[j])
			j = (j + 1) & (cap - 1);
		ns[j] = s->slots[i];
		nv[j] = s->vals[i];
	}
	free(s->slots);
	free(s->vals);
	s->slots = ns;
	s->vals = nv;
	s->cap = cap;
	return 0;
}

/* The slot holding the first `len` bytes of `path`, or the empty slot
 * where it would go. */
static size_t find(const struct mg_pathset *s, const char *path, size_t len)
{
	size_t j = hash(path, len) & (s->cap - 1);
	while (s->slots[j] && !slot_eq(s->slots[j], path, len))
		j = (j + 1) & (s->cap - 1);
	return j;
}

int mg_pathset_put(struct mg_pathset *s, const char *path, size_t val)
{
	size_t len = strlen(path);
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -ENOMEM;
	size_t j = find(s, path, len);
	if (!s->slots[j]) {
		char *copy = strdup(path);
		if (!copy)
			return -ENOMEM;
		s->slots[j] = copy;
		s->n++;
	}
	s->vals[j] = val;
	return 0;
}

int mg_pathset_add(struct mg_pathset *s, const char *path)
{
	if (mg_pathset_has(s, path, strlen(path)))
		return 0;
	return mg_pathset_put(s, path, 0);
}

bool mg_pathset_get(const struct mg_pathset *s, const char *path, size_t len, size_t *val)
{
	if (!s->cap)
		return false;
	size_t j = find(s, path, len);
	if (!s->slots[j])
		return false;
	*val = s->vals[j];
	return true;
}

bool mg_pathset_has(const struct mg_pathset *s, const char *path, size_t len)
{
	size_t unused;
	return mg_pathset_get(s, path, len, &unused);
}

bool mg_pathset_covers(const struct mg_pathset *s, const char *path)
{
	size_t len = strlen(path);
	if (s->n == 0)
		return false;
	while (len > 0) {
		if (mg_pathset_has(s, path, len))
			return true;
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len > 1)
			len--; /* drop the slash, except the root's own */
		else if (len == 1)
			return mg_pathset_has(s, "/", 1);
	}
	return false;
}

void mg_pathset_free(struct mg_pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

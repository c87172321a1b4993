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
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slots[i])
			continue;
		size_t j = hash(s->slots[i], strlen(s->slots[i])) & (cap - 1);
		while (ns[j])
			j = (j + 1) & (cap - 1);
		ns[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = ns;
	s->cap = cap;
	return 0;
}

int mg_pathset_add(struct mg_pathset *s, const char *path)
{
	size_t len = strlen(path);
	if (mg_pathset_has(s, path, len))
		return 0;
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return -ENOMEM;
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	size_t j = hash(path, len) & (s->cap - 1);
	while (s->slots[j])
		j = (j + 1) & (s->cap - 1);
	s->slots[j] = copy;
	s->n++;
	return 0;
}

bool mg_pathset_has(const struct mg_pathset *s, const char *path, size_t len)
{
	if (!s->cap)
		return false;
	for (size_t j = hash(path, len) & (s->cap - 1); s->slots[j]; j = (j + 1) & (s->cap - 1))
		if (slot_eq(s->slots[j], path, len))
			return true;
	return false;
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
	memset(s, 0, sizeof(*s));
}

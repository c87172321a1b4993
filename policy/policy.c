/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy's data: freeing it, finding the caller's rule, and the path
 * rules shared by the parser and the checks. */
#include "policy.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void paths_free(struct mg_policy_paths *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->path[i]);
	free(ps->path);
	free(ps->line);
	ps->path = NULL;
	ps->line = NULL;
	ps->n = 0;
}

void mg_policy_free(struct mg_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		paths_free(&p->rules[i].rootfs);
		paths_free(&p->rules[i].sources);
	}
	free(p->rules);
	free(p->file);
	free(p);
}

void mg_policy_rule_name(const struct mg_policy_rule *r, char *buf, size_t size)
{
	snprintf(buf, size, "[%s %u]", r->subject == MG_POLICY_UID ? "uid" : "gid", r->id);
}

static bool in_groups(const struct mg_policy_caller *c, unsigned gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; c->groups && i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* The most specific rule wins: a [uid] rule names this caller alone, so it
 * replaces every [gid] rule. Between [gid] rules nothing is more specific
 * than another, and merging them (the union of one's bases with another's
 * types) would grant combinations no rule wrote; two matches are refused. */
int mg_policy_find(const struct mg_policy *p, const struct mg_policy_caller *c,
		   const struct mg_policy_rule **rule, const struct mg_policy_rule **conflict)
{
	const struct mg_policy_rule *first = NULL;
	*rule = NULL;
	if (conflict)
		*conflict = NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->rules[i].subject == MG_POLICY_UID && p->rules[i].id == c->uid) {
			*rule = &p->rules[i];
			return 0;
		}
	for (size_t i = 0; i < p->n; i++) {
		const struct mg_policy_rule *r = &p->rules[i];
		if (r->subject != MG_POLICY_GID || !in_groups(c, r->id))
			continue;
		if (first) {
			*rule = first;
			if (conflict)
				*conflict = r;
			return -ENOTUNIQ;
		}
		first = r;
	}
	*rule = first;
	return first ? 0 : -ENOENT;
}

bool mg_policy_path_canonical(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || path[0] != '/' || len >= PATH_MAX)
		return false;
	if (len == 1)
		return true;
	if (path[len - 1] == '/')
		return false;
	for (const char *c = path + 1;;) {
		const char *end = strchrnul(c, '/');
		size_t n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (*end == '\0')
			return true;
		c = end + 1;
	}
}

bool mg_policy_path_beneath(const char *base, const char *path, bool strict)
{
	size_t blen = strlen(base);
	if (blen == 1) /* "/": everything is at or beneath it */
		return !strict || strcmp(path, "/") != 0;
	if (strncmp(path, base, blen) != 0)
		return false;
	/* The next byte decides: "/srv/a" + "b" is a sibling, not a child. */
	if (path[blen] == '\0')
		return !strict;
	return path[blen] == '/';
}

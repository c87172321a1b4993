/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mount_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "escape.h"
#include "fsinfo.h"
#include "json.h"
#include "mountinfo.h"

#define NONE SIZE_MAX

struct by_id {
	uint64_t id;
	size_t node;
};

static int cmp_by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct by_id *)a)->id, y = ((const struct by_id *)b)->id;
	return x < y ? -1 : x > y;
}

static size_t find_id(const struct by_id *ids, size_t n, uint64_t id)
{
	struct by_id key = { id, 0 };
	const struct by_id *hit = bsearch(&key, ids, n, sizeof(*ids), cmp_by_id);
	return hit ? hit->node : NONE;
}

static const char *target_of(const struct mg_mount_tree *t, size_t i)
{
	const char *p = mnt_fs_get_target(t->nodes[i].fs);
	return p ? p : "";
}

/* Is `path` the root or beneath it, component-wise? */
static bool at_or_beneath(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (n == 1)
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The target as seen from inside the root ("/" for the root itself). */
static const char *in_root(const struct mg_mount_tree *t, size_t i)
{
	const char *p = target_of(t, i);
	size_t n = strlen(t->root);
	if (n == 1 || !at_or_beneath(t->root, p))
		return p;
	return p[n] ? p + n : "/";
}

/* Links every mount to its parent: children grouped per parent, in
 * mountinfo order (an overmount comes after what it covers). */
static int link_children(struct mg_mount_tree *t, const struct by_id *ids)
{
	_cleanup_free_ size_t *fill = calloc(t->n + 1, sizeof(*fill));
	_cleanup_free_ size_t *parent = calloc(t->n + 1, sizeof(*parent));
	t->children = calloc(t->n + 1, sizeof(*t->children));
	if (!fill || !parent || !t->children)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		parent[i] = find_id(ids, t->n, t->nodes[i].parent);
		/* The namespace's root names a parent outside the namespace,
		 * or itself. */
		if (parent[i] == i)
			parent[i] = NONE;
		if (parent[i] != NONE)
			t->nodes[parent[i]].nchildren++;
	}
	size_t at = 0;
	for (size_t i = 0; i < t->n; i++) {
		t->nodes[i].first_child = at;
		at += t->nodes[i].nchildren;
	}
	for (size_t i = 0; i < t->n; i++)
		if (parent[i] != NONE) {
			size_t p = parent[i];
			t->children[t->nodes[p].first_child + fill[p]++] = i;
		}
	return 0;
}

/* Which mounts the tree starts from. The mount root_fd is on is the top
 * of the stack at the root when the root is a mount point: the tree then
 * starts at the bottom of that stack, so that overmounts show as children
 * of what they cover. Otherwise it is the mount the root lies in, and the
 * tree starts with its children at or beneath the root. */
static int find_tops(struct mg_mount_tree *t, const struct by_id *ids, uint64_t root_id,
		     struct mg_error *err)
{
	size_t c = find_id(ids, t->n, root_id);
	if (c == NONE)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0,
			       "the root's mount (id %llu) is not in mountinfo",
			       (unsigned long long)root_id);
	t->tops = calloc(t->n + 1, sizeof(*t->tops));
	if (!t->tops)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	if (strcmp(target_of(t, c), t->root) == 0) {
		t->root_is_mount = true;
		/* At most n steps down: mountinfo cannot loop, but never trust
		 * that. */
		for (size_t steps = 0; steps < t->n; steps++) {
			size_t p = find_id(ids, t->n, t->nodes[c].parent);
			if (p == NONE || p == c || strcmp(target_of(t, p), t->root) != 0)
				break;
			c = p;
		}
		t->tops[t->ntops++] = c;
		return 0;
	}
	const struct mg_mount_node *m = &t->nodes[c];
	for (size_t k = 0; k < m->nchildren; k++) {
		size_t i = t->children[m->first_child + k];
		if (at_or_beneath(t->root, target_of(t, i)))
			t->tops[t->ntops++] = i;
	}
	return 0;
}

/* Depth-first, without recursion: a stack of overmounts may be as deep as
 * the namespace's mount limit. */
struct mg_mount_walk {
	size_t node, next;
};

enum walk_event { WALK_ENTER, WALK_LEAVE };

/* `last[d]`: whether the node entered at depth d is its parent's last child. */
typedef void (*walk_fn)(void *ctx, enum walk_event ev, size_t node, size_t depth,
			const bool *last, bool first);

static size_t walk(const struct mg_mount_tree *t, walk_fn fn, void *ctx)
{
	struct mg_mount_walk *stack = t->walk_stack;
	bool *last = t->walk_last;
	size_t count = 0;
	for (size_t k = 0; k < t->ntops; k++) {
		size_t depth = 0;
		stack[0] = (struct mg_mount_walk){ t->tops[k], 0 };
		last[0] = k + 1 == t->ntops;
		fn(ctx, WALK_ENTER, t->tops[k], 0, last, k == 0);
		count++;
		for (;;) {
			struct mg_mount_walk *w = &stack[depth];
			const struct mg_mount_node *m = &t->nodes[w->node];
			if (w->next < m->nchildren && depth + 1 < t->n) {
				size_t child = t->children[m->first_child + w->next];
				bool first = w->next == 0;
				w->next++;
				depth++;
				stack[depth] = (struct mg_mount_walk){ child, 0 };
				last[depth] = w->next == m->nchildren;
				fn(ctx, WALK_ENTER, child, depth, last, first);
				count++;
				continue;
			}
			fn(ctx, WALK_LEAVE, w->node, depth, last, false);
			if (depth == 0)
				break;
			depth--;
		}
	}
	return count;
}

static void count_nothing(void *ctx, enum walk_event ev, size_t node, size_t depth,
			  const bool *last, bool first)
{
	(void)ctx, (void)ev, (void)node, (void)depth, (void)last, (void)first;
}

int mg_mount_tree_read(struct mg_mount_tree *t, const struct mg_procfs *proc, int root_fd,
		       const char *root_path, struct mg_error *err)
{
	_cleanup_free_ struct by_id *ids = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	uint64_t root_id;
	int r;

	memset(t, 0, sizeof(*t));
	r = mg_fd_mount_id(root_fd, &root_id);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "mount id of the root");
	t->root = strdup(root_path);
	if (!t->root)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	r = mg_mountinfo_read(proc, &t->tb, err);
	if (r < 0)
		return r;
	size_t cap = (size_t)mnt_table_get_nents(t->tb);
	t->nodes = calloc(cap + 1, sizeof(*t->nodes));
	ids = calloc(cap + 1, sizeof(*ids));
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!t->nodes || !ids || !it) {
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		goto out;
	}
	while (t->n < cap && mnt_table_next_fs(t->tb, it, &fs) == 0) {
		t->nodes[t->n] = (struct mg_mount_node){
			.fs = fs,
			.id = (uint64_t)mnt_fs_get_id(fs),
			.parent = (uint64_t)mnt_fs_get_parent_id(fs),
		};
		ids[t->n] = (struct by_id){ t->nodes[t->n].id, t->n };
		t->n++;
	}
	qsort(ids, t->n, sizeof(*ids), cmp_by_id);
	r = link_children(t, ids);
	if (r < 0) {
		mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "out of memory");
		goto out;
	}
	r = find_tops(t, ids, root_id, err);
	if (r < 0)
		goto out;
	t->walk_stack = calloc(t->n + 1, sizeof(*t->walk_stack));
	t->walk_last = calloc(t->n + 1, sizeof(*t->walk_last));
	if (!t->walk_stack || !t->walk_last) {
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		goto out;
	}
	t->nshown = walk(t, count_nothing, NULL);
out:
	mnt_free_iter(it);
	if (r < 0)
		mg_mount_tree_free(t);
	return r;
}

void mg_mount_tree_free(struct mg_mount_tree *t)
{
	if (t->tb)
		mnt_unref_table(t->tb);
	free(t->nodes);
	free(t->children);
	free(t->tops);
	free(t->walk_stack);
	free(t->walk_last);
	free((char *)t->root);
	memset(t, 0, sizeof(*t));
}

/* findmnt's words for the propagation type: the kernel shows only
 * shared:N, master:N and unbindable; no field means private. */
static void propagation(struct libmnt_fs *fs, char *buf, size_t size)
{
	unsigned long flags = 0;
	mnt_fs_get_propagation(fs, &flags);
	snprintf(buf, size, "%s%s%s%s%s", flags & MS_SHARED ? "shared" : "",
		 (flags & MS_SHARED) && (flags & (MS_SLAVE | MS_UNBINDABLE)) ? "," : "",
		 flags & MS_SLAVE ? "slave" : "",
		 (flags & MS_SLAVE) && (flags & MS_UNBINDABLE) ? "," : "",
		 flags & MS_UNBINDABLE ? "unbindable" : "");
	if (!buf[0])
		snprintf(buf, size, "private");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* SOURCE as findmnt shows it: the device, and the directory of it that is
 * mounted when that is not its root (a bind). */
static void source_text(struct libmnt_fs *fs, char *buf, size_t size)
{
	char src[PATH_MAX * 4], root[PATH_MAX * 4];
	const char *r = mnt_fs_get_root(fs);
	mg_escape_for_display(or_dash(mnt_fs_get_source(fs)), src, sizeof(src));
	if (r && strcmp(r, "/") != 0) {
		mg_escape_for_display(r, root, sizeof(root));
		snprintf(buf, size, "%s[%s]", src, root);
	} else {
		snprintf(buf, size, "%s", src);
	}
}

struct text_ctx {
	const struct mg_mount_tree *t;
	FILE *f;
	const char *indent;
	bool measure;
	size_t wtarget, wsource, wtype, wopts;
};

#define COL_MAX 48 /* wider cells push their line only, not every column */

static void widen(size_t *w, size_t n)
{
	if (n > *w && n <= COL_MAX)
		*w = n;
}

/* Branches: one column pair per level, as findmnt draws them. */
static void draw_branches(FILE *f, size_t depth, const bool *last)
{
	for (size_t d = 1; d <= depth; d++)
		fputs(d < depth ? (last[d] ? "  " : "\u2502 ") : (last[d] ? "\u2514\u2500" : "\u251c\u2500"),
		      f);
}

static void text_line(void *vctx, enum walk_event ev, size_t node, size_t depth, const bool *last,
		      bool first)
{
	struct text_ctx *c = vctx;
	struct libmnt_fs *fs = c->t->nodes[node].fs;
	char path[PATH_MAX * 4], source[PATH_MAX * 9], opts[PATH_MAX], type[256], prop[64];
	(void)first;
	if (ev != WALK_ENTER)
		return;
	mg_escape_for_display(in_root(c->t, node), path, sizeof(path));
	source_text(fs, source, sizeof(source));
	mg_escape_for_display(or_dash(mnt_fs_get_fstype(fs)), type, sizeof(type));
	mg_escape_for_display(or_dash(mnt_fs_get_vfs_options(fs)), opts, sizeof(opts));
	propagation(fs, prop, sizeof(prop));
	size_t wt = 2 * depth + strlen(path); /* escaped: ASCII only */
	if (c->measure) {
		widen(&c->wtarget, wt);
		widen(&c->wsource, strlen(source));
		widen(&c->wtype, strlen(type));
		widen(&c->wopts, strlen(opts));
		return;
	}
	fputs(c->indent, c->f);
	draw_branches(c->f, depth, last);
	fprintf(c->f, "%s%*s %-*s %-*s %-*s %s\n", path, (int)(wt < c->wtarget ? c->wtarget - wt : 0),
		"", (int)c->wsource, source, (int)c->wtype, type, (int)c->wopts, opts, prop);
}

void mg_mount_tree_text(FILE *f, const struct mg_mount_tree *t, const char *indent)
{
	struct text_ctx c = { .t = t, .f = f, .indent = indent, .measure = true,
			      .wtarget = 6, .wsource = 6, .wtype = 6, .wopts = 7 };
	walk(t, text_line, &c);
	fprintf(f, "%s%-*s %-*s %-*s %-*s %s\n", indent, (int)c.wtarget, "TARGET", (int)c.wsource,
		"SOURCE", (int)c.wtype, "FSTYPE", (int)c.wopts, "OPTIONS", "PROPAGATION");
	c.measure = false;
	walk(t, text_line, &c);
}

struct json_ctx {
	const struct mg_mount_tree *t;
	FILE *f;
};

static void json_node(void *vctx, enum walk_event ev, size_t node, size_t depth, const bool *last,
		      bool first)
{
	struct json_ctx *c = vctx;
	struct libmnt_fs *fs = c->t->nodes[node].fs;
	char prop[64];
	int kf = 1;
	(void)depth, (void)last;
	if (ev == WALK_LEAVE) {
		fputs("]}", c->f);
		return;
	}
	if (!first)
		fputc(',', c->f);
	fputc('{', c->f);
	mg_json_kv_int(c->f, &kf, "id", (long long)c->t->nodes[node].id);
	mg_json_kv_int(c->f, &kf, "parent", (long long)c->t->nodes[node].parent);
	mg_json_kv_path(c->f, &kf, "target", target_of(c->t, node));
	mg_json_kv_path(c->f, &kf, "path", in_root(c->t, node));
	mg_json_kv_path(c->f, &kf, "source", mnt_fs_get_source(fs));
	mg_json_kv_path(c->f, &kf, "fsroot", mnt_fs_get_root(fs));
	mg_json_kv_str(c->f, &kf, "fstype", mnt_fs_get_fstype(fs));
	mg_json_kv_str(c->f, &kf, "options", mnt_fs_get_vfs_options(fs));
	mg_json_kv_str(c->f, &kf, "fs_options", mnt_fs_get_fs_options(fs));
	propagation(fs, prop, sizeof(prop));
	mg_json_kv_str(c->f, &kf, "propagation", prop);
	fputs(",\"children\":[", c->f);
}

void mg_mount_tree_json(FILE *f, const struct mg_mount_tree *t)
{
	struct json_ctx c = { .t = t, .f = f };
	fputc('[', f);
	walk(t, json_node, &c);
	fputc(']', f);
}

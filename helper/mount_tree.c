/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mount_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "escape.h"
#include "fsinfo.h"
#include "json.h"
#include "mountinfo.h"

#define NONE UINT32_MAX

struct mg_mount_node {
	uint64_t id, parent;
	/* In the tree's text blocks: the target, and source, fsroot, fstype,
	 * options and fs_options one after the other, each NUL-terminated.
	 * The latter are shared with the mount before when they are the same
	 * (the binds of one filesystem): 10,000 binds keep 0.8 MB less. */
	const char *target, *rest;
	uint32_t up; /* the parent's index; NONE when it is not kept */
	uint32_t first_child, nchildren; /* into the tree's `children` */
	uint32_t propagation;		 /* MS_SHARED, MS_SLAVE, MS_UNBINDABLE */
};

struct fields {
	const char *target, *source, *fsroot, *fstype, *options, *fs_options;
};

static void fields_of(const struct mg_mount_tree *t, uint32_t i, struct fields *f)
{
	const char *p = t->nodes[i].rest;
	const char **out[] = { &f->source, &f->fsroot, &f->fstype, &f->options, &f->fs_options };
	f->target = t->nodes[i].target;
	for (size_t k = 0; k < ARRAY_SIZE(out); k++) {
		*out[k] = p;
		p += strlen(p) + 1;
	}
}

static const char *target_of(const struct mg_mount_tree *t, uint32_t i)
{
	return t->nodes[i].target;
}

/* The strings live in blocks that are never moved (no realloc of
 * everything read so far, no peak of twice the size), freed together. */
#define TEXT_BLOCK 65536

struct mg_text_block {
	struct mg_text_block *next;
	size_t used, size;
	char data[];
};

static char *text_alloc(struct mg_mount_tree *t, size_t len)
{
	struct mg_text_block *b = t->text;
	if (!b || b->size - b->used < len) {
		size_t size = len > TEXT_BLOCK ? len : TEXT_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		*b = (struct mg_text_block){ .next = t->text, .size = size };
		t->text = b;
	}
	char *p = b->data + b->used;
	b->used += len;
	return p;
}

/* Is `path` the root or beneath it, component-wise? */
static bool at_or_beneath(const char *root, size_t n, const char *path)
{
	if (n == 1)
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The target as seen from inside the root ("/" for the root itself). */
static const char *in_root(const struct mg_mount_tree *t, const char *target)
{
	if (t->root_len == 1 || !at_or_beneath(t->root, t->root_len, target))
		return target;
	return target[t->root_len] ? target + t->root_len : "/";
}

/* libmount (kernel_fs_postparse) shows the kernel's "/dev/root" as the
 * device it is, named by sysfs (/sys/dev/block/MAJ:MIN -> .../NAME, a '!'
 * in NAME standing for '/'). The tree printed that while libmount parsed
 * mountinfo for it, so it still does; libmount's later guesses, from root=
 * on the kernel command line for a device number without a major, are not
 * made. */
static bool system_root(unsigned int major, unsigned int minor, char *buf, size_t size)
{
	char link[64], target[PATH_MAX];
	if (major == 0)
		return false;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major, minor);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	char *name = strrchr(target, '/');
	if (!name || !name[1])
		return false;
	for (char *p = ++name; *p; p++)
		if (*p == '!')
			*p = '/';
	int w = snprintf(buf, size, "/dev/%s", name);
	return w > 0 && (size_t)w < size;
}

/* Keeps a mount at or beneath the root, and the one the root lies in (its
 * children at or beneath the root are the tree's tops when the root is not
 * a mount point). Every mount of the tree is among them: a mount's point
 * lies in its parent, so beneath its parent's point. */
int mg_mount_tree_add(struct mg_mount_tree *t, const struct mg_mountinfo_line *m, struct mg_error *err)
{
	char dev[PATH_MAX];
	if (m->id != t->root_id && !at_or_beneath(t->root, t->root_len, m->path))
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct mg_mount_node *nn = cap < NONE ? realloc(t->nodes, cap * sizeof(*nn)) : NULL;
		if (!nn)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		t->nodes = nn;
		t->cap = cap;
	}
	const char *source = m->source;
	if (strcmp(source, "/dev/root") == 0 && system_root(m->major, m->minor, dev, sizeof(dev)))
		source = dev;
	const char *f[] = { source, m->root, m->fstype, m->options, m->fs_options };
	size_t len[ARRAY_SIZE(f)], total = 0, tlen = strlen(m->path) + 1;
	for (size_t k = 0; k < ARRAY_SIZE(f); k++)
		total += len[k] = strlen(f[k]) + 1;
	const struct mg_mount_node *prev = t->n ? &t->nodes[t->n - 1] : NULL;
	bool shared = prev && t->rest_len == total;
	for (size_t k = 0, at = 0; shared && k < ARRAY_SIZE(f); at += len[k++])
		shared = memcmp(prev->rest + at, f[k], len[k]) == 0;
	char *p = text_alloc(t, tlen + (shared ? 0 : total));
	if (!p)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	memcpy(p, m->path, tlen);
	t->nodes[t->n++] = (struct mg_mount_node){ .id = m->id, .parent = m->parent, .target = p,
						   .rest = shared ? prev->rest : p + tlen,
						   .propagation = (uint32_t)m->propagation };
	t->rest_len = total;
	p += tlen;
	for (size_t k = 0; !shared && k < ARRAY_SIZE(f); k++) {
		memcpy(p, f[k], len[k]);
		p += len[k];
	}
	return 0;
}

static int cmp_by_id(const void *a, const void *b, void *arg)
{
	const struct mg_mount_node *nodes = arg;
	uint64_t x = nodes[*(const uint32_t *)a].id, y = nodes[*(const uint32_t *)b].id;
	return x < y ? -1 : x > y;
}

/* `by_id`: the node indices sorted by mount id. */
static uint32_t find_id(const struct mg_mount_tree *t, const uint32_t *by_id, uint64_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v = t->nodes[by_id[mid]].id;
		if (v == id)
			return by_id[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* Links every mount to its parent: children grouped per parent, in
 * mountinfo order (an overmount comes after what it covers). */
static int link_children(struct mg_mount_tree *t, const uint32_t *by_id)
{
	t->children = calloc(t->n + 1, sizeof(*t->children));
	if (!t->children)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		struct mg_mount_node *m = &t->nodes[i];
		uint32_t p = find_id(t, by_id, m->parent);
		/* The namespace's root names a parent outside the namespace,
		 * or itself. */
		m->up = p == i ? NONE : p;
		if (m->up != NONE)
			t->nodes[m->up].nchildren++;
	}
	/* Each group's end first, then filled from the back, so that it
	 * ends at its start in mountinfo order without a counter per node. */
	uint32_t at = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		at += t->nodes[i].nchildren;
		t->nodes[i].first_child = at;
	}
	for (uint32_t i = (uint32_t)t->n; i-- > 0;)
		if (t->nodes[i].up != NONE)
			t->children[--t->nodes[t->nodes[i].up].first_child] = i;
	return 0;
}

/* Which mounts the tree starts from. The mount root_fd is on is the top
 * of the stack at the root when the root is a mount point: the tree then
 * starts at the bottom of that stack, so that overmounts show as children
 * of what they cover. Otherwise it is the mount the root lies in, and the
 * tree starts with its children at or beneath the root. */
static int find_tops(struct mg_mount_tree *t, const uint32_t *by_id, uint64_t root_id,
		     struct mg_error *err)
{
	uint32_t c = find_id(t, by_id, root_id);
	if (c == NONE)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, 0,
			       "the root's mount (id %llu) is not in mountinfo",
			       (unsigned long long)root_id);
	const struct mg_mount_node *m = &t->nodes[c];
	t->tops = calloc(m->nchildren + 1, sizeof(*t->tops));
	if (!t->tops)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	if (strcmp(target_of(t, c), t->root) == 0) {
		t->root_is_mount = true;
		/* At most n steps down: mountinfo cannot loop, but never trust
		 * that. */
		for (size_t steps = 0; steps < t->n; steps++) {
			uint32_t p = t->nodes[c].up;
			if (p == NONE || strcmp(target_of(t, p), t->root) != 0)
				break;
			c = p;
		}
		t->tops[t->ntops++] = c;
		return 0;
	}
	for (uint32_t k = 0; k < m->nchildren; k++) {
		uint32_t i = t->children[m->first_child + k];
		if (at_or_beneath(t->root, t->root_len, target_of(t, i)))
			t->tops[t->ntops++] = i;
	}
	return 0;
}

/* Depth-first, without recursion: a stack of overmounts may be as deep as
 * the namespace's mount limit. */
struct mg_mount_walk {
	uint32_t node, next;
};

enum walk_event { WALK_ENTER, WALK_LEAVE };

/* `last[d]`: whether the node entered at depth d is its parent's last child. */
typedef void (*walk_fn)(void *ctx, enum walk_event ev, uint32_t node, size_t depth,
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
				uint32_t child = t->children[m->first_child + w->next];
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

static void count_nothing(void *ctx, enum walk_event ev, uint32_t node, size_t depth,
			  const bool *last, bool first)
{
	(void)ctx, (void)ev, (void)node, (void)depth, (void)last, (void)first;
}

static int keep(const struct mg_mountinfo_line *m, void *arg, struct mg_error *err)
{
	return mg_mount_tree_add(arg, m, err);
}

int mg_mount_tree_begin(struct mg_mount_tree *t, int root_fd, const char *root_path,
			struct mg_error *err)
{
	memset(t, 0, sizeof(*t));
	int r = mg_fd_mount_id(root_fd, &t->root_id);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "mount id of the root");
	t->root = strdup(root_path);
	if (!t->root)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	t->root_len = strlen(t->root);
	return 0;
}

int mg_mount_tree_end(struct mg_mount_tree *t, struct mg_error *err)
{
	_cleanup_free_ uint32_t *by_id = malloc((t->n + 1) * sizeof(*by_id));
	int r;

	if (!by_id) {
		r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		goto out;
	}
	bool sorted = true;
	for (uint32_t i = 0; i < t->n; i++) {
		by_id[i] = i;
		sorted &= i == 0 || t->nodes[i - 1].id < t->nodes[i].id;
	}
	/* mountinfo lists mounts in the order they were made, which is
	 * usually the order of their ids. */
	if (!sorted)
		qsort_r(by_id, t->n, sizeof(*by_id), cmp_by_id, t->nodes);
	r = link_children(t, by_id);
	if (r < 0) {
		mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "out of memory");
		goto out;
	}
	r = find_tops(t, by_id, t->root_id, err);
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
	if (r < 0)
		mg_mount_tree_free(t);
	return r;
}

int mg_mount_tree_read(struct mg_mount_tree *t, const struct mg_procfs *proc, int root_fd,
		       const char *root_path, struct mg_error *err)
{
	int r = mg_mount_tree_begin(t, root_fd, root_path, err);
	if (r < 0)
		goto fail;
	r = mg_mountinfo_each(proc, keep, t, err);
	if (r < 0)
		goto fail;
	return mg_mount_tree_end(t, err);
fail:
	mg_mount_tree_free(t);
	return r;
}

void mg_mount_tree_free(struct mg_mount_tree *t)
{
	for (struct mg_text_block *b = t->text, *next; b; b = next) {
		next = b->next;
		free(b);
	}
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
static const char *propagation(uint32_t flags)
{
	static const char *const words[] = {
		"private",    "shared",		   "slave",	       "shared,slave",
		"unbindable", "shared,unbindable", "slave,unbindable", "shared,slave,unbindable",
	};
	return words[((flags & MS_SHARED) ? 1 : 0) | ((flags & MS_SLAVE) ? 2 : 0) |
		     ((flags & MS_UNBINDABLE) ? 4 : 0)];
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

#define CELL_PATH (PATH_MAX * 4) /* room for an escaped path */

/* SOURCE as findmnt shows it: the device, and the directory of it that is
 * mounted when that is not its root (a bind). `buf` holds
 * 2 * CELL_PATH + 2 bytes. */
static void source_text(const struct fields *fs, char *buf)
{
	mg_escape_for_display(or_dash(fs->source), buf, CELL_PATH);
	if (strcmp(fs->fsroot, "/") != 0) {
		size_t n = strlen(buf);
		buf[n] = '[';
		mg_escape_for_display(fs->fsroot, buf + n + 1, CELL_PATH);
		n += 1 + strlen(buf + n + 1);
		buf[n] = ']';
		buf[n + 1] = '\0';
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

/* Blanks up to `width` after a cell of `len` bytes (printf's "%-*s"). */
static size_t pad(char *line, size_t at, size_t len, size_t width)
{
	if (len < width) {
		memset(line + at, ' ', width - len);
		at += width - len;
	}
	return at;
}

/* One line is put together in one buffer and written at once: a printf
 * per line was a third of the summary of 1000 binds. Every cell is escaped
 * into the line with the size it always had (so long cells end in "..."
 * where they did), the blanks of a column are at most COL_MAX. */
#define LINE_SIZE (CELL_PATH + (2 * CELL_PATH + 2) + 256 + PATH_MAX + 4 * (COL_MAX + 1) + 32)

static void text_line(void *vctx, enum walk_event ev, uint32_t node, size_t depth,
		      const bool *last, bool first)
{
	struct text_ctx *c = vctx;
	struct fields fs;
	char line[LINE_SIZE];
	size_t at = 0, len[4];
	(void)first;
	if (ev != WALK_ENTER)
		return;
	fields_of(c->t, node, &fs);
	mg_escape_for_display(in_root(c->t, fs.target), line, CELL_PATH);
	at += len[0] = strlen(line);
	size_t wt = 2 * depth + len[0]; /* escaped: ASCII only */
	at = c->measure ? at : pad(line, at, wt, c->wtarget);
	line[at++] = ' ';
	source_text(&fs, line + at);
	at += len[1] = strlen(line + at);
	at = c->measure ? at : pad(line, at, len[1], c->wsource);
	line[at++] = ' ';
	mg_escape_for_display(or_dash(fs.fstype), line + at, 256);
	at += len[2] = strlen(line + at);
	at = c->measure ? at : pad(line, at, len[2], c->wtype);
	line[at++] = ' ';
	mg_escape_for_display(or_dash(fs.options), line + at, PATH_MAX);
	at += len[3] = strlen(line + at);
	if (c->measure) {
		widen(&c->wtarget, wt);
		widen(&c->wsource, len[1]);
		widen(&c->wtype, len[2]);
		widen(&c->wopts, len[3]);
		return;
	}
	at = pad(line, at, len[3], c->wopts);
	line[at++] = ' ';
	const char *prop = propagation(c->t->nodes[node].propagation);
	size_t lprop = strlen(prop);
	memcpy(line + at, prop, lprop);
	at += lprop;
	line[at++] = '\n';
	fputs(c->indent, c->f);
	draw_branches(c->f, depth, last);
	fwrite(line, 1, at, c->f);
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

static void json_node(void *vctx, enum walk_event ev, uint32_t node, size_t depth,
		      const bool *last, bool first)
{
	struct json_ctx *c = vctx;
	struct fields fs;
	int kf = 1;
	(void)depth, (void)last;
	if (ev == WALK_LEAVE) {
		fputs("]}", c->f);
		return;
	}
	if (!first)
		fputc(',', c->f);
	fputc('{', c->f);
	fields_of(c->t, node, &fs);
	mg_json_kv_int(c->f, &kf, "id", (long long)c->t->nodes[node].id);
	mg_json_kv_int(c->f, &kf, "parent", (long long)c->t->nodes[node].parent);
	mg_json_kv_path(c->f, &kf, "target", fs.target);
	mg_json_kv_path(c->f, &kf, "path", in_root(c->t, fs.target));
	mg_json_kv_path(c->f, &kf, "source", fs.source);
	mg_json_kv_path(c->f, &kf, "fsroot", fs.fsroot);
	mg_json_kv_str(c->f, &kf, "fstype", fs.fstype);
	mg_json_kv_str(c->f, &kf, "options", fs.options);
	mg_json_kv_str(c->f, &kf, "fs_options", fs.fs_options);
	mg_json_kv_str(c->f, &kf, "propagation", propagation(c->t->nodes[node].propagation));
	fputs(",\"children\":[", c->f);
}

void mg_mount_tree_json(FILE *f, const struct mg_mount_tree *t)
{
	struct json_ctx c = { .t = t, .f = f };
	fputc('[', f);
	walk(t, json_node, &c);
	fputc(']', f);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "teardown.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "escape.h"
#include "fsinfo.h"
#include "json.h"
#include "mountinfo.h"

enum cand_state {
	C_PENDING,
	C_DONE, /* unmounted by us in this pass */
	C_LEFT, /* still there as far as this pass knows; reason says why */
};

/* One mount beneath the root in one pass. `rel` and `fstype` share one
 * allocation, owned by the candidate. */
struct cand {
	uint64_t id, parent;
	char *rel; /* in-root path */
	const char *fstype; /* points into rel's allocation */
	enum cand_state state;
	bool unsafe;
	bool held; /* left only because a mount beneath it is */
	char reason[160];
};

struct pass {
	struct cand *c; /* mountinfo order */
	size_t n, cap;
};

static void pass_free(struct pass *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->c[i].rel);
	free(p->c);
	memset(p, 0, sizeof(*p));
}

/* The in-root path of a mountinfo target strictly beneath the root, or NULL. */
static const char *beneath_root(const struct mg_ctx *ctx, const char *target)
{
	if (!target || strncmp(target, ctx->root_path, ctx->root_len) != 0)
		return NULL;
	const char *rel = target + ctx->root_len;
	return rel[0] == '/' && rel[1] != '\0' ? rel : NULL;
}

struct pass_reader {
	const struct mg_ctx *ctx;
	struct pass *p;
};

/* mg_mountinfo_each callback: keeps the mounts strictly beneath the root. */
static int pass_add(const struct mg_mountinfo_line *m, void *arg, struct mg_error *err)
{
	struct pass_reader *rd = arg;
	struct pass *p = rd->p;
	const char *rel = beneath_root(rd->ctx, m->path);
	if (!rel)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct cand *nc = reallocarray(p->c, cap, sizeof(*nc));
		if (!nc)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
		p->c = nc;
		p->cap = cap;
	}
	const char *type = m->fstype[0] ? m->fstype : "?";
	size_t rl = strlen(rel), tl = strlen(type);
	char *buf = malloc(rl + tl + 2);
	if (!buf)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
	memcpy(buf, rel, rl + 1);
	memcpy(buf + rl + 1, type, tl + 1);
	p->c[p->n++] = (struct cand){
		.id = m->id,
		.parent = m->parent,
		.rel = buf,
		.fstype = buf + rl + 1,
	};
	return 0;
}

static int pass_read(const struct mg_ctx *ctx, struct pass *p, struct mg_error *err)
{
	memset(p, 0, sizeof(*p));
	struct pass_reader rd = { .ctx = ctx, .p = p };
	int r = mg_mountinfo_each(&ctx->proc, pass_add, &rd, err);
	if (r < 0)
		pass_free(p);
	return r;
}

static void leave(struct cand *c, bool unsafe, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void leave(struct cand *c, bool unsafe, const char *fmt, ...)
{
	va_list ap;
	c->state = C_LEFT;
	c->unsafe = unsafe;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* Only in-root resolution errors that say "the tree is not what the kernel
 * described" make a mount unsafe to look for; the rest are plain failures. */
static bool tree_changed(int e)
{
	return e == ELOOP || e == EXDEV || e == ENOENT || e == ENOTDIR;
}

static int record(struct mg_teardown_mount **arr, size_t *n, const struct cand *c)
{
	struct mg_teardown_mount *na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	*arr = na;
	struct mg_teardown_mount *m = &na[*n];
	memset(m, 0, sizeof(*m));
	m->mnt_id = c->id;
	m->path = strdup(c->rel);
	m->fstype = strdup(c->fstype);
	if (!m->path || !m->fstype) {
		free(m->path);
		free(m->fstype);
		return -ENOMEM;
	}
	m->unsafe = c->unsafe;
	m->held = c->held;
	snprintf(m->reason, sizeof(m->reason), "%s", c->reason);
	(*n)++;
	return 0;
}

/* Takes one mount down, or says in c why not. Returns 0, or a negative errno
 * only when the teardown as a whole cannot go on. */
static int take_down(const struct mg_ctx *ctx, struct pass *p, struct cand *c,
		     struct mg_teardown_result *res)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->c[i].parent != c->id || p->c[i].state == C_DONE)
			continue;
		/* A detach would take it along unchecked. */
		leave(c, p->c[i].state == C_LEFT && p->c[i].unsafe,
		      "a mount beneath it (%s, id %llu) is still mounted", p->c[i].rel,
		      (unsigned long long)p->c[i].id);
		c->held = true;
		return 0;
	}

	/* The kernel's name has no symlinks and no `..`: refusing both finds
	 * exactly that path or fails, and never leaves the root. */
	_cleanup_close_ int fd = mg_resolve(ctx->resolver, ctx->root_fd, c->rel, MG_RESOLVE_NO_SYMLINKS);
	if (fd < 0) {
		if (tree_changed(-fd))
			leave(c, true, "its path no longer leads to it (the tree changed): %s",
			      strerror(-fd));
		else
			leave(c, false, "cannot resolve its path: %s", strerror(-fd));
		return 0;
	}
	uint64_t now;
	int r = mg_fd_mount_id(fd, &now);
	if (r < 0) {
		leave(c, false, "cannot read the mount id of its path: %s", strerror(-r));
		return 0;
	}
	if (now != c->id) {
		leave(c, true, "its path leads to mount id %llu now (the tree changed)",
		      (unsigned long long)now);
		return 0;
	}

	/* (umount2 steps onto anything mounted on that root since our check;
	 * only a child of this mount can be there, so it is still beneath the
	 * root, and the final look reports this one as left.) */
	r = mg_procfs_detach(&ctx->proc, fd);
	if (r < 0) {
		leave(c, false, "umount2: %s", strerror(-r));
		return 0;
	}
	c->state = C_DONE;
	c->reason[0] = '\0';
	if (record(&res->done, &res->unmounted, c) < 0)
		return -ENOMEM;
	return 0;
}

/* One walk over a fresh table, last entry first. *progress: something went. */
static int run_pass(const struct mg_ctx *ctx, struct pass *p, struct mg_teardown_result *res,
		    bool *progress, struct mg_error *err)
{
	size_t before = res->unmounted;
	for (size_t i = p->n; i-- > 0;) {
		if (take_down(ctx, p, &p->c[i], res) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, ENOMEM, "out of memory");
	}
	*progress = res->unmounted > before;
	return 0;
}

static const struct cand *find_id(const struct pass *p, uint64_t id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->c[i].id == id)
			return &p->c[i];
	return NULL;
}

/* What is still beneath the root after the last pass, and why. */
static int classify_left(const struct pass *last, struct pass *now, struct mg_teardown_result *res,
			 struct mg_error *err)
{
	for (size_t i = 0; i < now->n; i++) {
		struct cand *c = &now->c[i];
		const struct cand *was = find_id(last, c->id);
		if (was && was->state == C_LEFT) {
			leave(c, was->unsafe, "%s", was->reason);
			c->held = was->held;
		} else if (was) {
			leave(c, false, "still mounted after it was detached");
		} else {
			leave(c, false, "appeared while the teardown ran");
		}
	}
	/* A mount kept because of an unsafe one beneath it is kept on purpose
	 * too, whatever order the last pass saw them in. */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < now->n; i++) {
			if (!now->c[i].unsafe)
				continue;
			for (size_t k = 0; k < now->n; k++) {
				if (now->c[k].id == now->c[i].parent && !now->c[k].unsafe)
					now->c[k].unsafe = changed = true;
			}
		}
	}
	for (size_t i = 0; i < now->n; i++) {
		if (record(&res->left, &res->nleft, &now->c[i]) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		if (now->c[i].unsafe)
			res->skipped++;
	}
	return 0;
}

/* For the message: a mount left for its own reason, of the kind that decides
 * the exit status. */
static const struct mg_teardown_mount *first_left(const struct mg_teardown_result *res, bool unsafe)
{
	for (size_t i = 0; i < res->nleft; i++)
		if (res->left[i].unsafe == unsafe && !res->left[i].held)
			return &res->left[i];
	for (size_t i = 0; i < res->nleft; i++)
		if (res->left[i].unsafe == unsafe)
			return &res->left[i];
	return &res->left[0];
}

int mg_teardown(const struct mg_ctx *ctx, struct mg_teardown_result *res, struct mg_error *err)
{
	struct pass last = { 0 }, now = { 0 };
	size_t max_passes = 0;
	bool progress = true;
	int r;

	memset(res, 0, sizeof(*res));
	if (ctx->root_len <= 1)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, EINVAL,
			       "refusing to tear down every mount beneath /");

	for (;;) {
		r = pass_read(ctx, &now, err);
		if (r < 0 || now.n == 0)
			goto out;
		/* `now` is the fresh look after a pass that changed nothing. */
		if (!progress || (res->passes && res->passes >= max_passes))
			break;
		/* Each pass that goes on took at least one mount down. */
		if (!res->passes)
			max_passes = now.n + 1;
		res->passes++;
		r = run_pass(ctx, &now, res, &progress, err);
		if (r < 0)
			goto out;
		pass_free(&last);
		last = now;
		memset(&now, 0, sizeof(now));
	}

	r = classify_left(&last, &now, res, err);
	if (r < 0)
		goto out;
	bool unsafe = res->skipped > 0;
	const struct mg_teardown_mount *m = first_left(res, unsafe);
	char shown[PATH_MAX * 2];
	mg_escape_for_display(m->path, shown, sizeof(shown));
	r = mg_fail(err, unsafe ? MG_EXIT_UNSAFE : MG_EXIT_FAILED,
		    unsafe ? MG_STAGE_RESOLVE : MG_STAGE_VERIFY, 0,
		    "%zu mount(s) left beneath the root (%zu skipped because the tree changed); "
		    "%s (id %llu): %s",
		    res->nleft, res->skipped, shown, (unsigned long long)m->mnt_id, m->reason);
out:
	pass_free(&last);
	pass_free(&now);
	return r;
}

void mg_teardown_result_free(struct mg_teardown_result *res)
{
	for (size_t i = 0; i < res->unmounted; i++) {
		free(res->done[i].path);
		free(res->done[i].fstype);
	}
	for (size_t i = 0; i < res->nleft; i++) {
		free(res->left[i].path);
		free(res->left[i].fstype);
	}
	free(res->done);
	free(res->left);
	memset(res, 0, sizeof(*res));
}

void mg_teardown_report_text(FILE *f, const struct mg_ctx *ctx,
			     const struct mg_teardown_result *res, int exit_code)
{
	char a[PATH_MAX * 2];
	bool have_ctx = ctx && ctx->root_len;
	mg_escape_for_display(have_ctx ? ctx->root_path : "?", a, sizeof(a));
	fprintf(f, "mount-guard teardown: root %s", a);
	if (have_ctx)
		fprintf(f, " (resolver %s, procfs %s)", mg_resolver_name(ctx->resolver),
			ctx->proc.private_instance ? "private" : "/proc");
	fputc('\n', f);
	for (size_t i = 0; res && i < res->unmounted; i++) {
		const struct mg_teardown_mount *m = &res->done[i];
		mg_escape_for_display(m->path, a, sizeof(a));
		fprintf(f, "  unmounted %-32s %-10s id %llu\n", a, m->fstype,
			(unsigned long long)m->mnt_id);
	}
	for (size_t i = 0; res && i < res->nleft; i++) {
		const struct mg_teardown_mount *m = &res->left[i];
		mg_escape_for_display(m->path, a, sizeof(a));
		fprintf(f, "  %-9s %-32s %-10s id %llu: %s\n", m->unsafe ? "skipped" : "left", a,
			m->fstype, (unsigned long long)m->mnt_id, m->reason);
	}
	size_t n = res ? res->unmounted : 0;
	if (exit_code == 0)
		fprintf(f, "result: %zu mount%s taken down; nothing left beneath the root\n", n,
			n == 1 ? "" : "s");
	else if (n == 0 && (!res || res->nleft == 0))
		fprintf(f, "result: failed (exit %d); nothing was unmounted\n", exit_code);
	else
		fprintf(f,
			"result: failed (exit %d); %zu taken down, %zu left beneath the root "
			"(%zu skipped because the tree changed)\n",
			exit_code, n, res ? res->nleft : 0, res ? res->skipped : 0);
}

static void json_mount(FILE *f, const struct mg_teardown_mount *m, bool left)
{
	int first = 1;
	fputc('{', f);
	mg_json_kv_path(f, &first, "path", m->path);
	mg_json_kv_int(f, &first, "mount_id", (long long)m->mnt_id);
	mg_json_kv_str(f, &first, "fstype", m->fstype);
	if (left) {
		mg_json_kv_bool(f, &first, "unsafe", m->unsafe);
		mg_json_kv_str(f, &first, "reason", m->reason);
	}
	fputc('}', f);
}

void mg_teardown_report_json(FILE *f, const struct mg_ctx *ctx,
			     const struct mg_teardown_result *res, const struct mg_error *err,
			     int exit_code)
{
	char msg[2048];
	bool have_ctx = ctx && ctx->root_len;
	int first = 1;
	fputc('{', f);
	mg_json_kv_int(f, &first, "version", 1);
	mg_json_kv_str(f, &first, "command", "teardown");
	mg_json_kv_path(f, &first, "root", have_ctx ? ctx->root_path : NULL);
	if (have_ctx) {
		mg_json_kv_str(f, &first, "resolver", mg_resolver_name(ctx->resolver));
		mg_json_kv_str(f, &first, "procfs", ctx->proc.private_instance ? "private" : "/proc");
	}
	mg_json_kv_bool(f, &first, "ok", exit_code == 0);
	mg_json_kv_int(f, &first, "exit_code", exit_code);
	if (err && err->set) {
		mg_error_format(err, msg, sizeof(msg));
		mg_json_kv_str(f, &first, "error", msg);
	} else {
		mg_json_kv_str(f, &first, "error", NULL);
	}
	fputs(",\"unmounted\":[", f);
	for (size_t i = 0; res && i < res->unmounted; i++) {
		if (i)
			fputc(',', f);
		json_mount(f, &res->done[i], false);
	}
	fputc(']', f);
	mg_json_kv_int(f, &first, "count", res ? (long long)res->unmounted : 0);
	fputs(",\"left\":[", f);
	for (size_t i = 0; res && i < res->nleft; i++) {
		if (i)
			fputc(',', f);
		json_mount(f, &res->left[i], true);
	}
	fputs("]}\n", f);
}

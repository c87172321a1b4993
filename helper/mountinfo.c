/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* libmount's field separators (tab_parse.c): a run of spaces and tabs. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_sep(char *p)
{
	while (is_sep(*p))
		p++;
	return p;
}

static char *field_end(char *p)
{
	return p + strcspn(p, " \t");
}

/* The field at *cursor, NUL-terminated in place; *cursor moves on to the
 * next one. NULL when the field is empty (the line ended). */
static char *take_field(char **cursor)
{
	char *f = *cursor, *e = field_end(f);
	*cursor = skip_sep(e); /* before the separator is overwritten */
	*e = '\0';
	return e == f ? NULL : f;
}

/* A decimal number and nothing else (strtoull costs more than the rest
 * of a line: four of them per line, 10,000 lines). */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool parse_devno(const char *s, unsigned int *major, unsigned int *minor)
{
	uint64_t a, b;
	const char *colon = strchr(s, ':');
	char tmp[24];
	if (!colon || (size_t)(colon - s) >= sizeof(tmp))
		return false;
	memcpy(tmp, s, (size_t)(colon - s));
	tmp[colon - s] = '\0';
	if (!parse_u64(tmp, &a) || !parse_u64(colon + 1, &b) || a > UINT_MAX || b > UINT_MAX)
		return false;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return true;
}

/* The kernel's mangle (seq_path_root and seq_escape with " \t\n\\") writes
 * each such byte as a backslash and three octal digits. Undone in place,
 * byte for byte as libmount's unmangle() does it, so that the mount tree
 * prints what it printed when libmount parsed mountinfo. */
static void unmangle(char *s)
{
#define IS_OCTAL(c) (((c) & ~7) == '0')
	s = strchr(s, '\\');
	if (!s)
		return; /* the common case: nothing escaped */
	char *w = s;
	while (*s) {
		if (s[0] == '\\' && IS_OCTAL(s[1]) && IS_OCTAL(s[2]) && IS_OCTAL(s[3])) {
			*w++ = (char)(64 * (s[1] & 7) + 8 * (s[2] & 7) + (s[3] & 7));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
#undef IS_OCTAL
}

/* Per-mount options as show_mnt_opts() writes them: ro|rw, then the flags
 * that are set. The super block options come after " - " and are not these. */
static unsigned long vfs_flags(const char *opts)
{
	static const struct {
		const char *name;
		size_t len;
		unsigned long ms;
	} words[] = {
#define W(s, ms) { s, sizeof(s) - 1, ms }
		W("ro", MS_RDONLY),	    W("nosuid", MS_NOSUID),	W("nodev", MS_NODEV),
		W("noexec", MS_NOEXEC),	    W("noatime", MS_NOATIME),	W("nodiratime", MS_NODIRATIME),
		W("relatime", MS_RELATIME), W("nosymfollow", 256 /* MS_NOSYMFOLLOW */),
#undef W
	};
	unsigned long flags = 0;
	for (;;) {
		const char *end = strchrnul(opts, ',');
		size_t len = (size_t)(end - opts);
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (words[i].len == len && memcmp(words[i].name, opts, len) == 0)
				flags |= words[i].ms;
		if (!*end)
			return flags;
		opts = end + 1;
	}
}

/* The optional fields ("shared:N master:N propagate_from:N unbindable"), as
 * libmount's mnt_fs_get_propagation() reads them. */
static unsigned long propagation(const char *fields)
{
	unsigned long flags = 0;
	if (strstr(fields, "shared:"))
		flags |= MS_SHARED;
	if (strstr(fields, "master:"))
		flags |= MS_SLAVE;
	if (strstr(fields, "unbindable"))
		flags |= MS_UNBINDABLE;
	return flags;
}

/* id parent major:minor root mount-point options [optional...] - type source super,
 * field by field as libmount's mnt_parse_mountinfo_line() takes them (an
 * empty source shows as two spaces). */
int mg_mountinfo_parse_line(char *line, struct mg_mountinfo_line *m)
{
	char *s = line;
	char *id = take_field(&s), *parent = take_field(&s), *devno = take_field(&s);
	char *root = take_field(&s), *path = take_field(&s);
	if (!id || !parent || !devno || !root || !path || !parse_u64(id, &m->id) ||
	    !parse_u64(parent, &m->parent) || !parse_devno(devno, &m->major, &m->minor) ||
	    path[0] != '/')
		return -EBADMSG;

	/* The options end at a separator; the optional fields, if any, run
	 * from there to " - ". */
	char *opts = s, *end = field_end(s), *dash = strstr(end, " - ");
	if (end == opts || !dash)
		return -EBADMSG;
	*end = '\0';
	*dash = '\0';
	m->propagation = dash > end + 1 ? propagation(end + 1) : 0;

	s = skip_sep(dash + 3);
	char *fstype = s;
	end = field_end(s);
	if (end == fstype || !*end)
		return -EBADMSG;
	bool no_source = end[0] == ' ' && end[1] == ' ';
	s = skip_sep(end);
	*end = '\0';
	char *source = no_source ? end : take_field(&s);
	char *super = take_field(&s);
	if (!source || !super)
		return -EBADMSG;

	unmangle(root);
	unmangle(path);
	unmangle(opts);
	unmangle(fstype);
	unmangle(source);
	unmangle(super);
	m->root = root;
	m->path = path;
	m->options = opts;
	m->flags = vfs_flags(opts);
	m->fstype = fstype;
	m->source = source;
	m->fs_options = super;
	return 0;
}

int mg_mountinfo_each(const struct mg_procfs *proc, mg_mountinfo_fn fn, void *arg,
		      struct mg_error *err)
{
	_cleanup_close_ int fd = openat(proc->root_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, len = 0;
	int r = 0;

	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "open self/mountinfo");
	for (;;) {
		/* Room for a whole line, however long (a mount point of
		 * PATH_MAX bytes, all escaped, is 16 KiB): never cut one. */
		if (cap - len < 16384) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap);
			if (!nb)
				return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
			buf = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "read self/mountinfo");
		len += (size_t)got;
		char *line = buf, *nl;
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
			struct mg_mountinfo_line m;
			*nl = '\0';
			if (memchr(line, '\0', (size_t)(nl - line)) || mg_mountinfo_parse_line(line, &m) < 0)
				return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, EBADMSG,
					       "cannot parse a mountinfo line");
			r = fn(&m, arg, err);
			if (r < 0)
				return r;
			line = nl + 1;
		}
		size_t rest = len - (size_t)(line - buf);
		if (got == 0) {
			if (rest)
				return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, EBADMSG,
					       "mountinfo ends inside a line");
			return 0;
		}
		memmove(buf, line, rest);
		len = rest;
	}
}

static int add_id(const struct mg_mountinfo_line *m, void *arg, struct mg_error *err)
{
	struct mg_idset *set = arg;
	/* The capacity is the next power of two at or above n. */
	if ((set->n & (set->n - 1)) == 0 && set->n >= 64) {
		uint64_t *ni = realloc(set->ids, set->n * 2 * sizeof(*ni));
		if (!ni)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
		set->ids = ni;
	}
	set->ids[set->n++] = m->id;
	return 0;
}

int mg_idset_read(const struct mg_procfs *proc, struct mg_idset *set, struct mg_error *err)
{
	set->n = 0;
	set->ids = malloc(64 * sizeof(*set->ids));
	if (!set->ids)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "out of memory");
	int r = mg_mountinfo_each(proc, add_id, set, err);
	if (r < 0) {
		mg_idset_free(set);
		return r;
	}
	qsort(set->ids, set->n, sizeof(*set->ids), cmp_u64);
	return 0;
}

bool mg_idset_has(const struct mg_idset *set, uint64_t id)
{
	return set->ids && bsearch(&id, set->ids, set->n, sizeof(*set->ids), cmp_u64) != NULL;
}

void mg_idset_free(struct mg_idset *set)
{
	free(set->ids);
	set->ids = NULL;
	set->n = 0;
}

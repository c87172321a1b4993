/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountinfo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"

int mg_mountinfo_read(const struct mg_procfs *proc, struct libmnt_table **out, struct mg_error *err)
{
	int fd = openat(proc->root_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "open self/mountinfo");
	_cleanup_fclose_ FILE *f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "fdopen mountinfo");
	}
	struct libmnt_table *tb = mnt_new_table();
	if (!tb)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "mnt_new_table");
	int r = mnt_table_parse_stream(tb, f, "mountinfo");
	if (r < 0) {
		mnt_unref_table(tb);
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "cannot parse mountinfo");
	}
	*out = tb;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The next space-separated field of a mountinfo line, NUL-terminated in
 * place; NULL when the line ends first. */
static char *next_field(char **cursor)
{
	char *f = *cursor;
	if (!f || !*f)
		return NULL;
	char *sp = strchr(f, ' ');
	if (sp) {
		*sp = '\0';
		*cursor = sp + 1;
	} else {
		*cursor = NULL;
	}
	return f;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* The kernel's mangle of mount points (seq_path_root with " \t\n\\"): each
 * such byte as a backslash and three octal digits. Undone in place. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Per-mount options as show_mnt_opts() writes them: ro|rw, then the flags
 * that are set. The super block options come after " - " and are not these. */
static unsigned long vfs_flags(const char *opts)
{
	static const struct {
		const char *name;
		unsigned long ms;
	} words[] = {
		{ "ro", MS_RDONLY },	     { "nosuid", MS_NOSUID },	{ "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC },     { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME }, { "nosymfollow", 256 /* MS_NOSYMFOLLOW */ },
	};
	unsigned long flags = 0;
	while (*opts) {
		size_t len = strcspn(opts, ",");
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			if (strlen(words[i].name) == len && memcmp(words[i].name, opts, len) == 0)
				flags |= words[i].ms;
		opts += len;
		if (*opts == ',')
			opts++;
	}
	return flags;
}

/* id parent major:minor root mount-point options [optional...] - type source super */
static int parse_line(char *line, struct mg_mountinfo_line *m)
{
	char *cursor = line;
	char *id = next_field(&cursor), *parent = next_field(&cursor), *devno = next_field(&cursor);
	char *root = next_field(&cursor), *path = next_field(&cursor), *opts = next_field(&cursor);
	if (!id || !parent || !devno || !root || !path || !opts || !parse_u64(id, &m->id) ||
	    !parse_u64(parent, &m->parent) || path[0] != '/')
		return -EBADMSG;
	unescape_octal(path);
	m->path = path;
	m->flags = vfs_flags(opts);
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
			if (memchr(line, '\0', (size_t)(nl - line)) || parse_line(line, &m) < 0)
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

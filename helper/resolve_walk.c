/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The userspace in-root walk, for kernels without openat2 (before 5.6) or
 * where a seccomp filter hides it. It must give the same answers as
 * RESOLVE_IN_ROOT (the kernel's selftest cases are its unit tests) and the
 * same guarantee: LXC's fallback drops to plain openat and loses it.
 *
 * Every step is openat(cur, one_component, O_PATH|O_NOFOLLOW). Symlinks are
 * read with readlinkat(fd, "") and their text is pushed in front of the rest
 * of the path; an absolute one restarts at the root. `..` pops a stack of
 * the directories this walk came through instead of asking the filesystem
 * for a parent, so no rename can carry the walk above the root: the only
 * fds it ever holds were reached downwards from root_fd. (The kernel's `..`
 * follows the real parent and returns EAGAIN on a racing rename; on a tree
 * nobody renames in, both give the same result.) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"
#include "resolve.h"

struct walk {
	int *stack; /* stack[0] is a dup of the root */
	size_t depth, cap;
	char *rest; /* the part of the path still to walk */
	size_t rest_len;
};

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->depth; i++)
		close(w->stack[i]);
	free(w->stack);
	free(w->rest);
}

static int push(struct walk *w, int fd)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		int *ns = realloc(w->stack, cap * sizeof(*ns));
		if (!ns) {
			close(fd);
			return -ENOMEM;
		}
		w->stack = ns;
		w->cap = cap;
	}
	w->stack[w->depth++] = fd;
	return 0;
}

static void pop_to(struct walk *w, size_t depth)
{
	while (w->depth > depth)
		close(w->stack[--w->depth]);
}

/* Replaces the rest of the path with link + rest. `rest` is empty or starts
 * with '/', so a trailing slash after the link name still demands a
 * directory, as in the kernel. */
static int splice_link(struct walk *w, const char *link, size_t link_len, const char *rest)
{
	size_t rl = strlen(rest);
	if (link_len + rl > (size_t)(MG_MAX_SYMLINKS + 1) * PATH_MAX)
		return -ENAMETOOLONG; /* more than 41 links of PATH_MAX each: impossible */
	char *n = malloc(link_len + rl + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n, link, link_len);
	memcpy(n + link_len, rest, rl + 1);
	free(w->rest);
	w->rest = n;
	w->rest_len = link_len + rl;
	return 0;
}

/* A symlink on procfs is "magic" (it jumps to an object, not a path) unless
 * it is one of the plain links in the procfs root: self, thread-self, mounts,
 * net. RESOLVE_NO_MAGICLINKS refuses magic ones; so do we. */
static bool is_magic_link_parent(int parent)
{
	unsigned long magic;
	struct stat st;
	if (mg_fd_fs_magic(parent, &magic) < 0 || magic != PROC_SUPER_MAGIC)
		return false;
	return fstat(parent, &st) < 0 || st.st_ino != MG_PROC_ROOT_INO;
}

int mg_resolve_walk(int root_fd, const char *path, unsigned flags)
{
	struct walk w = { 0 };
	int links = 0, r;
	char linkbuf[PATH_MAX];

	/* The kernel refuses a path argument of PATH_MAX bytes or more
	 * (getname); so does the walk, to give the same answers. */
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	r = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (r < 0)
		return -errno;
	r = push(&w, r);
	if (r < 0)
		goto out;
	w.rest = strdup(path);
	if (!w.rest) {
		r = -ENOMEM;
		goto out;
	}
	char *cursor = w.rest;
	for (;;) {
		while (*cursor == '/')
			cursor++;
		if (*cursor == '\0')
			break;
		char *end = strchrnul(cursor, '/');
		bool trailing_slash = *end == '/';
		size_t len = (size_t)(end - cursor);
		char comp[NAME_MAX + 1];
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(comp, cursor, len);
		comp[len] = '\0';
		cursor = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (w.depth > 1)
				pop_to(&w, w.depth - 1);
			else if (flags & MG_RESOLVE_NO_SYMLINKS) {
				r = -EXDEV; /* refuse: no `..` above the root */
				goto out;
			}
			continue; /* in-root: `..` at the root stays at the root */
		}
		int cur = w.stack[w.depth - 1];
		int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			goto out;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			/* A non-directory with more to walk, or with a trailing
			 * slash, is ENOTDIR, as in the kernel. */
			bool more = trailing_slash;
			if (more && !S_ISDIR(st.st_mode)) {
				close(fd);
				r = -ENOTDIR;
				goto out;
			}
			r = push(&w, fd);
			if (r < 0)
				goto out;
			continue;
		}
		/* A symlink. */
		if ((flags & MG_RESOLVE_NO_SYMLINKS) || ++links > MG_MAX_SYMLINKS) {
			close(fd);
			r = -ELOOP;
			goto out;
		}
		/* Read first: like the kernel, a magic link we may not read
		 * (another process's, without ptrace access) is EACCES, and one
		 * we may read is refused as magic (ELOOP) after. */
		ssize_t n = readlinkat(fd, "", linkbuf, sizeof(linkbuf));
		int saved = errno;
		close(fd);
		if (n < 0) {
			r = -saved;
			goto out;
		}
		if (is_magic_link_parent(cur)) {
			r = -ELOOP;
			goto out;
		}
		if ((size_t)n >= sizeof(linkbuf)) {
			r = -ENAMETOOLONG;
			goto out;
		}
		if (n == 0) {
			r = -ENOENT; /* an empty symlink resolves to nothing */
			goto out;
		}
		if (linkbuf[0] == '/')
			pop_to(&w, 1);
		r = splice_link(&w, linkbuf, (size_t)n, cursor);
		if (r < 0)
			goto out;
		cursor = w.rest;
	}
	/* The result: a fresh reference for the caller; the walk's own go. */
	r = fcntl(w.stack[w.depth - 1], F_DUPFD_CLOEXEC, 3);
	if (r < 0)
		r = -errno;
out:
	walk_free(&w);
	return r;
}

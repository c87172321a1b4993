/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "escape.h"
#include "fsinfo.h"

int mg_path_lexical(const char *in, char *out, size_t size)
{
	size_t n = 0;
	if (size < 2)
		return -ENAMETOOLONG;
	out[n++] = '/';
	while (*in) {
		while (*in == '/')
			in++;
		const char *end = strchrnul(in, '/');
		size_t len = (size_t)(end - in);
		if (len == 0 || (len == 1 && in[0] == '.')) {
			/* nothing */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the slash before the dropped component */
		} else {
			if (n + (n > 1) + len + 1 > size)
				return -ENAMETOOLONG;
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, in, len);
			n += len;
		}
		in = end;
	}
	out[n] = '\0';
	return 0;
}

static bool has_dotdot(const char *p)
{
	for (const char *c = p; (c = strstr(c, "..")); c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
			return true;
	return false;
}

int mg_resolve_fail(const struct mg_ctx *ctx, int r, const char *what, const char *path,
		    struct mg_error *err)
{
	char shown[PATH_MAX * 2];
	bool refuse = ctx->resolve_flags & MG_RESOLVE_NO_SYMLINKS;
	enum mg_exit kind = MG_EXIT_UNSAFE;
	const char *why;
	mg_escape_for_display(path, shown, sizeof(shown));
	switch (-r) {
	case ENOENT:
		kind = MG_EXIT_FAILED;
		why = "does not exist (or a symlink on the way dangles); create = dir|file makes it";
		break;
	case ELOOP:
		why = refuse ? "has a symlink on the way and symlinks = refuse"
			     : "has too many symlinks, a symlink loop, or a /proc magic link";
		break;
	case EXDEV:
		why = refuse ? "uses '..' to leave the root (symlinks = refuse)"
			     : "resolved to a place outside the root";
		break;
	case ENOTDIR:
		why = "has a component that is not a directory";
		break;
	case ENAMETOOLONG:
		why = "is too long to resolve or verify (PATH_MAX)";
		break;
	case EAGAIN:
		why = "kept racing with renames or mounts; gave up";
		break;
	default:
		kind = MG_EXIT_FAILED;
		why = "cannot be resolved";
	}
	return mg_fail(err, kind, MG_STAGE_RESOLVE, -r, "%s %s %s (resolver %s)", what, shown, why,
		       mg_resolver_name(ctx->resolver));
}

/* Creates `base` (dir or file) in parent_fd and returns an O_PATH fd to it. */
static int create_child(int parent_fd, const char *base, bool dir,
			mode_t mode, size_t idx, struct mg_undo *undo, struct mg_error *err)
{
	_cleanup_close_ int fd = -1, wfd = -1, pdup = -1;
	struct stat st, made;

	fd = openat(parent_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		/* Resolution said ENOENT, so this is a dangling symlink (or
		 * something that appeared since): never create through it. */
		bool link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CREATE, link ? ELOOP : EEXIST,
			       "'%s' is %s; refusing to create through it", base,
			       link ? "a dangling symlink" : "something that appeared meanwhile");
	}
	if (errno != ENOENT)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "cannot look up '%s'", base);
	if (dir) {
		if (mkdirat(parent_fd, base, mode) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "mkdirat '%s'", base);
		wfd = openat(parent_fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	} else {
		wfd = openat(parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
			     mode);
	}
	if (wfd < 0 || fstat(wfd, &made) < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CREATE, errno,
			       "'%s' changed right after it was created", base);
	/* umask 022 took group/other write away and mkdir ignores setuid and
	 * setgid: give back what was asked, keeping a setgid bit inherited
	 * from the parent directory. */
	if ((mode & 07022) && fchmod(wfd, mode | (made.st_mode & S_ISGID)) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "fchmod '%s'", base);
	pdup = fcntl(parent_fd, F_DUPFD_CLOEXEC, 3);
	if (pdup < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "dup");
	int r = mg_undo_add_create(undo, TAKE_FD(pdup), base, made.st_dev, made.st_ino, dir, idx);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, -r, "out of memory");
	fd = openat(parent_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != made.st_dev || st.st_ino != made.st_ino)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CREATE, errno ? errno : ESTALE,
			       "'%s' was swapped right after it was created", base);
	return TAKE_FD(fd);
}

/* Dry run: the parent exists and `base` would be created in it. A dangling
 * symlink (or anything else) already there is refused now, as the real run
 * would refuse it. */
static int probe_missing(int parent_fd, const char *base, struct mg_error *err)
{
	_cleanup_close_ int probe = openat(parent_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (probe < 0)
		return 0;
	return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CREATE, ELOOP,
		       "'%s' is a dangling symlink; refusing to create through it", base);
}

/* Makes sure directory `path` (lexically clean, absolute, in-root) exists.
 * Returns an fd, or -1 with *fd_out == -1 in a dry run when it would be
 * created; `resolved` gets its in-root path either way. */
static int ensure_dir(const struct mg_ctx *ctx, const char *path, size_t idx,
		      struct mg_undo *undo, char *resolved, unsigned *created, struct mg_error *err)
{
	_cleanup_close_ int fd = mg_resolve(ctx->resolver, ctx->root_fd, path, ctx->resolve_flags);
	_cleanup_close_ int pfd = -1;
	struct stat st;
	int r;

	if (fd >= 0) {
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
			return mg_resolve_fail(ctx, -ENOTDIR, "directory", path, err);
		r = mg_in_root_path(ctx, fd, resolved, PATH_MAX);
		if (r < 0)
			return mg_resolve_fail(ctx, r, "directory", path, err);
		return TAKE_FD(fd);
	}
	if (fd != -ENOENT || strcmp(path, "/") == 0)
		return mg_resolve_fail(ctx, fd, "directory", path, err);

	char parent[PATH_MAX], presolved[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash + 1;
	size_t plen = slash == path ? 1 : (size_t)(slash - path);
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	pfd = ensure_dir(ctx, parent, idx, undo, presolved, created, err);
	if (pfd < 0 && err->set)
		return -EINVAL;
	(*created)++;
	if (pfd >= 0 && ctx->dry_run && probe_missing(pfd, base, err) < 0)
		return -EINVAL;
	if (pfd < 0 || ctx->dry_run) {
		/* Dry run: say where it would go. */
		if (snprintf(resolved, PATH_MAX, "%s%s%s", presolved, strcmp(presolved, "/") ? "/" : "",
			     base) >= PATH_MAX)
			return mg_resolve_fail(ctx, -ENAMETOOLONG, "directory", path, err);
		return -1;
	}
	fd = create_child(pfd, base, true, 0755, idx, undo, err);
	if (fd < 0)
		return fd;
	r = mg_in_root_path(ctx, fd, resolved, PATH_MAX);
	if (r < 0)
		return mg_resolve_fail(ctx, r, "created directory", path, err);
	return TAKE_FD(fd);
}

/* Resolves a target and, when the kernel itself proves where it landed,
 * names it as well. openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 * succeeds only for a path that crosses no symlink and never climbs above
 * the root (a rename or mount racing the walk makes it retry, never answer
 * wrong): the in-root path is then the written one, lexically normalised,
 * and the readlink of self/fd/N (a d_path for every entry of a long list) is
 * not needed. Any other path resolves again as configured and is named by
 * readlink. The end-of-run mountinfo check compares every mount with this
 * name either way. */
static int resolve_target(const struct mg_ctx *ctx, const char *path, char *resolved,
			  size_t size, bool *named)
{
	*named = false;
	if (ctx->resolver != MG_RESOLVER_OPENAT2)
		return mg_resolve(ctx->resolver, ctx->root_fd, path, ctx->resolve_flags);
	int fd = mg_resolve_openat2(ctx->root_fd, path, ctx->resolve_flags | MG_RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		*named = mg_path_lexical(path, resolved, size) == 0;
		return fd;
	}
	/* A missing component or a file where a directory belongs, reached
	 * without a symlink or a `..` above the root: the configured
	 * resolution takes the same steps to the same answer. */
	if ((ctx->resolve_flags & MG_RESOLVE_NO_SYMLINKS) || fd == -ENOENT || fd == -ENOTDIR)
		return fd;
	return mg_resolve(ctx->resolver, ctx->root_fd, path, ctx->resolve_flags);
}

int mg_target_open(const struct mg_ctx *ctx, const struct mg_entry *e, size_t idx,
		   struct mg_undo *undo, struct mg_target *t, struct mg_error *err)
{
	bool named;
	_cleanup_close_ int fd = resolve_target(ctx, e->target, t->resolved, sizeof(t->resolved), &named);
	_cleanup_close_ int pfd = -1;
	struct statx stx;
	int r;

	t->fd = -1;
	t->mnt_id = 0;
	t->created = 0;
	if (!named)
		t->resolved[0] = '\0';
	if (fd == -ENOENT && e->create != MG_CREATE_NO) {
		char norm[PATH_MAX], presolved[PATH_MAX];
		if (has_dotdot(e->target))
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CREATE, 0,
				       "target is missing and its path has '..': will not create it");
		r = mg_path_lexical(e->target, norm, sizeof(norm));
		if (r < 0 || strcmp(norm, "/") == 0)
			return mg_resolve_fail(ctx, r < 0 ? r : -EXDEV, "target", e->target, err);
		const char *slash = strrchr(norm, '/');
		char parent[PATH_MAX];
		size_t plen = slash == norm ? 1 : (size_t)(slash - norm);
		memcpy(parent, norm, plen);
		parent[plen] = '\0';
		pfd = ensure_dir(ctx, parent, idx, undo, presolved, &t->created, err);
		if (pfd < 0 && err->set)
			return -EINVAL;
		t->created++;
		t->fmt = e->create == MG_CREATE_DIR ? S_IFDIR : S_IFREG;
		if (pfd < 0 || ctx->dry_run) {
			if (snprintf(t->resolved, sizeof(t->resolved), "%s%s%s", presolved,
				     strcmp(presolved, "/") ? "/" : "", slash + 1) >= (int)sizeof(t->resolved))
				return mg_resolve_fail(ctx, -ENAMETOOLONG, "target", e->target, err);
			if (pfd >= 0 && probe_missing(pfd, slash + 1, err) < 0)
				return -EINVAL;
			return 0;
		}
		fd = create_child(pfd, slash + 1, e->create == MG_CREATE_DIR, e->mode, idx, undo,
				  err);
		if (fd < 0)
			return fd;
		named = false; /* made through the parent's fd: readlink names it */
	}
	if (fd < 0)
		return mg_resolve_fail(ctx, fd, "target", e->target, err);
	/* Its type and the id of the mount it is on (which the new mount
	 * must differ from) in one call. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_MNT_ID, &stx) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_RESOLVE, errno, "statx target");
	r = named ? 0 : mg_in_root_path(ctx, fd, t->resolved, sizeof(t->resolved));
	if (r < 0)
		return mg_resolve_fail(ctx, r, "target", e->target, err);
	if (!S_ISDIR(stx.stx_mode) && !S_ISREG(stx.stx_mode))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_RESOLVE, 0,
			       "target %s is a %s; only directories and regular files can be mount "
			       "targets",
			       t->resolved, mg_file_type_name(stx.stx_mode));
	t->fmt = stx.stx_mode & S_IFMT;
	t->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	t->fd = TAKE_FD(fd);
	return 0;
}

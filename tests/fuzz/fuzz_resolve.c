/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the in-root resolvers (helper/resolve.c: openat2
 * RESOLVE_IN_ROOT / RESOLVE_BENEATH; helper/resolve_walk.c: the userspace
 * walk) on a fixed hostile tree, with the input as the path.
 *
 * LLVMFuzzerInitialize builds the tree once, in a mkdtemp directory under
 * $TMPDIR, without root and without mounting anything:
 *
 *   BASE/outside/...       what an escape would reach (secret, etc/passwd)
 *   BASE/root-evil/...     a sibling whose name starts with "root": a prefix
 *                          check without the '/' would pass it
 *   BASE/root/             root 0: the kernel's openat2 selftest tree
 *                          (tests/data/openat2_tree.sh, without the mount),
 *                          plus symlinks to outside (absolute, relative, to
 *                          the host path of BASE), `..`-heavy links, loops,
 *                          dangling links, chains of 40 and 41 links, a deep
 *                          directory chain, 4095-byte links, a fake /proc,
 *                          a FIFO, a socket, and files where a directory is
 *                          expected
 *   BASE/root/a/           root 1: a nested root, so that much of root 0 is
 *                          "outside" for it
 *
 * For each root and each of flags 0 and MG_RESOLVE_NO_SYMLINKS, the path is
 * resolved by mg_resolve_walk and, when the kernel has openat2, by
 * mg_resolve_openat2. It aborts when
 *  - a returned fd is not inside the root: readlink(/proc/self/fd/N) must
 *    equal the root's real path or start with it plus "/";
 *  - a returned fd is not O_PATH and close-on-exec;
 *  - the two resolvers disagree on success vs failure, or on the inode
 *    (st_dev, st_ino) they return;
 *  - a resolution leaves an fd open.
 * Set MG_FUZZ_RESOLVE_ERRNO=1 to also require the same errno on failure
 * (off by default: the walk may name a failure differently). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "resolve.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP (PATH_MAX + 16)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DEEP_LEVELS 48
#define CHAIN_LINKS 41 /* chain/c0 follows 41 links (ELOOP), chain/c1 40 (ok) */

static char base[PATH_MAX];
static struct {
	char path[PATH_MAX]; /* real path, as /proc/self/fd/N shows it */
	size_t len;
	int fd;
} roots[2];
static bool have_openat2;
static bool strict_errno;

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "fuzz_resolve: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	abort();
}

/* ---- the tree --------------------------------------------------------- */

static void mkdir_p(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (char *s = p + strlen(base) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("mkdir", p);
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir", p);
}

static void touch(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create", p);
	if (write(fd, rel, strlen(rel)) < 0)
		die("write", p);
	close(fd);
}

static void link_to(const char *target, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (symlink(target, p) < 0)
		die("symlink", p);
}

static void fifo(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (mkfifo(p, 0644) < 0)
		die("mkfifo", p);
}

/* A bound unix socket leaves a socket inode behind; skipped when the path
 * does not fit sun_path. */
static void unix_socket(const char *rel)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", base, rel);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket", rel);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind", sa.sun_path);
	close(s);
}

/* `n` copies of `unit` then `tail`, into buf (which must be large enough). */
static char *repeat(char *buf, size_t size, const char *unit, int n, const char *tail)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s", unit);
	snprintf(buf + len, size - len, "%s", tail);
	return buf;
}

static void build_tree(void)
{
	static char buf[PATH_MAX + 64];
	char p[PATH_MAX];

	/* What an escape would reach, and a prefix trap. */
	mkdir_p("outside/etc");
	touch("outside/secret");
	touch("outside/etc/passwd");
	mkdir_p("root-evil/etc");
	touch("root-evil/secret");

	/* The kernel's openat2 selftest tree (tests/data/openat2_tree.sh), so
	 * that the selftest paths in the seed corpus mean something here. */
	mkdir_p("root/root");
	mkdir_p("root/mnt");
	mkdir_p("root/etc");
	mkdir_p("root/cheeky");
	link_to("/proc/self/exe", "root/procexe");
	link_to("/proc/self/root", "root/procroot");
	link_to("../mnt/", "root/mnt/self");
	link_to("/mnt/", "root/mnt/absself");
	touch("root/etc/passwd");
	link_to("/newfile3", "root/creatlink");
	link_to("etc/", "root/reletc");
	link_to("etc/passwd", "root/relsym");
	link_to("/etc/", "root/absetc");
	link_to("/etc/passwd", "root/abssym");
	link_to("/cheeky", "root/abscheeky");
	link_to("/", "root/cheeky/absself");
	link_to("../../root/", "root/cheeky/self");
	link_to("/../../root/", "root/cheeky/garbageself");
	link_to("../cheeky/../etc/../etc/passwd", "root/cheeky/passwd");
	link_to("/../cheeky/../etc/../etc/passwd", "root/cheeky/abspasswd");
	link_to("../../../../../../../../../../../../../../etc/passwd", "root/cheeky/dotdotlink");
	link_to("/../../../../../../../../../../../../../../etc/passwd", "root/cheeky/garbagelink");

	/* Plain files and special files; a nested root at a/. */
	touch("root/file");
	fifo("root/fifo");
	unix_socket("root/sock");
	mkdir_p("root/a/b/c");
	touch("root/a/b/c/f");
	touch("root/a/file");
	fifo("root/a/fifo");
	mkdir_p("root/a/etc");
	touch("root/a/etc/passwd");

	/* Out of the root: absolute, relative, via the host path. */
	link_to("/", "root/toslash");
	link_to("/outside/secret", "root/absout");
	link_to("../outside/secret", "root/relout");
	link_to("../../outside/etc/passwd", "root/relout2");
	link_to("../root-evil/secret", "root/evil");
	link_to("/../root-evil", "root/evil2");
	snprintf(p, sizeof(p), "%s/outside/secret", base);
	link_to(p, "root/hostout");
	snprintf(p, sizeof(p), "%s/root/etc", base);
	link_to(p, "root/hostin");
	snprintf(p, sizeof(p), "%s", base);
	link_to(p, "root/hostbase");
	link_to("..", "root/up");
	link_to("../..", "root/a/up");
	link_to("../../../..", "root/a/b/up3");
	link_to("../../../../outside", "root/a/b/c/upout");
	link_to("../etc/passwd", "root/a/sibling"); /* fine for root 0, outside for root 1 */
	link_to("/etc/passwd", "root/a/abspw");      /* root 0's file, or root 1's own */
	link_to(repeat(buf, sizeof(buf), "../", 40, ""), "root/dotdots");
	link_to(repeat(buf, sizeof(buf), "../", 40, "outside/secret"), "root/dotdotsout");
	link_to("a/../../../a/./b/../b/c/f", "root/mix");

	/* Loops, dangling links, chains. */
	link_to("loop2", "root/loop1");
	link_to("loop1", "root/loop2");
	link_to("self", "root/self");
	link_to(".", "root/dot");
	link_to("dotdir/x", "root/dotdir");
	link_to("a/up/a/up/a/up", "root/updown");
	link_to("nonexistent", "root/dangle");
	link_to("/nonexistent/deeper", "root/dangleabs");
	link_to("nodir/", "root/dangledir");
	link_to("../../nonexistent/..", "root/dangleup");
	mkdir_p("root/chain");
	for (int i = 0; i < CHAIN_LINKS; i++) {
		char name[64], target[64];
		snprintf(name, sizeof(name), "root/chain/c%d", i);
		if (i + 1 < CHAIN_LINKS)
			snprintf(target, sizeof(target), "c%d", i + 1);
		else
			snprintf(target, sizeof(target), "../etc");
		link_to(target, name);
	}

	/* A deep directory chain with ways up from its bottom. */
	repeat(buf, sizeof(buf), "d/", DEEP_LEVELS, "");
	snprintf(p, sizeof(p), "root/deep/%s", buf);
	mkdir_p(p);
	snprintf(p, sizeof(p), "root/deep/%sf", buf);
	touch(p);
	{
		char t[PATH_MAX];
		snprintf(p, sizeof(p), "root/deep/%stop", buf);
		link_to(repeat(t, sizeof(t), "../", DEEP_LEVELS + 1, ""), p);
		snprintf(p, sizeof(p), "root/deep/%sover", buf);
		link_to(repeat(t, sizeof(t), "../", DEEP_LEVELS + 8, "outside"), p);
		snprintf(p, sizeof(p), "root/deep/%sabs", buf);
		link_to("/deep/d/d/d", p);
	}

	/* Symlink texts of 4095 bytes, the most symlink(2) takes. */
	link_to(repeat(buf, sizeof(buf), "./", (PATH_MAX - 1 - 3) / 2, "etc"), "root/longlink");
	link_to(repeat(buf, sizeof(buf), "../", (PATH_MAX - 1 - 3) / 3, "etc"), "root/longup");

	/* A fake /proc: plain directories and plain symlinks. */
	mkdir_p("root/proc/1/fd");
	link_to("..", "root/proc/self");
	link_to("/", "root/proc/1/root");
	link_to("/etc/passwd", "root/proc/1/fd/3");
	link_to("../../../outside", "root/proc/1/cwd");
	link_to("/proc/self/fd/3", "root/magic");
	link_to("/proc/1/root/../../..", "root/magicup");

	/* A file where a directory is expected. */
	link_to("file/", "root/notdir");
	link_to("file/..", "root/notdir2");
	link_to("fifo/x", "root/fifodir");
	link_to("etc/passwd/", "root/slashfile");
	link_to("sock/..", "root/sockdir");
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_tree(void)
{
	for (size_t i = 0; i < ARRAY_LEN(roots); i++)
		if (roots[i].fd >= 0)
			close(roots[i].fd);
	if (base[0])
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof(tmpl), "%s/mg-fuzz-resolve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		die("mkdtemp", tmpl);
	if (!realpath(tmpl, base))
		die("realpath", tmpl);
	atexit(remove_tree);
	for (size_t i = 0; i < ARRAY_LEN(roots); i++)
		roots[i].fd = -1;
	build_tree();

	static const char *const rel[] = { "root", "root/a" };
	for (size_t i = 0; i < ARRAY_LEN(roots); i++) {
		snprintf(roots[i].path, sizeof(roots[i].path), "%s/%s", base, rel[i]);
		roots[i].len = strlen(roots[i].path);
		roots[i].fd = open(roots[i].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (roots[i].fd < 0)
			die("open", roots[i].path);
	}
	have_openat2 = mg_resolver_detect() == MG_RESOLVER_OPENAT2;
	const char *e = getenv("MG_FUZZ_RESOLVE_ERRNO");
	strict_errno = e && strcmp(e, "1") == 0;
	fprintf(stderr, "INFO: fuzz_resolve: tree %s; resolvers: walk%s%s\n", base,
		have_openat2 ? ", openat2 (compared)" : " (no openat2 here)",
		strict_errno ? "; errnos compared" : "");
	return 0;
}

/* ---- the checks ------------------------------------------------------- */

/* The path for a message: control and non-ASCII bytes as \xHH, a long one
 * cut in the middle, and its length. (Not mg_escape_for_display: the
 * harness should not lean on engine code to report on the engine.) */
static const char *shown(const char *path)
{
	static char out[600];
	size_t len = strlen(path), n = 0;
	for (size_t i = 0; i < len && n < sizeof(out) - 80; i++) {
		if (len > 160 && i == 96) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "[...]");
			i = len - 48;
		}
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	snprintf(out + n, sizeof(out) - n, "' (%zu bytes)", len);
	return out;
}

static const char *flags_name(unsigned flags)
{
	return flags & MG_RESOLVE_NO_SYMLINKS ? "NO_SYMLINKS" : "0";
}

/* Aborts unless fd is an O_PATH, close-on-exec fd inside root `ri`. */
static void check_inside(int fd, size_t ri, const char *who, unsigned flags, const char *path)
{
	char link[32], where[PATH_MAX + 1];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, where, sizeof(where));
	if (n < 0 || (size_t)n >= sizeof(where)) {
		/* The tree is shallow: every path in it fits. Fail closed. */
		fprintf(stderr, "fuzz_resolve: %s (root %s, flags %s) on '%s: cannot read back fd %d: %s\n",
			who, roots[ri].path, flags_name(flags), shown(path), fd,
			n < 0 ? strerror(errno) : "too long");
		abort();
	}
	where[n] = '\0';
	size_t rl = roots[ri].len;
	if (!(strncmp(where, roots[ri].path, rl) == 0 && (where[rl] == '\0' || where[rl] == '/'))) {
		fprintf(stderr,
			"fuzz_resolve: ESCAPE: %s (root %s, flags %s) resolved '%s to %s, outside the root\n",
			who, roots[ri].path, flags_name(flags), shown(path), where);
		abort();
	}
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	if (fl < 0 || !(fl & O_PATH) || fdfl < 0 || !(fdfl & FD_CLOEXEC)) {
		fprintf(stderr, "fuzz_resolve: %s on '%s: fd %d is not O_PATH|O_CLOEXEC (fl %#x fd %#x)\n",
			who, shown(path), fd, fl, fdfl);
		abort();
	}
}

static void compare(int wfd, int ofd, size_t ri, unsigned flags, const char *path)
{
	if ((wfd >= 0) != (ofd >= 0)) {
		fprintf(stderr,
			"fuzz_resolve: DISAGREE: root %s, flags %s, path '%s: walk %s%s, openat2 %s%s\n",
			roots[ri].path, flags_name(flags), shown(path), wfd >= 0 ? "ok" : "",
			wfd >= 0 ? "" : strerror(-wfd), ofd >= 0 ? "ok" : "",
			ofd >= 0 ? "" : strerror(-ofd));
		abort();
	}
	if (wfd < 0) {
		if (strict_errno && wfd != ofd) {
			fprintf(stderr,
				"fuzz_resolve: DISAGREE (errno): root %s, flags %s, path '%s: walk %s, openat2 %s\n",
				roots[ri].path, flags_name(flags), shown(path), strerror(-wfd), strerror(-ofd));
			abort();
		}
		return;
	}
	struct stat ws, os;
	if (fstat(wfd, &ws) < 0 || fstat(ofd, &os) < 0)
		die("fstat", path);
	if (ws.st_dev != os.st_dev || ws.st_ino != os.st_ino) {
		char a[32], b[32], wp[PATH_MAX + 1] = "?", op[PATH_MAX + 1] = "?";
		snprintf(a, sizeof(a), "/proc/self/fd/%d", wfd);
		snprintf(b, sizeof(b), "/proc/self/fd/%d", ofd);
		ssize_t n = readlink(a, wp, PATH_MAX);
		if (n >= 0)
			wp[n] = '\0';
		n = readlink(b, op, PATH_MAX);
		if (n >= 0)
			op[n] = '\0';
		fprintf(stderr,
			"fuzz_resolve: DISAGREE (inode): root %s, flags %s, path '%s: walk %s, openat2 %s\n",
			roots[ri].path, flags_name(flags), shown(path), wp, op);
		abort();
	}
}

/* ---- extra coverage signal ------------------------------------------ */

/* libFuzzer keeps an input only when it reaches new code. Paths at the
 * PATH_MAX and NAME_MAX boundaries, or that fail in a new way, run the same
 * resolver code as short ones and would be dropped; these branches (each a
 * distinct volatile store, so the compiler cannot merge them) make those
 * inputs count as new. */
static volatile unsigned sink;
#define MARK() (sink = __LINE__)

static void note_length(const char *path)
{
	size_t len = strlen(path), comp = 0, longest = 0;
	for (const char *s = path; *s; s++) {
		comp = *s == '/' ? 0 : comp + 1;
		if (comp > longest)
			longest = comp;
	}
	if (len == 0)
		MARK();
	else if (len < 64)
		MARK();
	else if (len < 1024)
		MARK();
	else if (len < PATH_MAX - 64)
		MARK();
	else if (len < PATH_MAX - 1)
		MARK();
	else if (len == PATH_MAX - 1)
		MARK();
	else if (len == PATH_MAX)
		MARK();
	else
		MARK();
	if (path[0] == '/' && len >= PATH_MAX - 1)
		MARK();
	if (longest < NAME_MAX)
		MARK();
	else if (longest == NAME_MAX)
		MARK();
	else if (longest == NAME_MAX + 1)
		MARK();
	else
		MARK();
}

static void note_result(int r)
{
	if (r >= 0)
		MARK();
	else if (r == -ENOENT)
		MARK();
	else if (r == -ENOTDIR)
		MARK();
	else if (r == -ELOOP)
		MARK();
	else if (r == -EXDEV)
		MARK();
	else if (r == -ENAMETOOLONG)
		MARK();
	else if (r == -EACCES)
		MARK();
	else
		MARK();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[INPUT_CAP + 1];
	static const unsigned flag_sets[] = { 0, MG_RESOLVE_NO_SYMLINKS };

	if (size > INPUT_CAP)
		size = INPUT_CAP;
	memcpy(path, data, size);
	path[size] = '\0';

	/* The lowest free fd before: any fd left open takes it. */
	int probe = dup(roots[0].fd);
	if (probe < 0)
		die("dup", NULL);
	close(probe);
	note_length(path);

	for (size_t ri = 0; ri < ARRAY_LEN(roots); ri++) {
		for (size_t fi = 0; fi < ARRAY_LEN(flag_sets); fi++) {
			unsigned flags = flag_sets[fi];
			int wfd = mg_resolve_walk(roots[ri].fd, path, flags);
			note_result(wfd);
			if (wfd >= 0)
				check_inside(wfd, ri, "walk", flags, path);
			if (have_openat2) {
				int ofd = mg_resolve_openat2(roots[ri].fd, path, flags);
				note_result(ofd);
				if (ofd >= 0)
					check_inside(ofd, ri, "openat2", flags, path);
				compare(wfd, ofd, ri, flags, path);
				if (ofd >= 0)
					close(ofd);
			}
			if (wfd >= 0)
				close(wfd);
		}
	}

	int after = dup(roots[0].fd);
	if (after < 0)
		die("dup", NULL);
	close(after);
	if (after != probe) {
		fprintf(stderr, "fuzz_resolve: fd leak: lowest free fd was %d, now %d, after '%s\n",
			probe, after, shown(path));
		abort();
	}
	return 0;
}

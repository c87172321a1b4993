/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the two in-root resolvers (helper/resolve.c: openat2,
 * helper/resolve_walk.c: the userspace walk). They must give the same answers
 * as the kernel's RESOLVE_IN_ROOT: the kernel's own openat2 selftest cases
 * (tests/data/openat2_resolve_cases.tsv, on the tree that
 * tests/data/openat2_tree.sh builds) are run through both, then cases of our
 * own: loops, the symlink limit, escapes, dangling links, trailing slashes,
 * symlinks = refuse, and /proc magic links. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolve.h"

#ifndef MG_TEST_DATA_DIR
#error "MG_TEST_DATA_DIR must be defined (tests/unit/CMakeLists.txt)"
#endif

typedef int (*resolver_fn)(int root_fd, const char *path, unsigned flags);
static const struct {
	const char *name;
	resolver_fn fn;
} resolvers[] = {
	{ "openat2", mg_resolve_openat2 }, /* RI_OPENAT2 */
	{ "walk", mg_resolve_walk },
};
#define N_RESOLVERS 2
#define RI_OPENAT2 0

/* Whether openat2 answers at all. valgrind (3.19, Debian 12) does not know
 * the syscall and fails it with ENOSYS, as do kernels before 5.6 and some
 * seccomp filters; the engine then uses the walk (mg_resolver_detect), so
 * the openat2 backend's cases are skipped, loudly, and the walk's still run.
 * Probed once in main(), before the test processes are forked. */
static bool openat2_ok = true;

static void probe_openat2(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == ENOSYS) {
		openat2_ok = false;
		printf("SKIP openat2 backend cases: openat2 fails with ENOSYS here (valgrind, "
		       "an old kernel or a seccomp filter); only the walk is tested\n");
		fflush(stdout); /* before the runner forks */
	}
}

/* ---- the tree ----------------------------------------------------------- */

static char tree[PATH_MAX]; /* the selftest tree, built once per test case group */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* A fresh temporary directory, as created by mkdtemp. */
static void make_tmpdir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	ck_assert_int_lt(snprintf(buf, size, "%s/mg-unit-resolve-XXXXXX", base), (int)size);
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf, strerror(errno));
}

/* Runs tests/data/openat2_tree.sh on `dir`, with WITH_MNT unset (no tmpfs on
 * mnt: the RESOLVE_IN_ROOT rows do not need one). */
static void run_tree_script(const char *dir)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsetenv("WITH_MNT");
		execl("/bin/sh", "sh", MG_TEST_DATA_DIR "/openat2_tree.sh", dir, (char *)NULL);
		_exit(127);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "openat2_tree.sh %s failed (status %#x)", dir, status);
}

static void tree_setup(void)
{
	make_tmpdir(tree, sizeof(tree));
	run_tree_script(tree);
}

static void plain_setup(void)
{
	make_tmpdir(tree, sizeof(tree));
}

static void tree_teardown(void)
{
	if (tree[0])
		rm_rf(tree);
	tree[0] = '\0';
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

/* ---- checking one resolution --------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

/* What a resolution is expected to give: an errno, or the object at `rel`
 * (relative to the root; "" is the root itself, never following a final
 * symlink). */
struct expect {
	int err;	 /* positive errno, 0 for success */
	const char *rel; /* when err == 0 */
};

static const char *errno_name(int e)
{
	switch (e) {
	case EXDEV:
		return "EXDEV";
	case ELOOP:
		return "ELOOP";
	case ENOENT:
		return "ENOENT";
	case ENOTDIR:
		return "ENOTDIR";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case EINVAL:
		return "EINVAL";
	case EBADF:
		return "EBADF";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case EAGAIN:
		return "EAGAIN";
	default:
		return "E?";
	}
}

static bool same_file(int fd, int root_fd, const char *rel, char *why, size_t whysz)
{
	struct stat got, want;
	if (fstat(fd, &got) < 0) {
		snprintf(why, whysz, "fstat: %s", strerror(errno));
		return false;
	}
	if (fstatat(root_fd, rel, &want, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(why, whysz, "fstatat(root, '%s'): %s", rel, strerror(errno));
		return false;
	}
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		snprintf(why, whysz, "got dev/ino %lu/%lu, '%s' is %lu/%lu",
			 (unsigned long)got.st_dev, (unsigned long)got.st_ino, rel,
			 (unsigned long)want.st_dev, (unsigned long)want.st_ino);
		return false;
	}
	return true;
}

/* Resolves `path` with resolver `ri` and checks the answer, the fd's flags
 * and that no fd leaked. `ctx` names the case in failure messages. */
static void check_resolve(size_t ri, int root_fd, const char *path, unsigned flags,
			  struct expect want, const char *ctx)
{
	if (ri == RI_OPENAT2 && !openat2_ok)
		return;
	int before = count_fds();
	int fd = resolvers[ri].fn(root_fd, path, flags);
	char why[512] = "";
	if (want.err) {
		ck_assert_msg(fd == -want.err,
			      "[%s] %s: path '%.200s' flags %u: expected -%s, got %d (%s)",
			      resolvers[ri].name, ctx, path, flags, errno_name(want.err), fd,
			      fd < 0 ? errno_name(-fd) : "an fd");
	} else {
		ck_assert_msg(fd >= 0,
			      "[%s] %s: path '%.200s' flags %u: expected '%s', got %d (%s)",
			      resolvers[ri].name, ctx, path, flags, want.rel, fd, errno_name(-fd));
		bool ok = same_file(fd, root_fd, want.rel, why, sizeof(why));
		ck_assert_msg(ok, "[%s] %s: path '%.200s' flags %u: wrong object: %s",
			      resolvers[ri].name, ctx, path, flags, why);
		int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
		ck_assert_msg(fl >= 0 && (fl & O_PATH), "[%s] %s: fd is not O_PATH",
			      resolvers[ri].name, ctx);
		ck_assert_msg(fdfl >= 0 && (fdfl & FD_CLOEXEC), "[%s] %s: fd is not close-on-exec",
			      resolvers[ri].name, ctx);
		close(fd);
	}
	int after = count_fds();
	ck_assert_msg(after == before, "[%s] %s: path '%.200s': %d fds open before, %d after",
		      resolvers[ri].name, ctx, path, before, after);
}

#define OK(rel) ((struct expect){ 0, (rel) })
#define ERR(e) ((struct expect){ (e), NULL })

/* Runs `path` through both resolvers with the same expectation. */
static void check_both(int root_fd, const char *path, unsigned flags, struct expect want,
		       const char *ctx)
{
	for (size_t ri = 0; ri < N_RESOLVERS; ri++)
		check_resolve(ri, root_fd, path, flags, want, ctx);
}

/* The two resolvers agree on `path` (same errno, or the same object). */
static void check_agree(int root_fd, const char *path, unsigned flags)
{
	if (!openat2_ok)
		return;
	int a = mg_resolve_openat2(root_fd, path, flags);
	int b = mg_resolve_walk(root_fd, path, flags);
	if (a < 0 || b < 0) {
		ck_assert_msg(a == b,
			      "flags %u, path '%.200s' (%zu bytes): openat2 gives %d (%s), walk "
			      "gives %d (%s)",
			      flags, path, strlen(path), a, a < 0 ? errno_name(-a) : "fd", b,
			      b < 0 ? errno_name(-b) : "fd");
	} else {
		struct stat sa, sb;
		ck_assert_int_eq(fstat(a, &sa), 0);
		ck_assert_int_eq(fstat(b, &sb), 0);
		ck_assert_msg(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino,
			      "flags %u, path '%.200s': openat2 and walk open different objects",
			      flags, path);
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

/* ---- the kernel's selftest rows ------------------------------------------ */

struct row {
	unsigned lineno;
	char resolve[32], flags[32], dirfd[32], path[128], expected[128];
	char text[640]; /* the row as written, for messages */
};

static struct row *rows; /* every row */
static size_t n_rows;
static size_t *in_root_opath; /* RESOLVE_IN_ROOT + O_PATH rows (indexes into rows) */
static size_t n_in_root_opath;
static size_t *in_root_creat; /* RESOLVE_IN_ROOT + O_CREAT rows */
static size_t n_in_root_creat;
static size_t *no_symlinks_opath; /* RESOLVE_NO_SYMLINKS + O_PATH rows */
static size_t n_no_symlinks_opath;

static void copy_field(char *dst, size_t size, const char *src, const char *tsv, unsigned lineno)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "%s:%u: field too long\n", tsv, lineno);
		exit(EXIT_FAILURE);
	}
	strcpy(dst, src);
}

/* Reads the TSV once, in main(), so that the loop tests know their count. */
static void load_rows(void)
{
	static const char tsv[] = MG_TEST_DATA_DIR "/openat2_resolve_cases.tsv";
	FILE *f = fopen(tsv, "re");
	if (!f) {
		fprintf(stderr, "%s: %s\n", tsv, strerror(errno));
		exit(EXIT_FAILURE);
	}
	char line[512];
	unsigned lineno = 0;
	bool header = false;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!header) { /* the column names */
			header = true;
			if (strcmp(line, "resolve\topen_flags\tdirfd\tpath\texpected") != 0) {
				fprintf(stderr, "%s:%u: unexpected header '%s'\n", tsv, lineno,
					line);
				exit(EXIT_FAILURE);
			}
			continue;
		}
		struct row r = { .lineno = lineno };
		snprintf(r.text, sizeof(r.text), "%s:%u: %s", "openat2_resolve_cases.tsv", lineno,
			 line);
		char *fields[5], *save = NULL, *p = line;
		int nf = 0;
		for (char *tok; nf < 5 && (tok = strtok_r(p, "\t", &save)); p = NULL)
			fields[nf++] = tok;
		if (nf != 5 || strtok_r(NULL, "\t", &save)) {
			fprintf(stderr, "%s:%u: expected 5 tab-separated fields\n", tsv, lineno);
			exit(EXIT_FAILURE);
		}
		copy_field(r.resolve, sizeof(r.resolve), fields[0], tsv, lineno);
		copy_field(r.flags, sizeof(r.flags), fields[1], tsv, lineno);
		copy_field(r.dirfd, sizeof(r.dirfd), fields[2], tsv, lineno);
		copy_field(r.path, sizeof(r.path), fields[3], tsv, lineno);
		copy_field(r.expected, sizeof(r.expected), fields[4], tsv, lineno);
		struct row *nr = realloc(rows, (n_rows + 1) * sizeof(*rows));
		if (!nr)
			abort();
		rows = nr;
		rows[n_rows++] = r;
	}
	fclose(f);
	in_root_opath = calloc(n_rows, sizeof(size_t));
	in_root_creat = calloc(n_rows, sizeof(size_t));
	no_symlinks_opath = calloc(n_rows, sizeof(size_t));
	if (!in_root_opath || !in_root_creat || !no_symlinks_opath)
		abort();
	for (size_t i = 0; i < n_rows; i++) {
		bool root_dirfd = strcmp(rows[i].dirfd, "$root") == 0;
		if (strcmp(rows[i].resolve, "RESOLVE_IN_ROOT") == 0 && root_dirfd &&
		    strcmp(rows[i].flags, "O_PATH") == 0)
			in_root_opath[n_in_root_opath++] = i;
		else if (strcmp(rows[i].resolve, "RESOLVE_IN_ROOT") == 0 && root_dirfd &&
			 strcmp(rows[i].flags, "O_CREAT") == 0)
			in_root_creat[n_in_root_creat++] = i;
		else if (strcmp(rows[i].resolve, "RESOLVE_NO_SYMLINKS") == 0 && root_dirfd &&
			 strcmp(rows[i].flags, "O_PATH") == 0)
			no_symlinks_opath[n_no_symlinks_opath++] = i;
	}
}

static void free_rows(void)
{
	free(rows);
	free(in_root_opath);
	free(in_root_creat);
	free(no_symlinks_opath);
}

static int errno_from_name(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} names[] = { { "EXDEV", EXDEV },     { "ELOOP", ELOOP },   { "ENOENT", ENOENT },
		      { "ENOTDIR", ENOTDIR }, { "EACCES", EACCES }, { "EPERM", EPERM },
		      { "EINVAL", EINVAL } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].err;
	return -1;
}

/* "ok:$root/etc/passwd" -> OK("etc/passwd"), "ELOOP" -> ERR(ELOOP). */
static struct expect row_expect(const struct row *r)
{
	if (strncmp(r->expected, "ok:$root", 8) == 0) {
		const char *rel = r->expected + 8;
		ck_assert_msg(*rel == '\0' || *rel == '/', "%s: bad expectation", r->text);
		while (*rel == '/')
			rel++;
		return OK(rel);
	}
	int e = errno_from_name(r->expected);
	ck_assert_msg(e > 0, "%s: unknown expectation '%s'", r->text, r->expected);
	return ERR(e);
}

START_TEST(test_rows_loaded)
{
	/* The kernel's resolve_test.c has 24 RESOLVE_IN_ROOT O_PATH cases with
	 * dirfd $root, 3 O_CREAT ones and 11 RESOLVE_NO_SYMLINKS O_PATH ones; a
	 * parser that finds fewer would test nothing. */
	ck_assert_uint_ge(n_in_root_opath, 24);
	ck_assert_uint_eq(n_in_root_creat, 3);
	ck_assert_uint_ge(n_no_symlinks_opath, 11);
}
END_TEST

/* Loop test over (row, resolver): _i = row * N_RESOLVERS + resolver. */
START_TEST(test_selftest_in_root)
{
	const struct row *r = &rows[in_root_opath[_i / N_RESOLVERS]];
	int root_fd = open_dir(tree);
	check_resolve((size_t)_i % N_RESOLVERS, root_fd, r->path, 0, row_expect(r), r->text);
	close(root_fd);
}
END_TEST

/* RESOLVE_NO_SYMLINKS rows (plain O_PATH) through symlinks = refuse: none of
 * them uses "..", so RESOLVE_BENEATH (which refuse adds) changes nothing. */
START_TEST(test_selftest_no_symlinks)
{
	const struct row *r = &rows[no_symlinks_opath[_i / N_RESOLVERS]];
	ck_assert_msg(strstr(r->path, "..") == NULL, "%s: refuse adds RESOLVE_BENEATH", r->text);
	int root_fd = open_dir(tree);
	check_resolve((size_t)_i % N_RESOLVERS, root_fd, r->path, MG_RESOLVE_NO_SYMLINKS,
		      row_expect(r), r->text);
	close(root_fd);
}
END_TEST

/* The O_CREAT rows: the resolvers only ever open what exists; the engine
 * resolves the *parent* and creates the last component itself with
 * mkdirat/openat(O_EXCL) relative to that fd (helper/target.c). So here: the
 * parent resolves to the root, and the leaf does not exist yet (the last
 * row's leaf is a symlink to the missing /newfile3, so it dangles).
 * Creation itself is covered by the integration tests, which run the whole
 * helper: tests/integration/cases/10-basic.sh (create = dir|file, nested
 * directories, modes) and 20-symlinks.sh (unlike openat2(O_CREAT), which
 * creates /newfile3 through "creatlink", mount-guard never creates through a
 * dangling symlink). */
START_TEST(test_selftest_creat_parent)
{
	const struct row *r = &rows[in_root_creat[_i / N_RESOLVERS]];
	size_t ri = (size_t)_i % N_RESOLVERS;
	int root_fd = open_dir(tree);
	char parent[sizeof(r->path)];
	snprintf(parent, sizeof(parent), "%s", r->path);
	char *slash = strrchr(parent, '/');
	if (slash)
		slash[1] = '\0'; /* "/newfile2" -> "/" */
	else
		parent[0] = '\0'; /* "newfile1" -> "" */
	char ctx[1024];
	snprintf(ctx, sizeof(ctx), "%s (parent '%s')", r->text, parent);
	check_resolve(ri, root_fd, parent, 0, OK(""), ctx);
	check_resolve(ri, root_fd, r->path, 0, ERR(ENOENT), r->text);
	/* The row's expectation names a file directly in the root either way. */
	struct expect want = row_expect(r);
	ck_assert_ptr_null(strchr(want.rel, '/'));
	close(root_fd);
}
END_TEST

/* Every path of every row whose dirfd is $root, whatever its resolve flags,
 * through both resolvers in both modes: the two must agree. */
START_TEST(test_selftest_agree)
{
	int root_fd = open_dir(tree);
	for (size_t i = 0; i < n_rows; i++) {
		if (strcmp(rows[i].dirfd, "$root") != 0)
			continue;
		check_agree(root_fd, rows[i].path, 0);
		check_agree(root_fd, rows[i].path, MG_RESOLVE_NO_SYMLINKS);
	}
	close(root_fd);
}
END_TEST

/* ---- our own cases, on the selftest tree plus a few links ----------------- */

static void extra_setup(void)
{
	tree_setup();
	int d = open_dir(tree);
	/* loops */
	ck_assert_int_eq(symlinkat("loop_b", d, "loop_a"), 0);
	ck_assert_int_eq(symlinkat("loop_a", d, "loop_b"), 0);
	ck_assert_int_eq(symlinkat("self_loop", d, "self_loop"), 0);
	ck_assert_int_eq(symlinkat("/abs_loop_b/", d, "abs_loop_a"), 0);
	ck_assert_int_eq(symlinkat("../abs_loop_a", d, "abs_loop_b"), 0);
	/* escapes that must stay in the root */
	ck_assert_int_eq(symlinkat("/../../etc", d, "esc_abs"), 0);
	ck_assert_int_eq(symlinkat("../../../../../../etc/", d, "esc_rel"), 0);
	ck_assert_int_eq(mkdirat(d, "deep", 0755), 0);
	ck_assert_int_eq(mkdirat(d, "deep/er", 0755), 0);
	ck_assert_int_eq(symlinkat("../../etc/passwd", d, "deep/er/up"), 0);
	ck_assert_int_eq(symlinkat("../../../../../etc/passwd", d, "deep/er/way_up"), 0);
	ck_assert_int_eq(symlinkat(".", d, "dot"), 0);
	/* dangling */
	ck_assert_int_eq(symlinkat("/does/not/exist", d, "dangling"), 0);
	ck_assert_int_eq(symlinkat("nothing_here", d, "dangling_rel"), 0);
	/* a link to /proc/self/root; the tree script made procroot too */
	ck_assert_int_eq(symlinkat("/proc/self/root", d, "selfroot"), 0);
	ck_assert_int_eq(symlinkat("/proc/self/fd/0", d, "selffd"), 0);
	close(d);
}

START_TEST(test_symlink_loops)
{
	int d = open_dir(tree);
	check_both(d, "loop_a", 0, ERR(ELOOP), "a -> b -> a");
	check_both(d, "loop_b", 0, ERR(ELOOP), "b -> a -> b");
	check_both(d, "loop_a/x", 0, ERR(ELOOP), "loop in the middle");
	check_both(d, "etc/../loop_b", 0, ERR(ELOOP), "loop after ..");
	check_both(d, "self_loop", 0, ERR(ELOOP), "x -> x");
	check_both(d, "abs_loop_a", 0, ERR(ELOOP), "absolute loop");
	/* A loop is only an error when followed. */
	check_both(d, "loop_a/..", 0, ERR(ELOOP), "loop then ..");
	check_both(d, "etc", 0, OK("etc"), "unrelated path");
	close(d);
}
END_TEST

/* A directory "chain" with links l0 -> l1 -> ... -> lN-1 -> target. */
static void make_chain(int d, const char *dir, int nlinks, bool absolute)
{
	char name[64], text[128];
	ck_assert_int_eq(mkdirat(d, dir, 0755), 0);
	snprintf(name, sizeof(name), "%s/target", dir);
	int fd = openat(d, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	for (int i = 0; i < nlinks; i++) {
		snprintf(name, sizeof(name), "%s/l%d", dir, i);
		if (i + 1 < nlinks)
			snprintf(text, sizeof(text), "%s%s%sl%d", absolute ? "/" : "",
				 absolute ? dir : "", absolute ? "/" : "", i + 1);
		else
			snprintf(text, sizeof(text), "%s%s%starget", absolute ? "/" : "",
				 absolute ? dir : "", absolute ? "/" : "");
		ck_assert_int_eq(symlinkat(text, d, name), 0);
	}
}

/* What the kernel's own lookup says, for the same path and root: plain
 * openat (the links in the chains are relative, or we resolve in root). */
static int kernel_in_root(int d, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, d, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

START_TEST(test_symlink_limit)
{
	ck_assert_int_eq(MG_MAX_SYMLINKS, 40);
	int d = open_dir(tree);
	make_chain(d, "chain", MG_MAX_SYMLINKS + 1, false);
	make_chain(d, "achain", MG_MAX_SYMLINKS + 1, true);

	/* Starting at l0 follows 41 links; at l1, 40. */
	check_both(d, "chain/l0", 0, ERR(ELOOP), "41 relative links");
	check_both(d, "chain/l1", 0, OK("chain/target"), "40 relative links");
	check_both(d, "achain/l0", 0, ERR(ELOOP), "41 absolute links");
	check_both(d, "achain/l1", 0, OK("achain/target"), "40 absolute links");
	/* a link on the way counts too */
	check_both(d, "reletc/../chain/l1", 0, ERR(ELOOP), "1 + 40 links");
	check_both(d, "reletc/../chain/l2", 0, OK("chain/target"), "1 + 39 links");

	/* The kernel agrees, with and without RESOLVE_IN_ROOT. */
	if (openat2_ok) {
		ck_assert_int_eq(kernel_in_root(d, "chain/l0"), -ELOOP);
		ck_assert_int_eq(kernel_in_root(d, "chain/l1"), 0);
		ck_assert_int_eq(kernel_in_root(d, "achain/l0"), -ELOOP);
		ck_assert_int_eq(kernel_in_root(d, "achain/l1"), 0);
	}
	int fd = openat(d, "chain/l0", O_PATH | O_CLOEXEC);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, ELOOP);
	fd = openat(d, "chain/l1", O_PATH | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	close(d);
}
END_TEST

START_TEST(test_escapes_stay_in_root)
{
	int d = open_dir(tree);
	check_both(d, "esc_abs", 0, OK("etc"), "-> /../../etc");
	check_both(d, "esc_abs/passwd", 0, OK("etc/passwd"), "-> /../../etc, then passwd");
	check_both(d, "/esc_abs/../esc_abs/passwd", 0, OK("etc/passwd"), "twice");
	check_both(d, "esc_rel/passwd", 0, OK("etc/passwd"), "-> ../../../../../../etc/");
	check_both(d, "deep/er/up", 0, OK("etc/passwd"), "relative link two levels down");
	check_both(d, "deep/er/way_up", 0, OK("etc/passwd"), "relative link above the root");
	check_both(d, "deep/er/../../..", 0, OK(""), ".. above the root");
	check_both(d, "../../../../..", 0, OK(""), ".. above the root");
	check_both(d, "../../../../../etc/passwd", 0, OK("etc/passwd"), ".. above the root");
	check_both(d, "dot/dot/dot/etc", 0, OK("etc"), "-> .");
	check_both(d, "reletc/..", 0, OK(""), "link then ..");
	check_both(d, "abscheeky/../etc/passwd", 0, OK("etc/passwd"), "absolute link then ..");
	check_both(d, "", 0, OK(""), "empty path");
	check_both(d, "/", 0, OK(""), "/");
	check_both(d, "//.//", 0, OK(""), "//.//");
	check_both(d, "reletc/", 0, OK("etc"), "link to a directory, trailing slash");
	close(d);
}
END_TEST

START_TEST(test_dangling_and_missing)
{
	int d = open_dir(tree);
	check_both(d, "dangling", 0, ERR(ENOENT), "dangling absolute link");
	check_both(d, "dangling_rel", 0, ERR(ENOENT), "dangling relative link");
	check_both(d, "dangling/x", 0, ERR(ENOENT), "through a dangling link");
	check_both(d, "creatlink", 0, ERR(ENOENT), "-> /newfile3");
	check_both(d, "nope", 0, ERR(ENOENT), "missing");
	check_both(d, "etc/nope/..", 0, ERR(ENOENT), "missing, then ..");
	/* The link texts name host paths that exist, but not in the root. */
	check_both(d, "procroot/etc", 0, ERR(ENOENT), "-> /proc/self/root, no proc in the root");
	check_both(d, "selfroot", 0, ERR(ENOENT), "-> /proc/self/root");
	check_both(d, "selfroot/etc", 0, ERR(ENOENT), "-> /proc/self/root, then etc");
	check_both(d, "selffd", 0, ERR(ENOENT), "-> /proc/self/fd/0");
	check_both(d, "procexe", 0, ERR(ENOENT), "-> /proc/self/exe");
	close(d);
}
END_TEST

START_TEST(test_not_a_directory)
{
	int d = open_dir(tree);
	check_both(d, "etc/passwd/", 0, ERR(ENOTDIR), "trailing slash on a file");
	check_both(d, "etc/passwd/.", 0, ERR(ENOTDIR), "/. after a file");
	check_both(d, "etc/passwd/..", 0, ERR(ENOTDIR), "/.. after a file");
	check_both(d, "etc/passwd/x", 0, ERR(ENOTDIR), "a file in the middle");
	check_both(d, "relsym/", 0, ERR(ENOTDIR), "link to a file, trailing slash");
	check_both(d, "abssym/..", 0, ERR(ENOTDIR), "absolute link to a file, then ..");
	check_both(d, "etc/passwd", 0, OK("etc/passwd"), "the file itself");
	/* in refuse mode too */
	check_both(d, "etc/passwd/", MG_RESOLVE_NO_SYMLINKS, ERR(ENOTDIR),
		   "refuse: trailing slash");
	close(d);
}
END_TEST

START_TEST(test_long_components)
{
	int d = open_dir(tree);
	char name[NAME_MAX + 2];
	memset(name, 'n', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	check_both(d, name, 0, ERR(ENAMETOOLONG), "256-byte component");
	name[NAME_MAX] = '\0';
	check_both(d, name, 0, ERR(ENOENT), "255-byte component, missing");
	close(d);
}
END_TEST

START_TEST(test_refuse_mode)
{
	const unsigned R = MG_RESOLVE_NO_SYMLINKS;
	int d = open_dir(tree);
	/* no symlink, no "..": as in-root */
	check_both(d, "etc/passwd", R, OK("etc/passwd"), "plain path");
	check_both(d, "/etc/passwd", R, OK("etc/passwd"), "absolute spelling");
	check_both(d, "", R, OK(""), "empty path");
	check_both(d, "/", R, OK(""), "/");
	check_both(d, "etc/..", R, OK(""), ".. back to the root");
	check_both(d, "deep/er/../../etc", R, OK("etc"), ".. inside the root");
	/* any symlink: ELOOP, wherever it is and wherever it points */
	static const char *const links[] = { "relsym",	     "reletc/passwd", "abssym",
					     "absetc",	     "dot",	      "dot/etc",
					     "cheeky/self",  "cheeky/passwd", "deep/er/up",
					     "esc_abs",	     "loop_a",	      "dangling",
					     "selfroot/etc", "procroot",      "reletc/" };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		check_both(d, links[i], R, ERR(ELOOP), "refuse: symlink");
	/* any ".." above the root: EXDEV */
	static const char *const up[] = {
		"..", "../etc", "/..", "etc/../..", "deep/er/../../..", "./../root",
		"../../../../etc/passwd",
	};
	for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++)
		check_both(d, up[i], R, ERR(EXDEV), "refuse: .. above the root");
	/* The first problem on the way decides. */
	check_both(d, "../relsym", R, ERR(EXDEV), "refuse: .. before the link");
	check_both(d, "relsym/..", R, ERR(ELOOP), "refuse: link before the ..");
	check_both(d, "nope/../..", R, ERR(ENOENT), "refuse: missing before the ..");
	close(d);
}
END_TEST

START_TEST(test_refuse_and_in_root_agree)
{
	/* Every name in the tree, and a few compositions, in both modes. */
	static const char *const paths[] = {
		"", ".", "..", "/", "root", "mnt", "mnt/self", "mnt/absself", "etc",
		"etc/passwd", "cheeky", "cheeky/absself", "cheeky/self", "cheeky/garbageself",
		"cheeky/passwd", "cheeky/abspasswd", "cheeky/dotdotlink", "cheeky/garbagelink",
		"procexe", "procroot", "creatlink", "reletc", "relsym", "absetc", "abssym",
		"abscheeky", "abscheeky/absself/abscheeky/self", "loop_a", "self_loop",
		"abs_loop_a", "esc_abs", "esc_rel/passwd", "deep/er/up", "deep/er/way_up", "dot",
		"dangling", "selfroot", "selffd", "etc/passwd/", "relsym/", "reletc/", "reletc/..",
		"deep/../..", "mnt/self/self/self/absself", "/../cheeky/../etc/passwd",
	};
	int d = open_dir(tree);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		check_agree(d, paths[i], 0);
		check_agree(d, paths[i], MG_RESOLVE_NO_SYMLINKS);
	}
	close(d);
}
END_TEST

/* Deterministic pseudo-random paths over the names of the tree: the two
 * resolvers must agree on each, in both modes. */
START_TEST(test_random_paths_agree)
{
	static const char *const names[] = {
		"..",	     ".",	  "",	     "etc",	    "passwd",	  "cheeky",
		"abscheeky", "self",	  "absself", "garbageself", "dotdotlink", "garbagelink",
		"abspasswd", "relsym",	  "reletc",  "abssym",	    "absetc",	  "root",
		"mnt",	     "nope",	  "loop_a",  "dot",	    "esc_abs",	  "esc_rel",
		"deep",	     "er",	  "up",	     "way_up",	    "dangling",	  "procroot",
		"selfroot",  "creatlink",
	};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	uint32_t seed = 12345;
	int d = open_dir(tree);
	for (int iter = 0; iter < 3000; iter++) {
		char path[512] = "";
		size_t len = 0;
		seed = seed * 1103515245u + 12345u;
		int parts = 1 + (int)((seed >> 16) % 6);
		if ((seed >> 8) & 1)
			path[len++] = '/';
		for (int k = 0; k < parts; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *n = names[(seed >> 16) % nn];
			len += (size_t)snprintf(path + len, sizeof(path) - len, "%s%s",
						k ? "/" : "", n);
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4 == 0)
			path[len++] = '/';
		path[len] = '\0';
		check_agree(d, path, 0);
		check_agree(d, path, MG_RESOLVE_NO_SYMLINKS);
	}
	close(d);
}
END_TEST

/* "././.../etc" (or "./...//etc"), exactly len bytes long. */
static char *dots_path(size_t len)
{
	char *p = malloc(len + 1);
	ck_assert_ptr_nonnull(p);
	const char *tail = len % 2 ? "etc" : "/etc";
	size_t tl = strlen(tail), n = 0;
	ck_assert_uint_ge(len, tl);
	while (n + tl < len) {
		p[n++] = '.';
		p[n++] = '/';
	}
	memcpy(p + n, tail, tl + 1);
	ck_assert_uint_eq(strlen(p), len);
	return p;
}

START_TEST(test_path_longer_than_path_max)
{
	/* The kernel takes a path of at most PATH_MAX - 1 bytes and refuses a
	 * longer one with ENAMETOOLONG before it looks at it; both backends
	 * must answer the same (resolve.h: "Two backends with the same
	 * answers"). */
	int d = open_dir(tree);
	ck_assert(mkdirat(d, "etc", 0755) == 0 || errno == EEXIST);
	char *p = dots_path(PATH_MAX - 1);
	check_both(d, p, 0, OK("etc"), "PATH_MAX - 1 bytes");
	check_both(d, p, MG_RESOLVE_NO_SYMLINKS, OK("etc"), "PATH_MAX - 1 bytes, refuse");
	free(p);
	static const size_t too_long[] = { PATH_MAX, PATH_MAX + 11 };
	for (size_t i = 0; i < 2; i++) {
		p = dots_path(too_long[i]);
		check_both(d, p, 0, ERR(ENAMETOOLONG), "PATH_MAX bytes or more");
		check_both(d, p, MG_RESOLVE_NO_SYMLINKS, ERR(ENAMETOOLONG),
			   "PATH_MAX bytes or more, refuse");
		free(p);
	}
	close(d);
}
END_TEST

START_TEST(test_bad_root_fd)
{
	for (size_t ri = 0; ri < N_RESOLVERS; ri++) {
		if (ri == RI_OPENAT2 && !openat2_ok)
			continue;
		int r = resolvers[ri].fn(-1, "etc", 0);
		ck_assert_msg(r == -EBADF, "[%s] root_fd -1: %d", resolvers[ri].name, r);
	}
}
END_TEST

/* ---- a real procfs inside the root --------------------------------------- */

/* Mounting procfs needs root. Outside CI a non-root run skips with a reason;
 * in CI (CI=true) everything must run, so it fails instead. */
static bool proc_tests_can_run(const char *test)
{
	if (getuid() == 0)
		return true;
	const char *ci = getenv("CI");
	ck_assert_msg(!(ci && strcmp(ci, "true") == 0),
		      "CI=true: %s must run, but it needs root to mount procfs (uid %u)", test,
		      (unsigned)getuid());
	printf("SKIP %s: not root (uid %u): cannot mount a procfs inside the test root\n", test,
	       (unsigned)getuid());
	return false;
}

struct proc_root {
	char root[PATH_MAX];
	char procdir[PATH_MAX + 8];
	int fd;
};

/* A fresh root with a real procfs mounted on root/proc, in a private mount
 * namespace of this (forked) test. With CK_FORK=no the namespace would be
 * the whole runner's: harmless, the mount is detached again at the end. */
static void proc_root_setup(struct proc_root *p, const char *name)
{
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	ck_assert_msg(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0,
		      "make / private: %s", strerror(errno));
	/* Beneath the fixture's directory, which the runner removes even when
	 * the test fails (the procfs mount dies with this namespace). */
	ck_assert_int_lt(snprintf(p->root, sizeof(p->root), "%s/%s", tree, name),
			 (int)sizeof(p->root));
	ck_assert_int_eq(mkdir(p->root, 0755), 0);
	snprintf(p->procdir, sizeof(p->procdir), "%s/proc", p->root);
	ck_assert_int_eq(mkdir(p->procdir, 0555), 0);
	ck_assert_msg(mount("proc", p->procdir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ==
			      0,
		      "mount proc on %s: %s", p->procdir, strerror(errno));
	p->fd = open_dir(p->root);
}

static void proc_root_teardown(struct proc_root *p)
{
	close(p->fd);
	ck_assert_int_eq(umount2(p->procdir, MNT_DETACH), 0);
	rm_rf(p->root);
}

START_TEST(test_proc_magic_links)
{
	if (!proc_tests_can_run("test_proc_magic_links"))
		return;
	struct proc_root pr;
	proc_root_setup(&pr, "self");
	int d = pr.fd;
	ck_assert_int_eq(symlinkat("/proc/self/root", d, "selfroot"), 0);
	ck_assert_int_eq(symlinkat("proc/self/cwd", d, "relcwd"), 0);

	char pid_dir[64];
	snprintf(pid_dir, sizeof(pid_dir), "proc/%d", (int)getpid());

	/* Plain symlinks in the procfs root resolve (inside the root). */
	check_both(d, "proc/self", 0, OK(pid_dir), "proc/self");
	check_both(d, "/proc/self/", 0, OK(pid_dir), "/proc/self/");
	check_both(d, "proc/self/..", 0, OK("proc"), "proc/self/..");
	check_both(d, "proc/self/fd", 0, OK("proc/self/fd"), "proc/self/fd (a directory)");
	check_both(d, "proc/mounts", 0, OK("proc/self/mounts"), "proc/mounts -> self/mounts");
	check_both(d, "proc", 0, OK("proc"), "the procfs root itself");

	/* Magic links of our own process are refused, whatever they point to. */
	static const char *const magic[] = { "proc/self/cwd",	     "proc/self/root",
					     "proc/self/root/etc",   "proc/self/exe",
					     "proc/self/fd/0",	     "proc/self/ns/mnt",
					     "proc/thread-self/cwd", "proc/self/cwd/.." };
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		check_both(d, magic[i], 0, ERR(ELOOP), "magic link");
	check_both(d, pid_dir, 0, OK(pid_dir), "proc/PID");
	/* ... also when the path reaches them through a symlink of the root. */
	check_both(d, "selfroot", 0, ERR(ELOOP), "-> /proc/self/root, with a procfs in the root");
	check_both(d, "selfroot/etc", 0, ERR(ELOOP), "-> /proc/self/root/etc");
	check_both(d, "relcwd", 0, ERR(ELOOP), "-> proc/self/cwd");

	/* symlinks = refuse: proc/self is a symlink like any other. */
	check_both(d, "proc/self", MG_RESOLVE_NO_SYMLINKS, ERR(ELOOP), "refuse: proc/self");
	check_both(d, "proc/self/cwd", MG_RESOLVE_NO_SYMLINKS, ERR(ELOOP), "refuse: proc/self/cwd");
	check_both(d, pid_dir, MG_RESOLVE_NO_SYMLINKS, OK(pid_dir), "refuse: proc/PID");

	proc_root_teardown(&pr);
}
END_TEST

/* Magic links of another process (PID 1): refused with ELOOP as well
 * (resolve.h: "Magic links ... are always refused with -ELOOP"), whether or
 * not this process may ptrace-read PID 1. */
START_TEST(test_proc_magic_links_pid1)
{
	if (!proc_tests_can_run("test_proc_magic_links_pid1"))
		return;
	/* The kernel checks ptrace access to PID 1 before it looks at the
	 * link, so a magic link we may not read is EACCES and one we may read
	 * is refused as magic (ELOOP). Whichever this host gives, both
	 * resolvers must give the same, and neither may return an fd. */
	char buf[PATH_MAX];
	int want = readlink("/proc/1/root", buf, sizeof(buf)) >= 0 ? ELOOP : errno;
	struct proc_root pr;
	proc_root_setup(&pr, "pid1");
	check_both(pr.fd, "proc/1", 0, OK("proc/1"), "proc/1");
	check_both(pr.fd, "proc/1/root", 0, ERR(want), "magic link of PID 1");
	check_both(pr.fd, "proc/1/cwd", 0, ERR(want), "magic link of PID 1");
	check_both(pr.fd, "proc/1/exe", 0, ERR(want), "magic link of PID 1");
	proc_root_teardown(&pr);
}
END_TEST

static Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	int n2;

	TCase *tc = tcase_create("selftest");
	tcase_add_unchecked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_rows_loaded);
	n2 = (int)(n_in_root_opath * N_RESOLVERS);
	tcase_add_loop_test(tc, test_selftest_in_root, 0, n2);
	n2 = (int)(n_no_symlinks_opath * N_RESOLVERS);
	tcase_add_loop_test(tc, test_selftest_no_symlinks, 0, n2);
	n2 = (int)(n_in_root_creat * N_RESOLVERS);
	tcase_add_loop_test(tc, test_selftest_creat_parent, 0, n2);
	tcase_add_test(tc, test_selftest_agree);
	suite_add_tcase(s, tc);

	tc = tcase_create("extra");
	tcase_add_unchecked_fixture(tc, extra_setup, tree_teardown);
	tcase_add_test(tc, test_symlink_loops);
	tcase_add_test(tc, test_symlink_limit);
	tcase_add_test(tc, test_escapes_stay_in_root);
	tcase_add_test(tc, test_dangling_and_missing);
	tcase_add_test(tc, test_not_a_directory);
	tcase_add_test(tc, test_long_components);
	tcase_add_test(tc, test_refuse_mode);
	tcase_add_test(tc, test_refuse_and_in_root_agree);
	tcase_add_test(tc, test_random_paths_agree);
	tcase_add_test(tc, test_bad_root_fd);
	suite_add_tcase(s, tc);

	tc = tcase_create("procfs");
	tcase_add_unchecked_fixture(tc, plain_setup, tree_teardown);
	tcase_add_test(tc, test_proc_magic_links);
	suite_add_tcase(s, tc);

	/* Tests that showed an engine bug when they were written, tagged
	 * "bug" so that ctest runs them as a separate test (unit-*-bugs);
	 * they stay as regression tests once the engine is fixed. */
	tc = tcase_create("bugs");
	tcase_set_tags(tc, "bug");
	tcase_add_unchecked_fixture(tc, plain_setup, tree_teardown);
	tcase_add_test(tc, test_path_longer_than_path_max);
	tcase_add_test(tc, test_proc_magic_links_pid1);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	load_rows();
	probe_openat2();
	SRunner *sr = srunner_create(resolve_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free_rows();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

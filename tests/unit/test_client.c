/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for libmountguard (common/client.c, common/mountguard.h),
 * run against tests/wrap/mg-fake-helper.c: a scripted `serve` chosen by the
 * name it is executed under (a symlink per mode, made by the fixture). They
 * check that success is reported only when it was received in full and the
 * helper exited 0; that every failure of the helper (dying, closing early,
 * malformed or lying answers, exit status contradicting the answer) is a
 * failure; what the helper inherits (argv, environment, fds, signals); and
 * that no fd and no zombie is left behind, also when the caller has fds 0-2
 * closed, ignores SIGCHLD or reaps children itself. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mountguard.h"

#ifndef MG_FAKE_HELPER
#error "MG_FAKE_HELPER: the path of mg-fake-helper (cmake/libmountguard.cmake)"
#endif

static const char *const modes[] = {
	"ok",	     "ok-slow",	    "ok-exit1",	    "preset",	 "refused3",	     "done3-exit0",
	"usage2",    "failed4",	    "close-early",  "sigkill",	 "sigkill-after-done", "malformed",
	"lying-done0", "hang",	    "die-before-hello", "inspect",
};

/* The fixture's directory: a symlink per mode, a subdirectory used as the
 * rootfs and as a bind source, and a plain file. */
static char dir[64];

static void setup(void)
{
	char p[PATH_MAX];
	snprintf(dir, sizeof(dir), "/tmp/mg-client-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, modes[i]);
		ck_assert_int_eq(symlink(MG_FAKE_HELPER, p), 0);
	}
	snprintf(p, sizeof(p), "%s/root", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/file", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, modes[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/root", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/file", dir);
	unlink(p);
	rmdir(dir);
}

static const char *fake(const char *mode)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, mode);
	return p;
}

static const char *sub(const char *name)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the listing's own */
}

/* Neither a zombie nor a running child of ours is left. */
static void assert_no_children(void)
{
	int st;
	errno = 0;
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG | __WALL), -1);
	ck_assert_int_eq(errno, ECHILD);
}

/* Every fd of the test process close-on-exec, so that whatever the helper
 * inherits beyond fd 3 is the library's leak. */
static void cloexec_all(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd > 2)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

static void assert_contains(const char *hay, const char *needle)
{
	ck_assert_msg(strstr(hay, needle) != NULL, "'%s' does not contain '%s'", hay, needle);
}

/* A request of every kind: a bind from an fd, a tmpfs, a mask, a read-only
 * and a writable path. */
static struct mountguard *full_request(void)
{
	struct mountguard *mg = mountguard_new();
	ck_assert_ptr_nonnull(mg);
	int root = open(sub("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	int src = open(sub("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root, 0);
	ck_assert_int_ge(src, 0);
	ck_assert_int_eq(mountguard_set_root_fd(mg, root), 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "data", "bind", NULL, src, "/srv/data",
					      "ro,nosuid,nodev", "dir", 0),
			 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "tmp", "tmpfs", NULL, -1, "/tmp",
					      "nosuid,nodev,mode=1777", "dir", 01777),
			 0);
	ck_assert_int_eq(mountguard_add_mask(mg, "/etc/shadow"), 0);
	ck_assert_int_eq(mountguard_add_readonly(mg, "/usr"), 0);
	ck_assert_int_eq(mountguard_add_writable(mg, "/usr/local"), 0);
	/* the library holds its own copies */
	close(root);
	close(src);
	return mg;
}

/* ---- success ----------------------------------------------------------------- */

START_TEST(test_ok)
{
	struct mountguard *mg = full_request();
	int before = count_fds();
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
	ck_assert_int_eq(mountguard_exit_code(mg), 0);
	ck_assert_str_eq(mountguard_error(mg), "");
	ck_assert_uint_eq(mountguard_result_count(mg), 5);

	ck_assert_str_eq(mountguard_result_name(mg, 0), "data");
	ck_assert_str_eq(mountguard_result_kind(mg, 0), "mount");
	ck_assert_str_eq(mountguard_result_type(mg, 0), "bind");
	ck_assert_str_eq(mountguard_result_status(mg, 0), "mounted");
	ck_assert_str_eq(mountguard_result_target(mg, 0), "/srv/data");
	ck_assert_str_eq(mountguard_result_resolved(mg, 0), "/srv/data");
	ck_assert_ptr_null(mountguard_result_error(mg, 0));
	ck_assert_uint_eq(mountguard_result_mount_id(mg, 0), 1000);
	ck_assert_uint_eq(mountguard_result_created(mg, 0), 1);
	ck_assert_int_eq(mountguard_result_request_index(mg, 0), 0);

	ck_assert_str_eq(mountguard_result_type(mg, 1), "tmpfs");
	ck_assert_str_eq(mountguard_result_name(mg, 2), "masked");
	ck_assert_str_eq(mountguard_result_kind(mg, 2), "mask");
	ck_assert_ptr_null(mountguard_result_type(mg, 2));
	ck_assert_str_eq(mountguard_result_target(mg, 2), "/etc/shadow");
	ck_assert_str_eq(mountguard_result_kind(mg, 3), "readonly");
	ck_assert_str_eq(mountguard_result_name(mg, 4), "writable");
	ck_assert_int_eq(mountguard_result_request_index(mg, 4), 4);

	/* out of range */
	ck_assert_ptr_null(mountguard_result_name(mg, 5));
	ck_assert_ptr_null(mountguard_result_status(mg, 5));
	ck_assert_uint_eq(mountguard_result_mount_id(mg, 5), 0);
	ck_assert_int_eq(mountguard_result_request_index(mg, 5), -1);

	ck_assert_int_eq(count_fds(), before);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

/* The helper lingers after DONE: the library waits for its exit. */
START_TEST(test_ok_slow_exit)
{
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("ok-slow")), 0);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

START_TEST(test_preset_results)
{
	struct mountguard *mg = mountguard_new();
	ck_assert_int_eq(mountguard_set_root_path(mg, sub("root")), 0);
	ck_assert_int_eq(mountguard_set_preset(mg, "oci-default"), 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "tmp", "tmpfs", NULL, -1, "/tmp", NULL, NULL, 0),
			 0);
	ck_assert_int_eq(mountguard_run(mg, fake("preset")), 0);
	ck_assert_uint_eq(mountguard_result_count(mg), 2);
	ck_assert_str_eq(mountguard_result_name(mg, 0), "proc");
	ck_assert_int_eq(mountguard_result_request_index(mg, 0), -1);
	ck_assert_str_eq(mountguard_result_type(mg, 0), "proc");
	ck_assert_str_eq(mountguard_result_name(mg, 1), "tmp");
	ck_assert_int_eq(mountguard_result_request_index(mg, 1), 0);
	mountguard_free(mg);
}
END_TEST

/* A preset alone is a request. */
START_TEST(test_preset_only)
{
	struct mountguard *mg = mountguard_new();
	ck_assert_int_eq(mountguard_set_root_path(mg, sub("root")), 0);
	ck_assert_int_eq(mountguard_set_preset(mg, "minimal-chroot"), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("preset")), 0);
	ck_assert_uint_eq(mountguard_result_count(mg), 1);
	mountguard_free(mg);
}
END_TEST

START_TEST(test_rerun)
{
	struct mountguard *mg = full_request();
	int before = count_fds();
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
		ck_assert_uint_eq(mountguard_result_count(mg), 5);
		ck_assert_int_eq(mountguard_run(mg, fake("sigkill")), -EPROTO);
		ck_assert_uint_eq(mountguard_result_count(mg), 0);
		ck_assert_int_eq(mountguard_exit_code(mg), -1);
		ck_assert_int_eq(mountguard_run(mg, fake("refused3")), 3);
		ck_assert_uint_eq(mountguard_result_count(mg), 5);
	}
	ck_assert_int_eq(count_fds(), before);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

/* ---- answers other than 0 ------------------------------------------------------ */

START_TEST(test_refused3)
{
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("refused3")), 3);
	ck_assert_int_eq(mountguard_exit_code(mg), 3);
	ck_assert_str_eq(mountguard_error(mg),
			 "<request>:1: entry 'data': setup: refused: not allowed by the policy");
	ck_assert_uint_eq(mountguard_result_count(mg), 5);
	ck_assert_str_eq(mountguard_result_status(mg, 0), "refused");
	ck_assert_str_eq(mountguard_result_error(mg, 0), "not allowed by the policy");
	ck_assert_uint_eq(mountguard_result_mount_id(mg, 0), 0);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

START_TEST(test_usage2)
{
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("usage2")), 2);
	ck_assert_int_eq(mountguard_exit_code(mg), 2);
	ck_assert_str_eq(mountguard_error(mg), "config: no such preset");
	ck_assert_uint_eq(mountguard_result_count(mg), 0);
	mountguard_free(mg);
}
END_TEST

START_TEST(test_failed4)
{
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("failed4")), 4);
	ck_assert_str_eq(mountguard_error(mg), "mount: boom; rollback: umount: busy");
	ck_assert_str_eq(mountguard_result_status(mg, 0), "rolled-back");
	ck_assert_str_eq(mountguard_result_status(mg, 1), "failed");
	ck_assert_str_eq(mountguard_result_error(mg, 1), "mount: boom");
	mountguard_free(mg);
}
END_TEST

/* ---- never a success that was not received ----------------------------------- */

static const struct {
	const char *mode;
	int ret;
	const char *says; /* in mountguard_error() */
} failures[] = {
	{ "ok-exit1", -EPROTO, "answered with exit code 0, then exited with status 1" },
	{ "done3-exit0", -EPROTO, "answered with exit code 3, then exited with status 0" },
	{ "sigkill-after-done", -EPROTO, "answered with exit code 0, then was killed by signal 9" },
	{ "close-early", -EPROTO, "[ECONNRESET eof]; the helper exited with status 0" },
	{ "sigkill", -EPROTO, "[ECONNRESET eof]; the helper was killed by signal 9 (SIGKILL)" },
	{ "malformed", -EPROTO, "[EBADMSG magic]; the helper exited with status 0" },
	{ "lying-done0", -EPROTO, "[EPROTO results]; the helper exited with status 0" },
};

START_TEST(test_failure)
{
	struct mountguard *mg = full_request();
	int before = count_fds();
	ck_assert_int_eq(mountguard_run(mg, fake(failures[_i].mode)), failures[_i].ret);
	assert_contains(mountguard_error(mg), failures[_i].says);
	ck_assert_int_eq(mountguard_exit_code(mg), -1);
	ck_assert_uint_eq(mountguard_result_count(mg), 0);
	ck_assert_ptr_null(mountguard_result_status(mg, 0));
	ck_assert_int_eq(count_fds(), before);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

/* The helper is gone before (or while) the request is sent: an error, not
 * a SIGPIPE (this process keeps SIGPIPE's default action: it would die). */
START_TEST(test_die_before_hello)
{
	signal(SIGPIPE, SIG_DFL);
	for (int i = 0; i < 20; i++) {
		struct mountguard *mg = full_request();
		int r = mountguard_run(mg, fake("die-before-hello"));
		ck_assert_msg(r == -EPROTO, "run: %d (%s)", r, mountguard_error(mg));
		assert_contains(mountguard_error(mg), "the helper exited with status 0");
		ck_assert_int_eq(mountguard_exit_code(mg), -1);
		mountguard_free(mg);
	}
	assert_no_children();
}
END_TEST

START_TEST(test_exec_failure)
{
	struct mountguard *mg = full_request();
	int before = count_fds();
	ck_assert_int_eq(mountguard_run(mg, sub("no-such-helper")), -ENOENT);
	assert_contains(mountguard_error(mg), "cannot execute the helper");
	ck_assert_int_eq(mountguard_run(mg, sub("file")), -EACCES); /* not executable */
	ck_assert_int_eq(mountguard_run(mg, "relative/helper"), -EINVAL);
	ck_assert_int_eq(mountguard_exit_code(mg), -1);
	ck_assert_int_eq(count_fds(), before);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

START_TEST(test_default_helper)
{
	const char *h = mountguard_default_helper();
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h[0], '/');
	ck_assert_ptr_nonnull(strstr(h, "mount-guard"));
}
END_TEST

START_TEST(test_timeout)
{
	struct mountguard *mg = full_request();
	struct timespec a, b;
	ck_assert_int_eq(mountguard_set_timeout(mg, 200), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(mountguard_run(mg, fake("hang")), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* the helper saw the socket close and exited: reaped, not left */
	assert_contains(mountguard_error(mg), "the helper exited with status 1");
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 10);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

/* ---- the test hooks -------------------------------------------------------------- */

static int hook_calls;
static pid_t hook_pid;

static void before_hook(pid_t pid, void *arg)
{
	char exe[PATH_MAX], want[PATH_MAX], p[64];
	hook_calls++;
	hook_pid = pid;
	ck_assert_ptr_eq(arg, &hook_calls);
	ck_assert_int_eq(kill(pid, 0), 0);
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(p, exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_ptr_nonnull(realpath(MG_FAKE_HELPER, want));
	ck_assert_str_eq(exe, want); /* exec'd: not our copy any more */
}

static void kill_hook(pid_t pid, void *arg)
{
	(void)arg;
	ck_assert_int_eq(pid, hook_pid);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
}

START_TEST(test_hooks)
{
	struct mountguard *mg = full_request();
	mountguard_set_test_hook(mg, before_hook, &hook_calls);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
	ck_assert_int_eq(hook_calls, 1);
	/* killed once the request is sent: a failure */
	mountguard_set_test_hook_after_send(mg, kill_hook, NULL);
	ck_assert_int_eq(mountguard_run(mg, fake("hang")), -EPROTO);
	assert_contains(mountguard_error(mg), "killed by signal 9");
	ck_assert_int_eq(hook_calls, 2);
	/* removed */
	mountguard_set_test_hook(mg, NULL, NULL);
	mountguard_set_test_hook_after_send(mg, NULL, NULL);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
	ck_assert_int_eq(hook_calls, 2);
	assert_no_children();
	mountguard_free(mg);
}
END_TEST

/* ---- what the helper gets ----------------------------------------------------- */

static void fd_id(int fd, const char *access, char *buf, size_t size)
{
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	snprintf(buf, size, "fd:%u:%u:%llu:%s", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino, access);
}

START_TEST(test_inspect)
{
	struct mountguard *mg = mountguard_new();
	char want[256];
	sigset_t usr2, now;
	struct sigaction old;

	/* the caller's signal state must not reach the helper */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	cloexec_all();

	int root = open(sub("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rd = open(sub("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int op = open(sub("file"), O_PATH | O_CLOEXEC);
	ck_assert_int_eq(mountguard_set_root_fd(mg, root), 0);
	ck_assert_int_eq(mountguard_set_symlinks_refuse(mg, 1), 0);
	ck_assert_int_eq(mountguard_set_preset(mg, "oci-default"), 0);
	ck_assert_int_eq(mountguard_set_executable(mg, "/bin/true"), 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "a", "bind", NULL, rd, "/a", NULL, NULL, 0), 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "b", "bind", NULL, op, "/b", "ro", "file", 0600),
			 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "c", "rbind", "/srv/c d", -1, "/c", NULL, "dir",
					      0),
			 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "t", "tmpfs", NULL, -1, "/t",
					      "mode=1777,nosuid", "dir", 01777),
			 0);
	ck_assert_int_eq(mountguard_add_mask(mg, "/m"), 0);

	ck_assert_int_eq(mountguard_run(mg, fake("inspect")), 1);
	const char *e = mountguard_error(mg);
	assert_contains(e, "argv=mount-guard,serve,--fd,3 env=0 sock=seqpacket peer=parent "
			   "fd0=null fd1=null fd2=");
	assert_contains(e, " sockcloexec=0 extra=none sigblk=0 sigign=0 ");
	assert_contains(e, " symlinks=1 preset=oci-default exec=/bin/true ");
	fd_id(root, "opath", want, sizeof(want));
	assert_contains(e, want);
	assert_contains(e, " nfds=3");

	ck_assert_uint_eq(mountguard_result_count(mg), 5);
	fd_id(rd, "rdonly", want, sizeof(want));
	assert_contains(mountguard_result_error(mg, 0), "kind=mount type=bind create=no");
	assert_contains(mountguard_result_error(mg, 0), want);
	fd_id(op, "opath", want, sizeof(want)); /* passed as it is: the helper judges it */
	assert_contains(mountguard_result_error(mg, 1), "type=bind create=file mode=600 opts=ro src=");
	assert_contains(mountguard_result_error(mg, 1), want);
	ck_assert_str_eq(mountguard_result_error(mg, 2),
			 "kind=mount type=rbind create=dir mode=755 opts=- src=path:/srv/c d");
	ck_assert_str_eq(mountguard_result_error(mg, 3),
			 "kind=mount type=tmpfs create=dir mode=1777 opts=mode=1777,nosuid "
			 "src=path:-");
	assert_contains(mountguard_result_error(mg, 4), "kind=mask");

	/* and the caller's own state is as it was */
	sigprocmask(SIG_BLOCK, NULL, &now);
	ck_assert(sigismember(&now, SIGUSR2));
	ck_assert(!sigismember(&now, SIGCHLD));
	sigaction(SIGPIPE, NULL, &old);
	ck_assert_ptr_eq(old.sa_handler, SIG_IGN);
	ck_assert_int_ge(fcntl(root, F_GETFD), 0); /* the caller's fds are its own */
	mountguard_free(mg);
	ck_assert_int_ge(fcntl(root, F_GETFD), 0);
	ck_assert_int_ge(fcntl(rd, F_GETFD), 0);
	close(root);
	close(rd);
	close(op);
	assert_no_children();
}
END_TEST

START_TEST(test_inspect_root_path)
{
	struct mountguard *mg = mountguard_new();
	int fd = open("/", O_PATH | O_CLOEXEC);
	ck_assert_int_eq(mountguard_set_root_fd(mg, fd), 0);
	close(fd);
	/* the path replaces the fd: one source of truth */
	ck_assert_int_eq(mountguard_set_root_path(mg, "/srv/root fs"), 0);
	ck_assert_int_eq(mountguard_add_mask(mg, "/m"), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("inspect")), 1);
	assert_contains(mountguard_error(mg), " root=path:/srv/root fs nfds=0");
	mountguard_free(mg);
}
END_TEST

/* A caller with fds 0-2 closed: socketpair and pipe2 hand out 0, 1, 2;
 * nothing of the library may stay there or collide with fd 3. */
START_TEST(test_std_fds_closed)
{
	close(0);
	close(1);
	close(2);
	cloexec_all();
	struct mountguard *mg = mountguard_new();
	int root = open(sub("root"), O_PATH | O_DIRECTORY | O_CLOEXEC); /* fd 0 */
	ck_assert_int_eq(root, 0);
	ck_assert_int_eq(mountguard_set_root_fd(mg, root), 0);
	ck_assert_int_eq(mountguard_add_mount(mg, "a", "bind", NULL, root, "/a", NULL, NULL, 0), 0);
	close(root);
	ck_assert_int_eq(mountguard_run(mg, fake("inspect")), 1);
	assert_contains(mountguard_error(mg), "sock=seqpacket peer=parent fd0=null fd1=null "
					      "fd2=null sockcloexec=0 extra=none");
	assert_contains(mountguard_error(mg), " nfds=2");
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("sigkill")), -EPROTO);
	ck_assert_int_eq(mountguard_run(mg, sub("no-such-helper")), -ENOENT);
	for (int fd = 0; fd <= 2; fd++)
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	mountguard_free(mg);
	assert_no_children();
}
END_TEST

/* Only some of 0-2 closed: a socket end on fd 2 must not become the
 * helper's stderr. */
START_TEST(test_stderr_closed)
{
	close(2);
	cloexec_all();
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("inspect")), 1);
	assert_contains(mountguard_error(mg), "fd2=null sockcloexec=0 extra=none");
	ck_assert_int_eq(fcntl(2, F_GETFD), -1);
	mountguard_free(mg);
}
END_TEST

/* The caller's own fds, close-on-exec or not, reach neither the helper nor
 * stay held by the library's processes: a pipe the caller closes during
 * the run reads as EOF at once. */
static int pipe_rd = -1, pipe_wr = -1;

static void close_writer(pid_t pid, void *arg)
{
	char c;
	(void)pid, (void)arg;
	ck_assert_int_eq(close(pipe_wr), 0);
	ck_assert_int_eq(read(pipe_rd, &c, 1), 0); /* EOF: no other writer */
}

START_TEST(test_caller_fds)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0); /* not close-on-exec */
	pipe_rd = p[0];
	pipe_wr = p[1];
	ck_assert_int_eq(fcntl(pipe_rd, F_SETFL, O_NONBLOCK), 0);
	int plain = open(sub("file"), O_RDONLY); /* not close-on-exec either */
	ck_assert_int_ge(plain, 0);
	struct mountguard *mg = full_request();
	mountguard_set_test_hook(mg, close_writer, NULL);
	ck_assert_int_eq(mountguard_run(mg, fake("inspect")), 1);
	assert_contains(mountguard_error(mg), " extra=none ");
	mountguard_free(mg);
	close(plain);
	close(pipe_rd);
}
END_TEST

/* ---- the caller's child handling --------------------------------------------- */

START_TEST(test_sigchld_ignored)
{
	/* With SIGCHLD ignored, a SIGCHLD child is reaped by the kernel and its
	 * status lost; the helper's exit signal is 0, so it is not. */
	signal(SIGCHLD, SIG_IGN);
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("ok-slow")), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok-exit1")), -EPROTO);
	mountguard_free(mg);
}
END_TEST

static volatile sig_atomic_t reaped;

static void reap_all(int sig)
{
	int saved = errno, st;
	(void)sig;
	while (waitpid(-1, &st, WNOHANG) > 0)
		reaped++;
	errno = saved;
}

START_TEST(test_sigchld_reaper)
{
	/* A caller whose SIGCHLD handler reaps every child cannot steal the
	 * helper's status (nor is it woken for it). */
	struct sigaction sa = { .sa_handler = reap_all };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	struct mountguard *mg = full_request();
	ck_assert_int_eq(mountguard_run(mg, fake("ok-slow")), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok-exit1")), -EPROTO);
	ck_assert_int_eq(reaped, 0);
	mountguard_free(mg);
}
END_TEST

/* ---- building the request ----------------------------------------------------- */

static void never_called(pid_t pid, void *arg)
{
	(void)pid, (void)arg;
	ck_abort_msg("a helper was started");
}

static char long_component[300];

/* Each case: one bad call on a request otherwise fine; the call fails, and
 * the handle then refuses to run at all (no helper is started). */
static int bad_call(struct mountguard *mg, int i, int src)
{
	switch (i) {
	case 0:
		return mountguard_add_mount(mg, "bad name", "tmpfs", NULL, -1, "/t", NULL, NULL, 0);
	case 1:
		return mountguard_add_mount(mg, "a1234567890123456789012345678901234567890123",
					    "tmpfs", NULL, -1, "/t", NULL, NULL, 0);
	case 2:
		return mountguard_add_mount(mg, "x", "ext4", NULL, -1, "/t", NULL, NULL, 0);
	case 3:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "t", NULL, NULL, 0);
	case 4:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, long_component, NULL, NULL,
					    0);
	case 5:
		return mountguard_add_mount(mg, "x", "bind", NULL, -1, "/t", NULL, NULL, 0);
	case 6:
		return mountguard_add_mount(mg, "x", "tmpfs", "/src", -1, "/t", NULL, NULL, 0);
	case 7:
		return mountguard_add_mount(mg, "x", "bind", "/src", src, "/t", NULL, NULL, 0);
	case 8:
		return mountguard_add_mount(mg, "x", "bind", NULL, 999, "/t", NULL, NULL, 0);
	case 9:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "/t", NULL, "maybe", 0);
	case 10:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "/t", NULL, NULL, 0755);
	case 11:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "/t", NULL, "dir", 010000);
	case 12:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "/t", "bogus", NULL, 0);
	case 13:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, "/t", NULL, "file", 0);
	case 14:
		return mountguard_add_mount(mg, "x", "dev", NULL, -1, "/dev", "ro", NULL, 0);
	case 15:
		return mountguard_add_mount(mg, "ok", "tmpfs", NULL, -1, "/t", NULL, NULL, 0);
	case 16:
		return mountguard_set_root_fd(mg, src); /* a regular file */
	case 17:
		return mountguard_set_root_fd(mg, -1);
	case 18:
		return mountguard_set_root_path(mg, "relative");
	case 19:
		return mountguard_set_preset(mg, "no/such");
	case 20:
		return mountguard_add_mask(mg, "relative");
	case 21:
		return mountguard_add_readonly(mg, NULL);
	case 22:
		return mountguard_add_writable(mg, "");
	case 23:
		return mountguard_set_executable(mg, "bin/true");
	case 24:
		return mountguard_add_mount(mg, "x", NULL, NULL, -1, "/t", NULL, NULL, 0);
	case 25:
		return mountguard_add_mount(mg, "x", "tmpfs", NULL, -1, NULL, NULL, NULL, 0);
	case 26:
		return mountguard_add_mount(mg, "x", "bind", NULL, -5, "/t", NULL, NULL, 0);
	default:
		return 0;
	}
}

static const int bad_errno[] = {
	EINVAL, EINVAL, EINVAL, EINVAL, ENAMETOOLONG, EINVAL, EINVAL, EINVAL, EBADF,
	EINVAL, EINVAL, EINVAL, EINVAL, EINVAL,	      EINVAL, EINVAL, ENOTDIR, EBADF,
	EINVAL, EINVAL, EINVAL, EINVAL, EINVAL,	      EINVAL, EINVAL, EINVAL, EBADF,
};

START_TEST(test_bad_call)
{
	memset(long_component, 'x', sizeof(long_component) - 1);
	long_component[0] = '/';
	struct mountguard *mg = full_request();
	int src = open(sub("file"), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(src, 0);
	int before = count_fds();
	ck_assert_int_eq(mountguard_add_mount(mg, "ok", "tmpfs", NULL, -1, "/ok", NULL, NULL, 0), 0);
	mountguard_set_test_hook(mg, never_called, NULL);
	ck_assert_int_eq(bad_call(mg, _i, src), -bad_errno[_i]);
	ck_assert_str_ne(mountguard_error(mg), "");
	char first[1024];
	snprintf(first, sizeof(first), "an earlier call failed: %s", mountguard_error(mg));
	/* a later good call does not wash it out */
	ck_assert_int_eq(mountguard_add_mask(mg, "/later"), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), -EINVAL);
	ck_assert_str_eq(mountguard_error(mg), first);
	ck_assert_int_eq(mountguard_exit_code(mg), -1);
	ck_assert_int_eq(count_fds(), before);
	mountguard_free(mg);
	close(src);
	assert_no_children();
}
END_TEST

START_TEST(test_incomplete)
{
	struct mountguard *mg = mountguard_new();
	mountguard_set_test_hook(mg, never_called, NULL);
	ck_assert_int_eq(mountguard_add_mask(mg, "/m"), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), -EINVAL);
	assert_contains(mountguard_error(mg), "no rootfs");
	mountguard_free(mg);

	mg = mountguard_new();
	mountguard_set_test_hook(mg, never_called, NULL);
	ck_assert_int_eq(mountguard_set_root_path(mg, "/r"), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), -EINVAL);
	assert_contains(mountguard_error(mg), "no entries and no preset");
	/* the preset cleared again */
	ck_assert_int_eq(mountguard_set_preset(mg, "oci-default"), 0);
	ck_assert_int_eq(mountguard_set_preset(mg, NULL), 0);
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), -EINVAL);
	mountguard_free(mg);

	/* NULL handles */
	ck_assert_int_eq(mountguard_run(NULL, NULL), -EINVAL);
	ck_assert_int_eq(mountguard_add_mask(NULL, "/m"), -EINVAL);
	ck_assert_uint_eq(mountguard_result_count(NULL), 0);
	ck_assert_ptr_nonnull(mountguard_error(NULL));
	mountguard_free(NULL);
}
END_TEST

/* The protocol's limits: 255 source fds (one slot is the rootfs's) travel
 * in several FDS messages; the 256th is refused at once. */
START_TEST(test_many_fds)
{
	struct mountguard *mg = mountguard_new();
	char name[16], target[32];
	int src = open(sub("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int root = open(sub("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(mountguard_set_root_fd(mg, root), 0);
	for (int i = 0; i < 255; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		snprintf(target, sizeof(target), "/m/%d", i);
		ck_assert_int_eq(mountguard_add_mount(mg, name, "bind", NULL, src, target, NULL,
						      NULL, 0),
				 0);
	}
	ck_assert_int_eq(mountguard_run(mg, fake("ok")), 0);
	ck_assert_uint_eq(mountguard_result_count(mg), 255);
	ck_assert_int_eq(mountguard_add_mount(mg, "one-more", "bind", NULL, src, "/x", NULL, NULL,
					      0),
			 -E2BIG);
	mountguard_free(mg);
	close(src);
	close(root);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("run");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_ok_slow_exit);
	tcase_add_test(tc, test_preset_results);
	tcase_add_test(tc, test_preset_only);
	tcase_add_test(tc, test_rerun);
	tcase_add_test(tc, test_refused3);
	tcase_add_test(tc, test_usage2);
	tcase_add_test(tc, test_failed4);
	tcase_add_loop_test(tc, test_failure, 0, sizeof(failures) / sizeof(failures[0]));
	tcase_add_test(tc, test_die_before_hello);
	tcase_add_test(tc, test_exec_failure);
	tcase_add_test(tc, test_default_helper);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_hooks);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_inspect);
	tcase_add_test(tc, test_inspect_root_path);
	tcase_add_test(tc, test_std_fds_closed);
	tcase_add_test(tc, test_stderr_closed);
	tcase_add_test(tc, test_caller_fds);
	tcase_add_test(tc, test_sigchld_ignored);
	tcase_add_test(tc, test_sigchld_reaper);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_call, 0, sizeof(bad_errno) / sizeof(bad_errno[0]));
	tcase_add_test(tc, test_incomplete);
	tcase_add_test(tc, test_many_fds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(client_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

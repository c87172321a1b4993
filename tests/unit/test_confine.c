/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp self-confinement: what it forbids fails with EPERM, what the
 * engine needs still works, and the program generated at build time is the
 * one libseccomp makes of the allow-list now. Each test runs in its own
 * forked process (CK_FORK), so the filter never reaches the runner. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "confine.h"
#include "gen/confine_filter.h"

/* check itself needs calls the filter forbids (timers), so the filtered
 * code runs in a child of the test, which reports by its exit status: 0 if
 * every expectation held, else the number of the first that did not. */
static int run_confined(int (*body)(void))
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct mg_error err = { 0 };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || mg_confine_syscalls(&err) != 0)
			_exit(100);
		_exit(body());
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "confined child died");
	return WEXITSTATUS(st);
}

static int forbidden(void)
{
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 1;
	char *argv[] = { "/bin/true", NULL };
	errno = 0;
	if (execv("/bin/true", argv) != -1 || errno != EPERM)
		return 2;
#ifndef MG_SANITIZE /* sanitizer builds allow clone for LeakSanitizer */
	errno = 0;
	if (fork() != -1 || errno != EPERM)
		return 3;
#endif
	errno = 0;
	if (chroot("/") != -1 || errno != EPERM)
		return 4;
	return 0;
}

static int needed(void)
{
	int fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	char buf[64];
	if (readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof(buf)) < 0)
		return 2;
	if (close(fd) != 0)
		return 3;
	void *p = malloc(1 << 20); /* mmap */
	if (!p)
		return 4;
	free(p);
	return 0;
}

START_TEST(test_forbidden_calls_fail_with_eperm)
{
	ck_assert_int_eq(run_confined(forbidden), 0);
}
END_TEST

START_TEST(test_needed_calls_still_work)
{
	ck_assert_int_eq(run_confined(needed), 0);
}
END_TEST

/* The allow-list table is compiled into the test as it is into the
 * generator: if the table, the build configuration (MG_SANITIZE) or
 * libseccomp changes and the program does not, this fails. */
START_TEST(test_generated_program_is_libseccomps)
{
	int err = 0;
	scmp_filter_ctx f = mg_confine_filter_new(&err);
	ck_assert_msg(f != NULL, "libseccomp failed: %d", err);
	int fd = memfd_create("confine-bpf", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seccomp_export_bpf(f, fd), 0);
	seccomp_release(f);
	off_t size = lseek(fd, 0, SEEK_END);
	ck_assert_int_gt(mg_confine_bpf_len, 0);
	ck_assert_int_eq(size, (off_t)(mg_confine_bpf_len * sizeof(struct sock_filter)));
	struct sock_filter *now = malloc((size_t)size);
	ck_assert_ptr_nonnull(now);
	ck_assert_int_eq(pread(fd, now, (size_t)size, 0), size);
	for (size_t i = 0; i < mg_confine_bpf_len; i++)
		ck_assert_msg(memcmp(&now[i], &mg_confine_bpf[i], sizeof(*now)) == 0,
			      "instruction %zu differs: generated {0x%x, %u, %u, 0x%x}, libseccomp "
			      "{0x%x, %u, %u, 0x%x}",
			      i, mg_confine_bpf[i].code, mg_confine_bpf[i].jt, mg_confine_bpf[i].jf,
			      mg_confine_bpf[i].k, now[i].code, now[i].jt, now[i].jf, now[i].k);
	free(now);
	close(fd);
}
END_TEST

/* Without NO_NEW_PRIVS set beforehand (and without CAP_SYS_ADMIN) the
 * kernel refuses a filter: mg_confine_syscalls sets it itself, as
 * libseccomp's load did. */
static int nnp_is_set(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1;
}

START_TEST(test_sets_no_new_privs)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct mg_error err = { 0 };
		if (mg_confine_syscalls(&err) != 0)
			_exit(100);
		_exit(nnp_is_set());
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, test_forbidden_calls_fail_with_eperm);
	tcase_add_test(tc, test_needed_calls_still_work);
	tcase_add_test(tc, test_generated_program_is_libseccomps);
	tcase_add_test(tc, test_sets_no_new_privs);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

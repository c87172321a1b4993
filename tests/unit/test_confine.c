/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp self-confinement: what it forbids fails with EPERM, what the
 * engine needs still works. Each test runs in its own forked process
 * (CK_FORK), so the filter never reaches the runner. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include "confine.h"

static void confine(void)
{
	struct mg_error err = { 0 };
	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(mg_confine_syscalls(&err), 0);
}

START_TEST(test_forbidden_calls_fail_with_eperm)
{
	confine();
	errno = 0;
	ck_assert_int_eq(socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	char *argv[] = { "/bin/true", NULL };
	errno = 0;
	ck_assert_int_eq(execv("/bin/true", argv), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(fork(), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(chroot("/"), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(test_needed_calls_still_work)
{
	confine();
	int fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char buf[64];
	ck_assert_int_ge(readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof(buf)), 0);
	ck_assert_int_eq(close(fd), 0);
	void *p = malloc(1 << 20); /* mmap */
	ck_assert_ptr_nonnull(p);
	free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, test_forbidden_calls_fail_with_eperm);
	tcase_add_test(tc, test_needed_calls_still_work);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

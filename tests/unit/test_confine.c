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

#include <sys/wait.h>

#include "confine.h"

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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mg_time CMD [ARGS...]: runs CMD (stdout and stderr to /dev/null unless
 * MG_TIME_KEEP_OUTPUT is set) and prints "WALL_NS MAXRSS_KIB EXIT CPU_NS" on stdout:
 * whole-process wall time from fork to reap (CLOCK_MONOTONIC) and the peak
 * RSS of CMD and all its descendants (getrusage RUSAGE_CHILDREN), and their
 * user + system CPU time. Bench-only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mg_time CMD [ARGS...]\n");
		return 125;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		if (!getenv("MG_TIME_KEEP_OUTPUT")) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return 125;
	clock_gettime(CLOCK_MONOTONIC, &b);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	long long ns = (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	/* CPU time (user + system) of CMD and its descendants: what the run
	 * cost the machine, without the time it slept (an RCU grace period, a
	 * lock) or waited for a CPU. */
	long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
			(long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	printf("%lld %ld %d %lld\n", ns, ru.ru_maxrss,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), cpu);
	return 0;
}

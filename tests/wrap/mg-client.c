/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mg-client: libmountguard driven from the command line, for the
 * integration tests. Test-only; never installed.
 *
 *   mg-client --helper PATH (--root DIR | --root-fd DIR)
 *             [--preset NAME] [--executable PATH] [--refuse-symlinks]
 *             [--mount NAME:TYPE:SOURCE:TARGET[:OPTIONS[:CREATE[:MODE]]]]
 *             [--mount-fd NAME:TYPE:SRCPATH:TARGET[:OPTIONS[:CREATE[:MODE]]]]
 *             [--mount-opath NAME:TYPE:SRCPATH:TARGET[:OPTIONS[:CREATE[:MODE]]]]
 *             [--mask PATH] [--readonly PATH] [--writable PATH]
 *             [--timeout MS] [--stop-before-send] [--kill-helper-after-send]
 *
 * --root DIR      the rootfs as a path (root callers only)
 * --root-fd DIR   opens DIR (O_PATH|O_DIRECTORY) and passes the fd
 * --mount         SOURCE a host path, or empty for types without one
 * --mount-fd      opens SRCPATH O_RDONLY (a directory too) and passes the fd
 * --mount-opath   opens SRCPATH O_PATH and passes the fd (which the helper
 *                 must refuse from an unprivileged caller)
 *                 Fields are split at ':'; empty OPTIONS or CREATE mean none,
 *                 MODE is octal (a path with a ':' cannot be given here).
 * --stop-before-send  prints "helper PID" once the helper runs, then waits
 *                 for a line on stdin before the request is sent (a test
 *                 inspects /proc/PID meanwhile)
 * --kill-helper-after-send  SIGKILLs the helper once the request is sent
 *
 * Entries are added in the order given. Output, on stdout:
 *   helper PID                                  (--stop-before-send)
 *   result NAME STATUS RESOLVED ERROR           one per result, in order
 *   error TEXT                                  when mountguard_error() is not ""
 *   exit N                                      last
 * RESOLVED is "-" when none; ERROR (the rest of the line) "-" when none.
 * Bytes outside 0x21..0x7e in RESOLVED, and control bytes and backslashes
 * in ERROR and TEXT, are written \xHH.
 *
 * Exit status N: the helper's exit code 0..4 (mountguard_run()'s return);
 * 100 + errno for a failure of the library (mountguard_run() or a building
 * call returned -errno: 171 EPROTO, 102 ENOENT, 122 EINVAL, ...); 99 for a
 * usage error of mg-client itself; 98 when a source or root cannot be
 * opened. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mountguard.h"

enum { USAGE = 99, OPEN_FAILED = 98 };

/* mg-client's own failure (USAGE, OPEN_FAILED), kept apart from errnos. */
static int local_failure;

static int local(int code)
{
	local_failure = code;
	return -1;
}

static int finish(struct mountguard *mg, int r);

static void put_escaped(const char *s, int space_too)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '\\' || (space_too && c == ' '))
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void before_send(pid_t pid, void *arg)
{
	char line[64];
	(void)arg;
	printf("helper %d\n", (int)pid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		fprintf(stderr, "mg-client: stdin closed; sending anyway\n");
}

static void kill_helper(pid_t pid, void *arg)
{
	(void)arg;
	if (kill(pid, SIGKILL) < 0)
		perror("mg-client: kill");
}

/* NAME:TYPE:SOURCE:TARGET[:OPTIONS[:CREATE[:MODE]]], split in place. */
static int split(char *spec, char **f, int max)
{
	int n = 0;
	for (char *p = spec;; p++) {
		if (n == max)
			return -1;
		f[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p = '\0';
	}
	return n;
}

static int add_mount(struct mountguard *mg, int how, char *spec)
{
	char *f[7] = { 0 };
	int n = split(spec, f, 7), fd = -1;
	if (n < 4) {
		fprintf(stderr, "mg-client: --mount NAME:TYPE:SOURCE:TARGET[:OPTIONS[:CREATE[:MODE]]]\n");
		return local(USAGE);
	}
	const char *options = n > 4 && *f[4] ? f[4] : NULL;
	const char *create = n > 5 && *f[5] ? f[5] : NULL;
	unsigned mode = n > 6 && *f[6] ? (unsigned)strtoul(f[6], NULL, 8) : 0;
	const char *source = how == 'm' && *f[2] ? f[2] : NULL;
	if (how != 'm') {
		fd = open(f[2], (how == 'o' ? O_PATH : O_RDONLY) | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "mg-client: open %s: %s\n", f[2], strerror(errno));
			return local(OPEN_FAILED);
		}
	}
	int r = mountguard_add_mount(mg, f[0], f[1], source, fd, f[3], options, create, mode);
	if (fd >= 0)
		close(fd); /* the library keeps its own copy */
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "helper", required_argument, NULL, 'H' },
		{ "root", required_argument, NULL, 'r' },
		{ "root-fd", required_argument, NULL, 'R' },
		{ "preset", required_argument, NULL, 'p' },
		{ "executable", required_argument, NULL, 'e' },
		{ "refuse-symlinks", no_argument, NULL, 's' },
		{ "mount", required_argument, NULL, 'm' },
		{ "mount-fd", required_argument, NULL, 'f' },
		{ "mount-opath", required_argument, NULL, 'o' },
		{ "mask", required_argument, NULL, 'k' },
		{ "readonly", required_argument, NULL, 'y' },
		{ "writable", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stop-before-send", no_argument, NULL, 'S' },
		{ "kill-helper-after-send", no_argument, NULL, 'K' },
		{ 0 },
	};
	const char *helper = NULL;
	struct mountguard *mg = mountguard_new();
	int c, r = 0;

	if (!mg) {
		perror("mg-client");
		return 100 + ENOMEM;
	}
	while (r == 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			helper = optarg;
			break;
		case 'r':
			r = mountguard_set_root_path(mg, optarg);
			break;
		case 'R': {
			int fd = open(optarg, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				fprintf(stderr, "mg-client: open %s: %s\n", optarg, strerror(errno));
				r = local(OPEN_FAILED);
				break;
			}
			r = mountguard_set_root_fd(mg, fd);
			close(fd);
			break;
		}
		case 'p':
			r = mountguard_set_preset(mg, optarg);
			break;
		case 'e':
			r = mountguard_set_executable(mg, optarg);
			break;
		case 's':
			r = mountguard_set_symlinks_refuse(mg, 1);
			break;
		case 'm':
		case 'f':
		case 'o':
			r = add_mount(mg, c, optarg);
			break;
		case 'k':
			r = mountguard_add_mask(mg, optarg);
			break;
		case 'y':
			r = mountguard_add_readonly(mg, optarg);
			break;
		case 'w':
			r = mountguard_add_writable(mg, optarg);
			break;
		case 't':
			r = mountguard_set_timeout(mg, (unsigned)strtoul(optarg, NULL, 10));
			break;
		case 'S':
			mountguard_set_test_hook(mg, before_send, NULL);
			break;
		case 'K':
			mountguard_set_test_hook_after_send(mg, kill_helper, NULL);
			break;
		default:
			r = local(USAGE);
		}
	}
	if (r == 0 && optind < argc) {
		fprintf(stderr, "mg-client: unexpected argument '%s'\n", argv[optind]);
		r = local(USAGE);
	}
	if (r == 0 && !helper) {
		fprintf(stderr, "mg-client: --helper PATH is required\n");
		r = local(USAGE);
	}
	if (r == 0)
		r = mountguard_run(mg, helper);
	return finish(mg, r);
}

static int finish(struct mountguard *mg, int r)
{
	int code = local_failure ? local_failure : r >= 0 ? r : 100 + -r;
	size_t n = mountguard_result_count(mg);
	for (size_t i = 0; i < n; i++) {
		const char *resolved = mountguard_result_resolved(mg, i);
		const char *error = mountguard_result_error(mg, i);
		printf("result %s %s ", mountguard_result_name(mg, i), mountguard_result_status(mg, i));
		put_escaped(resolved ? resolved : "-", 1);
		putchar(' ');
		put_escaped(error ? error : "-", 0);
		putchar('\n');
	}
	if (*mountguard_error(mg)) {
		printf("error ");
		put_escaped(mountguard_error(mg), 0);
		putchar('\n');
	}
	printf("exit %d\n", code);
	mountguard_free(mg);
	return code;
}

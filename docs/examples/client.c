/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal libmountguard client (docs/libmountguard.md).
 *
 * Build:  cc client.c $(pkg-config --cflags --libs mountguard) -o client
 * Run:    ./client ROOTFS SOURCE_DIR
 *
 * Asks mount-guard to bind SOURCE_DIR read-only at /data inside ROOTFS, to
 * put a tmpfs on /tmp and to hide /etc/shadow, then prints what was done.
 * Works for an unprivileged caller too, when the admin policy
 * (mount-guard-policy(5)) allows it: the rootfs and the bind source are
 * passed as fds this program opened itself, with its own rights, and the
 * source is opened for reading (not O_PATH), which the helper checks. */
#define _GNU_SOURCE /* O_PATH */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <mountguard.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s ROOTFS SOURCE_DIR\n", argv[0]);
		return 2;
	}
	int root = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	int src = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || src < 0) {
		perror("open");
		return 2;
	}

	struct mountguard *mg = mountguard_new();
	if (!mg) {
		perror("mountguard_new");
		return 2;
	}
	/* Each call checks its entry at once; a failed one makes the handle
	 * refuse to run, so checking the run's result is enough. */
	mountguard_set_root_fd(mg, root);
	mountguard_add_mount(mg, "data", "bind", NULL, src, "/data", "ro,nosuid,nodev", "dir", 0);
	mountguard_add_mount(mg, "tmp", "tmpfs", NULL, -1, "/tmp", "nosuid,nodev,mode=1777,size=64m",
			     "dir", 01777);
	mountguard_add_mask(mg, "/etc/shadow");
	/* The library keeps its own copies of the fds. */
	close(root);
	close(src);

	int rc = mountguard_run(mg, NULL); /* NULL: the installed mount-guard */
	for (size_t i = 0; i < mountguard_result_count(mg); i++) {
		const char *resolved = mountguard_result_resolved(mg, i);
		const char *error = mountguard_result_error(mg, i);
		printf("%-8s %-10s %-12s %s (mount id %" PRIu64 ")%s%s\n",
		       mountguard_result_name(mg, i), mountguard_result_kind(mg, i),
		       mountguard_result_status(mg, i), resolved ? resolved : mountguard_result_target(mg, i),
		       mountguard_result_mount_id(mg, i), error ? ": " : "", error ? error : "");
	}
	if (rc != 0)
		fprintf(stderr, "mount-guard: %s (%d)\n", mountguard_error(mg), rc);
	else
		printf("applied and verified\n");
	mountguard_free(mg);
	/* 0 ok; 1-4 mount-guard's exit codes; anything else: no valid answer */
	return rc >= 0 ? rc : 5;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A deliberately naive path-string mounter (test-only, never installed):
 * what mount-guard must never be. It does what the race harness's config
 * asks, by concatenating ROOT and each path and handing the string to
 * mkdir(2) and mount(2), which follow every symlink on the way:
 *
 *   naive_mount ROOT TMPFS_TARGET MASK_PATH READONLY_PATH
 *
 * - mkdir ROOT/TMPFS_TARGET (create = dir), mount a tmpfs on it;
 * - mask: bind an empty read-only tmpfs over ROOT/MASK_PATH;
 * - read-only: bind ROOT/READONLY_PATH on itself, remount it read-only.
 * The race harness (run.sh) must catch it escaping the root. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char p[PATH_MAX], q[PATH_MAX];
	int rc = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: naive_mount ROOT TMPFS_TARGET MASK_PATH READONLY_PATH\n");
		return 2;
	}
	snprintf(p, sizeof(p), "%s%s", argv[1], argv[2]);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = 1;
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		rc = 1;
	snprintf(p, sizeof(p), "%s%s", argv[1], argv[3]);
	if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0555") < 0)
		rc = 1;
	snprintf(q, sizeof(q), "%s%s", argv[1], argv[4]);
	if (mount(q, q, NULL, MS_BIND | MS_REC, NULL) < 0)
		rc = 1;
	else if (mount(NULL, q, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		rc = 1;
	return rc;
}

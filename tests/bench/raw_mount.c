/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* raw_mount LISTFILE: the benchmark's floor. Performs a mount list with bare
 * mount(2) calls on path strings: no resolution, no checks, no verification.
 * Bench-only; never installed, never use it on a rootfs you do not trust.
 *
 * One operation per line, fields separated by single spaces, "-" for NULL:
 *   mkdir PATH            create a directory (mode 0755; EEXIST ignored)
 *   file PATH             create an empty regular file (O_CREAT)
 *   symlink TARGET PATH   create a symlink
 *   mount SRC TGT FSTYPE FLAGS DATA
 *                         FLAGS: comma list of bind,rec,remount,ro,nosuid,
 *                         nodev,noexec,strictatime,relatime,private or "-"
 * Exit status: 0 all done, 1 some operation failed (each failure printed),
 * 2 usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long parse_flags(char *s)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} names[] = { { "bind", MS_BIND },	     { "rec", MS_REC },		{ "remount", MS_REMOUNT },
		      { "ro", MS_RDONLY },	     { "nosuid", MS_NOSUID },	{ "nodev", MS_NODEV },
		      { "noexec", MS_NOEXEC },	     { "strictatime", MS_STRICTATIME },
		      { "relatime", MS_RELATIME },   { "private", MS_PRIVATE } };
	unsigned long flags = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "raw_mount: unknown flag %s\n", tok);
			exit(2);
		}
		flags |= names[i].flag;
	}
	return flags;
}

static char *dash_null(char *s)
{
	return s && strcmp(s, "-") != 0 ? s : NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: raw_mount LISTFILE\n");
		return 2;
	}
	FILE *f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int failed = 0;
	unsigned long lineno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *fld[6] = { 0 };
		int nf = 0;
		for (char *save = NULL, *tok = strtok_r(line, " ", &save); tok && nf < 6;
		     tok = strtok_r(NULL, " ", &save))
			fld[nf++] = tok;
		int r;
		if (strcmp(fld[0], "mkdir") == 0 && nf == 2) {
			r = mkdir(fld[1], 0755);
			if (r < 0 && errno == EEXIST)
				r = 0;
		} else if (strcmp(fld[0], "file") == 0 && nf == 2) {
			r = open(fld[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (r >= 0)
				r = close(r);
		} else if (strcmp(fld[0], "symlink") == 0 && nf == 3) {
			r = symlink(fld[1], fld[2]);
		} else if (strcmp(fld[0], "mount") == 0 && nf == 6) {
			r = mount(dash_null(fld[1]), fld[2], dash_null(fld[3]), parse_flags(fld[4]),
				  dash_null(fld[5]));
		} else {
			fprintf(stderr, "raw_mount: line %lu: bad operation\n", lineno);
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "raw_mount: line %lu: %s: %s\n", lineno, fld[0], strerror(errno));
			failed = 1;
		}
	}
	free(line);
	return failed;
}

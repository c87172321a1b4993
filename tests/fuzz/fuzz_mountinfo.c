/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: helper/mountinfo.c's streaming line parser, against
 * libmount's own mountinfo parser as the reference.
 *
 * The input is one mountinfo line (a newline or NUL in it is cut there).
 * Checked: no crash, no leak; and whenever mount-guard's parser accepts a
 * line, libmount parses it too, into the same mount id, parent id, device
 * number, fs root, mount point, fs type, source, per-mount options and super
 * block options (byte for byte after unescaping), and the same
 * propagation (the source only when it is not "/dev/root", which libmount
 * looks up on the host). mount-guard may refuse lines libmount takes (it is stricter),
 * never read one differently: verification and `show` rely on it. */
#include <libmount.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what, const char *line)
{
	if (!cond) {
		fprintf(stderr, "fuzz_mountinfo: check failed: %s\nline: %s\n", what, line);
		abort();
	}
}

static int same(const char *a, const char *b)
{
	/* libmount keeps no string for an empty field. */
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *ours = malloc(size + 1), *theirs = malloc(size + 2);
	if (!ours || !theirs)
		abort();
	memcpy(ours, data, size);
	ours[size] = '\0';
	ours[strcspn(ours, "\n")] = '\0';
	strcpy(theirs, ours);
	struct mg_mountinfo_line m;
	/* libmount splits fields with sscanf("%ms"), on every isspace() byte;
	 * the kernel escapes only space, tab, newline and backslash, so a
	 * mount point with a \r, \v or \f in it is written raw, and there
	 * libmount is wrong and mount-guard (spaces and tabs only) right: no
	 * reference for such lines (the first finding of this harness). */
	bool comparable = !strpbrk(theirs, "\r\v\f");
	/* libmount reads the ids with "%d": larger ones (which the kernel,
	 * whose mount ids are ints, never writes) have no reference either. */
	if (mg_mountinfo_parse_line(ours, &m) == 0 && comparable && m.id <= INT32_MAX &&
	    m.parent <= INT32_MAX) {
		/* libmount's reference parse of the same line, as a one-line
		 * mountinfo file. */
		size_t n = strlen(theirs);
		theirs[n] = '\n';
		FILE *f = fmemopen(theirs, n + 1, "r");
		struct libmnt_table *tb = mnt_new_table();
		struct libmnt_fs *fs = NULL;
		if (!f || !tb)
			abort();
		int r = mnt_table_parse_stream(tb, f, "mountinfo");
		fclose(f);
		check(r == 0 && mnt_table_get_nents(tb) == 1, "libmount refuses a line we accept", ours);
		mnt_table_first_fs(tb, &fs);
		check(mnt_fs_get_id(fs) == (int)m.id, "mount id", ours);
		check(mnt_fs_get_parent_id(fs) == (int)m.parent, "parent id", ours);
		check(mnt_fs_get_devno(fs) == makedev(m.major, m.minor), "device number", ours);
		check(same(mnt_fs_get_root(fs), m.root), "fs root", ours);
		check(same(mnt_fs_get_target(fs), m.path), "mount point", ours);
		check(same(mnt_fs_get_fstype(fs), m.fstype), "fs type", ours);
		/* libmount replaces a source of "/dev/root" by the device node
		 * of its major:minor when this host has one (7:5 became
		 * /dev/loop5 on the CI machine: the third finding of this
		 * harness), a lookup in the host's /dev and /sys rather than
		 * parsing; mount-guard keeps what the kernel wrote (`show`
		 * maps it for display itself). */
		if (strcmp(m.source, "/dev/root") != 0)
			check(same(mnt_fs_get_srcpath(fs) ? mnt_fs_get_srcpath(fs)
							  : mnt_fs_get_source(fs),
				   m.source),
			      "source", ours);
		check(same(mnt_fs_get_vfs_options(fs), m.options), "per-mount options", ours);
		check(same(mnt_fs_get_fs_options(fs), m.fs_options), "super block options", ours);
		unsigned long prop = 0;
		mnt_fs_get_propagation(fs, &prop);
		check((prop & (MS_SHARED | MS_SLAVE | MS_UNBINDABLE)) == m.propagation, "propagation",
		      ours);
		mnt_unref_table(tb);
	}
	free(ours);
	free(theirs);
	return 0;
}

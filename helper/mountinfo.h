/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mountinfo, read through the verified procfs by one streaming reader (apply's
 * checks, the mount tree, teardown) that keeps nothing but what its callback
 * keeps; its parser is tested differentially against libmount's. The
 * fields are split on spaces and tabs, which the kernel escapes in paths
 * (with newline and backslash, as \ooo); commas are not escaped, so the mount
 * point is never split on them, and only the per-mount options (which
 * hold no path) are. */
#ifndef MG_MOUNTINFO_H
#define MG_MOUNTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"
#include "procfs.h"

struct mg_idset {
	uint64_t *ids; /* sorted */
	size_t n;
};

/* One mountinfo line, as the streaming reader hands it over. Every field
 * but the optional ones is unescaped as libmount unescapes it (a backslash
 * and three octal digits is one byte; the kernel writes space, tab, newline
 * and backslash so, and nothing else, not even a comma), so that what `show`
 * prints is what it printed when libmount parsed it. The strings are valid
 * until the callback returns. */
struct mg_mountinfo_line {
	uint64_t id;
	uint64_t parent;
	unsigned int major, minor; /* st_dev of the filesystem */
	const char *root;	   /* the directory of the filesystem mounted here */
	const char *path;	   /* the mount point */
	const char *options;	   /* per-mount options as written: "ro,nosuid,..." */
	unsigned long flags;	   /* MS_RDONLY, MS_NOSUID, ... of `options` */
	unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_UNBINDABLE; none: private */
	const char *fstype;
	const char *source;	/* "" when the kernel wrote none */
	const char *fs_options; /* the super block's options */
};
typedef int (*mg_mountinfo_fn)(const struct mg_mountinfo_line *m, void *arg, struct mg_error *err);
/* Reads self/mountinfo of the verified procfs once, line by line, without
 * keeping it: memory stays the size of the longest line, whatever the
 * number of mounts (libmount's table of 10,000 mounts took 3 MiB and as
 * many instructions per line as the rest of a bind). A line that does not
 * parse fails the read; a negative return of `fn` stops it. */
int mg_mountinfo_each(const struct mg_procfs *proc, mg_mountinfo_fn fn, void *arg,
		      struct mg_error *err);
/* Parses one line (no newline, NUL-terminated) in place into *m, whose
 * strings then point into `line`: what mg_mountinfo_each does per line, for
 * the unit tests and the differential fuzz harness against libmount.
 * -EBADMSG for a line that is not mountinfo. */
int mg_mountinfo_parse_line(char *line, struct mg_mountinfo_line *m);
/* The ids of every mount, from one streaming read. */
int mg_idset_read(const struct mg_procfs *proc, struct mg_idset *set, struct mg_error *err);
bool mg_idset_has(const struct mg_idset *set, uint64_t id);
void mg_idset_free(struct mg_idset *set);

#endif

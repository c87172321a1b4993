/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Feeding the packaged inih one line at a time, for every INI file
 * mount-guard reads (the config, the admin policy). Why: the library is built
 * without INI_HANDLER_LINENO, so only this way does every handler call know
 * its line; and inih silently mangles what this reader refuses instead:
 *  - a line longer than its buffer (it would split it in two),
 *  - a NUL byte (it would cut the line),
 *  - an indented line (with INI_ALLOW_MULTILINE it would glue it onto the
 *    previous value, even one that looks like "key = value" or "[section]"),
 *  - a section name longer than its 50-byte buffer (it would cut it),
 *  - a section without keys (its handler would never hear of it).
 * A UTF-8 byte order mark is skipped, as inih does. */
#ifndef MG_INI_LINES_H
#define MG_INI_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* inih's MAX_SECTION (50) less the terminating NUL. */
#define MG_INI_MAX_SECTION 49

struct mg_ini_lines {
	const char *buf;
	size_t len, pos;
	unsigned lineno;   /* of the line last handed to inih: the handler's line */
	int max_line;      /* content bytes inih takes per line (from its reader call) */
	unsigned headers;  /* section headers seen */
	unsigned header_line;
	unsigned keys_since_header; /* the handler counts its calls here */
	bool new_section;  /* the handler's next call is the first of a section */
	/* a refusal: the line it is about and why (err[0] set) */
	unsigned err_line;
	char err[160];
};

/* An ini_reader: the next line into str (num bytes), or NULL at the end of
 * the text or on a refusal (then l->err is set). */
char *mg_ini_lines_next(struct mg_ini_lines *l, char *str, int num);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Written from the behaviour of util-linux 2.38.1 libmount/src/optstr.c
 * (mnt_optstr_parse_next), not copied from it. libmount stays the reference:
 * tests/unit/test_mntopts.c and tests/fuzz/fuzz_mntopts.c tokenise the same
 * strings with both and compare every token and the final return code. */
#include "optstr.h"

#include <errno.h>
#include <stdbool.h>

int mg_optstr_next(char **cursor, char **name, size_t *namesz, char **value, size_t *valuesz)
{
	if (!cursor || !*cursor)
		return -EINVAL;

	if (name)
		*name = NULL;
	if (namesz)
		*namesz = 0;
	if (value)
		*value = NULL;
	if (valuesz)
		*valuesz = 0;

	char *start = *cursor;
	while (*start == ',')
		start++;
	if (*start == '\0')
		return 1;

	char *sep = NULL, *p;
	bool quoted = false;
	for (p = start; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (*p == '=' && !sep && p > start)
			sep = p;
		else if (*p == ',')
			break;
	}
	/* libmount only ends an item at a comma or at its last byte outside
	 * quotes: a quote left open swallows the rest of the string and the
	 * list ends there, without the item (and without an error). */
	if (quoted)
		return 1;

	char *stop = p; /* the ',' or the NUL after the item */
	if (name)
		*name = start;
	if (namesz)
		*namesz = (size_t)((sep ? sep : stop) - start);
	if (sep) {
		if (value)
			*value = sep + 1;
		if (valuesz)
			*valuesz = (size_t)(stop - sep - 1);
	}
	*cursor = *stop ? stop + 1 : stop;
	return 0;
}

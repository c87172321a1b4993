/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount(8) option-string tokeniser, without libmount: loading libmount
 * (and libblkid, libselinux and libpcre2 behind it) cost ~0.3 ms per start. */
#ifndef MG_OPTSTR_H
#define MG_OPTSTR_H

#include <stddef.h>

/* Takes the next option of the comma-separated list at *cursor, with exactly
 * the rules of libmount 2.38's mnt_optstr_next_option() (the unit test and
 * the mntopts fuzzer compare the two on every token):
 *  - commas before an item are skipped, so ",,a,,b," yields "a" and "b";
 *  - the name runs up to the first '=' that is not the item's first byte
 *    ("=a" is a name), the value (possibly empty: "a=") after it;
 *  - a double quote toggles quoting; inside quotes ',' and '=' are ordinary
 *    bytes, and the quotes stay part of the name or value;
 *  - a quote still open at the end of the string ends the list: the item it
 *    opened is not returned (`nosuid,ro"` yields only nosuid).
 * Nothing is written to the string; name and value point into it and are
 * not NUL-terminated. Any output pointer may be NULL. *value is NULL when
 * the item has no '='.
 *
 * Returns 0 with an option, 1 at the end of the list (outputs zeroed,
 * *cursor left where it was), -EINVAL if cursor or *cursor is NULL. */
int mg_optstr_next(char **cursor, char **name, size_t *namesz, char **value, size_t *valuesz);

#endif

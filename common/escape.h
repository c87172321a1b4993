/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Escapes in config values, so that any byte but NUL can be written in a
 * path even though inih strips surrounding whitespace and treats " ;" as a
 * comment:  \\  \;  \#  \s (space)  \t  \n  \xHH (HH not 00).  Any other
 * backslash sequence is an error, never a guess. */
#ifndef MG_ESCAPE_H
#define MG_ESCAPE_H

#include <stddef.h>

/* Decodes `in` into a new heap string (*out, length *outlen). On error
 * returns a negative errno and points *why at a reason. */
int mg_unescape(const char *in, char **out, size_t *outlen, const char **why);

/* Writes `s` with C-style escapes for bytes that would confuse a terminal or
 * a reader (control bytes, backslash, non-ASCII as \xHH). */
void mg_escape_for_display(const char *s, char *buf, size_t size);

#endif

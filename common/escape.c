/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "escape.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mg_unescape(const char *in, char **out, size_t *outlen, const char **why)
{
	size_t len = strlen(in);
	char *buf = malloc(len + 1);
	size_t n = 0;
	if (!buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\\') {
			buf[n++] = in[i];
			continue;
		}
		char c = in[++i];
		switch (c) {
		case '\\':
		case ';':
		case '#':
			buf[n++] = c;
			break;
		case 's':
			buf[n++] = ' ';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case 'n':
			buf[n++] = '\n';
			break;
		case 'x': {
			int hi = hexval(in[i + 1]), lo = hi >= 0 ? hexval(in[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*why = "\\x must be followed by two hex digits";
				goto fail;
			}
			if (hi == 0 && lo == 0) {
				*why = "\\x00: a path cannot contain a NUL byte";
				goto fail;
			}
			buf[n++] = (char)(hi * 16 + lo);
			i += 2;
			break;
		}
		case '\0':
			*why = "trailing backslash (write \\\\ for a backslash)";
			goto fail;
		default:
			*why = "unknown escape (known: \\\\ \\; \\# \\s \\t \\n \\xHH)";
			goto fail;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
fail:
	free(buf);
	return -EINVAL;
}

/* Bytes shown as they are: printable ASCII but the backslash. */
static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

void mg_escape_for_display(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (size == 0)
		return;
	/* Every byte is written only while n + 5 < size (the longest escape
	 * and the NUL fit): a run of plain bytes is copied at once, as many as
	 * that rule lets through (the reports print thousands of paths). */
	while (*s && n + 5 < size) {
		size_t run = 0, room = size - 5 - n;
		while (run < room && plain_byte((unsigned char)s[run]))
			run++;
		memcpy(buf + n, s, run);
		n += run;
		s += run;
		if (!*s || n + 5 >= size)
			break;
		unsigned char c = (unsigned char)*s++;
		buf[n++] = '\\';
		if (c == '\\') {
			buf[n++] = '\\';
		} else {
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	if (*s && n + 4 <= size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

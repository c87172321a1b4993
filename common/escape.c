/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "escape.h"

#include <errno.h>
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

void mg_escape_for_display(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	if (size == 0)
		return;
	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\') {
			buf[n++] = '\\';
			buf[n++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	if (*s && n + 4 <= size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

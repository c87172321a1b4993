/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ini_lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *refuse(struct mg_ini_lines *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *refuse(struct mg_ini_lines *l, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
	l->err_line = line;
	return NULL;
}

/* " \t\r\f\v" (the line has no '\n' and, checked before, no NUL):
 * compared directly, not with a strchr call a byte. */
static inline bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

char *mg_ini_lines_next(struct mg_ini_lines *l, char *str, int num)
{
	if (l->err[0])
		return NULL;
	l->max_line = num - 1;
	if (l->pos >= l->len) {
		if (l->headers > 0 && l->keys_since_header == 0)
			return refuse(l, l->header_line, "section has no keys");
		return NULL;
	}
	const char *start = l->buf + l->pos;
	const char *nl = memchr(start, '\n', l->len - l->pos);
	size_t linelen = nl ? (size_t)(nl - start) : l->len - l->pos;
	l->pos += linelen + (nl ? 1 : 0);
	l->lineno++;
	if (memchr(start, '\0', linelen))
		return refuse(l, l->lineno, "line contains a NUL byte");
	if (linelen > (size_t)l->max_line)
		return refuse(l, l->lineno, "line is %zu bytes long; inih takes at most %d", linelen,
			      l->max_line);
	size_t skip = 0;
	if (l->lineno == 1 && linelen >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	size_t ws = skip;
	while (ws < linelen && is_blank(start[ws]))
		ws++;
	bool blank = ws == linelen;
	bool comment = !blank && (start[ws] == ';' || start[ws] == '#');
	if (ws > skip && !blank && !comment)
		return refuse(l, l->lineno,
			      "indented line: inih would join it to the previous value; remove the "
			      "leading whitespace");
	/* A header is what inih takes for one: '[' then ']' before any inline
	 * comment. Without the ']' inih reports a syntax error and keeps the
	 * previous section, so this line must not count as a new one. */
	const char *close_br = NULL;
	if (!blank && !comment && start[skip] == '[')
		for (size_t k = skip + 1; k < linelen && !close_br; k++) {
			if (start[k] == ';' && (start[k - 1] == ' ' || start[k - 1] == '\t'))
				break;
			if (start[k] == ']')
				close_br = start + k;
		}
	if (close_br) {
		if ((size_t)(close_br - start - skip - 1) > MG_INI_MAX_SECTION)
			return refuse(l, l->lineno,
				      "section name is longer than inih's limit of %d bytes",
				      MG_INI_MAX_SECTION);
		if (l->headers > 0 && l->keys_since_header == 0)
			return refuse(l, l->header_line, "section has no keys");
		l->headers++;
		l->header_line = l->lineno;
		l->keys_since_header = 0;
		l->new_section = true;
	}
	memcpy(str, start, linelen);
	str[linelen] = '\0';
	return str;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json.h"

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned min;
	unsigned cp;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		min = 0x80;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		min = 0x800;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		min = 0x10000;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void mg_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else {
			size_t n = utf8_len(p);
			if (n) {
				fwrite(p, 1, n, f);
				p += n;
			} else {
				fprintf(f, "\\u%04x", *p++);
			}
		}
	}
	fputc('"', f);
}

static void key(FILE *f, int *first, const char *k)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
	mg_json_string(f, k);
	fputc(':', f);
}

void mg_json_kv_str(FILE *f, int *first, const char *k, const char *value)
{
	key(f, first, k);
	if (value)
		mg_json_string(f, value);
	else
		fputs("null", f);
}

void mg_json_kv_int(FILE *f, int *first, const char *k, long long value)
{
	key(f, first, k);
	fprintf(f, "%lld", value);
}

static int is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

void mg_json_kv_path(FILE *f, int *first, const char *k, const char *path)
{
	mg_json_kv_str(f, first, k, path);
	if (!path || is_utf8(path))
		return;
	fputc(',', f);
	fputc('"', f);
	fputs(k, f);
	fputs("_hex\":\"", f);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		fprintf(f, "%02x", *p);
	fputc('"', f);
}

void mg_json_kv_bool(FILE *f, int *first, const char *k, int value)
{
	key(f, first, k);
	fputs(value ? "true" : "false", f);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: common/escape.c.
 *
 * mg_unescape() on arbitrary bytes (NUL-terminated copy), then:
 *  - a successful decode has exactly `outlen` bytes and no NUL among them,
 *    and is never longer than its input; a failure names a reason;
 *  - mg_escape_for_display() of the decoded string and of the raw input, at
 *    every small buffer size and a large one, always NUL-terminates inside
 *    the buffer and never writes past it (ASan checks the bytes: the buffer
 *    is a heap block of exactly that size);
 *  - its output is printable ASCII only;
 *  - and, untruncated, mg_unescape() reads it back to the same bytes (the
 *    display escapes \\ and \xHH are config escapes too). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_escape: check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

static void display_checks(const char *s)
{
	size_t len = strlen(s);
	/* Small sizes around the 5-byte step of "\xHH" + NUL, and the "..." mark. */
	for (size_t size = 0; size <= 12; size++) {
		char *buf = malloc(size ? size : 1);
		CHECK(buf, "malloc");
		if (size == 0)
			buf[0] = 'Z';
		mg_escape_for_display(s, buf, size);
		if (size == 0)
			CHECK(buf[0] == 'Z', "size 0 must write nothing");
		else
			CHECK(memchr(buf, '\0', size) != NULL, "not terminated at size %zu", size);
		free(buf);
	}
	/* Large enough for every byte as \xHH: never truncated. */
	size_t big = 4 * len + 8;
	char *buf = malloc(big);
	CHECK(buf, "malloc");
	mg_escape_for_display(s, buf, big);
	size_t n = strnlen(buf, big);
	CHECK(n < big, "not terminated");
	for (size_t i = 0; i < n; i++)
		CHECK(buf[i] >= 0x20 && buf[i] < 0x7f, "byte 0x%02x at %zu is not printable",
		      (unsigned char)buf[i], i);
	if (len > 0) {
		char *back = NULL;
		size_t backlen = 0;
		const char *why = NULL;
		int r = mg_unescape(buf, &back, &backlen, &why);
		CHECK(r == 0, "display form '%s' does not unescape: %s", buf, why ? why : "?");
		CHECK(backlen == len && memcmp(back, s, len) == 0,
		      "display form '%s' unescapes to other bytes", buf);
		free(back);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	size_t inlen = strlen(in);

	char *out = NULL;
	size_t outlen = (size_t)-1;
	const char *why = NULL;
	int r = mg_unescape(in, &out, &outlen, &why);
	if (r == 0) {
		CHECK(out != NULL, "success without output");
		CHECK(strlen(out) == outlen, "decoded length %zu but strlen %zu (NUL inside)",
		      outlen, strlen(out));
		CHECK(outlen <= inlen, "decoded %zu bytes from %zu", outlen, inlen);
		display_checks(out);
		free(out);
	} else {
		CHECK(r < 0, "r = %d", r);
		CHECK(why != NULL && why[0] != '\0', "failure without a reason");
	}
	display_checks(in);
	free(in);
	return 0;
}

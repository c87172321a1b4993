/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/escape.c: config escapes in, display escapes out. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

#define UNESCAPE_OK(in, want) unescape_ok_at(__LINE__, (in), (want), sizeof(want) - 1)
static void unescape_ok_at(int at, const char *in, const char *want, size_t wantlen)
{
	char *out = NULL;
	size_t len = 12345;
	const char *why = NULL;
	int r = mg_unescape(in, &out, &len, &why);
	ck_assert_msg(r == 0, "test line %d: '%s' refused (%d): %s", at, in, r, why ? why : "?");
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(len == wantlen, "test line %d: '%s' decoded to %zu bytes, expected %zu", at,
		      in, len, wantlen);
	ck_assert_msg(memcmp(out, want, wantlen + 1) == 0, "test line %d: '%s' decoded wrongly", at,
		      in);
	free(out);
}

#define UNESCAPE_ERR(in, sub) unescape_err_at(__LINE__, (in), (sub))
static void unescape_err_at(int at, const char *in, const char *sub)
{
	char *out = (char *)0x1; /* must stay untouched */
	size_t len = 777;
	const char *why = NULL;
	int r = mg_unescape(in, &out, &len, &why);
	ck_assert_msg(r == -EINVAL, "test line %d: '%s': expected -EINVAL, got %d", at, in, r);
	ck_assert_msg(why && strstr(why, sub), "test line %d: '%s': reason '%s' lacks '%s'", at, in,
		      why ? why : "(null)", sub);
	ck_assert_msg(out == (char *)0x1 && len == 777, "test line %d: outputs written on error",
		      at);
}

START_TEST(test_unescape_plain)
{
	UNESCAPE_OK("", "");
	UNESCAPE_OK("/plain/path", "/plain/path");
	UNESCAPE_OK("a b;c#d", "a b;c#d"); /* only backslash sequences are special */
}
END_TEST

START_TEST(test_unescape_each)
{
	UNESCAPE_OK("\\\\", "\\");
	UNESCAPE_OK("\\;", ";");
	UNESCAPE_OK("\\#", "#");
	UNESCAPE_OK("\\s", " ");
	UNESCAPE_OK("\\t", "\t");
	UNESCAPE_OK("\\n", "\n");
	UNESCAPE_OK("\\x41", "A");
	UNESCAPE_OK("\\x7e", "~");
	UNESCAPE_OK("\\x7E", "~");
	UNESCAPE_OK("\\xff", "\xff");
	UNESCAPE_OK("\\xFf", "\xff");
	UNESCAPE_OK("\\x01", "\x01");
	UNESCAPE_OK("\\x10", "\x10");
	UNESCAPE_OK("\\x0a", "\n");
	UNESCAPE_OK("\\x2f", "/");
	UNESCAPE_OK("\\x5c", "\\"); /* an escaped backslash is not an escape again */
	UNESCAPE_OK("\\x5cx41", "\\x41");
	UNESCAPE_OK("\\\\x41", "\\x41");
	UNESCAPE_OK("\\\\\\s", "\\ ");
}
END_TEST

START_TEST(test_unescape_mixed)
{
	UNESCAPE_OK("/a\\sb\\tc\\nd\\\\e\\;f\\#g\\x41\\xc3\\xa9", "/a b\tc\nd\\e;f#gA\xc3\xa9");
	UNESCAPE_OK("\\s\\s", "  ");
	UNESCAPE_OK("x\\x41\\x42\\x43y", "xABCy");
	UNESCAPE_OK("\\x412", "A2"); /* exactly two hex digits */
}
END_TEST

START_TEST(test_unescape_errors)
{
	UNESCAPE_ERR("\\q", "unknown escape");
	UNESCAPE_ERR("/a\\qb", "unknown escape (known: \\\\ \\; \\# \\s \\t \\n \\xHH)");
	UNESCAPE_ERR("\\0", "unknown escape");
	UNESCAPE_ERR("\\X41", "unknown escape");
	UNESCAPE_ERR("\\ ", "unknown escape");
	UNESCAPE_ERR("\\r", "unknown escape");
	UNESCAPE_ERR("\\", "trailing backslash (write \\\\ for a backslash)");
	UNESCAPE_ERR("/a/\\", "trailing backslash");
	UNESCAPE_ERR("\\\\\\", "trailing backslash");
	UNESCAPE_ERR("\\x", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\x0", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\x4", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\xZZ", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\x4g", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\xg4", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\x 1", "\\x must be followed by two hex digits");
	UNESCAPE_ERR("\\x00", "\\x00: a path cannot contain a NUL byte");
	UNESCAPE_ERR("/ok\\x00/more", "cannot contain a NUL byte");
	/* The first error stops decoding, later valid escapes do not matter. */
	UNESCAPE_ERR("\\q\\s", "unknown escape");
}
END_TEST

#define DISPLAY(in, size, want) display_at(__LINE__, (in), (size), (want))
static void display_at(int at, const char *in, size_t size, const char *want)
{
	char buf[512];
	ck_assert_uint_le(size, sizeof(buf) - 8);
	memset(buf, 'Z', sizeof(buf));
	mg_escape_for_display(in, buf, size);
	ck_assert_msg(strcmp(buf, want) == 0, "test line %d: got '%s', expected '%s'", at, buf,
		      want);
	/* Nothing written past size. */
	for (size_t i = size; i < size + 8; i++)
		ck_assert_msg(buf[i] == 'Z', "test line %d: byte %zu written (size %zu)", at, i,
			      size);
}

START_TEST(test_display)
{
	DISPLAY("", 64, "");
	DISPLAY("/usr/lib", 64, "/usr/lib");
	DISPLAY("a b;c#d\"e'f", 64, "a b;c#d\"e'f");
	DISPLAY("a\\b", 64, "a\\\\b");
	DISPLAY("\n", 64, "\\x0a");
	DISPLAY("\t\r\x1b[2J", 64, "\\x09\\x0d\\x1b[2J");
	DISPLAY("\x01\x1f\x20\x7e\x7f", 64, "\\x01\\x1f ~\\x7f");
	DISPLAY("caf\xc3\xa9", 64, "caf\\xc3\\xa9");
	DISPLAY("\xff", 64, "\\xff");
}
END_TEST

START_TEST(test_display_truncation)
{
	/* Room is kept for the longest escape (4 bytes) and a NUL; what does
	 * not fit is shown as "...". */
	DISPLAY("abcdefghij", 8, "abc...");
	DISPLAY("abc", 9, "abc");
	DISPLAY("\n\n\n\n", 9, "\\x0a...");
	DISPLAY("abcdefghij", 1, "");
	DISPLAY("abcdefghij", 3, "");
	DISPLAY("abcdefghij", 4, "...");
	DISPLAY("abcdefghij", 5, "...");
	/* size 0: nothing at all is written */
	char c = 'Q';
	mg_escape_for_display("abc", &c, 0);
	ck_assert_int_eq(c, 'Q');
}
END_TEST

/* The byte-at-a-time loop mg_escape_for_display was before it learned to
 * copy runs of plain bytes at once: the new one must write exactly what it
 * wrote, at every buffer size. */
static void reference_display(const char *s, char *buf, size_t size)
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

START_TEST(test_display_same_as_bytewise)
{
	/* the edges of every range the word-at-a-time scan tests */
	static const char alphabet[] = "ab/ \\\n\x01\x1f\x7e\x7f\x80\xff\xc3\xa9~[]!";
	char in[48], got[128], want[128];
	unsigned seed = 12345;
	for (int round = 0; round < 4000; round++) {
		size_t len = (size_t)(round % 47);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		in[len] = '\0';
		for (size_t size = 0; size <= 100; size++) {
			memset(got, 'Z', sizeof(got));
			memset(want, 'Z', sizeof(want));
			mg_escape_for_display(in, got, size);
			reference_display(in, want, size);
			ck_assert_msg(memcmp(got, want, sizeof(got)) == 0,
				      "round %d, size %zu: got '%.*s', expected '%.*s'", round, size,
				      (int)size, got, (int)size, want);
		}
	}
}
END_TEST

static Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("unescape");
	tcase_add_test(tc, test_unescape_plain);
	tcase_add_test(tc, test_unescape_each);
	tcase_add_test(tc, test_unescape_mixed);
	tcase_add_test(tc, test_unescape_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("display");
	tcase_add_test(tc, test_display);
	tcase_add_test(tc, test_display_truncation);
	tcase_add_test(tc, test_display_same_as_bytewise);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

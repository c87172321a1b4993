/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for helper/pathset.c and mg_path_lexical (helper/target.c). */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathset.h"
#include "target.h"

#define COVERS(s, p, want)                                                                     \
	ck_assert_msg(mg_pathset_covers((s), (p)) == (want), "covers('%s') should be %s", (p), \
		      (want) ? "true" : "false")

START_TEST(test_empty_set)
{
	struct mg_pathset s = { 0 };
	COVERS(&s, "/", false);
	COVERS(&s, "/a", false);
	COVERS(&s, "", false);
	ck_assert(!mg_pathset_has(&s, "/", 1));
	mg_pathset_free(&s);
	ck_assert_ptr_null(s.slots);
}
END_TEST

START_TEST(test_covers_ancestors)
{
	struct mg_pathset s = { 0 };
	ck_assert_int_eq(mg_pathset_add(&s, "/a/b"), 0);
	ck_assert_uint_eq(s.n, 1);
	COVERS(&s, "/a/b", true);   /* the path itself */
	COVERS(&s, "/a/b/c", true); /* beneath it */
	COVERS(&s, "/a/b/c/d/e", true);
	COVERS(&s, "/a/b/", true); /* a trailing slash names the same directory */
	COVERS(&s, "/a", false);   /* an ancestor is not covered by its child */
	COVERS(&s, "/", false);
	COVERS(&s, "/a/bc", false); /* string prefix, not a path prefix */
	COVERS(&s, "/a/bc/d", false);
	COVERS(&s, "/a/c", false);
	COVERS(&s, "/x/a/b", false);
	COVERS(&s, "/ab", false);
	COVERS(&s, "a/b", false); /* relative spelling is another string */
	mg_pathset_free(&s);
}
END_TEST

START_TEST(test_covers_root)
{
	struct mg_pathset s = { 0 };
	ck_assert_int_eq(mg_pathset_add(&s, "/"), 0);
	COVERS(&s, "/", true);
	COVERS(&s, "/a", true);
	COVERS(&s, "/a/b/c", true);
	mg_pathset_free(&s);

	/* "/x" does not make "/" covered. */
	ck_assert_int_eq(mg_pathset_add(&s, "/x"), 0);
	COVERS(&s, "/", false);
	COVERS(&s, "/y", false);
	COVERS(&s, "/x/y", true);
	mg_pathset_free(&s);
}
END_TEST

START_TEST(test_has_with_length)
{
	struct mg_pathset s = { 0 };
	ck_assert_int_eq(mg_pathset_add(&s, "/a/b"), 0);
	ck_assert(mg_pathset_has(&s, "/a/b", 4));
	ck_assert(mg_pathset_has(&s, "/a/b/c/d", 4)); /* only the first len bytes count */
	ck_assert(!mg_pathset_has(&s, "/a/b/c/d", 6));
	ck_assert(!mg_pathset_has(&s, "/a/b", 3));
	ck_assert(!mg_pathset_has(&s, "/a/bc", 5));
	mg_pathset_free(&s);
}
END_TEST

START_TEST(test_duplicates)
{
	struct mg_pathset s = { 0 };
	ck_assert_int_eq(mg_pathset_add(&s, "/a"), 0);
	ck_assert_int_eq(mg_pathset_add(&s, "/a"), 0);
	ck_assert_int_eq(mg_pathset_add(&s, "/a"), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(mg_pathset_add(&s, "/a/"), 0); /* a different string */
	ck_assert_uint_eq(s.n, 2);
	mg_pathset_free(&s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(s.cap, 0);
}
END_TEST

START_TEST(test_many_paths)
{
	/* Enough to grow the table several times; every member stays
	 * findable and non-members are not found. */
	struct mg_pathset s = { 0 };
	char p[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "/d%d/e%d", i % 97, i);
		ck_assert_int_eq(mg_pathset_add(&s, p), 0);
	}
	ck_assert_uint_eq(s.n, 5000);
	ck_assert_uint_ge(s.cap, 2 * s.n); /* load factor at most 1/2 */
	ck_assert_uint_eq(s.cap & (s.cap - 1), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "/d%d/e%d", i % 97, i);
		ck_assert_msg(mg_pathset_has(&s, p, strlen(p)), "%s lost", p);
		snprintf(p, sizeof(p), "/d%d/e%d/sub/dir", i % 97, i);
		COVERS(&s, p, true);
		snprintf(p, sizeof(p), "/d%d/e%dx", i % 97, i);
		COVERS(&s, p, false);
		snprintf(p, sizeof(p), "/d%d", i % 97);
		COVERS(&s, p, false);
	}
	mg_pathset_free(&s);
}
END_TEST

#define LEX(in, want) lex_at(__LINE__, (in), (want))
static void lex_at(int at, const char *in, const char *want)
{
	char out[PATH_MAX];
	int r = mg_path_lexical(in, out, sizeof(out));
	ck_assert_msg(r == 0, "test line %d: '%s' failed (%d)", at, in, r);
	ck_assert_msg(strcmp(out, want) == 0, "test line %d: '%s' -> '%s', expected '%s'", at, in,
		      out, want);
}

START_TEST(test_lexical)
{
	LEX("/", "/");
	LEX("", "/");
	LEX("//", "/");
	LEX("/.", "/");
	LEX("/a", "/a");
	LEX("a", "/a");
	LEX("a/b", "/a/b");
	LEX("/a/b/", "/a/b");
	LEX("//a///b//", "/a/b");
	LEX("/a/./b/.", "/a/b");
	LEX("/./././a", "/a");
	LEX("/a/b/../c", "/a/c");
	LEX("/a/b/c/../../d", "/a/d");
	LEX("/a/..", "/");
	LEX("/a/../", "/");
	LEX("/..", "/");
	LEX("/../..", "/");
	LEX("/../../etc/passwd", "/etc/passwd");
	LEX("../x", "/x");
	LEX("/a/b/../../..", "/");
	LEX("/a/b/../../../c", "/c");
	LEX("/a/b/../../../c/..", "/");
	LEX("/...", "/...");
	LEX("/a/..b/c", "/a/..b/c");
	LEX("/a/b../c", "/a/b../c");
	LEX("/.a/.b/.", "/.a/.b");
	LEX("/a\\b/ c", "/a\\b/ c");
	LEX("/ab/cd/../ef", "/ab/ef");
}
END_TEST

START_TEST(test_lexical_size)
{
	char out[16];
	memset(out, 'Z', sizeof(out));
	ck_assert_int_eq(mg_path_lexical("/", out, 0), -ENAMETOOLONG);
	ck_assert_int_eq(out[0], 'Z');
	ck_assert_int_eq(mg_path_lexical("/", out, 1), -ENAMETOOLONG);
	ck_assert_int_eq(mg_path_lexical("/", out, 2), 0);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(mg_path_lexical("/a", out, 2), -ENAMETOOLONG);
	ck_assert_int_eq(mg_path_lexical("/a", out, 3), 0);
	ck_assert_str_eq(out, "/a");
	/* "/a/b/c" + NUL = 7 bytes */
	memset(out, 'Z', sizeof(out));
	ck_assert_int_eq(mg_path_lexical("a//b/./c/", out, 7), 0);
	ck_assert_str_eq(out, "/a/b/c");
	ck_assert_int_eq(out[7], 'Z');
	ck_assert_int_eq(mg_path_lexical("/a/b/c", out, 6), -ENAMETOOLONG);
	/* A full-length result fits in PATH_MAX. */
	char *in = malloc(PATH_MAX);
	char *big = malloc(PATH_MAX);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < PATH_MAX - 1; i++)
		in[i] = i % 100 == 0 ? '/' : 'q';
	in[PATH_MAX - 1] = '\0';
	ck_assert_int_eq(mg_path_lexical(in, big, PATH_MAX), 0);
	ck_assert_str_eq(big, in);
	ck_assert_int_eq(mg_path_lexical(in, big, PATH_MAX - 1), -ENAMETOOLONG);
	free(in);
	free(big);
}
END_TEST

static Suite *pathset_suite(void)
{
	Suite *s = suite_create("pathset");
	TCase *tc = tcase_create("pathset");
	tcase_add_test(tc, test_empty_set);
	tcase_add_test(tc, test_covers_ancestors);
	tcase_add_test(tc, test_covers_root);
	tcase_add_test(tc, test_has_with_length);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_many_paths);
	suite_add_tcase(s, tc);
	tc = tcase_create("lexical");
	tcase_add_test(tc, test_lexical);
	tcase_add_test(tc, test_lexical_size);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pathset_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

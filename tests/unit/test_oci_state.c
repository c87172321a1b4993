/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for helper/oci_state.c: the OCI state a hook reads on stdin and
 * the rootfs its bundle's config.json names. Every refusal must be a config
 * error (exit 2) whose message names the document and the reason. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_state.h"

/* ---- state ---------------------------------------------------------------- */

#define STATE_OK(text, bundle, id, status) \
	state_ok_at(__LINE__, (text), sizeof(text) - 1, (bundle), (id), (status))
static void state_ok_at(int at, const char *text, size_t len, const char *bundle, const char *id,
			const char *status)
{
	struct mg_oci_state st;
	struct mg_error err = { 0 };
	int r = mg_oci_state_parse(text, len, &st, &err);
	ck_assert_msg(r == 0, "test line %d: refused: %s", at, err.msg);
	ck_assert_msg(!err.set, "test line %d: error recorded on success", at);
	ck_assert_msg(st.bundle && strcmp(st.bundle, bundle) == 0, "test line %d: bundle '%s'", at,
		      st.bundle ? st.bundle : "(null)");
	ck_assert_msg(id ? st.id && strcmp(st.id, id) == 0 : !st.id, "test line %d: id '%s'", at,
		      st.id ? st.id : "(null)");
	ck_assert_msg(status ? st.status && strcmp(st.status, status) == 0 : !st.status,
		      "test line %d: status '%s'", at, st.status ? st.status : "(null)");
	mg_oci_state_free(&st);
	ck_assert_ptr_null(st.bundle);
}

/* A string literal, NUL bytes included. */
#define STATE_ERR(text, sub) state_err_at(__LINE__, (text), sizeof(text) - 1, (sub))
static void state_err_at(int at, const char *text, size_t len, const char *sub)
{
	struct mg_oci_state st = { .id = (char *)0x1 };
	struct mg_error err = { 0 };
	int r = mg_oci_state_parse(text, len, &st, &err);
	ck_assert_msg(r < 0, "test line %d: accepted", at);
	ck_assert_msg(err.set && err.kind == MG_EXIT_USAGE && err.stage == MG_STAGE_CONFIG,
		      "test line %d: not a config error (kind %d)", at, (int)err.kind);
	ck_assert_msg(strstr(err.msg, "OCI state") && strstr(err.msg, sub),
		      "test line %d: message '%s' lacks '%s'", at, err.msg, sub);
	ck_assert_msg(!st.id && !st.status && !st.bundle, "test line %d: output left set", at);
}

START_TEST(test_state_minimal_and_full)
{
	STATE_OK("{\"bundle\":\"/b\"}", "/b", NULL, NULL);
	STATE_OK(" \n\t{ \"bundle\" : \"/var/lib/c/x\" }\r\n", "/var/lib/c/x", NULL, NULL);
	/* What runc 1.1 writes to a createContainer hook. */
	STATE_OK("{\"ociVersion\":\"1.0.2-dev\",\"id\":\"web-1\",\"status\":\"creating\",\"pid\":1,"
		 "\"bundle\":\"/run/b\",\"annotations\":{\"org.example/a\":\"x\",\"n\":\"\"}}",
		 "/run/b", "web-1", "creating");
	STATE_OK("{\"bundle\":\"/b\",\"status\":\"created\",\"pid\":4242}", "/b", NULL, "created");
	/* JSON escapes are decoded: "\/" and a UTF-8 character. */
	STATE_OK("{\"bundle\":\"\\/b\\u00e9\"}", "/b\xc3\xa9", NULL, NULL);
	/* Unknown keys and their values are ignored. */
	STATE_OK("{\"x\":[1,2,{\"y\":null}],\"bundle\":\"/b\",\"z\":true}", "/b", NULL, NULL);
}
END_TEST

START_TEST(test_state_duplicate_keys_last_wins)
{
	/* json-c's rule: a repeated key keeps its last value (as Go's). */
	STATE_OK("{\"bundle\":\"/first\",\"bundle\":\"/second\"}", "/second", NULL, NULL);
	STATE_OK("{\"bundle\":\"relative\",\"bundle\":\"/b\"}", "/b", NULL, NULL);
	STATE_ERR("{\"bundle\":\"/b\",\"bundle\":\"relative\"}", "not an absolute path");
	STATE_ERR("{\"status\":\"creating\",\"bundle\":\"/b\",\"status\":\"running\"}",
		  "createContainer");
}
END_TEST

START_TEST(test_state_malformed)
{
	STATE_ERR("", "is empty");
	STATE_ERR(" \n\t ", "is empty");
	STATE_ERR("{", "truncated");
	STATE_ERR("{\"bundle\":\"/b\"", "truncated");
	STATE_ERR("{\"bundle\":\"/b", "truncated");
	STATE_ERR("{\"bundle\":\"/b\",}", "not valid JSON");
	STATE_ERR("{\"bundle\" \"/b\"}", "not valid JSON");
	STATE_ERR("{bundle:\"/b\"}", "not valid JSON");
	STATE_ERR("{\"bundle\":\"/b\"} x", "not valid JSON");
	STATE_ERR("{\"bundle\":\"/b\"}{}", "not valid JSON");
	STATE_ERR("{/* c */\"bundle\":\"/b\"}", "not valid JSON");
	STATE_ERR("{\"bundle\":\"/b\",\"pid\":01}", "not valid JSON");
	STATE_ERR("{\"bundle\":\"/b\\q\"}", "not valid JSON");
	STATE_ERR("{\"bundle\":\"/b\xff\"}", "not valid JSON"); /* not UTF-8 */
	STATE_ERR("{\"bundle\":\"/b\xc3\"}", "not valid JSON"); /* cut UTF-8 */
	STATE_ERR("[]", "not a JSON object");
	STATE_ERR("[{\"bundle\":\"/b\"}]", "not a JSON object");
	STATE_ERR("\"/b\"", "not a JSON object");
	/* json-c waits for more input after a bare top-level literal. */
	STATE_ERR("null", "truncated");
	STATE_ERR("true", "truncated");
	STATE_ERR("[true]", "not a JSON object");
}
END_TEST

START_TEST(test_state_nul)
{
	/* A raw NUL byte would end json-c's parse: refused wherever it is. */
	STATE_ERR("{\"bundle\":\"/b\"}\0", "NUL byte at offset 15");
	STATE_ERR("{\"bundle\":\"/b\"}\0{\"bundle\":\"/c\"}", "NUL byte at offset 15");
	STATE_ERR("{\"bundle\":\"/b\0/c\"}", "NUL byte at offset 13");
	STATE_ERR("\0", "NUL byte at offset 0");
	/* An escaped one would cut the string when used as a C string. */
	STATE_ERR("{\"bundle\":\"/b\\u0000/c\"}", "\"bundle\" has a NUL character");
	STATE_ERR("{\"bundle\":\"/b\",\"id\":\"a\\u0000b\"}", "\"id\" has a NUL character");
}
END_TEST

START_TEST(test_state_fields)
{
	STATE_ERR("{}", "has no \"bundle\"");
	STATE_ERR("{\"Bundle\":\"/b\"}", "has no \"bundle\"");
	STATE_ERR("{\"bundle\":null}", "\"bundle\" is not a string");
	STATE_ERR("{\"bundle\":5}", "\"bundle\" is not a string");
	STATE_ERR("{\"bundle\":[\"/b\"]}", "\"bundle\" is not a string");
	STATE_ERR("{\"bundle\":{\"path\":\"/b\"}}", "\"bundle\" is not a string");
	STATE_ERR("{\"bundle\":\"\"}", "bundle \"\" is not an absolute path");
	STATE_ERR("{\"bundle\":\"b\"}", "bundle \"b\" is not an absolute path");
	STATE_ERR("{\"bundle\":\"./b\"}", "is not an absolute path");
	/* Untrusted text is shown escaped. */
	STATE_ERR("{\"bundle\":\"b\\nc\"}", "bundle \"b\\x0ac\" is not an absolute path");
	STATE_ERR("{\"bundle\":\"/b\",\"id\":7}", "\"id\" is not a string");
	STATE_ERR("{\"bundle\":\"/b\",\"ociVersion\":1.0}", "\"ociVersion\" is not a string");
	STATE_ERR("{\"bundle\":\"/b\",\"status\":null}", "\"status\" is not a string");
}
END_TEST

START_TEST(test_state_status)
{
	STATE_ERR("{\"bundle\":\"/b\",\"status\":\"running\"}", "status \"running\"");
	STATE_ERR("{\"bundle\":\"/b\",\"status\":\"stopped\"}", "createContainer");
	STATE_ERR("{\"bundle\":\"/b\",\"status\":\"\"}", "status \"\"");
	STATE_ERR("{\"bundle\":\"/b\",\"status\":\"Creating\"}", "createContainer");
	STATE_ERR("{\"bundle\":\"/b\",\"status\":\"creating \"}", "createContainer");
}
END_TEST

/* A document nested `levels` deep (objects and arrays, the outer object
 * included), with "bundle" at the top. */
static char *nested(int levels)
{
	size_t cap = 64 + 2 * (size_t)levels;
	char *s = malloc(cap);
	ck_assert_ptr_nonnull(s);
	size_t n = (size_t)snprintf(s, cap, "{\"bundle\":\"/b\",\"a\":");
	for (int i = 1; i < levels; i++)
		s[n++] = '[';
	for (int i = 1; i < levels; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

START_TEST(test_state_depth)
{
	struct mg_oci_state st;
	struct mg_error err = { 0 };
	char *s = nested(MG_OCI_JSON_MAX_DEPTH);
	ck_assert_msg(mg_oci_state_parse(s, strlen(s), &st, &err) == 0, "%s", err.msg);
	mg_oci_state_free(&st);
	free(s);

	s = nested(MG_OCI_JSON_MAX_DEPTH + 1);
	err = (struct mg_error){ 0 };
	ck_assert_int_lt(mg_oci_state_parse(s, strlen(s), &st, &err), 0);
	ck_assert_msg(err.kind == MG_EXIT_USAGE && strstr(err.msg, "nests deeper than 16 levels"),
		      "%s", err.msg);
	free(s);

	/* Far deeper: refused the same way, no recursion to overflow. */
	s = nested(100000);
	err = (struct mg_error){ 0 };
	ck_assert_int_lt(mg_oci_state_parse(s, strlen(s), &st, &err), 0);
	ck_assert_msg(strstr(err.msg, "nests deeper"), "%s", err.msg);
	free(s);
}
END_TEST

/* A file of `size` bytes: a valid state padded with spaces. */
static int state_file(size_t size)
{
	static const char doc[] = "{\"bundle\":\"/b\",\"id\":\"big\"}";
	char path[] = "/tmp/mg-oci-unit.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, doc, sizeof(doc) - 1), (ssize_t)(sizeof(doc) - 1));
	char pad[4096];
	memset(pad, ' ', sizeof(pad));
	for (size_t left = size - (sizeof(doc) - 1); left > 0;) {
		size_t k = left < sizeof(pad) ? left : sizeof(pad);
		ck_assert_int_eq(write(fd, pad, k), (ssize_t)k);
		left -= k;
	}
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

START_TEST(test_state_read_limit)
{
	struct mg_oci_state st;
	struct mg_error err = { 0 };
	/* Exactly the limit: read whole and accepted. */
	int fd = state_file(MG_OCI_STATE_MAX);
	ck_assert_msg(mg_oci_state_read(fd, &st, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(st.id, "big");
	mg_oci_state_free(&st);
	close(fd);
	/* One byte more: refused, never cut to the limit and parsed. */
	fd = state_file(MG_OCI_STATE_MAX + 1);
	err = (struct mg_error){ 0 };
	ck_assert_int_lt(mg_oci_state_read(fd, &st, &err), 0);
	ck_assert_msg(err.kind == MG_EXIT_USAGE && strstr(err.msg, "larger than 1 MiB"), "%s",
		      err.msg);
	ck_assert_ptr_null(st.bundle);
	close(fd);
	/* An unreadable fd. */
	err = (struct mg_error){ 0 };
	ck_assert_int_lt(mg_oci_state_read(-1, &st, &err), 0);
	ck_assert_msg(err.kind == MG_EXIT_USAGE && err.err == EBADF, "%s", err.msg);
}
END_TEST

START_TEST(test_state_read_pipe)
{
	/* The runtime writes the state into a pipe and closes it. */
	static const char doc[] = "{\"bundle\":\"/p\",\"status\":\"creating\"}\n";
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], doc, sizeof(doc) - 1), (ssize_t)(sizeof(doc) - 1));
	close(p[1]);
	struct mg_oci_state st;
	struct mg_error err = { 0 };
	ck_assert_msg(mg_oci_state_read(p[0], &st, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(st.bundle, "/p");
	ck_assert_str_eq(st.status, "creating");
	mg_oci_state_free(&st);
	close(p[0]);
}
END_TEST

/* ---- config.json ---------------------------------------------------------- */

#define ROOT_OK(text, bundle, want) root_ok_at(__LINE__, (text), (bundle), (want))
static void root_ok_at(int at, const char *text, const char *bundle, const char *want)
{
	char *rootfs = NULL;
	struct mg_error err = { 0 };
	int r = mg_oci_config_rootfs(text, strlen(text), bundle, &rootfs, &err);
	ck_assert_msg(r == 0, "test line %d: refused: %s", at, err.msg);
	ck_assert_msg(rootfs && strcmp(rootfs, want) == 0, "test line %d: rootfs '%s', want '%s'",
		      at, rootfs ? rootfs : "(null)", want);
	free(rootfs);
}

#define ROOT_ERR(text, sub) root_err_at(__LINE__, (text), sizeof(text) - 1, (sub))
static void root_err_at(int at, const char *text, size_t len, const char *sub)
{
	char *rootfs = (char *)0x1;
	struct mg_error err = { 0 };
	int r = mg_oci_config_rootfs(text, len, "/bun", &rootfs, &err);
	ck_assert_msg(r < 0, "test line %d: accepted", at);
	ck_assert_msg(err.set && err.kind == MG_EXIT_USAGE, "test line %d: not a config error", at);
	ck_assert_msg(strstr(err.msg, "/bun/config.json") && strstr(err.msg, sub),
		      "test line %d: message '%s' lacks '%s'", at, err.msg, sub);
	ck_assert_msg(rootfs == NULL, "test line %d: rootfs set on error", at);
}

START_TEST(test_config_rootfs)
{
	ROOT_OK("{\"root\":{\"path\":\"rootfs\"}}", "/b", "/b/rootfs");
	ROOT_OK("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
		"\"process\":{\"args\":[\"sh\"]}}",
		"/var/lib/x", "/var/lib/x/rootfs");
	/* Cleaned as runc's filepath.Join cleans it. */
	ROOT_OK("{\"root\":{\"path\":\"./rootfs/\"}}", "/b", "/b/rootfs");
	ROOT_OK("{\"root\":{\"path\":\"a//b/./c\"}}", "/b/", "/b/a/b/c");
	ROOT_OK("{\"root\":{\"path\":\"../other\"}}", "/b/c", "/b/other");
	ROOT_OK("{\"root\":{\"path\":\"../../../..\"}}", "/b", "/");
	/* Absolute: the bundle plays no part. */
	ROOT_OK("{\"root\":{\"path\":\"/srv/root\"}}", "/b", "/srv/root");
	ROOT_OK("{\"root\":{\"path\":\"/srv/./root/\"}}", "/b", "/srv/root");
	/* json-c's rule for a repeated key: the last value (Go's too). */
	ROOT_OK("{\"root\":{\"path\":\"one\",\"path\":\"two\"}}", "/b", "/b/two");
	ROOT_OK("{\"root\":{\"path\":\"one\"},\"root\":{\"path\":\"two\"}}", "/b", "/b/two");
}
END_TEST

START_TEST(test_config_refusals)
{
	ROOT_ERR("", "is empty");
	ROOT_ERR("{\"root\":{\"path\":\"rootfs\"}", "truncated");
	ROOT_ERR("{\"root\":{\"path\":\"rootfs\",}}", "not valid JSON");
	ROOT_ERR("{\"root\":{\"path\":\"rootfs\"}}\0", "NUL byte");
	ROOT_ERR("[]", "not a JSON object");
	ROOT_ERR("{}", "has no \"root\"");
	ROOT_ERR("{\"root\":null}", "\"root\" is not an object");
	ROOT_ERR("{\"root\":\"rootfs\"}", "\"root\" is not an object");
	ROOT_ERR("{\"root\":{}}", "has no \"root.path\"");
	ROOT_ERR("{\"root\":{\"path\":null}}", "\"root.path\" is not a string");
	ROOT_ERR("{\"root\":{\"path\":[\"rootfs\"]}}", "\"root.path\" is not a string");
	ROOT_ERR("{\"root\":{\"path\":\"\"}}", "root.path is empty");
	ROOT_ERR("{\"root\":{\"path\":\"root\\u0000fs\"}}", "\"root.path\" has a NUL character");
}
END_TEST

START_TEST(test_config_case_variants)
{
	/* runc (Go) would take "Path" or "ROOT" for root.path: mount-guard
	 * refuses instead of reading another rootfs than the runtime's. */
	ROOT_ERR("{\"root\":{\"path\":\"rootfs\",\"Path\":\"/elsewhere\"}}",
		 "key \"Path\" differs from \"path\" only in case");
	ROOT_ERR("{\"root\":{\"PATH\":\"/elsewhere\"}}", "only in case");
	ROOT_ERR("{\"root\":{\"path\":\"rootfs\"},\"Root\":{\"path\":\"/elsewhere\"}}",
		 "key \"Root\" differs from \"root\" only in case");
	ROOT_ERR("{\"rOOt\":{\"path\":\"rootfs\"}}", "only in case");
	/* Other keys in other cases are someone else's business. */
	ROOT_OK("{\"root\":{\"path\":\"rootfs\",\"Readonly\":true},\"Process\":{}}", "/b",
		"/b/rootfs");
}
END_TEST

START_TEST(test_config_depth)
{
	char doc[256];
	size_t n = (size_t)snprintf(doc, sizeof(doc), "{\"root\":{\"path\":\"r\"},\"a\":");
	for (int i = 0; i < MG_OCI_JSON_MAX_DEPTH; i++)
		doc[n++] = '[';
	for (int i = 0; i < MG_OCI_JSON_MAX_DEPTH; i++)
		doc[n++] = ']';
	doc[n++] = '}';
	doc[n] = '\0';
	char *rootfs = NULL;
	struct mg_error err = { 0 };
	ck_assert_int_lt(mg_oci_config_rootfs(doc, n, "/b", &rootfs, &err), 0);
	ck_assert_msg(strstr(err.msg, "nests deeper"), "%s", err.msg);
	ck_assert_ptr_null(rootfs);
}
END_TEST

START_TEST(test_config_path_max)
{
	/* A path that fits alone, but not joined to the bundle: refused, never
	 * cut to PATH_MAX. */
	size_t plen = PATH_MAX - 8;
	char *doc = malloc(plen + 64);
	ck_assert_ptr_nonnull(doc);
	size_t n = (size_t)sprintf(doc, "{\"root\":{\"path\":\"");
	memset(doc + n, 'a', plen);
	n += plen;
	n += (size_t)sprintf(doc + n, "\"}}");
	char *rootfs = NULL;
	struct mg_error err = { 0 };
	ck_assert_int_lt(mg_oci_config_rootfs(doc, n, "/bundle/dir", &rootfs, &err), 0);
	ck_assert_msg(strstr(err.msg, "longer than PATH_MAX"), "%s", err.msg);
	ck_assert_ptr_null(rootfs);
	free(doc);
}
END_TEST

/* ---- BUNDLE/config.json --------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void rm_bundle(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_bundle_rootfs)
{
	char dir[] = "/tmp/mg-oci-bundle.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "config.json", "{\"root\":{\"path\":\"rootfs\"}}\n");
	char *rootfs = NULL;
	struct mg_error err = { 0 };
	ck_assert_msg(mg_oci_bundle_rootfs(dir, &rootfs, &err) == 0, "%s", err.msg);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/rootfs", dir);
	ck_assert_str_eq(rootfs, want);
	free(rootfs);
	rm_bundle(dir);
}
END_TEST

#define BUNDLE_ERR(dir, sub, errno_) bundle_err_at(__LINE__, (dir), (sub), (errno_))
static void bundle_err_at(int at, const char *dir, const char *sub, int want_errno)
{
	char *rootfs = (char *)0x1;
	struct mg_error err = { 0 };
	ck_assert_msg(mg_oci_bundle_rootfs(dir, &rootfs, &err) < 0, "test line %d: accepted", at);
	ck_assert_msg(err.kind == MG_EXIT_USAGE && strstr(err.msg, sub),
		      "test line %d: message '%s' lacks '%s'", at, err.msg, sub);
	ck_assert_msg(err.err == want_errno, "test line %d: errno %d, want %d", at, err.err,
		      want_errno);
	ck_assert_ptr_null(rootfs);
}

START_TEST(test_bundle_refusals)
{
	char dir[] = "/tmp/mg-oci-bundle.XXXXXX", path[PATH_MAX];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* No config.json. */
	BUNDLE_ERR(dir, "cannot open", ENOENT);
	/* A directory, a FIFO (must not hang): not regular files. */
	snprintf(path, sizeof(path), "%s/config.json", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	BUNDLE_ERR(dir, "config.json is not a regular file", 0);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	BUNDLE_ERR(dir, "config.json is not a regular file", 0);
	ck_assert_int_eq(unlink(path), 0);
	/* Larger than the limit (a sparse file): refused, not cut. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)MG_OCI_CONFIG_MAX + 1), 0);
	close(fd);
	BUNDLE_ERR(dir, "config.json is larger than 4 MiB", EFBIG);
	ck_assert_int_eq(unlink(path), 0);
	/* Malformed: the message names the file. */
	write_file(dir, "config.json", "{\"root\":{\"path\":\"rootfs\"}");
	BUNDLE_ERR(dir, "/config.json ends inside its JSON value", 0);
	rm_bundle(dir);
	/* A bundle that does not exist. */
	BUNDLE_ERR("/nonexistent-mg-bundle", "cannot open /nonexistent-mg-bundle/config.json", ENOENT);
}
END_TEST

static Suite *oci_suite(void)
{
	Suite *s = suite_create("oci_state");
	TCase *tc = tcase_create("state");
	tcase_add_test(tc, test_state_minimal_and_full);
	tcase_add_test(tc, test_state_duplicate_keys_last_wins);
	tcase_add_test(tc, test_state_malformed);
	tcase_add_test(tc, test_state_nul);
	tcase_add_test(tc, test_state_fields);
	tcase_add_test(tc, test_state_status);
	tcase_add_test(tc, test_state_depth);
	tcase_add_test(tc, test_state_read_limit);
	tcase_add_test(tc, test_state_read_pipe);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_test(tc, test_config_rootfs);
	tcase_add_test(tc, test_config_refusals);
	tcase_add_test(tc, test_config_case_variants);
	tcase_add_test(tc, test_config_depth);
	tcase_add_test(tc, test_config_path_max);
	suite_add_tcase(s, tc);
	tc = tcase_create("bundle");
	tcase_add_test(tc, test_bundle_rootfs);
	tcase_add_test(tc, test_bundle_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(oci_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

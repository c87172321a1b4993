/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for exec's part of the configuration: [options] readonly-root
 * (helper/config_ini.c) and the shared plan loader of apply, plan and exec
 * (helper/cmd_apply.c: mg_plan_load), which keeps the key to exec. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config_ini.h"
#include "mg_error.h"
#include "plan.h"

#define CONF_NAME "exec.conf"
#define ONE_MOUNT "[mount t]\ntype = tmpfs\ntarget = /t\n"

static int parse(const char *text, struct mg_plan *p, struct mg_error *e)
{
	mg_plan_init(p);
	memset(e, 0, sizeof(*e));
	return mg_config_parse(CONF_NAME, text, strlen(text), p, e);
}

/* text must be refused at `line` with `sub` in the message, as a config
 * error (exit 2) naming the file. */
#define PARSE_ERR(text, line, sub) parse_err_at(__LINE__, (text), (line), (sub))
static void parse_err_at(int at, const char *text, unsigned line, const char *sub)
{
	struct mg_plan p;
	struct mg_error e;
	int r = parse(text, &p, &e);
	ck_assert_msg(r == -EINVAL && e.set, "test line %d: expected a refusal, got %d", at, r);
	ck_assert_msg(e.kind == MG_EXIT_USAGE && e.stage == MG_STAGE_CONFIG,
		      "test line %d: kind %d stage %d", at, e.kind, e.stage);
	ck_assert_msg(e.line == line, "test line %d: line %u, expected %u ('%s')", at, e.line, line,
		      e.msg);
	ck_assert_msg(e.file && strcmp(e.file, CONF_NAME) == 0, "test line %d: file", at);
	ck_assert_msg(strstr(e.msg, sub), "test line %d: '%s' lacks '%s'", at, e.msg, sub);
	ck_assert_msg(p.n == 0 && !p.readonly_root, "test line %d: plan not emptied", at);
	mg_plan_free(&p);
}

START_TEST(test_readonly_root_yes_no)
{
	struct mg_plan p;
	struct mg_error e;
	ck_assert_int_eq(parse("[options]\nreadonly-root = yes\n" ONE_MOUNT, &p, &e), 0);
	ck_assert(p.readonly_root);
	ck_assert_uint_eq(p.readonly_root_line, 2);
	mg_plan_free(&p);
	ck_assert_int_eq(parse("# c\n\n[options]\nsymlinks = refuse\nreadonly-root = no\n" ONE_MOUNT,
			       &p, &e),
			 0);
	ck_assert(!p.readonly_root);
	ck_assert_uint_eq(p.readonly_root_line, 5);
	mg_plan_free(&p);
	/* Not set at all: writable, no line. */
	ck_assert_int_eq(parse(ONE_MOUNT, &p, &e), 0);
	ck_assert(!p.readonly_root);
	ck_assert_uint_eq(p.readonly_root_line, 0);
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_readonly_root_bad_values)
{
	/* yes or no, exactly: nothing else is guessed at. */
	static const char *const bad[] = { "maybe", "Yes", "YES", "true", "1", "on", "y", "yes yes",
					   "no\\x00", "\\x79es" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "[options]\nsymlinks = in-root\nreadonly-root = %s\n" ONE_MOUNT,
			 bad[i]);
		PARSE_ERR(text, 3, "readonly-root must be yes or no");
	}
	PARSE_ERR("[options]\nreadonly-root =\n" ONE_MOUNT, 2, "empty value");
}
END_TEST

START_TEST(test_readonly_root_duplicate)
{
	PARSE_ERR("[options]\nreadonly-root = no\nreadonly-root = no\n" ONE_MOUNT, 3,
		  "duplicate key 'readonly-root' (first at line 2)");
	PARSE_ERR("[options]\nreadonly-root = yes\nsymlinks = refuse\nreadonly-root = no\n" ONE_MOUNT, 4,
		  "duplicate key 'readonly-root' (first at line 2)");
	/* Only in [options]. */
	PARSE_ERR(ONE_MOUNT "readonly-root = yes\n", 4, "unknown key 'readonly-root'");
	PARSE_ERR("[options]\nread-only-root = yes\n" ONE_MOUNT, 2, "readonly-root)");
}
END_TEST

/* mg_plan_load reads --config from a file. */
static char conf_path[64];

static void write_conf(const char *text)
{
	strcpy(conf_path, "/tmp/mg-unit-exec.XXXXXX");
	int fd = mkstemp(conf_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int load(const char *command, const char *preset, struct mg_plan *p, struct mg_error *e)
{
	struct cli c = { .command = command, .root = "/nonexistent", .config = conf_path,
			 .preset = preset, .fd = -1, .as_uid = -1, .as_gid = -1 };
	mg_plan_init(p);
	memset(e, 0, sizeof(*e));
	return mg_plan_load(&c, p, e);
}

START_TEST(test_load_keeps_readonly_root_to_exec)
{
	struct mg_plan p;
	struct mg_error e;
	write_conf("[options]\nreadonly-root = yes\n" ONE_MOUNT);
	ck_assert_int_eq(load("exec", NULL, &p, &e), 0);
	ck_assert(p.readonly_root && p.n == 1 && !e.set);
	mg_plan_free(&p);
	/* apply and plan never switch into the root: refused, naming the line. */
	static const char *const others[] = { "apply", "plan" };
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_lt(load(others[i], NULL, &p, &e), 0);
		ck_assert(e.set && e.kind == MG_EXIT_USAGE && e.stage == MG_STAGE_CONFIG);
		ck_assert_uint_eq(e.line, 2);
		ck_assert_str_eq(e.file, conf_path);
		ck_assert_msg(strstr(e.msg, "readonly-root = yes is for exec only"), "%s", e.msg);
		mg_plan_free(&p);
	}
	unlink(conf_path);
	/* = no asks nothing of them. */
	write_conf("[options]\nreadonly-root = no\n" ONE_MOUNT);
	ck_assert_int_eq(load("apply", NULL, &p, &e), 0);
	mg_plan_free(&p);
	unlink(conf_path);
}
END_TEST

START_TEST(test_load_preset_and_empty)
{
	struct mg_plan p;
	struct mg_error e;
	/* A config with only options is fine with a preset ... */
	write_conf("[options]\nreadonly-root = yes\n");
	ck_assert_int_eq(load("exec", "minimal-chroot", &p, &e), 0);
	ck_assert(p.readonly_root && p.n > 0);
	mg_plan_free(&p);
	/* ... and a config error without one. */
	ck_assert_int_lt(load("exec", NULL, &p, &e), 0);
	ck_assert(e.set && e.kind == MG_EXIT_USAGE);
	mg_plan_free(&p);
	unlink(conf_path);
	/* No config at all (mount arguments or a preset bring the entries). */
	conf_path[0] = '\0';
	struct cli c = { .command = "exec", .root = "/nonexistent", .preset = "minimal-chroot",
			 .fd = -1, .as_uid = -1, .as_gid = -1 };
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_plan_load(&c, &p, &e), 0);
	ck_assert(!p.readonly_root && p.n > 0);
	ck_assert_str_eq(p.file, "<none>");
	mg_plan_free(&p);
}
END_TEST

static Suite *exec_config_suite(void)
{
	Suite *s = suite_create("exec_config");
	TCase *tc = tcase_create("readonly-root");
	tcase_add_test(tc, test_readonly_root_yes_no);
	tcase_add_test(tc, test_readonly_root_bad_values);
	tcase_add_test(tc, test_readonly_root_duplicate);
	suite_add_tcase(s, tc);
	tc = tcase_create("load");
	tcase_add_test(tc, test_load_keeps_readonly_root_to_exec);
	tcase_add_test(tc, test_load_preset_and_empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(exec_config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

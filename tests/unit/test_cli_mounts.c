/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the bubblewrap-style mount arguments: how helper/cli.c
 * collects them and how helper/cli_mounts.c turns them into plan entries. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_mounts.h"
#include "config_ini.h"
#include "mg_error.h"
#include "mntopts.h"
#include "plan.h"

/* Parses a NULL-terminated word list (argv[0] included). */
#define PARSE(cli, ...) parse_words((cli), (char *[]){ __VA_ARGS__, NULL })
static int parse_words(struct cli *c, char **words)
{
	int argc = 0;
	while (words[argc])
		argc++;
	memset(c, 0, sizeof(*c));
	return mg_cli_parse(argc, words, c);
}

static char tmpdir[PATH_MAX];
static char srcdir[PATH_MAX + 8], srcfile[PATH_MAX + 8], srclink[PATH_MAX + 8];

static void make_sources(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mg-unit-cli.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(srcdir, sizeof(srcdir), "%s/d", tmpdir);
	snprintf(srcfile, sizeof(srcfile), "%s/f", tmpdir);
	snprintf(srclink, sizeof(srclink), "%s/l", tmpdir);
	ck_assert_int_eq(mkdir(srcdir, 0755), 0);
	FILE *f = fopen(srcfile, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(symlink(srcfile, srclink), 0);
}

static void remove_sources(void)
{
	unlink(srclink);
	unlink(srcfile);
	rmdir(srcdir);
	rmdir(tmpdir);
}

START_TEST(collects_in_order_with_positions)
{
	struct cli c;
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--root", "/r", "--bind", "/a", "/b", "--tmpfs",
			       "/t", "--ro-bind=/c", "/d", "--mask", "/m", "--json"),
			 0);
	ck_assert_uint_eq(c.nmounts, 4);
	ck_assert_int_eq(c.mounts[0].kind, MG_CLI_BIND);
	ck_assert_int_eq(c.mounts[0].argi, 4);
	ck_assert_str_eq(c.mounts[0].arg, "/a");
	ck_assert_str_eq(c.mounts[0].dst, "/b");
	ck_assert_int_eq(c.mounts[1].kind, MG_CLI_TMPFS);
	ck_assert_int_eq(c.mounts[1].argi, 7);
	ck_assert_ptr_null(c.mounts[1].dst);
	/* --opt=VALUE is one word: the option's position still counts. */
	ck_assert_int_eq(c.mounts[2].kind, MG_CLI_RO_BIND);
	ck_assert_int_eq(c.mounts[2].argi, 9);
	ck_assert_str_eq(c.mounts[2].arg, "/c");
	ck_assert_str_eq(c.mounts[2].dst, "/d");
	ck_assert_int_eq(c.mounts[3].argi, 11);
	ck_assert(c.json);
	ck_assert_ptr_null(c.config);
	mg_cli_free(&c);
	ck_assert_ptr_null(c.mounts);
}
END_TEST

START_TEST(parses_again)
{
	/* A second parse in one process starts afresh (getopt's state). */
	struct cli c;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(PARSE(&c, "mount-guard", "plan", "--root", "/r", "--proc", "/proc"), 0);
		ck_assert_uint_eq(c.nmounts, 1);
		ck_assert_int_eq(c.mounts[0].argi, 4);
		mg_cli_free(&c);
	}
}
END_TEST

START_TEST(exec_command_after_mounts)
{
	struct cli c;
	/* exec_argv points into the words: they must outlive the parse. */
	char *words[] = { "mount-guard", "exec", "--root", "/r", "--bind", "/a", "/b",
			  "--", "/bin/sh", "-c", "true", NULL };
	ck_assert_int_eq(parse_words(&c, words), 0);
	ck_assert_uint_eq(c.nmounts, 1);
	ck_assert_ptr_nonnull(c.exec_argv);
	ck_assert_str_eq(c.exec_argv[0], "/bin/sh");
	ck_assert_str_eq(c.exec_argv[1], "-c");
	mg_cli_free(&c);
}
END_TEST

START_TEST(refusals)
{
	struct cli c;
	/* A second operand that is missing, or the end of exec's options. */
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--root", "/r", "--bind", "/a"), -EINVAL);
	ck_assert_ptr_null(c.mounts);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "exec", "--root", "/r", "--bind", "/a", "--", "/bin/true"),
			 -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--root", "/r", "--tmpfs"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--root", "/r", "--bind", "/a", "/b", "/c"),
			 -EINVAL);
	/* Commands that take no mount arguments. */
	ck_assert_int_eq(PARSE(&c, "mount-guard", "teardown", "--root", "/r", "--tmpfs", "/t"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "show", "--root", "/r", "--ro", "/t"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "serve", "--fd", "3", "--mask", "/t"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "oci-hook", "--preset", "oci-default", "--proc", "/p"),
			 -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "policy", "check", "/p", "--rw", "/t"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "plan", "--as-uid", "1", "--rw", "/t"), -EINVAL);
	/* Alone, they are enough for apply, plan and exec; nothing is not. */
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--root", "/r"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "apply", "--tmpfs", "/t"), -EINVAL);
	ck_assert_int_eq(PARSE(&c, "mount-guard", "show", "--root", "/r"), 0);
	mg_cli_free(&c);
}
END_TEST

/* A plan as a config would leave it, then the arguments of `words`. */
static int append(struct mg_plan *p, struct mg_error *e, const char *conf, char **words)
{
	struct cli c;
	int argc = 0;
	while (words[argc])
		argc++;
	memset(e, 0, sizeof(*e));
	mg_plan_init(p);
	if (conf)
		ck_assert_int_eq(mg_config_parse("t.conf", conf, strlen(conf), p, e), 0);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(mg_cli_parse(argc, words, &c), 0);
	int r = mg_cli_mounts_append(&c, p, e);
	mg_cli_free(&c);
	return r;
}
#define APPEND(p, e, conf, ...) append((p), (e), (conf), (char *[]){ __VA_ARGS__, NULL })

START_TEST(entries_like_config_sections)
{
	struct mg_plan p;
	struct mg_error e;
	char opts[256], origin[PATH_MAX * 2];
	make_sources();
	ck_assert_int_eq(APPEND(&p, &e, "[mount a]\ntype = tmpfs\ntarget = /a\n", "mount-guard", "apply",
				"--root", "/r", "--config", "t.conf", "--bind", srcdir, "/d", "--tmpfs", "/t"),
			 0);
	/* The config's entries first, then the arguments, in order. */
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.entries[0].name, "a");
	ck_assert_ptr_null(p.entries[0].origin);
	ck_assert_str_eq(p.entries[2].name, "arg9-tmpfs");

	const struct mg_entry *e1 = &p.entries[1];
	ck_assert_str_eq(e1->name, "arg6-bind");
	ck_assert_int_eq(e1->kind, MG_KIND_MOUNT);
	ck_assert_int_eq(e1->type, MG_FS_RBIND);
	ck_assert_str_eq(e1->source, srcdir);
	ck_assert_str_eq(e1->target, "/d");
	ck_assert_int_eq(e1->create, MG_CREATE_DIR);
	ck_assert_int_eq(e1->mode, 0755);
	ck_assert_int_eq(e1->source_fd, -1);
	mg_mntopts_format_attrs(&e1->opts, opts, sizeof(opts));
	ck_assert_str_eq(opts, "nosuid,nodev");
	/* Messages about the entry (the engine's too) name the argument. */
	snprintf(origin, sizeof(origin), "argument 6 (--bind %s /d)", srcdir);
	ck_assert_str_eq(mg_entry_file(&p, e1), origin);
	mg_plan_free(&p);
	remove_sources();
}
END_TEST

START_TEST(entries_kinds_and_creates)
{
	struct mg_plan p;
	struct mg_error e;
	char opts[256];
	make_sources();
	ck_assert_int_eq(APPEND(&p, &e, NULL, "mount-guard", "apply", "--root", "/r", "--ro-bind", srclink,
				"/f", "--proc", "/proc", "--dev", "/dev", "--mqueue", "/mq", "--mask", "/m",
				"--ro", "/usr", "--rw", "/usr/local", "--tmpfs", "/tmp"),
			 0);
	ck_assert_uint_eq(p.n, 8);
	/* A symlink to a file: followed, as the config's sources are; the
	 * target is created as a file. */
	ck_assert_str_eq(p.entries[0].name, "arg4-ro-bind");
	ck_assert_int_eq(p.entries[0].create, MG_CREATE_FILE);
	ck_assert_int_eq(p.entries[0].mode, 0644);
	mg_mntopts_format_attrs(&p.entries[0].opts, opts, sizeof(opts));
	ck_assert_str_eq(opts, "ro,nosuid,nodev");
	ck_assert_int_eq(p.entries[1].type, MG_FS_PROC);
	ck_assert_int_eq(p.entries[1].create, MG_CREATE_DIR);
	ck_assert_ptr_null(p.entries[1].source);
	mg_mntopts_format_attrs(&p.entries[1].opts, opts, sizeof(opts));
	ck_assert_str_eq(opts, "nosuid,nodev,noexec");
	ck_assert_int_eq(p.entries[2].type, MG_FS_DEV);
	ck_assert_int_eq(p.entries[3].type, MG_FS_MQUEUE);
	ck_assert_int_eq(p.entries[4].kind, MG_KIND_MASK);
	ck_assert_int_eq(p.entries[4].create, MG_CREATE_NO);
	ck_assert_str_eq(p.entries[4].name, "arg13-mask");
	ck_assert_int_eq(p.entries[5].kind, MG_KIND_READONLY);
	ck_assert_int_eq(p.entries[6].kind, MG_KIND_WRITABLE);
	ck_assert_str_eq(p.entries[6].target, "/usr/local");
	ck_assert_int_eq(p.entries[7].type, MG_FS_TMPFS);
	ck_assert_str_eq(p.entries[7].options_text, "nosuid,nodev,mode=0755");
	for (size_t i = 0; i < p.n; i++)
		ck_assert_int_eq(mg_entry_validate(&p, &p.entries[i], &e), 0);
	mg_plan_free(&p);
	remove_sources();
}
END_TEST

/* Refused: exit 2, the argument named, the plan as it was. */
static void append_err_at(int at, const char *conf, char **words, const char *file,
			  const char *entry, const char *sub)
{
	struct mg_plan p;
	struct mg_error e;
	int r = append(&p, &e, conf, words);
	size_t before = conf ? 1 : 0;
	ck_assert_msg(r < 0 && e.set, "test line %d: accepted", at);
	ck_assert_msg(e.kind == MG_EXIT_USAGE && e.stage == MG_STAGE_CONFIG, "test line %d: kind %d stage %d",
		      at, e.kind, e.stage);
	ck_assert_msg(e.file && strcmp(e.file, file) == 0, "test line %d: file '%s'", at,
		      e.file ? e.file : "(null)");
	ck_assert_msg(strcmp(e.entry, entry) == 0, "test line %d: entry '%s'", at, e.entry);
	ck_assert_msg(strstr(e.msg, sub) != NULL, "test line %d: msg '%s' lacks '%s'", at, e.msg, sub);
	ck_assert_msg(p.n == before, "test line %d: the plan has %zu entries", at, p.n);
	mg_plan_free(&p);
}
#define APPEND_ERR(conf, file, entry, sub, ...) \
	append_err_at(__LINE__, (conf), (char *[]){ __VA_ARGS__, NULL }, (file), (entry), (sub))

START_TEST(append_refusals)
{
	make_sources();
	APPEND_ERR(NULL, "argument 6 (--tmpfs t)", "arg6-tmpfs", "DST must be an absolute path",
		   "mount-guard", "apply", "--root", "/r", "--tmpfs", "/ok", "--tmpfs", "t");
	APPEND_ERR(NULL, "argument 4 (--bind d /x)", "arg4-bind", "SRC must be an absolute path",
		   "mount-guard", "apply", "--root", "/r", "--bind", "d", "/x");
	APPEND_ERR(NULL, "argument 4 (--bind /nonexistent/x /x)", "arg4-bind", "source /nonexistent/x",
		   "mount-guard", "apply", "--root", "/r", "--bind", "/nonexistent/x", "/x");
	APPEND_ERR(NULL, "argument 4 (--ro a\\x0ab)", "arg4-ro", "PATH must be an absolute path",
		   "mount-guard", "apply", "--root", "/r", "--ro", "a\nb");
	APPEND_ERR("[mount arg6-mqueue]\ntype = tmpfs\ntarget = /a\n", "argument 6 (--mqueue /q)",
		   "arg6-mqueue", "already used by t.conf line 1", "mount-guard", "apply", "--root", "/r",
		   "--config", "t.conf", "--mqueue", "/q");
	remove_sources();
}
END_TEST

START_TEST(nothing_to_append)
{
	struct mg_plan p;
	struct mg_error e;
	ck_assert_int_eq(APPEND(&p, &e, "[mount a]\ntype = tmpfs\ntarget = /a\n", "mount-guard", "apply",
				"--root", "/r", "--config", "t.conf"),
			 0);
	ck_assert_uint_eq(p.n, 1);
	ck_assert(!e.set);
	mg_plan_free(&p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cli_mounts");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, collects_in_order_with_positions);
	tcase_add_test(tc, parses_again);
	tcase_add_test(tc, exec_command_after_mounts);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("append");
	tcase_add_test(tc, entries_like_config_sections);
	tcase_add_test(tc, entries_kinds_and_creates);
	tcase_add_test(tc, append_refusals);
	tcase_add_test(tc, nothing_to_append);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the INI front-end (helper/config_ini.c) and the path checks
 * of the plan (common/plan.c: mg_path_check). */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "config_ini.h"
#include "mg_error.h"
#include "mntopts.h"
#include "plan.h"

#define CONF_NAME "test.conf"

/* ---- helpers ---------------------------------------------------------- */

static int parse_len(const char *text, size_t len, struct mg_plan *p, struct mg_error *e)
{
	mg_plan_init(p);
	memset(e, 0, sizeof(*e));
	return mg_config_parse(CONF_NAME, text, len, p, e);
}

/* Parses text that must be accepted; the caller frees the plan. */
#define PARSE_OK(text, plan) parse_ok_at(__LINE__, (text), strlen(text), (plan))
static void parse_ok_at(int at, const char *text, size_t len, struct mg_plan *p)
{
	struct mg_error e;
	int r = parse_len(text, len, p, &e);
	ck_assert_msg(r == 0 && !e.set,
		      "test line %d: expected success, got r=%d line=%u entry='%s' msg='%s'", at, r,
		      e.line, e.entry, e.msg);
	ck_assert_str_eq(p->file, CONF_NAME);
}

/* Parses text that must be refused at config line `line` (0: none) for entry
 * `entry` ("" when none) with `sub` in the message. */
#define PARSE_ERR(text, line, entry, sub) \
	parse_err_at(__LINE__, (text), strlen(text), (line), (entry), (sub))
#define PARSE_ERR_LEN(text, len, line, entry, sub) \
	parse_err_at(__LINE__, (text), (len), (line), (entry), (sub))
static void parse_err_at(int at, const char *text, size_t len, unsigned line, const char *entry,
			 const char *sub)
{
	struct mg_plan p;
	struct mg_error e;
	int r = parse_len(text, len, &p, &e);
	ck_assert_msg(r == -EINVAL, "test line %d: expected -EINVAL, got %d (n=%zu)", at, r, p.n);
	ck_assert_msg(e.set, "test line %d: error not set", at);
	ck_assert_msg(e.kind == MG_EXIT_USAGE, "test line %d: kind %d", at, e.kind);
	ck_assert_msg(e.stage == MG_STAGE_CONFIG, "test line %d: stage %d", at, e.stage);
	ck_assert_msg(e.line == line, "test line %d: error line %u, expected %u (msg '%s')", at,
		      e.line, line, e.msg);
	ck_assert_msg(strcmp(e.entry, entry) == 0, "test line %d: error entry '%s', expected '%s'",
		      at, e.entry, entry);
	ck_assert_msg(strstr(e.msg, sub) != NULL, "test line %d: message '%s' lacks '%s'", at,
		      e.msg, sub);
	ck_assert_msg(e.file && strcmp(e.file, CONF_NAME) == 0, "test line %d: error file", at);
	/* All or nothing: the plan is emptied. */
	ck_assert_msg(p.n == 0 && p.entries == NULL, "test line %d: plan not emptied (n=%zu)", at,
		      p.n);
	mg_plan_free(&p);
}

/* As PARSE_ERR, with either of two reasons accepted. */
#define PARSE_ERR_ANY(text, line, entry, sub1, sub2) \
	parse_err_any_at(__LINE__, (text), (line), (entry), (sub1), (sub2))
static void parse_err_any_at(int at, const char *text, unsigned line, const char *entry,
			     const char *sub1, const char *sub2)
{
	struct mg_plan p;
	struct mg_error e;
	int r = parse_len(text, strlen(text), &p, &e);
	ck_assert_msg(r == -EINVAL && e.set && e.kind == MG_EXIT_USAGE,
		      "test line %d: expected a usage error, got %d (n=%zu)", at, r, p.n);
	ck_assert_msg(e.line == line, "test line %d: error line %u, expected %u (msg '%s')", at,
		      e.line, line, e.msg);
	ck_assert_msg(strcmp(e.entry, entry) == 0, "test line %d: error entry '%s', expected '%s'",
		      at, e.entry, entry);
	ck_assert_msg(strstr(e.msg, sub1) || strstr(e.msg, sub2),
		      "test line %d: message '%s' has neither '%s' nor '%s'", at, e.msg, sub1,
		      sub2);
	ck_assert_uint_eq(p.n, 0);
	mg_plan_free(&p);
}

/* "must be 1-N characters", N being MG_NAME_MAX */
static const char *name_rule(void)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "must be 1-%d characters", MG_NAME_MAX);
	return buf;
}

/* A minimal valid entry, to append after the section under test. */
#define OK_ENTRY "[mount ok]\ntype = tmpfs\ntarget = /ok\n"

/* ---- good files -------------------------------------------------------- */

START_TEST(test_all_types)
{
	static const char text[] = "[mount b1]\n" /* 1 */
				   "type = bind\n"
				   "source = /srv/data\n"
				   "target = /mnt/data\n"
				   "\n"		  /* 5 */
				   "[mount b2]\n" /* 6 */
				   "type = rbind\n"
				   "source = /srv\n"
				   "target = /mnt/srv\n"
				   "options = ro,nosuid\n" /* 10 */
				   "[mount p]\n"	   /* 11 */
				   "type = proc\n"
				   "target = /proc\n"
				   "options = hidepid=invisible,subset=pid\n"
				   "[mount s]\n" /* 15 */
				   "type = sysfs\n"
				   "target = /sys\n"
				   "options = ro,nosuid,nodev,noexec\n"
				   "[mount t]\n" /* 19 */
				   "type = tmpfs\n"
				   "target = /tmp\n"
				   "options = size=16m,mode=1777,noatime\n"
				   "create = dir\n"
				   "mode = 0700\n"
				   "[mount d]\n" /* 25 */
				   "type = devpts\n"
				   "target = /dev/pts\n"
				   "options = newinstance,ptmxmode=0666\n"
				   "[mount q]\n" /* 29 */
				   "type = mqueue\n"
				   "target = /dev/mqueue\n"
				   "[mount c]\n" /* 32 */
				   "type = cgroup2\n"
				   "target = /sys/fs/cgroup\n"
				   "options = nsdelegate\n";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 8);
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_IN_ROOT);

	static const struct {
		const char *name;
		unsigned line;
		enum mg_fstype type;
		const char *source, *target, *options;
	} want[] = {
		{ "b1", 1, MG_FS_BIND, "/srv/data", "/mnt/data", NULL },
		{ "b2", 6, MG_FS_RBIND, "/srv", "/mnt/srv", "ro,nosuid" },
		{ "p", 11, MG_FS_PROC, NULL, "/proc", "hidepid=invisible,subset=pid" },
		{ "s", 15, MG_FS_SYSFS, NULL, "/sys", "ro,nosuid,nodev,noexec" },
		{ "t", 19, MG_FS_TMPFS, NULL, "/tmp", "size=16m,mode=1777,noatime" },
		{ "d", 25, MG_FS_DEVPTS, NULL, "/dev/pts", "newinstance,ptmxmode=0666" },
		{ "q", 29, MG_FS_MQUEUE, NULL, "/dev/mqueue", NULL },
		{ "c", 32, MG_FS_CGROUP2, NULL, "/sys/fs/cgroup", "nsdelegate" },
	};
	for (size_t i = 0; i < 8; i++) {
		const struct mg_entry *e = &p.entries[i];
		ck_assert_str_eq(e->name, want[i].name);
		ck_assert_uint_eq(e->line, want[i].line);
		ck_assert_int_eq(e->type, want[i].type);
		ck_assert_pstr_eq(e->source, want[i].source);
		ck_assert_str_eq(e->target, want[i].target);
		ck_assert_pstr_eq(e->options_text, want[i].options);
	}
	/* Parsed options land in the entry. */
	ck_assert_uint_eq(p.entries[1].opts.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	ck_assert_uint_eq(p.entries[1].opts.attr_clr, 0);
	ck_assert_int_eq(p.entries[1].opts.atime, -1);
	ck_assert_uint_eq(p.entries[2].opts.nfs, 2);
	ck_assert_str_eq(p.entries[2].opts.fs[0].key, "hidepid");
	ck_assert_str_eq(p.entries[2].opts.fs[0].value, "invisible");
	ck_assert_str_eq(p.entries[2].opts.fs[1].key, "subset");
	ck_assert_str_eq(p.entries[2].opts.fs[1].value, "pid");
	ck_assert_uint_eq(p.entries[3].opts.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	ck_assert_int_eq(p.entries[4].opts.atime, MOUNT_ATTR_NOATIME);
	ck_assert_uint_eq(p.entries[4].opts.nfs, 2);
	ck_assert_str_eq(p.entries[4].opts.fs[0].key, "size");
	ck_assert_str_eq(p.entries[4].opts.fs[0].value, "16m");
	ck_assert_str_eq(p.entries[4].opts.fs[1].key, "mode");
	ck_assert_str_eq(p.entries[4].opts.fs[1].value, "1777");
	ck_assert_uint_eq(p.entries[5].opts.nfs, 2);
	ck_assert_str_eq(p.entries[5].opts.fs[0].key, "newinstance");
	ck_assert_ptr_null(p.entries[5].opts.fs[0].value);
	ck_assert_str_eq(p.entries[7].opts.fs[0].key, "nsdelegate");
	ck_assert_ptr_null(p.entries[7].opts.fs[0].value);
	ck_assert_uint_eq(p.entries[6].opts.nfs, 0);
	ck_assert_int_eq(p.entries[6].opts.atime, -1);

	/* create/mode */
	ck_assert_int_eq(p.entries[4].create, MG_CREATE_DIR);
	ck_assert_uint_eq(p.entries[4].mode, 0700);
	for (size_t i = 0; i < 8; i++)
		if (i != 4) {
			ck_assert_int_eq(p.entries[i].create, MG_CREATE_NO);
			ck_assert_uint_eq(p.entries[i].mode, 0755);
		}
	mg_plan_free(&p);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.file);
}
END_TEST

START_TEST(test_create_and_mode)
{
	static const char text[] = "[mount f]\n"
				   "type = bind\n"
				   "source = /etc/resolv.conf\n"
				   "target = /etc/resolv.conf\n"
				   "create = file\n"
				   "[mount f2]\n"
				   "type = bind\n"
				   "source = /etc/hosts\n"
				   "target = /etc/hosts\n"
				   "create = file\n"
				   "mode = 0600\n"
				   "[mount d]\n"
				   "type = tmpfs\n"
				   "target = /run\n"
				   "create = dir\n"
				   "[mount d2]\n"
				   "type = tmpfs\n"
				   "target = /run/x\n"
				   "create = dir\n"
				   "mode = 1777\n"
				   "[mount n]\n"
				   "type = tmpfs\n"
				   "target = /run/y\n"
				   "create = no\n"
				   "[mount m0]\n"
				   "type = tmpfs\n"
				   "target = /run/z\n"
				   "create = dir\n"
				   "mode = 0\n"
				   "[mount m7]\n"
				   "type = tmpfs\n"
				   "target = /run/w\n"
				   "create = dir\n"
				   "mode = 07777\n";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 7);
	ck_assert_int_eq(p.entries[0].create, MG_CREATE_FILE);
	ck_assert_uint_eq(p.entries[0].mode, 0644); /* default for files */
	ck_assert_int_eq(p.entries[1].create, MG_CREATE_FILE);
	ck_assert_uint_eq(p.entries[1].mode, 0600);
	ck_assert_int_eq(p.entries[2].create, MG_CREATE_DIR);
	ck_assert_uint_eq(p.entries[2].mode, 0755); /* default for directories */
	ck_assert_int_eq(p.entries[3].create, MG_CREATE_DIR);
	ck_assert_uint_eq(p.entries[3].mode, 01777);
	ck_assert_int_eq(p.entries[4].create, MG_CREATE_NO);
	ck_assert_uint_eq(p.entries[5].mode, 0);
	ck_assert_uint_eq(p.entries[6].mode, 07777);
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_options_symlinks)
{
	struct mg_plan p;
	PARSE_OK("[options]\nsymlinks = refuse\n" OK_ENTRY, &p);
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_REFUSE);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.entries[0].line, 3);
	mg_plan_free(&p);

	PARSE_OK("[options]\nsymlinks = in-root\n" OK_ENTRY, &p);
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_IN_ROOT);
	mg_plan_free(&p);

	/* [options] may come after the entries too. */
	PARSE_OK(OK_ENTRY "[options]\nsymlinks = refuse\n", &p);
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_REFUSE);
	ck_assert_uint_eq(p.n, 1);
	mg_plan_free(&p);

	/* No [options]: in-root. */
	PARSE_OK(OK_ENTRY, &p);
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_IN_ROOT);
	mg_plan_free(&p);

	PARSE_ERR("[options]\nsymlinks = follow\n" OK_ENTRY, 2, "",
		  "symlinks must be in-root or refuse, not 'follow'");
}
END_TEST

START_TEST(test_comments_and_blank_lines)
{
	static const char text[] = "; a comment\n"		    /* 1 */
				   "# another comment\n"	    /* 2 */
				   "\n"				    /* 3 */
				   "   \t \n"			    /* 4: blank, whitespace only */
				   "  ; indented comment is fine\n" /* 5 */
				   "[mount a] ; comment after header\n" /* 6 */
				   "type = tmpfs ; inline comment\n"
				   "# comment inside the section\n"
				   "target = /a;b ; ';' without a space before it is data\n"
				   "options = ro  ;nosuid would be a comment\n"
				   "\n"
				   "; trailing comment\n";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.entries[0].name, "a");
	ck_assert_uint_eq(p.entries[0].line, 6);
	ck_assert_int_eq(p.entries[0].type, MG_FS_TMPFS);
	ck_assert_str_eq(p.entries[0].target, "/a;b");
	ck_assert_str_eq(p.entries[0].options_text, "ro");
	ck_assert_uint_eq(p.entries[0].opts.attr_set, MOUNT_ATTR_RDONLY);
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_whitespace_around_equals)
{
	struct mg_plan p;
	PARSE_OK("[mount a]\ntype=tmpfs\ntarget    =    /a   \noptions=\tro\t\n", &p);
	ck_assert_int_eq(p.entries[0].type, MG_FS_TMPFS);
	ck_assert_str_eq(p.entries[0].target, "/a"); /* surrounding blanks are not data */
	ck_assert_str_eq(p.entries[0].options_text, "ro");
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_crlf)
{
	static const char lf[] = "; comment\n"
				 "[mount a]\n"
				 "type = bind\n"
				 "source = /srv\n"
				 "target = /a\\s\n" /* escaped trailing space survives */
				 "options = ro ; c\n"
				 "\n"
				 "[mount b]\n"
				 "type = tmpfs\n"
				 "target = /b\n"
				 "create = dir\n"
				 "mode = 0700\n";
	static const char crlf[] = "; comment\r\n"
				   "[mount a]\r\n"
				   "type = bind\r\n"
				   "source = /srv\r\n"
				   "target = /a\\s\r\n"
				   "options = ro ; c\r\n"
				   "\r\n"
				   "[mount b]\r\n"
				   "type = tmpfs\r\n"
				   "target = /b\r\n"
				   "create = dir\r\n"
				   "mode = 0700\r\n";
	struct mg_plan a, b;
	PARSE_OK(lf, &a);
	PARSE_OK(crlf, &b);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_uint_eq(b.n, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(a.entries[i].name, b.entries[i].name);
		ck_assert_uint_eq(a.entries[i].line, b.entries[i].line);
		ck_assert_int_eq(a.entries[i].type, b.entries[i].type);
		ck_assert_str_eq(a.entries[i].target, b.entries[i].target);
		ck_assert_pstr_eq(a.entries[i].source, b.entries[i].source);
		ck_assert_pstr_eq(a.entries[i].options_text, b.entries[i].options_text);
		ck_assert_uint_eq(a.entries[i].mode, b.entries[i].mode);
	}
	ck_assert_uint_eq(b.entries[0].line, 2);
	ck_assert_uint_eq(b.entries[1].line, 8);
	ck_assert_str_eq(b.entries[0].source, "/srv"); /* no '\r' left in any value */
	ck_assert_str_eq(b.entries[0].target, "/a ");
	ck_assert_str_eq(b.entries[0].options_text, "ro");
	ck_assert_str_eq(b.entries[1].target, "/b");
	ck_assert_uint_eq(b.entries[1].mode, 0700);
	mg_plan_free(&a);
	mg_plan_free(&b);

	/* CRLF errors name the same line as LF ones. */
	PARSE_ERR("[mount a]\r\ntype = tmpfs\r\ntarget = /a\r\nbogus = 1\r\n", 4, "a",
		  "unknown key 'bogus'");
}
END_TEST

START_TEST(test_escapes_in_target)
{
	/* \s \t \n \\ \; \# \xHH, each decoded to its exact byte. */
	static const char text[] =
		"[mount e]\n"
		"type = bind\n"
		"source = /src\\sdir\\x2c1\n"
		"target = /a\\sb\\tc\\nd\\\\e\\;f\\#g\\x41\\x7e\\xff\\xC3\\xA9\\x01\n";
	static const char want[] = "/a b\tc\nd\\e;f#gA~\xff\xc3\xa9\x01";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(strlen(p.entries[0].target), sizeof(want) - 1);
	ck_assert_mem_eq(p.entries[0].target, want, sizeof(want));
	ck_assert_str_eq(p.entries[0].source, "/src dir,1");
	mg_plan_free(&p);

	/* " ;" is a comment, " \;" is data; a trailing "\s" keeps its space
	 * although inih strips trailing blanks; \x2f is a plain slash. */
	PARSE_OK("[mount e]\ntype = tmpfs\ntarget = /x \\;y\\s\n", &p);
	ck_assert_str_eq(p.entries[0].target, "/x ;y ");
	mg_plan_free(&p);
	PARSE_OK("[mount e]\ntype = tmpfs\ntarget = /a\\x2fb\n", &p);
	ck_assert_str_eq(p.entries[0].target, "/a/b");
	mg_plan_free(&p);
	/* An escape at the start of the value: a leading space. */
	PARSE_OK("[mount e]\ntype = tmpfs\ntarget = \\x2f\\sa\n", &p);
	ck_assert_str_eq(p.entries[0].target, "/ a");
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_entry_order_and_lines)
{
	static const char text[] = "# header comment\n" /* 1 */
				   "\n"			/* 2 */
				   "[mount zeta]\n"	/* 3 */
				   "target = /z\n"
				   "type = tmpfs\n"
				   "; between\n"	 /* 6 */
				   "\n"			 /* 7 */
				   "[options]\n"	 /* 8 */
				   "symlinks = refuse\n" /* 9 */
				   "[mount alpha]\n"	 /* 10 */
				   "type = tmpfs\n"
				   "target = /a\n"
				   "\n"
				   "\n"
				   "[mount Mid.dle_-9]\n" /* 15 */
				   "type = tmpfs\n"
				   "target = /m\n";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.entries[0].name, "zeta");
	ck_assert_uint_eq(p.entries[0].line, 3);
	ck_assert_str_eq(p.entries[1].name, "alpha");
	ck_assert_uint_eq(p.entries[1].line, 10);
	ck_assert_str_eq(p.entries[2].name, "Mid.dle_-9");
	ck_assert_uint_eq(p.entries[2].line, 15);
	ck_assert_str_eq(p.entries[0].target, "/z");
	ck_assert_str_eq(p.entries[1].target, "/a");
	ck_assert_str_eq(p.entries[2].target, "/m");
	ck_assert_int_eq(p.symlinks, MG_SYMLINKS_REFUSE);
	mg_plan_free(&p);
}
END_TEST

/* A "[mount NAME]" file with NAME n characters long. */
static char *name_file(size_t n, char c)
{
	char name[256];
	ck_assert_uint_lt(n, sizeof(name));
	memset(name, c, n);
	name[n] = '\0';
	char *text = NULL;
	ck_assert_int_gt(asprintf(&text, "[mount %s]\ntype = tmpfs\ntarget = /a\n", name), 0);
	return text;
}

START_TEST(test_entry_name_max_length)
{
	/* Every length up to MG_NAME_MAX is a valid name and must come back
	 * whole. inih copies a section name into a 50-byte buffer and cuts it
	 * silently, so "mount " + the longest name must fit in 49 bytes. */
	ck_assert_int_le(6 + MG_NAME_MAX, 49);
	for (size_t n = 1; n <= MG_NAME_MAX; n++) {
		char *text = name_file(n, 'n');
		struct mg_plan p;
		PARSE_OK(text, &p);
		ck_assert_uint_eq(p.n, 1);
		ck_assert_msg(strlen(p.entries[0].name) == n,
			      "a %zu-character entry name came back as %zu characters ('%s')", n,
			      strlen(p.entries[0].name), p.entries[0].name);
		mg_plan_free(&p);
		free(text);
	}
}
END_TEST

START_TEST(test_long_names_stay_distinct)
{
	/* Two valid names of the greatest length that differ only in their
	 * last character are two entries, not a duplicate. */
	char a[MG_NAME_MAX + 1], b[MG_NAME_MAX + 1], *text = NULL;
	memset(a, 'x', MG_NAME_MAX);
	memset(b, 'x', MG_NAME_MAX);
	a[MG_NAME_MAX] = b[MG_NAME_MAX] = '\0';
	a[MG_NAME_MAX - 1] = 'a';
	b[MG_NAME_MAX - 1] = 'b';
	ck_assert_int_gt(asprintf(&text,
				  "[mount %s]\ntype = tmpfs\ntarget = /a\n"
				  "[mount %s]\ntype = tmpfs\ntarget = /b\n",
				  a, b),
			 0);
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.entries[0].name, a);
	ck_assert_str_eq(p.entries[1].name, b);
	mg_plan_free(&p);
	free(text);
}
END_TEST

START_TEST(test_utf8_bom)
{
	/* inih (INI_ALLOW_BOM) skips a UTF-8 BOM at the start of the file; the
	 * header on line 1 is still a header and must be seen as one. */
	struct mg_plan p;
	PARSE_OK("\xef\xbb\xbf[mount a]\ntype = tmpfs\ntarget = /a\n", &p);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.entries[0].name, "a");
	ck_assert_uint_eq(p.entries[0].line, 1);
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_no_final_newline)
{
	struct mg_plan p;
	PARSE_OK("[mount a]\ntype = tmpfs\ntarget = /a", &p);
	ck_assert_str_eq(p.entries[0].target, "/a");
	mg_plan_free(&p);
	/* The text is taken by length: bytes after len are not read. */
	static const char text[] = "[mount a]\ntype = tmpfs\ntarget = /abc\n[mount b]\n";
	parse_ok_at(__LINE__, text, strlen("[mount a]\ntype = tmpfs\ntarget = /ab"), &p);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.entries[0].target, "/ab");
	mg_plan_free(&p);
}
END_TEST

/* The text is not a C string: the parser gets (text, len). Put it right in
 * front of an inaccessible page so that any read past len faults in every
 * build (not only under ASan). */
static void parse_at_page_end(const char *text, struct mg_plan *p, struct mg_error *e, int *r)
{
	size_t len = strlen(text);
	long pg = sysconf(_SC_PAGESIZE);
	ck_assert_int_gt(pg, 0);
	ck_assert_uint_le(len, (size_t)pg);
	char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	char *buf = m + pg - len;
	memcpy(buf, text, len);
	*r = parse_len(buf, len, p, e);
	munmap(m, 2 * (size_t)pg);
}

START_TEST(test_unterminated_buffer)
{
	struct mg_plan p;
	struct mg_error e;
	int r;
	/* Ends in the middle of a value. */
	parse_at_page_end("[mount a]\ntype = tmpfs\ntarget = /a", &p, &e, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(p.entries[0].target, "/a");
	mg_plan_free(&p);
	/* Ends in a comment. */
	parse_at_page_end("[mount a]\ntype = tmpfs\ntarget = /a\n; end", &p, &e, &r);
	ck_assert_int_eq(r, 0);
	mg_plan_free(&p);
	/* Ends in a line of blanks with no newline: the reader's whitespace
	 * scan must stop at len. */
	parse_at_page_end("[mount a]\ntype = tmpfs\ntarget = /a\n   ", &p, &e, &r);
	ck_assert_msg(r == 0, "r=%d msg='%s'", r, e.msg);
	mg_plan_free(&p);
	parse_at_page_end("[mount a]\ntype = tmpfs\ntarget = /a\n\r", &p, &e, &r);
	ck_assert_msg(r == 0, "r=%d msg='%s'", r, e.msg);
	mg_plan_free(&p);
}
END_TEST

/* ---- bad files --------------------------------------------------------- */

/* "target = /bbb..." exactly n bytes long (no newline). */
static void target_line(char *buf, size_t n)
{
	static const char head[] = "target = /";
	ck_assert_uint_ge(n, sizeof(head));
	memcpy(buf, head, sizeof(head) - 1);
	for (size_t i = sizeof(head) - 1; i < n; i++)
		buf[i] = (i % 100 == 0) ? '/' : 'b'; /* keep components short */
	buf[n] = '\0';
}

START_TEST(test_line_length_limit)
{
	char line[256], text[512];
	struct mg_plan p;

	/* 199 bytes: the longest line inih (INI_MAX_LINE 200) takes whole. */
	target_line(line, 199);
	snprintf(text, sizeof(text), "[mount a]\ntype = tmpfs\n%s\noptions = ro\n" OK_ENTRY, line);
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(strlen(p.entries[0].target), 199 - strlen("target = "));
	ck_assert_str_eq(p.entries[0].target, line + strlen("target = "));
	/* The lines after it are still read correctly. */
	ck_assert_str_eq(p.entries[0].options_text, "ro");
	ck_assert_str_eq(p.entries[1].name, "ok");
	ck_assert_uint_eq(p.entries[1].line, 5);
	mg_plan_free(&p);

	/* 199 bytes as the last line, without a newline. */
	snprintf(text, sizeof(text), "[mount a]\ntype = tmpfs\n%s", line);
	PARSE_OK(text, &p);
	ck_assert_str_eq(p.entries[0].target, line + strlen("target = "));
	mg_plan_free(&p);

	/* 200 bytes: refused, naming the line. */
	target_line(line, 200);
	snprintf(text, sizeof(text), "[mount a]\ntype = tmpfs\n%s\noptions = ro\n", line);
	PARSE_ERR(text, 3, "", "line is 200 bytes long; inih takes at most 199");

	/* A carriage return before the newline counts: 198 + CR is taken,
	 * 199 + CR is not. */
	target_line(line, 198);
	snprintf(text, sizeof(text), "[mount a]\r\ntype = tmpfs\r\n%s\r\n", line);
	PARSE_OK(text, &p);
	ck_assert_str_eq(p.entries[0].target, line + strlen("target = "));
	mg_plan_free(&p);
	target_line(line, 199);
	snprintf(text, sizeof(text), "[mount a]\r\ntype = tmpfs\r\n%s\r\n", line);
	PARSE_ERR(text, 3, "", "line is 200 bytes long");
	target_line(line, 200);

	/* Also as the last line without a newline, and for a comment. */
	snprintf(text, sizeof(text), "[mount a]\ntype = tmpfs\n%s", line);
	PARSE_ERR(text, 3, "", "line is 200 bytes long");
	memset(line, ';', 250);
	line[250] = '\0';
	snprintf(text, sizeof(text), OK_ENTRY "%s\n", line);
	PARSE_ERR(text, 4, "", "line is 250 bytes long");
}
END_TEST

START_TEST(test_duplicate_keys)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ntype = proc\n", 4, "a",
		  "duplicate key 'type' (first at line 2)");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\n\ntarget = /b\n", 5, "a",
		  "duplicate key 'target' (first at line 3)");
	PARSE_ERR("[mount a]\ntype = tmpfs\noptions = ro\ntarget = /a\noptions = rw\n", 5, "a",
		  "duplicate key 'options' (first at line 3)");
	PARSE_ERR("[options]\nsymlinks = refuse\nsymlinks = refuse\n" OK_ENTRY, 3, "",
		  "duplicate key 'symlinks'");
}
END_TEST

START_TEST(test_unknown_keys)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\nsize = 1m\n", 4, "a",
		  "unknown key 'size'");
	/* Keys are case-sensitive. */
	PARSE_ERR("[mount a]\nType = tmpfs\ntarget = /a\n", 2, "a", "unknown key 'Type'");
	PARSE_ERR("[options]\nsymlink = refuse\n" OK_ENTRY, 2, "",
		  "unknown key 'symlink' in [options]");
}
END_TEST

START_TEST(test_unknown_section)
{
	PARSE_ERR(OK_ENTRY "[global]\nfoo = bar\n", 4, "", "unknown section [global]");
	PARSE_ERR("[mount]\ntype = tmpfs\ntarget = /a\n", 1, "", "unknown section [mount]");
	PARSE_ERR("[Mount a]\ntype = tmpfs\ntarget = /a\n", 1, "", "unknown section [Mount a]");
	PARSE_ERR("[Options]\nsymlinks = refuse\n" OK_ENTRY, 1, "", "unknown section [Options]");
}
END_TEST

START_TEST(test_duplicate_entry_name)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\n"
		  "[mount b]\ntype = tmpfs\ntarget = /b\n"
		  "\n[mount a]\ntype = tmpfs\ntarget = /c\n",
		  8, "a", "duplicate entry name (first defined at line 1)");
}
END_TEST

START_TEST(test_duplicate_options_section)
{
	PARSE_ERR("[options]\nsymlinks = refuse\n" OK_ENTRY "[options]\nsymlinks = in-root\n", 6,
		  "", "[options] appears twice");
}
END_TEST

START_TEST(test_key_outside_section)
{
	PARSE_ERR("type = tmpfs\n" OK_ENTRY, 1, "", "key 'type' outside any section");
	PARSE_ERR("; comment\n\ntarget = /a\n" OK_ENTRY, 3, "", "key 'target' outside any section");
}
END_TEST

START_TEST(test_empty_section)
{
	/* Followed by another section. */
	PARSE_ERR("[mount a]\n[mount b]\ntype = tmpfs\ntarget = /b\n", 1, "",
		  "section has no keys");
	/* Comments and blanks are not keys. */
	PARSE_ERR(OK_ENTRY "[mount b]\n; nothing\n\n" OK_ENTRY, 4, "", "section has no keys");
	/* At the end of the file. */
	PARSE_ERR(OK_ENTRY "\n[mount b]\n", 5, "", "section has no keys");
	PARSE_ERR("[options]\n" OK_ENTRY, 1, "", "section has no keys");
	PARSE_ERR(OK_ENTRY "[options]", 4, "", "section has no keys");
}
END_TEST

START_TEST(test_empty_value)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget =\n", 3, "a", "key 'target' has an empty value");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\noptions =   \n", 4, "a",
		  "key 'options' has an empty value");
	/* A value that is only a comment is empty too. */
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = ; dir\n", 4, "a",
		  "key 'create' has an empty value");
	PARSE_ERR("[options]\nsymlinks =\n" OK_ENTRY, 2, "", "key 'symlinks' has an empty value");
}
END_TEST

START_TEST(test_indented_line)
{
	/* With INI_ALLOW_MULTILINE inih would glue these onto the previous
	 * value; they are refused instead, whatever they look like. */
	PARSE_ERR("[mount a]\ntype = tmpfs\n  target = /a\n", 3, "", "indented line");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\n\tro\n", 4, "", "indented line");
	PARSE_ERR(OK_ENTRY "  [mount b]\ntype = tmpfs\ntarget = /b\n", 4, "", "indented line");
	PARSE_ERR("[mount a]\r\ntype = tmpfs\r\ntarget = /a\r\n \toptions = ro\r\n", 4, "",
		  "indented line");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "[mount a]\ntype = tmpfs\ntarget = /a\0b\noptions = ro\n";
	PARSE_ERR_LEN(text, sizeof(text) - 1, 3, "", "line contains a NUL byte");
	static const char text2[] = "[mount a]\ntype = tmpfs\ntarget = /a\n; x\0\n";
	PARSE_ERR_LEN(text2, sizeof(text2) - 1, 4, "", "line contains a NUL byte");
	static const char text3[] = "\0[mount a]\ntype = tmpfs\ntarget = /a\n";
	PARSE_ERR_LEN(text3, sizeof(text3) - 1, 1, "", "line contains a NUL byte");
}
END_TEST

START_TEST(test_bad_escapes)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\qb\n", 3, "a", "target unknown escape");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\\n", 3, "a", "target trailing backslash");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\x0\n", 3, "a",
		  "target \\x must be followed by two hex digits");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\x00b\n", 3, "a",
		  "target \\x00: a path cannot contain a NUL byte");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\xZZ\n", 3, "a",
		  "target \\x must be followed by two hex digits");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\\x4g\n", 3, "a",
		  "target \\x must be followed by two hex digits");
	PARSE_ERR("[mount a]\ntype = bind\n\nsource = /s\\0\ntarget = /a\n", 4, "a",
		  "source unknown escape");
}
END_TEST

START_TEST(test_relative_target)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = relative/path\n", 3, "a",
		  "target must be an absolute path");
	PARSE_ERR("[mount a]\ntype = tmpfs\n\ntarget = ./a\n", 4, "a",
		  "target must be an absolute path");
	/* An escaped space in front is not a slash. */
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = \\s/a\n", 3, "a",
		  "target must be an absolute path");
	PARSE_ERR("[mount a]\ntype = bind\nsource = srv\ntarget = /a\n", 3, "a",
		  "source must be an absolute path");
}
END_TEST

START_TEST(test_missing_type_or_target)
{
	PARSE_ERR("[mount a]\ntarget = /a\n", 1, "a", "missing required key 'type'");
	PARSE_ERR(OK_ENTRY "\n[mount b]\ntype = tmpfs\noptions = ro\n", 5, "b",
		  "missing required key 'target'");
}
END_TEST

START_TEST(test_type_key_combinations)
{
	PARSE_ERR("[mount a]\ntype = bind\ntarget = /a\n", 1, "a", "type bind needs a 'source'");
	PARSE_ERR(OK_ENTRY "[mount r]\ntype = rbind\ntarget = /a\n", 4, "r",
		  "type rbind needs a 'source'");
	PARSE_ERR("[mount a]\ntype = tmpfs\nsource = /srv\ntarget = /a\n", 1, "a",
		  "'source' is only meaningful for bind and rbind, not tmpfs");
	PARSE_ERR("[mount a]\ntype = proc\nsource = /proc\ntarget = /proc\n", 1, "a",
		  "'source' is only meaningful for bind and rbind, not proc");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = file\n", 1, "a",
		  "create = file: a tmpfs mount needs a directory");
	PARSE_ERR("[mount a]\ntype = proc\ntarget = /a\ncreate = file\n", 1, "a",
		  "create = file: a proc mount needs a directory");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = yes\n", 4, "a",
		  "create must be dir, file or no, not 'yes'");
}
END_TEST

START_TEST(test_mode_errors)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\nmode = 0700\n", 4, "a",
		  "mode only applies to created targets");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = no\nmode = 0700\n", 5, "a",
		  "mode only applies to created targets");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = dir\nmode = 0999\n", 5, "a",
		  "mode '0999' is not an octal mode");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = dir\nmode = 77777\n", 5, "a",
		  "mode '77777' is above 07777");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = dir\nmode = 000755\n", 5, "a",
		  "mode '000755' is not an octal mode");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = dir\nmode = -1\n", 5, "a",
		  "mode '-1' is not an octal mode");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\ncreate = dir\nmode = 0x1ff\n", 5, "a",
		  "mode '0x1ff' is not an octal mode");
}
END_TEST

START_TEST(test_unknown_type)
{
	PARSE_ERR("[mount a]\ntarget = /a\ntype = nfs\n", 3, "a", "unknown type 'nfs'");
	PARSE_ERR("[mount a]\ntarget = /a\ntype = TMPFS\n", 3, "a", "unknown type 'TMPFS'");
	PARSE_ERR("[mount a]\ntarget = /a\ntype = cgroup\n", 3, "a", "unknown type 'cgroup'");
}
END_TEST

START_TEST(test_bad_options)
{
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\n\noptions = ro,bogus\n", 5, "a",
		  "options: unknown option 'bogus' for type tmpfs");
	PARSE_ERR("[mount a]\ntype = proc\ntarget = /proc\noptions = size=1m\n", 4, "a",
		  "options: unknown option 'size' for type proc");
	PARSE_ERR("[mount a]\ntype = bind\nsource = /s\ntarget = /a\noptions = mode=0755\n", 5, "a",
		  "options: unknown option 'mode' for type bind");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\noptions = ro,rw\n", 4, "a",
		  "options: option 'rw' contradicts an earlier option");
}
END_TEST

START_TEST(test_syntax_error)
{
	/* A line that is neither a header, a key = value nor a comment: inih
	 * reports its line. */
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\njust some words\n", 4, "", "syntax error");
	PARSE_ERR(OK_ENTRY "[mount b]\ntype = tmpfs\nro\ntarget = /b\n", 6, "", "syntax error");
}
END_TEST

START_TEST(test_unterminated_header)
{
	/* A header without its ']' is a syntax error on its own line, whatever
	 * section came before it (inih keeps the previous section name for the
	 * keys that follow; that must not turn into another error). */
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\n[mount b\ntype = tmpfs\ntarget = /b\n", 4,
		  "", "syntax error");
	PARSE_ERR("[options]\nsymlinks = refuse\n[mount b\ntype = tmpfs\ntarget = /b\n", 3, "",
		  "syntax error");
	PARSE_ERR("[mount b\ntype = tmpfs\ntarget = /b\n", 1, "", "syntax error");
}
END_TEST

START_TEST(test_first_error_wins)
{
	/* inih reads on after a line it cannot parse; an error our checks
	 * find on a later line must not hide the earlier one. */
	PARSE_ERR("[mount a]\ntype = tmpfs\njust words\ntarget = relative\n", 3, "",
		  "syntax error");
	PARSE_ERR("[mount a]\ntype = tmpfs\ntarget = /a\nwords\n[mount b]\ntype = bogus\n"
		  "target = /b\n",
		  4, "", "syntax error");
	/* ... and the other way round: our earlier error wins over a later
	 * syntax error. */
	PARSE_ERR("[mount a]\ntype = tmpfs\nbogus = 1\nwords\n", 3, "a", "unknown key 'bogus'");
}
END_TEST

START_TEST(test_path_sections)
{
	/* [masked], [readonly], [writable]: one entry per `path` key, named
	 * after the section, at the line of the key. */
	static const char text[] = OK_ENTRY  /* 1-3 */
		"[masked]\n"		     /* 4 */
		"path = /proc/kcore\n"	     /* 5 */
		"path = /sys/firmware\n"     /* 6 */
		"[readonly]\n"		     /* 7 */
		"path = /proc/sys\n"	     /* 8 */
		"[writable]\n"		     /* 9 */
		"; comment\n"		     /* 10 */
		"path = /proc/sys/net\\sx\n" /* 11 */
		"[options]\n"
		"preset = default\n";
	struct mg_plan p;
	PARSE_OK(text, &p);
	ck_assert_uint_eq(p.n, 5);
	static const struct {
		enum mg_kind kind;
		const char *name, *target;
		unsigned line;
	} want[] = {
		{ MG_KIND_MOUNT, "ok", "/ok", 1 },
		{ MG_KIND_MASK, "masked", "/proc/kcore", 5 },
		{ MG_KIND_MASK, "masked", "/sys/firmware", 6 },
		{ MG_KIND_READONLY, "readonly", "/proc/sys", 8 },
		{ MG_KIND_WRITABLE, "writable", "/proc/sys/net x", 11 },
	};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(p.entries[i].kind, want[i].kind);
		ck_assert_str_eq(p.entries[i].name, want[i].name);
		ck_assert_str_eq(p.entries[i].target, want[i].target);
		ck_assert_uint_eq(p.entries[i].line, want[i].line);
	}
	ck_assert_str_eq(p.preset, "default");
	mg_plan_free(&p);
	ck_assert_ptr_null(p.preset);

	/* A preset alone is a complete file. */
	PARSE_OK("[options]\npreset = default\n", &p);
	ck_assert_uint_eq(p.n, 0);
	mg_plan_free(&p);

	PARSE_ERR(OK_ENTRY "[masked]\npath = /a\n[masked]\npath = /b\n", 6, "",
		  "[masked] appears twice");
	PARSE_ERR(OK_ENTRY "[readonly]\ntarget = /a\n", 5, "readonly",
		  "unknown key 'target' (known: path)");
	PARSE_ERR(OK_ENTRY "[writable]\npath = relative\n", 5, "writable",
		  "path must be an absolute path");
	PARSE_ERR(OK_ENTRY "[masked]\npath = /a\\q\n", 5, "masked", "path unknown escape");
	PARSE_ERR(OK_ENTRY "[masked]\n", 4, "", "section has no keys");
	PARSE_ERR("[options]\npreset = a\npreset = b\n", 3, "", "duplicate key 'preset'");
}
END_TEST

START_TEST(test_invalid_entry_names)
{
	char want[128];
	snprintf(want, sizeof(want), "entry name 'a b' must be 1-%d characters of [A-Za-z0-9._-]",
		 MG_NAME_MAX);
	PARSE_ERR("[mount a b]\ntype = tmpfs\ntarget = /a\n", 1, "", want);
	snprintf(want, sizeof(want), "entry name 'a/b' %s", name_rule());
	PARSE_ERR(OK_ENTRY "[mount a/b]\ntype = tmpfs\ntarget = /a\n", 4, "", want);
	PARSE_ERR("[mount ]\ntype = tmpfs\ntarget = /a\n", 1, "", "entry name '' must be 1-");
	PARSE_ERR("[mount  a]\ntype = tmpfs\ntarget = /a\n", 1, "", "entry name ' a' must be");
	PARSE_ERR("[mount \xc3\xa9]\ntype = tmpfs\ntarget = /a\n", 1, "", name_rule());
	PARSE_ERR("[mount a\\sb]\ntype = tmpfs\ntarget = /a\n", 1, "", name_rule());
	PARSE_ERR("[mount a;b]\ntype = tmpfs\ntarget = /a\n", 1, "", name_rule());

	/* A bad character at the end of a name of the greatest length. */
	char *text = name_file(MG_NAME_MAX, 'a');
	text[strcspn(text, "]") - 1] = '/';
	snprintf(want, sizeof(want), "/' %s", name_rule());
	PARSE_ERR(text, 1, "", want);
	free(text);

	/* One character too many, and far too many (65, 100): refused, never
	 * cut short. Either check may catch it: the name rule, or the reader's
	 * refusal of a section name longer than inih's 49 bytes. */
	static const size_t too_long[] = { MG_NAME_MAX + 1, 65, 100 };
	for (size_t i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++) {
		text = name_file(too_long[i], 'x');
		PARSE_ERR_ANY(text, 1, "", name_rule(), "section name is longer than inih's limit");
		free(text);
	}
	/* Also as the second entry, where a cut name would be a duplicate. */
	char *two = NULL;
	text = name_file(MG_NAME_MAX + 1, 'x');
	ck_assert_int_gt(asprintf(&two, OK_ENTRY "%s", text), 0);
	PARSE_ERR_ANY(two, 4, "", name_rule(), "section name is longer than inih's limit");
	free(two);
	free(text);
}
END_TEST

START_TEST(test_empty_files)
{
	PARSE_ERR("", 0, "", "no entries");
	PARSE_ERR("; only a comment\n\n", 0, "", "no entries");
	PARSE_ERR("[options]\nsymlinks = refuse\n", 0, "", "no entries");
}
END_TEST

START_TEST(test_error_format)
{
	struct mg_plan p;
	struct mg_error e;
	static const char text[] = "[mount a]\ntype = tmpfs\ntarget = /a\nfoo = 1\n";
	ck_assert_int_eq(parse_len(text, strlen(text), &p, &e), -EINVAL);
	char buf[2048];
	mg_error_format(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "test.conf:4: entry 'a': config: unknown key 'foo' (known: type, "
			      "source, target, options, create, mode)");
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_plan_reusable_after_error)
{
	/* An error leaves an empty plan that can be freed and parsed into again. */
	struct mg_plan p;
	struct mg_error e;
	static const char bad[] = OK_ENTRY "[mount b]\ntype = tmpfs\n";
	ck_assert_int_eq(parse_len(bad, strlen(bad), &p, &e), -EINVAL);
	ck_assert_uint_eq(e.line, 4);
	ck_assert_str_eq(e.entry, "b");
	ck_assert_str_eq(e.msg, "missing required key 'target'");
	mg_plan_free(&p);
	PARSE_OK(OK_ENTRY, &p);
	ck_assert_uint_eq(p.n, 1);
	mg_plan_free(&p);
}
END_TEST

START_TEST(test_too_many_entries)
{
	/* MG_MAX_ENTRIES + 1 entries, generated in memory. */
	const size_t n = MG_MAX_ENTRIES + 1;
	const size_t per = 64; /* "[mount e12345]\ntype = tmpfs\ntarget = /t/12345\n" < 64 */
	char *text = malloc(n * per);
	ck_assert_ptr_nonnull(text);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(text + len, per,
					"[mount e%zu]\ntype = tmpfs\ntarget = /t/%zu\n", i, i);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* The first MG_MAX_ENTRIES are taken; the one after them is refused at
	 * its own header line and by name (so the limit is exactly
	 * MG_MAX_ENTRIES, not one less or more). */
	char entry[32], why[64];
	snprintf(entry, sizeof(entry), "e%zu", n - 1);
	snprintf(why, sizeof(why), "too many entries (at most %d)", MG_MAX_ENTRIES);
	PARSE_ERR_LEN(text, len, 3 * (n - 1) + 1, entry, why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("test_too_many_entries: parsing %zu entries took %.2f s\n", n, secs);
	free(text);
}
END_TEST

/* ---- mg_config_load ------------------------------------------------------ */

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load_file)
{
	char dir[] = "/tmp/mg-unit-config-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	static const char text[] = "[mount a]\ntype = tmpfs\ntarget = /a\n";
	write_file(path, text, sizeof(text) - 1);
	struct mg_plan p;
	struct mg_error e;
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_config_load(path, &p, &e), 0);
	ck_assert_str_eq(p.file, path);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.entries[0].target, "/a");
	mg_plan_free(&p);

	/* An error names the file. */
	static const char bad[] = "[mount a]\ntype = tmpfs\n";
	write_file(path, bad, sizeof(bad) - 1);
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_config_load(path, &p, &e), -EINVAL);
	ck_assert_str_eq(e.file, path);
	ck_assert_uint_eq(e.line, 1);
	ck_assert_str_eq(e.msg, "missing required key 'target'");
	mg_plan_free(&p);

	/* A missing file. */
	unlink(path);
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_config_load(path, &p, &e), -ENOENT);
	ck_assert(e.set);
	ck_assert_int_eq(e.kind, MG_EXIT_USAGE);
	ck_assert_int_eq(e.err, ENOENT);
	ck_assert_str_eq(e.file, path);
	ck_assert_str_eq(e.msg, "cannot open config");
	mg_plan_free(&p);
	rmdir(dir);
}
END_TEST

/* A file of 8192 bytes (read_all's first buffer size) whose last line is
 * blanks without a newline: nothing past the file's bytes may be read. The
 * buffer read_all hands over is larger than the file and not NUL-terminated,
 * so a scan past the end would read uninitialised heap, which valgrind
 * reports (the reader once did: strspn() on the last line). The same read
 * hits a guard page in test_unterminated_buffer, in every build. */
START_TEST(test_load_file_ending_in_blanks)
{
	char dir[] = "/tmp/mg-unit-config-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	enum { SIZE = 8192 };
	char *text = malloc(SIZE);
	ck_assert_ptr_nonnull(text);
	size_t len = (size_t)snprintf(text, SIZE, "[mount a]\ntype = tmpfs\ntarget = /a\n");
	while (SIZE - len > 110) {
		memset(text + len, ';', 99);
		text[len + 99] = '\n';
		len += 100;
	}
	memset(text + len, ' ', SIZE - len); /* the last line: blanks only */
	write_file(path, text, SIZE);
	free(text);
	struct mg_plan p;
	struct mg_error e;
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	int r = mg_config_load(path, &p, &e);
	ck_assert_msg(r == 0, "r=%d line=%u msg='%s'", r, e.line, e.msg);
	ck_assert_uint_eq(p.n, 1);
	mg_plan_free(&p);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The size limit: MG_CONFIG_MAX_BYTES bytes are read, one more is refused
 * before anything is parsed. The files are sparse (all NUL bytes): the one
 * that is read fails on its first line. */
START_TEST(test_load_size_limit)
{
	char dir[] = "/tmp/mg-unit-config-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	struct mg_plan p;
	struct mg_error e;

	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)MG_CONFIG_MAX_BYTES), 0);
	fclose(f);
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_config_load(path, &p, &e), -EINVAL);
	ck_assert_uint_eq(e.line, 1);
	ck_assert_str_eq(e.msg, "line contains a NUL byte");
	mg_plan_free(&p);

	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)MG_CONFIG_MAX_BYTES + 1), 0);
	fclose(f);
	mg_plan_init(&p);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_config_load(path, &p, &e), -EFBIG);
	ck_assert(e.set);
	ck_assert_int_eq(e.kind, MG_EXIT_USAGE);
	ck_assert_int_eq(e.err, EFBIG);
	ck_assert_str_eq(e.msg, "config is larger than 16 MiB");
	ck_assert_str_eq(e.file, path);
	mg_plan_free(&p);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- mg_path_check ------------------------------------------------------ */

/* "/" + components of 200 bytes, total length n. */
static char *long_path(size_t n)
{
	char *p = malloc(n + 1);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = i % 200 == 0 ? '/' : 'p';
	p[n] = '\0';
	return p;
}

START_TEST(test_path_check_path_max)
{
	const char *why = NULL;
	char *p = long_path(PATH_MAX - 1); /* 4095 bytes */
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), 0);
	free(p);
	p = long_path(PATH_MAX); /* 4096 bytes */
	why = NULL;
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "is longer than PATH_MAX-1 (4095) bytes");
	free(p);
	p = long_path(3 * PATH_MAX);
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), -ENAMETOOLONG);
	free(p);
}
END_TEST

START_TEST(test_path_check_name_max)
{
	char p[600];
	const char *why = NULL;
	p[0] = '/';
	memset(p + 1, 'n', NAME_MAX); /* 255 */
	p[1 + NAME_MAX] = '\0';
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), 0);
	memset(p + 1, 'n', NAME_MAX + 1); /* 256 */
	p[2 + NAME_MAX] = '\0';
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), -ENAMETOOLONG);
	ck_assert_str_eq(why, "has a component longer than NAME_MAX (255) bytes");
	/* Not only the first component: "/a/" + 256 refused, "/a/" + 255 + "/b" ok. */
	snprintf(p, sizeof(p), "/a/%0256d", 0);
	why = NULL;
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(why);
	snprintf(p, sizeof(p), "/a/%0255d/b", 0);
	ck_assert_int_eq(mg_path_check(p, strlen(p), &why), 0);
}
END_TEST

START_TEST(test_path_check_other)
{
	const char *why = NULL;
	ck_assert_int_eq(mg_path_check("/", 1, &why), 0);
	ck_assert_int_eq(mg_path_check("/a/../b", 7, &why), 0);
	ck_assert_int_eq(mg_path_check("", 0, &why), -EINVAL);
	ck_assert_str_eq(why, "must be an absolute path (start with '/')");
	why = NULL;
	ck_assert_int_eq(mg_path_check("a/b", 3, &why), -EINVAL);
	ck_assert_str_eq(why, "must be an absolute path (start with '/')");
	why = NULL;
	ck_assert_int_eq(mg_path_check("/a\0b", 4, &why), -EINVAL);
	ck_assert_str_eq(why, "contains a NUL byte");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("good");
	tcase_add_test(tc, test_all_types);
	tcase_add_test(tc, test_create_and_mode);
	tcase_add_test(tc, test_options_symlinks);
	tcase_add_test(tc, test_comments_and_blank_lines);
	tcase_add_test(tc, test_whitespace_around_equals);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_escapes_in_target);
	tcase_add_test(tc, test_entry_order_and_lines);
	tcase_add_test(tc, test_entry_name_max_length);
	tcase_add_test(tc, test_long_names_stay_distinct);
	tcase_add_test(tc, test_utf8_bom);
	tcase_add_test(tc, test_no_final_newline);
	tcase_add_test(tc, test_unterminated_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_test(tc, test_line_length_limit);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_duplicate_entry_name);
	tcase_add_test(tc, test_duplicate_options_section);
	tcase_add_test(tc, test_key_outside_section);
	tcase_add_test(tc, test_empty_section);
	tcase_add_test(tc, test_empty_value);
	tcase_add_test(tc, test_indented_line);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_bad_escapes);
	tcase_add_test(tc, test_relative_target);
	tcase_add_test(tc, test_missing_type_or_target);
	tcase_add_test(tc, test_type_key_combinations);
	tcase_add_test(tc, test_mode_errors);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_first_error_wins);
	tcase_add_test(tc, test_path_sections);
	tcase_add_test(tc, test_invalid_entry_names);
	tcase_add_test(tc, test_empty_files);
	tcase_add_test(tc, test_error_format);
	tcase_add_test(tc, test_plan_reusable_after_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60); /* the sanitizer build is several times slower */
	tcase_add_test(tc, test_too_many_entries);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_file_ending_in_blanks);
	tcase_add_test(tc, test_load_size_limit);
	tcase_add_test(tc, test_path_check_path_max);
	tcase_add_test(tc, test_path_check_name_max);
	tcase_add_test(tc, test_path_check_other);
	suite_add_tcase(s, tc);

	/* Tests that showed an engine bug when they were written, tagged
	 * "bug" so that ctest runs them as a separate test (unit-*-bugs);
	 * they stay as regression tests once the engine is fixed. */
	tc = tcase_create("bugs");
	tcase_set_tags(tc, "bug");
	tcase_add_test(tc, test_unterminated_header);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the admin policy (policy/): the parser, the path rules, the
 * choice of the caller's rule, the checks of a request (every escalation of
 * issue 4 is refused with a reason that names the entry and the rule), the
 * forced flags, explain, and the ownership and mode checks of
 * mg_policy_load. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_ini.h"
#include "mg_error.h"
#include "plan.h"
#include "policy.h"

#define POL "policy.conf"
#define NOSUID_NODEV (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

/* ---- helpers ---------------------------------------------------------- */

#define POL_OK(text) pol_ok_at(__LINE__, (text))
static struct mg_policy *pol_ok_at(int at, const char *text)
{
	struct mg_policy *p = (struct mg_policy *)1;
	struct mg_error e = { 0 };
	int r = mg_policy_parse(POL, text, strlen(text), &p, &e);
	ck_assert_msg(r == 0 && !e.set && p,
		      "test line %d: expected success, got r=%d line=%u msg='%s'", at, r, e.line,
		      e.msg);
	ck_assert_str_eq(p->file, POL);
	return p;
}

/* The policy text must be refused at `line` with `sub` in the message. */
#define POL_ERR(text, line, sub) pol_err_at(__LINE__, (text), strlen(text), (line), (sub))
#define POL_ERR_LEN(text, len, line, sub) pol_err_at(__LINE__, (text), (len), (line), (sub))
static void pol_err_at(int at, const char *text, size_t len, unsigned line, const char *sub)
{
	struct mg_policy *p = (struct mg_policy *)1;
	struct mg_error e = { 0 };
	int r = mg_policy_parse(POL, text, len, &p, &e);
	ck_assert_msg(r == -EINVAL, "test line %d: expected -EINVAL, got %d", at, r);
	ck_assert_msg(p == NULL, "test line %d: *out not NULL after an error", at);
	ck_assert_msg(e.set && e.kind == MG_EXIT_USAGE && e.stage == MG_STAGE_CONFIG,
		      "test line %d: error set=%d kind=%d stage=%d", at, e.set, e.kind, e.stage);
	ck_assert_msg(e.line == line, "test line %d: error line %u, expected %u (msg '%s')", at,
		      e.line, line, e.msg);
	ck_assert_msg(strstr(e.msg, sub) != NULL, "test line %d: message '%s' lacks '%s'", at,
		      e.msg, sub);
	ck_assert_msg(e.file && strcmp(e.file, POL) == 0, "test line %d: error file", at);
}

static void plan_from(struct mg_plan *plan, const char *text)
{
	struct mg_error e = { 0 };
	mg_plan_init(plan);
	ck_assert_msg(mg_config_parse("req.conf", text, strlen(text), plan, &e) == 0,
		      "request does not parse: line %u: %s", e.line, e.msg);
}

static const struct mg_policy_caller alice = { .uid = 1000, .gid = 1000 };
static const struct mg_policy_caller root = { .uid = 0, .gid = 0 };

/* The policy most check tests run against. */
static const char base_policy[] = "[uid 1000]\n"		      /* 1 */
				  "rootfs = /srv/a\n"		      /* 2 */
				  "rootfs = /srv/ct/alice\n"	      /* 3 */
				  "types = bind, rbind, tmpfs, proc, dev\n" /* 4 */
				  "sources = /srv/data\n"	      /* 5 */
				  "sources = /opt/shared\n"	      /* 6 */
				  "force = noexec\n"		      /* 7 */
				  "max-entries = 6\n"		      /* 8 */
				  "\n"
				  "[gid 100]\n"		/* 10 */
				  "rootfs = /srv/group\n" /* 11 */
				  "types = tmpfs\n"	/* 12 */
				  "\n"
				  "[gid 200]\n"		/* 14 */
				  "rootfs = /srv/g200\n" /* 15 */
				  "types = proc\n"	/* 16 */
				  "\n"
				  "[uid 0]\n"		 /* 18 */
				  "rootfs = /srv/root\n" /* 19 */
				  "types = bind, tmpfs\n" /* 20 */
				  "sources = /\n"	 /* 21 */
				  "create = yes\n";	 /* 22 */

/* A request the base policy allows alice. Entries: 0 data, 1 tmp,
 * 2 masked, 3 readonly. */
static const char good_request[] = "[mount data]\n"	   /* 1 */
				   "type = bind\n"	   /* 2 */
				   "source = /srv/data/x\n" /* 3 */
				   "target = /data\n"	   /* 4 */
				   "[mount tmp]\n"	   /* 5 */
				   "type = tmpfs\n"	   /* 6 */
				   "target = /tmp\n"	   /* 7 */
				   "options = size=1m\n"   /* 8 */
				   "[masked]\n"		   /* 9 */
				   "path = /secret\n"	   /* 10 */
				   "[readonly]\n"	   /* 11 */
				   "path = /usr\n";	   /* 12 */

struct req {
	const char *root;
	const char *src[8];
	bool readable[8];
};

static int run_check(const struct mg_policy *p, const struct mg_policy_caller *c,
		     const struct req *q, struct mg_plan *plan, struct mg_policy_verdict *v,
		     struct mg_error *e)
{
	struct mg_policy_input in = { .root_path = q->root,
				      .source_paths = q->src,
				      .source_readable = q->readable };
	memset(e, 0, sizeof(*e));
	return mg_policy_check(p, c, &in, plan, v, e);
}

/* The request must be refused (exit 3) for entry `entry` at request line
 * `line` ("" and 0 for the request as a whole), with every non-NULL `sub` in
 * the message; the plan must be left as it was. */
#define REFUSED(p, c, q, text, entry, line, ...) \
	refused_at(__LINE__, (p), (c), (q), (text), (entry), (line), (const char *[]){ __VA_ARGS__, NULL })
static void refused_at(int at, const struct mg_policy *p, const struct mg_policy_caller *c,
		       const struct req *q, const char *text, const char *entry, unsigned line,
		       const char **subs)
{
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	plan_from(&plan, text);
	unsigned before[16] = { 0 };
	for (size_t i = 0; i < plan.n && i < 16; i++)
		before[i] = plan.entries[i].opts.attr_set;
	int r = run_check(p, c, q, &plan, &v, &e);
	ck_assert_msg(r == -EPERM, "test line %d: expected -EPERM, got %d", at, r);
	ck_assert_msg(e.set && e.kind == MG_EXIT_UNSAFE, "test line %d: kind %d", at, e.kind);
	ck_assert_msg(strcmp(e.entry, entry) == 0, "test line %d: entry '%s', expected '%s' (%s)",
		      at, e.entry, entry, e.msg);
	ck_assert_msg(e.line == line, "test line %d: line %u, expected %u (%s)", at, e.line, line,
		      e.msg);
	for (const char **s = subs; *s; s++)
		ck_assert_msg(strstr(e.msg, *s), "test line %d: message '%s' lacks '%s'", at, e.msg,
			      *s);
	if (entry[0]) {
		ck_assert_msg(v.entry < plan.n && strcmp(plan.entries[v.entry].name, entry) == 0,
			      "test line %d: verdict entry %zu", at, v.entry);
		ck_assert_str_eq(e.file, "req.conf");
	} else {
		ck_assert_msg(v.entry == MG_POLICY_NO_ENTRY, "test line %d: verdict entry %zu", at,
			      v.entry);
	}
	/* Nothing forced on a refused request. */
	for (size_t i = 0; i < plan.n && i < 16; i++)
		ck_assert_msg(plan.entries[i].opts.attr_set == before[i],
			      "test line %d: entry %zu changed by a refused check", at, i);
	mg_plan_free(&plan);
}

static const struct req good_req = {
	.root = "/srv/a/rootfs",
	.src = { "/srv/data/x" },
	.readable = { true },
};

/* ---- parsing: good files ------------------------------------------------ */

START_TEST(test_parse_rules)
{
	struct mg_policy *p = POL_OK(base_policy);
	ck_assert_uint_eq(p->n, 4);
	const struct mg_policy_rule *r = &p->rules[0];
	ck_assert_int_eq(r->subject, MG_POLICY_UID);
	ck_assert_uint_eq(r->id, 1000);
	ck_assert_uint_eq(r->line, 1);
	ck_assert_uint_eq(r->rootfs.n, 2);
	ck_assert_str_eq(r->rootfs.path[0], "/srv/a");
	ck_assert_str_eq(r->rootfs.path[1], "/srv/ct/alice");
	ck_assert_uint_eq(r->rootfs.line[1], 3);
	ck_assert_uint_eq(r->types, (1u << MG_FS_BIND) | (1u << MG_FS_RBIND) | (1u << MG_FS_TMPFS) |
					    (1u << MG_FS_PROC) | (1u << MG_FS_DEV));
	ck_assert_uint_eq(r->types_line, 4);
	ck_assert_uint_eq(r->sources.n, 2);
	ck_assert_str_eq(r->sources.path[1], "/opt/shared");
	ck_assert_uint_eq(r->force, MOUNT_ATTR_NOEXEC);
	ck_assert_uint_eq(r->force_line, 7);
	ck_assert_uint_eq(r->max_entries, 6);
	ck_assert_uint_eq(r->max_line, 8);
	ck_assert(!r->writable && !r->create && !r->trust);
	ck_assert_int_eq(p->rules[1].subject, MG_POLICY_GID);
	ck_assert_uint_eq(p->rules[1].id, 100);
	ck_assert_uint_eq(p->rules[1].max_entries, MG_MAX_ENTRIES); /* default */
	ck_assert_uint_eq(p->rules[3].id, 0);
	ck_assert_str_eq(p->rules[3].sources.path[0], "/");
	ck_assert(p->rules[3].create);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_parse_trust_and_flags)
{
	struct mg_policy *p = POL_OK("# comment\n"
				     "; another\n"
				     "[uid 0]\n"
				     "trust = yes\n"
				     "[uid 4294967294]\n"
				     "rootfs = /srv/x\n"
				     "force = ro,nosuid , nodev,noexec\n"
				     "writable = no\n"
				     "create = no\n"
				     "max-entries = 16384\n");
	ck_assert_uint_eq(p->n, 2);
	ck_assert(p->rules[0].trust);
	ck_assert_uint_eq(p->rules[0].trust_line, 4);
	ck_assert_uint_eq(p->rules[1].id, 4294967294u);
	ck_assert_uint_eq(p->rules[1].force, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	ck_assert_uint_eq(p->rules[1].max_entries, 16384);
	ck_assert_uint_eq(p->rules[1].writable_line, 8);
	ck_assert_uint_eq(p->rules[1].types, 0);
	mg_policy_free(p);
	/* trust = no is an ordinary rule. */
	p = POL_OK("[uid 0]\ntrust = no\nrootfs = /srv/r\n");
	ck_assert(!p->rules[0].trust);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_parse_empty_and_odd_text)
{
	/* No rule at all is a valid policy: nobody gets anything. */
	struct mg_policy *p = POL_OK("");
	ck_assert_uint_eq(p->n, 0);
	mg_policy_free(p);
	p = POL_OK("# nobody\n\n; nothing\n");
	ck_assert_uint_eq(p->n, 0);
	mg_policy_free(p);
	/* CRLF, a BOM, escapes, a final line without newline. */
	p = POL_OK("\xEF\xBB\xBF[gid 5]\r\nrootfs = /srv/with\\sspace\r\ntypes = tmpfs");
	ck_assert_uint_eq(p->n, 1);
	ck_assert_str_eq(p->rules[0].rootfs.path[0], "/srv/with space");
	ck_assert_uint_eq(p->rules[0].types, 1u << MG_FS_TMPFS);
	mg_policy_free(p);
	/* The same number as uid and as gid are two different rules. */
	p = POL_OK("[uid 7]\nrootfs = /a\n[gid 7]\nrootfs = /b\n");
	ck_assert_uint_eq(p->n, 2);
	mg_policy_free(p);
}
END_TEST

/* ---- parsing: bad files ------------------------------------------------- */

START_TEST(test_bad_sections)
{
	POL_ERR("[uid 1000]\nrootfs = /a\n[uid 1000]\nrootfs = /b\n", 3,
		"[uid 1000] appears twice (first at line 1)");
	POL_ERR("[gid 5]\nrootfs = /a\n\n[gid 5]\nrootfs = /a\n", 4, "appears twice");
	POL_ERR("[user alice]\nrootfs = /a\n", 1, "names are not resolved");
	POL_ERR("[group wheel]\nrootfs = /a\n", 1, "names are not resolved");
	POL_ERR("[options]\nrootfs = /a\n", 1, "unknown section [options]");
	POL_ERR("[uid]\nrootfs = /a\n", 1, "unknown section");
	POL_ERR("[ uid 1000]\nrootfs = /a\n", 1, "unknown section");
	POL_ERR("rootfs = /a\n", 1, "outside any section");
	POL_ERR("[uid 1]\nrootfs = /a\n[uid 2]\n[uid 3]\nrootfs = /a\n", 3, "section has no keys");
	POL_ERR("[uid 1]\nrootfs = /a\n[uid 2]\n", 3, "section has no keys");
	char big[128];
	snprintf(big, sizeof(big), "[uid %s]\nrootfs = /a\n",
		 "1000000000000000000000000000000000000000000000000000");
	POL_ERR(big, 1, "longer than inih's limit of 49 bytes");
}
END_TEST

START_TEST(test_bad_ids)
{
	static const char *const bad[] = {
		"abc", "-1", "+1", "0100", "00", "4294967295", "99999999999", "1 000", "1000 ", "1e3",
		"0x10", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[uid %s]\nrootfs = /a\n", bad[i]);
		POL_ERR(text, 1, "is not a uid");
		snprintf(text, sizeof(text), "[gid %s]\nrootfs = /a\n", bad[i]);
		POL_ERR(text, 1, "is not a gid");
	}
}
END_TEST

START_TEST(test_bad_keys)
{
	POL_ERR("[uid 1]\nrootfs = /a\nroot = /b\n", 3, "unknown key 'root'");
	POL_ERR("[uid 1]\nrootfs = /a\nRootfs = /b\n", 3, "unknown key 'Rootfs'");
	POL_ERR("[uid 1]\nrootfs =\n", 2, "empty value");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs\ntypes = proc\n", 4,
		"duplicate key 'types' (first at line 3)");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = nosuid\nforce = nodev\n", 4, "duplicate key 'force'");
	POL_ERR("[uid 1]\nrootfs = /a\nmax-entries = 3\nmax-entries = 3\n", 4,
		"duplicate key 'max-entries'");
	POL_ERR("[uid 1]\nrootfs = /a\nwritable = no\nwritable = no\n", 4,
		"duplicate key 'writable'");
	POL_ERR("[uid 1]\nrootfs = /a\ncreate = yes\ncreate = yes\n", 4, "duplicate key 'create'");
	POL_ERR("[uid 1]\nrootfs = /a\nwritable = maybe\n", 3, "yes or no");
	POL_ERR("[uid 1]\nrootfs = /a\ncreate = 1\n", 3, "yes or no");
	POL_ERR("[uid 1]\nrootfs = /a\nsyntax error here\n", 3, "syntax error");
}
END_TEST

START_TEST(test_bad_paths)
{
	POL_ERR("[uid 1]\nrootfs = srv/a\n", 2, "must be an absolute path");
	POL_ERR("[uid 1]\nrootfs = ./a\n", 2, "must be an absolute path");
	POL_ERR("[uid 1]\nrootfs = /a\nsources = data\ntypes = bind\n", 3,
		"sources must be an absolute path");
	POL_ERR("[uid 1]\nrootfs = /srv/a/\n", 2, "is not canonical");
	POL_ERR("[uid 1]\nrootfs = /srv//a\n", 2, "is not canonical");
	POL_ERR("[uid 1]\nrootfs = /srv/./a\n", 2, "is not canonical");
	POL_ERR("[uid 1]\nrootfs = /srv/../a\n", 2, "is not canonical");
	POL_ERR("[uid 1]\nrootfs = /srv/a/..\n", 2, "is not canonical");
	POL_ERR("[uid 1]\nrootfs = /\n", 2, "rootfs = / would allow mounts anywhere");
	POL_ERR("[uid 1]\nrootfs = /a\nrootfs = /b\nrootfs = /a\n", 4,
		"'/a' listed twice (first at line 2)");
	POL_ERR("[uid 1]\nrootfs = /a\\q\n", 2, "unknown escape");
	POL_ERR("[uid 1]\nrootfs = /a\\x00b\n", 2, "NUL");
}
END_TEST

START_TEST(test_bad_lists)
{
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs,overlay\n", 3, "unknown type 'overlay'");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs,overlay\n", 3, "known: bind, rbind, proc");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs,,proc\n", 3, "empty item");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs,\n", 3, "empty item");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = , tmpfs\n", 3, "empty item");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs, tmpfs\n", 3, "'tmpfs' listed twice");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = suid\n", 3, "not 'suid'");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = nosuid,nosuid\n", 3, "'nosuid' listed twice");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = nosymfollow\n", 3, "nosuid, nodev, noexec and ro");
	static const char *const bad_max[] = { "0", "-1", "16385", "abc", "010", "1k", " " };
	for (size_t i = 0; i < sizeof(bad_max) / sizeof(bad_max[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[uid 1]\nrootfs = /a\nmax-entries = %s\n", bad_max[i]);
		POL_ERR(text, 3, i == 6 ? "empty value" : "max-entries must be a decimal number");
	}
}
END_TEST

START_TEST(test_bad_rule_combinations)
{
	POL_ERR("[uid 1]\ntypes = tmpfs\n", 1, "[uid 1] allows no rootfs");
	POL_ERR("[uid 0]\ntrust = no\n", 1, "[uid 0] allows no rootfs");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = tmpfs, bind\n", 3,
		"types allows bind or rbind but no sources");
	POL_ERR("[uid 1]\nrootfs = /a\ntypes = rbind\n", 3, "but no sources");
	POL_ERR("[uid 1]\nrootfs = /a\nsources = /b\ntypes = tmpfs\n", 3,
		"sources is set but types allows neither");
	POL_ERR("[uid 1]\nrootfs = /a\nsources = /b\n", 3, "sources is set");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = ro\nwritable = yes\n", 4,
		"writable = yes contradicts force = ro");
	POL_ERR("[uid 1]\nrootfs = /a\nforce = ro\ntypes = dev\n", 3,
		"force = ro cannot apply to type dev");
	/* trust: only root, and alone. */
	POL_ERR("[uid 1000]\nrootfs = /a\ntrust = yes\n", 3, "trust is only for [uid 0]");
	POL_ERR("[gid 0]\nrootfs = /a\ntrust = no\n", 3, "trust is only for [uid 0]");
	POL_ERR("[uid 0]\ntrust = yes\nrootfs = /a\n", 3, "'rootfs' beside trust = yes (line 2)");
	POL_ERR("[uid 0]\nrootfs = /a\ntrust = yes\n", 3, "the rule has other keys (line 2)");
	POL_ERR("[uid 0]\ntrust = yes\ntrust = yes\n", 3, "duplicate key 'trust'");
	/* The first error of the file wins, even across rules. */
	POL_ERR("[uid 1]\nrootfs = /a\nbogus\n[uid 2]\nfoo = bar\n", 3, "syntax error");
}
END_TEST

START_TEST(test_parse_keeps_earlier_error)
{
	/* The first failure wins: a parse error never replaces (nor, when inih
	 * reports an earlier line, erases) one the caller recorded before. */
	static const char *const texts[] = { "[uid 1]\nfoo = bar\n", "[uid 1]\nfoo\nbar = 1\n" };
	for (size_t i = 0; i < 2; i++) {
		struct mg_error e = { 0 };
		struct mg_policy *p = NULL;
		mg_fail(&e, MG_EXIT_FAILED, MG_STAGE_SETUP, EIO, "earlier");
		e.line = 99;
		ck_assert_int_eq(mg_policy_parse(POL, texts[i], strlen(texts[i]), &p, &e), -EINVAL);
		ck_assert_ptr_null(p);
		ck_assert_str_eq(e.msg, "earlier");
		ck_assert_uint_eq(e.line, 99);
	}
	/* A good text leaves it as it is, too. */
	struct mg_error e = { 0 };
	struct mg_policy *p = NULL;
	mg_fail(&e, MG_EXIT_FAILED, MG_STAGE_SETUP, EIO, "earlier");
	ck_assert_int_eq(mg_policy_parse(POL, "", 0, &p, &e), 0);
	ck_assert_str_eq(e.msg, "earlier");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_reader_rules)
{
	char line[400];
	/* 199 bytes of content per line is inih's limit: 200 is refused. */
	int n = snprintf(line, sizeof(line), "[uid 1]\nrootfs = /%0*d\n", 199 - 10, 0);
	ck_assert_int_gt(n, 0);
	struct mg_policy *p = POL_OK(line);
	mg_policy_free(p);
	snprintf(line, sizeof(line), "[uid 1]\nrootfs = /%0*d\n", 200 - 10, 0);
	POL_ERR(line, 2, "line is 200 bytes long; inih takes at most 199");
	POL_ERR_LEN("[uid 1]\nrootfs = /a\0b\n", 20, 2, "NUL byte");
	POL_ERR("[uid 1]\n rootfs = /a\n", 2, "indented line");
	POL_ERR("[uid 1]\nrootfs = /a\n  types = tmpfs\n", 3, "indented line");
	POL_ERR("[uid 1]\nrootfs = /a\n\t[uid 2]\n", 3, "indented line");
	/* An inline comment ends the value; an escaped ';' does not. */
	p = POL_OK("[uid 1]\nrootfs = /a ; the alice tree\nrootfs = /b\\;c\n");
	ck_assert_str_eq(p->rules[0].rootfs.path[0], "/a");
	ck_assert_str_eq(p->rules[0].rootfs.path[1], "/b;c");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_limits)
{
	/* MG_POLICY_MAX_RULES rules are fine; one more is refused. */
	size_t cap = (size_t)(MG_POLICY_MAX_RULES + 1) * 40;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	size_t n = 0;
	for (unsigned i = 1; i <= MG_POLICY_MAX_RULES; i++)
		n += (size_t)snprintf(text + n, cap - n, "[uid %u]\nrootfs = /a\n", i);
	struct mg_policy *p = NULL;
	struct mg_error e = { 0 };
	ck_assert_int_eq(mg_policy_parse(POL, text, n, &p, &e), 0);
	ck_assert_uint_eq(p->n, MG_POLICY_MAX_RULES);
	mg_policy_free(p);
	n += (size_t)snprintf(text + n, cap - n, "[gid 1]\nrootfs = /a\n");
	POL_ERR_LEN(text, n, 2 * MG_POLICY_MAX_RULES + 1, "more than 4096 rules");
	/* MG_POLICY_MAX_BASES rootfs keys per rule. */
	n = (size_t)snprintf(text, cap, "[uid 1]\n");
	for (unsigned i = 0; i <= MG_POLICY_MAX_BASES; i++)
		n += (size_t)snprintf(text + n, cap - n, "rootfs = /r%u\n", i);
	POL_ERR_LEN(text, n, MG_POLICY_MAX_BASES + 2, "more than 256 rootfs keys");
	free(text);
}
END_TEST

/* ---- the path rules ------------------------------------------------------ */

START_TEST(test_path_canonical)
{
	static const char *const good[] = { "/", "/a", "/srv/a", "/a.b/..c/...", "/a b/c" };
	static const char *const bad[] = { "", "a", "./a", "//", "/a/", "//a", "/a//b",
					   "/.", "/a/.", "/a/./b", "/..", "/a/..", "/a/../b" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(mg_policy_path_canonical(good[i]), "'%s' should be canonical", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!mg_policy_path_canonical(bad[i]), "'%s' is not canonical", bad[i]);
	char longp[PATH_MAX + 2];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[PATH_MAX] = '\0'; /* PATH_MAX bytes: one too many */
	ck_assert(!mg_policy_path_canonical(longp));
}
END_TEST

START_TEST(test_path_beneath_componentwise)
{
	static const struct {
		const char *base, *path;
		bool at_or_beneath, strictly;
	} cases[] = {
		{ "/srv/a", "/srv/a", true, false },
		{ "/srv/a", "/srv/a/b", true, true },
		{ "/srv/a", "/srv/a/b/c", true, true },
		{ "/srv/a", "/srv/ab", false, false }, /* a string prefix, not a path prefix */
		{ "/srv/a", "/srv/ab/c", false, false },
		{ "/srv/a", "/srv/a.b", false, false },
		{ "/srv/a", "/srv", false, false },
		{ "/srv/a", "/", false, false },
		{ "/srv/a", "/srv/b/a", false, false },
		{ "/srv/a", "/srv/A", false, false },
		{ "/", "/", true, false },
		{ "/", "/x", true, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(mg_policy_path_beneath(cases[i].base, cases[i].path, false) ==
				      cases[i].at_or_beneath,
			      "'%s' at or beneath '%s'", cases[i].path, cases[i].base);
		ck_assert_msg(mg_policy_path_beneath(cases[i].base, cases[i].path, true) ==
				      cases[i].strictly,
			      "'%s' strictly beneath '%s'", cases[i].path, cases[i].base);
	}
}
END_TEST

START_TEST(test_rootfs_base_rule_in_check)
{
	struct mg_policy *p = POL_OK(base_policy);
	static const char text[] = "[mount t]\ntype = tmpfs\ntarget = /t\n";
	struct req q = { .root = "/srv/a/b" };
	struct mg_plan plan;
	struct mg_error e;
	plan_from(&plan, text);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	q.root = "/srv/a/b/c/d";
	plan_from(&plan, text);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	q.root = "/srv/ab";
	REFUSED(p, &alice, &q, text, "", 0, "refused by [uid 1000] at policy.conf:2",
		"(rootfs = /srv/a, and 1 more)", "rootfs '/srv/ab' is not strictly beneath");
	q.root = "/srv/ab/x";
	REFUSED(p, &alice, &q, text, "", 0, "'/srv/ab/x' is not strictly beneath");
	q.root = "/srv/a"; /* the base itself: everyone's directory */
	REFUSED(p, &alice, &q, text, "", 0, "'/srv/a' is not strictly beneath");
	q.root = "/srv/ct/alice/r";
	plan_from(&plan, text);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

/* ---- which rule decides ------------------------------------------------- */

START_TEST(test_precedence)
{
	struct mg_policy *p = POL_OK(base_policy);
	const struct mg_policy_rule *r, *other;
	/* A [uid] rule wins over a [gid] rule the caller also matches. */
	gid_t g100[] = { 100 };
	struct mg_policy_caller c = { .uid = 1000, .gid = 100, .groups = g100, .ngroups = 1 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), 0);
	ck_assert_ptr_eq(r, &p->rules[0]);
	ck_assert_ptr_null(other);
	/* Primary gid. */
	c = (struct mg_policy_caller){ .uid = 1001, .gid = 100 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), 0);
	ck_assert_ptr_eq(r, &p->rules[1]);
	/* Supplementary group. */
	gid_t g[] = { 5, 200, 7 };
	c = (struct mg_policy_caller){ .uid = 1001, .gid = 1001, .groups = g, .ngroups = 3 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), 0);
	ck_assert_ptr_eq(r, &p->rules[2]);
	/* Two [gid] rules and no [uid] rule: nobody decides. */
	c = (struct mg_policy_caller){ .uid = 1001, .gid = 100, .groups = g, .ngroups = 3 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), -ENOTUNIQ);
	ck_assert_ptr_eq(r, &p->rules[1]);
	ck_assert_ptr_eq(other, &p->rules[2]);
	/* ... unless a [uid] rule does. */
	c.uid = 1000;
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), 0);
	ck_assert_ptr_eq(r, &p->rules[0]);
	/* A gid equal to a uid rule's number matches nothing; nor does a uid
	 * equal to a [gid] rule's number. */
	c = (struct mg_policy_caller){ .uid = 100, .gid = 1000 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, &other), -ENOENT);
	ck_assert_ptr_null(r);
	/* Unknown caller. */
	c = (struct mg_policy_caller){ .uid = 4242, .gid = 4242 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, NULL), -ENOENT);
	/* The group list repeating the gid is one match, not two. */
	gid_t dup[] = { 100, 100 };
	c = (struct mg_policy_caller){ .uid = 4242, .gid = 100, .groups = dup, .ngroups = 2 };
	ck_assert_int_eq(mg_policy_find(p, &c, &r, NULL), 0);
	ck_assert_ptr_eq(r, &p->rules[1]);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_ambiguous_gid_rules_refused)
{
	struct mg_policy *p = POL_OK(base_policy);
	gid_t g[] = { 200 };
	struct mg_policy_caller c = { .uid = 1001, .gid = 100, .groups = g, .ngroups = 1 };
	struct req q = { .root = "/srv/group/x" };
	REFUSED(p, &c, &q, "[mount t]\ntype = tmpfs\ntarget = /t\n", "", 0,
		"uid 1001 (gid 100, groups 200) has no [uid 1001] rule",
		"[gid 100] (line 10) and [gid 200] (line 14)");
	/* One group fewer: the [gid 100] rule decides and allows it. */
	c.ngroups = 0;
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\n");
	ck_assert_int_eq(run_check(p, &c, &q, &plan, &v, &e), 0);
	ck_assert_ptr_eq(v.rule, &p->rules[1]);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

/* ---- checks: allowed requests and forced flags -------------------------- */

START_TEST(test_allowed_and_forced)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	plan_from(&plan, good_request);
	ck_assert_uint_eq(plan.n, 4);
	ck_assert_int_eq(run_check(p, &alice, &good_req, &plan, &v, &e), 0);
	ck_assert(!e.set);
	ck_assert_ptr_eq(v.rule, &p->rules[0]);
	ck_assert(!v.trusted);
	ck_assert_uint_eq(v.entry, MG_POLICY_NO_ENTRY);
	unsigned want = NOSUID_NODEV | MOUNT_ATTR_NOEXEC;
	ck_assert_uint_eq(v.forced, want);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, want);
	ck_assert_uint_eq(plan.entries[1].opts.attr_set, want);
	/* Masks and read-only paths keep the engine's fixed flags. */
	ck_assert_uint_eq(plan.entries[2].opts.attr_set, 0);
	ck_assert_uint_eq(plan.entries[3].opts.attr_set, 0);
	mg_plan_free(&plan);

	/* Flags the entry already asks stay; the forced ones are added. */
	plan_from(&plan, "[mount s]\ntype = rbind\nsource = /opt/shared\ntarget = /s\n"
			 "options = ro,nosuid\n");
	struct req q = { .root = "/srv/a/r", .src = { "/opt/shared" }, .readable = { true } };
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, MOUNT_ATTR_RDONLY | want);
	ck_assert_uint_eq(plan.entries[0].opts.attr_clr, 0);
	mg_plan_free(&plan);

	/* type = dev: the forced flags go on its tmpfs. */
	plan_from(&plan, "[mount dev]\ntype = dev\ntarget = /dev\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, want);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_root_rule_without_trust)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	/* Root is not forced nosuid/nodev, may ask suid, may bind from
	 * anywhere beneath "/" and create targets, even set-user-ID ones. */
	plan_from(&plan, "[mount b]\ntype = bind\nsource = /usr/bin\ntarget = /b\n"
			 "options = suid,dev\ncreate = dir\nmode = 4755\n");
	struct req q = { .root = "/srv/root/x", .src = { "/usr/bin" }, .readable = { true } };
	ck_assert_int_eq(run_check(p, &root, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(v.forced, 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, 0);
	mg_plan_free(&plan);
	/* But its rule still bounds it. */
	q.root = "/srv/a/x";
	REFUSED(p, &root, &q, "[mount t]\ntype = tmpfs\ntarget = /t\n", "", 0,
		"refused by [uid 0] at policy.conf:19", "not strictly beneath");
	q.root = "/srv/root/x";
	REFUSED(p, &root, &q, "[mount p]\ntype = proc\ntarget = /proc\n", "p", 1,
		"[uid 0] at policy.conf:20 (types = bind, tmpfs)", "type proc is not allowed");
	/* A readable source is asked of root too: it is not trusted. */
	q.readable[0] = false;
	REFUSED(p, &root, &q, "[mount b]\ntype = bind\nsource = /etc\ntarget = /b\n", "b", 1,
		"did not come as a descriptor the caller opened for reading");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_root_without_rule_gets_nothing)
{
	struct mg_policy *p = POL_OK("[uid 1000]\nrootfs = /srv/a\ntypes = tmpfs\n");
	struct req q = { .root = "/srv/a/x" };
	REFUSED(p, &root, &q, "[mount t]\ntype = tmpfs\ntarget = /t\n", "", 0,
		"no rule for uid 0 (gid 0)", "root is not trusted without a [uid 0] rule");
	/* Even a request of masks alone. */
	REFUSED(p, &root, &q, "[masked]\npath = /x\n", "", 0, "no rule for uid 0");
	/* An unknown user likewise. */
	struct mg_policy_caller bob = { .uid = 1001, .gid = 1001 };
	REFUSED(p, &bob, &q, "[masked]\npath = /x\n", "", 0, "no rule for uid 1001 (gid 1001)",
		"unknown callers get nothing");
	mg_policy_free(p);
	/* An empty policy: nobody. */
	p = POL_OK("");
	REFUSED(p, &alice, &q, "[masked]\npath = /x\n", "", 0, "no rule for uid 1000");
	REFUSED(p, &root, &q, "[masked]\npath = /x\n", "", 0, "no rule for uid 0");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_root_trusted)
{
	struct mg_policy *p = POL_OK("[uid 0]\ntrust = yes\n");
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	/* Nothing is checked or changed: no names needed, suid kept. */
	plan_from(&plan, "[mount b]\ntype = bind\nsource = /\ntarget = /b\noptions = suid,rw\n"
			 "create = dir\n[mount s]\ntype = sysfs\ntarget = /sys\n[writable]\n"
			 "path = /b\n");
	struct req q = { .root = NULL };
	ck_assert_int_eq(run_check(p, &root, &q, &plan, &v, &e), 0);
	ck_assert(v.trusted);
	ck_assert_uint_eq(v.forced, 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_clr, MOUNT_ATTR_NOSUID | MOUNT_ATTR_RDONLY);
	mg_plan_free(&plan);
	/* The same policy gives a user nothing. */
	REFUSED(p, &alice, &q, "[masked]\npath = /x\n", "", 0, "no rule for uid 1000");
	mg_policy_free(p);
	/* A hand-built policy that trusts a user is refused all the same. */
	struct mg_policy_rule rule = { .subject = MG_POLICY_UID, .id = 1000, .line = 1,
				       .trust = true, .trust_line = 2 };
	struct mg_policy hand = { .file = (char *)"hand", .rules = &rule, .n = 1 };
	REFUSED(&hand, &alice, &q, "[masked]\npath = /x\n", "", 0, "only root can be trusted");
}
END_TEST

/* ---- checks: each escalation of issue 4 is refused ---------------------- */

START_TEST(test_refuse_rootfs_names)
{
	struct mg_policy *p = POL_OK(base_policy);
	static const char text[] = "[mount t]\ntype = tmpfs\ntarget = /t\n";
	struct req q = { .root = "/srv/other/x" };
	REFUSED(p, &alice, &q, text, "", 0, "[uid 1000]", "not strictly beneath a rootfs base");
	/* A name that is not the kernel's: a symlinked or dotted path. */
	q.root = "/srv/a/../../etc";
	REFUSED(p, &alice, &q, text, "", 0, "is not the canonical name");
	q.root = "/srv/a/x/";
	REFUSED(p, &alice, &q, text, "", 0, "is not the canonical name");
	q.root = "srv/a/x";
	REFUSED(p, &alice, &q, text, "", 0, "is not the canonical name");
	q.root = "/srv/a/x (deleted)";
	REFUSED(p, &alice, &q, text, "", 0, "is not the canonical name");
	q.root = NULL;
	REFUSED(p, &alice, &q, text, "", 0, "name of the rootfs is not known");
	/* Control bytes in a name are shown escaped. */
	q.root = "/srv/x\n/y";
	REFUSED(p, &alice, &q, text, "", 0, "'/srv/x\\x0a/y'");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_sources)
{
	struct mg_policy *p = POL_OK(base_policy);
	static const char text[] = "[mount t]\ntype = tmpfs\ntarget = /t\n" /* 1-3 */
				   "[mount b]\ntype = bind\nsource = /x\ntarget = /b\n"; /* 4-7 */
	struct req q = { .root = "/srv/a/r", .src = { NULL, "/srv/database" },
			 .readable = { false, true } };
	REFUSED(p, &alice, &q, text, "b", 4, "refused by [uid 1000] at policy.conf:5",
		"(sources = /srv/data, and 1 more)",
		"bind source '/srv/database' is neither a source base nor beneath one");
	q.src[1] = "/etc/shadow";
	REFUSED(p, &alice, &q, text, "b", 4, "'/etc/shadow' is neither");
	q.src[1] = "/srv/data/../../etc";
	REFUSED(p, &alice, &q, text, "b", 4, "is not the canonical name");
	q.src[1] = "/srv/data/gone (deleted)";
	REFUSED(p, &alice, &q, text, "b", 4, "is not the canonical name");
	q.src[1] = NULL;
	REFUSED(p, &alice, &q, text, "b", 4, "name of the bind source is not known");
	/* A source the caller could not open (it came as O_PATH). */
	q.src[1] = "/srv/data/secret";
	q.readable[1] = false;
	REFUSED(p, &alice, &q, text, "b", 4, "[uid 1000]",
		"did not come as a descriptor the caller opened for reading",
		"a caller may bind only what it can open");
	/* A very long name is cut short in the message, not overflowing it. */
	static char longname[PATH_MAX];
	memset(longname, 'a', sizeof(longname) - 1);
	for (size_t j = 0; j < sizeof(longname) - 1; j += 200)
		longname[j] = '/';
	longname[sizeof(longname) - 1] = '\0';
	q.src[1] = longname;
	REFUSED(p, &alice, &q, text, "b", 4, "bind source '/aaaa", "...' is neither");
	/* No arrays at all. */
	struct mg_plan plan;
	struct mg_error e = { 0 };
	plan_from(&plan, text);
	struct mg_policy_input in = { .root_path = "/srv/a/r" };
	ck_assert_int_eq(mg_policy_check(p, &alice, &in, &plan, NULL, &e), -EPERM);
	ck_assert_str_eq(e.entry, "b");
	ck_assert_ptr_nonnull(strstr(e.msg, "not known"));
	mg_plan_free(&plan);
	const char *srcs[] = { NULL, "/srv/data/x" };
	in.source_paths = srcs;
	memset(&e, 0, sizeof(e));
	plan_from(&plan, text);
	ck_assert_int_eq(mg_policy_check(p, &alice, &in, &plan, NULL, &e), -EPERM);
	ck_assert_ptr_nonnull(strstr(e.msg, "opened for reading"));
	mg_plan_free(&plan);
	/* Readable, beneath a base: allowed, also the base itself. */
	q.readable[1] = true;
	q.src[1] = "/srv/data";
	plan_from(&plan, text);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_types)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct req q = { .root = "/srv/a/r" };
	REFUSED(p, &alice, &q,
		"[mount t]\ntype = tmpfs\ntarget = /t\n[mount sys]\ntype = sysfs\ntarget = /sys\n",
		"sys", 4, "refused by [uid 1000] at policy.conf:4",
		"(types = bind, rbind, proc, tmpfs, dev)", "type sysfs is not allowed");
	REFUSED(p, &alice, &q, "[mount c]\ntype = cgroup2\ntarget = /c\n", "c", 1,
		"type cgroup2 is not allowed");
	mg_policy_free(p);
	/* No types key: no mounts, but masks and read-only paths. */
	p = POL_OK("[uid 1000]\nrootfs = /srv/a\n");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\n", "t", 1,
		"the rule has no types key, so it allows no mounts");
	struct mg_plan plan;
	struct mg_error e;
	plan_from(&plan, "[masked]\npath = /x\n[readonly]\npath = /\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_suid_dev_and_forced_flags)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct req q = { .root = "/srv/a/r", .src = { "/srv/data/x" }, .readable = { true } };
	REFUSED(p, &alice, &q, "[mount b]\ntype = bind\nsource = /x\ntarget = /b\noptions = suid\n",
		"b", 1, "[uid 1000] at policy.conf:1",
		"the entry asks 'suid', but nosuid is forced on every mount of a caller that is "
		"not root");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\noptions = dev\n", "t", 1,
		"asks 'dev', but nodev is forced");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\noptions = exec\n", "t", 1,
		"[uid 1000] at policy.conf:7 (force = noexec)", "the entry asks 'exec'");
	mg_policy_free(p);
	/* Named in force too: the key is the reason given. */
	p = POL_OK("[uid 1000]\nrootfs = /srv/a\ntypes = tmpfs\nforce = nosuid, ro\n");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\noptions = suid\n", "t", 1,
		"policy.conf:4 (force = nosuid, ro)", "asks 'suid'");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\noptions = rw\n", "t", 1,
		"(force = nosuid, ro)", "asks 'rw'");
	/* force = ro: every mount read-only, no [writable] exception. */
	struct mg_plan plan;
	struct mg_error e;
	struct mg_policy_verdict v;
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set, MOUNT_ATTR_RDONLY | NOSUID_NODEV);
	mg_plan_free(&plan);
	REFUSED(p, &alice, &q, "[writable]\npath = /t\n", "writable", 2, "(force = ro)",
		"would clear the forced read-only");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_too_many_entries)
{
	struct mg_policy *p = POL_OK(base_policy); /* max-entries = 6 */
	struct req q = { .root = "/srv/a/r" };
	static const char six[] = "[masked]\npath = /1\npath = /2\npath = /3\npath = /4\n"
				  "path = /5\npath = /6\n";
	struct mg_plan plan;
	struct mg_error e;
	plan_from(&plan, six);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	REFUSED(p, &alice, &q, "[masked]\npath = /1\npath = /2\npath = /3\npath = /4\n"
			       "path = /5\npath = /6\npath = /7\n",
		"", 0, "[uid 1000] at policy.conf:8 (max-entries = 6)",
		"the request has 7 entries, more than the 6 allowed");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_clearing_readonly)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct req q = { .root = "/srv/a/r", .src = { "/srv/data/x" }, .readable = { true } };
	REFUSED(p, &alice, &q, "[mount b]\ntype = bind\nsource = /x\ntarget = /b\noptions = rw\n",
		"b", 1, "'rw' on a bind clears read-only", "writable = yes");
	REFUSED(p, &alice, &q, "[readonly]\npath = /\n[writable]\npath = /tmp\n", "writable", 4,
		"[uid 1000] at policy.conf:1:", "a [writable] exception clears read-only");
	/* rw on a fresh filesystem clears nothing of the host's. */
	struct mg_plan plan;
	struct mg_error e;
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\noptions = rw\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	mg_policy_free(p);
	/* writable = no named: the key is the reason. */
	p = POL_OK("[uid 1000]\nrootfs = /srv/a\nwritable = no\n");
	REFUSED(p, &alice, &q, "[writable]\npath = /tmp\n", "writable", 2,
		"policy.conf:3 (writable = no)");
	mg_policy_free(p);
	p = POL_OK("[uid 1000]\nrootfs = /srv/a\ntypes = bind\nsources = /srv/data\n"
		   "writable = yes\n");
	plan_from(&plan, "[mount b]\ntype = bind\nsource = /x\ntarget = /b\noptions = rw\n"
			 "[readonly]\npath = /\n[writable]\npath = /b\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_clr, MOUNT_ATTR_RDONLY);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

START_TEST(test_refuse_create)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct req q = { .root = "/srv/a/r" };
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\ncreate = dir\n", "t", 1,
		"[uid 1000] at policy.conf:1:", "creates its target (create = dir) as root",
		"create = yes");
	mg_policy_free(p);
	p = POL_OK("[uid 1000]\nrootfs = /srv/a\ntypes = tmpfs, bind\nsources = /srv/data\n"
		   "create = yes\n");
	struct mg_plan plan;
	struct mg_error e;
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\ncreate = dir\nmode = 0700\n");
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, NULL, &e), 0);
	mg_plan_free(&plan);
	q.src[0] = "/srv/data/f";
	q.readable[0] = true;
	REFUSED(p, &alice, &q,
		"[mount f]\ntype = bind\nsource = /x\ntarget = /f\ncreate = file\nmode = 4755\n",
		"f", 1, "policy.conf:5 (create = yes)",
		"mode 4755 would create a set-user-ID or set-group-ID file owned by root");
	REFUSED(p, &alice, &q, "[mount t]\ntype = tmpfs\ntarget = /t\ncreate = dir\nmode = 2775\n",
		"t", 1, "set-group-ID directory");
	mg_policy_free(p);
}
END_TEST

START_TEST(test_first_refusal_wins)
{
	struct mg_policy *p = POL_OK(base_policy);
	struct req q = { .root = "/srv/a/r", .src = { NULL, "/etc" }, .readable = { false, true } };
	/* Entries are checked in plan order, and the first refusal is the
	 * one reported; the whole-request checks come before any entry. */
	REFUSED(p, &alice, &q,
		"[mount s]\ntype = sysfs\ntarget = /s\n[mount b]\ntype = bind\nsource = /x\n"
		"target = /b\n",
		"s", 1, "type sysfs");
	q.root = "/elsewhere";
	REFUSED(p, &alice, &q,
		"[mount s]\ntype = sysfs\ntarget = /s\n[mount b]\ntype = bind\nsource = /x\n"
		"target = /b\n",
		"", 0, "rootfs '/elsewhere'");
	/* An error already recorded is never overwritten. */
	struct mg_plan plan;
	struct mg_error e = { 0 };
	plan_from(&plan, "[mount s]\ntype = sysfs\ntarget = /s\n");
	mg_fail(&e, MG_EXIT_FAILED, MG_STAGE_SETUP, EIO, "earlier");
	struct mg_policy_input in = { .root_path = "/srv/a/r" };
	ck_assert_int_eq(mg_policy_check(p, &alice, &in, &plan, NULL, &e), -EPERM);
	ck_assert_str_eq(e.msg, "earlier");
	mg_plan_free(&plan);
	/* The formatted error names the request's file, line and entry. */
	memset(&e, 0, sizeof(e));
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\n[mount s]\ntype = sysfs\n"
			 "target = /s\n");
	ck_assert_int_eq(mg_policy_check(p, &alice, &in, &plan, NULL, &e), -EPERM);
	char buf[2048];
	mg_error_format(&e, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "req.conf:4: entry 's': config: refused by [uid 1000] at "
				   "policy.conf:4 (types = ",
			      strlen("req.conf:4: entry 's': config: refused by [uid 1000] at "
				     "policy.conf:4 (types = ")) == 0,
		      "formatted: %s", buf);
	mg_plan_free(&plan);
	/* Missing arguments fail closed. */
	memset(&e, 0, sizeof(e));
	plan_from(&plan, "[mount t]\ntype = tmpfs\ntarget = /t\n");
	ck_assert_int_eq(mg_policy_check(NULL, &alice, &in, &plan, NULL, &e), -EINVAL);
	ck_assert(e.set && e.kind == MG_EXIT_UNSAFE);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_policy_check(p, NULL, &in, &plan, NULL, &e), -EINVAL);
	ck_assert(e.set && e.kind == MG_EXIT_UNSAFE);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

/* ---- explain --------------------------------------------------------------- */

static char *explain(const struct mg_policy *p, const struct mg_policy_caller *c, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	*ret = mg_policy_explain(p, c, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

#define HAS(text, sub) ck_assert_msg(strstr((text), (sub)), "output lacks '%s':\n%s", (sub), (text))
#define LACKS(text, sub) \
	ck_assert_msg(!strstr((text), (sub)), "output has '%s':\n%s", (sub), (text))

START_TEST(test_explain)
{
	struct mg_policy *p = POL_OK(base_policy);
	int r;
	char *out = explain(p, &alice, &r);
	ck_assert_int_eq(r, 0);
	HAS(out, "policy policy.conf, caller uid 1000 (gid 1000):");
	HAS(out, "rule [uid 1000] at line 1 decides");
	HAS(out, "    /srv/a (line 2)\n");
	HAS(out, "    /srv/ct/alice (line 3)\n");
	HAS(out, "mount types: bind, rbind, proc, tmpfs, dev (line 4)");
	HAS(out, "    /opt/shared (line 6)\n");
	HAS(out, "forced on every mount: nosuid, nodev, noexec");
	HAS(out, "(force = noexec, line 7)");
	HAS(out, "clear read-only (rw on binds, [writable] exceptions): no (default)");
	HAS(out, "create missing targets: no (default)");
	HAS(out, "at most 6 (line 8)");
	free(out);

	gid_t g[] = { 200 };
	struct mg_policy_caller c = { .uid = 1001, .gid = 1001, .groups = g, .ngroups = 1 };
	out = explain(p, &c, &r);
	ck_assert_int_eq(r, 0);
	HAS(out, "caller uid 1001 (gid 1001, groups 200)");
	HAS(out, "rule [gid 200] at line 14 decides (no [uid 1001] rule; gid 200 is the caller's "
		 "supplementary group)");
	HAS(out, "mount types: proc (line 16)");
	HAS(out, "bind sources at or beneath (opened for reading by the caller): none");
	HAS(out, "at most 16384 (default)");
	free(out);

	c.gid = 100;
	out = explain(p, &c, &r);
	ck_assert_int_eq(r, -EPERM);
	HAS(out, "nothing is allowed: there is no [uid 1001] rule, and both [gid 100] (line 10) "
		 "and [gid 200] (line 14) match");
	LACKS(out, "decides");
	free(out);

	c = (struct mg_policy_caller){ .uid = 4242, .gid = 4242 };
	out = explain(p, &c, &r);
	ck_assert_int_eq(r, -EPERM);
	HAS(out, "nothing is allowed: no [uid 4242] rule, and no [gid] rule for its gid");
	free(out);

	out = explain(p, &root, &r);
	ck_assert_int_eq(r, 0);
	HAS(out, "forced on every mount: nothing\n");
	LACKS(out, "always, for a caller that is not root");
	HAS(out, "create missing targets: yes (line 22)\n");
	free(out);
	mg_policy_free(p);

	p = POL_OK("[uid 0]\ntrust = yes\n");
	out = explain(p, &root, &r);
	ck_assert_int_eq(r, 0);
	HAS(out, "trusted (trust = yes, line 2): no limit of this policy applies");
	free(out);
	out = explain(p, &alice, &r);
	ck_assert_int_eq(r, -EPERM);
	free(out);
	mg_policy_free(p);

	p = POL_OK("[uid 1]\nrootfs = /a\n");
	out = explain(p, &root, &r);
	ck_assert_int_eq(r, -EPERM);
	HAS(out, "root is not trusted by default: it needs a [uid 0] rule");
	free(out);
	mg_policy_free(p);
}
END_TEST

/* ---- the shipped example ------------------------------------------------ */

START_TEST(test_example_policy)
{
	char path[PATH_MAX], text[16384];
	snprintf(path, sizeof(path), "%s/../../policy/example-policy.conf", MG_TEST_DATA_DIR);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	size_t len = fread(text, 1, sizeof(text), f);
	ck_assert_uint_lt(len, sizeof(text));
	fclose(f);
	struct mg_policy *p = NULL;
	struct mg_error e = { 0 };
	ck_assert_msg(mg_policy_parse(path, text, len, &p, &e) == 0, "line %u: %s", e.line, e.msg);
	ck_assert_uint_eq(p->n, 3);
	/* Root is trusted, alice is bounded, a ci member is bounded harder. */
	struct mg_plan plan;
	struct mg_policy_verdict v;
	plan_from(&plan, good_request);
	struct req q = { .root = "/srv/containers/alice/ct1", .src = { "/srv/images/base" },
			 .readable = { true } };
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(run_check(p, &root, &q, &plan, &v, &e), 0);
	ck_assert(v.trusted);
	ck_assert_int_eq(run_check(p, &alice, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(v.forced, NOSUID_NODEV | MOUNT_ATTR_NOEXEC);
	mg_plan_free(&plan);
	q.root = "/srv/containers/alicia/ct1";
	REFUSED(p, &alice, &q, good_request, "", 0, "not strictly beneath");
	gid_t ci[] = { 2000 };
	struct mg_policy_caller bob = { .uid = 1001, .gid = 1001, .groups = ci, .ngroups = 1 };
	q.root = "/srv/ci/job1";
	q.src[0] = "/var/cache/ci/npm";
	REFUSED(p, &bob, &q, good_request, "tmp", 5, "[gid 2000]", "type tmpfs is not allowed");
	plan_from(&plan, "[mount cache]\ntype = bind\nsource = /x\ntarget = /cache\n");
	ck_assert_int_eq(run_check(p, &bob, &q, &plan, &v, &e), 0);
	ck_assert_uint_eq(plan.entries[0].opts.attr_set,
			  NOSUID_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY);
	mg_plan_free(&plan);
	mg_policy_free(p);
}
END_TEST

/* ---- loading: the file's owner and mode ---------------------------------- */

#define LOAD_ERR(path, kind, sub) load_err_at(__LINE__, (path), (kind), (sub))
static void load_err_at(int at, const char *path, enum mg_exit kind, const char *sub)
{
	struct mg_policy *p = (struct mg_policy *)1;
	struct mg_error e = { 0 };
	int r = mg_policy_load(path, &p, &e);
	ck_assert_msg(r < 0, "test line %d: %s loaded", at, path);
	ck_assert_msg(p == NULL, "test line %d: *out set", at);
	ck_assert_msg(e.set && e.kind == kind, "test line %d: kind %d, expected %d (%s)", at,
		      e.kind, kind, e.msg);
	ck_assert_msg(strstr(e.msg, sub), "test line %d: message '%s' lacks '%s'", at, e.msg, sub);
	ck_assert_msg(e.file && strcmp(e.file, path) == 0, "test line %d: error file", at);
}

START_TEST(test_load_refusals_any_user)
{
	LOAD_ERR("policy.conf", MG_EXIT_USAGE, "must be an absolute path");
	LOAD_ERR("/etc/../etc/passwd", MG_EXIT_USAGE, "must be an absolute, canonical path");
	LOAD_ERR("/", MG_EXIT_USAGE, "to a file");
	LOAD_ERR("/nonexistent-mg-dir/policy.conf", MG_EXIT_UNSAFE,
		 "cannot open directory /nonexistent-mg-dir");
	/* /tmp is writable by everyone: anyone could have put the file there. */
	char path[] = "/tmp/mg-policy-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "", 0), 0);
	close(fd);
	LOAD_ERR(path, MG_EXIT_UNSAFE, "directory /tmp is writable by others (mode 1777)");
	unlink(path);
}
END_TEST

/* The rest need files owned by root in directories owned by root: root, in a
 * private mount namespace of this (forked) test, with a tmpfs on /mnt. */
static bool load_tests_can_run(const char *test)
{
	if (getuid() == 0) {
		ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
		ck_assert_int_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
		ck_assert_msg(mount("tmpfs", "/mnt", "tmpfs", 0, "mode=0755") == 0, "tmpfs: %s",
			      strerror(errno));
		return true;
	}
	const char *ci = getenv("CI");
	ck_assert_msg(!(ci && strcmp(ci, "true") == 0), "CI=true: %s must run, but needs root",
		      test);
	printf("SKIP %s: not root (uid %u)\n", test, (unsigned)getuid());
	return false;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(test_load_good_and_bad_files)
{
	if (!load_tests_can_run("test_load_good_and_bad_files"))
		return;
	ck_assert_int_eq(mkdir("/mnt/etc", 0755), 0);
	write_file("/mnt/etc/policy.conf", base_policy, 0644);
	struct mg_policy *p = NULL;
	struct mg_error e = { 0 };
	ck_assert_msg(mg_policy_load("/mnt/etc/policy.conf", &p, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(p->n, 4);
	ck_assert_str_eq(p->file, "/mnt/etc/policy.conf");
	mg_policy_free(p);
	/* 0400 passes the checks too: only write access by others matters (root
	 * reads it here; a helper running as a user needs 0644). */
	ck_assert_int_eq(chmod("/mnt/etc/policy.conf", 0400), 0);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_policy_load("/mnt/etc/policy.conf", &p, &e), 0);
	mg_policy_free(p);

	/* World-writable and group-writable files. */
	ck_assert_int_eq(chmod("/mnt/etc/policy.conf", 0666), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE,
		 "file /mnt/etc/policy.conf is writable by others (mode 0666)");
	ck_assert_int_eq(chmod("/mnt/etc/policy.conf", 0664), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE, "is writable by its group (mode 0664)");
	ck_assert_int_eq(chmod("/mnt/etc/policy.conf", 0644), 0);
	/* Owned by someone else. */
	ck_assert_int_eq(chown("/mnt/etc/policy.conf", 1000, 0), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE, "is owned by uid 1000, not root");
	ck_assert_int_eq(chown("/mnt/etc/policy.conf", 0, 1000), 0);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_policy_load("/mnt/etc/policy.conf", &p, &e), 0); /* any group */
	mg_policy_free(p);
	/* A directory above it writable by others, or not root's. */
	ck_assert_int_eq(chmod("/mnt/etc", 0777), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE,
		 "directory /mnt/etc is writable by others (mode 0777)");
	ck_assert_int_eq(chmod("/mnt/etc", 01777), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE, "(mode 1777)");
	ck_assert_int_eq(chmod("/mnt/etc", 0755), 0);
	ck_assert_int_eq(chmod("/mnt", 0775), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE, "directory /mnt is writable by its group");
	ck_assert_int_eq(chmod("/mnt", 0755), 0);
	ck_assert_int_eq(chown("/mnt/etc", 1000, 0), 0);
	LOAD_ERR("/mnt/etc/policy.conf", MG_EXIT_UNSAFE, "directory /mnt/etc is owned by uid 1000");
	ck_assert_int_eq(chown("/mnt/etc", 0, 0), 0);
	/* Missing. */
	LOAD_ERR("/mnt/etc/none.conf", MG_EXIT_UNSAFE, "cannot open /mnt/etc/none.conf");
	/* Bad contents: a usage error with the line. */
	write_file("/mnt/etc/bad.conf", "[uid 1]\nrootfs = /a\nfoo = bar\n", 0644);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mg_policy_load("/mnt/etc/bad.conf", &p, &e), -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(e.kind, MG_EXIT_USAGE);
	ck_assert_uint_eq(e.line, 3);
	ck_assert_str_eq(e.file, "/mnt/etc/bad.conf");
}
END_TEST

START_TEST(test_load_symlinks_and_special_files)
{
	if (!load_tests_can_run("test_load_symlinks_and_special_files"))
		return;
	ck_assert_int_eq(mkdir("/mnt/etc", 0755), 0);
	write_file("/mnt/etc/policy.conf", base_policy, 0644);
	/* A symlink as the file, or as a directory on the way. */
	ck_assert_int_eq(symlink("policy.conf", "/mnt/etc/link.conf"), 0);
	LOAD_ERR("/mnt/etc/link.conf", MG_EXIT_UNSAFE, "/mnt/etc/link.conf is a symbolic link");
	ck_assert_int_eq(symlink("etc", "/mnt/etclink"), 0);
	LOAD_ERR("/mnt/etclink/policy.conf", MG_EXIT_UNSAFE,
		 "/mnt/etclink is a symbolic link or not a directory");
	/* A FIFO must not hang the load; a directory is no file. */
	ck_assert_int_eq(mkfifo("/mnt/etc/fifo.conf", 0644), 0);
	LOAD_ERR("/mnt/etc/fifo.conf", MG_EXIT_UNSAFE, "is not a regular file");
	ck_assert_int_eq(mkdir("/mnt/etc/dir.conf", 0755), 0);
	LOAD_ERR("/mnt/etc/dir.conf", MG_EXIT_UNSAFE, "is not a regular file");
	LOAD_ERR("/mnt/etc/policy.conf/x", MG_EXIT_UNSAFE, "not a directory");
	/* Too large. */
	int fd = open("/mnt/etc/big.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, MG_POLICY_MAX_BYTES + 1), 0);
	close(fd);
	LOAD_ERR("/mnt/etc/big.conf", MG_EXIT_USAGE, "larger than 1048576 bytes");
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_rules);
	tcase_add_test(tc, test_parse_trust_and_flags);
	tcase_add_test(tc, test_parse_empty_and_odd_text);
	tcase_add_test(tc, test_bad_sections);
	tcase_add_test(tc, test_bad_ids);
	tcase_add_test(tc, test_bad_keys);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_bad_lists);
	tcase_add_test(tc, test_bad_rule_combinations);
	tcase_add_test(tc, test_parse_keeps_earlier_error);
	tcase_add_test(tc, test_reader_rules);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, test_path_canonical);
	tcase_add_test(tc, test_path_beneath_componentwise);
	tcase_add_test(tc, test_rootfs_base_rule_in_check);
	suite_add_tcase(s, tc);

	tc = tcase_create("precedence");
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_ambiguous_gid_rules_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, test_allowed_and_forced);
	tcase_add_test(tc, test_root_rule_without_trust);
	tcase_add_test(tc, test_root_without_rule_gets_nothing);
	tcase_add_test(tc, test_root_trusted);
	tcase_add_test(tc, test_refuse_rootfs_names);
	tcase_add_test(tc, test_refuse_sources);
	tcase_add_test(tc, test_refuse_types);
	tcase_add_test(tc, test_refuse_suid_dev_and_forced_flags);
	tcase_add_test(tc, test_refuse_too_many_entries);
	tcase_add_test(tc, test_refuse_clearing_readonly);
	tcase_add_test(tc, test_refuse_create);
	tcase_add_test(tc, test_first_refusal_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("explain");
	tcase_add_test(tc, test_explain);
	tcase_add_test(tc, test_example_policy);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_refusals_any_user);
	tcase_add_test(tc, test_load_good_and_bad_files);
	tcase_add_test(tc, test_load_symlinks_and_special_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

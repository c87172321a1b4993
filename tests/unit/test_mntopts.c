/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for option strings (common/mntopts.c), and for the tokeniser
 * and option maps it uses (common/optstr.c, common/optmap.c) against
 * libmount, which this test alone links: libmount is their reference. */
#include <check.h>
#include <errno.h>
#include <libmount.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mntopts.h"
#include "optmap.h"
#include "optstr.h"
#include "plan.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int parse(enum mg_fstype t, const char *text, struct mg_mntopts *o, char *why, size_t whysz)
{
	memset(o, 0, sizeof(*o));
	o->atime = -1;
	why[0] = '\0';
	return mg_mntopts_parse(t, text, o, why, whysz);
}

/* Must be accepted; the caller checks and clears `o`. */
#define OPTS_OK(type, text, o) opts_ok_at(__LINE__, (type), (text), (o))
static void opts_ok_at(int at, enum mg_fstype t, const char *text, struct mg_mntopts *o)
{
	char why[256];
	int r = parse(t, text, o, why, sizeof(why));
	ck_assert_msg(r == 0, "test line %d: '%s' for %s refused (%d): %s", at, text,
		      mg_fstype_name(t), r, why);
}

/* Must be refused with `sub` in the reason. */
#define OPTS_ERR(type, text, sub) opts_err_at(__LINE__, (type), (text), (sub))
static void opts_err_at(int at, enum mg_fstype t, const char *text, const char *sub)
{
	struct mg_mntopts o;
	char why[256];
	int r = parse(t, text, &o, why, sizeof(why));
	ck_assert_msg(r == -EINVAL, "test line %d: '%s' for %s: expected -EINVAL, got %d", at, text,
		      mg_fstype_name(t), r);
	ck_assert_msg(strstr(why, sub) != NULL, "test line %d: '%s': reason '%s' lacks '%s'", at,
		      text, why, sub);
	mg_mntopts_clear(&o);
}

static const struct {
	const char *name;
	unsigned set, clr;
} vfs_flags[] = {
	{ "ro", MOUNT_ATTR_RDONLY, 0 },
	{ "rw", 0, MOUNT_ATTR_RDONLY },
	{ "nosuid", MOUNT_ATTR_NOSUID, 0 },
	{ "suid", 0, MOUNT_ATTR_NOSUID },
	{ "nodev", MOUNT_ATTR_NODEV, 0 },
	{ "dev", 0, MOUNT_ATTR_NODEV },
	{ "noexec", MOUNT_ATTR_NOEXEC, 0 },
	{ "exec", 0, MOUNT_ATTR_NOEXEC },
	{ "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
	{ "diratime", 0, MOUNT_ATTR_NODIRATIME },
	{ "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
};

START_TEST(test_vfs_flag)
{
	/* Loop test: one flag per iteration, on every type. */
	for (enum mg_fstype t = 0; t < MG_FS__MAX; t++) {
		struct mg_mntopts o;
		OPTS_OK(t, vfs_flags[_i].name, &o);
		ck_assert_msg(o.attr_set == vfs_flags[_i].set && o.attr_clr == vfs_flags[_i].clr,
			      "%s on %s: set %#x clr %#x, expected set %#x clr %#x",
			      vfs_flags[_i].name, mg_fstype_name(t), o.attr_set, o.attr_clr,
			      vfs_flags[_i].set, vfs_flags[_i].clr);
		ck_assert_int_eq(o.atime, -1);
		ck_assert_uint_eq(o.nfs, 0);
		char buf[64];
		mg_mntopts_format_attrs(&o, buf, sizeof(buf));
		ck_assert_str_eq(buf, vfs_flags[_i].name);
		mg_mntopts_clear(&o);
	}
}
END_TEST

START_TEST(test_vfs_flags_combined)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_BIND, "ro,nosuid,nodev,noexec,nodiratime,nosymfollow", &o);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME |
					      MOUNT_ATTR_NOSYMFOLLOW);
	ck_assert_uint_eq(o.attr_clr, 0);
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_RBIND, "rw,suid,dev,exec", &o);
	ck_assert_uint_eq(o.attr_set, 0);
	ck_assert_uint_eq(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      MOUNT_ATTR_NOEXEC);
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_TMPFS, "ro,dev,nosuid", &o);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	ck_assert_uint_eq(o.attr_clr, MOUNT_ATTR_NODEV);
	mg_mntopts_clear(&o);

	/* Saying the same thing twice is not a contradiction. */
	OPTS_OK(MG_FS_TMPFS, "ro,ro,nosuid,nosuid", &o);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	mg_mntopts_clear(&o);

	/* Empty text: nothing asked. */
	OPTS_OK(MG_FS_TMPFS, "", &o);
	ck_assert_uint_eq(o.attr_set, 0);
	ck_assert_uint_eq(o.attr_clr, 0);
	ck_assert_int_eq(o.atime, -1);
	ck_assert_uint_eq(o.nfs, 0);
	mg_mntopts_clear(&o);
}
END_TEST

START_TEST(test_atime)
{
	static const struct {
		const char *text;
		int atime;
	} cases[] = {
		{ "noatime", MOUNT_ATTR_NOATIME },
		{ "relatime", MOUNT_ATTR_RELATIME },
		{ "strictatime", MOUNT_ATTR_STRICTATIME },
		{ "norelatime", MOUNT_ATTR_STRICTATIME },
		{ "nostrictatime", MOUNT_ATTR_RELATIME },
		{ "atime", MOUNT_ATTR_RELATIME },
		/* the same answer twice is fine */
		{ "noatime,noatime", MOUNT_ATTR_NOATIME },
		{ "atime,relatime,nostrictatime", MOUNT_ATTR_RELATIME },
		{ "strictatime,norelatime", MOUNT_ATTR_STRICTATIME },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_mntopts o;
		OPTS_OK(MG_FS_TMPFS, cases[i].text, &o);
		ck_assert_msg(o.atime == cases[i].atime, "'%s': atime %d, expected %d",
			      cases[i].text, o.atime, cases[i].atime);
		ck_assert_uint_eq(o.attr_set, 0);
		ck_assert_uint_eq(o.attr_clr, 0);
		mg_mntopts_clear(&o);
	}
	/* atime and nodiratime are independent */
	struct mg_mntopts o;
	OPTS_OK(MG_FS_BIND, "noatime,nodiratime", &o);
	ck_assert_int_eq(o.atime, MOUNT_ATTR_NOATIME);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_NODIRATIME);
	mg_mntopts_clear(&o);
}
END_TEST

START_TEST(test_contradictions)
{
	OPTS_ERR(MG_FS_TMPFS, "ro,rw", "option 'rw' contradicts an earlier option");
	OPTS_ERR(MG_FS_TMPFS, "rw,ro", "option 'ro' contradicts an earlier option");
	OPTS_ERR(MG_FS_BIND, "nosuid,suid", "option 'suid' contradicts");
	OPTS_ERR(MG_FS_BIND, "dev,nodev", "option 'nodev' contradicts");
	OPTS_ERR(MG_FS_BIND, "noexec,ro,exec", "option 'exec' contradicts");
	OPTS_ERR(MG_FS_BIND, "nosymfollow,symfollow", "option 'symfollow' contradicts");
	OPTS_ERR(MG_FS_BIND, "diratime,nodiratime", "option 'nodiratime' contradicts");
	OPTS_ERR(MG_FS_TMPFS, "noatime,strictatime",
		 "option 'strictatime' contradicts an earlier atime option");
	OPTS_ERR(MG_FS_TMPFS, "relatime,noatime", "option 'noatime' contradicts an earlier atime");
	OPTS_ERR(MG_FS_TMPFS, "noatime,atime", "option 'atime' contradicts an earlier atime");
	OPTS_ERR(MG_FS_TMPFS, "strictatime,relatime", "option 'relatime' contradicts");
	OPTS_ERR(MG_FS_TMPFS, "norelatime,nostrictatime", "option 'nostrictatime' contradicts");
}
END_TEST

START_TEST(test_defaults)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_TMPFS, "defaults", &o);
	ck_assert_uint_eq(o.attr_set, 0);
	ck_assert_uint_eq(o.attr_clr, 0);
	ck_assert_int_eq(o.atime, -1);
	ck_assert_uint_eq(o.nfs, 0);
	mg_mntopts_clear(&o);
	OPTS_OK(MG_FS_BIND, "defaults,ro", &o);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY);
	mg_mntopts_clear(&o);
	/* Stray commas are skipped. */
	OPTS_OK(MG_FS_BIND, ",ro,", &o);
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY);
	mg_mntopts_clear(&o);
	OPTS_ERR(MG_FS_TMPFS, "defaults=1", "mount(8)/fstab option");
}
END_TEST

START_TEST(test_unknown_option)
{
	OPTS_ERR(MG_FS_TMPFS, "bogus", "unknown option 'bogus' for type tmpfs");
	OPTS_ERR(MG_FS_BIND, "ro,bogus=1", "unknown option 'bogus' for type bind");
	OPTS_ERR(MG_FS_TMPFS, "RO", "unknown option 'RO' for type tmpfs");
	OPTS_ERR(MG_FS_SYSFS, "size=1m", "unknown option 'size' for type sysfs");
	OPTS_ERR(MG_FS_MQUEUE, "mode=0700", "unknown option 'mode' for type mqueue");
	OPTS_ERR(MG_FS_TMPFS, "r.o", "invalid option name 'r.o'");
	OPTS_ERR(MG_FS_TMPFS, "ro=1", "option 'ro' takes no value");
	OPTS_ERR(MG_FS_TMPFS, "noatime=yes", "option 'noatime' takes no value");
	/* blanks are not trimmed inside the list */
	OPTS_ERR(MG_FS_TMPFS, "ro, nosuid", "invalid option name ' nosuid'");

	char longname[200];
	memset(longname, 'a', 150);
	longname[150] = '\0';
	OPTS_ERR(MG_FS_TMPFS, longname, "option longer than 127 bytes");
}
END_TEST

START_TEST(test_fstab_only)
{
	static const char *const fstab[] = { "noauto",	  "auto",  "user",	  "nouser",
					     "users",	  "owner", "group",	  "nofail",
					     "_netdev",	  "x-foo", "x-foo_bar-2", "user=bob",
					     "comment=x", "loop",  "helper=x" };
	for (size_t i = 0; i < sizeof(fstab) / sizeof(fstab[0]); i++) {
		char want[128];
		size_t n = strcspn(fstab[i], "=");
		snprintf(want, sizeof(want), "option '%.*s' is a mount(8)/fstab option", (int)n,
			 fstab[i]);
		OPTS_ERR(MG_FS_TMPFS, fstab[i], want);
	}
}
END_TEST

START_TEST(test_unsupported_vfs)
{
	static const char *const vfs[] = { "sync",     "async",	   "remount", "bind",
					   "rbind",    "mand",	   "nomand",  "dirsync",
					   "lazytime", "iversion", "silent",  "loud" };
	for (size_t i = 0; i < sizeof(vfs) / sizeof(vfs[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "option '%s' is not supported by mount-guard", vfs[i]);
		OPTS_ERR(MG_FS_TMPFS, vfs[i], want);
		OPTS_ERR(MG_FS_BIND, vfs[i], want);
	}
}
END_TEST

START_TEST(test_tmpfs_options)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_TMPFS, "size=16m,mode=1777,uid=1000,gid=0,nr_inodes=1k,huge=within_size", &o);
	ck_assert_uint_eq(o.nfs, 6);
	static const char *const kv[][2] = { { "size", "16m" },	    { "mode", "1777" },
					     { "uid", "1000" },	    { "gid", "0" },
					     { "nr_inodes", "1k" }, { "huge", "within_size" } };
	for (size_t i = 0; i < 6; i++) {
		ck_assert_str_eq(o.fs[i].key, kv[i][0]);
		ck_assert_str_eq(o.fs[i].value, kv[i][1]);
	}
	ck_assert_uint_eq(o.attr_set, 0);
	mg_mntopts_clear(&o);
	ck_assert_uint_eq(o.nfs, 0);
	ck_assert_int_eq(o.atime, -1);

	static const char *const good[] = { "size=10%",	  "size=1",	   "size=2G",
					    "size=4096k", "nr_blocks=100", "mode=0",
					    "mode=01777", "mode=700",	   "uid=4294967294",
					    "huge=never", "huge=always",   "huge=advise",
					    "nr_inodes=0" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		OPTS_OK(MG_FS_TMPFS, good[i], &o);
		ck_assert_uint_eq(o.nfs, 1);
		mg_mntopts_clear(&o);
	}
	OPTS_ERR(MG_FS_TMPFS, "mode=9", "option 'mode' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "mode=0999", "option 'mode' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "mode=17777", "option 'mode' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "mode=0x1ff", "option 'mode' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=abc", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=16mm", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=m", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=-1", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=16x", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "uid=-1", "option 'uid' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "uid=4294967296", "option 'uid' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "uid=root", "option 'uid' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "gid=12345678901", "option 'gid' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "huge=yes", "option 'huge' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "hidepid=2", "unknown option 'hidepid' for type tmpfs");
	OPTS_ERR(MG_FS_TMPFS, "newinstance", "unknown option 'newinstance' for type tmpfs");
}
END_TEST

/* Values the kernel (6.x tmpfs) refuses at mount time must be refused when
 * the options are parsed, not accepted and left to fail halfway through an
 * apply: "huge=deny" and "huge=force" are values of the sysfs knob
 * shmem_enabled, not of the mount option; only size takes a '%'; uid/gid
 * 4294967295 is (uid_t)-1, which no user namespace maps. */
START_TEST(test_values_the_kernel_refuses)
{
	OPTS_ERR(MG_FS_TMPFS, "huge=deny", "option 'huge' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "huge=force", "option 'huge' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "nr_inodes=10%", "option 'nr_inodes' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "nr_blocks=10%", "option 'nr_blocks' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "uid=4294967295", "option 'uid' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "gid=4294967295", "option 'gid' has an invalid value");
}
END_TEST

START_TEST(test_devpts_options)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_DEVPTS, "newinstance,ptmxmode=0666,mode=620,gid=5,max=1024", &o);
	ck_assert_uint_eq(o.nfs, 5);
	ck_assert_str_eq(o.fs[0].key, "newinstance");
	ck_assert_ptr_null(o.fs[0].value);
	ck_assert_str_eq(o.fs[1].key, "ptmxmode");
	ck_assert_str_eq(o.fs[1].value, "0666");
	ck_assert_str_eq(o.fs[2].key, "mode");
	ck_assert_str_eq(o.fs[2].value, "620");
	ck_assert_str_eq(o.fs[3].key, "gid");
	ck_assert_str_eq(o.fs[3].value, "5");
	ck_assert_str_eq(o.fs[4].key, "max");
	ck_assert_str_eq(o.fs[4].value, "1024");
	mg_mntopts_clear(&o);
	OPTS_ERR(MG_FS_DEVPTS, "newinstance=1", "option 'newinstance' takes no value");
	OPTS_ERR(MG_FS_DEVPTS, "ptmxmode=0888", "option 'ptmxmode' has an invalid value");
	OPTS_ERR(MG_FS_DEVPTS, "ptmxmode", "option 'ptmxmode' has an invalid value");
	OPTS_ERR(MG_FS_DEVPTS, "size=1m", "unknown option 'size' for type devpts");
	OPTS_ERR(MG_FS_DEVPTS, "newinstance,newinstance", "option 'newinstance' is given twice");
}
END_TEST

START_TEST(test_proc_options)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_PROC, "hidepid=invisible,subset=pid,gid=27", &o);
	ck_assert_uint_eq(o.nfs, 3);
	ck_assert_str_eq(o.fs[0].key, "hidepid");
	ck_assert_str_eq(o.fs[0].value, "invisible");
	ck_assert_str_eq(o.fs[1].key, "subset");
	ck_assert_str_eq(o.fs[1].value, "pid");
	ck_assert_str_eq(o.fs[2].key, "gid");
	ck_assert_str_eq(o.fs[2].value, "27");
	mg_mntopts_clear(&o);
	static const char *const hidepid[] = { "0",   "1",	  "2",	       "4",
					       "off", "noaccess", "invisible", "ptraceable" };
	for (size_t i = 0; i < sizeof(hidepid) / sizeof(hidepid[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "hidepid=%s", hidepid[i]);
		OPTS_OK(MG_FS_PROC, text, &o);
		ck_assert_str_eq(o.fs[0].value, hidepid[i]);
		mg_mntopts_clear(&o);
	}
	OPTS_ERR(MG_FS_PROC, "hidepid=3", "option 'hidepid' has an invalid value");
	OPTS_ERR(MG_FS_PROC, "hidepid=visible", "option 'hidepid' has an invalid value");
	OPTS_ERR(MG_FS_PROC, "subset=sys", "option 'subset' has an invalid value");
	OPTS_ERR(MG_FS_PROC, "subset", "option 'subset' has an invalid value");
	/* tmpfs options on proc */
	OPTS_ERR(MG_FS_PROC, "size=1m", "unknown option 'size' for type proc");
	OPTS_ERR(MG_FS_PROC, "mode=0555", "unknown option 'mode' for type proc");
	OPTS_ERR(MG_FS_PROC, "huge=never", "unknown option 'huge' for type proc");
}
END_TEST

START_TEST(test_cgroup2_options)
{
	struct mg_mntopts o;
	OPTS_OK(MG_FS_CGROUP2, "nsdelegate,memory_recursiveprot,ro", &o);
	ck_assert_uint_eq(o.nfs, 2);
	ck_assert_str_eq(o.fs[0].key, "nsdelegate");
	ck_assert_ptr_null(o.fs[0].value);
	ck_assert_str_eq(o.fs[1].key, "memory_recursiveprot");
	ck_assert_uint_eq(o.attr_set, MOUNT_ATTR_RDONLY);
	mg_mntopts_clear(&o);
	OPTS_ERR(MG_FS_CGROUP2, "nsdelegate=1", "option 'nsdelegate' takes no value");
	OPTS_ERR(MG_FS_CGROUP2, "size=1m", "unknown option 'size' for type cgroup2");
	OPTS_ERR(MG_FS_TMPFS, "nsdelegate", "unknown option 'nsdelegate' for type tmpfs");
}
END_TEST

START_TEST(test_bind_takes_no_fs_options)
{
	OPTS_ERR(MG_FS_BIND, "size=1m", "unknown option 'size' for type bind");
	OPTS_ERR(MG_FS_RBIND, "mode=0755", "unknown option 'mode' for type rbind");
	OPTS_ERR(MG_FS_BIND, "newinstance", "unknown option 'newinstance' for type bind");
}
END_TEST

/* Refused, and nothing of it kept (the reason's wording is free). */
#define OPTS_REFUSED(type, text) opts_refused_at(__LINE__, (type), (text))
static void opts_refused_at(int at, enum mg_fstype t, const char *text)
{
	struct mg_mntopts o;
	char why[256];
	int r = parse(t, text, &o, why, sizeof(why));
	ck_assert_msg(r == -EINVAL,
		      "test line %d: '%s' for %s: expected -EINVAL, got %d (set %#x "
		      "clr %#x nfs %zu)",
		      at, text, mg_fstype_name(t), r, o.attr_set, o.attr_clr, o.nfs);
	ck_assert_msg(why[0] != '\0', "test line %d: '%s': no reason given", at, text);
	mg_mntopts_clear(&o);
}

START_TEST(test_quoted_and_comma_values)
{
	/* No accepted option needs quoting, and a quoted value would have to
	 * be quoted again for mount(2)'s data string. */
	OPTS_REFUSED(MG_FS_TMPFS, "size=\"16m\"");
	OPTS_REFUSED(MG_FS_TMPFS, "size=\"1,2\"");
	OPTS_REFUSED(MG_FS_TMPFS, "ro,size=\"16m,nosuid\"");
	OPTS_ERR(MG_FS_TMPFS, "mode='1777'", "option 'mode' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=1=2", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=1 m", "option 'size' has an invalid value");
	OPTS_ERR(MG_FS_TMPFS, "size=1\tm", "option 'size' has an invalid value");
	/* An unbalanced quote must not make the parser stop quietly and drop
	 * what follows (or precedes) it: the whole string is refused. */
	OPTS_REFUSED(MG_FS_TMPFS, "size=\"16m,nosuid");
	OPTS_REFUSED(MG_FS_TMPFS, "nosuid,ro\"");
	OPTS_REFUSED(MG_FS_BIND, "ro,\"nosuid");
}
END_TEST

START_TEST(test_duplicate_fs_option)
{
	OPTS_ERR(MG_FS_TMPFS, "size=1m,size=2m", "option 'size' is given twice");
	OPTS_ERR(MG_FS_TMPFS, "size=1m,ro,size=1m", "option 'size' is given twice");
	OPTS_ERR(MG_FS_PROC, "hidepid=2,hidepid=invisible", "option 'hidepid' is given twice");
	OPTS_ERR(MG_FS_CGROUP2, "nsdelegate,nsdelegate", "option 'nsdelegate' is given twice");
}
END_TEST

START_TEST(test_format_attrs)
{
	struct mg_mntopts o;
	char buf[256];

	OPTS_OK(MG_FS_TMPFS, "mode=1777,noatime,dev,ro,size=16m,nosuid", &o);
	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	/* attribute order is fixed (ro, suid, dev, exec, diratime, symfollow,
	 * atime), filesystem options keep theirs */
	ck_assert_str_eq(buf, "ro,nosuid,dev,noatime,mode=1777,size=16m");
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_DEVPTS, "newinstance,ptmxmode=0666,rw,noexec,nodiratime,nosymfollow", &o);
	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	ck_assert_str_eq(buf, "rw,noexec,nodiratime,nosymfollow,newinstance,ptmxmode=0666");
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_TMPFS, "strictatime", &o);
	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	ck_assert_str_eq(buf, "strictatime");
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_TMPFS, "atime", &o);
	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	ck_assert_str_eq(buf, "relatime");
	mg_mntopts_clear(&o);

	OPTS_OK(MG_FS_TMPFS, "defaults", &o);
	memset(buf, 'x', sizeof(buf));
	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	mg_mntopts_clear(&o);

	/* Truncation: always NUL-terminated, never past size. */
	OPTS_OK(MG_FS_TMPFS, "ro,nosuid,size=16m", &o);
	char small[8];
	memset(small, 'x', sizeof(small));
	mg_mntopts_format_attrs(&o, small, 5);
	ck_assert_str_eq(small, "ro,n");
	ck_assert_int_eq(small[5], 'x');
	mg_mntopts_format_attrs(&o, small, 3);
	ck_assert_str_eq(small, "ro");
	mg_mntopts_clear(&o);
}
END_TEST

/* mg_mntopts_format_attrs as it was written with snprintf: the appending
 * version must put the same bytes in a buffer of every size. */
static void reference_format_attrs(const struct mg_mntopts *o, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *on, *off;
	} names[] = {
		{ MOUNT_ATTR_RDONLY, "ro", "rw" },         { MOUNT_ATTR_NOSUID, "nosuid", "suid" },
		{ MOUNT_ATTR_NODEV, "nodev", "dev" },      { MOUNT_ATTR_NOEXEC, "noexec", "exec" },
		{ MOUNT_ATTR_NODIRATIME, "nodiratime", "diratime" },
		{ MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow", "symfollow" },
	};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *w = (o->attr_set & names[i].bit)   ? names[i].on
				: (o->attr_clr & names[i].bit) ? names[i].off
							       : NULL;
		if (w && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", w);
	}
	if (o->atime != -1 && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
				      o->atime == MOUNT_ATTR_NOATIME	   ? "noatime"
				      : o->atime == MOUNT_ATTR_STRICTATIME ? "strictatime"
									   : "relatime");
	for (size_t i = 0; i < o->nfs && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s", n ? "," : "", o->fs[i].key,
				      o->fs[i].value ? "=" : "", o->fs[i].value ? o->fs[i].value : "");
}

START_TEST(test_format_attrs_same_as_snprintf)
{
	static const struct {
		enum mg_fstype type;
		const char *text;
	} cases[] = {
		{ MG_FS_TMPFS, "mode=1777,noatime,dev,ro,size=16m,nosuid" },
		{ MG_FS_DEVPTS, "newinstance,ptmxmode=0666,rw,noexec,nodiratime,nosymfollow" },
		{ MG_FS_TMPFS, "strictatime,exec,suid" },
		{ MG_FS_TMPFS, "size=16m" },
		{ MG_FS_BIND, "ro" },
		{ MG_FS_TMPFS, "defaults" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mg_mntopts o;
		OPTS_OK(cases[c].type, cases[c].text, &o);
		for (size_t size = 1; size <= 80; size++) {
			char got[96], want[96];
			memset(got, 'x', sizeof(got));
			memset(want, 'x', sizeof(want));
			mg_mntopts_format_attrs(&o, got, size);
			reference_format_attrs(&o, want, size);
			ck_assert_msg(memcmp(got, want, sizeof(got)) == 0,
				      "'%s' at size %zu: got '%s', expected '%s'", cases[c].text, size, got,
				      want);
		}
		mg_mntopts_clear(&o);
	}
}
END_TEST

/* ---- optmap.c against the libmount installed at build time ---- */

static const struct mg_vfsopt *our_vfs_named(const char *name)
{
	for (size_t i = 0; i < mg_optmap_vfs_len; i++)
		if (strcmp(mg_optmap_vfs[i].name, name) == 0)
			return &mg_optmap_vfs[i];
	return NULL;
}

static const struct libmnt_optmap *their_entry_named(int map, const char *name)
{
	for (const struct libmnt_optmap *m = mnt_get_builtin_optmap(map); m && m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* libmount's rule for "takes no value" (mnt_optmap_entry_novalue). */
static bool their_novalue(const struct libmnt_optmap *m)
{
	return !strchr(m->name, '=') && !(m->mask & MNT_PREFIX);
}

START_TEST(test_optmap_vfs_matches_libmount)
{
	const struct libmnt_optmap *m = mnt_get_builtin_optmap(MNT_LINUX_MAP);
	ck_assert_ptr_nonnull(m);
	size_t theirs = 0;
	for (; m->name; m++, theirs++) {
		const struct mg_vfsopt *o = our_vfs_named(m->name);
		ck_assert_msg(o, "libmount's MNT_LINUX_MAP has '%s', common/optmap.c does not",
			      m->name);
		ck_assert_msg(o->id == (unsigned long)(unsigned)m->id,
			      "'%s': id %#lx here, %#x in libmount", m->name, o->id, m->id);
		ck_assert_msg(!!(o->flags & MG_OPTMAP_INVERT) == !!(m->mask & MNT_INVERT),
			      "'%s': invert bit differs from libmount's", m->name);
		ck_assert_msg(!!(o->flags & MG_OPTMAP_NOVALUE) == their_novalue(m),
			      "'%s': value rule differs from libmount's", m->name);
		ck_assert_msg(mg_optmap_find_vfs(m->name) == o, "'%s': lookup finds another entry",
			      m->name);
	}
	for (size_t i = 0; i < mg_optmap_vfs_len; i++) {
		ck_assert_msg(their_entry_named(MNT_LINUX_MAP, mg_optmap_vfs[i].name),
			      "common/optmap.c has '%s', libmount's MNT_LINUX_MAP does not",
			      mg_optmap_vfs[i].name);
		ck_assert_msg(our_vfs_named(mg_optmap_vfs[i].name) == &mg_optmap_vfs[i],
			      "'%s' is in common/optmap.c twice", mg_optmap_vfs[i].name);
	}
	ck_assert_uint_eq(theirs, mg_optmap_vfs_len);
}
END_TEST

START_TEST(test_optmap_userspace_matches_libmount)
{
	const struct libmnt_optmap *m = mnt_get_builtin_optmap(MNT_USERSPACE_MAP);
	ck_assert_ptr_nonnull(m);
	size_t theirs = 0;
	for (; m->name; m++, theirs++) {
		bool found = false;
		for (size_t i = 0; i < mg_optmap_userspace_len && !found; i++)
			found = strcmp(mg_optmap_userspace[i], m->name) == 0;
		ck_assert_msg(found, "libmount's MNT_USERSPACE_MAP has '%s', common/optmap.c does not",
			      m->name);
	}
	for (size_t i = 0; i < mg_optmap_userspace_len; i++) {
		ck_assert_msg(their_entry_named(MNT_USERSPACE_MAP, mg_optmap_userspace[i]),
			      "common/optmap.c has '%s', libmount's MNT_USERSPACE_MAP does not",
			      mg_optmap_userspace[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(mg_optmap_userspace[i], mg_optmap_userspace[j]) != 0,
				      "'%s' is in common/optmap.c twice", mg_optmap_userspace[i]);
	}
	ck_assert_uint_eq(theirs, mg_optmap_userspace_len);
}
END_TEST

/* How mntopts.c looked names up while it asked libmount's maps: the map
 * name up to its first '=' or '[' must equal the whole name. */
static const struct libmnt_optmap *libmount_lookup(int map, const char *name)
{
	for (const struct libmnt_optmap *m = mnt_get_builtin_optmap(map); m && m->name; m++) {
		size_t n = strcspn(m->name, "=[");
		if (strlen(name) == n && strncmp(m->name, name, n) == 0)
			return m;
	}
	return NULL;
}

static void check_lookup(const char *name)
{
	const struct libmnt_optmap *lv = libmount_lookup(MNT_LINUX_MAP, name);
	const struct mg_vfsopt *ov = mg_optmap_find_vfs(name);
	ck_assert_msg(!lv == !ov, "'%s': VFS lookup %s here, %s with libmount", name,
		      ov ? "found" : "not found", lv ? "found" : "not found");
	if (lv)
		ck_assert_msg(strcmp(lv->name, ov->name) == 0, "'%s': found '%s', libmount '%s'",
			      name, ov->name, lv->name);
	bool lu = libmount_lookup(MNT_USERSPACE_MAP, name) != NULL;
	ck_assert_msg(lu == mg_optmap_is_userspace(name), "'%s': userspace lookup %d, libmount %d",
		      name, mg_optmap_is_userspace(name), lu);
}

START_TEST(test_optmap_lookup_as_before)
{
	static const char *const names[] = {
		"",	    "r",	  "rox",    "RO",	"user",	    "user=",   "user[=]",
		"users",    "comment",	  "comment=", "loop",	"loop[",    "x-",      "X-",
		"x-foo",    "X-mount.mkdir", "verity.roothash", "verity", "helper", "defaults",
		"nosymfollow", "symfollow=", "rbind",  "noatime=", "offset",   "_netdev",
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		check_lookup(names[i]);
	/* Every name either map spells, stripped as a lookup sees it. */
	for (int map = MNT_LINUX_MAP; map <= MNT_USERSPACE_MAP; map++)
		for (const struct libmnt_optmap *m = mnt_get_builtin_optmap(map); m->name; m++) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(m->name, "=["), m->name);
			check_lookup(name);
			check_lookup(m->name);
		}
}
END_TEST

/* ---- optstr.c against mnt_optstr_next_option ---- */

/* Tokenises `text` with both, on separate copies, comparing every token
 * (as offsets into the copies) and the final return code. Returns the
 * number of options seen. Messages quote at most 80 bytes of the text:
 * check refuses longer ones. */
static size_t tokenise_both(const char *text)
{
	char *mine = strdup(text), *theirs = strdup(text);
	ck_assert(mine && theirs);
	char *mc = mine, *tc = theirs;
	size_t n = 0;
	for (;;) {
		char *mn = (char *)1, *mv = (char *)1, *tn = (char *)1, *tv = (char *)1;
		size_t mns = 99, mvs = 99, tns = 99, tvs = 99;
		int mr = mg_optstr_next(&mc, &mn, &mns, &mv, &mvs);
		int tr = mnt_optstr_next_option(&tc, &tn, &tns, &tv, &tvs);
		ck_assert_msg(mr == tr, "'%.80s' option %zu: returns %d, libmount %d", text, n, mr, tr);
		ck_assert_msg(mc - mine == tc - theirs, "'%.80s' option %zu: cursor at %td, libmount %td",
			      text, n, mc - mine, tc - theirs);
		ck_assert_msg(!mn == !tn && (!mn || mn - mine == tn - theirs),
			      "'%.80s' option %zu: name at %td, libmount %td", text, n,
			      mn ? mn - mine : -1, tn ? tn - theirs : -1);
		ck_assert_msg(mns == tns, "'%.80s' option %zu: namesz %zu, libmount %zu", text, n, mns,
			      tns);
		ck_assert_msg(!mv == !tv && (!mv || mv - mine == tv - theirs),
			      "'%.80s' option %zu: value at %td, libmount %td", text, n,
			      mv ? mv - mine : -1, tv ? tv - theirs : -1);
		ck_assert_msg(mvs == tvs, "'%.80s' option %zu: valuesz %zu, libmount %zu", text, n, mvs,
			      tvs);
		if (mr != 0)
			break;
		n++;
	}
	ck_assert_msg(strcmp(mine, text) == 0 && strcmp(theirs, text) == 0,
		      "'%.80s': the string was modified", text);
	free(mine);
	free(theirs);
	return n;
}

START_TEST(test_optstr_tricky)
{
	static const struct {
		const char *text;
		size_t options;
	} cases[] = {
		{ "", 0 },
		{ ",", 0 },
		{ ",,", 0 },
		{ ",,,,,,", 0 },
		{ "a", 1 },
		{ "a,", 1 },
		{ ",a", 1 },
		{ "a,,b", 2 },
		{ ",,a,,b,,", 2 },
		{ "a=", 1 },
		{ "a=,b", 2 },
		{ "=a", 1 },
		{ "=", 1 },
		{ "==", 1 },
		{ "=,=", 2 },
		{ "a==b", 1 },
		{ "a=b=c", 1 },
		{ "ro,nosuid,size=16m", 3 },
		{ "a=\"b,c\",d", 2 },
		{ "a=\"b,c\"", 1 },
		{ "\"a,b\"=c,d", 2 },
		{ "\"a=b\",c", 2 },
		{ "a=\"\",b", 2 },
		{ "a=\"b\"c\"d\",e", 2 },
		{ "\",\"", 1 },
		{ "\",\",a", 2 },
		{ "\"\"", 1 },
		/* unbalanced: the list ends at the open quote's item */
		{ "\"", 0 },
		{ "a\"", 0 },
		{ "\"a", 0 },
		{ "a=b\"", 0 },
		{ "=\"", 0 },
		{ "nosuid,ro\"", 1 },
		{ "ro,\"nosuid", 1 },
		{ "size=\"16m,nosuid", 0 },
		{ "a,\"b\",\"c", 2 },
		/* blanks are bytes like others */
		{ " a , b ", 2 },
		{ "a b=c d", 1 },
		{ " ", 1 },
		{ "\t,\n", 2 },
		{ "x-foo=bar,X-mount.mode=0755,comment=systemd.automount", 3 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = tokenise_both(cases[i].text);
		ck_assert_msg(n == cases[i].options, "'%s': %zu options, expected %zu",
			      cases[i].text, n, cases[i].options);
	}
}
END_TEST

START_TEST(test_optstr_long)
{
	enum { LONG = 70000 };
	char *s = malloc(LONG + 1);
	ck_assert_ptr_nonnull(s);

	memset(s, 'a', LONG); /* one long name */
	s[LONG] = '\0';
	ck_assert_uint_eq(tokenise_both(s), 1);
	s[LONG / 2] = '='; /* a long value */
	ck_assert_uint_eq(tokenise_both(s), 1);
	memset(s, ',', LONG); /* only commas */
	ck_assert_uint_eq(tokenise_both(s), 0);
	for (size_t i = 0; i < LONG; i++) /* many short options */
		s[i] = "a=b,"[i % 4];
	ck_assert_uint_eq(tokenise_both(s), LONG / 4);
	s[0] = '"'; /* quote to the end: all of it one unterminated item */
	ck_assert_uint_eq(tokenise_both(s), 0);
	s[LONG - 2] = '"'; /* closed near the end */
	ck_assert_uint_eq(tokenise_both(s), 1);
	free(s);
}
END_TEST

/* Every string of up to six bytes over the bytes that matter to the
 * tokeniser (and one that does not). */
START_TEST(test_optstr_exhaustive)
{
	static const char alphabet[] = "a=,\" ";
	enum { K = sizeof(alphabet) - 1, MAXLEN = 6 };
	char s[MAXLEN + 1];
	for (size_t len = 0; len <= MAXLEN; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= K;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < len; i++, c /= K)
				s[i] = alphabet[c % K];
			s[len] = '\0';
			tokenise_both(s);
		}
	}
}
END_TEST

START_TEST(test_optstr_edges)
{
	/* No string at all. */
	char *none = NULL;
	ck_assert_int_eq(mg_optstr_next(&none, NULL, NULL, NULL, NULL),
			 mnt_optstr_next_option(&none, NULL, NULL, NULL, NULL));
	ck_assert_int_eq(mg_optstr_next(&none, NULL, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(mg_optstr_next(NULL, NULL, NULL, NULL, NULL), -EINVAL);

	/* Outputs the caller does not want may be NULL (libmount allows it). */
	char text[] = "a=b,c";
	char *cur = text, *name;
	size_t valuesz;
	ck_assert_int_eq(mg_optstr_next(&cur, &name, NULL, NULL, &valuesz), 0);
	ck_assert_ptr_eq(name, text);
	ck_assert_uint_eq(valuesz, 1);
	ck_assert_int_eq(mg_optstr_next(&cur, NULL, NULL, NULL, NULL), 0);
	ck_assert_int_eq(mg_optstr_next(&cur, NULL, NULL, NULL, NULL), 1);
	ck_assert_ptr_eq(cur, text + strlen(text));
}
END_TEST

static Suite *mntopts_suite(void)
{
	Suite *s = suite_create("mntopts");
	TCase *tc = tcase_create("vfs");
	tcase_add_loop_test(tc, test_vfs_flag, 0, (int)(sizeof(vfs_flags) / sizeof(vfs_flags[0])));
	tcase_add_test(tc, test_vfs_flags_combined);
	tcase_add_test(tc, test_atime);
	tcase_add_test(tc, test_contradictions);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_unknown_option);
	tcase_add_test(tc, test_fstab_only);
	tcase_add_test(tc, test_unsupported_vfs);
	suite_add_tcase(s, tc);

	tc = tcase_create("fs");
	tcase_add_test(tc, test_tmpfs_options);
	tcase_add_test(tc, test_devpts_options);
	tcase_add_test(tc, test_proc_options);
	tcase_add_test(tc, test_cgroup2_options);
	tcase_add_test(tc, test_bind_takes_no_fs_options);
	tcase_add_test(tc, test_quoted_and_comma_values);
	tcase_add_test(tc, test_duplicate_fs_option);
	tcase_add_test(tc, test_format_attrs);
	tcase_add_test(tc, test_format_attrs_same_as_snprintf);
	suite_add_tcase(s, tc);

	/* The tokeniser and the maps against libmount, their reference. */
	tc = tcase_create("libmount");
	tcase_add_test(tc, test_optmap_vfs_matches_libmount);
	tcase_add_test(tc, test_optmap_userspace_matches_libmount);
	tcase_add_test(tc, test_optmap_lookup_as_before);
	tcase_add_test(tc, test_optstr_tricky);
	tcase_add_test(tc, test_optstr_long);
	tcase_add_test(tc, test_optstr_exhaustive);
	tcase_add_test(tc, test_optstr_edges);
	suite_add_tcase(s, tc);

	/* Tests that showed an engine bug when they were written, tagged
	 * "bug" so that ctest runs them as a separate test (unit-*-bugs);
	 * they stay as regression tests once the engine is fixed. */
	tc = tcase_create("bugs");
	tcase_set_tags(tc, "bug");
	tcase_add_test(tc, test_values_the_kernel_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mntopts_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

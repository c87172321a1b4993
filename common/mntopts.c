/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mntopts.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "optmap.h"
#include "optstr.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum value_kind {
	V_FLAG,   /* no value allowed */
	V_DEC,    /* decimal id or count */
	V_OCTAL,  /* file mode, at most 07777 */
	V_SIZE,   /* digits with an optional k/m/g/t/p/e or % suffix */
	V_COUNT,  /* digits with an optional k/m/g/t/p/e suffix (no %) */
	V_ID,     /* a uid or gid: decimal, below 4294967295 ((uid_t)-1 is invalid) */
	V_HIDEPID,
	V_HUGE,
	V_SUBSET,
};

struct fsopt_rule {
	enum mg_fstype type;
	const char *key;
	enum value_kind kind;
};

/* Filesystem options mount-guard passes through, per type. Only options whose
 * values are numbers or keywords: nothing here can carry a path or a comma. */
static const struct fsopt_rule fsopt_rules[] = {
	{ MG_FS_TMPFS, "size", V_SIZE },      { MG_FS_TMPFS, "nr_blocks", V_COUNT },
	{ MG_FS_TMPFS, "nr_inodes", V_COUNT }, { MG_FS_TMPFS, "mode", V_OCTAL },
	{ MG_FS_TMPFS, "uid", V_ID },        { MG_FS_TMPFS, "gid", V_ID },
	{ MG_FS_TMPFS, "huge", V_HUGE },      { MG_FS_DEV, "size", V_SIZE },
	{ MG_FS_DEV, "nr_inodes", V_COUNT },   { MG_FS_DEV, "mode", V_OCTAL },
	{ MG_FS_DEV, "uid", V_ID },          { MG_FS_DEV, "gid", V_ID },      { MG_FS_PROC, "hidepid", V_HIDEPID },
	{ MG_FS_PROC, "gid", V_ID },         { MG_FS_PROC, "subset", V_SUBSET },
	{ MG_FS_DEVPTS, "newinstance", V_FLAG }, { MG_FS_DEVPTS, "ptmxmode", V_OCTAL },
	{ MG_FS_DEVPTS, "mode", V_OCTAL },    { MG_FS_DEVPTS, "gid", V_ID },
	{ MG_FS_DEVPTS, "uid", V_ID },       { MG_FS_DEVPTS, "max", V_DEC },
	{ MG_FS_CGROUP2, "nsdelegate", V_FLAG }, { MG_FS_CGROUP2, "memory_recursiveprot", V_FLAG },
	{ MG_FS_CGROUP2, "favordynmods", V_FLAG }, { MG_FS_CGROUP2, "memory_localevents", V_FLAG },
};

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static bool value_ok(enum value_kind kind, const char *v)
{
	static const char *const hidepid[] = { "0", "1", "2", "4", "off", "noaccess",
					       "invisible", "ptraceable", NULL };
	/* deny and force are values of the sysfs shmem_enabled knob, which
	 * the mount option refuses. */
	static const char *const huge[] = { "never", "always", "within_size", "advise", NULL };
	static const char *const subset[] = { "pid", NULL };
	size_t len = v ? strlen(v) : 0;

	switch (kind) {
	case V_FLAG:
		return v == NULL;
	case V_DEC:
		return v && len <= 10 && all_of(v, "0123456789") && strtoull(v, NULL, 10) <= 0xffffffffULL;
	case V_OCTAL:
		return v && len <= 5 && all_of(v, "01234567") && strtoul(v, NULL, 8) <= 07777;
	case V_SIZE:
	case V_COUNT: {
		if (!v || len == 0 || len > 24)
			return false;
		size_t digits = strspn(v, "0123456789");
		if (digits == 0)
			return false;
		return v[digits] == '\0' ||
		       (v[digits + 1] == '\0' &&
			strchr(kind == V_SIZE ? "kKmMgGtTpPeE%" : "kKmMgGtTpPeE", v[digits]));
	}
	case V_ID:
		return v && len <= 10 && all_of(v, "0123456789") && strtoull(v, NULL, 10) < 0xffffffffULL;
	case V_HIDEPID:
		return v && one_of(v, hidepid);
	case V_HUGE:
		return v && one_of(v, huge);
	case V_SUBSET:
		return v && one_of(v, subset);
	}
	return false;
}

static const struct fsopt_rule *find_rule(enum mg_fstype type, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fsopt_rules); i++)
		if (fsopt_rules[i].type == type && strcmp(fsopt_rules[i].key, key) == 0)
			return &fsopt_rules[i];
	return NULL;
}

static int failf(char *why, size_t whysz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Per-mount attributes by MS_* id: the bit, and whether the option with
 * MG_OPTMAP_INVERT (rw, suid, ...) clears it. */
static int apply_vfs(struct mg_mntopts *o, const char *name, unsigned long id, bool invert,
		     char *why, size_t whysz)
{
	unsigned bit = 0;
	switch (id) {
	case MS_RDONLY:
		bit = MOUNT_ATTR_RDONLY;
		break;
	case MS_NOSUID:
		bit = MOUNT_ATTR_NOSUID;
		break;
	case MS_NODEV:
		bit = MOUNT_ATTR_NODEV;
		break;
	case MS_NOEXEC:
		bit = MOUNT_ATTR_NOEXEC;
		break;
	case MS_NODIRATIME:
		bit = MOUNT_ATTR_NODIRATIME;
		break;
	case MS_NOSYMFOLLOW:
		bit = MOUNT_ATTR_NOSYMFOLLOW;
		break;
	case MS_NOATIME:
	case MS_RELATIME:
	case MS_STRICTATIME: {
		int want;
		if (id == MS_NOATIME)
			want = invert ? MOUNT_ATTR_RELATIME : MOUNT_ATTR_NOATIME;
		else if (id == MS_RELATIME)
			want = invert ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
		else
			want = invert ? MOUNT_ATTR_RELATIME : MOUNT_ATTR_STRICTATIME;
		if (o->atime != -1 && o->atime != want)
			return failf(why, whysz, "option '%s' contradicts an earlier atime option", name);
		o->atime = want;
		return 0;
	}
	default:
		return failf(why, whysz,
			     "option '%s' is not supported by mount-guard (only ro/rw, [no]suid, "
			     "[no]dev, [no]exec, [no]symfollow, [no]diratime and atime options are)",
			     name);
	}
	unsigned *mine = invert ? &o->attr_clr : &o->attr_set;
	unsigned *other = invert ? &o->attr_set : &o->attr_clr;
	if (*other & bit)
		return failf(why, whysz, "option '%s' contradicts an earlier option", name);
	*mine |= bit;
	return 0;
}

static int add_fsopt(struct mg_mntopts *o, enum mg_fstype type, const char *name,
		     const char *value, char *why, size_t whysz)
{
	const struct fsopt_rule *r = find_rule(type, name);
	if (!r)
		return failf(why, whysz, "unknown option '%s' for type %s", name, mg_fstype_name(type));
	if (!value_ok(r->kind, value))
		return failf(why, whysz, "option '%s' %s", name,
			     r->kind == V_FLAG ? "takes no value" : "has an invalid value");
	for (size_t i = 0; i < o->nfs; i++)
		if (strcmp(o->fs[i].key, name) == 0)
			return failf(why, whysz, "option '%s' is given twice", name);
	if (o->nfs >= MG_MAX_FSOPTS)
		return failf(why, whysz, "more than %d filesystem options", MG_MAX_FSOPTS);
	/* The array grows 4, 8, 16, 32: its size follows from nfs alone. */
	if (o->nfs == 0 || (o->nfs >= 4 && (o->nfs & (o->nfs - 1)) == 0)) {
		size_t cap = o->nfs ? o->nfs * 2 : 4;
		struct mg_fsopt *nf = realloc(o->fs, cap * sizeof(*nf));
		if (!nf)
			return failf(why, whysz, "out of memory");
		o->fs = nf;
	}
	char *k = strdup(name);
	char *v = value ? strdup(value) : NULL;
	if (!k || (value && !v)) {
		free(k);
		free(v);
		return failf(why, whysz, "out of memory");
	}
	o->fs[o->nfs].key = k;
	o->fs[o->nfs].value = v;
	o->nfs++;
	return 0;
}

static int parse_one(struct mg_mntopts *o, enum mg_fstype type, const char *name,
		     const char *value, char *why, size_t whysz)
{
	const struct mg_vfsopt *m = mg_optmap_find_vfs(name);
	if (m) {
		/* Every VFS flag is MG_OPTMAP_NOVALUE: libmount would not read
		 * "ro=1" as ro but pass it on as a filesystem option. */
		if (value)
			return failf(why, whysz, "option '%s' takes no value", name);
		return apply_vfs(o, name, m->id, (m->flags & MG_OPTMAP_INVERT) != 0, why, whysz);
	}
	if (find_rule(type, name))
		return add_fsopt(o, type, name, value, why, whysz);
	if (strcmp(name, "defaults") == 0 && !value)
		return 0;
	if (mg_optmap_is_userspace(name) || strncmp(name, "x-", 2) == 0)
		return failf(why, whysz,
			     "option '%s' is a mount(8)/fstab option and means nothing here", name);
	return failf(why, whysz, "unknown option '%s' for type %s", name, mg_fstype_name(type));
}

int mg_mntopts_parse(enum mg_fstype type, const char *text, struct mg_mntopts *out, char *why,
		     size_t whysz)
{
	/* The tokeniser, like libmount's, stops quietly at an unbalanced quote
	 * (`nosuid,ro"` yields only nosuid), and no option accepted here needs
	 * quoting: refuse quotes outright rather than lose an option. */
	if (strchr(text, '"'))
		return failf(why, whysz, "quotes are not allowed in options (no option needs them)");
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return failf(why, whysz, "out of memory");
	char *cursor = copy, *name, *value;
	size_t namesz, valuesz;
	int r;

	while ((r = mg_optstr_next(&cursor, &name, &namesz, &value, &valuesz)) == 0) {
		char nbuf[128], vbuf[128];
		if (namesz == 0)
			return failf(why, whysz, "empty option name");
		if (namesz >= sizeof(nbuf) || (value && valuesz >= sizeof(vbuf)))
			return failf(why, whysz, "option longer than %zu bytes", sizeof(nbuf) - 1);
		memcpy(nbuf, name, namesz);
		nbuf[namesz] = '\0';
		if (value) {
			memcpy(vbuf, value, valuesz);
			vbuf[valuesz] = '\0';
			/* A quoted value ("a,b") would need quoting again for
			 * mount(2)'s data string: no option we accept needs one. */
			if (strpbrk(vbuf, "\"',= \t") || valuesz == 0)
				return failf(why, whysz, "option '%s' has an invalid value", nbuf);
		}
		for (size_t i = 0; i < namesz; i++)
			if (!isalnum((unsigned char)nbuf[i]) && !strchr("_-", nbuf[i]))
				return failf(why, whysz, "invalid option name '%s'", nbuf);
		r = parse_one(out, type, nbuf, value ? vbuf : NULL, why, whysz);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return failf(why, whysz, "cannot tokenise the option string (unbalanced quotes?)");
	return 0;
}

void mg_mntopts_clear(struct mg_mntopts *o)
{
	for (size_t i = 0; i < o->nfs; i++) {
		free(o->fs[i].key);
		free(o->fs[i].value);
	}
	free(o->fs);
	memset(o, 0, sizeof(*o));
	o->atime = -1;
}

/* Appends the n strings in parts as snprintf("%s%s...") would at buf + *at:
 * what fits, always NUL-terminated within size, and *at advanced by the
 * whole length even when it did not fit, so that the caller stops there.
 * The options summary runs once per entry of a report: snprintf was 900
 * instructions of it. */
static void append(char *buf, size_t size, size_t *at, const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);
		if (*at < size) {
			size_t room = size - 1 - *at, k = len < room ? len : room;
			memcpy(buf + *at, parts[i], k);
			buf[*at + k] = '\0';
		}
		*at += len;
	}
}

void mg_mntopts_format_attrs(const struct mg_mntopts *o, char *buf, size_t size)
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
	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *w = (o->attr_set & names[i].bit)   ? names[i].on
				: (o->attr_clr & names[i].bit) ? names[i].off
							       : NULL;
		if (w && n < size)
			append(buf, size, &n, (const char *const[]){ n ? "," : "", w }, 2);
	}
	if (o->atime != -1 && n < size)
		append(buf, size, &n,
		       (const char *const[]){ n ? "," : "",
					      o->atime == MOUNT_ATTR_NOATIME	   ? "noatime"
					      : o->atime == MOUNT_ATTR_STRICTATIME ? "strictatime"
										   : "relatime" },
		       2);
	for (size_t i = 0; i < o->nfs && n < size; i++)
		append(buf, size, &n,
		       (const char *const[]){ n ? "," : "", o->fs[i].key, o->fs[i].value ? "=" : "",
					      o->fs[i].value ? o->fs[i].value : "" },
		       4);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard-policy(5): the policy file -> rules, through inih, and the
 * ownership and mode checks that make the file worth believing. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_ini.h"
#include "escape.h"
#include "ini_lines.h"
#include "mntopts.h"


/* The flags `force` may name: each one only takes something away. */
static const struct {
	const char *name;
	unsigned bit;
} force_flags[] = {
	{ "nosuid", MOUNT_ATTR_NOSUID },
	{ "nodev", MOUNT_ATTR_NODEV },
	{ "noexec", MOUNT_ATTR_NOEXEC },
	{ "ro", MOUNT_ATTR_RDONLY },
};

struct pctx {
	const char *name; /* file name for messages */
	struct mg_policy *pol;
	struct mg_error *err;
	struct mg_ini_lines in; /* the lines, as inih is fed them (helper/ini_lines.h) */
	bool stop;
	/* section state */
	bool in_rule;
	size_t cap;
	unsigned other_key_line; /* first key of the rule other than trust */
	char rname[32];          /* "[uid 1000]" of the rule being read */
};

static struct mg_policy_rule *cur(struct pctx *c)
{
	return &c->pol->rules[c->pol->n - 1];
}

static int pol_fail(struct pctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pol_fail(struct pctx *c, unsigned line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int r = mg_fail(c->err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "policy: %s", msg);
	mg_error_set_entry(c->err, c->name, line, NULL);
	c->stop = true;
	return r;
}

/* Decimal, no sign, no leading zero (an admin who writes 0100 may mean
 * octal), at most 4294967294: (uid_t)-1 means "no id" to the kernel. */
static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 10 || strspn(s, "0123456789") != n || (n > 1 && s[0] == '0'))
		return -EINVAL;
	unsigned long long v = strtoull(s, NULL, 10);
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Checks the rule just read as a whole: combinations that cannot mean what
 * they say are errors, not guesses. */
static int finish_rule(struct pctx *c)
{
	if (!c->in_rule || c->stop)
		return 0;
	c->in_rule = false;
	struct mg_policy_rule *r = cur(c);
	if (r->trust)
		return 0;
	if (r->rootfs.n == 0)
		return pol_fail(c, r->line,
				"%s allows no rootfs: add rootfs = DIR (a rule without one allows "
				"nothing; to allow nothing, leave the caller out)",
				c->rname);
	bool binds = r->types & ((1u << MG_FS_BIND) | (1u << MG_FS_RBIND));
	if (binds && r->sources.n == 0)
		return pol_fail(c, r->types_line,
				"%s: types allows bind or rbind but no sources = DIR says from where",
				c->rname);
	if (!binds && r->sources.n > 0)
		return pol_fail(c, r->sources.line[0],
				"%s: sources is set but types allows neither bind nor rbind", c->rname);
	if ((r->force & MOUNT_ATTR_RDONLY) && r->writable)
		return pol_fail(c, r->writable_line,
				"%s: writable = yes contradicts force = ro", c->rname);
	/* A type = dev tmpfs is filled after it is mounted (SECURITY.md: ro
	 * on it always fails): forcing ro would turn every /dev into a failure. */
	if ((r->force & MOUNT_ATTR_RDONLY) && (r->types & (1u << MG_FS_DEV)))
		return pol_fail(c, r->force_line,
				"%s: force = ro cannot apply to type dev, which types allows: a /dev "
				"is filled after it is mounted",
				c->rname);
	return 0;
}

static int begin_rule(struct pctx *c, const char *section)
{
	if (finish_rule(c) < 0)
		return -EINVAL;
	enum mg_policy_subject subject;
	const char *num;
	if (strncmp(section, "uid ", 4) == 0) {
		subject = MG_POLICY_UID;
		num = section + 4;
	} else if (strncmp(section, "gid ", 4) == 0) {
		subject = MG_POLICY_GID;
		num = section + 4;
	} else if (strncmp(section, "user ", 5) == 0 || strncmp(section, "group ", 6) == 0) {
		/* Names would go through NSS in a privileged process: modules
		 * that nsswitch.conf loads, possibly the network, and an answer
		 * that may change between this check and the next. */
		return pol_fail(c, c->in.header_line,
				"[%s]: names are not resolved; write [uid N] or [gid N] (see "
				"mount-guard-policy(5))",
				section);
	} else {
		return pol_fail(c, c->in.header_line,
				"unknown section [%s] (known: [uid N], [gid N])", section);
	}
	unsigned long long id;
	int r = parse_uint(num, 4294967294ULL, &id);
	if (r < 0)
		return pol_fail(c, c->in.header_line,
				"[%s]: '%s' is not a %s: decimal, without sign or leading zero, at "
				"most 4294967294",
				section, num, subject == MG_POLICY_UID ? "uid" : "gid");
	for (size_t i = 0; i < c->pol->n; i++)
		if (c->pol->rules[i].subject == subject && c->pol->rules[i].id == id)
			return pol_fail(c, c->in.header_line, "[%s] appears twice (first at line %u)",
					section, c->pol->rules[i].line);
	if (c->pol->n >= MG_POLICY_MAX_RULES)
		return pol_fail(c, c->in.header_line, "more than %d rules", MG_POLICY_MAX_RULES);
	if (c->pol->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct mg_policy_rule *nr = realloc(c->pol->rules, cap * sizeof(*nr));
		if (!nr)
			return pol_fail(c, c->in.header_line, "out of memory");
		c->pol->rules = nr;
		c->cap = cap;
	}
	struct mg_policy_rule *rule = &c->pol->rules[c->pol->n++];
	memset(rule, 0, sizeof(*rule));
	rule->subject = subject;
	rule->id = (unsigned)id;
	rule->line = c->in.header_line;
	rule->max_entries = MG_MAX_ENTRIES;
	mg_policy_rule_name(rule, c->rname, sizeof(c->rname));
	c->in_rule = true;
	c->other_key_line = 0;
	return 0;
}

static int add_path(struct pctx *c, const char *key, struct mg_policy_paths *ps, const char *value)
{
	const char *why = NULL;
	size_t len;
	_cleanup_free_ char *p = NULL;
	if (mg_unescape(value, &p, &len, &why) < 0 || mg_path_check(p, len, &why) < 0)
		return pol_fail(c, c->in.lineno, "%s: %s %s", c->rname, key, why);
	/* Requests are compared on the kernel's names, which are canonical: a
	 * base in another spelling would never match, silently. */
	if (!mg_policy_path_canonical(p))
		return pol_fail(c, c->in.lineno,
				"%s: %s '%s' is not canonical: no '.', '..', '//' or trailing '/'",
				c->rname, key, value);
	if (strcmp(key, "rootfs") == 0 && strcmp(p, "/") == 0)
		return pol_fail(c, c->in.lineno,
				"%s: rootfs = / would allow mounts anywhere on the host; name the "
				"directories callers keep their rootfs in",
				c->rname);
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->path[i], p) == 0)
			return pol_fail(c, c->in.lineno, "%s: %s '%s' listed twice (first at line %u)",
					c->rname, key, value, ps->line[i]);
	if (ps->n >= MG_POLICY_MAX_BASES)
		return pol_fail(c, c->in.lineno, "%s: more than %d %s keys", c->rname,
				MG_POLICY_MAX_BASES, key);
	char **np = realloc(ps->path, (ps->n + 1) * sizeof(*np));
	if (!np)
		return pol_fail(c, c->in.lineno, "out of memory");
	ps->path = np;
	unsigned *nl = realloc(ps->line, (ps->n + 1) * sizeof(*nl));
	if (!nl)
		return pol_fail(c, c->in.lineno, "out of memory");
	ps->line = nl;
	ps->path[ps->n] = TAKE_PTR(p);
	ps->line[ps->n] = c->in.lineno;
	ps->n++;
	return 0;
}

/* Calls item() for each entry of a comma-separated list; blanks around an
 * entry are allowed, empty entries are not. */
static int each_item(struct pctx *c, const char *key, const char *value,
		     int (*item)(struct pctx *, const char *, size_t))
{
	for (const char *s = value;;) {
		s += strspn(s, " \t");
		size_t n = strcspn(s, ",");
		size_t t = n;
		while (t > 0 && strchr(" \t", s[t - 1]))
			t--;
		if (t == 0)
			return pol_fail(c, c->in.lineno, "%s: %s has an empty item", c->rname, key);
		if (item(c, s, t) < 0)
			return -EINVAL;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

static int type_item(struct pctx *c, const char *s, size_t n)
{
	char name[32];
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	enum mg_fstype t;
	if (mg_fstype_from_name(name, &t) < 0) {
		char known[160] = "";
		size_t k = 0;
		for (unsigned i = 0; i < MG_FS__MAX && k < sizeof(known); i++)
			k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s", i ? ", " : "",
					      mg_fstype_name((enum mg_fstype)i));
		return pol_fail(c, c->in.lineno, "%s: unknown type '%s' in types (known: %s)", c->rname,
				name, known);
	}
	if (cur(c)->types & (1u << t))
		return pol_fail(c, c->in.lineno, "%s: type '%s' listed twice in types", c->rname, name);
	cur(c)->types |= 1u << t;
	return 0;
}

static int force_item(struct pctx *c, const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(force_flags); i++) {
		if (strlen(force_flags[i].name) != n || memcmp(force_flags[i].name, s, n) != 0)
			continue;
		if (cur(c)->force & force_flags[i].bit)
			return pol_fail(c, c->in.lineno, "%s: '%s' listed twice in force", c->rname,
					force_flags[i].name);
		cur(c)->force |= force_flags[i].bit;
		return 0;
	}
	return pol_fail(c, c->in.lineno, "%s: force takes nosuid, nodev, noexec and ro, not '%.*s'",
			c->rname, (int)(n > 64 ? 64 : n), s);
}

static int parse_bool(struct pctx *c, const char *key, const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0)
		*out = false;
	else
		return pol_fail(c, c->in.lineno, "%s: %s must be yes or no, not '%s'", c->rname, key,
				value);
	return 0;
}

/* A key that may appear once: remembers its line, refuses a second one. */
static int once(struct pctx *c, const char *key, unsigned *line)
{
	if (*line)
		return pol_fail(c, c->in.lineno, "%s: duplicate key '%s' (first at line %u)", c->rname,
				key, *line);
	*line = c->in.lineno;
	return 0;
}

static int rule_key(struct pctx *c, const char *name, const char *value)
{
	struct mg_policy_rule *r = cur(c);
	bool is_trust = strcmp(name, "trust") == 0;

	/* trust = yes means "no limit": any other key beside it would look
	 * like a limit and be none. */
	if (!is_trust && r->trust)
		return pol_fail(c, c->in.lineno,
				"%s: '%s' beside trust = yes (line %u), which lifts every limit",
				c->rname, name, r->trust_line);
	if (!is_trust && !c->other_key_line)
		c->other_key_line = c->in.lineno;

	if (strcmp(name, "rootfs") == 0)
		return add_path(c, name, &r->rootfs, value);
	if (strcmp(name, "sources") == 0)
		return add_path(c, name, &r->sources, value);
	if (strcmp(name, "types") == 0)
		return once(c, name, &r->types_line) < 0 ? -EINVAL : each_item(c, name, value, type_item);
	if (strcmp(name, "force") == 0)
		return once(c, name, &r->force_line) < 0 ? -EINVAL : each_item(c, name, value, force_item);
	if (strcmp(name, "writable") == 0)
		return once(c, name, &r->writable_line) < 0 ? -EINVAL
							     : parse_bool(c, name, value, &r->writable);
	if (strcmp(name, "create") == 0)
		return once(c, name, &r->create_line) < 0 ? -EINVAL
							   : parse_bool(c, name, value, &r->create);
	if (strcmp(name, "max-entries") == 0) {
		unsigned long long v;
		if (once(c, name, &r->max_line) < 0)
			return -EINVAL;
		if (parse_uint(value, MG_MAX_ENTRIES, &v) < 0 || v == 0)
			return pol_fail(c, c->in.lineno,
					"%s: max-entries must be a decimal number from 1 to %d, not '%s'",
					c->rname, MG_MAX_ENTRIES, value);
		r->max_entries = (size_t)v;
		return 0;
	}
	if (is_trust) {
		if (once(c, name, &r->trust_line) < 0 || parse_bool(c, name, value, &r->trust) < 0)
			return -EINVAL;
		/* Only root can be trusted: for anyone else "no limit" would
		 * hand out root. */
		if (r->subject != MG_POLICY_UID || r->id != 0)
			return pol_fail(c, c->in.lineno, "%s: trust is only for [uid 0]", c->rname);
		if (r->trust && c->other_key_line)
			return pol_fail(c, c->in.lineno,
					"%s: trust = yes lifts every limit, but the rule has other keys "
					"(line %u)",
					c->rname, c->other_key_line);
		return 0;
	}
	return pol_fail(c, c->in.lineno,
			"%s: unknown key '%s' (known: rootfs, types, sources, force, writable, create, "
			"max-entries, trust)",
			c->rname, name);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct pctx *c = user;
	if (c->stop)
		return 0;
	c->in.keys_since_header++;
	if (c->in.new_section) {
		c->in.new_section = false;
		if (begin_rule(c, section) < 0)
			return 0;
	}
	if (c->in.headers == 0)
		return pol_fail(c, c->in.lineno, "key '%s' outside any section", name), 0;
	if (*value == '\0')
		return pol_fail(c, c->in.lineno, "%s: key '%s' has an empty value", c->rname, name), 0;
	return rule_key(c, name, value) < 0 ? 0 : 1;
}

static char *reader(char *str, int num, void *stream)
{
	struct pctx *c = stream;
	if (c->stop)
		return NULL;
	char *line = mg_ini_lines_next(&c->in, str, num);
	if (!line && c->in.err[0])
		pol_fail(c, c->in.err_line, "%s", c->in.err);
	return line;
}

int mg_policy_parse(const char *name, const char *text, size_t len, struct mg_policy **out,
		    struct mg_error *err)
{
	*out = NULL;
	struct mg_policy *pol = calloc(1, sizeof(*pol));
	if (!pol || !(pol->file = strdup(name))) {
		free(pol);
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "policy: out of memory");
		mg_error_set_entry(err, name, 0, NULL);
		return -ENOMEM;
	}
	/* A private error object: the clearing below must never erase a
	 * failure the caller recorded before (the first failure wins). */
	struct mg_error local = { 0 };
	struct pctx c = { .name = name, .pol = pol, .err = &local, .in = { .buf = text, .len = len } };
	int r = ini_parse_stream(reader, &c, handler, &c);
	if (!c.stop)
		finish_rule(&c);
	/* inih keeps going after a line it cannot parse while our reader stops
	 * at our own first error: an inih error on an earlier line came first. */
	if (local.set && r > 0 && (unsigned)r < local.line)
		memset(&local, 0, sizeof(local));
	if (!local.set && r > 0) {
		mg_fail(&local, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			"policy: syntax error: expected '[section]', 'key = value' or a comment");
		mg_error_set_entry(&local, name, (unsigned)r, NULL);
	} else if (!local.set && r < 0) {
		mg_fail(&local, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "policy: inih failed");
		mg_error_set_entry(&local, name, 0, NULL);
	}
	if (local.set) {
		if (err && !err->set)
			*err = local;
		mg_policy_free(pol);
		return -EINVAL;
	}
	*out = pol;
	return 0;
}

/* ---- loading: the file must be as trustworthy as the helper ------------ */

static int load_fail(struct mg_error *err, const char *path, enum mg_exit kind, int e,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int load_fail(struct mg_error *err, const char *path, enum mg_exit kind, int e,
		     const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int r = mg_fail(err, kind, MG_STAGE_CONFIG, e, "policy: %s", msg);
	mg_error_set_entry(err, path, 0, NULL);
	return r;
}

/* Whoever can write the file, or any directory above it (to rename another
 * file or directory into its place), decides what every caller may do: that
 * must be root alone, as sudo demands of sudoers. */
static int check_owner_mode(int fd, const char *what, const char *shown, bool dir,
			    const char *path, struct mg_error *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return load_fail(err, path, MG_EXIT_UNSAFE, errno, "fstat %s %s", what, shown);
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return load_fail(err, path, MG_EXIT_UNSAFE, 0, "%s %s is not a %s", what, shown,
				 dir ? "directory" : "regular file");
	if (st.st_uid != 0)
		return load_fail(err, path, MG_EXIT_UNSAFE, 0,
				 "%s %s is owned by uid %u, not root: its owner could rewrite the "
				 "policy",
				 what, shown, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return load_fail(err, path, MG_EXIT_UNSAFE, 0,
				 "%s %s is writable by %s (mode %04o): only root may be able to "
				 "change the policy",
				 what, shown, (st.st_mode & S_IWOTH) ? "others" : "its group",
				 (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Walks `path` from "/" one component at a time with O_NOFOLLOW, checking
 * each directory on the fd it opened, so that no check is about a different
 * object than the next step uses. */
static int open_trusted(const char *path, struct mg_error *err)
{
	char shown[400]; /* for messages (err->msg holds 1024 bytes) */
	const char *why = NULL;
	mg_escape_for_display(path, shown, sizeof(shown));
	if (mg_path_check(path, strlen(path), &why) < 0)
		return load_fail(err, path, MG_EXIT_USAGE, 0, "the policy path '%s' %s", shown, why);
	if (!mg_policy_path_canonical(path) || strcmp(path, "/") == 0)
		return load_fail(err, path, MG_EXIT_USAGE, 0,
				 "the policy path '%s' must be an absolute, canonical path to a file",
				 shown);
	_cleanup_close_ int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return load_fail(err, path, MG_EXIT_UNSAFE, errno, "open /");
	int r = check_owner_mode(dir, "directory", "/", true, path, err);
	if (r < 0)
		return r;
	char walked[PATH_MAX];
	size_t wn = 0;
	for (const char *s = path + 1;;) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);
		char comp[NAME_MAX + 1];
		memcpy(comp, s, n); /* mg_path_check: n <= NAME_MAX */
		comp[n] = '\0';
		memcpy(walked + wn, s - 1, n + 1);
		wn += n + 1;
		walked[wn] = '\0';
		mg_escape_for_display(walked, shown, sizeof(shown));
		if (*end == '\0') {
			/* O_NONBLOCK: a FIFO put here must not hang the helper. */
			int fd = openat(dir, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			if (fd < 0 && errno == ELOOP)
				return load_fail(err, path, MG_EXIT_UNSAFE, 0,
						 "%s is a symbolic link: name the file itself", shown);
			if (fd < 0)
				return load_fail(err, path, MG_EXIT_UNSAFE, errno,
						 "cannot open %s (without a policy no caller is allowed "
						 "anything)",
						 shown);
			r = check_owner_mode(fd, "file", shown, false, path, err);
			if (r < 0) {
				close(fd);
				return r;
			}
			return fd;
		}
		_cleanup_close_ int next = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && (errno == ELOOP || errno == ENOTDIR))
			return load_fail(err, path, MG_EXIT_UNSAFE, 0,
					 "%s is a symbolic link or not a directory", shown);
		if (next < 0)
			return load_fail(err, path, MG_EXIT_UNSAFE, errno, "cannot open directory %s",
					 shown);
		r = check_owner_mode(next, "directory", shown, true, path, err);
		if (r < 0)
			return r;
		mg_closep(&dir);
		dir = TAKE_FD(next);
		s = end + 1;
	}
}

int mg_policy_load(const char *path, struct mg_policy **out, struct mg_error *err)
{
	*out = NULL;
	_cleanup_close_ int fd = open_trusted(path, err);
	if (fd < 0)
		return fd;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = mg_read_fd(fd, MG_POLICY_MAX_BYTES, &text, &len);
	if (r == -EFBIG)
		return load_fail(err, path, MG_EXIT_USAGE, 0, "the policy is larger than %u bytes",
				 MG_POLICY_MAX_BYTES);
	if (r < 0)
		return load_fail(err, path, MG_EXIT_UNSAFE, -r, "cannot read the policy");
	return mg_policy_parse(path, text, len, out, err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config_ini.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "escape.h"
#include "ini_lines.h"
#include "mntopts.h"
#include "pathset.h"

enum mount_key { K_TYPE, K_SOURCE, K_TARGET, K_OPTIONS, K_CREATE, K_MODE, K__MAX };
static const char *const mount_keys[K__MAX] = { "type", "source", "target", "options", "create", "mode" };

enum section_kind { SEC_NONE, SEC_OPTIONS, SEC_MOUNT, SEC_PATHS };

struct parse_ctx {
	const char *name; /* file name for messages */
	struct mg_plan *plan;
	struct mg_error *err;
	struct mg_ini_lines in; /* the lines, as inih is fed them */
	bool stop;
	/* section state */
	unsigned sec_line; /* header line of the section being collected */
	bool seen_options;
	enum section_kind kind;
	enum mg_kind path_kind; /* for SEC_PATHS: which of [masked], [readonly], [writable] */
	/* The section's name for messages: NULL or sec_name_buf. A buffer, not
	 * a strdup per section: the name is at most MG_NAME_MAX bytes (checked
	 * before it is copied) or one of the fixed section names. */
	const char *sec_name;
	char sec_name_buf[MG_NAME_MAX + 1];
	/* The section's values: vals[k] is NULL or val_buf[k]. The buffers are
	 * reused from section to section (grown when a value is longer), so a
	 * key costs a copy, not a strdup and a free: at 1000 binds that was
	 * 4000 of each. */
	char *vals[K__MAX];
	char *val_buf[K__MAX];
	size_t val_cap[K__MAX], val_len[K__MAX];
	unsigned lines[K__MAX];
	bool seen_symlinks;
	bool seen_sections[MG_KIND__MAX];
	struct mg_pathset names; /* entry names so far: O(1) duplicate check */
};

static int cfg_fail(struct parse_ctx *c, unsigned line, const char *entry, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int cfg_fail(struct parse_ctx *c, unsigned line, const char *entry, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int r = mg_fail(c->err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "%s", msg);
	mg_error_set_entry(c->err, c->name, line, entry);
	c->stop = true;
	return r;
}

static void reset_section(struct parse_ctx *c)
{
	for (int i = 0; i < K__MAX; i++) {
		c->vals[i] = NULL;
		c->lines[i] = 0;
	}
	c->sec_name = NULL;
	c->kind = SEC_NONE;
}

static void free_values(struct parse_ctx *c)
{
	for (int i = 0; i < K__MAX; i++) {
		free(c->val_buf[i]);
		c->val_buf[i] = c->vals[i] = NULL;
		c->val_cap[i] = 0;
	}
}

/* Copies a value into key k's buffer: 0 or -ENOMEM. */
static int keep_value(struct parse_ctx *c, enum mount_key k, const char *value)
{
	size_t n = strlen(value) + 1;
	if (n > c->val_cap[k]) {
		/* inih's lines are short (at most 199 bytes here): one allocation
		 * a key for the whole file in practice. */
		size_t cap = n < 256 ? 256 : n;
		char *b = realloc(c->val_buf[k], cap);
		if (!b)
			return -ENOMEM;
		c->val_buf[k] = b;
		c->val_cap[k] = cap;
	}
	memcpy(c->val_buf[k], value, n);
	c->vals[k] = c->val_buf[k];
	c->val_len[k] = n - 1;
	return 0;
}

/* Sets the section's name for messages; len <= MG_NAME_MAX (the caller
 * checked it). */
static void set_sec_name(struct parse_ctx *c, const char *name, size_t len)
{
	memcpy(c->sec_name_buf, name, len);
	c->sec_name_buf[len] = '\0';
	c->sec_name = c->sec_name_buf;
}

static int decode_path(struct parse_ctx *c, enum mount_key k, char **out)
{
	const char *why = NULL;
	size_t len = c->val_len[k];
	_cleanup_free_ char *p = NULL;
	/* Without a backslash mg_unescape's result is a copy of the value:
	 * made directly, without its byte-by-byte loop. */
	if (!memchr(c->vals[k], '\\', len)) {
		p = malloc(len + 1);
		if (!p)
			why = "out of memory"; /* mg_unescape's word for it */
		else
			memcpy(p, c->vals[k], len + 1);
	} else if (mg_unescape(c->vals[k], &p, &len, &why) < 0) {
		p = NULL;
	}
	if (!p || mg_path_check(p, len, &why) < 0)
		return cfg_fail(c, c->lines[k], c->sec_name, "%s %s", mount_keys[k], why);
	*out = TAKE_PTR(p);
	return 0;
}

static int parse_mode(struct parse_ctx *c, mode_t *out)
{
	const char *v = c->vals[K_MODE];
	char *end = NULL;
	if (strspn(v, "01234567") != strlen(v) || strlen(v) > 5)
		return cfg_fail(c, c->lines[K_MODE], c->sec_name, "mode '%s' is not an octal mode", v);
	unsigned long m = strtoul(v, &end, 8);
	if (m > 07777)
		return cfg_fail(c, c->lines[K_MODE], c->sec_name, "mode '%s' is above 07777", v);
	*out = (mode_t)m;
	return 0;
}

/* Turns the collected keys of a [mount NAME] section into a plan entry. */
static int finish_mount(struct parse_ctx *c)
{
	struct mg_entry *e = mg_plan_add(c->plan);
	if (!e)
		return cfg_fail(c, c->sec_line, c->sec_name,
				"too many entries (at most %d) or out of memory", MG_MAX_ENTRIES);
	e->line = c->sec_line;
	e->name = strdup(c->sec_name); /* c->sec_name keeps naming it in messages below */
	if (!e->name)
		return cfg_fail(c, c->sec_line, c->sec_name, "out of memory");

	if (!c->vals[K_TYPE])
		return cfg_fail(c, e->line, e->name, "missing required key 'type'");
	if (mg_fstype_from_name(c->vals[K_TYPE], &e->type) < 0)
		return cfg_fail(c, c->lines[K_TYPE], e->name,
				"unknown type '%s' (bind, rbind, proc, sysfs, tmpfs, devpts, mqueue, cgroup2, dev)",
				c->vals[K_TYPE]);
	if (c->vals[K_TARGET] && decode_path(c, K_TARGET, &e->target) < 0)
		return -EINVAL;
	if (c->vals[K_SOURCE] && decode_path(c, K_SOURCE, &e->source) < 0)
		return -EINVAL;
	e->create = MG_CREATE_NO;
	if (c->vals[K_CREATE]) {
		const char *v = c->vals[K_CREATE];
		if (strcmp(v, "dir") == 0)
			e->create = MG_CREATE_DIR;
		else if (strcmp(v, "file") == 0)
			e->create = MG_CREATE_FILE;
		else if (strcmp(v, "no") != 0)
			return cfg_fail(c, c->lines[K_CREATE], e->name,
					"create must be dir, file or no, not '%s'", v);
	}
	e->mode = e->create == MG_CREATE_FILE ? 0644 : 0755;
	if (c->vals[K_MODE]) {
		if (e->create == MG_CREATE_NO)
			return cfg_fail(c, c->lines[K_MODE], e->name,
					"mode only applies to created targets (create = dir|file)");
		if (parse_mode(c, &e->mode) < 0)
			return -EINVAL;
	}
	if (c->vals[K_OPTIONS]) {
		char why[256];
		e->options_text = strdup(c->vals[K_OPTIONS]);
		if (!e->options_text)
			return cfg_fail(c, c->lines[K_OPTIONS], e->name, "out of memory");
		if (mg_mntopts_parse(e->type, e->options_text, &e->opts, why, sizeof(why)) < 0)
			return cfg_fail(c, c->lines[K_OPTIONS], e->name, "options: %s", why);
	}
	int r = mg_entry_validate(c->plan, e, c->err);
	if (r < 0) {
		mg_error_set_entry(c->err, c->name, e->line, e->name);
		c->stop = true;
		return r;
	}
	/* The set maps a name to its entry's index: only [mount NAME] entries
	 * are put in it, the first of a name only (the second stops the parse
	 * here), so the index is the first definition's. */
	size_t first;
	if (mg_pathset_get(&c->names, e->name, strlen(e->name), &first))
		return cfg_fail(c, e->line, e->name, "duplicate entry name (first defined at line %u)",
				c->plan->entries[first].line);
	if (mg_pathset_put(&c->names, e->name, c->plan->n - 1) < 0)
		return cfg_fail(c, e->line, e->name, "out of memory");
	return 0;
}

static int finish_section(struct parse_ctx *c)
{
	int r = 0;
	if (c->kind == SEC_MOUNT && !c->stop)
		r = finish_mount(c);
	reset_section(c);
	return r;
}

/* [A-Za-z0-9._-]: compared by range, not with strspn over a 65-byte set
 * (about 480 instructions a name). */
static bool name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

static bool valid_entry_name(const char *s, size_t *len)
{
	size_t n = 0;
	while (s[n] && name_char((unsigned char)s[n]))
		n++;
	*len = n;
	return s[n] == '\0' && n > 0 && n <= MG_NAME_MAX;
}

static int begin_section(struct parse_ctx *c, const char *section)
{
	if (finish_section(c) < 0)
		return -EINVAL;
	c->sec_line = c->in.header_line;
	/* [mount NAME] first: the common case; no other known name starts
	 * with "mount ", so the order of the tests does not matter. */
	if (strncmp(section, "mount ", 6) == 0) {
		const char *n = section + 6;
		size_t len;
		if (!valid_entry_name(n, &len))
			return cfg_fail(c, c->in.header_line, NULL,
					"entry name '%s' must be 1-%d characters of [A-Za-z0-9._-]", n,
					MG_NAME_MAX);
		set_sec_name(c, n, len);
		c->kind = SEC_MOUNT;
		return 0;
	}
	if (strcmp(section, "options") == 0) {
		if (c->seen_options)
			return cfg_fail(c, c->in.header_line, NULL, "[options] appears twice");
		c->seen_options = true;
		c->kind = SEC_OPTIONS;
		return 0;
	}
	static const struct {
		const char *name;
		enum mg_kind kind;
	} path_sections[] = {
		{ "masked", MG_KIND_MASK },
		{ "readonly", MG_KIND_READONLY },
		{ "writable", MG_KIND_WRITABLE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(path_sections); i++) {
		if (strcmp(section, path_sections[i].name) != 0)
			continue;
		if (c->seen_sections[path_sections[i].kind])
			return cfg_fail(c, c->in.header_line, NULL, "[%s] appears twice", section);
		c->seen_sections[path_sections[i].kind] = true;
		set_sec_name(c, section, strlen(section));
		c->kind = SEC_PATHS;
		c->path_kind = path_sections[i].kind;
		return 0;
	}
	return cfg_fail(c, c->in.header_line, NULL,
			"unknown section [%s] (known: [options], [mount NAME], [masked], [readonly], "
			"[writable])",
			section);
}

static int options_key(struct parse_ctx *c, const char *name, const char *value)
{
	if (strcmp(name, "preset") == 0) {
		if (c->plan->preset)
			return cfg_fail(c, c->in.lineno, NULL, "duplicate key 'preset'");
		c->plan->preset = strdup(value);
		return c->plan->preset ? 0 : cfg_fail(c, c->in.lineno, NULL, "out of memory");
	}
	if (strcmp(name, "executable") == 0) {
		const char *why = NULL;
		size_t len;
		_cleanup_free_ char *p = NULL;
		if (c->plan->executable)
			return cfg_fail(c, c->in.lineno, NULL, "duplicate key 'executable'");
		if (mg_unescape(value, &p, &len, &why) < 0 || mg_path_check(p, len, &why) < 0)
			return cfg_fail(c, c->in.lineno, NULL, "executable %s", why);
		c->plan->executable = TAKE_PTR(p);
		c->plan->executable_line = c->in.lineno;
		return 0;
	}
	if (strcmp(name, "readonly-root") == 0) {
		/* exec's: the new root mount itself, read-only (mount-guard.conf(5)). */
		if (c->plan->readonly_root_line)
			return cfg_fail(c, c->in.lineno, NULL,
					"duplicate key 'readonly-root' (first at line %u)",
					c->plan->readonly_root_line);
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return cfg_fail(c, c->in.lineno, NULL, "readonly-root must be yes or no, not '%s'",
					value);
		c->plan->readonly_root = strcmp(value, "yes") == 0;
		c->plan->readonly_root_line = c->in.lineno;
		return 0;
	}
	if (strcmp(name, "symlinks") != 0)
		return cfg_fail(c, c->in.lineno, NULL,
				"unknown key '%s' in [options] (known: symlinks, preset, executable, "
				"readonly-root)",
				name);
	if (c->seen_symlinks)
		return cfg_fail(c, c->in.lineno, NULL, "duplicate key 'symlinks'");
	c->seen_symlinks = true;
	if (strcmp(value, "in-root") == 0)
		c->plan->symlinks = MG_SYMLINKS_IN_ROOT;
	else if (strcmp(value, "refuse") == 0)
		c->plan->symlinks = MG_SYMLINKS_REFUSE;
	else
		return cfg_fail(c, c->in.lineno, NULL, "symlinks must be in-root or refuse, not '%s'", value);
	return 0;
}

static int mount_key(struct parse_ctx *c, const char *name, const char *value)
{
	for (int k = 0; k < K__MAX; k++) {
		/* the first byte first: most misses cost no call */
		if (name[0] != mount_keys[k][0] || strcmp(name, mount_keys[k]) != 0)
			continue;
		if (c->vals[k])
			return cfg_fail(c, c->in.lineno, c->sec_name,
					"duplicate key '%s' (first at line %u)", name, c->lines[k]);
		if (keep_value(c, k, value) < 0)
			return cfg_fail(c, c->in.lineno, c->sec_name, "out of memory");
		c->lines[k] = c->in.lineno;
		return 0;
	}
	return cfg_fail(c, c->in.lineno, c->sec_name,
			"unknown key '%s' (known: type, source, target, options, create, mode)", name);
}

/* [masked], [readonly], [writable]: one entry per repeated `path` key. */
static int path_key(struct parse_ctx *c, const char *name, const char *value)
{
	const char *why = NULL;
	size_t len;
	_cleanup_free_ char *p = NULL;
	if (strcmp(name, "path") != 0)
		return cfg_fail(c, c->in.lineno, c->sec_name, "unknown key '%s' (known: path)", name);
	if (mg_unescape(value, &p, &len, &why) < 0 || mg_path_check(p, len, &why) < 0)
		return cfg_fail(c, c->in.lineno, c->sec_name, "path %s", why);
	struct mg_entry *e = mg_plan_add(c->plan);
	if (!e)
		return cfg_fail(c, c->in.lineno, c->sec_name,
				"too many entries (at most %d) or out of memory", MG_MAX_ENTRIES);
	e->kind = c->path_kind;
	e->line = c->in.lineno;
	e->target = TAKE_PTR(p);
	e->name = strdup(c->sec_name);
	if (!e->name)
		return cfg_fail(c, c->in.lineno, c->sec_name, "out of memory");
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	if (c->stop)
		return 0;
	c->in.keys_since_header++;
	if (c->in.new_section) {
		c->in.new_section = false;
		if (begin_section(c, section) < 0)
			return 0;
	}
	if (c->in.headers == 0)
		return cfg_fail(c, c->in.lineno, NULL, "key '%s' outside any section", name), 0;
	if (*value == '\0')
		return cfg_fail(c, c->in.lineno, c->sec_name, "key '%s' has an empty value", name), 0;
	int r = c->kind == SEC_OPTIONS ? options_key(c, name, value)
		: c->kind == SEC_PATHS	 ? path_key(c, name, value)
					 : mount_key(c, name, value);
	return r < 0 ? 0 : 1;
}

static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	if (c->stop)
		return NULL;
	char *line = mg_ini_lines_next(&c->in, str, num);
	if (!line && c->in.err[0])
		cfg_fail(c, c->in.err_line, NULL, "%s", c->in.err);
	return line;
}

int mg_config_parse(const char *name, const char *text, size_t len, struct mg_plan *plan,
		    struct mg_error *err)
{
	struct parse_ctx c = { .name = name, .plan = plan, .err = err, .in = { .buf = text, .len = len } };
	free(plan->file);
	plan->file = strdup(name);
	int r = ini_parse_stream(reader, &c, handler, &c);
	if (!c.stop)
		finish_section(&c);
	reset_section(&c);
	free_values(&c);
	mg_pathset_free(&c.names);
	/* inih keeps going after a line it cannot parse, and our reader stops
	 * at our own first error: an inih error on an earlier line came first. */
	if (err->set && r > 0 && (unsigned)r < err->line)
		memset(err, 0, sizeof(*err));
	if (!err->set && r > 0) {
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			"syntax error: expected '[section]', 'key = value' or a comment");
		mg_error_set_entry(err, plan->file, (unsigned)r, NULL);
	} else if (!err->set && r < 0) {
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "inih failed");
	} else if (!err->set && plan->n == 0 && !plan->preset && !plan->executable &&
		   !plan->allow_empty) {
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "no entries and no preset");
		mg_error_set_entry(err, plan->file, 0, NULL);
	}
	if (err->set) {
		/* Keep the file name alive for the error message. */
		char *file = TAKE_PTR(plan->file);
		mg_plan_free(plan);
		plan->file = file;
		err->file = file;
		return -EINVAL;
	}
	return 0;
}

int mg_config_load(const char *path, struct mg_plan *plan, struct mg_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int r = mg_read_file("config", path, MG_CONFIG_MAX_BYTES, &text, &len, err);
	if (r == 0)
		return mg_config_parse(name, text, len, plan, err);
	free(plan->file);
	plan->file = strdup(name);
	err->file = plan->file;
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard-policy(5) applied: may this caller ask this? No syscalls here:
 * everything the checks need about the world (the kernel's names of the
 * rootfs and the bind sources, how the sources were opened) comes in
 * mg_policy_input, so that the decision can be tested and fuzzed alone. */
#include "policy.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "escape.h"
#include "mntopts.h"

/* What every caller but root gets whatever the file says: a bind of a
 * set-user-ID binary, or of a device node, from anywhere the caller can read
 * would otherwise be root for the asking. */
#define MG_POLICY_FORCED_NONROOT (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

/* The forcible flags and the option that asks each one off. */
static const struct {
	unsigned bit;
	const char *on, *off;
} forcible[] = {
	{ MOUNT_ATTR_NOSUID, "nosuid", "suid" },
	{ MOUNT_ATTR_NODEV, "nodev", "dev" },
	{ MOUNT_ATTR_NOEXEC, "noexec", "exec" },
	{ MOUNT_ATTR_RDONLY, "ro", "rw" },
};

/* A path in a message (err->msg holds 1024 bytes): longer ones end in "...". */
#define SHOWN_MAX 400

struct ck {
	const struct mg_policy *p;
	const struct mg_policy_rule *r;
	struct mg_plan *plan;
	struct mg_error *err;
	struct mg_policy_verdict *v;
	char rname[32];
};

/* "refused by [uid 1000] at FILE:LINE (KEY TEXT): REASON", with the entry's
 * own file, line and name as the error's context. */
static int refuse(struct ck *k, size_t idx, unsigned line, const char *keytext, const char *fmt,
		  ...) __attribute__((format(printf, 5, 6)));
static int refuse(struct ck *k, size_t idx, unsigned line, const char *keytext, const char *fmt,
		  ...)
{
	char why[640];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	mg_fail(k->err, MG_EXIT_UNSAFE, MG_STAGE_CONFIG, 0, "refused by %s at %s:%u%s%s%s: %s",
		k->rname, k->p->file, line ? line : k->r->line, keytext ? " (" : "",
		keytext ? keytext : "", keytext ? ")" : "", why);
	if (idx != MG_POLICY_NO_ENTRY) {
		const struct mg_entry *e = &k->plan->entries[idx];
		mg_error_set_entry(k->err, mg_entry_file(k->plan, e), e->line, e->name);
	} else {
		mg_error_set_entry(k->err, k->plan->file, 0, NULL);
	}
	if (k->v)
		k->v->entry = idx;
	return -EPERM;
}

/* "rootfs = /srv/a, and 2 more" */
static void paths_text(const struct mg_policy_paths *ps, const char *key, char *buf, size_t size)
{
	char shown[SHOWN_MAX];
	if (ps->n == 0) {
		snprintf(buf, size, "no %s key", key);
		return;
	}
	mg_escape_for_display(ps->path[0], shown, sizeof(shown));
	if (ps->n == 1)
		snprintf(buf, size, "%s = %s", key, shown);
	else
		snprintf(buf, size, "%s = %s, and %zu more", key, shown, ps->n - 1);
}

static void types_text(unsigned types, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned t = 0; t < MG_FS__MAX && n < size; t++)
		if (types & (1u << t))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
					      mg_fstype_name((enum mg_fstype)t));
}

static void flags_text(unsigned flags, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(forcible) && n < size; i++)
		if (flags & forcible[i].bit)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", forcible[i].on);
}

/* "uid 1000 (gid 1000, groups 100, 27)" */
static void caller_text(const struct mg_policy_caller *c, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "uid %u (gid %u", (unsigned)c->uid, (unsigned)c->gid);
	size_t shown = c->ngroups < 8 ? c->ngroups : 8;
	for (size_t i = 0; c->groups && i < shown && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? ", " : ", groups ",
				      (unsigned)c->groups[i]);
	if (c->groups && c->ngroups > shown && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", and %zu more", c->ngroups - shown);
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

static int check_source(struct ck *k, const struct mg_policy_input *in, size_t i)
{
	const struct mg_policy_rule *r = k->r;
	const char *src = in->source_paths ? in->source_paths[i] : NULL;
	char shown[SHOWN_MAX], key[SHOWN_MAX + 64];
	if (!src)
		return refuse(k, i, 0, NULL, "the kernel's name of the bind source is not known");
	mg_escape_for_display(src, shown, sizeof(shown));
	if (!mg_policy_path_canonical(src) || strstr(src, " (deleted)"))
		return refuse(k, i, 0, NULL,
			      "the bind source's name '%s' is not the canonical name of a file "
			      "that exists",
			      shown);
	bool ok = false;
	for (size_t b = 0; b < r->sources.n && !ok; b++)
		ok = mg_policy_path_beneath(r->sources.path[b], src, false);
	if (!ok) {
		paths_text(&r->sources, "sources", key, sizeof(key));
		return refuse(k, i, r->sources.n ? r->sources.line[0] : 0, key,
			      "bind source '%s' is neither a source base nor beneath one", shown);
	}
	/* An O_PATH fd can be had for what one cannot read (it needs only
	 * search permission on the way): binding it would show the caller a
	 * file or tree it could not open itself. */
	if (!in->source_readable || !in->source_readable[i])
		return refuse(k, i, 0, NULL,
			      "bind source '%s' did not come as a descriptor the caller opened for "
			      "reading (it came as O_PATH, or not as a descriptor): a caller may "
			      "bind only what it can open",
			      shown);
	return 0;
}

static int check_mount(struct ck *k, const struct mg_policy_caller *c,
		       const struct mg_policy_input *in, size_t i, unsigned forced)
{
	const struct mg_policy_rule *r = k->r;
	const struct mg_entry *e = &k->plan->entries[i];
	char text[256];
	if ((unsigned)e->type >= MG_FS__MAX || !(r->types & (1u << e->type))) {
		if (!r->types_line)
			return refuse(k, i, 0, NULL,
				      "type %s is not allowed: the rule has no types key, so it "
				      "allows no mounts",
				      mg_fstype_name(e->type));
		types_text(r->types, text, sizeof(text));
		char key[300];
		snprintf(key, sizeof(key), "types = %s", text);
		return refuse(k, i, r->types_line, key, "type %s is not allowed",
			      mg_fstype_name(e->type));
	}
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	if (bind) {
		int ret = check_source(k, in, i);
		if (ret < 0)
			return ret;
	}
	/* A forced flag the entry asks off is a refusal, never a silent
	 * override: the caller would believe it got what it asked. */
	for (size_t f = 0; f < ARRAY_SIZE(forcible); f++) {
		if (!(e->opts.attr_clr & forced & forcible[f].bit))
			continue;
		if (r->force & forcible[f].bit) {
			char key[300];
			flags_text(r->force, text, sizeof(text));
			snprintf(key, sizeof(key), "force = %s", text);
			return refuse(k, i, r->force_line, key, "the entry asks '%s'",
				      forcible[f].off);
		}
		return refuse(k, i, 0, NULL,
			      "the entry asks '%s', but %s is forced on every mount of a caller "
			      "that is not root",
			      forcible[f].off, forcible[f].on);
	}
	/* A clone keeps its source's read-only flag unless asked otherwise:
	 * `rw` would make writable what the host mounted read-only. */
	if (bind && (e->opts.attr_clr & MOUNT_ATTR_RDONLY) && !r->writable)
		return refuse(k, i, r->writable_line, r->writable_line ? "writable = no" : NULL,
			      "'rw' on a bind clears read-only of an existing mount; that needs "
			      "writable = yes in the rule");
	/* Targets are created by the helper, as root, wherever they resolve:
	 * also inside a tree an earlier entry bound from the host. */
	if (e->create != MG_CREATE_NO) {
		if (!r->create)
			return refuse(k, i, r->create_line, r->create_line ? "create = no" : NULL,
				      "the entry creates its target (create = %s) as root; that "
				      "needs create = yes in the rule",
				      mg_create_name(e->create));
		if (c->uid != 0 && (e->mode & (S_ISUID | S_ISGID)))
			return refuse(k, i, r->create_line, "create = yes",
				      "mode %04o would create a set-user-ID or set-group-ID %s "
				      "owned by root",
				      (unsigned)e->mode,
				      e->create == MG_CREATE_DIR ? "directory" : "file");
	}
	return 0;
}

static int check_entry(struct ck *k, const struct mg_policy_caller *c,
		       const struct mg_policy_input *in, size_t i, unsigned forced)
{
	const struct mg_policy_rule *r = k->r;
	switch (k->plan->entries[i].kind) {
	case MG_KIND_MOUNT:
		return check_mount(k, c, in, i, forced);
	case MG_KIND_MASK:
	case MG_KIND_READONLY:
		/* They only take away, inside the rootfs, with flags fixed by
		 * the engine (mg_entry_attrs); copies keep every flag of what
		 * they copy. */
		return 0;
	case MG_KIND_WRITABLE:
		if (r->force & MOUNT_ATTR_RDONLY)
			return refuse(k, i, r->force_line, "force = ro",
				      "a [writable] exception would clear the forced read-only");
		if (!r->writable)
			return refuse(k, i, r->writable_line,
				      r->writable_line ? "writable = no" : NULL,
				      "a [writable] exception clears read-only of an existing mount; "
				      "that needs writable = yes in the rule");
		return 0;
	default:
		return refuse(k, i, 0, NULL, "unknown entry kind %d", (int)k->plan->entries[i].kind);
	}
}

int mg_policy_check(const struct mg_policy *p, const struct mg_policy_caller *c,
		    const struct mg_policy_input *in, struct mg_plan *plan,
		    struct mg_policy_verdict *v, struct mg_error *err)
{
	struct ck k = { .p = p, .plan = plan, .err = err, .v = v };
	char text[512], shown[SHOWN_MAX], key[SHOWN_MAX + 64];
	if (v)
		*v = (struct mg_policy_verdict){ .entry = MG_POLICY_NO_ENTRY };
	if (!p || !c || !in || !plan) {
		mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CONFIG, 0,
			"refused by policy: the check got no policy, caller, input or plan");
		return -EINVAL;
	}

	const struct mg_policy_rule *conflict = NULL;
	int r = mg_policy_find(p, c, &k.r, &conflict);
	if (v) {
		v->rule = k.r;
		v->conflict = conflict;
	}
	caller_text(c, text, sizeof(text));
	if (r == -ENOTUNIQ) {
		char a[32], b[32];
		mg_policy_rule_name(k.r, a, sizeof(a));
		mg_policy_rule_name(conflict, b, sizeof(b));
		mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CONFIG, 0,
			"refused by policy: %s has no [uid %u] rule and matches both %s (line %u) "
			"and %s (line %u); a [uid %u] rule must decide",
			text, (unsigned)c->uid, a, k.r->line, b, conflict->line, (unsigned)c->uid);
		mg_error_set_entry(err, p->file, 0, NULL);
		return -EPERM;
	}
	if (r < 0) {
		mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_CONFIG, 0,
			"refused by policy: no rule for %s: %s", text,
			c->uid == 0 ? "root is not trusted without a [uid 0] rule"
				    : "unknown callers get nothing");
		mg_error_set_entry(err, p->file, 0, NULL);
		return -EPERM;
	}
	mg_policy_rule_name(k.r, k.rname, sizeof(k.rname));
	if (k.r->trust) {
		/* The parser allows trust only in [uid 0]; checked again,
		 * because a hand-built policy could say otherwise. */
		if (c->uid != 0)
			return refuse(&k, MG_POLICY_NO_ENTRY, k.r->trust_line, "trust = yes",
				      "only root can be trusted");
		if (v)
			v->trusted = true;
		return 0;
	}

	/* The rootfs: its kernel's name, strictly beneath a base. The base
	 * itself is the admin's directory that holds everyone's rootfs. */
	if (!in->root_path)
		return refuse(&k, MG_POLICY_NO_ENTRY, 0, NULL, "the kernel's name of the rootfs is not known");
	mg_escape_for_display(in->root_path, shown, sizeof(shown));
	if (!mg_policy_path_canonical(in->root_path) || strstr(in->root_path, " (deleted)"))
		return refuse(&k, MG_POLICY_NO_ENTRY, 0, NULL,
			      "the rootfs name '%s' is not the canonical name of a directory that "
			      "exists",
			      shown);
	bool ok = false;
	for (size_t b = 0; b < k.r->rootfs.n && !ok; b++)
		ok = mg_policy_path_beneath(k.r->rootfs.path[b], in->root_path, true);
	if (!ok) {
		paths_text(&k.r->rootfs, "rootfs", key, sizeof(key));
		return refuse(&k, MG_POLICY_NO_ENTRY, k.r->rootfs.n ? k.r->rootfs.line[0] : 0, key,
			      "rootfs '%s' is not strictly beneath a rootfs base", shown);
	}

	if (plan->n > k.r->max_entries) {
		snprintf(key, sizeof(key), "max-entries = %zu", k.r->max_entries);
		return refuse(&k, MG_POLICY_NO_ENTRY, k.r->max_line, k.r->max_line ? key : NULL,
			      "the request has %zu entries, more than the %zu allowed", plan->n,
			      k.r->max_entries);
	}

	unsigned forced = k.r->force | (c->uid != 0 ? MG_POLICY_FORCED_NONROOT : 0);
	for (size_t i = 0; i < plan->n; i++) {
		r = check_entry(&k, c, in, i, forced);
		if (r < 0)
			return r;
	}
	/* All or nothing: the plan changes only once every entry passed. */
	for (size_t i = 0; i < plan->n; i++)
		if (plan->entries[i].kind == MG_KIND_MOUNT)
			plan->entries[i].opts.attr_set |= forced;
	if (v)
		v->forced = forced;
	return 0;
}

/* ---- explain ------------------------------------------------------------ */

static void explain_paths(FILE *out, const char *what, const struct mg_policy_paths *ps)
{
	char shown[PATH_MAX * 4 + 8]; /* in full: explain has no length limit */
	if (ps->n == 0) {
		fprintf(out, "  %s: none\n", what);
		return;
	}
	fprintf(out, "  %s:\n", what);
	for (size_t i = 0; i < ps->n; i++) {
		mg_escape_for_display(ps->path[i], shown, sizeof(shown));
		fprintf(out, "    %s (line %u)\n", shown, ps->line[i]);
	}
}

static void explain_line(FILE *out, unsigned line)
{
	if (line)
		fprintf(out, " (line %u)", line);
	else
		fprintf(out, " (default)");
}

int mg_policy_explain(const struct mg_policy *p, const struct mg_policy_caller *c, FILE *out)
{
	const struct mg_policy_rule *r = NULL, *conflict = NULL;
	char who[512], name[32], text[256];
	int found = mg_policy_find(p, c, &r, &conflict);
	caller_text(c, who, sizeof(who));
	fprintf(out, "policy %s, caller %s:\n", p->file, who);
	if (found == -ENOTUNIQ) {
		char other[32];
		mg_policy_rule_name(r, name, sizeof(name));
		mg_policy_rule_name(conflict, other, sizeof(other));
		fprintf(out,
			"  nothing is allowed: there is no [uid %u] rule, and both %s (line %u) and "
			"%s (line %u) match; [gid] rules are never merged, so a [uid %u] rule must "
			"decide\n",
			(unsigned)c->uid, name, r->line, other, conflict->line, (unsigned)c->uid);
	} else if (found < 0) {
		fprintf(out, "  nothing is allowed: no [uid %u] rule, and no [gid] rule for %s\n",
			(unsigned)c->uid,
			c->ngroups ? "its gid or any of its groups" : "its gid");
		if (c->uid == 0)
			fprintf(out, "  (root is not trusted by default: it needs a [uid 0] rule)\n");
	}
	if (found < 0)
		return ferror(out) ? -EIO : -EPERM;

	mg_policy_rule_name(r, name, sizeof(name));
	if (r->subject == MG_POLICY_UID)
		fprintf(out, "  rule %s at line %u decides (a [uid] rule comes before any [gid] rule)\n",
			name, r->line);
	else
		fprintf(out,
			"  rule %s at line %u decides (no [uid %u] rule; gid %u is the caller's %s "
			"group)\n",
			name, r->line, (unsigned)c->uid, r->id,
			r->id == c->gid ? "primary" : "supplementary");
	if (r->trust) {
		fprintf(out, "  trusted (trust = yes, line %u): no limit of this policy applies\n",
			r->trust_line);
		return ferror(out) ? -EIO : 0;
	}
	explain_paths(out, "rootfs strictly beneath", &r->rootfs);
	types_text(r->types, text, sizeof(text));
	fprintf(out, "  mount types: %s", r->types ? text : "none");
	explain_line(out, r->types_line);
	fprintf(out, "\n");
	explain_paths(out, "bind sources at or beneath (opened for reading by the caller)",
		      &r->sources);
	unsigned forced = r->force | (c->uid != 0 ? MG_POLICY_FORCED_NONROOT : 0);
	flags_text(forced, text, sizeof(text));
	fprintf(out, "  forced on every mount: %s", forced ? text : "nothing");
	if (c->uid != 0)
		fprintf(out, " (nosuid and nodev: always, for a caller that is not root)");
	if (r->force_line) {
		char mine[128];
		flags_text(r->force, mine, sizeof(mine));
		fprintf(out, " (force = %s, line %u)", mine, r->force_line);
	}
	fprintf(out, "\n  clear read-only (rw on binds, [writable] exceptions): %s",
		r->writable ? "yes" : "no");
	explain_line(out, r->writable_line);
	fprintf(out, "\n  create missing targets: %s", r->create ? "yes" : "no");
	explain_line(out, r->create_line);
	if (r->create && c->uid != 0)
		fprintf(out, ", never set-user-ID or set-group-ID");
	fprintf(out, "\n  masks and read-only paths: always\n  entries per request: at most %zu",
		r->max_entries);
	explain_line(out, r->max_line);
	fprintf(out, "\n");
	return ferror(out) ? -EIO : 0;
}

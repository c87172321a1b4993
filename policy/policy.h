/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin policy (mount-guard-policy(5)): which caller may ask what. A
 * root-owned INI file is read once into rules; a request (a plan, the
 * kernel's names of its rootfs and bind sources) is then checked against the
 * caller's rule without a single syscall, so that the whole decision can be
 * unit-tested and fuzzed on its own. */
#ifndef MG_POLICY_H
#define MG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "mg_error.h"
#include "plan.h"

#define MG_POLICY_DEFAULT_PATH "/etc/mount-guard/policy.conf"
#define MG_POLICY_MAX_BYTES (1u << 20)
/* Caps that keep a hostile or broken file from costing quadratic time (each
 * a clear error, never a truncation). */
#define MG_POLICY_MAX_RULES 4096
#define MG_POLICY_MAX_BASES 256 /* per key (rootfs, sources) of one rule */

/* verdict.entry when a refusal is about the request as a whole (or none). */
#define MG_POLICY_NO_ENTRY ((size_t)-1)

enum mg_policy_subject {
	MG_POLICY_UID, /* [uid N] */
	MG_POLICY_GID, /* [gid N] */
};

/* Absolute, canonical paths (no ".", "..", "//" or trailing "/"), each with
 * the line it was written on. */
struct mg_policy_paths {
	char **path;
	unsigned *line;
	size_t n;
};

struct mg_policy_rule {
	enum mg_policy_subject subject;
	unsigned id; /* the uid or gid */
	unsigned line; /* of the section header */
	bool trust;    /* [uid 0] trust = yes: no limit of this file applies */
	struct mg_policy_paths rootfs;  /* the rootfs must lie strictly beneath one */
	struct mg_policy_paths sources; /* a bind source must be one or lie beneath one */
	unsigned types;      /* bit (1u << enum mg_fstype) per allowed mount type */
	unsigned force;      /* MOUNT_ATTR_* this file forces (without the implicit ones) */
	bool writable;       /* may clear read-only: `rw` on binds, [writable] entries */
	bool create;         /* may create missing targets (create = dir|file) */
	size_t max_entries;  /* MG_MAX_ENTRIES when the file sets none */
	/* Where each key was written (0: not written), for messages. */
	unsigned types_line, force_line, writable_line, create_line, max_line, trust_line;
};

struct mg_policy {
	char *file; /* for messages */
	struct mg_policy_rule *rules;
	size_t n;
};

/* Who asks: the ids the helper learnt itself (SO_PEERCRED and SO_PEERGROUPS
 * for serve; the real ids for a run through file capabilities), never ids the
 * request claims. */
struct mg_policy_caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups; may repeat gid */
	size_t ngroups;
};

/* What the checks need besides the plan. Every name is the kernel's name of
 * an fd the helper holds (readlink of /proc/self/fd/N): absolute, canonical,
 * without symlinks. The caller of mg_policy_check must have proven that the
 * name reaches that same object in the helper's own mount namespace (the
 * kernel also prints names for fds on other namespaces' or detached mounts,
 * and those may look like any path); a name that is not canonical, or that
 * ends in " (deleted)", is refused here. A symlinked rootfs path is therefore
 * the caller's to catch: compare the path the request gave with this name. */
struct mg_policy_input {
	const char *root_path;
	/* One per plan entry (index = entry index): the source of a bind or
	 * rbind entry, NULL for every other entry. NULL array: no names. */
	const char *const *source_paths;
	/* One per plan entry: the source fd was opened for reading by the caller
	 * (not O_PATH), so the bind exposes nothing the caller could not open.
	 * NULL array: none was. */
	const bool *source_readable;
};

struct mg_policy_verdict {
	/* The deciding rule, NULL when none matched. When `conflict` is set,
	 * nobody decided: `rule` and `conflict` are two matching [gid] rules. */
	const struct mg_policy_rule *rule;
	const struct mg_policy_rule *conflict;
	bool trusted;    /* the rule says trust = yes: nothing was checked or changed */
	unsigned forced; /* MOUNT_ATTR_* added to every mount entry */
	size_t entry;    /* index of the refused entry, or MG_POLICY_NO_ENTRY */
};

/* Reads and parses the policy at `path` after proving it trustworthy: an
 * absolute canonical path, every directory from / down owned by root and not
 * writable by group or others, no symlink anywhere, and the file itself a
 * regular file owned by root and not writable by group or others (opened with
 * O_NOFOLLOW, checked with fstat on that fd). An untrustworthy or missing
 * file is MG_EXIT_UNSAFE; a bad path or bad contents MG_EXIT_USAGE. err->file
 * points to `path`, which must outlive err. */
int mg_policy_load(const char *path, struct mg_policy **out, struct mg_error *err);

/* Parses `len` bytes of policy text named `name` (kept in the policy and used
 * in err->file: it must outlive err). No file checks: for tests, fuzzing and
 * `policy check` of a draft. All or nothing: on error *out stays NULL. */
int mg_policy_parse(const char *name, const char *text, size_t len, struct mg_policy **out,
		    struct mg_error *err);

void mg_policy_free(struct mg_policy *p);

/* The rule that decides for `c`: its [uid] rule if there is one, else the one
 * [gid] rule matching its gid or a supplementary group. 0 with *rule set;
 * -ENOENT when no rule matches; -ENOTUNIQ when no [uid] rule exists and two
 * [gid] rules match (*rule and *conflict name the first two). */
int mg_policy_find(const struct mg_policy *p, const struct mg_policy_caller *c,
		   const struct mg_policy_rule **rule, const struct mg_policy_rule **conflict);

/* Checks the request (`plan` with `in`) of caller `c`. On success forces the
 * rule's flags onto every mount entry of `plan` (attr_set; nosuid and nodev
 * always for a caller that is not root) and returns 0. Otherwise changes
 * nothing, fills err once (MG_EXIT_UNSAFE: for an entry, its file, line and
 * name; the message names the rule, its file and line, and the key) and
 * returns -EPERM. `v` (may be NULL) says which rule decided and what was
 * forced or which entry was refused. err may point into `plan` and `p`. */
int mg_policy_check(const struct mg_policy *p, const struct mg_policy_caller *c,
		    const struct mg_policy_input *in, struct mg_plan *plan,
		    struct mg_policy_verdict *v, struct mg_error *err);

/* Writes what `c` may do and which rule says so, or why nothing (for
 * `mount-guard plan --as-uid UID`). 0 when a rule allows something, -EPERM
 * when the caller gets nothing, -EIO when writing failed. */
int mg_policy_explain(const struct mg_policy *p, const struct mg_policy_caller *c, FILE *out);

/* Helpers shared by the parser and the checks; pure. */
/* Absolute, no empty, "." or ".." component, no trailing "/" (but "/"),
 * shorter than PATH_MAX. */
bool mg_policy_path_canonical(const char *path);
/* Component-wise: `path` is `base` or lies beneath it ("/srv/a" covers
 * "/srv/a/b", never "/srv/ab"). With `strict`, `path` == `base` is false.
 * Both must be canonical. */
bool mg_policy_path_beneath(const char *base, const char *path, bool strict);
/* "[uid 1000]" */
void mg_policy_rule_name(const struct mg_policy_rule *r, char *buf, size_t size);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan: a validated, typed mount list. Every front-end (INI file today,
 * argv and the socket protocol later) produces one; nothing downstream
 * interprets strings again. */
#ifndef MG_PLAN_H
#define MG_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mg_error.h"

/* Hard limits, each a clear config error (never a truncation). */
#define MG_MAX_ENTRIES 16384
#define MG_MAX_FSOPTS 32
#define MG_NAME_MAX 43 /* entry names: [A-Za-z0-9._-]; "mount NAME" fits inih's 49-byte section */

enum mg_fstype {
	MG_FS_BIND,
	MG_FS_RBIND,
	MG_FS_PROC,
	MG_FS_SYSFS,
	MG_FS_TMPFS,
	MG_FS_DEVPTS,
	MG_FS_MQUEUE,
	MG_FS_CGROUP2,
	MG_FS_DEV, /* composite: a tmpfs with the host's basic nodes, devpts, shm */
	MG_FS__MAX,
};

/* What an entry does. Entries run by kind, in this order (then file order):
 * mounts, masks, read-only paths, writable exceptions. */
enum mg_kind {
	MG_KIND_MOUNT,
	MG_KIND_MASK,
	MG_KIND_READONLY,
	MG_KIND_WRITABLE,
	MG_KIND__MAX,
};

enum mg_create {
	MG_CREATE_NO,
	MG_CREATE_DIR,
	MG_CREATE_FILE,
};

enum mg_symlinks {
	MG_SYMLINKS_IN_ROOT, /* symlinks resolve as if the rootfs were / */
	MG_SYMLINKS_REFUSE,  /* any symlink (or `..` above the root) is an error */
};

struct mg_fsopt {
	char *key;
	char *value; /* NULL for a flag option such as "newinstance" */
};

/* Mount attributes use the kernel's MOUNT_ATTR_* bit values (the new mount
 * API's vocabulary); the /proc/self/fd backend translates them to MS_*. */
struct mg_mntopts {
	unsigned attr_set; /* MOUNT_ATTR_{RDONLY,NOSUID,NODEV,NOEXEC,NODIRATIME} asked on */
	unsigned attr_clr; /* the same bits asked off (rw, suid, dev, exec, diratime) */
	int atime;         /* -1: not asked; else MOUNT_ATTR_{RELATIME,NOATIME,STRICTATIME} */
	/* Filesystem options, at most MG_MAX_FSOPTS, out of line: binds and
	 * restrictions (nearly every entry of a long list) have none, and 32
	 * inline slots made each entry 616 bytes. NULL while nfs is 0; owned
	 * (keys and values too) and freed by mg_mntopts_clear or with the plan,
	 * except in the helper's own fixed entries (devfs.c, mask_source.c),
	 * which point at arrays of their own and are never cleared. */
	struct mg_fsopt *fs;
	size_t nfs;
};

struct mg_entry {
	enum mg_kind kind;
	char *name; /* [mount NAME]; the section name for masked/readonly/writable */
	unsigned line;
	char *origin; /* file it came from when not the plan's (a preset), else NULL */
	enum mg_fstype type;
	char *source; /* host path for bind/rbind, NULL otherwise */
	int source_fd; /* bind source handed over as an fd (serve), -1 to open `source`; not owned */
	char *target; /* absolute in-root path, as written (unescaped) */
	char *options_text;
	enum mg_create create;
	mode_t mode; /* for created targets */
	struct mg_mntopts opts;
};

struct mg_plan {
	char *file; /* where it came from, for messages */
	enum mg_symlinks symlinks;
	char *preset;     /* [options] preset, or --preset */
	char *executable; /* [options] executable: bound read-only at the same path */
	bool allow_empty; /* set by a caller that brings entries of its own (--preset) */
	bool readonly_root; /* [options] readonly-root = yes: exec makes the new root read-only */
	unsigned readonly_root_line;
	unsigned executable_line;
	struct mg_entry *entries;
	size_t n, cap;
};

const char *mg_fstype_name(enum mg_fstype t);
int mg_fstype_from_name(const char *s, enum mg_fstype *out);
/* The filesystem magic fstatfs reports for a mount of this type; 0 for binds. */
unsigned long mg_fstype_magic(enum mg_fstype t);
const char *mg_create_name(enum mg_create c);
const char *mg_kind_name(enum mg_kind k);
/* The file an entry came from, for messages. */
const char *mg_entry_file(const struct mg_plan *p, const struct mg_entry *e);
/* The entry's type for reports: the fs type of a mount, else its kind. */
const char *mg_entry_type_name(const struct mg_entry *e);
/* Moves every entry of `from` to the front of `to` (presets go first). */
int mg_plan_prepend(struct mg_plan *to, struct mg_plan *from);

void mg_plan_init(struct mg_plan *p);
void mg_plan_free(struct mg_plan *p);
/* Appends a zeroed entry; NULL past MG_MAX_ENTRIES or on ENOMEM. */
struct mg_entry *mg_plan_add(struct mg_plan *p);

/* Checks an absolute path against PATH_MAX, NAME_MAX and NUL; fills `why`. */
int mg_path_check(const char *path, size_t len, const char **why);

/* Final whole-entry checks (required keys, type/key combinations). */
int mg_entry_validate(const struct mg_plan *p, const struct mg_entry *e, struct mg_error *err);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plan.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"

static const struct {
	const char *name;
	unsigned long magic;
} fstypes[MG_FS__MAX] = {
	[MG_FS_BIND] = { "bind", 0 },
	[MG_FS_RBIND] = { "rbind", 0 },
	[MG_FS_PROC] = { "proc", PROC_SUPER_MAGIC },
	[MG_FS_SYSFS] = { "sysfs", SYSFS_MAGIC },
	[MG_FS_TMPFS] = { "tmpfs", TMPFS_MAGIC },
	[MG_FS_DEVPTS] = { "devpts", DEVPTS_SUPER_MAGIC },
	[MG_FS_MQUEUE] = { "mqueue", 0x19800202UL /* MQUEUE_MAGIC, not in uapi */ },
	[MG_FS_CGROUP2] = { "cgroup2", CGROUP2_SUPER_MAGIC },
	[MG_FS_DEV] = { "dev", TMPFS_MAGIC },
};

const char *mg_fstype_name(enum mg_fstype t)
{
	return (unsigned)t < MG_FS__MAX ? fstypes[t].name : "?";
}

unsigned long mg_fstype_magic(enum mg_fstype t)
{
	return (unsigned)t < MG_FS__MAX ? fstypes[t].magic : 0;
}

int mg_fstype_from_name(const char *s, enum mg_fstype *out)
{
	for (unsigned i = 0; i < MG_FS__MAX; i++)
		if (strcmp(s, fstypes[i].name) == 0) {
			*out = (enum mg_fstype)i;
			return 0;
		}
	return -EINVAL;
}

const char *mg_create_name(enum mg_create c)
{
	switch (c) {
	case MG_CREATE_DIR:
		return "dir";
	case MG_CREATE_FILE:
		return "file";
	default:
		return "no";
	}
}

const char *mg_kind_name(enum mg_kind k)
{
	static const char *const names[MG_KIND__MAX] = {
		[MG_KIND_MOUNT] = "mount",
		[MG_KIND_MASK] = "mask",
		[MG_KIND_READONLY] = "readonly",
		[MG_KIND_WRITABLE] = "writable",
	};
	return (unsigned)k < MG_KIND__MAX ? names[k] : "?";
}

const char *mg_entry_file(const struct mg_plan *p, const struct mg_entry *e)
{
	return e->origin ? e->origin : p->file;
}

const char *mg_entry_type_name(const struct mg_entry *e)
{
	return e->kind == MG_KIND_MOUNT ? mg_fstype_name(e->type) : mg_kind_name(e->kind);
}

int mg_plan_prepend(struct mg_plan *to, struct mg_plan *from)
{
	size_t n = to->n + from->n;
	if (n > MG_MAX_ENTRIES)
		return -E2BIG;
	struct mg_entry *ne = malloc((n ? n : 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	if (from->n)
		memcpy(ne, from->entries, from->n * sizeof(*ne));
	if (to->n)
		memcpy(ne + from->n, to->entries, to->n * sizeof(*ne));
	free(to->entries);
	free(from->entries);
	to->entries = ne;
	to->n = to->cap = n;
	from->entries = NULL;
	from->n = from->cap = 0;
	return 0;
}

void mg_plan_init(struct mg_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->symlinks = MG_SYMLINKS_IN_ROOT;
}

static void entry_free(struct mg_entry *e)
{
	free(e->name);
	free(e->origin);
	free(e->source);
	free(e->target);
	free(e->options_text);
	for (size_t i = 0; i < e->opts.nfs; i++) {
		free(e->opts.fs[i].key);
		free(e->opts.fs[i].value);
	}
	free(e->opts.fs);
}

void mg_plan_free(struct mg_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		entry_free(&p->entries[i]);
	free(p->entries);
	free(p->file);
	free(p->preset);
	free(p->executable);
	mg_plan_init(p);
}

struct mg_entry *mg_plan_add(struct mg_plan *p)
{
	if (p->n >= MG_MAX_ENTRIES)
		return NULL;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct mg_entry *ne = realloc(p->entries, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		p->entries = ne;
		p->cap = cap;
	}
	struct mg_entry *e = &p->entries[p->n++];
	memset(e, 0, sizeof(*e));
	e->opts.atime = -1;
	e->source_fd = -1;
	return e;
}

int mg_path_check(const char *path, size_t len, const char **why)
{
	if (len == 0 || path[0] != '/') {
		*why = "must be an absolute path (start with '/')";
		return -EINVAL;
	}
	if (memchr(path, '\0', len)) {
		*why = "contains a NUL byte";
		return -EINVAL;
	}
	if (len >= PATH_MAX) {
		*why = "is longer than PATH_MAX-1 (4095) bytes";
		return -ENAMETOOLONG;
	}
	size_t comp = 0;
	for (size_t i = 0; i < len; i++) {
		if (path[i] == '/') {
			comp = 0;
			continue;
		}
		if (++comp > NAME_MAX) {
			*why = "has a component longer than NAME_MAX (255) bytes";
			return -ENAMETOOLONG;
		}
	}
	return 0;
}

int mg_entry_validate(const struct mg_plan *p, const struct mg_entry *e, struct mg_error *err)
{
	(void)p;
	if (e->kind != MG_KIND_MOUNT)
		return e->target ? 0
				 : mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "missing path");
	bool is_bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	/* serve: a bind source may be an fd the caller opened (source_fd). */
	bool has_source = e->source || e->source_fd >= 0;
	if (!e->target)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "missing required key 'target'");
	if (e->source && e->source_fd >= 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "a source path and a source fd: give one");
	if (is_bind && !has_source)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "type %s needs a 'source' (a host path)", mg_fstype_name(e->type));
	if (!is_bind && has_source)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "'source' is only meaningful for bind and rbind, not %s",
			       mg_fstype_name(e->type));
	if (e->type == MG_FS_DEV && (e->opts.attr_set & MOUNT_ATTR_RDONLY))
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "type = dev cannot be ro: its nodes and directories are made inside it "
			       "(make it read-only with a [readonly] path)");
	if (!is_bind && e->create == MG_CREATE_FILE)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "create = file: a %s mount needs a directory",
			       mg_fstype_name(e->type));
	return 0;
}

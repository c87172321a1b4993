/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bubblewrap-style mount arguments onto the plan. Each argument becomes the
 * entry a config section would have given, with bubblewrap's flags (binds
 * are recursive, nosuid and nodev; proc nosuid,noexec,nodev; tmpfs
 * nosuid,nodev,mode=0755) and, like bubblewrap, a missing target created: a
 * directory, or an empty file when a bind's source is not a directory. The
 * options go through the config's own parser and every entry through
 * mg_entry_validate, so an argument can ask for nothing a config cannot. */
#include "cli_mounts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "cli.h"
#include "escape.h"
#include "mntopts.h"
#include "pathset.h"

static const struct {
	const char *option;  /* without the dashes */
	unsigned operands;
	enum mg_kind kind;
	enum mg_fstype type; /* for MG_KIND_MOUNT */
	const char *options; /* mount(8) spelling, through mg_mntopts_parse */
} specs[MG_CLI_MOUNT__MAX] = {
	[MG_CLI_BIND] = { "bind", 2, MG_KIND_MOUNT, MG_FS_RBIND, "nosuid,nodev" },
	[MG_CLI_RO_BIND] = { "ro-bind", 2, MG_KIND_MOUNT, MG_FS_RBIND, "ro,nosuid,nodev" },
	[MG_CLI_PROC] = { "proc", 1, MG_KIND_MOUNT, MG_FS_PROC, "nosuid,noexec,nodev" },
	/* oci-default's /dev: the same options, proven on both backends. */
	[MG_CLI_DEV] = { "dev", 1, MG_KIND_MOUNT, MG_FS_DEV, "nosuid,strictatime,mode=0755,size=65536k" },
	[MG_CLI_TMPFS] = { "tmpfs", 1, MG_KIND_MOUNT, MG_FS_TMPFS, "nosuid,nodev,mode=0755" },
	[MG_CLI_MQUEUE] = { "mqueue", 1, MG_KIND_MOUNT, MG_FS_MQUEUE, "nosuid,noexec,nodev" },
	[MG_CLI_MASK] = { "mask", 1, MG_KIND_MASK, MG_FS_BIND, NULL },
	[MG_CLI_RO] = { "ro", 1, MG_KIND_READONLY, MG_FS_BIND, NULL },
	[MG_CLI_RW] = { "rw", 1, MG_KIND_WRITABLE, MG_FS_BIND, NULL },
};

const char *mg_cli_mount_option(enum mg_cli_mount_kind k)
{
	return (unsigned)k < MG_CLI_MOUNT__MAX ? specs[k].option : "?";
}

unsigned mg_cli_mount_operands(enum mg_cli_mount_kind k)
{
	return (unsigned)k < MG_CLI_MOUNT__MAX ? specs[k].operands : 1;
}

/* "argument 4 (--bind /x /y)": what messages about this entry start with.
 * Operands are shown escaped: a path may hold a newline. */
static char *describe(const struct mg_cli_mount *m)
{
	char a[PATH_MAX * 4], b[PATH_MAX * 4];
	char *s = NULL;
	mg_escape_for_display(m->arg ? m->arg : "", a, sizeof(a));
	mg_escape_for_display(m->dst ? m->dst : "", b, sizeof(b));
	if (asprintf(&s, "argument %d (--%s %s%s%s)", m->argi, specs[m->kind].option, a,
		     m->dst ? " " : "", b) < 0)
		return NULL;
	return s;
}

static int check_path(const char *what, const char *path, char **out, struct mg_error *err)
{
	const char *why = NULL;
	if (mg_path_check(path, strlen(path), &why) < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "%s %s", what, why);
	*out = strdup(path);
	if (!*out)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	return 0;
}

/* bubblewrap creates a missing bind target as a directory when the source
 * is one, else as an empty file: so the source must be there to say which.
 * The engine opens it again and checks its type against the target. */
static int bind_create(const char *source, enum mg_create *create, struct mg_error *err)
{
	struct stat st;
	if (stat(source, &st) < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, errno, "source %s", source);
	*create = S_ISDIR(st.st_mode) ? MG_CREATE_DIR : MG_CREATE_FILE;
	return 0;
}

/* The error names the argument by its description, which must outlive the
 * entries this file frees when it fails: the one failure of a run keeps it
 * here, as config_ini.c keeps the file name of its one failure. */
static char *failed_argument;

static void blame(struct mg_error *err, struct mg_entry *e)
{
	if (!err->set || err->entry[0] || err->line)
		return;
	free(failed_argument);
	failed_argument = TAKE_PTR(e->origin);
	mg_error_set_entry(err, failed_argument, 0, e->name);
}

/* One argument into the entry `e` (zeroed by mg_plan_add). */
static int fill_entry(const struct mg_cli_mount *m, struct mg_entry *e, struct mg_error *err)
{
	char name[MG_NAME_MAX + 1];
	char why[256];
	int r;

	e->kind = specs[m->kind].kind;
	e->type = specs[m->kind].type;
	snprintf(name, sizeof(name), "arg%d-%s", m->argi, specs[m->kind].option);
	e->name = strdup(name);
	e->origin = describe(m);
	if (!e->name || !e->origin)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	if (e->kind != MG_KIND_MOUNT)
		return check_path("PATH", m->arg, &e->target, err);
	if (specs[m->kind].operands == 2) {
		r = check_path("SRC", m->arg, &e->source, err);
		if (r == 0)
			r = check_path("DST", m->dst, &e->target, err);
		if (r == 0)
			r = bind_create(e->source, &e->create, err);
	} else {
		r = check_path("DST", m->arg, &e->target, err);
		e->create = MG_CREATE_DIR;
	}
	if (r < 0)
		return r;
	e->mode = e->create == MG_CREATE_FILE ? 0644 : 0755;
	e->options_text = strdup(specs[m->kind].options);
	if (!e->options_text)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	if (mg_mntopts_parse(e->type, e->options_text, &e->opts, why, sizeof(why)) < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "options: %s", why);
	return 0;
}

/* A config entry may already carry a name we generate ("arg4-bind"):
 * entries must stay nameable, as the config's own duplicate check keeps
 * them. O(entries + arguments). */
static int check_names(const struct mg_plan *plan, struct mg_plan *add, struct mg_error *err)
{
	struct mg_pathset names = { 0 };
	int r = 0;
	for (size_t i = 0; i < add->n && r == 0; i++)
		if (mg_pathset_add(&names, add->entries[i].name) < 0)
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->n && r == 0; i++) {
		const struct mg_entry *e = &plan->entries[i];
		if (e->kind != MG_KIND_MOUNT || !mg_pathset_has(&names, e->name, strlen(e->name)))
			continue;
		for (size_t j = 0; j < add->n; j++)
			if (strcmp(add->entries[j].name, e->name) == 0) {
				r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
					    "entry name '%s' is already used by %s line %u",
					    e->name, mg_entry_file(plan, e), e->line);
				blame(err, &add->entries[j]);
				break;
			}
	}
	mg_pathset_free(&names);
	return r;
}

int mg_cli_mounts_append(const struct cli *cli, struct mg_plan *plan, struct mg_error *err)
{
	struct mg_plan add;
	int r = 0;

	if (cli->nmounts == 0)
		return 0;
	mg_plan_init(&add);
	for (size_t i = 0; i < cli->nmounts && r == 0; i++) {
		const struct mg_cli_mount *m = &cli->mounts[i];
		struct mg_entry *e = mg_plan_add(&add);
		if (!e) {
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
				    "too many entries (at most %d) or out of memory", MG_MAX_ENTRIES);
			break;
		}
		r = fill_entry(m, e, err);
		if (r == 0)
			r = mg_entry_validate(&add, e, err);
		if (r < 0)
			blame(err, e);
	}
	if (r == 0)
		r = check_names(plan, &add, err);
	if (r < 0)
		goto out;
	/* The plan's own entries go in front of the arguments'; then the
	 * whole list moves back into the plan. */
	r = mg_plan_prepend(&add, plan);
	if (r < 0) {
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, -r,
			r == -E2BIG ? "too many entries with the mount arguments" : "out of memory");
		goto out;
	}
	free(plan->entries);
	plan->entries = TAKE_PTR(add.entries);
	plan->n = add.n;
	plan->cap = add.cap;
	add.n = add.cap = 0;
out:
	mg_plan_free(&add);
	return r;
}

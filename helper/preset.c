/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "preset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "config_ini.h"

const struct mg_preset *mg_preset_find(const char *name)
{
	for (const struct mg_preset *p = mg_presets; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static int no_such_preset(const char *name, struct mg_error *err)
{
	char known[256] = "";
	size_t n = 0;
	for (const struct mg_preset *p = mg_presets; p->name && n < sizeof(known); p++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", p->name);
	return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "unknown preset '%s' (known: %s)",
		       name, known);
}

/* [options] executable = PATH: a read-only bind of that host file at the
 * same path in the root, created if missing, after the preset's mounts and
 * before the config's own. What minimal-chroot is for. */
static int add_executable(struct mg_plan *plan, struct mg_error *err)
{
	struct mg_plan one;
	struct mg_entry *e;
	int r = -ENOMEM;

	mg_plan_init(&one);
	e = mg_plan_add(&one);
	if (!e)
		goto out;
	e->kind = MG_KIND_MOUNT;
	e->type = MG_FS_BIND;
	e->line = plan->executable_line;
	e->name = strdup("executable");
	e->source = strdup(plan->executable);
	e->target = strdup(plan->executable);
	e->options_text = strdup("ro,nosuid,nodev");
	e->create = MG_CREATE_FILE;
	e->mode = 0644;
	if (!e->name || !e->source || !e->target || !e->options_text)
		goto out;
	e->opts.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->entries[i].kind == MG_KIND_MOUNT && strcmp(plan->entries[i].name, "executable") == 0) {
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
				    "[options] executable adds an entry named 'executable'; the "
				    "config already has one");
			mg_error_set_entry(err, plan->file, plan->entries[i].line, "executable");
			goto out;
		}
	r = mg_plan_prepend(plan, &one);
out:
	if (r == -ENOMEM)
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	mg_plan_free(&one);
	return r;
}

int mg_preset_merge(struct mg_plan *plan, const char *cli_preset, struct mg_error *err)
{
	const char *name = plan->preset ? plan->preset : cli_preset;
	char file[128];
	struct mg_plan pre;
	int r;

	if (plan->executable) {
		r = add_executable(plan, err);
		if (r < 0)
			return r;
	}
	if (!name)
		return 0;
	if (plan->preset && cli_preset && strcmp(plan->preset, cli_preset) != 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "--preset %s contradicts the config's preset = %s", cli_preset,
			       plan->preset);
	const struct mg_preset *p = mg_preset_find(name);
	if (!p)
		return no_such_preset(name, err);
	snprintf(file, sizeof(file), "preset:%s", p->name);
	mg_plan_init(&pre);
	r = mg_config_parse(file, p->text, p->len, &pre, err);
	if (r < 0)
		goto out;
	if (pre.preset) {
		r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "preset %s names another preset",
			    p->name);
		goto out;
	}
	/* Only entries are merged: an option a preset set would be dropped. */
	if (pre.readonly_root_line) {
		r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			    "preset %s sets readonly-root; only the config may", p->name);
		goto out;
	}
	for (size_t i = 0; i < plan->n; i++)
		for (size_t j = 0; j < pre.n; j++)
			if (plan->entries[i].kind == MG_KIND_MOUNT && pre.entries[j].kind == MG_KIND_MOUNT &&
			    strcmp(plan->entries[i].name, pre.entries[j].name) == 0) {
				r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
					    "entry '%s' is already defined by preset %s (line %u); "
					    "choose another name",
					    plan->entries[i].name, p->name, pre.entries[j].line);
				mg_error_set_entry(err, plan->file, plan->entries[i].line,
						   plan->entries[i].name);
				goto out;
			}
	if (!plan->preset) {
		plan->preset = strdup(p->name);
		if (!plan->preset) {
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
			goto out;
		}
	}
	/* Entries from the preset keep naming their source in messages. */
	for (size_t j = 0; j < pre.n; j++) {
		pre.entries[j].origin = strdup(file);
		if (!pre.entries[j].origin) {
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
			goto out;
		}
	}
	r = mg_plan_prepend(plan, &pre);
	if (r < 0)
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, -r,
			r == -E2BIG ? "too many entries with the preset" : "out of memory");
out:
	mg_plan_free(&pre);
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the INI front-end (helper/config_ini.c, through inih)
 * and the preset merge (helper/preset.c, with the compiled-in presets).
 *
 * mg_config_parse() on the input as it is (no NUL added: the parser takes a
 * length), then, when it succeeded, mg_preset_merge(); mg_plan_free() always.
 * The --preset given to the merge is picked by the input length (none, each
 * compiled-in preset, an unknown name), so every mutation that changes the
 * length also tries another one. Checked:
 *  - all or nothing: a failure leaves an empty plan and a recorded error that
 *    names the file; a success records no error;
 *  - every entry of a successful plan has a name, an absolute NUL-free
 *    target of at most PATH_MAX-1 bytes, a known type and kind, and a mount
 *    entry's options_text parses again to the same attributes;
 *  - a successful merge names a preset and puts the preset's entries first
 *    (each with origin "preset:NAME"); a failed one records an error;
 *  - mg_error_format() renders any recorded error. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ini.h"
#include "mg_error.h"
#include "mntopts.h"
#include "plan.h"
#include "preset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_config: check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

#define NAME "fuzz.conf"

static void check_error(const struct mg_error *e, const char *what)
{
	char buf[2048];
	CHECK(e->set, "%s failed without recording an error", what);
	CHECK(e->msg[0] != '\0', "%s: empty error message", what);
	CHECK((unsigned)e->kind <= MG_EXIT_ROLLBACK && (unsigned)e->stage < MG_STAGE__MAX,
	      "%s: kind %d stage %d", what, e->kind, e->stage);
	CHECK(memchr(e->entry, '\0', sizeof(e->entry)) && memchr(e->msg, '\0', sizeof(e->msg)),
	      "%s: unterminated error strings", what);
	mg_error_format(e, buf, sizeof(buf));
	CHECK(memchr(buf, '\0', sizeof(buf)) != NULL, "%s: unterminated formatted error", what);
	mg_error_format(e, buf, 1);
	CHECK(buf[0] == '\0', "%s: size-1 format wrote text", what);
}

static void check_entry(const struct mg_plan *p, size_t i)
{
	const struct mg_entry *e = &p->entries[i];
	CHECK(e->name && e->name[0], "entry %zu has no name", i);
	CHECK((unsigned)e->kind < MG_KIND__MAX, "entry %zu: kind %d", i, e->kind);
	CHECK(e->target != NULL, "entry %zu (%s) has no target", i, e->name);
	size_t tl = strlen(e->target);
	CHECK(e->target[0] == '/' && tl < PATH_MAX, "entry %zu (%s): target of %zu bytes", i,
	      e->name, tl);
	if (e->source)
		CHECK(strlen(e->source) < PATH_MAX, "entry %zu (%s): source", i, e->name);
	if (e->kind != MG_KIND_MOUNT)
		return;
	CHECK((unsigned)e->type < MG_FS__MAX, "entry %zu (%s): type %d", i, e->name, e->type);
	CHECK(e->opts.nfs <= MG_MAX_FSOPTS, "entry %zu (%s): %zu fs options", i, e->name,
	      e->opts.nfs);
	CHECK(e->mode <= 07777, "entry %zu (%s): mode %o", i, e->name, (unsigned)e->mode);
	if (!e->options_text)
		return;
	struct mg_mntopts o;
	char why[256];
	memset(&o, 0, sizeof(o));
	o.atime = -1;
	CHECK(mg_mntopts_parse(e->type, e->options_text, &o, why, sizeof(why)) == 0,
	      "entry %zu (%s): options '%s' were accepted once but not again: %s", i, e->name,
	      e->options_text, why);
	CHECK(o.attr_set == e->opts.attr_set && o.attr_clr == e->opts.attr_clr &&
		      o.atime == e->opts.atime && o.nfs == e->opts.nfs,
	      "entry %zu (%s): options '%s' parse differently the second time", i, e->name,
	      e->options_text);
	mg_mntopts_clear(&o);
}

static void check_plan(const struct mg_plan *p)
{
	CHECK(p->n <= p->cap && p->n <= MG_MAX_ENTRIES, "n %zu cap %zu", p->n, p->cap);
	CHECK(p->file && strcmp(p->file, NAME) == 0, "plan names file '%s'",
	      p->file ? p->file : "(null)");
	for (size_t i = 0; i < p->n; i++)
		check_entry(p, i);
}

/* The --preset of this run: none, each compiled-in preset, or an unknown one. */
static const char *pick_cli_preset(size_t size)
{
	size_t npresets = 0;
	while (mg_presets[npresets].name)
		npresets++;
	size_t k = size % (npresets + 2);
	if (k == 0)
		return NULL;
	if (k <= npresets)
		return mg_presets[k - 1].name;
	return "no-such-preset";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_plan plan;
	struct mg_error err;

	mg_plan_init(&plan);
	memset(&err, 0, sizeof(err));
	int r = mg_config_parse(NAME, (const char *)data, size, &plan, &err);
	if (r < 0) {
		check_error(&err, "mg_config_parse");
		CHECK(err.file && strcmp(err.file, NAME) == 0, "error names file '%s'",
		      err.file ? err.file : "(null)");
		CHECK(plan.n == 0 && plan.entries == NULL, "failed parse left %zu entries", plan.n);
		mg_plan_free(&plan);
		return 0;
	}
	CHECK(r == 0 && !err.set, "r = %d, error set: %s", r, err.msg);
	check_plan(&plan);

	size_t own = plan.n;
	const char *cli = pick_cli_preset(size);
	r = mg_preset_merge(&plan, cli, &err);
	if (r < 0) {
		check_error(&err, "mg_preset_merge");
	} else {
		CHECK(r == 0 && !err.set, "merge: r = %d, error set: %s", r, err.msg);
		check_plan(&plan);
		CHECK(plan.n >= own, "merge lost entries: %zu -> %zu", own, plan.n);
		if (plan.preset) {
			const struct mg_preset *pr = mg_preset_find(plan.preset);
			char origin[128];
			CHECK(pr != NULL, "merged unknown preset '%s'", plan.preset);
			snprintf(origin, sizeof(origin), "preset:%s", pr->name);
			/* The preset's entries come first and say where they came from. */
			size_t from_preset = 0;
			while (from_preset < plan.n && plan.entries[from_preset].origin)
				from_preset++;
			for (size_t i = 0; i < from_preset; i++)
				CHECK(strcmp(plan.entries[i].origin, origin) == 0,
				      "entry %zu origin '%s', expected '%s'", i,
				      plan.entries[i].origin, origin);
			for (size_t i = from_preset; i < plan.n; i++)
				CHECK(plan.entries[i].origin == NULL,
				      "entry %zu (%s) has origin '%s' after the config's own", i,
				      plan.entries[i].name, plan.entries[i].origin);
			CHECK(from_preset > 0, "preset %s merged no entries", plan.preset);
		} else {
			CHECK(cli == NULL, "merge with --preset %s named none", cli);
		}
	}
	mg_plan_free(&plan);
	return 0;
}

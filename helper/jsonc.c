/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "jsonc.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#ifdef MG_JSONC_STATIC
/* The static PIE (MG_STATIC_PIE): json-c is linked in from its archive, and
 * the table is its functions; nothing to load. */
const struct mg_jsonc *mg_jsonc_load(struct mg_error *err)
{
	static const struct mg_jsonc linked = {
#define LINKED(field, name) .field = name,
		MG_JSONC_FUNCS(LINKED)
#undef LINKED
	};
	(void)err;
	return &linked;
}
#else
static struct mg_jsonc table;
static bool loaded;

const struct mg_jsonc *mg_jsonc_load(struct mg_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(field, name) { #name, offsetof(struct mg_jsonc, field) },
		MG_JSONC_FUNCS(SYM)
#undef SYM
	};
	if (loaded)
		return &table;
	/* Never closed: the table points into it for the rest of the run. */
	void *h = dlopen(MG_JSONC_PATH, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CONFIG, 0, "cannot load json-c (%s): %s",
			MG_JSONC_PATH, dlerror());
		return NULL;
	}
	struct mg_jsonc t;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(h, syms[i].name);
		if (!f) {
			mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CONFIG, 0, "json-c (%s) lacks %s",
				MG_JSONC_PATH, syms[i].name);
			return NULL;
		}
		/* POSIX: a dlsym result converts to the function pointer it
		 * names; stored through the field's bytes. */
		memcpy((char *)&t + syms[i].off, &f, sizeof(f));
	}
	table = t;
	loaded = true;
	return &table;
}
#endif

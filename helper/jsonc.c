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
		.tokener_new_ex = json_tokener_new_ex,
		.tokener_set_flags = json_tokener_set_flags,
		.tokener_parse_ex = json_tokener_parse_ex,
		.tokener_get_error = json_tokener_get_error,
		.tokener_get_parse_end = json_tokener_get_parse_end,
		.tokener_error_desc = json_tokener_error_desc,
		.tokener_free = json_tokener_free,
		.object_put = json_object_put,
		.object_is_type = json_object_is_type,
		.object_object_get_ex = json_object_object_get_ex,
		.object_get_string = json_object_get_string,
		.object_get_string_len = json_object_get_string_len,
		.object_get_object = json_object_get_object,
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
#define SYM(field, name) { #name, offsetof(struct mg_jsonc, field) }
		SYM(tokener_new_ex, json_tokener_new_ex),
		SYM(tokener_set_flags, json_tokener_set_flags),
		SYM(tokener_parse_ex, json_tokener_parse_ex),
		SYM(tokener_get_error, json_tokener_get_error),
		SYM(tokener_get_parse_end, json_tokener_get_parse_end),
		SYM(tokener_error_desc, json_tokener_error_desc),
		SYM(tokener_free, json_tokener_free),
		SYM(object_put, json_object_put),
		SYM(object_is_type, json_object_is_type),
		SYM(object_object_get_ex, json_object_object_get_ex),
		SYM(object_get_string, json_object_get_string),
		SYM(object_get_string_len, json_object_get_string_len),
		SYM(object_get_object, json_object_get_object),
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

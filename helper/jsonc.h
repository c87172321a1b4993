/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c, loaded when the first JSON document is parsed (oci-hook) rather
 * than by the dynamic loader at every start: every other command runs
 * without it, and loading a library costs a start about 40 us here
 * (tests/bench/results/README.md, round 4). The functions are typed from
 * json-c's own header (the ABI of its soname), and the library is opened by
 * the absolute path the build found (MG_JSONC_PATH), not through a search.
 * In the static PIE (MG_STATIC_PIE, the default) json-c is linked in and the
 * table holds its functions. */
#ifndef MG_JSONC_H
#define MG_JSONC_H

#include <json-c/json.h>

#include "mg_error.h"

/* The functions oci-hook uses, once: X(field of struct mg_jsonc, json-c name).
 * The struct, the static table and the dlopen symbol list all come from it. */
#define MG_JSONC_FUNCS(X)                                   \
	X(tokener_new_ex, json_tokener_new_ex)               \
	X(tokener_set_flags, json_tokener_set_flags)         \
	X(tokener_parse_ex, json_tokener_parse_ex)           \
	X(tokener_get_error, json_tokener_get_error)         \
	X(tokener_get_parse_end, json_tokener_get_parse_end) \
	X(tokener_error_desc, json_tokener_error_desc)       \
	X(tokener_free, json_tokener_free)                   \
	X(object_put, json_object_put)                       \
	X(object_is_type, json_object_is_type)               \
	X(object_object_get_ex, json_object_object_get_ex)   \
	X(object_get_string, json_object_get_string)         \
	X(object_get_string_len, json_object_get_string_len) \
	X(object_get_object, json_object_get_object)

struct mg_jsonc {
#define MG_JSONC_FIELD(field, name) __typeof__(name) *field;
	MG_JSONC_FUNCS(MG_JSONC_FIELD)
#undef MG_JSONC_FIELD
};

/* The loaded functions (once; later calls return the same table), or NULL
 * with err set (exit 1, stage config) when the library or a symbol is
 * missing. */
const struct mg_jsonc *mg_jsonc_load(struct mg_error *err);

#endif

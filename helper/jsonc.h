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

struct mg_jsonc {
	__typeof__(json_tokener_new_ex) *tokener_new_ex;
	__typeof__(json_tokener_set_flags) *tokener_set_flags;
	__typeof__(json_tokener_parse_ex) *tokener_parse_ex;
	__typeof__(json_tokener_get_error) *tokener_get_error;
	__typeof__(json_tokener_get_parse_end) *tokener_get_parse_end;
	__typeof__(json_tokener_error_desc) *tokener_error_desc;
	__typeof__(json_tokener_free) *tokener_free;
	__typeof__(json_object_put) *object_put;
	__typeof__(json_object_is_type) *object_is_type;
	__typeof__(json_object_object_get_ex) *object_object_get_ex;
	__typeof__(json_object_get_string) *object_get_string;
	__typeof__(json_object_get_string_len) *object_get_string_len;
	__typeof__(json_object_get_object) *object_get_object;
};

/* The loaded functions (once; later calls return the same table), or NULL
 * with err set (exit 1, stage config) when the library or a symbol is
 * missing. */
const struct mg_jsonc *mg_jsonc_load(struct mg_error *err);

#endif

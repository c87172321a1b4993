/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Just enough JSON writing for reports. Strings are bytes: valid UTF-8 is
 * written as is, every other byte (and every control byte) as \u00XX, so
 * the output is always valid JSON. */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <stdio.h>

void mg_json_string(FILE *f, const char *s);
/* "key": "value" (value NULL -> null), with a leading comma when !first */
void mg_json_kv_str(FILE *f, int *first, const char *key, const char *value);
void mg_json_kv_int(FILE *f, int *first, const char *key, long long value);
void mg_json_kv_bool(FILE *f, int *first, const char *key, int value);
/* A path: "key": "..." and, when it is not valid UTF-8 (so its JSON string
 * cannot carry the exact bytes), also "key_hex": "<hex of every byte>". */
void mg_json_kv_path(FILE *f, int *first, const char *key, const char *path);

#endif

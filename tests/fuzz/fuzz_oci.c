/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: helper/oci_state.c, what oci-hook reads from the
 * runtime (the state on stdin, the bundle's config.json) through json-c.
 *
 * The first input byte picks the document: even, a state; odd, a
 * config.json under a fixed bundle. Checked: no crash, no leak; all or
 * nothing (a failure records an error and returns nothing); a state that
 * parses has an absolute bundle and a status that is absent, "creating" or
 * "created"; a rootfs is absolute and clean (no "//", no "." or ".."
 * components), whatever the document said. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_oci: check failed: %s\n", what);
		abort();
	}
}

static int clean_absolute(const char *p)
{
	if (p[0] != '/')
		return 0;
	if (strcmp(p, "/") == 0)
		return 1;
	for (const char *c = p; *c; c++) {
		if (*c != '/')
			continue;
		const char *n = c + 1;
		size_t len = strcspn(n, "/");
		if (len == 0 || (len == 1 && n[0] == '.') || (len == 2 && n[0] == '.' && n[1] == '.'))
			return 0; /* "//", a trailing "/", "." or ".." */
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_error err = { 0 };
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] % 2 == 0) {
		struct mg_oci_state st = { 0 };
		int r = mg_oci_state_parse(text, len, &st, &err);
		check(r == 0 ? !err.set : (err.set && !st.bundle), "state: all or nothing");
		if (r == 0) {
			check(st.bundle && st.bundle[0] == '/', "state: bundle absolute");
			check(!st.status || strcmp(st.status, "creating") == 0 ||
				      strcmp(st.status, "created") == 0,
			      "state: status");
		}
		mg_oci_state_free(&st);
		return 0;
	}
	char *rootfs = NULL;
	int r = mg_oci_config_rootfs(text, len, "/run/bundle", &rootfs, &err);
	check(r == 0 ? rootfs != NULL && !err.set : (rootfs == NULL && err.set), "config: all or nothing");
	if (r == 0)
		check(clean_absolute(rootfs), "config: rootfs absolute and clean");
	free(rootfs);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `oci-hook` reads: the OCI runtime state on stdin (runtime-spec
 * "State": ociVersion, id, status, pid, bundle, annotations) and, from the
 * bundle that state names, config.json's root.path: the rootfs to apply the
 * list to. Every failure is a configuration error (exit 2, nothing touched)
 * with the reason in `err`; nothing is ever truncated or guessed. */
#ifndef MG_OCI_STATE_H
#define MG_OCI_STATE_H

#include <stddef.h>

#include "mg_error.h"

/* Size limits (whole MiB: the error message says "larger than N MiB"). A
 * runtime's state is a few hundred bytes plus its annotations; a config.json
 * a few KiB, tens with a seccomp profile. */
#define MG_OCI_STATE_MAX ((size_t)1 << 20)
#define MG_OCI_CONFIG_MAX ((size_t)4 << 20)
/* Nesting limit for both documents (json-c's tokener depth: 16 nested
 * objects or arrays, the outermost included; json-c counts a scalar inside
 * the innermost as a level too). The deepest runtime-spec config.json value,
 * linux.seccomp.syscalls[].args[].op, sits at level 8; the state's at 3. */
#define MG_OCI_JSON_MAX_DEPTH 16

struct mg_oci_state {
	char *id;     /* NULL when absent */
	char *status; /* NULL when absent; else "creating" or "created" */
	char *bundle; /* absolute */
};

/* Parses a state document: a JSON object whose "bundle" is a string holding
 * an absolute path; "status", if present, "creating" or "created" (the
 * createContainer hook runs while the container is being created: any
 * other status means the hook was registered at another stage, where the
 * rootfs is either not set up yet or already in use); "id" and "ociVersion",
 * if present, strings. On success fills *st (free with mg_oci_state_free). */
int mg_oci_state_parse(const char *text, size_t len, struct mg_oci_state *st,
		       struct mg_error *err);
/* Reads the state from fd (at most MG_OCI_STATE_MAX bytes) and parses it. */
int mg_oci_state_read(int fd, struct mg_oci_state *st, struct mg_error *err);
void mg_oci_state_free(struct mg_oci_state *st);

/* From the text of a config.json: root.path, a non-empty string, made
 * absolute against `bundle` when relative and cleaned lexically ("//", ".",
 * ".."), as runc does (filepath.Join). Sets *rootfs to a new string. */
int mg_oci_config_rootfs(const char *text, size_t len, const char *bundle, char **rootfs,
			 struct mg_error *err);
/* Reads BUNDLE/config.json (a regular file of at most MG_OCI_CONFIG_MAX
 * bytes) and returns its rootfs as mg_oci_config_rootfs does. */
int mg_oci_bundle_rootfs(const char *bundle, char **rootfs, struct mg_error *err);

#endif

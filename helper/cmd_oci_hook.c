/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oci-hook: an OCI runtime hook for the createContainer stage. The runtime
 * runs it in the container's mount namespace, after its own mounts and
 * before pivot_root, with the container's state JSON on stdin. It finds the
 * rootfs (state "bundle" -> BUNDLE/config.json -> root.path) and applies the
 * list there exactly as `apply --root ROOTFS` does: all or nothing,
 * verified, rolled back on failure. Any non-zero exit makes the runtime fail
 * the container start; the reason is on stderr. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "log.h"
#include "oci_state.h"

/* Everything before the apply: the rootfs, or an error (nothing touched). */
static int find_rootfs(const struct cli *cli, char **rootfs, struct mg_error *err)
{
	struct mg_oci_state st = { 0 };
	int r;

	/* stdin carries the state: a list read from "-" would compete for it. */
	if (cli->config && strcmp(cli->config, "-") == 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "oci-hook reads the OCI state on stdin: --config - is not possible");
	/* Run by hand without input, it would wait for an end of file forever. */
	if (isatty(STDIN_FILENO))
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "oci-hook expects the OCI state JSON on stdin, not a terminal");
	r = mg_oci_state_read(STDIN_FILENO, &st, err);
	if (r == 0)
		r = mg_oci_bundle_rootfs(st.bundle, rootfs, err);
	mg_oci_state_free(&st);
	return r;
}

int mg_cmd_oci_hook(const struct cli *c)
{
	struct mg_error err = { 0 };
	_cleanup_free_ char *rootfs = NULL;

	if (find_rootfs(c, &rootfs, &err) < 0) {
		mg_print_error(&err);
		return mg_exit_code(&err);
	}
	/* The same run as `apply --root ROOTFS`, report included (runc shows a
	 * failed hook's stdout and stderr in its own error). */
	struct cli apply = *c;
	apply.command = "apply";
	apply.root = rootfs;
	return mg_cmd_apply(&apply);
}

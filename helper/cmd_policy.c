/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy check FILE, and plan --as-uid UID: the admin's tools for the
 * policy (mount-guard-policy(5)). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "config_ini.h"
#include "confine.h"
#include "policy.h"

/* Which policy file a command reads. Another file than the default is only
 * for root: with file capabilities, an unprivileged caller must never choose
 * the rules it is judged by. */
int mg_policy_path(const struct cli *cli, const char **path, struct mg_error *err)
{
	*path = MG_POLICY_DEFAULT_PATH;
	if (!cli->policy)
		return 0;
	if (getuid() != 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, EPERM,
			       "--policy is for root only; others are judged by %s",
			       MG_POLICY_DEFAULT_PATH);
	*path = cli->policy;
	return 0;
}

int mg_cmd_policy_check(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_policy *p = NULL;
	int r = mg_caps_drop_all(&err);
	if (r == 0 && cli->draft) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		r = mg_read_file("policy", cli->policy_file, MG_POLICY_MAX_BYTES, &text, &len, &err);
		if (r == 0)
			r = mg_policy_parse(cli->policy_file, text, len, &p, &err);
	} else if (r == 0) {
		r = mg_policy_load(cli->policy_file, &p, &err);
	}
	if (r == 0)
		printf("policy %s: %zu rule%s, valid%s\n", cli->policy_file, p->n, p->n == 1 ? "" : "s",
		       cli->draft ? " (as a draft: file ownership and modes not checked)" : "");
	mg_print_error(&err);
	mg_policy_free(p);
	return mg_exit_code(&err);
}

int mg_cmd_plan_as(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_policy *p = NULL;
	const char *path;
	gid_t gid = (gid_t)(cli->as_gid >= 0 ? cli->as_gid : cli->as_uid);
	struct mg_policy_caller caller = { .uid = (uid_t)cli->as_uid, .gid = gid };
	int r = mg_policy_path(cli, &path, &err);
	/* Nothing here mounts: no capability, and only the calls it needs. */
	if (r == 0)
		r = mg_caps_drop_all(&err);
	if (r == 0)
		r = mg_confine_syscalls(&err);
	if (r == 0)
		r = mg_policy_load(path, &p, &err);
	if (r == 0) {
		r = mg_policy_explain(p, &caller, stdout);
		if (r == -EPERM)
			mg_fail(&err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, 0,
				"uid %ld gets nothing under this policy", cli->as_uid);
		else if (r < 0)
			mg_fail(&err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot write the explanation");
	}
	mg_print_error(&err);
	mg_policy_free(p);
	return mg_exit_code(&err);
}

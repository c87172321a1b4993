/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply and plan: config -> plan -> resolve -> mount -> verify -> report.
 * exec (cmd_exec.c) runs the same two steps, so they live here once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "cli_mounts.h"
#include "config_ini.h"
#include "confine.h"
#include "engine.h"
#include "preset.h"
#include "report.h"

int mg_plan_load(const struct cli *cli, struct mg_plan *plan, struct mg_error *err)
{
	int r = 0;
	/* A preset or mount arguments bring entries of their own: a config
	 * with none is then fine. */
	plan->allow_empty = cli->preset != NULL || cli->nmounts > 0;
	if (cli->config)
		r = mg_config_load(cli->config, plan, err);
	else
		plan->file = strdup("<none>");
	if (r < 0)
		return r;
	r = mg_preset_merge(plan, cli->preset, err);
	if (r < 0)
		return r;
	/* Config first, then the preset's entries in front, then the command
	 * line's --bind/--ro-bind/... after everything, in argv order. */
	r = mg_cli_mounts_append(cli, plan, err);
	if (r < 0)
		return r;
	if (plan->n == 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "no entries");
	/* Only exec switches into the root; apply and plan would have to
	 * ignore the key, and a root silently left writable is a guess. */
	if (plan->readonly_root && strcmp(cli->command, "exec") != 0) {
		mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			"readonly-root = yes is for exec only (%s leaves the root as it is)",
			cli->command);
		mg_error_set_entry(err, plan->file, plan->readonly_root_line, NULL);
		return -EINVAL;
	}
	return 0;
}

int mg_apply_plan_run(const struct cli *cli, struct mg_plan *plan, struct mg_error *err, FILE *out,
		      enum mg_report_when when)
{
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_run run = { 0 };
	bool have_ctx = false, ran = false;
	bool dry = strcmp(cli->command, "plan") == 0;
	int r;

	if (err->set)
		goto report; /* the plan did not load: say so, touch nothing */
	if (plan->symlinks == MG_SYMLINKS_REFUSE)
		ctx.resolve_flags = MG_RESOLVE_NO_SYMLINKS;
	if (!dry || mg_caps_have_sys_admin())
		r = mg_caps_limit_for_apply(mg_plan_creates(plan), err);
	else
		r = mg_caps_drop_all(err);
	if (r < 0)
		goto report;
	/* The request is read: from here on, only the calls the work needs. */
	r = mg_confine_syscalls(err);
	if (r < 0)
		goto report;
	r = mg_setup_ctx(&ctx, cli->root, -1, dry, err);
	if (r < 0)
		goto report;
	have_ctx = true;
	ran = true;
	r = mg_engine_run(&ctx, plan, &run, err);
	if (r < 0)
		goto report;
	/* None left once done, before success is reported. */
	r = mg_caps_drop_all(err);
	if (r < 0)
		goto report;
report:;
	int code = mg_exit_code(err);
	if (run.rollback_failed)
		code = MG_EXIT_ROLLBACK; /* never claim "nothing left" when it is not so */
	struct mg_report rep = {
		.command = cli->command, .root = cli->root, .ctx = have_ctx ? &ctx : NULL,
		.plan = plan,            .run = ran ? &run : NULL, .err = err,
		.exit_code = code,
	};
	mg_print_error(err);
	if (when == MG_REPORT_ALWAYS || code != MG_EXIT_OK) {
		if (cli->json)
			mg_report_json(out, &rep);
		else
			mg_report_text(out, &rep);
		fflush(out);
	}
	mg_run_free(&run);
	mg_procfs_close(&ctx.proc);
	mg_closep(&ctx.root_fd);
	return code;
}

int mg_cmd_apply(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_plan plan;

	mg_plan_init(&plan);
	mg_plan_load(cli, &plan, &err); /* a failure is in err, reported below */
	int code = mg_apply_plan_run(cli, &plan, &err, stdout, MG_REPORT_ALWAYS);
	mg_plan_free(&plan);
	return code;
}

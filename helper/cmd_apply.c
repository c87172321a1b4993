/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply and plan: config -> plan -> resolve -> mount -> verify -> report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "config_ini.h"
#include "confine.h"
#include "engine.h"
#include "preset.h"
#include "report.h"

int mg_cmd_apply(const struct cli *c)
{
	struct cli cli = *c;
	struct mg_error err = { 0 };
	struct mg_plan plan;
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_run run = { 0 };
	bool have_ctx = false, ran = false;
	int r;

	mg_plan_init(&plan);
	bool dry = strcmp(cli.command, "plan") == 0;

	plan.allow_empty = cli.preset != NULL;
	r = 0;
	if (cli.config)
		r = mg_config_load(cli.config, &plan, &err);
	else
		plan.file = strdup("<none>");
	if (r < 0)
		goto report;
	r = mg_preset_merge(&plan, cli.preset, &err);
	if (r == 0 && plan.n == 0)
		r = mg_fail(&err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "no entries");
	if (r < 0)
		goto report;
	if (plan.symlinks == MG_SYMLINKS_REFUSE)
		ctx.resolve_flags = MG_RESOLVE_NO_SYMLINKS;
	if (!dry || mg_caps_have_sys_admin())
		r = mg_caps_limit_for_apply(mg_plan_creates(&plan), &err);
	else
		r = mg_caps_drop_all(&err);
	if (r < 0)
		goto report;
	/* The request is read: from here on, only the calls the work needs. */
	r = mg_confine_syscalls(&err);
	if (r < 0)
		goto report;
	r = mg_setup_ctx(&ctx, cli.root, -1, dry, &err);
	if (r < 0)
		goto report;
	have_ctx = true;
	ran = true;
	r = mg_engine_run(&ctx, &plan, &run, &err);
	if (r < 0)
		goto report;
	/* None left once done, before success is reported. */
	r = mg_caps_drop_all(&err);
	if (r < 0)
		goto report;
report:;
	int code = mg_exit_code(&err);
	if (run.rollback_failed)
		code = MG_EXIT_ROLLBACK; /* never claim "nothing left" when it is not so */
	struct mg_report rep = {
		.command = cli.command, .root = cli.root, .ctx = have_ctx ? &ctx : NULL,
		.plan = &plan,          .run = ran ? &run : NULL, .err = &err,
		.exit_code = code,
	};
	mg_print_error(&err);
	if (cli.json)
		mg_report_json(stdout, &rep);
	else
		mg_report_text(stdout, &rep);
	fflush(stdout);
	mg_run_free(&run);
	mg_plan_free(&plan);
	mg_procfs_close(&ctx.proc);
	mg_closep(&ctx.root_fd);
	return code;
}

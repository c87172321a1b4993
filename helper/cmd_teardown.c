/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "confine.h"
#include "teardown.h"

/* teardown --root DIR: everything mounted beneath DIR goes (teardown.c). */
int mg_cmd_teardown(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_teardown_result res = { 0 };
	bool have_ctx = false;
	int r = mg_caps_limit_for_apply(false, &err);
	if (r == 0)
		r = mg_confine_syscalls(&err);
	if (r == 0)
		r = mg_setup_ctx(&ctx, cli->root, -1, false, &err);
	if (r == 0) {
		have_ctx = true;
		r = mg_teardown(&ctx, &res, &err);
	}
	if (r == 0)
		mg_caps_drop_all(&err);
	int code = mg_exit_code(&err);
	mg_print_error(&err);
	if (cli->json)
		mg_teardown_report_json(stdout, have_ctx ? &ctx : NULL, &res, &err, code);
	else
		mg_teardown_report_text(stdout, have_ctx ? &ctx : NULL, &res, code);
	fflush(stdout);
	mg_teardown_result_free(&res);
	mg_procfs_close(&ctx.proc);
	mg_closep(&ctx.root_fd);
	return code;
}


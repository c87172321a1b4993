/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder: being written (issue 7). */
#include "cli.h"
#include "log.h"

int mg_cmd_exec(const struct cli *cli)
{
	(void)cli;
	mg_log(LOG_ERR, "%s: not implemented yet", "exec");
	return MG_EXIT_USAGE;
}

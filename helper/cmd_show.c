/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder: being written (issue 7). */
#include "cli.h"
#include "log.h"

int mg_cmd_show(const struct cli *cli)
{
	(void)cli;
	mg_log(LOG_ERR, "%s: not implemented yet", "show");
	return MG_EXIT_USAGE;
}

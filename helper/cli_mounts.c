/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Being written (issue 7): the mapping is not there yet. */
#include "cli_mounts.h"

#include "cli.h"

int mg_cli_mounts_append(const struct cli *cli, struct mg_plan *plan, struct mg_error *err)
{
	(void)cli;
	(void)plan;
	(void)err;
	return 0;
}

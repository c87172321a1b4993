/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard: parse the command line, clean the process up, run the
 * command. Exit codes are in cli.h and mount-guard(8). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hygiene.h"
#include "mg_error.h"

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	if (mg_cli_parse(argc, argv, &cli) < 0) {
		mg_cli_usage(stderr);
		return MG_EXIT_USAGE;
	}
	/* Nothing the starter left us is trusted: environment, fds, umask.
	 * Only serve keeps one fd: its socket. */
	int keep = (int)cli.fd;
	int r = mg_hygiene(&keep, cli.fd >= 0 ? 1 : 0);
	if (r < 0) {
		fprintf(stderr, "mount-guard: setup: %s\n", strerror(-r));
		return MG_EXIT_FAILED;
	}
	if (strcmp(cli.command, "teardown") == 0)
		return mg_cmd_teardown(&cli);
	if (strcmp(cli.command, "serve") == 0)
		return mg_cmd_serve(&cli);
	if (strcmp(cli.command, "policy") == 0)
		return mg_cmd_policy_check(&cli);
	if (strcmp(cli.command, "plan") == 0 && cli.as_uid >= 0)
		return mg_cmd_plan_as(&cli);
	return mg_cmd_apply(&cli);
}

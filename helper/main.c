/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard: parse the command line, clean the process up, run the
 * command. Exit codes are in cli.h and mount-guard(8). */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "hygiene.h"
#include "mg_error.h"

static int run_command(const struct cli *cli)
{
	if (strcmp(cli->command, "oci-hook") == 0)
		return mg_cmd_oci_hook(cli);
	if (strcmp(cli->command, "exec") == 0)
		return mg_cmd_exec(cli);
	if (strcmp(cli->command, "show") == 0)
		return mg_cmd_show(cli);
	if (strcmp(cli->command, "teardown") == 0)
		return mg_cmd_teardown(cli);
	if (strcmp(cli->command, "serve") == 0)
		return mg_cmd_serve(cli);
	if (strcmp(cli->command, "policy") == 0)
		return mg_cmd_policy_check(cli);
	if (strcmp(cli->command, "plan") == 0 && cli->as_uid >= 0)
		return mg_cmd_plan_as(cli);
	return mg_cmd_apply(cli);
}

int main(int argc, char **argv)
{
	/* Freed on every return: valgrind's leak check runs in CI. */
	struct cli cli __attribute__((cleanup(mg_cli_free))) = { 0 };
	mg_log_init(); /* before the environment is cleared */
	if (mg_cli_parse(argc, argv, &cli) < 0) {
		/* In the journal, the usage text would be lines without a
		 * priority: the error line above says what is wrong. */
		if (mg_log_journal())
			mg_log(LOG_INFO, "usage: mount-guard --help");
		else
			mg_cli_usage(stderr);
		return MG_EXIT_USAGE;
	}
	/* exec hands the caller's environment to its command: keep a copy. */
	if (strcmp(cli.command, "exec") == 0) {
		cli.exec_envp = mg_environ_copy();
		cli.exec_umask = umask(022);
		umask(cli.exec_umask);
		if (!cli.exec_envp) {
			mg_log(LOG_ERR, "setup: %s", strerror(ENOMEM));
			return MG_EXIT_FAILED;
		}
	}
	/* Nothing the starter left us is trusted: environment, fds, umask.
	 * Only serve keeps one fd: its socket. */
	bool serve = strcmp(cli.command, "serve") == 0;
	int keep = (int)cli.fd;
	int r = mg_hygiene(&keep, serve && cli.fd >= 0 ? 1 : 0);
	if (r < 0) {
		mg_log(LOG_ERR, "setup: %s", strerror(-r));
		return MG_EXIT_FAILED;
	}
	/* Installed with file capabilities, mount-guard holds them for anyone
	 * who runs it. Only serve judges its caller (by the admin policy): every
	 * other command is root's, or runs with the caller's own rights. */
	if (getuid() != 0 && !serve) {
		r = mg_unprivileged_command(&cli);
		if (r != 0)
			return r;
	}
	return run_command(&cli);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line and the commands it runs. Exit codes (mount-guard(8)):
 * 0 done; 1 a mount failed and nothing is left mounted; 2 usage or config
 * error, nothing touched; 3 refused as unsafe, nothing left touched; 4 a
 * failure whose rollback also failed (something may be left). */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli_mounts.h"
#include "context.h"
#include "mg_error.h"
#include "plan.h"

struct cli {
	const char *command;
	const char *root;
	const char *config;
	const char *preset;
	const char *policy;      /* serve, plan --as-uid: another policy file (root only) */
	const char *policy_file; /* policy check FILE */
	long fd;                 /* serve --fd N */
	long as_uid, as_gid;     /* plan --as-uid/--as-gid; -1 unset */
	bool json;
	bool draft;              /* policy check --draft: no ownership checks */
	bool unshare;            /* exec --unshare: a private mount namespace first */
	char **exec_argv;        /* exec: CMD ARGS after "--", NULL-terminated (points into argv) */
	char **exec_envp;        /* exec: the caller's environment, copied before hygiene clears it */
	mode_t exec_umask;       /* exec: the caller's umask, for the command */
	/* apply, plan, exec: --bind SRC DST ... in argv order (cli_mounts.h) */
	struct mg_cli_mount *mounts;
	size_t nmounts;
};

int mg_cli_parse(int argc, char **argv, struct cli *c);
void mg_cli_usage(FILE *f);
/* Frees what mg_cli_parse allocated. */
void mg_cli_free(struct cli *c);

int mg_cmd_apply(const struct cli *cli);
int mg_cmd_teardown(const struct cli *cli);
int mg_cmd_serve(const struct cli *cli);
int mg_cmd_policy_check(const struct cli *cli);
int mg_cmd_plan_as(const struct cli *cli);
int mg_cmd_oci_hook(const struct cli *cli); /* cmd_oci_hook.c */
int mg_cmd_exec(const struct cli *cli);     /* cmd_exec.c */
int mg_cmd_show(const struct cli *cli);     /* cmd_show.c */

/* A non-root caller (real uid) of anything but serve: apply and teardown are
 * refused (exit 3) to one that holds CAP_SYS_ADMIN (file capabilities);
 * every other command drops all capabilities first and runs with the
 * caller's own rights. Returns 0 to go on, else the exit code. */
int mg_unprivileged_command(const struct cli *cli);

/* Shared by the commands. */
int mg_setup_ctx(struct mg_ctx *ctx, const char *root, int root_fd, bool dry, struct mg_error *err);
bool mg_plan_creates(const struct mg_plan *p);
void mg_print_error(const struct mg_error *err);
/* The policy file a command reads: the default, or --policy (root only). */
int mg_policy_path(const struct cli *cli, const char **path, struct mg_error *err);
/* The exit code for a recorded error (0 when none). */
int mg_exit_code(const struct mg_error *err);
/* The mount list of apply, plan and exec, loaded the same way for all three:
 * --config, then the preset (its entries first), then the command line's
 * mount arguments. 0, or a negative errno with err set (usually exit 2). */
int mg_plan_load(const struct cli *cli, struct mg_plan *plan, struct mg_error *err);
/* Whether a command prints its report: apply and plan always; exec only when
 * it fails (on success the output is the command's). */
enum mg_report_when { MG_REPORT_ALWAYS, MG_REPORT_ON_FAILURE };
/* apply (plan: dry) of a loaded plan to cli->root: capabilities, seccomp
 * self-confinement, resolve, mount, verify, all or nothing; then the error
 * and the report (--json or the summary) on `out`. An err already set (the
 * load failed) is only reported. Returns the exit code (cli.h). Leaves this
 * process confined and without capabilities: exec runs it in a child. */
int mg_apply_plan_run(const struct cli *cli, struct mg_plan *plan, struct mg_error *err, FILE *out,
		      enum mg_report_when when);

#endif

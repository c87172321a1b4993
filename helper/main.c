/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard: command line. Exit codes (mount-guard(8)): 0 done; 1 a mount
 * failed and nothing is left mounted; 2 usage or config error, nothing
 * touched; 3 refused as unsafe, nothing left touched; 4 a failure whose
 * rollback also failed (something may be left). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "config_ini.h"
#include "confine.h"
#include "context.h"
#include "engine.h"
#include "hygiene.h"
#include "preset.h"
#include "report.h"
#include "teardown.h"

#ifndef MG_VERSION
#define MG_VERSION "0.0.0"
#endif

struct cli {
	const char *command;
	const char *root;
	const char *config;
	const char *preset;
	bool json;
};

static void usage(FILE *f)
{
	fputs("Usage: mount-guard apply --root DIR {--config FILE | --preset NAME | both} [--json]\n"
	      "       mount-guard plan  --root DIR {--config FILE | --preset NAME | both} [--json]\n"
	      "       mount-guard teardown --root DIR [--json]\n"
	      "       mount-guard --help | --version\n"
	      "\n"
	      "  apply   resolve every target inside DIR, mount by fd, verify against\n"
	      "          mountinfo; all or nothing\n"
	      "  plan    resolve and check everything, change nothing\n"
	      "  teardown  unmount everything beneath DIR, deepest first, by fd and\n"
	      "          mount id (for ExecStopPost= and sandbox clean-up)\n"
	      "\n"
	      "  --root DIR     the rootfs (a trusted host path)\n"
	      "  --config FILE  the mount list, mount-guard.conf(5); '-' reads stdin\n"
	      "  --preset NAME  start from a shipped preset (oci-default, minimal-chroot)\n"
	      "  --json         print a JSON report instead of the summary\n"
	      "\n"
	      "Exit: 0 done, 1 a mount failed (nothing left mounted), 2 usage or config\n"
	      "error (nothing touched), 3 refused as unsafe (nothing left touched),\n"
	      "4 failed and the rollback failed too (something may be left).\n"
	      "See mount-guard(8).\n",
	      f);
}

static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },  { "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },        { "help", no_argument, NULL, 'h' },
		{ "preset", required_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },     { NULL, 0, NULL, 0 },
	};
	int o;
	if (argc >= 2 && argv[1][0] != '-') {
		c->command = argv[1];
		argc--;
		argv++;
	}
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+r:c:p:jhV", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			c->root = optarg;
			break;
		case 'c':
			c->config = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'p':
			c->preset = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("mount-guard %s\n", MG_VERSION);
			exit(0);
		default:
			fprintf(stderr, "mount-guard: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mount-guard: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!c->command) {
		fprintf(stderr, "mount-guard: no command given\n");
		return -EINVAL;
	}
	if (strcmp(c->command, "teardown") == 0) {
		if (!c->root || c->config || c->preset) {
			fprintf(stderr, "mount-guard: teardown takes --root DIR (and --json) only\n");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(c->command, "apply") != 0 && strcmp(c->command, "plan") != 0) {
		fprintf(stderr, "mount-guard: unknown command '%s'\n", c->command);
		return -EINVAL;
	}
	if (!c->root || (!c->config && !c->preset)) {
		fprintf(stderr, "mount-guard: %s needs --root DIR and --config FILE (or --preset NAME)\n",
			c->command);
		return -EINVAL;
	}
	return 0;
}

/* Creating targets, the masks' staging directory (which backend and kernel
 * decide only later) and the nodes of a /dev whose tmpfs may belong to
 * another uid (uid=, mode=) all write into directories we may not own. */
static bool plan_creates(const struct mg_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].create != MG_CREATE_NO || p->entries[i].kind == MG_KIND_MASK ||
		    (p->entries[i].kind == MG_KIND_MOUNT && p->entries[i].type == MG_FS_DEV))
			return true;
	return false;
}

static int setup_ctx(struct mg_ctx *ctx, const char *root, bool dry, struct mg_error *err)
{
	int r;
	ctx->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->root_fd < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, errno, "cannot open root %s", root);
	r = mg_procfs_open(&ctx->proc, "/proc", true, err);
	if (r < 0)
		return r;
	r = mg_procfs_fd_path(&ctx->proc, ctx->root_fd, ctx->root_path, sizeof(ctx->root_path));
	if (r < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, -r, "cannot name the root %s", root);
	ctx->root_len = strlen(ctx->root_path);
	ctx->resolver = mg_resolver_detect();
	ctx->backend = mg_mount_backend_detect();
	ctx->dry_run = dry;
	return 0;
}

static void print_error(const struct mg_error *err)
{
	char msg[2048];
	if (!err->set)
		return;
	mg_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "mount-guard: %s\n", msg);
}

/* teardown --root DIR: everything mounted beneath DIR goes (teardown.c). */
static int cmd_teardown(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_teardown_result res = { 0 };
	bool have_ctx = false;
	int r = mg_caps_limit_for_apply(false, &err);
	if (r == 0)
		r = mg_confine_syscalls(&err);
	if (r == 0)
		r = setup_ctx(&ctx, cli->root, false, &err);
	if (r == 0) {
		have_ctx = true;
		r = mg_teardown(&ctx, &res, &err);
	}
	if (r == 0)
		mg_caps_drop_all(&err);
	int code = err.set ? (int)err.kind : MG_EXIT_OK;
	if (err.set && code == MG_EXIT_OK)
		code = MG_EXIT_FAILED;
	print_error(&err);
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

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct mg_error err = { 0 };
	struct mg_plan plan;
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_run run = { 0 };
	bool have_ctx = false, ran = false;
	int r;

	/* Nothing the starter left us is trusted: environment, fds, umask. */
	r = mg_hygiene(NULL, 0);
	if (r < 0) {
		fprintf(stderr, "mount-guard: setup: %s\n", strerror(-r));
		return MG_EXIT_FAILED;
	}
	mg_plan_init(&plan);
	if (parse_cli(argc, argv, &cli) < 0) {
		usage(stderr);
		return MG_EXIT_USAGE;
	}
	if (strcmp(cli.command, "teardown") == 0)
		return cmd_teardown(&cli);
	bool dry = strcmp(cli.command, "plan") == 0;

	plan.allow_empty = cli.preset != NULL;
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
		r = mg_caps_limit_for_apply(plan_creates(&plan), &err);
	else
		r = mg_caps_drop_all(&err);
	if (r < 0)
		goto report;
	/* The request is read: from here on, only the calls the work needs. */
	r = mg_confine_syscalls(&err);
	if (r < 0)
		goto report;
	r = setup_ctx(&ctx, cli.root, dry, &err);
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
	int code = err.set ? (int)err.kind : MG_EXIT_OK;
	if (err.set && code == MG_EXIT_OK)
		code = MG_EXIT_FAILED;
	if (run.rollback_failed)
		code = MG_EXIT_ROLLBACK; /* never claim "nothing left" when it is not so */
	struct mg_report rep = {
		.command = cli.command, .root = cli.root, .ctx = have_ctx ? &ctx : NULL,
		.plan = &plan,          .run = ran ? &run : NULL, .err = &err,
		.exit_code = code,
	};
	print_error(&err);
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

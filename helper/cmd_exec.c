/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: [--unshare] apply the list to DIR, switch root into it, [make it
 * read-only], drop every capability, run CMD. For ExecStart= lines and
 * sandboxes.
 *
 * Two processes, because a seccomp filter survives execve: apply confines
 * itself with an allow-list (confine.c) that CMD must not inherit, and no
 * filter can be taken off again. So a forked child does all the rootfs work
 * exactly as apply does (capabilities limited, confined, all or nothing,
 * verified, rolled back on failure, its report printed on failure) and
 * exits; its mounts are in the mount namespace it shares with us. This
 * process, never confined and never touching anything of the rootfs but the
 * root mount itself, waits for it, then switches root, drops every
 * capability and execs CMD.
 *
 * Exit codes before CMD runs are apply's (cli.h); after a failed execve,
 * 127 when CMD is not found and 126 when it cannot be run, as shells do.
 *
 * With --unshare the list is applied in a new private mount namespace that
 * dies with CMD (or with us, on any failure): nothing is ever left behind.
 * Without it, the list is applied in the namespace we were given (systemd
 * gives each Exec*= process its own when namespacing options are on), where
 * it stays after CMD ends or fails (teardown removes it; exit 4 when a step
 * after the apply fails, 126/127 when execve does); the root switch always
 * happens in a private namespace of our own, never moving anyone else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "escape.h"
#include "exec_root.h"
#include "hygiene.h"
#include "log.h"

#define MG_EXIT_EXEC_CANNOT 126    /* CMD found but not executable (EACCES, ENOEXEC...) */
#define MG_EXIT_EXEC_NOT_FOUND 127 /* CMD not found on the saved PATH */

/* Before the child: the namespace, and the root checked as apply would. */
static int prepare(const struct cli *cli, struct mg_ctx *ctx, struct mg_error *err)
{
	int r = 0;
	if (cli->unshare)
		r = mg_exec_unshare(err);
	if (r == 0)
		r = mg_setup_ctx(ctx, cli->root, -1, false, err);
	if (r == 0 && ctx->root_len == 1)
		r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, 0,
			    "exec needs a root other than /: it switches into it");
	return r;
}

/* Runs apply in a child (see the top of the file); its exit code. */
static int apply_in_child(const struct cli *cli, struct mg_plan *plan)
{
	int status;
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t pid = fork();
	if (pid < 0) {
		mg_log(LOG_ERR, "setup: fork: %s", strerror(errno));
		return MG_EXIT_FAILED;
	}
	if (pid == 0) {
		struct mg_error err = { 0 };
		int code = mg_apply_plan_run(cli, plan, &err, stderr, MG_REPORT_ON_FAILURE);
		mg_plan_free(plan);
		fflush(NULL);
		_exit(code);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			mg_log(LOG_ERR, "setup: waitpid: %s", strerror(errno));
			return MG_EXIT_ROLLBACK; /* it may still be mounting */
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* Killed midway: nothing was rolled back. */
	mg_log(LOG_ERR, "apply: the applying process was killed by signal %d%s", WTERMSIG(status),
	       cli->unshare ? "" : "; what it mounted so far may be left beneath the root");
	return cli->unshare ? MG_EXIT_FAILED : MG_EXIT_ROLLBACK;
}

/* From the root switch to CMD; only the last step leaves CAP_SYS_ADMIN. */
static int enter_root(const struct cli *cli, struct mg_ctx *ctx, bool readonly_root,
		      struct mg_error *err)
{
	_cleanup_close_ int self_bind = -1;
	int r = 0;
	/* pivot_root moves the root of every process of the namespace whose
	 * root is the old one: in a namespace we were given, that may be every
	 * process of the system. So the switch happens in a private copy,
	 * which holds the list as applied; the list itself stays in the
	 * namespace we were given, where its processes see it. */
	if (!cli->unshare)
		r = mg_exec_unshare(err);
	/* Opened again by its trusted path, in this namespace: the top of
	 * the mounts on DIR now, which is what the command must see as /. */
	if (r == 0) {
		mg_closep(&ctx->root_fd);
		ctx->root_fd = open(cli->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ctx->root_fd < 0)
			r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "reopening the root %s",
				    cli->root);
	}
	/* Here, not before the apply: the bind carries the verified list
	 * along, and nothing of it is left in a namespace we were given. */
	if (r == 0)
		r = mg_exec_root_mountpoint(ctx, &self_bind, err);
	if (r == 0)
		r = mg_exec_switch_root(self_bind >= 0 ? self_bind : ctx->root_fd, err);
	if (r == 0 && readonly_root)
		r = mg_exec_readonly_root(err);
	/* Effective, permitted, inheritable, ambient and the bounding set:
	 * as root (uid 0) execve would otherwise fill them again from the
	 * bounding set. */
	if (r == 0)
		r = mg_caps_drop_all(err);
	return r;
}

/* Never returns on success. */
static int run_command(const struct cli *cli)
{
	extern char **environ;
	char shown[512];
	/* Every fd above 2 closed (ours, all O_CLOEXEC, but the command gets
	 * none by design, not by flag), NO_NEW_PRIVS set again. fds 0-2 are
	 * open since main()'s own hygiene, so it opens nothing in the new
	 * root. It clears the environment: the caller's is put back after. */
	int r = mg_hygiene(NULL, 0);
	if (r < 0) {
		mg_log(LOG_ERR, "setup: %s", strerror(-r));
		return MG_EXIT_FAILED;
	}
	environ = cli->exec_envp;
	umask(cli->exec_umask); /* the caller's, which main()'s hygiene replaced */
	/* Searched on the caller's PATH, now inside the new root (glibc's
	 * default path when it has none), as env(1) and bwrap do. */
	execvp(cli->exec_argv[0], cli->exec_argv);
	int e = errno;
	environ = NULL; /* mg_cmd_exec frees the saved one */
	mg_escape_for_display(cli->exec_argv[0], shown, sizeof(shown));
	mg_log(LOG_ERR, "exec: %s: %s", shown, strerror(e));
	return e == ENOENT || e == ENOTDIR ? MG_EXIT_EXEC_NOT_FOUND : MG_EXIT_EXEC_CANNOT;
}

int mg_cmd_exec(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_plan plan;
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	int code;

	mg_plan_init(&plan);
	/* From here on, only what this process and its applying child need:
	 * not root's full set until the command runs. */
	if (mg_plan_load(cli, &plan, &err) < 0 ||
	    mg_caps_limit_for_exec(mg_plan_creates(&plan), &err) < 0 || prepare(cli, &ctx, &err) < 0) {
		/* Only reports: err is set, nothing is touched. */
		code = mg_apply_plan_run(cli, &plan, &err, stderr, MG_REPORT_ON_FAILURE);
		goto out;
	}
	code = apply_in_child(cli, &plan);
	if (code != MG_EXIT_OK)
		goto out; /* the child reported, and rolled its own work back */
	if (enter_root(cli, &ctx, plan.readonly_root, &err) < 0) {
		mg_print_error(&err);
		if (!cli->unshare)
			mg_log(LOG_ERR, "the list stays applied beneath %s (mount-guard teardown "
					"removes it)", cli->root);
		code = cli->unshare ? MG_EXIT_FAILED : MG_EXIT_ROLLBACK;
		goto out;
	}
	code = run_command(cli);
out:
	/* CMD did not run: the saved environment is ours to free (main()
	 * returns our code at once, and memcheck counts it lost otherwise). */
	for (char **e = cli->exec_envp; e && *e; e++)
		free(*e);
	free(cli->exec_envp);
	mg_plan_free(&plan);
	mg_procfs_close(&ctx.proc);
	mg_closep(&ctx.root_fd);
	return code;
}

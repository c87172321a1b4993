/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every command does the same way: the context, capabilities needed by
 * a plan, how errors are printed and turned into exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "log.h"

int mg_setup_ctx(struct mg_ctx *ctx, const char *root, int root_fd, bool dry, struct mg_error *err)
{
	int r;
	struct stat st;
	/* A root handed over as an fd (serve) was opened by the caller. */
	ctx->root_fd = root_fd >= 0 ? root_fd : open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->root_fd < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, errno, "cannot open root %s", root);
	if (fstat(ctx->root_fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, ENOTDIR, "the root is not a directory");
	r = mg_procfs_open(&ctx->proc, "/proc", true, err);
	if (r < 0)
		return r;
	r = mg_procfs_fd_path(&ctx->proc, ctx->root_fd, ctx->root_path, sizeof(ctx->root_path));
	if (r < 0)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, -r, "cannot name the root %s", root ? root : "(fd)");
	ctx->root_len = strlen(ctx->root_path);
	ctx->resolver = mg_resolver_detect();
	ctx->backend = mg_mount_backend_detect();
	ctx->dry_run = dry;
	return 0;
}

/* Creating targets, the masks' staging directory (which backend and kernel
 * decide only later) and the nodes of a /dev whose tmpfs may belong to
 * another uid (uid=, mode=) all write into directories we may not own. */
bool mg_plan_creates(const struct mg_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].create != MG_CREATE_NO || p->entries[i].kind == MG_KIND_MASK ||
		    (p->entries[i].kind == MG_KIND_MOUNT && p->entries[i].type == MG_FS_DEV))
			return true;
	return false;
}

void mg_print_error(const struct mg_error *err)
{
	char msg[2048];
	if (!err->set)
		return;
	mg_error_format(err, msg, sizeof(msg));
	mg_log(LOG_ERR, "%s", msg);
}

int mg_unprivileged_command(const struct cli *cli)
{
	struct mg_error err = { 0 };
	bool mounts = strcmp(cli->command, "apply") == 0 || strcmp(cli->command, "teardown") == 0 ||
		      strcmp(cli->command, "exec") == 0 || strcmp(cli->command, "oci-hook") == 0;
	if (mounts && mg_caps_have_sys_admin()) {
		mg_fail(&err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, EPERM,
			"%s is for root; unprivileged callers use serve (libmountguard), under "
			"the admin policy",
			cli->command);
	} else if (!mounts) {
		mg_caps_drop_all(&err);
	}
	/* apply without CAP_SYS_ADMIN at all goes on, to say so itself. */
	if (!err.set)
		return 0;
	mg_print_error(&err);
	return mg_exit_code(&err);
}

int mg_exit_code(const struct mg_error *err)
{
	if (!err->set)
		return MG_EXIT_OK;
	return err->kind == MG_EXIT_OK ? MG_EXIT_FAILED : (int)err->kind;
}

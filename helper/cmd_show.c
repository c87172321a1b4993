/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* show --root DIR [--json]: the mount tree at and beneath DIR, from this
 * namespace's mountinfo (mount_tree.c). It changes nothing and needs no
 * capability: it drops every one first, so an unprivileged caller and root
 * see the same, with the caller's own rights. */
#include <stdio.h>

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "confine.h"
#include "escape.h"
#include "json.h"
#include "mount_tree.h"

static void show_json(FILE *f, const struct cli *cli, const struct mg_ctx *ctx,
		      const struct mg_mount_tree *t, const struct mg_error *err, int code)
{
	char msg[2048];
	int first = 1;
	fputc('{', f);
	mg_json_kv_int(f, &first, "version", 1);
	mg_json_kv_str(f, &first, "command", "show");
	mg_json_kv_path(f, &first, "root", cli->root);
	mg_json_kv_path(f, &first, "root_path", ctx ? ctx->root_path : NULL);
	mg_json_kv_bool(f, &first, "ok", code == 0);
	mg_json_kv_int(f, &first, "exit_code", code);
	if (err->set)
		mg_error_format(err, msg, sizeof(msg));
	mg_json_kv_str(f, &first, "error", err->set ? msg : NULL);
	mg_json_kv_bool(f, &first, "root_is_mount", t && t->root_is_mount);
	mg_json_kv_int(f, &first, "count", t ? (long long)t->nshown : 0);
	fputs(",\"mounts\":", f);
	if (t)
		mg_mount_tree_json(f, t);
	else
		fputs("[]", f);
	fputs("}\n", f);
}

static void show_text(FILE *f, const struct cli *cli, const struct mg_mount_tree *t)
{
	char root[PATH_MAX * 4];
	mg_escape_for_display(cli->root, root, sizeof(root));
	fprintf(f, "mount-guard show: root %s (%s; %zu mount%s at and beneath it)\n", root,
		t->root_is_mount ? "a mount point" : "not a mount point", t->nshown,
		t->nshown == 1 ? "" : "s");
	if (t->nshown)
		mg_mount_tree_text(f, t, "");
}

int mg_cmd_show(const struct cli *cli)
{
	struct mg_error err = { 0 };
	struct mg_ctx ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } };
	struct mg_mount_tree tree = { 0 };
	bool have_ctx = false, have_tree = false;
	int r = mg_caps_drop_all(&err);
	if (r == 0)
		r = mg_confine_syscalls(&err);
	if (r == 0)
		r = mg_setup_ctx(&ctx, cli->root, -1, true, &err);
	if (r == 0) {
		have_ctx = true;
		r = mg_mount_tree_read(&tree, &ctx.proc, ctx.root_fd, ctx.root_path, &err);
	}
	have_tree = r == 0;
	int code = mg_exit_code(&err);
	mg_print_error(&err);
	if (cli->json)
		show_json(stdout, cli, have_ctx ? &ctx : NULL, have_tree ? &tree : NULL, &err, code);
	else if (have_tree)
		show_text(stdout, cli, &tree);
	fflush(stdout);
	if (have_tree)
		mg_mount_tree_free(&tree);
	mg_procfs_close(&ctx.proc);
	mg_closep(&ctx.root_fd);
	return code;
}

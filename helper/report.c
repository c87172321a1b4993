/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "report.h"

#include <limits.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "mntopts.h"
#include "mount_tree.h"

/* After a successful apply, what the root looks like now: the tree `show`
 * prints, from mountinfo (what the kernel has, not what the plan asked for):
 * the one verification built from its own read, or else read again. A
 * failure to read it is said, and changes nothing. */
static void report_tree(FILE *f, const struct mg_report *r, const char *root)
{
	struct mg_error err = { 0 };
	struct mg_mount_tree own = { 0 };
	const struct mg_mount_tree *t = r->run && r->run->verified ? r->run->tree : NULL;
	char msg[2048];
	if (!t) {
		if (mg_mount_tree_read(&own, &r->ctx->proc, r->ctx->root_fd, r->ctx->root_path,
				       &err) < 0) {
			mg_error_format(&err, msg, sizeof(msg));
			fprintf(f, "mount tree of %s: cannot read it: %s\n", root, msg);
			return;
		}
		t = &own;
	}
	fprintf(f, "mount tree of %s (%zu mount%s at and beneath it):\n", root, t->nshown,
		t->nshown == 1 ? "" : "s");
	mg_mount_tree_text(f, t, "  ");
	mg_mount_tree_free(&own);
}

/* Copies `s` to p, then blanks up to `width` (printf's "%-*s"); returns
 * the end. */
static char *cell(char *p, const char *s, size_t width)
{
	size_t len = strlen(s);
	memcpy(p, s, len);
	p += len;
	if (len < width) {
		memset(p, ' ', width - len);
		p += width - len;
	}
	return p;
}

void mg_report_text(FILE *f, const struct mg_report *r)
{
	char a[PATH_MAX * 2], b[PATH_MAX * 2], opts[512];
	mg_escape_for_display(r->root ? r->root : "?", a, sizeof(a));
	fprintf(f, "mount-guard %s: root %s", r->command, a);
	if (r->ctx)
		fprintf(f, " (resolver %s, mounts %s, procfs %s)", mg_resolver_name(r->ctx->resolver),
			mg_mount_backend_name(r->ctx->backend),
			r->ctx->proc.private_instance ? "private" : "/proc");
	fputc('\n', f);
	size_t done = 0, skipped = 0;
	for (size_t i = 0; r->plan && r->run && i < r->plan->n; i++) {
		const struct mg_entry *e = &r->plan->entries[i];
		const struct mg_result *res = &r->run->res[i];
		mg_escape_for_display(e->target, a, sizeof(a));
		mg_escape_for_display(res->resolved ? res->resolved : "?", b, sizeof(b));
		mg_mntopts_format_attrs(&e->opts, opts, sizeof(opts));
		/* "  %-12s %-8s %-24s -> %-24s %-11s %s%s%s\n" without a
		 * printf (4k instructions an entry): put together and written
		 * at once. The name has no bound of its own: it goes first. */
		char line[sizeof(a) + sizeof(b) + sizeof(opts) + 128], *p;
		size_t nlen = strlen(e->name);
		fputs("  ", f);
		fwrite(e->name, 1, nlen, f);
		p = cell(line, "", nlen < 12 ? 12 - nlen : 0);
		p = cell(p, " ", 0);
		p = cell(p, mg_entry_type_name(e), 8);
		p = cell(p, " ", 0);
		p = cell(p, a, 24);
		p = cell(p, " -> ", 0);
		p = cell(p, b, 24);
		p = cell(p, " ", 0);
		p = cell(p, mg_status_name(res->status), 11);
		p = cell(p, " ", 0);
		p = cell(p, mg_action_name(e, res), 0);
		if (opts[0]) {
			p = cell(p, " ", 0);
			p = cell(p, opts, 0);
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
		if (res->status == MG_ST_MOUNTED || res->status == MG_ST_PLANNED ||
		    res->status == MG_ST_DEFERRED || res->status == MG_ST_DUPLICATE)
			done++;
		if (res->status == MG_ST_SKIPPED) {
			skipped++;
			fprintf(f, "    skipped: %s does not exist\n", a);
		}
	}
	if (r->exit_code == 0 && r->plan) {
		fprintf(f, "result: %zu of %zu entries %s; %zu skipped\n", done, r->plan->n,
			strcmp(r->command, "plan") == 0 ? "checked, nothing changed"
							: "applied and verified against mountinfo",
			skipped);
		mg_escape_for_display(r->root ? r->root : "?", a, sizeof(a));
		if (strcmp(r->command, "apply") == 0 && r->ctx && !r->ctx->dry_run)
			report_tree(f, r, a);
	} else if (r->run && r->run->rollback_failed)
		fprintf(f, "result: failed (exit %d); ROLLBACK INCOMPLETE: some of what this run "
			   "did may be left in place (see the messages above)\n",
			r->exit_code);
	else
		fprintf(f, "result: failed (exit %d); nothing this run did is left in place\n",
			r->exit_code);
}

void mg_report_json(FILE *f, const struct mg_report *r)
{
	char opts[512], msg[2048];
	int first = 1;
	fputc('{', f);
	mg_json_kv_int(f, &first, "version", 1);
	mg_json_kv_str(f, &first, "command", r->command);
	mg_json_kv_path(f, &first, "root", r->root);
	if (r->ctx) {
		mg_json_kv_str(f, &first, "resolver", mg_resolver_name(r->ctx->resolver));
		mg_json_kv_str(f, &first, "mount_backend", mg_mount_backend_name(r->ctx->backend));
		mg_json_kv_str(f, &first, "procfs", r->ctx->proc.private_instance ? "private" : "/proc");
	}
	mg_json_kv_bool(f, &first, "ok", r->exit_code == 0);
	mg_json_kv_int(f, &first, "exit_code", r->exit_code);
	mg_json_kv_bool(f, &first, "verified", r->run && r->run->verified);
	mg_json_kv_bool(f, &first, "rollback_incomplete", r->run && r->run->rollback_failed);
	if (r->err && r->err->set) {
		mg_error_format(r->err, msg, sizeof(msg));
		mg_json_kv_str(f, &first, "error", msg);
	} else {
		mg_json_kv_str(f, &first, "error", NULL);
	}
	fputs(",\"entries\":[", f);
	for (size_t i = 0; r->plan && i < r->plan->n; i++) {
		const struct mg_entry *e = &r->plan->entries[i];
		const struct mg_result *res = r->run ? &r->run->res[i] : NULL;
		int ef = 1;
		if (i)
			fputc(',', f);
		fputc('{', f);
		mg_json_kv_str(f, &ef, "name", e->name);
		mg_json_kv_int(f, &ef, "line", e->line);
		mg_json_kv_str(f, &ef, "kind", mg_kind_name(e->kind));
		mg_json_kv_str(f, &ef, "type", mg_entry_type_name(e));
		mg_json_kv_path(f, &ef, "source", e->source);
		mg_json_kv_path(f, &ef, "target", e->target);
		mg_json_kv_path(f, &ef, "resolved", res ? res->resolved : NULL);
		mg_json_kv_str(f, &ef, "action",
			       res ? mg_action_name(e, res)
				   : (e->kind == MG_KIND_MOUNT ? "mount" : mg_kind_name(e->kind)));
		mg_json_kv_str(f, &ef, "status", res ? mg_status_name(res->status) : "not-reached");
		mg_mntopts_format_attrs(&e->opts, opts, sizeof(opts));
		mg_json_kv_str(f, &ef, "options", opts);
		mg_json_kv_str(f, &ef, "create", mg_create_name(e->create));
		if (res && res->mnt_id)
			mg_json_kv_int(f, &ef, "mount_id", (long long)res->mnt_id);
		if (res && res->error)
			mg_json_kv_str(f, &ef, "error", res->error);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

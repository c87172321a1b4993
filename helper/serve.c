/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-guard serve --fd N: one request from a parent that may be hostile,
 * over the socketpair on fd N (docs/protocol.md), judged by the admin policy
 * (mount-guard-policy(5)), applied by the same engine as `apply`, answered,
 * then exit.
 *
 *   peer check (SO_PEERCRED: our parent) -> parent watch (PDEATHSIG)
 *   -> request (wire) -> preset -> capabilities -> seccomp -> context
 *   -> what the caller handed over (fds, names) -> policy -> engine (held)
 *   -> answer -> commit, or roll back if the answer cannot be delivered
 *
 * A protocol error gets no answer: exit 2, nothing touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* How long serve waits for each packet of the request, and for the parent
 * to take each packet of the answer. */
#define MG_SERVE_TIMEOUT_S 60

#include "caps.h"
#include "cleanup.h"
#include "cli.h"
#include "confine.h"
#include "engine.h"
#include "fsinfo.h"
#include "peer.h"
#include "policy.h"
#include "preset.h"
#include "wire.h"
#include "wire_io.h"

struct serve {
	int sock;
	struct mg_peer peer;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	char *root; /* the rootfs path, when it came as a path (root callers only) */
	size_t nrequest;
	struct mg_policy *policy;
	struct mg_ctx ctx;
	struct mg_run run;
	bool ran;
	/* per entry, for the policy: the kernel's name of a bind source fd, and
	 * whether the caller opened it for reading */
	char **source_names;
	bool *source_readable;
};

/* The fd is what the kernel calls `name` in our own mount namespace: the
 * name, opened afresh without following symlinks, is the same object on
 * the same mount. (The kernel prints a name for any fd, also one on another
 * namespace's or a detached mount, where it may look like any path.) */
static bool name_reaches(const char *name, int fd)
{
	struct stat a, b;
	uint64_t ma, mb;
	_cleanup_close_ int again = open(name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return again >= 0 && fstat(again, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino && mg_fd_mount_id(again, &ma) == 0 &&
	       mg_fd_mount_id(fd, &mb) == 0 && ma == mb;
}

/* Readable by the caller: opened for reading, not O_PATH (an O_PATH fd can
 * be had for files one may not read). */
static bool opened_for_reading(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && !(fl & O_PATH) && ((fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == O_RDWR);
}

static int refuse(struct mg_error *err, const struct mg_entry *e, const struct mg_plan *plan,
		  const char *why)
{
	mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, EPERM, "%s", why);
	if (e)
		mg_error_set_entry(err, mg_entry_file(plan, e), e->line, e->name);
	return -EPERM;
}

/* What an unprivileged caller must hand over as fds, and the names the
 * policy judges. */
static int check_handover(struct serve *s, struct mg_error *err)
{
	bool unprivileged = s->peer.uid != 0;
	s->source_names = calloc(s->plan.n + 1, sizeof(*s->source_names));
	s->source_readable = calloc(s->plan.n + 1, sizeof(*s->source_readable));
	if (!s->source_names || !s->source_readable)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	if (s->root && unprivileged)
		return refuse(err, NULL, &s->plan,
			      "an unprivileged caller passes the rootfs as an fd it opened, not a path");
	if (!name_reaches(s->ctx.root_path, s->ctx.root_fd))
		return refuse(err, NULL, &s->plan,
			      "the rootfs is not reachable by its own name in this mount namespace");
	/* A rootfs given by path must be that path: a symlink on the way would
	 * let a name inside an allowed base point elsewhere. */
	if (s->root && strcmp(s->root, s->ctx.root_path) != 0)
		return refuse(err, NULL, &s->plan,
			      "the rootfs path goes through a symlink (or is not canonical)");
	for (size_t i = 0; i < s->plan.n; i++) {
		const struct mg_entry *e = &s->plan.entries[i];
		if (e->kind != MG_KIND_MOUNT || (e->type != MG_FS_BIND && e->type != MG_FS_RBIND))
			continue;
		/* Preset entries name no source; `executable` does, by path. */
		if (e->source_fd < 0) {
			if (unprivileged)
				return refuse(err, e, &s->plan,
					      "an unprivileged caller passes bind sources as fds it "
					      "opened for reading, not as paths");
			s->source_names[i] = strdup(e->source);
			s->source_readable[i] = true; /* root's own path */
			if (!s->source_names[i])
				return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
			continue;
		}
		char name[PATH_MAX];
		int r = mg_procfs_fd_path(&s->ctx.proc, e->source_fd, name, sizeof(name));
		if (r < 0 || !name_reaches(name, e->source_fd))
			return refuse(err, e, &s->plan,
				      "the bind source fd is not reachable by its own name in this "
				      "mount namespace");
		s->source_names[i] = strdup(name);
		s->source_readable[i] = opened_for_reading(e->source_fd);
		if (!s->source_names[i])
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	}
	return 0;
}

static int judge(struct serve *s, const struct cli *cli, struct mg_error *err)
{
	const char *path;
	gid_t groups[MG_PEER_MAX_GROUPS];
	memcpy(groups, s->peer.groups, s->peer.ngroups * sizeof(gid_t));
	struct mg_policy_caller caller = { .uid = s->peer.uid, .gid = s->peer.gid,
					   .groups = groups, .ngroups = s->peer.ngroups };
	struct mg_policy_input in = { .root_path = s->ctx.root_path,
				      .source_paths = (const char *const *)s->source_names,
				      .source_readable = s->source_readable };
	int r = mg_policy_path(cli, &path, err);
	if (r == 0)
		r = mg_policy_load(path, &s->policy, err);
	if (r == 0)
		r = mg_policy_check(s->policy, &caller, &in, &s->plan, NULL, err);
	return r;
}

/* Results and DONE for whatever happened. */
static int answer(struct serve *s, int code, struct mg_error *err)
{
	struct mg_wire_result *res = calloc(s->plan.n + 1, sizeof(*res));
	char msg[2048] = "";
	struct mg_error send_err = { 0 };
	int r;

	if (!res)
		return -ENOMEM;
	size_t n = s->ran ? s->plan.n : 0;
	for (size_t i = 0; i < n; i++) {
		mg_wire_result_from_plan(&s->plan, s->nrequest, i, &res[i]);
		const struct mg_result *rr = &s->run.res[i];
		res[i].status = (enum mg_wire_status)rr->status;
		res[i].created = rr->created;
		res[i].mnt_id = rr->mnt_id;
		res[i].resolved = rr->resolved;
		res[i].error = rr->error;
	}
	if (err->set)
		mg_error_format(err, msg, sizeof(msg));
	struct mg_wire_done done = {
		.exit_code = code,
		.verified = s->ran && s->run.verified,
		.rollback_incomplete = s->ran && s->run.rollback_failed,
		.error = err->set ? msg : NULL,
	};
	r = mg_wire_send_results(s->sock, res, n, &done, &send_err);
	free(res);
	return r;
}

static void serve_free(struct serve *s)
{
	for (size_t i = 0; s->source_names && i < s->plan.n; i++)
		free(s->source_names[i]);
	free(s->source_names);
	free(s->source_readable);
	mg_run_free(&s->run);
	mg_plan_free(&s->plan);
	mg_wire_fds_close(&s->fds);
	free(s->root);
	mg_policy_free(s->policy);
	mg_procfs_close(&s->ctx.proc);
	/* ctx.root_fd is a dup of the ROOTFS fd or our own open */
	mg_closep(&s->ctx.root_fd);
}

int mg_cmd_serve(const struct cli *cli)
{
	struct serve s = { .sock = (int)cli->fd,
			   .ctx = { .root_fd = -1, .proc = { .root_fd = -1, .fd_dir = -1 } } };
	struct mg_error err = { 0 };
	int r;

	mg_plan_init(&s.plan);
	mg_wire_fds_init(&s.fds);
	r = mg_peer_check(s.sock, &s.peer, &err);
	if (r == 0)
		r = mg_parent_watch(s.peer.pid, &err);
	/* While the request is read, at most what any request can need; the
	 * request itself decides how much of that stays (below). */
	if (r == 0)
		r = mg_caps_limit_for_apply(true, &err);
	/* A parent that never sends (or never reads) must not keep a helper
	 * with CAP_SYS_ADMIN waiting: every wait on the socket is bounded. */
	struct timeval tmo = { .tv_sec = MG_SERVE_TIMEOUT_S };
	if (r == 0 && (setsockopt(s.sock, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0 ||
		       setsockopt(s.sock, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)) < 0))
		r = mg_fail(&err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "socket timeouts");
	if (r < 0)
		goto silent; /* not our parent's socket: say nothing to it */
	r = mg_wire_recv_request(s.sock, &s.root, &s.plan, &s.fds, &err);
	if (r == -EINVAL)
		goto reply; /* well-formed but invalid, like a bad config: exit 2 */
	if (r < 0) {
		/* A broken protocol gets no answer; nothing was touched. */
		if (err.kind != MG_EXIT_USAGE)
			err.kind = MG_EXIT_USAGE;
		goto silent;
	}
	s.nrequest = s.plan.n;
	r = mg_preset_merge(&s.plan, NULL, &err);
	if (r == 0 && s.plan.n == 0)
		r = mg_fail(&err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "no entries");
	if (r == 0)
		r = mg_caps_limit_for_apply(mg_plan_creates(&s.plan), &err);
	/* The request is read: from here on, only the calls the work needs. */
	if (r == 0)
		r = mg_confine_syscalls(&err);
	int root_fd = mg_wire_fds_root(&s.fds);
	if (r == 0 && root_fd >= 0) {
		root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
		if (root_fd < 0)
			r = mg_fail(&err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "dup");
	}
	if (r == 0)
		r = mg_setup_ctx(&s.ctx, s.root, root_fd, false, &err);
	if (r == 0 && s.plan.symlinks == MG_SYMLINKS_REFUSE)
		s.ctx.resolve_flags = MG_RESOLVE_NO_SYMLINKS;
	if (r == 0)
		r = check_handover(&s, &err);
	if (r == 0)
		r = judge(&s, cli, &err);
	if (r == 0) {
		s.ctx.hold = true;
		s.ctx.cancel = mg_parent_gone_flag();
		s.ran = true;
		r = mg_engine_run(&s.ctx, &s.plan, &s.run, &err);
	}
reply:;
	int code = mg_exit_code(&err);
	if (s.run.rollback_failed)
		code = MG_EXIT_ROLLBACK;
	/* CAP_SYS_ADMIN is kept until the answer is delivered: if the caller
	 * died before it (or the answer cannot be delivered), what was done is
	 * taken back. A caller that dies after reading it keeps what it asked. */
	int sent = r == 0 && *mg_parent_gone_flag() ? -ESRCH : answer(&s, code, &err);
	if (r == 0 && sent < 0) {
		mg_engine_abort(&s.ctx, &s.run);
		code = s.run.rollback_failed ? MG_EXIT_ROLLBACK : MG_EXIT_FAILED;
		if (!err.set)
			mg_fail(&err, MG_EXIT_FAILED, MG_STAGE_ROLLBACK, sent < 0 ? -sent : ESRCH,
				"the caller went away before it heard of success; rolled back");
	} else {
		mg_engine_commit(&s.run);
	}
	/* The answer is out: nothing is left to do with any capability. A
	 * failure here is reported (the process exits next, which drops them). */
	struct mg_error drop_err = { 0 };
	if (mg_caps_drop_all(&drop_err) < 0)
		mg_print_error(&drop_err);
	mg_print_error(&err);
	serve_free(&s);
	return code;
silent:
	mg_print_error(&err);
	serve_free(&s);
	return mg_exit_code(&err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mg-fake-helper: a scripted stand-in for `mount-guard serve --fd 3`, for
 * the unit test of libmountguard (tests/unit/test_client.c). It mounts
 * nothing. libmountguard starts its helper with fixed arguments and an
 * empty environment, so the script is chosen by the name the binary was
 * executed under (AT_EXECFN: a symlink named after the mode):
 *
 *   ok             every entry "mounted", DONE 0 (verified), exit 0
 *   ok-slow        the same, then 300 ms before exiting 0
 *   ok-exit1       DONE 0, then exit 1
 *   preset         like ok, with one entry of its own first (a preset's)
 *   refused3       every entry "refused", DONE 3 with a reason, exit 3
 *   done3-exit0    DONE 3, then exit 0
 *   usage2         no results, DONE 2 with a reason, exit 2
 *   failed4        DONE 4 (rollback incomplete), exit 4
 *   close-early    the first RESULT, then closes the socket, exit 0
 *   sigkill        the first RESULT, then SIGKILL itself
 *   sigkill-after-done  DONE 0, then SIGKILL itself
 *   malformed      a packet with a wrong magic, exit 0
 *   lying-done0    every entry "failed", yet DONE 0 (verified), exit 0
 *   hang           reads the request, answers nothing until the socket
 *                  closes, exit 1
 *   die-before-hello  exit 0 at once
 *   inspect        DONE 1 whose error text describes its argv, environment,
 *                  fds, signal state and the request; each RESULT's error
 *                  the entry's source (see describe_*)
 * Test-only; never installed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mg_error.h"
#include "plan.h"
#include "wire.h"
#include "wire_io.h"

#define SOCK 3

extern char **environ;

struct limited {
	int sock;
	size_t left; /* packets still to send */
};

/* Sends packets until `left` runs out, then stops the emitter. */
static int emit_limited(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	struct limited *l = ctx;
	if (l->left == 0)
		return -ECANCELED;
	l->left--;
	return mg_wire_send_packet(l->sock, pkt, len, fds, nfds);
}

static int answer(struct mg_wire_result *res, size_t n, int code, const char *error,
		  size_t max_packets)
{
	struct mg_error err = { 0 };
	struct mg_wire_done done = { .exit_code = code,
				     .verified = code == 0,
				     .rollback_incomplete = code == 4,
				     .error = (char *)error };
	struct limited l = { SOCK, max_packets };
	int r = mg_wire_emit_results(res, n, &done, emit_limited, &l, &err);
	if (r < 0 && r != -ECANCELED) {
		char msg[2048];
		mg_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "mg-fake-helper: %s\n", msg);
	}
	return r;
}

struct buf {
	char s[2048];
	size_t n;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->n >= sizeof(b->s))
		return;
	va_start(ap, fmt);
	int w = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	b->n += w > 0 ? (size_t)w : 0;
	if (b->n >= sizeof(b->s))
		b->n = sizeof(b->s) - 1;
}

/* "null" (the char device 1:3), "closed", or "open". */
static const char *what_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return "closed";
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
		return "null";
	return "open";
}

/* "fd:MAJ:MIN:INO:ACCESS" of a received fd. */
static void describe_fd(struct buf *b, int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fstat(fd, &st) < 0 || fl < 0) {
		add(b, "fd:bad");
		return;
	}
	add(b, "fd:%u:%u:%llu:%s", major(st.st_dev), minor(st.st_dev),
	    (unsigned long long)st.st_ino,
	    (fl & O_PATH)			? "opath"
	    : (fl & O_ACCMODE) == O_RDONLY ? "rdonly"
	    : (fl & O_ACCMODE) == O_RDWR   ? "rdwr"
					   : "wronly");
}

static unsigned long long status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			v = strtoull(line + strlen(key) + 1, NULL, 16);
	fclose(f);
	return v;
}

static void describe_process(struct buf *b, int argc, char **argv, const struct mg_wire_fds *fds,
			     const char *root, const struct mg_plan *plan)
{
	int type = 0;
	socklen_t len = sizeof(type);
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	add(b, "argv=");
	for (int i = 0; i < argc; i++)
		add(b, "%s%s", i ? "," : "", argv[i]);
	size_t nenv = 0;
	while (environ && environ[nenv])
		nenv++;
	add(b, " env=%zu", nenv);
	add(b, " sock=%s",
	    getsockopt(SOCK, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET
		    ? "seqpacket"
		    : "bad");
	add(b, " peer=%s",
	    getsockopt(SOCK, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid == getppid()
		    ? "parent"
		    : "other");
	add(b, " fd0=%s fd1=%s fd2=%s", what_fd(0), what_fd(1), what_fd(2));
	int fl = fcntl(SOCK, F_GETFD);
	add(b, " sockcloexec=%d", fl >= 0 && (fl & FD_CLOEXEC));

	/* fds beyond 3 that are neither received ones nor the listing's */
	add(b, " extra=");
	DIR *d = opendir("/proc/self/fd");
	int nextra = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		bool known = fd <= SOCK || fd == dirfd(d);
		for (size_t k = 0; k < fds->n; k++)
			known = known || fds->fd[k] == fd;
		if (!known)
			add(b, "%s%d", nextra++ ? "," : "", fd);
	}
	if (d)
		closedir(d);
	if (!nextra)
		add(b, "none");
	add(b, " sigblk=%llx sigign=%llx", status_hex("SigBlk"), status_hex("SigIgn"));
	add(b, " symlinks=%d preset=%s exec=%s", (int)plan->symlinks,
	    plan->preset ? plan->preset : "-", plan->executable ? plan->executable : "-");
	add(b, " root=");
	int rfd = mg_wire_fds_root(fds);
	if (rfd >= 0)
		describe_fd(b, rfd);
	else
		add(b, "path:%s", root ? root : "?");
	add(b, " nfds=%zu", fds->n);
}

int main(int argc, char **argv)
{
	const char *exe = (const char *)getauxval(AT_EXECFN);
	const char *mode = exe ? strrchr(exe, '/') : NULL;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	struct mg_error err = { 0 };
	char *root = NULL;
	int code = 0;

	mode = mode ? mode + 1 : exe ? exe : "?";
	if (strcmp(mode, "die-before-hello") == 0)
		return 0;
	if (mg_wire_check_socket(SOCK) < 0) {
		fprintf(stderr, "mg-fake-helper: fd %d is not a SOCK_SEQPACKET socket\n", SOCK);
		return 125;
	}
	mg_plan_init(&plan);
	mg_wire_fds_init(&fds);
	int r = mg_wire_recv_request(SOCK, &root, &plan, &fds, &err);
	if (r < 0) {
		char msg[2048];
		mg_error_format(&err, msg, sizeof(msg));
		if (r == -EINVAL) {
			answer(NULL, 0, 2, msg, SIZE_MAX);
			return 2;
		}
		fprintf(stderr, "mg-fake-helper: %s\n", msg);
		return 2;
	}

	/* One result per entry, plus one of our own first in `preset` mode. */
	bool preset = strcmp(mode, "preset") == 0;
	size_t n = plan.n + preset;
	struct mg_wire_result *res = calloc(n + 1, sizeof(*res));
	char (*errs)[1024] = calloc(n + 1, sizeof(*errs));
	if (!res || !errs)
		return 125;
	if (preset)
		res[0] = (struct mg_wire_result){ .index = 0,
						  .request_index = MG_WIRE_NO_INDEX,
						  .status = MG_WIRE_ST_MOUNTED,
						  .kind = MG_KIND_MOUNT,
						  .type = MG_FS_PROC,
						  .mnt_id = 999,
						  .name = (char *)"proc",
						  .target = (char *)"/proc",
						  .resolved = (char *)"/proc" };
	for (size_t i = 0; i < plan.n; i++) {
		struct mg_wire_result *x = &res[i + preset];
		mg_wire_result_from_plan(&plan, plan.n, i, x);
		x->index = (uint32_t)(i + preset);
		x->status = MG_WIRE_ST_MOUNTED;
		x->mnt_id = 1000 + i;
		x->created = plan.entries[i].create != MG_CREATE_NO;
		x->resolved = plan.entries[i].target;
	}

	if (strcmp(mode, "ok") == 0 || preset || strcmp(mode, "ok-slow") == 0 ||
	    strcmp(mode, "ok-exit1") == 0 || strcmp(mode, "sigkill-after-done") == 0) {
		r = answer(res, n, 0, NULL, SIZE_MAX);
		if (strcmp(mode, "ok-slow") == 0)
			usleep(300 * 1000);
		if (strcmp(mode, "sigkill-after-done") == 0)
			raise(SIGKILL);
		code = r < 0 ? 1 : strcmp(mode, "ok-exit1") == 0;
	} else if (strcmp(mode, "refused3") == 0 || strcmp(mode, "done3-exit0") == 0) {
		for (size_t i = 0; i < n; i++) {
			res[i].status = MG_WIRE_ST_REFUSED;
			res[i].mnt_id = 0;
			res[i].error = (char *)"not allowed by the policy";
		}
		answer(res, n, 3, "<request>:1: entry 'data': setup: refused: not allowed by the policy",
		       SIZE_MAX);
		code = strcmp(mode, "refused3") == 0 ? 3 : 0;
	} else if (strcmp(mode, "usage2") == 0) {
		answer(NULL, 0, 2, "config: no such preset", SIZE_MAX);
		code = 2;
	} else if (strcmp(mode, "failed4") == 0) {
		for (size_t i = 0; i < n; i++) {
			res[i].status = i == 0 ? MG_WIRE_ST_ROLLED_BACK : MG_WIRE_ST_FAILED;
			res[i].error = i == 0 ? NULL : (char *)"mount: boom";
		}
		answer(res, n, 4, "mount: boom; rollback: umount: busy", SIZE_MAX);
		code = 4;
	} else if (strcmp(mode, "close-early") == 0 || strcmp(mode, "sigkill") == 0) {
		answer(res, n, 0, NULL, 1);
		if (strcmp(mode, "sigkill") == 0)
			raise(SIGKILL);
		close(SOCK);
		code = 0;
	} else if (strcmp(mode, "malformed") == 0) {
		static const unsigned char bad[24] = "XXXX\x01\x00\x02\x02";
		mg_wire_send_packet(SOCK, bad, sizeof(bad), NULL, 0);
		code = 0;
	} else if (strcmp(mode, "lying-done0") == 0) {
		for (size_t i = 0; i < n; i++)
			res[i].status = MG_WIRE_ST_FAILED;
		answer(res, n, 0, NULL, SIZE_MAX);
		code = 0;
	} else if (strcmp(mode, "hang") == 0) {
		char c;
		while (recv(SOCK, &c, 1, 0) > 0 || errno == EINTR)
			;
		code = 1;
	} else if (strcmp(mode, "inspect") == 0) {
		struct buf b = { .n = 0 };
		describe_process(&b, argc, argv, &fds, root, &plan);
		for (size_t i = 0; i < plan.n; i++) {
			struct buf e = { .n = 0 };
			const struct mg_entry *x = &plan.entries[i];
			res[i].status = MG_WIRE_ST_NOT_REACHED;
			res[i].mnt_id = 0;
			add(&e, "kind=%s type=%s create=%s mode=%o opts=%s src=", mg_kind_name(x->kind),
			    x->kind == MG_KIND_MOUNT ? mg_fstype_name(x->type) : "-",
			    mg_create_name(x->create), (unsigned)x->mode,
			    x->options_text ? x->options_text : "-");
			if (x->source_fd >= 0)
				describe_fd(&e, x->source_fd);
			else
				add(&e, "path:%s", x->source ? x->source : "-");
			memcpy(errs[i], e.s, e.n + 1);
			res[i].error = errs[i];
		}
		answer(res, n, 1, b.s, SIZE_MAX);
		code = 1;
	} else {
		fprintf(stderr, "mg-fake-helper: unknown mode '%s'\n", mode);
		code = 125;
	}
	free(res);
	free(errs);
	free(root);
	mg_plan_free(&plan);
	mg_wire_fds_close(&fds);
	return code;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mg-faultinject CMD [ARGS...]: the fault injector of the rollback tests
 * (test-only; never installed, and no knob in mount-guard itself). It runs
 * CMD under a seccomp filter whose mount calls go to a supervisor process
 * (SECCOMP_RET_USER_NOTIF), so it works on any binary, a static one too.
 *
 * It counts the calls that attach a mount -- mount(2) without MS_REMOUNT,
 * move_mount(2) with from_dfd >= 0 (mount-guard's backend probe calls
 * move_mount(-1, ...): not an attach) -- in CMD and in every descendant, and
 * makes call number MG_FAULT_AT fail with MG_FAULT_ERRNO (default EIO)
 * without doing it (and says so on stderr: "faultinject: attach call K
 * (mount) fails with errno E").
 * With MG_FAULT_UMOUNT set, every umount2(2) fails with EBUSY, so that a
 * rollback itself fails (exit 4 and its report are tested with it).
 * With MG_FAULT_SLEEP_MS=N, every attach call is held for N ms before it is
 * answered, so that a test can act while a run is under way.
 * When CMD's process exits (exit_group(2) is held until then) it prints
 * "faultinject: N attach calls" to stderr, so a test learns how many
 * injection points a run has; the line is written before CMD's exit is
 * visible to whoever waits for it. Every other call goes on unchanged
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 * Processes: the process that runs mg-faultinject becomes CMD (same pid,
 * same parent, same exit status, nothing added to its fds), as the tests
 * need: `serve` checks that its socket's peer is its parent, and the live
 * checks read /proc/PID of the pid the parent started. The supervisor is a
 * grandchild forked before the filter exists (so never subject to it, and
 * not a child CMD could reap); it receives the listener fd over a socket
 * pair and answers until no task uses the filter any more (POLLHUP).
 *
 * Filter precedence: a filter installed later (mount-guard's allow-list,
 * mg-enosys) that returns ERRNO or KILL wins over USER_NOTIF, so a call
 * mg-enosys hides never reaches the injector. Not for production: the
 * supervisor trusts nothing it reads, but CONTINUE is not a security
 * boundary (seccomp_unotify(2)). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define MG_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MG_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "mg-faultinject: add this architecture's AUDIT_ARCH_*"
#endif

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct settings {
	long fail_at; /* the attach call to fail, from 1; -1: none */
	int fail_errno;
	int fail_umount;
	long sleep_ms;
	pid_t target; /* CMD's process (its pid stays across exec) */
};

static void die(const char *what)
{
	fprintf(stderr, "mg-faultinject: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	return v ? strtol(v, NULL, 10) : dflt;
}

/* ---- the supervisor -------------------------------------------------------- */

/* The thread group of task TID (its pid, as the notification gives it). */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	pid_t tgid = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	return tgid;
}

static void hold(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Answers one notification: CONTINUE, or fail with ERR (an errno). */
static void answer(int listener, struct seccomp_notif_resp *resp, size_t resp_size, __u64 id, int err)
{
	memset(resp, 0, resp_size);
	resp->id = id;
	if (err) {
		resp->error = -err;
	} else {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	/* ENOENT: the task is gone (killed) or no longer waits. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT)
		fprintf(stderr, "mg-faultinject: SECCOMP_IOCTL_NOTIF_SEND: %s\n", strerror(errno));
}

static void report(long calls)
{
	/* One write(2), unbuffered: the line is complete when CMD's exit is. */
	dprintf(STDERR_FILENO, "faultinject: %ld attach calls\n", calls);
}

static void supervise(int listener, const struct settings *s)
{
	struct seccomp_notif_sizes sizes = { 0 };
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif
									   : sizeof(struct seccomp_notif);
	size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
				   ? sizes.seccomp_notif_resp
				   : sizeof(struct seccomp_notif_resp);
	struct seccomp_notif *req = calloc(1, req_size);
	struct seccomp_notif_resp *resp = calloc(1, resp_size);
	if (!req || !resp)
		die("calloc");

	long calls = 0, reported = -1;
	for (;;) {
		struct pollfd p = { .fd = listener, .events = POLLIN };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (!(p.revents & POLLIN)) {
			if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
				break; /* no task uses the filter any more */
			continue;
		}
		memset(req, 0, req_size);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
			if (errno == EINTR || errno == ENOENT) /* ENOENT: the caller went away */
				continue;
			die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		const struct seccomp_data *d = &req->data;
		int err = 0;
		const char *attach = NULL;
		if (d->arch != MG_AUDIT_ARCH) {
			/* not ours (the filter lets other arches through) */
		} else if (d->nr == __NR_mount) {
			if (!(d->args[3] & MS_REMOUNT)) /* remounts change flags of what is there */
				attach = "mount";
		} else if (d->nr == __NR_move_mount) {
			if ((int)d->args[0] >= 0)
				attach = "move_mount";
		} else if (d->nr == __NR_umount2) {
			if (s->fail_umount)
				err = EBUSY;
		} else if (d->nr == __NR_exit_group) {
			/* CMD's process leaves: report before its exit is seen.
			 * A thread's pid is its tid; its group is CMD's then. */
			if (reported < 0 && ((pid_t)req->pid == s->target || tgid_of((pid_t)req->pid) == s->target)) {
				report(calls);
				reported = calls;
			}
		}
		if (attach) {
			hold(s->sleep_ms);
			if (++calls == s->fail_at) {
				err = s->fail_errno;
				dprintf(STDERR_FILENO, "faultinject: attach call %ld (%s) fails with errno %d\n", calls,
					attach, err);
			}
		}
		answer(listener, resp, resp_size, req->id, err);
	}
	if (reported < 0)
		report(calls); /* CMD died of a signal: no exit_group was seen */
	else if (calls > reported)
		dprintf(STDERR_FILENO, "faultinject: %ld more attach calls after CMD's exit (descendants)\n",
			calls - reported);
	free(req);
	free(resp);
}

/* The supervisor's side: takes the listener fd from SOCK, acks, supervises. */
static void supervisor_main(int sock, const struct settings *s)
{
	/* A terminal's signals go to CMD; this process stays until the
	 * filter's last user is gone, else CMD's calls would fail (ENOSYS). */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	char byte;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(125); /* CMD's side failed and said why */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "mg-faultinject: no listener fd received\n");
		_exit(125);
	}
	int listener;
	memcpy(&listener, CMSG_DATA(c), sizeof(int));
	/* Hold nothing of the caller's but stderr (a pipe the caller reads to
	 * its end, a socket whose peer waits for EOF...). */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
		die("/dev/null");
	if (listener != 3) {
		if (dup3(listener, 3, O_CLOEXEC) < 0)
			die("dup3");
		listener = 3;
	}
	if (write(sock, "", 1) != 1)
		die("ack");
	if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0)
		die("close_range");
	supervise(listener, s);
	_exit(0);
}

/* ---- CMD's side ------------------------------------------------------------ */

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MG_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_move_mount, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_umount2, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { .len = (unsigned short)(sizeof(f) / sizeof(f[0])), .filter = f };
	/* Killable once received: a signal (serve's PDEATHSIG handler, say)
	 * must not turn a held call into EINTR or into a second notification
	 * (a second count), where the real call would just complete. */
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (fd < 0 && errno == EACCES) {
		/* Without CAP_SYS_ADMIN a filter needs no_new_privs; root's runs
		 * (all the tests') keep the flag as the caller left it. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			die("PR_SET_NO_NEW_PRIVS");
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (fd < 0)
		die("seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)");
	return (int)fd;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mg-faultinject CMD [ARGS...]\n"
				"  MG_FAULT_AT=K  MG_FAULT_ERRNO=E  MG_FAULT_UMOUNT=1  MG_FAULT_SLEEP_MS=N\n");
		return 125;
	}
	struct settings s = {
		.fail_at = env_long("MG_FAULT_AT", -1),
		.fail_errno = (int)env_long("MG_FAULT_ERRNO", EIO),
		.fail_umount = getenv("MG_FAULT_UMOUNT") != NULL,
		.sleep_ms = env_long("MG_FAULT_SLEEP_MS", 0),
		.target = getpid(),
	};
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	/* The supervisor: a grandchild, forked before the filter exists. */
	pid_t c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		close(sv[0]);
		pid_t g = fork();
		if (g < 0)
			die("fork");
		if (g == 0)
			supervisor_main(sv[1], &s);
		_exit(0);
	}
	close(sv[1]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;

	int listener = install_filter();
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof(cbuf));
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	if (sendmsg(sv[0], &msg, MSG_NOSIGNAL) != 1)
		die("sending the listener to the supervisor");
	close(listener);
	/* Wait until the supervisor holds it: if it died, say so now. */
	ssize_t n;
	do
		n = read(sv[0], &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		fprintf(stderr, "mg-faultinject: the supervisor did not start\n");
		_exit(125);
	}
	close(sv[0]);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mg-faultinject: exec %s: %s\n", argv[1], strerror(errno));
	_exit(127);
}

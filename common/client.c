/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmountguard (mountguard.h): a request built on a handle, checked with
 * the helper's own plan rules, sent to `mount-guard serve` over a
 * socketpair by the protocol code in wire.c/wire_io.c, answered, and the
 * helper reaped. docs/libmountguard.md describes the run sequence. */
#include "mountguard.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "mg_error.h"
#include "mntopts.h"
#include "plan.h"
#include "wire.h"
#include "wire_io.h"

#ifndef MG_HELPER_PATH
#define MG_HELPER_PATH "/usr/local/sbin/mount-guard"
#endif

/* One fd slot of a request is the rootfs's. */
#define MAX_SOURCE_FDS (MG_WIRE_MAX_FDS - 1)
#define ERROR_MAX 4096
/* The child's stack for clone(): it only calls a few system call wrappers. */
#define CHILD_STACK (64 * 1024)

struct mountguard {
	/* entries[i].source_fd is our duplicate (the plan does not own it) */
	struct mg_plan plan;
	size_t nsource_fds;
	char *root_path;
	int root_fd;
	unsigned timeout_ms;
	bool poisoned;
	char first_error[ERROR_MAX - 64]; /* of the call that poisoned the handle */
	void (*before_send)(pid_t, void *);
	void *before_arg;
	void (*after_send)(pid_t, void *);
	void *after_arg;
	struct mg_wire_results results; /* valid only when have_results */
	bool have_results;
	int exit_code;
	char error[ERROR_MAX];
};

/* ---- errors ----------------------------------------------------------------- */

static int set_error_v(struct mountguard *mg, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int set_error_v(struct mountguard *mg, int err, const char *fmt, va_list ap)
{
	vsnprintf(mg->error, sizeof(mg->error), fmt, ap);
	return err > 0 ? -err : -EINVAL;
}

static int set_error(struct mountguard *mg, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set_error(struct mountguard *mg, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_error_v(mg, err, fmt, ap);
	va_end(ap);
	return r;
}

/* A building call failed: the request as built is not what the caller
 * asked for, so it must never run. */
static int poison(struct mountguard *mg, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int poison(struct mountguard *mg, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = set_error_v(mg, err, fmt, ap);
	va_end(ap);
	if (!mg->poisoned) {
		size_t n = strnlen(mg->error, sizeof(mg->first_error) - 1);
		memcpy(mg->first_error, mg->error, n);
		mg->first_error[n] = '\0';
	}
	mg->poisoned = true;
	return r;
}

static int poison_nomem(struct mountguard *mg)
{
	return poison(mg, ENOMEM, "out of memory");
}

/* ---- the handle ------------------------------------------------------------ */

MOUNTGUARD_EXPORT struct mountguard *mountguard_new(void)
{
	struct mountguard *mg = calloc(1, sizeof(*mg));
	if (!mg)
		return NULL;
	mg_plan_init(&mg->plan);
	mg->root_fd = -1;
	mg->exit_code = -1;
	return mg;
}

static void results_clear(struct mountguard *mg)
{
	mg_wire_results_free(&mg->results);
	mg->have_results = false;
}

MOUNTGUARD_EXPORT void mountguard_free(struct mountguard *mg)
{
	if (!mg)
		return;
	for (size_t i = 0; i < mg->plan.n; i++)
		mg_closep(&mg->plan.entries[i].source_fd);
	mg_plan_free(&mg->plan);
	mg_closep(&mg->root_fd);
	free(mg->root_path);
	results_clear(mg);
	free(mg);
}

/* A duplicate of the caller's fd, close-on-exec, never on 0-2 (a caller
 * with standard fds closed would otherwise get its fds reused under it). */
static int dup_fd(int fd)
{
	if (fd < 0)
		return -EBADF;
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return d < 0 ? -errno : d;
}

/* ---- checks ------------------------------------------------------------------ */

/* 1-43 bytes of [A-Za-z0-9._-]: the protocol's and mount-guard.conf(5)'s rule. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int check_path(struct mountguard *mg, const char *what, const char *path)
{
	const char *why;
	if (!path)
		return poison(mg, EINVAL, "%s: a path is required", what);
	int r = mg_path_check(path, strlen(path), &why);
	return r < 0 ? poison(mg, -r, "%s: the path %s", what, why) : 0;
}

/* ---- the rootfs and options --------------------------------------------------- */

MOUNTGUARD_EXPORT int mountguard_set_root_fd(struct mountguard *mg, int dirfd)
{
	struct stat st;
	if (!mg)
		return -EINVAL;
	int fd = dup_fd(dirfd);
	if (fd < 0)
		return poison(mg, -fd, "mountguard_set_root_fd: fd %d", dirfd);
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		close(fd);
		return poison(mg, e, "mountguard_set_root_fd: fd %d is not a directory", dirfd);
	}
	mg_closep(&mg->root_fd);
	mg->root_fd = fd;
	free(mg->root_path);
	mg->root_path = NULL;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_set_root_path(struct mountguard *mg, const char *path)
{
	if (!mg)
		return -EINVAL;
	int r = check_path(mg, "mountguard_set_root_path", path);
	if (r < 0)
		return r;
	char *p = strdup(path);
	if (!p)
		return poison_nomem(mg);
	free(mg->root_path);
	mg->root_path = p;
	mg_closep(&mg->root_fd);
	mg->root_fd = -1;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_set_symlinks_refuse(struct mountguard *mg, int refuse)
{
	if (!mg)
		return -EINVAL;
	mg->plan.symlinks = refuse ? MG_SYMLINKS_REFUSE : MG_SYMLINKS_IN_ROOT;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_set_preset(struct mountguard *mg, const char *name)
{
	char *p = NULL;
	if (!mg)
		return -EINVAL;
	if (name && !valid_name(name))
		return poison(mg, EINVAL,
			      "mountguard_set_preset: a preset name is 1-%d bytes of [A-Za-z0-9._-]",
			      MG_NAME_MAX);
	if (name && !(p = strdup(name)))
		return poison_nomem(mg);
	free(mg->plan.preset);
	mg->plan.preset = p;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_set_executable(struct mountguard *mg, const char *path)
{
	char *p = NULL;
	if (!mg)
		return -EINVAL;
	if (path) {
		int r = check_path(mg, "mountguard_set_executable", path);
		if (r < 0)
			return r;
		if (!(p = strdup(path)))
			return poison_nomem(mg);
	}
	free(mg->plan.executable);
	mg->plan.executable = p;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_set_timeout(struct mountguard *mg, unsigned timeout_ms)
{
	if (!mg)
		return -EINVAL;
	mg->timeout_ms = timeout_ms;
	return 0;
}

MOUNTGUARD_EXPORT void mountguard_set_test_hook(struct mountguard *mg,
						void (*before_send)(pid_t helper_pid, void *arg),
						void *arg)
{
	if (!mg)
		return;
	mg->before_send = before_send;
	mg->before_arg = arg;
}

MOUNTGUARD_EXPORT void mountguard_set_test_hook_after_send(struct mountguard *mg,
							   void (*after_send)(pid_t helper_pid,
									      void *arg),
							   void *arg)
{
	if (!mg)
		return;
	mg->after_send = after_send;
	mg->after_arg = arg;
}

/* ---- entries -------------------------------------------------------------------- */

static void entry_clear(struct mg_entry *e)
{
	free(e->name);
	free(e->source);
	free(e->target);
	free(e->options_text);
	mg_mntopts_clear(&e->opts);
	mg_closep(&e->source_fd);
}

/* Appends a checked entry; on failure frees it. */
static int append(struct mountguard *mg, struct mg_entry *tmp, const char *what)
{
	struct mg_entry *e;
	if (mg->plan.n >= MG_WIRE_MAX_ENTRIES) {
		entry_clear(tmp);
		return poison(mg, E2BIG, "%s: a request holds at most %d entries", what,
			      MG_WIRE_MAX_ENTRIES);
	}
	if (!(e = mg_plan_add(&mg->plan))) {
		entry_clear(tmp);
		return poison_nomem(mg);
	}
	*e = *tmp;
	if (e->source_fd >= 0)
		mg->nsource_fds++;
	return 0;
}

static int parse_create(const char *s, enum mg_create *out)
{
	if (!s || strcmp(s, "no") == 0)
		*out = MG_CREATE_NO;
	else if (strcmp(s, "dir") == 0)
		*out = MG_CREATE_DIR;
	else if (strcmp(s, "file") == 0)
		*out = MG_CREATE_FILE;
	else
		return -EINVAL;
	return 0;
}

MOUNTGUARD_EXPORT int mountguard_add_mount(struct mountguard *mg, const char *name,
					   const char *type, const char *source_path,
					   int source_fd, const char *target, const char *options,
					   const char *create, unsigned mode)
{
	struct mg_entry e = { .kind = MG_KIND_MOUNT, .source_fd = -1, .opts = { .atime = -1 } };
	struct mg_error err = { 0 };
	char what[96], why[256];
	int r;

	if (!mg)
		return -EINVAL;
	if (!name || !valid_name(name))
		return poison(mg, EINVAL,
			      "mountguard_add_mount: a mount name is 1-%d bytes of [A-Za-z0-9._-]",
			      MG_NAME_MAX);
	snprintf(what, sizeof(what), "mount '%s'", name);
	if (!type || mg_fstype_from_name(type, &e.type) < 0)
		return poison(mg, EINVAL,
			      "%s: unknown type '%s' (known: bind, rbind, proc, sysfs, tmpfs, devpts, "
			      "mqueue, cgroup2, dev)",
			      what, type ? type : "(null)");
	if ((r = check_path(mg, what, target)) < 0)
		return r;
	if (source_path && (r = check_path(mg, what, source_path)) < 0)
		return r;
	if (source_fd < -1)
		return poison(mg, EBADF, "%s: source fd %d", what, source_fd);
	if (parse_create(create, &e.create) < 0)
		return poison(mg, EINVAL, "%s: create is NULL, \"dir\" or \"file\", not '%s'", what,
			      create);
	if (mode > 07777)
		return poison(mg, EINVAL, "%s: mode %#o is above 07777", what, mode);
	if (mode && e.create == MG_CREATE_NO)
		return poison(mg, EINVAL, "%s: a mode only applies to a created target", what);
	e.mode = mode ? (mode_t)mode : e.create == MG_CREATE_FILE ? 0644 : 0755;
	if (options && strlen(options) > MG_WIRE_MAX_OPTIONS)
		return poison(mg, EINVAL, "%s: options longer than %d bytes", what,
			      MG_WIRE_MAX_OPTIONS);
	for (size_t i = 0; i < mg->plan.n; i++)
		if (mg->plan.entries[i].kind == MG_KIND_MOUNT &&
		    strcmp(mg->plan.entries[i].name, name) == 0)
			return poison(mg, EINVAL, "%s: a mount of that name was added already", what);
	if (source_fd >= 0 && mg->nsource_fds >= MAX_SOURCE_FDS)
		return poison(mg, E2BIG, "%s: a request carries at most %d source fds", what,
			      MAX_SOURCE_FDS);

	if (source_fd >= 0 && (e.source_fd = dup_fd(source_fd)) < 0)
		return poison(mg, -e.source_fd, "%s: source fd %d", what, source_fd);
	e.name = strdup(name);
	e.target = strdup(target);
	e.source = source_path ? strdup(source_path) : NULL;
	e.options_text = options && *options ? strdup(options) : NULL;
	if (!e.name || !e.target || (source_path && !e.source) ||
	    (options && *options && !e.options_text)) {
		entry_clear(&e);
		return poison_nomem(mg);
	}
	/* The helper's own rules, by the helper's own code: what passes here
	 * is what `mount-guard serve` and mount-guard.conf(5) accept. */
	if (e.options_text &&
	    (r = mg_mntopts_parse(e.type, e.options_text, &e.opts, why, sizeof(why))) < 0) {
		entry_clear(&e);
		return poison(mg, -r, "%s: options: %s", what, why);
	}
	if (mg_entry_validate(&mg->plan, &e, &err) < 0) {
		entry_clear(&e);
		return poison(mg, EINVAL, "%s: %s", what, err.msg);
	}
	return append(mg, &e, what);
}

static int add_path(struct mountguard *mg, enum mg_kind kind, const char *path, const char *what)
{
	struct mg_entry e = { .kind = kind, .source_fd = -1, .opts = { .atime = -1 } };
	int r;
	if (!mg)
		return -EINVAL;
	if ((r = check_path(mg, what, path)) < 0)
		return r;
	/* The names the INI front-end gives these sections, as the helper does. */
	e.name = strdup(kind == MG_KIND_MASK ? "masked" : kind == MG_KIND_READONLY ? "readonly"
										    : "writable");
	e.target = strdup(path);
	if (!e.name || !e.target) {
		entry_clear(&e);
		return poison_nomem(mg);
	}
	return append(mg, &e, what);
}

MOUNTGUARD_EXPORT int mountguard_add_mask(struct mountguard *mg, const char *path)
{
	return add_path(mg, MG_KIND_MASK, path, "mountguard_add_mask");
}

MOUNTGUARD_EXPORT int mountguard_add_readonly(struct mountguard *mg, const char *path)
{
	return add_path(mg, MG_KIND_READONLY, path, "mountguard_add_readonly");
}

MOUNTGUARD_EXPORT int mountguard_add_writable(struct mountguard *mg, const char *path)
{
	return add_path(mg, MG_KIND_WRITABLE, path, "mountguard_add_writable");
}

/* ---- starting the helper ----------------------------------------------------- */

MOUNTGUARD_EXPORT const char *mountguard_default_helper(void)
{
	return MG_HELPER_PATH;
}

/* The process tree of a run:
 *
 *   caller --clone(exit signal 0)--> monitor --clone(SIGCHLD)+exec--> helper
 *
 * The monitor is a copy of the caller that never execs: it makes the
 * socketpair (so the helper's SO_PEERCRED check finds its parent), starts
 * the helper, hands the caller its end of the socket, waits for the helper
 * and reports the wait status. Its own dispositions are the defaults
 * whatever the caller's, so the helper's exit status can always be had:
 * neither SIGCHLD set to SIG_IGN nor a caller's reaper (waitpid(-1, ...) in
 * a SIGCHLD handler) can take it away. A child that execs gets SIGCHLD as
 * its exit signal again (the kernel resets it in exec), which is why the
 * helper cannot be the caller's child directly. The monitor itself keeps
 * exit signal 0: no SIGCHLD for the caller, no auto-reaping, and invisible
 * to waitpid() without __WALL; mountguard_run() reaps it. It dies with the
 * caller (PR_SET_PDEATHSIG), and the helper's own PR_SET_PDEATHSIG then
 * rolls the request back.
 *
 * The monitor is made with the raw clone system call, all arguments 0 but
 * the exit signal (also 0): like fork(), it goes on on a copy of the
 * caller's stack, and with every argument 0 the architectures that order
 * clone's arguments differently agree. glibc's fork() is no use here: it
 * sends SIGCHLD, and runs atfork handlers and takes locks that another
 * thread of the caller may hold. The monitor starts the helper with glibc's
 * clone() on a stack of its own.
 *
 * The monitor and the helper's side run in a copy of a process that may
 * have had other threads: system call wrappers only, no allocation, no
 * stdio. The helper's side is not instrumented: it runs on a stack the
 * sanitizers do not know about. */
#define NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))

enum step {
	STEP_SETUP = 1, /* the monitor: socketpair, pipe */
	STEP_CLONE,	/* the monitor: starting the helper */
	STEP_SOCKET,	/* the helper's side: fd 3 */
	STEP_DEVNULL,	/* the helper's side: fds 0-2 */
	STEP_EXEC,
};

/* monitor -> caller, one packet each on the control socketpair */
enum ctl_type {
	CTL_STARTED = 1, /* the helper runs (exec done); its socket attached */
	CTL_FAILED,	 /* it could not be started: step, err */
	CTL_EXITED,	 /* it ended: status (a wait status), or err */
};

struct ctl_msg {
	int type;
	int step;
	int err;
	int pid;
	int status;
};

struct monitor_args {
	const char *path;
	pid_t caller;
	int ctl;	    /* >= 4 */
	char *helper_stack; /* CHILD_STACK bytes, in the monitor's copy of memory */
};

struct helper_args {
	const char *path;
	int sock;  /* >= 4 */
	int errfd; /* >= 4, close-on-exec: EOF on the other end means exec'd */
};

/* What the helper's side writes to errfd when it cannot exec. */
struct child_report {
	int step;
	int err;
};

/* Moves a new fd of ours to >= 4, close-on-exec (socketpair and pipe2 give
 * the lowest free numbers, which are 0-3 when the caller closed some, and
 * 3 is where the helper's socket goes). */
static int move_up(int *fd)
{
	if (*fd >= 4)
		return 0;
	int n = fcntl(*fd, F_DUPFD_CLOEXEC, 4);
	int e = errno;
	close(*fd);
	*fd = n;
	errno = e;
	return n < 0 ? -e : 0;
}

/* Clears FD_CLOEXEC: the fd is meant for the helper. */
NO_SANITIZE static int keep_fd(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

NO_SANITIZE static int helper_main(void *p)
{
	const struct helper_args *a = p;
	struct child_report rep = { 0 };
	char *const argv[] = { (char *)"mount-guard", (char *)"serve", (char *)"--fd", (char *)"3",
			       NULL };
	char *const envp[] = { NULL };
	sigset_t none;

	/* All our fds are >= 4, so nothing below clobbers another. */
	rep.step = STEP_SOCKET;
	if (dup2(a->sock, 3) < 0) /* dup2 leaves fd 3 without FD_CLOEXEC */
		goto fail;
	/* stdin and stdout on /dev/null: the helper reads and prints nothing
	 * there, and must not hold the caller's terminal or pipes. stderr is
	 * the caller's, for diagnostics, unless closed or close-on-exec. */
	rep.step = STEP_DEVNULL;
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0)
		goto fail;
	for (int t = 0; t <= 2; t++) {
		if (t == 2) {
			int fl = fcntl(2, F_GETFD);
			if (nul != 2 && fl >= 0 && !(fl & FD_CLOEXEC))
				break;
		}
		if (nul == t ? keep_fd(t) < 0 : dup2(nul, t) < 0)
			goto fail;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	rep.step = STEP_EXEC;
	execve(a->path, argv, envp);
fail:
	rep.err = errno;
	while (write(a->errfd, &rep, sizeof(rep)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Closes every fd above 2 but `keep`. */
static void close_all_but(int keep)
{
	if (close_range(3, (unsigned)keep - 1, 0) == 0 && close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	/* Without close_range (Linux < 5.9, or a seccomp filter): one by one,
	 * as far as the fd limit goes (capped: it may be huge). */
	struct rlimit rl;
	unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur
										     : 65536;
	for (unsigned fd = 3; fd < max; fd++)
		if ((int)fd != keep)
			close((int)fd);
}

static void ctl_send(int ctl, const struct ctl_msg *m, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(ctl, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* The monitor: every signal blocked (inherited) and left so; SIGKILL from
 * PR_SET_PDEATHSIG cannot be. Returns its exit code. (Neither noreturn nor
 * inlined: a path that never returns need not keep the caller's
 * callee-saved registers, and valgrind, checking the monitor for leaks at
 * its exit, would miss the pointers the caller kept there.) */
__attribute__((noinline)) static int monitor_main(const struct monitor_args *a)
{
	struct ctl_msg m = { .type = CTL_FAILED, .step = STEP_SETUP };
	struct sigaction dfl;
	int sv[2] = { -1, -1 }, ep[2] = { -1, -1 };
	struct child_report rep;
	ssize_t n;
	pid_t pid;

	/* Defaults for all: SIGCHLD so that the helper is not auto-reaped,
	 * the rest because an ignored signal stays ignored across exec. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* glibc's own signals: EINVAL, fine */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != a->caller)
		return 1; /* the caller is gone already */
	/* Our copies of the caller's other fds would keep its pipes and
	 * sockets open (no EOF for their peers) until we exit, and reach the
	 * helper. 0-2 stay: stderr is the helper's. */
	close_all_but(a->ctl);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0 || move_up(&sv[0]) < 0 || move_up(&sv[1]) < 0 ||
	    move_up(&ep[0]) < 0 || move_up(&ep[1]) < 0)
		goto fail;
	struct helper_args h = { .path = a->path, .sock = sv[1], .errfd = ep[1] };
	m.step = STEP_CLONE;
	pid = clone(helper_main, a->helper_stack + CHILD_STACK, SIGCHLD, &h);
	if (pid < 0)
		goto fail;
	close(sv[1]);
	close(ep[1]);
	do
		n = read(ep[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == 0) {
		/* exec'd: the caller gets its end of the socket, we the wait */
		m.type = CTL_STARTED;
		m.pid = pid;
		ctl_send(a->ctl, &m, sv[0]);
	} else {
		m.step = n == (ssize_t)sizeof(rep) ? rep.step : STEP_EXEC;
		m.err = n == (ssize_t)sizeof(rep) ? rep.err : EIO;
		ctl_send(a->ctl, &m, -1);
	}
	close(sv[0]);
	m.type = CTL_EXITED;
	m.err = 0;
	while (waitpid(pid, &m.status, 0) < 0) {
		if (errno != EINTR) {
			m.err = errno;
			break;
		}
	}
	if (n == 0)
		ctl_send(a->ctl, &m, -1);
	return 0;
fail:
	m.err = errno;
	ctl_send(a->ctl, &m, -1);
	return 0;
}

/* Caller side: one message from the monitor, with at most one fd (moved
 * above 3). Returns 0, or -EPROTO when the monitor is gone. */
static int ctl_recv(int ctl, struct ctl_msg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	*fd = -1;
	do
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(*m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		mg_closep(fd);
		*fd = -1;
		return -EPROTO;
	}
	if (*fd >= 0 && move_up(fd) < 0)
		return -errno;
	return 0;
}

static int wait_monitor(pid_t pid)
{
	/* __WALL: its exit signal is 0, which makes it a "clone" child. */
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, __WALL);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
	}
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (SIG%s)", WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, size, "ended with wait status %#x", (unsigned)status);
}

struct running {
	pid_t monitor;
	int ctl;
	pid_t helper;
	int sock;
};

static const char *step_name(int step)
{
	switch (step) {
	case STEP_SETUP:
		return "socketpair";
	case STEP_CLONE:
		return "clone";
	case STEP_SOCKET:
		return "dup2";
	case STEP_DEVNULL:
		return "open /dev/null";
	default:
		return "?";
	}
}

/* Starts the monitor and through it the helper. Returns 0 with *run set,
 * or a negative errno with the message set and nothing left behind. */
static int spawn_helper(struct mountguard *mg, const char *path, struct running *run)
{
	int ctl[2] = { -1, -1 }, sock = -1, r;
	struct ctl_msg m = { 0 };
	sigset_t all, old;
	pid_t mon;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
		return set_error(mg, errno, "cannot create a socketpair: %s", strerror(errno));
	if ((r = move_up(&ctl[0])) < 0 || (r = move_up(&ctl[1])) < 0) {
		mg_closep(&ctl[0]);
		mg_closep(&ctl[1]);
		return set_error(mg, -r, "cannot move an fd: %s", strerror(-r));
	}
	/* The helper's side's stack, used in the monitor's copy of memory. */
	char *stack = malloc(CHILD_STACK);
	if (!stack) {
		close(ctl[0]);
		close(ctl[1]);
		return set_error(mg, ENOMEM, "out of memory");
	}
	struct monitor_args args = {
		.path = path, .caller = getpid(), .ctl = ctl[1], .helper_stack = stack
	};
	/* No handler of the caller may run in the children. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	mon = (pid_t)syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL); /* exit signal 0 */
	if (mon == 0)
		_exit(monitor_main(&args));
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(stack);
	close(ctl[1]);
	if (mon < 0) {
		close(ctl[0]);
		return set_error(mg, e, "cannot start the helper: clone: %s", strerror(e));
	}

	r = ctl_recv(ctl[0], &m, &sock);
	if (r == 0 && m.type == CTL_STARTED && sock >= 0) {
		*run = (struct running){ .monitor = mon, .ctl = ctl[0], .helper = m.pid, .sock = sock };
		return 0;
	}
	mg_closep(&sock);
	close(ctl[0]);
	wait_monitor(mon);
	if (r < 0 || m.type != CTL_FAILED)
		return set_error(mg, r < 0 ? -r : EPROTO, "cannot start the helper: the monitor "
						       "process ended unexpectedly");
	e = m.err > 0 ? m.err : EIO;
	if (m.step == STEP_EXEC)
		return set_error(mg, e, "cannot execute the helper %s: %s", path, strerror(e));
	return set_error(mg, e, "cannot start the helper: %s: %s", step_name(m.step), strerror(e));
}

/* After the exchange: the helper's wait status from the monitor, then the
 * monitor reaped. Returns 0 with *status, or a negative errno. */
static int finish_helper(struct running *run, int *status)
{
	struct ctl_msg m = { 0 };
	int fd, r;
	mg_closep(&run->sock);
	run->sock = -1;
	r = ctl_recv(run->ctl, &m, &fd);
	mg_closep(&fd);
	close(run->ctl);
	run->ctl = -1;
	int w = wait_monitor(run->monitor);
	if (r == 0 && m.type != CTL_EXITED)
		r = -EPROTO;
	if (r == 0 && m.err)
		r = -m.err;
	if (r == 0)
		*status = m.status;
	return r < 0 ? r : w;
}

/* ---- running ---------------------------------------------------------------------- */

static int count_emit(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	(void)ctx, (void)pkt, (void)len, (void)fds, (void)nfds;
	return 0;
}

static void format_error(const struct mg_error *err, char *buf, size_t size)
{
	if (!err->set)
		snprintf(buf, size, "unknown error");
	else if (err->err == EPROTO) /* the message names the reason already */
		snprintf(buf, size, "%s", err->msg);
	else
		mg_error_format(err, buf, size);
}

MOUNTGUARD_EXPORT int mountguard_run(struct mountguard *mg, const char *helper_path)
{
	struct mg_error err = { 0 };
	char msg[2048], how[96];
	_cleanup_free_ struct mg_wire_fds *fds = NULL;
	const char *helper = helper_path ? helper_path : MG_HELPER_PATH;
	struct running run = { .monitor = -1, .ctl = -1, .helper = -1, .sock = -1 };
	int status = 0, r;

	if (!mg)
		return -EINVAL;
	results_clear(mg);
	mg->exit_code = -1;
	mg->error[0] = '\0';
	if (mg->poisoned)
		return set_error(mg, EINVAL, "an earlier call failed: %s", mg->first_error);
	if (helper[0] != '/')
		return set_error(mg, EINVAL, "the helper path must be absolute, not '%s'", helper);
	if (!mg->root_path && mg->root_fd < 0)
		return set_error(mg, EINVAL,
				 "no rootfs: set one with mountguard_set_root_fd() or "
				 "mountguard_set_root_path()");
	if (mg->plan.n == 0 && !mg->plan.preset && !mg->plan.executable)
		return set_error(mg, EINVAL, "no entries and no preset");

	/* The fds in transmission order: the rootfs, then the sources. */
	if (!(fds = malloc(sizeof(*fds))))
		return set_error(mg, ENOMEM, "out of memory");
	mg_wire_fds_init(fds);
	if (mg->root_fd >= 0) {
		fds->fd[fds->n] = mg->root_fd;
		fds->role[fds->n++] = MG_WIRE_FD_ROOTFS;
	}
	for (size_t i = 0; i < mg->plan.n; i++)
		if (mg->plan.entries[i].source_fd >= 0) {
			fds->fd[fds->n] = mg->plan.entries[i].source_fd;
			fds->role[fds->n] = MG_WIRE_FD_SOURCE;
			fds->entry[fds->n++] = (uint32_t)i;
		}
	/* Encoded once before the helper is even started: what it would take
	 * for a protocol error is refused here. */
	r = mg_wire_emit_request(mg->root_path, &mg->plan, fds, count_emit, NULL, &err);
	if (r < 0) {
		format_error(&err, msg, sizeof(msg));
		return set_error(mg, -r, "the request cannot be sent: %s", msg);
	}

	r = spawn_helper(mg, helper, &run);
	if (r < 0)
		return r;
	if (mg->timeout_ms) {
		struct timeval tv = { .tv_sec = mg->timeout_ms / 1000,
				      .tv_usec = (mg->timeout_ms % 1000) * 1000 };
		if (setsockopt(run.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
		    setsockopt(run.sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
			r = mg_fail(&err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno,
				    "cannot set the timeout");
	}
	if (r == 0 && mg->before_send)
		mg->before_send(run.helper, mg->before_arg);
	if (r == 0)
		r = mg_wire_send_request(run.sock, mg->root_path, &mg->plan, fds, NULL, &err);
	if (r == 0 && mg->after_send)
		mg->after_send(run.helper, mg->after_arg);
	if (r == 0)
		r = mg_wire_recv_results(run.sock, mg->plan.n, &mg->results, &err);
	/* The socket is closed first: a helper still reading or writing sees
	 * the end of the exchange, rolls back and exits. */
	int w = finish_helper(&run, &status);
	if (w == 0)
		describe_status(status, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "could not be waited for (%s)", strerror(-w));

	if (r < 0) {
		format_error(&err, msg, sizeof(msg));
		mg_wire_results_free(&mg->results);
		/* A helper gone mid-way is a broken exchange, however the
		 * socket happened to report it. */
		if (r == -EPIPE || r == -ECONNRESET)
			r = -EPROTO;
		return set_error(mg, -r, "%s; the helper %s", msg, how);
	}
	const struct mg_wire_done *done = &mg->results.done;
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != done->exit_code) {
		int code = done->exit_code;
		mg_wire_results_free(&mg->results);
		return set_error(mg, w < 0 ? -w : EPROTO,
				 "the helper answered with exit code %d, then %s", code, how);
	}
	/* wire.c lets exit 0 through only verified, with every entry answered
	 * mounted, skipped or duplicate; checked again, cheaply. */
	if (done->exit_code == 0 && (!done->verified || done->rollback_incomplete)) {
		mg_wire_results_free(&mg->results);
		return set_error(mg, EPROTO, "the helper claimed success without verifying it");
	}
	mg->have_results = true;
	mg->exit_code = done->exit_code;
	if (done->exit_code != 0)
		snprintf(mg->error, sizeof(mg->error), "%s",
			 done->error ? done->error : "the helper gave no reason");
	return done->exit_code;
}

MOUNTGUARD_EXPORT const char *mountguard_error(const struct mountguard *mg)
{
	return mg ? mg->error : "no handle";
}

MOUNTGUARD_EXPORT int mountguard_exit_code(const struct mountguard *mg)
{
	return mg ? mg->exit_code : -1;
}

/* ---- results ------------------------------------------------------------------------ */

static const struct mg_wire_result *result(const struct mountguard *mg, size_t i)
{
	return mg && mg->have_results && i < mg->results.n ? &mg->results.res[i] : NULL;
}

MOUNTGUARD_EXPORT size_t mountguard_result_count(const struct mountguard *mg)
{
	return mg && mg->have_results ? mg->results.n : 0;
}

MOUNTGUARD_EXPORT const char *mountguard_result_name(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->name : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_kind(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? mg_kind_name(r->kind) : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_type(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r && r->kind == MG_KIND_MOUNT ? mg_fstype_name(r->type) : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_status(const struct mountguard *mg, size_t i)
{
	/* The numbers are the protocol's (enum mg_wire_status), the names those
	 * of mount-guard(8) (mg_status_name() in helper/engine.c). */
	static const char *const names[MG_WIRE_ST__MAX] = {
		[MG_WIRE_ST_NOT_REACHED] = "not-reached", [MG_WIRE_ST_PLANNED] = "planned",
		[MG_WIRE_ST_DEFERRED] = "deferred",	  [MG_WIRE_ST_MOUNTED] = "mounted",
		[MG_WIRE_ST_ROLLED_BACK] = "rolled-back", [MG_WIRE_ST_FAILED] = "failed",
		[MG_WIRE_ST_REFUSED] = "refused",	  [MG_WIRE_ST_SKIPPED] = "skipped",
		[MG_WIRE_ST_DUPLICATE] = "duplicate",
	};
	const struct mg_wire_result *r = result(mg, i);
	return r && (unsigned)r->status < MG_WIRE_ST__MAX ? names[r->status] : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_target(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->target : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_resolved(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->resolved : NULL;
}

MOUNTGUARD_EXPORT const char *mountguard_result_error(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->error : NULL;
}

MOUNTGUARD_EXPORT uint64_t mountguard_result_mount_id(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->mnt_id : 0;
}

MOUNTGUARD_EXPORT unsigned mountguard_result_created(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r ? r->created : 0;
}

MOUNTGUARD_EXPORT long mountguard_result_request_index(const struct mountguard *mg, size_t i)
{
	const struct mg_wire_result *r = result(mg, i);
	return r && r->request_index != MG_WIRE_NO_INDEX ? (long)r->request_index : -1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "confine.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>

#include "cleanup.h"

/* Every system call mount-guard makes after the request is read, found by
 * running the integration suite under strace on both backends, plus what
 * libc does on its own (stdio, abort, memory). Grouped by why. */
static const char *const allowed[] = {
	/* files and paths, all fd-relative */
	"openat", "openat2", "open", "close", "close_range", "read", "pread64", "write", "writev",
	"lseek", "fcntl", "newfstatat", "fstat", "stat", "lstat", "statx", "fstatfs", "statfs",
	"readlinkat", "readlink", "mkdirat", "unlinkat", "symlinkat", "fchmod", "getdents64",
	"access", "faccessat", "faccessat2", "name_to_handle_at", "ioctl", "getcwd", "fchdir",
	"chdir", "umask",
	/* mounts */
	"mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount",
	"mount_setattr",
	/* capabilities and process state */
	"capget", "capset", "prctl", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid",
	"getegid", "getgroups",
	/* the serve socket */
	"recvmsg", "sendmsg", "getsockopt", "poll", "ppoll",
	/* memory, time, signals, exit */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "futex", "getrandom",
	"clock_gettime", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "tgkill", "exit",
	"exit_group", "restart_syscall",
#ifdef MG_SANITIZE
	/* ASan/LSan: the leak check at exit stops the world with a ptracing
	 * clone; sanitizer builds are test builds. */
	"clone", "clone3", "ptrace", "wait4", "waitid", "sched_yield", "sigaltstack", "prlimit64",
	"getrlimit", "sched_getaffinity", "nanosleep", "clock_nanosleep", "kill", "pipe2", "dup",
	"dup2", "dup3", "set_robust_list", "uname", "sysinfo", "getdents", "gettimeofday",
#endif
};

int mg_confine_syscalls(struct mg_error *err)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r = f ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(allowed); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call on this architecture */
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
	}
	if (r == 0)
		r = seccomp_load(f);
	seccomp_release(f);
	return r < 0 ? mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "seccomp self-confinement")
		     : 0;
}

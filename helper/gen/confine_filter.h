/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp allow-list and the libseccomp filter it makes. Used at build
 * time only: confine_gen.c exports the filter as a BPF program that
 * confine.c installs as it is (libseccomp compiling it at every start cost
 * 0.8M instructions, a sixth of an oci-default run), and the unit test
 * builds it again at run time and compares, so the two cannot drift. Every
 * build configuration generates its own: MG_SANITIZE adds the sanitizers'
 * calls. */
#ifndef MG_CONFINE_FILTER_H
#define MG_CONFINE_FILTER_H

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>

/* Every system call mount-guard makes after the request is read, found by
 * running the integration suite under strace on both backends, plus what
 * libc does on its own (stdio, abort, memory). Grouped by why. */
static const char *const mg_confine_allowed[] = {
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

/* The filter of the allow-list for the native architecture: everything
 * else fails with EPERM (not a kill: the run then fails closed, rolls back
 * and reports, instead of dying with mounts half made); libseccomp's
 * defaults for the rest (another architecture kills). Names this
 * libseccomp does not know on this architecture are left out. NULL with
 * *err set on failure. */
static inline scmp_filter_ctx mg_confine_filter_new(int *err)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r = f ? 0 : -ENOMEM;
	/* A binary tree of syscall numbers (libseccomp 2.5) rather than one
	 * comparison after another: installing a filter makes the kernel run
	 * it for every syscall number of every architecture to prepare its
	 * allow cache (seccomp_cache_prepare), so a linear list of ~80
	 * comparisons cost ~180 us a start here; the tree, a few dozen. */
	if (r == 0)
		r = seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; r == 0 && i < sizeof(mg_confine_allowed) / sizeof(*mg_confine_allowed);
	     i++) {
		int nr = seccomp_syscall_resolve_name(mg_confine_allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call on this architecture */
		r = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
	}
	if (r < 0) {
		seccomp_release(f);
		*err = r;
		return NULL;
	}
	return f;
}

#endif

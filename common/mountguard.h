/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmountguard: ask `mount-guard serve` to set up mounts inside a rootfs.
 *
 * The caller, privileged or not, builds a request on an opaque handle, then
 * mountguard_run() starts the helper on a private socketpair, sends the
 * request (docs/protocol.md), reads one result per entry and the final
 * status, and waits for the helper to exit. docs/libmountguard.md is the
 * guide; docs/examples/client.c a complete program.
 *
 *     struct mountguard *mg = mountguard_new();
 *     int root = open("/srv/ct/rootfs", O_PATH | O_DIRECTORY | O_CLOEXEC);
 *     int src = open("/srv/data", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
 *     mountguard_set_root_fd(mg, root);
 *     mountguard_add_mount(mg, "data", "bind", NULL, src, "/data", "ro,nosuid,nodev", "dir", 0);
 *     mountguard_add_mask(mg, "/etc/shadow");
 *     int rc = mountguard_run(mg, NULL);   // 0: applied and verified
 *     if (rc != 0) fprintf(stderr, "%s\n", mountguard_error(mg));
 *     mountguard_free(mg);
 *
 * Errors. Every call that can fail returns 0 or a negative errno, and
 * mountguard_error() says why. A failed set/add call poisons the handle:
 * mountguard_run() then refuses (-EINVAL, "an earlier call failed: ...")
 * rather than apply a request with a piece missing (a mask silently left
 * out would be a hole). Start over with a new handle.
 *
 * File descriptors. The library duplicates (F_DUPFD_CLOEXEC) every fd it is
 * given and never closes or changes the caller's own; mountguard_free()
 * closes its copies. Every fd it opens is close-on-exec; none outlives the
 * call that needs it (the socketpair and the helper live only inside
 * mountguard_run()).
 *
 * Threads. None: a handle belongs to one thread at a time. Different
 * handles may run in different threads.
 *
 * Processes. mountguard_run() starts a short-lived monitor, a copy of the
 * caller (clone() with exit signal 0, no exec) that starts the helper,
 * waits for it and reports its exit status. So the caller gets no SIGCHLD,
 * its own SIGCHLD handling (SIG_IGN, SA_NOCLDWAIT, a handler calling
 * waitpid(-1, ...)) can neither lose nor steal the helper's exit status,
 * and mountguard_run() reaps both before it returns: no zombie is left.
 * The monitor dies with the calling thread (PR_SET_PDEATHSIG), and the
 * helper then rolls back what it did.
 *
 * Signals. The library installs no handler and changes no disposition
 * (the calling thread blocks all signals for the instant of clone(), so
 * that no handler of the caller runs in the copy). Sends use MSG_NOSIGNAL:
 * a dying helper is an error, never a SIGPIPE. EINTR is retried
 * everywhere.
 *
 * Strings are NUL-terminated; paths are absolute and may hold any byte but
 * NUL. Strings returned by the library belong to the handle and stay valid
 * until the next mountguard_run() or mountguard_free() on it. */
#ifndef MOUNTGUARD_H
#define MOUNTGUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define MOUNTGUARD_EXPORT __attribute__((visibility("default")))
#else
#define MOUNTGUARD_EXPORT
#endif

struct mountguard;

/* ---- the handle ------------------------------------------------------------ */

/* A new, empty request. NULL (errno ENOMEM) when out of memory. */
MOUNTGUARD_EXPORT struct mountguard *mountguard_new(void);
/* Closes the handle's fds and frees it. NULL is a no-op. */
MOUNTGUARD_EXPORT void mountguard_free(struct mountguard *mg);

/* ---- the rootfs and options ------------------------------------------------ */

/* The rootfs, as a directory fd the caller opened (O_PATH or O_RDONLY, with
 * O_DIRECTORY). The library keeps a duplicate. An unprivileged caller must
 * use this: the helper refuses a rootfs path from anyone but root, since a
 * path is resolved with the helper's rights, an fd was opened with the
 * caller's. -EBADF, -ENOTDIR. Replaces an earlier root fd or path. */
MOUNTGUARD_EXPORT int mountguard_set_root_fd(struct mountguard *mg, int dirfd);
/* The rootfs as an absolute path (root callers; see above). The helper
 * refuses a path that goes through a symlink. Replaces an earlier root. */
MOUNTGUARD_EXPORT int mountguard_set_root_path(struct mountguard *mg, const char *path);
/* refuse != 0: any symlink met while resolving a target is an error.
 * 0 (the default): symlinks resolve as if the rootfs were "/". */
MOUNTGUARD_EXPORT int mountguard_set_symlinks_refuse(struct mountguard *mg, int refuse);
/* A preset shipped with the helper ("oci-default", "minimal-chroot"); its
 * entries run before the request's. NULL clears it. */
MOUNTGUARD_EXPORT int mountguard_set_preset(struct mountguard *mg, const char *name);
/* An executable bound read-only at its own path ([options] executable of
 * mount-guard.conf(5)). NULL clears it. */
MOUNTGUARD_EXPORT int mountguard_set_executable(struct mountguard *mg, const char *path);
/* Bounds each wait for the helper (one message, one send) to timeout_ms;
 * 0, the default, waits for ever. On expiry the run fails with -ETIMEDOUT:
 * the socket is closed, so the helper rolls back whatever it did, and the
 * library still waits for it to exit. */
MOUNTGUARD_EXPORT int mountguard_set_timeout(struct mountguard *mg, unsigned timeout_ms);

/* ---- entries, in the order they are added ------------------------------- */

/* A mount (a [mount NAME] section of mount-guard.conf(5)):
 *   name     1-43 bytes of [A-Za-z0-9._-], unique among the mounts;
 *   type     "bind" "rbind" "proc" "sysfs" "tmpfs" "devpts" "mqueue"
 *            "cgroup2" "dev";
 *   source_path, source_fd
 *            the source of a bind or rbind, exactly one of them: a host path
 *            (root callers only), or an fd the caller opened (duplicated
 *            here). An unprivileged caller must pass an fd opened for
 *            reading (O_RDONLY, for a directory with O_DIRECTORY), never
 *            O_PATH: the helper checks that the caller could read it. For
 *            other types: NULL and -1;
 *   target   absolute path inside the rootfs;
 *   options  NULL, or mount(8) spelling: "ro,nosuid,nodev,mode=1777";
 *   create   NULL (the target must exist), "dir" or "file" (bind only);
 *   mode     of a created target, 0 for the default (0755 for a
 *            directory, 0644 for a file, as mount-guard.conf(5)); must be
 *            0 without create.
 * The entry is checked at once with the helper's own rules (options,
 * type/source combinations): -EINVAL, -ENAMETOOLONG, -E2BIG (more than
 * 16384 entries or 255 source fds), -EBADF. */
MOUNTGUARD_EXPORT int mountguard_add_mount(struct mountguard *mg, const char *name,
					   const char *type, const char *source_path,
					   int source_fd, const char *target, const char *options,
					   const char *create, unsigned mode);
/* Restrictions, applied after all mounts ([masked], [readonly], [writable]):
 * hide a path, make it read-only, or keep it writable beneath a read-only
 * one. A path that does not exist is skipped (and reported as such). */
MOUNTGUARD_EXPORT int mountguard_add_mask(struct mountguard *mg, const char *path);
MOUNTGUARD_EXPORT int mountguard_add_readonly(struct mountguard *mg, const char *path);
MOUNTGUARD_EXPORT int mountguard_add_writable(struct mountguard *mg, const char *path);

/* ---- running ---------------------------------------------------------------- */

/* The helper mountguard_run() starts when given NULL. */
MOUNTGUARD_EXPORT const char *mountguard_default_helper(void);

/* Starts `helper_path` (absolute; NULL: mountguard_default_helper()) as
 *     mount-guard serve --fd 3
 * with an empty environment, an empty signal mask, default signal
 * dispositions, fd 3 its end of an AF_UNIX SOCK_SEQPACKET socketpair, fds
 * 0 and 1 on /dev/null, fd 2 the caller's stderr (/dev/null if closed or
 * close-on-exec), and no other fd (the caller's are closed in the monitor,
 * below, the library's are close-on-exec). Sends the
 * request, reads the results, closes the socket and waits for the helper
 * to exit. Blocks until then (see mountguard_set_timeout()).
 *
 * Returns the helper's exit code (mount-guard(8)):
 *   0  everything applied and verified;
 *   1  failed, everything undone;
 *   2  usage: the helper refused the request as malformed;
 *   3  refused as unsafe (the admin policy, or a check), nothing left done;
 *   4  failed, and undoing it failed too: something may be left mounted;
 * or a negative errno when no valid answer arrived:
 *   -EINVAL  the request is incomplete or an earlier call failed (nothing
 *            was started);
 *   -ENOENT, -EACCES, ...  the helper could not be executed;
 *   -EPROTO  the helper broke the protocol, closed the socket or died
 *            before its final status (also while the request was being
 *            sent), or exited with a status other than the one it reported;
 *   -ETIMEDOUT  see mountguard_set_timeout();
 *   -E2BIG   the request is above the helper's limits (nothing was sent).
 * 0 is returned only when the helper's final message said 0 (verified,
 * with a mounted, skipped or duplicate result for every entry) AND the
 * helper then exited with status 0: the library never reports a success it
 * did not receive in full.
 *
 * The handle may be run again; each run replaces the previous results. */
MOUNTGUARD_EXPORT int mountguard_run(struct mountguard *mg, const char *helper_path);

/* What went wrong: the helper's error text when it answered with a
 * non-zero code, or the library's own message for a negative return or a
 * failed call. "" when nothing failed. Never NULL. */
MOUNTGUARD_EXPORT const char *mountguard_error(const struct mountguard *mg);
/* The helper's exit code 0..4 from the last run that returned one, -1 when
 * the last run got no valid answer or there was none. */
MOUNTGUARD_EXPORT int mountguard_exit_code(const struct mountguard *mg);

/* ---- results (only after a run that returned 0..4) ------------------------ */

/* One result per entry of the helper's plan, in its order: the preset's
 * entries and the executable first, then the request's entries in the
 * order they were added. 0 when the helper refused the request before
 * running it, and after a run that returned a negative errno. */
MOUNTGUARD_EXPORT size_t mountguard_result_count(const struct mountguard *mg);
/* For result i < mountguard_result_count(); an index out of range gives
 * NULL, 0 or -1. */
MOUNTGUARD_EXPORT const char *mountguard_result_name(const struct mountguard *mg, size_t i);
/* "mount", "mask", "readonly", "writable". */
MOUNTGUARD_EXPORT const char *mountguard_result_kind(const struct mountguard *mg, size_t i);
/* The filesystem type of a mount ("bind", "tmpfs", ...); NULL for the
 * other kinds. */
MOUNTGUARD_EXPORT const char *mountguard_result_type(const struct mountguard *mg, size_t i);
/* "not-reached" "planned" "deferred" "mounted" "rolled-back" "failed"
 * "refused" "skipped" "duplicate" (mount-guard(8)). */
MOUNTGUARD_EXPORT const char *mountguard_result_status(const struct mountguard *mg, size_t i);
/* The target as planned. */
MOUNTGUARD_EXPORT const char *mountguard_result_target(const struct mountguard *mg, size_t i);
/* The in-root path actually used; NULL when none. */
MOUNTGUARD_EXPORT const char *mountguard_result_resolved(const struct mountguard *mg, size_t i);
/* Why this entry failed; NULL when it did not. */
MOUNTGUARD_EXPORT const char *mountguard_result_error(const struct mountguard *mg, size_t i);
/* The mount's id as in /proc/self/mountinfo; 0 when none. */
MOUNTGUARD_EXPORT uint64_t mountguard_result_mount_id(const struct mountguard *mg, size_t i);
/* Path components created for the target. */
MOUNTGUARD_EXPORT unsigned mountguard_result_created(const struct mountguard *mg, size_t i);
/* Which add call the result answers (0 for the first entry added), or -1
 * for an entry the helper added (preset, executable). */
MOUNTGUARD_EXPORT long mountguard_result_request_index(const struct mountguard *mg, size_t i);

/* ---- for tests only ----------------------------------------------------- */

/* Called by mountguard_run() after the helper was started (its exec
 * succeeded) and before the first byte of the request is sent: a test can
 * inspect /proc/PID of the helper while it waits. NULL removes it. Not for
 * production use: the helper is waiting on the caller meanwhile. */
MOUNTGUARD_EXPORT void mountguard_set_test_hook(struct mountguard *mg,
						void (*before_send)(pid_t helper_pid, void *arg),
						void *arg);
/* Called after the whole request (COMMIT) was sent, before the results are
 * read; e.g. to kill the helper mid-request. NULL removes it. */
MOUNTGUARD_EXPORT void mountguard_set_test_hook_after_send(struct mountguard *mg,
							   void (*after_send)(pid_t helper_pid,
									      void *arg),
							   void *arg);

#ifdef __cplusplus
}
#endif

#endif

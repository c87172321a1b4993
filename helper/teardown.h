/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* teardown: take every mount beneath the rootfs off again, through fds, and
 * never anything outside it, even when the rootfs was changed since apply.
 *
 * What goes: every mount whose mountinfo target is strictly beneath the root
 * (the root itself stays, even when it is a mount point). A root of "/" is
 * refused: that would be every mount of the namespace.
 *
 * How: passes over a fresh mountinfo (libmount). Each pass walks the table
 * in reverse, so children and overmounts come before what they sit on, and
 * takes a mount only once every mount beneath it (its children in the table,
 * overmounts included) is gone, so an MNT_DETACH never takes along a mount
 * we have not checked. For each mount:
 *   1. its in-root path (target minus the root's path) is resolved from the
 *      root fd with symlinks refused: the kernel's name has none, so a
 *      symlink now means the tree changed under it (a mounted-on directory
 *      replaced by a link to /, say) and the mount is skipped;
 *   2. the fd must be on exactly that mount id, else it is skipped (the path
 *      now leads elsewhere, e.g. onto a mount stacked over a parent);
 *   3. umount2("N", MNT_DETACH) from our verified procfs's self/fd directory:
 *      the target is the fd, no path string from the rootfs reaches umount2.
 * A mount that went away meanwhile (ENOENT; a detach that took it along; an
 * umount propagated from a peer) is no error: the next fresh look lacks it.
 * A pass that unmounted something is followed by another, because a skip can
 * be temporary: a mount hidden under an overmount that sorts before it is
 * reachable, and checked the same way, once that overmount is gone. When a
 * pass changes nothing, mountinfo is read once more and whatever is still
 * beneath the root is reported with the reason from the last pass.
 *
 * Umount propagation is the kernel's: a mount beneath the root whose parent
 * is shared takes its peers' copies along, as mounting it made them.
 *
 * Returns 0 when nothing is left beneath the root; otherwise, through err,
 * MG_EXIT_UNSAFE when a mount was skipped because the tree changed (the rest
 * was still taken down), MG_EXIT_FAILED for a failed system call or a mount
 * that stayed for any other reason. */
#ifndef MG_TEARDOWN_H
#define MG_TEARDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "context.h"
#include "mg_error.h"

struct mg_teardown_mount {
	uint64_t mnt_id;
	char *path;   /* in-root, "/..." */
	char *fstype; /* as mountinfo has it */
	bool unsafe;  /* left: the tree changed under it (or under a child) */
	bool held;    /* left: only because a mount beneath it is left */
	char reason[160]; /* left: why it is still mounted; "" for unmounted ones */
};

struct mg_teardown_result {
	size_t unmounted; /* entries in done[] */
	size_t skipped;   /* entries in left[] kept on purpose (unsafe == true) */
	struct mg_teardown_mount *done; /* unmounted by us, in the order we did it */
	struct mg_teardown_mount *left; /* still beneath the root at the end */
	size_t nleft;
	size_t passes; /* walks over a fresh mountinfo */
};

/* res must be zeroed before the call (the reports accept a zeroed one when
 * mg_teardown never ran); free it with mg_teardown_result_free. */
int mg_teardown(const struct mg_ctx *ctx, struct mg_teardown_result *res, struct mg_error *err);
void mg_teardown_result_free(struct mg_teardown_result *res);

/* ctx may be NULL (the run stopped before setup). */
void mg_teardown_report_text(FILE *f, const struct mg_ctx *ctx,
			     const struct mg_teardown_result *res, int exit_code);
/* {"version", "command": "teardown", "root", "resolver", "procfs", "ok",
 *  "exit_code", "error", "unmounted": [{"path", "mount_id", "fstype"}],
 *  "count", "left": [{"path", "mount_id", "fstype", "unsafe", "reason"}]};
 * a path that is not UTF-8 also gets "path_hex" (mg_json_kv_path). */
void mg_teardown_report_json(FILE *f, const struct mg_ctx *ctx,
			     const struct mg_teardown_result *res, const struct mg_error *err,
			     int exit_code);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The new mount API (5.2; mount_setattr 5.12): the mount is built detached,
 * given its attributes while nobody can see it, then attached to the target
 * fd with move_mount. No path string is involved at any step. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "mntopts.h"
#include "mount_backend.h"

/* The fs context keeps the kernel's own words for a failure ("e ..." lines);
 * they say far more than EINVAL. */
static void fs_log(int fsfd, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < 8 && n + 2 < size; i++) {
		char line[256];
		ssize_t r = read(fsfd, line, sizeof(line) - 1);
		if (r <= 0)
			break;
		line[r] = '\0';
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "; " : " (kernel: ", line);
	}
	if (n && n + 2 < size)
		memcpy(buf + n, ")", 2);
}

static int fs_fail(struct mg_error *err, int fsfd, int e, const char *what, const char *fstype)
{
	char log[512];
	fs_log(fsfd, log, sizeof(log));
	return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, e, "%s %s%s", what, fstype, log);
}

static int make_fs_mount(const struct mg_entry *e, struct mg_error *err)
{
	/* type = dev is a tmpfs that devfs.c fills afterwards. */
	const char *fstype = e->type == MG_FS_DEV ? "tmpfs" : mg_fstype_name(e->type);
	_cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "fsopen %s", fstype);
	for (size_t i = 0; i < e->opts.nfs; i++) {
		const struct mg_fsopt *o = &e->opts.fs[i];
		int r = o->value ? fsconfig(fsfd, FSCONFIG_SET_STRING, o->key, o->value, 0)
				 : fsconfig(fsfd, FSCONFIG_SET_FLAG, o->key, NULL, 0);
		if (r < 0)
			return fs_fail(err, fsfd, errno, "fsconfig option for", fstype);
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_fail(err, fsfd, errno, "fsconfig create", fstype);
	unsigned attrs = e->opts.attr_set;
	if (e->opts.atime != -1)
		attrs |= (unsigned)e->opts.atime;
	int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return fs_fail(err, fsfd, errno, "fsmount", fstype);
	return mfd;
}

/* A detached copy of the mount tree at source_fd (just its top mount unless
 * rec), with the attributes in `o` applied. */
static int make_bind_mount(int source_fd, bool rec, const struct mg_mntopts *o, struct mg_error *err)
{
	unsigned at_rec = rec ? AT_RECURSIVE : 0;
	_cleanup_close_ int mfd =
		open_tree(source_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | at_rec);
	if (mfd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "open_tree (clone source)");
	struct mount_attr attr = { .attr_set = o->attr_set, .attr_clr = o->attr_clr };
	if (o->atime != -1) {
		attr.attr_set |= (unsigned)o->atime;
		attr.attr_clr |= MOUNT_ATTR__ATIME;
	}
	/* Only what was asked changes: flags the source has (and, in a user
	 * namespace, flags locked on it) stay as they are. AT_RECURSIVE
	 * makes ro truly recursive. */
	if ((attr.attr_set || attr.attr_clr) &&
	    mount_setattr(mfd, "", AT_EMPTY_PATH | at_rec, &attr, sizeof(attr)) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "mount_setattr");
	return TAKE_FD(mfd);
}

static int attach(int *mfd, int target_fd, int *mnt_fd, struct mg_error *err)
{
	if (move_mount(*mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, errno, "move_mount onto the target");
	*mnt_fd = TAKE_FD(*mfd);
	return 0;
}

int mg_newapi_bind(int source_fd, int target_fd, bool rec, const struct mg_mntopts *o, int *mnt_fd,
		   struct mg_error *err)
{
	_cleanup_close_ int mfd = make_bind_mount(source_fd, rec, o, err);
	if (mfd < 0)
		return mfd;
	return attach(&mfd, target_fd, mnt_fd, err);
}

int mg_mount_newapi(const struct mg_ctx *ctx, const struct mg_entry *e, int target_fd,
		    int source_fd, int *mnt_fd, struct mg_error *err)
{
	(void)ctx;
	bool bind = e->type == MG_FS_BIND || e->type == MG_FS_RBIND;
	_cleanup_close_ int mfd = bind ? make_bind_mount(source_fd, e->type == MG_FS_RBIND, &e->opts, err)
				       : make_fs_mount(e, err);
	if (mfd < 0)
		return mfd;
	return attach(&mfd, target_fd, mnt_fd, err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsinfo.h"
#include "mount_backend.h"

const char *const mg_devnode_names[MG_DEVNODES] = { "null", "zero", "full", "random", "urandom", "tty" };
static const struct {
	unsigned major, minor;
} devnode_ids[MG_DEVNODES] = { { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 } };

int mg_devnodes_open(struct mg_devnodes *n, struct mg_error *err)
{
	for (size_t i = 0; i < MG_DEVNODES; i++)
		n->fd[i] = -1;
	for (size_t i = 0; i < MG_DEVNODES; i++) {
		char path[32];
		struct stat st;
		struct statvfs sv;
		snprintf(path, sizeof(path), "/dev/%s", mg_devnode_names[i]);
		n->fd[i] = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (n->fd[i] < 0 || fstat(n->fd[i], &st) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "cannot open host %s",
				       path);
		if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != devnode_ids[i].major ||
		    minor(st.st_rdev) != devnode_ids[i].minor)
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, 0,
				       "host %s is not the character device %u:%u", path,
				       devnode_ids[i].major, devnode_ids[i].minor);
		if (fstatvfs(n->fd[i], &sv) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "fstatvfs host %s", path);
		if (sv.f_flag & ST_NODEV)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, 0,
				       "host %s is on a nodev mount: a bind of it would not work", path);
	}
	return 0;
}

void mg_devnodes_close(struct mg_devnodes *n)
{
	for (size_t i = 0; i < MG_DEVNODES; i++)
		mg_closep(&n->fd[i]);
}

/* Makes `name` in dev_fd (a file or a directory) and returns an fd of it to
 * mount on: O_PATH for a directory; for a file, the fd that created it (a
 * mount target may be any fd of the inode: no second open). */
static int make_target(int dev_fd, const char *name, bool dir, mode_t mode, struct mg_error *err)
{
	if (!dir) {
		int w = openat(dev_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		return w < 0 ? mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "create /dev/%s", name)
			     : w;
	}
	if (mkdirat(dev_fd, name, mode) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "mkdir /dev/%s", name);
	int fd = openat(dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "open /dev/%s", name) : fd;
}

static int keep(struct mg_undo *u, int *mnt, size_t idx, uint64_t *ids, size_t *nids,
		struct mg_error *err)
{
	uint64_t id = 0;
	if (mg_fd_mount_id(*mnt, &id) < 0) {
		mg_undo_add_mount(u, *mnt, 0, idx);
		*mnt = -1;
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "mount id");
	}
	int r = mg_undo_add_mount(u, *mnt, id, idx);
	*mnt = -1;
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_MOUNT, -r, "out of memory");
	if (*nids < MG_DEVFS_MOUNTS)
		ids[(*nids)++] = id;
	return 0;
}

static int mount_fs(const struct mg_ctx *ctx, int dev_fd, const char *name, enum mg_fstype type,
		    unsigned attrs, const struct mg_fsopt *fsopts, size_t nfs, unsigned long magic,
		    size_t idx, struct mg_undo *undo, uint64_t *ids, size_t *nids, struct mg_error *err)
{
	struct mg_entry e = { .kind = MG_KIND_MOUNT, .type = type, .name = (char *)name };
	e.opts.atime = -1;
	e.opts.attr_set = attrs;
	e.opts.fs = (struct mg_fsopt *)fsopts; /* read only; e is never cleared */
	e.opts.nfs = nfs;
	_cleanup_close_ int t = make_target(dev_fd, name, true, 0755, err), mnt = -1;
	if (t < 0)
		return t;
	int r = mg_mount_entry(ctx, &e, t, -1, &mnt, err);
	if (r < 0)
		return r;
	unsigned long got = 0;
	bool ok = mg_fd_fs_magic(mnt, &got) == 0 && got == magic;
	r = keep(undo, &mnt, idx, ids, nids, err);
	if (r == 0 && !ok)
		r = mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0, "/dev/%s is not the %s mounted",
			    name, mg_fstype_name(type));
	return r;
}

int mg_devfs_populate(const struct mg_ctx *ctx, const struct mg_entry *e, int dev_fd,
		      const struct mg_devnodes *nodes, size_t idx, struct mg_undo *undo,
		      uint64_t *ids, size_t *nids, struct mg_error *err)
{
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" },	       { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	static const struct mg_fsopt pts_opts[] = {
		{ "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "0620" }, { "gid", "5" },
	};
	static const struct mg_fsopt shm_opts[] = { { "mode", "1777" }, { "size", "65536k" } };
	int r;

	/* The tmpfs root gets 0755 unless the entry chose a mode. */
	bool mode_given = false;
	for (size_t i = 0; i < e->opts.nfs; i++)
		mode_given |= strcmp(e->opts.fs[i].key, "mode") == 0;
	if (!mode_given) {
		_cleanup_close_ int d = openat(dev_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d < 0 || fchmod(d, 0755) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "chmod /dev");
	}
	/* A device node needs neither exec nor suid. */
	struct mg_mntopts none = { .atime = -1, .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
	for (size_t i = 0; i < MG_DEVNODES; i++) {
		const char *name = mg_devnode_names[i];
		_cleanup_close_ int t = make_target(dev_fd, name, false, 0666, err), mnt = -1;
		struct stat want, got;
		if (t < 0)
			return t;
		r = mg_bind_fd(ctx, nodes->fd[i], t, false, &none, &mnt, err);
		if (r < 0)
			return r;
		/* The new API's mount is open_tree's clone of the node's own fd
		 * (checked when it was opened), handed back as an fd: it is that
		 * device. The proc-fd backend bound a path and opened the result
		 * again: there the device is checked. */
		bool ok = ctx->backend == MG_MOUNT_NEWAPI ||
			  (fstat(nodes->fd[i], &want) == 0 && fstat(mnt, &got) == 0 &&
			   S_ISCHR(got.st_mode) && got.st_rdev == want.st_rdev);
		r = keep(undo, &mnt, idx, ids, nids, err);
		if (r < 0)
			return r;
		if (!ok)
			return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_VERIFY, 0,
				       "/dev/%s is not the host's device after the bind", name);
	}
	r = mount_fs(ctx, dev_fd, "pts", MG_FS_DEVPTS, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, pts_opts,
		     ARRAY_SIZE(pts_opts), DEVPTS_SUPER_MAGIC, idx, undo, ids, nids, err);
	if (r < 0)
		return r;
	r = mount_fs(ctx, dev_fd, "shm", MG_FS_TMPFS,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, shm_opts,
		     ARRAY_SIZE(shm_opts), TMPFS_MAGIC, idx, undo, ids, nids, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, dev_fd, links[i].name) < 0)
			return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CREATE, errno, "symlink /dev/%s",
				       links[i].name);
	return 0;
}

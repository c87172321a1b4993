/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP(c) (UINT64_C(1) << (c))

/* This process's capabilities, read once (capget) and kept up to date by
 * every change made here. Nothing else in mount-guard changes them, and a
 * forked child inherits them with this copy. libcap-ng read them again at
 * every call (its /proc/PID/status reads: 7 a run) and dropped the whole
 * bounding set one capability at a time each time (79 prctl calls a run). */
static struct {
	bool read;
	uint64_t eff, prm, inh;
	/* Every capability that may still be in the bounding set: all of
	 * them until it is first shrunk here (no read of it is needed, and
	 * none through a /proc that may not be the kernel's). */
	uint64_t bnd;
	bool amb_cleared;
} st = { .bnd = UINT64_MAX };

static int read_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	/* Zeroed: valgrind takes only the first half for written by capget. */
	struct __user_cap_data_struct d[2] = { 0 };
	if (st.read)
		return 0;
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	st.eff = d[0].effective | (uint64_t)d[1].effective << 32;
	st.prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	st.inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	st.read = true;
	return 0;
}

bool mg_caps_have_sys_admin(void)
{
	return read_caps() == 0 && (st.eff & CAP(CAP_SYS_ADMIN));
}

/* Drops from the bounding set what may be in it and is not in `keep`. The
 * first time that is every capability the kernel has: up to the first
 * number PR_CAPBSET_DROP calls invalid, so that a kernel that knows more
 * than these headers loses those too. */
static int shrink_bounding(uint64_t keep)
{
	for (unsigned int c = 0; c < 64; c++) {
		if (!(st.bnd & CAP(c)) || (keep & CAP(c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			return -errno;
		}
	}
	st.bnd &= keep;
	return 0;
}

/* Effective and permitted become `keep`, inheritable and ambient empty.
 * The kernel keeps ambient within permitted and inheritable, so it is
 * empty from here on; it is cleared once all the same, as libcap-ng did
 * every time (a kernel without ambient capabilities, before 4.3, says
 * EINVAL: nothing to clear). */
static int set_process(uint64_t keep)
{
	if (st.eff != keep || st.prm != keep || st.inh != 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = {
			{ .effective = (uint32_t)keep, .permitted = (uint32_t)keep },
			{ .effective = (uint32_t)(keep >> 32), .permitted = (uint32_t)(keep >> 32) },
		};
		if (syscall(SYS_capset, &h, d) != 0)
			return -errno;
		st.eff = st.prm = keep;
		st.inh = 0;
	}
	if (!st.amb_cleared) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
			return -errno;
		st.amb_cleared = true;
	}
	return 0;
}

/* Sets every set to `keep`. The bounding set can only shrink while
 * CAP_SETPCAP is effective, so it is done first, then the other sets. */
static int set_caps(uint64_t keep, bool need_bounding, struct mg_error *err)
{
	int r = read_caps();
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot read capabilities");
	bool setpcap = st.eff & CAP(CAP_SETPCAP);
	if (!setpcap && need_bounding)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SETPCAP is needed to shrink the bounding set");
	/* Without CAP_SETPCAP (an unprivileged `plan`) there is nothing in the
	 * other sets to drop and the bounding set cannot change. */
	r = setpcap ? shrink_bounding(keep) : 0;
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r,
			       "cannot shrink the bounding set");
	r = set_process(keep);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot set capabilities");
	return 0;
}

int mg_caps_limit_for_apply(bool need_create, struct mg_error *err)
{
	/* CAP_SETPCAP stays only so that mg_caps_drop_all() can empty the
	 * bounding set at the end; it grants nothing over the rootfs. */
	/* CAP_DAC_READ_SEARCH: resolution must reach the same targets whatever
	 * the rootfs's directory modes, in every list. */
	uint64_t keep = CAP(CAP_SYS_ADMIN) | CAP(CAP_SETPCAP) | CAP(CAP_DAC_READ_SEARCH);
	if (need_create)
		keep |= CAP(CAP_DAC_OVERRIDE);
	if (!mg_caps_have_sys_admin())
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SYS_ADMIN is needed to mount (run as root, or install the "
			       "binary with file capabilities)");
	return set_caps(keep, true, err);
}

int mg_caps_limit_for_exec(bool need_create, struct mg_error *err)
{
	/* CAP_SYS_ADMIN: unshare, pivot_root, the root bind and remount;
	 * CAP_SETPCAP: the final drop empties the bounding set. CAP_DAC_OVERRIDE
	 * is for the child's creating lists only. */
	uint64_t keep = CAP(CAP_SYS_ADMIN) | CAP(CAP_SETPCAP) | CAP(CAP_SYS_CHROOT) |
			CAP(CAP_DAC_READ_SEARCH);
	if (need_create)
		keep |= CAP(CAP_DAC_OVERRIDE);
	if (!mg_caps_have_sys_admin())
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SYS_ADMIN is needed to mount (run as root)");
	return set_caps(keep, true, err);
}

int mg_caps_drop_all(struct mg_error *err)
{
	return set_caps(0, false, err);
}

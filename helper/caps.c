/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caps.h"

#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MG_CAPNG_SELECT_SETS (CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT)

/* The process's effective and bounding sets, read once: by capget(2) and
 * PR_CAPBSET_READ rather than capng_get_caps_process(), which in libcap-ng
 * 0.8 also reads /proc/PID/status twice (bounding and ambient sets, ~30 us
 * each here) for nothing we need: the ambient set is cleared whatever it
 * holds. Afterwards every change goes through drop_bounding() and
 * capng_apply(), and both are recorded here. */
static bool loaded;
static unsigned long long effective_now, bounding_now; /* a bit per capability */

static void load(void)
{
	if (loaded)
		return;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	effective_now = syscall(SYS_capget, &h, d) == 0
				? d[0].effective | (unsigned long long)d[1].effective << 32
				: 0;
	bounding_now = 0;
	for (unsigned i = 0; i < 64; i++) {
		int r = prctl(PR_CAPBSET_READ, i, 0, 0, 0);
		if (r < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (r == 1)
			bounding_now |= 1ULL << i;
	}
	loaded = true;
}

static bool have(unsigned cap)
{
	load();
	return (effective_now >> cap) & 1;
}

bool mg_caps_have_sys_admin(void)
{
	return have(CAP_SYS_ADMIN);
}

/* Shrinks the bounding set to `keep`, one PR_CAPBSET_DROP per capability
 * that is still in it. capng_apply(CAPNG_SELECT_BOUNDS) would read the
 * process's sets again and drop every capability outside the set, dropped
 * or not: each drop commits new credentials (an RCU grace period's worth of
 * work), 41 of them per call, twice per run. */
static int drop_bounding(unsigned long long keep)
{
	for (unsigned i = 0; i < 64; i++) {
		unsigned long long bit = 1ULL << i;
		if (!(bounding_now & bit) || (keep & bit))
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0)
			return -errno;
		bounding_now &= ~bit;
	}
	return 0;
}

/* Sets every set to `caps` (n entries). The bounding set can only shrink
 * while CAP_SETPCAP is effective, so it is applied first, then the other sets. */
static int set_caps(const int *caps, int n, bool need_bounding, struct mg_error *err)
{
	bool setpcap = have(CAP_SETPCAP);
	unsigned long long mask = 0;
	for (int i = 0; i < n; i++)
		mask |= 1ULL << caps[i];
	if (!setpcap && need_bounding)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SETPCAP is needed to shrink the bounding set");
	/* Without CAP_SETPCAP (an unprivileged `plan`) there is nothing in the
	 * other sets to drop and the bounding set cannot change. */
	int r = setpcap ? drop_bounding(mask) : 0;
	if (r < 0) {
		loaded = false; /* the state may be half applied: read it again */
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot shrink the bounding set");
	}
	capng_clear(CAPNG_SELECT_ALL); /* BOTH would leave the ambient set as it was */
	for (int i = 0; i < n; i++)
		capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET | CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			     (unsigned)caps[i]);
	r = capng_apply(MG_CAPNG_SELECT_SETS);
	if (r != 0) {
		loaded = false;
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "cannot set capabilities (capng_apply returned %d)", r);
	}
	effective_now = mask;
	return 0;
}

int mg_caps_limit_for_apply(bool need_create, struct mg_error *err)
{
	/* CAP_SETPCAP stays only so that mg_caps_drop_all() can empty the
	 * bounding set at the end; it grants nothing over the rootfs. */
	/* CAP_DAC_READ_SEARCH: resolution must reach the same targets whatever
	 * the rootfs's directory modes, in every list. */
	int caps[4] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE };
	if (!mg_caps_have_sys_admin())
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SYS_ADMIN is needed to mount (run as root, or install the "
			       "binary with file capabilities)");
	return set_caps(caps, need_create ? 4 : 3, true, err);
}

int mg_caps_limit_for_exec(bool need_create, struct mg_error *err)
{
	/* CAP_SYS_ADMIN: unshare, pivot_root, the root bind and remount;
	 * CAP_SETPCAP: the final drop empties the bounding set. The last slot
	 * is CAP_DAC_OVERRIDE, for the child's creating lists only. */
	int caps[5] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAP_SYS_CHROOT, CAP_DAC_READ_SEARCH,
			CAP_DAC_OVERRIDE };
	if (!mg_caps_have_sys_admin())
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, EPERM,
			       "CAP_SYS_ADMIN is needed to mount (run as root)");
	return set_caps(caps, need_create ? 5 : 4, true, err);
}

int mg_caps_drop_all(struct mg_error *err)
{
	return set_caps(NULL, 0, false, err);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mg-enosys CMD ARGS...: runs CMD with openat2 and the new mount API made to
 * fail with ENOSYS by a seccomp filter, the way crun and libpathrs force
 * their fallbacks. Test-only; never installed. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char *const hidden[] = { "openat2",  "open_tree", "move_mount",   "fsopen",
					      "fsconfig", "fsmount",   "mount_setattr", "fspick" };
	if (argc < 2) {
		fprintf(stderr, "usage: mg-enosys CMD [ARGS...]\n");
		return 125;
	}
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "mg-enosys: seccomp_init failed\n");
		return 125;
	}
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		int nr = seccomp_syscall_resolve_name(hidden[i]);
		int r = nr == __NR_SCMP_ERROR ? -EINVAL
					       : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0) {
			fprintf(stderr, "mg-enosys: cannot filter %s: %s\n", hidden[i], strerror(-r));
			return 125;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) < 0) {
		fprintf(stderr, "mg-enosys: cannot load the filter\n");
		return 125;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mg-enosys: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}

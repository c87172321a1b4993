/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "confine.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

/* prctl, not seccomp(2): the same filter with no flags, as libseccomp
 * loads it by default, and valgrind knows prctl. */
int mg_confine_syscalls(struct mg_error *err)
{
	struct sock_fprog prog = {
		.len = mg_confine_bpf_len,
		.filter = (struct sock_filter *)mg_confine_bpf, /* the kernel copies it */
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno,
			       "seccomp self-confinement");
	return 0;
}

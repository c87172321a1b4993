/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who is on the other end of `serve`'s socket, and whether it is still
 * there. The parent may be hostile; it may also just die. */
#ifndef MG_PEER_H
#define MG_PEER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mg_error.h"

#define MG_PEER_MAX_GROUPS 256

struct mg_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[MG_PEER_MAX_GROUPS]; /* supplementary groups (SO_PEERGROUPS) */
	size_t ngroups;
};

/* The socket must be an AF_UNIX SOCK_SEQPACKET whose peer (SO_PEERCRED) is
 * our parent process. Anything else is refused (MG_EXIT_UNSAFE). */
int mg_peer_check(int sock, struct mg_peer *peer, struct mg_error *err);

/* Arms PR_SET_PDEATHSIG so that the death of the parent (pid `parent`) sets
 * *mg_parent_gone_flag(); fails if the parent is already gone. */
int mg_parent_watch(pid_t parent, struct mg_error *err);
const volatile sig_atomic_t *mg_parent_gone_flag(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "peer.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t parent_gone;

const volatile sig_atomic_t *mg_parent_gone_flag(void)
{
	return &parent_gone;
}

static void on_parent_death(int sig)
{
	(void)sig;
	parent_gone = 1;
}

int mg_peer_check(int sock, struct mg_peer *peer, struct mg_error *err)
{
	int domain = 0, type = 0;
	socklen_t len = sizeof(int);
	struct ucred cred;

	memset(peer, 0, sizeof(*peer));
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    (len = sizeof(int), getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0))
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, errno, "--fd is not a socket");
	if (domain != AF_UNIX || type != SOCK_SEQPACKET)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, EPROTOTYPE,
			       "--fd must be an AF_UNIX SOCK_SEQPACKET socket (a socketpair)");
	len = sizeof(cred);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, errno, "SO_PEERCRED");
	/* The credentials are those of whoever created the socketpair; only our
	 * parent may be the one we answer, so a socket handed around to a
	 * stranger (or inherited past a fork) is refused. */
	if (cred.pid != getppid())
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, EPERM,
			       "the peer of --fd (pid %d) is not our parent (pid %d)", (int)cred.pid,
			       (int)getppid());
	peer->pid = cred.pid;
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	len = sizeof(peer->groups);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, peer->groups, &len) == 0)
		peer->ngroups = len / sizeof(gid_t);
	else if (errno == ERANGE)
		return mg_fail(err, MG_EXIT_UNSAFE, MG_STAGE_SETUP, ERANGE,
			       "the peer has more than %d supplementary groups", MG_PEER_MAX_GROUPS);
	return 0;
}

int mg_parent_watch(pid_t parent, struct mg_error *err)
{
	struct sigaction sa = { .sa_handler = on_parent_death };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, errno, "PR_SET_PDEATHSIG");
	/* The parent may have died before the signal was armed. */
	if (getppid() != parent)
		parent_gone = 1;
	if (parent_gone)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ESRCH, "the caller went away");
	return 0;
}

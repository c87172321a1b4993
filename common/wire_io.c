/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wire_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cleanup.h"

/* Linux 6.5 (SO_PASSPIDFD): a pidfd installed in the receiver with every
 * message. glibc 2.36 does not know it, and it is an fd to close. */
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

#ifdef MG_VERSION
#define HELPER_TEXT "mount-guard " MG_VERSION
#else
#define HELPER_TEXT "mount-guard"
#endif

/* Room for the most fds any message may carry, and not one more: with more
 * attached the kernel sets MSG_CTRUNC and installs only what fits. */
union fd_control {
	char buf[CMSG_SPACE(sizeof(int) * MG_WIRE_MAX_FDS_MSG)];
	struct cmsghdr align;
};

int mg_wire_check_socket(int sock)
{
	int domain = 0, type = 0;
	socklen_t len = sizeof(domain);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -errno;
	len = sizeof(type);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	return domain == AF_UNIX && type == SOCK_SEQPACKET ? 0 : -EPROTOTYPE;
}

/* After EAGAIN: either the parent made the shared socket non-blocking under
 * us (O_NONBLOCK belongs to the open file description, which it holds too):
 * wait, but no longer than a timeout set with SO_RCVTIMEO/SO_SNDTIMEO; or
 * that timeout expired on a blocking socket. */
static int wait_for(int sock, short events)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);
	int ms = -1, fl = fcntl(sock, F_GETFL);
	int opt = events == POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO;
	if (fl < 0)
		return -errno;
	if (!(fl & O_NONBLOCK))
		return -ETIMEDOUT;
	if (getsockopt(sock, SOL_SOCKET, opt, &tv, &len) == 0 && (tv.tv_sec > 0 || tv.tv_usec > 0))
		ms = tv.tv_sec >= INT_MAX / 1000 ? INT_MAX
						 : (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	struct pollfd p = { .fd = sock, .events = events };
	for (;;) {
		int r = poll(&p, 1, ms);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int mg_wire_send_packet(int sock, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	union fd_control ctl;
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > MG_WIRE_MAX_FDS_MSG)
		return -E2BIG;
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	for (;;) {
		ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);
		/* SOCK_SEQPACKET sends a packet whole or not at all. */
		if (r >= 0)
			return (size_t)r == len ? 0 : -EIO;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_for(sock, POLLOUT);
			if (w < 0)
				return w;
		} else if (errno != EINTR) {
			return -errno;
		}
	}
}

static ssize_t recvmsg_retry(int sock, struct msghdr *mh, int flags)
{
	for (;;) {
		ssize_t r = recvmsg(sock, mh, flags);
		if (r >= 0)
			return r;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_for(sock, POLLIN);
			if (w < 0)
				return w;
		} else if (errno != EINTR) {
			return -errno;
		}
	}
}

/* Takes every fd out of the ancillary data, whatever else is wrong with it,
 * so that a failure can close all of them. Returns the first problem. */
static enum mg_wire_why take_fds(struct msghdr *mh, int *fds, size_t *nfds)
{
	enum mg_wire_why why = MG_WIRE_OK;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		bool rights = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS;
		bool pidfd = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_PIDFD;
		/* SCM_CREDENTIALS, SCM_SECURITY, SCM_PIDFD: only there if someone
		 * set SO_PASS* on our end of the socket. Nothing asks for them. */
		if (!rights && why == MG_WIRE_OK)
			why = MG_WIRE_E_CMSG;
		if ((!rights && !pidfd) || c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *data = CMSG_DATA(c);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			if (*nfds < MG_WIRE_MAX_FDS_MSG) {
				fds[(*nfds)++] = fd;
			} else {
				close(fd);
				why = MG_WIRE_E_CTRUNC;
			}
		}
	}
	return why;
}

int mg_wire_recv_packet(int sock, void *buf, size_t size, size_t *len, int *fds, size_t *nfds,
			enum mg_wire_why *why)
{
	union fd_control ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	*len = 0;
	*nfds = 0;
	*why = MG_WIRE_OK;
	/* Peek at the length first (MSG_TRUNC: the real length, not what fits):
	 * an over-long packet is refused while still queued, so neither its
	 * bytes nor its fds enter this process. A peek without a control buffer
	 * installs no fds. A zero-length packet cannot be told from EOF: both
	 * end the exchange. */
	struct msghdr peek = { 0 };
	n = recvmsg_retry(sock, &peek, MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return (int)n;
	if (n == 0 || (size_t)n > size) {
		*why = n == 0 ? MG_WIRE_E_EOF : MG_WIRE_E_OVERSIZE;
		return -mg_wire_why_errno(*why);
	}
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	/* Whoever else holds this end (the parent may have kept a copy) can
	 * take the peeked packet first: nothing below trusts the peek. */
	n = recvmsg_retry(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return (int)n;
	enum mg_wire_why w = take_fds(&mh, fds, nfds);
	if (n == 0)
		w = MG_WIRE_E_EOF;
	else if (mh.msg_flags & MSG_TRUNC)
		w = MG_WIRE_E_TRUNC;
	else if (mh.msg_flags & MSG_CTRUNC)
		w = MG_WIRE_E_CTRUNC;
	if (w != MG_WIRE_OK) {
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		*why = w;
		return -mg_wire_why_errno(w);
	}
	*len = (size_t)n;
	return 0;
}

static int emit_socket(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	return mg_wire_send_packet(*(const int *)ctx, pkt, len, fds, nfds);
}

struct counter {
	uint64_t bytes;
	size_t fds_per_msg; /* the most on one message */
};

static int emit_count(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	struct counter *c = ctx;
	(void)pkt, (void)fds;
	c->bytes += len;
	if (nfds > c->fds_per_msg)
		c->fds_per_msg = nfds;
	return 0;
}

/* Receives one packet and feeds it to the receiver. */
static int rx_one(int sock, struct mg_wire_rx *rx, uint8_t *buf, struct mg_error *err)
{
	int fds[MG_WIRE_MAX_FDS_MSG];
	size_t len, nfds;
	enum mg_wire_why why;
	int r = mg_wire_recv_packet(sock, buf, MG_WIRE_MAX_PACKET, &len, fds, &nfds, &why);
	if (r < 0 && why != MG_WIRE_OK)
		return mg_wire_rx_fail(rx, why, err);
	if (r < 0) {
		rx->failed = true;
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot receive");
	}
	return mg_wire_rx_feed(rx, buf, len, fds, nfds, err);
}

static int check_socket(int sock, enum mg_exit kind, struct mg_error *err)
{
	int r = mg_wire_check_socket(sock);
	return r < 0 ? mg_fail(err, kind, MG_STAGE_SETUP, -r,
			       "the serve socket must be an AF_UNIX SOCK_SEQPACKET socket")
		     : 0;
}

int mg_wire_send_request(int sock, const char *root, const struct mg_plan *plan,
			 const struct mg_wire_fds *fds, struct mg_wire_hello_info *info,
			 struct mg_error *err)
{
	struct mg_wire_hello_info local;
	struct counter count = { 0 };
	struct mg_wire_rx rx;
	_cleanup_free_ uint8_t *buf = malloc(MG_WIRE_MAX_PACKET);
	size_t nfds = fds ? fds->n : 0;
	int r;

	if (!info)
		info = &local;
	if (!buf)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	r = check_socket(sock, MG_EXIT_USAGE, err);
	if (r < 0)
		return r;
	/* A dry run first: the whole request is encoded and checked before
	 * its first byte is sent. */
	r = mg_wire_emit_request(root, plan, fds, emit_count, &count, err);
	if (r < 0)
		return r;
	r = mg_wire_emit_hello(emit_socket, &sock, err);
	if (r < 0)
		return r;
	mg_wire_rx_init_hello_reply(&rx, info);
	r = rx_one(sock, &rx, buf, err);
	if (r < 0)
		return r;
	/* A helper may take less than the protocol allows. */
	if (plan->n > info->max_entries || nfds > info->max_fds ||
	    count.fds_per_msg > info->max_fds_msg ||
	    count.bytes + MG_WIRE_HEADER_SIZE + 8 > info->max_request_bytes)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, E2BIG,
			       "the request (%zu entries, %zu fds, %llu bytes) is above %s's limits "
			       "(%u entries, %u fds, %u bytes)",
			       plan->n, nfds, (unsigned long long)count.bytes + MG_WIRE_HEADER_SIZE + 8,
			       info->helper, info->max_entries, info->max_fds,
			       info->max_request_bytes);
	return mg_wire_emit_request(root, plan, fds, emit_socket, &sock, err);
}

int mg_wire_recv_request(int sock, char **root, struct mg_plan *plan, struct mg_wire_fds *fds,
			 struct mg_error *err)
{
	struct mg_wire_rx rx;
	_cleanup_free_ uint8_t *buf = malloc(MG_WIRE_MAX_PACKET);
	int r;

	mg_wire_rx_init_request(&rx, root, plan, fds);
	if (!buf)
		r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, ENOMEM, "out of memory");
	else
		r = check_socket(sock, MG_EXIT_USAGE, err);
	if (r == 0)
		r = rx_one(sock, &rx, buf, err); /* HELLO */
	if (r == 0) {
		/* A client gone before our reply ended the exchange early, as if
		 * we had read EOF: the same protocol error. */
		struct mg_error send_err = { 0 };
		r = mg_wire_emit_hello_reply(HELPER_TEXT, emit_socket, &sock, &send_err);
		if (r == -EPIPE || r == -ECONNRESET)
			r = mg_wire_rx_fail(&rx, MG_WIRE_E_EOF, err);
		else if (r < 0 && !err->set)
			*err = send_err;
	}
	while (r == 0 && !mg_wire_rx_complete(&rx))
		r = rx_one(sock, &rx, buf, err);
	if (r < 0) {
		free(*root);
		*root = NULL;
		mg_plan_free(plan);
		mg_wire_fds_close(fds);
	}
	return r;
}

int mg_wire_send_results(int sock, const struct mg_wire_result *res, size_t n,
			 const struct mg_wire_done *done, struct mg_error *err)
{
	int r = check_socket(sock, MG_EXIT_FAILED, err);
	return r < 0 ? r : mg_wire_emit_results(res, n, done, emit_socket, &sock, err);
}

int mg_wire_recv_results(int sock, size_t nrequest, struct mg_wire_results *out,
			 struct mg_error *err)
{
	struct mg_wire_rx rx;
	_cleanup_free_ uint8_t *buf = malloc(MG_WIRE_MAX_PACKET);
	int r;

	mg_wire_rx_init_results(&rx, nrequest, out);
	if (!buf)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, ENOMEM, "out of memory");
	r = check_socket(sock, MG_EXIT_FAILED, err);
	while (r == 0 && !mg_wire_rx_complete(&rx))
		r = rx_one(sock, &rx, buf, err);
	return r;
}

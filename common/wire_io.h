/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serve protocol on a socket: one message per SOCK_SEQPACKET packet,
 * fds as SCM_RIGHTS where the message table allows them (wire.h is the
 * format; docs/protocol.md the specification). */
#ifndef MG_WIRE_IO_H
#define MG_WIRE_IO_H

#include <stddef.h>

#include "mg_error.h"
#include "plan.h"
#include "wire.h"

/* The socket must be AF_UNIX SOCK_SEQPACKET: a stream socket would merge or
 * split messages. Returns 0 or -EPROTOTYPE (or getsockopt's errno). */
int mg_wire_check_socket(int sock);

/* Sends one packet with `nfds` fds (at most MG_WIRE_MAX_FDS_MSG) attached.
 * MSG_NOSIGNAL: a vanished peer is -EPIPE, not SIGPIPE.
 *
 * Both directions retry EINTR, wait in poll(2) when someone made the socket
 * non-blocking, and honour SO_SNDTIMEO/SO_RCVTIMEO: past it, -ETIMEDOUT. */
int mg_wire_send_packet(int sock, const void *pkt, size_t len, const int *fds, size_t nfds);

/* Receives one packet into buf (`size` bytes, MG_WIRE_MAX_PACKET is enough
 * for any valid one) and its fds into fds[MG_WIRE_MAX_FDS_MSG], close-on-exec.
 * A packet longer than `size` is refused without being read (its fds never
 * reach this process); on any failure every fd received is closed. Returns 0,
 * or a negative errno with *why set (EOF, OVERSIZE, TRUNC, CTRUNC, CMSG), or
 * a socket errno with *why MG_WIRE_OK. */
int mg_wire_recv_packet(int sock, void *buf, size_t size, size_t *len, int *fds, size_t *nfds,
			enum mg_wire_why *why);

/* Client: HELLO, reads HELLO_REPLY, then REQUEST..COMMIT. Everything is
 * encoded once before the first byte is sent, so a request the helper would
 * refuse as malformed or too big is refused here (MG_EXIT_USAGE) with
 * nothing sent. `root` is the rootfs path, or NULL when `fds` carries a
 * ROOTFS fd; `fds` may be NULL. `info` (may be NULL) gets HELLO_REPLY.
 * Returns 0, -EPROTO (the helper broke the protocol), or another negative
 * errno. */
int mg_wire_send_request(int sock, const char *root, const struct mg_plan *plan,
			 const struct mg_wire_fds *fds, struct mg_wire_hello_info *info,
			 struct mg_error *err);

/* Helper: reads HELLO, answers HELLO_REPLY, reads REQUEST..COMMIT into a
 * validated plan (the same as the INI front-end makes), the rootfs path
 * (*root, or NULL when it came as a ROOTFS fd) and the fds. `plan` freshly
 * initialised, *root NULL, `fds` initialised. Returns:
 *   0;
 *   -EINVAL  a well-formed request the plan rules refuse (err as for a
 *            config error): answer it with mg_wire_send_results(), no
 *            results, DONE exit 2;
 *   anything else (-EPROTO: the client broke the protocol; err->err is then
 *            EPROTO): answer nothing, exit non-zero.
 * On failure *root, the plan and the fds are freed and closed. */
int mg_wire_recv_request(int sock, char **root, struct mg_plan *plan, struct mg_wire_fds *fds,
			 struct mg_error *err);

/* Helper: RESULT for each res[i] (res[i].index == i; see
 * mg_wire_result_from_plan), then DONE. n is 0 when the request was refused
 * before it ran. */
int mg_wire_send_results(int sock, const struct mg_wire_result *res, size_t n,
			 const struct mg_wire_done *done, struct mg_error *err);

/* Client: RESULT..., DONE for a request of `nrequest` entries. Success is
 * out->done.exit_code == 0, which the decoder only lets through verified,
 * with a result for every entry and each of them mounted, skipped or
 * a duplicate. A helper that dies first is -EPROTO (eof). `out` must be
 * zeroed; free it with mg_wire_results_free() whatever the outcome. */
int mg_wire_recv_results(int sock, size_t nrequest, struct mg_wire_results *out,
			 struct mg_error *err);

#endif

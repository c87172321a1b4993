/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serve protocol (docs/protocol.md): one framed message per packet on an
 * AF_UNIX SOCK_SEQPACKET socket between an unprivileged, possibly hostile
 * parent (the client) and `mount-guard serve` (the helper).
 *
 * This file is the format: the message table, pure encode/decode of one
 * packet, the receiver's state machine, and plan <-> messages. It does no
 * I/O (wire_io.h sends and receives), so a fuzzer can drive
 * mg_wire_decode() and mg_wire_rx_feed() directly. Both sides link it: the
 * helper and libmountguard. */
#ifndef MG_WIRE_H
#define MG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"
#include "plan.h"

/* The header, little-endian, 20 bytes: magic u32, version u16, type u16,
 * flags u32, sequence u32, payload length u32. */
#define MG_WIRE_MAGIC 0x3157474Du /* the bytes "MGW1" read as a little-endian u32 */
#define MG_WIRE_VERSION 1
#define MG_WIRE_HEADER_SIZE 20

/* Limits of protocol version 1 (docs/protocol.md, "Limits", says why each). */
#define MG_WIRE_MAX_PAYLOAD 16384u
#define MG_WIRE_MAX_PACKET (MG_WIRE_HEADER_SIZE + MG_WIRE_MAX_PAYLOAD)
#define MG_WIRE_MAX_ENTRIES MG_MAX_ENTRIES
#define MG_WIRE_MAX_REQUEST_BYTES (16u << 20) /* HELLO..COMMIT, headers included */
#define MG_WIRE_MAX_REPLY_BYTES (64u << 20)   /* RESULT..DONE */
#define MG_WIRE_MAX_FDS_MSG 64                /* fds on one FDS message */
#define MG_WIRE_MAX_FDS 256                   /* fds in one request */
#define MG_WIRE_MAX_OPTIONS 4095              /* options text of an entry */
#define MG_WIRE_MAX_TEXT 2047                 /* error texts */
#define MG_WIRE_MAX_HELPER_TEXT 64            /* helper version text */
#define MG_WIRE_NO_INDEX 0xFFFFFFFFu

/* Client -> helper types are 0x01xx, helper -> client 0x02xx, so that a
 * message sent the wrong way is obvious in a dump. */
enum mg_wire_type {
	MG_WIRE_HELLO = 0x0101,
	MG_WIRE_REQUEST = 0x0102,
	MG_WIRE_ENTRY = 0x0103,
	MG_WIRE_FDS = 0x0104,
	MG_WIRE_COMMIT = 0x0105,
	MG_WIRE_HELLO_REPLY = 0x0201,
	MG_WIRE_RESULT = 0x0202,
	MG_WIRE_DONE = 0x0203,
};

#define MG_WIRE_REQ_ROOTFS_FD 0x01u        /* REQUEST: the rootfs comes as an fd */
#define MG_WIRE_ENTRY_SOURCE_FD 0x01u      /* ENTRY: the bind source is fd `source_fd` */
#define MG_WIRE_DONE_VERIFIED 0x0001u      /* DONE: checked against mountinfo */
#define MG_WIRE_DONE_ROLLBACK_INCOMPLETE 0x0002u /* DONE: undoing a failure failed too */

/* What an fd of an FDS message is for. */
enum mg_wire_fd_role {
	MG_WIRE_FD_ROOTFS = 1, /* the rootfs directory */
	MG_WIRE_FD_SOURCE = 2, /* the source of one bind/rbind entry */
};

/* Per-entry outcome. The numbers are those of enum mg_status
 * (helper/engine.h), fixed here as the protocol's own. */
enum mg_wire_status {
	MG_WIRE_ST_NOT_REACHED = 0,
	MG_WIRE_ST_PLANNED = 1,
	MG_WIRE_ST_DEFERRED = 2,
	MG_WIRE_ST_MOUNTED = 3,
	MG_WIRE_ST_ROLLED_BACK = 4,
	MG_WIRE_ST_FAILED = 5,
	MG_WIRE_ST_REFUSED = 6,
	MG_WIRE_ST_SKIPPED = 7,
	MG_WIRE_ST_DUPLICATE = 8,
	MG_WIRE_ST__MAX,
};

/* Why a message (or the exchange) was refused. Each reason has one errno and
 * one word (the test vectors' manifest uses both): mg_wire_why_errno(),
 * mg_wire_why_name(), mg_wire_why_text(). */
enum mg_wire_why {
	MG_WIRE_OK,
	MG_WIRE_E_SHORT,    /* EBADMSG: packet shorter than the header */
	MG_WIRE_E_OVERSIZE, /* EMSGSIZE: packet or declared payload above the cap */
	MG_WIRE_E_MAGIC,  /* EBADMSG: not "MGW1" */
	MG_WIRE_E_VERSION, /* EPROTONOSUPPORT: header or HELLO version is not 1 */
	MG_WIRE_E_LENGTH,   /* EBADMSG: packet length != header + payload length */
	MG_WIRE_E_FLAGS,    /* EBADMSG: an unknown flag or capability bit */
	MG_WIRE_E_SEQ,      /* EPROTO: sequence number 0 or not the next one */
	MG_WIRE_E_TYPE,     /* EBADMSG: type not in the table */
	MG_WIRE_E_SIZE,     /* EBADMSG: payload size outside the type's rule */
	MG_WIRE_E_LAYOUT,   /* EBADMSG: a string runs past the payload, or bytes are left */
	MG_WIRE_E_RANGE,    /* EBADMSG: a number or enum out of range */
	MG_WIRE_E_FIELD,    /* EBADMSG: a field this message must not have (or must have) */
	MG_WIRE_E_NUL,      /* EBADMSG: a NUL byte inside a string */
	MG_WIRE_E_PATH,     /* EBADMSG: a path that is not absolute */
	MG_WIRE_E_TOOLONG,  /* ENAMETOOLONG: path, component or text above its limit */
	MG_WIRE_E_NAME,     /* EBADMSG: a name that is not 1-43 of [A-Za-z0-9._-] */
	MG_WIRE_E_TEXT,     /* EBADMSG: helper text empty or not printable ASCII */
	MG_WIRE_E_COUNT,    /* E2BIG: more entries or fds than allowed */
	MG_WIRE_E_FDS,  /* EBADMSG: fds where none are allowed, or that do not add up */
	MG_WIRE_E_PHASE,    /* EPROTO: a message not allowed at this point */
	MG_WIRE_E_TOTAL,    /* E2BIG: the request (or reply) is above its byte cap */
	MG_WIRE_E_ORDER,    /* EPROTO: results out of order or not matching the request */
	MG_WIRE_E_RESULTS,  /* EPROTO: success claimed while a result says otherwise */
	MG_WIRE_E_EOF,      /* ECONNRESET: the peer closed the connection mid-exchange */
	MG_WIRE_E_TRUNC,    /* EMSGSIZE: the kernel truncated the packet (MSG_TRUNC) */
	MG_WIRE_E_CTRUNC,   /* E2BIG: more fds than a message may carry (MSG_CTRUNC) */
	MG_WIRE_E_CMSG,     /* EBADMSG: ancillary data other than SCM_RIGHTS */
	MG_WIRE_E_SOCKET,   /* EPROTOTYPE: not an AF_UNIX SOCK_SEQPACKET socket */
	MG_WIRE_E__MAX,
};

const char *mg_wire_why_name(enum mg_wire_why why);
const char *mg_wire_why_text(enum mg_wire_why why);
int mg_wire_why_errno(enum mg_wire_why why); /* positive errno, 0 for MG_WIRE_OK */
/* "HELLO", ...; "?" for a type not in the table. */
const char *mg_wire_type_name(uint16_t type);
/* How many fds may accompany a message of this type (0 for most). */
size_t mg_wire_type_max_fds(uint16_t type);

/* A byte string inside a packet: not NUL-terminated, any byte but NUL. */
struct mg_wire_bytes {
	const char *p;
	size_t len;
};

/* The payload of each message type (docs/protocol.md gives the layouts). */
struct mg_wire_p_hello {
	uint32_t version, caps;
};
struct mg_wire_p_hello_reply {
	uint32_t version, caps, max_entries, max_request_bytes;
	uint16_t max_fds, max_fds_msg;
	struct mg_wire_bytes helper;
};
struct mg_wire_p_request {
	uint32_t nentries;
	uint16_t nfds;
	uint8_t symlinks, flags;
	struct mg_wire_bytes root, preset, executable;
};
struct mg_wire_p_entry {
	uint8_t kind, type, create, flags;
	uint32_t mode, source_fd;
	struct mg_wire_bytes name, source, target, options;
};
struct mg_wire_p_fds {
	uint32_t n;
	uint32_t role[MG_WIRE_MAX_FDS_MSG];
};
struct mg_wire_p_result {
	uint32_t index, request_index;
	uint64_t mnt_id;
	uint32_t created;
	uint16_t status;
	uint8_t kind, type;
	struct mg_wire_bytes name, target, resolved, error;
};
struct mg_wire_p_done {
	uint16_t exit_code, flags;
	uint32_t nresults;
	struct mg_wire_bytes error;
};

/* One decoded packet. Strings point into the packet. */
struct mg_wire_msg {
	uint16_t type;
	uint32_t seq;
	union {
		struct mg_wire_p_hello hello;
		struct mg_wire_p_hello_reply hello_reply;
		struct mg_wire_p_request request;
		struct mg_wire_p_entry entry;
		struct mg_wire_p_fds fds;
		struct mg_wire_p_result result;
		struct mg_wire_p_done done;
	} u;
};

/* Decodes one packet: header, the table's size rule, and every rule that one
 * message alone can be checked against. Never reads outside buf[0..len).
 * Returns 0, or a negative errno with *why set (the first rule broken, in the
 * order docs/protocol.md gives). */
int mg_wire_decode(const void *buf, size_t len, struct mg_wire_msg *m, enum mg_wire_why *why);

/* Encodes `m` into buf (MG_WIRE_MAX_PACKET bytes are always enough) and
 * checks the result with mg_wire_decode(): what the decoder would refuse is
 * never sent. Returns 0 with *len set, or a negative errno with *why set. */
int mg_wire_encode(const struct mg_wire_msg *m, void *buf, size_t size, size_t *len,
		   enum mg_wire_why *why);

/* ---- plan <-> messages -------------------------------------------------- */

/* The fds of a request, in transmission order: fd index k on the wire is
 * fd[k]. On the client these are the caller's (never closed here); after
 * mg_wire_rx_feed()/mg_wire_recv_request() they are owned by this struct:
 * close them with mg_wire_fds_close() once the plan is no longer used (the
 * plan's entry->source_fd borrows them). */
struct mg_wire_fds {
	size_t n;
	int fd[MG_WIRE_MAX_FDS];
	enum mg_wire_fd_role role[MG_WIRE_MAX_FDS];
	uint32_t entry[MG_WIRE_MAX_FDS]; /* SOURCE: the plan entry it is the source of */
};

void mg_wire_fds_init(struct mg_wire_fds *f);
void mg_wire_fds_close(struct mg_wire_fds *f);
/* The ROOTFS fd, or -1. */
int mg_wire_fds_root(const struct mg_wire_fds *f);

/* What the helper said in HELLO_REPLY. */
struct mg_wire_hello_info {
	uint32_t max_entries, max_request_bytes;
	uint16_t max_fds, max_fds_msg;
	char helper[MG_WIRE_MAX_HELPER_TEXT + 1];
};

/* One entry's outcome. On the helper these point at its own strings
 * (borrowed); in struct mg_wire_results they are owned. */
struct mg_wire_result {
	uint32_t index;         /* position in the helper's plan: 0, 1, 2, ... */
	uint32_t request_index; /* the ENTRY it answers, or MG_WIRE_NO_INDEX when the
				 * helper added the entry (preset, executable) */
	enum mg_wire_status status;
	enum mg_kind kind;
	enum mg_fstype type; /* mounts only */
	uint32_t created;    /* path components created for the target */
	uint64_t mnt_id;     /* 0 when none */
	char *name, *target;
	char *resolved; /* in-root path used, NULL when unknown */
	char *error;    /* NULL when none */
};

struct mg_wire_done {
	int exit_code; /* enum mg_exit */
	bool verified;
	bool rollback_incomplete;
	char *error; /* NULL on success; else required */
};

struct mg_wire_results {
	struct mg_wire_result *res;
	size_t n, cap;
	struct mg_wire_done done;
};

void mg_wire_results_free(struct mg_wire_results *r);

/* Helper: the plan-derived fields of the result of plan->entries[i] (index,
 * request_index, kind, type, name, target; borrowed), the rest zero.
 * `nrequest` is how many entries the request had: they are the last ones of
 * the plan, behind what the preset and `executable` put in front. */
void mg_wire_result_from_plan(const struct mg_plan *plan, size_t nrequest, size_t i,
			      struct mg_wire_result *r);

/* Where encoded packets go: a socket (wire_io.c), a counter, or straight
 * into a receiver (tests). Returns 0 or a negative errno. */
typedef int (*mg_wire_emit_fn)(void *ctx, const void *pkt, size_t len, const int *fds,
			       size_t nfds);

/* Client: HELLO (sequence 1). */
int mg_wire_emit_hello(mg_wire_emit_fn emit, void *ctx, struct mg_error *err);
/* Client: REQUEST, ENTRY x n, FDS x k, COMMIT (sequence 2 onwards). `root` is
 * the rootfs path, NULL when `fds` has a ROOTFS fd. Refuses (MG_EXIT_USAGE)
 * what the helper would take for a protocol error, before emitting the packet
 * concerned; run it once with a counting emitter to refuse before anything
 * is sent. The plan's source_fd fields are not read: `fds` says which entry
 * uses which fd. */
int mg_wire_emit_request(const char *root, const struct mg_plan *plan,
			 const struct mg_wire_fds *fds, mg_wire_emit_fn emit, void *ctx,
			 struct mg_error *err);
/* Helper: HELLO_REPLY (sequence 1) with the protocol's limits. */
int mg_wire_emit_hello_reply(const char *helper, mg_wire_emit_fn emit, void *ctx,
			     struct mg_error *err);
/* Helper: RESULT x n, DONE (sequence 2 onwards); res[i].index must be i.
 * Error texts longer than MG_WIRE_MAX_TEXT are cut. */
int mg_wire_emit_results(const struct mg_wire_result *res, size_t n,
			 const struct mg_wire_done *done, mg_wire_emit_fn emit, void *ctx,
			 struct mg_error *err);

/* ---- the receiver --------------------------------------------------------- */

enum mg_wire_rx_role {
	MG_WIRE_RX_REQUEST,     /* helper: HELLO, REQUEST, ENTRY..., FDS..., COMMIT */
	MG_WIRE_RX_HELLO_REPLY, /* client: HELLO_REPLY */
	MG_WIRE_RX_RESULTS,     /* client: RESULT..., DONE (the helper's sequence 2 on) */
};

/* The receiving side of one exchange. Fields are private to wire.c. */
struct mg_wire_rx {
	enum mg_wire_rx_role role;
	int phase;
	uint32_t seq;   /* of the last message accepted */
	uint64_t total; /* bytes accepted */
	size_t cur_len; /* of the packet being fed, for messages */
	bool failed;
	/* MG_WIRE_RX_REQUEST */
	char **root;
	struct mg_plan *plan;
	struct mg_wire_fds *fds;
	uint32_t nentries, nfds;
	uint8_t rflags;
	uint32_t fd_user[MG_WIRE_MAX_FDS]; /* entry using fd k, or MG_WIRE_NO_INDEX */
	/* MG_WIRE_RX_HELLO_REPLY */
	struct mg_wire_hello_info *info;
	/* MG_WIRE_RX_RESULTS */
	struct mg_wire_results *results;
	size_t nrequest, next_request;
};

/* `plan` must be freshly initialised (mg_plan_init), `*root` NULL and `fds`
 * empty (mg_wire_fds_init). Whatever the outcome, the caller frees all three
 * (mg_plan_free, free, mg_wire_fds_close); on failure they hold a partial,
 * meaningless request. */
void mg_wire_rx_init_request(struct mg_wire_rx *rx, char **root, struct mg_plan *plan,
			     struct mg_wire_fds *fds);
void mg_wire_rx_init_hello_reply(struct mg_wire_rx *rx, struct mg_wire_hello_info *info);
/* `nrequest`: how many entries the request sent had. `out` must be zeroed. */
void mg_wire_rx_init_results(struct mg_wire_rx *rx, size_t nrequest, struct mg_wire_results *out);

/* Feeds one received packet and the fds that came with it; takes ownership
 * of the fds in every case (kept in the request's mg_wire_fds, or closed).
 * Returns:
 *   0        accepted (mg_wire_rx_complete() says whether the exchange is over);
 *   -EPROTO  a protocol error (err->err == EPROTO; err->msg names the message
 *            and the reason): the helper must not answer, only exit non-zero;
 *   -EINVAL  (helper, on COMMIT only) a well-formed request that the plan
 *            rules refuse, exactly as the INI front-end would (err->kind
 *            MG_EXIT_USAGE, entries named "<request>:N" for the Nth ENTRY):
 *            answer it with DONE, exit 2;
 *   -ENOMEM.
 * After a failure every further call fails. */
int mg_wire_rx_feed(struct mg_wire_rx *rx, const void *pkt, size_t len, int *fds, size_t nfds,
		    struct mg_error *err);
bool mg_wire_rx_complete(const struct mg_wire_rx *rx);
/* Records a failure found outside the decoder (the socket layer: EOF,
 * truncation, ancillary data) as a protocol error; returns -EPROTO. */
int mg_wire_rx_fail(struct mg_wire_rx *rx, enum mg_wire_why why, struct mg_error *err);

/* The name wire plans carry in plan->file and errors carry in err->file. */
#define MG_WIRE_PLAN_NAME "<request>"

#endif

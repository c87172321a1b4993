/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wire.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "mntopts.h"

/* The plan's enums travel as their numbers: pin them, so that reordering an
 * enum is a build failure rather than a silent protocol change. */
_Static_assert(MG_KIND_MOUNT == 0 && MG_KIND_MASK == 1 && MG_KIND_READONLY == 2 &&
		       MG_KIND_WRITABLE == 3 && MG_KIND__MAX == 4,
	       "enum mg_kind is on the wire");
_Static_assert(MG_FS_BIND == 0 && MG_FS_RBIND == 1 && MG_FS_PROC == 2 && MG_FS_SYSFS == 3 &&
		       MG_FS_TMPFS == 4 && MG_FS_DEVPTS == 5 && MG_FS_MQUEUE == 6 &&
		       MG_FS_CGROUP2 == 7 && MG_FS_DEV == 8 && MG_FS__MAX == 9,
	       "enum mg_fstype is on the wire");
_Static_assert(MG_CREATE_NO == 0 && MG_CREATE_DIR == 1 && MG_CREATE_FILE == 2,
	       "enum mg_create is on the wire");
_Static_assert(MG_SYMLINKS_IN_ROOT == 0 && MG_SYMLINKS_REFUSE == 1,
	       "enum mg_symlinks is on the wire");
_Static_assert(MG_EXIT_OK == 0 && MG_EXIT_ROLLBACK == 4, "enum mg_exit is on the wire");
_Static_assert(MG_NAME_MAX == 43 && PATH_MAX == 4096, "docs/protocol.md states these limits");

/* ---- reasons -------------------------------------------------------------- */

static const struct {
	const char *name;
	int err;
	const char *err_name;
	const char *text;
} whys[MG_WIRE_E__MAX] = {
#define W(id, word, e, text) [id] = { word, e, #e, text }
	W(MG_WIRE_OK, "ok", 0, "no error"),
	W(MG_WIRE_E_SHORT, "short", EBADMSG, "packet shorter than the 20-byte header"),
	W(MG_WIRE_E_OVERSIZE, "oversize", EMSGSIZE, "packet larger than the protocol allows"),
	W(MG_WIRE_E_MAGIC, "magic", EBADMSG, "bad magic (not \"MGW1\")"),
	W(MG_WIRE_E_VERSION, "version", EPROTONOSUPPORT, "unsupported protocol version"),
	W(MG_WIRE_E_LENGTH, "length", EBADMSG, "payload length does not match the packet"),
	W(MG_WIRE_E_FLAGS, "flags", EBADMSG, "unknown flag or capability bits"),
	W(MG_WIRE_E_SEQ, "seq", EPROTO, "wrong sequence number"),
	W(MG_WIRE_E_TYPE, "type", EBADMSG, "unknown message type"),
	W(MG_WIRE_E_SIZE, "size", EBADMSG, "payload size not allowed for this type"),
	W(MG_WIRE_E_LAYOUT, "layout", EBADMSG, "payload fields do not add up to its length"),
	W(MG_WIRE_E_RANGE, "range", EBADMSG, "a value is out of range"),
	W(MG_WIRE_E_FIELD, "field", EBADMSG, "a field is present that must be absent, or missing"),
	W(MG_WIRE_E_NUL, "nul", EBADMSG, "a string contains a NUL byte"),
	W(MG_WIRE_E_PATH, "path", EBADMSG, "a path is not absolute"),
	W(MG_WIRE_E_TOOLONG, "toolong", ENAMETOOLONG, "a path, component or text is too long"),
	W(MG_WIRE_E_NAME, "name", EBADMSG, "a name is not 1-43 characters of [A-Za-z0-9._-]"),
	W(MG_WIRE_E_TEXT, "text", EBADMSG, "helper text is empty or not printable ASCII"),
	W(MG_WIRE_E_COUNT, "count", E2BIG, "more entries or fds than allowed"),
	W(MG_WIRE_E_FDS, "fds", EBADMSG, "fds do not match what the request says"),
	W(MG_WIRE_E_PHASE, "phase", EPROTO, "message not allowed at this point"),
	W(MG_WIRE_E_TOTAL, "total", E2BIG, "exchange larger than its byte limit"),
	W(MG_WIRE_E_ORDER, "order", EPROTO, "results out of order or not matching the request"),
	W(MG_WIRE_E_RESULTS, "results", EPROTO, "success claimed but a result says otherwise"),
	W(MG_WIRE_E_EOF, "eof", ECONNRESET, "the peer closed the connection"),
	W(MG_WIRE_E_TRUNC, "trunc", EMSGSIZE, "packet truncated by the kernel"),
	W(MG_WIRE_E_CTRUNC, "ctrunc", E2BIG, "more fds than a message may carry"),
	W(MG_WIRE_E_CMSG, "cmsg", EBADMSG, "unexpected ancillary data"),
	W(MG_WIRE_E_SOCKET, "socket", EPROTOTYPE, "not an AF_UNIX SOCK_SEQPACKET socket"),
#undef W
};

const char *mg_wire_why_name(enum mg_wire_why why)
{
	return (unsigned)why < MG_WIRE_E__MAX ? whys[why].name : "?";
}

const char *mg_wire_why_text(enum mg_wire_why why)
{
	return (unsigned)why < MG_WIRE_E__MAX ? whys[why].text : "?";
}

int mg_wire_why_errno(enum mg_wire_why why)
{
	return (unsigned)why < MG_WIRE_E__MAX ? whys[why].err : EPROTO;
}

/* ---- bytes in and out ------------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool bad; /* read past the end: the payload layout is wrong */
};

static uint64_t rd_le(struct rd *r, size_t n)
{
	uint64_t v = 0;
	if (r->bad || r->len - r->pos < n) {
		r->bad = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->pos + i] << (8 * i);
	r->pos += n;
	return v;
}

static uint8_t rd_u8(struct rd *r)
{
	return (uint8_t)rd_le(r, 1);
}

static uint16_t rd_u16(struct rd *r)
{
	return (uint16_t)rd_le(r, 2);
}

static uint32_t rd_u32(struct rd *r)
{
	return (uint32_t)rd_le(r, 4);
}

static uint64_t rd_u64(struct rd *r)
{
	return rd_le(r, 8);
}

/* A u16 length, then that many bytes. */
static struct mg_wire_bytes rd_str(struct rd *r)
{
	struct mg_wire_bytes b = { "", 0 };
	size_t n = rd_u16(r);
	if (r->bad || r->len - r->pos < n) {
		r->bad = true;
		return b;
	}
	b.p = (const char *)r->p + r->pos;
	b.len = n;
	r->pos += n;
	return b;
}

/* Every byte read, none left over. */
static bool rd_exact(const struct rd *r)
{
	return !r->bad && r->pos == r->len;
}

struct wr {
	uint8_t *p;
	size_t size, len;
	enum mg_wire_why why; /* first problem: OVERSIZE (no room) or TOOLONG (> u16) */
};

static void wr_le(struct wr *w, uint64_t v, size_t n)
{
	if (w->why)
		return;
	if (w->size - w->len < n) {
		w->why = MG_WIRE_E_OVERSIZE;
		return;
	}
	for (size_t i = 0; i < n; i++)
		w->p[w->len + i] = (uint8_t)(v >> (8 * i));
	w->len += n;
}

static void wr_str(struct wr *w, struct mg_wire_bytes b)
{
	if (b.len > UINT16_MAX && !w->why)
		w->why = MG_WIRE_E_TOOLONG;
	wr_le(w, b.len, 2);
	if (w->why)
		return;
	if (w->size - w->len < b.len) {
		w->why = MG_WIRE_E_OVERSIZE;
		return;
	}
	if (b.len)
		memcpy(w->p + w->len, b.p, b.len);
	w->len += b.len;
}

static struct mg_wire_bytes bytes_of(const char *s)
{
	struct mg_wire_bytes b = { s ? s : "", s ? strlen(s) : 0 };
	return b;
}

static char *dup_bytes(struct mg_wire_bytes b)
{
	char *s = malloc(b.len + 1);
	if (!s)
		return NULL;
	if (b.len)
		memcpy(s, b.p, b.len);
	s[b.len] = '\0';
	return s;
}

/* ---- field rules ----------------------------------------------------------- */

static bool has_nul(struct mg_wire_bytes b)
{
	return b.len && memchr(b.p, '\0', b.len);
}

/* The rules of INI paths (mg_path_check), with the reasons told apart. */
static enum mg_wire_why check_path(struct mg_wire_bytes b, bool required)
{
	const char *why;
	if (b.len == 0)
		return required ? MG_WIRE_E_FIELD : MG_WIRE_OK;
	if (has_nul(b))
		return MG_WIRE_E_NUL;
	if (b.len >= PATH_MAX)
		return MG_WIRE_E_TOOLONG;
	int r = mg_path_check(b.p, b.len, &why);
	return r == 0 ? MG_WIRE_OK : r == -ENAMETOOLONG ? MG_WIRE_E_TOOLONG : MG_WIRE_E_PATH;
}

/* Entry and preset names: what the INI front-end takes in [mount NAME]. */
static enum mg_wire_why check_name(struct mg_wire_bytes b, bool required)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	if (b.len == 0)
		return required ? MG_WIRE_E_NAME : MG_WIRE_OK;
	if (has_nul(b))
		return MG_WIRE_E_NUL;
	if (b.len > MG_NAME_MAX)
		return MG_WIRE_E_NAME;
	for (size_t i = 0; i < b.len; i++)
		if (!strchr(ok, b.p[i]))
			return MG_WIRE_E_NAME;
	return MG_WIRE_OK;
}

static enum mg_wire_why check_text(struct mg_wire_bytes b, size_t max)
{
	if (has_nul(b))
		return MG_WIRE_E_NUL;
	return b.len > max ? MG_WIRE_E_TOOLONG : MG_WIRE_OK;
}

/* Runs checks in order and returns the first failure. */
#define CHECK(expr)                                \
	do {                                       \
		enum mg_wire_why why_ = (expr);    \
		if (why_ != MG_WIRE_OK)            \
			return why_;               \
	} while (0)
#define REQUIRE(cond, why)          \
	do {                        \
		if (!(cond))        \
			return why; \
	} while (0)

/* ---- the message types: decode (read every field, then check them in
 * order) and encode --------------------------------------------------------- */

static enum mg_wire_why dec_hello(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_hello *p = &m->u.hello;
	p->version = rd_u32(r);
	p->caps = rd_u32(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->version == MG_WIRE_VERSION, MG_WIRE_E_VERSION);
	REQUIRE(p->caps == 0, MG_WIRE_E_FLAGS);
	return MG_WIRE_OK;
}

static void enc_hello(struct wr *w, const struct mg_wire_msg *m)
{
	wr_le(w, m->u.hello.version, 4);
	wr_le(w, m->u.hello.caps, 4);
}

static enum mg_wire_why dec_hello_reply(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_hello_reply *p = &m->u.hello_reply;
	p->version = rd_u32(r);
	p->caps = rd_u32(r);
	p->max_entries = rd_u32(r);
	p->max_request_bytes = rd_u32(r);
	p->max_fds = rd_u16(r);
	p->max_fds_msg = rd_u16(r);
	p->helper = rd_str(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->version == MG_WIRE_VERSION, MG_WIRE_E_VERSION);
	REQUIRE(p->caps == 0, MG_WIRE_E_FLAGS);
	REQUIRE(p->max_entries >= 1 && p->max_entries <= MG_WIRE_MAX_ENTRIES, MG_WIRE_E_RANGE);
	REQUIRE(p->max_request_bytes >= 1 && p->max_request_bytes <= MG_WIRE_MAX_REQUEST_BYTES,
		MG_WIRE_E_RANGE);
	REQUIRE(p->max_fds <= MG_WIRE_MAX_FDS, MG_WIRE_E_RANGE);
	REQUIRE(p->max_fds_msg >= 1 && p->max_fds_msg <= MG_WIRE_MAX_FDS_MSG, MG_WIRE_E_RANGE);
	REQUIRE(p->helper.len > 0, MG_WIRE_E_TEXT);
	CHECK(check_text(p->helper, MG_WIRE_MAX_HELPER_TEXT));
	for (size_t i = 0; i < p->helper.len; i++)
		REQUIRE(p->helper.p[i] >= 0x20 && p->helper.p[i] < 0x7f, MG_WIRE_E_TEXT);
	return MG_WIRE_OK;
}

static void enc_hello_reply(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_hello_reply *p = &m->u.hello_reply;
	wr_le(w, p->version, 4);
	wr_le(w, p->caps, 4);
	wr_le(w, p->max_entries, 4);
	wr_le(w, p->max_request_bytes, 4);
	wr_le(w, p->max_fds, 2);
	wr_le(w, p->max_fds_msg, 2);
	wr_str(w, p->helper);
}

static enum mg_wire_why dec_request(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_request *p = &m->u.request;
	p->nentries = rd_u32(r);
	p->nfds = rd_u16(r);
	p->symlinks = rd_u8(r);
	p->flags = rd_u8(r);
	p->root = rd_str(r);
	p->preset = rd_str(r);
	p->executable = rd_str(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->nentries <= MG_WIRE_MAX_ENTRIES, MG_WIRE_E_COUNT);
	REQUIRE(p->nfds <= MG_WIRE_MAX_FDS, MG_WIRE_E_COUNT);
	REQUIRE(p->symlinks <= MG_SYMLINKS_REFUSE, MG_WIRE_E_RANGE);
	REQUIRE((p->flags & ~MG_WIRE_REQ_ROOTFS_FD) == 0, MG_WIRE_E_FLAGS);
	if (p->flags & MG_WIRE_REQ_ROOTFS_FD) {
		/* One source of truth for the rootfs: the fd, or the path. */
		REQUIRE(p->nfds >= 1, MG_WIRE_E_FDS);
		REQUIRE(p->root.len == 0, MG_WIRE_E_FIELD);
	} else {
		CHECK(check_path(p->root, true));
	}
	CHECK(check_name(p->preset, false));
	CHECK(check_path(p->executable, false));
	return MG_WIRE_OK;
}

static void enc_request(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_request *p = &m->u.request;
	wr_le(w, p->nentries, 4);
	wr_le(w, p->nfds, 2);
	wr_le(w, p->symlinks, 1);
	wr_le(w, p->flags, 1);
	wr_str(w, p->root);
	wr_str(w, p->preset);
	wr_str(w, p->executable);
}

static enum mg_wire_why dec_entry(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_entry *p = &m->u.entry;
	p->kind = rd_u8(r);
	p->type = rd_u8(r);
	p->create = rd_u8(r);
	p->flags = rd_u8(r);
	p->mode = rd_u32(r);
	p->source_fd = rd_u32(r);
	p->name = rd_str(r);
	p->source = rd_str(r);
	p->target = rd_str(r);
	p->options = rd_str(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->kind < MG_KIND__MAX, MG_WIRE_E_RANGE);
	REQUIRE(p->type < MG_FS__MAX, MG_WIRE_E_RANGE);
	REQUIRE(p->create <= MG_CREATE_FILE, MG_WIRE_E_RANGE);
	REQUIRE((p->flags & ~MG_WIRE_ENTRY_SOURCE_FD) == 0, MG_WIRE_E_FLAGS);
	REQUIRE(p->mode <= 07777, MG_WIRE_E_RANGE);
	REQUIRE(p->source_fd < MG_WIRE_MAX_FDS, MG_WIRE_E_RANGE);
	if (p->kind != MG_KIND_MOUNT) {
		/* A mask, read-only or writable path is a target and nothing else. */
		REQUIRE(p->type == 0 && p->create == 0 && p->flags == 0 && p->mode == 0 &&
				p->source_fd == 0 && p->name.len == 0 && p->source.len == 0 &&
				p->options.len == 0,
			MG_WIRE_E_FIELD);
		return check_path(p->target, true);
	}
	/* The INI front-end's default mode is not sent: an explicit one only
	 * means something for a target that is created. */
	REQUIRE(p->create != MG_CREATE_NO || p->mode == 0, MG_WIRE_E_FIELD);
	if (p->flags & MG_WIRE_ENTRY_SOURCE_FD)
		REQUIRE(p->source.len == 0, MG_WIRE_E_FIELD);
	else
		REQUIRE(p->source_fd == 0, MG_WIRE_E_FIELD);
	CHECK(check_name(p->name, true));
	CHECK(check_path(p->source, false));
	CHECK(check_path(p->target, true));
	return check_text(p->options, MG_WIRE_MAX_OPTIONS);
}

static void enc_entry(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_entry *p = &m->u.entry;
	wr_le(w, p->kind, 1);
	wr_le(w, p->type, 1);
	wr_le(w, p->create, 1);
	wr_le(w, p->flags, 1);
	wr_le(w, p->mode, 4);
	wr_le(w, p->source_fd, 4);
	wr_str(w, p->name);
	wr_str(w, p->source);
	wr_str(w, p->target);
	wr_str(w, p->options);
}

static enum mg_wire_why dec_fds(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_fds *p = &m->u.fds;
	p->n = rd_u32(r);
	/* The count bounds the reads below: check it before trusting it. */
	REQUIRE(p->n <= MG_WIRE_MAX_FDS_MSG, MG_WIRE_E_COUNT);
	for (uint32_t i = 0; i < p->n; i++)
		p->role[i] = rd_u32(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	for (uint32_t i = 0; i < p->n; i++)
		REQUIRE(p->role[i] == MG_WIRE_FD_ROOTFS || p->role[i] == MG_WIRE_FD_SOURCE,
			MG_WIRE_E_RANGE);
	return MG_WIRE_OK;
}

static void enc_fds(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_fds *p = &m->u.fds;
	wr_le(w, p->n, 4);
	for (uint32_t i = 0; i < p->n && i < MG_WIRE_MAX_FDS_MSG; i++)
		wr_le(w, p->role[i], 4);
}

static enum mg_wire_why dec_empty(struct rd *r, struct mg_wire_msg *m)
{
	(void)m;
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	return MG_WIRE_OK;
}

static void enc_empty(struct wr *w, const struct mg_wire_msg *m)
{
	(void)w;
	(void)m;
}

static enum mg_wire_why dec_result(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_result *p = &m->u.result;
	p->index = rd_u32(r);
	p->request_index = rd_u32(r);
	p->mnt_id = rd_u64(r);
	p->created = rd_u32(r);
	p->status = rd_u16(r);
	p->kind = rd_u8(r);
	p->type = rd_u8(r);
	p->name = rd_str(r);
	p->target = rd_str(r);
	p->resolved = rd_str(r);
	p->error = rd_str(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->index < MG_WIRE_MAX_ENTRIES, MG_WIRE_E_RANGE);
	REQUIRE(p->request_index < MG_WIRE_MAX_ENTRIES || p->request_index == MG_WIRE_NO_INDEX,
		MG_WIRE_E_RANGE);
	REQUIRE(p->status < MG_WIRE_ST__MAX, MG_WIRE_E_RANGE);
	REQUIRE(p->kind < MG_KIND__MAX, MG_WIRE_E_RANGE);
	REQUIRE(p->type < MG_FS__MAX, MG_WIRE_E_RANGE);
	REQUIRE(p->kind == MG_KIND_MOUNT || p->type == 0, MG_WIRE_E_FIELD);
	CHECK(check_name(p->name, true));
	CHECK(check_path(p->target, true));
	CHECK(check_path(p->resolved, false));
	return check_text(p->error, MG_WIRE_MAX_TEXT);
}

static void enc_result(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_result *p = &m->u.result;
	wr_le(w, p->index, 4);
	wr_le(w, p->request_index, 4);
	wr_le(w, p->mnt_id, 8);
	wr_le(w, p->created, 4);
	wr_le(w, p->status, 2);
	wr_le(w, p->kind, 1);
	wr_le(w, p->type, 1);
	wr_str(w, p->name);
	wr_str(w, p->target);
	wr_str(w, p->resolved);
	wr_str(w, p->error);
}

static enum mg_wire_why dec_done(struct rd *r, struct mg_wire_msg *m)
{
	struct mg_wire_p_done *p = &m->u.done;
	const unsigned known = MG_WIRE_DONE_VERIFIED | MG_WIRE_DONE_ROLLBACK_INCOMPLETE;
	p->exit_code = rd_u16(r);
	p->flags = rd_u16(r);
	p->nresults = rd_u32(r);
	p->error = rd_str(r);
	REQUIRE(rd_exact(r), MG_WIRE_E_LAYOUT);
	REQUIRE(p->exit_code <= MG_EXIT_ROLLBACK, MG_WIRE_E_RANGE);
	REQUIRE((p->flags & ~known) == 0, MG_WIRE_E_FLAGS);
	REQUIRE(p->nresults <= MG_WIRE_MAX_ENTRIES, MG_WIRE_E_COUNT);
	CHECK(check_text(p->error, MG_WIRE_MAX_TEXT));
	/* Success is one exact shape, so that nothing else can pass for it. */
	bool verified = p->flags & MG_WIRE_DONE_VERIFIED;
	bool incomplete = p->flags & MG_WIRE_DONE_ROLLBACK_INCOMPLETE;
	if (p->exit_code == MG_EXIT_OK)
		REQUIRE(verified && !incomplete && p->error.len == 0, MG_WIRE_E_FIELD);
	else
		REQUIRE(p->error.len > 0, MG_WIRE_E_FIELD);
	REQUIRE(incomplete == (p->exit_code == MG_EXIT_ROLLBACK), MG_WIRE_E_FIELD);
	return MG_WIRE_OK;
}

static void enc_done(struct wr *w, const struct mg_wire_msg *m)
{
	const struct mg_wire_p_done *p = &m->u.done;
	wr_le(w, p->exit_code, 2);
	wr_le(w, p->flags, 2);
	wr_le(w, p->nresults, 4);
	wr_str(w, p->error);
}

/* ---- the table ------------------------------------------------------------- */

/* Receiver phases. The helper goes HELLO, REQUEST, ENTRY (n times), FDS
 * (until the announced fds are in), COMMIT; the client HELLO_REPLY, then
 * RESULTS (RESULT..., DONE). */
enum phase {
	PH_HELLO,
	PH_REQUEST,
	PH_ENTRY,
	PH_FDS,
	PH_COMMIT,
	PH_HELLO_REPLY,
	PH_RESULTS,
	PH_END,
};
#define PH(p) (1u << (p))

typedef int handler_fn(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		       struct mg_error *err);
static handler_fn h_hello, h_request, h_entry, h_fds, h_commit, h_hello_reply, h_result, h_done;

/* Largest payloads: the fixed part plus the longest strings (paths
 * PATH_MAX-1 bytes, names MG_NAME_MAX). */
#define PATH_BYTES (PATH_MAX - 1)
#define HELLO_REPLY_MAX (22 + MG_WIRE_MAX_HELPER_TEXT)
#define REQUEST_MAX (14 + 2 * PATH_BYTES + MG_NAME_MAX)
#define ENTRY_MAX (20 + MG_NAME_MAX + 2 * PATH_BYTES + MG_WIRE_MAX_OPTIONS)
#define FDS_MAX (4 + 4 * MG_WIRE_MAX_FDS_MSG)
#define RESULT_MAX (32 + MG_NAME_MAX + 2 * PATH_BYTES + MG_WIRE_MAX_TEXT)
#define DONE_MAX (10 + MG_WIRE_MAX_TEXT)

/* The whole protocol: who may send what when, how big, with how many fds. */
static const struct msg_rule {
	uint16_t type;
	const char *name;
	unsigned phases;   /* PH() bits: where the receiver accepts it */
	uint32_t min, max; /* payload bytes */
	unsigned max_fds;
	enum mg_wire_why (*decode)(struct rd *r, struct mg_wire_msg *m);
	void (*encode)(struct wr *w, const struct mg_wire_msg *m);
	handler_fn *handle;
} rules[] = {
	/* client -> helper */
	{ MG_WIRE_HELLO, "HELLO", PH(PH_HELLO), 8, 8, 0, dec_hello, enc_hello, h_hello },
	{ MG_WIRE_REQUEST, "REQUEST", PH(PH_REQUEST), 14, REQUEST_MAX, 0, dec_request, enc_request,
	  h_request },
	{ MG_WIRE_ENTRY, "ENTRY", PH(PH_ENTRY), 20, ENTRY_MAX, 0, dec_entry, enc_entry, h_entry },
	{ MG_WIRE_FDS, "FDS", PH(PH_FDS), 8, FDS_MAX, MG_WIRE_MAX_FDS_MSG, dec_fds, enc_fds, h_fds },
	{ MG_WIRE_COMMIT, "COMMIT", PH(PH_COMMIT), 0, 0, 0, dec_empty, enc_empty, h_commit },
	/* helper -> client */
	{ MG_WIRE_HELLO_REPLY, "HELLO_REPLY", PH(PH_HELLO_REPLY), 23, HELLO_REPLY_MAX, 0,
	  dec_hello_reply, enc_hello_reply, h_hello_reply },
	{ MG_WIRE_RESULT, "RESULT", PH(PH_RESULTS), 32, RESULT_MAX, 0, dec_result, enc_result,
	  h_result },
	{ MG_WIRE_DONE, "DONE", PH(PH_RESULTS), 10, DONE_MAX, 0, dec_done, enc_done, h_done },
};

_Static_assert(REQUEST_MAX <= MG_WIRE_MAX_PAYLOAD && ENTRY_MAX <= MG_WIRE_MAX_PAYLOAD &&
		       RESULT_MAX <= MG_WIRE_MAX_PAYLOAD,
	       "every message fits the payload cap");
_Static_assert(MG_WIRE_MAX_FDS_MSG <= 253, "SCM_MAX_FD: the kernel's cap per message");

static const struct msg_rule *rule_of(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].type == type)
			return &rules[i];
	return NULL;
}

const char *mg_wire_type_name(uint16_t type)
{
	const struct msg_rule *t = rule_of(type);
	return t ? t->name : "?";
}

size_t mg_wire_type_max_fds(uint16_t type)
{
	const struct msg_rule *t = rule_of(type);
	return t ? t->max_fds : 0;
}

/* ---- one packet ------------------------------------------------------------ */

static enum mg_wire_why decode(const uint8_t *pkt, size_t len, struct mg_wire_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < MG_WIRE_HEADER_SIZE)
		return MG_WIRE_E_SHORT;
	if (len > MG_WIRE_MAX_PACKET)
		return MG_WIRE_E_OVERSIZE;
	struct rd h = { pkt, MG_WIRE_HEADER_SIZE, 0, false };
	uint32_t magic = rd_u32(&h);
	uint16_t version = rd_u16(&h);
	m->type = rd_u16(&h);
	uint32_t flags = rd_u32(&h);
	m->seq = rd_u32(&h);
	uint32_t plen = rd_u32(&h);
	REQUIRE(magic == MG_WIRE_MAGIC, MG_WIRE_E_MAGIC);
	REQUIRE(version == MG_WIRE_VERSION, MG_WIRE_E_VERSION);
	REQUIRE(plen <= MG_WIRE_MAX_PAYLOAD, MG_WIRE_E_OVERSIZE);
	REQUIRE(plen == len - MG_WIRE_HEADER_SIZE, MG_WIRE_E_LENGTH);
	REQUIRE(flags == 0, MG_WIRE_E_FLAGS);
	REQUIRE(m->seq != 0, MG_WIRE_E_SEQ);
	const struct msg_rule *t = rule_of(m->type);
	REQUIRE(t, MG_WIRE_E_TYPE);
	REQUIRE(plen >= t->min && plen <= t->max, MG_WIRE_E_SIZE);
	struct rd r = { pkt + MG_WIRE_HEADER_SIZE, plen, 0, false };
	return t->decode(&r, m);
}

int mg_wire_decode(const void *buf, size_t len, struct mg_wire_msg *m, enum mg_wire_why *why)
{
	*why = decode(buf, len, m);
	return -mg_wire_why_errno(*why);
}

int mg_wire_encode(const struct mg_wire_msg *m, void *buf, size_t size, size_t *len,
		   enum mg_wire_why *why)
{
	const struct msg_rule *t = rule_of(m->type);
	struct wr w = { buf, size, MG_WIRE_HEADER_SIZE, MG_WIRE_OK };
	struct mg_wire_msg check;

	*len = 0;
	*why = !t ? MG_WIRE_E_TYPE : size < MG_WIRE_HEADER_SIZE ? MG_WIRE_E_OVERSIZE : MG_WIRE_OK;
	if (*why)
		return -mg_wire_why_errno(*why);
	t->encode(&w, m);
	if (!w.why && w.len - MG_WIRE_HEADER_SIZE > MG_WIRE_MAX_PAYLOAD)
		w.why = MG_WIRE_E_OVERSIZE;
	*why = w.why;
	if (*why)
		return -mg_wire_why_errno(*why);
	size_t plen = w.len - MG_WIRE_HEADER_SIZE, end = w.len;
	w.len = 0;
	wr_le(&w, MG_WIRE_MAGIC, 4);
	wr_le(&w, MG_WIRE_VERSION, 2);
	wr_le(&w, m->type, 2);
	wr_le(&w, 0, 4); /* flags: none defined */
	wr_le(&w, m->seq, 4);
	wr_le(&w, plen, 4);
	int r = mg_wire_decode(buf, end, &check, why);
	if (r == 0)
		*len = end;
	return r;
}

/* ---- fds, results ---------------------------------------------------------- */

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

void mg_wire_fds_init(struct mg_wire_fds *f)
{
	memset(f, 0, sizeof(*f));
}

void mg_wire_fds_close(struct mg_wire_fds *f)
{
	close_fds(f->fd, f->n);
	mg_wire_fds_init(f);
}

int mg_wire_fds_root(const struct mg_wire_fds *f)
{
	for (size_t k = 0; k < f->n; k++)
		if (f->role[k] == MG_WIRE_FD_ROOTFS)
			return f->fd[k];
	return -1;
}

static void result_free(struct mg_wire_result *r)
{
	free(r->name);
	free(r->target);
	free(r->resolved);
	free(r->error);
}

void mg_wire_results_free(struct mg_wire_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		result_free(&r->res[i]);
	free(r->res);
	free(r->done.error);
	memset(r, 0, sizeof(*r));
}

void mg_wire_result_from_plan(const struct mg_plan *plan, size_t nrequest, size_t i,
			      struct mg_wire_result *r)
{
	const struct mg_entry *e = &plan->entries[i];
	size_t first = nrequest <= plan->n ? plan->n - nrequest : 0;
	memset(r, 0, sizeof(*r));
	r->index = (uint32_t)i;
	r->request_index = i >= first ? (uint32_t)(i - first) : MG_WIRE_NO_INDEX;
	r->status = MG_WIRE_ST_NOT_REACHED;
	r->kind = e->kind;
	r->type = e->kind == MG_KIND_MOUNT ? e->type : MG_FS_BIND;
	r->name = e->name;
	r->target = e->target;
}

/* ---- sending: plan -> messages ------------------------------------------- */

struct tx {
	mg_wire_emit_fn emit;
	void *ctx;
	uint32_t seq;
	uint64_t total, cap;
	enum mg_exit kind; /* for encoding failures: USAGE on the client, FAILED on the helper */
	uint8_t *buf;
};

static int tx_init(struct tx *t, mg_wire_emit_fn emit, void *ctx, uint32_t seq, uint64_t total,
		   uint64_t cap, enum mg_exit kind, struct mg_error *err)
{
	*t = (struct tx){ emit, ctx, seq, total, cap, kind, malloc(MG_WIRE_MAX_PACKET) };
	return t->buf ? 0 : mg_fail(err, kind, MG_STAGE_SETUP, ENOMEM, "out of memory");
}

/* Encodes m with the next sequence number and hands it to the emitter. */
static int tx_send(struct tx *t, struct mg_wire_msg *m, const int *fds, size_t nfds,
		   struct mg_error *err)
{
	enum mg_wire_why why;
	size_t len;
	m->seq = t->seq + 1;
	int r = mg_wire_encode(m, t->buf, MG_WIRE_MAX_PACKET, &len, &why);
	if (r < 0)
		return mg_fail(err, t->kind, MG_STAGE_CONFIG, -r, "cannot encode %s: %s",
			       mg_wire_type_name(m->type), mg_wire_why_text(why));
	if (len > t->cap - t->total)
		return mg_fail(err, t->kind, MG_STAGE_CONFIG, E2BIG,
			       "the exchange would be larger than %llu bytes",
			       (unsigned long long)t->cap);
	r = t->emit(t->ctx, t->buf, len, fds, nfds);
	if (r < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, -r, "cannot send %s",
			       mg_wire_type_name(m->type));
	t->seq++;
	t->total += len;
	return 0;
}

int mg_wire_emit_hello(mg_wire_emit_fn emit, void *ctx, struct mg_error *err)
{
	struct mg_wire_msg m = { .type = MG_WIRE_HELLO };
	struct tx t;
	int r = tx_init(&t, emit, ctx, 0, 0, MG_WIRE_MAX_REQUEST_BYTES, MG_EXIT_USAGE, err);
	if (r < 0)
		return r;
	m.u.hello.version = MG_WIRE_VERSION;
	r = tx_send(&t, &m, NULL, 0, err);
	free(t.buf);
	return r;
}

int mg_wire_emit_hello_reply(const char *helper, mg_wire_emit_fn emit, void *ctx,
			     struct mg_error *err)
{
	struct mg_wire_msg m = { .type = MG_WIRE_HELLO_REPLY };
	struct mg_wire_p_hello_reply *p = &m.u.hello_reply;
	struct tx t;
	int r = tx_init(&t, emit, ctx, 0, 0, MG_WIRE_MAX_REPLY_BYTES, MG_EXIT_FAILED, err);
	if (r < 0)
		return r;
	p->version = MG_WIRE_VERSION;
	p->max_entries = MG_WIRE_MAX_ENTRIES;
	p->max_request_bytes = MG_WIRE_MAX_REQUEST_BYTES;
	p->max_fds = MG_WIRE_MAX_FDS;
	p->max_fds_msg = MG_WIRE_MAX_FDS_MSG;
	p->helper = bytes_of(helper);
	r = tx_send(&t, &m, NULL, 0, err);
	free(t.buf);
	return r;
}

/* Checks the fd table a client hands over and maps each entry to the index
 * of its source fd (MG_WIRE_NO_INDEX: none). */
static int map_fds(const char *root, const struct mg_plan *plan, const struct mg_wire_fds *fds,
		   uint32_t *fd_of, struct mg_error *err)
{
	size_t roots = 0;
	for (size_t i = 0; i < plan->n; i++)
		fd_of[i] = MG_WIRE_NO_INDEX;
	if (fds->n > MG_WIRE_MAX_FDS)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, E2BIG,
			       "%zu fds; a request carries at most %d", fds->n, MG_WIRE_MAX_FDS);
	for (size_t k = 0; k < fds->n; k++) {
		if (fds->fd[k] < 0)
			return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, EBADF, "fd %zu is %d",
				       k, fds->fd[k]);
		if (fds->role[k] == MG_WIRE_FD_ROOTFS) {
			roots++;
			continue;
		}
		if (fds->role[k] != MG_WIRE_FD_SOURCE)
			return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "fd %zu has no role",
				       k);
		size_t i = fds->entry[k];
		if (i >= plan->n)
			return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
				       "fd %zu is the source of entry %zu; the plan has %zu", k, i,
				       plan->n);
		const struct mg_entry *e = &plan->entries[i];
		if (e->kind != MG_KIND_MOUNT || e->source || fd_of[i] != MG_WIRE_NO_INDEX) {
			int r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
					"fd %zu cannot be the source of this entry (it %s)", k,
					e->kind != MG_KIND_MOUNT ? "is not a mount"
					: e->source		 ? "has a source path"
								 : "has another source fd");
			mg_error_set_entry(err, MG_WIRE_PLAN_NAME, (unsigned)i + 1, e->name);
			return r;
		}
		fd_of[i] = (uint32_t)k;
	}
	if (roots > 1 || (roots == 1) == (root != NULL))
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
			       "give the rootfs as a path or as one ROOTFS fd, not %s",
			       roots ? "both (or several fds)" : "neither");
	return 0;
}

static int entry_msg(const struct mg_entry *e, uint32_t fd_index, struct mg_wire_msg *m)
{
	struct mg_wire_p_entry *p = &m->u.entry;
	memset(m, 0, sizeof(*m));
	m->type = MG_WIRE_ENTRY;
	/* Out-of-range enums must not wrap into valid ones through the casts. */
	if ((unsigned)e->kind >= MG_KIND__MAX || (unsigned)e->type >= MG_FS__MAX ||
	    (unsigned)e->create > MG_CREATE_FILE)
		return -ERANGE;
	p->kind = (uint8_t)e->kind;
	p->target = bytes_of(e->target);
	if (e->kind != MG_KIND_MOUNT)
		return 0;
	p->type = (uint8_t)e->type;
	p->create = (uint8_t)e->create;
	p->mode = e->create == MG_CREATE_NO ? 0 : (uint32_t)e->mode;
	p->name = bytes_of(e->name);
	if (fd_index != MG_WIRE_NO_INDEX) {
		p->flags = MG_WIRE_ENTRY_SOURCE_FD;
		p->source_fd = fd_index;
	} else {
		p->source = bytes_of(e->source);
	}
	p->options = bytes_of(e->options_text);
	return 0;
}

int mg_wire_emit_request(const char *root, const struct mg_plan *plan,
			 const struct mg_wire_fds *fds, mg_wire_emit_fn emit, void *ctx,
			 struct mg_error *err)
{
	static const struct mg_wire_fds no_fds;
	struct mg_wire_msg m = { .type = MG_WIRE_REQUEST };
	struct mg_wire_p_request *p = &m.u.request;
	_cleanup_free_ uint32_t *fd_of = NULL;
	struct tx t = { 0 };
	int r;

	if (!fds)
		fds = &no_fds;
	if ((unsigned)plan->symlinks > MG_SYMLINKS_REFUSE)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "symlinks policy out of range");
	if (plan->n > MG_WIRE_MAX_ENTRIES)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, E2BIG,
			       "%zu entries; a request carries at most %d", plan->n,
			       MG_WIRE_MAX_ENTRIES);
	fd_of = malloc((plan->n ? plan->n : 1) * sizeof(*fd_of));
	if (!fd_of)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_SETUP, ENOMEM, "out of memory");
	r = map_fds(root, plan, fds, fd_of, err);
	if (r < 0)
		return r;
	/* The helper counts its HELLO (sequence 1) against the request's bytes. */
	r = tx_init(&t, emit, ctx, 1, MG_WIRE_HEADER_SIZE + 8, MG_WIRE_MAX_REQUEST_BYTES,
		    MG_EXIT_USAGE, err);
	if (r < 0)
		return r;

	p->nentries = (uint32_t)plan->n;
	p->nfds = (uint16_t)fds->n;
	p->symlinks = (uint8_t)plan->symlinks;
	p->flags = root ? 0 : MG_WIRE_REQ_ROOTFS_FD;
	p->root = bytes_of(root);
	p->preset = bytes_of(plan->preset);
	p->executable = bytes_of(plan->executable);
	r = tx_send(&t, &m, NULL, 0, err);
	for (size_t i = 0; r == 0 && i < plan->n; i++) {
		const struct mg_entry *e = &plan->entries[i];
		r = entry_msg(e, fd_of[i], &m);
		if (r < 0)
			r = mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0,
				    "cannot encode ENTRY: kind, type or create out of range");
		else
			r = tx_send(&t, &m, NULL, 0, err);
		if (r < 0)
			mg_error_set_entry(err, MG_WIRE_PLAN_NAME, (unsigned)i + 1, e->name);
	}
	for (size_t k = 0; r == 0 && k < fds->n; k += MG_WIRE_MAX_FDS_MSG) {
		size_t n = fds->n - k < MG_WIRE_MAX_FDS_MSG ? fds->n - k : MG_WIRE_MAX_FDS_MSG;
		memset(&m, 0, sizeof(m));
		m.type = MG_WIRE_FDS;
		m.u.fds.n = (uint32_t)n;
		for (size_t j = 0; j < n; j++)
			m.u.fds.role[j] = fds->role[k + j];
		r = tx_send(&t, &m, &fds->fd[k], n, err);
	}
	if (r == 0) {
		memset(&m, 0, sizeof(m));
		m.type = MG_WIRE_COMMIT;
		r = tx_send(&t, &m, NULL, 0, err);
	}
	free(t.buf);
	return r;
}

/* Display text only: cut rather than refuse (never inside a UTF-8
 * sequence's continuation bytes, so a terminal shows no garbage). */
static struct mg_wire_bytes text_of(const char *s)
{
	struct mg_wire_bytes b = bytes_of(s);
	if (b.len > MG_WIRE_MAX_TEXT) {
		b.len = MG_WIRE_MAX_TEXT;
		while (b.len > 0 && ((unsigned char)b.p[b.len] & 0xC0) == 0x80)
			b.len--;
	}
	return b;
}

int mg_wire_emit_results(const struct mg_wire_result *res, size_t n,
			 const struct mg_wire_done *done, mg_wire_emit_fn emit, void *ctx,
			 struct mg_error *err)
{
	struct mg_wire_msg m;
	struct tx t;
	int r;

	if (n > MG_WIRE_MAX_ENTRIES)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, E2BIG, "%zu results", n);
	r = tx_init(&t, emit, ctx, 1, 0, MG_WIRE_MAX_REPLY_BYTES, MG_EXIT_FAILED, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct mg_wire_result *x = &res[i];
		struct mg_wire_p_result *p = &m.u.result;
		memset(&m, 0, sizeof(m));
		m.type = MG_WIRE_RESULT;
		if (x->index != i || (unsigned)x->status >= MG_WIRE_ST__MAX ||
		    (unsigned)x->kind >= MG_KIND__MAX || (unsigned)x->type >= MG_FS__MAX) {
			r = mg_fail(err, MG_EXIT_FAILED, MG_STAGE_SETUP, 0,
				    "result %zu: index, status, kind or type out of range", i);
			break;
		}
		p->index = x->index;
		p->request_index = x->request_index;
		p->mnt_id = x->mnt_id;
		p->created = x->created;
		p->status = (uint16_t)x->status;
		p->kind = (uint8_t)x->kind;
		p->type = x->kind == MG_KIND_MOUNT ? (uint8_t)x->type : 0;
		p->name = bytes_of(x->name);
		p->target = bytes_of(x->target);
		p->resolved = bytes_of(x->resolved);
		p->error = text_of(x->error);
		r = tx_send(&t, &m, NULL, 0, err);
	}
	if (r == 0) {
		struct mg_wire_p_done *p = &m.u.done;
		memset(&m, 0, sizeof(m));
		m.type = MG_WIRE_DONE;
		p->exit_code = done->exit_code >= 0 && done->exit_code <= MG_EXIT_ROLLBACK
				       ? (uint16_t)done->exit_code
				       : UINT16_MAX;
		p->flags = (done->verified ? MG_WIRE_DONE_VERIFIED : 0) |
			   (done->rollback_incomplete ? MG_WIRE_DONE_ROLLBACK_INCOMPLETE : 0);
		p->nresults = (uint32_t)n;
		p->error = text_of(done->error);
		r = tx_send(&t, &m, NULL, 0, err);
	}
	free(t.buf);
	return r;
}

/* ---- receiving: messages -> plan ----------------------------------------- */

void mg_wire_rx_init_request(struct mg_wire_rx *rx, char **root, struct mg_plan *plan,
			     struct mg_wire_fds *fds)
{
	memset(rx, 0, sizeof(*rx));
	rx->role = MG_WIRE_RX_REQUEST;
	rx->phase = PH_HELLO;
	rx->root = root;
	rx->plan = plan;
	rx->fds = fds;
	for (size_t k = 0; k < MG_WIRE_MAX_FDS; k++)
		rx->fd_user[k] = MG_WIRE_NO_INDEX;
}

void mg_wire_rx_init_hello_reply(struct mg_wire_rx *rx, struct mg_wire_hello_info *info)
{
	memset(rx, 0, sizeof(*rx));
	rx->role = MG_WIRE_RX_HELLO_REPLY;
	rx->phase = PH_HELLO_REPLY;
	rx->info = info;
}

void mg_wire_rx_init_results(struct mg_wire_rx *rx, size_t nrequest, struct mg_wire_results *out)
{
	memset(rx, 0, sizeof(*rx));
	rx->role = MG_WIRE_RX_RESULTS;
	rx->phase = PH_RESULTS;
	rx->seq = 1; /* HELLO_REPLY was the helper's first message */
	rx->results = out;
	rx->nrequest = nrequest;
}

bool mg_wire_rx_complete(const struct mg_wire_rx *rx)
{
	return rx->phase == PH_END && !rx->failed;
}

/* A protocol error about message m (NULL: nothing the peer sent decoded). */
static int rx_fail_msg(struct mg_wire_rx *rx, const struct mg_wire_msg *m, enum mg_wire_why why,
		       struct mg_error *err)
{
	enum mg_exit kind = rx->role == MG_WIRE_RX_REQUEST ? MG_EXIT_USAGE : MG_EXIT_FAILED;
	rx->failed = true;
	if ((unsigned)why >= MG_WIRE_E__MAX)
		why = MG_WIRE_E_TYPE; /* cannot happen; keeps whys[] in bounds */
	if (m)
		return mg_fail(err, kind, MG_STAGE_CONFIG, EPROTO,
			       "protocol error: %s (type 0x%04x, seq %u, %zu bytes): %s [%s %s]",
			       mg_wire_type_name(m->type), m->type, m->seq, rx->cur_len,
			       mg_wire_why_text(why), whys[why].err_name, mg_wire_why_name(why));
	return mg_fail(err, kind, MG_STAGE_CONFIG, EPROTO, "protocol error: %s [%s %s]",
		       mg_wire_why_text(why), whys[why].err_name, mg_wire_why_name(why));
}

int mg_wire_rx_fail(struct mg_wire_rx *rx, enum mg_wire_why why, struct mg_error *err)
{
	if ((unsigned)why >= MG_WIRE_E__MAX || why == MG_WIRE_OK)
		why = MG_WIRE_E_CMSG;
	return rx_fail_msg(rx, NULL, why, err);
}

static int rx_nomem(struct mg_wire_rx *rx, struct mg_error *err)
{
	rx->failed = true;
	return mg_fail(err, rx->role == MG_WIRE_RX_REQUEST ? MG_EXIT_USAGE : MG_EXIT_FAILED,
		       MG_STAGE_CONFIG, ENOMEM, "out of memory");
}

int mg_wire_rx_feed(struct mg_wire_rx *rx, const void *pkt, size_t len, int *fds, size_t nfds,
		    struct mg_error *err)
{
	struct mg_wire_msg m;
	enum mg_wire_why why;
	uint64_t cap = rx->role == MG_WIRE_RX_REQUEST ? MG_WIRE_MAX_REQUEST_BYTES
						       : MG_WIRE_MAX_REPLY_BYTES;

	if (rx->failed || rx->phase == PH_END) {
		close_fds(fds, nfds);
		return rx_fail_msg(rx, NULL, MG_WIRE_E_PHASE, err);
	}
	rx->cur_len = len;
	if (mg_wire_decode(pkt, len, &m, &why) < 0) {
		close_fds(fds, nfds);
		return rx_fail_msg(rx, &m, why, err);
	}
	const struct msg_rule *t = rule_of(m.type);
	why = nfds > t->max_fds			    ? MG_WIRE_E_FDS
	      : !(t->phases & PH(rx->phase))	    ? MG_WIRE_E_PHASE
	      : m.seq != rx->seq + 1		    ? MG_WIRE_E_SEQ
	      : len > cap - rx->total		    ? MG_WIRE_E_TOTAL
						    : MG_WIRE_OK;
	if (why) {
		close_fds(fds, nfds);
		return rx_fail_msg(rx, &m, why, err);
	}
	rx->seq = m.seq;
	rx->total += len;
	int r = t->handle(rx, &m, fds, nfds, err);
	if (r < 0)
		rx->failed = true;
	return r;
}

/* Where the helper goes once the entries are in. */
static int after_entries(const struct mg_wire_rx *rx)
{
	return rx->fds->n < rx->nfds ? PH_FDS : PH_COMMIT;
}

static int h_hello(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		   struct mg_error *err)
{
	(void)m, (void)fds, (void)nfds, (void)err;
	rx->phase = PH_REQUEST;
	return 0;
}

static int h_request(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		     struct mg_error *err)
{
	const struct mg_wire_p_request *p = &m->u.request;
	struct mg_plan *plan = rx->plan;
	(void)fds, (void)nfds;

	rx->nentries = p->nentries;
	rx->nfds = p->nfds;
	rx->rflags = p->flags;
	plan->symlinks = p->symlinks;
	plan->executable_line = 0;
	free(plan->file);
	plan->file = strdup(MG_WIRE_PLAN_NAME);
	if (!plan->file)
		return rx_nomem(rx, err);
	if (p->root.len && !(*rx->root = dup_bytes(p->root)))
		return rx_nomem(rx, err);
	if (p->preset.len && !(plan->preset = dup_bytes(p->preset)))
		return rx_nomem(rx, err);
	if (p->executable.len && !(plan->executable = dup_bytes(p->executable)))
		return rx_nomem(rx, err);
	rx->phase = rx->nentries ? PH_ENTRY : after_entries(rx);
	return 0;
}

/* The section names the INI front-end gives masks, read-only and writable
 * paths: the same plan whichever front-end built it. */
static const char *section_of(enum mg_kind k)
{
	return k == MG_KIND_MASK ? "masked" : k == MG_KIND_READONLY ? "readonly" : "writable";
}

static int h_entry(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		   struct mg_error *err)
{
	const struct mg_wire_p_entry *p = &m->u.entry;
	size_t idx = rx->plan->n;
	(void)fds, (void)nfds;

	if (p->flags & MG_WIRE_ENTRY_SOURCE_FD) {
		/* Each source fd serves exactly one entry: a fd shared by two
		 * entries would make "which entry opened what" ambiguous. */
		if (p->source_fd >= rx->nfds || rx->fd_user[p->source_fd] != MG_WIRE_NO_INDEX)
			return rx_fail_msg(rx, m, MG_WIRE_E_FDS, err);
		rx->fd_user[p->source_fd] = (uint32_t)idx;
	}
	struct mg_entry *e = mg_plan_add(rx->plan);
	if (!e)
		return rx_nomem(rx, err);
	e->kind = p->kind;
	e->line = (unsigned)idx + 1;
	e->target = dup_bytes(p->target);
	if (e->kind != MG_KIND_MOUNT) {
		e->name = strdup(section_of(e->kind));
	} else {
		e->name = dup_bytes(p->name);
		e->type = p->type;
		e->create = p->create;
		/* As the INI front-end: mode defaults to 0755 unless given. */
		e->mode = p->create == MG_CREATE_NO ? 0755 : (mode_t)p->mode;
		if (p->source.len && !(e->source = dup_bytes(p->source)))
			return rx_nomem(rx, err);
		if (p->options.len && !(e->options_text = dup_bytes(p->options)))
			return rx_nomem(rx, err);
	}
	if (!e->name || !e->target)
		return rx_nomem(rx, err);
	if (rx->plan->n == rx->nentries)
		rx->phase = after_entries(rx);
	return 0;
}

static int h_fds(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		 struct mg_error *err)
{
	const struct mg_wire_p_fds *p = &m->u.fds;
	struct mg_wire_fds *f = rx->fds;
	bool root = mg_wire_fds_root(f) >= 0;

	bool ok = nfds == p->n && nfds <= rx->nfds - f->n;
	for (size_t i = 0; ok && i < nfds; i++) {
		if (p->role[i] != MG_WIRE_FD_ROOTFS)
			continue;
		ok = !root && (rx->rflags & MG_WIRE_REQ_ROOTFS_FD);
		root = true;
	}
	if (!ok) {
		close_fds(fds, nfds);
		return rx_fail_msg(rx, m, MG_WIRE_E_FDS, err);
	}
	for (size_t i = 0; i < nfds; i++) {
		f->fd[f->n] = fds[i];
		f->role[f->n] = (enum mg_wire_fd_role)p->role[i];
		f->entry[f->n] = MG_WIRE_NO_INDEX;
		f->n++;
	}
	if (f->n == rx->nfds)
		rx->phase = PH_COMMIT;
	return 0;
}

static int usage_fail(struct mg_error *err, const struct mg_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_fail(struct mg_error *err, const struct mg_entry *e, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, "%s", msg);
	mg_error_set_entry(err, MG_WIRE_PLAN_NAME, e ? e->line : 0, e ? e->name : NULL);
	return -EINVAL;
}

struct named {
	const char *name;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The rules every front-end's plan obeys, in entry order as the INI
 * front-end applies them: options, type/key combinations, unique names. */
static int plan_rules(struct mg_plan *plan, struct mg_error *err)
{
	_cleanup_free_ struct named *names = malloc((plan->n ? plan->n : 1) * sizeof(*names));
	_cleanup_free_ size_t *first = malloc((plan->n ? plan->n : 1) * sizeof(*first));
	size_t nn = 0;

	if (!names || !first)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, ENOMEM, "out of memory");
	/* Sorted once rather than compared pairwise: 16384 entries would be
	 * 134 million comparisons. */
	for (size_t i = 0; i < plan->n; i++) {
		first[i] = i;
		if (plan->entries[i].kind == MG_KIND_MOUNT)
			names[nn++] = (struct named){ plan->entries[i].name, i };
	}
	qsort(names, nn, sizeof(*names), by_name);
	for (size_t j = 1; j < nn; j++)
		if (strcmp(names[j].name, names[j - 1].name) == 0)
			first[names[j].idx] = first[names[j - 1].idx];

	for (size_t i = 0; i < plan->n; i++) {
		struct mg_entry *e = &plan->entries[i];
		char why[256];
		if (e->kind == MG_KIND_MOUNT && e->options_text &&
		    mg_mntopts_parse(e->type, e->options_text, &e->opts, why, sizeof(why)) < 0)
			return usage_fail(err, e, "options: %s", why);
		if (mg_entry_validate(plan, e, err) < 0) {
			mg_error_set_entry(err, MG_WIRE_PLAN_NAME, e->line, e->name);
			return -EINVAL;
		}
		if (first[i] != i)
			return usage_fail(err, e,
					  "duplicate entry name (first defined at line %zu)",
					  first[i] + 1);
	}
	if (plan->n == 0 && !plan->preset && !plan->executable)
		return usage_fail(err, NULL, "no entries and no preset");
	return 0;
}

static int h_commit(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		    struct mg_error *err)
{
	struct mg_wire_fds *f = rx->fds;
	(void)fds, (void)nfds;

	/* Every fd has exactly the use its role says: no fd the helper would
	 * hold without a purpose, no entry pointing at the rootfs. */
	if ((rx->rflags & MG_WIRE_REQ_ROOTFS_FD) && mg_wire_fds_root(f) < 0)
		return rx_fail_msg(rx, m, MG_WIRE_E_FDS, err);
	for (size_t k = 0; k < f->n; k++)
		if ((f->role[k] == MG_WIRE_FD_SOURCE) != (rx->fd_user[k] != MG_WIRE_NO_INDEX))
			return rx_fail_msg(rx, m, MG_WIRE_E_FDS, err);
	for (size_t k = 0; k < f->n; k++)
		if (f->role[k] == MG_WIRE_FD_SOURCE) {
			f->entry[k] = rx->fd_user[k];
			rx->plan->entries[rx->fd_user[k]].source_fd = f->fd[k];
		}
	rx->phase = PH_END;
	return plan_rules(rx->plan, err);
}

static int h_hello_reply(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
			 struct mg_error *err)
{
	const struct mg_wire_p_hello_reply *p = &m->u.hello_reply;
	(void)fds, (void)nfds, (void)err;
	if (rx->info) {
		rx->info->max_entries = p->max_entries;
		rx->info->max_request_bytes = p->max_request_bytes;
		rx->info->max_fds = p->max_fds;
		rx->info->max_fds_msg = p->max_fds_msg;
		memcpy(rx->info->helper, p->helper.p, p->helper.len);
		rx->info->helper[p->helper.len] = '\0';
	}
	rx->phase = PH_END;
	return 0;
}

static int h_result(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		    struct mg_error *err)
{
	const struct mg_wire_p_result *p = &m->u.result;
	struct mg_wire_results *out = rx->results;
	(void)fds, (void)nfds;

	/* The helper's plan is [preset][executable][the request's entries]:
	 * results come in that order, and the request's ones in request order. */
	bool in_order = p->request_index == MG_WIRE_NO_INDEX
				? rx->next_request == 0
				: p->request_index == rx->next_request && p->request_index < rx->nrequest;
	if (p->index != out->n || !in_order)
		return rx_fail_msg(rx, m, MG_WIRE_E_ORDER, err);
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct mg_wire_result *nr = realloc(out->res, cap * sizeof(*nr));
		if (!nr)
			return rx_nomem(rx, err);
		out->res = nr;
		out->cap = cap;
	}
	struct mg_wire_result *r = &out->res[out->n];
	memset(r, 0, sizeof(*r));
	r->index = p->index;
	r->request_index = p->request_index;
	r->status = (enum mg_wire_status)p->status;
	r->kind = (enum mg_kind)p->kind;
	r->type = (enum mg_fstype)p->type;
	r->created = p->created;
	r->mnt_id = p->mnt_id;
	r->name = dup_bytes(p->name);
	r->target = dup_bytes(p->target);
	r->resolved = p->resolved.len ? dup_bytes(p->resolved) : NULL;
	r->error = p->error.len ? dup_bytes(p->error) : NULL;
	out->n++;
	if (!r->name || !r->target || (p->resolved.len && !r->resolved) ||
	    (p->error.len && !r->error))
		return rx_nomem(rx, err);
	if (p->request_index != MG_WIRE_NO_INDEX)
		rx->next_request++;
	return 0;
}

static int h_done(struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds, size_t nfds,
		  struct mg_error *err)
{
	const struct mg_wire_p_done *p = &m->u.done;
	struct mg_wire_results *out = rx->results;
	(void)fds, (void)nfds;

	/* Results are all or nothing: none when the helper refused the request
	 * before running it, else one for every entry of the request. */
	if (p->nresults != out->n ||
	    ((out->n > 0 || p->exit_code == MG_EXIT_OK) && rx->next_request != rx->nrequest) ||
	    (p->exit_code == MG_EXIT_OK && out->n == 0))
		return rx_fail_msg(rx, m, MG_WIRE_E_ORDER, err);
	for (size_t i = 0; p->exit_code == MG_EXIT_OK && i < out->n; i++) {
		enum mg_wire_status s = out->res[i].status;
		if (s != MG_WIRE_ST_MOUNTED && s != MG_WIRE_ST_SKIPPED && s != MG_WIRE_ST_DUPLICATE)
			return rx_fail_msg(rx, m, MG_WIRE_E_RESULTS, err);
	}
	out->done.exit_code = p->exit_code;
	out->done.verified = p->flags & MG_WIRE_DONE_VERIFIED;
	out->done.rollback_incomplete = p->flags & MG_WIRE_DONE_ROLLBACK_INCOMPLETE;
	if (p->error.len && !(out->done.error = dup_bytes(p->error)))
		return rx_nomem(rx, err);
	rx->phase = PH_END;
	return 0;
}

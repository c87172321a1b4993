/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the serve protocol (common/wire.c, common/wire_io.c): the
 * test vectors of tests/vectors/, plan -> messages -> plan, the receiver's
 * phase, sequence and fd rules, and the socket layer over real
 * socketpair(AF_UNIX, SOCK_SEQPACKET) pairs, checking that no received fd
 * is ever left open in the process. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_ini.h"
#include "engine.h"
#include "mg_error.h"
#include "plan.h"
#include "preset.h"
#include "wire.h"
#include "wire_io.h"

#define VECTORS_DIR MG_TEST_DATA_DIR "/../vectors"

/* The protocol's status numbers are the engine's. */
_Static_assert(MG_WIRE_ST_NOT_REACHED == (int)MG_ST_NOT_REACHED &&
		       MG_WIRE_ST_PLANNED == (int)MG_ST_PLANNED &&
		       MG_WIRE_ST_DEFERRED == (int)MG_ST_DEFERRED &&
		       MG_WIRE_ST_MOUNTED == (int)MG_ST_MOUNTED &&
		       MG_WIRE_ST_ROLLED_BACK == (int)MG_ST_ROLLED_BACK &&
		       MG_WIRE_ST_FAILED == (int)MG_ST_FAILED &&
		       MG_WIRE_ST_REFUSED == (int)MG_ST_REFUSED &&
		       MG_WIRE_ST_SKIPPED == (int)MG_ST_SKIPPED &&
		       MG_WIRE_ST_DUPLICATE == (int)MG_ST_DUPLICATE,
	       "enum mg_wire_status mirrors enum mg_status");

/* ---- helpers --------------------------------------------------------------- */

static void *read_file(const char *path, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	char *buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	*len = (size_t)st.st_size;
	return buf;
}

static void *read_vector(const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, name);
	return read_file(path, len);
}

/* Which fds are open, for "no received fd leaked" checks. */
#define FD_SCAN 1024
struct fdset {
	bool open[FD_SCAN];
};

static void fd_snapshot(struct fdset *s)
{
	for (int fd = 0; fd < FD_SCAN; fd++)
		s->open[fd] = fcntl(fd, F_GETFD) >= 0;
}

#define FDS_UNCHANGED(before) fds_unchanged_at(__LINE__, (before))
static void fds_unchanged_at(int at, const struct fdset *before)
{
	struct fdset now;
	fd_snapshot(&now);
	for (int fd = 0; fd < FD_SCAN; fd++)
		ck_assert_msg(now.open[fd] == before->open[fd], "test line %d: fd %d is %s", at, fd,
			      now.open[fd] ? "open (leaked)" : "closed (closed by mistake)");
}

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EBADMSG", EBADMSG },	    { "EPROTONOSUPPORT", EPROTONOSUPPORT },
	{ "EMSGSIZE", EMSGSIZE },   { "ENAMETOOLONG", ENAMETOOLONG },
	{ "E2BIG", E2BIG },	    { "EPROTO", EPROTO },
};

static int errno_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (strcmp(errnos[i].name, name) == 0)
			return errnos[i].err;
	ck_abort_msg("unknown errno name '%s' in the manifest", name);
	return 0;
}

static void plan_str_eq(const char *what, size_t i, const char *a, const char *b)
{
	ck_assert_msg((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0),
		      "entry %zu: %s '%s' != '%s'", i, what, a ? a : "(null)", b ? b : "(null)");
}

/* Equal as plans: everything but where the entries came from (file, line)
 * and the fd numbers (compared by the callers that pass fds). */
static void plan_eq(const struct mg_plan *a, const struct mg_plan *b)
{
	ck_assert_int_eq(a->symlinks, b->symlinks);
	plan_str_eq("preset", 0, a->preset, b->preset);
	plan_str_eq("executable", 0, a->executable, b->executable);
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct mg_entry *x = &a->entries[i], *y = &b->entries[i];
		ck_assert_msg(x->kind == y->kind, "entry %zu: kind %d != %d", i, x->kind, y->kind);
		plan_str_eq("name", i, x->name, y->name);
		ck_assert_msg(x->type == y->type, "entry %zu: type", i);
		plan_str_eq("source", i, x->source, y->source);
		plan_str_eq("target", i, x->target, y->target);
		plan_str_eq("options", i, x->options_text, y->options_text);
		plan_str_eq("origin", i, x->origin, y->origin);
		ck_assert_msg(x->create == y->create, "entry %zu: create", i);
		ck_assert_msg(x->mode == y->mode, "entry %zu: mode %o != %o", i, x->mode, y->mode);
		ck_assert_msg(x->opts.attr_set == y->opts.attr_set &&
				      x->opts.attr_clr == y->opts.attr_clr &&
				      x->opts.atime == y->opts.atime && x->opts.nfs == y->opts.nfs,
			      "entry %zu: mount options differ", i);
		for (size_t k = 0; k < x->opts.nfs; k++) {
			plan_str_eq("fs option", i, x->opts.fs[k].key, y->opts.fs[k].key);
			plan_str_eq("fs option value", i, x->opts.fs[k].value, y->opts.fs[k].value);
		}
	}
}

static void parse_ini(const char *text, struct mg_plan *p)
{
	struct mg_error e = { 0 };
	mg_plan_init(p);
	int r = mg_config_parse("test.conf", text, strlen(text), p, &e);
	ck_assert_msg(r == 0, "INI refused: line %u: %s", e.line, e.msg);
}

/* ---- the pure pipeline: an emitter feeding a receiver ---------------------- */

struct pipe {
	struct mg_wire_rx *rx;
	struct mg_error *err;
	int result; /* of the last feed */
	size_t packets;
};

/* Hands each packet to the receiver, with copies of the fds as the kernel
 * would install them. A usage error on COMMIT is the receiver's answer, not
 * a failure to send. */
static int emit_to_rx(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	struct pipe *p = ctx;
	int copy[MG_WIRE_MAX_FDS_MSG];
	for (size_t i = 0; i < nfds; i++) {
		copy[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		ck_assert_int_ge(copy[i], 0);
	}
	p->packets++;
	p->result = mg_wire_rx_feed(p->rx, pkt, len, copy, nfds, p->err);
	return p->result == -EINVAL ? 0 : p->result;
}

struct received {
	char *root;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	struct mg_error err;
	struct mg_wire_rx rx;
};

static void received_init(struct received *r)
{
	memset(r, 0, sizeof(*r));
	mg_plan_init(&r->plan);
	mg_wire_fds_init(&r->fds);
	mg_wire_rx_init_request(&r->rx, &r->root, &r->plan, &r->fds);
}

static void received_free(struct received *r)
{
	free(r->root);
	mg_plan_free(&r->plan);
	mg_wire_fds_close(&r->fds);
}

/* Client -> helper without a socket. Returns the receiver's verdict. */
static int round_trip(const char *root, const struct mg_plan *plan, const struct mg_wire_fds *fds,
		      struct received *out)
{
	struct mg_error send_err = { 0 };
	received_init(out);
	struct pipe p = { &out->rx, &out->err, 0, 0 };
	int r = mg_wire_emit_hello(emit_to_rx, &p, &send_err);
	ck_assert_msg(r == 0, "HELLO: %s", send_err.msg);
	r = mg_wire_emit_request(root, plan, fds, emit_to_rx, &p, &send_err);
	if (r < 0 && !send_err.set)
		ck_abort_msg("emit failed without an error");
	if (r < 0 && p.result == 0)
		ck_abort_msg("emit refused: %s", send_err.msg);
	if (p.result == 0)
		ck_assert(mg_wire_rx_complete(&out->rx));
	return p.result;
}

static void feed_ok_at(int at, struct mg_wire_rx *rx, const struct mg_wire_msg *m)
{
	uint8_t buf[MG_WIRE_MAX_PACKET];
	size_t len;
	enum mg_wire_why why;
	struct mg_error err = { 0 };
	ck_assert_msg(mg_wire_encode(m, buf, sizeof(buf), &len, &why) == 0, "test line %d: encode: %s",
		      at, mg_wire_why_name(why));
	int r = mg_wire_rx_feed(rx, buf, len, NULL, 0, &err);
	ck_assert_msg(r == 0, "test line %d: feed %s: %d %s", at, mg_wire_type_name(m->type), r,
		      err.msg);
}
#define FEED_OK(rx, m) feed_ok_at(__LINE__, (rx), (m))

/* Feeds a message that must be refused as a protocol error with reason `word`. */
static void feed_err_at(int at, struct mg_wire_rx *rx, const struct mg_wire_msg *m, int *fds,
			size_t nfds, const char *word)
{
	uint8_t buf[MG_WIRE_MAX_PACKET];
	size_t len;
	enum mg_wire_why why;
	struct mg_error err = { 0 };
	ck_assert_msg(mg_wire_encode(m, buf, sizeof(buf), &len, &why) == 0, "test line %d: encode: %s",
		      at, mg_wire_why_name(why));
	int r = mg_wire_rx_feed(rx, buf, len, fds, nfds, &err);
	ck_assert_msg(r == -EPROTO, "test line %d: %s: expected -EPROTO, got %d (%s)", at,
		      mg_wire_type_name(m->type), r, err.msg);
	ck_assert_int_eq(err.err, EPROTO);
	char want[32];
	snprintf(want, sizeof(want), " %s]", word);
	ck_assert_msg(strstr(err.msg, want), "test line %d: '%s' lacks '%s'", at, err.msg, want);
	ck_assert(!mg_wire_rx_complete(rx));
}
#define FEED_ERR(rx, m, word) feed_err_at(__LINE__, (rx), (m), NULL, 0, (word))
#define FEED_ERR_FDS(rx, m, fds, n, word) feed_err_at(__LINE__, (rx), (m), (fds), (n), (word))

static struct mg_wire_bytes B(const char *s)
{
	struct mg_wire_bytes b = { s, strlen(s) };
	return b;
}

static struct mg_wire_msg msg_hello(uint32_t seq)
{
	struct mg_wire_msg m = { .type = MG_WIRE_HELLO, .seq = seq };
	m.u.hello.version = MG_WIRE_VERSION;
	return m;
}

static struct mg_wire_msg msg_request(uint32_t seq, uint32_t n, uint16_t nfds, bool root_fd)
{
	struct mg_wire_msg m = { .type = MG_WIRE_REQUEST, .seq = seq };
	m.u.request.nentries = n;
	m.u.request.nfds = nfds;
	m.u.request.flags = root_fd ? MG_WIRE_REQ_ROOTFS_FD : 0;
	m.u.request.root = root_fd ? B("") : B("/srv/root");
	return m;
}

static struct mg_wire_msg msg_mount(uint32_t seq, const char *name, enum mg_fstype type,
				    const char *options, int fd)
{
	struct mg_wire_msg m = { .type = MG_WIRE_ENTRY, .seq = seq };
	m.u.entry.kind = MG_KIND_MOUNT;
	m.u.entry.type = (uint8_t)type;
	m.u.entry.name = B(name);
	m.u.entry.target = B("/mnt");
	m.u.entry.options = B(options);
	if (fd >= 0) {
		m.u.entry.flags = MG_WIRE_ENTRY_SOURCE_FD;
		m.u.entry.source_fd = (uint32_t)fd;
	} else if (type == MG_FS_BIND || type == MG_FS_RBIND) {
		m.u.entry.source = B("/srv");
	}
	return m;
}

static struct mg_wire_msg msg_fds(uint32_t seq, size_t n, const enum mg_wire_fd_role *roles)
{
	struct mg_wire_msg m = { .type = MG_WIRE_FDS, .seq = seq };
	m.u.fds.n = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		m.u.fds.role[i] = roles[i];
	return m;
}

static struct mg_wire_msg msg_commit(uint32_t seq)
{
	struct mg_wire_msg m = { .type = MG_WIRE_COMMIT, .seq = seq };
	return m;
}

/* ---- test vectors ---------------------------------------------------------- */

START_TEST(test_vectors)
{
	size_t mlen;
	_cleanup_free_ char *manifest = read_vector("manifest.tsv", &mlen);
	manifest[mlen] = '\0';
	size_t nok = 0, nbad = 0;
	char *save = NULL;
	for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		ck_assert_msg(tab1 && tab2, "manifest line '%s' lacks its columns", line);
		*tab1 = *tab2 = '\0';
		const char *file = line, *expect = tab1 + 1, *what = tab2 + 1;
		size_t len;
		_cleanup_free_ uint8_t *pkt = read_vector(file, &len);
		struct mg_wire_msg m;
		enum mg_wire_why why;
		int r = mg_wire_decode(pkt, len, &m, &why);
		if (strcmp(expect, "ok") == 0) {
			ck_assert_msg(r == 0, "%s (%s): refused: %s %s", file, what, strerror(-r),
				      mg_wire_why_name(why));
			uint8_t out[MG_WIRE_MAX_PACKET];
			size_t olen;
			r = mg_wire_encode(&m, out, sizeof(out), &olen, &why);
			ck_assert_msg(r == 0, "%s: re-encode refused: %s", file, mg_wire_why_name(why));
			ck_assert_msg(olen == len && memcmp(out, pkt, len) == 0,
				      "%s: re-encoded bytes differ (%zu vs %zu bytes)", file, olen, len);
			nok++;
			continue;
		}
		char ename[32], word[32];
		ck_assert_msg(sscanf(expect, "%31s %31s", ename, word) == 2, "%s: bad expectation '%s'",
			      file, expect);
		ck_assert_msg(r == -errno_of(ename) && strcmp(mg_wire_why_name(why), word) == 0,
			      "%s (%s): expected %s %s, got %d %s", file, what, ename, word, r,
			      mg_wire_why_name(why));
		ck_assert_int_eq(mg_wire_why_errno(why), errno_of(ename));
		nbad++;
	}
	/* The manifest covers each class the protocol names. */
	ck_assert_uint_ge(nok, 30);
	ck_assert_uint_ge(nbad, 60);
}
END_TEST

/* Every packet of the example exchange, fed in order, gives the plan the
 * documentation describes. */
START_TEST(test_vectors_exchange)
{
	static const char *const client[] = {
		"exchange-c1-hello.bin", "exchange-c2-request.bin", "exchange-c3-entry.bin",
		"exchange-c4-entry.bin", "exchange-c5-entry.bin",   "exchange-c6-fds.bin",
		"exchange-c7-commit.bin",
	};
	static const char *const helper[] = {
		"exchange-h2-result.bin", "exchange-h3-result.bin", "exchange-h4-result.bin",
		"exchange-h5-done.bin",
	};
	struct fdset before;
	struct received rcv;
	fd_snapshot(&before);
	received_init(&rcv);
	for (size_t i = 0; i < ARRAY_SIZE(client); i++) {
		size_t len;
		_cleanup_free_ uint8_t *pkt = read_vector(client[i], &len);
		int fds[2] = { -1, -1 };
		size_t nfds = 0;
		if (strstr(client[i], "fds")) {
			fds[0] = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			fds[1] = open("/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			nfds = 2;
		}
		int r = mg_wire_rx_feed(&rcv.rx, pkt, len, fds, nfds, &rcv.err);
		ck_assert_msg(r == 0, "%s: %s", client[i], rcv.err.msg);
	}
	ck_assert(mg_wire_rx_complete(&rcv.rx));
	ck_assert_ptr_null(rcv.root);
	ck_assert_int_eq(rcv.plan.symlinks, MG_SYMLINKS_REFUSE);
	ck_assert_uint_eq(rcv.plan.n, 3);
	const struct mg_entry *e = rcv.plan.entries;
	ck_assert_str_eq(e[0].name, "data");
	ck_assert_ptr_null(e[0].source);
	ck_assert_int_eq(e[0].source_fd, rcv.fds.fd[1]);
	ck_assert_int_eq(e[0].mode, 0755);
	ck_assert_uint_eq(e[0].opts.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	ck_assert_str_eq(e[1].target, "/tmp");
	ck_assert_int_eq(e[1].mode, 01777);
	ck_assert_int_eq(e[2].kind, MG_KIND_MASK);
	ck_assert_str_eq(e[2].name, "masked");
	ck_assert_int_eq(mg_wire_fds_root(&rcv.fds), rcv.fds.fd[0]);
	ck_assert_uint_eq(rcv.fds.entry[1], 0);
	received_free(&rcv);
	FDS_UNCHANGED(&before);

	struct mg_wire_hello_info info;
	struct mg_wire_rx rx;
	struct mg_error err = { 0 };
	size_t len;
	_cleanup_free_ uint8_t *reply = read_vector("exchange-h1-hello_reply.bin", &len);
	mg_wire_rx_init_hello_reply(&rx, &info);
	ck_assert_int_eq(mg_wire_rx_feed(&rx, reply, len, NULL, 0, &err), 0);
	ck_assert_str_eq(info.helper, "mount-guard 0.1.0");
	ck_assert_uint_eq(info.max_entries, MG_WIRE_MAX_ENTRIES);

	struct mg_wire_results res = { 0 };
	mg_wire_rx_init_results(&rx, 3, &res);
	for (size_t i = 0; i < ARRAY_SIZE(helper); i++) {
		_cleanup_free_ uint8_t *pkt = read_vector(helper[i], &len);
		ck_assert_msg(mg_wire_rx_feed(&rx, pkt, len, NULL, 0, &err) == 0, "%s: %s", helper[i],
			      err.msg);
	}
	ck_assert(mg_wire_rx_complete(&rx));
	ck_assert_uint_eq(res.n, 3);
	ck_assert_int_eq(res.done.exit_code, 0);
	ck_assert(res.done.verified);
	ck_assert_uint_eq(res.res[0].mnt_id, 1021);
	ck_assert_int_eq(res.res[2].status, MG_WIRE_ST_SKIPPED);
	ck_assert_ptr_null(res.res[2].resolved);
	mg_wire_results_free(&res);
}
END_TEST

/* Every prefix of every valid vector is refused; so is every single-byte
 * change that the decoder does not take for another valid message, which
 * then re-encodes to exactly those bytes. A small deterministic fuzzer, run
 * under ASan/UBSan and valgrind by the test scripts. */
START_TEST(test_vectors_mutated)
{
	size_t mlen;
	_cleanup_free_ char *manifest = read_vector("manifest.tsv", &mlen);
	manifest[mlen] = '\0';
	char *save = NULL;
	uint32_t rng = 12345;
	size_t accepted = 0, tried = 0;
	for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab || strncmp(tab + 1, "ok", 2) != 0)
			continue;
		*tab = '\0';
		size_t len;
		_cleanup_free_ uint8_t *pkt = read_vector(line, &len);
		struct mg_wire_msg m;
		enum mg_wire_why why;
		for (size_t cut = 0; cut < len; cut++)
			ck_assert_msg(mg_wire_decode(pkt, cut, &m, &why) < 0, "%s cut to %zu accepted",
				      line, cut);
		for (int round = 0; round < 400; round++) {
			_cleanup_free_ uint8_t *copy = malloc(len);
			memcpy(copy, pkt, len);
			rng = rng * 1103515245u + 12345u;
			size_t at = (rng >> 8) % len;
			rng = rng * 1103515245u + 12345u;
			copy[at] ^= (uint8_t)(1u << ((rng >> 16) % 8));
			tried++;
			if (mg_wire_decode(copy, len, &m, &why) < 0)
				continue;
			accepted++;
			uint8_t out[MG_WIRE_MAX_PACKET];
			size_t olen;
			ck_assert_int_eq(mg_wire_encode(&m, out, sizeof(out), &olen, &why), 0);
			ck_assert_msg(olen == len && memcmp(out, copy, len) == 0,
				      "%s: a mutation at %zu decodes but does not re-encode", line, at);
		}
	}
	ck_assert_uint_gt(tried, 10000);
	ck_assert_uint_gt(accepted, 0); /* some changes land in strings and stay valid */
}
END_TEST

START_TEST(test_why_table)
{
	for (int w = 0; w < MG_WIRE_E__MAX; w++) {
		ck_assert_str_ne(mg_wire_why_name(w), "?");
		ck_assert_str_ne(mg_wire_why_text(w), "?");
		ck_assert_int_eq(mg_wire_why_errno(w) == 0, w == MG_WIRE_OK);
		for (int v = 0; v < w; v++)
			ck_assert_str_ne(mg_wire_why_name(w), mg_wire_why_name(v));
	}
	ck_assert_str_eq(mg_wire_type_name(MG_WIRE_FDS), "FDS");
	ck_assert_str_eq(mg_wire_type_name(0x0999), "?");
	ck_assert_uint_eq(mg_wire_type_max_fds(MG_WIRE_FDS), MG_WIRE_MAX_FDS_MSG);
	ck_assert_uint_eq(mg_wire_type_max_fds(MG_WIRE_ENTRY), 0);
	ck_assert_uint_eq(mg_wire_type_max_fds(MG_WIRE_HELLO), 0);
}
END_TEST

/* ---- plan -> messages -> plan ---------------------------------------------- */

static const struct {
	enum mg_fstype type;
	const char *options;
} type_options[] = {
	{ MG_FS_BIND, "ro,nosuid,nodev,noexec,nosymfollow,noatime" },
	{ MG_FS_BIND, "rw,suid,dev,exec,relatime,nodiratime" },
	{ MG_FS_RBIND, "ro,strictatime,diratime,symfollow" },
	{ MG_FS_PROC, "nosuid,hidepid=invisible,subset=pid,gid=5" },
	{ MG_FS_SYSFS, "ro,nosuid,noexec,nodev" },
	{ MG_FS_TMPFS, "size=64m,nr_inodes=1k,mode=1777,uid=0,gid=0,huge=within_size" },
	{ MG_FS_DEVPTS, "newinstance,ptmxmode=0666,mode=0620,gid=5,max=1024" },
	{ MG_FS_MQUEUE, "nosuid,nodev,noexec" },
	{ MG_FS_CGROUP2, "nsdelegate,memory_recursiveprot,favordynmods,memory_localevents" },
	{ MG_FS_DEV, "nosuid,strictatime,size=65536k,mode=0755,nr_inodes=64k,uid=0,gid=0" },
};

/* Every type, with and without options, every create and a mode; masks,
 * read-only and writable paths; both symlink policies; paths with bytes
 * INI must escape. The same plan must come out of the wire. */
START_TEST(test_round_trip_ini)
{
	static const char *const creates[] = { "no", "dir", "file" };
	size_t cap = 1 << 16, n = 0;
	_cleanup_free_ char *ini = malloc(cap);
	n += (size_t)snprintf(ini + n, cap - n, "[options]\nsymlinks = %s\nexecutable = /bin/sh\n",
			      _i ? "refuse" : "in-root");
	int k = 0;
	for (size_t t = 0; t < ARRAY_SIZE(type_options); t++)
		for (size_t c = 0; c < ARRAY_SIZE(creates); c++)
			for (int with_opts = 0; with_opts < 2; with_opts++) {
				enum mg_fstype ty = type_options[t].type;
				bool bind = ty == MG_FS_BIND || ty == MG_FS_RBIND;
				if (c == 2 && !bind)
					continue; /* create = file is for binds */
				n += (size_t)snprintf(ini + n, cap - n,
						      "[mount e%d]\ntype = %s\ntarget = /t/%d\\s\\x01\\xff\n"
						      "create = %s\n",
						      k, mg_fstype_name(ty), k, creates[c]);
				if (bind)
					n += (size_t)snprintf(ini + n, cap - n,
							      "source = /src/%d\\t\\#\\;\n", k);
				if (c)
					n += (size_t)snprintf(ini + n, cap - n, "mode = %o\n",
							      (unsigned)(0700 + k));
				if (with_opts)
					n += (size_t)snprintf(ini + n, cap - n, "options = %s\n",
							      type_options[t].options);
				k++;
			}
	n += (size_t)snprintf(ini + n, cap - n,
			      "[masked]\npath = /proc/kcore\npath = /m\\s1\n[readonly]\npath = /proc/sys\n"
			      "[writable]\npath = /proc/sys/net\n");
	ck_assert_uint_lt(n, cap);

	struct mg_plan plan;
	struct received rcv;
	parse_ini(ini, &plan);
	ck_assert_uint_eq(plan.n, (size_t)k + 4);
	ck_assert_int_eq(round_trip("/srv/root", &plan, NULL, &rcv), 0);
	plan_eq(&plan, &rcv.plan);
	ck_assert_str_eq(rcv.root, "/srv/root");
	ck_assert_str_eq(rcv.plan.file, MG_WIRE_PLAN_NAME);
	for (size_t i = 0; i < rcv.plan.n; i++) {
		ck_assert_uint_eq(rcv.plan.entries[i].line, i + 1);
		ck_assert_int_eq(rcv.plan.entries[i].source_fd, -1);
	}
	received_free(&rcv);
	mg_plan_free(&plan);
}
END_TEST

/* The shipped presets, which mix every kind. */
START_TEST(test_round_trip_presets)
{
	for (const struct mg_preset *p = mg_presets; p->name; p++) {
		struct mg_plan plan;
		struct mg_error e = { 0 };
		struct received rcv;
		mg_plan_init(&plan);
		ck_assert_int_eq(mg_config_parse(p->name, p->text, p->len, &plan, &e), 0);
		ck_assert_int_eq(round_trip("/r", &plan, NULL, &rcv), 0);
		plan_eq(&plan, &rcv.plan);
		received_free(&rcv);
		mg_plan_free(&plan);
	}
}
END_TEST

/* A preset and nothing else; a preset name and an executable travel. */
START_TEST(test_round_trip_preset_only)
{
	struct mg_plan plan;
	struct received rcv;
	parse_ini("[options]\npreset = minimal-chroot\nexecutable = /usr/bin/busy\\sbox\n", &plan);
	ck_assert_uint_eq(plan.n, 0);
	ck_assert_int_eq(round_trip("/r", &plan, NULL, &rcv), 0);
	plan_eq(&plan, &rcv.plan);
	ck_assert_str_eq(rcv.plan.preset, "minimal-chroot");
	ck_assert_str_eq(rcv.plan.executable, "/usr/bin/busy box");
	received_free(&rcv);
	mg_plan_free(&plan);
}
END_TEST

/* Bind sources and the rootfs as fds: the received plan points at the
 * received fds, which are the same files. */
START_TEST(test_round_trip_fds)
{
	struct fdset before;
	fd_snapshot(&before);
	struct mg_plan plan;
	parse_ini("[mount a]\ntype = bind\nsource = /x\ntarget = /a\n"
		  "[mount b]\ntype = rbind\nsource = /x\ntarget = /b\noptions = ro\n"
		  "[mount c]\ntype = tmpfs\ntarget = /c\n"
		  "[mount d]\ntype = bind\nsource = /d\ntarget = /d\n",
		  &plan);
	/* a and b take their sources as fds: drop the paths. */
	free(plan.entries[0].source);
	free(plan.entries[1].source);
	plan.entries[0].source = plan.entries[1].source = NULL;

	struct mg_wire_fds fds;
	mg_wire_fds_init(&fds);
	const char *const files[] = { "/", "/etc", "/usr" };
	for (size_t k = 0; k < 3; k++) {
		fds.fd[k] = open(files[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(fds.fd[k], 0);
	}
	fds.role[0] = MG_WIRE_FD_SOURCE, fds.entry[0] = 1; /* b */
	fds.role[1] = MG_WIRE_FD_ROOTFS;
	fds.role[2] = MG_WIRE_FD_SOURCE, fds.entry[2] = 0; /* a */
	fds.n = 3;

	struct received rcv;
	ck_assert_int_eq(round_trip(NULL, &plan, &fds, &rcv), 0);
	ck_assert_ptr_null(rcv.root);
	ck_assert_uint_eq(rcv.fds.n, 3);
	for (size_t k = 0; k < 3; k++) {
		struct stat a, b;
		ck_assert_int_eq(fstat(fds.fd[k], &a), 0);
		ck_assert_int_eq(fstat(rcv.fds.fd[k], &b), 0);
		ck_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
		ck_assert_int_eq(rcv.fds.role[k], fds.role[k]);
		ck_assert_int_ne(rcv.fds.fd[k], fds.fd[k]);
	}
	ck_assert_uint_eq(rcv.fds.entry[0], 1);
	ck_assert_uint_eq(rcv.fds.entry[2], 0);
	ck_assert_int_eq(mg_wire_fds_root(&rcv.fds), rcv.fds.fd[1]);
	ck_assert_int_eq(rcv.plan.entries[0].source_fd, rcv.fds.fd[2]);
	ck_assert_int_eq(rcv.plan.entries[1].source_fd, rcv.fds.fd[0]);
	ck_assert_int_eq(rcv.plan.entries[2].source_fd, -1);
	ck_assert_int_eq(rcv.plan.entries[3].source_fd, -1);
	plan_eq(&plan, &rcv.plan);
	received_free(&rcv);

	/* More fds than one FDS message carries: several FDS messages. */
	struct mg_plan big;
	mg_plan_init(&big);
	mg_wire_fds_close(&fds);
	fds.fd[0] = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fds.role[0] = MG_WIRE_FD_ROOTFS;
	for (size_t i = 0; i < 150; i++) {
		struct mg_entry *e = mg_plan_add(&big);
		ck_assert_int_ge(asprintf(&e->name, "m%zu", i), 0);
		ck_assert_int_ge(asprintf(&e->target, "/m/%zu", i), 0);
		e->kind = MG_KIND_MOUNT;
		e->type = MG_FS_BIND;
		e->mode = 0755;
		fds.fd[i + 1] = fcntl(fds.fd[0], F_DUPFD_CLOEXEC, 3);
		fds.role[i + 1] = MG_WIRE_FD_SOURCE;
		fds.entry[i + 1] = (uint32_t)i;
	}
	fds.n = 151;
	ck_assert_int_eq(round_trip(NULL, &big, &fds, &rcv), 0);
	ck_assert_uint_eq(rcv.fds.n, 151);
	for (size_t i = 0; i < 150; i++)
		ck_assert_int_eq(rcv.plan.entries[i].source_fd, rcv.fds.fd[i + 1]);
	received_free(&rcv);
	mg_plan_free(&big);
	mg_wire_fds_close(&fds);
	mg_plan_free(&plan);
	FDS_UNCHANGED(&before);
}
END_TEST

static int emit_count(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	(void)pkt, (void)len, (void)fds, (void)nfds;
	(*(size_t *)ctx)++;
	return 0;
}

/* What a client cannot send: refused before a byte goes out. */
START_TEST(test_emit_refusals)
{
	struct mg_plan plan;
	struct mg_wire_fds fds;
	struct mg_error err;
	parse_ini("[mount a]\ntype = bind\nsource = /x\ntarget = /a\n"
		  "[mount b]\ntype = tmpfs\ntarget = /b\n",
		  &plan);
	mg_wire_fds_init(&fds);
	size_t packets = 0;

#define EMIT_ERR(root, f, sub)                                                                 \
	do {                                                                                   \
		memset(&err, 0, sizeof(err));                                                  \
		ck_assert_int_lt(                                                              \
			mg_wire_emit_request((root), &plan, (f), emit_count, &packets, &err), 0);  \
		ck_assert_msg(strstr(err.msg, (sub)), "'%s' lacks '%s'", err.msg, (sub));      \
		ck_assert_uint_eq(packets, 0);                                                 \
	} while (0)

	EMIT_ERR(NULL, NULL, "neither");
	fds.fd[0] = 0, fds.role[0] = MG_WIRE_FD_ROOTFS, fds.n = 1;
	EMIT_ERR("/r", &fds, "both");
	fds.role[0] = MG_WIRE_FD_SOURCE, fds.entry[0] = 0; /* a has a source path */
	EMIT_ERR("/r", &fds, "has a source path");
	fds.entry[0] = 7;
	EMIT_ERR("/r", &fds, "the plan has 2");
	fds.role[0] = 9;
	EMIT_ERR("/r", &fds, "no role");
	fds.role[0] = MG_WIRE_FD_SOURCE, fds.entry[0] = 1, fds.fd[0] = -1;
	EMIT_ERR("/r", &fds, "is -1");
	EMIT_ERR("relative", NULL, "a path is not absolute");
#undef EMIT_ERR

	/* A NUL cannot be in a C string, but a name that the wire refuses can
	 * come from a plan built by hand: refused at that entry, by name. */
	free(plan.entries[1].name);
	plan.entries[1].name = strdup("no spaces allowed");
	memset(&err, 0, sizeof(err));
	ck_assert_int_lt(mg_wire_emit_request("/r", &plan, NULL, emit_count, &packets, &err), 0);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_str_eq(err.entry, "no spaces allowed");
	ck_assert_ptr_nonnull(strstr(err.msg, "ENTRY"));
	ck_assert_uint_eq(packets, 2); /* REQUEST and the first ENTRY went: hence the dry run */
	mg_plan_free(&plan);
}
END_TEST

/* The 16 MiB cap: a client is told before sending; a helper refuses a
 * stream that goes past it. */
START_TEST(test_request_byte_cap)
{
	struct mg_plan plan;
	struct mg_error err = { 0 };
	mg_plan_init(&plan);
	char longpath[PATH_MAX];
	memset(longpath, 'x', sizeof(longpath));
	for (size_t i = 0; i < PATH_MAX - 1; i += 200)
		longpath[i] = '/';
	longpath[PATH_MAX - 1] = '\0';
	for (size_t i = 0; i < 2100; i++) {
		struct mg_entry *e = mg_plan_add(&plan);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_ge(asprintf(&e->name, "e%zu", i), 0);
		e->kind = MG_KIND_MOUNT;
		e->type = MG_FS_BIND;
		e->source = strdup(longpath);
		e->target = strdup(longpath);
	}
	size_t packets = 0;
	ck_assert_int_eq(mg_wire_emit_request("/r", &plan, NULL, emit_count, &packets, &err), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than 16777216 bytes"));
	ck_assert_uint_gt(packets, 1000);

	/* The helper side: the same stream, forced through by hand. */
	struct received rcv;
	received_init(&rcv);
	struct mg_wire_msg m = msg_hello(1);
	FEED_OK(&rcv.rx, &m);
	m = msg_request(2, (uint32_t)plan.n, 0, false);
	FEED_OK(&rcv.rx, &m);
	uint32_t seq = 3;
	for (;; seq++) {
		m = msg_mount(seq, "e", MG_FS_BIND, "", -1);
		m.u.entry.source = B(longpath);
		m.u.entry.target = B(longpath);
		uint8_t buf[MG_WIRE_MAX_PACKET];
		size_t len;
		enum mg_wire_why why;
		ck_assert_int_eq(mg_wire_encode(&m, buf, sizeof(buf), &len, &why), 0);
		int r = mg_wire_rx_feed(&rcv.rx, buf, len, NULL, 0, &rcv.err);
		if (r < 0) {
			ck_assert_int_eq(r, -EPROTO);
			ck_assert_ptr_nonnull(strstr(rcv.err.msg, "E2BIG total]"));
			break;
		}
		ck_assert_uint_lt(seq, 5000);
	}
	ck_assert_uint_gt(rcv.rx.total, MG_WIRE_MAX_REQUEST_BYTES - MG_WIRE_MAX_PACKET);
	received_free(&rcv);
	mg_plan_free(&plan);
}
END_TEST

/* ---- the receiver: phases, sequence numbers, fds, plan rules --------------- */

START_TEST(test_rx_phases)
{
	struct received rcv;
	struct mg_wire_msg m;

	/* Nothing before HELLO. */
	received_init(&rcv);
	m = msg_request(1, 1, 0, false);
	FEED_ERR(&rcv.rx, &m, "phase");
	/* ... and nothing after a failure, not even what was expected. */
	m = msg_hello(1);
	FEED_ERR(&rcv.rx, &m, "phase");
	received_free(&rcv);

	/* COMMIT before the announced entries. */
	received_init(&rcv);
	m = msg_hello(1);
	FEED_OK(&rcv.rx, &m);
	m = msg_request(2, 2, 0, false);
	FEED_OK(&rcv.rx, &m);
	m = msg_mount(3, "a", MG_FS_TMPFS, "", -1);
	FEED_OK(&rcv.rx, &m);
	m = msg_commit(4);
	FEED_ERR(&rcv.rx, &m, "phase");
	received_free(&rcv);

	/* One ENTRY more than announced. */
	received_init(&rcv);
	m = msg_hello(1);
	FEED_OK(&rcv.rx, &m);
	m = msg_request(2, 1, 0, false);
	FEED_OK(&rcv.rx, &m);
	m = msg_mount(3, "a", MG_FS_TMPFS, "", -1);
	FEED_OK(&rcv.rx, &m);
	m = msg_mount(4, "b", MG_FS_TMPFS, "", -1);
	FEED_ERR(&rcv.rx, &m, "phase");
	received_free(&rcv);

	/* A second HELLO, a helper's message sent to the helper, FDS when none
	 * were announced, anything after COMMIT. */
	const uint16_t wrong[] = { MG_WIRE_HELLO, MG_WIRE_HELLO_REPLY, MG_WIRE_DONE, MG_WIRE_FDS,
				   MG_WIRE_REQUEST };
	for (size_t i = 0; i < ARRAY_SIZE(wrong); i++) {
		received_init(&rcv);
		m = msg_hello(1);
		FEED_OK(&rcv.rx, &m);
		m = msg_request(2, 0, 0, false);
		m.u.request.preset = B("oci-default");
		FEED_OK(&rcv.rx, &m);
		switch (wrong[i]) {
		case MG_WIRE_HELLO:
			m = msg_hello(3);
			break;
		case MG_WIRE_HELLO_REPLY:
			m = (struct mg_wire_msg){ .type = MG_WIRE_HELLO_REPLY, .seq = 3 };
			m.u.hello_reply.version = 1;
			m.u.hello_reply.max_entries = 1;
			m.u.hello_reply.max_request_bytes = 1;
			m.u.hello_reply.max_fds_msg = 1;
			m.u.hello_reply.helper = B("x");
			break;
		case MG_WIRE_DONE:
			m = (struct mg_wire_msg){ .type = MG_WIRE_DONE, .seq = 3 };
			m.u.done.flags = MG_WIRE_DONE_VERIFIED;
			break;
		case MG_WIRE_FDS:
			m = msg_fds(3, 1, (enum mg_wire_fd_role[]){ MG_WIRE_FD_SOURCE });
			break;
		default: {
			struct mg_wire_msg c = msg_commit(3);
			FEED_OK(&rcv.rx, &c);
			ck_assert(mg_wire_rx_complete(&rcv.rx));
			m = msg_request(4, 0, 0, false);
		}
		}
		FEED_ERR(&rcv.rx, &m, "phase");
		received_free(&rcv);
	}
}
END_TEST

START_TEST(test_rx_sequence)
{
	struct received rcv;
	struct mg_wire_msg m;
	const uint32_t bad[] = { 2, 1, 4, 0xFFFFFFFF };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		received_init(&rcv);
		m = msg_hello(1);
		FEED_OK(&rcv.rx, &m);
		if (bad[i] == 2) { /* the HELLO again, with its own number: a replay */
			m = msg_hello(1);
			FEED_ERR(&rcv.rx, &m, "phase");
			received_free(&rcv);
			continue;
		}
		m = msg_request(bad[i], 1, 0, false);
		FEED_ERR(&rcv.rx, &m, "seq");
		received_free(&rcv);
	}
	/* The first message must be 1. */
	received_init(&rcv);
	m = msg_hello(2);
	FEED_ERR(&rcv.rx, &m, "seq");
	received_free(&rcv);
}
END_TEST

/* Opens n fds on /dev/null for a feed to take. */
static void open_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(fds[i], 0);
	}
}

START_TEST(test_rx_fds)
{
	struct fdset before;
	struct received rcv;
	struct mg_wire_msg m;
	int fds[4];
	const enum mg_wire_fd_role src2[] = { MG_WIRE_FD_SOURCE, MG_WIRE_FD_SOURCE };
	const enum mg_wire_fd_role root_src[] = { MG_WIRE_FD_ROOTFS, MG_WIRE_FD_SOURCE };
	fd_snapshot(&before);

	/* fds on a message that allows none: refused and closed. */
	received_init(&rcv);
	m = msg_hello(1);
	open_fds(fds, 1);
	FEED_ERR_FDS(&rcv.rx, &m, fds, 1, "fds");
	received_free(&rcv);
	FDS_UNCHANGED(&before);

	const struct {
		const char *what;
		bool root_fd;
		uint16_t nfds;
		int entry_fd[2]; /* the fd index of entries a and b, -1: a path */
		size_t msg_fds, attached;
		const enum mg_wire_fd_role *roles;
		bool at_commit; /* refused at COMMIT rather than at FDS or ENTRY */
	} cases[] = {
		{ "fewer fds attached than the message says", false, 2, { 0, 1 }, 2, 1, src2, false },
		{ "more fds attached than the message says", false, 1, { 0, -1 }, 1, 2, src2, false },
		{ "more fds than the request announced", false, 1, { 0, -1 }, 2, 2, src2, false },
		{ "an fd index beyond the announced fds", false, 1, { 1, -1 }, 1, 1, src2, false },
		{ "one fd as the source of two entries", false, 2, { 0, 0 }, 2, 2, src2, false },
		{ "a source fd no entry uses", false, 2, { 0, -1 }, 2, 2, src2, true },
		{ "a rootfs fd the request did not announce", false, 2, { 1, -1 }, 2, 2, root_src,
		  false },
		{ "an entry whose source is the rootfs fd", true, 2, { 0, 1 }, 2, 2, root_src, true },
		{ "the rootfs announced as fd, none sent", true, 2, { 0, 1 }, 2, 2, src2, true },
	};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		received_init(&rcv);
		m = msg_hello(1);
		FEED_OK(&rcv.rx, &m);
		m = msg_request(2, 2, cases[c].nfds, cases[c].root_fd);
		FEED_OK(&rcv.rx, &m);
		uint32_t seq = 3;
		bool failed = false;
		for (int e = 0; e < 2 && !failed; e++) {
			m = msg_mount(seq++, e ? "b" : "a", MG_FS_BIND, "", cases[c].entry_fd[e]);
			bool bad_index = cases[c].entry_fd[e] >= cases[c].nfds ||
					 (e == 1 && cases[c].entry_fd[1] >= 0 &&
					  cases[c].entry_fd[1] == cases[c].entry_fd[0]);
			if (bad_index) {
				FEED_ERR(&rcv.rx, &m, "fds");
				failed = true;
			} else {
				FEED_OK(&rcv.rx, &m);
			}
		}
		if (!failed) {
			m = msg_fds(seq++, cases[c].msg_fds, cases[c].roles);
			open_fds(fds, cases[c].attached);
			if (cases[c].at_commit) {
				struct mg_error err = { 0 };
				uint8_t buf[MG_WIRE_MAX_PACKET];
				size_t len;
				enum mg_wire_why why;
				ck_assert_int_eq(mg_wire_encode(&m, buf, sizeof(buf), &len, &why), 0);
				ck_assert_msg(mg_wire_rx_feed(&rcv.rx, buf, len, fds, cases[c].attached,
							      &err) == 0,
					      "%s: %s", cases[c].what, err.msg);
				m = msg_commit(seq++);
				FEED_ERR(&rcv.rx, &m, "fds");
			} else {
				FEED_ERR_FDS(&rcv.rx, &m, fds, cases[c].attached, "fds");
			}
		}
		received_free(&rcv);
		FDS_UNCHANGED(&before);
	}
}
END_TEST

/* Well-formed requests that the plan rules refuse: read to COMMIT, then
 * -EINVAL with the INI front-end's message, naming the entry. */
START_TEST(test_rx_plan_rules)
{
	static const struct {
		const char *opts_a, *name_b;
		enum mg_fstype type_b;
		bool source_b, file_b, empty;
		unsigned line;
		const char *sub;
		bool nosrc_b;
	} cases[] = {
		{ "ro,bogus", "b", MG_FS_TMPFS, false, false, false, 1, "options: unknown option 'bogus'" },
		{ "", "a", MG_FS_TMPFS, false, false, false, 2,
		  "duplicate entry name (first defined at line 1)" },
		{ "", "b", MG_FS_BIND, false, false, false, 2, "needs a 'source'", true },
		{ "", "b", MG_FS_TMPFS, true, false, false, 2, "only meaningful for bind" },
		{ "", "b", MG_FS_PROC, false, true, false, 2, "create = file" },
		{ "", "b", MG_FS_DEV, false, false, false, 2, "type = dev cannot be ro" },
		{ "", NULL, 0, false, false, true, 0, "no entries and no preset" },
	};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct received rcv;
		struct mg_wire_msg m;
		bool empty = cases[c].empty;
		received_init(&rcv);
		m = msg_hello(1);
		FEED_OK(&rcv.rx, &m);
		m = msg_request(2, empty ? 0 : 2, 0, false);
		FEED_OK(&rcv.rx, &m);
		uint32_t seq = 3;
		if (!empty) {
			m = msg_mount(seq++, "a", MG_FS_TMPFS, cases[c].opts_a, -1);
			FEED_OK(&rcv.rx, &m);
			m = msg_mount(seq++, cases[c].name_b, cases[c].type_b,
				      cases[c].type_b == MG_FS_DEV ? "ro" : "", -1);
			if (cases[c].source_b)
				m.u.entry.source = B("/src");
			if (cases[c].file_b)
				m.u.entry.create = MG_CREATE_FILE;
			if (cases[c].nosrc_b)
				m.u.entry.source = B("");
			FEED_OK(&rcv.rx, &m);
		}
		m = msg_commit(seq);
		uint8_t buf[MG_WIRE_MAX_PACKET];
		size_t len;
		enum mg_wire_why why;
		ck_assert_int_eq(mg_wire_encode(&m, buf, sizeof(buf), &len, &why), 0);
		int r = mg_wire_rx_feed(&rcv.rx, buf, len, NULL, 0, &rcv.err);
		ck_assert_msg(r == -EINVAL, "case %zu: %d %s", c, r, rcv.err.msg);
		ck_assert_int_eq(rcv.err.kind, MG_EXIT_USAGE);
		ck_assert_int_ne(rcv.err.err, EPROTO);
		ck_assert_msg(strstr(rcv.err.msg, cases[c].sub), "case %zu: '%s' lacks '%s'", c,
			      rcv.err.msg, cases[c].sub);
		ck_assert_uint_eq(rcv.err.line, cases[c].line);
		ck_assert_str_eq(rcv.err.file, MG_WIRE_PLAN_NAME);
		char text[2048];
		mg_error_format(&rcv.err, text, sizeof(text));
		if (cases[c].line)
			ck_assert_ptr_nonnull(strstr(text, "<request>:"));
		received_free(&rcv);
	}
}
END_TEST

/* ---- the client's side: HELLO_REPLY, RESULT, DONE -------------------------- */

struct collect {
	uint8_t *pkts[64];
	size_t len[64], n;
};

static int emit_collect(void *ctx, const void *pkt, size_t len, const int *fds, size_t nfds)
{
	struct collect *c = ctx;
	(void)fds;
	ck_assert_uint_eq(nfds, 0);
	ck_assert_uint_lt(c->n, 64);
	c->pkts[c->n] = malloc(len);
	memcpy(c->pkts[c->n], pkt, len);
	c->len[c->n++] = len;
	return 0;
}

static void collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->pkts[i]);
	c->n = 0;
}

static struct mg_wire_result result_of(uint32_t i, uint32_t req, enum mg_wire_status st)
{
	static char name[] = "e", target[] = "/t";
	struct mg_wire_result r = { .index = i, .request_index = req, .status = st,
				    .kind = MG_KIND_MOUNT, .type = MG_FS_TMPFS,
				    .name = name, .target = target };
	return r;
}

/* Emits results and feeds them to a client receiver for `nrequest`
 * entries; returns the receiver's verdict and the reason word. */
static int results_verdict(const struct mg_wire_result *res, size_t n,
			   const struct mg_wire_done *done, size_t nrequest, struct mg_wire_results *out,
			   char *msg, size_t msgsz)
{
	struct collect c = { 0 };
	struct mg_error err = { 0 };
	struct mg_wire_rx rx;
	ck_assert_int_eq(mg_wire_emit_results(res, n, done, emit_collect, &c, &err), 0);
	mg_wire_rx_init_results(&rx, nrequest, out);
	int r = 0;
	for (size_t i = 0; i < c.n && r == 0; i++)
		r = mg_wire_rx_feed(&rx, c.pkts[i], c.len[i], NULL, 0, &err);
	if (r == 0)
		ck_assert(mg_wire_rx_complete(&rx));
	snprintf(msg, msgsz, "%s", err.msg);
	collect_free(&c);
	return r;
}

START_TEST(test_results)
{
	struct mg_wire_results out = { 0 };
	struct mg_wire_done ok = { .exit_code = 0, .verified = true };
	char failed_text[] = "mount: failed", resolved[] = "/t", why[] = "it broke";
	struct mg_wire_done failed = { .exit_code = 1, .error = failed_text };
	char msg[1024];
	struct mg_wire_result res[4];

	/* Preset entries first, then the request's, all applied. */
	res[0] = result_of(0, MG_WIRE_NO_INDEX, MG_WIRE_ST_MOUNTED);
	res[1] = result_of(1, 0, MG_WIRE_ST_MOUNTED);
	res[1].resolved = resolved;
	res[1].mnt_id = 99;
	res[1].created = 2;
	res[2] = result_of(2, 1, MG_WIRE_ST_SKIPPED);
	res[2].kind = MG_KIND_MASK;
	ck_assert_int_eq(results_verdict(res, 3, &ok, 2, &out, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(out.n, 3);
	ck_assert_str_eq(out.res[1].resolved, "/t");
	ck_assert_uint_eq(out.res[1].mnt_id, 99);
	ck_assert_uint_eq(out.res[1].created, 2);
	ck_assert_int_eq(out.res[2].type, MG_FS_BIND); /* a mask has no type */
	ck_assert_uint_eq(out.res[0].request_index, MG_WIRE_NO_INDEX);
	ck_assert_ptr_null(out.done.error);
	mg_wire_results_free(&out);

	/* A failure, with its error. */
	res[2].status = MG_WIRE_ST_FAILED;
	res[2].error = why;
	res[1].status = MG_WIRE_ST_ROLLED_BACK;
	ck_assert_int_eq(results_verdict(res, 3, &failed, 2, &out, msg, sizeof(msg)), 0);
	ck_assert_int_eq(out.done.exit_code, 1);
	ck_assert_str_eq(out.done.error, "mount: failed");
	ck_assert_str_eq(out.res[2].error, "it broke");
	mg_wire_results_free(&out);

	/* Refused before it ran: no results at all. */
	ck_assert_int_eq(results_verdict(res, 0, &failed, 2, &out, msg, sizeof(msg)), 0);
	mg_wire_results_free(&out);

	/* Success claimed while a result says otherwise. */
	ck_assert_int_eq(results_verdict(res, 3, &ok, 2, &out, msg, sizeof(msg)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(msg, "EPROTO results]"));
	mg_wire_results_free(&out);
	/* Success without any result. */
	ck_assert_int_eq(results_verdict(res, 0, &ok, 0, &out, msg, sizeof(msg)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(msg, "order]"));
	mg_wire_results_free(&out);
	/* Success for a request of 3 with results for 2 of its entries. */
	res[1].status = res[2].status = MG_WIRE_ST_MOUNTED;
	ck_assert_int_eq(results_verdict(res, 3, &ok, 3, &out, msg, sizeof(msg)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(msg, "order]"));
	mg_wire_results_free(&out);
	/* A result for an entry the request did not have. */
	ck_assert_int_eq(results_verdict(res, 3, &ok, 1, &out, msg, sizeof(msg)), -EPROTO);
	mg_wire_results_free(&out);
	/* A preset entry after the request's. */
	res[0] = result_of(0, 0, MG_WIRE_ST_MOUNTED);
	res[1] = result_of(1, MG_WIRE_NO_INDEX, MG_WIRE_ST_MOUNTED);
	ck_assert_int_eq(results_verdict(res, 2, &ok, 1, &out, msg, sizeof(msg)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(msg, "order]"));
	mg_wire_results_free(&out);
	/* Request entries out of order. */
	res[0] = result_of(0, 1, MG_WIRE_ST_MOUNTED);
	res[1] = result_of(1, 0, MG_WIRE_ST_MOUNTED);
	ck_assert_int_eq(results_verdict(res, 2, &ok, 2, &out, msg, sizeof(msg)), -EPROTO);
	mg_wire_results_free(&out);

	/* DONE's count must match. */
	struct collect c = { 0 };
	struct mg_error err = { 0 };
	struct mg_wire_rx rx;
	res[0] = result_of(0, 0, MG_WIRE_ST_MOUNTED);
	ck_assert_int_eq(mg_wire_emit_results(res, 1, &ok, emit_collect, &c, &err), 0);
	mg_wire_rx_init_results(&rx, 1, &out);
	ck_assert_int_eq(mg_wire_rx_feed(&rx, c.pkts[1], c.len[1], NULL, 0, &err), -EPROTO);
	mg_wire_results_free(&out);
	collect_free(&c);

	/* The helper cannot emit a result out of place or a malformed DONE. */
	res[0].index = 5;
	memset(&err, 0, sizeof(err));
	ck_assert_int_lt(mg_wire_emit_results(res, 1, &ok, emit_collect, &c, &err), 0);
	collect_free(&c);
	struct mg_wire_done silent = { .exit_code = 3 };
	res[0].index = 0;
	memset(&err, 0, sizeof(err));
	ck_assert_int_lt(mg_wire_emit_results(res, 1, &silent, emit_collect, &c, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "DONE"));
	collect_free(&c);

	/* Long error texts are cut, not refused; never inside a UTF-8 sequence. */
	char *long_text = malloc(5000);
	for (size_t i = 0; i < 4998; i += 2)
		memcpy(long_text + i, "\xc3\xa9", 2);
	long_text[4998] = '\0';
	struct mg_wire_done longdone = { .exit_code = 1, .error = long_text };
	ck_assert_int_eq(results_verdict(res, 0, &longdone, 1, &out, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(strlen(out.done.error), MG_WIRE_MAX_TEXT - 1);
	mg_wire_results_free(&out);
	free(long_text);
}
END_TEST

START_TEST(test_result_from_plan)
{
	struct mg_plan plan;
	parse_ini("[mount p]\ntype = proc\ntarget = /proc\n[mount a]\ntype = tmpfs\ntarget = /a\n"
		  "[masked]\npath = /m\n",
		  &plan);
	struct mg_wire_result r;
	/* The last two entries are the request's; the first came from a preset. */
	mg_wire_result_from_plan(&plan, 2, 0, &r);
	ck_assert_uint_eq(r.request_index, MG_WIRE_NO_INDEX);
	ck_assert_str_eq(r.name, "p");
	ck_assert_int_eq(r.type, MG_FS_PROC);
	mg_wire_result_from_plan(&plan, 2, 1, &r);
	ck_assert_uint_eq(r.request_index, 0);
	ck_assert_uint_eq(r.index, 1);
	mg_wire_result_from_plan(&plan, 2, 2, &r);
	ck_assert_uint_eq(r.request_index, 1);
	ck_assert_int_eq(r.kind, MG_KIND_MASK);
	ck_assert_str_eq(r.name, "masked");
	ck_assert_str_eq(r.target, "/m");
	ck_assert_int_eq(r.status, MG_WIRE_ST_NOT_REACHED);
	mg_plan_free(&plan);
}
END_TEST

/* ---- sockets --------------------------------------------------------------- */

static void seqpacket_pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

/* Sends raw bytes with any number of fds (more than the protocol allows). */
static void send_raw(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 253)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	memset(&ctl, 0, sizeof(ctl));
	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ck_assert_int_eq(sendmsg(sock, &mh, MSG_NOSIGNAL), (ssize_t)len);
}

static void send_msg(int sock, struct mg_wire_msg *m, const int *fds, size_t nfds)
{
	uint8_t buf[MG_WIRE_MAX_PACKET];
	size_t len;
	enum mg_wire_why why;
	ck_assert_int_eq(mg_wire_encode(m, buf, sizeof(buf), &len, &why), 0);
	send_raw(sock, buf, len, fds, nfds);
}

/* Runs mg_wire_recv_request on sv[1] after the client side has queued its
 * packets (and maybe closed sv[0]); checks it fails with -EPROTO and reason
 * `word`, and that no fd came into the process. */
static void expect_recv_refusal_at(int at, int sock, const struct fdset *before, const char *word)
{
	char *root = NULL;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	struct mg_error err = { 0 };
	mg_plan_init(&plan);
	mg_wire_fds_init(&fds);
	int r = mg_wire_recv_request(sock, &root, &plan, &fds, &err);
	ck_assert_msg(r == -EPROTO, "test line %d: expected -EPROTO, got %d (%s)", at, r, err.msg);
	ck_assert_int_eq(err.err, EPROTO);
	char want[32];
	snprintf(want, sizeof(want), " %s]", word);
	ck_assert_msg(strstr(err.msg, want), "test line %d: '%s' lacks '%s'", at, err.msg, want);
	ck_assert_ptr_null(root);
	ck_assert_uint_eq(plan.n, 0);
	ck_assert_uint_eq(fds.n, 0);
	FDS_UNCHANGED(before);
}
#define EXPECT_RECV_REFUSAL(sock, before, word) \
	expect_recv_refusal_at(__LINE__, (sock), (before), (word))

/* The whole exchange over a socketpair, the helper in a child process:
 * fds arrive as the same files, close-on-exec, and the results come back. */
START_TEST(test_socket_exchange)
{
	int sv[2];
	seqpacket_pair(sv);
	if (_i) /* a parent that set O_NONBLOCK on the shared description */
		ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	struct mg_plan plan;
	parse_ini("[mount data]\ntype = bind\nsource = /placeholder\ntarget = /data\noptions = ro\n"
		  "[mount tmp]\ntype = tmpfs\ntarget = /tmp\ncreate = dir\n"
		  "[readonly]\npath = /etc\n",
		  &plan);
	free(plan.entries[0].source);
	plan.entries[0].source = NULL;
	struct mg_wire_fds fds;
	mg_wire_fds_init(&fds);
	fds.fd[0] = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fds.role[0] = MG_WIRE_FD_ROOTFS;
	fds.fd[1] = open("/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fds.role[1] = MG_WIRE_FD_SOURCE;
	fds.entry[1] = 0;
	fds.n = 2;

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		mg_plan_free(&plan); /* the client's, inherited; valgrind counts it */
		mg_wire_fds_close(&fds);
		char *root = NULL;
		struct mg_plan got;
		struct mg_wire_fds gfds;
		struct mg_error err = { 0 };
		struct stat a, b;
		mg_plan_init(&got);
		mg_wire_fds_init(&gfds);
		if (mg_wire_recv_request(sv[1], &root, &got, &gfds, &err) < 0) {
			fprintf(stderr, "helper: %s\n", err.msg);
			_exit(10);
		}
		if (root || got.n != 3 || gfds.n != 2 || got.entries[0].source_fd != gfds.fd[1])
			_exit(11);
		if (fstat(gfds.fd[1], &a) < 0 || stat("/etc", &b) < 0 || a.st_ino != b.st_ino ||
		    !(fcntl(gfds.fd[1], F_GETFD) & FD_CLOEXEC) ||
		    !(fcntl(gfds.fd[0], F_GETFD) & FD_CLOEXEC))
			_exit(12);
		struct mg_wire_result res[3];
		char resolved[] = "/data";
		for (size_t i = 0; i < 3; i++) {
			mg_wire_result_from_plan(&got, 3, i, &res[i]);
			res[i].status = MG_WIRE_ST_MOUNTED;
			res[i].mnt_id = 100 + i;
		}
		res[0].resolved = resolved;
		struct mg_wire_done done = { .exit_code = 0, .verified = true };
		if (mg_wire_send_results(sv[1], res, 3, &done, &err) < 0)
			_exit(13);
		mg_plan_free(&got);
		mg_wire_fds_close(&gfds);
		_exit(0);
	}
	close(sv[1]);
	struct mg_error err = { 0 };
	struct mg_wire_hello_info info;
	ck_assert_msg(mg_wire_send_request(sv[0], NULL, &plan, &fds, &info, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(info.helper, "mount-guard"));
	struct mg_wire_results out = { 0 };
	ck_assert_msg(mg_wire_recv_results(sv[0], plan.n, &out, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(out.done.exit_code, 0);
	ck_assert_uint_eq(out.n, 3);
	ck_assert_str_eq(out.res[0].resolved, "/data");
	ck_assert_uint_eq(out.res[2].mnt_id, 102);
	ck_assert_str_eq(out.res[2].name, "readonly");
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper status %#x", status);
	mg_wire_results_free(&out);
	mg_wire_fds_close(&fds);
	mg_plan_free(&plan);
	close(sv[0]);
}
END_TEST

/* fds where the table allows none: refused and closed, none left behind. */
START_TEST(test_socket_unexpected_fds)
{
	struct fdset before;
	int sv[2], extra[3];
	seqpacket_pair(sv);
	open_fds(extra, 3);
	fd_snapshot(&before);
	struct mg_wire_msg m = msg_hello(1);
	send_msg(sv[0], &m, extra, 3);
	EXPECT_RECV_REFUSAL(sv[1], &before, "fds");
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 3; i++)
		close(extra[i]);
}
END_TEST

/* Too many fds on an FDS message: MSG_CTRUNC, every installed fd closed. */
START_TEST(test_socket_too_many_fds)
{
	struct fdset before;
	int sv[2], extra[100];
	seqpacket_pair(sv);
	open_fds(extra, 100);
	fd_snapshot(&before);
	struct mg_wire_msg m = msg_hello(1);
	send_msg(sv[0], &m, NULL, 0);
	m = msg_request(2, 0, 100, true);
	send_msg(sv[0], &m, NULL, 0);
	enum mg_wire_fd_role roles[MG_WIRE_MAX_FDS_MSG];
	roles[0] = MG_WIRE_FD_ROOTFS;
	for (size_t i = 1; i < MG_WIRE_MAX_FDS_MSG; i++)
		roles[i] = MG_WIRE_FD_SOURCE;
	m = msg_fds(3, MG_WIRE_MAX_FDS_MSG, roles);
	send_msg(sv[0], &m, extra, 100);
	EXPECT_RECV_REFUSAL(sv[1], &before, "ctrunc");
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 100; i++)
		close(extra[i]);
}
END_TEST

/* A packet above the cap is refused unread: its fds never arrive. */
START_TEST(test_socket_oversize)
{
	struct fdset before;
	int sv[2], extra[2];
	seqpacket_pair(sv);
	open_fds(extra, 2);
	int big = 1 << 20;
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big)), 0);
	fd_snapshot(&before);
	size_t len = MG_WIRE_MAX_PACKET + 1;
	_cleanup_free_ uint8_t *buf = calloc(1, len);
	memcpy(buf, "MGW1", 4);
	send_raw(sv[0], buf, len, extra, 2);
	EXPECT_RECV_REFUSAL(sv[1], &before, "oversize");
	/* The largest valid size goes through the socket layer. */
	size_t got, nfds;
	int fds[MG_WIRE_MAX_FDS_MSG];
	enum mg_wire_why why;
	_cleanup_free_ uint8_t *in = malloc(MG_WIRE_MAX_PACKET);
	int s2[2];
	seqpacket_pair(s2);
	send_raw(s2[0], buf, MG_WIRE_MAX_PACKET, NULL, 0);
	ck_assert_int_eq(mg_wire_recv_packet(s2[1], in, MG_WIRE_MAX_PACKET, &got, fds, &nfds, &why), 0);
	ck_assert_uint_eq(got, MG_WIRE_MAX_PACKET);
	close(s2[0]);
	close(s2[1]);
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 2; i++)
		close(extra[i]);
}
END_TEST

/* Reads one packet, as a client waiting for HELLO_REPLY. */
static void read_reply(int sock)
{
	uint8_t buf[MG_WIRE_MAX_PACKET];
	ck_assert_int_gt(recv(sock, buf, sizeof(buf), 0), 0);
}

/* The client goes away: before saying anything (0), after HELLO before the
 * reply (1: the reply meets EPIPE), after the reply (2), mid-entries (3),
 * and after its FDS message (4: the fd arrived, then the connection ended:
 * the fd must not stay). A client in a child process, so that the helper's
 * reply can be read. */
START_TEST(test_socket_eof)
{
	struct fdset before;
	int sv[2];
	seqpacket_pair(sv);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct mg_wire_msg m = msg_hello(1);
		int extra = open("/dev/null", O_RDONLY | O_CLOEXEC);
		close(sv[1]);
		if (_i >= 1)
			send_msg(sv[0], &m, NULL, 0);
		if (_i >= 2)
			read_reply(sv[0]);
		if (_i >= 3) {
			m = msg_request(2, 2, 1, false);
			send_msg(sv[0], &m, NULL, 0);
			m = msg_mount(3, "a", MG_FS_BIND, "", 0);
			send_msg(sv[0], &m, NULL, 0);
		}
		if (_i >= 4) {
			m = msg_mount(4, "b", MG_FS_TMPFS, "", -1);
			send_msg(sv[0], &m, NULL, 0);
			m = msg_fds(5, 1, (enum mg_wire_fd_role[]){ MG_WIRE_FD_SOURCE });
			send_msg(sv[0], &m, &extra, 1);
		}
		_exit(0);
	}
	close(sv[0]);
	if (_i == 1) /* let the client be gone before the reply */
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	fd_snapshot(&before);
	EXPECT_RECV_REFUSAL(sv[1], &before, "eof");
	int status;
	if (_i != 1) {
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(sv[1]);
}
END_TEST

/* Ancillary data nobody asked for: a parent that turned on SO_PASSCRED on
 * the helper's end. */
START_TEST(test_socket_passcred)
{
	struct fdset before;
	int sv[2], one = 1;
	seqpacket_pair(sv);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	fd_snapshot(&before);
	struct mg_wire_msg m = msg_hello(1);
	send_msg(sv[0], &m, NULL, 0);
	EXPECT_RECV_REFUSAL(sv[1], &before, "cmsg");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A protocol error over the socket: a decoded-but-wrong message ends it. */
START_TEST(test_socket_bad_vector)
{
	struct fdset before;
	int sv[2];
	seqpacket_pair(sv);
	fd_snapshot(&before);
	size_t len;
	_cleanup_free_ uint8_t *pkt = read_vector("bad-flags-high.bin", &len);
	send_raw(sv[0], pkt, len, NULL, 0);
	EXPECT_RECV_REFUSAL(sv[1], &before, "flags");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A receive timeout the caller set (SO_RCVTIMEO) is honoured, blocking or
 * not: a client that says nothing does not hold the helper forever. */
START_TEST(test_socket_timeout)
{
	struct fdset before;
	int sv[2];
	struct timeval tv = { 0, 100 * 1000 };
	seqpacket_pair(sv);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	if (_i)
		ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	fd_snapshot(&before);
	char *root = NULL;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	struct mg_error err = { 0 };
	mg_plan_init(&plan);
	mg_wire_fds_init(&fds);
	ck_assert_int_eq(mg_wire_recv_request(sv[1], &root, &plan, &fds, &err), -ETIMEDOUT);
	ck_assert_int_eq(err.err, ETIMEDOUT);
	FDS_UNCHANGED(&before);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_socket_type)
{
	int sv[2];
	struct mg_error err = { 0 };
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(mg_wire_check_socket(sv[0]), -EPROTOTYPE);
	char *root = NULL;
	struct mg_plan plan;
	struct mg_wire_fds fds;
	mg_plan_init(&plan);
	mg_wire_fds_init(&fds);
	ck_assert_int_eq(mg_wire_recv_request(sv[1], &root, &plan, &fds, &err), -EPROTOTYPE);
	close(sv[0]);
	close(sv[1]);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(mg_wire_check_socket(fd), -ENOTSOCK);
	close(fd);
}
END_TEST

/* The helper dies after part of its answer: the client reports failure. */
START_TEST(test_socket_helper_dies)
{
	int sv[2];
	seqpacket_pair(sv);
	struct mg_plan plan;
	parse_ini("[mount a]\ntype = tmpfs\ntarget = /a\n[mount b]\ntype = tmpfs\ntarget = /b\n", &plan);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		mg_plan_free(&plan);
		char *root = NULL;
		struct mg_plan got;
		struct mg_wire_fds gfds;
		struct mg_error err = { 0 };
		mg_plan_init(&got);
		mg_wire_fds_init(&gfds);
		if (mg_wire_recv_request(sv[1], &root, &got, &gfds, &err) < 0)
			_exit(10);
		/* One RESULT of two, then gone. */
		struct collect c = { 0 };
		struct mg_wire_result res[2];
		for (size_t i = 0; i < 2; i++) {
			mg_wire_result_from_plan(&got, 2, i, &res[i]);
			res[i].status = MG_WIRE_ST_MOUNTED;
		}
		struct mg_wire_done done = { .exit_code = 0, .verified = true };
		int r = mg_wire_emit_results(res, 2, &done, emit_collect, &c, &err) < 0 ||
			mg_wire_send_packet(sv[1], c.pkts[0], c.len[0], NULL, 0) < 0;
		collect_free(&c);
		free(root);
		mg_plan_free(&got);
		_exit(r ? 11 : 0);
	}
	close(sv[1]);
	struct mg_error err = { 0 };
	ck_assert_int_eq(mg_wire_send_request(sv[0], "/r", &plan, NULL, NULL, &err), 0);
	struct mg_wire_results out = { 0 };
	ck_assert_int_eq(mg_wire_recv_results(sv[0], plan.n, &out, &err), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err.msg, "eof]"));
	ck_assert_uint_eq(out.n, 1);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	mg_wire_results_free(&out);
	mg_plan_free(&plan);
	close(sv[0]);

	/* A helper that is gone before the request: the send fails. */
	seqpacket_pair(sv);
	close(sv[1]);
	memset(&err, 0, sizeof(err));
	parse_ini("[mount a]\ntype = tmpfs\ntarget = /a\n", &plan);
	ck_assert_int_eq(mg_wire_send_request(sv[0], "/r", &plan, NULL, NULL, &err), -EPIPE);
	mg_plan_free(&plan);
	close(sv[0]);
}
END_TEST

/* A request the plan rules refuse travels whole and is answered with DONE. */
START_TEST(test_socket_usage_answer)
{
	int sv[2];
	seqpacket_pair(sv);
	struct mg_plan plan;
	parse_ini("[mount a]\ntype = tmpfs\ntarget = /a\n", &plan);
	free(plan.entries[0].options_text);
	plan.entries[0].options_text = strdup("nosuch"); /* the client does not parse options */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		mg_plan_free(&plan);
		char *root = NULL;
		struct mg_plan got;
		struct mg_wire_fds gfds;
		struct mg_error err = { 0 };
		mg_plan_init(&got);
		mg_wire_fds_init(&gfds);
		if (mg_wire_recv_request(sv[1], &root, &got, &gfds, &err) != -EINVAL)
			_exit(10);
		char text[2048];
		mg_error_format(&err, text, sizeof(text));
		struct mg_wire_done done = { .exit_code = MG_EXIT_USAGE, .error = text };
		_exit(mg_wire_send_results(sv[1], NULL, 0, &done, &err) < 0 ? 11 : 0);
	}
	close(sv[1]);
	struct mg_error err = { 0 };
	ck_assert_int_eq(mg_wire_send_request(sv[0], "/r", &plan, NULL, NULL, &err), 0);
	struct mg_wire_results out = { 0 };
	ck_assert_msg(mg_wire_recv_results(sv[0], plan.n, &out, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(out.done.exit_code, MG_EXIT_USAGE);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_ptr_nonnull(strstr(out.done.error, "<request>:1: entry 'a'"));
	ck_assert_ptr_nonnull(strstr(out.done.error, "unknown option 'nosuch'"));
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	mg_wire_results_free(&out);
	mg_plan_free(&plan);
	close(sv[0]);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("vectors");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_vectors_exchange);
	tcase_add_test(tc, test_vectors_mutated);
	tcase_add_test(tc, test_why_table);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("plan");
	tcase_add_loop_test(tc, test_round_trip_ini, 0, 2);
	tcase_add_test(tc, test_round_trip_presets);
	tcase_add_test(tc, test_round_trip_preset_only);
	tcase_add_test(tc, test_round_trip_fds);
	tcase_add_test(tc, test_emit_refusals);
	tcase_add_test(tc, test_request_byte_cap);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("receiver");
	tcase_add_test(tc, test_rx_phases);
	tcase_add_test(tc, test_rx_sequence);
	tcase_add_test(tc, test_rx_fds);
	tcase_add_test(tc, test_rx_plan_rules);
	tcase_add_test(tc, test_results);
	tcase_add_test(tc, test_result_from_plan);
	suite_add_tcase(s, tc);
	tc = tcase_create("socket");
	tcase_add_loop_test(tc, test_socket_exchange, 0, 2);
	tcase_add_test(tc, test_socket_unexpected_fds);
	tcase_add_test(tc, test_socket_too_many_fds);
	tcase_add_test(tc, test_socket_oversize);
	tcase_add_loop_test(tc, test_socket_eof, 0, 5);
	tcase_add_test(tc, test_socket_passcred);
	tcase_add_test(tc, test_socket_bad_vector);
	tcase_add_test(tc, test_socket_type);
	tcase_add_loop_test(tc, test_socket_timeout, 0, 2);
	tcase_add_test(tc, test_socket_helper_dies);
	tcase_add_test(tc, test_socket_usage_answer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

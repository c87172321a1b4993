/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: common/mntopts.c and its tokeniser, common/optstr.c.
 *
 * First, differentially: the input (NUL-terminated) is tokenised with
 * mg_optstr_next() and with libmount's mnt_optstr_next_option(), its
 * reference, each on its own copy; every token (name and value as offsets
 * into the copy, their sizes, the cursor) and the final return code must be
 * the same, and neither may write to its copy. libmount is linked into this
 * harness only; mount-guard does not load it.
 *
 * Then mg_mntopts_parse() for every filesystem type on the same copy, then
 * mg_mntopts_format_attrs() at several buffer sizes and
 * mg_mntopts_clear() (LeakSanitizer checks that it frees everything a
 * parse kept, failed parses included). Checked:
 *  - a failure says why; a success keeps at most MG_MAX_FSOPTS options,
 *    whose keys and values carry no comma, quote, '=' or blank (nothing
 *    that could change meaning when joined into mount(2)'s data string),
 *    and never both sets and clears one attribute;
 *  - the rendering terminates inside the buffer at every size;
 *  - untruncated, the rendering parses again, for the same type, to the same
 *    attributes, atime and filesystem options. */
#include <libmount.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mntopts.h"
#include "optstr.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_mntopts: check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* Room for MG_MAX_FSOPTS options of 127-byte keys and values. */
#define RENDER_MAX (MG_MAX_FSOPTS * 260 + 256)

static void opts_init(struct mg_mntopts *o)
{
	memset(o, 0, sizeof(*o));
	o->atime = -1;
}

static const char *safe_str(const char *s)
{
	return s ? s : "(null)";
}

static void check_same(enum mg_fstype t, const char *text, const struct mg_mntopts *a,
		       const struct mg_mntopts *b)
{
	CHECK(a->attr_set == b->attr_set && a->attr_clr == b->attr_clr && a->atime == b->atime,
	      "type %s: '%s' renders to attributes that parse differently (set %#x/%#x clr "
	      "%#x/%#x atime %d/%d)",
	      mg_fstype_name(t), text, a->attr_set, b->attr_set, a->attr_clr, b->attr_clr,
	      a->atime, b->atime);
	CHECK(a->nfs == b->nfs, "type %s: '%s': %zu fs options, %zu after a round trip",
	      mg_fstype_name(t), text, a->nfs, b->nfs);
	for (size_t i = 0; i < a->nfs; i++) {
		CHECK(strcmp(a->fs[i].key, b->fs[i].key) == 0, "type %s: '%s': key %s became %s",
		      mg_fstype_name(t), text, a->fs[i].key, b->fs[i].key);
		CHECK(!a->fs[i].value == !b->fs[i].value &&
			      (!a->fs[i].value || strcmp(a->fs[i].value, b->fs[i].value) == 0),
		      "type %s: '%s': %s=%s became %s", mg_fstype_name(t), text, a->fs[i].key,
		      safe_str(a->fs[i].value), safe_str(b->fs[i].value));
	}
}

static void one_type(enum mg_fstype t, const char *text)
{
	struct mg_mntopts o;
	char why[256];
	static char buf[RENDER_MAX];

	opts_init(&o);
	why[0] = '\0';
	int r = mg_mntopts_parse(t, text, &o, why, sizeof(why));
	if (r < 0) {
		CHECK(why[0] != '\0', "type %s: failure without a reason", mg_fstype_name(t));
		mg_mntopts_clear(&o);
		return;
	}
	CHECK(r == 0, "r = %d", r);
	CHECK(o.nfs <= MG_MAX_FSOPTS, "%zu fs options", o.nfs);
	CHECK((o.attr_set & o.attr_clr) == 0, "type %s: '%s' both sets and clears %#x",
	      mg_fstype_name(t), text, o.attr_set & o.attr_clr);
	for (size_t i = 0; i < o.nfs; i++) {
		CHECK(o.fs[i].key && o.fs[i].key[0] && !strpbrk(o.fs[i].key, ",\"'= \t\n\\"),
		      "type %s: key '%s'", mg_fstype_name(t), safe_str(o.fs[i].key));
		CHECK(!o.fs[i].value || (o.fs[i].value[0] && !strpbrk(o.fs[i].value, ",\"'= \t\n\\")),
		      "type %s: %s has value '%s'", mg_fstype_name(t), o.fs[i].key, o.fs[i].value);
	}

	/* Truncated renderings: terminated inside the buffer (ASan watches the
	 * heap block's end). */
	for (size_t size = 1; size <= 24; size += 1) {
		char *small = malloc(size);
		CHECK(small, "malloc");
		mg_mntopts_format_attrs(&o, small, size);
		CHECK(memchr(small, '\0', size) != NULL, "size %zu: not terminated", size);
		free(small);
	}

	mg_mntopts_format_attrs(&o, buf, sizeof(buf));
	size_t n = strnlen(buf, sizeof(buf));
	CHECK(n < sizeof(buf), "not terminated");
	struct mg_mntopts again;
	opts_init(&again);
	why[0] = '\0';
	r = mg_mntopts_parse(t, buf, &again, why, sizeof(why));
	CHECK(r == 0, "type %s: '%s' renders as '%s', which does not parse: %s", mg_fstype_name(t),
	      text, buf, why);
	check_same(t, text, &o, &again);
	mg_mntopts_clear(&again);
	mg_mntopts_clear(&o);
	CHECK(o.nfs == 0 && o.atime == -1 && o.attr_set == 0 && o.attr_clr == 0,
	      "clear leaves state");
}

/* Offset of p in buf, -1 for NULL. */
static ptrdiff_t off(const char *p, const char *buf)
{
	return p ? p - buf : -1;
}

static void tokenise_both(const char *text, size_t size)
{
	char *mine = malloc(size + 1), *theirs = malloc(size + 1);
	CHECK(mine && theirs, "malloc");
	memcpy(mine, text, size + 1);
	memcpy(theirs, text, size + 1);
	char *mc = mine, *tc = theirs;
	for (size_t n = 0;; n++) {
		char *mn, *mv, *tn, *tv;
		size_t mns, mvs, tns, tvs;
		int mr = mg_optstr_next(&mc, &mn, &mns, &mv, &mvs);
		int tr = mnt_optstr_next_option(&tc, &tn, &tns, &tv, &tvs);
		CHECK(mr == tr, "option %zu: returns %d, libmount %d", n, mr, tr);
		CHECK(mc - mine == tc - theirs, "option %zu: cursor at %td, libmount %td", n,
		      mc - mine, tc - theirs);
		CHECK(off(mn, mine) == off(tn, theirs) && mns == tns,
		      "option %zu: name at %td size %zu, libmount at %td size %zu", n, off(mn, mine),
		      mns, off(tn, theirs), tns);
		CHECK(off(mv, mine) == off(tv, theirs) && mvs == tvs,
		      "option %zu: value at %td size %zu, libmount at %td size %zu", n,
		      off(mv, mine), mvs, off(tv, theirs), tvs);
		if (mr != 0)
			break;
		CHECK(n < size, "more options than bytes");
	}
	CHECK(memcmp(mine, text, size + 1) == 0, "mg_optstr_next wrote to the string");
	CHECK(memcmp(theirs, text, size + 1) == 0, "libmount wrote to the string");
	free(mine);
	free(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Up to the first NUL, as every caller sees it. */
	tokenise_both(text, strlen(text));
	for (int t = 0; t < MG_FS__MAX; t++)
		one_type((enum mg_fstype)t, text);
	free(text);
	return 0;
}

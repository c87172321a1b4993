/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: common/mntopts.c.
 *
 * mg_mntopts_parse() for every filesystem type on the input (NUL-terminated
 * copy), then mg_mntopts_format_attrs() at several buffer sizes and
 * mg_mntopts_clear() (LeakSanitizer checks that it frees everything a
 * parse kept, failed parses included). Checked:
 *  - a failure says why; a success keeps at most MG_MAX_FSOPTS options,
 *    whose keys and values carry no comma, quote, '=' or blank (nothing
 *    that could change meaning when joined into mount(2)'s data string),
 *    and never both sets and clears one attribute;
 *  - the rendering terminates inside the buffer at every size;
 *  - untruncated, the rendering parses again, for the same type, to the same
 *    attributes, atime and filesystem options. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mntopts.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int t = 0; t < MG_FS__MAX; t++)
		one_type((enum mg_fstype)t, text);
	free(text);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: policy/, the admin policy parser and checks.
 *
 * The input is policy text. A parse that succeeds is then asked about a few
 * callers (explain, to /dev/null) and about a fixed small request (check).
 * Checked: no crash, no leak; a failed parse leaves no policy and records an
 * error; a check that allows a non-root caller has forced nosuid and nodev
 * onto every mount entry. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_policy: check failed: %s\n", what);
		abort();
	}
}

static void add(struct mg_plan *p, enum mg_fstype type, const char *target, const char *source)
{
	struct mg_entry *e = mg_plan_add(p);
	e->kind = MG_KIND_MOUNT;
	e->type = type;
	e->name = strdup(target + 1);
	e->target = strdup(target);
	e->source = source ? strdup(source) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_policy *p = NULL;
	struct mg_error err = { 0 };
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	int r = mg_policy_parse("fuzz.conf", (const char *)data, size, &p, &err);
	check(r == 0 ? p != NULL : (p == NULL && err.set), "all or nothing");
	if (r < 0)
		return 0;
	static const uid_t uids[] = { 0, 1000, 65534 };
	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		gid_t groups[] = { 100, 1000 };
		struct mg_policy_caller c = { .uid = uids[i], .gid = uids[i], .groups = groups, .ngroups = 2 };
		struct mg_plan plan;
		mg_plan_init(&plan);
		plan.file = strdup("req");
		add(&plan, MG_FS_TMPFS, "/t", NULL);
		add(&plan, MG_FS_BIND, "/b", "/srv/data");
		const char *names[] = { NULL, "/srv/data/x" };
		bool readable[] = { false, true };
		struct mg_policy_input in = { .root_path = "/srv/roots/r1",
					      .source_paths = names,
					      .source_readable = readable };
		struct mg_error e2 = { 0 };
		struct mg_policy_verdict v;
		(void)mg_policy_explain(p, &c, devnull);
		if (mg_policy_check(p, &c, &in, &plan, &v, &e2) == 0 && uids[i] != 0)
			for (size_t k = 0; k < plan.n; k++)
				check((plan.entries[k].opts.attr_set & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) ==
					      (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV),
				      "nosuid,nodev forced for a non-root caller");
		mg_plan_free(&plan);
	}
	mg_policy_free(p);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount(8)-spelled option strings, tokenised and looked up as libmount would
 * (optstr.c, optmap.c; libmount itself is only the tests' reference). Every
 * option is either understood or an error: an option that mount-guard would
 * silently drop is a lie to the caller. */
#ifndef MG_MNTOPTS_H
#define MG_MNTOPTS_H

#include <stddef.h>

#include "plan.h"

#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

/* Parses `text` for a mount of type `type` into `out` (which must be zeroed
 * with atime = -1). On error fills `why` and returns a negative errno. */
int mg_mntopts_parse(enum mg_fstype type, const char *text, struct mg_mntopts *out, char *why,
		     size_t whysz);

void mg_mntopts_clear(struct mg_mntopts *o);

/* Renders the requested per-mount attributes as "ro,nosuid,..." into buf. */
void mg_mntopts_format_attrs(const struct mg_mntopts *o, char *buf, size_t size);

#endif

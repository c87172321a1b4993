/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Presets: ordinary config files from policy/presets/, compiled into the
 * binary. A config names one with [options] preset = NAME (or --preset); its
 * entries go first and the config adds to them. */
#ifndef MG_PRESET_H
#define MG_PRESET_H

#include <stddef.h>

#include "mg_error.h"
#include "plan.h"

struct mg_preset {
	const char *name;
	const char *text;
	size_t len;
};

extern const struct mg_preset mg_presets[]; /* NULL-name terminated */

const struct mg_preset *mg_preset_find(const char *name);

/* Resolves the plan's preset (or `cli_preset`, which must agree with it) and
 * puts its entries in front of the plan's own. Names must not collide. */
int mg_preset_merge(struct mg_plan *plan, const char *cli_preset, struct mg_error *err);

#endif

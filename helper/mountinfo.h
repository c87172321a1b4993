/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mountinfo, read once through the verified procfs and parsed by libmount
 * (it unescapes \040 and friends; commas in paths are not escaped at all, so
 * no hand-written parser gets this right). */
#ifndef MG_MOUNTINFO_H
#define MG_MOUNTINFO_H

#include <libmount.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"
#include "procfs.h"

struct mg_idset {
	uint64_t *ids; /* sorted */
	size_t n;
};

/* Parses self/mountinfo of the verified procfs into a new table. */
int mg_mountinfo_read(const struct mg_procfs *proc, struct libmnt_table **out, struct mg_error *err);
/* The ids of every mount in the table. */
int mg_idset_from_table(struct libmnt_table *tb, struct mg_idset *set);
bool mg_idset_has(const struct mg_idset *set, uint64_t id);
void mg_idset_free(struct mg_idset *set);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The INI front-end (mount-guard.conf(5)): text -> plan, through inih. */
#ifndef MG_CONFIG_INI_H
#define MG_CONFIG_INI_H

#include <stddef.h>

#include "mg_error.h"
#include "plan.h"

#define MG_CONFIG_MAX_BYTES (16u << 20)

/* Parses `len` bytes of INI text named `name` (for messages) into `plan`,
 * which must be freshly initialised. All or nothing: on error the plan is
 * emptied and `err` names file, line, entry and reason. */
int mg_config_parse(const char *name, const char *text, size_t len, struct mg_plan *plan,
		    struct mg_error *err);

/* Reads all of fd, at most `max` bytes: 0, -EFBIG past max, or -errno. */
int mg_read_fd(int fd, size_t max, char **out, size_t *outlen);

/* Reads all of a file ("-" is standard input) of at most `max` bytes (a
 * whole number of MiB) into a new buffer; errors are MG_EXIT_USAGE and call
 * it `what` ("config", "policy"). */
int mg_read_file(const char *what, const char *path, size_t max, char **text, size_t *len,
		 struct mg_error *err);

/* Reads a config file ("-" is standard input) and parses it. */
int mg_config_load(const char *path, struct mg_plan *plan, struct mg_error *err);

#endif

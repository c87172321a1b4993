/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bubblewrap-style mount arguments (--bind SRC DST, --ro-bind, --proc, --dev,
 * --tmpfs, --mqueue, --mask, --ro, --rw) turned into plan entries, as if
 * they were config sections written after the config's own. cli.c only
 * collects them (struct cli's mounts); this is where they get meaning. */
#ifndef MG_CLI_MOUNTS_H
#define MG_CLI_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_error.h"
#include "plan.h"

struct cli;

enum mg_cli_mount_kind {
	MG_CLI_BIND,    /* --bind SRC DST */
	MG_CLI_RO_BIND, /* --ro-bind SRC DST */
	MG_CLI_PROC,    /* --proc DST */
	MG_CLI_DEV,     /* --dev DST */
	MG_CLI_TMPFS,   /* --tmpfs DST */
	MG_CLI_MQUEUE,  /* --mqueue DST */
	MG_CLI_MASK,    /* --mask PATH: [masked] */
	MG_CLI_RO,      /* --ro PATH: [readonly] */
	MG_CLI_RW,      /* --rw PATH: [writable] */
	MG_CLI_MOUNT__MAX,
};

/* One argument as given: operands point into argv. */
struct mg_cli_mount {
	enum mg_cli_mount_kind kind;
	int argi;        /* argv index of the option itself (argv[0] is the program) */
	const char *arg; /* the first operand: SRC of a bind, else the path */
	const char *dst; /* the second operand (binds), else NULL */
};

/* The option's name without dashes ("ro-bind"), and how many operands it
 * takes (1 or 2). */
const char *mg_cli_mount_option(enum mg_cli_mount_kind k);
unsigned mg_cli_mount_operands(enum mg_cli_mount_kind k);

/* Appends one entry per mount argument of `cli`, in order, after what the
 * plan holds (the config's and the preset's entries). Each is named
 * "argN-KIND" (N its argv position) and its messages start with
 * "argument N (--KIND OPERANDS)". Validation errors are MG_EXIT_USAGE; the
 * plan then holds only what it held before. */
int mg_cli_mounts_append(const struct cli *cli, struct mg_plan *plan, struct mg_error *err);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One error object per run, filled once where the failure happens (the first
 * failure wins: rollback errors never overwrite the cause). The top level
 * renders it once. Functions return 0 or a negative errno. */
#ifndef MG_ERROR_H
#define MG_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, documented in mount-guard(8). */
enum mg_exit {
	MG_EXIT_OK = 0,
	MG_EXIT_FAILED = 1, /* a mount failed; everything this run did was undone */
	MG_EXIT_USAGE = 2,  /* usage or config error; nothing touched */
	MG_EXIT_UNSAFE = 3, /* refused as unsafe; nothing left touched */
	MG_EXIT_ROLLBACK = 4, /* failed, and undoing it failed too: something may be left */
};

enum mg_stage {
	MG_STAGE_SETUP,
	MG_STAGE_CONFIG,
	MG_STAGE_RESOLVE,
	MG_STAGE_CREATE,
	MG_STAGE_MOUNT,
	MG_STAGE_VERIFY,
	MG_STAGE_ROLLBACK,
	MG_STAGE__MAX,
};

struct mg_error {
	bool set;
	enum mg_exit kind;
	enum mg_stage stage;
	int err;          /* positive errno, 0 when none applies */
	const char *file; /* config file, or NULL */
	unsigned line;    /* config line, 0 when none */
	char entry[128];  /* entry name, "" when none */
	char msg[1024];
};

const char *mg_stage_name(enum mg_stage stage);

/* Records the failure (if none is recorded yet) and returns -err, or -EINVAL
 * when err is 0, so callers can write `return mg_fail(...)`. */
int mg_fail(struct mg_error *e, enum mg_exit kind, enum mg_stage stage, int err,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Attaches entry context to an already recorded error that has none. */
void mg_error_set_entry(struct mg_error *e, const char *file, unsigned line, const char *entry);

/* "FILE:LINE: entry 'NAME': STAGE: MESSAGE: strerror" */
void mg_error_format(const struct mg_error *e, char *buf, size_t size);

#endif

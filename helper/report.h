/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a run did, for people (summary) and programs (--json). */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include <stdio.h>

#include "context.h"
#include "engine.h"
#include "mg_error.h"
#include "plan.h"

struct mg_report {
	const char *command; /* "apply" or "plan" */
	const char *root;    /* as given */
	const struct mg_ctx *ctx; /* NULL when the run stopped before setup */
	const struct mg_plan *plan;
	const struct mg_run *run; /* NULL when no entry ran */
	const struct mg_error *err;
	int exit_code;
};

void mg_report_text(FILE *f, const struct mg_report *r);
void mg_report_json(FILE *f, const struct mg_report *r);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mg_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *mg_stage_name(enum mg_stage stage)
{
	static const char *const names[MG_STAGE__MAX] = {
		[MG_STAGE_SETUP] = "setup",   [MG_STAGE_CONFIG] = "config",
		[MG_STAGE_RESOLVE] = "resolve", [MG_STAGE_CREATE] = "create",
		[MG_STAGE_MOUNT] = "mount",   [MG_STAGE_VERIFY] = "verify",
		[MG_STAGE_ROLLBACK] = "rollback",
	};
	if ((unsigned)stage >= MG_STAGE__MAX)
		return "?";
	return names[stage];
}

int mg_fail(struct mg_error *e, enum mg_exit kind, enum mg_stage stage, int err,
	    const char *fmt, ...)
{
	int ret = err > 0 ? -err : -EINVAL;
	if (!e || e->set)
		return ret;
	e->set = true;
	e->kind = kind;
	e->stage = stage;
	e->err = err > 0 ? err : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return ret;
}

void mg_error_set_entry(struct mg_error *e, const char *file, unsigned line, const char *entry)
{
	if (!e || !e->set || e->entry[0] || e->line)
		return;
	e->file = file;
	e->line = line;
	snprintf(e->entry, sizeof(e->entry), "%s", entry ? entry : "");
}

void mg_error_format(const struct mg_error *e, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
#define APPEND(...)                                                          \
	do {                                                                  \
		if (n < size) {                                               \
			int w_ = snprintf(buf + n, size - n, __VA_ARGS__);    \
			n += w_ > 0 ? (size_t)w_ : 0;                         \
		}                                                             \
	} while (0)
	if (e->file && e->line)
		APPEND("%s:%u: ", e->file, e->line);
	else if (e->file)
		APPEND("%s: ", e->file);
	if (e->entry[0])
		APPEND("entry '%s': ", e->entry);
	APPEND("%s: %s", mg_stage_name(e->stage), e->msg);
	if (e->err)
		APPEND(": %s", strerror(e->err));
#undef APPEND
}

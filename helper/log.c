/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int journal;

void mg_log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	char tail;
	struct stat st;
	journal = 0;
	/* "DEV:INODE", both decimal; anything else is not systemd's. */
	if (!js || sscanf(js, "%ju:%ju%c", &dev, &ino, &tail) != 2)
		return;
	if (fstat(2, &st) == 0 && (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino)
		journal = 1;
}

int mg_log_journal(void)
{
	return journal;
}

void mg_log(int prio, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One write per line, so that lines from parallel helpers do not mix. */
	if (journal)
		fprintf(stderr, "<%d>mount-guard: %s\n", prio & LOG_PRIMASK, msg);
	else
		fprintf(stderr, "mount-guard: %s\n", msg);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages on stderr. Under systemd (JOURNAL_STREAM names our stderr), each
 * line starts with a syslog priority prefix such as "<3>", so that journald
 * keeps its level (sd-daemon(3)); elsewhere lines are plain. */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <syslog.h>

/* Reads JOURNAL_STREAM: call before the environment is cleared. The prefix
 * is used only when the variable's device:inode pair is stderr's own, as
 * systemd.exec(5) asks (a redirected stderr is not the journal). */
void mg_log_init(void);
/* One line "mount-guard: MESSAGE" at `prio` (LOG_ERR, LOG_WARNING, ...). */
void mg_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether lines carry priority prefixes (for tests and callers that print). */
int mg_log_journal(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Self-confinement: once the request is read and before any rootfs work, the
 * helper allows itself only the system calls it uses (libseccomp). A bug or
 * an exploit past that point cannot exec, open sockets, ptrace, load
 * modules or keys, or use any other kernel interface. */
#ifndef MG_CONFINE_H
#define MG_CONFINE_H

#include "mg_error.h"

/* Loads the allow-list; everything else fails with EPERM (not a kill: the
 * run then fails closed, rolls back and reports, instead of dying with
 * mounts half made). PR_SET_NO_NEW_PRIVS is already set (hygiene.c). */
int mg_confine_syscalls(struct mg_error *err);

#endif

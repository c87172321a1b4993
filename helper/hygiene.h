/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process hygiene before anything else runs: nothing the starter left us
 * (environment, fds, umask, dumpability) is trusted. */
#ifndef MG_HYGIENE_H
#define MG_HYGIENE_H

/* Clears the environment, sets umask 022, closes every fd above 2 except
 * those in keep[] (n_keep entries), makes sure 0-2 are open (on /dev/null
 * if not, so that no later open can land there), sets PR_SET_NO_NEW_PRIVS
 * and PR_SET_DUMPABLE 0. Returns 0 or a negative errno. */
int mg_hygiene(const int *keep, int n_keep);

/* A copy of the environment (NULL-terminated, never freed: it lives until
 * exec), or NULL when out of memory. */
char **mg_environ_copy(void);

#endif

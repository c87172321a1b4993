/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Self-confinement: once the request is read and before any rootfs work, the
 * helper allows itself only the system calls it uses. A bug or an exploit
 * past that point cannot exec, open sockets, ptrace, load modules or keys,
 * or use any other kernel interface. The allow-list is in
 * gen/confine_filter.h; libseccomp turns it into a BPF program at build
 * time (gen/confine_gen.c), and a run only installs that program. */
#ifndef MG_CONFINE_H
#define MG_CONFINE_H

#include <linux/filter.h>

#include "mg_error.h"

/* Loads the allow-list; everything else fails with EPERM (not a kill: the
 * run then fails closed, rolls back and reports, instead of dying with
 * mounts half made). Sets PR_SET_NO_NEW_PRIVS first, as libseccomp did
 * (hygiene.c has already set it). */
int mg_confine_syscalls(struct mg_error *err);

/* The program, generated for this build (confine_bpf.c in the build
 * directory): libseccomp's export of the allow-list, byte for byte. */
extern const struct sock_filter mg_confine_bpf[];
extern const unsigned short mg_confine_bpf_len;

#endif

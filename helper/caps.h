/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities (libcap-ng). The set and the reason for each member are in
 * SECURITY.md. */
#ifndef MG_CAPS_H
#define MG_CAPS_H

#include <stdbool.h>

#include "mg_error.h"

/* Reduces every set (effective, permitted, inheritable, bounding, ambient)
 * to what `apply` needs. Fails with a clear error when CAP_SYS_ADMIN is not
 * effective. need_create adds CAP_DAC_OVERRIDE (mkdir/create inside a
 * rootfs owned by another uid). */
int mg_caps_limit_for_apply(bool need_create, struct mg_error *err);

/* What `exec` holds until the command runs: apply's set (the applying child
 * reduces itself further) plus CAP_SYS_CHROOT for the MS_MOVE + chroot
 * fallback of the root switch. Same failure as mg_caps_limit_for_apply. */
int mg_caps_limit_for_exec(bool need_create, struct mg_error *err);

/* Drops every capability from every set. */
int mg_caps_drop_all(struct mg_error *err);

/* True when CAP_SYS_ADMIN is in the effective set. */
bool mg_caps_have_sys_admin(void);

#endif

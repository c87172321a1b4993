/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The option names mount(8) gives a meaning to, without libmount: the VFS
 * flags of libmount's MNT_LINUX_MAP and the fstab-only names of its
 * MNT_USERSPACE_MAP. */
#ifndef MG_OPTMAP_H
#define MG_OPTMAP_H

#include <stdbool.h>
#include <stddef.h>

enum {
	MG_OPTMAP_INVERT = 1 << 0,  /* clears the MS_* bit (libmount's MNT_INVERT): rw, suid, ... */
	MG_OPTMAP_NOVALUE = 1 << 1, /* "name" alone: libmount ignores "name=value" for it */
};

struct mg_vfsopt {
	const char *name;
	unsigned long id; /* MS_* bits, as mount(2) takes them */
	unsigned flags;   /* MG_OPTMAP_* */
};

/* The tables themselves, for the unit test that compares them with libmount. */
extern const struct mg_vfsopt mg_optmap_vfs[];
extern const size_t mg_optmap_vfs_len;
extern const char *const mg_optmap_userspace[];
extern const size_t mg_optmap_userspace_len;

/* The MNT_LINUX_MAP entry called `name`, or NULL. */
const struct mg_vfsopt *mg_optmap_find_vfs(const char *name);

/* Whether `name` is one of MNT_USERSPACE_MAP's names, compared up to the map
 * name's '=' or '[' ("user" is "user[=]", "comment" is "comment="). The
 * prefixes "x-" and "X-" match only themselves: callers that care about
 * "x-foo" check the prefix. */
bool mg_optmap_is_userspace(const char *name);

#endif

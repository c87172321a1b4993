/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts here are libmount's: util-linux 2.38.1, libmount/src/optmap.c,
 * linux_flags_map (MNT_LINUX_MAP) and userspace_opts_map (MNT_USERSPACE_MAP),
 * as Debian 12 builds them (with MS_NOSYMFOLLOW, MS_LAZYTIME and the
 * propagation flags). mount-guard stopped loading libmount at run time; it
 * still decides what an option means by these tables, so they must not drift
 * from the libmount installed at build time: tests/unit/test_mntopts.c
 * compares them both ways (every libmount entry is here with the same id,
 * invert bit and value rule, and every entry here is in libmount).
 * A newer libmount that adds a name fails that test; add the name here. */
#include "optmap.h"

#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256 /* Linux 5.10; glibc < 2.34 lacks it */
#endif

#define INV (MG_OPTMAP_INVERT | MG_OPTMAP_NOVALUE)
#define SET MG_OPTMAP_NOVALUE

/* In libmount's order. None of these names takes a value. */
const struct mg_vfsopt mg_optmap_vfs[] = {
	{ "ro", MS_RDONLY, SET },
	{ "rw", MS_RDONLY, INV },
	{ "exec", MS_NOEXEC, INV },
	{ "noexec", MS_NOEXEC, SET },
	{ "suid", MS_NOSUID, INV },
	{ "nosuid", MS_NOSUID, SET },
	{ "dev", MS_NODEV, INV },
	{ "nodev", MS_NODEV, SET },
	{ "sync", MS_SYNCHRONOUS, SET },
	{ "async", MS_SYNCHRONOUS, INV },
	{ "dirsync", MS_DIRSYNC, SET },
	{ "remount", MS_REMOUNT, SET },
	{ "bind", MS_BIND, SET },
	{ "rbind", MS_BIND | MS_REC, SET },
	{ "silent", MS_SILENT, SET },
	{ "loud", MS_SILENT, INV },
	{ "mand", MS_MANDLOCK, SET },
	{ "nomand", MS_MANDLOCK, INV },
	{ "atime", MS_NOATIME, INV },
	{ "noatime", MS_NOATIME, SET },
	{ "iversion", MS_I_VERSION, SET },
	{ "noiversion", MS_I_VERSION, INV },
	{ "diratime", MS_NODIRATIME, INV },
	{ "nodiratime", MS_NODIRATIME, SET },
	{ "relatime", MS_RELATIME, SET },
	{ "norelatime", MS_RELATIME, INV },
	{ "strictatime", MS_STRICTATIME, SET },
	{ "nostrictatime", MS_STRICTATIME, INV },
	{ "lazytime", MS_LAZYTIME, SET },
	{ "nolazytime", MS_LAZYTIME, INV },
	{ "unbindable", MS_UNBINDABLE, SET },
	{ "runbindable", MS_UNBINDABLE | MS_REC, SET },
	{ "private", MS_PRIVATE, SET },
	{ "rprivate", MS_PRIVATE | MS_REC, SET },
	{ "slave", MS_SLAVE, SET },
	{ "rslave", MS_SLAVE | MS_REC, SET },
	{ "shared", MS_SHARED, SET },
	{ "rshared", MS_SHARED | MS_REC, SET },
	{ "symfollow", MS_NOSYMFOLLOW, INV },
	{ "nosymfollow", MS_NOSYMFOLLOW, SET },
};
const size_t mg_optmap_vfs_len = ARRAY_SIZE(mg_optmap_vfs);

#undef INV
#undef SET

/* Spelled as libmount spells them: "name=" takes a value, "name[=]" may,
 * "x-" and "X-" are prefixes there (MNT_PREFIX). */
const char *const mg_optmap_userspace[] = {
	"defaults",
	"auto",
	"noauto",
	"user[=]",
	"nouser",
	"users",
	"nousers",
	"owner",
	"noowner",
	"group",
	"nogroup",
	"_netdev",
	"comment=",
	"x-",
	"X-",
	"loop[=]",
	"offset=",
	"sizelimit=",
	"encryption=",
	"nofail",
	"uhelper=",
	"helper=",
	"verity.hashdevice=",
	"verity.roothash=",
	"verity.hashoffset=",
	"verity.roothashfile=",
	"verity.fecdevice=",
	"verity.fecoffset=",
	"verity.fecroots=",
	"verity.roothashsig=",
	"verity.oncorruption=",
};
const size_t mg_optmap_userspace_len = ARRAY_SIZE(mg_optmap_userspace);

/* A map name matches `name` up to its first '=' or '[': mount-guard looked
 * names up this way when it asked libmount's maps, and still does. */
static bool map_name_is(const char *mapname, const char *name)
{
	size_t n = strcspn(mapname, "=[");
	return strlen(name) == n && strncmp(mapname, name, n) == 0;
}

const struct mg_vfsopt *mg_optmap_find_vfs(const char *name)
{
	for (size_t i = 0; i < mg_optmap_vfs_len; i++)
		if (map_name_is(mg_optmap_vfs[i].name, name))
			return &mg_optmap_vfs[i];
	return NULL;
}

bool mg_optmap_is_userspace(const char *name)
{
	for (size_t i = 0; i < mg_optmap_userspace_len; i++)
		if (map_name_is(mg_optmap_userspace[i], name))
			return true;
	return false;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"

int mg_mountinfo_read(const struct mg_procfs *proc, struct libmnt_table **out, struct mg_error *err)
{
	int fd = openat(proc->root_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "open self/mountinfo");
	_cleanup_fclose_ FILE *f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, errno, "fdopen mountinfo");
	}
	struct libmnt_table *tb = mnt_new_table();
	if (!tb)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, ENOMEM, "mnt_new_table");
	int r = mnt_table_parse_stream(tb, f, "mountinfo");
	if (r < 0) {
		mnt_unref_table(tb);
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_VERIFY, -r, "cannot parse mountinfo");
	}
	*out = tb;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int mg_idset_from_table(struct libmnt_table *tb, struct mg_idset *set)
{
	size_t cap = (size_t)mnt_table_get_nents(tb) + 1;
	set->ids = calloc(cap, sizeof(*set->ids));
	set->n = 0;
	if (!set->ids)
		return -ENOMEM;
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	if (!it)
		return -ENOMEM;
	while (mnt_table_next_fs(tb, it, &fs) == 0 && set->n < cap)
		set->ids[set->n++] = (uint64_t)mnt_fs_get_id(fs);
	mnt_free_iter(it);
	qsort(set->ids, set->n, sizeof(*set->ids), cmp_u64);
	return 0;
}

bool mg_idset_has(const struct mg_idset *set, uint64_t id)
{
	return set->ids && bsearch(&id, set->ids, set->n, sizeof(*set->ids), cmp_u64) != NULL;
}

void mg_idset_free(struct mg_idset *set)
{
	free(set->ids);
	set->ids = NULL;
	set->n = 0;
}

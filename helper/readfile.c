/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_ini.h"

int mg_read_fd(int fd, size_t max, char **out, size_t *outlen)
{
	size_t cap = 8192, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max)
				return -EFBIG; /* read one byte past the limit to know */
			cap = cap * 2 > max ? max + 1 : cap * 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return -EFBIG;
	*out = TAKE_PTR(buf);
	*outlen = n;
	return 0;
}

int mg_read_file(const char *what, const char *path, size_t max, char **text, size_t *len,
		 struct mg_error *err)
{
	_cleanup_close_ int fd = -1;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, errno, "cannot open %s", what);
	}
	int r = mg_read_fd(fd >= 0 ? fd : STDIN_FILENO, max, text, len);
	if (r == -EFBIG)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, EFBIG, "%s is larger than %zu MiB", what,
			       max >> 20);
	if (r < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, -r, "cannot read %s", what);
	return 0;
}

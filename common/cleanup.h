/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ownership you can see: locals that own an fd or a heap block carry a cleanup
 * attribute, and a function hands ownership out with TAKE_FD()/TAKE_PTR(). */
#ifndef MG_CLEANUP_H
#define MG_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void mg_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; /* close() must not clobber the errno being reported */
		close(*fd);
		errno = saved;
	}
}

static inline void mg_freep(void *p)
{
	free(*(void **)p);
}

static inline void mg_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_close_ __attribute__((cleanup(mg_closep)))
#define _cleanup_free_ __attribute__((cleanup(mg_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(mg_fclosep)))

#define TAKE_FD(fd)                 \
	({                          \
		int _fd_ = (fd);    \
		(fd) = -1;          \
		_fd_;               \
	})

#define TAKE_PTR(p)                      \
	({                               \
		__typeof__(p) _p_ = (p); \
		(p) = NULL;              \
		_p_;                     \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

/* fdio: writing to a file descriptor. */
#ifndef I360_UTIL_FDIO_H
#define I360_UTIL_FDIO_H

#include <stddef.h>

/* Writes all n bytes at p to fd, going on after short writes and EINTR.
 * 0, or -1 with errno set. */
int fdio_write_all(int fd, const void *p, size_t n);

#endif

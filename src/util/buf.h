/* buf: a growable byte buffer with a size cap, always NUL-terminated. */
#ifndef I360_UTIL_BUF_H
#define I360_UTIL_BUF_H

#include <stddef.h>

/*
 * A buffer fed by the network grows up to cap bytes and no further: an append that
 * would pass the cap fails, frees the contents and leaves the buffer empty and marked
 * too big (buf_too_big). The data is always followed by a NUL that len does not count,
 * so text can be used as a C string. A zeroed struct buf is a valid empty buffer with
 * no cap.
 */
struct buf {
	char *data;	/* NULL until something is appended */
	size_t len;
	size_t alloc;
	size_t cap;	/* 0 means no cap */
	int too_big;
};

/* Starts an empty buffer that may hold at most cap bytes (0: no cap). */
void buf_init(struct buf *b, size_t cap);

/* Appends n bytes; 0 on success, -1 when over the cap or out of memory. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Appends a C string. */
int buf_puts(struct buf *b, const char *s);

/* Appends printf-formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empties the buffer but keeps its memory and cap. */
void buf_reset(struct buf *b);

/* Whether an append was refused for the cap. */
int buf_too_big(const struct buf *b);

/* Hands the contents to the caller (free() them; never NULL on success: an empty
 * buffer gives ""), leaving b empty. Returns NULL only when out of memory. */
char *buf_detach(struct buf *b, size_t *len);

/* Frees the contents; the buffer is then empty and may be used again. */
void buf_free(struct buf *b);

#endif

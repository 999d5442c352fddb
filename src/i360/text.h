/* text: trimming, cutting and copying the UTF-8 text I360 sends. */
#ifndef I360_I360_TEXT_H
#define I360_I360_TEXT_H

#include <stddef.h>

/*
 * Text here is a span (pointer and byte length) into a string that is valid UTF-8, as
 * jansson guarantees for every decoded JSON string. Nothing in this file allocates
 * except text_dup().
 */

/*
 * The byte length of the white-space character that starts at s (at most n bytes are
 * read), or 0 when s does not start with one. White space is ASCII space, tab, CR, LF,
 * VT and FF, and the Unicode spaces people paste from spreadsheets and web pages:
 * U+0085, U+00A0 (no-break space), U+1680, U+2000..U+200B, U+2028, U+2029, U+202F,
 * U+205F, U+3000 and U+FEFF (a stray byte order mark).
 */
size_t text_space_len(const char *s, size_t n);

/* Narrows the span (*s, *n) so that it neither starts nor ends with white space.
 * An all-space span becomes empty (*n == 0). */
void text_trim(const char **s, size_t *n);

/*
 * The largest length <= max at which the n-byte text s can be cut without splitting a
 * UTF-8 character; n itself when n <= max.
 */
size_t text_cut(const char *s, size_t n, size_t max);

/* A new NUL-terminated heap copy of the n bytes at s (free() it), or NULL when out of
 * memory. */
char *text_dup(const char *s, size_t n);

#endif

/* num: whole numbers read from text that came from outside (URLs, flags, headers). */
#ifndef I360_UTIL_NUM_H
#define I360_UTIL_NUM_H

#include <stdint.h>

/*
 * Reads s as a decimal whole number from lo to hi into *out. Only digits are accepted:
 * no sign, no spaces, no "0x", and nothing after them; a value too large for int64_t is
 * out of range, never clamped. 0, or -1 (and *out untouched) when s is not such a
 * number (NULL and "" included).
 */
int num_parse(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif

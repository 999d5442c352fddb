/* text: trimming, cutting and copying the UTF-8 text I360 sends. */
#include "i360/text.h"

#include <stdlib.h>
#include <string.h>

size_t text_space_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 0;
	switch (u[0]) {
	case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
		return 1;
	case 0xC2: /* U+0085, U+00A0 */
		return n >= 2 && (u[1] == 0x85 || u[1] == 0xA0) ? 2 : 0;
	case 0xE1: /* U+1680 */
		return n >= 3 && u[1] == 0x9A && u[2] == 0x80 ? 3 : 0;
	case 0xE2:
		if (n < 3)
			return 0;
		/* U+2000..U+200B, U+2028, U+2029, U+202F */
		if (u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8B) || u[2] == 0xA8 ||
				     u[2] == 0xA9 || u[2] == 0xAF))
			return 3;
		/* U+205F */
		return u[1] == 0x81 && u[2] == 0x9F ? 3 : 0;
	case 0xE3: /* U+3000 */
		return n >= 3 && u[1] == 0x80 && u[2] == 0x80 ? 3 : 0;
	case 0xEF: /* U+FEFF */
		return n >= 3 && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0;
	default:
		return 0;
	}
}

void text_trim(const char **s, size_t *n)
{
	const char *p = *s;
	size_t len = *n, k;

	while ((k = text_space_len(p, len)) > 0) {
		p += k;
		len -= k;
	}
	/*
	 * From the end: a space character is 1, 2 or 3 bytes long. In valid UTF-8 the
	 * first byte of each candidate is a lead byte, so a match is a whole character
	 * and never the tail of a longer one.
	 */
	for (;;) {
		for (k = 1; k <= 3 && k <= len; k++)
			if (text_space_len(p + len - k, k) == k)
				break;
		if (k > 3 || k > len)
			break;
		len -= k;
	}
	*s = p;
	*n = len;
}

size_t text_cut(const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n <= max)
		return n;
	/* Back off while the byte at the cut is a continuation byte (10xxxxxx). */
	while (max > 0 && (u[max] & 0xC0) == 0x80)
		max--;
	return max;
}

char *text_dup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

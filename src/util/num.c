/* num: strict decimal whole numbers. */
#include "util/num.h"

#include <stddef.h>

int num_parse(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		int d = *s - '0';

		if (d < 0 || d > 9 || v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

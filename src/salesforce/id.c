/* id: Salesforce Id validation and the 18-character checksum. */
#include "salesforce/id.h"

#include <string.h>

static int is_alnum(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* The 3-character suffix: bit i of block b is set when character 5b+i is A-Z. */
static void checksum(const char *s, char out[3])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
	int b, i;

	for (b = 0; b < 3; b++) {
		unsigned v = 0;

		for (i = 0; i < 5; i++) {
			char ch = s[b * 5 + i];

			if (ch >= 'A' && ch <= 'Z')
				v |= 1u << i;
		}
		out[b] = alphabet[v];
	}
}

int sf_id_valid(const char *s)
{
	size_t n, i;
	char sum[3];

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n != 15 && n != 18)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]))
			return 0;
	if (n == 15)
		return 1;
	checksum(s, sum);
	return memcmp(sum, s + 15, 3) == 0;
}

int sf_id_to18(const char *s, char out[SF_ID_LEN + 1])
{
	out[0] = '\0';
	if (!sf_id_valid(s))
		return -1;
	memcpy(out, s, 15);
	checksum(s, out + 15);
	out[SF_ID_LEN] = '\0';
	return 0;
}

int sf_id_equal(const char *a, const char *b)
{
	return sf_id_valid(a) && sf_id_valid(b) && memcmp(a, b, 15) == 0;
}

/* sfid: Salesforce record Ids and their checksum. */
#include "sandbox/sfid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char sfid_b62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Each 5-character chunk gives one checksum character: bit i is set when character i
 * of the chunk is an upper-case letter, and the 5-bit value indexes this alphabet. */
static const char sfid_ck[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

void sfid_checksum(const char *id15, char out[4])
{
	for (int c = 0; c < 3; c++) {
		unsigned v = 0;

		for (int i = 0; i < 5; i++)
			if (id15[c * 5 + i] >= 'A' && id15[c * 5 + i] <= 'Z')
				v |= 1u << i;
		out[c] = sfid_ck[v];
	}
	out[3] = '\0';
}

void sfid_make(char out[SFID_LEN + 1], const char *prefix, unsigned long serial)
{
	/* 3 prefix + "Dn" pod + "0000" + 6 digits = 15, then the checksum. Every seeded
	 * record gets one, so no snprintf. */
	memcpy(out, "000Dn0000", 9);
	memcpy(out, prefix, strnlen(prefix, 3));
	for (int i = 14; i >= 9; i--) {
		out[i] = sfid_b62[serial % 62];
		serial /= 62;
	}
	sfid_checksum(out, out + 15);
}

int sfid_valid(const char *s)
{
	size_t n = strlen(s);
	char ck[4];

	if (n != 15 && n != 18)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	if (n == 15)
		return 1;
	sfid_checksum(s, ck);
	return strncasecmp(ck, s + 15, 3) == 0;
}

int sfid_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if ((la != 15 && la != 18) || (lb != 15 && lb != 18))
		return strcmp(a, b) == 0;
	return strncmp(a, b, 15) == 0;
}

/* fuzz_isotime: Salesforce datetimes parsed (checked against glibc's timegm) and
 * formatted back, and any instant formatted. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz/fuzz.h"
#include "util/isotime.h"

#define DAY_MS 86400000LL

/* The instants isotime_format can write: years 0000 to 9999, UTC. */
static int formattable(int64_t ms)
{
	return ms >= isotime_days_from_civil(0, 1, 1) * DAY_MS &&
	       ms < isotime_days_from_civil(10000, 1, 1) * DAY_MS;
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/*
 * What s (which isotime_parse_ms accepted) means, worked out independently: the
 * fixed-width fields through timegm(), the fraction's first three digits, the offset.
 */
static int64_t oracle_ms(const char *s)
{
	struct tm tm;
	const char *p = s + 19;
	int64_t ms, frac = 0;
	int digits = 0;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = num(s, 4) - 1900;
	tm.tm_mon = num(s + 5, 2) - 1;
	tm.tm_mday = num(s + 8, 2);
	tm.tm_hour = num(s + 11, 2);
	tm.tm_min = num(s + 14, 2);
	tm.tm_sec = num(s + 17, 2);
	ms = (int64_t)timegm(&tm) * 1000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
	for (; digits < 3; digits++)
		frac *= 10;
	ms += frac;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int colon = p[3] == ':';

		ms -= sign * (num(p + 1, 2) * 3600000LL + num(p + 3 + colon, 2) * 60000LL);
	}
	return ms;
}

/* ms formatted both ways: the right shape always, and read back exactly when the year
 * fits in four digits. */
static void check_format(int64_t ms)
{
	char out[ISOTIME_LEN], out_ms[ISOTIME_MS_LEN];
	int64_t back;

	isotime_format(out, ms);
	isotime_format_ms(out_ms, ms);
	FUZZ_CHECK(strlen(out) == ISOTIME_LEN - 1, "\"%s\" for %lld", out, (long long)ms);
	FUZZ_CHECK(strlen(out_ms) == ISOTIME_MS_LEN - 1, "\"%s\" for %lld", out_ms,
		   (long long)ms);
	if (!formattable(ms))
		return;
	FUZZ_CHECK(isotime_parse_ms(out_ms, &back) == 0 && back == ms,
		   "\"%s\" reads back as %lld, not %lld", out_ms, (long long)back,
		   (long long)ms);
	FUZZ_CHECK(isotime_parse_ms(out, &back) == 0 && back == ms - ((ms % 1000) + 1000) % 1000,
		   "\"%s\" reads back as %lld for %lld", out, (long long)back, (long long)ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t ms = 0, date_ms = 0;
	char *s;

	/* The first 8 bytes, whatever they are, as an instant to format. */
	if (size >= sizeof(ms)) {
		memcpy(&ms, data, sizeof(ms));
		check_format(ms);
	}
	if (fuzz_has_nul(data, size))
		return 0;
	s = fuzz_cstr(data, size);
	if (isotime_parse_ms(s, &ms) == 0) {
		int64_t want = oracle_ms(s);

		FUZZ_CHECK(ms == want, "\"%s\" parsed as %lld, timegm says %lld", s,
			   (long long)ms, (long long)want);
		FUZZ_CHECK(formattable(ms), "\"%s\" parsed as %lld, which no format can write",
			   s, (long long)ms);
		check_format(ms);
	}
	if (isotime_parse_date_ms(s, &date_ms) == 0) {
		char *midnight = malloc(size + sizeof("T00:00:00Z"));

		FUZZ_CHECK(midnight != NULL, "out of memory");
		strcpy(midnight, s);
		strcat(midnight, "T00:00:00Z");
		FUZZ_CHECK(isotime_parse_ms(midnight, &ms) == 0 && ms == date_ms,
			   "\"%s\" as a date is %lld, as its midnight %lld", s,
			   (long long)date_ms, (long long)ms);
		free(midnight);
	}
	free(s);
	return 0;
}

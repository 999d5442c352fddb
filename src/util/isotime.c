/* isotime: ISO-8601 / Salesforce datetime parsing and UTC formatting. */
#include "util/isotime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days-from-civil algorithm: exact for every Gregorian date. */
int64_t isotime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

static int parse_date(const char **p, int *y, int *mo, int *d)
{
	if (digits(p, 4, y) < 0 || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, mo) < 0 || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, d) < 0)
		return -1;
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo))
		return -1;
	return 0;
}

int isotime_parse_date_ms(const char *s, int64_t *ms)
{
	int y, mo, d;

	if (s == NULL || parse_date(&s, &y, &mo, &d) < 0 || *s != '\0')
		return -1;
	*ms = isotime_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000;
	return 0;
}

int isotime_parse_ms(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0;
	int64_t t;

	if (s == NULL || parse_date(&s, &y, &mo, &d) < 0)
		return -1;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &mi) < 0 ||
	    *s++ != ':' || digits(&s, 2, &sec) < 0)
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	if (*s == '.') {
		int n = 0;
		s++;
		while (*s >= '0' && *s <= '9') {
			if (n < 3)
				frac = frac * 10 + (*s - '0');
			n++;
			s++;
		}
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (digits(&s, 2, &oh) < 0)
			return -1;
		if (*s == ':')
			s++;
		if (digits(&s, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
	}
	if (*s != '\0')
		return -1;
	t = ((isotime_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	      h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) * 1000 + frac;
	/* Only instants the formats can write back: years 0000 to 9999 in UTC. */
	if (t < isotime_days_from_civil(0, 1, 1) * 86400000 ||
	    t >= isotime_days_from_civil(10000, 1, 1) * 86400000)
		return -1;
	*ms = t;
	return 0;
}

static void split(int64_t ms, int64_t *y, unsigned *mo, unsigned *d, int *h, int *mi,
		  int *s, int *frac)
{
	/* Floor division: negating ms first would overflow for the most negative ones. */
	int64_t days = ms / 86400000, rem = ms % 86400000;

	if (rem < 0) {
		days--;
		rem += 86400000;
	}
	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600000);
	*mi = (int)(rem / 60000 % 60);
	*s = (int)(rem / 1000 % 60);
	*frac = (int)(rem % 1000);
}

char *isotime_format(char out[ISOTIME_LEN], int64_t ms)
{
	int64_t y;
	unsigned mo, d;
	int h, mi, s, frac;

	char tmp[64];

	split(ms, &y, &mo, &d, &h, &mi, &s, &frac);
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)(y % 10000), mo,
		 d, h, mi, s);
	memcpy(out, tmp, ISOTIME_LEN - 1);
	out[ISOTIME_LEN - 1] = '\0';
	return out;
}

char *isotime_format_ms(char out[ISOTIME_MS_LEN], int64_t ms)
{
	int64_t y;
	unsigned mo, d;
	int h, mi, s, frac;

	char tmp[64];

	split(ms, &y, &mo, &d, &h, &mi, &s, &frac);
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)(y % 10000),
		 mo, d, h, mi, s, frac);
	memcpy(out, tmp, ISOTIME_MS_LEN - 1);
	out[ISOTIME_MS_LEN - 1] = '\0';
	return out;
}

char *isotime_format_http(char out[ISOTIME_HTTP_LEN], int64_t ms)
{
	/* Fixed tables rather than strftime's %a and %b, which follow LC_TIME: an
	 * HTTP-date is English in every locale. */
	static const char wdays[7][4] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t y, days = ms / 86400000;
	unsigned mo, d;
	int h, mi, s, frac;
	char tmp[64];

	if (ms % 86400000 < 0)
		days--;
	split(ms, &y, &mo, &d, &h, &mi, &s, &frac);
	/* 1970-01-01 was a Thursday: wdays starts there. */
	snprintf(tmp, sizeof(tmp), "%s, %02u %s %04d %02d:%02d:%02d GMT",
		 wdays[(days % 7 + 7) % 7], d, months[mo - 1], (int)(y % 10000), h, mi, s);
	memcpy(out, tmp, ISOTIME_HTTP_LEN - 1);
	out[ISOTIME_HTTP_LEN - 1] = '\0';
	return out;
}

int64_t isotime_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* soql_date: SOQL's date functions (CALENDAR_YEAR(f), DAY_ONLY(f), ...) and the user's
 * time zone that convertTimezone() reads them in. */
#include "sandbox/soql_int.h"

#include <stdint.h>
#include <time.h>

#include "util/isotime.h"

#define HOUR_MS 3600000LL

const char *const soql__date_fn_names[DF__MAX] = {
	"", "CALENDAR_MONTH", "CALENDAR_QUARTER", "CALENDAR_YEAR", "DAY_IN_MONTH",
	"DAY_IN_WEEK", "DAY_IN_YEAR", "DAY_ONLY", "FISCAL_MONTH", "FISCAL_QUARTER",
	"FISCAL_YEAR", "HOUR_IN_DAY", "WEEK_IN_MONTH", "WEEK_IN_YEAR",
};

/* The calendar fields of time t (ms) in UTC into *tm; -1 when out of gmtime's range. */
static int utc_tm(int64_t t, struct tm *tm)
{
	time_t secs = (time_t)(t / 1000 - (t % 1000 < 0));	/* floor, before 1970 too */

	return gmtime_r(&secs, tm) == NULL ? -1 : 0;
}

int64_t soql__date_fn(enum date_fn fn, int64_t t)
{
	struct tm tm;

	if (fn == DF_DAY_ONLY)
		return (t / DAY_MS - (t % DAY_MS < 0)) * DAY_MS;
	if (utc_tm(t, &tm) < 0)
		return 0;
	switch (fn) {
	case DF_CALENDAR_MONTH: case DF_FISCAL_MONTH: return tm.tm_mon + 1;
	case DF_CALENDAR_QUARTER: case DF_FISCAL_QUARTER: return tm.tm_mon / 3 + 1;
	case DF_CALENDAR_YEAR: case DF_FISCAL_YEAR: return (int64_t)tm.tm_year + 1900;
	case DF_DAY_IN_MONTH: return tm.tm_mday;
	case DF_DAY_IN_WEEK: return tm.tm_wday + 1;
	case DF_DAY_IN_YEAR: return tm.tm_yday + 1;
	case DF_HOUR_IN_DAY: return tm.tm_hour;
	case DF_WEEK_IN_MONTH: return (tm.tm_mday - 1) / 7 + 1;
	case DF_WEEK_IN_YEAR: return tm.tm_yday / 7 + 1;
	default: return 0;
	}
}

/* The first Sunday on or after day d (days since 1970-01-01, a Thursday). */
static int64_t sunday_from(int64_t d)
{
	int64_t wday = ((d + 4) % 7 + 7) % 7;	/* 0: Sunday */

	return d + (7 - wday) % 7;
}

/*
 * The sandbox has one user, the one every session runs as: seed.c makes it with
 * TimeZoneSidKey America/Chicago, and the identity service says so. Chicago keeps US
 * daylight time as the rules have stood since 2007 (used here for every year): UTC-5
 * from 2:00 standard time on the second Sunday of March to 2:00 daylight time on the
 * first Sunday of November, UTC-6 otherwise.
 */
int64_t soql__user_time(int64_t t)
{
	struct tm tm;
	int64_t y, start, end;

	if (utc_tm(t, &tm) < 0)
		return t;
	y = (int64_t)tm.tm_year + 1900;
	start = (sunday_from(isotime_days_from_civil(y, 3, 1)) + 7) * DAY_MS + 8 * HOUR_MS;
	end = sunday_from(isotime_days_from_civil(y, 11, 1)) * DAY_MS + 7 * HOUR_MS;
	return t + (t >= start && t < end ? -5 : -6) * HOUR_MS;
}

int64_t soql__path_date(const struct path *p, int64_t t)
{
	return soql__date_fn(p->dfn, p->tz ? soql__user_time(t) : t);
}

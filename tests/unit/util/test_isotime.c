/* Unit tests of isotime: Salesforce datetime parsing and UTC formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <string.h>

#include "util/isotime.h"

static int64_t parse(const char *s)
{
	int64_t ms = -42;

	assert_int_equal(isotime_parse_ms(s, &ms), 0);
	return ms;
}

static void test_salesforce_forms(void **state)
{
	char out[ISOTIME_LEN];

	(void)state;
	/* 2026-11-01T15:00:00Z */
	assert_int_equal(parse("2026-11-01T15:00:00Z"), INT64_C(1793545200000));
	assert_int_equal(parse("2026-11-01T15:00:00.000+0000"), INT64_C(1793545200000));
	assert_int_equal(parse("2026-11-01T15:00:00.123Z"), INT64_C(1793545200123));
	assert_int_equal(parse("2026-11-01T10:00:00-05:00"), INT64_C(1793545200000));
	assert_int_equal(parse("2026-11-01T20:30:00+0530"), INT64_C(1793545200000));
	assert_int_equal(parse("2026-11-01 15:00:00"), INT64_C(1793545200000));
	assert_int_equal(parse("2026-11-01T15:00:00.123456789Z"), INT64_C(1793545200123));
	assert_string_equal(isotime_format(out, parse("2026-11-01T23:30:00-05:00")),
			    "2026-11-02T04:30:00Z");
}

static void test_calendar_edges(void **state)
{
	char out[ISOTIME_LEN], outms[ISOTIME_MS_LEN];
	int64_t ms;

	(void)state;
	assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
	assert_string_equal(isotime_format(out, parse("2024-02-29T12:00:00Z")),
			    "2024-02-29T12:00:00Z");
	assert_string_equal(isotime_format(out, parse("1969-12-31T23:59:59Z")),
			    "1969-12-31T23:59:59Z");
	assert_string_equal(isotime_format_ms(outms, parse("2000-03-01T00:00:00.007Z")),
			    "2000-03-01T00:00:00.007Z");
	assert_int_equal(isotime_parse_date_ms("2026-11-01", &ms), 0);
	assert_int_equal(ms, INT64_C(1793491200000));
}

static void test_refusals(void **state)
{
	static const char *const bad[] = {
		"", "2026", "2026-11-01", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-11-01T24:00:00Z", "2026-11-01T10:60:00Z", "2026-11-01T10:00:00ZZ",
		"2026-11-01T10:00:00+5", "2026-11-01T10:00:00.Z", "2026-11-01X10:00:00Z",
		"26-11-01T10:00:00Z", "2026-11-01T10:00:00 junk",
	};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(isotime_parse_ms(bad[i], &ms), -1);
	assert_int_equal(isotime_parse_ms(NULL, &ms), -1);
	assert_int_equal(isotime_parse_date_ms("2026-11-31", &ms), -1);
}

/* fuzz.isotime found this: split() negated ms to round towards minus infinity, which
 * overflowed (UBSan: signed integer overflow) for instants near INT64_MIN. */
static void test_format_extreme_instant_overflow(void **state)
{
	char out[ISOTIME_LEN], out_ms[ISOTIME_MS_LEN];

	(void)state;
	assert_int_equal(strlen(isotime_format(out, INT64_MIN)), ISOTIME_LEN - 1);
	assert_int_equal(strlen(isotime_format_ms(out_ms, INT64_MIN)), ISOTIME_MS_LEN - 1);
	assert_int_equal(strlen(isotime_format(out, INT64_C(-9223372036852476408))),
			 ISOTIME_LEN - 1);
	assert_int_equal(strlen(isotime_format(out, INT64_MAX)), ISOTIME_LEN - 1);
	/* Still rounded down: the millisecond before the epoch is in 1969. */
	assert_string_equal(isotime_format_ms(out_ms, -1), "1969-12-31T23:59:59.999Z");
	assert_string_equal(isotime_format(out, -1), "1969-12-31T23:59:59Z");
	assert_string_equal(isotime_format(out, -86400000), "1969-12-31T00:00:00Z");
}

/* fuzz.isotime found this: "9999-12-31T23:59:59.999-0800" was taken as an instant in
 * year 10000, which isotime_format wrote as year 0000 (and year -1 as "-001-..."). */
static void test_parse_offset_past_year_9999(void **state)
{
	int64_t ms = 7;

	(void)state;
	assert_int_equal(isotime_parse_ms("9999-12-31T23:59:59.999-0800", &ms), -1);
	assert_int_equal(isotime_parse_ms("9999-12-31T23:00:00-01:00", &ms), -1);
	assert_int_equal(isotime_parse_ms("0000-01-01T00:00:00+0100", &ms), -1);
	assert_int_equal(ms, 7);
	/* The edges themselves are fine. */
	assert_int_equal(parse("9999-12-31T23:59:59.999Z"), INT64_C(253402300799999));
	assert_int_equal(parse("9999-12-31T23:59:59.999+0800"), INT64_C(253402272000000) - 1);
	assert_int_equal(parse("0000-01-01T01:00:00+0100"), INT64_C(-62167219200000));
	assert_int_equal(parse("0000-01-01T00:00:00Z"), INT64_C(-62167219200000));
}

/* HTTP-dates (If-Unmodified-Since): English names, GMT, the milliseconds cut so that
 * the date is never later than the instant; curl_getdate reads each back (from 1970 on:
 * it reads earlier dates as 1970). */
static void test_format_http(void **state)
{
	static const int64_t instants[] = {
		INT64_C(784111777000), INT64_C(951782400000), INT64_C(1798761599999),
		INT64_C(0), INT64_C(999), INT64_C(253402300799999),
	};
	char out[ISOTIME_HTTP_LEN];

	(void)state;
	assert_string_equal(isotime_format_http(out, INT64_C(784111777000)),
			    "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(isotime_format_http(out, INT64_C(784111777999)),
			    "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(isotime_format_http(out, parse("2000-02-29T00:00:00Z")),
			    "Tue, 29 Feb 2000 00:00:00 GMT");
	assert_string_equal(isotime_format_http(out, -1), "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_string_equal(isotime_format_http(out, -86400000), "Wed, 31 Dec 1969 00:00:00 GMT");
	assert_string_equal(isotime_format_http(out, -86400001), "Tue, 30 Dec 1969 23:59:59 GMT");
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		int64_t ms = instants[i], floor_s = ms / 1000 - (ms % 1000 < 0);

		isotime_format_http(out, ms);
		assert_int_equal(strlen(out), ISOTIME_HTTP_LEN - 1);
		assert_int_equal((int64_t)curl_getdate(out, NULL), floor_s);
	}
	assert_int_equal(strlen(isotime_format_http(out, INT64_MIN)), ISOTIME_HTTP_LEN - 1);
	assert_int_equal(strlen(isotime_format_http(out, INT64_MAX)), ISOTIME_HTTP_LEN - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_salesforce_forms),
		cmocka_unit_test(test_calendar_edges),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_format_extreme_instant_overflow),
		cmocka_unit_test(test_parse_offset_past_year_9999),
		cmocka_unit_test(test_format_http),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of soql: literal escaping, datetime literals, IN lists chunked under the URL limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "salesforce/soql.h"

static char *quote(const char *s, unsigned flags)
{
	static char out[1024];
	struct buf b;
	struct err e;

	buf_init(&b, 0);
	assert_int_equal(sf_soql_quote(&b, s, flags, &e), 0);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	return out;
}

static void test_quote_hostile(void **state)
{
	(void)state;
	assert_string_equal(quote("Ann Lee", 0), "'Ann Lee'");
	assert_string_equal(quote("", 0), "''");
	/* The classic injection stays inside the literal. */
	assert_string_equal(quote("x' OR Name != '", 0), "'x\\' OR Name != \\''");
	assert_string_equal(quote("O'Brien \"Bob\"", 0), "'O\\'Brien \\\"Bob\\\"'");
	assert_string_equal(quote("C:\\temp\\", 0), "'C:\\\\temp\\\\'");
	assert_string_equal(quote("a\\'b", 0), "'a\\\\\\'b'");
	assert_string_equal(quote("l1\nl2\r\tx\by\fz", 0), "'l1\\nl2\\r\\tx\\by\\fz'");
	/* Unicode passes through unchanged. */
	assert_string_equal(quote("Zoë Ångström – 東京 🏠", 0), "'Zoë Ångström – 東京 🏠'");
	/* _ and % are only special in LIKE. */
	assert_string_equal(quote("50%_off", 0), "'50%_off'");
	assert_string_equal(quote("50%_off", SF_SOQL_LIKE), "'50\\%\\_off'");
}

static void test_quote_refusals(void **state)
{
	static const char *const bad[] = {
		"bell\a", "nul-ish\x01", "esc\x1b[0m", "\xff\xfe", "half \xc3", "over\xc0\xaf",
		"surrogate \xed\xa0\x80", "past \xf4\x90\x80\x80",
	};
	struct buf b;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&b, 0);
		err_clear(&e);
		assert_int_equal(sf_soql_quote(&b, bad[i], 0, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		buf_free(&b);
	}
	buf_init(&b, 8);
	assert_int_equal(sf_soql_quote(&b, "far too long for eight", 0, &e), -1);
	assert_int_equal(e.code, ERR_TOO_LARGE);
	buf_free(&b);
}

static void test_datetime_literal(void **state)
{
	char out[ISOTIME_LEN];

	(void)state;
	assert_string_equal(sf_soql_datetime(out, INT64_C(1793491200000)), "2026-11-01T00:00:00Z");
	assert_string_equal(sf_soql_datetime(out, INT64_C(1793545200999)), "2026-11-01T15:00:00Z");
}

static void test_encoded_len_matches_curl(void **state)
{
	static const char *const samples[] = {
		"SELECT Id FROM X WHERE Name = 'a+b' AND T > 2026-11-01T00:00:00Z",
		"Zoë 東京 ~._-", "%%%", "",
	};
	CURL *h = curl_easy_init();
	size_t i;

	(void)state;
	assert_non_null(h);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char *enc = curl_easy_escape(h, samples[i], 0);

		assert_non_null(enc);
		assert_int_equal(sf_soql_encoded_len(samples[i]), strlen(enc));
		curl_free(enc);
	}
	curl_easy_cleanup(h);
}

/* 1,500 18-character Ids, chunked with a realistic base URL: every chunk stays under
 * the limit, and the chunks together hold every value once, in order. */
static void test_in_chunks_under_limit(void **state)
{
	enum { N = 1500 };
	static char ids[N][19];
	const char *values[N];
	const char *base = "https://acme.my.salesforce.com/services/data/v62.0/queryAll?q=";
	struct sf_soql_in in = { 0 };
	struct buf out;
	struct err e;
	size_t i, seen = 0, chunks = 0;
	int rc;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "a0B5e%010zuAAA", i);
		values[i] = ids[i];
	}
	in.head = "SELECT Id, i360core__Status__c FROM i360core__Sales_Appointment__c WHERE ";
	in.field = "i360core__Sales_Rep_1__c";
	in.tail = " AND SystemModstamp >= 2026-11-01T00:00:00Z ORDER BY SystemModstamp";
	in.values = values;
	in.nvalues = N;
	in.url_base_len = strlen(base);
	buf_init(&out, 0);
	while ((rc = sf_soql_in_next(&in, &out, &e)) == 1) {
		const char *p = out.data;

		chunks++;
		assert_true(in.url_base_len + sf_soql_encoded_len(out.data) < SF_SOQL_MAX_URL);
		assert_int_equal(strncmp(p, in.head, strlen(in.head)), 0);
		assert_non_null(strstr(p, "i360core__Sales_Rep_1__c IN ('"));
		assert_non_null(strstr(p, "') AND SystemModstamp >= 2026-11-01T00:00:00Z"));
		while ((p = strstr(p, "'a0B5e")) != NULL) {
			assert_int_equal(strncmp(p + 1, ids[seen], 18), 0);
			seen++;
			p += 20;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(seen, N);
	assert_true(chunks >= 3);
	/* Nearly full chunks: the limit is used, not just respected. */
	assert_true(chunks <= 1 + N * 26 / (SF_SOQL_MAX_URL - 400));
	buf_free(&out);
}

static void test_in_chunk_value_too_big(void **state)
{
	const char *values[] = { "short", "this value is much too long for the limit" };
	struct sf_soql_in in = { 0 };
	struct buf out;
	struct err e;

	(void)state;
	in.head = "SELECT Id FROM X WHERE ";
	in.field = "Name";
	in.values = values;
	in.nvalues = 2;
	in.url_base_len = 10;
	/* Room for exactly the first query, plus the one byte "under" needs. */
	in.max_url = 10 + sf_soql_encoded_len("SELECT Id FROM X WHERE Name IN ('short')") + 1;
	buf_init(&out, 0);
	assert_int_equal(sf_soql_in_next(&in, &out, &e), 1);
	assert_string_equal(out.data, "SELECT Id FROM X WHERE Name IN ('short')");
	assert_int_equal(sf_soql_in_next(&in, &out, &e), -1);
	assert_int_equal(e.code, ERR_TOO_LARGE);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_hostile),
		cmocka_unit_test(test_quote_refusals),
		cmocka_unit_test(test_datetime_literal),
		cmocka_unit_test(test_encoded_len_matches_curl),
		cmocka_unit_test(test_in_chunks_under_limit),
		cmocka_unit_test(test_in_chunk_value_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

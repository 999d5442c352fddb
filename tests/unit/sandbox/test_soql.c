/* test_soql: the sandbox's SOQL subset, one construct or error per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/objects.h"
#include "sandbox/sfid.h"
#include "sandbox/soql.h"
#include "sandbox/soql_int.h"	/* soql__date_fn */
#include "util/isotime.h"

static struct objects *store;
static char staff_ann[19], staff_jose[19], staff_bob[19], account[19];
static char appt1[19], appt2[19], appt3[19], opp1[19], opp2[19];

static void mk(const char *type, char id[19], const char *json)
{
	json_error_t je;
	json_t *in = json_loads(json, 0, &je);
	struct sferr e;

	assert_non_null(in);
	if (objects_create(store, objects_type_find(type), in, NULL, 0, 1700000000000LL,
			   OBJECTS_SYSTEM, id, &e) < 0)
		fail_msg("create %s: %s %s", type, e.code, e.msg);
	json_decref(in);
}

static int setup(void **state)
{
	char buf[1024];

	(void)state;
	store = objects_new();
	mk("i360core__Staff__c", staff_ann, "{\"Name\":\"Ann Lee\",\"i360core__Email__c\":"
	   "\"Ann.Lee@Example.com\"}");
	mk("i360core__Staff__c", staff_jose, "{\"Name\":\"Jos\\u00e9 N\\u00fa\\u00f1ez\"}");
	mk("i360core__Staff__c", staff_bob, "{\"Name\":\"Bob O'Neil\",\"i360core__Email__c\":"
	   "\"bob@example.com\"}");
	mk("Account", account, "{\"Name\":\"Lee Household\"}");
	snprintf(buf, sizeof(buf),
		 "{\"i360core__Sales_Rep_1__c\":\"%s\",\"i360core__Account__c\":\"%s\","
		 "\"i360core__Contact_Name__c\":\"Ann Lee\",\"i360core__Status__c\":\"Ran - Sold\","
		 "\"i360core__Status_Detail__c\":\"Full Contract\",\"i360core__Appointment_Date_Time__c\":"
		 "\"2026-11-01T15:00:00Z\",\"i360core__Appointment_Date__c\":\"2026-11-01\","
		 "\"i360core__Duration_Hours__c\":1.5,\"i360core__Product_Categories__c\":\"Windows;Doors\","
		 "\"SystemModstamp\":\"2026-10-01T00:00:00Z\"}", staff_ann, account);
	mk("i360core__Sales_Appointment__c", appt1, buf);
	snprintf(buf, sizeof(buf),
		 "{\"i360core__Sales_Rep_1__c\":\"%s\",\"i360core__Status__c\":\"Scheduled\","
		 "\"i360core__Appointment_Date_Time__c\":\"2026-11-02T10:00:00Z\","
		 "\"i360core__Duration_Hours__c\":3,\"i360core__Product_Categories__c\":\"Roofing\","
		 "\"SystemModstamp\":\"2026-10-05T00:00:00Z\"}", staff_jose);
	mk("i360core__Sales_Appointment__c", appt2, buf);
	mk("i360core__Sales_Appointment__c", appt3,
	   "{\"i360core__Contact_Name__c\":\"Zed\",\"i360core__Status__c\":\"Cancelled\","
	   "\"SystemModstamp\":\"2026-09-01T00:00:00Z\",\"IsDeleted\":true}");
	mk("i360core__Sales_Opportunity__c", opp1, "{\"Name\":\"Lee Windows\","
	   "\"i360core__Interested_In__c\":\"Windows\",\"i360core__Result__c\":\"Sold\","
	   "\"i360core__Result_Detail__c\":\"Cash\"}");
	mk("i360core__Sales_Opportunity__c", opp2, "{\"Name\":\"Lee Doors\","
	   "\"i360core__Interested_In__c\":\"Doors\"}");
	{
		char j[19];

		snprintf(buf, sizeof(buf), "{\"i360core__Sales_Appointment__c\":\"%s\","
			 "\"i360core__Sales_Opportunity__c\":\"%s\"}", appt1, opp1);
		mk("i360core__Sales_Appointment_Opportunity__c", j, buf);
		snprintf(buf, sizeof(buf), "{\"i360core__Sales_Appointment__c\":\"%s\","
			 "\"i360core__Sales_Opportunity__c\":\"%s\"}", appt1, opp2);
		mk("i360core__Sales_Appointment_Opportunity__c", j, buf);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	objects_free(store);
	return 0;
}

/* 2026-11-10T12:00:00Z: "now" for date literals. */
#define NOW 1794312000000LL

static json_t *run_opts(const char *text, const struct soql_opts *o, size_t *total)
{
	struct sferr e;
	struct soql_query *q = soql_parse_at(text, NOW, &e);
	json_t *out;

	if (q == NULL)
		fail_msg("query failed: %s %s", e.code, e.msg);
	out = soql_run(q, store, o, total, &e);
	assert_non_null(out);
	soql_free(q);
	return out;
}

static json_t *run(const char *text)
{
	struct soql_opts o = { 0, "58.0", 0, NULL, NULL };
	size_t total;

	return run_opts(text, &o, &total);
}

static size_t count(const char *text)
{
	json_t *r = run(text);
	size_t n = json_array_size(r);

	json_decref(r);
	return n;
}

static struct sferr last_err;

static const char *err(const char *text)
{
	struct soql_query *q = soql_parse_at(text, NOW, &last_err);

	if (q != NULL) {
		soql_free(q);
		return "(none)";
	}
	assert_int_equal(last_err.status, 400);
	return last_err.code;
}

static const char *str_at(json_t *rows, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(rows, i), key));
}

static void test_select_canonical_names(void **state)
{
	json_t *r = run("select id, NAME, I360CORE__EMAIL__C from I360CORE__STAFF__C order by name");
	json_t *first = json_array_get(r, 0);
	json_t *attrs = json_object_get(first, "attributes");

	(void)state;
	assert_int_equal(json_array_size(r), 3);
	assert_string_equal(json_string_value(json_object_get(attrs, "type")), "i360core__Staff__c");
	assert_non_null(strstr(json_string_value(json_object_get(attrs, "url")),
			       "/services/data/v58.0/sobjects/i360core__Staff__c/a0B"));
	assert_string_equal(str_at(r, 0, "Name"), "Ann Lee");
	assert_string_equal(str_at(r, 0, "i360core__Email__c"), "Ann.Lee@Example.com");
	assert_non_null(json_object_get(first, "Id"));
	assert_int_equal(json_object_size(first), 4);	/* attributes + 3 fields */
	assert_true(json_is_null(json_object_get(json_array_get(r, 2), "i360core__Email__c")));
	json_decref(r);
}

static void test_where_comparisons(void **state)
{
	(void)state;
	/* Text equality ignores case. */
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Email__c = "
			       "'ann.lee@example.com'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name != 'Ann Lee'"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name <> 'Ann Lee'"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Email__c = null"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Email__c != NULL"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Duration_Hours__c > 1.5"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Duration_Hours__c >= 1.5"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Duration_Hours__c < 2 AND i360core__Duration_Hours__c <= 1.5"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Active__c = true"), 3);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Active__c = FALSE"), 0);
	/* A string != matches nulls, as in Salesforce. */
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE i360core__Email__c != "
			       "'bob@example.com'"), 2);
}

static void test_in_like_includes(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name IN ('ann lee', "
			       "'Bob O\\'Neil')"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name NOT IN ('Ann Lee')"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name LIKE 'a%'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name LIKE '%o%'"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name LIKE 'Jos_ N%'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name LIKE 'Ann'"), 0);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Product_Categories__c INCLUDES ('doors')"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Product_Categories__c INCLUDES ('Windows;Roofing', 'Roofing')"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Product_Categories__c EXCLUDES ('Roofing')"), 1);
}

static void test_and_or_not_parentheses(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE (Name = 'Ann Lee' OR "
			       "Name = 'Bob O\\'Neil') AND i360core__Email__c LIKE 'bob%'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE NOT Name = 'Ann Lee'"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE NOT (Name = 'Ann Lee' OR "
			       "i360core__Email__c = null)"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name = 'x' OR Name = 'y' "
			       "OR Name = 'Ann Lee'"), 1);
}

static void test_datetime_and_date_literals(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "SystemModstamp >= 2026-10-01T00:00:00Z"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "SystemModstamp > 2026-10-01T00:00:00.000Z"), 1);
	/* 2026-10-01T02:00:00+02:00 is midnight UTC. */
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "SystemModstamp = 2026-10-01T02:00:00+02:00"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "SystemModstamp < 2026-10-04T20:00:00-03:00"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date__c = 2026-11-01"), 1);
	/* NOW is 2026-11-10T12:00Z: LAST_N_DAYS:9 starts 2026-11-01T00:00Z. */
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c = LAST_N_DAYS:9"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c = LAST_N_DAYS:8"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c < LAST_N_DAYS:8"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "SystemModstamp = TODAY"), 0);
}

/* Salesforce's week, month, quarter and year literals, which jsforce's SfDate offers.
 * NOW is Tuesday 2026-11-10; weeks start on Sunday (en_US), so LAST_WEEK is Sunday
 * 2026-11-01 (appt1, 15:00) to Saturday 2026-11-07 (appt2 is on the Monday). */
static void test_period_date_literals(void **state)
{
	static const struct { const char *where; size_t n; } cases[] = {
		{ "i360core__Appointment_Date_Time__c = LAST_WEEK", 2 },
		{ "i360core__Appointment_Date_Time__c = THIS_WEEK", 0 },
		{ "i360core__Appointment_Date_Time__c < THIS_WEEK", 2 },
		{ "i360core__Appointment_Date_Time__c = NEXT_WEEK", 0 },
		{ "i360core__Appointment_Date_Time__c = LAST_N_WEEKS:1", 2 },
		{ "i360core__Appointment_Date_Time__c = N_WEEKS_AGO:1", 2 },
		{ "i360core__Appointment_Date_Time__c = NEXT_N_WEEKS:4", 0 },
		{ "i360core__Appointment_Date_Time__c = N_DAYS_AGO:9", 1 },
		{ "i360core__Appointment_Date_Time__c = N_DAYS_AGO:8", 1 },
		{ "i360core__Appointment_Date_Time__c = N_DAYS_AGO:7", 0 },
		{ "i360core__Appointment_Date__c = THIS_MONTH", 1 },
		{ "i360core__Appointment_Date_Time__c = THIS_MONTH", 2 },
		{ "i360core__Appointment_Date_Time__c = LAST_N_MONTHS:1", 0 },
		{ "SystemModstamp = LAST_MONTH", 2 },
		{ "SystemModstamp = LAST_N_MONTHS:1", 2 },
		{ "SystemModstamp = N_MONTHS_AGO:1", 2 },
		{ "SystemModstamp = NEXT_MONTH", 0 },
		{ "SystemModstamp = THIS_QUARTER", 2 },
		{ "SystemModstamp = LAST_QUARTER", 0 },
		{ "SystemModstamp = THIS_FISCAL_QUARTER", 2 },
		{ "SystemModstamp = LAST_N_QUARTERS:2", 0 },
		{ "SystemModstamp = THIS_YEAR", 2 },
		{ "SystemModstamp = THIS_FISCAL_YEAR", 2 },
		{ "SystemModstamp = LAST_YEAR", 0 },
		{ "SystemModstamp = NEXT_N_YEARS:3", 0 },
		{ "SystemModstamp = N_YEARS_AGO:0", 2 },
		{ "SystemModstamp = LAST_N_YEARS:99999999999999999999", 0 },
		{ "SystemModstamp < NEXT_N_FISCAL_YEARS:2", 2 },
	};
	char q[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(q, sizeof(q), "SELECT Id FROM i360core__Sales_Appointment__c WHERE %s",
			 cases[i].where);
		if (count(q) != cases[i].n)
			fail_msg("%s: %zu rows, expected %zu", cases[i].where, count(q), cases[i].n);
	}
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"SystemModstamp = LAST_N_WEEKS"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"SystemModstamp = THIS_FORTNIGHT"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"Name = THIS_WEEK"), "INVALID_FIELD");
}

/* fuzz.sandbox_soql found this: LAST_N_DAYS:n and NEXT_N_DAYS:n multiplied n, read with
 * strtol (LONG_MAX past its range), by a day's milliseconds (UBSan: signed overflow). A
 * huge n now means "every date", as any n past the calendar's reach does. */
static void test_n_days_overflow(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c = "
			       "LAST_N_DAYS:99999999999999999999999"), 2);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c < "
			       "LAST_N_DAYS:9223372036854775807"), 0);
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Appointment_Date_Time__c = "
			       "NEXT_N_DAYS:99999999999999999999999"), 0);
}

static void test_order_limit_offset(void **state)
{
	json_t *r;

	(void)state;
	r = run("SELECT Name FROM i360core__Staff__c ORDER BY Name DESC");
	assert_string_equal(str_at(r, 0, "Name"), "José Núñez");
	assert_string_equal(str_at(r, 2, "Name"), "Ann Lee");
	json_decref(r);
	r = run("SELECT Name FROM i360core__Staff__c ORDER BY i360core__Email__c NULLS LAST, Name");
	assert_string_equal(str_at(r, 0, "Name"), "Ann Lee");
	assert_string_equal(str_at(r, 2, "Name"), "José Núñez");
	json_decref(r);
	r = run("SELECT Name FROM i360core__Staff__c ORDER BY i360core__Email__c ASC, Name");
	assert_string_equal(str_at(r, 0, "Name"), "José Núñez");	/* nulls first by default */
	json_decref(r);
	r = run("SELECT Name FROM i360core__Staff__c ORDER BY i360core__Email__c DESC NULLS FIRST");
	assert_string_equal(str_at(r, 0, "Name"), "José Núñez");
	assert_string_equal(str_at(r, 1, "Name"), "Bob O'Neil");
	json_decref(r);
	r = run("SELECT Name FROM i360core__Staff__c ORDER BY Name LIMIT 2 OFFSET 1");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(str_at(r, 0, "Name"), "Bob O'Neil");
	json_decref(r);
	r = run("SELECT Id FROM i360core__Sales_Appointment__c ORDER BY "
		"i360core__Sales_Rep_1__r.Name DESC, SystemModstamp");
	assert_string_equal(str_at(r, 0, "Id"), appt2);
	json_decref(r);
}

static void test_parent_paths(void **state)
{
	json_t *r = run("SELECT Id, i360core__Sales_Rep_1__r.Name, i360core__Sales_Rep_1__r.Id, "
			"i360core__Account__r.Name FROM i360core__Sales_Appointment__c ORDER BY "
			"SystemModstamp");
	json_t *rep, *acct;

	(void)state;
	assert_int_equal(json_array_size(r), 2);
	rep = json_object_get(json_array_get(r, 0), "i360core__Sales_Rep_1__r");
	assert_string_equal(json_string_value(json_object_get(rep, "Name")), "Ann Lee");
	assert_string_equal(json_string_value(json_object_get(rep, "Id")), staff_ann);
	assert_string_equal(json_string_value(json_object_get(json_object_get(rep, "attributes"),
							      "type")), "i360core__Staff__c");
	acct = json_object_get(json_array_get(r, 1), "i360core__Account__r");
	assert_true(json_is_null(acct));	/* an empty reference is null */
	json_decref(r);
}

static char *cursor_seen;
static size_t cursor_total;

static char *fake_cursor(void *ctx, struct soql_rows *rest, size_t total)
{
	struct soql_opts o = { 0, "58.0", 0, NULL, NULL };
	struct buf b;
	json_t *first;
	json_error_t je;

	(void)ctx;
	cursor_total = total;
	assert_int_equal(soql_rows_count(rest), 1);
	buf_init(&b, 0);
	assert_int_equal(soql_render(rest, store, &o, 0, 1, &b), 0);
	first = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(first);
	free(cursor_seen);
	cursor_seen = strdup(json_string_value(json_object_get(first, "Id")));
	json_decref(first);
	buf_free(&b);
	soql_rows_free(rest);
	return strdup("/services/data/v58.0/query/01gDn0000000001AAA-1");
}

static void test_child_subquery(void **state)
{
	const char *q = "SELECT Id, (SELECT Id, i360core__Sales_Opportunity__r.Id, "
			"i360core__Sales_Opportunity__r.Name, i360core__Sales_Opportunity__r."
			"i360core__Result__c FROM i360core__Sales_Appointment_Opportunities__r "
			"ORDER BY i360core__Sales_Opportunity__r.Name) FROM "
			"i360core__Sales_Appointment__c ORDER BY SystemModstamp";
	json_t *r = run(q), *child, *recs;
	struct soql_opts o = { 0, "58.0", 1, fake_cursor, NULL };
	size_t total;

	(void)state;
	child = json_object_get(json_array_get(r, 0), "i360core__Sales_Appointment_Opportunities__r");
	assert_int_equal(json_integer_value(json_object_get(child, "totalSize")), 2);
	assert_true(json_is_true(json_object_get(child, "done")));
	recs = json_object_get(child, "records");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(recs, 0),
		"i360core__Sales_Opportunity__r"), "Name")), "Lee Doors");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(recs, 1),
		"i360core__Sales_Opportunity__r"), "i360core__Result__c")), "Sold");
	/* No children: null, not an empty result. */
	assert_true(json_is_null(json_object_get(json_array_get(r, 1),
						 "i360core__Sales_Appointment_Opportunities__r")));
	json_decref(r);

	/* Over the child page size the rest goes to a cursor. */
	r = run_opts(q, &o, &total);
	child = json_object_get(json_array_get(r, 0), "i360core__Sales_Appointment_Opportunities__r");
	assert_true(json_is_false(json_object_get(child, "done")));
	assert_int_equal(json_array_size(json_object_get(child, "records")), 1);
	assert_string_equal(json_string_value(json_object_get(child, "nextRecordsUrl")),
			    "/services/data/v58.0/query/01gDn0000000001AAA-1");
	assert_int_equal(cursor_total, 2);
	assert_non_null(cursor_seen);
	free(cursor_seen);
	cursor_seen = NULL;
	json_decref(r);
}

static void test_query_all_and_count(void **state)
{
	struct soql_opts all = { 1, "58.0", 0, NULL, NULL };
	size_t total;
	json_t *r;

	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c"), 2);
	r = run_opts("SELECT Id, IsDeleted FROM i360core__Sales_Appointment__c WHERE IsDeleted = true",
		     &all, &total);
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "Id"), appt3);
	json_decref(r);
	r = run_opts("SELECT COUNT() FROM i360core__Sales_Appointment__c", &all, &total);
	assert_int_equal(json_array_size(r), 0);
	assert_int_equal(total, 3);
	json_decref(r);
}

static void test_ids_compare_on_15(void **state)
{
	char q[256], id15[16];

	(void)state;
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE Id = '%s'", staff_bob);
	assert_int_equal(count(q), 1);
	snprintf(id15, sizeof(id15), "%.15s", staff_bob);
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE Id IN ('%s')", id15);
	assert_int_equal(count(q), 1);
	snprintf(id15, sizeof(id15), "%.15s", staff_ann);
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Sales_Appointment__c WHERE "
		 "i360core__Sales_Rep_1__c = '%s'", id15);
	assert_int_equal(count(q), 1);
	/* An 18-character literal whose suffix differs only in case still matches. */
	{
		char lower[19];

		snprintf(lower, sizeof(lower), "%s", staff_bob);
		for (int i = 15; i < 18; i++)
			lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ? lower[i] + 32 : lower[i]);
		snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE Id = '%s'", lower);
		assert_int_equal(count(q), 1);
	}
}

static void test_string_escapes(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name = 'Jos\\u00e9 N\\u00fa\\u00f1ez'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name = 'Bob O\\'Neil'"), 1);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name = 'a\\\\b\\n\\r\\t\\b\\f\\\"'"), 0);
	assert_int_equal(count("SELECT Id FROM i360core__Staff__c WHERE Name LIKE 'Ann\\_%'"), 0);
}

static void test_errors(void **state)
{
	(void)state;
	assert_string_equal(err("SELECT Id FORM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "unexpected token: 'FORM'"));
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Name = 'a' AND Name = 'b' "
				"OR Name = 'c'"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Name = 'abc"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Name = 'a\\qb'"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"SystemModstamp > 2026-10-01T00:00:00"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id, Id FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c LIMIT x"), "MALFORMED_QUERY");
	assert_string_equal(err(""), "MALFORMED_QUERY");

	assert_string_equal(err("SELECT Id, Emial__c FROM i360core__Staff__c"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "ERROR at Row:1:Column:12"));
	assert_non_null(strstr(last_err.msg, "No such column 'Emial__c' on entity 'i360core__Staff__c'"));
	assert_string_equal(err("SELECT i360core__Rep__r.Name FROM i360core__Sales_Appointment__c"),
			    "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "Didn't understand relationship 'i360core__Rep__r'"));
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"SystemModstamp > '2026-10-01T00:00:00Z'"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "must be of type dateTime and should not be enclosed in quotes"));
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Name = 5"), "INVALID_FIELD");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE i360core__Active__c = 'true'"),
			    "INVALID_FIELD");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c ORDER BY Nope"), "INVALID_FIELD");

	assert_string_equal(err("SELECT Id FROM i360core__Appointment__c"), "INVALID_TYPE");
	assert_non_null(strstr(last_err.msg, "sObject type 'i360core__Appointment__c' is not supported"));
	assert_string_equal(err("SELECT Id, (SELECT Id FROM Nope__r) FROM i360core__Sales_Appointment__c"),
			    "INVALID_TYPE");

	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id = 'nope'"),
			    "INVALID_QUERY_FILTER_OPERATOR");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE i360core__Active__c > true"),
			    "INVALID_QUERY_FILTER_OPERATOR");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c OFFSET 2001"),
			    "NUMBER_OUTSIDE_VALID_RANGE");
}

/* FIELDS(STANDARD | CUSTOM | ALL): the object's standard fields, or its custom ones,
 * or both (standard first), each in the object's order, beside named fields and
 * subqueries; the unbounded two need LIMIT 200 at most; a field named twice is an
 * error; a field may still be called Fields. */
static void test_fields_function(void **state)
{
	const struct objects_type *t = objects_type_find("i360core__Staff__c");
	json_t *r, *row;
	size_t nstd = 0, ncustom = 0, k = 1;
	const char *key;
	json_t *v;

	(void)state;
	for (size_t i = 0; i < t->nfields; i++)
		(t->fields[i].flags & OF_CUSTOM) ? ncustom++ : nstd++;
	assert_true(nstd > 2 && ncustom > 2);

	r = run("SELECT FIELDS(STANDARD) FROM i360core__Staff__c ORDER BY Name");
	row = json_array_get(r, 0);
	assert_int_equal(json_object_size(row), 1 + nstd);
	assert_string_equal(str_at(r, 0, "Name"), "Ann Lee");
	assert_null(json_object_get(row, "i360core__Email__c"));
	json_decref(r);

	r = run("select fields(custom), Name from i360core__Staff__c order by Name limit 200");
	row = json_array_get(r, 0);
	assert_int_equal(json_object_size(row), 1 + ncustom + 1);
	assert_string_equal(str_at(r, 0, "i360core__Email__c"), "Ann.Lee@Example.com");
	assert_null(json_object_get(row, "Id"));
	json_decref(r);

	/* ALL: standard fields first, then custom, each in the object's order. */
	r = run("SELECT FIELDS(ALL) FROM i360core__Staff__c ORDER BY Name LIMIT 2");
	assert_int_equal(json_array_size(r), 2);
	row = json_array_get(r, 0);
	assert_int_equal(json_object_size(row), 1 + nstd + ncustom);
	for (int custom = 0; custom <= 1; custom++)
		for (size_t i = 0; i < t->nfields; i++)
			if (((t->fields[i].flags & OF_CUSTOM) != 0) == custom) {
				size_t at_k = 0;

				json_object_foreach(row, key, v) {
					if (strcmp(key, t->fields[i].name) == 0)
						break;
					at_k++;
				}
				assert_int_equal(at_k, k++);
			}
	json_decref(r);

	/* In a child subquery, bounded by its own LIMIT. */
	r = run("SELECT Id, (SELECT FIELDS(ALL) FROM i360core__Sales_Appointment_Opportunities__r"
		" LIMIT 200) FROM i360core__Sales_Appointment__c"
		" WHERE i360core__Contact_Name__c = 'Ann Lee'");
	assert_int_equal(json_array_size(r), 1);
	v = json_object_get(json_object_get(json_array_get(r, 0),
					    "i360core__Sales_Appointment_Opportunities__r"), "records");
	assert_int_equal(json_array_size(v), 2);
	assert_non_null(json_object_get(json_array_get(v, 0), "i360core__Sales_Opportunity__c"));
	assert_non_null(json_object_get(json_array_get(v, 0), "CreatedDate"));
	json_decref(r);
	assert_string_equal(err("SELECT Id, (SELECT FIELDS(ALL) FROM "
				"i360core__Sales_Appointment_Opportunities__r) FROM "
				"i360core__Sales_Appointment__c LIMIT 5"), "MALFORMED_QUERY");

	assert_string_equal(err("SELECT FIELDS(ALL) FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_string_equal(last_err.msg, "The SOQL FIELDS function must have a LIMIT of at most 200");
	assert_string_equal(err("SELECT FIELDS(CUSTOM) FROM i360core__Staff__c LIMIT 201"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id, FIELDS(STANDARD) FROM i360core__Staff__c"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate field selected: Id"));
	assert_string_equal(err("SELECT FIELDS(STANDARD), Name FROM i360core__Staff__c"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate field selected: Name"));
	assert_string_equal(err("SELECT FIELDS(NONE) FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT COUNT(Id), FIELDS(STANDARD) FROM i360core__Staff__c"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"i360core__Sales_Rep_1__c IN (SELECT FIELDS(STANDARD) FROM "
				"i360core__Staff__c)"), "MALFORMED_QUERY");
	/* Not the function: a field called Fields is looked up like any other. */
	assert_string_equal(err("SELECT Fields FROM i360core__Staff__c"), "INVALID_FIELD");
}

/* Date functions in WHERE, in UTC. Ann's appointment is on Sunday 2026-11-01 at 15:00
 * (and its date field 2026-11-01), Jose's on Monday 2026-11-02 at 10:00; both were
 * last modified in October; the third is deleted. */
#define APPTS "SELECT Id FROM i360core__Sales_Appointment__c WHERE "
#define WHEN "i360core__Appointment_Date_Time__c"
static void test_date_functions(void **state)
{
	const int64_t before_1970 = -1;	/* 1969-12-31T23:59:59.999Z */

	(void)state;
	assert_int_equal(count(APPTS "CALENDAR_YEAR(" WHEN ") = 2026"), 2);
	assert_int_equal(count(APPTS "calendar_month(" WHEN ") = 11"), 2);
	assert_int_equal(count(APPTS "CALENDAR_QUARTER(SystemModstamp) = 4"), 2);
	assert_int_equal(count(APPTS "DAY_IN_MONTH(" WHEN ") = 2"), 1);
	assert_int_equal(count(APPTS "DAY_IN_WEEK(" WHEN ") = 1"), 1);	/* Sunday */
	assert_int_equal(count(APPTS "DAY_IN_YEAR(" WHEN ") = 305"), 1);
	assert_int_equal(count(APPTS "HOUR_IN_DAY(" WHEN ") >= 12"), 1);
	assert_int_equal(count(APPTS "WEEK_IN_MONTH(" WHEN ") = 1"), 2);
	assert_int_equal(count(APPTS "WEEK_IN_YEAR(" WHEN ") = 44"), 2);
	assert_int_equal(count(APPTS "FISCAL_YEAR(" WHEN ") = 2026 AND FISCAL_QUARTER(" WHEN
			       ") = 4 AND FISCAL_MONTH(" WHEN ") = 11"), 2);
	assert_int_equal(count(APPTS "DAY_ONLY(" WHEN ") = 2026-11-02"), 1);
	assert_int_equal(count(APPTS "DAY_ONLY(" WHEN ") > 2026-10-31"), 2);
	assert_int_equal(count(APPTS "CALENDAR_MONTH(i360core__Appointment_Date__c) = 11"), 1);
	assert_int_equal(count(APPTS "CALENDAR_MONTH(" WHEN ") IN (10, 11)"), 2);
	assert_int_equal(count(APPTS "CALENDAR_MONTH(" WHEN ") NOT IN (11)"), 0);
	assert_int_equal(count(APPTS "NOT DAY_IN_WEEK(" WHEN ") = 1"), 1);

	assert_int_equal(soql__date_fn(DF_CALENDAR_YEAR, before_1970), 1969);
	assert_int_equal(soql__date_fn(DF_HOUR_IN_DAY, before_1970), 23);
	assert_int_equal(soql__date_fn(DF_DAY_IN_WEEK, before_1970), 4);	/* Wednesday */
	assert_int_equal(soql__date_fn(DF_DAY_ONLY, before_1970), -86400000LL);

	assert_string_equal(err(APPTS "CALENDAR_YEAR(i360core__Contact_Name__c) = 2026"),
			    "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "CALENDAR_YEAR cannot be applied to field "
			       "i360core__Contact_Name__c"));
	assert_string_equal(err(APPTS "HOUR_IN_DAY(i360core__Appointment_Date__c) = 1"),
			    "INVALID_FIELD");
	assert_string_equal(err(APPTS "CALENDAR_YEAR(" WHEN ") = '2026'"), "INVALID_FIELD");
	assert_string_equal(err(APPTS "DAY_ONLY(" WHEN ") = 5"), "INVALID_FIELD");
	assert_string_equal(err(APPTS "CALENDAR_YEAR(" WHEN ") LIKE '2%'"),
			    "INVALID_QUERY_FILTER_OPERATOR");
	assert_string_equal(err(APPTS "CALENDAR_YEAR(" WHEN " = 2026"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT "
				"i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c) AND "
				"CALENDAR_YEAR(CreatedDate) IN (SELECT Id FROM Account)"),
			    "MALFORMED_QUERY");
}
#undef APPTS
#undef WHEN

static json_t *at(json_t *rows, size_t i, const char *key)
{
	return json_object_get(json_array_get(rows, i), key);
}

/* Date functions in aggregate queries: selected (grouped), grouped by (a datetime's too),
 * ordered by and in HAVING. Unaliased, they take exprN keys from the one counter the
 * aggregates use, in select order; values are integers, DAY_ONLY's dates. All records
 * were created at 2023-11-14T22:13:20Z; the appointments' times are as in
 * test_date_functions. */
#define APPTS "SELECT Id FROM i360core__Sales_Appointment__c WHERE "
#define FROM_APPTS " FROM i360core__Sales_Appointment__c "
#define WHEN "i360core__Appointment_Date_Time__c"
static void test_date_functions_grouped(void **state)
{
	struct soql_opts all = { 1, "58.0", 0, NULL, NULL };
	size_t total;
	json_t *r;

	(void)state;
	r = run("SELECT CALENDAR_YEAR(CreatedDate) y, COUNT(Id) n" FROM_APPTS
		"GROUP BY CALENDAR_YEAR(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate) DESC");
	assert_int_equal(json_array_size(r), 1);
	assert_true(json_is_integer(at(r, 0, "y")));
	assert_int_equal(json_integer_value(at(r, 0, "y")), 2023);
	assert_int_equal(json_integer_value(at(r, 0, "n")), 2);
	json_decref(r);

	/* exprN counts aggregates and date functions together; names ignore case. */
	r = run("SELECT day_in_week(" WHEN "), COUNT(Id), MAX(i360core__Duration_Hours__c) m, "
		"HOUR_IN_DAY(" WHEN ")" FROM_APPTS "GROUP BY DAY_IN_WEEK(" WHEN "), HOUR_IN_DAY("
		WHEN ") ORDER BY DAY_IN_WEEK(" WHEN ") DESC");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(json_object_size(json_array_get(r, 0)), 5);
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 2);	/* Monday */
	assert_int_equal(json_integer_value(at(r, 0, "expr1")), 1);
	assert_true(json_real_value(at(r, 0, "m")) == 3.0);
	assert_int_equal(json_integer_value(at(r, 0, "expr2")), 10);
	assert_int_equal(json_integer_value(at(r, 1, "expr0")), 1);	/* Sunday */
	assert_int_equal(json_integer_value(at(r, 1, "expr2")), 15);
	json_decref(r);

	/* DAY_ONLY groups a datetime by day; without ORDER BY, nulls come first. */
	r = run_opts("SELECT DAY_ONLY(" WHEN ") d, SUM(i360core__Duration_Hours__c)" FROM_APPTS
		     "GROUP BY DAY_ONLY(" WHEN ")", &all, &total);
	assert_int_equal(total, 3);
	assert_true(json_is_null(at(r, 0, "d")));	/* the deleted one has no time */
	assert_string_equal(str_at(r, 1, "d"), "2026-11-01");
	assert_true(json_real_value(at(r, 1, "expr0")) == 1.5);
	assert_string_equal(str_at(r, 2, "d"), "2026-11-02");
	json_decref(r);
	r = run("SELECT CALENDAR_MONTH(i360core__Appointment_Date__c) m, COUNT(Id)" FROM_APPTS
		"GROUP BY CALENDAR_MONTH(i360core__Appointment_Date__c) ORDER BY "
		"CALENDAR_MONTH(i360core__Appointment_Date__c) DESC NULLS LAST");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(json_integer_value(at(r, 0, "m")), 11);
	assert_true(json_is_null(at(r, 1, "m")));
	json_decref(r);

	/* HAVING on a grouped date function, and on an aggregate of its groups. */
	r = run_opts("SELECT CALENDAR_MONTH(SystemModstamp)" FROM_APPTS "GROUP BY "
		     "CALENDAR_MONTH(SystemModstamp) HAVING CALENDAR_MONTH(SystemModstamp) > 9",
		     &all, &total);
	assert_int_equal(total, 1);
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 10);
	json_decref(r);
	r = run_opts("SELECT CALENDAR_MONTH(SystemModstamp) m, COUNT(Id) n" FROM_APPTS "GROUP BY "
		     "CALENDAR_MONTH(SystemModstamp) HAVING COUNT(Id) = 1", &all, &total);
	assert_int_equal(total, 1);
	assert_int_equal(json_integer_value(at(r, 0, "m")), 9);
	json_decref(r);
	assert_int_equal(count("SELECT COUNT(Id)" FROM_APPTS "GROUP BY DAY_ONLY(" WHEN ") HAVING "
			       "DAY_ONLY(" WHEN ") >= 2026-11-02"), 1);
}

static void test_date_functions_grouped_errors(void **state)
{
	(void)state;
	/* Selected, a date function makes an aggregate query and must be grouped. */
	assert_string_equal(err("SELECT CALENDAR_YEAR(CreatedDate)" FROM_APPTS), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "Field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)"));
	assert_string_equal(err("SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id)" FROM_APPTS
				"GROUP BY CALENDAR_MONTH(CreatedDate)"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "Field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)"));
	assert_string_equal(err("SELECT CreatedDate" FROM_APPTS "GROUP BY CALENDAR_YEAR(CreatedDate)"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: CreatedDate"));
	assert_string_equal(err("SELECT Id" FROM_APPTS "ORDER BY CALENDAR_YEAR(CreatedDate)"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Ordered field must be grouped or aggregated: "
			       "CALENDAR_YEAR(CreatedDate)"));
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY CALENDAR_YEAR(CreatedDate) "
				"HAVING CALENDAR_MONTH(CreatedDate) = 1"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "Field must be grouped or aggregated: CALENDAR_MONTH(CreatedDate)"));
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY CALENDAR_YEAR(CreatedDate) "
				"HAVING CALENDAR_YEAR(CreatedDate) = '2023'"), "INVALID_FIELD");
	/* The datetime itself is still not groupable. */
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY CreatedDate"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY "
				"HOUR_IN_DAY(i360core__Appointment_Date__c)"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "HOUR_IN_DAY cannot be applied to field "
			       "i360core__Appointment_Date__c of type date"));
	assert_string_equal(err("SELECT DAY_ONLY(Name), COUNT(Id)" FROM_APPTS "GROUP BY "
				"DAY_ONLY(Name)"), "INVALID_FIELD");
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY CALENDAR_YEAR(CreatedDate"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id, (SELECT CALENDAR_YEAR(CreatedDate) FROM "
				"i360core__Sales_Appointment_Opportunities__r)" FROM_APPTS),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "only root queries support aggregate expressions"));
	assert_string_equal(err("SELECT CALENDAR_YEAR(CreatedDate) y, COUNT(Id) y" FROM_APPTS
				"GROUP BY CALENDAR_YEAR(CreatedDate)"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate alias: y"));
}

/* convertTimezone() inside a date function reads a datetime in the user's time zone: the
 * sandbox's user is in America/Chicago (UTC-5 in daylight time, else UTC-6). Ann's
 * appointment was modified at 2026-10-01T00:00Z, 19:00 on September 30 in Chicago, and
 * is at 2026-11-01T15:00Z, 9:00 in Chicago after daylight time ended that morning. */
static void test_convert_timezone(void **state)
{
	int64_t t;
	json_t *r;

	(void)state;
	assert_int_equal(count(APPTS "CALENDAR_MONTH(SystemModstamp) = 10"), 2);
	assert_int_equal(count(APPTS "CALENDAR_MONTH(convertTimezone(SystemModstamp)) = 10"), 1);
	assert_int_equal(count(APPTS "DAY_ONLY(CONVERTTIMEZONE(SystemModstamp)) = 2026-09-30"), 1);
	assert_int_equal(count(APPTS "HOUR_IN_DAY(convertTimezone(SystemModstamp)) = 19"), 2);
	assert_int_equal(count(APPTS "HOUR_IN_DAY(convertTimezone(" WHEN ")) = 9"), 1);

	/* Salesforce's own example: hours of the day in the user's zone, grouped. */
	r = run("SELECT HOUR_IN_DAY(convertTimezone(" WHEN ")), SUM(i360core__Duration_Hours__c)"
		FROM_APPTS "GROUP BY HOUR_IN_DAY(convertTimezone(" WHEN "))");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 4);
	assert_true(json_real_value(at(r, 0, "expr1")) == 3.0);
	assert_int_equal(json_integer_value(at(r, 1, "expr0")), 9);
	json_decref(r);
	r = run("SELECT DAY_ONLY(convertTimezone(SystemModstamp)) d" FROM_APPTS "GROUP BY "
		"DAY_ONLY(convertTimezone(SystemModstamp)) ORDER BY "
		"DAY_ONLY(convertTimezone(SystemModstamp)) DESC");
	assert_string_equal(str_at(r, 0, "d"), "2026-10-04");
	assert_string_equal(str_at(r, 1, "d"), "2026-09-30");
	json_decref(r);

	/* Daylight time starts at 2:00 on the second Sunday of March (08:00Z) and ends at
	 * 2:00 on the first Sunday of November (07:00Z). */
	assert_int_equal(isotime_parse_ms("2026-03-08T07:59:59.999Z", &t), 0);
	assert_int_equal(soql__date_fn(DF_HOUR_IN_DAY, soql__user_time(t)), 1);
	assert_int_equal(soql__date_fn(DF_HOUR_IN_DAY, soql__user_time(t + 1)), 3);
	assert_int_equal(isotime_parse_ms("2026-11-01T06:59:59.999Z", &t), 0);
	assert_int_equal(soql__date_fn(DF_HOUR_IN_DAY, soql__user_time(t)), 1);
	assert_int_equal(soql__date_fn(DF_HOUR_IN_DAY, soql__user_time(t + 1)), 1);
	assert_int_equal(soql__user_time(t + 1), t + 1 - 6 * 3600000LL);
	assert_int_equal(isotime_parse_ms("2026-01-15T12:00:00Z", &t), 0);
	assert_int_equal(soql__user_time(t), t - 6 * 3600000LL);

	/* Only in a date function, only of a datetime, grouped as written. */
	assert_string_equal(err("SELECT convertTimezone(CreatedDate)" FROM_APPTS), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "ERROR at Row:1:Column:8"));
	assert_non_null(strstr(last_err.msg,
			       "convertTimezone() can only be used in a date function"));
	assert_string_equal(err(APPTS "convertTimezone(CreatedDate) > 2026-01-01T00:00:00Z"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "convertTimezone() can only be used in a date function"));
	assert_string_equal(err("SELECT COUNT(Id)" FROM_APPTS "GROUP BY convertTimezone(CreatedDate)"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id" FROM_APPTS "ORDER BY convertTimezone(CreatedDate)"),
			    "MALFORMED_QUERY");
	assert_string_equal(err(APPTS "CALENDAR_MONTH(convertTimezone(i360core__Appointment_Date__c))"
				" = 11"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "convertTimezone cannot be applied to field "
			       "i360core__Appointment_Date__c of type date"));
	assert_string_equal(err(APPTS "CALENDAR_MONTH(convertTimezone(Name)) = 1"), "INVALID_FIELD");
	assert_string_equal(err(APPTS "CALENDAR_MONTH(convertTimezone(SystemModstamp) = 9"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT HOUR_IN_DAY(convertTimezone(" WHEN ")), COUNT(Id)" FROM_APPTS
				"GROUP BY HOUR_IN_DAY(" WHEN ")"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: "
			       "HOUR_IN_DAY(convertTimezone(" WHEN "))"));
}
#undef FROM_APPTS
#undef WHEN
#undef APPTS

/* toLabel(): a picklist's label under the field's own name, or under an alias (Salesforce
 * wants one when the field is selected as it is too), also through a parent path and in
 * WHERE, HAVING and aggregate queries. The sandbox's picklist values are their own labels
 * (describe shows them so), so the label is the value. */
#define APPTS "SELECT Id FROM i360core__Sales_Appointment__c WHERE "
#define STATUS "i360core__Status__c"
static void test_to_label(void **state)
{
	json_t *r, *row, *appt;

	(void)state;
	r = run("SELECT Id, toLabel(" STATUS "), tolabel(i360core__Product_Categories__c) FROM "
		"i360core__Sales_Appointment__c ORDER BY SystemModstamp");
	assert_int_equal(json_array_size(r), 2);
	row = json_array_get(r, 0);
	assert_int_equal(json_object_size(row), 4);	/* attributes, Id and the two fields */
	assert_string_equal(str_at(r, 0, STATUS), "Ran - Sold");
	assert_string_equal(str_at(r, 0, "i360core__Product_Categories__c"), "Windows;Doors");
	assert_string_equal(str_at(r, 1, STATUS), "Scheduled");
	json_decref(r);

	/* An alias sits at the top level beside the field itself, a parent's too. */
	r = run("SELECT toLabel(i360core__Sales_Appointment__r." STATUS ") apptStatus, "
		"toLabel(i360core__Sales_Appointment__r." STATUS ") FROM "
		"i360core__Sales_Appointment_Opportunity__c LIMIT 1");
	assert_int_equal(json_array_size(r), 1);
	row = json_array_get(r, 0);
	assert_int_equal(json_object_size(row), 3);
	assert_string_equal(str_at(r, 0, "apptStatus"), "Ran - Sold");
	appt = json_object_get(row, "i360core__Sales_Appointment__r");
	assert_string_equal(json_string_value(json_object_get(appt, STATUS)), "Ran - Sold");
	assert_int_equal(json_object_size(appt), 2);	/* attributes and the status */
	json_decref(r);
	r = run("SELECT " STATUS ", toLabel(" STATUS ") label FROM i360core__Sales_Appointment__c "
		"WHERE " STATUS " = 'Scheduled'");
	assert_string_equal(str_at(r, 0, STATUS), "Scheduled");
	assert_string_equal(str_at(r, 0, "label"), "Scheduled");
	json_decref(r);

	/* In WHERE: labels compare as text does, ignoring case. */
	assert_int_equal(count(APPTS "toLabel(" STATUS ") = 'ran - sold'"), 1);
	assert_int_equal(count(APPTS "toLabel(" STATUS ") IN ('Scheduled', 'Issued')"), 1);
	assert_int_equal(count(APPTS "toLabel(" STATUS ") LIKE '%Sold'"), 1);
	assert_int_equal(count(APPTS "NOT toLabel(" STATUS ") != 'Scheduled'"), 1);
	assert_int_equal(count(APPTS "toLabel(i360core__Product_Categories__c) INCLUDES ('doors')"),
			 1);

	/* In an aggregate query, of a grouped field. */
	r = run("SELECT toLabel(" STATUS ") s, toLabel(" STATUS "), COUNT(Id) FROM "
		"i360core__Sales_Appointment__c GROUP BY " STATUS " HAVING toLabel(" STATUS ") = "
		"'Scheduled'");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "s"), "Scheduled");
	assert_string_equal(str_at(r, 0, STATUS), "Scheduled");
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 1);
	json_decref(r);
}

static void test_to_label_errors(void **state)
{
	(void)state;
	/* Only picklists have labels. */
	assert_string_equal(err("SELECT toLabel(Name) FROM i360core__Staff__c"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "ERROR at Row:1:Column:16"));
	assert_non_null(strstr(last_err.msg,
			       "toLabel cannot be applied to field Name of type string"));
	assert_string_equal(err(APPTS "toLabel(i360core__Duration_Hours__c) = 1"), "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "toLabel cannot be applied to field "
			       "i360core__Duration_Hours__c of type double"));
	assert_string_equal(err("SELECT toLabel(Nope__c) FROM i360core__Staff__c"), "INVALID_FIELD");
	assert_string_equal(err("SELECT toLabel(" STATUS " FROM i360core__Sales_Appointment__c"),
			    "MALFORMED_QUERY");
	/* The same field twice needs an alias; keys are unique. */
	assert_string_equal(err("SELECT " STATUS ", toLabel(" STATUS ") FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate field selected: " STATUS));
	assert_string_equal(err("SELECT Name, toLabel(" STATUS ") name FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate alias: name"));
	assert_string_equal(err("SELECT toLabel(" STATUS ") s, toLabel(i360core__Type__c) S FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT toLabel(" STATUS ") Name, Name FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate alias: Name"));
	assert_string_equal(err("SELECT toLabel(" STATUS ") s, FIELDS(STANDARD) FROM "
				"i360core__Sales_Appointment__c"), "(none)");
	/* Other functions still take no alias in a plain query. */
	assert_string_equal(err("SELECT " STATUS " s FROM i360core__Sales_Appointment__c"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "only aggregate expressions use field aliasing"));
	/* Not in ORDER BY (Salesforce orders picklists by their own order) nor GROUP BY. */
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c ORDER BY toLabel("
				STATUS ")"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "toLabel() can not be used in ORDER BY"));
	assert_string_equal(err("SELECT COUNT(Id) FROM i360core__Sales_Appointment__c GROUP BY "
				"toLabel(" STATUS ")"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "toLabel() can not be used in GROUP BY"));
	/* Grouped or aggregated, as any field of an aggregate query. */
	assert_string_equal(err("SELECT toLabel(" STATUS "), COUNT(Id) FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: " STATUS));
	/* Not in a semi-join's select list. */
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT toLabel("
				STATUS ") FROM i360core__Sales_Appointment__c)"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "semi join sub selects can only query id fields"));
}
#undef APPTS
#undef STATUS

static void test_aggregate_group_by(void **state)
{
	struct soql_opts all = { 1, "58.0", 0, NULL, NULL };
	size_t total = 0;
	json_t *r, *attrs;

	(void)state;
	r = run_opts("SELECT i360core__Status__c, COUNT(Id) n FROM i360core__Sales_Appointment__c "
		     "GROUP BY i360core__Status__c", &(struct soql_opts){ 0, "58.0", 0, NULL, NULL },
		     &total);
	assert_int_equal(total, 2);	/* totalSize counts groups */
	assert_int_equal(json_array_size(r), 2);
	attrs = at(r, 0, "attributes");
	assert_string_equal(json_string_value(json_object_get(attrs, "type")), "AggregateResult");
	assert_null(json_object_get(attrs, "url"));
	assert_int_equal(json_object_size(json_array_get(r, 0)), 3);
	/* Without ORDER BY, groups come in the order of their values: a picklist's in its
	 * defined order (Scheduled before Ran - Sold). */
	assert_string_equal(str_at(r, 0, "i360core__Status__c"), "Scheduled");
	assert_int_equal(json_integer_value(at(r, 0, "n")), 1);
	assert_string_equal(str_at(r, 1, "i360core__Status__c"), "Ran - Sold");
	json_decref(r);

	/* queryAll counts the recycle bin too; no GROUP BY is one row, expr0 by default. */
	r = run_opts("SELECT COUNT(Id), COUNT(i360core__Contact_Name__c) FROM "
		     "i360core__Sales_Appointment__c", &all, &total);
	assert_int_equal(total, 1);
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 3);
	assert_int_equal(json_integer_value(at(r, 0, "expr1")), 2);	/* nulls not counted */
	json_decref(r);

	r = run("SELECT SUM(i360core__Duration_Hours__c) s, AVG(i360core__Duration_Hours__c), "
		"MIN(i360core__Appointment_Date_Time__c), MAX(i360core__Appointment_Date_Time__c), "
		"MIN(i360core__Contact_Name__c), MAX(i360core__Appointment_Date__c), "
		"COUNT_DISTINCT(i360core__Sales_Rep_1__c) FROM i360core__Sales_Appointment__c");
	assert_true(json_is_real(at(r, 0, "s")));
	assert_true(json_real_value(at(r, 0, "s")) == 4.5);
	assert_true(json_real_value(at(r, 0, "expr0")) == 2.25);
	assert_string_equal(str_at(r, 0, "expr1"), "2026-11-01T15:00:00.000+0000");
	assert_string_equal(str_at(r, 0, "expr2"), "2026-11-02T10:00:00.000+0000");
	assert_string_equal(str_at(r, 0, "expr3"), "Ann Lee");
	assert_string_equal(str_at(r, 0, "expr4"), "2026-11-01");
	assert_int_equal(json_integer_value(at(r, 0, "expr5")), 2);
	json_decref(r);

	/* No matching record: one row, counts 0 and the rest null. */
	r = run("SELECT COUNT(Id), SUM(i360core__Duration_Hours__c), MAX(Name) FROM "
		"i360core__Sales_Appointment__c WHERE i360core__Status__c = 'Nope'");
	assert_int_equal(json_array_size(r), 1);
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 0);
	assert_true(json_is_null(at(r, 0, "expr1")));
	assert_true(json_is_null(at(r, 0, "expr2")));
	json_decref(r);
	/* ... but with GROUP BY, no group at all. */
	assert_int_equal(count("SELECT i360core__Status__c, COUNT(Id) FROM "
			       "i360core__Sales_Appointment__c WHERE i360core__Status__c = 'Nope' "
			       "GROUP BY i360core__Status__c"), 0);
	/* GROUP BY alone lists the distinct values; nulls make a group of their own. */
	r = run_opts("SELECT i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c GROUP BY "
		     "i360core__Sales_Rep_1__c", &all, &total);
	assert_int_equal(total, 3);
	assert_true(json_is_null(at(r, 0, "i360core__Sales_Rep_1__c")));
	json_decref(r);
}

static void test_aggregate_parent_having_order(void **state)
{
	json_t *r;

	(void)state;
	/* A parent field is keyed by its own name, without the path, as Salesforce does. */
	r = run("SELECT i360core__Sales_Rep_1__r.Name, COUNT(Id) FROM i360core__Sales_Appointment__c "
		"GROUP BY i360core__Sales_Rep_1__r.Name");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(str_at(r, 0, "Name"), "Ann Lee");
	assert_null(at(r, 0, "i360core__Sales_Rep_1__r"));
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 1);
	json_decref(r);
	r = run("SELECT i360core__Sales_Rep_1__r.Name rep, i360core__Status__c, MAX(Name) m FROM "
		"i360core__Sales_Appointment__c GROUP BY i360core__Status__c, "
		"i360core__Sales_Rep_1__r.Name ORDER BY i360core__Sales_Rep_1__r.Name DESC");
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(str_at(r, 0, "rep"), "Jos\u00e9 N\u00fa\u00f1ez");
	assert_string_equal(str_at(r, 0, "i360core__Status__c"), "Scheduled");
	json_decref(r);

	/* HAVING on an aggregate and on a grouped field. */
	r = run("SELECT i360core__Sales_Appointment__c, COUNT(Id) c FROM "
		"i360core__Sales_Appointment_Opportunity__c GROUP BY i360core__Sales_Appointment__c "
		"HAVING COUNT(Id) > 1");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "i360core__Sales_Appointment__c"), appt1);
	assert_int_equal(json_integer_value(at(r, 0, "c")), 2);
	json_decref(r);
	assert_int_equal(count("SELECT i360core__Sales_Appointment__c FROM "
			       "i360core__Sales_Appointment_Opportunity__c GROUP BY "
			       "i360core__Sales_Appointment__c HAVING COUNT(Id) >= 3"), 0);
	assert_int_equal(count("SELECT i360core__Status__c FROM i360core__Sales_Appointment__c "
			       "GROUP BY i360core__Status__c HAVING i360core__Status__c LIKE 'Sch%' "
			       "AND SUM(i360core__Duration_Hours__c) > 2"), 1);
	assert_int_equal(count("SELECT i360core__Status__c FROM i360core__Sales_Appointment__c "
			       "GROUP BY i360core__Status__c HAVING MAX(i360core__Appointment_Date__c) "
			       "= 2026-11-01"), 1);

	/* ORDER BY an aggregate, LIMIT and OFFSET count groups. */
	r = run("SELECT i360core__Status__c s, SUM(i360core__Duration_Hours__c) h FROM "
		"i360core__Sales_Appointment__c GROUP BY i360core__Status__c "
		"ORDER BY SUM(i360core__Duration_Hours__c) DESC LIMIT 1");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "s"), "Scheduled");
	assert_true(json_real_value(at(r, 0, "h")) == 3.0);
	json_decref(r);
	/* A grouped picklist orders in its defined order: Windows, then Doors. */
	r = run("SELECT i360core__Interested_In__c FROM i360core__Sales_Opportunity__c "
		"GROUP BY i360core__Interested_In__c ORDER BY i360core__Interested_In__c LIMIT 1 "
		"OFFSET 1");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "i360core__Interested_In__c"), "Doors");
	json_decref(r);
}

/* Runs text (all_rows as given) and writes the values of key in its rows into out,
 * comma-separated, "null" for null. Returns out. */
static const char *column(const char *text, int all_rows, const char *key, char *out,
			  size_t n)
{
	struct soql_opts o = { all_rows, "58.0", 0, NULL, NULL };
	size_t total, len = 0;
	json_t *r = run_opts(text, &o, &total);

	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(r) && len < n; i++) {
		const char *v = str_at(r, i, key);

		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "", v ? v : "null");
	}
	json_decref(r);
	return out;
}

#define STATUS "i360core__Status__c"
#define FROM_APPTS " FROM i360core__Sales_Appointment__c "
#define OPP_INTEREST "i360core__Sales_Opportunity__r.i360core__Interested_In__c"

/* Salesforce orders a picklist by its defined order, not alphabetically (the notes of
 * SOQL's ORDER BY); Status is defined Scheduled, ..., Ran - Sold, ..., Cancelled:
 * alphabetically the reverse. */
static void test_order_picklist(void **state)
{
	char buf[256];
	json_t *r;

	(void)state;
	assert_string_equal(column("SELECT " STATUS FROM_APPTS "ORDER BY " STATUS, 1, STATUS, buf,
				   sizeof(buf)), "Scheduled,Ran - Sold,Cancelled");
	assert_string_equal(column("SELECT " STATUS FROM_APPTS "ORDER BY " STATUS " DESC", 1,
				   STATUS, buf, sizeof(buf)), "Cancelled,Ran - Sold,Scheduled");

	/* Through a parent: the opportunities' Interested In is defined Windows, Doors. */
	r = run("SELECT i360core__Sales_Opportunity__c FROM "
		"i360core__Sales_Appointment_Opportunity__c ORDER BY " OPP_INTEREST);
	assert_string_equal(str_at(r, 0, "i360core__Sales_Opportunity__c"), opp1);
	assert_string_equal(str_at(r, 1, "i360core__Sales_Opportunity__c"), opp2);
	json_decref(r);
	r = run("SELECT i360core__Sales_Opportunity__c FROM "
		"i360core__Sales_Appointment_Opportunity__c ORDER BY " OPP_INTEREST " DESC");
	assert_string_equal(str_at(r, 0, "i360core__Sales_Opportunity__c"), opp2);
	json_decref(r);

	/* Aggregate queries: a grouped picklist orders the same way, and MIN and MAX go by
	 * the picklist's order too (SOQL aggregate functions). */
	assert_string_equal(column("SELECT " STATUS " s, COUNT(Id)" FROM_APPTS "GROUP BY " STATUS
				   " ORDER BY " STATUS, 1, "s", buf, sizeof(buf)),
			    "Scheduled,Ran - Sold,Cancelled");
	assert_string_equal(column("SELECT " STATUS " s" FROM_APPTS "GROUP BY " STATUS
				   " ORDER BY " STATUS " DESC LIMIT 2", 1, "s", buf, sizeof(buf)),
			    "Cancelled,Ran - Sold");
	assert_string_equal(column("SELECT " OPP_INTEREST " i FROM "
				   "i360core__Sales_Appointment_Opportunity__c GROUP BY "
				   OPP_INTEREST " ORDER BY " OPP_INTEREST " DESC", 0, "i", buf,
				   sizeof(buf)), "Doors,Windows");
	assert_string_equal(column("SELECT MIN(" STATUS ") v" FROM_APPTS, 1, "v", buf,
				   sizeof(buf)), "Scheduled");
	assert_string_equal(column("SELECT MAX(" STATUS ") v" FROM_APPTS, 1, "v", buf,
				   sizeof(buf)), "Cancelled");
}

/* A test's own empty store in place of the shared one, put back even when it fails. */
static struct objects *shared_store;

static int own_store(void **state)
{
	(void)state;
	shared_store = store;
	store = objects_new();
	return store == NULL ? -1 : 0;
}

static int back_to_shared_store(void **state)
{
	(void)state;
	objects_free(store);
	store = shared_store;
	return 0;
}

#define TYPE "i360core__Type__c"

/* An unrestricted picklist (Type: Sales Call, Rehash, Follow Up, Measure) holds values it
 * does not list: they sort after the listed ones, among themselves as text; a value
 * matches a listed one ignoring case. Nulls go first or last as for any field. */
static void test_order_picklist_unlisted(void **state)
{
	static const char *const types[] = {
		"\"Rehash\"", "null", "\"Zebra\"", "\"measure\"", "\"Apple\"", "\"Sales Call\"",
	};
	char buf[256], id[19];
	json_t *r;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char json[128];

		snprintf(json, sizeof(json), "{\"" TYPE "\":%s}", types[i]);
		mk("i360core__Sales_Appointment__c", id, json);
	}
	assert_string_equal(column("SELECT " TYPE FROM_APPTS "ORDER BY " TYPE, 0, TYPE, buf,
				   sizeof(buf)), "null,Sales Call,Rehash,measure,Apple,Zebra");
	assert_string_equal(column("SELECT " TYPE FROM_APPTS "ORDER BY " TYPE " DESC", 0, TYPE,
				   buf, sizeof(buf)), "Zebra,Apple,measure,Rehash,Sales Call,null");
	assert_string_equal(column("SELECT " TYPE FROM_APPTS "ORDER BY " TYPE " ASC NULLS LAST",
				   0, TYPE, buf, sizeof(buf)),
			    "Sales Call,Rehash,measure,Apple,Zebra,null");
	assert_string_equal(column("SELECT " TYPE FROM_APPTS "ORDER BY " TYPE " DESC NULLS FIRST",
				   0, TYPE, buf, sizeof(buf)),
			    "null,Zebra,Apple,measure,Rehash,Sales Call");
	/* "measure" groups with a "Measure" (text groups ignoring case), in Measure's place. */
	mk("i360core__Sales_Appointment__c", id, "{\"" TYPE "\":\"Measure\"}");
	r = run("SELECT COUNT(Id) n" FROM_APPTS "GROUP BY " TYPE " ORDER BY " TYPE " NULLS LAST");
	assert_int_equal(json_array_size(r), 6);
	assert_int_equal(json_integer_value(at(r, 2, "n")), 2);
	json_decref(r);
}
#undef TYPE

static void test_order_multipicklist_refused(void **state)
{
	(void)state;
	/* Salesforce sorts no multi-select picklist (SOQL ORDER BY, and describe's
	 * "sortable": false). */
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c ORDER BY "
				"i360core__Product_Categories__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "ERROR at Row:1:Column:56"));
	assert_non_null(strstr(last_err.msg, "field 'i360core__Product_Categories__c' can not "
			       "be sorted in a query call"));
}
/* What describe says is sortable and filterable is what SOQL takes: a text area of 255
 * sorts and filters like text; base64 does neither. */
static void test_sortable_filterable(void **state)
{
	json_t *r;

	(void)state;
	r = run("SELECT Id FROM Account WHERE BillingStreet != null ORDER BY BillingStreet");
	assert_non_null(r);
	json_decref(r);
	assert_string_equal(err("SELECT Id FROM ContentVersion WHERE VersionData != null"),
			    "INVALID_FIELD");
	assert_non_null(strstr(last_err.msg, "ERROR at Row:1:Column:37"));
	assert_non_null(strstr(last_err.msg, "field 'VersionData' can not be filtered in a "
			       "query call"));
	assert_string_equal(err("SELECT Id FROM ContentVersion ORDER BY VersionData"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "field 'VersionData' can not be sorted"));
}

#undef OPP_INTEREST
#undef FROM_APPTS
#undef STATUS

static void test_aggregate_one_batch(void **state)
{
	struct objects *saved = store;
	struct soql_query *q;
	struct soql_opts o = { 0, "58.0", 0, NULL, NULL };
	struct sferr e;
	size_t total;
	json_t *r;

	(void)state;
	store = objects_new();
	for (int i = 0; i < 2001; i++) {
		char json[64], id[19];

		snprintf(json, sizeof(json), "{\"Name\":\"Staff %04d\"}", i);
		mk("i360core__Staff__c", id, json);
	}
	/* Salesforce never pages an aggregate result: past one batch it refuses. */
	q = soql_parse("SELECT Name, COUNT(Id) FROM i360core__Staff__c GROUP BY Name", &e);
	assert_non_null(q);
	assert_null(soql_run(q, store, &o, &total, &e));
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "EXCEEDED_ID_LIMIT");
	assert_non_null(strstr(e.msg, "Aggregate query does not support queryMore(), use LIMIT"));
	soql_free(q);
	r = run("SELECT Name, COUNT(Id) FROM i360core__Staff__c GROUP BY Name LIMIT 2000");
	assert_int_equal(json_array_size(r), 2000);
	assert_string_equal(str_at(r, 1999, "Name"), "Staff 1999");
	json_decref(r);
	objects_free(store);
	store = saved;
}

static void test_aggregate_errors(void **state)
{
	(void)state;
	assert_string_equal(err("SELECT Name, COUNT(Id) FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: Name"));
	assert_string_equal(err("SELECT i360core__Status__c, Name FROM i360core__Sales_Appointment__c "
				"GROUP BY i360core__Status__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: Name"));
	assert_string_equal(err("SELECT SUM(Name) FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "field Name does not support aggregate operator SUM"));
	assert_string_equal(err("SELECT COUNT(i360core__Active__c) FROM i360core__Staff__c"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT MAX(i360core__Notes__c) FROM i360core__Sales_Appointment__c"),
			    "MALFORMED_QUERY");
	assert_string_equal(err("SELECT SystemModstamp FROM i360core__Sales_Appointment__c "
				"GROUP BY SystemModstamp"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "field 'SystemModstamp' can not be grouped in a query call"));
	assert_string_equal(err("SELECT i360core__Status__c FROM i360core__Sales_Appointment__c "
				"GROUP BY i360core__Status__c ORDER BY Name"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Ordered field must be grouped or aggregated: Name"));
	assert_string_equal(err("SELECT i360core__Status__c FROM i360core__Sales_Appointment__c "
				"GROUP BY i360core__Status__c HAVING Name = 'x'"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Field must be grouped or aggregated: Name"));
	assert_string_equal(err("SELECT Name n FROM i360core__Staff__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "only aggregate expressions use field aliasing"));
	assert_string_equal(err("SELECT COUNT(Id) n, MAX(Name) n FROM i360core__Staff__c"),
			    "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "duplicate alias: n"));
	assert_string_equal(err("SELECT Id, (SELECT COUNT(Id) FROM "
				"i360core__Sales_Appointment_Opportunities__r) FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "only root queries support aggregate expressions"));
	assert_string_equal(err("SELECT COUNT(Id) FROM i360core__Staff__c HAVING COUNT(Id) > 'x'"),
			    "INVALID_FIELD");
	assert_string_equal(err("SELECT COUNT(Nope__c) FROM i360core__Staff__c"), "INVALID_FIELD");
}

static void test_semi_joins(void **state)
{
	json_t *r;

	(void)state;
	r = run("SELECT Name FROM i360core__Staff__c WHERE Id IN (SELECT i360core__Sales_Rep_1__c "
		"FROM i360core__Sales_Appointment__c WHERE i360core__Status__c = 'Scheduled')");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "Name"), "Jos\u00e9 N\u00fa\u00f1ez");
	json_decref(r);
	/* An anti-join: staff without a (live) appointment. */
	r = run("SELECT Name FROM i360core__Staff__c WHERE Id NOT IN (SELECT "
		"i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c) ORDER BY Name");
	assert_int_equal(json_array_size(r), 1);
	assert_string_equal(str_at(r, 0, "Name"), "Bob O'Neil");
	json_decref(r);
	/* A reference field on the left, a parent path in the subquery's WHERE and field. */
	assert_int_equal(count("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
			       "i360core__Account__c IN (SELECT Id FROM Account WHERE Name LIKE 'Lee%')"),
			 1);
	assert_int_equal(count("SELECT Name FROM i360core__Sales_Opportunity__c WHERE Id IN (SELECT "
			       "i360core__Sales_Opportunity__c FROM i360core__Sales_Appointment_Opportunity__c "
			       "WHERE i360core__Sales_Appointment__r.i360core__Status__c = 'Ran - Sold')"), 2);
	assert_int_equal(count("SELECT Id FROM Account WHERE Id IN (SELECT "
			       "i360core__Sales_Appointment__r.i360core__Account__c FROM "
			       "i360core__Sales_Appointment_Opportunity__c)"), 1);
	/* Two joins with AND, under an aggregate. */
	r = run("SELECT COUNT(Id) FROM i360core__Staff__c WHERE Id IN (SELECT "
		"i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c) AND Id NOT IN "
		"(SELECT i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c WHERE "
		"i360core__Status__c = 'Scheduled') AND Name != null");
	assert_int_equal(json_integer_value(at(r, 0, "expr0")), 1);
	json_decref(r);
}

static void test_semi_join_errors(void **state)
{
	const char *sub = "(SELECT i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c)";
	char q[600];

	(void)state;
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE Name = 'x' OR Id IN %s", sub);
	assert_string_equal(err(q), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "Semi join sub-selects are not allowed with the 'OR' operator"));
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE NOT (Id IN %s)", sub);
	assert_string_equal(err(q), "MALFORMED_QUERY");
	snprintf(q, sizeof(q), "SELECT Id FROM i360core__Staff__c WHERE Id IN %s AND Id IN %s AND "
		 "Id IN %s", sub, sub, sub);
	assert_string_equal(err(q), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Maximum 2 semi join sub-selects are allowed"));
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT "
				"i360core__Sales_Rep_1__c FROM i360core__Sales_Appointment__c WHERE "
				"i360core__Account__c IN (SELECT Id FROM Account))"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg, "Nesting of semi join sub-selects is not supported"));
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Name IN (SELECT Name FROM "
				"Account)"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT Name FROM "
				"Account)"), "MALFORMED_QUERY");
	assert_non_null(strstr(last_err.msg,
			       "semi join sub selects can only query id fields, cannot use: 'Name'"));
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT Id, Name FROM "
				"Account)"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT Id FROM "
				"Account ORDER BY Name)"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Sales_Appointment__c WHERE "
				"i360core__Account__r.Id IN (SELECT Id FROM Account)"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id, (SELECT Id FROM i360core__Sales_Appointment_Opportunities__r "
				"WHERE Id IN (SELECT Id FROM Account)) FROM "
				"i360core__Sales_Appointment__c"), "MALFORMED_QUERY");
	assert_string_equal(err("SELECT Id FROM i360core__Staff__c WHERE Id IN (SELECT Id FROM "
				"Nope__c)"), "INVALID_TYPE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_canonical_names),
		cmocka_unit_test(test_where_comparisons),
		cmocka_unit_test(test_in_like_includes),
		cmocka_unit_test(test_and_or_not_parentheses),
		cmocka_unit_test(test_datetime_and_date_literals),
		cmocka_unit_test(test_period_date_literals),
		cmocka_unit_test(test_n_days_overflow),
		cmocka_unit_test(test_order_limit_offset),
		cmocka_unit_test(test_parent_paths),
		cmocka_unit_test(test_child_subquery),
		cmocka_unit_test(test_query_all_and_count),
		cmocka_unit_test(test_ids_compare_on_15),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_aggregate_group_by),
		cmocka_unit_test(test_aggregate_parent_having_order),
		cmocka_unit_test(test_aggregate_one_batch),
		cmocka_unit_test(test_order_picklist),
		cmocka_unit_test_setup_teardown(test_order_picklist_unlisted, own_store,
						back_to_shared_store),
		cmocka_unit_test(test_order_multipicklist_refused),
		cmocka_unit_test(test_sortable_filterable),
		cmocka_unit_test(test_aggregate_errors),
		cmocka_unit_test(test_semi_joins),
		cmocka_unit_test(test_semi_join_errors),
		cmocka_unit_test(test_fields_function),
		cmocka_unit_test(test_date_functions),
		cmocka_unit_test(test_to_label),
		cmocka_unit_test(test_to_label_errors),
		cmocka_unit_test(test_date_functions_grouped),
		cmocka_unit_test(test_date_functions_grouped_errors),
		cmocka_unit_test(test_convert_timezone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

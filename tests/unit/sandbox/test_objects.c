/* test_objects: the sandbox's record store — datetimes, rendering as jansson would,
 * child indexes across writes, pinned versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/objects.h"
#include "sandbox/soql.h"
#include "util/buf.h"
#include "util/isotime.h"

#define NOW 1794268800000LL	/* 2026-11-10T00:00:00Z */

static void mk(struct objects *s, const char *type, char id[19], json_t *in)
{
	struct sferr e;

	assert_non_null(in);
	if (objects_create(s, objects_type_find(type), in, NULL, 0, NOW, OBJECTS_SYSTEM, id,
			   &e) < 0)
		fail_msg("create %s: %s %s", type, e.code, e.msg);
	json_decref(in);
}

/* The formatter's fast path (years 1970-9999) writes what isotime's general one does. */
static void test_datetimes_format_as_isotime_does(void **state)
{
	static const int64_t fixed[] = { 0, 1, 999, 86399999, 951782400000LL /* 2000-02-29 */,
		4107542400000LL /* 2100-03-01 */, 253402300799999LL, 253402300800000LL, -1,
		-86400001LL, 1794268800000LL };
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 200000; i++) {
		int64_t ms;
		char got[OBJECTS_DT_LEN], iso[ISOTIME_MS_LEN], want[OBJECTS_DT_LEN];

		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			ms = fixed[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ms = (int64_t)(x % 253402300800000ULL);
		}
		objects_format_dt(got, ms);
		isotime_format_ms(iso, ms);
		snprintf(want, sizeof(want), "%.23s+0000", iso);
		if (strcmp(got, want) != 0)
			fail_msg("%lld: %s, want %s", (long long)ms, got, want);
	}
}

/* Query answers are written without jansson; they must be what json_dumps would write
 * for the same values: every control character, quotes, backslashes, slashes, UTF-8,
 * reals. */
static void test_rendering_matches_jansson(void **state)
{
	struct objects *s = objects_new();
	struct soql_opts o = { 0, "58.0", 0, NULL, NULL };
	static const double amounts[] = { 1.5, 3, 1e20, 0.1, 2.5e-7, 123456789.125, 1e300 };
	char text[200], id[19], acct[19];
	struct soql_query *q;
	struct soql_rows *rows;
	struct sferr e;
	struct buf b;
	size_t n = 0;

	(void)state;
	for (int c = 1; c < 128; c++)
		text[n++] = (char)c;
	memcpy(text + n, "\xc3\xa9\xe2\x80\x94\xf0\x9f\x8f\xa0", 9);	/* é — 🏠 */
	text[n + 9] = '\0';
	mk(s, "Account", acct, json_pack("{s:s}", "Name", text));
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++)
		mk(s, "i360core__Sales_Opportunity__c", id,
		   json_pack("{s:s, s:s, s:f}", "Name", text + 64, "i360core__Account__c", acct,
			     "i360core__Amount__c", amounts[i]));
	q = soql_parse("SELECT Id, Name, i360core__Amount__c, i360core__Account__r.Name, "
		       "CreatedDate, i360core__Result__c FROM i360core__Sales_Opportunity__c", &e);
	assert_non_null(q);
	rows = soql_select(q, s, &o, &e);
	assert_non_null(rows);
	for (size_t i = 0; i < soql_rows_count(rows); i++) {
		const struct objects_rec *r = objects_at(s, objects_type_find(
			"i360core__Sales_Opportunity__c"), i);
		json_t *want = json_pack("{s:{s:s, s:s+++}, s:s, s:s, s:f, s:{s:{s:s, s:s+}, s:s}, "
					 "s:s, s:s}",
			"attributes", "type", "i360core__Sales_Opportunity__c", "url",
			"/services/data/v58.0/sobjects/", "i360core__Sales_Opportunity__c", "/",
			objects_rec_id(r), "Id", objects_rec_id(r), "Name", text + 64,
			"i360core__Amount__c", amounts[i], "i360core__Account__r", "attributes",
			"type", "Account", "url", "/services/data/v58.0/sobjects/Account/", acct,
			"Name", text, "CreatedDate", "2026-11-10T00:00:00.000+0000",
			"i360core__Result__c", "Pending");
		char *dump = json_dumps(want, JSON_COMPACT);

		buf_init(&b, 0);
		assert_int_equal(soql_render(rows, s, &o, i, 1, &b), 0);
		assert_string_equal(b.data, dump);
		free(dump);
		json_decref(want);
		buf_free(&b);
	}
	soql_rows_free(rows);
	soql_free(q);
	objects_free(s);
}

/* Children follow their parent reference through updates, in creation order. */
static void test_child_index_follows_updates(void **state)
{
	struct objects *s = objects_new();
	const struct objects_type *ot = objects_type_find("i360core__Sales_Opportunity__c");
	const struct objects_child *c = objects_child_find(ot, "i360core__Appointment_Opportunities__r");
	char appt[19], opp[2][19], j[4][19];
	const struct objects_rec *p, *ch;
	struct sferr e;
	json_t *f;
	size_t k;

	(void)state;
	mk(s, "i360core__Sales_Appointment__c", appt, json_object());
	for (int i = 0; i < 2; i++)
		mk(s, "i360core__Sales_Opportunity__c", opp[i], json_pack("{s:s}", "Name", "O"));
	for (int i = 0; i < 4; i++)
		mk(s, "i360core__Sales_Appointment_Opportunity__c", j[i],
		   json_pack("{s:s, s:s}", "i360core__Sales_Appointment__c", appt,
			     "i360core__Sales_Opportunity__c", opp[i % 2]));
	/* j[2] moves from opp[0] to opp[1]: opp[1] then has j[1], j[2], j[3]. */
	f = json_pack("{s:s}", "i360core__Sales_Opportunity__c", opp[1]);
	assert_int_equal(objects_update(s, objects_type_find("i360core__Sales_Appointment_Opportunity__c"),
					j[2], f, NOW, 0, &e), 0);
	json_decref(f);
	p = objects_get(s, opp[1], NULL);
	k = 1;
	for (ch = objects_child_next(s, c, p, NULL); ch; ch = objects_child_next(s, c, p, ch))
		assert_string_equal(objects_rec_id(ch), j[k++]);
	assert_int_equal(k, 4);
	p = objects_get(s, opp[0], NULL);
	ch = objects_child_next(s, c, p, NULL);
	assert_string_equal(objects_rec_id(ch), j[0]);
	assert_null(objects_child_next(s, c, p, ch));
	objects_free(s);
}

/* A pinned version outlives its replacement until the pin goes (ASan checks the
 * reads); versions replaced with no pin are freed at once. */
static void test_pins_keep_replaced_versions(void **state)
{
	struct objects *s = objects_new();
	const struct objects_type *at = objects_type_find("Account");
	size_t name = objects_field_index(at, objects_field_find(at, "Name"));
	const struct objects_rec *before;
	char id[19];
	struct sferr e;
	uint64_t pin;
	json_t *f;

	(void)state;
	mk(s, "Account", id, json_pack("{s:s}", "Name", "Seeded"));
	/* The seeded version sits in the arena; the written ones are freed when retired. */
	f = json_pack("{s:s}", "Name", "First");
	assert_int_equal(objects_update(s, at, id, f, NOW, 0, &e), 0);
	json_decref(f);
	before = objects_get(s, id, NULL);
	assert_int_equal(objects_pin(s, &pin), 0);
	for (int i = 0; i < 3; i++) {
		f = json_pack("{s:s}", "Name", i == 2 ? "Last" : "Between");
		assert_int_equal(objects_update(s, at, id, f, NOW, 0, &e), 0);
		json_decref(f);
	}
	assert_string_equal(objects_rec_text(before, name, NULL), "First");
	assert_string_equal(objects_rec_text(objects_get(s, id, NULL), name, NULL), "Last");
	objects_unpin(s, pin);
	assert_int_equal(objects_delete(s, at, id, NOW, 0, &e), 0);
	assert_true(objects_rec_deleted(objects_get(s, id, NULL)));
	objects_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datetimes_format_as_isotime_does),
		cmocka_unit_test(test_rendering_matches_jansson),
		cmocka_unit_test(test_child_index_follows_updates),
		cmocka_unit_test(test_pins_keep_replaced_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

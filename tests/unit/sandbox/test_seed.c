/* test_seed: the sandbox data generator is deterministic and as messy as promised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox/objects.h"
#include "sandbox/seed.h"
#include "util/isotime.h"

#define ANCHOR 1794268800000LL	/* 2026-11-10T00:00:00Z */
#define DAY_MS 86400000LL

static struct objects *make(unsigned seed, int staff, int appts)
{
	struct seed_opts o = { seed, staff, appts, ANCHOR };
	struct objects *s = objects_new();
	struct err e;

	assert_non_null(s);
	if (seed_generate(s, &o, &e) < 0)
		fail_msg("seed: %s", e.msg);
	return s;
}

/* Every record of every type, serialized. */
static char *dump(struct objects *s)
{
	size_t nt, total = 0;
	const struct objects_type *const *types = objects_types(&nt);
	json_t *all = json_array();
	char *out;

	for (size_t t = 0; t < nt; t++)
		for (size_t i = 0; i < objects_count(s, types[t]); i++) {
			json_array_append_new(all, objects_rec_json(objects_at(s, types[t], i)));
			total++;
		}
	assert_true(total > 0);
	out = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	return out;
}

static void test_same_seed_same_bytes(void **state)
{
	struct objects *a = make(42, 12, 150), *b = make(42, 12, 150), *c = make(43, 12, 150);
	char *da = dump(a), *db = dump(b), *dc = dump(c);

	(void)state;
	assert_string_equal(da, db);
	assert_true(strcmp(da, dc) != 0);
	free(da);
	free(db);
	free(dc);
	objects_free(a);
	objects_free(b);
	objects_free(c);
}

static void test_staff_emails_match_only_ignoring_case(void **state)
{
	struct seed_opts o = { 7, 13, 0, ANCHOR };
	struct objects *s = make(7, 13, 0);
	const struct objects_type *st = objects_type_find("i360core__Staff__c");
	size_t n, k = 0, without = 0;
	char **emails = seed_staff_emails(&o, &n);

	(void)state;
	assert_non_null(emails);
	assert_int_equal(objects_count(s, st), 13);
	for (size_t i = 0; i < objects_count(s, st); i++) {
		const struct objects_field *f = objects_field_find(st, "i360core__Email__c");
		const char *em = objects_rec_text(objects_at(s, st, i), objects_field_index(st, f),
						  NULL);

		if (em == NULL) {
			without++;
			continue;
		}
		assert_non_null(emails[k]);
		assert_int_equal(strcasecmp(em, emails[k]), 0);
		assert_true(strcmp(em, emails[k]) != 0);	/* differs in case */
		k++;
	}
	assert_int_equal(k, n);
	assert_null(emails[n]);
	assert_true(without >= 2);
	seed_emails_free(emails);
	objects_free(s);
}

static void test_appointments_are_spread_and_messy(void **state)
{
	struct objects *s = make(1, 10, 400);
	const struct objects_type *at = objects_type_find("i360core__Sales_Appointment__c");
	const struct objects_type *jt = objects_type_find("i360core__Sales_Appointment_Opportunity__c");
	size_t n = objects_count(s, at), past = 0, future = 0, deleted = 0, no_phone = 0;
	size_t no_colon = 0, trailing = 0, ext = 0, non_ascii = 0, no_rep = 0, long_notes = 0;
	size_t inactive = 0;
	json_t *per_appt = json_object();
	const char *key;
	json_t *v;

	(void)state;
	assert_int_equal(n, 400);
	for (size_t i = 0; i < n; i++) {
		json_t *rec = objects_rec_json(objects_at(s, at, i));
		const char *phone = json_string_value(json_object_get(rec, "i360core__Contact_Phone__c"));
		const char *name = json_string_value(json_object_get(rec, "i360core__Contact_Name__c"));
		const char *notes = json_string_value(json_object_get(rec, "i360core__Notes__c"));
		const char *status = json_string_value(json_object_get(rec, "i360core__Status__c"));
		int64_t start, mod;

		if (objects_parse_time(json_object_get(rec, "i360core__Appointment_Date_Time__c"),
				       &start) == 0) {
			assert_true(start >= ANCHOR - 60 * DAY_MS && start < ANCHOR + 30 * DAY_MS);
			past += start < ANCHOR;
			future += start >= ANCHOR;
		}
		assert_int_equal(objects_parse_time(json_object_get(rec, "SystemModstamp"), &mod), 0);
		assert_true(mod >= ANCHOR - 60 * DAY_MS && mod < ANCHOR);
		deleted += json_is_true(json_object_get(rec, "IsDeleted"));
		no_rep += json_is_null(json_object_get(rec, "i360core__Sales_Rep_1__c"));
		no_phone += phone == NULL;
		no_colon += phone && !strchr(phone, ':');
		trailing += phone && phone[strlen(phone) - 1] == ',';
		ext += phone && strstr(phone, "ext.") != NULL;
		for (const char *p = name ? name : ""; *p; p++)
			if ((unsigned char)*p >= 0x80) {
				non_ascii++;
				break;
			}
		long_notes += notes && strlen(notes) > 10000;
		inactive += status && strcmp(status, "Rescheduled") == 0;
		json_decref(rec);
	}
	for (size_t i = 0; i < objects_count(s, jt); i++) {
		json_t *rec = objects_rec_json(objects_at(s, jt, i));
		const char *a = json_string_value(json_object_get(rec, "i360core__Sales_Appointment__c"));
		json_t *c = json_object_get(per_appt, a);

		json_object_set_new(per_appt, a, json_integer(c ? json_integer_value(c) + 1 : 1));
		json_decref(rec);
	}
	json_object_foreach(per_appt, key, v)
		assert_true(json_integer_value(v) >= 1 && json_integer_value(v) <= 3);
	assert_true(json_object_size(per_appt) < n);	/* some have none */
	assert_true(past > 100 && future > 50);
	assert_true(deleted > 0 && no_rep > 0 && no_phone > 0 && no_colon > 0);
	assert_true(trailing > 0 && ext > 0 && non_ascii > 0 && long_notes > 0 && inactive > 0);
	json_decref(per_appt);
	objects_free(s);
}

/* The seed stores its records without the REST checks (objects_insert, for speed):
 * writing the same fields through objects_create, type by type in the order the
 * references need, must be accepted and store exactly the same records. */
static void test_seeded_records_pass_the_write_checks(void **state)
{
	static const char *const order[] = { "User", "i360core__Staff__c", "Account",
		"i360core__Sales_Appointment__c", "i360core__Sales_Opportunity__c",
		"i360core__Sales_Appointment_Opportunity__c" };
	struct objects *s = make(5, 14, 300), *again = objects_new();
	char *da, *db;

	(void)state;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		const struct objects_type *t = objects_type_find(order[k]);

		for (size_t i = 0; i < objects_count(s, t); i++) {
			json_t *in = objects_rec_json(objects_at(s, t, i));
			char id[19];
			struct sferr e;

			for (size_t f = 0; f < t->nfields; f++) {
				const struct objects_field *fd = &t->fields[f];
				int system = strcmp(fd->name, "IsDeleted") == 0 ||
					     strcmp(fd->name, "CreatedDate") == 0 ||
					     strcmp(fd->name, "LastModifiedDate") == 0 ||
					     strcmp(fd->name, "SystemModstamp") == 0;

				if (!system && !(fd->flags & OF_CREATE))
					json_object_del(in, fd->name);
			}
			if (objects_create(again, t, in, NULL, 0, 0, OBJECTS_SYSTEM, id, &e) < 0)
				fail_msg("%s %zu refused: %s %s", t->name, i, e.code, e.msg);
			assert_string_equal(id, objects_rec_id(objects_at(s, t, i)));
			json_decref(in);
		}
	}
	da = dump(s);
	db = dump(again);
	assert_string_equal(da, db);
	free(da);
	free(db);
	objects_free(s);
	objects_free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_staff_emails_match_only_ignoring_case),
		cmocka_unit_test(test_appointments_are_spread_and_messy),
		cmocka_unit_test(test_seeded_records_pass_the_write_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of mapping: Salesforce appointment records (as JSON) to OCC jobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i360/mapping.h"
#include "util/isotime.h"

#define FIXTURES I360_SOURCE_DIR "/tests/unit/i360/data/"
#define REL "i360core__Sales_Appointment_Opportunities__r"
#define PARENT "i360core__Sales_Opportunity__r"

static const struct platform_schema *schema(void)
{
	const struct platform_schema *s = platform_schema(PLATFORM_LIGHTNING, NULL);

	assert_non_null(s);
	return s;
}

static json_t *load_file(const char *name)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s%s", FIXTURES, name);
	j = json_load_file(path, 0, &jerr);
	if (j == NULL)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return j;
}

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (j == NULL)
		fail_msg("bad test JSON at %d: %s", jerr.position, jerr.text);
	return j;
}

/* A minimal record: only the Id. Tests add the fields they are about. */
static json_t *bare(void)
{
	return load("{\"attributes\": {\"type\": \"i360core__Sales_Appointment__c\"},"
		    " \"Id\": \"a0A5e00000AbCdEFGH\","
		    " \"SystemModstamp\": \"2026-11-20T08:15:30.000+0000\"}");
}

/* Maps record (taking it) and expects success. */
static void map_ok(json_t *record, struct model_job *j, struct mapping_problems *p)
{
	struct err e;

	err_clear(&e);
	if (mapping_job_from_record(schema(), record, j, p, &e) != 0)
		fail_msg("mapping failed: %s", e.msg);
	assert_int_equal(e.code, ERR_NONE);
	json_decref(record);
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL) {
		if (got != NULL)
			fail_msg("expected null, got \"%s\"", got);
		return;
	}
	if (got == NULL)
		fail_msg("expected \"%s\", got null", want);
	assert_string_equal(got, want);
}

static void assert_time(int has, int64_t ms, const char *want)
{
	char out[ISOTIME_MS_LEN];

	if (want == NULL) {
		assert_int_equal(has, 0);
		return;
	}
	assert_int_equal(has, 1);
	assert_string_equal(isotime_format_ms(out, ms), want);
}

/* The index of the problem about field, failing when there is none. */
static size_t find_problem(const struct mapping_problems *p, const char *field)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].field, field) == 0)
			return i;
	fail_msg("no problem about %s (%zu problems)", field, p->n);
	return 0;
}

static void assert_problem(const struct mapping_problems *p, const char *field,
			   const char *words)
{
	size_t i = find_problem(p, field);

	assert_non_null(p->items[i].message);
	if (strstr(p->items[i].message, words) == NULL)
		fail_msg("problem about %s says \"%s\", without \"%s\"", field,
			 p->items[i].message, words);
}

/* Every row of SPEC §3 from a clean, real-shaped record. */
static void test_golden_full(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;

	(void)state;
	map_ok(load_file("appointment_full.json"), &j, &p);
	assert_int_equal(p.n, 0);

	assert_string_equal(j.appointment_id, "a0A5e00000AbCdEFGH");
	assert_string_equal(j.customer_name, "Ann Lee");
	assert_string_equal(j.name, "Ann Lee: Windows;Doors");
	assert_string_equal(j.email, "ann@example.com");
	assert_string_equal(j.line1, "1 Main St");
	assert_string_equal(j.city, "Austin");
	assert_string_equal(j.state, "TX");
	assert_string_equal(j.postal_code, "78701");
	assert_string_equal(j.account_id, "0015e00000XyZabAAB");
	assert_string_equal(j.salesrep_id, "a0B5e00000RepOneAA");

	assert_int_equal(j.nphones, 2);
	assert_string_equal(j.phones[0].name, "Mobile");
	assert_string_equal(j.phones[0].number, "(555) 123-4567");
	assert_string_equal(j.phones[1].name, "Home");
	assert_string_equal(j.phones[1].number, "555-987-6543");

	assert_int_equal(j.status, MODEL_APPT_SCHEDULED);
	assert_time(j.has_start, j.start_ms, "2026-12-01T15:00:00.000Z");
	assert_time(j.has_end, j.end_ms, "2026-12-01T16:30:00.000Z");
	assert_string_equal(j.summary, "Ann Lee: Windows;Doors - Sales Call");
	assert_string_equal(j.result, "Sat");
	assert_string_equal(j.result_detail, "Demo");
	assert_time(1, j.modstamp_ms, "2026-11-20T08:15:30.123Z");

	assert_int_equal(j.nopps, 2);
	assert_string_equal(j.opps[0].id, "a0C5e00000OppOneAA");
	assert_string_equal(j.opps[0].name, "Windows: Lee Windows");
	assert_null(j.opps[0].result);
	assert_null(j.opps[0].result_detail);
	assert_string_equal(j.opps[1].id, "a0C5e00000OppTwoAA");
	assert_string_equal(j.opps[1].name, "Doors;Patio Doors: Lee Doors");
	assert_string_equal(j.opps[1].result, "Sold");
	assert_string_equal(j.opps[1].result_detail, "Financed");

	model_job_free(&j);
	mapping_problems_free(&p);
}

/* Seeded-sandbox messiness: nulls, padding, non-ASCII, odd phones, a junction row
 * whose opportunity is gone, a deleted appointment seen through queryAll. */
static void test_golden_messy(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;

	(void)state;
	map_ok(load_file("appointment_messy.json"), &j, &p);

	assert_string_equal(j.appointment_id, "a0A5e00000MeSsY1AB");
	assert_string_equal(j.customer_name, "José Ñúñez");
	assert_string_equal(j.name, "José Ñúñez");
	assert_null(j.email);
	assert_string_equal(j.line1, "12 Rue Saint-Denis");
	assert_string_equal(j.city, "Montréal");
	assert_string_equal(j.state, "QC");
	assert_null(j.postal_code);
	assert_null(j.account_id);
	assert_string_equal(j.salesrep_id, "a0B5e00000RepTwoAA");

	assert_int_equal(j.nphones, 3);
	assert_string_equal(j.phones[0].name, "Cell");
	assert_string_equal(j.phones[0].number, "555.222.3333 ext: 7");
	assert_null(j.phones[1].name);
	assert_string_equal(j.phones[1].number, "555 444 5555");
	assert_null(j.phones[2].name);
	assert_string_equal(j.phones[2].number, "携帯：090");

	assert_int_equal(j.status, MODEL_APPT_CANCELLED);
	assert_time(j.has_start, j.start_ms, "2026-12-02T04:00:00.000Z");
	assert_time(j.has_end, j.end_ms, NULL);
	assert_string_equal(j.summary, "José Ñúñez - Sales Call");
	assert_null(j.result);
	assert_null(j.result_detail);
	assert_time(1, j.modstamp_ms, "2026-11-21T23:59:59.999Z");

	assert_int_equal(j.nopps, 2);
	assert_string_equal(j.opps[0].id, "a0C5e00000OppThrAA");
	assert_string_equal(j.opps[0].name, "Ñúñez Siding");
	assert_string_equal(j.opps[0].result, "No Sale");
	assert_null(j.opps[0].result_detail);
	assert_string_equal(j.opps[1].id, "a0C5e00000OppFouAA");
	assert_string_equal(j.opps[1].name, "Roofing");

	assert_int_equal(p.n, 1);
	assert_problem(&p, REL ".records[0]." PARENT, "skipped");

	model_job_free(&j);
	mapping_problems_free(&p);
}

static void test_golden_null_child_relationship(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;

	(void)state;
	map_ok(load_file("appointment_no_opps.json"), &j, &p);
	assert_int_equal(p.n, 0);
	assert_int_equal(j.nopps, 0);
	assert_null(j.opps);
	assert_int_equal(j.nphones, 0);
	assert_null(j.phones);
	assert_string_equal(j.name, "Ann Lee: Windows");
	assert_string_equal(j.summary, "Ann Lee: Windows");
	assert_null(j.line1);
	assert_null(j.city);
	model_job_free(&j);
}

/* Composed strings leave out an empty or null part with its separator. */
static void test_composed_strings(void **state)
{
	static const struct {
		const char *contact, *categories, *type;	/* "~" = absent */
		const char *name, *summary;
	} cases[] = {
		{ "Ann Lee", "Windows", "Sales Call", "Ann Lee: Windows",
		  "Ann Lee: Windows - Sales Call" },
		{ "Ann Lee", NULL, "Sales Call", "Ann Lee", "Ann Lee - Sales Call" },
		{ "Ann Lee", "Windows", NULL, "Ann Lee: Windows", "Ann Lee: Windows" },
		{ NULL, "Windows", "Sales Call", "Windows", "Windows - Sales Call" },
		{ "", "Windows", "Sales Call", "Windows", "Windows - Sales Call" },
		{ "Ann Lee", "  ", "~", "Ann Lee", "Ann Lee" },
		{ NULL, NULL, "Sales Call", NULL, "Sales Call" },
		{ "~", "~", "~", NULL, NULL },
		{ "", " \t", "\xc2\xa0", NULL, NULL },
		{ " Ann Lee ", " Windows;Doors;Siding ", " Sales Call ",
		  "Ann Lee: Windows;Doors;Siding", "Ann Lee: Windows;Doors;Siding - Sales Call" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *vals[3] = { cases[i].contact, cases[i].categories, cases[i].type };
		static const char *const keys[3] = { "i360core__Contact_Name__c",
						     "i360core__Product_Categories__c",
						     "i360core__Type__c" };
		struct mapping_problems p = { 0 };
		json_t *r = bare();
		struct model_job j;

		for (int k = 0; k < 3; k++) {
			if (vals[k] == NULL)
				json_object_set_new(r, keys[k], json_null());
			else if (strcmp(vals[k], "~") != 0)
				json_object_set_new(r, keys[k], json_string(vals[k]));
		}
		map_ok(r, &j, &p);
		assert_int_equal(p.n, 0);
		assert_str_or_null(j.name, cases[i].name);
		assert_str_or_null(j.summary, cases[i].summary);
		if (cases[i].contact == NULL || strcmp(cases[i].contact, "~") == 0 ||
		    cases[i].contact[0] == '\0')
			assert_null(j.customer_name);
		else
			assert_non_null(j.customer_name);
		model_job_free(&j);
	}
}

/* Every field null, and every field absent: a job with nothing but its Id. */
static void test_nulls_everywhere(void **state)
{
	const struct platform_schema *s = schema();

	(void)state;
	for (int absent = 0; absent <= 1; absent++) {
		struct mapping_problems p = { 0 };
		json_t *r = load("{\"Id\": \"a0A5e00000AbCdEFGH\"}");
		struct model_job j;

		if (!absent) {
			for (int f = 1; f < PLATFORM_APPT__MAX; f++)
				json_object_set_new(r, s->appt_fields[f], json_null());
			json_object_set_new(r, s->appt_opps_relationship, json_null());
		}
		map_ok(r, &j, &p);
		assert_string_equal(j.appointment_id, "a0A5e00000AbCdEFGH");
		assert_null(j.customer_name);
		assert_null(j.name);
		assert_null(j.email);
		assert_null(j.line1);
		assert_null(j.city);
		assert_null(j.state);
		assert_null(j.postal_code);
		assert_null(j.account_id);
		assert_null(j.salesrep_id);
		assert_null(j.phones);
		assert_int_equal(j.nphones, 0);
		assert_int_equal(j.status, MODEL_APPT_SCHEDULED);
		assert_int_equal(j.has_start, 0);
		assert_int_equal(j.has_end, 0);
		assert_null(j.summary);
		assert_null(j.result);
		assert_null(j.result_detail);
		assert_null(j.opps);
		assert_int_equal(j.nopps, 0);
		assert_int_equal(j.modstamp_ms, 0);
		/* Only the missing modification time is worth telling. */
		assert_int_equal(p.n, 1);
		assert_problem(&p, "SystemModstamp", "unknown");
		model_job_free(&j);
		mapping_problems_free(&p);
	}
}

static void test_is_deleted(void **state)
{
	static const struct {
		const char *json;
		enum model_appt_status want;
		size_t problems;
	} cases[] = {
		{ "true", MODEL_APPT_CANCELLED, 0 },
		{ "false", MODEL_APPT_SCHEDULED, 0 },
		{ "null", MODEL_APPT_SCHEDULED, 0 },
		{ "\"true\"", MODEL_APPT_SCHEDULED, 1 },
		{ "1", MODEL_APPT_SCHEDULED, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mapping_problems p = { 0 };
		json_t *r = bare();
		struct model_job j;

		json_object_set_new(r, "IsDeleted", load(cases[i].json));
		map_ok(r, &j, &p);
		assert_int_equal(j.status, cases[i].want);
		assert_int_equal(p.n, cases[i].problems);
		if (cases[i].problems)
			assert_problem(&p, "IsDeleted", "not deleted");
		model_job_free(&j);
		mapping_problems_free(&p);
	}
}

/* Offsets, milliseconds and the forms Salesforce and people write. */
static void test_datetimes(void **state)
{
	static const struct {
		const char *start, *end;
		const char *want_start, *want_end;	/* NULL: no value */
		const char *problem_field;	/* NULL: none expected */
	} cases[] = {
		{ "2026-12-01T10:00:00.000-0500", "2026-12-01T11:30:00.000-0500",
		  "2026-12-01T15:00:00.000Z", "2026-12-01T16:30:00.000Z", NULL },
		{ "2026-12-01T20:30:00.250+05:30", "2026-12-01T15:00:00.251Z",
		  "2026-12-01T15:00:00.250Z", "2026-12-01T15:00:00.251Z", NULL },
		{ "2026-12-31T23:30:00-0100", " 2027-01-01T01:00:00Z ",
		  "2027-01-01T00:30:00.000Z", "2027-01-01T01:00:00.000Z", NULL },
		{ "2026-12-01T15:00:00Z", "2026-12-01T15:00:00Z",
		  "2026-12-01T15:00:00.000Z", "2026-12-01T15:00:00.000Z", NULL },
		/* End before start: the end goes. */
		{ "2026-12-01T15:00:00Z", "2026-12-01T14:59:59.999Z",
		  "2026-12-01T15:00:00.000Z", NULL, "i360core__Appointment_End_Date_Time__c" },
		{ "tomorrow at 3", "2026-12-01T16:00:00Z",
		  NULL, "2026-12-01T16:00:00.000Z", "i360core__Appointment_Date_Time__c" },
		{ "2026-02-30T10:00:00Z", NULL,
		  NULL, NULL, "i360core__Appointment_Date_Time__c" },
		{ "2026-12-01T10:00:00Z", "2026-12-01",
		  "2026-12-01T10:00:00.000Z", NULL, "i360core__Appointment_End_Date_Time__c" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mapping_problems p = { 0 };
		json_t *r = bare();
		struct model_job j;

		json_object_set_new(r, "i360core__Appointment_Date_Time__c",
				    json_string(cases[i].start));
		json_object_set_new(r, "i360core__Appointment_End_Date_Time__c",
				    cases[i].end ? json_string(cases[i].end) : json_null());
		map_ok(r, &j, &p);
		assert_time(j.has_start, j.start_ms, cases[i].want_start);
		assert_time(j.has_end, j.end_ms, cases[i].want_end);
		assert_int_equal(p.n, cases[i].problem_field ? 1 : 0);
		if (cases[i].problem_field)
			find_problem(&p, cases[i].problem_field);
		model_job_free(&j);
		mapping_problems_free(&p);
	}
}

/* A datetime that is not a string, and a bad modification time. */
static void test_datetime_wrong_types(void **state)
{
	struct mapping_problems p = { 0 };
	json_t *r = bare();
	struct model_job j;

	(void)state;
	json_object_set_new(r, "i360core__Appointment_Date_Time__c", json_integer(1764601200));
	json_object_set_new(r, "SystemModstamp", json_string("yesterday"));
	map_ok(r, &j, &p);
	assert_int_equal(j.has_start, 0);
	assert_int_equal(j.modstamp_ms, 0);
	assert_int_equal(p.n, 2);
	assert_problem(&p, "i360core__Appointment_Date_Time__c", "JSON number");
	assert_problem(&p, "SystemModstamp", "\"yesterday\" is not a datetime");
	model_job_free(&j);
	mapping_problems_free(&p);
}

/* A junction row for each shape Salesforce (or a broken proxy) can send. */
static void test_opportunity_rows(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;
	json_t *r = bare();

	(void)state;
	json_object_set_new(r, REL, load(
		"{\"totalSize\": 9, \"done\": true, \"records\": ["
		/* 0: kept, both name parts */
		"{\"attributes\": {\"type\": \"i360core__Sales_Appointment_Opportunity__c\"},"
		" \"" PARENT "\": {\"attributes\": {\"type\": \"i360core__Sales_Opportunity__c\"},"
		"  \"Id\": \"a0C5e00000OppOneAA\", \"Name\": \" Lee Windows \","
		"  \"i360core__Interested_In__c\": \"Windows;Doors\","
		"  \"i360core__Result__c\": \"Sold\", \"i360core__Result_Detail__c\": \"Cash\"}},"
		/* 1: the opportunity is gone */
		"{\"attributes\": {}, \"" PARENT "\": null},"
		/* 2: no parent key at all */
		"{\"attributes\": {}},"
		/* 3: no Id */
		"{\"" PARENT "\": {\"Name\": \"No Id\"}},"
		/* 4: malformed Id */
		"{\"" PARENT "\": {\"Id\": \"a0C5e0000-OppBAD\", \"Name\": \"Bad\"}},"
		/* 5: the same opportunity again, by its 15-character Id */
		"{\"" PARENT "\": {\"Id\": \"a0C5e00000OppOn\", \"Name\": \"Again\"}},"
		/* 6: not an object */
		"\"a0C5e00000OppTwoAA\","
		/* 7: parent not an object */
		"{\"" PARENT "\": [1]},"
		/* 8: kept, 15-character Id, no name parts, result wrong type */
		"{\"" PARENT "\": {\"Id\": \"a0C5e00000OppTw\", \"Name\": null,"
		"  \"i360core__Result__c\": 3}}"
		"]}"));
	map_ok(r, &j, &p);

	assert_int_equal(j.nopps, 2);
	assert_string_equal(j.opps[0].id, "a0C5e00000OppOneAA");
	assert_string_equal(j.opps[0].name, "Windows;Doors: Lee Windows");
	assert_string_equal(j.opps[0].result, "Sold");
	assert_string_equal(j.opps[0].result_detail, "Cash");
	assert_string_equal(j.opps[1].id, "a0C5e00000OppTw");
	assert_null(j.opps[1].name);
	assert_null(j.opps[1].result);
	assert_null(j.opps[1].result_detail);

	assert_int_equal(p.n, 8);
	assert_problem(&p, REL ".records[1]." PARENT, "deleted or is not visible");
	assert_problem(&p, REL ".records[2]." PARENT, "deleted or is not visible");
	assert_problem(&p, REL ".records[3]." PARENT ".Id", "has no Id");
	assert_problem(&p, REL ".records[4]." PARENT ".Id", "not a Salesforce Id");
	assert_problem(&p, REL ".records[5]." PARENT ".Id", "listed twice");
	assert_problem(&p, REL ".records[6]", "got a JSON string");
	assert_problem(&p, REL ".records[7]." PARENT, "got a JSON array");
	assert_problem(&p, REL ".records[8]." PARENT ".i360core__Result__c",
		       "got a JSON number");
	model_job_free(&j);
	mapping_problems_free(&p);
}

/* The child relationship's own shapes: empty, paged (already merged), malformed. */
static void test_child_relationship_shapes(void **state)
{
	static const struct {
		const char *json;
		size_t nopps, problems;
	} cases[] = {
		{ "null", 0, 0 },
		{ "{\"totalSize\": 0, \"done\": true, \"records\": []}", 0, 0 },
		{ "{\"totalSize\": 0, \"done\": true}", 0, 0 },
		{ "{\"totalSize\": 1, \"done\": false, \"nextRecordsUrl\": "
		  "\"/services/data/v59.0/query/01gxx-2000\", \"records\": [{\"" PARENT
		  "\": {\"Id\": \"a0C5e00000OppOneAA\", \"Name\": \"N\"}}]}", 1, 0 },
		{ "[]", 0, 1 },
		{ "\"none\"", 0, 1 },
		{ "{\"records\": {}}", 0, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mapping_problems p = { 0 };
		struct model_job j;
		json_t *r = bare();

		json_object_set_new(r, REL, load(cases[i].json));
		map_ok(r, &j, &p);
		assert_int_equal(j.nopps, cases[i].nopps);
		assert_int_equal(p.n, cases[i].problems);
		if (cases[i].problems)
			assert_problem(&p, REL, "opportunities were left out");
		if (cases[i].nopps == 0)
			assert_null(j.opps);
		model_job_free(&j);
		mapping_problems_free(&p);
	}
}

/* Wrong types and bad Ids lose only their own value; the job is still made. */
static void test_malformed_values_still_make_a_job(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;
	json_t *r = load_file("appointment_full.json");

	(void)state;
	json_object_set_new(r, "i360core__Contact_Name__c", json_integer(42));
	json_object_set_new(r, "i360core__Contact_Email__c", json_true());
	json_object_set_new(r, "i360core__Zip_Postal_Code__c", json_integer(78701));
	json_object_set_new(r, "i360core__Contact_Phone__c", load("[\"555-1234\"]"));
	json_object_set_new(r, "i360core__Sales_Rep_1__c", json_string("not an id"));
	json_object_set_new(r, "i360core__Account__c", json_string("0015e00000XyZab"));
	json_object_set_new(r, "i360core__Status__c", load("{\"value\": \"Sat\"}"));
	json_object_set_new(r, "i360core__City__c", json_stringn("Aus\0tin", 7));
	map_ok(r, &j, &p);

	assert_string_equal(j.appointment_id, "a0A5e00000AbCdEFGH");
	assert_null(j.customer_name);
	assert_string_equal(j.name, "Windows;Doors");
	assert_string_equal(j.summary, "Windows;Doors - Sales Call");
	assert_null(j.email);
	assert_null(j.postal_code);
	assert_null(j.city);
	assert_int_equal(j.nphones, 0);
	assert_null(j.salesrep_id);
	assert_string_equal(j.account_id, "0015e00000XyZab");
	assert_null(j.result);
	assert_string_equal(j.result_detail, "Demo");
	assert_string_equal(j.line1, "1 Main St");
	assert_int_equal(j.has_start, 1);
	assert_int_equal(j.nopps, 2);

	assert_int_equal(p.n, 7);
	assert_problem(&p, "i360core__Contact_Name__c", "got a JSON number");
	assert_problem(&p, "i360core__Contact_Email__c", "got a JSON boolean");
	assert_problem(&p, "i360core__Zip_Postal_Code__c", "got a JSON number");
	assert_problem(&p, "i360core__Contact_Phone__c", "got a JSON array");
	assert_problem(&p, "i360core__Sales_Rep_1__c", "not a Salesforce Id");
	assert_problem(&p, "i360core__Status__c", "got a JSON object");
	assert_problem(&p, "i360core__City__c", "NUL");
	model_job_free(&j);
	mapping_problems_free(&p);
}

/* The mapper reads every appointment field the query selects: each one given a wrong
 * type yields a problem naming it. */
static void test_mapper_reads_every_queried_field(void **state)
{
	const struct platform_schema *s = schema();
	struct mapping_problems p = { 0 };
	json_t *r = load("{\"Id\": \"a0A5e00000AbCdEFGH\"}");
	struct model_job j;

	(void)state;
	for (int f = 1; f < PLATFORM_APPT__MAX; f++)
		json_object_set_new(r, s->appt_fields[f], json_real(1.5));
	json_object_set_new(r, s->appt_opps_relationship, json_real(1.5));
	map_ok(r, &j, &p);
	assert_int_equal(p.n, PLATFORM_APPT__MAX);
	for (int f = 1; f < PLATFORM_APPT__MAX; f++)
		assert_problem(&p, s->appt_fields[f], "JSON number");
	assert_problem(&p, s->appt_opps_relationship, "JSON number");
	model_job_free(&j);
	mapping_problems_free(&p);
}

/* Only a record without a usable Id is refused, and then nothing is reported twice. */
static void test_refused_records(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"Id\": null}",
		"{\"Id\": 12345}",
		"{\"Id\": \"\"}",
		"{\"Id\": \"a0A5e00000AbCdEFG\"}",		/* 17 */
		"{\"Id\": \"a0A5e00000AbCdEFGHI\"}",		/* 19 */
		"{\"Id\": \"a0A5e00000AbCd-FGH\"}",
		"{\"Id\": \" a0A5e00000AbCdEFG\"}",
		"{\"Id\": \"a0A5e00000AbCdÉFG\"}",
		"[{\"Id\": \"a0A5e00000AbCdEFGH\"}]",
		"\"a0A5e00000AbCdEFGH\"",
	};
	struct mapping_problems p = { 0 };
	struct model_job j;
	struct err e;

	(void)state;
	/* A problem from an earlier record stays; the refused record adds none, even
	 * though it also carries a malformed value. */
	map_ok(load("{\"Id\": \"a0A5e00000AbCdEFGH\", \"SystemModstamp\": 1}"), &j, &p);
	model_job_free(&j);
	assert_int_equal(p.n, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = load(bad[i]);

		if (json_is_object(r))
			json_object_set_new(r, "i360core__City__c", json_integer(1));
		err_clear(&e);
		memset(&j, 0x5a, sizeof(j));
		assert_int_equal(mapping_job_from_record(schema(), r, &j, &p, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_non_null(strstr(e.msg, "appointment record"));
		assert_null(j.appointment_id);
		assert_null(j.city);
		assert_int_equal(p.n, 1);
		json_decref(r);
	}
	mapping_problems_free(&p);
	mapping_problems_free(NULL);
}

static void test_ids_kept_as_sent(void **state)
{
	struct model_job j;

	(void)state;
	map_ok(load("{\"Id\": \"a0A5e00000AbCdE\", \"SystemModstamp\": "
		    "\"2026-11-20T08:15:30Z\", \"i360core__Sales_Rep_1__c\": "
		    "\"a0B5e00000RepOn\"}"), &j, NULL);
	assert_string_equal(j.appointment_id, "a0A5e00000AbCdE");
	assert_string_equal(j.salesrep_id, "a0B5e00000RepOn");
	model_job_free(&j);

	assert_true(mapping_id_valid("a0A5e00000AbCdEFGH", 18));
	assert_true(mapping_id_valid("a0A5e00000AbCdE", 15));
	assert_false(mapping_id_valid("a0A5e00000AbCdEF", 16));
	assert_false(mapping_id_valid("a0A5e00000AbCd_FGH", 18));
}

/* Long text is kept whole up to MAPPING_TEXT_MAX bytes, and cut at a character
 * boundary beyond it. */
static void test_long_text(void **state)
{
	struct mapping_problems p = { 0 };
	struct model_job j;
	char name300[301], *huge, *phones;
	json_t *r = bare();
	size_t i, n;

	(void)state;
	for (i = 0; i < 300; i++)
		name300[i] = (char)('a' + i % 26);
	name300[300] = '\0';
	/* "a" then 20,000 "é" (2 bytes each): the limit falls inside a character. */
	huge = malloc(1 + 40000 + 1);
	assert_non_null(huge);
	huge[0] = 'a';
	for (i = 0; i < 20000; i++)
		memcpy(huge + 1 + 2 * i, "\xc3\xa9", 2);
	huge[40001] = '\0';
	/* 5,000 ", 555-123-4567" segments: about 70 KB of phone numbers. */
	phones = malloc(5000 * 14 + 1);
	assert_non_null(phones);
	for (i = 0, n = 0; i < 5000; i++)
		n += (size_t)sprintf(phones + n, "%s555-123-4567", i ? ", " : "");

	json_object_set_new(r, "i360core__Contact_Name__c", json_string(name300));
	json_object_set_new(r, "i360core__Street_Address__c", json_string(huge));
	json_object_set_new(r, "i360core__Contact_Phone__c", json_string(phones));
	map_ok(r, &j, &p);

	assert_string_equal(j.customer_name, name300);
	assert_int_equal(strlen(j.line1), MAPPING_TEXT_MAX - 1);
	assert_memory_equal(j.line1, huge, MAPPING_TEXT_MAX - 1);
	/* Every phone kept is whole, and as many are kept as fit. */
	assert_int_equal(j.nphones, (MAPPING_TEXT_MAX + 2) / 14);
	for (i = 0; i < j.nphones; i++)
		assert_string_equal(j.phones[i].number, "555-123-4567");
	assert_int_equal(p.n, 2);
	assert_problem(&p, "i360core__Street_Address__c", "cut");
	assert_problem(&p, "i360core__Contact_Phone__c", "left out");
	model_job_free(&j);
	mapping_problems_free(&p);
	free(huge);
	free(phones);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_full),
		cmocka_unit_test(test_golden_messy),
		cmocka_unit_test(test_golden_null_child_relationship),
		cmocka_unit_test(test_composed_strings),
		cmocka_unit_test(test_nulls_everywhere),
		cmocka_unit_test(test_is_deleted),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_datetime_wrong_types),
		cmocka_unit_test(test_opportunity_rows),
		cmocka_unit_test(test_child_relationship_shapes),
		cmocka_unit_test(test_malformed_values_still_make_a_job),
		cmocka_unit_test(test_mapper_reads_every_queried_field),
		cmocka_unit_test(test_refused_records),
		cmocka_unit_test(test_ids_kept_as_sent),
		cmocka_unit_test(test_long_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_mapping: mapping_job_from_record on any JSON never fails a record it must take
 * and never gives a job that breaks SPEC §3 or model.h's invariants. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "i360/mapping.h"
#include "i360/text.h"

/* Whether s is NULL, or non-empty trimmed valid UTF-8 within MAPPING_TEXT_MAX bytes. */
static int good_text(const char *s)
{
	json_t *utf8;
	size_t n;

	if (s == NULL)
		return 1;
	n = strlen(s);
	if (n == 0 || n > MAPPING_TEXT_MAX)
		return 0;
	{
		const char *t = s;
		size_t m = n;

		text_trim(&t, &m);
		if (t != s || m != n)
			return 0;
	}
	utf8 = json_stringn(s, n);
	json_decref(utf8);
	return utf8 != NULL;
}

/* What SPEC §3 makes of record.key as text: trimmed, empty as NULL, cut at a character
 * boundary to MAPPING_TEXT_MAX; NULL for anything but a string without a NUL. A new
 * string, or NULL. */
static char *want_text(json_t *record, const char *key)
{
	json_t *v = json_object_get(record, key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (s == NULL || memchr(s, '\0', n) != NULL)
		return NULL;
	text_trim(&s, &n);
	n = text_cut(s, n, MAPPING_TEXT_MAX);
	return n ? text_dup(s, n) : NULL;
}

/* Whether got is what want_text() says. */
static int text_is(json_t *record, const char *key, const char *got)
{
	char *want = want_text(record, key);
	int same = want == NULL ? got == NULL : got != NULL && strcmp(want, got) == 0;

	free(want);
	return same;
}

/* Whether got is NULL, or a and b joined as SPEC §3 composes: "a<sep>b", leaving out a
 * missing part with its separator; NULL when both are missing. */
static int composed_is(const char *a, const char *sep, const char *b, const char *got)
{
	size_t an = a ? strlen(a) : 0;

	if (a == NULL || b == NULL)
		return (a ? a : b) ? got && strcmp(got, a ? a : b) == 0 : got == NULL;
	return got && strncmp(got, a, an) == 0 && strncmp(got + an, sep, strlen(sep)) == 0 &&
	       strcmp(got + an + strlen(sep), b) == 0;
}

/* Whether record has an Id mapping must take. */
static int record_id_valid(json_t *record, const char *key)
{
	json_t *v = json_object_get(record, key);

	return json_is_string(v) && mapping_id_valid(json_string_value(v), json_string_length(v));
}

/* The same for an Id field: the value as sent when it is an Id, else NULL. */
static int id_is(json_t *record, const char *key, const char *got)
{
	json_t *v = json_object_get(record, key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (s == NULL || !mapping_id_valid(s, n))
		return got == NULL;
	return got != NULL && strcmp(got, s) == 0;
}

#define TEXT(field, key)                                                              \
	FUZZ_CHECK(good_text(j->field) && text_is(record, f[key], j->field),          \
		   #field " is \"%s\"", j->field ? j->field : "(null)")

/* Every invariant a mapped job must keep, checked against the record it came from. */
static void check_job(json_t *record, const struct platform_schema *s,
		      const struct model_job *j)
{
	const char *const *f = s->appt_fields;
	json_t *rel;
	size_t rows = 0;

	FUZZ_CHECK(j->appointment_id && id_is(record, f[PLATFORM_APPT_ID], j->appointment_id),
		   "appointment_id %s", j->appointment_id ? j->appointment_id : "(null)");
	TEXT(customer_name, PLATFORM_APPT_CONTACT_NAME);
	TEXT(email, PLATFORM_APPT_CONTACT_EMAIL);
	TEXT(line1, PLATFORM_APPT_STREET);
	TEXT(city, PLATFORM_APPT_CITY);
	TEXT(state, PLATFORM_APPT_STATE);
	TEXT(postal_code, PLATFORM_APPT_POSTAL_CODE);
	TEXT(result, PLATFORM_APPT_STATUS);
	TEXT(result_detail, PLATFORM_APPT_STATUS_DETAIL);
	FUZZ_CHECK(id_is(record, f[PLATFORM_APPT_SALES_REP], j->salesrep_id), "salesrep_id");
	FUZZ_CHECK(id_is(record, f[PLATFORM_APPT_ACCOUNT], j->account_id), "account_id");

	/* Composed strings: "{Contact_Name}: {Product_Categories}" and that " - {Type}". */
	{
		char *cat = want_text(record, f[PLATFORM_APPT_PRODUCT_CATEGORIES]);
		char *type = want_text(record, f[PLATFORM_APPT_TYPE]);

		FUZZ_CHECK(composed_is(j->customer_name, ": ", cat, j->name), "name \"%s\"",
			   j->name ? j->name : "(null)");
		FUZZ_CHECK(composed_is(j->name, " - ", type, j->summary), "summary \"%s\"",
			   j->summary ? j->summary : "(null)");
		free(cat);
		free(type);
	}

	FUZZ_CHECK((j->nphones == 0) == (j->phones == NULL), "%zu phones", j->nphones);
	for (size_t i = 0; i < j->nphones; i++) {
		FUZZ_CHECK(j->phones[i].number && good_text(j->phones[i].number) &&
			   !strchr(j->phones[i].number, ','), "phone %zu number", i);
		FUZZ_CHECK(good_text(j->phones[i].name), "phone %zu name", i);
	}

	FUZZ_CHECK(j->status == (json_is_true(json_object_get(record,
			f[PLATFORM_APPT_IS_DELETED])) ? MODEL_APPT_CANCELLED : MODEL_APPT_SCHEDULED),
		   "status %d", (int)j->status);
	FUZZ_CHECK(j->has_start || j->start_ms == 0, "a start time that is not there");
	FUZZ_CHECK(j->has_end || j->end_ms == 0, "an end time that is not there");
	FUZZ_CHECK(!(j->has_start && j->has_end) || j->end_ms >= j->start_ms,
		   "ends at %lld before it starts at %lld", (long long)j->end_ms,
		   (long long)j->start_ms);

	rel = json_object_get(record, s->appt_opps_relationship);
	if (json_is_object(rel))
		rows = json_array_size(json_object_get(rel, "records"));
	FUZZ_CHECK(j->nopps <= rows, "%zu opportunities from %zu rows", j->nopps, rows);
	FUZZ_CHECK((j->nopps == 0) == (j->opps == NULL), "%zu opportunities", j->nopps);
	for (size_t i = 0; i < j->nopps; i++) {
		const struct model_opportunity *o = &j->opps[i];

		FUZZ_CHECK(o->id && mapping_id_valid(o->id, strlen(o->id)), "opportunity %zu "
			   "has no Id", i);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strncmp(j->opps[k].id, o->id, 15) != 0, "opportunities %zu "
				   "and %zu are both %s", k, i, o->id);
		FUZZ_CHECK(good_text(o->name) && good_text(o->result) &&
			   good_text(o->result_detail), "opportunity %zu text", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct platform_schema *s = platform_schema(PLATFORM_LIGHTNING, NULL);
	struct mapping_problems problems = { 0 };
	struct model_job j;
	struct err e;
	json_t *record;
	int rc;

	record = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (record == NULL)
		return 0;
	FUZZ_CHECK(s != NULL, "no Lightning schema");
	memset(&j, 0xA5, sizeof(j));	/* out is overwritten, not read */
	err_clear(&e);
	rc = mapping_job_from_record(s, record, &j, &problems, &e);
	if (rc < 0) {
		static const struct model_job zero;

		FUZZ_CHECK(e.code == ERR_INVALID, "%s", e.msg);
		FUZZ_CHECK(memcmp(&j, &zero, sizeof(j)) == 0, "a failed mapping left a job");
		FUZZ_CHECK(problems.n == 0, "a failed mapping left %zu problems", problems.n);
		/* Refused only for what the header says: no usable Id. */
		FUZZ_CHECK(!json_is_object(record) ||
			   !record_id_valid(record, s->appt_fields[PLATFORM_APPT_ID]), "%s", e.msg);
	} else {
		FUZZ_CHECK(rc == 0, "returned %d", rc);
		check_job(record, s, &j);
		for (size_t i = 0; i < problems.n; i++)
			FUZZ_CHECK(problems.items[i].field && problems.items[i].message &&
				   problems.items[i].message[0], "problem %zu is empty", i);
	}
	model_job_free(&j);
	mapping_problems_free(&problems);
	json_decref(record);
	return 0;
}

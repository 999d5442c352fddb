/* mapping: one I360 appointment record (Salesforce JSON) as one OCC job (SPEC §3). */
#include "i360/mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i360/phones.h"
#include "i360/text.h"
#include "util/buf.h"
#include "util/isotime.h"

/*
 * The state of one mapping. Every static helper below returns 0, or -1 only when out
 * of memory: a malformed value is a problem noted in m->problems, never a failure.
 */
struct mapper {
	const struct platform_schema *s;
	struct mapping_problems *problems;	/* NULL: problems are discarded */
	const char *prefix;	/* path of the object being read, NULL at the top */
};

void mapping_problems_free(struct mapping_problems *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].field);
		free(p->items[i].message);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/* Drops the problems after the first keep, as if they had never been noted. */
static void problems_truncate(struct mapping_problems *p, size_t keep)
{
	if (p == NULL)
		return;
	for (size_t i = keep; i < p->n; i++) {
		free(p->items[i].field);
		free(p->items[i].message);
	}
	p->n = keep;
}

static int note(struct mapper *m, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Appends a problem about field, read under m->prefix (an empty field names the
 * prefix itself), with a printf-made message.
 */
static int note(struct mapper *m, const char *field, const char *fmt, ...)
{
	struct mapping_problems *p = m->problems;
	struct mapping_problem *it;
	struct buf path;
	char *msg, *where;
	va_list ap;
	int len, rc;

	if (p == NULL)
		return 0;
	if (p->n == p->alloc) {
		size_t a = p->alloc ? p->alloc * 2 : 8;

		it = realloc(p->items, a * sizeof(*it));
		if (it == NULL)
			return -1;
		p->items = it;
		p->alloc = a;
	}
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (msg = malloc((size_t)len + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	va_end(ap);

	buf_init(&path, 0);
	if (m->prefix != NULL && *field != '\0')
		rc = buf_printf(&path, "%s.%s", m->prefix, field);
	else
		rc = buf_puts(&path, m->prefix != NULL ? m->prefix : field);
	where = rc == 0 ? buf_detach(&path, NULL) : NULL;
	if (where == NULL) {
		buf_free(&path);
		free(msg);
		return -1;
	}
	it = &p->items[p->n++];
	it->field = where;
	it->message = msg;
	return 0;
}

/* The JSON type of v in words, for problem messages. */
static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

int mapping_id_valid(const char *id, size_t n)
{
	if (n != 15 && n != 18)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

/*
 * Reads obj.key as a string span: *s is NULL when the field is absent or null, and
 * also when it is malformed (not a string, or holding a NUL byte), which is noted.
 */
static int get_string(struct mapper *m, json_t *obj, const char *key, const char **s,
		      size_t *n)
{
	json_t *v = json_object_get(obj, key);

	*s = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return note(m, key, "expected text, got a JSON %s; the value was left out",
			    json_kind(v));
	if (memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
		return note(m, key, "the text holds a NUL character; the value was left out");
	*s = json_string_value(v);
	*n = json_string_length(v);
	return 0;
}

/* Reads obj.key as trimmed text into *out (NULL when absent, null, empty or
 * malformed), cut to MAPPING_TEXT_MAX bytes. */
static int get_text(struct mapper *m, json_t *obj, const char *key, char **out)
{
	const char *s;
	size_t n, cut;

	*out = NULL;
	if (get_string(m, obj, key, &s, &n) < 0)
		return -1;
	if (s == NULL)
		return 0;
	text_trim(&s, &n);
	if (n == 0)
		return 0;
	cut = text_cut(s, n, MAPPING_TEXT_MAX);
	if (cut < n && note(m, key, "the text is %zu bytes long, over the limit of %d; "
			    "it was cut to %zu bytes", n, MAPPING_TEXT_MAX, cut) < 0)
		return -1;
	*out = text_dup(s, cut);
	return *out == NULL ? -1 : 0;
}

/*
 * Reads obj.key as a Salesforce Id into *out, as sent. *out is NULL when the field is
 * absent or null, and when it is malformed (noted, with what_then saying what follows
 * from that in the problem message).
 */
static int get_id(struct mapper *m, json_t *obj, const char *key, const char *what_then,
		  char **out)
{
	const char *s;
	size_t n;

	*out = NULL;
	if (get_string(m, obj, key, &s, &n) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (!mapping_id_valid(s, n))
		return note(m, key, "the value is not a Salesforce Id (15 or 18 letters and "
			    "digits); %s", what_then);
	*out = text_dup(s, n);
	return *out == NULL ? -1 : 0;
}

/* Reads obj.key as a datetime: *has is 0 when absent, null or malformed (noted). */
static int get_time(struct mapper *m, json_t *obj, const char *key, int *has,
		    int64_t *ms)
{
	const char *s;
	size_t n;
	char *copy;
	int rc;

	*has = 0;
	*ms = 0;
	if (get_string(m, obj, key, &s, &n) < 0)
		return -1;
	if (s == NULL)
		return 0;
	text_trim(&s, &n);
	if (n == 0)
		return 0;
	copy = text_dup(s, n);
	if (copy == NULL)
		return -1;
	rc = isotime_parse_ms(copy, ms);
	free(copy);
	if (rc == 0) {
		*has = 1;
		return 0;
	}
	*ms = 0;
	n = text_cut(s, n, 64);
	return note(m, key, "\"%.*s\" is not a datetime; the value was left out", (int)n, s);
}

/*
 * Joins the non-NULL parts, putting seps[i] before part i unless it is the first part
 * present (so seps[0] is never used): parts {A, B, C} with seps {"", ": ", " - "}
 * give "A: B - C", or "A - C", "B - C", "A: B", "C" when parts are missing. *out is
 * NULL when every part is NULL.
 */
static int compose(char *const parts[], const char *const seps[], int count, char **out)
{
	struct buf b;
	int first = 1;

	*out = NULL;
	buf_init(&b, 0);
	for (int i = 0; i < count; i++) {
		if (parts[i] == NULL)
			continue;
		if ((!first && buf_puts(&b, seps[i]) < 0) || buf_puts(&b, parts[i]) < 0) {
			buf_free(&b);
			return -1;
		}
		first = 0;
	}
	if (first)
		return 0;
	*out = buf_detach(&b, NULL);
	return *out == NULL ? -1 : 0;
}

/*
 * The phones of the contact phone field. A value over MAPPING_TEXT_MAX is cut after
 * its last comma before the limit, so no number is kept half.
 */
static int map_phones(struct mapper *m, json_t *record, struct model_job *j)
{
	const char *key = m->s->appt_fields[PLATFORM_APPT_CONTACT_PHONE];
	const char *s;
	size_t n, cut;
	char *copy;
	int rc;

	if (get_string(m, record, key, &s, &n) < 0)
		return -1;
	if (s == NULL)
		return 0;
	cut = text_cut(s, n, MAPPING_TEXT_MAX);
	if (cut < n) {
		for (size_t i = cut; i > 0; i--) {
			if (s[i - 1] == ',') {
				cut = i - 1;
				break;
			}
		}
		if (note(m, key, "the text is %zu bytes long, over the limit of %d; the phone "
			 "numbers after byte %zu were left out", n, MAPPING_TEXT_MAX, cut) < 0)
			return -1;
	}
	copy = text_dup(s, cut);
	if (copy == NULL)
		return -1;
	rc = phones_parse(copy, &j->phones, &j->nphones, NULL);
	free(copy);
	return rc;
}

/* Start and end; an end before the start is dropped (the start is the appointment). */
static int map_times(struct mapper *m, json_t *record, struct model_job *j)
{
	const char *const *f = m->s->appt_fields;

	if (get_time(m, record, f[PLATFORM_APPT_START], &j->has_start, &j->start_ms) < 0 ||
	    get_time(m, record, f[PLATFORM_APPT_END], &j->has_end, &j->end_ms) < 0)
		return -1;
	if (j->has_start && j->has_end && j->end_ms < j->start_ms) {
		j->has_end = 0;
		j->end_ms = 0;
		return note(m, f[PLATFORM_APPT_END], "the end time is before the start time; "
			    "the end time was left out");
	}
	return 0;
}

/* SystemModstamp and IsDeleted: what the sync needs besides the job's own data. */
static int map_sync_fields(struct mapper *m, json_t *record, struct model_job *j)
{
	const char *const *f = m->s->appt_fields;
	json_t *del = json_object_get(record, f[PLATFORM_APPT_IS_DELETED]), *stamp;
	int has;

	j->status = MODEL_APPT_SCHEDULED;
	if (json_is_true(del))
		j->status = MODEL_APPT_CANCELLED;
	else if (del != NULL && !json_is_boolean(del) && !json_is_null(del) &&
		 note(m, f[PLATFORM_APPT_IS_DELETED], "expected true or false, got a JSON "
		      "%s; the appointment was taken as not deleted", json_kind(del)) < 0)
		return -1;

	stamp = json_object_get(record, f[PLATFORM_APPT_MODSTAMP]);
	if (stamp == NULL || json_is_null(stamp))
		return note(m, f[PLATFORM_APPT_MODSTAMP], "the record has no modification "
			    "time; it was taken as unknown");
	return get_time(m, record, f[PLATFORM_APPT_MODSTAMP], &has, &j->modstamp_ms);
}

/* Whether an opportunity with the same Id (compared on its first 15 characters, as
 * Salesforce does) is already in j. */
static int opp_seen(const struct model_job *j, const char *id)
{
	for (size_t i = 0; i < j->nopps; i++)
		if (strncmp(j->opps[i].id, id, 15) == 0)
			return 1;
	return 0;
}

/* Maps one opportunity record (the parent of a junction row) into o. Sets *skip when
 * the row cannot give an opportunity (noted). */
static int map_opp(struct mapper *m, json_t *opp, const struct model_job *j,
		   struct model_opportunity *o, int *skip)
{
	const char *const *f = m->s->opp_fields;
	char *parts[2] = { NULL, NULL };
	static const char *const seps[2] = { "", ": " };
	int rc = -1;

	memset(o, 0, sizeof(*o));
	*skip = 1;
	if (get_id(m, opp, f[PLATFORM_OPP_ID], "the row was skipped", &o->id) < 0)
		return -1;
	if (o->id == NULL) {
		/* A malformed Id was noted by get_id; an absent one is noted here. */
		json_t *v = json_object_get(opp, f[PLATFORM_OPP_ID]);

		if ((v == NULL || json_is_null(v)) &&
		    note(m, f[PLATFORM_OPP_ID], "the sales opportunity has no Id; the row "
			 "was skipped") < 0)
			return -1;
		return 0;
	}
	if (opp_seen(j, o->id)) {
		rc = note(m, f[PLATFORM_OPP_ID], "the sales opportunity %s is listed twice "
			  "for this appointment; the repeated row was skipped", o->id);
		goto out;
	}
	if (get_text(m, opp, f[PLATFORM_OPP_INTERESTED_IN], &parts[0]) < 0 ||
	    get_text(m, opp, f[PLATFORM_OPP_NAME], &parts[1]) < 0 ||
	    compose(parts, seps, 2, &o->name) < 0 ||
	    get_text(m, opp, f[PLATFORM_OPP_RESULT], &o->result) < 0 ||
	    get_text(m, opp, f[PLATFORM_OPP_RESULT_DETAIL], &o->result_detail) < 0)
		goto out;
	*skip = 0;
	rc = 0;
out:
	free(parts[0]);
	free(parts[1]);
	if (*skip) {
		free(o->id);
		free(o->name);
		free(o->result);
		free(o->result_detail);
		memset(o, 0, sizeof(*o));
	}
	return rc;
}

/* The junction rows of the child relationship, each through its parent opportunity. */
static int map_opps(struct mapper *m, json_t *record, struct model_job *j)
{
	const char *rel_key = m->s->appt_opps_relationship;
	const char *parent_key = m->s->opp_parent_relationship;
	json_t *rel = json_object_get(record, rel_key), *rows;
	char path[256];
	size_t nrows;

	if (rel == NULL || json_is_null(rel))
		return 0;
	if (!json_is_object(rel))
		return note(m, rel_key, "expected a query result, got a JSON %s; the sales "
			    "opportunities were left out", json_kind(rel));
	rows = json_object_get(rel, "records");
	if (rows == NULL || json_is_null(rows))
		return 0;
	if (!json_is_array(rows))
		return note(m, rel_key, "expected a list of records, got a JSON %s; the sales "
			    "opportunities were left out", json_kind(rows));
	nrows = json_array_size(rows);
	if (nrows == 0)
		return 0;
	j->opps = calloc(nrows, sizeof(*j->opps));
	if (j->opps == NULL)
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		json_t *row = json_array_get(rows, i), *opp;
		int skip, rc;

		snprintf(path, sizeof(path), "%s.records[%zu]", rel_key, i);
		m->prefix = path;
		opp = json_is_object(row) ? json_object_get(row, parent_key) : NULL;
		if (!json_is_object(row)) {
			rc = note(m, "", "expected a record, got a JSON %s; the row was skipped",
				  json_kind(row));
		} else if (opp == NULL || json_is_null(opp)) {
			rc = note(m, parent_key, "the row has no sales opportunity (it was "
				  "deleted or is not visible to the integration user); the row "
				  "was skipped");
		} else if (!json_is_object(opp)) {
			rc = note(m, parent_key, "expected a sales opportunity record, got a "
				  "JSON %s; the row was skipped", json_kind(opp));
		} else {
			snprintf(path, sizeof(path), "%s.records[%zu].%s", rel_key, i,
				 parent_key);
			rc = map_opp(m, opp, j, &j->opps[j->nopps], &skip);
			if (rc == 0 && !skip)
				j->nopps++;
		}
		m->prefix = NULL;
		if (rc < 0)
			return -1;
	}
	if (j->nopps == 0) {
		free(j->opps);
		j->opps = NULL;
	}
	return 0;
}

/* The customer, the job's name and address, and the appointment's texts. */
static int map_texts(struct mapper *m, json_t *record, struct model_job *j)
{
	const char *const *f = m->s->appt_fields;
	static const char *const seps[3] = { "", ": ", " - " };
	char *parts[3] = { NULL, NULL, NULL };
	int rc = -1;

	if (get_text(m, record, f[PLATFORM_APPT_CONTACT_NAME], &parts[0]) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_PRODUCT_CATEGORIES], &parts[1]) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_TYPE], &parts[2]) < 0 ||
	    compose(parts, seps, 2, &j->name) < 0 ||
	    compose(parts, seps, 3, &j->summary) < 0)
		goto out;
	j->customer_name = parts[0];
	parts[0] = NULL;
	if (get_text(m, record, f[PLATFORM_APPT_CONTACT_EMAIL], &j->email) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_STREET], &j->line1) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_CITY], &j->city) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_STATE], &j->state) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_POSTAL_CODE], &j->postal_code) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_STATUS], &j->result) < 0 ||
	    get_text(m, record, f[PLATFORM_APPT_STATUS_DETAIL], &j->result_detail) < 0)
		goto out;
	rc = 0;
out:
	free(parts[0]);
	free(parts[1]);
	free(parts[2]);
	return rc;
}

/* The record's own Id: the one value without which there is no job. */
static int map_id(const struct platform_schema *s, json_t *record, struct model_job *j,
		  struct err *e)
{
	json_t *v = json_object_get(record, s->appt_fields[PLATFORM_APPT_ID]);
	const char *id;
	size_t n;

	if (v == NULL || json_is_null(v))
		return err_set(e, ERR_INVALID, "the appointment record has no Id");
	if (!json_is_string(v))
		return err_set(e, ERR_INVALID, "the appointment record's Id is a JSON %s, "
			       "not a Salesforce Id", json_kind(v));
	id = json_string_value(v);
	n = json_string_length(v);
	if (!mapping_id_valid(id, n))
		return err_set(e, ERR_INVALID, "the appointment record's Id is not a "
			       "Salesforce Id (15 or 18 letters and digits)");
	j->appointment_id = text_dup(id, n);
	if (j->appointment_id == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory while mapping an appointment");
	return 0;
}

int mapping_job_from_record(const struct platform_schema *s, json_t *record,
			    struct model_job *out, struct mapping_problems *problems,
			    struct err *e)
{
	struct mapper m = { .s = s, .problems = problems, .prefix = NULL };
	const char *const *f = s->appt_fields;
	size_t first_problem = problems ? problems->n : 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(record))
		return err_set(e, ERR_INVALID, "the appointment record is not a JSON object");
	if (map_id(s, record, out, e) < 0)
		goto fail;
	if (map_texts(&m, record, out) < 0 ||
	    get_id(&m, record, f[PLATFORM_APPT_SALES_REP], "the value was left out",
		   &out->salesrep_id) < 0 ||
	    get_id(&m, record, f[PLATFORM_APPT_ACCOUNT], "the value was left out",
		   &out->account_id) < 0 ||
	    map_phones(&m, record, out) < 0 ||
	    map_times(&m, record, out) < 0 ||
	    map_opps(&m, record, out) < 0 ||
	    map_sync_fields(&m, record, out) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory while mapping appointment %s",
			out->appointment_id);
		goto fail;
	}
	return 0;
fail:
	problems_truncate(problems, first_problem);
	model_job_free(out);
	return -1;
}

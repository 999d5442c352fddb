/* rest: the org's REST API under /services/data/vNN.0 — query, sObjects, describe,
 * composite, limits. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sandbox/sandbox_int.h"
#include "sandbox/sfid.h"
#include "sandbox/soql.h"
#include "util/buf.h"
#include "util/isotime.h"

#define COMPOSITE_MAX 200
#define COMPOSITE_RETRIEVE_MAX 2000
#define MINUTE_MS 60000LL
#define REPLICATION_DAYS 30	/* how far back getUpdated / getDeleted reach */

static void not_found(struct reply *r)
{
	struct sferr e;

	sferr_set(&e, 404, "NOT_FOUND", "The requested resource does not exist");
	answer_sferr(r, &e);
}

static void method_not_allowed(struct reply *r, const char *method, const char *allowed)
{
	struct sferr e;

	sferr_set(&e, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are %s",
		  method, allowed);
	answer_sferr(r, &e);
}

static int is(const struct answer_req *q, const char *method)
{
	return strcmp(q->method, method) == 0;
}

/* ---- Query ---- */

/* The page size: the --page-size knob, lowered by a Sforce-Query-Options batchSize
 * header (Salesforce honours 200 to 2000). */
static size_t page_size(struct sandbox *sb, const struct answer_req *q)
{
	const char *opt = answer_header_in(q, "Sforce-Query-Options");
	size_t page;

	pthread_mutex_lock(&sb->mu);
	page = (size_t)(sb->k.page_size > 0 ? sb->k.page_size : 2000);
	pthread_mutex_unlock(&sb->mu);
	if (opt && strstr(opt, "batchSize=")) {
		long b = strtol(strstr(opt, "batchSize=") + 10, NULL, 10);

		if (b < 200)
			b = 200;
		if (b > 2000)
			b = 2000;
		if ((size_t)b < page)
			page = (size_t)b;
	}
	return page;
}

/* The query runs once (WHERE, ORDER BY); its rows are rendered a page at a time, the
 * first here and the rest through the cursor. */
/* The bare_records knob's org has no ContentVersion.ReasonForChange, as a simpler
 * simulator might not: 1 (and e set as Salesforce words it, for a query when query)
 * when text names it. */
static int bare_lacks_reason(struct sandbox *sb, const char *text, int query,
			     struct sferr *e)
{
	if (text == NULL || !sandbox__bare_records(sb) || strstr(text, "ReasonForChange") == NULL)
		return 0;
	if (query)
		sferr_set(e, 400, "INVALID_FIELD", "No such column 'ReasonForChange' on entity "
			  "'ContentVersion'.");
	else
		sferr_set(e, 400, "INVALID_FIELD", "No such column 'ReasonForChange' on sobject "
			  "of type ContentVersion");
	return 1;
}

static void query(struct sandbox *sb, const struct answer_req *q, const char *version,
		  int all, struct reply *r)
{
	struct sferr e;
	struct soql_query *sq = bare_lacks_reason(sb, answer_arg(q, "q"), 1, &e) ? NULL :
				soql_parse(answer_arg(q, "q"), &e);
	struct soql_opts o = { all, version, 0, NULL, NULL };
	struct soql_rows *rows;
	size_t page, n;
	char *url = NULL;
	int aggregate;

	if (sq == NULL) {
		answer_sferr(r, &e);
		return;
	}
	/* Salesforce answers an aggregate query in one batch (no query locator). */
	aggregate = soql_is_aggregate(sq);
	page = page_size(sb, q);
	objects_rdlock(sb->store);
	rows = soql_select(sq, sb->store, &o, &e);
	objects_unlock(sb->store);
	soql_free(sq);
	if (rows == NULL) {
		answer_sferr(r, &e);
		return;
	}
	n = soql_rows_count(rows);
	if (n > page && !aggregate)
		url = cursor_open(sb, version, soql_rows_ref(rows), page);
	if (cursor_answer(sb, version, rows, 0, url ? page : n, url, r) < 0) {
		sferr_set(&e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		answer_sferr(r, &e);
	}
	free(url);
	soql_rows_free(rows);
}

/* ---- Describe ---- */

static const char *soap_type(enum objects_ftype t)
{
	switch (t) {
	case OF_ID: case OF_REFERENCE: return "tns:ID";
	case OF_DATETIME: return "xsd:dateTime";
	case OF_DATE: return "xsd:date";
	case OF_BOOLEAN: return "xsd:boolean";
	case OF_DOUBLE: return "xsd:double";
	case OF_INT: return "xsd:int";
	case OF_BASE64: return "xsd:base64Binary";
	default: return "xsd:string";
	}
}

/* One field's describe; bare: as a simpler simulator, with no field dependencies. */
static json_t *describe_field(const struct objects_type *t, const struct objects_field *f,
			      int bare)
{
	json_t *picks = json_array(), *refs = json_array(), *o;
	int text = objects_ftype_is_text(f->type) || f->type == OF_ID || f->type == OF_REFERENCE;
	const char *controller = bare ? NULL : f->controller;

	if (f->picks != NULL)
		for (int i = 0; f->picks[i].value; i++)
			json_array_append_new(picks, json_pack(
				"{s:b, s:b, s:s, s:o, s:s}", "active", f->picks[i].active,
				"defaultValue", f->picks[i].default_value, "label", f->picks[i].value,
				"validFor", bare ? json_null() : objects_valid_for(t, f, &f->picks[i]),
				"value", f->picks[i].value));
	if (f->type == OF_REFERENCE) {
		if (f->reference_to != NULL) {
			json_array_append_new(refs, json_string(f->reference_to));
		} else {	/* polymorphic: anything a file can be published to */
			size_t n;
			const struct objects_type *const *all = objects_types(&n);

			for (size_t i = 0; i < n; i++)
				if (all[i]->custom || strcmp(all[i]->name, "Account") == 0 ||
				    strcmp(all[i]->name, "User") == 0)
					json_array_append_new(refs, json_string(all[i]->name));
		}
	}
	o = json_pack("{s:b, s:b, s:i, s:b, s:b, s:o, s:b, s:b, s:o, s:b, s:b, s:b, s:b, s:b, "
		      "s:b, s:b, s:b, s:s, s:i, s:s, s:b, s:b, s:o, s:i, s:o, s:o, s:b, s:i, s:s, "
		      "s:b, s:s, s:b, s:b}",
		      "aggregatable", f->type != OF_TEXTAREA && f->type != OF_BASE64,
		      "autoNumber", t->autonumber && strcmp(f->name, "Name") == 0,
		      "byteLength", text ? f->length * 3 : 0,
		      "calculated", 0, "caseSensitive", 0,
		      "controllerName", controller ? json_string(controller) : json_null(),
		      "createable", (f->flags & OF_CREATE) != 0, "custom", (f->flags & OF_CUSTOM) != 0,
		      "defaultValue", json_null(),
		      "defaultedOnCreate", (f->flags & OF_DEFAULTED) != 0,
		      "dependentPicklist", controller != NULL, "externalId", 0,
		      "filterable", objects_field_filterable(f),
		      "groupable", objects_field_groupable(f), "htmlFormatted", 0,
		      "idLookup", f->type == OF_ID,
		      "nameField", (f->flags & OF_NAME) != 0,
		      "label", f->label, "length", text ? f->length : 0, "name", f->name,
		      "nillable", (f->flags & OF_NULLOK) != 0,
		      "permissionable", (f->flags & OF_NULLOK) != 0,
		      "picklistValues", picks, "precision", f->type == OF_DOUBLE ? 18 : 0,
		      "referenceTo", refs,
		      "relationshipName", f->relationship ? json_string(f->relationship) : json_null(),
		      "restrictedPicklist", (f->flags & OF_RESTRICTED) != 0,
		      "scale", f->type == OF_DOUBLE ? 2 : 0, "soapType", soap_type(f->type),
		      "sortable", objects_field_sortable(f),
		      "type", objects_ftype_names[f->type], "unique", 0,
		      "updateable", (f->flags & OF_UPDATE) != 0);
	return o;
}

static json_t *urls(const struct objects_type *t, const char *version)
{
	return json_pack("{s:s++++, s:s++++, s:s++++}",
			 "sobject", "/services/data/v", version, "/sobjects/", t->name, "",
			 "describe", "/services/data/v", version, "/sobjects/", t->name, "/describe",
			 "rowTemplate", "/services/data/v", version, "/sobjects/", t->name, "/{ID}");
}

static json_t *describe_basic(const struct objects_type *t, const char *version)
{
	int cv = strcmp(t->name, "ContentVersion") == 0, user = strcmp(t->name, "User") == 0;

	return json_pack("{s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:o}",
			 "createable", 1, "custom", t->custom, "customSetting", 0,
			 "deletable", !cv && !user, "keyPrefix", t->key_prefix, "label", t->label,
			 "labelPlural", t->label_plural, "layoutable", 1, "name", t->name,
			 "queryable", 1, "retrieveable", 1, "searchable", 1, "updateable", 1,
			 "urls", urls(t, version));
}

static json_t *describe(const struct objects_type *t, const char *version, int bare)
{
	json_t *d = describe_basic(t, version), *fields = json_array(), *children = json_array();
	size_t n;
	const struct objects_type *const *all = objects_types(&n);

	for (size_t i = 0; i < t->nfields; i++)
		json_array_append_new(fields, describe_field(t, &t->fields[i], bare));
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < all[k]->nfields; i++) {
			const struct objects_field *f = &all[k]->fields[i];
			const char *rel = NULL;

			if (f->type != OF_REFERENCE || f->reference_to == NULL ||
			    strcmp(f->reference_to, t->name) != 0)
				continue;
			for (const struct objects_child *c = t->children; c && c->name; c++)
				if (strcmp(c->child_object, all[k]->name) == 0 &&
				    strcmp(c->field, f->name) == 0)
					rel = c->name;
			json_array_append_new(children, json_pack(
				"{s:b, s:s, s:b, s:s, s:[], s:[], s:o, s:b}", "cascadeDelete",
				0, "childSObject", all[k]->name, "deprecatedAndHidden", 0,
				"field", f->name, "junctionIdListNames", "junctionReferenceTo",
				"relationshipName", rel ? json_string(rel) : json_null(),
				"restrictedDelete", 0));
		}
	json_object_set_new(d, "fields", fields);
	json_object_set_new(d, "childRelationships", children);
	json_object_set_new(d, "recordTypeInfos", json_pack(
		"[{s:b, s:b, s:b, s:b, s:s, s:s, s:s}]", "active", 1, "available", 1,
		"defaultRecordTypeMapping", 1, "master", 1, "name", "Master",
		"developerName", "Master", "recordTypeId", "012000000000000AAA"));
	json_object_set_new(d, "activateable", json_false());
	json_object_set_new(d, "undeletable", json_true());
	json_object_set_new(d, "triggerable", json_true());
	json_object_set_new(d, "replicateable", json_true());
	json_object_set_new(d, "mergeable", json_false());
	json_object_set_new(d, "feedEnabled", json_false());
	json_object_set_new(d, "mruEnabled", json_true());
	json_object_set_new(d, "compactLayoutable", json_true());
	json_object_set_new(d, "deprecatedAndHidden", json_false());
	json_object_set_new(d, "actionOverrides", json_array());
	return d;
}

static void global_describe(const char *version, struct reply *r)
{
	size_t n;
	const struct objects_type *const *all = objects_types(&n);
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, describe_basic(all[i], version));
	answer_json(r, 200, json_pack("{s:s, s:i, s:o}", "encoding", "UTF-8", "maxBatchSize", 200,
				     "sobjects", list));
}

/* ---- Records ---- */

/* The strings of a comma-separated list ("Id, Name"), blanks around names dropped, as a
 * JSON array. New reference. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		size_t len;

		s += strspn(s, " ");
		len = strcspn(s, ",");
		while (len > 0 && s[len - 1] == ' ')
			len--;
		json_array_append_new(a, json_stringn(s, len));
		s += strcspn(s, ",");
		s += *s == ',';
	}
	return a;
}

/* Marks in want[] (t->nfields entries) the fields that names (a JSON array of strings)
 * lists. A name t does not have is Salesforce's INVALID_FIELD, as in SOQL. 0 or -1. */
static int fields_wanted(const struct objects_type *t, json_t *names, unsigned char *want,
			 struct sferr *e)
{
	size_t i;
	json_t *v;

	memset(want, 0, t->nfields);
	json_array_foreach(names, i, v) {
		const char *name = json_string_value(v);
		const struct objects_field *f = name ? objects_field_find(t, name) : NULL;

		if (f == NULL)
			return sferr_set(e, 400, "INVALID_FIELD", "No such column '%s' on entity "
					 "'%s'. If you are attempting to use a custom field, be sure "
					 "to append the '__c' after the custom field name. Please "
					 "reference your WSDL or the describe call for the appropriate "
					 "names.", name ? name : "", t->name);
		want[objects_field_index(t, f)] = 1;
	}
	return 0;
}

/* The record as the sObject Rows resource shows it: attributes, then every field, or
 * those want[] marks (NULL: all). */
static json_t *record_out(const struct objects_type *t, const struct objects_rec *rec,
			  const char *version, const unsigned char *want)
{
	const char *id = objects_rec_id(rec);
	json_t *out = json_object();

	json_object_set_new(out, "attributes", json_pack("{s:s, s:s+++++}", "type", t->name,
		"url", "/services/data/v", version, "/sobjects/", t->name, "/", id));
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];

		if (want != NULL && !want[i])
			continue;
		if (f->type == OF_BASE64)
			json_object_set_new(out, f->name, objects_rec_number(rec, i) != 0 ?
				json_sprintf("/services/data/v%s/sobjects/%s/%s/%s", version,
					     t->name, id, f->name) : json_null());
		else
			json_object_set_new(out, f->name, objects_rec_value(rec, i));
	}
	return out;
}

/* Answers GET sObject Rows: the record, or only the fields of a ?fields= list (an
 * unknown name is a 400, as Salesforce answers it). */
static void record_answer(const struct objects_type *t, const struct objects_rec *rec,
			  const char *version, const char *fields, struct reply *r)
{
	unsigned char want[OBJECTS_MAX_FIELDS];
	json_t *names = fields ? split_list(fields) : NULL;
	struct sferr e;

	if (names != NULL && fields_wanted(t, names, want, &e) < 0)
		answer_sferr(r, &e);
	else
		answer_json(r, 200, record_out(t, rec, version, names ? want : NULL));
	json_decref(names);
}

static json_t *parse_body(const struct answer_req *q, struct sferr *e)
{
	json_error_t je;
	json_t *in = json_loadb(q->body ? q->body : "", q->body_len, 0, &je);

	if (in == NULL)
		sferr_set(e, 400, "JSON_PARSER_ERROR", "%s at [line:%d, column:%d]", je.text,
			  je.line, je.column);
	return in;
}

/* Multipart: an entity_content JSON part and a binary part named after the field. */
struct multipart {
	struct buf json;
	struct buf bin;
};

static enum MHD_Result multipart_part(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *filename, const char *ctype,
				      const char *encoding, const char *data, uint64_t off,
				      size_t size)
{
	struct multipart *m = cls;

	(void)kind; (void)filename; (void)ctype; (void)encoding; (void)off;
	if (key && (strcmp(key, "entity_content") == 0 || strcmp(key, "entity_document") == 0))
		return buf_append(&m->json, data, size) == 0 ? MHD_YES : MHD_NO;
	if (key && strcmp(key, "VersionData") == 0)
		return buf_append(&m->bin, data, size) == 0 ? MHD_YES : MHD_NO;
	return MHD_YES;
}

static void create(struct sandbox *sb, const struct answer_req *q, const struct objects_type *t,
		   struct reply *r)
{
	const char *ctype = answer_header_in(q, "Content-Type");
	struct multipart m;
	struct sferr e;
	json_t *in = NULL;
	char id[19];
	int multipart = ctype && strncasecmp(ctype, "multipart/form-data", 19) == 0;

	buf_init(&m.json, 0);
	buf_init(&m.bin, 0);
	if (multipart) {
		struct MHD_PostProcessor *pp = MHD_create_post_processor(q->conn, 65536,
									 multipart_part, &m);
		json_error_t je;

		if (pp == NULL || MHD_post_process(pp, q->body, q->body_len) != MHD_YES) {
			sferr_set(&e, 400, "INVALID_MULTIPART_REQUEST",
				  "Multipart message must include a non-binary part");
			if (pp)
				MHD_destroy_post_processor(pp);
			goto fail;
		}
		MHD_destroy_post_processor(pp);
		in = json_loadb(m.json.data ? m.json.data : "", m.json.len, 0, &je);
		if (in == NULL) {
			sferr_set(&e, 400, "INVALID_MULTIPART_REQUEST",
				  "Multipart message must include a non-binary part");
			goto fail;
		}
	} else if ((in = parse_body(q, &e)) == NULL) {
		goto fail;
	}
	if (strcmp(t->name, "ContentVersion") == 0 && json_object_get(in, "ReasonForChange") &&
	    bare_lacks_reason(sb, "ReasonForChange", 0, &e))
		goto fail;
	objects_wrlock(sb->store);
	if (objects_create(sb->store, t, in, multipart ? (m.bin.data ? m.bin.data : "") : NULL,
			   m.bin.len, sandbox__now(), 0, id, &e) < 0) {
		objects_unlock(sb->store);
		goto fail;
	}
	objects_unlock(sb->store);
	answer_json(r, 201, json_pack("{s:s, s:b, s:[]}", "id", id, "success", 1, "errors"));
	r->drop = sandbox__drop_write(sb);
	json_decref(in);
	buf_free(&m.json);
	buf_free(&m.bin);
	return;

fail:
	json_decref(in);
	buf_free(&m.json);
	buf_free(&m.bin);
	answer_sferr(r, &e);
}

/* ---- Conditional requests on sObject Rows ---- */

/*
 * Salesforce compares If-Modified-Since and If-Unmodified-Since with the record's
 * LastModifiedDate, at the resolution both have: whole seconds. So a write in the same
 * second as the date given does not count as a modification after it.
 */

/* A conditional header's date: 0 when the request has none, 1 with *s set (seconds
 * since the epoch), -1 when its value is not an HTTP-date. libcurl's reader takes the
 * three forms RFC 9110 asks recipients to read (IMF-fixdate, RFC 850, asctime). */
static int header_date(const struct answer_req *q, const char *name, int64_t *s)
{
	const char *v = answer_header_in(q, name);
	time_t t;

	if (v == NULL)
		return 0;
	if ((t = curl_getdate(v, NULL)) < 0)
		return -1;
	*s = (int64_t)t;
	return 1;
}

/* The second of rec's LastModifiedDate (0 for a type without one). */
static int64_t modified_s(const struct objects_type *t, const struct objects_rec *rec)
{
	const struct objects_field *f = objects_field_find(t, "LastModifiedDate");
	int64_t ms = 0;

	if (f == NULL || objects_rec_time(rec, objects_field_index(t, f), &ms) < 0)
		return 0;
	return ms / 1000 - (ms % 1000 < 0);
}

/* The 412 of a failed If-Unmodified-Since: nothing was written. */
static void precondition_failed(struct reply *r, int64_t since_s)
{
	struct sferr e;
	char when[32];
	time_t t = (time_t)since_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sferr_set(&e, 412, "ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK",
		  "The record was modified after %s, the date of If-Unmodified-Since", when);
	answer_sferr(r, &e);
}

/* PATCH of one record, honouring If-Unmodified-Since. */
static void record_patch(struct sandbox *sb, const struct answer_req *q,
			 const struct objects_type *t, const char *id, struct reply *r)
{
	const struct objects_type *rt = NULL;
	const struct objects_rec *rec;
	struct sferr e;
	int64_t since = 0;
	int cond, delay;
	json_t *in;

	if (sandbox__bare_records(sb))
		cond = 0;
	else if ((cond = header_date(q, "If-Unmodified-Since", &since)) < 0) {
		/* Salesforce documents the 400; the errorCode is the sandbox's own. */
		sferr_set(&e, 400, "INVALID_HEADER_VALUE", "If-Unmodified-Since is not an "
			  "HTTP-date: %.64s", answer_header_in(q, "If-Unmodified-Since"));
		answer_sferr(r, &e);
		return;
	}
	if ((in = parse_body(q, &e)) == NULL) {
		answer_sferr(r, &e);
		return;
	}
	if ((delay = sandbox__take_patch_delay(sb)) > 0) {
		struct timespec ts = { delay / 1000, (long)(delay % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	objects_wrlock(sb->store);
	rec = objects_get(sb->store, id, &rt);
	if (cond && rec != NULL && rt == t && !objects_rec_deleted(rec) &&
	    modified_s(t, rec) > since) {
		objects_unlock(sb->store);
		json_decref(in);
		precondition_failed(r, since);
		return;
	}
	if (objects_update(sb->store, t, id, in, sandbox__now(), 0, &e) < 0) {
		objects_unlock(sb->store);
		json_decref(in);
		answer_sferr(r, &e);
		return;
	}
	objects_unlock(sb->store);
	json_decref(in);
	answer_text(r, 204, "application/json;charset=UTF-8", "");
	r->drop = sandbox__drop_write(sb);
}

static void record(struct sandbox *sb, const struct answer_req *q, const struct objects_type *t,
		   const char *id, const char *field, const char *version, struct reply *r)
{
	struct sferr e;
	const struct objects_type *rt = NULL;
	const struct objects_rec *rec;
	int64_t since;

	if (is(q, "GET") && sandbox__bare_records(sb) == 2) {
		not_found(r);	/* a simulator that cannot read one record */
		return;
	}
	if (is(q, "GET")) {
		objects_rdlock(sb->store);
		rec = objects_get(sb->store, id, &rt);
		if (rec == NULL || rt != t) {
			objects_unlock(sb->store);
			if (!sfid_valid(id))
				sferr_set(&e, 404, "NOT_FOUND", "Provided external ID field does not "
					  "exist or is not accessible: %s", id);
			else
				sferr_set(&e, 404, "NOT_FOUND", "The requested resource does not exist");
			answer_sferr(r, &e);
			return;
		}
		if (objects_rec_deleted(rec)) {
			objects_unlock(sb->store);
			sferr_set(&e, 404, "ENTITY_IS_DELETED", "entity is deleted");
			answer_sferr(r, &e);
			return;
		}
		if (field != NULL) {
			const struct objects_field *f = objects_field_find(t, field);
			json_t *blob = objects_blob(sb->store, id);

			if (f == NULL || f->type != OF_BASE64 || blob == NULL) {
				objects_unlock(sb->store);
				not_found(r);
				return;
			}
			answer_bytes(r, 200, "application/octetstream", json_string_value(blob),
				    json_string_length(blob));
			objects_unlock(sb->store);
			return;
		}
		/* If-Modified-Since: 304 and no body when the record is unchanged since;
		 * an unreadable date is ignored, as HTTP says. */
		if (sandbox__bare_records(sb)) {
			const char *fields = answer_arg(q, "fields");

			if (fields != NULL && strstr(fields, "LastModifiedDate") != NULL) {
				objects_unlock(sb->store);
				sferr_set(&e, 400, "INVALID_FIELD", "No such column "
					  "'LastModifiedDate' on entity '%s'", t->name);
				answer_sferr(r, &e);
				return;
			}
		} else if (header_date(q, "If-Modified-Since", &since) == 1 &&
			   modified_s(t, rec) <= since) {
			objects_unlock(sb->store);
			answer_text(r, 304, "application/json;charset=UTF-8", "");
			return;
		}
		record_answer(t, rec, version, answer_arg(q, "fields"), r);
		objects_unlock(sb->store);
		return;
	}
	if (field != NULL) {
		method_not_allowed(r, q->method, "GET,HEAD");
		return;
	}
	if (is(q, "PATCH")) {
		record_patch(sb, q, t, id, r);
		return;
	}
	if (is(q, "DELETE")) {
		objects_wrlock(sb->store);
		if (objects_delete(sb->store, t, id, sandbox__now(), 0, &e) < 0) {
			objects_unlock(sb->store);
			answer_sferr(r, &e);
			return;
		}
		objects_unlock(sb->store);
		answer_text(r, 204, "application/json;charset=UTF-8", "");
		r->drop = sandbox__drop_write(sb);
		return;
	}
	method_not_allowed(r, q->method, "GET,PATCH,DELETE,HEAD");
}

/* ---- composite/sobjects ---- */

static json_t *composite_error(const struct sferr *e, const char *id)
{
	json_t *o = json_pack("{s:b, s:[o]}", "success", 0, "errors", sferr_composite(e));

	if (id != NULL)
		json_object_set_new(o, "id", json_string(id));
	return o;
}

/* Applies (or, with OBJECTS_CHECK_ONLY, checks) one composite record; returns its result
 * entry. Called with the store's write lock held. */
static json_t *composite_one(struct sandbox *sb, const char *method, json_t *item,
			     unsigned flags, int *ok)
{
	struct sferr e;
	const char *type = NULL, *id = NULL;
	const struct objects_type *t = NULL;
	char newid[19];

	*ok = 0;
	if (strcmp(method, "DELETE") == 0) {
		id = json_string_value(item);
		if (id == NULL || (t = objects_type_by_id(id)) == NULL) {
			sferr_set(&e, 400, "MALFORMED_ID", "malformed id %s", id ? id : "");
			return composite_error(&e, id);
		}
		if (flags & OBJECTS_CHECK_ONLY) {
			const struct objects_type *rt = NULL;
			const struct objects_rec *rec = objects_get(sb->store, id, &rt);

			if (rec == NULL || objects_rec_deleted(rec)) {
				sferr_set(&e, 404, "ENTITY_IS_DELETED", "entity is deleted");
				return composite_error(&e, id);
			}
		} else if (objects_delete(sb->store, t, id, sandbox__now(), 0, &e) < 0) {
			return composite_error(&e, id);
		}
		*ok = 1;
		return json_pack("{s:s, s:b, s:[]}", "id", id, "success", 1, "errors");
	}
	type = json_string_value(json_object_get(json_object_get(item, "attributes"), "type"));
	if (type == NULL || (t = objects_type_find(type)) == NULL) {
		sferr_set(&e, 400, "INVALID_TYPE", "sObject type '%s' is not supported.",
			  type ? type : "");
		return composite_error(&e, NULL);
	}
	if (strcmp(method, "POST") == 0) {
		if (json_object_get(item, "Id") || json_object_get(item, "id")) {
			sferr_set(&e, 400, "INVALID_FIELD",
				  "Can't specify Id field for insert in this request.");
			return composite_error(&e, NULL);
		}
		if (objects_create(sb->store, t, item, NULL, 0, sandbox__now(), flags, newid,
				   &e) < 0)
			return composite_error(&e, NULL);
		*ok = 1;
		return json_pack("{s:s?, s:b, s:[]}", "id",
				 (flags & OBJECTS_CHECK_ONLY) ? NULL : newid, "success", 1,
				 "errors");
	}
	id = json_string_value(json_object_get(item, "id"));
	if (id == NULL)
		id = json_string_value(json_object_get(item, "Id"));
	if (id == NULL) {
		sferr_set(&e, 400, "MISSING_ARGUMENT", "Id not specified in an update call");
		return composite_error(&e, NULL);
	}
	{
		json_t *copy = json_copy(item);
		char idc[64];
		int rc;

		snprintf(idc, sizeof(idc), "%s", id);
		json_object_del(copy, "id");
		json_object_del(copy, "Id");
		rc = objects_update(sb->store, t, idc, copy, sandbox__now(), flags, &e);
		json_decref(copy);
		if (rc < 0)
			return composite_error(&e, idc);
		*ok = 1;
		return json_pack("{s:s, s:b, s:[]}", "id", idc, "success", 1, "errors");
	}
}

static void composite(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	struct sferr e;
	json_t *in = NULL, *items, *results = json_array();
	int all_or_none, failed = 0;
	size_t n;

	if (is(q, "DELETE")) {
		const char *ids = answer_arg(q, "ids"), *aon = answer_arg(q, "allOrNone");

		items = split_list(ids);
		all_or_none = aon && strcasecmp(aon, "true") == 0;
	} else if (is(q, "POST") || is(q, "PATCH")) {
		if ((in = parse_body(q, &e)) == NULL) {
			json_decref(results);
			answer_sferr(r, &e);
			return;
		}
		items = json_incref(json_object_get(in, "records"));
		all_or_none = json_is_true(json_object_get(in, "allOrNone"));
		if (!json_is_array(items)) {
			json_decref(items);
			json_decref(in);
			json_decref(results);
			sferr_set(&e, 400, "JSON_PARSER_ERROR", "The records field is required.");
			answer_sferr(r, &e);
			return;
		}
	} else {
		json_decref(results);
		method_not_allowed(r, q->method, "POST,PATCH,DELETE");
		return;
	}
	n = json_array_size(items);
	if (n > COMPOSITE_MAX) {
		json_decref(items);
		json_decref(in);
		json_decref(results);
		sferr_set(&e, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
			  "than %d records into this call", COMPOSITE_MAX);
		answer_sferr(r, &e);
		return;
	}
	objects_wrlock(sb->store);
	if (all_or_none) {
		/* Check everything first: with one failure nothing is written. */
		for (size_t i = 0; i < n; i++) {
			int ok;

			json_array_append_new(results, composite_one(sb, q->method,
					      json_array_get(items, i), OBJECTS_CHECK_ONLY, &ok));
			failed += !ok;
		}
		if (failed) {
			for (size_t i = 0; i < n; i++) {
				json_t *res = json_array_get(results, i);

				if (json_is_true(json_object_get(res, "success"))) {
					sferr_set(&e, 400, "ALL_OR_NONE_OPERATION_ROLLED_BACK",
						  "Record rolled back because not all records were "
						  "valid and the request was using AllOrNone header");
					json_array_set_new(results, i, composite_error(&e,
						json_string_value(json_object_get(res, "id"))));
				}
			}
		} else {
			json_array_clear(results);
		}
	}
	if (!failed)
		for (size_t i = 0; i < n; i++) {
			int ok;

			json_array_append_new(results, composite_one(sb, q->method,
					      json_array_get(items, i), 0, &ok));
		}
	objects_unlock(sb->store);
	json_decref(items);
	json_decref(in);
	answer_json(r, 200, results);
	if (!failed)
		r->drop = sandbox__drop_write(sb);
}

/*
 * GET composite/sobjects/OBJ?ids=&fields= or POST {"ids":[…],"fields":[…]}: the records
 * in the order asked, each with the fields named; null for an id that is malformed,
 * another object's, not there or in the recycle bin (Salesforce's "no access"). Both
 * lists are required; an unknown field fails the whole request.
 */
static void composite_retrieve(struct sandbox *sb, const struct answer_req *q,
			       const struct objects_type *t, const char *version,
			       struct reply *r)
{
	unsigned char want[OBJECTS_MAX_FIELDS];
	struct sferr e;
	json_t *in = NULL, *ids, *fields, *out = NULL;
	size_t i;

	if (is(q, "GET")) {
		ids = answer_arg(q, "ids") ? split_list(answer_arg(q, "ids")) : NULL;
		fields = answer_arg(q, "fields") ? split_list(answer_arg(q, "fields")) : NULL;
	} else if ((in = parse_body(q, &e)) == NULL) {
		answer_sferr(r, &e);
		return;
	} else {
		ids = json_incref(json_object_get(in, "ids"));
		fields = json_incref(json_object_get(in, "fields"));
	}
	if (!json_is_array(ids) || json_array_size(ids) == 0 || !json_is_array(fields) ||
	    json_array_size(fields) == 0) {
		sferr_set(&e, 400, "MISSING_ARGUMENT", "The %s parameter is required.",
			  json_array_size(ids) == 0 ? "ids" : "fields");
		goto fail;
	}
	if (json_array_size(ids) > COMPOSITE_RETRIEVE_MAX) {
		sferr_set(&e, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot retrieve "
			  "more than %d records in this call", COMPOSITE_RETRIEVE_MAX);
		goto fail;
	}
	if (fields_wanted(t, fields, want, &e) < 0)
		goto fail;
	out = json_array();
	objects_rdlock(sb->store);
	for (i = 0; i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		const struct objects_type *rt = NULL;
		const struct objects_rec *rec = id ? objects_get(sb->store, id, &rt) : NULL;

		if (rec == NULL || rt != t || objects_rec_deleted(rec))
			json_array_append_new(out, json_null());
		else
			json_array_append_new(out, record_out(t, rec, version, want));
	}
	objects_unlock(sb->store);
	answer_json(r, 200, out);
	json_decref(ids);
	json_decref(fields);
	json_decref(in);
	return;

fail:
	json_decref(ids);
	json_decref(fields);
	json_decref(in);
	answer_sferr(r, &e);
}

/* ---- Replication: sobjects/OBJ/updated and sobjects/OBJ/deleted ---- */

/*
 * GET sobjects/OBJ/updated/?start=&end= lists the Ids of live records whose
 * SystemModstamp lies in [start, end); .../deleted/ lists the recycle bin's records
 * deleted then, with their deletedDate. As Salesforce does, both cut start and end to
 * the minute, want end at least a minute after start and start no more than 30 days
 * before today, and report latestDateCovered (end, or now when end is later).
 */
static void replication(struct sandbox *sb, const struct answer_req *q,
			const struct objects_type *t, int deleted, struct reply *r)
{
	const char *start_s = answer_arg(q, "start"), *end_s = answer_arg(q, "end");
	const struct objects_field *ms_field = objects_field_find(t, "SystemModstamp");
	size_t ms_idx = objects_field_index(t, ms_field);
	int64_t start, end, now = sandbox__now(), earliest, ms;
	char dt[OBJECTS_DT_LEN];
	struct sferr e;
	json_t *list, *body;
	size_t n;

	if (start_s == NULL || end_s == NULL) {
		sferr_set(&e, 400, "MISSING_ARGUMENT", "The start and end parameters are required.");
		goto fail;
	}
	if (isotime_parse_ms(start_s, &start) < 0 || isotime_parse_ms(end_s, &end) < 0) {
		sferr_set(&e, 400, "INVALID_REPLICATION_DATE", "The start and end parameters must "
			  "be datetimes such as 2026-11-01T00:00:00+00:00.");
		goto fail;
	}
	start -= start % MINUTE_MS;
	end -= end % MINUTE_MS;
	earliest = now - now % (24 * 60 * MINUTE_MS) - REPLICATION_DAYS * 24 * 60 * MINUTE_MS;
	if (end - start < MINUTE_MS) {
		sferr_set(&e, 400, "INVALID_REPLICATION_DATE",
			  "startDate must be at least one minute greater than endDate");
		goto fail;
	}
	if (start < earliest) {
		sferr_set(&e, 400, "INVALID_REPLICATION_DATE",
			  "startDate cannot be more than %d days ago", REPLICATION_DAYS);
		goto fail;
	}
	if (end > now - now % MINUTE_MS)
		end = now - now % MINUTE_MS;
	list = json_array();
	objects_rdlock(sb->store);
	n = objects_count(sb->store, t);
	for (size_t i = 0; i < n; i++) {
		const struct objects_rec *rec = objects_at(sb->store, t, i);

		if (rec == NULL || !objects_rec_deleted(rec) != !deleted ||
		    objects_rec_time(rec, ms_idx, &ms) < 0 || ms < start || ms >= end)
			continue;
		if (deleted)
			json_array_append_new(list, json_pack("{s:s, s:s}", "id",
				objects_rec_id(rec), "deletedDate", objects_format_dt(dt, ms)));
		else
			json_array_append_new(list, json_string(objects_rec_id(rec)));
	}
	objects_unlock(sb->store);
	body = json_pack("{s:o, s:s}", deleted ? "deletedRecords" : "ids", list,
			 "latestDateCovered", objects_format_dt(dt, end));
	if (deleted)
		json_object_set_new(body, "earliestDateAvailable",
				    json_string(objects_format_dt(dt, earliest)));
	answer_json(r, 200, body);
	return;

fail:
	answer_sferr(r, &e);
}

/* ---- Limits and resources ---- */

static void limits(struct sandbox *sb, struct reply *r)
{
	long max, used;

	pthread_mutex_lock(&sb->mu);
	max = sb->k.api_quota > 0 ? sb->k.api_quota : 5000000;
	used = sb->api_calls;
	pthread_mutex_unlock(&sb->mu);
	answer_json(r, 200, json_pack(
		"{s:{s:I, s:I}, s:{s:i, s:i}, s:{s:i, s:i}, s:{s:i, s:i}, s:{s:i, s:i}}",
		"DailyApiRequests", "Max", (json_int_t)max, "Remaining",
		(json_int_t)(max - used > 0 ? max - used : 0),
		"DailyBulkApiBatches", "Max", 15000, "Remaining", 15000,
		"DataStorageMB", "Max", 1024, "Remaining", 1000,
		"FileStorageMB", "Max", 10240, "Remaining", 10000,
		"SingleEmail", "Max", 5000, "Remaining", 5000));
}

static void resources(struct sandbox *sb, const char *version, struct reply *r)
{
	char base[40];

	snprintf(base, sizeof(base), "/services/data/v%s", version);
	answer_json(r, 200, json_pack("{s:s+, s:s+, s:s+, s:s+, s:s+, s:s+, s:s++++}",
		"sobjects", base, "/sobjects", "query", base, "/query", "queryAll", base,
		"/queryAll", "limits", base, "/limits", "composite", base, "/composite",
		"tooling", base, "/tooling", "identity", sb->url, "/id/", sb->org_id, "/",
		sb->user_id));
}

void rest_route(struct sandbox *sb, const struct answer_req *q, const char *version,
		const char *rest, struct reply *r)
{
	char seg[4][128];
	int n = 0;
	const char *p = rest;
	const struct objects_type *t;

	memset(seg, 0, sizeof(seg));
	while (*p == '/')
		p++;
	while (*p && n < 4) {
		size_t len = strcspn(p, "/");

		if (len >= sizeof(seg[0])) {
			not_found(r);
			return;
		}
		memcpy(seg[n++], p, len);
		p += len;
		while (*p == '/')
			p++;
	}
	if (*p) {
		not_found(r);
		return;
	}
	if (n == 0) {
		resources(sb, version, r);
	} else if (strcmp(seg[0], "query") == 0 || strcmp(seg[0], "queryAll") == 0) {
		if (!is(q, "GET"))
			method_not_allowed(r, q->method, "GET,HEAD");
		else if (n == 1)
			query(sb, q, version, seg[0][5] == 'A', r);
		else if (n == 2)
			cursor_page(sb, version, seg[1], r);
		else
			not_found(r);
	} else if (strcmp(seg[0], "limits") == 0 && n == 1) {
		limits(sb, r);
	} else if (strcmp(seg[0], "composite") == 0 && n == 2 && strcmp(seg[1], "sobjects") == 0) {
		composite(sb, q, r);
	} else if (strcmp(seg[0], "composite") == 0 && n == 3 && strcmp(seg[1], "sobjects") == 0) {
		if ((t = objects_type_find(seg[2])) == NULL)
			not_found(r);
		else if (is(q, "GET") || is(q, "POST"))
			composite_retrieve(sb, q, t, version, r);
		else
			method_not_allowed(r, q->method, "GET,POST,HEAD");
	} else if (strcmp(seg[0], "sobjects") == 0) {
		if (n == 1) {
			global_describe(version, r);
			return;
		}
		t = objects_type_find(seg[1]);
		if (t == NULL) {
			not_found(r);
		} else if (n == 2) {
			if (is(q, "POST"))
				create(sb, q, t, r);
			else if (is(q, "GET"))
				answer_json(r, 200, json_pack("{s:o, s:[]}", "objectDescribe",
							     describe_basic(t, version),
							     "recentItems"));
			else
				method_not_allowed(r, q->method, "GET,POST,HEAD");
		} else if (n == 3 && (strcmp(seg[2], "updated") == 0 ||
				      strcmp(seg[2], "deleted") == 0)) {
			if (is(q, "GET"))
				replication(sb, q, t, seg[2][0] == 'd', r);
			else
				method_not_allowed(r, q->method, "GET,HEAD");
		} else if (n == 3 && strcmp(seg[2], "describe") == 0) {
			if (is(q, "GET"))
				answer_json(r, 200, describe(t, version,
							       sandbox__bare_records(sb)));
			else
				method_not_allowed(r, q->method, "GET,HEAD");
		} else {
			record(sb, q, t, seg[2], n == 4 ? seg[3] : NULL, version, r);
		}
	} else {
		not_found(r);
	}
}

/* objects_check: validation of writes: REST values into stored ones, Salesforce's errors. */
#include "sandbox/objects_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sfid.h"
#include "util/isotime.h"

int objects__is_system_field(const char *name)
{
	return strcmp(name, "SystemModstamp") == 0 || strcmp(name, "CreatedDate") == 0 ||
	       strcmp(name, "LastModifiedDate") == 0 || strcmp(name, "IsDeleted") == 0;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') || strchr(at, '.') == NULL)
		return 0;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
			return 0;
	return at[strlen(at) - 1] != '.';
}

/* Counts UTF-8 characters, as Salesforce's length limits do. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int bad_value(struct sferr *e, const struct objects_field *f, const char *what)
{
	sferr_set(e, 400, "JSON_PARSER_ERROR",
		  "Cannot deserialize instance of %s from %s value or request may be missing a "
		  "required field", what, f->name);
	return -1;
}

static int restricted_error(struct sferr *e, const struct objects_field *f, const char *v)
{
	sferr_set(e, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
		  "%s: bad value for restricted picklist field: %s", f->label, v);
	return sferr_field(e, f->name);
}

static int check_picklist(const struct objects_field *f, const char *v, unsigned flags,
			  struct sferr *e)
{
	int i;

	if (!(f->flags & OF_RESTRICTED))
		return 0;
	i = objects_pick_index(f, v);
	/* Old records keep retired values; only the seed and the control endpoint may
	 * still write them. */
	if (i < 0 || (!f->picks[i].active && !(flags & OBJECTS_SYSTEM)))
		return restricted_error(e, f, v);
	return 0;
}

static int check_multipicklist(const struct objects_field *f, const char *v, struct sferr *e)
{
	char *copy = strdup(v), *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		if (objects_pick_index(f, tok) < 0 && (f->flags & OF_RESTRICTED)) {
			rc = restricted_error(e, f, tok);
			break;
		}
	free(copy);
	return rc;
}

/* Converts a REST value for field f into its stored form; returns a new reference, or
 * NULL with e set. */
static json_t *convert_value(const struct objects *s, const struct objects_field *f,
			     json_t *v, unsigned flags, struct sferr *e)
{
	const char *str = json_string_value(v);
	int64_t ms;
	char dt[OBJECTS_DT_LEN];
	const struct objects_type *rt;

	if (json_is_null(v)) {
		if (!(f->flags & OF_NULLOK) && f->type != OF_BOOLEAN) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [%s]", f->name);
			sferr_field(e, f->name);
			return NULL;
		}
		return json_null();
	}
	switch (f->type) {
	case OF_STRING: case OF_TEXTAREA: case OF_PHONE: case OF_EMAIL: case OF_PICKLIST:
	case OF_MULTIPICKLIST:
		if (json_is_number(v) || json_is_boolean(v)) {
			/* Salesforce turns JSON scalars into their text. */
			char *txt = json_dumps(v, JSON_ENCODE_ANY);
			json_t *out = json_string(txt);

			free(txt);
			return out;
		}
		if (str == NULL) {
			bad_value(e, f, "String");
			return NULL;
		}
		if (f->length && utf8_len(str) > (size_t)f->length) {
			sferr_set(e, 400, "STRING_TOO_LONG",
				  "%s: data value too large: %.40s... (max length=%d)", f->label,
				  str, f->length);
			sferr_field(e, f->name);
			return NULL;
		}
		if (*str == '\0')	/* Salesforce stores empty text as null */
			return json_null();
		if (f->type == OF_EMAIL && !email_ok(str)) {
			sferr_set(e, 400, "INVALID_EMAIL_ADDRESS", "%s: invalid email address: %s",
				  f->label, str);
			sferr_field(e, f->name);
			return NULL;
		}
		if (f->type == OF_PICKLIST && check_picklist(f, str, flags, e) < 0)
			return NULL;
		if (f->type == OF_MULTIPICKLIST && check_multipicklist(f, str, e) < 0)
			return NULL;
		return json_string(str);
	case OF_DATETIME:
		if (str == NULL || isotime_parse_ms(str, &ms) < 0) {
			bad_value(e, f, "DateTime");
			return NULL;
		}
		return json_string(objects_format_dt(dt, ms));
	case OF_DATE:
		if (str == NULL || strlen(str) < 10 || isotime_parse_date_ms(str, &ms) < 0) {
			bad_value(e, f, "Date");
			return NULL;
		}
		return json_stringn(str, 10);
	case OF_BOOLEAN:
		if (!json_is_boolean(v)) {
			bad_value(e, f, "Boolean");
			return NULL;
		}
		return json_incref(v);
	case OF_DOUBLE: case OF_INT:
		if (str != NULL) {
			char *end;
			double d = strtod(str, &end);

			if (*str && *end == '\0')
				return f->type == OF_INT ? json_integer((json_int_t)d) : json_real(d);
		}
		if (!json_is_number(v)) {
			bad_value(e, f, f->type == OF_INT ? "int" : "double");
			return NULL;
		}
		if (f->type == OF_INT)
			return json_integer((json_int_t)json_number_value(v));
		return json_real(json_number_value(v));
	case OF_REFERENCE:
		if (str == NULL || !sfid_valid(str)) {
			sferr_set(e, 400, "MALFORMED_ID", "%s: id value of incorrect type: %s",
				  f->label, str ? str : "");
			sferr_field(e, f->name);
			return NULL;
		}
		rt = objects_type_by_id(str);
		if (f->reference_to && (rt == NULL || strcmp(rt->name, f->reference_to) != 0)) {
			sferr_set(e, 400, "FIELD_INTEGRITY_EXCEPTION",
				  "%s: id value of incorrect type: %s", f->label, str);
			sferr_field(e, f->name);
			return NULL;
		}
		if (objects_get(s, str, NULL) == NULL) {
			sferr_set(e, 400, "INVALID_CROSS_REFERENCE_KEY",
				  "invalid cross reference id");
			sferr_field(e, f->name);
			return NULL;
		}
		{
			char id18[19];
			char ck[4];

			snprintf(id18, sizeof(id18), "%.15s", str);
			sfid_checksum(id18, ck);
			strcat(id18, ck);
			return json_string(id18);
		}
	case OF_BASE64:
		if (str == NULL) {
			bad_value(e, f, "base64");
			return NULL;
		}
		return json_incref(v);
	case OF_ID: case OF__MAX:
		break;
	}
	sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: %s.",
		  f->name);
	sferr_field(e, f->name);
	return NULL;
}

/*
 * Builds the changes of a write into *out (canonical field -> stored value) after
 * checking each member of in. creating selects the createable rather than the
 * updateable flag. Returns 0 or -1.
 */
int objects__collect_changes(const struct objects *s, const struct objects_type *t, json_t *in,
			     int creating, unsigned flags, json_t **out, struct sferr *e)
{
	const char *key;
	json_t *v;
	json_t *changes;

	if (!json_is_object(in))
		return sferr_set(e, 400, "JSON_PARSER_ERROR",
				 "Cannot deserialize instance of %s from a non-object value.",
				 t->name);
	changes = json_object();
	json_object_foreach(in, key, v) {
		const struct objects_field *f;
		json_t *cv;

		if (strcmp(key, "attributes") == 0)
			continue;
		f = objects_field_find(t, key);
		if (f == NULL) {
			sferr_set(e, 400, "INVALID_FIELD", "No such column '%s' on sobject of type %s",
				  key, t->name);
			goto fail;
		}
		if ((flags & OBJECTS_SYSTEM) && objects__is_system_field(f->name)) {
			int64_t ms;

			if (f->type == OF_BOOLEAN && json_is_boolean(v)) {
				json_object_set(changes, f->name, v);
				continue;
			}
			if (f->type == OF_DATETIME && json_is_string(v) &&
			    isotime_parse_ms(json_string_value(v), &ms) == 0) {
				char dt[OBJECTS_DT_LEN];

				json_object_set_new(changes, f->name,
						    json_string(objects_format_dt(dt, ms)));
				continue;
			}
		}
		if (!(f->flags & (creating ? OF_CREATE : OF_UPDATE))) {
			sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
				  "Unable to create/update fields: %s. Please check the security "
				  "settings of this field and verify that it is read/write for your "
				  "profile or permission set.", f->name);
			sferr_field(e, f->name);
			goto fail;
		}
		cv = convert_value(s, f, v, flags, e);
		if (cv == NULL)
			goto fail;
		json_object_set_new(changes, f->name, cv);
	}
	*out = changes;
	return 0;

fail:
	json_decref(changes);
	return -1;
}

/* Checks each dependent picklist of merged (the record as it would be) whose value or
 * controller changed. */
int objects__check_dependents(const struct objects_type *t, json_t *merged, json_t *changes,
			      struct sferr *e)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		const char *v, *cv;
		int k;

		if (f->controller == NULL)
			continue;
		if (!json_object_get(changes, f->name) && !json_object_get(changes, f->controller))
			continue;
		v = json_string_value(json_object_get(merged, f->name));
		if (v == NULL)
			continue;
		cv = json_string_value(json_object_get(merged, f->controller));
		k = objects_pick_index(f, v);
		if (k < 0 || cv == NULL || !objects__pick_valid_for(&f->picks[k], cv))
			return restricted_error(e, f, v);
	}
	return 0;
}

int objects__check_required(const struct objects_type *t, json_t *rec, struct sferr *e)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];

		if ((f->flags & (OF_NULLOK | OF_DEFAULTED)) || f->type == OF_BOOLEAN ||
		    !(f->flags & OF_CREATE))
			continue;
		if (json_is_null(json_object_get(rec, f->name))) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [%s]", f->name);
			return sferr_field(e, f->name);
		}
	}
	return 0;
}

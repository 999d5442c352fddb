/* objects_write: creating, inserting, updating and deleting records as new stored versions. */
#include "sandbox/objects_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sandbox/sfid.h"

/* A record being assembled: its slots, with text still borrowed from the caller. */
struct draft {
	const struct objects_type *t;
	uint64_t nulls;
	union slot v[MAX_FIELDS];
	const char *text[MAX_FIELDS];
};

static void draft_null(struct draft *d, size_t i)
{
	d->nulls |= 1ULL << i;
	d->text[i] = NULL;
}

static void draft_text(struct draft *d, size_t i, const char *s, size_t len)
{
	if (s == NULL || len == 0) {
		draft_null(d, i);
		return;
	}
	d->nulls &= ~(1ULL << i);
	d->text[i] = s;
	d->v[i].s.len = (uint32_t)len;
}

static void draft_int(struct draft *d, size_t i, int64_t v)
{
	d->nulls &= ~(1ULL << i);
	d->v[i].i = v;
}

/* The draft as a record at position pos, in tb's arena or (tb NULL) an allocation of
 * its own; NULL when out of memory. */
static struct objects_rec *draft_build(const struct draft *d, uint32_t pos, struct table *tb)
{
	size_t n = d->t->nfields, text = 0, off = 0;
	struct objects_rec *r;
	char *area;

	for (size_t i = 0; i < n; i++)
		if (d->text[i] != NULL)
			text += d->v[i].s.len + 1;
	r = tb ? objects__arena_alloc(tb, sizeof(*r) + n * sizeof(r->v[0]) + text) :
	    malloc(sizeof(*r) + n * sizeof(r->v[0]) + text);
	if (r == NULL)
		return NULL;
	r->pos = pos;
	r->heap = tb == NULL;
	r->type = d->t;
	r->nulls = d->nulls;
	area = (char *)&r->v[n];
	for (size_t i = 0; i < n; i++) {
		r->v[i] = d->v[i];
		if (d->text[i] != NULL) {
			memcpy(area + off, d->text[i], d->v[i].s.len);
			area[off + d->v[i].s.len] = '\0';
			r->v[i].s.off = (uint32_t)off;
			off += d->v[i].s.len + 1;
		}
	}
	return r;
}

/* Fills d from rec, a JSON record holding stored values (see convert_value). */
static void draft_from_json(struct draft *d, const struct objects_type *t, json_t *rec)
{
	memset(d, 0, sizeof(*d));
	d->t = t;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		json_t *v = json_object_get(rec, f->name);
		int64_t ms;

		if (v == NULL || json_is_null(v)) {
			draft_null(d, i);
			continue;
		}
		switch (kind_of(f->type)) {
		case K_TEXT:
			draft_text(d, i, json_string_value(v), json_string_length(v));
			break;
		case K_TIME:
			if (objects_parse_time(v, &ms) < 0)
				draft_null(d, i);
			else
				draft_int(d, i, ms);
			break;
		case K_INT:
			draft_int(d, i, json_is_boolean(v) ? json_is_true(v) :
				  (int64_t)json_number_value(v));
			break;
		case K_REAL:
			d->nulls &= ~(1ULL << i);
			d->v[i].d = json_number_value(v);
			break;
		}
	}
}

static void set_stamps(json_t *rec, json_t *changes, int creating, int64_t now_ms)
{
	char dt[OBJECTS_DT_LEN];
	json_t *v = json_string(objects_format_dt(dt, now_ms));

	if (creating && !json_object_get(changes, "CreatedDate"))
		json_object_set(rec, "CreatedDate", v);
	if (!json_object_get(changes, "LastModifiedDate"))
		json_object_set(rec, "LastModifiedDate", v);
	if (!json_object_get(changes, "SystemModstamp"))
		json_object_set(rec, "SystemModstamp", v);
	json_decref(v);
}

/* Decodes the base64 VersionData of a JSON write; new reference or NULL. */
static json_t *decode_b64(const char *text)
{
	size_t n = strlen(text), len = 0;
	unsigned char *bin = malloc(n / 4 * 3 + 3);
	json_t *out = NULL;

	if (bin == NULL)
		return NULL;
	if (sodium_base642bin(bin, n / 4 * 3 + 3, text, n, " \r\n\t", &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0)
		out = json_stringn_nocheck((const char *)bin, len);
	free(bin);
	return out;
}

static void fill_content_version(struct objects *s, json_t *rec, const char *id, json_t *blob)
{
	const char *path = json_string_value(json_object_get(rec, "PathOnClient"));
	const char *dot = path ? strrchr(path, '.') : NULL;
	char doc[19], k[16], ft[21];

	sfid_make(doc, "069", ++s->doc_serial);
	json_object_set_new(rec, "ContentDocumentId", json_string(doc));
	json_object_set_new(rec, "ContentSize", json_integer((json_int_t)json_string_length(blob)));
	if (dot && dot[1] && strlen(dot + 1) < sizeof(ft)) {
		size_t i;

		json_object_set_new(rec, "FileExtension", json_string(dot + 1));
		for (i = 0; dot[1 + i]; i++)
			ft[i] = (char)toupper((unsigned char)dot[1 + i]);
		ft[i] = '\0';
		json_object_set_new(rec, "FileType", json_string(ft));
	} else {
		json_object_set_new(rec, "FileType", json_string("UNKNOWN"));
	}
	if (json_is_null(json_object_get(rec, "Title")) && path) {
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		json_object_set_new(rec, "Title", json_stringn(base, dot && dot > base ?
							      (size_t)(dot - base) : strlen(base)));
	}
	json_object_set_new(rec, "VersionNumber", json_string("1"));
	json_object_set_new(rec, "IsLatest", json_true());
	json_object_set_new(rec, "VersionData", json_true());
	snprintf(k, sizeof(k), "%.15s", id);
	json_object_set(s->blobs, k, blob);
}

/* Stores rec (a JSON record of t holding every field) as a new version at pos, or, when
 * pos is the table's size, as a new record. 0, or -1 when out of memory. */
static int store_json(struct objects *s, const struct objects_type *t, json_t *rec, size_t pos)
{
	struct draft d;
	struct objects_rec *r;

	draft_from_json(&d, t, rec);
	if (pos < s->tables[t->index].n) {
		r = draft_build(&d, (uint32_t)pos, NULL);
		if (r == NULL)
			return -1;
		objects__store_replace(s, r);
		return 0;
	}
	r = draft_build(&d, (uint32_t)pos, &s->tables[t->index]);
	if (r == NULL || objects__store_add(s, r) < 0)
		return -1;	/* what the arena gave stays there */
	return 0;
}

/* The field defaults of a new record of t: false, or true for defaulted booleans,
 * except IsDeleted; a picklist's default value; otherwise null. */
static json_t *default_value(const struct objects_field *f)
{
	if (f->type == OF_BOOLEAN)
		return strcmp(f->name, "IsDeleted") == 0 ? json_false() :
		       (f->flags & OF_DEFAULTED) ? json_true() : json_false();
	if (f->picks && f->type == OF_PICKLIST)
		for (int p = 0; f->picks[p].value; p++)
			if (f->picks[p].default_value)
				return json_string(f->picks[p].value);
	return json_null();
}

int objects_create(struct objects *s, const struct objects_type *t, json_t *in,
		   const void *blob, size_t blob_len, int64_t now_ms, unsigned flags,
		   char id_out[19], struct sferr *e)
{
	size_t pos = s->tables[t->index].n;
	json_t *changes = NULL, *rec = NULL, *data = NULL;
	const char *key;
	json_t *v;

	if (objects__collect_changes(s, t, in, 1, flags, &changes, e) < 0)
		return -1;
	rec = json_object();
	for (size_t i = 0; i < t->nfields; i++)
		json_object_set_new(rec, t->fields[i].name, default_value(&t->fields[i]));
	json_object_foreach(changes, key, v)
		json_object_set(rec, key, v);
	if (objects__check_required(t, rec, e) < 0 ||
	    objects__check_dependents(t, rec, changes, e) < 0)
		goto fail;
	if (t == &objects__type_cv) {
		json_t *b64 = json_object_get(changes, "VersionData");

		if (blob != NULL)
			data = json_stringn_nocheck(blob, blob_len);
		else if (json_is_string(b64))
			data = decode_b64(json_string_value(b64));
		if (data == NULL) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [VersionData]");
			sferr_field(e, "VersionData");
			goto fail;
		}
		if (json_is_null(json_object_get(rec, "PathOnClient"))) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [PathOnClient]");
			sferr_field(e, "PathOnClient");
			goto fail;
		}
	}
	if (flags & OBJECTS_CHECK_ONLY) {
		json_decref(data);
		json_decref(changes);
		json_decref(rec);
		return 0;
	}
	/* The serial is the position + 1: objects_get finds records by it. */
	sfid_make(id_out, t->key_prefix, pos + 1);
	json_object_set_new(rec, "Id", json_string(id_out));
	if (t->autonumber && !json_object_get(changes, "Name")) {
		char name[40];

		snprintf(name, sizeof(name), "%s%07zu", t->autonumber, pos + 1);
		json_object_set_new(rec, "Name", json_string(name));
	}
	if (t == &objects__type_user && json_is_null(json_object_get(rec, "Name"))) {
		const char *fn = json_string_value(json_object_get(rec, "FirstName"));
		const char *ln = json_string_value(json_object_get(rec, "LastName"));
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", fn ? fn : "", fn ? " " : "", ln ? ln : "");
		json_object_set_new(rec, "Name", json_string(name));
	}
	set_stamps(rec, changes, 1, now_ms);
	if (data != NULL)
		fill_content_version(s, rec, id_out, data);
	if (store_json(s, t, rec, pos) < 0) {
		if (data != NULL) {
			char k[16];

			snprintf(k, sizeof(k), "%.15s", id_out);
			json_object_del(s->blobs, k);
		}
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	json_decref(data);
	json_decref(changes);
	json_decref(rec);
	return 0;

fail:
	json_decref(data);
	json_decref(changes);
	json_decref(rec);
	return -1;
}

/* prefix and serial in at least 7 digits ("SA-0000042"), into out; no snprintf, as
 * every seeded appointment and junction gets one. */
static char *autonumber(char out[40], const char *prefix, size_t serial)
{
	char digits[24];
	size_t n = 0, plen = strnlen(prefix, 16), k = 0;

	do {
		digits[n++] = (char)('0' + serial % 10);
		serial /= 10;
	} while (serial != 0);
	while (n < 7)
		digits[n++] = '0';
	memcpy(out, prefix, plen);
	while (n > 0)
		out[plen + k++] = digits[--n];
	out[plen + k] = '\0';
	return out;
}

int objects_insert(struct objects *s, const struct objects_type *t,
		   const struct objects_val *vals, int64_t now_ms, char id_out[19])
{
	size_t pos = s->tables[t->index].n;
	char name[40];
	struct draft d;
	struct objects_rec *r;

	memset(&d, 0, sizeof(d));
	d.t = t;
	sfid_make(id_out, t->key_prefix, pos + 1);
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		const struct objects_val *v = &vals[i];

		if (i == 0) {
			draft_text(&d, i, id_out, SFID_LEN);
		} else if (!v->set) {
			if (t->autonumber && f->flags & OF_NAME) {
				autonumber(name, t->autonumber, pos + 1);
				draft_text(&d, i, name, strlen(name));
			} else if (f->type == OF_DATETIME && objects__is_system_field(f->name)) {
				draft_int(&d, i, now_ms);
			} else if (f->type == OF_BOOLEAN) {
				draft_int(&d, i, strcmp(f->name, "IsDeleted") != 0 &&
						 (f->flags & OF_DEFAULTED));
			} else {
				const char *def = NULL;

				for (int p = 0; f->type == OF_PICKLIST && f->picks[p].value; p++)
					if (f->picks[p].default_value)
						def = f->picks[p].value;
				draft_text(&d, i, def, def ? strlen(def) : 0);
			}
		} else if (v->null) {
			draft_null(&d, i);
		} else {
			switch (kind_of(f->type)) {
			case K_TEXT:
				draft_text(&d, i, v->s, v->s ? strlen(v->s) : 0);
				break;
			case K_TIME:
				draft_int(&d, i, v->ms);
				break;
			case K_INT:
				draft_int(&d, i, f->type == OF_INT ? (int64_t)v->num : v->b != 0);
				break;
			case K_REAL:
				d.nulls &= ~(1ULL << i);
				d.v[i].d = v->num;
				break;
			}
		}
	}
	r = draft_build(&d, (uint32_t)pos, &s->tables[t->index]);
	if (r == NULL || objects__store_add(s, r) < 0)
		return -1;	/* what the arena gave stays there */
	return 0;
}

static const struct objects_rec *find_live(struct objects *s, const struct objects_type *t,
					   const char *id, struct sferr *e)
{
	const struct objects_type *rt = NULL;
	const struct objects_rec *rec = objects_get(s, id, &rt);

	if (rec == NULL || (t != NULL && rt != t)) {
		sferr_set(e, 404, "NOT_FOUND", "The requested resource does not exist");
		return NULL;
	}
	if (objects_rec_deleted(rec)) {
		sferr_set(e, 404, "ENTITY_IS_DELETED", "entity is deleted");
		return NULL;
	}
	return rec;
}

int objects_update(struct objects *s, const struct objects_type *t, const char *id,
		   json_t *in, int64_t now_ms, unsigned flags, struct sferr *e)
{
	const struct objects_rec *old = find_live(s, t, id, e);
	json_t *changes = NULL, *merged = NULL;
	const char *key;
	json_t *v;
	int rc = -1;

	if (old == NULL)
		return -1;
	if (json_is_object(in) && json_object_get(in, "Id")) {
		/* Salesforce ignores an Id in the body that matches the URL. */
		const char *bid = json_string_value(json_object_get(in, "Id"));

		if (bid == NULL || !sfid_eq(bid, id))
			return sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
					 "Unable to create/update fields: Id.");
		json_object_del(in, "Id");
	}
	if (objects__collect_changes(s, t, in, 0, flags, &changes, e) < 0)
		return -1;
	merged = objects_rec_json(old);
	if (merged == NULL) {
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto done;
	}
	json_object_foreach(changes, key, v)
		json_object_set(merged, key, v);
	if (objects__check_dependents(t, merged, changes, e) < 0)
		goto done;
	rc = 0;
	if (flags & OBJECTS_CHECK_ONLY)
		goto done;
	set_stamps(merged, changes, 0, now_ms);
	if (store_json(s, t, merged, old->pos) < 0)
		rc = sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");

done:
	json_decref(merged);
	json_decref(changes);
	return rc;
}

int objects_delete(struct objects *s, const struct objects_type *t, const char *id,
		   int64_t now_ms, int64_t modstamp_ms, struct sferr *e)
{
	const struct objects_rec *old = find_live(s, t, id, e);
	char dt[OBJECTS_DT_LEN];
	json_t *rec;
	int rc = 0;

	if (old == NULL)
		return -1;
	rec = objects_rec_json(old);
	if (rec == NULL)
		return sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	json_object_set_new(rec, "IsDeleted", json_true());
	json_object_set_new(rec, "LastModifiedDate", json_string(objects_format_dt(dt, now_ms)));
	json_object_set_new(rec, "SystemModstamp",
			    json_string(objects_format_dt(dt, modstamp_ms ? modstamp_ms : now_ms)));
	if (store_json(s, objects_rec_type(old), rec, old->pos) < 0)
		rc = sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	json_decref(rec);
	return rc;
}

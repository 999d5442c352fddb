/* objects: the sandbox org's schema (sObjects, fields, picklists, relationships) and its
 * in-memory record store. */
#ifndef I360_SANDBOX_OBJECTS_H
#define I360_SANDBOX_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox/sferr.h"

/* Field types, named as describe names them (objects_ftype_names). */
enum objects_ftype {
	OF_ID, OF_STRING, OF_PICKLIST, OF_MULTIPICKLIST, OF_EMAIL, OF_PHONE, OF_TEXTAREA,
	OF_DATETIME, OF_DATE, OF_BOOLEAN, OF_DOUBLE, OF_INT, OF_REFERENCE, OF_BASE64,
	OF__MAX
};
extern const char *const objects_ftype_names[OF__MAX];

/* Whether values of type t are text (compared case-insensitively, LIKE-able). */
int objects_ftype_is_text(enum objects_ftype t);

struct objects_field;

/* Whether SOQL can GROUP BY f (describe's "groupable"): as in Salesforce, not datetimes,
 * doubles, multi-select picklists, long text areas (over 255) or base64. */
int objects_field_groupable(const struct objects_field *f);

/* Whether SOQL can filter on f (describe's "filterable"): not long text areas or base64. */
int objects_field_filterable(const struct objects_field *f);

/* Whether SOQL can ORDER BY f (describe's "sortable"): not multi-select picklists, long
 * text areas or base64. */
int objects_field_sortable(const struct objects_field *f);

#define OBJECTS_MAX_VALID_FOR 4
#define OBJECTS_MAX_FIELDS 64	/* no type has more fields */

/* One picklist entry; valid_for lists the controlling values it is valid for
 * (dependent picklists only, NULL-terminated). */
struct objects_pick {
	const char *value;
	int active;
	int default_value;
	const char *valid_for[OBJECTS_MAX_VALID_FOR + 1];
};

/* Field flags. */
enum {
	OF_CREATE = 1 << 0,	/* createable */
	OF_UPDATE = 1 << 1,	/* updateable */
	OF_NULLOK = 1 << 2,	/* nillable */
	OF_CUSTOM = 1 << 3,
	OF_RESTRICTED = 1 << 4,	/* restricted picklist: only active listed values */
	OF_NAME = 1 << 5,	/* the name field */
	OF_DEFAULTED = 1 << 6,	/* the org fills it when omitted (no REQUIRED error) */
};

struct objects_field {
	const char *name;
	const char *label;
	enum objects_ftype type;
	int length;			/* text types; 0 otherwise */
	unsigned flags;
	const char *reference_to;	/* OF_REFERENCE: object name (NULL: polymorphic) */
	const char *relationship;	/* OF_REFERENCE: relationshipName, or NULL */
	const struct objects_pick *picks;	/* picklists, NULL-value-terminated */
	const char *controller;		/* dependent picklists: controlling field name */
};

struct objects_child {
	const char *name;		/* relationshipName, e.g. i360core__..._Opportunities__r */
	const char *child_object;
	const char *field;		/* the child's reference field pointing here */
};

struct objects_type {
	int index;			/* position in objects_types() */
	const char *name;
	const char *label;
	const char *label_plural;
	const char *key_prefix;		/* 3 characters */
	int custom;
	const char *autonumber;		/* Name prefix when Name is an auto-number, else NULL */
	const struct objects_field *fields;	/* NULL-name-terminated */
	size_t nfields;
	const struct objects_child *children;	/* NULL-name-terminated, may be NULL */
};

/* All types of the org; *n gets how many. The schema is static and immutable. */
const struct objects_type *const *objects_types(size_t *n);

/* The type named name (case-insensitive), or NULL. */
const struct objects_type *objects_type_find(const char *name);

/* The type whose key prefix starts id, or NULL. */
const struct objects_type *objects_type_by_id(const char *id);

/* The field named name on t (case-insensitive), or NULL. */
const struct objects_field *objects_field_find(const struct objects_type *t, const char *name);

/* The reference field of t whose relationshipName is rel (case-insensitive), or NULL. */
const struct objects_field *objects_rel_find(const struct objects_type *t, const char *rel);

/* The child relationship of t named name (case-insensitive), or NULL. */
const struct objects_child *objects_child_find(const struct objects_type *t, const char *name);

/* The position of value in field f's picklist (exact match), or -1. */
int objects_pick_index(const struct objects_field *f, const char *value);

/* Where value sorts in picklist f, as SOQL orders picklists: the position of the value
 * it matches ignoring case (inactive ones included), or the number of values when it
 * matches none (an unrestricted picklist takes any value; those sort after the defined
 * ones). */
int objects_pick_order(const struct objects_field *f, const char *value);

/* describe's validFor for pick p of dependent field f: the base64 bitmap over the
 * controller's values where bit (0x80 >> (i % 8)) of byte (i >> 3) is set when p is
 * valid for controller value i. New reference (a JSON string), or JSON null when f is not
 * dependent. */
json_t *objects_valid_for(const struct objects_type *t, const struct objects_field *f,
			  const struct objects_pick *p);

/* ---- The record store ---- */

/*
 * A record holds every field of its type, in schema order, each null or a value of the
 * field's type: text (strings, picklists, Ids, references, dates as "YYYY-MM-DD"),
 * datetimes (milliseconds, shown as "YYYY-MM-DDTHH:MM:SS.fff+0000"), booleans, numbers.
 * Deleting sets IsDeleted (the recycle bin), as Salesforce does; the record stays
 * queryable through queryAll. A base64 field holds true when it has data (objects_blob).
 *
 * Records are immutable: a write stores a new version of the record in its place, and
 * the old version lives on while a pin taken before the write holds it (objects_pin),
 * so a query's rows keep the values they had when the query ran. A record never leaves
 * its table (deletion is a flag), so its position in creation order is stable.
 *
 * Locking: the store has one readers-writer lock. Every function below except
 * objects_new/objects_free, objects_unpin and the objects_rec_* accessors expects the
 * caller to hold it (read for lookups, write for changes). Records returned are
 * borrowed and valid while the lock is held, or while a pin taken under it is held.
 */
struct objects;
struct objects_rec;

/* A new empty store, or NULL when out of memory. */
struct objects *objects_new(void);

/* Frees the store and every record; NULL does nothing. No pin may be left. */
void objects_free(struct objects *s);

void objects_rdlock(struct objects *s);
void objects_wrlock(struct objects *s);
void objects_unlock(struct objects *s);

/* How many records of t (deleted ones included); the i-th in creation order (NULL past
 * the end). Borrowed. */
size_t objects_count(const struct objects *s, const struct objects_type *t);
const struct objects_rec *objects_at(const struct objects *s, const struct objects_type *t,
				     size_t i);

/* The record with Id id (15 or 18 characters), deleted or not, or NULL; *t (when not
 * NULL) gets its type. Borrowed. */
const struct objects_rec *objects_get(const struct objects *s, const char *id,
				      const struct objects_type **t);

/* Asks the CPU to bring r's slots and the start of its text into the cache, for a scan
 * that reads it a little later; NULL does nothing. */
void objects_prefetch(const struct objects_rec *r);

/* The record that reference field i of r names (what objects_get would find for its
 * value, faster), or NULL when the field is empty or names nothing. Borrowed. */
const struct objects_rec *objects_follow(const struct objects *s, const struct objects_rec *r,
					size_t i);

/*
 * The children of parent through c (one of the child relationships of parent's type):
 * the first one when prev is NULL, else the one after prev; NULL after the last. In
 * creation order, deleted ones included, each the current version. Borrowed.
 */
const struct objects_rec *objects_child_next(const struct objects *s,
					     const struct objects_child *c,
					     const struct objects_rec *parent,
					     const struct objects_rec *prev);

/* The base64 field data of record id as a JSON string holding the raw bytes (use
 * json_string_length), or NULL. Borrowed. */
json_t *objects_blob(const struct objects *s, const char *id);

/* ---- Reading a record (no lock needed while the record is pinned) ---- */

/*
 * Pins the record versions current now: a write that replaces one of them keeps it
 * (readable, unchanged) until every pin taken before the write is released. Query rows
 * use this to read their records after the store lock is released. The caller holds
 * the store lock (read or write). Writes the pin into *pin and returns 0, or -1 when out
 * of memory. Thread-safe.
 */
int objects_pin(const struct objects *s, uint64_t *pin);

/* Releases a pin of objects_pin (frees the versions nothing needs any more). Needs no
 * store lock; thread-safe. */
void objects_unpin(const struct objects *s, uint64_t pin);

/* r's type, its 18-character Id, and whether it is in the recycle bin. */
const struct objects_type *objects_rec_type(const struct objects_rec *r);
const char *objects_rec_id(const struct objects_rec *r);
int objects_rec_deleted(const struct objects_rec *r);

/* The position of f in t's fields (f must be one of them). */
size_t objects_field_index(const struct objects_type *t, const struct objects_field *f);

/* Field i (a position in r's type's fields) of r. objects_rec_is_null: whether it is
 * empty. objects_rec_text: the text of a text, picklist, Id, reference or date field
 * (NUL-terminated; *len, when not NULL, gets its length), NULL when empty or not text.
 * objects_rec_time: a datetime's or date's milliseconds (dates: midnight UTC) into *ms,
 * 0, or -1 when empty. objects_rec_number: a number, or a boolean as 0/1 (0 when
 * empty). All borrowed from r. */
int objects_rec_is_null(const struct objects_rec *r, size_t i);
const char *objects_rec_text(const struct objects_rec *r, size_t i, size_t *len);
int objects_rec_time(const struct objects_rec *r, size_t i, int64_t *ms);
double objects_rec_number(const struct objects_rec *r, size_t i);

/* Field i of r as JSON: a string, number, boolean or null, as the REST API shows it
 * (base64 fields: true when there is data). New reference; NULL when out of memory. */
json_t *objects_rec_value(const struct objects_rec *r, size_t i);

/* r as a JSON object of every field by canonical name, in schema order. New reference;
 * NULL when out of memory. */
json_t *objects_rec_json(const struct objects_rec *r);

/* ---- Writing ---- */

/* Write flags. */
enum {
	OBJECTS_SYSTEM = 1 << 0, /* allow setting the system fields SystemModstamp,
				  * CreatedDate, LastModifiedDate and IsDeleted, and inactive
				  * picklist values (the seed and the control endpoint; never
				  * the REST API) */
	OBJECTS_CHECK_ONLY = 1 << 1, /* validate, change nothing (allOrNone dry runs) */
};

/*
 * Creates a record of t from the fields of in (a JSON object, borrowed; an "attributes"
 * member is ignored) as the REST API does: unknown fields, read-only fields, wrong
 * types, too-long text, bad emails, restricted picklist values, dependent values invalid
 * for their controller, dangling or mistyped references and missing required fields are
 * refused with Salesforce's errorCode. now_ms stamps CreatedDate/LastModifiedDate/
 * SystemModstamp unless OBJECTS_SYSTEM and in sets them. A base64 field takes base64
 * text, or, with blob non-NULL, raw bytes given separately (multipart). Writes the new
 * Id into id_out. Returns 0, or -1 with e set (status 400); the store is unchanged on
 * failure. With OBJECTS_CHECK_ONLY nothing is stored and nothing is written to id_out.
 */
int objects_create(struct objects *s, const struct objects_type *t, json_t *in,
		   const void *blob, size_t blob_len, int64_t now_ms, unsigned flags,
		   char id_out[19], struct sferr *e);

/*
 * One field's value for objects_insert, by the field's type: s for text, picklist,
 * reference and date fields (NULL: empty), ms for datetimes, num for numbers, b for
 * booleans; null empties a field of any type. A value left zeroed ({0}) takes the
 * default objects_create would give it.
 */
struct objects_val {
	int set;
	int null;
	const char *s;
	int64_t ms;
	double num;
	int b;
};

/*
 * Stores a record of t from vals (t->nfields entries in schema order; borrowed) without
 * the checks of objects_create, for trusted generators (the seed): the caller promises
 * values that objects_create with OBJECTS_SYSTEM would accept and store the same way
 * (references of 18 characters to existing records, datetimes already in
 * milliseconds, no empty strings). The Id, an auto-number Name and unset stamps (now_ms)
 * are filled in as objects_create fills them. Writes the new Id into id_out. Returns 0,
 * or -1 when out of memory.
 */
int objects_insert(struct objects *s, const struct objects_type *t,
		   const struct objects_val *vals, int64_t now_ms, char id_out[19]);

/* Updates record id of t with in, under the rules of objects_create (Id is not
 * updatable; a deleted record answers 404 ENTITY_IS_DELETED; an unknown one 404
 * NOT_FOUND). Stamps LastModifiedDate/SystemModstamp with now_ms (unless given with
 * OBJECTS_SYSTEM). Returns 0, or -1 with e set. */
int objects_update(struct objects *s, const struct objects_type *t, const char *id,
		   json_t *in, int64_t now_ms, unsigned flags, struct sferr *e);

/* Moves record id to the recycle bin (IsDeleted true, SystemModstamp now_ms, or
 * modstamp_ms when it is not 0). Returns 0, or -1 with e set (404 NOT_FOUND /
 * ENTITY_IS_DELETED). With t NULL any type matches. */
int objects_delete(struct objects *s, const struct objects_type *t, const char *id,
		   int64_t now_ms, int64_t modstamp_ms, struct sferr *e);

/* Formats ms as Salesforce writes datetimes, "YYYY-MM-DDTHH:MM:SS.fff+0000" (29 bytes
 * with the NUL). */
#define OBJECTS_DT_LEN 29
char *objects_format_dt(char out[OBJECTS_DT_LEN], int64_t ms);

/* Parses a datetime or date as a record shows it in JSON into ms (dates: midnight UTC).
 * Returns 0 or -1. */
int objects_parse_time(const json_t *v, int64_t *ms);

#endif

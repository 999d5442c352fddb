/* objects_int: the object module's shared internals (the store's layout, the schema's
 * tables), for sandbox/objects_*.c only; everything else includes sandbox/objects.h. */
#ifndef I360_SANDBOX_OBJECTS_INT_H
#define I360_SANDBOX_OBJECTS_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox/objects.h"
#include "sandbox/sferr.h"

#define NTYPES 7
#define MAX_FIELDS OBJECTS_MAX_FIELDS	/* a record's null bits fit in a uint64_t */

/* The schema's tables (objects_schema.c). */
extern const struct objects_type *const objects__all_types[NTYPES];
extern const struct objects_type objects__type_user, objects__type_cv;
extern int objects__deleted_field[NTYPES];	/* IsDeleted's position, or -1 */

/* ---- The store (objects_store.c) ---- */

/* A stored value, read by its field's type (see kind_of). Text lives in the record's
 * text area, NUL-terminated, at off. */
union slot {
	struct {
		uint32_t off, len;
	} s;
	int64_t i;
	double d;
};

enum kind { K_TEXT, K_TIME, K_INT, K_REAL };

/*
 * One version of a record: one allocation holding the slots of every field in schema
 * order and then the text they point into. Immutable once stored.
 */
struct objects_rec {
	uint32_t pos;			/* position in its table, stable across versions */
	uint32_t heap;			/* 1: its own allocation; 0: in its table's arena */
	const struct objects_type *type;
	uint64_t nulls;			/* bit i: field i is empty */
	union slot v[];			/* type->nfields slots, then the text */
};

/*
 * New records are cut from their table's arena, big chunks mapped with a hint for huge
 * pages: a million appointments then sit together in memory, a scan over them walks
 * few pages, and seeding faults few pages in. Arena records are freed with the store;
 * versions that replace them are allocations of their own (heap), freed when retired.
 * A replaced arena record stays until the store goes (at most one per record).
 */
struct chunk {
	struct chunk *next;
	size_t size, used;	/* size counts the whole mapping, header included */
};

struct table {
	struct objects_rec **recs;
	size_t n, alloc;
	struct chunk *chunks;	/* the newest first */
};

/*
 * A child relationship's index: the children of each parent as a list threaded
 * through positions, kept in creation order (ascending child position). head and tail
 * are indexed by the parent's position, next by the child's; NONE ends a list.
 */
struct cindex {
	const struct objects_child *c;
	const struct objects_type *parent, *child;
	size_t field;			/* the child's reference field */
	uint32_t *head, *tail;
	size_t nheads, ntails;
	uint32_t *next;
	size_t nchildren;
};

/*
 * Pins keep replaced versions alive for the readers that may still hold them (see
 * objects_pin). epoch counts replacements; a version replaced at epoch R goes to
 * retired, and is freed once no pin taken before R (pin epoch < R) remains. pins holds
 * the epochs of the live pins with their counts, oldest first. pin_mu guards the
 * three and is taken last, after any other lock.
 */
struct pin {
	uint64_t epoch;
	size_t count;
};

struct retired {
	struct objects_rec *rec;
	uint64_t epoch;
};

struct objects {
	pthread_rwlock_t lock;
	struct table tables[NTYPES];
	pthread_mutex_t pin_mu;
	uint64_t epoch;
	struct pin *pins;
	size_t npins, pins_alloc;
	struct retired *retired;
	size_t nretired, retired_alloc;
	struct cindex *cidx;
	size_t ncidx;
	json_t *blobs;	/* first 15 characters of an Id -> raw bytes as a JSON string */
	unsigned long doc_serial;
};

/* ---- Helpers of the hot paths, inlined where they are used ---- */

static inline enum kind kind_of(enum objects_ftype t)
{
	switch (t) {
	case OF_DATETIME: return K_TIME;
	case OF_BOOLEAN: case OF_BASE64: case OF_INT: return K_INT;
	case OF_DOUBLE: return K_REAL;
	default: return K_TEXT;
	}
}

static inline const char *rec_text_area(const struct objects_rec *r)
{
	return (const char *)&r->v[r->type->nfields];
}

/* ---- Functions shared between the files ---- */

/* objects_schema.c */
void objects__schema_init(void);
int objects__pick_valid_for(const struct objects_pick *p, const char *controller_value);

/* objects_store.c */
void *objects__arena_alloc(struct table *tb, size_t n);
int objects__store_add(struct objects *s, struct objects_rec *r);
void objects__store_replace(struct objects *s, struct objects_rec *r);

/* objects_check.c */
int objects__is_system_field(const char *name);
int objects__collect_changes(const struct objects *s, const struct objects_type *t, json_t *in,
			     int creating, unsigned flags, json_t **out, struct sferr *e);
int objects__check_dependents(const struct objects_type *t, json_t *merged, json_t *changes,
			      struct sferr *e);
int objects__check_required(const struct objects_type *t, json_t *rec, struct sferr *e);

#endif

/* objects_store: the record store: arenas, lookups by Id, child indexes, pins on versions. */
#include "sandbox/objects_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "sandbox/sfid.h"

#define NONE UINT32_MAX

#define CHUNK_FIRST ((size_t)256 << 10)
#define CHUNK_MAX ((size_t)64 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/* n bytes (8-aligned) from tb's arena, or NULL when out of memory. Chunks double from
 * CHUNK_FIRST to CHUNK_MAX, so that a small org stays small. */
void *objects__arena_alloc(struct table *tb, size_t n)
{
	struct chunk *c = tb->chunks;
	size_t head = (sizeof(*c) + 7) & ~(size_t)7;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < n) {
		size_t size = c ? c->size * 2 : CHUNK_FIRST;

		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		while (size < head + n)
			size *= 2;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if (size >= 2 * HUGE_PAGE)
			madvise(p, size, MADV_HUGEPAGE);	/* a hint; failure is fine */
		c = p;
		c->size = size;
		c->used = head;
		c->next = tb->chunks;
		tb->chunks = c;
	}
	p = (char *)c + c->used;
	c->used += n;
	return p;
}

static void rec_free(struct objects_rec *r)
{
	if (r != NULL && r->heap)
		free(r);
}

static int cindex_init(struct objects *s)
{
	size_t n = 0;

	for (size_t t = 0; t < NTYPES; t++)
		for (const struct objects_child *c = objects__all_types[t]->children; c && c->name;
		     c++)
			n++;
	s->cidx = calloc(n ? n : 1, sizeof(*s->cidx));
	if (s->cidx == NULL)
		return -1;
	for (size_t t = 0; t < NTYPES; t++)
		for (const struct objects_child *c = objects__all_types[t]->children; c && c->name;
		     c++) {
			struct cindex *ci = &s->cidx[s->ncidx];
			const struct objects_field *f;

			ci->c = c;
			ci->parent = objects__all_types[t];
			ci->child = objects_type_find(c->child_object);
			f = ci->child ? objects_field_find(ci->child, c->field) : NULL;
			if (f == NULL)
				continue;	/* a schema error; the relationship stays empty */
			ci->field = objects_field_index(ci->child, f);
			s->ncidx++;
		}
	return 0;
}

struct objects *objects_new(void)
{
	struct objects *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	objects__schema_init();
	if (pthread_rwlock_init(&s->lock, NULL) != 0)
		goto fail_free;
	if (pthread_mutex_init(&s->pin_mu, NULL) != 0)
		goto fail_lock;
	s->blobs = json_object();
	if (s->blobs == NULL)
		goto fail_mutex;
	if (cindex_init(s) < 0)
		goto fail_json;
	return s;

fail_json:
	json_decref(s->blobs);
fail_mutex:
	pthread_mutex_destroy(&s->pin_mu);
fail_lock:
	pthread_rwlock_destroy(&s->lock);
fail_free:
	free(s);
	return NULL;
}

void objects_free(struct objects *s)
{
	if (s == NULL)
		return;
	for (size_t t = 0; t < NTYPES; t++) {
		for (size_t i = 0; i < s->tables[t].n; i++)
			rec_free(s->tables[t].recs[i]);
		free(s->tables[t].recs);
		while (s->tables[t].chunks != NULL) {
			struct chunk *c = s->tables[t].chunks;

			s->tables[t].chunks = c->next;
			munmap(c, c->size);
		}
	}
	for (size_t i = 0; i < s->nretired; i++)
		rec_free(s->retired[i].rec);
	free(s->retired);
	free(s->pins);
	pthread_mutex_destroy(&s->pin_mu);
	for (size_t i = 0; i < s->ncidx; i++) {
		free(s->cidx[i].head);
		free(s->cidx[i].tail);
		free(s->cidx[i].next);
	}
	free(s->cidx);
	json_decref(s->blobs);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}

void objects_rdlock(struct objects *s)
{
	pthread_rwlock_rdlock(&s->lock);
}

void objects_wrlock(struct objects *s)
{
	pthread_rwlock_wrlock(&s->lock);
}

void objects_unlock(struct objects *s)
{
	pthread_rwlock_unlock(&s->lock);
}

size_t objects_count(const struct objects *s, const struct objects_type *t)
{
	return s->tables[t->index].n;
}

const struct objects_rec *objects_at(const struct objects *s, const struct objects_type *t,
				     size_t i)
{
	return i < s->tables[t->index].n ? s->tables[t->index].recs[i] : NULL;
}

/* The serial an Id of ours carries in its last six characters before the checksum
 * (see sfid_make), or 0 when they are not base 62 digits. */
static unsigned long id_serial(const char *id)
{
	unsigned long v = 0;

	for (int i = 9; i < 15; i++) {
		int c = (unsigned char)id[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 36;
		else
			return 0;
		v = v * 62 + (unsigned long)d;
	}
	return v;
}

/* Ids are made from their type's key prefix and the record's serial, its position + 1,
 * so a lookup decodes the position and checks that the record there has this Id. */
const struct objects_rec *objects_get(const struct objects *s, const char *id,
				      const struct objects_type **t)
{
	const struct objects_type *rt;
	const struct objects_rec *r;
	unsigned long serial;

	if (!sfid_valid(id) || (rt = objects_type_by_id(id)) == NULL)
		return NULL;
	serial = id_serial(id);
	r = objects_at(s, rt, serial - 1);
	if (serial == 0 || r == NULL || strncmp(objects_rec_id(r), id, 15) != 0)
		return NULL;
	if (t != NULL)
		*t = rt;
	return r;
}

void objects_prefetch(const struct objects_rec *r)
{
	if (r == NULL)
		return;
	/* The slots, and the start of the text, where Ids and references lie. */
	__builtin_prefetch(r);
	__builtin_prefetch((const char *)r + 64);
	__builtin_prefetch(rec_text_area(r));
	__builtin_prefetch(rec_text_area(r) + 64);
}

const struct objects_rec *objects_follow(const struct objects *s, const struct objects_rec *r,
					size_t i)
{
	const struct objects_rec *p;
	size_t len;
	const char *id = objects_rec_text(r, i, &len);
	const struct objects_type *t;
	unsigned long serial;

	/* A stored reference was checked when written (convert_value, objects_insert):
	 * 18 valid characters naming an existing record, so no sfid_valid here. */
	if (id == NULL || len != SFID_LEN)
		return id ? objects_get(s, id, NULL) : NULL;
	t = objects_type_by_id(id);
	serial = id_serial(id);
	p = t && serial ? objects_at(s, t, serial - 1) : NULL;
	return p != NULL && memcmp(objects_rec_id(p), id, 15) == 0 ? p : NULL;
}

static const struct cindex *cindex_find(const struct objects *s, const struct objects_child *c)
{
	for (size_t i = 0; i < s->ncidx; i++)
		if (s->cidx[i].c == c)
			return &s->cidx[i];
	return NULL;
}

const struct objects_rec *objects_child_next(const struct objects *s,
					     const struct objects_child *c,
					     const struct objects_rec *parent,
					     const struct objects_rec *prev)
{
	const struct cindex *ci = cindex_find(s, c);
	uint32_t pos;

	if (ci == NULL || parent->type != ci->parent)
		return NULL;
	if (prev == NULL)
		pos = parent->pos < ci->nheads ? ci->head[parent->pos] : NONE;
	else
		pos = prev->pos < ci->nchildren ? ci->next[prev->pos] : NONE;
	return pos == NONE ? NULL : objects_at(s, ci->child, pos);
}

json_t *objects_blob(const struct objects *s, const char *id)
{
	char k[16];

	snprintf(k, sizeof(k), "%.15s", id);
	return json_object_get(s->blobs, k);
}

/* Frees the retired versions no pin needs any more. Called with pin_mu held. */
static void free_retired(struct objects *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->nretired; i++) {
		if (s->npins > 0 && s->pins[0].epoch < s->retired[i].epoch)
			s->retired[kept++] = s->retired[i];
		else
			rec_free(s->retired[i].rec);
	}
	s->nretired = kept;
}

int objects_pin(const struct objects *cs, uint64_t *pin)
{
	struct objects *s = (struct objects *)cs;	/* the pins are not the records */
	int rc = 0;

	pthread_mutex_lock(&s->pin_mu);
	*pin = s->epoch;
	if (s->npins > 0 && s->pins[s->npins - 1].epoch == *pin) {
		s->pins[s->npins - 1].count++;
	} else {
		if (s->npins == s->pins_alloc) {
			size_t alloc = s->pins_alloc ? s->pins_alloc * 2 : 16;
			struct pin *p = realloc(s->pins, alloc * sizeof(*p));

			if (p == NULL) {
				rc = -1;
				goto done;
			}
			s->pins = p;
			s->pins_alloc = alloc;
		}
		s->pins[s->npins++] = (struct pin){ *pin, 1 };
	}
done:
	pthread_mutex_unlock(&s->pin_mu);
	return rc;
}

void objects_unpin(const struct objects *cs, uint64_t pin)
{
	struct objects *s = (struct objects *)cs;

	pthread_mutex_lock(&s->pin_mu);
	for (size_t i = 0; i < s->npins; i++) {
		if (s->pins[i].epoch != pin)
			continue;
		if (--s->pins[i].count == 0) {
			memmove(&s->pins[i], &s->pins[i + 1], (s->npins - i - 1) * sizeof(*s->pins));
			s->npins--;
			free_retired(s);
		}
		break;
	}
	pthread_mutex_unlock(&s->pin_mu);
}

/* Makes room for position pos in a list array of a cindex, new entries NONE. */
static int grow_u32(uint32_t **a, size_t *n, size_t pos)
{
	size_t alloc = *n ? *n : 256;
	uint32_t *p;

	if (pos < *n)
		return 0;
	while (alloc <= pos)
		alloc *= 2;
	p = realloc(*a, alloc * sizeof(*p));
	if (p == NULL)
		return -1;
	memset(p + *n, 0xFF, (alloc - *n) * sizeof(*p));
	*a = p;
	*n = alloc;
	return 0;
}

/* The parent position child r names through ci, or NONE. */
static uint32_t parent_of(const struct objects *s, const struct cindex *ci,
			  const struct objects_rec *r)
{
	const char *pid = objects_rec_text(r, ci->field, NULL);
	const struct objects_rec *p = pid ? objects_get(s, pid, NULL) : NULL;

	return p != NULL && p->type == ci->parent ? p->pos : NONE;
}

/* Puts child position c into parent position p's list, keeping creation order. */
static void link_child(struct cindex *ci, uint32_t p, uint32_t c)
{
	uint32_t *at;

	if (ci->tail[p] == NONE || ci->tail[p] < c) {
		if (ci->tail[p] == NONE)
			ci->head[p] = c;
		else
			ci->next[ci->tail[p]] = c;
		ci->tail[p] = c;
		ci->next[c] = NONE;
		return;
	}
	for (at = &ci->head[p]; *at != NONE && *at < c; at = &ci->next[*at])
		;
	ci->next[c] = *at;
	*at = c;
}

static void unlink_child(struct cindex *ci, uint32_t p, uint32_t c)
{
	uint32_t prev = NONE;

	for (uint32_t at = ci->head[p]; at != NONE; prev = at, at = ci->next[at]) {
		if (at != c)
			continue;
		if (prev == NONE)
			ci->head[p] = ci->next[c];
		else
			ci->next[prev] = ci->next[c];
		if (ci->tail[p] == c)
			ci->tail[p] = prev;
		ci->next[c] = NONE;
		return;
	}
}

/* Stores a new record (its pos is the table's next position); takes the reference. */
int objects__store_add(struct objects *s, struct objects_rec *r)
{
	struct table *tb = &s->tables[r->type->index];

	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];

		if ((ci->parent == r->type && (grow_u32(&ci->head, &ci->nheads, r->pos) < 0 ||
					       grow_u32(&ci->tail, &ci->ntails, r->pos) < 0)) ||
		    (ci->child == r->type && grow_u32(&ci->next, &ci->nchildren, r->pos) < 0))
			return -1;
	}
	if (tb->n == tb->alloc) {
		size_t alloc = tb->alloc ? tb->alloc * 2 : 256;
		struct objects_rec **p = realloc(tb->recs, alloc * sizeof(*p));

		if (p == NULL)
			return -1;
		tb->recs = p;
		tb->alloc = alloc;
	}
	tb->recs[tb->n++] = r;
	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];
		uint32_t p;

		if (ci->child == r->type && (p = parent_of(s, ci, r)) != NONE)
			link_child(ci, p, r->pos);
	}
	return 0;
}

/* Puts version r in the place of the current one (same position); the old version is
 * retired (see struct objects). */
void objects__store_replace(struct objects *s, struct objects_rec *r)
{
	struct objects_rec **slot = &s->tables[r->type->index].recs[r->pos];
	struct objects_rec *old = *slot;

	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];
		uint32_t was, now;

		if (ci->child != r->type)
			continue;
		was = parent_of(s, ci, old);
		now = parent_of(s, ci, r);
		if (was == now)
			continue;
		if (was != NONE)
			unlink_child(ci, was, r->pos);
		if (now != NONE)
			link_child(ci, now, r->pos);
	}
	*slot = r;
	pthread_mutex_lock(&s->pin_mu);
	if (s->nretired == s->retired_alloc) {
		size_t alloc = s->retired_alloc ? s->retired_alloc * 2 : 64;
		struct retired *p = realloc(s->retired, alloc * sizeof(*p));

		if (p == NULL) {
			/* Out of memory: keep the old version for good rather than free
			 * what a reader may hold. */
			pthread_mutex_unlock(&s->pin_mu);
			return;
		}
		s->retired = p;
		s->retired_alloc = alloc;
	}
	s->retired[s->nretired++] = (struct retired){ old, ++s->epoch };
	free_retired(s);
	pthread_mutex_unlock(&s->pin_mu);
}

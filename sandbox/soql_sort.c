/* soql_sort: ORDER BY: sort keys, a radix sort on the first key, comparisons for ties. */
#include "sandbox/soql_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct row {
	const struct objects_rec *rec;
	size_t idx;
	struct skey *keys;
};

/* qsort has no context argument in C17; the key order of the sort in progress. */
static _Thread_local const struct soql_query *sort_q;

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	for (size_t i = 0; i < sort_q->norders; i++) {
		const struct order *o = &sort_q->orders[i];
		const struct skey *ka = &a->keys[i], *kb = &b->keys[i];
		int c;

		if (ka->null || kb->null) {
			if (ka->null && kb->null)
				continue;
			return (ka->null ? -1 : 1) * (o->nulls_last ? -1 : 1);
		}
		c = key_cmp(path_type(&o->path), ka, kb);
		if (c != 0)
			return o->desc ? -c : c;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Reads the value at path p of rec (a date function's, for one) into *k; a picklist's
 * with its place in the picklist, for key_cmp. */
void soql__read_key(const struct objects *s, const struct path *p,
		    const struct objects_rec *rec, struct skey *k)
{
	const struct objects_rec *leaf = follow(s, rec, p);
	size_t fi = p->field_idx;
	enum objects_ftype ft = p->field->type;

	memset(k, 0, sizeof(*k));
	k->null = leaf == NULL || objects_rec_is_null(leaf, fi);
	if (k->null)
		return;
	if (p->dfn != DF_NONE) {
		int64_t t;

		if (objects_rec_time(leaf, fi, &t) < 0)
			k->null = 1;
		else if (p->dfn == DF_DAY_ONLY)
			k->t = soql__path_date(p, t);
		else
			k->num = (double)soql__path_date(p, t);
	} else if (ft == OF_DATETIME || ft == OF_DATE)
		k->null = objects_rec_time(leaf, fi, &k->t) < 0;
	else if ((k->str = objects_rec_text(leaf, fi, NULL)) == NULL)
		k->num = objects_rec_number(leaf, fi);
	else if (ft == OF_PICKLIST)
		k->pick = objects_pick_order(p->field, k->str);
}

/* Sorts recs by q's ORDER BY with the full comparison (stable: ties keep their
 * order). Returns 0 or -1. */
static int sort_compare(const struct objects *s, const struct soql_query *q,
			const struct objects_rec **recs, size_t n)
{
	struct row *rows;
	struct skey *keys;

	if (n < 2)
		return 0;
	rows = malloc(n * sizeof(*rows));
	keys = malloc(n * q->norders * sizeof(*keys));
	if (rows == NULL || keys == NULL) {
		free(rows);
		free(keys);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		rows[i] = (struct row){ recs[i], i, keys + i * q->norders };
		for (size_t k = 0; k < q->norders; k++)
			soql__read_key(s, &q->orders[k].path, recs[i], &rows[i].keys[k]);
	}
	sort_q = q;
	qsort(rows, n, sizeof(*rows), row_cmp);
	sort_q = NULL;
	for (size_t i = 0; i < n; i++)
		recs[i] = rows[i].rec;
	free(rows);
	free(keys);
	return 0;
}

/*
 * The first key as an unsigned number whose order is row_cmp's order for that key
 * (direction and nulls included): nulls at one end, then the values; a sign flip makes
 * signed order unsigned, and the usual bit trick IEEE order. Values are squeezed into
 * 1..UINT64_MAX-1 to leave the ends to nulls; what that merges, ties settle.
 */
static uint64_t rank_of(const struct order *o, const struct skey *k)
{
	enum objects_ftype ft = path_type(&o->path);
	uint64_t v;

	if (k->null)
		return o->nulls_last ? UINT64_MAX : 0;
	if (ft == OF_DATETIME || ft == OF_DATE) {
		v = (uint64_t)k->t ^ (1ULL << 63);
	} else {
		double d = k->num == 0 ? 0.0 : k->num;	/* -0.0 sorts as 0.0 */

		memcpy(&v, &d, sizeof(v));
		v = (v >> 63) ? ~v : v | (1ULL << 63);
	}
	if (o->desc)
		v = ~v;
	return v == 0 ? 1 : v == UINT64_MAX ? UINT64_MAX - 1 : v;
}

#define RADIX_BITS 11
#define RADIX_SIZE ((size_t)1 << RADIX_BITS)

/* Stable LSD radix sort of a by rank, RADIX_BITS a pass over the bits in which the
 * ranks differ from the smallest; tmp has room for n. Returns 0 or -1. */
static int radix_sort(struct ranked *a, struct ranked *tmp, size_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t *count = malloc(RADIX_SIZE * sizeof(*count));
	struct ranked *src = a, *dst = tmp;

	if (count == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		lo = a[i].rank < lo ? a[i].rank : lo;
		hi = a[i].rank > hi ? a[i].rank : hi;
	}
	for (int shift = 0; shift < 64 && ((hi - lo) >> shift) != 0; shift += RADIX_BITS) {
		size_t sum = 0;
		struct ranked *t;

		memset(count, 0, RADIX_SIZE * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[((src[i].rank - lo) >> shift) & (RADIX_SIZE - 1)]++;
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[((src[i].rank - lo) >> shift) & (RADIX_SIZE - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(count);
	return 0;
}

/* Whether q's first ORDER BY key has a rank (rank_of): a time, number or boolean. */
int soql__rankable(const struct soql_query *q)
{
	enum objects_ftype ft = q->norders ? path_type(&q->orders[0].path) : OF_STRING;

	return q->norders > 0 && !objects_ftype_is_text(ft) && ft != OF_ID && ft != OF_REFERENCE;
}

void soql__rank_into(const struct objects *s, const struct soql_query *q,
		     const struct objects_rec *rec, struct ranked *a)
{
	struct skey k;

	soql__read_key(s, &q->orders[0].path, rec, &k);
	a->rank = rank_of(&q->orders[0], &k);
	a->rec = rec;
}

/*
 * Sorts the n rows of a (each with its rank; a is reordered) by q's ORDER BY, whose
 * first key is rankable, into out. Ranks sort in linear time and only rows that share a
 * rank are compared key by key: a query sorted by SystemModstamp over a million records
 * then takes a few passes instead of twenty million comparisons. Stable (a's order
 * settles full ties). Returns 0 or -1.
 */
int soql__sort_ranked(const struct objects *s, const struct soql_query *q, struct ranked *a,
		      size_t n, const struct objects_rec **out)
{
	struct ranked *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	int rc = -1;

	if (tmp == NULL || radix_sort(a, tmp, n) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		out[i] = a[i].rec;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].rank == a[i].rank; j++)
			;
		if (j - i > 1 && sort_compare(s, q, out + i, j - i) < 0)
			goto done;
	}
	rc = 0;

done:
	free(tmp);
	return rc;
}

/* Sorts recs by q's ORDER BY (stable: ties keep their order). Returns 0 or -1. */
int soql__sort_recs(const struct objects *s, const struct soql_query *q,
		    const struct objects_rec **recs, size_t n)
{
	struct ranked *a;
	int rc;

	if (q->norders == 0 || n < 2)
		return 0;
	if (n < 64 || !soql__rankable(q))
		return sort_compare(s, q, recs, n);
	a = malloc(n * sizeof(*a));
	if (a == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		soql__rank_into(s, q, recs[i], &a[i]);
	rc = soql__sort_ranked(s, q, a, n, recs);
	free(a);
	return rc;
}

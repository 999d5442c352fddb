/* soql_rows: a query's result: the records it matched, pinned on the store, shared. */
#include "sandbox/soql_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* New rows of q (under top) holding recs[0..n) (copied), total the size of the whole
 * result; pins s (whose lock the caller holds). NULL when out of memory. */
struct soql_rows *soql__rows_new(const struct objects *s, struct soql_query *top,
				 const struct soql_query *q, int all_rows,
				 const struct objects_rec *const *recs, size_t n, size_t total)
{
	struct soql_rows *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->recs = malloc((n ? n : 1) * sizeof(*r->recs));
	if (r->recs == NULL || objects_pin(s, &r->pin) < 0) {
		free(r->recs);
		free(r);
		return NULL;
	}
	r->s = s;
	atomic_init(&r->refs, 1);
	atomic_fetch_add_explicit(&top->refs, 1, memory_order_relaxed);
	r->top = top;
	r->q = q;
	r->all_rows = all_rows;
	r->n = n;
	r->total = total;
	memcpy(r->recs, recs, n * sizeof(*recs));
	return r;
}

struct soql_rows *soql_rows_ref(struct soql_rows *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void soql_rows_free(struct soql_rows *r)
{
	if (r == NULL || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	objects_unpin(r->s, r->pin);
	free(r->recs);
	free(r->agg);
	free(r->agg_off);
	soql_free(r->top);
	free(r);
}

size_t soql_rows_count(const struct soql_rows *r)
{
	return r->n;
}

size_t soql_rows_total(const struct soql_rows *r)
{
	return r->total;
}

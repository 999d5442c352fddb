/* soql_query: a parsed query's lifetime, its output shape and what it says of itself. */
#include "sandbox/soql_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_values(struct value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

void soql__free_cond(struct cond *c)
{
	if (c == NULL)
		return;
	soql__free_cond(c->l);
	soql__free_cond(c->r);
	free_values(c->vals, c->nvals);
	soql_free(c->sub);
	free(c);
}

static void onode_free(struct onode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nitems; i++) {
		free(n->items[i].key);
		onode_free(n->items[i].node);
	}
	free(n->items);
	free(n);
}

/* The item of n for hop or leaf (whichever is not NULL), appended when new. */
static struct oitem *onode_item(struct onode *n, const struct objects_field *hop,
				const struct objects_field *leaf, const char *name)
{
	struct oitem *it;

	for (size_t i = 0; i < n->nitems; i++)
		if (hop != NULL && n->items[i].hop == hop)
			return &n->items[i];
	it = realloc(n->items, (n->nitems + 1) * sizeof(*it));
	if (it == NULL)
		return NULL;
	n->items = it;
	it = &n->items[n->nitems];
	memset(it, 0, sizeof(*it));
	it->key = malloc(strlen(name) + 4);
	if (it->key == NULL)
		return NULL;
	n->nitems++;
	sprintf(it->key, "\"%s\":", name);
	it->key_len = strlen(it->key);
	it->hop = hop;
	it->leaf = leaf;
	return it;
}

/* Builds q->out from q's select list. Returns 0 or -1 (out of memory). */
int soql__build_out(struct soql_query *q)
{
	q->out = calloc(1, sizeof(*q->out));
	if (q->out == NULL)
		return -1;
	q->out->type = q->type;
	q->out->type_len = strlen(q->type->name);
	for (size_t i = 0; i < q->nsels; i++) {
		const struct sel *sel = &q->sels[i];
		const struct path *p = &sel->path;
		struct onode *n = q->out;
		struct oitem *it;

		if (sel->sub != NULL) {
			it = onode_item(n, NULL, NULL, sel->child->name);
			if (it == NULL)
				return -1;
			it->sub = sel;
			continue;
		}
		/* An alias names a value of the queried record, wherever the field is. */
		if (sel->key != NULL) {
			it = onode_item(n, NULL, NULL, sel->key);
			if (it == NULL)
				return -1;
			it->via = p;
			continue;
		}
		for (int h = 0; h < p->nhops; h++) {
			it = onode_item(n, p->hops[h], NULL, p->hops[h]->relationship);
			if (it == NULL)
				return -1;
			if (it->node == NULL) {
				it->hop_idx = p->hop_idx[h];
				it->node = calloc(1, sizeof(*it->node));
				if (it->node == NULL)
					return -1;
				it->node->type = p->hop_types[h];
				it->node->type_len = strlen(p->hop_types[h]->name);
			}
			n = it->node;
		}
		it = onode_item(n, NULL, p->field, p->field->name);
		if (it == NULL)
			return -1;
		it->leaf_idx = p->field_idx;
	}
	return 0;
}

void soql_free(struct soql_query *q)
{
	if (q == NULL || atomic_fetch_sub_explicit(&q->refs, 1, memory_order_acq_rel) != 1)
		return;
	onode_free(q->out);
	for (size_t i = 0; i < q->nsels; i++) {
		soql_free(q->sels[i].sub);
		free(q->sels[i].key);
	}
	free(q->sels);
	soql__free_cond(q->where);
	free(q->groups);
	soql__free_cond(q->having);
	free(q->orders);
	free(q);
}

const struct objects_type *soql_type(const struct soql_query *q)
{
	return q->type;
}

int soql_is_count(const struct soql_query *q)
{
	return q->count;
}

int soql_is_aggregate(const struct soql_query *q)
{
	return q->aggregate;
}

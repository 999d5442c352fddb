/* soql_aggregate: aggregate queries: GROUP BY, HAVING and the aggregate functions. */
#include "sandbox/soql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/isotime.h"

#define MAX_AGG_ROWS 2000	/* an aggregate result is one batch, never paged */

/*
 * The value of an aggregate (or of a grouped field) over one group: null, or a key
 * of type ft; leaf, when the value is a record's field (grouped fields, MIN, MAX), is
 * that record, rendered as plain results render the field.
 */
struct gval {
	int null;
	enum objects_ftype ft;
	struct skey k;
	const struct objects_rec *leaf;
	size_t idx;
};

/* qsort's context for COUNT_DISTINCT: the type of the keys sorted. */
static _Thread_local enum objects_ftype distinct_ft;

static int distinct_cmp(const void *a, const void *b)
{
	return key_cmp(distinct_ft, a, b);
}

/* Computes fn over path for recs[0..n) into *g. Returns 0 or -1 (out of memory). */
static int agg_eval(const struct objects *s, enum agg_fn fn, const struct path *p,
		    const struct objects_rec *const *recs, size_t n, struct gval *g)
{
	enum objects_ftype ft = path_type(p);
	struct skey *keys = NULL;
	size_t nn = 0;
	double sum = 0;

	memset(g, 0, sizeof(*g));
	g->ft = fn == AF_COUNT || fn == AF_COUNT_DISTINCT ? OF_INT : fn == AF_AVG ? OF_DOUBLE : ft;
	g->idx = p->field_idx;
	if (fn == AF_COUNT_DISTINCT && (keys = malloc((n ? n : 1) * sizeof(*keys))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct skey k;

		soql__read_key(s, p, recs[i], &k);
		if (fn == AF_NONE) {	/* a date function's value is no field's */
			g->null = k.null;
			g->k = k;
			g->leaf = p->dfn == DF_NONE ? follow(s, recs[i], p) : NULL;
			break;
		}
		if (k.null)
			continue;
		if (fn == AF_COUNT_DISTINCT)
			keys[nn] = k;
		if ((fn == AF_MIN || fn == AF_MAX) && nn > 0) {
			int c = key_cmp(ft, &k, &g->k);

			if (fn == AF_MIN ? c < 0 : c > 0) {
				g->k = k;
				g->leaf = follow(s, recs[i], p);
			}
		} else if (fn == AF_MIN || fn == AF_MAX) {
			g->k = k;
			g->leaf = follow(s, recs[i], p);
		}
		sum += k.num;
		nn++;
	}
	switch (fn) {
	case AF_NONE:
		g->null |= n == 0;
		break;
	case AF_COUNT:
		g->k.num = (double)nn;
		break;
	case AF_COUNT_DISTINCT: {
		size_t d = 0;

		distinct_ft = ft;
		qsort(keys, nn, sizeof(*keys), distinct_cmp);
		for (size_t i = 0; i < nn; i++)
			d += i == 0 || key_cmp(ft, &keys[i - 1], &keys[i]) != 0;
		g->k.num = (double)d;
		free(keys);
		break;
	}
	case AF_SUM: case AF_AVG:
		g->null = nn == 0;
		g->k.num = fn == AF_SUM || nn == 0 ? sum : sum / (double)nn;
		break;
	default:	/* MIN, MAX */
		g->null = nn == 0;
		break;
	}
	return 0;
}

/* Whether aggregate value g matches leaf condition c of HAVING (cmp_one's rules). */
static int gval_match(const struct gval *g, const struct cond *c)
{
	int any = 0;

	if (c->kind == C_LIKE)
		return !g->null && g->k.str != NULL && soql__like(g->k.str, c->vals[0].s);
	for (size_t i = 0; i < c->nvals && !any; i++) {
		const struct value *lit = &c->vals[i];
		enum cmp_op op = c->kind == C_CMP ? c->op : OP_EQ;
		int d = 0;

		if (lit->kind == V_NULL) {
			any = op == OP_EQ ? g->null : !g->null;
			continue;
		}
		if (g->null) {
			any = op == OP_NE;
			continue;
		}
		switch (lit->kind) {
		case V_TIME:
			any = time_cmp(g->k.t, lit, op);
			continue;
		case V_TEXT:
			d = strcasecmp(g->k.str ? g->k.str : "", lit->s);
			break;
		case V_ID:
			d = strncmp(g->k.str ? g->k.str : "", lit->s, 15);
			break;
		case V_BOOL:
			d = (g->k.num != 0) != lit->b;
			break;
		default:
			d = g->k.num < lit->num ? -1 : g->k.num > lit->num;
			break;
		}
		any = op == OP_EQ ? d == 0 : op == OP_NE ? d != 0 : op == OP_LT ? d < 0 :
		      op == OP_LE ? d <= 0 : op == OP_GT ? d > 0 : d >= 0;
	}
	return c->kind == C_NOT_IN ? !any : any;
}

/* Evaluates HAVING condition c on the group recs[0..n); -1 when out of memory. */
static int having_eval(const struct ectx *x, const struct cond *c,
		       const struct objects_rec *const *recs, size_t n)
{
	struct gval g;
	int l;

	switch (c->kind) {
	case C_AND: case C_OR:
		if ((l = having_eval(x, c->l, recs, n)) < 0)
			return -1;
		if (l == (c->kind == C_OR))
			return l;
		return having_eval(x, c->r, recs, n);
	case C_NOT:
		l = having_eval(x, c->l, recs, n);
		return l < 0 ? -1 : !l;
	default:
		break;
	}
	if (c->fn == AF_NONE)	/* a grouped field: the same all through the group */
		return n > 0 && soql__eval(x, c, recs[0]);
	if (agg_eval(x->s, c->fn, &c->path, recs, n, &g) < 0)
		return -1;
	return gval_match(&g, c);
}

/* One group: its records (a run of the sorted matches) and its ORDER BY keys. */
struct group {
	const struct objects_rec *const *recs;
	size_t n;
	size_t idx;
	struct gval *keys;
};

/* qsort's context: the query whose groups are being ordered. */
static _Thread_local const struct soql_query *group_q;

static int group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	for (size_t i = 0; i < group_q->norders; i++) {
		const struct order *o = &group_q->orders[i];
		const struct gval *ka = &a->keys[i], *kb = &b->keys[i];
		int c;

		if (ka->null || kb->null) {
			if (ka->null && kb->null)
				continue;
			return (ka->null ? -1 : 1) * (o->nulls_last ? -1 : 1);
		}
		c = key_cmp(ka->ft, &ka->k, &kb->k);
		if (c != 0)
			return o->desc ? -c : c;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Appends g as JSON. */
static void put_gval(struct run *r, enum agg_fn fn, const struct gval *g)
{
	char tmp[32];

	if (g->null) {
		put_lit(r, "null");
	} else if (g->leaf != NULL) {
		soql__put_value(r, g->leaf, g->idx);
	} else if (g->ft == OF_DATE) {	/* DAY_ONLY: "YYYY-MM-DD", as date fields show */
		soql__put_str(r, isotime_format(tmp, g->k.t), 10);
	} else if (fn == AF_COUNT || fn == AF_COUNT_DISTINCT || g->ft == OF_INT) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)g->k.num);
		put_lit(r, tmp);
	} else {
		soql__put_real(r, g->k.num);
	}
}

/* Appends group g as an AggregateResult: attributes without a url, then the select list
 * by key. Returns 0 or -1 (out of memory). */
static int put_group(struct run *r, const struct soql_query *q, const struct group *g)
{
	put_lit(r, "{\"attributes\":{\"type\":\"AggregateResult\"}");
	for (size_t i = 0; i < q->nsels; i++) {
		const struct sel *sel = &q->sels[i];
		struct gval v;

		if (agg_eval(r->s, sel->fn, &sel->path, g->recs, g->n, &v) < 0)
			return -1;
		put(r, ",", 1);
		soql__put_str(r, sel->key, strlen(sel->key));
		put(r, ":", 1);
		put_gval(r, sel->fn, &v);
	}
	put(r, "}", 1);
	return r->failed ? -1 : 0;
}

/*
 * Groups the matching records recs[0..m) by q's GROUP BY (one group of all of them
 * without it), keeps the groups HAVING accepts, orders them (by ORDER BY, else by the
 * grouped values), applies OFFSET and LIMIT and renders them. Salesforce never pages an
 * aggregate result: more than MAX_AGG_ROWS groups is an error.
 */
struct soql_rows *soql__aggregate(struct soql_query *q, const struct objects *s,
				  const struct soql_opts *o, const struct ectx *x,
				  const struct objects_rec **recs, size_t m, struct sferr *e)
{
	struct order *by = calloc(q->ngroups ? q->ngroups : 1, sizeof(*by));
	struct soql_query gq = { .orders = by, .norders = q->ngroups };
	struct group *groups = malloc((m ? m : 1) * sizeof(*groups));
	struct gval *keys = NULL;
	size_t ng = 0, kept = 0, start, end;
	struct buf b;
	struct run r = { s, o, NULL, &b, 0, "", 0 };
	struct soql_rows *rows = NULL;
	size_t *off = NULL;

	buf_init(&b, 0);
	if (by == NULL || groups == NULL)
		goto oom;
	for (size_t i = 0; i < q->ngroups; i++)
		by[i].path = q->groups[i];
	if (soql__sort_recs(s, &gq, recs, m) < 0)
		goto oom;
	/* Runs of equal grouped values are the groups (text compares ignoring case). */
	for (size_t i = 0, j; i < m || (i == 0 && q->ngroups == 0); i = j) {
		for (j = i + 1; j < m; j++) {
			int same = 1;

			for (size_t k = 0; k < q->ngroups && same; k++) {
				struct skey a, c;

				soql__read_key(s, &q->groups[k], recs[i], &a);
				soql__read_key(s, &q->groups[k], recs[j], &c);
				same = a.null == c.null &&
				       (a.null || key_cmp(path_type(&q->groups[k]), &a, &c) == 0);
			}
			if (!same)
				break;
		}
		if (q->ngroups == 0)
			j = m > 0 ? m : 1;
		groups[ng] = (struct group){ recs + i, (j < m ? j : m) - i, ng, NULL };
		ng++;
	}
	for (size_t i = 0; i < ng; i++) {
		int h = q->having ? having_eval(x, q->having, groups[i].recs, groups[i].n) : 1;

		if (h < 0)
			goto oom;
		if (h)
			groups[kept++] = groups[i];
	}
	if (q->norders > 0 && kept > 1) {
		keys = malloc(kept * q->norders * sizeof(*keys));
		if (keys == NULL)
			goto oom;
		for (size_t i = 0; i < kept; i++) {
			groups[i].keys = keys + i * q->norders;
			for (size_t k = 0; k < q->norders; k++)
				if (agg_eval(s, q->orders[k].fn, &q->orders[k].path, groups[i].recs,
					     groups[i].n, &groups[i].keys[k]) < 0)
					goto oom;
		}
		group_q = q;
		qsort(groups, kept, sizeof(*groups), group_cmp);
		group_q = NULL;
	}
	start = (size_t)q->offset < kept ? (size_t)q->offset : kept;
	end = q->limit >= 0 && start + (size_t)q->limit < kept ? start + (size_t)q->limit : kept;
	if (end - start > MAX_AGG_ROWS) {
		sferr_set(e, 400, "EXCEEDED_ID_LIMIT", "Aggregate query does not support "
			  "queryMore(), use LIMIT to restrict the results to a single batch");
		goto fail;
	}
	snprintf(r.base, sizeof(r.base), "/services/data/v%s/sobjects/",
		 o->version ? o->version : "58.0");
	r.base_len = strlen(r.base);
	off = malloc((end - start + 1) * sizeof(*off));
	if (off == NULL)
		goto oom;
	for (size_t i = start; i < end; i++) {
		off[i - start] = b.len;
		if (put_group(&r, q, &groups[i]) < 0)
			goto oom;
	}
	off[end - start] = b.len;
	rows = soql__rows_new(s, q, q, o->all_rows, recs, 0, end - start);
	if (rows == NULL)
		goto oom;
	rows->n = end - start;
	rows->agg = buf_detach(&b, NULL);
	rows->agg_off = off;
	off = NULL;
	goto done;

oom:
	sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
fail:
	soql_rows_free(rows);
	rows = NULL;
done:
	buf_free(&b);
	free(off);
	free(keys);
	free(groups);
	free(by);
	return rows;
}

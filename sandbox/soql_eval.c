/* soql_eval: running a query: WHERE on each record, the semi-join sets, soql_select. */
#include "sandbox/soql_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Whether a comparison whose result is c (<0, 0, >0) satisfies op. */
static int op_holds(int c, enum cmp_op op)
{
	switch (op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	}
	return 0;
}

/* Compares field i of rec (NULL: a null value) with lit. */
static int cmp_one(const struct objects_rec *rec, size_t i, const struct value *lit,
		   enum cmp_op op)
{
	int null = rec == NULL || objects_rec_is_null(rec, i);
	const char *text;
	int c = 0;
	int64_t t;

	if (lit->kind == V_NULL)
		return op == OP_EQ ? null : !null;
	if (null)
		return op == OP_NE;	/* Salesforce: "!= 'x'" matches nulls too */
	switch (lit->kind) {
	case V_TEXT:
		text = objects_rec_text(rec, i, NULL);
		c = strcasecmp(text ? text : "", lit->s);
		break;
	case V_ID:
		text = objects_rec_text(rec, i, NULL);
		c = strncmp(text ? text : "", lit->s, 15);
		break;
	case V_NUM: {
		double d = objects_rec_number(rec, i);

		c = d < lit->num ? -1 : d > lit->num;
		break;
	}
	case V_BOOL:
		c = (objects_rec_number(rec, i) != 0) != lit->b;
		break;
	case V_TIME:
		if (objects_rec_time(rec, i, &t) < 0)
			return 0;
		return time_cmp(t, lit, op);
	case V_NULL:
		break;
	}
	return op_holds(c, op);
}

/* Compares the date function of path p of the record whose field it reads (rec; NULL: a
 * null value) with lit. */
static int cmp_date_fn(const struct objects_rec *rec, const struct path *p,
		       const struct value *lit, enum cmp_op op)
{
	size_t i = p->field_idx;
	int64_t t, v;
	int c;

	if (lit->kind == V_NULL)	/* "= null" and "!= null" ask of the field itself */
		return cmp_one(rec, i, lit, op);
	if (rec == NULL || objects_rec_is_null(rec, i))
		return op == OP_NE;
	if (objects_rec_time(rec, i, &t) < 0)
		return 0;
	v = soql__path_date(p, t);
	if (p->dfn == DF_DAY_ONLY)
		return time_cmp(v, lit, op);
	c = (double)v < lit->num ? -1 : (double)v > lit->num;
	return op_holds(c, op);
}

/* SOQL LIKE: % any run, _ one character, \ escapes the next; case-insensitive. */
int soql__like(const char *s, const char *p)
{
	for (; *p; p++) {
		if (*p == '%') {
			while (p[1] == '%')
				p++;
			if (p[1] == '\0')
				return 1;
			for (; *s; s++)
				if (soql__like(s, p + 1))
					return 1;
			return 0;
		}
		if (*s == '\0')
			return 0;
		if (*p == '_') {
			s++;
			while (((unsigned char)*s & 0xC0) == 0x80)	/* one UTF-8 character */
				s++;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		if (tolower((unsigned char)*s) != tolower((unsigned char)*p))
			return 0;
		s++;
	}
	return *s == '\0';
}

/* Whether every ';'-separated part of want is among have's parts. */
static int includes_all(const char *have, const char *want)
{
	const char *w = want;

	while (*w) {
		size_t wl = strcspn(w, ";");
		const char *h = have;
		int found = 0;

		while (*h && !found) {
			size_t hl = strcspn(h, ";");

			found = hl == wl && strncasecmp(h, w, wl) == 0;
			h += hl + (h[hl] == ';');
		}
		if (!found)
			return 0;
		w += wl + (w[wl] == ';');
	}
	return 1;
}

static int cmp_id15_str(const void *a, const void *b)
{
	return memcmp(*(const char *const *)a, *(const char *const *)b, 15);
}

int soql__eval(const struct ectx *x, const struct cond *c, const struct objects_rec *rec)
{
	const struct objects *s = x->s;
	const struct objects_rec *leaf;
	const char *text;
	size_t fi = c->path.field_idx;

	switch (c->kind) {
	case C_AND: return soql__eval(x, c->l, rec) && soql__eval(x, c->r, rec);
	case C_OR: return soql__eval(x, c->l, rec) || soql__eval(x, c->r, rec);
	case C_NOT: return !soql__eval(x, c->l, rec);
	default: break;
	}
	leaf = follow(s, rec, &c->path);
	switch (c->kind) {
	case C_CMP:
		if (c->path.dfn != DF_NONE)
			return cmp_date_fn(leaf, &c->path, &c->vals[0], c->op);
		return cmp_one(leaf, fi, &c->vals[0], c->op);
	case C_IN: case C_NOT_IN: {
		int in = 0;

		size_t len = 0;

		text = leaf ? objects_rec_text(leaf, fi, &len) : NULL;
		if (c->sub != NULL) {
			const struct semi_set *set = &x->sets[c->semi];

			in = text != NULL && len >= 15 &&
			     bsearch(&text, set->ids, set->n, sizeof(*set->ids), cmp_id15_str);
		} else if (c->sorted && (c->vals[0].kind != V_ID || text == NULL || len >= 15)) {
			struct value key = { .s = (char *)(uintptr_t)text };

			in = text != NULL &&
			     bsearch(&key, c->vals, c->nvals, sizeof(*c->vals),
				     c->vals[0].kind == V_ID ? cmp_id15 : cmp_text) != NULL;
		} else {
			for (size_t i = 0; i < c->nvals && !in; i++)
				in = c->path.dfn != DF_NONE ?
				     cmp_date_fn(leaf, &c->path, &c->vals[i], OP_EQ) :
				     cmp_one(leaf, fi, &c->vals[i], OP_EQ);
		}
		return c->kind == C_IN ? in : !in;
	}
	case C_LIKE:
		text = leaf ? objects_rec_text(leaf, fi, NULL) : NULL;
		return text != NULL && soql__like(text, c->vals[0].s);
	case C_INCLUDES: case C_EXCLUDES: {
		int any = 0;

		text = leaf ? objects_rec_text(leaf, fi, NULL) : NULL;
		for (size_t i = 0; i < c->nvals && !any && text; i++)
			any = c->vals[i].s && includes_all(text, c->vals[i].s);
		return c->kind == C_INCLUDES ? any : !any;
	}
	default:
		return 0;
	}
}

int soql__keep(const struct ectx *x, int all_rows, const struct soql_query *q,
	       const struct objects_rec *rec)
{
	if (!all_rows && objects_rec_deleted(rec))
		return 0;
	return q->where == NULL || soql__eval(x, q->where, rec);
}

static void free_semi_sets(struct semi_set *sets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sets[i].ids);
}

/* Runs the subqueries of q's semi- and anti-joins into sets (q->nsemis of them; free
 * them with free_semi_sets). Returns 0 or -1 (out of memory). */
static int semi_sets(const struct soql_query *q, const struct objects *s, int all_rows,
		     struct semi_set *sets)
{
	const struct ectx plain = { s, NULL };

	for (size_t k = 0; k < q->nsemis; k++) {
		const struct soql_query *sub = q->semis[k]->sub;
		const struct path *p = &sub->sels[0].path;
		size_t n = objects_count(s, sub->type);

		sets[k].ids = malloc((n ? n : 1) * sizeof(*sets[k].ids));
		if (sets[k].ids == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const struct objects_rec *rec = objects_at(s, sub->type, i);
			const struct objects_rec *leaf;
			const char *id;
			size_t len = 0;

			if (!soql__keep(&plain, all_rows, sub, rec))
				continue;
			leaf = follow(s, rec, p);
			id = leaf ? objects_rec_text(leaf, p->field_idx, &len) : NULL;
			if (id != NULL && len >= 15)
				sets[k].ids[sets[k].n++] = id;
		}
		qsort(sets[k].ids, sets[k].n, sizeof(*sets[k].ids), cmp_id15_str);
	}
	return 0;
}

/*
 * One pass over the records evaluates WHERE and, when the sort has a rank, ranks each
 * match while it is in the cache (the ranked rows then carry the records themselves).
 */
struct soql_rows *soql_select(struct soql_query *q, const struct objects *s,
			      const struct soql_opts *o, struct sferr *e)
{
	size_t n = objects_count(s, q->type), m = 0, start = 0, end = 0;
	int ranked = !q->count && !q->aggregate && soql__rankable(q);
	struct ranked *a = ranked ? malloc((n ? n : 1) * sizeof(*a)) : NULL;
	const struct objects_rec **recs = ranked ? NULL : malloc((n ? n : 1) * sizeof(*recs));
	struct soql_rows *rows = NULL;
	struct semi_set sets[MAX_SEMI] = { { NULL, 0 } };
	struct ectx x = { s, sets };

	if (ranked ? a == NULL : recs == NULL)
		goto oom;
	if (semi_sets(q, s, o->all_rows, sets) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const struct objects_rec *rec = objects_at(s, q->type, i);

		/* Records lie apart in memory; ask for the next ones early. */
		objects_prefetch(objects_at(s, q->type, i + 8));
		if (!soql__keep(&x, o->all_rows, q, rec))
			continue;
		if (ranked)
			soql__rank_into(s, q, rec, &a[m++]);
		else
			recs[m++] = rec;
	}
	if (q->aggregate) {
		rows = soql__aggregate(q, s, o, &x, recs, m, e);
		free_semi_sets(sets, q->nsemis);
		free(recs);
		return rows;
	}
	if (ranked) {
		recs = malloc((m ? m : 1) * sizeof(*recs));
		if (recs == NULL || soql__sort_ranked(s, q, a, m, recs) < 0)
			goto oom;
	} else if (!q->count && soql__sort_recs(s, q, recs, m) < 0) {
		goto oom;
	}
	start = (size_t)q->offset < m ? (size_t)q->offset : m;
	end = q->limit >= 0 && start + (size_t)q->limit < m ? start + (size_t)q->limit : m;
	rows = soql__rows_new(s, q, q, o->all_rows, recs + start, q->count ? 0 : end - start,
			      end - start);
	if (rows == NULL)
		goto oom;
	free_semi_sets(sets, q->nsemis);
	free(a);
	free(recs);
	return rows;

oom:
	free_semi_sets(sets, q->nsemis);
	free(a);
	free(recs);
	sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	return NULL;
}

/* soql_int: the SOQL module's shared internals (the query tree, tokens, rows, sort keys),
 * for sandbox/soql_*.c only; everything else includes sandbox/soql.h. */
#ifndef I360_SANDBOX_SOQL_INT_H
#define I360_SANDBOX_SOQL_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sandbox/objects.h"
#include "sandbox/sferr.h"
#include "sandbox/soql.h"
#include "util/buf.h"

#define MAX_HOPS 5
#define MAX_SEMI 2		/* semi- and anti-joins in one WHERE, as in Salesforce */

/* ---- Tokens (soql_lex.c) ---- */

enum tok_kind {
	T_EOF, T_IDENT, T_STRING, T_NUMBER, T_DATE, T_DATETIME, T_LPAREN, T_RPAREN, T_COMMA,
	T_COLON, T_OP
};

struct tok {
	enum tok_kind kind;
	const char *start;
	size_t len;
	size_t pos;	/* byte offset into the query text */
	char *str;	/* T_STRING: the decoded value */
};

struct lexer {
	const char *text;
	struct tok *toks;
	size_t n, alloc;
};

/* ---- The query tree ---- */

/* Date functions (soql_date.c); DF_NONE is the field itself. The fiscal year is the
 * calendar year. */
enum date_fn {
	DF_NONE, DF_CALENDAR_MONTH, DF_CALENDAR_QUARTER, DF_CALENDAR_YEAR, DF_DAY_IN_MONTH,
	DF_DAY_IN_WEEK, DF_DAY_IN_YEAR, DF_DAY_ONLY, DF_FISCAL_MONTH, DF_FISCAL_QUARTER,
	DF_FISCAL_YEAR, DF_HOUR_IN_DAY, DF_WEEK_IN_MONTH, DF_WEEK_IN_YEAR, DF__MAX
};
extern const char *const soql__date_fn_names[DF__MAX];

/*
 * A value of each record: a field, maybe through parent relationships, maybe under a
 * date function (of a date or datetime field, in UTC or, with tz, in the user's time
 * zone: convertTimezone). A date function makes an integer, DAY_ONLY a date.
 */
struct path {
	const struct objects_field *hops[MAX_HOPS];	/* reference fields followed */
	size_t hop_idx[MAX_HOPS];			/* their positions in their types */
	const struct objects_type *hop_types[MAX_HOPS];	/* the type each hop reaches */
	int nhops;
	const struct objects_field *field;		/* the leaf */
	size_t field_idx;				/* its position in its type */
	enum date_fn dfn;
	int tz;
};

/* The type of p's values. */
static inline enum objects_ftype path_type(const struct path *p)
{
	if (p->dfn == DF_NONE)
		return p->field->type;
	return p->dfn == DF_DAY_ONLY ? OF_DATE : OF_INT;
}

/* Date function fn of time t (ms): a number (DAY_IN_WEEK: 1 is Sunday; WEEK_IN_YEAR: 1
 * is January 1-7), or for DF_DAY_ONLY the day's midnight in ms. */
int64_t soql__date_fn(enum date_fn fn, int64_t t);

/* Time t (ms, UTC) as the sandbox's user reads it on a clock: t moved by the offset of
 * the user's time zone at that instant. */
int64_t soql__user_time(int64_t t);

/* p's date function of the time t (ms) of p's field, in p's time zone. */
int64_t soql__path_date(const struct path *p, int64_t t);

enum val_kind { V_NULL, V_TEXT, V_ID, V_NUM, V_BOOL, V_TIME };

/* A literal after checking it against its field: times are the range [lo, hi), a
 * point in time being [ms, ms + 1). */
struct value {
	enum val_kind kind;
	char *s;
	double num;
	int b;
	int64_t lo, hi;
};

enum cond_kind { C_AND, C_OR, C_NOT, C_CMP, C_IN, C_NOT_IN, C_LIKE, C_INCLUDES, C_EXCLUDES };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

#define DAY_MS 86400000LL

/* Aggregate functions; AF_NONE is a plain field. */
enum agg_fn { AF_NONE, AF_COUNT, AF_COUNT_DISTINCT, AF_MIN, AF_MAX, AF_SUM, AF_AVG, AF__MAX };

struct cond {
	enum cond_kind kind;
	struct cond *l, *r;	/* C_AND, C_OR: both; C_NOT: l */
	struct path path;
	enum agg_fn fn;		/* HAVING: the aggregate of path compared */
	size_t pos, len;	/* the field's token (a function's text), for errors */
	enum cmp_op op;
	struct value *vals;
	size_t nvals;
	int sorted;		/* C_IN, C_NOT_IN: vals are all V_ID or all V_TEXT, sorted
				 * as they compare, for a binary search */
	struct soql_query *sub;	/* C_IN, C_NOT_IN: a semi- or anti-join's subquery */
	int semi;		/* its position in the query's semis */
};

struct order {
	struct path path;
	enum agg_fn fn;		/* aggregate queries: ORDER BY COUNT(Id) */
	size_t pos, len;	/* the field's token (a function's text), for errors */
	int desc;
	int nulls_last;
};

struct sel {
	struct path path;		/* when sub is NULL */
	enum agg_fn fn;
	char *key;			/* aggregate queries: the alias, exprN or field name;
					 * plain ones: an alias (toLabel), or NULL */
	struct soql_query *sub;		/* a child subquery */
	const struct objects_child *child;
	const struct objects_field *child_field;	/* the child's field pointing up */
};

/*
 * The shape of one output object: "attributes", then one item per selected field, parent
 * relationship (a nested object, merged across the paths through it, at the position of
 * the first) or child subquery, in the order the select list first names them. This is
 * the key order Salesforce answers with.
 */
struct onode {
	const struct objects_type *type;
	size_t type_len;		/* strlen(type->name) */
	struct oitem *items;
	size_t nitems;
};

struct oitem {
	char *key;			/* "Name": with its quotes and colon */
	size_t key_len;
	const struct objects_field *leaf;	/* a field of the node's type, or NULL */
	size_t leaf_idx;
	const struct path *via;		/* an aliased field, read through its path */
	const struct objects_field *hop;	/* a parent relationship, or NULL */
	size_t hop_idx;
	struct onode *node;		/* the parent's fields (with hop) */
	const struct sel *sub;		/* a child subquery, or NULL */
};

struct soql_query {
	atomic_uint refs;		/* top-level queries: the parser's and each rows' */
	struct onode *out;		/* the output shape (not for aggregate queries) */
	const struct objects_type *type;
	const struct objects_child *child;	/* subqueries: the relationship read */
	int count;
	int aggregate;			/* GROUP BY or aggregate functions: AggregateResults */
	struct sel *sels;
	size_t nsels;
	struct cond *where;
	struct cond *semis[MAX_SEMI];	/* the semi- and anti-joins in where (borrowed) */
	size_t nsemis;
	struct path *groups;
	size_t ngroups;
	struct cond *having;
	struct order *orders;
	size_t norders;
	long limit;	/* -1: none */
	long offset;
};

/* ---- Rows and rendering (soql_rows.c, soql_render.c) ---- */

/*
 * The rows of a result: the record versions of the query's time, kept readable by a
 * pin on the store (objects_pin), rendered through q's select list. top is the query q
 * belongs to (q itself, or the parent of a subquery), held so that the rows outlive the
 * caller's reference.
 */
struct soql_rows {
	atomic_uint refs;
	const struct objects *s;
	uint64_t pin;
	struct soql_query *top;
	const struct soql_query *q;
	int all_rows;
	const struct objects_rec **recs;
	size_t n;
	size_t total;
	char *agg;		/* aggregate queries: the n AggregateResults, rendered */
	size_t *agg_off;	/* where each starts in agg (n + 1 offsets) */
};

struct run {
	const struct objects *s;
	const struct soql_opts *o;
	const struct soql_rows *rows;	/* the rows being rendered */
	struct buf *b;			/* the output */
	int failed;			/* out of memory while rendering */
	char base[64];			/* "/services/data/vNN.0/sobjects/" */
	size_t base_len;
};

/* ---- Evaluation (soql_eval.c) ---- */

/* The Ids a semi- or anti-join's subquery selected, sorted on their first 15
 * characters (borrowed from the records, valid while the store lock is held). */
struct semi_set {
	const char **ids;
	size_t n;
};

/* What WHERE is evaluated against: the store, and the sets of the query's semi-joins. */
struct ectx {
	const struct objects *s;
	const struct semi_set *sets;
};

/* ---- Sort keys (soql_sort.c) ---- */

struct skey {
	int null;
	int64_t t;
	double num;
	const char *str;
	int pick;	/* picklists: where str sorts (objects_pick_order) */
};

struct ranked {
	uint64_t rank;
	const struct objects_rec *rec;
};

/* ---- Helpers of the hot paths, inlined where they are used ---- */

/* Follows p's hops from rec; the record holding p's leaf, or NULL. */
static inline const struct objects_rec *follow(const struct objects *s,
					       const struct objects_rec *rec, const struct path *p)
{
	for (int i = 0; i < p->nhops && rec != NULL; i++) {
		rec = objects_follow(s, rec, p->hop_idx[i]);
		if (rec != NULL && objects_rec_type(rec) != p->hop_types[i])
			rec = NULL;
	}
	return rec;
}

static inline int time_cmp(int64_t t, const struct value *lit, enum cmp_op op)
{
	switch (op) {
	case OP_EQ: return t >= lit->lo && t < lit->hi;
	case OP_NE: return !(t >= lit->lo && t < lit->hi);
	case OP_LT: return t < lit->lo;
	case OP_LE: return t < lit->hi;
	case OP_GT: return t >= lit->hi;
	case OP_GE: return t >= lit->lo;
	}
	return 0;
}

/* Both are Ids of at least 15 characters (checked by the parser and the caller). */
static inline int cmp_id15(const void *a, const void *b)
{
	return memcmp(((const struct value *)a)->s, ((const struct value *)b)->s, 15);
}

static inline int cmp_text(const void *a, const void *b)
{
	return strcasecmp(((const struct value *)a)->s, ((const struct value *)b)->s);
}

/* Compares two non-null keys of a field of type ft. A picklist sorts in its defined
 * order, values it does not list last, among themselves as text; the order agrees with
 * text equality ignoring case, which GROUP BY and COUNT_DISTINCT go by. */
static inline int key_cmp(enum objects_ftype ft, const struct skey *ka, const struct skey *kb)
{
	if (ft == OF_PICKLIST && ka->pick != kb->pick)
		return ka->pick < kb->pick ? -1 : 1;
	if (objects_ftype_is_text(ft))
		return strcasecmp(ka->str, kb->str);
	if (ft == OF_ID || ft == OF_REFERENCE)
		return strcmp(ka->str, kb->str);
	if (ft == OF_DATETIME || ft == OF_DATE)
		return ka->t < kb->t ? -1 : ka->t > kb->t;
	return ka->num < kb->num ? -1 : ka->num > kb->num;
}

/* Appends n bytes to the output; a failure (out of memory) sticks. */
static inline void put(struct run *r, const void *p, size_t n)
{
	if (buf_append(r->b, p, n) < 0)
		r->failed = 1;
}

static inline void put_lit(struct run *r, const char *s)
{
	put(r, s, strlen(s));
}

/* ---- Functions shared between the files ---- */

/* soql_lex.c */
int soql__qerr(const char *text, size_t pos, struct sferr *e, const char *code,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int soql__lex(struct lexer *lx, const char *text, struct sferr *e);
void soql__lex_free(struct lexer *lx);

/* soql_query.c */
void soql__free_cond(struct cond *c);
int soql__build_out(struct soql_query *q);

/* soql_eval.c */
int soql__like(const char *s, const char *p);
int soql__eval(const struct ectx *x, const struct cond *c, const struct objects_rec *rec);
int soql__keep(const struct ectx *x, int all_rows, const struct soql_query *q,
	       const struct objects_rec *rec);

/* soql_sort.c */
void soql__read_key(const struct objects *s, const struct path *p,
		    const struct objects_rec *rec, struct skey *k);
int soql__rankable(const struct soql_query *q);
void soql__rank_into(const struct objects *s, const struct soql_query *q,
		     const struct objects_rec *rec, struct ranked *a);
int soql__sort_ranked(const struct objects *s, const struct soql_query *q, struct ranked *a,
		      size_t n, const struct objects_rec **out);
int soql__sort_recs(const struct objects *s, const struct soql_query *q,
		    const struct objects_rec **recs, size_t n);

/* soql_rows.c */
struct soql_rows *soql__rows_new(const struct objects *s, struct soql_query *top,
				 const struct soql_query *q, int all_rows,
				 const struct objects_rec *const *recs, size_t n, size_t total);

/* soql_render.c */
void soql__put_str(struct run *r, const char *s, size_t len);
void soql__put_real(struct run *r, double d);
void soql__put_value(struct run *r, const struct objects_rec *rec, size_t i);

/* soql_aggregate.c */
struct soql_rows *soql__aggregate(struct soql_query *q, const struct objects *s,
				  const struct soql_opts *o, const struct ectx *x,
				  const struct objects_rec **recs, size_t m, struct sferr *e);

#endif

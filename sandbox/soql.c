/* soql: lexer, parser and evaluator of the sandbox's SOQL subset. */
#include "sandbox/soql.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sandbox/sfid.h"
#include "util/buf.h"
#include "util/isotime.h"

#define DAY_MS 86400000LL
#define MAX_HOPS 5
#define MAX_OFFSET 2000
#define MAX_SEMI 2		/* semi- and anti-joins in one WHERE, as in Salesforce */
#define MAX_AGG_ROWS 2000	/* an aggregate result is one batch, never paged */

/* ---- Lexer ---- */

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

/* Formats a Salesforce query error: the offending line, a caret, the locator, then the
 * message. */
static int qerr(const char *text, size_t pos, struct sferr *e, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int qerr(const char *text, size_t pos, struct sferr *e, const char *code,
		const char *fmt, ...)
{
	char msg[600];
	size_t line_start = 0, row = 1, col;
	const char *eol;
	int line_len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < pos && text[i]; i++)
		if (text[i] == '\n') {
			row++;
			line_start = i + 1;
		}
	col = pos - line_start + 1;
	eol = strchr(text + line_start, '\n');
	line_len = (int)(eol ? (size_t)(eol - text - line_start) : strlen(text + line_start));
	if (line_len > 200)
		line_len = 200;
	sferr_set(e, 400, code, "\n%.*s\n%*s^\nERROR at Row:%zu:Column:%zu\n%s", line_len,
		  text + line_start, (int)(col > 200 ? 200 : col - 1), "", row, col, msg);
	return -1;
}

static int lex_push(struct lexer *lx, enum tok_kind k, const char *start, size_t len,
		    char *str)
{
	if (lx->n == lx->alloc) {
		size_t alloc = lx->alloc ? lx->alloc * 2 : 64;
		struct tok *p = realloc(lx->toks, alloc * sizeof(*p));

		if (p == NULL) {
			free(str);
			return -1;
		}
		lx->toks = p;
		lx->alloc = alloc;
	}
	lx->toks[lx->n++] = (struct tok){ k, start, len, (size_t)(start - lx->text), str };
	return 0;
}

static void lex_free(struct lexer *lx)
{
	for (size_t i = 0; i < lx->n; i++)
		free(lx->toks[i].str);
	free(lx->toks);
	lx->toks = NULL;
	lx->n = lx->alloc = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	buf_append(b, u, n);
}

/* Scans a quoted literal starting at p (on the quote); sets *end past it. */
static char *lex_string(const char *text, const char *p, const char **end, struct sferr *e)
{
	struct buf b;
	const char *q = p + 1;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (;; q++) {
		if (*q == '\0') {
			buf_free(&b);
			qerr(text, (size_t)(p - text), e, "MALFORMED_QUERY",
			     "unexpected token: <EOF>: unterminated string literal");
			return NULL;
		}
		if (*q == '\'')
			break;
		if (*q != '\\') {
			buf_append(&b, q, 1);
			continue;
		}
		q++;
		switch (*q) {
		case '\'': case '"': case '\\': buf_append(&b, q, 1); break;
		case 'n': buf_puts(&b, "\n"); break;
		case 'r': buf_puts(&b, "\r"); break;
		case 't': buf_puts(&b, "\t"); break;
		case 'b': buf_puts(&b, "\b"); break;
		case 'f': buf_puts(&b, "\f"); break;
		case '%': case '_':
			/* Kept escaped: only LIKE gives them meaning. */
			buf_append(&b, q - 1, 2);
			break;
		case 'u': {
			unsigned cp = 0;

			for (int i = 1; i <= 4; i++) {
				int h = hexval((unsigned char)q[i]);

				if (h < 0)
					goto bad_escape;
				cp = cp * 16 + (unsigned)h;
			}
			put_utf8(&b, cp);
			q += 4;
			break;
		}
		default:
			goto bad_escape;
		}
	}
	*end = q + 1;
	return buf_detach(&b, NULL);

bad_escape:
	buf_free(&b);
	qerr(text, (size_t)(q - 1 - text), e, "MALFORMED_QUERY",
	     "Invalid string literal '%.40s'. Illegal character sequence '\\%c' in string "
	     "literal.", p, *q ? *q : ' ');
	return NULL;
}

static int is_date_start(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	       isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-';
}

static int lex(struct lexer *lx, const char *text, struct sferr *e)
{
	const char *p = text;

	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	while (*p) {
		const char *s = p;
		char *str = NULL;
		enum tok_kind k;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '\'') {
			str = lex_string(text, p, &p, e);
			if (str == NULL)
				goto fail;
			k = T_STRING;
		} else if (is_date_start(p)) {
			while (isalnum((unsigned char)*p) || (*p && strchr(":.+-", *p)))
				p++;
			k = (size_t)(p - s) == 10 ? T_DATE : T_DATETIME;
		} else if (isdigit((unsigned char)*p) ||
			   ((*p == '-' || *p == '+' || *p == '.') &&
			    isdigit((unsigned char)p[1]))) {
			p++;
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			k = T_NUMBER;
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
				p++;
			k = T_IDENT;
		} else if (*p == '(' || *p == ')' || *p == ',' || *p == ':') {
			k = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN :
			    *p == ',' ? T_COMMA : T_COLON;
			p++;
		} else if (strncmp(p, "!=", 2) == 0 || strncmp(p, "<>", 2) == 0 ||
			   strncmp(p, "<=", 2) == 0 || strncmp(p, ">=", 2) == 0) {
			p += 2;
			k = T_OP;
		} else if (*p == '=' || *p == '<' || *p == '>') {
			p++;
			k = T_OP;
		} else {
			qerr(text, (size_t)(p - text), e, "MALFORMED_QUERY",
			     "line 1:%zu no viable alternative at character '%c'",
			     (size_t)(p - text), *p);
			goto fail;
		}
		if (lex_push(lx, k, s, (size_t)(p - s), str) < 0) {
			sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			goto fail;
		}
	}
	if (lex_push(lx, T_EOF, p, 0, NULL) < 0) {
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	return 0;

fail:
	lex_free(lx);
	return -1;
}

/* ---- The query tree ---- */

struct path {
	const struct objects_field *hops[MAX_HOPS];	/* reference fields followed */
	size_t hop_idx[MAX_HOPS];			/* their positions in their types */
	const struct objects_type *hop_types[MAX_HOPS];	/* the type each hop reaches */
	int nhops;
	const struct objects_field *field;		/* the leaf */
	size_t field_idx;				/* its position in its type */
};

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

/* Aggregate functions; AF_NONE is a plain field. */
enum agg_fn { AF_NONE, AF_COUNT, AF_COUNT_DISTINCT, AF_MIN, AF_MAX, AF_SUM, AF_AVG, AF__MAX };
static const char *const agg_names[AF__MAX] = {
	"", "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG",
};

struct cond {
	enum cond_kind kind;
	struct cond *l, *r;	/* C_AND, C_OR: both; C_NOT: l */
	struct path path;
	enum agg_fn fn;		/* HAVING: the aggregate of path compared */
	size_t pos, len;	/* the field's token, for errors */
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
	size_t pos, len;
	int desc;
	int nulls_last;
};

struct sel {
	struct path path;		/* when sub is NULL */
	enum agg_fn fn;
	char *key;			/* aggregate queries: the alias, exprN or field name */
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

/* ---- Parser ---- */

struct parser {
	const char *text;
	struct tok *t;
	size_t i;
	struct sferr *e;
	int64_t now_ms;
	struct soql_query *cur;	/* the query whose WHERE is being read */
	const char *no_semi;	/* where a semi-join may not be: the error to give */
	int having;		/* reading HAVING: aggregates may be compared */
};

static struct tok *peek(struct parser *p)
{
	return &p->t[p->i];
}

static int is_kw(const struct tok *t, const char *kw)
{
	return t->kind == T_IDENT && t->len == strlen(kw) && strncasecmp(t->start, kw, t->len) == 0;
}

static int accept_kw(struct parser *p, const char *kw)
{
	if (!is_kw(peek(p), kw))
		return 0;
	p->i++;
	return 1;
}

static int unexpected(struct parser *p)
{
	struct tok *t = peek(p);

	if (t->kind == T_EOF)
		return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: <EOF>");
	return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: '%.*s'",
		    (int)t->len, t->start);
}

static int expect(struct parser *p, enum tok_kind k)
{
	if (peek(p)->kind != k)
		return unexpected(p);
	p->i++;
	return 0;
}

static int expect_kw(struct parser *p, const char *kw)
{
	return accept_kw(p, kw) ? 0 : unexpected(p);
}

static const char *const reserved[] = {
	"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "INCLUDES", "EXCLUDES",
	"ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "NULL",
	"TRUE", "FALSE", "GROUP", "HAVING", NULL,
};

static int is_reserved(const struct tok *t)
{
	for (int i = 0; reserved[i]; i++)
		if (is_kw(t, reserved[i]))
			return 1;
	return 0;
}

static void free_values(struct value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

static void free_cond(struct cond *c)
{
	if (c == NULL)
		return;
	free_cond(c->l);
	free_cond(c->r);
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
static int build_out(struct soql_query *q)
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
	free_cond(q->where);
	free(q->groups);
	free_cond(q->having);
	free(q->orders);
	free(q);
}

/* Resolves a dotted name (token t) on type into *out. */
static int resolve_path(struct parser *p, const struct objects_type *type, const struct tok *t,
			struct path *out)
{
	char name[512];
	char *seg, *save = NULL, *next;
	const struct objects_type *cur = type;
	size_t off;

	if (t->len >= sizeof(name))
		return qerr(p->text, t->pos, p->e, "INVALID_FIELD", "field name too long");
	memcpy(name, t->start, t->len);
	name[t->len] = '\0';
	memset(out, 0, sizeof(*out));
	seg = strtok_r(name, ".", &save);
	next = strtok_r(NULL, ".", &save);
	/* "Account.Name" in a query FROM Account names the object itself. */
	if (next != NULL && strcasecmp(seg, type->name) == 0) {
		seg = next;
		next = strtok_r(NULL, ".", &save);
	}
	while (seg != NULL) {
		off = t->pos + (size_t)(seg - name);
		if (next == NULL) {
			out->field = objects_field_find(cur, seg);
			if (out->field != NULL)
				out->field_idx = objects_field_index(cur, out->field);
			if (out->field == NULL)
				return qerr(p->text, off, p->e, "INVALID_FIELD",
					    "No such column '%s' on entity '%s'. If you are "
					    "attempting to use a custom field, be sure to append the "
					    "'__c' after the custom field name. Please reference your "
					    "WSDL or the describe call for the appropriate names.",
					    seg, cur->name);
			return 0;
		}
		{
			const struct objects_field *ref = objects_rel_find(cur, seg);

			if (ref == NULL || ref->reference_to == NULL || out->nhops == MAX_HOPS ||
			    objects_type_find(ref->reference_to) == NULL)
				return qerr(p->text, off, p->e, "INVALID_FIELD",
					    "Didn't understand relationship '%s' in field path. If "
					    "you are attempting to use a custom relationship, be sure "
					    "to append the '__r' after the custom relationship name. "
					    "Please reference your WSDL or the describe call for the "
					    "appropriate names.", seg);
			out->hop_idx[out->nhops] = objects_field_index(cur, ref);
			cur = objects_type_find(ref->reference_to);
			out->hops[out->nhops] = ref;
			out->hop_types[out->nhops++] = cur;
		}
		seg = next;
		next = strtok_r(NULL, ".", &save);
	}
	return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: '.'");
}

static int path_eq(const struct path *a, const struct path *b)
{
	if (a->field != b->field || a->nhops != b->nhops)
		return 0;
	for (int i = 0; i < a->nhops; i++)
		if (a->hops[i] != b->hops[i])
			return 0;
	return 1;
}

static const char *type_word(enum objects_ftype t)
{
	switch (t) {
	case OF_DATETIME: return "dateTime";
	case OF_DATE: return "date";
	case OF_BOOLEAN: return "boolean";
	case OF_DOUBLE: return "double";
	case OF_INT: return "int";
	case OF_ID: case OF_REFERENCE: return "id";
	default: return "string";
	}
}

static int wrong_type(struct parser *p, const struct tok *t, const struct objects_field *f)
{
	int quoted = objects_ftype_is_text(f->type) || f->type == OF_ID ||
		     f->type == OF_REFERENCE;

	return qerr(p->text, t->pos, p->e, "INVALID_FIELD",
		    "value of filter criterion for field '%s' must be of type %s and should %sbe "
		    "enclosed in quotes", f->name, type_word(f->type), quoted ? "" : "not ");
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The periods of Salesforce's date literals. The org's fiscal year is the calendar year
 * (Salesforce's default), so FISCAL_QUARTER and FISCAL_YEAR are QUARTER and YEAR. */
enum period { P_DAY, P_WEEK, P_MONTH, P_QUARTER, P_YEAR, P_FISCAL_QUARTER, P_FISCAL_YEAR,
	      P__MAX };
static const char *const period_names[P__MAX] = {
	"DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "FISCAL_QUARTER", "FISCAL_YEAR",
};

/* The start of the period k periods after the one holding now_ms (k = 0: this one).
 * Weeks start on Sunday (the en_US locale); times are UTC. */
static int64_t period_start(int64_t now_ms, enum period u, int64_t k)
{
	int64_t days = floor_div(now_ms, DAY_MS), y, m, step;
	time_t secs;
	struct tm tm;

	switch (u) {
	case P_DAY:
		return (days + k) * DAY_MS;
	case P_WEEK:	/* 1970-01-01 was a Thursday: day 0 is weekday 4 */
		return (days - (days + 4 - floor_div(days + 4, 7) * 7) + 7 * k) * DAY_MS;
	default:
		break;
	}
	secs = (time_t)(days * 86400);
	gmtime_r(&secs, &tm);
	step = u == P_MONTH ? 1 : (u == P_QUARTER || u == P_FISCAL_QUARTER) ? 3 : 12;
	m = floor_div((int64_t)tm.tm_year * 12 + tm.tm_mon, step) * step + k * step;
	y = floor_div(m, 12);
	return isotime_days_from_civil(1900 + y, (unsigned)(m - y * 12) + 1, 1) * DAY_MS;
}

/* Whether t is prefix + the period's name + suffix ("LAST_N_" "WEEK" "S"). */
static int is_period_kw(const struct tok *t, const char *prefix, enum period u,
			const char *suffix)
{
	char kw[48];

	snprintf(kw, sizeof(kw), "%s%s%s", prefix, period_names[u], suffix);
	return is_kw(t, kw);
}

/*
 * Parses a date literal (TODAY, THIS_WEEK, LAST_N_MONTHS:n, N_DAYS_AGO:n, ...) at the
 * current token into [lo, hi); returns 1 when one was there, 0 when not, -1 on error.
 * As Salesforce defines them: LAST_N_DAYS:n takes in today, LAST_N_WEEKS:n and the
 * other LAST_N_ forms end where the current period starts; NEXT_N_ forms start with
 * the next period; N_..._AGO:n is the one period n periods back.
 */
static int parse_date_fn(struct parser *p, int64_t *lo, int64_t *hi)
{
	struct tok *t = peek(p);
	int64_t now = p->now_ms, from = 0, to = 0;
	static const struct { const char *name; int from, to; } days[] = {
		{ "TODAY", 0, 1 }, { "YESTERDAY", -1, 0 }, { "TOMORROW", 1, 2 },
		{ "LAST_90_DAYS", -90, 1 }, { "NEXT_90_DAYS", 1, 91 },
	};
	enum { LAST_N, NEXT_N, AGO } form;
	enum period u;
	long n;
	char *end;

	if (t->kind != T_IDENT)
		return 0;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (is_kw(t, days[i].name)) {
			*lo = period_start(now, P_DAY, days[i].from);
			*hi = period_start(now, P_DAY, days[i].to);
			p->i++;
			return 1;
		}
	for (u = P_WEEK; u < P__MAX; u++) {
		int k = is_period_kw(t, "LAST_", u, "") ? -1 : is_period_kw(t, "THIS_", u, "") ?
			0 : is_period_kw(t, "NEXT_", u, "") ? 1 : 2;

		if (k != 2) {
			*lo = period_start(now, u, k);
			*hi = period_start(now, u, k + 1);
			p->i++;
			return 1;
		}
	}
	for (u = P_DAY; u < P__MAX; u++) {
		if (is_period_kw(t, "LAST_N_", u, "S"))
			form = LAST_N;
		else if (is_period_kw(t, "NEXT_N_", u, "S"))
			form = NEXT_N;
		else if (is_period_kw(t, "N_", u, "S_AGO"))
			form = AGO;
		else
			continue;
		break;
	}
	if (u == P__MAX)
		return 0;
	p->i++;
	if (expect(p, T_COLON) < 0)
		return -1;
	t = peek(p);
	n = t->kind == T_NUMBER ? strtol(t->start, &end, 10) : -1;
	if (t->kind != T_NUMBER || end != t->start + t->len || n < 0)
		return unexpected(p);
	p->i++;
	/* Beyond ten thousand years every date is inside anyway; the cap keeps the sums
	 * from overflowing. */
	if (n > 4000000)
		n = 4000000;
	if (form == LAST_N) {
		from = -n;
		to = u == P_DAY ? 1 : 0;
	} else if (form == NEXT_N) {
		from = 1;
		to = n + 1;
	} else {
		from = -n;
		to = -n + 1;
	}
	*lo = period_start(now, u, from);
	*hi = period_start(now, u, to);
	return 1;
}

/* Parses one literal for field f into *v. */
static int parse_value(struct parser *p, const struct objects_field *f, struct value *v)
{
	struct tok *t = peek(p);
	enum objects_ftype ft = f->type;
	int rc;

	memset(v, 0, sizeof(*v));
	if (is_kw(t, "NULL")) {
		v->kind = V_NULL;
		p->i++;
		return 0;
	}
	if ((rc = parse_date_fn(p, &v->lo, &v->hi)) != 0) {
		if (rc < 0)
			return -1;
		if (ft != OF_DATETIME && ft != OF_DATE)
			return wrong_type(p, t, f);
		v->kind = V_TIME;
		return 0;
	}
	switch (t->kind) {
	case T_STRING:
		if (ft == OF_ID || ft == OF_REFERENCE) {
			if (!sfid_valid(t->str))
				return qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
					    "invalid ID field: %s", t->str);
			v->kind = V_ID;
		} else if (objects_ftype_is_text(ft)) {
			v->kind = V_TEXT;
		} else {
			return wrong_type(p, t, f);
		}
		v->s = strdup(t->str);
		break;
	case T_NUMBER: {
		char *end;

		if (ft != OF_DOUBLE && ft != OF_INT)
			return wrong_type(p, t, f);
		v->kind = V_NUM;
		v->num = strtod(t->start, &end);
		if (end != t->start + t->len)
			return unexpected(p);
		break;
	}
	case T_DATE: case T_DATETIME: {
		char lit[64];
		int64_t ms;
		char last;

		if (ft != OF_DATETIME && ft != OF_DATE)
			return wrong_type(p, t, f);
		if (t->len >= sizeof(lit))
			return unexpected(p);
		memcpy(lit, t->start, t->len);
		lit[t->len] = '\0';
		last = lit[t->len - 1];
		if (t->kind == T_DATE) {
			if (ft != OF_DATE || isotime_parse_date_ms(lit, &ms) < 0)
				return wrong_type(p, t, f);
			v->lo = ms;
			v->hi = ms + DAY_MS;
		} else {
			/* SOQL wants the zone written out: Z or an offset. */
			if (ft != OF_DATETIME || t->len < 20 || isotime_parse_ms(lit, &ms) < 0 ||
			    !(last == 'Z' || last == 'z' || strpbrk(lit + 19, "+-")))
				return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
					    "line 1:%zu no viable alternative at character ' '",
					    t->pos);
			v->lo = ms;
			v->hi = ms + 1;
		}
		v->kind = V_TIME;
		break;
	}
	case T_IDENT:
		if (is_kw(t, "TRUE") || is_kw(t, "FALSE")) {
			if (ft != OF_BOOLEAN)
				return wrong_type(p, t, f);
			v->kind = V_BOOL;
			v->b = is_kw(t, "TRUE");
			break;
		}
		return unexpected(p);
	default:
		return unexpected(p);
	}
	p->i++;
	return 0;
}

static int parse_op(const struct tok *t, enum cmp_op *op)
{
	static const struct { const char *s; enum cmp_op op; } ops[] = {
		{ "=", OP_EQ }, { "!=", OP_NE }, { "<>", OP_NE }, { "<", OP_LT }, { "<=", OP_LE },
		{ ">", OP_GT }, { ">=", OP_GE },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (t->len == strlen(ops[i].s) && strncmp(t->start, ops[i].s, t->len) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

static int parse_value_list(struct parser *p, struct cond *c, const struct objects_field *f)
{
	size_t alloc = 0;

	if (expect(p, T_LPAREN) < 0)
		return -1;
	for (;;) {
		if (c->nvals == alloc) {
			struct value *nv;

			alloc = alloc ? alloc * 2 : 8;
			nv = realloc(c->vals, alloc * sizeof(*nv));
			if (nv == NULL)
				return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			c->vals = nv;
		}
		if (parse_value(p, f, &c->vals[c->nvals]) < 0)
			return -1;
		c->nvals++;
		if (peek(p)->kind == T_RPAREN)
			break;
		if (expect(p, T_COMMA) < 0)
			return -1;
	}
	p->i++;
	return 0;
}

/* The aggregate function whose name and "(" are at the current token, or AF_NONE. */
static enum agg_fn agg_at(struct parser *p)
{
	if (peek(p)->kind != T_IDENT || p->t[p->i + 1].kind != T_LPAREN)
		return AF_NONE;
	for (int fn = AF_COUNT; fn < AF__MAX; fn++)
		if (is_kw(peek(p), agg_names[fn]))
			return (enum agg_fn)fn;
	return AF_NONE;
}

/* Whether Salesforce applies fn to fields of type t: SUM and AVG take numbers; COUNT,
 * COUNT_DISTINCT, MIN and MAX take neither checkboxes, multi-select picklists, text
 * areas nor base64. */
static int agg_applies(enum agg_fn fn, enum objects_ftype t)
{
	if (fn == AF_SUM || fn == AF_AVG)
		return t == OF_DOUBLE || t == OF_INT;
	return t != OF_BOOLEAN && t != OF_MULTIPICKLIST && t != OF_TEXTAREA && t != OF_BASE64;
}

/*
 * Parses "FN(field)" at the current token (agg_at said so) on type into *fn and *path;
 * *tok gets the field's token. Refuses a field the function does not apply to.
 */
static int parse_agg(struct parser *p, const struct objects_type *type, enum agg_fn *fn,
		     struct path *path, struct tok **tok)
{
	*fn = agg_at(p);
	p->i += 2;
	*tok = peek(p);
	if ((*tok)->kind != T_IDENT || is_reserved(*tok))
		return unexpected(p);
	if (resolve_path(p, type, *tok, path) < 0)
		return -1;
	p->i++;
	if (expect(p, T_RPAREN) < 0)
		return -1;
	if (!agg_applies(*fn, path->field->type))
		return qerr(p->text, (*tok)->pos, p->e, "MALFORMED_QUERY",
			    "field %s does not support aggregate operator %s", path->field->name,
			    agg_names[*fn]);
	return 0;
}

/* The types HAVING compares an aggregate's value with: counts are integers, sums and
 * averages numbers; MIN and MAX have their field's type. */
static const struct objects_field agg_count_field = { .name = "COUNT", .type = OF_INT };
static const struct objects_field agg_sum_field = { .name = "SUM", .type = OF_DOUBLE };
static const struct objects_field agg_avg_field = { .name = "AVG", .type = OF_DOUBLE };

static const struct objects_field *agg_value_field(enum agg_fn fn, const struct objects_field *f)
{
	switch (fn) {
	case AF_COUNT: case AF_COUNT_DISTINCT: return &agg_count_field;
	case AF_SUM: return &agg_sum_field;
	case AF_AVG: return &agg_avg_field;
	default: return f;
	}
}

static struct cond *parse_or(struct parser *p, const struct objects_type *type);

/* IN lists of Ids or text compare each record with every value; sorted, they take a
 * binary search (the sync's query lists every linked rep). */
/* Both are Ids of at least 15 characters (checked by the parser and the caller). */
static int cmp_id15(const void *a, const void *b)
{
	return memcmp(((const struct value *)a)->s, ((const struct value *)b)->s, 15);
}

static int cmp_text(const void *a, const void *b)
{
	return strcasecmp(((const struct value *)a)->s, ((const struct value *)b)->s);
}

static void sort_in_list(struct cond *c)
{
	enum val_kind k = c->nvals ? c->vals[0].kind : V_NULL;

	if (k != V_ID && k != V_TEXT)
		return;
	for (size_t i = 0; i < c->nvals; i++)
		if (c->vals[i].kind != k || c->vals[i].s == NULL)
			return;
	qsort(c->vals, c->nvals, sizeof(*c->vals), k == V_ID ? cmp_id15 : cmp_text);
	c->sorted = 1;
}

static struct soql_query *parse_query(struct parser *p, const struct objects_type *parent,
				      int semi);

/*
 * Parses the semi-join (IN) or anti-join (NOT IN) subquery whose "(" is the current
 * token into c, under Salesforce's rules: at most MAX_SEMI per WHERE, only in the
 * top-level WHERE, the left operand an Id or reference field of the queried object.
 */
static int parse_semi(struct parser *p, struct cond *c, const struct tok *ft)
{
	struct soql_query *cur = p->cur;
	const char *no_semi = p->no_semi;
	enum objects_ftype ty = c->path.field->type;

	c->pos = p->t[p->i + 1].pos;
	if (no_semi != NULL)
		return qerr(p->text, c->pos, p->e, "MALFORMED_QUERY", "%s", no_semi);
	if (c->path.nhops > 0 || (ty != OF_ID && ty != OF_REFERENCE))
		return qerr(p->text, ft->pos, p->e, "MALFORMED_QUERY",
			    "semi join sub selects are only supported on Id or reference fields of "
			    "the queried object, cannot use: '%.*s'", (int)ft->len, ft->start);
	if (cur->nsemis == MAX_SEMI)
		return qerr(p->text, c->pos, p->e, "MALFORMED_QUERY",
			    "Maximum %d semi join sub-selects are allowed", MAX_SEMI);
	p->i++;
	p->no_semi = "Nesting of semi join sub-selects is not supported";
	c->sub = parse_query(p, NULL, 1);
	p->no_semi = no_semi;
	p->cur = cur;
	if (c->sub == NULL || expect(p, T_RPAREN) < 0)
		return -1;
	c->semi = (int)cur->nsemis;
	cur->semis[cur->nsemis++] = c;
	return 0;
}

static struct cond *parse_primary(struct parser *p, const struct objects_type *type)
{
	struct cond *c = calloc(1, sizeof(*c));
	struct tok *ft, *t;
	const struct objects_field *vf;	/* the type literals must have */
	enum objects_ftype ty;

	if (c == NULL) {
		sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		return NULL;
	}
	if (accept_kw(p, "NOT")) {
		c->kind = C_NOT;
		c->l = parse_primary(p, type);
		if (c->l == NULL)
			goto fail;
		return c;
	}
	if (peek(p)->kind == T_LPAREN) {
		free(c);
		p->i++;
		c = parse_or(p, type);
		if (c == NULL)
			return NULL;
		if (expect(p, T_RPAREN) < 0)
			goto fail;
		return c;
	}
	if (p->having && agg_at(p) != AF_NONE) {
		if (parse_agg(p, type, &c->fn, &c->path, &ft) < 0)
			goto fail;
	} else {
		ft = peek(p);
		if (ft->kind != T_IDENT || is_reserved(ft)) {
			unexpected(p);
			goto fail;
		}
		if (resolve_path(p, type, ft, &c->path) < 0)
			goto fail;
		p->i++;
	}
	c->pos = ft->pos;
	c->len = ft->len;
	t = peek(p);
	vf = agg_value_field(c->fn, c->path.field);
	ty = vf->type;
	if (accept_kw(p, "IN") || (is_kw(t, "NOT") && is_kw(&p->t[p->i + 1], "IN"))) {
		if (is_kw(t, "NOT"))
			p->i += 2;
		c->kind = is_kw(t, "NOT") ? C_NOT_IN : C_IN;
		if (peek(p)->kind == T_LPAREN && is_kw(&p->t[p->i + 1], "SELECT")) {
			if (c->fn != AF_NONE) {
				unexpected(p);
				goto fail;
			}
			if (parse_semi(p, c, ft) < 0)
				goto fail;
			return c;
		}
		if (parse_value_list(p, c, vf) < 0)
			goto fail;
		sort_in_list(c);
		return c;
	}
	if (accept_kw(p, "INCLUDES") || accept_kw(p, "EXCLUDES")) {
		c->kind = is_kw(t, "INCLUDES") ? C_INCLUDES : C_EXCLUDES;
		if (ty != OF_MULTIPICKLIST) {
			qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
			     "includes or excludes operator only valid on multipicklist field");
			goto fail;
		}
		if (parse_value_list(p, c, vf) < 0)
			goto fail;
		return c;
	}
	if (accept_kw(p, "LIKE")) {
		c->kind = C_LIKE;
		if (!objects_ftype_is_text(ty) && ty != OF_ID && ty != OF_REFERENCE) {
			qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
			     "invalid operator on %s field: LIKE", type_word(ty));
			goto fail;
		}
		c->vals = calloc(1, sizeof(*c->vals));
		c->nvals = 1;
		if (peek(p)->kind != T_STRING) {
			if (peek(p)->kind == T_EOF)
				unexpected(p);
			else
				wrong_type(p, peek(p), vf);
			goto fail;
		}
		c->vals[0].kind = V_TEXT;
		c->vals[0].s = strdup(peek(p)->str);
		p->i++;
		return c;
	}
	if (t->kind != T_OP || parse_op(t, &c->op) < 0) {
		unexpected(p);
		goto fail;
	}
	p->i++;
	c->kind = C_CMP;
	c->vals = calloc(1, sizeof(*c->vals));
	c->nvals = 1;
	if (parse_value(p, vf, &c->vals[0]) < 0)
		goto fail;
	if (c->vals[0].kind == V_NULL && c->op != OP_EQ && c->op != OP_NE) {
		qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
		     "invalid operator on null value");
		goto fail;
	}
	if (ty == OF_BOOLEAN && c->op != OP_EQ && c->op != OP_NE) {
		qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
		     "invalid operator on boolean field: %.*s", (int)t->len, t->start);
		goto fail;
	}
	return c;

fail:
	free_cond(c);
	return NULL;
}

/* AND and OR chains; Salesforce refuses to mix them at one level without
 * parentheses, and so does this. */
static struct cond *parse_or(struct parser *p, const struct objects_type *type)
{
	struct cond *left = parse_primary(p, type);
	int mode = -1;	/* C_AND or C_OR once chosen */

	while (left != NULL) {
		struct tok *t = peek(p);
		int k = is_kw(t, "AND") ? C_AND : is_kw(t, "OR") ? C_OR : -1;
		struct cond *c;

		if (k < 0)
			break;
		if (mode >= 0 && k != mode) {
			unexpected(p);
			free_cond(left);
			return NULL;
		}
		mode = k;
		p->i++;
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			free_cond(left);
			sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			return NULL;
		}
		c->kind = (enum cond_kind)k;
		c->l = left;
		c->r = parse_primary(p, type);
		left = c;
		if (c->r == NULL) {
			free_cond(left);
			return NULL;
		}
	}
	return left;
}

static int parse_long(struct parser *p, long *out)
{
	struct tok *t = peek(p);
	char *end;

	if (t->kind != T_NUMBER)
		return unexpected(p);
	*out = strtol(t->start, &end, 10);
	if (end != t->start + t->len || *out < 0)
		return unexpected(p);
	p->i++;
	return 0;
}

static int parse_order(struct parser *p, struct soql_query *q)
{
	size_t alloc = 0;

	do {
		struct order *o;
		struct tok *t = peek(p);

		if (q->norders == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			o = realloc(q->orders, alloc * sizeof(*o));
			if (o == NULL)
				return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			q->orders = o;
		}
		o = &q->orders[q->norders];
		memset(o, 0, sizeof(*o));
		if (agg_at(p) != AF_NONE) {
			if (parse_agg(p, q->type, &o->fn, &o->path, &t) < 0)
				return -1;
		} else {
			if (t->kind != T_IDENT || is_reserved(t))
				return unexpected(p);
			if (resolve_path(p, q->type, t, &o->path) < 0)
				return -1;
			p->i++;
		}
		o->pos = t->pos;
		o->len = t->len;
		q->norders++;
		if (accept_kw(p, "DESC"))
			o->desc = 1;
		else
			accept_kw(p, "ASC");
		/* Salesforce puts nulls first when ascending and last when descending. */
		o->nulls_last = o->desc;
		if (accept_kw(p, "NULLS")) {
			if (accept_kw(p, "LAST"))
				o->nulls_last = 1;
			else if (accept_kw(p, "FIRST"))
				o->nulls_last = 0;
			else
				return unexpected(p);
		}
	} while (peek(p)->kind == T_COMMA && (p->i++, 1));
	return 0;
}

/* A select item before FROM is known: its token, or a nested subquery start. */
struct raw_item {
	size_t tok;		/* the name token, or the SELECT token of a subquery */
	int sub;
	enum agg_fn fn;		/* FN(name): tok is name's */
	size_t alias;		/* the alias token, or 0 */
};

/* Parses a child subquery whose "(" is at the current token, against parent. */
static int parse_sub(struct parser *p, const struct objects_type *parent, struct sel *s)
{
	const char *no_semi = p->no_semi;

	p->i++;	/* "(" */
	p->no_semi = "Semi join sub-selects are only allowed at the top level WHERE expressions.";
	s->sub = parse_query(p, parent, 0);
	p->no_semi = no_semi;
	if (s->sub == NULL)
		return -1;
	return expect(p, T_RPAREN);
}

/*
 * Reads the select list up to FROM into *items (*n of them; the caller frees *items),
 * resolving nothing yet: the list comes before FROM names its object. Sets q->count for
 * COUNT().
 */
static int read_select(struct parser *p, struct soql_query *q, const struct objects_type *parent,
		       struct raw_item **items, size_t *n)
{
	size_t alloc = 0;

	for (;;) {
		struct tok *t = peek(p);
		struct raw_item *it;

		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			it = realloc(*items, alloc * sizeof(*it));
			if (it == NULL)
				return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			*items = it;
		}
		it = &(*items)[*n];
		memset(it, 0, sizeof(*it));
		if (is_kw(t, "COUNT") && p->t[p->i + 1].kind == T_LPAREN &&
		    p->t[p->i + 2].kind == T_RPAREN) {
			if (*n > 0 || parent != NULL)
				return unexpected(p);
			p->i += 3;
			q->count = 1;
		} else if (agg_at(p) != AF_NONE) {
			if (parent != NULL)
				return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
					    "only root queries support aggregate expressions");
			it->fn = agg_at(p);
			p->i += 2;
			if (peek(p)->kind != T_IDENT || is_reserved(peek(p)))
				return unexpected(p);
			it->tok = p->i++;
			if (expect(p, T_RPAREN) < 0)
				return -1;
			(*n)++;
		} else if (t->kind == T_LPAREN && parent == NULL &&
			   is_kw(&p->t[p->i + 1], "SELECT")) {
			/* Skip the subquery for now: find its closing parenthesis. */
			int depth = 0;

			it->tok = p->i;
			it->sub = 1;
			(*n)++;
			do {
				if (peek(p)->kind == T_LPAREN)
					depth++;
				else if (peek(p)->kind == T_RPAREN)
					depth--;
				else if (peek(p)->kind == T_EOF)
					return unexpected(p);
				p->i++;
			} while (depth > 0);
		} else if (t->kind == T_IDENT && !is_reserved(t)) {
			it->tok = p->i++;
			(*n)++;
		} else {
			return unexpected(p);
		}
		/* An alias is a name before "," or FROM ("SELECT Id FORM X" is a typo). */
		if (!q->count && !it->sub && peek(p)->kind == T_IDENT && !is_reserved(peek(p)) &&
		    (p->t[p->i + 1].kind == T_COMMA || is_kw(&p->t[p->i + 1], "FROM")))
			it->alias = p->i++;
		if (peek(p)->kind != T_COMMA)
			return 0;
		if (q->count)
			return unexpected(p);
		p->i++;
	}
}

/* Whether path is one of q's GROUP BY fields. */
static int is_grouped(const struct soql_query *q, const struct path *path)
{
	for (size_t i = 0; i < q->ngroups; i++)
		if (path_eq(&q->groups[i], path))
			return 1;
	return 0;
}

/* Parses the GROUP BY list at the current token (after "GROUP BY"). */
static int parse_group(struct parser *p, struct soql_query *q)
{
	size_t alloc = 0;

	do {
		struct tok *t = peek(p);
		struct path path;

		if (t->kind != T_IDENT || is_reserved(t))
			return unexpected(p);
		if (resolve_path(p, q->type, t, &path) < 0)
			return -1;
		if (!objects_field_groupable(path.field))
			return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				    "field '%s' can not be grouped in a query call",
				    path.field->name);
		p->i++;
		if (is_grouped(q, &path))
			continue;
		if (q->ngroups == alloc) {
			struct path *g;

			alloc = alloc ? alloc * 2 : 4;
			g = realloc(q->groups, alloc * sizeof(*g));
			if (g == NULL)
				return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			q->groups = g;
		}
		q->groups[q->ngroups++] = path;
	} while (peek(p)->kind == T_COMMA && (p->i++, 1));
	return 0;
}

/* Where semi-joins sit in a WHERE tree: only under AND, as Salesforce allows. */
enum { UNDER_TOP, UNDER_OR, UNDER_NOT };

static int check_semi_place(struct parser *p, const struct cond *c, int under)
{
	switch (c->kind) {
	case C_AND:
		return check_semi_place(p, c->l, under) < 0 ? -1 : check_semi_place(p, c->r, under);
	case C_OR:
		return check_semi_place(p, c->l, UNDER_OR) < 0 ? -1 :
		       check_semi_place(p, c->r, UNDER_OR);
	case C_NOT:
		return check_semi_place(p, c->l, under == UNDER_TOP ? UNDER_NOT : under);
	default:
		if (c->sub == NULL || under == UNDER_TOP)
			return 0;
		return qerr(p->text, c->pos, p->e, "MALFORMED_QUERY", "%s", under == UNDER_OR ?
			    "Semi join sub-selects are not allowed with the 'OR' operator" :
			    "Semi join sub-selects are only allowed at the top level WHERE "
			    "expressions.");
	}
}

/* HAVING compares aggregates and grouped fields only. */
static int check_having(struct parser *p, const struct soql_query *q, const struct cond *c)
{
	switch (c->kind) {
	case C_AND: case C_OR:
		return check_having(p, q, c->l) < 0 ? -1 : check_having(p, q, c->r);
	case C_NOT:
		return check_having(p, q, c->l);
	default:
		if (c->fn != AF_NONE || is_grouped(q, &c->path))
			return 0;
		return qerr(p->text, c->pos, p->e, "MALFORMED_QUERY",
			    "Field must be grouped or aggregated: %.*s", (int)c->len,
			    p->text + c->pos);
	}
}

/* Sets s->key, the name the item has in an AggregateResult: its alias, exprN (*expr
 * counts the unnamed aggregates) or its field's name without the path. */
static int set_key(struct parser *p, const struct soql_query *q, struct sel *s,
		   const struct raw_item *it, int *expr)
{
	char name[256];
	const struct tok *a = it->alias ? &p->t[it->alias] : NULL;

	if (a != NULL)
		snprintf(name, sizeof(name), "%.*s", (int)a->len, a->start);
	else if (s->fn != AF_NONE)
		snprintf(name, sizeof(name), "expr%d", (*expr)++);
	else
		snprintf(name, sizeof(name), "%s", s->path.field->name);
	for (size_t j = 0; j < q->nsels; j++)
		if (strcasecmp(q->sels[j].key, name) == 0)
			return qerr(p->text, a ? a->pos : p->t[it->tok].pos, p->e,
				    "MALFORMED_QUERY", "duplicate alias: %s", name);
	s->key = strdup(name);
	return s->key ? 0 : sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
}

/* Resolves one plain or aggregate select item into s, with q's rules. */
static int resolve_item(struct parser *p, struct soql_query *q, struct sel *s,
			const struct raw_item *it, int semi, int *expr)
{
	struct tok *t = &p->t[it->tok];

	if (semi && (it->fn != AF_NONE || it->alias))
		return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
			    "semi join sub selects can only query id fields, cannot use: '%.*s'",
			    (int)t->len, t->start);
	if (it->alias && !q->aggregate)
		return qerr(p->text, p->t[it->alias].pos, p->e, "MALFORMED_QUERY",
			    "only aggregate expressions use field aliasing");
	if (resolve_path(p, q->type, t, &s->path) < 0)
		return -1;
	s->fn = it->fn;
	if (s->fn != AF_NONE && !agg_applies(s->fn, s->path.field->type))
		return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
			    "field %s does not support aggregate operator %s",
			    s->path.field->name, agg_names[s->fn]);
	if (semi) {
		enum objects_ftype ty = s->path.field->type;

		if (ty != OF_ID && ty != OF_REFERENCE)
			return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				    "semi join sub selects can only query id fields, cannot "
				    "use: '%.*s'", (int)t->len, t->start);
		if (s->path.nhops > 1)
			return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				    "inner select field cannot have more than one level of "
				    "relationships");
	}
	if (q->aggregate) {
		if (s->fn == AF_NONE && !is_grouped(q, &s->path))
			return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				    "Field must be grouped or aggregated: %.*s", (int)t->len,
				    t->start);
		return set_key(p, q, s, it, expr);
	}
	for (size_t j = 0; j < q->nsels; j++)
		if (!q->sels[j].sub && path_eq(&q->sels[j].path, &s->path))
			return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				    "duplicate field selected: %.*s", (int)t->len, t->start);
	return 0;
}

/* Resolves the select list against q's object; p->i is left where it was. */
static int resolve_select(struct parser *p, struct soql_query *q, const struct raw_item *items,
			  size_t nitems, int semi)
{
	size_t end = p->i;
	int expr = 0;

	if (semi && nitems != 1) {
		struct tok *t = &p->t[items[nitems > 1 ? 1 : 0].tok];

		return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
			    "semi join sub selects can only query one id field");
	}
	q->sels = calloc(nitems ? nitems : 1, sizeof(*q->sels));
	if (q->sels == NULL)
		return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	for (size_t k = 0; k < nitems; k++) {
		struct sel *s = &q->sels[q->nsels];

		if (items[k].sub) {
			struct tok *t = &p->t[items[k].tok];

			if (semi || q->aggregate)	/* a child relationship is never grouped */
				return qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", semi ?
					    "semi join sub selects can only query id fields" :
					    "Field must be grouped or aggregated: (SELECT ...)");
			p->i = items[k].tok;
			if (parse_sub(p, q->type, s) < 0) {
				q->nsels++;
				return -1;
			}
			s->child = s->sub->child;
			s->child_field = objects_field_find(s->sub->type, s->child->field);
		} else if (resolve_item(p, q, s, &items[k], semi, &expr) < 0) {
			free(s->key);
			s->key = NULL;
			return -1;
		}
		q->nsels++;
	}
	p->i = end;
	return 0;
}

/* In an aggregate query, ORDER BY takes aggregates and grouped fields. */
static int check_aggregate_order(struct parser *p, const struct soql_query *q)
{
	for (size_t i = 0; i < q->norders; i++) {
		const struct order *o = &q->orders[i];

		if (o->fn == AF_NONE && !is_grouped(q, &o->path))
			return qerr(p->text, o->pos, p->e, "MALFORMED_QUERY",
				    "Ordered field must be grouped or aggregated: %.*s",
				    (int)o->len, p->text + o->pos);
	}
	return 0;
}

/*
 * Parses "SELECT ... FROM X ..." at the current token. With parent, X is one of
 * parent's child relationships and the query is a subquery; with semi, the query is a
 * semi- or anti-join's: one Id or reference field, WHERE only.
 */
static struct soql_query *parse_query(struct parser *p, const struct objects_type *parent,
				      int semi)
{
	struct soql_query *q = calloc(1, sizeof(*q));
	struct raw_item *items = NULL;
	size_t nitems = 0;
	struct tok *t;

	if (q == NULL) {
		sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		return NULL;
	}
	atomic_init(&q->refs, 1);
	q->limit = -1;
	if (expect_kw(p, "SELECT") < 0 || read_select(p, q, parent, &items, &nitems) < 0)
		goto fail;
	if (expect_kw(p, "FROM") < 0)
		goto fail;
	t = peek(p);
	if (t->kind != T_IDENT || is_reserved(t)) {
		unexpected(p);
		goto fail;
	}
	{
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)t->len, t->start);
		if (parent != NULL) {
			const struct objects_child *ch = objects_child_find(parent, name);

			if (ch == NULL) {
				qerr(p->text, t->pos, p->e, "INVALID_TYPE",
				     "Didn't understand relationship '%s' in FROM part of query "
				     "call. If you are attempting to use a custom relationship, be "
				     "sure to append the '__r' after the custom relationship name. "
				     "Please reference your WSDL or the describe call for the "
				     "appropriate names.", name);
				goto fail;
			}
			q->type = objects_type_find(ch->child_object);
			q->child = ch;
		} else {
			q->type = objects_type_find(name);
			if (q->type == NULL) {
				qerr(p->text, t->pos, p->e, "INVALID_TYPE",
				     "sObject type '%s' is not supported. If you are attempting "
				     "to use a custom object, be sure to append the '__c' after "
				     "the entity name. Please reference your WSDL or the describe "
				     "call for the appropriate names.", name);
				goto fail;
			}
		}
	}
	p->i++;
	if (accept_kw(p, "WHERE")) {
		struct soql_query *outer = p->cur;

		p->cur = q;
		q->where = parse_or(p, q->type);
		p->cur = outer;
		if (q->where == NULL)
			goto fail;
		if (q->nsemis > 0 && check_semi_place(p, q->where, UNDER_TOP) < 0)
			goto fail;
	}
	if (semi)	/* the caller expects ")": anything else is unexpected there */
		goto resolve;
	if (!q->count && is_kw(peek(p), "GROUP")) {
		p->i++;
		if (expect_kw(p, "BY") < 0 || parse_group(p, q) < 0)
			goto fail;
	}
	if (is_kw(peek(p), "HAVING")) {
		const char *no_semi = p->no_semi;

		p->i++;
		p->having = 1;
		p->no_semi = "Semi join sub-selects are only allowed at the top level WHERE "
			     "expressions.";
		q->having = parse_or(p, q->type);
		p->having = 0;
		p->no_semi = no_semi;
		if (q->having == NULL)
			goto fail;
	}
	if (accept_kw(p, "ORDER")) {
		if (expect_kw(p, "BY") < 0 || parse_order(p, q) < 0)
			goto fail;
	}
	if (accept_kw(p, "LIMIT") && parse_long(p, &q->limit) < 0)
		goto fail;
	if (is_kw(peek(p), "OFFSET")) {
		p->i++;
		if (parse_long(p, &q->offset) < 0)
			goto fail;
		if (q->offset > MAX_OFFSET) {
			sferr_set(p->e, 400, "NUMBER_OUTSIDE_VALID_RANGE",
				  "Maximum SOQL offset allowed is %d", MAX_OFFSET);
			goto fail;
		}
	}
	/* Any aggregate anywhere, or GROUP BY, makes the result AggregateResults. */
	q->aggregate = q->ngroups > 0 || q->having != NULL;
	for (size_t k = 0; k < nitems; k++)
		q->aggregate |= items[k].fn != AF_NONE;
	for (size_t k = 0; k < q->norders; k++)
		q->aggregate |= q->orders[k].fn != AF_NONE;
	if (q->aggregate && (check_aggregate_order(p, q) < 0 ||
			     (q->having && check_having(p, q, q->having) < 0)))
		goto fail;

resolve:
	if (resolve_select(p, q, items, nitems, semi) < 0)
		goto fail;
	if (!q->aggregate && build_out(q) < 0) {
		sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	free(items);
	return q;

fail:
	free(items);
	soql_free(q);
	return NULL;
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

struct soql_query *soql_parse(const char *text, struct sferr *e)
{
	return soql_parse_at(text, isotime_now_ms(), e);
}

struct soql_query *soql_parse_at(const char *text, int64_t now_ms, struct sferr *e)
{
	struct lexer lx;
	struct parser p;
	struct soql_query *q;

	if (text == NULL || *text == '\0') {
		sferr_set(e, 400, "MALFORMED_QUERY", "A query string has to be specified");
		return NULL;
	}
	if (lex(&lx, text, e) < 0)
		return NULL;
	p = (struct parser){ text, lx.toks, 0, e, now_ms, NULL, NULL, 0 };
	q = parse_query(&p, NULL, 0);
	if (q != NULL && peek(&p)->kind != T_EOF) {
		unexpected(&p);
		soql_free(q);
		q = NULL;
	}
	lex_free(&lx);
	return q;
}

/* ---- Evaluator ---- */

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

/* Follows p's hops from rec; the record holding p's leaf, or NULL. */
static const struct objects_rec *follow(const struct objects *s, const struct objects_rec *rec,
					const struct path *p)
{
	for (int i = 0; i < p->nhops && rec != NULL; i++) {
		rec = objects_follow(s, rec, p->hop_idx[i]);
		if (rec != NULL && objects_rec_type(rec) != p->hop_types[i])
			rec = NULL;
	}
	return rec;
}

static int time_cmp(int64_t t, const struct value *lit, enum cmp_op op)
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

/* SOQL LIKE: % any run, _ one character, \ escapes the next; case-insensitive. */
static int like(const char *s, const char *p)
{
	for (; *p; p++) {
		if (*p == '%') {
			while (p[1] == '%')
				p++;
			if (p[1] == '\0')
				return 1;
			for (; *s; s++)
				if (like(s, p + 1))
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

static int cmp_id15_str(const void *a, const void *b)
{
	return memcmp(*(const char *const *)a, *(const char *const *)b, 15);
}

static int eval(const struct ectx *x, const struct cond *c, const struct objects_rec *rec)
{
	const struct objects *s = x->s;
	const struct objects_rec *leaf;
	const char *text;
	size_t fi = c->path.field_idx;

	switch (c->kind) {
	case C_AND: return eval(x, c->l, rec) && eval(x, c->r, rec);
	case C_OR: return eval(x, c->l, rec) || eval(x, c->r, rec);
	case C_NOT: return !eval(x, c->l, rec);
	default: break;
	}
	leaf = follow(s, rec, &c->path);
	switch (c->kind) {
	case C_CMP:
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
				in = cmp_one(leaf, fi, &c->vals[i], OP_EQ);
		}
		return c->kind == C_IN ? in : !in;
	}
	case C_LIKE:
		text = leaf ? objects_rec_text(leaf, fi, NULL) : NULL;
		return text != NULL && like(text, c->vals[0].s);
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

static int keep(const struct ectx *x, int all_rows, const struct soql_query *q,
		const struct objects_rec *rec)
{
	if (!all_rows && objects_rec_deleted(rec))
		return 0;
	return q->where == NULL || eval(x, q->where, rec);
}

/* ---- Sorting ---- */

struct skey {
	int null;
	int64_t t;
	double num;
	const char *str;
};

struct row {
	const struct objects_rec *rec;
	size_t idx;
	struct skey *keys;
};

/* qsort has no context argument in C17; the key order of the sort in progress. */
static _Thread_local const struct soql_query *sort_q;

/* Compares two non-null keys of a field of type ft. */
static inline int key_cmp(enum objects_ftype ft, const struct skey *ka, const struct skey *kb)
{
	if (objects_ftype_is_text(ft))
		return strcasecmp(ka->str, kb->str);
	if (ft == OF_ID || ft == OF_REFERENCE)
		return strcmp(ka->str, kb->str);
	if (ft == OF_DATETIME || ft == OF_DATE)
		return ka->t < kb->t ? -1 : ka->t > kb->t;
	return ka->num < kb->num ? -1 : ka->num > kb->num;
}

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
		c = key_cmp(o->path.field->type, ka, kb);
		if (c != 0)
			return o->desc ? -c : c;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Reads the value at path p of rec into *k. */
static void read_key(const struct objects *s, const struct path *p,
		     const struct objects_rec *rec, struct skey *k)
{
	const struct objects_rec *leaf = follow(s, rec, p);
	size_t fi = p->field_idx;
	enum objects_ftype ft = p->field->type;

	memset(k, 0, sizeof(*k));
	k->null = leaf == NULL || objects_rec_is_null(leaf, fi);
	if (k->null)
		return;
	if (ft == OF_DATETIME || ft == OF_DATE)
		k->null = objects_rec_time(leaf, fi, &k->t) < 0;
	else if ((k->str = objects_rec_text(leaf, fi, NULL)) == NULL)
		k->num = objects_rec_number(leaf, fi);
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
			read_key(s, &q->orders[k].path, recs[i], &rows[i].keys[k]);
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
	enum objects_ftype ft = o->path.field->type;
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

struct ranked {
	uint64_t rank;
	const struct objects_rec *rec;
};

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
static int rankable(const struct soql_query *q)
{
	enum objects_ftype ft = q->norders ? q->orders[0].path.field->type : OF_STRING;

	return q->norders > 0 && !objects_ftype_is_text(ft) && ft != OF_ID && ft != OF_REFERENCE;
}

static void rank_into(const struct objects *s, const struct soql_query *q,
		      const struct objects_rec *rec, struct ranked *a)
{
	struct skey k;

	read_key(s, &q->orders[0].path, rec, &k);
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
static int sort_ranked(const struct objects *s, const struct soql_query *q, struct ranked *a,
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
static int sort_recs(const struct objects *s, const struct soql_query *q,
		     const struct objects_rec **recs, size_t n)
{
	struct ranked *a;
	int rc;

	if (q->norders == 0 || n < 2)
		return 0;
	if (n < 64 || !rankable(q))
		return sort_compare(s, q, recs, n);
	a = malloc(n * sizeof(*a));
	if (a == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		rank_into(s, q, recs[i], &a[i]);
	rc = sort_ranked(s, q, a, n, recs);
	free(a);
	return rc;
}

/* ---- Rows ---- */

/* New rows of q (under top) holding recs[0..n) (copied), total the size of the whole
 * result; pins s (whose lock the caller holds). NULL when out of memory. */
static struct soql_rows *rows_new(const struct objects *s, struct soql_query *top,
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

			if (!keep(&plain, all_rows, sub, rec))
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

static struct soql_rows *aggregate(struct soql_query *q, const struct objects *s,
				   const struct soql_opts *o, const struct ectx *x,
				   const struct objects_rec **recs, size_t m, struct sferr *e);

/*
 * One pass over the records evaluates WHERE and, when the sort has a rank, ranks each
 * match while it is in the cache (the ranked rows then carry the records themselves).
 */
struct soql_rows *soql_select(struct soql_query *q, const struct objects *s,
			      const struct soql_opts *o, struct sferr *e)
{
	size_t n = objects_count(s, q->type), m = 0, start = 0, end = 0;
	int ranked = !q->count && !q->aggregate && rankable(q);
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
		if (!keep(&x, o->all_rows, q, rec))
			continue;
		if (ranked)
			rank_into(s, q, rec, &a[m++]);
		else
			recs[m++] = rec;
	}
	if (q->aggregate) {
		rows = aggregate(q, s, o, &x, recs, m, e);
		free_semi_sets(sets, q->nsemis);
		free(recs);
		return rows;
	}
	if (ranked) {
		recs = malloc((m ? m : 1) * sizeof(*recs));
		if (recs == NULL || sort_ranked(s, q, a, m, recs) < 0)
			goto oom;
	} else if (!q->count && sort_recs(s, q, recs, m) < 0) {
		goto oom;
	}
	start = (size_t)q->offset < m ? (size_t)q->offset : m;
	end = q->limit >= 0 && start + (size_t)q->limit < m ? start + (size_t)q->limit : m;
	rows = rows_new(s, q, q, o->all_rows, recs + start, q->count ? 0 : end - start,
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

/* ---- Output ---- */

/* Appends n bytes to the output; a failure (out of memory) sticks. */
static void put(struct run *r, const void *p, size_t n)
{
	if (buf_append(r->b, p, n) < 0)
		r->failed = 1;
}

/* Appends s (len bytes of UTF-8) as a JSON string, escaped as jansson escapes it. */
static void put_str(struct run *r, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	put(r, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(r, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(r, esc, n);
	}
	put(r, s + run, len - run);
	put(r, "\"", 1);
}

static void put_lit(struct run *r, const char *s)
{
	put(r, s, strlen(s));
}

/* Appends d as jansson writes reals (17 digits, ".0" on whole numbers), which is what
 * the REST API has always shown. */
static void put_real(struct run *r, double d)
{
	char tmp[64];
	json_t *v = json_real(d);
	size_t n = v ? json_dumpb(v, tmp, sizeof(tmp), JSON_ENCODE_ANY) : 0;

	json_decref(v);
	put(r, n > 0 && n <= sizeof(tmp) ? tmp : "null", n > 0 && n <= sizeof(tmp) ? n : 4);
}

/* Appends field i of rec (of type t) as JSON. */
static void put_value(struct run *r, const struct objects_rec *rec, size_t i)
{
	const struct objects_type *t = objects_rec_type(rec);
	const struct objects_field *f = &t->fields[i];
	char tmp[64];
	const char *text;
	size_t len;
	int64_t ms;

	if (objects_rec_is_null(rec, i)) {
		put_lit(r, "null");
		return;
	}
	switch (f->type) {
	case OF_DATETIME:
		objects_rec_time(rec, i, &ms);
		tmp[0] = '"';
		objects_format_dt(tmp + 1, ms);
		tmp[OBJECTS_DT_LEN] = '"';
		put(r, tmp, OBJECTS_DT_LEN + 1);
		return;
	case OF_BOOLEAN:
		put_lit(r, objects_rec_number(rec, i) != 0 ? "true" : "false");
		return;
	case OF_BASE64:
		if (objects_rec_number(rec, i) == 0) {
			put_lit(r, "null");
			return;
		}
		put(r, "\"", 1);
		put(r, r->base, r->base_len);
		put_lit(r, t->name);
		put(r, "/", 1);
		put_lit(r, objects_rec_id(rec));
		put(r, "/", 1);
		put_lit(r, f->name);
		put(r, "\"", 1);
		return;
	case OF_INT:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)objects_rec_number(rec, i));
		put_lit(r, tmp);
		return;
	case OF_DOUBLE:
		put_real(r, objects_rec_number(rec, i));
		return;
	default:
		text = objects_rec_text(rec, i, &len);
		if (text != NULL)
			put_str(r, text, len);
		else
			put_lit(r, "null");
		return;
	}
}

static void emit(struct run *r, const struct onode *n, const struct objects_rec *rec);

/* Appends the child result of sel for rec: {"totalSize","done",["nextRecordsUrl",]
 * "records"}, or null when there are no children. */
static void child_result(struct run *r, const struct sel *sel, const struct objects_rec *rec)
{
	const struct soql_query *sub = sel->sub;
	const struct objects_rec **recs = NULL;
	size_t n = 0, alloc = 0, start, end, shown, page = r->o->child_page_size;
	char *url = NULL, head[96];
	struct ectx x = { r->s, NULL };

	for (const struct objects_rec *c = objects_child_next(r->s, sel->child, rec, NULL); c;
	     c = objects_child_next(r->s, sel->child, rec, c)) {
		if (!keep(&x, r->rows->all_rows, sub, c))
			continue;
		if (n == alloc) {
			const struct objects_rec **p;

			alloc = alloc ? alloc * 2 : 8;
			p = realloc(recs, alloc * sizeof(*p));
			if (p == NULL)
				goto oom;
			recs = p;
		}
		recs[n++] = c;
	}
	if (sort_recs(r->s, sub, recs, n) < 0)
		goto oom;
	start = (size_t)sub->offset < n ? (size_t)sub->offset : n;
	end = sub->limit >= 0 && start + (size_t)sub->limit < n ? start + (size_t)sub->limit : n;
	n = end - start;
	if (n == 0) {
		free(recs);
		put_lit(r, "null");
		return;
	}
	shown = n;
	if (page && n > page && r->o->child_cursor) {
		struct soql_rows *rest = rows_new(r->s, r->rows->top, sub, r->rows->all_rows,
						  recs + start + page, n - page, n);

		if (rest == NULL)
			goto oom;
		url = r->o->child_cursor(r->o->ctx, rest, n);
		if (url != NULL)
			shown = page;
	}
	snprintf(head, sizeof(head), "{\"totalSize\":%zu,\"done\":%s", n, url ? "false" : "true");
	put_lit(r, head);
	if (url != NULL) {
		put_lit(r, ",\"nextRecordsUrl\":");
		put_str(r, url, strlen(url));
		free(url);
	}
	put_lit(r, ",\"records\":[");
	for (size_t i = start; i < start + shown; i++) {
		if (i > start)
			put(r, ",", 1);
		emit(r, sub->out, recs[i]);
	}
	put_lit(r, "]}");
	free(recs);
	return;

oom:
	free(recs);
	r->failed = 1;
}

/* Appends rec as the object n describes. */
static void emit(struct run *r, const struct onode *n, const struct objects_rec *rec)
{
	put_lit(r, "{\"attributes\":{\"type\":\"");
	put(r, n->type->name, n->type_len);
	put_lit(r, "\",\"url\":\"");
	put(r, r->base, r->base_len);
	put(r, n->type->name, n->type_len);
	put(r, "/", 1);
	put(r, objects_rec_id(rec), SFID_LEN);
	put_lit(r, "\"}");
	for (size_t i = 0; i < n->nitems; i++) {
		const struct oitem *it = &n->items[i];

		put(r, ",", 1);
		put(r, it->key, it->key_len);
		if (it->leaf != NULL) {
			put_value(r, rec, it->leaf_idx);
		} else if (it->node != NULL) {
			const struct objects_rec *parent = objects_follow(r->s, rec, it->hop_idx);

			if (parent == NULL || objects_rec_type(parent) != it->node->type)
				put_lit(r, "null");
			else
				emit(r, it->node, parent);
		} else {
			child_result(r, it->sub, rec);
		}
	}
	put(r, "}", 1);
}

/* ---- Aggregate queries ---- */

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
	enum objects_ftype ft = p->field->type;
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

		read_key(s, p, recs[i], &k);
		if (fn == AF_NONE) {
			g->null = k.null;
			g->k = k;
			g->leaf = follow(s, recs[i], p);
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
		return !g->null && g->k.str != NULL && like(g->k.str, c->vals[0].s);
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
		return n > 0 && eval(x, c, recs[0]);
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
		put_value(r, g->leaf, g->idx);
	} else if (fn == AF_COUNT || fn == AF_COUNT_DISTINCT || g->ft == OF_INT) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)g->k.num);
		put_lit(r, tmp);
	} else {
		put_real(r, g->k.num);
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
		put_str(r, sel->key, strlen(sel->key));
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
static struct soql_rows *aggregate(struct soql_query *q, const struct objects *s,
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
	if (sort_recs(s, &gq, recs, m) < 0)
		goto oom;
	/* Runs of equal grouped values are the groups (text compares ignoring case). */
	for (size_t i = 0, j; i < m || (i == 0 && q->ngroups == 0); i = j) {
		for (j = i + 1; j < m; j++) {
			int same = 1;

			for (size_t k = 0; k < q->ngroups && same; k++) {
				struct skey a, c;

				read_key(s, &q->groups[k], recs[i], &a);
				read_key(s, &q->groups[k], recs[j], &c);
				same = a.null == c.null &&
				       (a.null || key_cmp(q->groups[k].field->type, &a, &c) == 0);
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
	rows = rows_new(s, q, q, o->all_rows, recs, 0, end - start);
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

int soql_render(const struct soql_rows *rows, const struct objects *s,
		const struct soql_opts *o, size_t from, size_t n, struct buf *out)
{
	struct run r = { s, o, rows, out, 0, "", 0 };

	if (rows->agg != NULL) {	/* AggregateResults, rendered by soql_select */
		for (size_t i = from; i < rows->n && i < from + n && !r.failed; i++) {
			if (i > from)
				put(&r, ",", 1);
			put(&r, rows->agg + rows->agg_off[i],
			    rows->agg_off[i + 1] - rows->agg_off[i]);
		}
		return r.failed ? -1 : 0;
	}
	snprintf(r.base, sizeof(r.base), "/services/data/v%s/sobjects/",
		 o->version ? o->version : "58.0");
	r.base_len = strlen(r.base);
	for (size_t i = from; i < rows->n && i < from + n && !r.failed; i++) {
		if (i > from)
			put(&r, ",", 1);
		emit(&r, rows->q->out, rows->recs[i]);
	}
	return r.failed ? -1 : 0;
}

json_t *soql_run(struct soql_query *q, const struct objects *s, const struct soql_opts *o,
		 size_t *total, struct sferr *e)
{
	struct soql_rows *rows = soql_select(q, s, o, e);
	struct buf b;
	json_t *out = NULL;
	json_error_t je;

	if (rows == NULL)
		return NULL;
	buf_init(&b, 0);
	buf_append(&b, "[", 1);
	if (soql_render(rows, s, o, 0, rows->n, &b) == 0 && buf_append(&b, "]", 1) == 0)
		out = json_loadb(b.data, b.len, 0, &je);
	if (out == NULL)
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	else
		*total = rows->total;
	buf_free(&b);
	soql_rows_free(rows);
	return out;
}

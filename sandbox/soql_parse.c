/* soql_parse: the SOQL parser: tokens into a query resolved against the schema. */
#include "sandbox/soql_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sandbox/sfid.h"
#include "util/isotime.h"

#define MAX_OFFSET 2000

/* The names of the aggregate functions (enum agg_fn), as SOQL writes them. */
static const char *const agg_names[AF__MAX] = {
	"", "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG",
};

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
		return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: <EOF>");
	return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: '%.*s'",
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

/* Resolves a dotted name (token t) on type into *out. */
static int resolve_path(struct parser *p, const struct objects_type *type, const struct tok *t,
			struct path *out)
{
	char name[512];
	char *seg, *save = NULL, *next;
	const struct objects_type *cur = type;
	size_t off;

	if (t->len >= sizeof(name))
		return soql__qerr(p->text, t->pos, p->e, "INVALID_FIELD", "field name too long");
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
				return soql__qerr(p->text, off, p->e, "INVALID_FIELD",
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
				return soql__qerr(p->text, off, p->e, "INVALID_FIELD",
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
	return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", "unexpected token: '.'");
}

static int path_eq(const struct path *a, const struct path *b)
{
	if (a->field != b->field || a->nhops != b->nhops || a->dfn != b->dfn || a->tz != b->tz)
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

	return soql__qerr(p->text, t->pos, p->e, "INVALID_FIELD",
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
				return soql__qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
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
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
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
 * Parses the "field)" of "FN(field)" whose name and "(" are at the current token, on
 * type, into *path; *tok gets the field's token.
 */
static int parse_call_field(struct parser *p, const struct objects_type *type,
			    struct path *path, struct tok **tok)
{
	p->i += 2;
	*tok = peek(p);
	if ((*tok)->kind != T_IDENT || is_reserved(*tok))
		return unexpected(p);
	if (resolve_path(p, type, *tok, path) < 0)
		return -1;
	p->i++;
	return expect(p, T_RPAREN);
}

/* The error for a function (toLabel, a date function, convertTimezone) given a field of
 * a type it does not take; t is the field's token. The wording is the sandbox's own. */
static int not_applicable(struct parser *p, const struct tok *t, const char *fn,
			  const struct objects_field *f)
{
	return soql__qerr(p->text, t->pos, p->e, "INVALID_FIELD",
			  "%s cannot be applied to field %s of type %s", fn, f->name,
			  type_word(f->type));
}

/* toLabel(field) at the current token (a field may still be called toLabel). */
static int label_at(struct parser *p)
{
	return is_kw(peek(p), "toLabel") && p->t[p->i + 1].kind == T_LPAREN;
}

/* Salesforce translates picklists with toLabel(), and refuses it on other fields. */
static int check_label(struct parser *p, const struct tok *t, const struct objects_field *f)
{
	if (f->type == OF_PICKLIST || f->type == OF_MULTIPICKLIST)
		return 0;
	return not_applicable(p, t, "toLabel", f);
}

/*
 * toLabel(field) in WHERE or HAVING, into *path (*tok the field's token). The sandbox's
 * picklist values are their own labels (describe shows each value as its label), so the
 * field's value is what is compared: 'Ran - Sold' is both.
 */
static int parse_label(struct parser *p, const struct objects_type *type, struct path *path,
		       struct tok **tok)
{
	if (parse_call_field(p, type, path, tok) < 0)
		return -1;
	return check_label(p, *tok, path->field);
}

/* convertTimezone( at the current token. */
static int tz_at(struct parser *p)
{
	return is_kw(peek(p), "convertTimezone") && p->t[p->i + 1].kind == T_LPAREN;
}

/*
 * Refuses convertTimezone() at the current token, which is not in a date function
 * (Salesforce takes it there only), and toLabel() when clause names where it is
 * ("ORDER BY", "GROUP BY"); 0 when neither is there.
 */
static int misplaced_call(struct parser *p, const char *clause)
{
	if (tz_at(p))
		return soql__qerr(p->text, peek(p)->pos, p->e, "MALFORMED_QUERY",
				  "convertTimezone() can only be used in a date function");
	if (clause != NULL && label_at(p))
		return soql__qerr(p->text, peek(p)->pos, p->e, "MALFORMED_QUERY",
				  "toLabel() can not be used in %s", clause);
	return 0;
}

/*
 * Parses "FN(field)" at the current token (agg_at said so) on type into *fn and *path;
 * *tok gets the field's token. Refuses a field the function does not apply to.
 */
static int parse_agg(struct parser *p, const struct objects_type *type, enum agg_fn *fn,
		     struct path *path, struct tok **tok)
{
	*fn = agg_at(p);
	if (parse_call_field(p, type, path, tok) < 0)
		return -1;
	if (!agg_applies(*fn, path->field->type))
		return soql__qerr(p->text, (*tok)->pos, p->e, "MALFORMED_QUERY",
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

/* A date function and its "(" at the current token: which, or DF_NONE. */
static enum date_fn date_fn_at(struct parser *p)
{
	if (peek(p)->kind != T_IDENT || p->t[p->i + 1].kind != T_LPAREN)
		return DF_NONE;
	for (int f = DF_NONE + 1; f < DF__MAX; f++)
		if (is_kw(peek(p), soql__date_fn_names[f]))
			return (enum date_fn)f;
	return DF_NONE;
}

static const struct objects_field date_fn_number = { .name = "date function", .type = OF_INT };
static const struct objects_field date_fn_day = { .name = "DAY_ONLY", .type = OF_DATE };

/*
 * Parses a date function whose name and "(" are at the current token, "FN(field)" or
 * "FN(convertTimezone(field))", on type into *path (its dfn and tz set): a date or
 * datetime field, a datetime one for HOUR_IN_DAY, DAY_ONLY and convertTimezone. *ft gets
 * the field's token, *span the whole function's text (for messages).
 */
static int parse_date_expr(struct parser *p, const struct objects_type *type,
			   struct path *path, struct tok **ft, struct tok *span)
{
	enum date_fn fn = date_fn_at(p);
	const struct tok *first = peek(p), *last;
	enum objects_ftype ty;
	int tz;

	p->i += 2;
	tz = tz_at(p);
	p->i += tz ? 2 : 0;
	*ft = peek(p);
	if ((*ft)->kind != T_IDENT || is_reserved(*ft))
		return unexpected(p);
	if (resolve_path(p, type, *ft, path) < 0)
		return -1;
	p->i++;
	path->dfn = fn;
	path->tz = tz;
	ty = path->field->type;
	if (tz && ty != OF_DATETIME)
		return not_applicable(p, *ft, "convertTimezone", path->field);
	if (!(ty == OF_DATETIME || (ty == OF_DATE && fn != DF_HOUR_IN_DAY && fn != DF_DAY_ONLY)))
		return not_applicable(p, *ft, soql__date_fn_names[fn], path->field);
	if ((tz && expect(p, T_RPAREN) < 0) || expect(p, T_RPAREN) < 0)
		return -1;
	last = &p->t[p->i - 1];
	*span = (struct tok){ T_IDENT, first->start, last->pos + last->len - first->pos,
			      first->pos, NULL };
	return 0;
}

/* IN lists of Ids or text compare each record with every value; sorted, they take a
 * binary search (the sync's query lists every linked rep). */
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
		return soql__qerr(p->text, c->pos, p->e, "MALFORMED_QUERY", "%s", no_semi);
	if (c->path.nhops > 0 || (ty != OF_ID && ty != OF_REFERENCE))
		return soql__qerr(p->text, ft->pos, p->e, "MALFORMED_QUERY",
				  "semi join sub selects are only supported on Id or reference fields of "
				  "the queried object, cannot use: '%.*s'", (int)ft->len, ft->start);
	if (cur->nsemis == MAX_SEMI)
		return soql__qerr(p->text, c->pos, p->e, "MALFORMED_QUERY",
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
	struct tok *ft, *t, span;
	const struct objects_field *vf;	/* the type literals must have */
	const struct objects_field *dvf = NULL;	/* that of a date function's */
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
	if (misplaced_call(p, NULL) < 0)
		goto fail;
	if (p->having && agg_at(p) != AF_NONE) {
		if (parse_agg(p, type, &c->fn, &c->path, &ft) < 0)
			goto fail;
	} else if (date_fn_at(p) != DF_NONE) {
		if (parse_date_expr(p, type, &c->path, &ft, &span) < 0)
			goto fail;
		ft = &span;
		dvf = c->path.dfn == DF_DAY_ONLY ? &date_fn_day : &date_fn_number;
	} else if (label_at(p)) {
		if (parse_label(p, type, &c->path, &ft) < 0)
			goto fail;
	} else {
		ft = peek(p);
		if (ft->kind != T_IDENT || is_reserved(ft)) {
			unexpected(p);
			goto fail;
		}
		if (resolve_path(p, type, ft, &c->path) < 0)
			goto fail;
		if (!objects_field_filterable(c->path.field)) {
			soql__qerr(p->text, ft->pos, p->e, "INVALID_FIELD",
				   "field '%s' can not be filtered in a query call",
				   c->path.field->name);
			goto fail;
		}
		p->i++;
	}
	c->pos = ft->pos;
	c->len = ft->len;
	t = peek(p);
	vf = dvf ? dvf : agg_value_field(c->fn, c->path.field);
	ty = vf->type;
	if (accept_kw(p, "IN") || (is_kw(t, "NOT") && is_kw(&p->t[p->i + 1], "IN"))) {
		if (is_kw(t, "NOT"))
			p->i += 2;
		c->kind = is_kw(t, "NOT") ? C_NOT_IN : C_IN;
		if (peek(p)->kind == T_LPAREN && is_kw(&p->t[p->i + 1], "SELECT")) {
			if (c->fn != AF_NONE || c->path.dfn != DF_NONE) {
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
			soql__qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
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
			soql__qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
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
		soql__qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
			   "invalid operator on null value");
		goto fail;
	}
	if (ty == OF_BOOLEAN && c->op != OP_EQ && c->op != OP_NE) {
		soql__qerr(p->text, t->pos, p->e, "INVALID_QUERY_FILTER_OPERATOR",
			   "invalid operator on boolean field: %.*s", (int)t->len, t->start);
		goto fail;
	}
	return c;

fail:
	soql__free_cond(c);
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
			soql__free_cond(left);
			return NULL;
		}
		mode = k;
		p->i++;
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			soql__free_cond(left);
			sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			return NULL;
		}
		c->kind = (enum cond_kind)k;
		c->l = left;
		c->r = parse_primary(p, type);
		left = c;
		if (c->r == NULL) {
			soql__free_cond(left);
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
		struct tok *t = peek(p), span;

		if (q->norders == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			o = realloc(q->orders, alloc * sizeof(*o));
			if (o == NULL)
				return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			q->orders = o;
		}
		o = &q->orders[q->norders];
		memset(o, 0, sizeof(*o));
		/* Salesforce orders a picklist in its defined order, never by labels. */
		if (misplaced_call(p, "ORDER BY") < 0)
			return -1;
		if (agg_at(p) != AF_NONE) {
			if (parse_agg(p, q->type, &o->fn, &o->path, &t) < 0)
				return -1;
		} else if (date_fn_at(p) != DF_NONE) {
			if (parse_date_expr(p, q->type, &o->path, &t, &span) < 0)
				return -1;
			t = &span;
		} else {
			if (t->kind != T_IDENT || is_reserved(t))
				return unexpected(p);
			if (resolve_path(p, q->type, t, &o->path) < 0)
				return -1;
			/* Not a multi-select picklist or long text (describe: not sortable). */
			if (!objects_field_sortable(o->path.field))
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
						  "field '%s' can not be sorted in a query call",
						  o->path.field->name);
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
/* FIELDS(ALL | STANDARD | CUSTOM) in a select list. */
enum fields_fn { FIELDS_NONE, FIELDS_ALL, FIELDS_STANDARD, FIELDS_CUSTOM };

struct raw_item {
	size_t tok;		/* the name token, or the SELECT token of a subquery, or
				   the FIELDS token */
	int sub;
	enum agg_fn fn;		/* FN(name): tok is name's */
	int label;		/* toLabel(name): tok is name's */
	int date;		/* a date function: tok is the function's name */
	enum fields_fn fields;
	size_t alias;		/* the alias token, or 0 */
};

/* FIELDS(...) at the current token: which, or FIELDS_NONE (a field may be named
 * Fields). */
static enum fields_fn fields_at(struct parser *p)
{
	static const char *const kinds[] = { "", "ALL", "STANDARD", "CUSTOM" };
	const struct tok *t = peek(p);

	if (!is_kw(t, "FIELDS") || p->t[p->i + 1].kind != T_LPAREN)
		return FIELDS_NONE;
	for (int k = FIELDS_ALL; k <= FIELDS_CUSTOM; k++)
		if (is_kw(&p->t[p->i + 2], kinds[k]))	/* not the end: i + 3 is a token */
			return p->t[p->i + 3].kind == T_RPAREN ? (enum fields_fn)k : FIELDS_NONE;
	return FIELDS_NONE;
}

/* Whether field f is one FIELDS(kind) selects. */
static int fields_take(enum fields_fn kind, const struct objects_field *f)
{
	int custom = (f->flags & OF_CUSTOM) != 0;

	return kind == FIELDS_ALL || (kind == FIELDS_CUSTOM) == custom;
}

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

/* Skips from the "(" at the current token past its closing ")": what is inside is read
 * once FROM has named the object. */
static int skip_parens(struct parser *p)
{
	int depth = 0;

	do {
		if (peek(p)->kind == T_LPAREN)
			depth++;
		else if (peek(p)->kind == T_RPAREN)
			depth--;
		else if (peek(p)->kind == T_EOF)
			return unexpected(p);
		p->i++;
	} while (depth > 0);
	return 0;
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
		} else if (fields_at(p) != FIELDS_NONE) {
			it->fields = fields_at(p);
			it->tok = p->i;
			p->i += 4;
			(*n)++;
		} else if (misplaced_call(p, NULL) < 0) {
			return -1;
		} else if (date_fn_at(p) != DF_NONE) {
			if (parent != NULL)
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
						  "only root queries support aggregate expressions");
			it->tok = p->i++;
			it->date = 1;
			(*n)++;
			if (skip_parens(p) < 0)
				return -1;
		} else if (agg_at(p) != AF_NONE || label_at(p)) {
			if (parent != NULL && agg_at(p) != AF_NONE)
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
						  "only root queries support aggregate expressions");
			it->fn = agg_at(p);
			it->label = it->fn == AF_NONE;
			p->i += 2;
			if (peek(p)->kind != T_IDENT || is_reserved(peek(p)))
				return unexpected(p);
			it->tok = p->i++;
			if (expect(p, T_RPAREN) < 0)
				return -1;
			(*n)++;
		} else if (t->kind == T_LPAREN && parent == NULL &&
			   is_kw(&p->t[p->i + 1], "SELECT")) {
			it->tok = p->i;
			it->sub = 1;
			(*n)++;
			if (skip_parens(p) < 0)
				return -1;
		} else if (t->kind == T_IDENT && !is_reserved(t)) {
			it->tok = p->i++;
			(*n)++;
		} else {
			return unexpected(p);
		}
		/* An alias is a name before "," or FROM ("SELECT Id FORM X" is a typo). */
		if (!q->count && !it->sub && !it->fields && peek(p)->kind == T_IDENT &&
		    !is_reserved(peek(p)) &&
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
		struct tok *t = peek(p), span;
		struct path path;

		if (misplaced_call(p, "GROUP BY") < 0)
			return -1;
		/* A date function groups a datetime too, which is not groupable itself. */
		if (date_fn_at(p) != DF_NONE) {
			if (parse_date_expr(p, q->type, &path, &t, &span) < 0)
				return -1;
		} else {
			if (t->kind != T_IDENT || is_reserved(t))
				return unexpected(p);
			if (resolve_path(p, q->type, t, &path) < 0)
				return -1;
			if (!objects_field_groupable(path.field))
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
						  "field '%s' can not be grouped in a query call",
						  path.field->name);
			p->i++;
		}
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
		return soql__qerr(p->text, c->pos, p->e, "MALFORMED_QUERY", "%s", under == UNDER_OR ?
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
		return soql__qerr(p->text, c->pos, p->e, "MALFORMED_QUERY",
				  "Field must be grouped or aggregated: %.*s", (int)c->len,
				  p->text + c->pos);
	}
}

/* Sets s->key, the name the item has in an AggregateResult: its alias, exprN (*expr
 * counts the unnamed aggregates and date functions, in select order, as Salesforce's
 * one counter does) or its field's name without the path. */
static int set_key(struct parser *p, const struct soql_query *q, struct sel *s,
		   const struct raw_item *it, int *expr)
{
	char name[256];
	const struct tok *a = it->alias ? &p->t[it->alias] : NULL;

	if (a != NULL)
		snprintf(name, sizeof(name), "%.*s", (int)a->len, a->start);
	else if (s->fn != AF_NONE || s->path.dfn != DF_NONE)
		snprintf(name, sizeof(name), "expr%d", (*expr)++);
	else
		snprintf(name, sizeof(name), "%s", s->path.field->name);
	for (size_t j = 0; j < q->nsels; j++)
		if (strcasecmp(q->sels[j].key, name) == 0)
			return soql__qerr(p->text, a ? a->pos : p->t[it->tok].pos, p->e,
					  "MALFORMED_QUERY", "duplicate alias: %s", name);
	s->key = strdup(name);
	return s->key ? 0 : sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
}

/* The key item s of a plain query takes in the records' top level: its alias, or the
 * first name of its path (a child relationship's, a parent's or the field's). */
static const char *top_name(const struct sel *s)
{
	if (s->key != NULL)
		return s->key;
	if (s->sub != NULL)
		return s->child->name;
	return s->path.nhops > 0 ? s->path.hops[0]->relationship : s->path.field->name;
}

/* Refuses unaliased item s of a plain query (written name, len bytes at pos) when an
 * item before it selects the same field unaliased, or took its key as an alias. */
static int check_unique(struct parser *p, const struct soql_query *q, const struct sel *s,
			size_t pos, int len, const char *name)
{
	for (size_t j = 0; j < q->nsels; j++) {
		const struct sel *o = &q->sels[j];

		if (!o->sub && o->key == NULL && path_eq(&o->path, &s->path))
			return soql__qerr(p->text, pos, p->e, "MALFORMED_QUERY",
					  "duplicate field selected: %.*s", len, name);
		if (o->key != NULL && strcasecmp(o->key, top_name(s)) == 0)
			return soql__qerr(p->text, pos, p->e, "MALFORMED_QUERY",
					  "duplicate alias: %s", o->key);
	}
	return 0;
}

/* Sets s->key to alias a (toLabel in a plain query), unless an item before it already
 * takes that key. */
static int set_alias(struct parser *p, const struct soql_query *q, struct sel *s,
		     const struct tok *a)
{
	for (size_t j = 0; j < q->nsels; j++) {
		const char *other = top_name(&q->sels[j]);

		if (strlen(other) == a->len && strncasecmp(other, a->start, a->len) == 0)
			return soql__qerr(p->text, a->pos, p->e, "MALFORMED_QUERY",
					  "duplicate alias: %.*s", (int)a->len, a->start);
	}
	s->key = strndup(a->start, a->len);
	return s->key ? 0 : sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
}

/* Resolves one plain or aggregate select item into s, with q's rules. */
static int resolve_item(struct parser *p, struct soql_query *q, struct sel *s,
			const struct raw_item *it, int semi, int *expr)
{
	struct tok *t = &p->t[it->tok], span;

	if (semi && (it->fn != AF_NONE || it->alias || it->label || it->date))
		return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				  "semi join sub selects can only query id fields, cannot use: '%.*s'",
				  (int)t->len, t->start);
	/* toLabel() takes an alias in any query: Salesforce wants one when the field is
	 * selected as it is too. */
	if (it->alias && !q->aggregate && !it->label)
		return soql__qerr(p->text, p->t[it->alias].pos, p->e, "MALFORMED_QUERY",
				  "only aggregate expressions use field aliasing");
	if (it->date) {
		p->i = it->tok;
		if (parse_date_expr(p, q->type, &s->path, &t, &span) < 0)
			return -1;
		t = &span;
	} else if (resolve_path(p, q->type, t, &s->path) < 0) {
		return -1;
	}
	if (it->label && check_label(p, t, s->path.field) < 0)
		return -1;
	s->fn = it->fn;
	if (s->fn != AF_NONE && !agg_applies(s->fn, s->path.field->type))
		return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				  "field %s does not support aggregate operator %s",
				  s->path.field->name, agg_names[s->fn]);
	if (semi) {
		enum objects_ftype ty = s->path.field->type;

		if (ty != OF_ID && ty != OF_REFERENCE)
			return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
					  "semi join sub selects can only query id fields, cannot "
					  "use: '%.*s'", (int)t->len, t->start);
		if (s->path.nhops > 1)
			return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
					  "inner select field cannot have more than one level of "
					  "relationships");
	}
	if (q->aggregate) {
		if (s->fn == AF_NONE && !is_grouped(q, &s->path))
			return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
					  "Field must be grouped or aggregated: %.*s", (int)t->len,
					  t->start);
		return set_key(p, q, s, it, expr);
	}
	if (it->alias)
		return set_alias(p, q, s, &p->t[it->alias]);
	return check_unique(p, q, s, t->pos, (int)t->len, t->start);
}

/*
 * Adds the fields FIELDS(kind) selects to q's list: the standard ones, then the custom
 * ones, each in the object's order. A field selected twice is refused, as Salesforce
 * does, and so is FIELDS() in an aggregate query (no field of it is grouped).
 */
static int resolve_fields(struct parser *p, struct soql_query *q, const struct raw_item *it)
{
	const struct tok *t = &p->t[it->tok];

	for (int custom = 0; custom <= 1; custom++)
		for (size_t i = 0; i < q->type->nfields; i++) {
			const struct objects_field *f = &q->type->fields[i];
			struct sel *s = &q->sels[q->nsels];

			if (((f->flags & OF_CUSTOM) != 0) != custom || !fields_take(it->fields, f))
				continue;
			if (q->aggregate)
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
						  "Field must be grouped or aggregated: %s", f->name);
			memset(s, 0, sizeof(*s));
			s->path.field = f;
			s->path.field_idx = i;
			if (check_unique(p, q, s, t->pos, (int)strlen(f->name), f->name) < 0)
				return -1;
			q->nsels++;
		}
	return 0;
}

/* Resolves the select list against q's object; p->i is left where it was. */
static int resolve_select(struct parser *p, struct soql_query *q, const struct raw_item *items,
			  size_t nitems, int semi)
{
	size_t end = p->i, nsels = 0;
	int expr = 0;

	if (semi && (nitems != 1 || items[0].fields)) {
		struct tok *t = &p->t[items[nitems > 1 ? 1 : 0].tok];

		return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY",
				  "semi join sub selects can only query one id field");
	}
	for (size_t k = 0; k < nitems; k++) {
		if (!items[k].fields) {
			nsels++;
			continue;
		}
		for (size_t i = 0; i < q->type->nfields; i++)
			nsels += (size_t)fields_take(items[k].fields, &q->type->fields[i]);
	}
	q->sels = calloc(nsels ? nsels : 1, sizeof(*q->sels));
	if (q->sels == NULL)
		return sferr_set(p->e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	for (size_t k = 0; k < nitems; k++) {
		struct sel *s = &q->sels[q->nsels];

		if (items[k].fields) {
			if (resolve_fields(p, q, &items[k]) < 0)
				return -1;
			continue;
		}
		if (items[k].sub) {
			struct tok *t = &p->t[items[k].tok];

			if (semi || q->aggregate)	/* a child relationship is never grouped */
				return soql__qerr(p->text, t->pos, p->e, "MALFORMED_QUERY", semi ?
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
			return soql__qerr(p->text, o->pos, p->e, "MALFORMED_QUERY",
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
				soql__qerr(p->text, t->pos, p->e, "INVALID_TYPE",
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
				soql__qerr(p->text, t->pos, p->e, "INVALID_TYPE",
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
	/* FIELDS(ALL) and FIELDS(CUSTOM) select a set of fields the query cannot know in
	 * advance: Salesforce wants them bounded. */
	for (size_t k = 0; k < nitems; k++)
		if ((items[k].fields == FIELDS_ALL || items[k].fields == FIELDS_CUSTOM) &&
		    (q->limit < 0 || q->limit > 200)) {
			sferr_set(p->e, 400, "MALFORMED_QUERY",
				  "The SOQL FIELDS function must have a LIMIT of at most 200");
			goto fail;
		}
	/* Any aggregate anywhere, or GROUP BY, makes the result AggregateResults. */
	q->aggregate = q->ngroups > 0 || q->having != NULL;
	/* Date functions are selected and ordered by only in aggregate queries, grouped. */
	for (size_t k = 0; k < nitems; k++)
		q->aggregate |= items[k].fn != AF_NONE || items[k].date;
	for (size_t k = 0; k < q->norders; k++)
		q->aggregate |= q->orders[k].fn != AF_NONE || q->orders[k].path.dfn != DF_NONE;
	if (q->aggregate && (check_aggregate_order(p, q) < 0 ||
			     (q->having && check_having(p, q, q->having) < 0)))
		goto fail;

resolve:
	if (resolve_select(p, q, items, nitems, semi) < 0)
		goto fail;
	if (!q->aggregate && soql__build_out(q) < 0) {
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
	if (soql__lex(&lx, text, e) < 0)
		return NULL;
	p = (struct parser){ text, lx.toks, 0, e, now_ms, NULL, NULL, 0 };
	q = parse_query(&p, NULL, 0);
	if (q != NULL && peek(&p)->kind != T_EOF) {
		unexpected(&p);
		soql_free(q);
		q = NULL;
	}
	soql__lex_free(&lx);
	return q;
}

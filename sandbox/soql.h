/* soql: the SOQL subset the sandbox understands — lexer, parser and evaluator over the
 * object store. */
#ifndef I360_SANDBOX_SOQL_H
#define I360_SANDBOX_SOQL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox/objects.h"
#include "sandbox/sferr.h"
#include "util/buf.h"

/*
 * The subset: SELECT of fields, parent paths (a__r.b__r.Name), COUNT(), aggregate
 * functions and date functions (below), toLabel() (below), FIELDS(STANDARD | CUSTOM |
 * ALL) (standard fields first, then custom, each in the object's order; ALL and CUSTOM
 * only with LIMIT 200 at most; a field selected twice is refused) and child subqueries
 * `(SELECT ... FROM Children__r [WHERE] [ORDER BY] [LIMIT])`; FROM one object; WHERE
 * with AND / OR / NOT and parentheses (AND and OR may not be mixed without parentheses,
 * as in Salesforce), = != <> < <= > >= IN, NOT IN, LIKE, INCLUDES, EXCLUDES, semi- and
 * anti-joins (below); literals null, true, false, 'strings' (backslash escapes \' \" \\
 * \n \r \t \b \f \uXXXX, and \% \_ inside LIKE), numbers, dates (2026-11-01), unquoted
 * datetimes (2026-11-01T00:00:00Z, .000, +hh:mm / -hh:mm) and date literals (TODAY,
 * YESTERDAY, TOMORROW, LAST_90_DAYS, NEXT_90_DAYS; THIS_ / LAST_ / NEXT_ with WEEK, MONTH,
 * QUARTER, YEAR, FISCAL_QUARTER, FISCAL_YEAR; LAST_N_ / NEXT_N_ with DAYS, WEEKS, ...,
 * :n; and N_DAYS_AGO:n ... N_FISCAL_YEARS_AGO:n; weeks start on Sunday, the fiscal year
 * is the calendar year); date functions (below) compared with integers or, DAY_ONLY, with
 * dates; ORDER BY several keys, ASC / DESC, NULLS FIRST / LAST; LIMIT; OFFSET (at most
 * 2000).
 *
 * ORDER BY sorts text ignoring case, but a picklist (directly, through a parent path, or
 * grouped) in the order its values are defined, which is the order describe lists them
 * in, inactive ones included: Salesforce sorts a picklist as it was set up, not
 * alphabetically. A value matches a defined one ignoring case; values the picklist does
 * not define (an unrestricted one takes any) sort after the defined ones, among
 * themselves as text. MIN and MAX of a picklist go by the same order. A multi-select
 * picklist cannot be sorted, as in Salesforce.
 *
 * Date functions of date and datetime fields: CALENDAR_MONTH, CALENDAR_QUARTER,
 * CALENDAR_YEAR, DAY_IN_MONTH, DAY_IN_WEEK (1 for Sunday), DAY_IN_YEAR, FISCAL_MONTH /
 * QUARTER / YEAR, WEEK_IN_MONTH, WEEK_IN_YEAR give integers; HOUR_IN_DAY (an integer)
 * and DAY_ONLY (a date, "YYYY-MM-DD") take datetimes only. Times are read in UTC, or in
 * the user's time zone with convertTimezone(datetimeField) inside the function
 * (HOUR_IN_DAY(convertTimezone(CreatedDate))); the sandbox's one user is in
 * America/Chicago (US daylight-time rules), as seed.c makes it. In WHERE and HAVING;
 * in SELECT, GROUP BY (of a datetime too, which is not groupable itself) and ORDER BY
 * only in aggregate queries, grouped, as Salesforce allows them. convertTimezone()
 * anywhere else is refused.
 *
 * toLabel(picklistField) (multi-select ones and parent paths too) gives the value's
 * label, under the field's own name, or under an alias, which any query takes for it
 * (SELECT Status__c, toLabel(Status__c) statusLabel: the alias is a key of the record
 * itself, not of a parent's object); in WHERE and HAVING it compares labels. The
 * sandbox's picklist values are their own labels (describe shows them so), so the label
 * is the value. Not on other fields, not in ORDER BY (Salesforce orders picklists in
 * their defined order) or GROUP BY.
 *
 * Semi- and anti-joins: an Id or reference field of the queried object IN / NOT IN
 * (SELECT idOrReferenceField FROM Object [WHERE ...]), the subquery's field at most one
 * relationship away; as in Salesforce at most two per WHERE, only ANDed at the top level
 * (not under OR or NOT), not nested, not in child subqueries or HAVING, and no ORDER BY,
 * LIMIT or OFFSET inside.
 *
 * Aggregate queries: COUNT(f), COUNT_DISTINCT(f), MIN(f), MAX(f), SUM(f), AVG(f) with
 * optional aliases (SELECT COUNT(Id) n), GROUP BY fields and parent paths, HAVING on
 * aggregates and grouped fields, ORDER BY aggregates and grouped fields, LIMIT and OFFSET
 * counting groups, and date functions (above) grouped, selected, ordered and in HAVING.
 * Records are AggregateResults keyed by alias, exprN (N counting the unaliased
 * aggregates and date functions together, in select order) or a grouped field's own
 * name (toLabel's too) without its path; without GROUP BY there is exactly one; without
 * ORDER BY groups come in ascending order of their values as ORDER BY sorts them (nulls
 * first; text grouped ignoring case). COUNT and COUNT_DISTINCT skip nulls and
 * give integers; SUM and AVG take numbers (SUM of an integer field is an integer, AVG a
 * real), and are null over no values, as MIN and MAX are. Salesforce's rules: every
 * other selected or ordered field grouped; no GROUP BY on datetimes, doubles, multi-
 * select picklists, long text areas (objects_field_groupable); no aggregate of a
 * checkbox, multi-select picklist or text area, SUM / AVG only of numbers; no aliases
 * outside aggregate queries but toLabel's; no aggregates, date functions or semi-joins in
 * child subqueries. A result is one batch of at most 2000 groups.
 *
 * Keywords and names are case-insensitive; results use canonical names. Text compares
 * case-insensitively; Ids compare on their first 15 characters. Times are UTC, but
 * under convertTimezone().
 *
 * Errors are Salesforce's, HTTP 400: MALFORMED_QUERY (syntax, and the aggregate, ORDER
 * BY and semi-join rules above, in Salesforce's words: "Field must be grouped or
 * aggregated: X", "field 'X' can not be grouped in a query call", "field 'X' can not be
 * sorted in a query call", "Semi join sub-selects are not allowed with the 'OR'
 * operator", ...; in the sandbox's own: "convertTimezone() can only be used
 * in a date function", "toLabel() can not be used in ORDER BY"), INVALID_TYPE (unknown
 * object or child relationship), INVALID_FIELD (unknown field or relationship, a literal
 * of the wrong type, a function on a field of a type it does not take: "toLabel cannot
 * be applied to field Name of type string", the sandbox's wording; WHERE on a field
 * describe calls not filterable, base64 or a long text area: "field 'VersionData' can
 * not be filtered in a query call"),
 * INVALID_QUERY_FILTER_OPERATOR (bad Id literal, operator that does not fit the field),
 * NUMBER_OUTSIDE_VALID_RANGE (OFFSET over 2000); soql_select: EXCEEDED_ID_LIMIT (more
 * than 2000 groups). Messages carry the "ERROR at Row:R:Column:C" locator as
 * Salesforce's do.
 */
struct soql_query;

/* Parses and resolves text against the schema. Returns a new query (soql_free), or NULL
 * with e set. Needs no lock: the schema is static. */
struct soql_query *soql_parse(const char *text, struct sferr *e);

/* soql_parse with "now" given (for date literals such as LAST_N_DAYS:n), for tests. */
struct soql_query *soql_parse_at(const char *text, int64_t now_ms, struct sferr *e);

/* Drops the caller's reference to q (rows keep their own); NULL does nothing. */
void soql_free(struct soql_query *q);

/* The object the query reads. */
const struct objects_type *soql_type(const struct soql_query *q);

/* Whether the query is SELECT COUNT() (then the result has no records). */
int soql_is_count(const struct soql_query *q);

/* Whether the query aggregates (GROUP BY, HAVING or an aggregate function): its records
 * are AggregateResults, all in one batch, never paged. */
int soql_is_aggregate(const struct soql_query *q);

/*
 * A query's result: the matching records in order, each held as it was when the query
 * ran (later writes do not show), to be rendered page by page. Reference-counted and
 * safe to share between threads; each rows holds a reference to its query.
 */
struct soql_rows;

/*
 * Where a child result that is longer than the child page size leaves its remainder:
 * the function takes the remaining child rows (stolen: the callee owns the reference)
 * and the child's total, and returns the nextRecordsUrl to put in the child result (a
 * malloc'd string the renderer frees), or NULL to show all children inline.
 */
typedef char *(*soql_cursor_fn)(void *ctx, struct soql_rows *rest, size_t total);

struct soql_opts {
	int all_rows;		/* queryAll: include IsDeleted records */
	const char *version;	/* API version for attribute URLs, e.g. "58.0" */
	size_t child_page_size;	/* children per parent inline before paging; 0: no limit */
	soql_cursor_fn child_cursor;
	void *ctx;
};

/*
 * Runs q over s (the caller holds s's read lock): runs the semi-join subqueries once,
 * evaluates WHERE once per record, groups and aggregates (aggregate queries, rendered
 * now), sorts by ORDER BY, applies OFFSET and LIMIT. o->all_rows is read (and
 * o->version, for aggregate queries); the rows remember all_rows for their child
 * results. Returns new rows (soql_rows_free), or NULL with e set: out of memory, or
 * 400 EXCEEDED_ID_LIMIT for an aggregate result over 2000 groups.
 */
struct soql_rows *soql_select(struct soql_query *q, const struct objects *s,
			      const struct soql_opts *o, struct sferr *e);

/* How many rows r holds (0 for COUNT()), and the size of the whole result (for a child
 * cursor's rows, more than it holds: the rows shown inline came first). */
size_t soql_rows_count(const struct soql_rows *r);
size_t soql_rows_total(const struct soql_rows *r);

/* Another reference to r; returns r. */
struct soql_rows *soql_rows_ref(struct soql_rows *r);

/* Drops a reference to r; NULL does nothing. */
void soql_rows_free(struct soql_rows *r);

/*
 * Appends rows [from, from + n) of r (as many as there are) to out, as JSON objects
 * separated by commas, in Salesforce's shape: an "attributes" object, then the selected
 * fields, parent paths as nested objects or null, child results as
 * {"totalSize","done"[,"nextRecordsUrl"],"records"} or null (child results longer than
 * o->child_page_size go to o->child_cursor); for aggregate queries the AggregateResults
 * soql_select rendered. Parents and children are read now: the caller holds s's read
 * lock. Returns 0, or -1 when out of memory (out is then unusable).
 */
int soql_render(const struct soql_rows *r, const struct objects *s,
		const struct soql_opts *o, size_t from, size_t n, struct buf *out);

/*
 * soql_select and soql_render of every row at once (for tests and small results): the
 * records as a JSON array (new reference; empty for COUNT()), *total the number of
 * matching records or groups (after OFFSET and LIMIT). Returns NULL with e set as
 * soql_select does.
 */
json_t *soql_run(struct soql_query *q, const struct objects *s, const struct soql_opts *o,
		 size_t *total, struct sferr *e);

#endif

/* query: SOQL query and queryAll as a pager, one page of records at a time; child rows. */
#ifndef I360_SALESFORCE_QUERY_H
#define I360_SALESFORCE_QUERY_H

#include <jansson.h>

#include "salesforce/client.h"
#include "util/err.h"

/* Flags for sf_query_open. */
#define SF_QUERY_ALL 1u	/* queryAll: deleted and archived records too (IsDeleted) */

/*
 * A query in progress. Memory is bounded by one page: each sf_query_next drops the
 * previous page before fetching the next one through nextRecordsUrl.
 */
struct sf_query;

/*
 * Starts a query (nothing is sent until sf_query_next). soql is copied. The client is
 * borrowed and must outlive the query.
 * Returns the query, freed with sf_query_close, or NULL with ERR_INVALID / ERR_INTERNAL.
 */
struct sf_query *sf_query_open(struct sf_client *c, const char *soql, unsigned flags,
			       struct err *e);

/*
 * Fetches the next page. Returns 1 with *records set to the page's "records" array (a
 * borrowed json_t *, valid until the next sf_query_next or sf_query_close; never
 * empty), 0 when no records are left (*records NULL), or -1 with e set. An expired
 * cursor gives -1 with sf_client_last_error()->kind SF_ERROR_QUERY_LOCATOR: start the
 * query again (from the caller's committed high-water mark). After -1 the query stays
 * failed.
 */
int sf_query_next(struct sf_query *q, json_t **records, struct err *e);

/*
 * Lets go of the current page (its records are no longer valid) and starts fetching
 * the next one on a thread of the query's own, so that the caller can work on what it
 * took from the page (write it to the store) while the next page travels and is
 * parsed. The next sf_query_next takes that page, as it would have fetched it itself
 * (retries, a token refresh, errors alike). The thread also frees the page let go of,
 * so memory holds one page, not two.
 * Until that sf_query_next or sf_query_close the client belongs to the fetch: the
 * caller must not use it in any way, not even to read its counters or last error.
 * Returns 0 when the fetch started, -1 when there is nothing to fetch ahead (no page
 * taken yet, the last page taken, a failed query) or no thread could be started; the
 * current page is then kept and the next sf_query_next fetches as usual.
 */
int sf_query_prefetch(struct sf_query *q);

/* The totalSize Salesforce reported, or -1 before the first page. */
long sf_query_total(const struct sf_query *q);

/* Frees the query; NULL does nothing. */
void sf_query_close(struct sf_query *q);

/*
 * All rows of record's child relationship rel (a subquery such as
 * "(SELECT ... FROM i360core__Sales_Appointment_Opportunities__r)"), following the
 * child result's own nextRecordsUrl when Salesforce paged it, merged in order.
 * A relationship that came back null (no children) gives an empty array.
 * Returns 0 with *rows a new reference to a JSON array (the caller json_decref()s it),
 * or -1 with e set (*rows NULL): ERR_REMOTE when rel is not a query result.
 */
int sf_query_children(struct sf_client *c, json_t *record, const char *rel, json_t **rows,
		      struct err *e);

#endif

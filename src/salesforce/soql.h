/* soql: building SOQL text safely: string and datetime literals, chunked IN lists. */
#ifndef I360_SALESFORCE_SOQL_H
#define I360_SALESFORCE_SOQL_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/isotime.h"

/* Salesforce refuses request URLs over about 16 KB; the chunker stays under this. */
#define SF_SOQL_MAX_URL 16000

/* Flags for sf_soql_quote. */
#define SF_SOQL_LIKE 1u	/* the literal is a LIKE pattern: also escape _ and % */

/*
 * Appends s to out as a quoted SOQL string literal ('...'), escaping with backslashes as
 * Salesforce reads them: \' \" \\ \n \r \t \b \f, and with SF_SOQL_LIKE also \_ \%.
 * UTF-8 text passes through as is.
 * Returns 0, or -1 with ERR_INVALID when s is not valid UTF-8 or holds another control
 * character (SOQL has no escape for those), or ERR_TOO_LARGE when out's cap is reached.
 */
int sf_soql_quote(struct buf *out, const char *s, unsigned flags, struct err *e);

/* Writes ms as an unquoted SOQL datetime literal, "2026-11-01T00:00:00Z" (UTC, cut to the
 * second), into out; returns out. */
char *sf_soql_datetime(char out[ISOTIME_LEN], int64_t ms);

/* The length of s once percent-encoded for a query string the way the client sends it
 * (curl_easy_escape: A-Z a-z 0-9 - . _ ~ as is, every other byte as %XX). */
size_t sf_soql_encoded_len(const char *s);

/*
 * A long IN list split into queries that each fit in one request URL:
 *   HEAD FIELD IN ('v1','v2',...) TAIL
 * head and tail are SOQL text of the caller's (tail may be "" or NULL; put the spaces
 * you need in them, e.g. head "SELECT Id FROM X WHERE " and tail " ORDER BY Id").
 * url_base_len is the length of the URL the query text is appended to (from
 * sf_client_query_url_len()), max_url the limit for the whole URL (0: SF_SOQL_MAX_URL).
 * The values are borrowed and quoted with sf_soql_quote.
 */
struct sf_soql_in {
	const char *head;
	const char *field;
	const char *tail;
	const char *const *values;
	size_t nvalues;
	size_t url_base_len;
	size_t max_url;
	size_t next;	/* the first value not yet written; start at 0 */
};

/*
 * Writes the next query into out (replacing its contents): as many values from
 * in->next on as fit, at least one, and advances in->next.
 * Returns 1 when a query was written, 0 when every value has been written (out is then
 * untouched), -1 with ERR_INVALID when a value cannot be quoted, or ERR_TOO_LARGE when
 * even a single value does not fit under the limit.
 */
int sf_soql_in_next(struct sf_soql_in *in, struct buf *out, struct err *e);

#endif

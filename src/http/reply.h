/* reply: the answers handlers give — JSON, one-sentence errors, HTML pages, redirects. */
#ifndef I360_HTTP_REPLY_H
#define I360_HTTP_REPLY_H

#include <stddef.h>

#include <jansson.h>

#include "http/request.h"
#include "util/err.h"

/*
 * Every reply carries the security headers (Content-Security-Policy default-src
 * 'self' with frame-ancestors 'none', X-Content-Type-Options nosniff, X-Frame-Options
 * DENY, Referrer-Policy no-referrer) and Cache-Control no-store unless said otherwise.
 * Each function queues the answer on r->conn, records the status in r->status and
 * returns MHD's result.
 */

/* Answers status with body (a new reference, which this call takes over and
 * frees; NULL answers 500 as out of memory) as application/json. */
enum MHD_Result reply_json(struct request *r, unsigned status, json_t *body);

/* Answers status with {"error": MESSAGE} (printf-formatted: one clear sentence). */
enum MHD_Result reply_error(struct request *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Answers with e's message and the status its code stands for: invalid 400,
 * not_found 404, conflict 409, too_large 413, auth and remote 502 (I360 refused or
 * failed), anything else 500. */
enum MHD_Result reply_err(struct request *r, const struct err *e);

/* The HTTP status reply_err uses for code. */
unsigned reply_status_of(enum err_code code);

/* Answers with n bytes of data (copied) as content_type; cache_max_age > 0 allows
 * caching that many seconds. */
enum MHD_Result reply_bytes(struct request *r, unsigned status, const char *content_type,
			    const void *data, size_t n, int cache_max_age);

/* Answers status with a small HTML page (the UI's stylesheet, no script): title and
 * message are plain text (escaped here); link_href/link_text add one link when set. */
enum MHD_Result reply_page(struct request *r, unsigned status, const char *title,
			   const char *message, const char *link_href, const char *link_text);

/* Answers 302 to location. */
enum MHD_Result reply_redirect(struct request *r, const char *location);

/* Adds the security headers to resp (used for responses built elsewhere). */
void reply_secure_headers(struct MHD_Response *resp);

/* Appends s to b with &, <, >, " and ' escaped for HTML; 0 or -1 (out of memory). */
struct buf;
int reply_html_escape(struct buf *b, const char *s);

#endif

/* request: one HTTP request as the handlers see it, and what the whole service shares. */
#ifndef I360_HTTP_REQUEST_H
#define I360_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "salesforce/client.h"
#include "store/store.h"
#include "util/err.h"

struct scheduler;
struct pusher;
struct metrics;

/*
 * What every handler may use, owned by the running service (struct serve) and valid
 * for its whole life. Nothing in it changes after serve_start, so handlers on any
 * thread read it without a lock; the tables it points to lock themselves.
 */
struct http_ctx {
	const char *db_url;
	const char *public_url;		/* no trailing slash */
	const char *listen_url;		/* "http://HOST:PORT" */
	const char *callback_url;	/* PUBLIC_URL/auth/improveit360/callback */
	const char *docs_dir;		/* where uploads are spooled (push_documents_dir) */
	int secure_cookies;		/* the public URL is https */
	int share_limit;
	const struct sf_client_config *client;
	struct scheduler *scheduler;
	struct pusher *pusher;		/* NULL when the pushers did not start */
	struct metrics *metrics;
};

/* At most this many path parameters (":id") in one route. */
#define REQUEST_MAX_PARAMS 3

/*
 * One request. The service fills it before the handler runs: the store connection
 * (borrowed from the pool for this call only), the org the bearer token or session
 * names (0 for routes without authentication), the path parameters, and the body:
 * a JSON body as text, or an uploaded file spooled to upload_path.
 */
struct request {
	struct MHD_Connection *conn;
	const struct http_ctx *ctx;
	struct store *store;
	const char *method;
	const char *path;
	int64_t org_id;
	const char *params[REQUEST_MAX_PARAMS];	/* borrowed, percent-decoded */
	const char *body;			/* NUL-terminated; NULL when none */
	size_t body_len;
	const char *upload_path;		/* the spooled "file" part, or NULL */
	const char *upload_name;		/* its filename */
	const char *upload_type;		/* its Content-Type */
	int upload_taken;			/* the handler moved the spooled file away */
	int status;				/* set by reply_* for the metrics */
	char set_cookie[256];			/* a Set-Cookie value the reply carries */
};

/* A handler answers the request with one of the reply_* functions and returns what
 * that returned. */
typedef enum MHD_Result request_handler_fn(struct request *r);

/* The value of query parameter name (borrowed from MHD, valid during the request),
 * or NULL. */
const char *request_query(const struct request *r, const char *name);

/* The value of request header name (case-insensitive), or NULL. */
const char *request_header(const struct request *r, const char *name);

/* Parses the body as a JSON object into *out (a new reference, the caller decrefs).
 * Returns 0, or -1 with ERR_INVALID and a sentence saying what is wrong (no body,
 * not JSON, not an object). */
int request_json(const struct request *r, json_t **out, struct err *e);

/* Member key of a JSON object body, which may be absent or null (*out = NULL) or a
 * string (*out borrowed from body). Returns 0, or -1 when it is of another type. */
int request_opt_string(json_t *body, const char *key, const char **out);

#endif

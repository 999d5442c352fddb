/* client_int: what the files of src/salesforce share about a client; not for callers. */
#ifndef I360_SALESFORCE_CLIENT_INT_H
#define I360_SALESFORCE_CLIENT_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>

#include "salesforce/client.h"
#include "util/buf.h"

struct sf_client {
	CURL *curl;
	char *login_url;		/* without a trailing slash */
	char *consumer_key;
	char *consumer_secret;
	char *api_version;
	char *instance_url;		/* without a trailing slash; NULL until set */
	char *access_token;		/* secret */
	char *refresh_token;		/* secret; NULL when none */
	long connect_timeout_ms, timeout_ms;
	int max_attempts;
	long backoff_base_ms, backoff_max_ms, retry_after_max_ms;
	size_t body_cap;
	sf_sleep_fn *sleep;
	void *sleep_arg;
	sf_tokens_fn *on_tokens;
	void *tokens_arg;
	int reauth;			/* the refresh token was refused: no more requests
					   until new tokens are set */
	unsigned long api_calls;
	struct sf_limits limits;
	struct sf_error last_error;
	int tokens_deferred;		/* a query's fetch thread holds the client: on_tokens
					   waits for the caller's thread (sf__tokens_flush) */
	int tokens_pending;
	struct buf body;		/* the answer being read; its memory is kept from
					   one request to the next, so a sync's pages do not
					   grow a fresh buffer each */
};

/* One request. Zeroed fields mean: GET, bearer token, counted, no body. */
struct sf__req {
	const char *method;		/* NULL: GET */
	const char *url;		/* absolute, or a path from "/" joined to instance_url */
	const char *content_type;	/* of body */
	const char *body;
	size_t body_len;
	/* A multipart body instead of body: built anew for every attempt (a mime that
	 * was sent once is not reliably sent again on the same handle), freed after it. */
	curl_mime *(*mime)(CURL *h, const void *arg);
	const void *mime_arg;
	const char *header;		/* one more request header, "Name: value" (e.g. a
					   precondition); NULL: none */
	int no_auth;			/* OAuth token/revoke endpoints: no bearer, no refresh */
	int not_counted;		/* not a REST API call (token, revoke, identity) */
};

/* A 2xx answer. json is a new reference owned by the response (NULL when the body is
 * empty or not JSON). Free with sf__resp_free. */
struct sf__resp {
	long status;
	json_t *json;
	int64_t date_ms;	/* its Date header (whole seconds), -1 when none */
};

/*
 * Sends r and waits for a 2xx answer, with the client's policy: bearer token, one
 * refresh-and-repeat on INVALID_SESSION_ID, bounded backoff for retryable failures
 * (ambiguous ones only for requests that are safe to repeat), Retry-After, limits and
 * the call count. Returns 0 with resp filled (the caller frees it), or -1 with e set
 * and c->last_error holding the Salesforce failure (resp then holds nothing).
 */
int sf__do(struct sf_client *c, const struct sf__req *r, struct sf__resp *resp,
	   struct err *e);

/* Calls on_tokens for tokens refreshed while it was deferred (tokens_deferred). */
void sf__tokens_flush(struct sf_client *c);

/* Frees what resp holds; a zeroed resp is fine. */
void sf__resp_free(struct sf__resp *resp);

/* Appends "/services/data/VERSION" to out. 0, or -1 (ERR_TOO_LARGE). */
int sf__data_path(const struct sf_client *c, struct buf *out, struct err *e);

/* Appends s percent-encoded (as sf_soql_encoded_len counts) to out. 0 or -1. */
int sf__append_escaped(struct buf *out, const char *s, struct err *e);

/* The string member key of a JSON object (borrowed), or NULL. */
const char *sf__json_str(json_t *obj, const char *key);

/* Sets c->last_error to "not Salesforce's failure" before a local error. */
void sf__no_remote_error(struct sf_client *c);

/* Fails with a protocol error: c->last_error and e say "Salesforce's answer to WHAT was
 * not understood". Returns -1. */
int sf__protocol_error(struct sf_client *c, const char *what, struct err *e);

/* Replaces a heap string owned by the client, wiping the old one. 0, or -1 when out of
 * memory (the old value is then kept). value may be NULL. */
int sf__set_secret(char **slot, const char *value);

#endif

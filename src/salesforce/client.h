/* client: one authenticated connection to one Salesforce org (HTTP, retries, refresh). */
#ifndef I360_SALESFORCE_CLIENT_H
#define I360_SALESFORCE_CLIENT_H

#include <stddef.h>

#include "salesforce/limits.h"
#include "salesforce/sferror.h"
#include "util/err.h"

/*
 * Thread model: a struct sf_client is used by one thread at a time (one client per
 * worker thread); it holds a libcurl easy handle, reused so that requests share a
 * connection. Different clients are independent. The only process-wide state is
 * libcurl's and libsodium's global init: main calls sf_global_init() once, before any
 * thread starts.
 *
 * Tokens are secrets: they are never logged and never appear in an error message.
 * Retries are logged (event sf_retry) with Salesforce's errorCode and status only.
 *
 * Retry policy: transient failures (5xx, SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW,
 * timeouts, resets) are tried again up to max_attempts times with exponential backoff
 * and jitter, or after Retry-After when the answer has one. A POST (create, upload) is
 * not repeated after a failure that may have come after the work was done (timeout,
 * reset, bare 500/504); its error stays retryable so a caller that can check first
 * (e.g. sf_files_find) may try later. Note that libcurl itself resends a request once
 * when a reused keep-alive connection turns out dead before any answer. A 401
 * INVALID_SESSION_ID refreshes the token once and repeats the request.
 * Plain http:// is refused except for loopback hosts (127.0.0.0/8, ::1, localhost),
 * where the i360-sandbox runs; TLS certificates are always verified.
 */
struct sf_client;

#define SF_API_VERSION_DEFAULT "v62.0"
#define SF_BODY_CAP_DEFAULT ((size_t)64 << 20)

/* The tokens after a refresh, borrowed for the duration of the callback. */
struct sf_tokens {
	const char *instance_url;
	const char *access_token;
	const char *refresh_token;	/* the one to keep: rotated when Salesforce sent one */
};

/* Called after the client refreshed its access token, so the caller can persist the
 * new tokens. Runs on the caller's thread: a refresh made by a query's fetch-ahead
 * thread (sf_query_prefetch) is reported when the caller takes that page. */
typedef void sf_tokens_fn(void *arg, const struct sf_tokens *t);

/* Sleeps ms milliseconds between retries; tests inject one that records and returns. */
typedef void sf_sleep_fn(void *arg, long ms);

/*
 * How a client talks to its org. Zero fields take the defaults named; strings are
 * copied by sf_client_new.
 */
struct sf_client_config {
	const char *login_url;		/* OAuth host; NULL: https://login.salesforce.com */
	const char *consumer_key;	/* the connected app's; needed for OAuth and refresh */
	const char *consumer_secret;
	const char *api_version;	/* "v62.0" form; NULL: SF_API_VERSION_DEFAULT */
	long connect_timeout_ms;	/* 0: 10 s */
	long timeout_ms;		/* whole request; 0: 120 s (uploads use a speed floor
					   instead, so large files are not cut off) */
	int max_attempts;		/* tries of a retryable request; 0: 4 */
	long backoff_base_ms;		/* first retry delay before jitter; 0: 500 ms */
	long backoff_max_ms;		/* cap of one delay; 0: 30 s */
	long retry_after_max_ms;	/* a longer Retry-After is not waited for; 0: 5 min */
	size_t body_cap;		/* largest response body; 0: SF_BODY_CAP_DEFAULT */
	sf_sleep_fn *sleep;		/* NULL: nanosleep */
	void *sleep_arg;
	sf_tokens_fn *on_tokens;	/* NULL: refreshed tokens are only kept in memory */
	void *tokens_arg;
};

/* Initializes libcurl and libsodium for the process. Call once from main before any
 * thread; 0, or -1 with ERR_INTERNAL. */
int sf_global_init(struct err *e);

/*
 * Creates a client with no tokens yet (set them with sf_client_set_tokens, or get them
 * with sf_oauth_exchange_code). Returns a client the caller frees with sf_client_free,
 * or NULL with ERR_INVALID (a login URL that is not https or loopback http, a
 * malformed API version) or ERR_INTERNAL.
 */
struct sf_client *sf_client_new(const struct sf_client_config *cfg, struct err *e);

/* Frees the client and wipes its tokens from memory; NULL does nothing. */
void sf_client_free(struct sf_client *c);

/*
 * Sets the org's instance URL (e.g. https://acme.my.salesforce.com) and tokens, copied.
 * refresh_token may be NULL (then an expired session cannot be renewed).
 * Returns 0, or -1 with ERR_INVALID for an instance URL that is not https (or loopback
 * http) or an empty access token.
 */
int sf_client_set_tokens(struct sf_client *c, const char *instance_url,
			 const char *access_token, const char *refresh_token, struct err *e);

/* The instance URL (borrowed; NULL before tokens are set). */
const char *sf_client_instance_url(const struct sf_client *c);

/* The API version in use, e.g. "v62.0" (borrowed). */
const char *sf_client_api_version(const struct sf_client *c);

/* REST API requests Salesforce answered through this client, retries included (the
 * OAuth token, revoke and identity endpoints are not counted: they do not use the
 * org's API allowance). */
unsigned long sf_client_api_calls(const struct sf_client *c);

/* The org's API usage from the last Sforce-Limit-Info seen (borrowed; known = 0 before). */
const struct sf_limits *sf_client_limits(const struct sf_client *c);

/*
 * The Salesforce failure behind the last call of this client that failed, with its
 * kind (e.g. SF_ERROR_REAUTH, SF_ERROR_QUERY_LOCATOR, SF_ERROR_LIMIT), status and
 * errorCode (borrowed; valid until the next call). Kind SF_ERROR_NONE when the last
 * failure was not Salesforce's (bad input, a file that cannot be read).
 */
const struct sf_error *sf_client_last_error(const struct sf_client *c);

/* Waits ms milliseconds with the client's sleep function (cfg.sleep: tests inject one
 * that returns at once), for callers that back off between requests of their own. */
void sf_client_sleep(struct sf_client *c, long ms);

/* The length of the query URL before the SOQL text ("INSTANCE/services/data/vNN.0/
 * queryAll?q="), for sf_soql_in_next's url_base_len. */
size_t sf_client_query_url_len(const struct sf_client *c);

/*
 * Whether url may be requested: https, or http to a loopback host or to a host the
 * environment's I360BRIDGE_ALLOW_HTTP names (a comma-separated list of host names, for
 * test rigs). 0, or -1 with ERR_INVALID saying why.
 */
int sf_client_url_allowed(const char *url, struct err *e);

#endif

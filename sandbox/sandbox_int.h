/* sandbox_int: the sandbox's shared state, for its own files only (sandbox__*, oauth_*,
 * rest_*, cursor_*). */
#ifndef I360_SANDBOX_SANDBOX_INT_H
#define I360_SANDBOX_SANDBOX_INT_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sandbox/objects.h"
#include "sandbox/answer.h"
#include "sandbox/sandbox.h"
#include "sandbox/soql.h"

/* The knobs that may change while serving; read and written under sandbox.mu. */
struct sandbox_knobs {
	int latency_ms;
	double fail_rate;
	double reset_rate;
	int token_ttl_calls;
	long api_quota;
	int page_size;
	int child_page_size;
	int rotate_refresh_tokens;
	int drop_after_writes;
	int64_t locator_ttl_ms;
	int max_locators;
	int auto_approve;
	int delay_next_patch_ms;	/* the next sObject Row PATCH waits this long
					   before it is applied (then back to 0) */
	int bare_records;		/* as a simpler simulator: no LastModifiedDate
					   to read, conditional headers ignored, no
					   ContentVersion.ReasonForChange, no field
					   dependencies in describe; 2:
					   no GET of one record at all (404) */
};

/*
 * Lock order: store lock (objects_*lock) before mu, never the reverse. mu guards the
 * knobs, the counters, the OAuth tables and the query cursors.
 */
struct sandbox {
	struct sandbox_config cfg;	/* strings below are this struct's copies */
	char *listen_host, *consumer_key, *consumer_secret, *app_name, *password;
	char **callbacks;
	struct MHD_Daemon *mhd;
	char url[96];
	struct objects *store;
	char org_id[19];
	char user_id[19];

	pthread_mutex_t mu;
	struct sandbox_knobs k;
	long api_calls;
	json_t *access;		/* access token -> {"refresh": token|null, "calls": n} */
	json_t *refresh;	/* refresh token -> {"scope": "..."} */
	json_t *codes;		/* code -> {"redirect_uri","scope","expires": ms} */
	json_t *pending;	/* pending approval id -> {"redirect_uri","state","scope"} */
	struct cursor *cursors;	/* the open query locators, newest first (cursor.c) */
	unsigned long cursor_serial;
};

/* Milliseconds now (for expiries). */
int64_t sandbox__now(void);

/* Reads the "NN.0" at the start of p (a version the org serves: 20.0 to 68.0; REST
 * paths have a "v" before it, SOAP paths none) into version, and *rest to what follows
 * ("" or "/..."). 0, or -1 when p does not start with one. */
int sandbox__parse_version(const char *p, char version[8], const char **rest);

/* Answers every request under /services/oauth2/, /setup/secur/ and /id/; returns 1 when
 * path was one of them. */
int oauth_route(struct sandbox *sb, const struct answer_req *q, struct reply *r);

/*
 * Checks the bearer token of a REST call and counts it against the token's lifetime.
 * Returns 0 when it is valid, -1 when absent, unknown, revoked or expired (answer 401
 * INVALID_SESSION_ID). Takes sb->mu.
 */
int oauth_check_bearer(struct sandbox *sb, const struct answer_req *q);

/* A new session (access token) of the org's user, tied to refresh token refresh (NULL:
 * none), as every login makes one. Returns it (the caller frees the copy), or NULL when
 * out of memory. Takes sb->mu. */
char *oauth_session_new(struct sandbox *sb, const char *refresh);

/* Ends session token (a logout): 0, or -1 when there was no such session. Takes
 * sb->mu. */
int oauth_session_end(struct sandbox *sb, const char *token);

/* Answers POST /services/Soap/u/NN.0[/...] (the partner SOAP API's login and logout);
 * returns 1 when path was under /services/Soap/. */
int soap_route(struct sandbox *sb, const struct answer_req *q, struct reply *r);

/* Answers a REST call under /services/data/vNN.0 (version is "NN.0", rest the path
 * after it, "" or "/..."). The caller has authenticated and counted it. */
void rest_route(struct sandbox *sb, const struct answer_req *q, const char *version,
		const char *rest, struct reply *r);

/*
 * Query cursors (locators). Functions named *_locked expect mu held; the others take it.
 *
 * cursor_open keeps rows (stolen), of which the first `first` were already served, and
 * returns the locator URL of the next page ("/services/data/vNN.0/query/01g...-N", heap)
 * or NULL (then rows are released). The oldest cursors beyond k.max_locators are
 * dropped; idle ones expire after k.locator_ttl_ms.
 *
 * cursor_answer renders rows [from, from + size) of rows (borrowed) as a query answer
 * into r: {"totalSize","done"[,"nextRecordsUrl": next_url],"records"}; next_url NULL
 * means done. Takes the store's read lock. Returns 0, or -1 when out of memory (r
 * untouched).
 *
 * cursor_page answers a locator URL's page into r.
 */
char *cursor_open(struct sandbox *sb, const char *version, struct soql_rows *rows,
		  size_t first);
int cursor_answer(struct sandbox *sb, const char *version, struct soql_rows *rows,
		  size_t from, size_t size, const char *next_url, struct reply *r);
void cursor_page(struct sandbox *sb, const char *version, const char *locator,
		 struct reply *r);

/* How many cursors are open / releases them all (both with mu held). */
size_t cursor_count_locked(const struct sandbox *sb);
void cursor_drop_all_locked(struct sandbox *sb);

/* Whether the next committed write should drop its connection (consumes one). */
int sandbox__drop_write(struct sandbox *sb);

/* The delay_next_patch_ms knob, set back to 0 (the caller is that PATCH). */
int sandbox__take_patch_delay(struct sandbox *sb);

/* The bare_records knob. */
int sandbox__bare_records(struct sandbox *sb);

#endif

/* sandbox: i360-sandbox, a Salesforce-compatible I360 Lightning org, embeddable in any
 * process (tests, the demo) on an ephemeral port. */
#ifndef I360_SANDBOX_SANDBOX_H
#define I360_SANDBOX_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

/*
 * What the org looks like and how it misbehaves. Strings are borrowed for the call to
 * sandbox_start (which copies them). Start from sandbox_config_defaults().
 */
struct sandbox_config {
	const char *listen_host;	/* "127.0.0.1" */
	int port;			/* 0: an ephemeral port (see sandbox_url) */
	unsigned seed;			/* data generator seed (1) */
	int staff;			/* i360core__Staff__c records (25) */
	int appointments;		/* i360core__Sales_Appointment__c records (500) */
	const char *consumer_key;	/* "sandbox-consumer-key" */
	const char *consumer_secret;	/* "sandbox-consumer-secret" */
	int auto_approve;		/* authorize answers Allow itself (0) */
	int page_size;			/* query records per page (2000) */
	int latency_ms;			/* added to every /services answer (0) */
	double fail_rate;		/* share of REST calls answered 503 (0) */
	double reset_rate;		/* share of REST calls whose connection is dropped (0) */
	int token_ttl_calls;		/* access tokens expire after this many calls (0: never) */
	long api_quota;			/* daily API requests; 0: unlimited */
	const char **callback_urls;	/* the connected app's callback URLs; none: any */
	size_t ncallback_urls;
	int control;			/* serve /_control/ (0) */
	/* Extensions beyond the brief: */
	const char *app_name;		/* the connected app shown on the Allow page ("OCC") */
	const char *password;		/* the admin user's password, for the OAuth
					   username-password flow ("sandbox-password") */
	int child_page_size;		/* child records inline per parent (200) */
	int rotate_refresh_tokens;	/* refresh grants return a new refresh token (0) */
	int64_t epoch_ms;		/* anchor "now" of the seed data; 0: today 00:00 UTC */
	int quiet;			/* no request log lines (1 when embedded) */
};

/* Fills c with the defaults named above. */
void sandbox_config_defaults(struct sandbox_config *c);

struct sandbox;

/*
 * Seeds the org and starts serving on c->listen_host:c->port (threads of its own).
 * Returns the running sandbox (stop it with sandbox_stop), or NULL with e set
 * (ERR_INVALID for a bad config, ERR_IO when the address cannot be bound).
 */
struct sandbox *sandbox_start(const struct sandbox_config *c, struct err *e);

/* "http://127.0.0.1:PORT": the instance URL, login URL and identity host. Borrowed,
 * valid until sandbox_stop. */
const char *sandbox_url(const struct sandbox *s);

/* How many REST API calls the org has counted (what Sforce-Limit-Info reports). */
long sandbox_api_calls(const struct sandbox *s);

/* Stops serving, waits for the threads and frees everything; NULL does nothing. */
void sandbox_stop(struct sandbox *s);

/* ---- In-process helpers (the same as the control endpoint) ---- */

/*
 * Creates a record of type (e.g. "i360core__Sales_Appointment__c") from fields (a JSON
 * object, borrowed). System fields (SystemModstamp, CreatedDate, LastModifiedDate,
 * IsDeleted) may be set explicitly, e.g. to simulate a late commit; the REST rules apply
 * to everything else. Writes the new 18-character Id into id_out. Returns 0 or -1 with
 * e set (ERR_INVALID with Salesforce's errorCode and message).
 */
int sandbox_record_create(struct sandbox *s, const char *type, json_t *fields,
			  char id_out[19], struct err *e);

/* Updates record id with fields (borrowed), as sandbox_record_create. 0 or -1. */
int sandbox_record_update(struct sandbox *s, const char *id, json_t *fields, struct err *e);

/* Moves record id to the recycle bin; modstamp (ISO-8601, or NULL for now) becomes its
 * SystemModstamp. 0 or -1 (ERR_NOT_FOUND). */
int sandbox_record_delete(struct sandbox *s, const char *id, const char *modstamp,
			  struct err *e);

/* A copy of record id (new reference), or NULL when there is none. */
json_t *sandbox_record_get(struct sandbox *s, const char *id);

/*
 * Changes knobs at runtime. knobs (borrowed) is a JSON object with any of: latency_ms,
 * fail_rate, reset_rate, token_ttl_calls, api_quota, page_size, child_page_size,
 * rotate_refresh_tokens, drop_after_writes (the next N committed writes close the
 * connection without answering), locator_ttl_ms, max_locators, api_calls (resets the
 * counter), auto_approve, delay_next_patch_ms (the next sObject Row PATCH waits this
 * long after it is read, then is checked and applied: a write in flight that
 * Salesforce commits late, even after its client is gone), bare_records (1: act as a
 * simpler Salesforce simulator would: records have no LastModifiedDate to ask for,
 * If-Unmodified-Since / If-Modified-Since are ignored, ContentVersion has no
 * ReasonForChange, describe shows no field dependencies; 2: as 1, and a GET of one record
 * is 404 NOT_FOUND, as from a simulator without that resource). Unknown names or wrong types are refused (ERR_INVALID) and
 * then nothing changes. Returns 0 or -1.
 */
int sandbox_set_knobs(struct sandbox *s, json_t *knobs, struct err *e);

/* The current knobs as a JSON object (new reference). */
json_t *sandbox_knobs(struct sandbox *s);

/* Invalidates every access token (refresh tokens stay valid), as a session timeout. */
void sandbox_expire_tokens(struct sandbox *s);

/* Invalidates every open query locator (the next page answers INVALID_QUERY_LOCATOR). */
void sandbox_expire_cursors(struct sandbox *s);

/* The emails an OCC org should hold to match the seeded staff (see seed_staff_emails);
 * free with sandbox_emails_free. NULL when out of memory. */
char **sandbox_staff_emails(const struct sandbox *s, size_t *n);
void sandbox_emails_free(char **emails);

#endif

/* store: everything i360bridge keeps, behind one interface (SQLite or PostgreSQL). */
#ifndef I360_STORE_STORE_H
#define I360_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "store/seal.h"
#include "util/err.h"

/*
 * A struct store is one connection to the store plus the master key that seals the
 * secrets kept in it. Open one per thread. Every function returns 0 on success and
 * -1 with e set on failure, unless it says otherwise; ERR_NOT_FOUND means the record
 * is absent or belongs to another org (callers show both the same way), ERR_CONFLICT
 * a uniqueness rule, ERR_INVALID bad input (nothing is written then).
 *
 * Transactions are explicit: a function that changes several rows runs in its own
 * transaction unless the caller has one open (store_begin), in which case it joins
 * the caller's. Strings handed back in structs are owned by the struct and freed by
 * the matching *_free function. Times are milliseconds since the epoch, UTC.
 */
struct store;

/* Opens the store at url (SPEC §1: a path, sqlite:PATH, or postgres://...), loads the
 * master key (creating the key file beside a new SQLite database), applies pending
 * migrations, and checks that the key opens this database's secrets (a wrong key is
 * ERR_CRYPTO, at once). */
struct store *store_open(const char *url, struct err *e);

/* Closes the store and wipes the key; NULL does nothing. */
void store_close(struct store *s);

/* Applies pending migrations (store_open already does); *applied may be NULL. */
int store_migrate(struct store *s, int *applied, struct err *e);

/* The schema version the store is at. */
int store_schema_version(struct store *s, int *version, struct err *e);

int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* ---- Orgs and API tokens ------------------------------------------------------ */

struct store_org {
	int64_t id;
	char *name;
	int64_t created_at;
};
void store_org_free(struct store_org *o);

/* Creates an org named name (trimmed, 1 to 200 characters) with its first API token,
 * written into token (shown once: only its hash is kept). */
int store_org_create(struct store *s, const char *name, int64_t *id,
		     char token[SEAL_TOKEN_LEN], struct err *e);
int store_org_get(struct store *s, int64_t id, struct store_org *out, struct err *e);

/* All org ids, ascending, into a malloc'd array (caller frees). */
int store_org_ids(struct store *s, int64_t **ids, size_t *n, struct err *e);

/* Adds another API token to an org. */
int store_token_create(struct store *s, int64_t org_id, char token[SEAL_TOKEN_LEN],
		       struct err *e);

/* The org a token belongs to; ERR_AUTH when it is unknown. */
int store_token_org(struct store *s, const char *token, int64_t *org_id, struct err *e);

/* ---- OCC users ------------------------------------------------------------------ */

struct store_user {
	int64_t id;
	int64_t org_id;
	char *email;
	char *name;
};
/* store_user_clear frees what one user owns; store_users_free an array of n. */
void store_user_clear(struct store_user *u);
void store_users_free(struct store_user *u, size_t n);

/* Adds an OCC user. email is trimmed and must look like one (ERR_INVALID); it is
 * unique per org regardless of case (ERR_CONFLICT). name is trimmed, non-empty. */
int store_user_add(struct store *s, int64_t org_id, const char *email, const char *name,
		   int64_t *id, struct err *e);

/* The org's users ordered by id (malloc'd array; store_users_free). */
int store_user_list(struct store *s, int64_t org_id, struct store_user **out, size_t *n,
		    struct err *e);

/* One user of the org by id, or by email (trimmed, case-insensitive). */
int store_user_get(struct store *s, int64_t org_id, int64_t id, struct store_user *out,
		   struct err *e);
int store_user_find_email(struct store *s, int64_t org_id, const char *email,
			  struct store_user *out, struct err *e);

/* Trims s and lower-cases ASCII into a malloc'd string: the key emails match on. */
char *store_email_norm(const char *email);

/* ---- The ImproveIt360 integration --------------------------------------------- */

enum store_integration_status {
	STORE_INT_DISCONNECTED,
	STORE_INT_CONNECTED,
	STORE_INT_NEEDS_REAUTH,
	STORE_INT__MAX
};
extern const char *const store_integration_status_names[STORE_INT__MAX];

/* The integration of one org. Secrets are opened only when asked for
 * (store_integration_get with want_secrets); they are wiped by
 * store_integration_free. */
struct store_integration {
	int64_t org_id;
	enum store_integration_status status;
	char *platform;		/* "lightning" | "classic" */
	char *documents;	/* "all" | "none" */
	char *login_url;
	char *consumer_key;
	char *consumer_secret;	/* NULL unless want_secrets */
	char *access_token;	/* NULL unless want_secrets */
	char *refresh_token;	/* NULL unless want_secrets */
	char *instance_url;
	char *identity_url;
	char *connected_user;
	char *sf_org_id;
	int has_high_water;
	int64_t high_water_ms;
	int has_next_sync;
	int64_t next_sync_at;
	char *last_error;
	int64_t updated_at;
	int has_api_usage;	/* the org's daily API usage as last reported */
	int64_t api_used, api_max;
};
void store_integration_free(struct store_integration *in);

/* The org's integration. An org that never started one gets a disconnected record
 * with the defaults (lightning, all), not ERR_NOT_FOUND. */
int store_integration_get(struct store *s, int64_t org_id, int want_secrets,
			  struct store_integration *out, struct err *e);

/* Keeps the connected app's credentials while the admin is sent to Salesforce. */
int store_integration_set_app(struct store *s, int64_t org_id, const char *login_url,
			      const char *consumer_key, const char *consumer_secret,
			      struct err *e);

/* Connected: keeps the tokens (refresh_token NULL keeps the one stored, for
 * refreshes without rotation) and who connected; status becomes connected. */
struct store_tokens {
	const char *access_token;
	const char *refresh_token;
	const char *instance_url;
	const char *identity_url;	/* NULL keeps */
	const char *connected_user;	/* NULL keeps */
	const char *sf_org_id;		/* NULL keeps */
};
int store_integration_set_tokens(struct store *s, int64_t org_id,
				 const struct store_tokens *t, struct err *e);

/* Sets status and last_error (NULL clears it). */
int store_integration_set_status(struct store *s, int64_t org_id,
				 enum store_integration_status status, const char *last_error,
				 struct err *e);

/* At the end of a run, in one statement: a run that succeeded clears last_error of a
 * connected integration; a known usage keeps the org's daily API usage as Salesforce
 * last reported it (used of max calls). */
int store_integration_run_ended(struct store *s, int64_t org_id, int succeeded,
				int usage_known, int64_t used, int64_t max, struct err *e);

/* Settings: platform "lightning"|"classic", documents "all"|"none"; NULL keeps. */
int store_integration_set_settings(struct store *s, int64_t org_id, const char *platform,
				   const char *documents, struct err *e);

/* Disconnect: forgets every secret and token, keeps synced data and settings. */
int store_integration_disconnect(struct store *s, int64_t org_id, struct err *e);

/* The high-water mark: the largest SystemModstamp committed. Only moves forward. */
int store_integration_set_high_water(struct store *s, int64_t org_id, int64_t ms,
				     struct err *e);

int store_integration_set_next_sync(struct store *s, int64_t org_id, int64_t at,
				    struct err *e);

/* What /metrics shows of the store, aggregated in the database (cheap with thousands
 * of orgs). */
struct store_metrics {
	int64_t integrations[STORE_INT__MAX];
	int64_t runs[3];		/* by enum store_run_status */
	double run_seconds[3];		/* of finished runs, by status */
	int64_t api_calls, jobs_created, jobs_updated, users, record_errors;
	int64_t outbox_depth;
	double api_share_max;		/* the highest used/max over orgs, 0..1 */
	int64_t orgs_over_share;	/* orgs at or over share_limit percent */
};
int store_metrics(struct store *s, int share_limit, struct store_metrics *m, struct err *e);

/* A connected org whose scheduled sync is due, as store_integrations_due lists it. */
struct store_due {
	int64_t org_id;
	int has_next;		/* 0: never scheduled yet */
	int64_t next_sync_at;
};

/* Up to max connected orgs whose next sync is at or before now, or was never set,
 * soonest first (malloc'd array; the caller frees). */
int store_integrations_due(struct store *s, int64_t now, int max, struct store_due **out,
			   size_t *n, struct err *e);

/* Moves an org's next sync from what d says it was to at, only if nobody moved it
 * meanwhile (another process's scheduler): *won tells whether this call did. */
int store_integration_claim_next(struct store *s, const struct store_due *d, int64_t at,
				 int *won, struct err *e);

/* OAuth state: a fresh random state for org_id valid ttl_ms, written into state
 * (only its hash is kept). store_oauth_state_take consumes one: the org it names, or
 * ERR_AUTH when unknown, used or expired. */
#define STORE_STATE_LEN SEAL_TOKEN_LEN
int store_oauth_state_new(struct store *s, int64_t org_id, int64_t ttl_ms,
			  char state[STORE_STATE_LEN], struct err *e);
int store_oauth_state_take(struct store *s, const char *state, int64_t *org_id,
			   struct err *e);

/* ---- Admin UI sessions ------------------------------------------------------- */

/* A session id and its CSRF token: 32 random bytes in hex, with the NUL. */
#define STORE_SESSION_LEN 65

/* Makes a sign-in session for org_id living ttl_ms from its last use; writes its id
 * (only a hash is kept) and CSRF token. Expired sessions are swept here. */
int store_session_create(struct store *s, int64_t org_id, int64_t ttl_ms,
			 char id[STORE_SESSION_LEN], char csrf[STORE_SESSION_LEN], struct err *e);

/* The live session id names: its org and CSRF token, its life extended to ttl_ms from
 * now (written only once half of it has passed). ERR_AUTH when unknown or expired. */
int store_session_find(struct store *s, const char *id, int64_t ttl_ms, int64_t *org_id,
		       char csrf[STORE_SESSION_LEN], struct err *e);

/* Ends a session (sign-out); an unknown id changes nothing. */
int store_session_delete(struct store *s, const char *id, struct err *e);

/* ---- I360 staff and links ---------------------------------------------------- */

enum store_link_by { STORE_LINK_NONE, STORE_LINK_EMAIL, STORE_LINK_MANUAL, STORE_LINK__MAX };
extern const char *const store_link_by_names[STORE_LINK__MAX];

struct store_staff {
	int64_t id;
	char *crm_id;
	char *name;
	char *email;
	int64_t occ_user_id;	/* 0: not linked */
	char *occ_user_email;
	int active;
	enum store_link_by linked_by;
	int backfill_pending;
	int in_crm;		/* 0: the last complete staff pull did not return it (deleted
				   in I360); its appointments are no longer pulled */
};
void store_staff_clear(struct store_staff *st);
void store_staff_free(struct store_staff *st, size_t n);

/*
 * After a complete pull of the org's staff, whose Ids (15 or 18 characters) were
 * seen (n of them): every staff member not among them is marked gone from I360
 * (in_crm 0; its link is kept, should it come back). *gone tells how many were marked
 * now. A member upserted again is back (in_crm 1).
 */
int store_staff_retire_unseen(struct store *s, int64_t org_id, const char *const *seen,
			      size_t n, int64_t *gone, struct err *e);

/* One staff member as I360 has it, for store_staff_upsert_many. */
struct store_staff_in {
	const char *crm_id, *name, *email;
};

/* Flags of store_staff_upsert_many. */
#define STORE_STAFF_LINK 1u	/* link members the org never had by email as they go in,
				   as store_staff_autolink would link them just after */
#define STORE_STAFF_BACKFILL 2u	/* and mark those links for backfill (as autolink does);
				   a sync whose window reaches back the whole 29 days
				   anyway leaves it out */

/* Inserts or updates n staff members by Id (compared on 15 characters) in a few
 * statements; one given twice: the later wins. A member equal to what is stored is not
 * written. *linked (may be NULL) counts the new members linked (STORE_STAFF_LINK). An
 * Id not 15 or 18 characters long: ERR_INVALID, nothing written. */
int store_staff_upsert_many(struct store *s, int64_t org_id, const struct store_staff_in *v,
			    size_t n, unsigned flags, int64_t *linked, struct err *e);

/* Inserts or updates a staff member by Id (compared on 15 characters). *created may
 * be NULL. */
int store_staff_upsert(struct store *s, int64_t org_id, const char *crm_id,
		       const char *name, const char *email, int *created, struct err *e);

/* Links every staff member nobody has decided about yet (linked_by none) to the OCC
 * user with the same email (trimmed, case-insensitive); *linked counts new links. A
 * new active link is marked for backfill. */
int store_staff_autolink(struct store *s, int64_t org_id, int64_t *linked, struct err *e);

/* A link made by hand: occ_user_id 0 unlinks. Never overwritten by autolink. A link
 * that becomes active is marked for backfill. ERR_NOT_FOUND for an unknown staff
 * member or an OCC user of another org. */
int store_staff_link(struct store *s, int64_t org_id, const char *crm_id,
		     int64_t occ_user_id, int active, struct err *e);

/* Staff of the org ordered by name, filtered by q (substring of name or email,
 * case-insensitive; NULL or "" for all). */
int store_staff_list(struct store *s, int64_t org_id, const char *q,
		     struct store_staff **out, size_t *n, struct err *e);
int store_staff_get(struct store *s, int64_t org_id, const char *crm_id,
		    struct store_staff *out, struct err *e);

/* Clears the backfill marks set at or before before_ms (links made later keep theirs
 * for the next sync): their 29 days were pulled. */
int store_staff_backfill_done(struct store *s, int64_t org_id, int64_t before_ms,
			      struct err *e);

/* ---- Result reasons --------------------------------------------------------- */

enum store_reason_kind { STORE_REASON_APPOINTMENT, STORE_REASON_OPPORTUNITY, STORE_REASON__MAX };
extern const char *const store_reason_kind_names[STORE_REASON__MAX];

struct store_reason {
	int64_t id;
	int64_t parent_id;	/* 0 for a result; the result's id for a detail */
	char *description;
	int position;
	int active;
};
void store_reasons_free(struct store_reason *r, size_t n);

/* Input for store_reasons_replace: results in Salesforce's order, each with the
 * details valid for it, in order. */
struct store_reason_in {
	const char *description;
	int active;
	const struct store_reason_in *details;
	size_t ndetails;
};

/* Replaces the org's set of one kind in one transaction. */
int store_reasons_replace(struct store *s, int64_t org_id, enum store_reason_kind kind,
			  const struct store_reason_in *results, size_t n, struct err *e);

/* Every reason of one kind ordered by (parent_id, position): the results (parent_id
 * 0) first, then each result's details. */
int store_reasons_list(struct store *s, int64_t org_id, enum store_reason_kind kind,
		       struct store_reason **out, size_t *n, struct err *e);

/* ---- Jobs --------------------------------------------------------------------- */

struct store_job {
	int64_t id;
	int64_t appointment_row_id;
	struct model_job job;
	int64_t assigned_user_id;	/* 0: none */
	char *assigned_user_email;
	int64_t created_at, updated_at;
};
void store_job_free(struct store_job *j);
void store_jobs_free(struct store_job *j, size_t n);

enum store_upsert_result { STORE_UPSERT_CREATED, STORE_UPSERT_UPDATED, STORE_UPSERT_UNCHANGED };

/* Writes the job of one appointment, keyed by (org, appointment Id on 15 chars):
 * creates it, updates it, or leaves it as it is when nothing differs. An upsert of a
 * deleted appointment keeps the job's data and marks its appointment cancelled.
 * assigned_user_id 0 leaves the job unassigned. */
int store_job_upsert(struct store *s, int64_t org_id, const struct model_job *j,
		     int64_t assigned_user_id, enum store_upsert_result *result, int64_t *id,
		     struct err *e);

/* One job of store_jobs_upsert: job and assigned_user_id in, result and id out. */
struct store_job_write {
	const struct model_job *job;
	int64_t assigned_user_id;
	enum store_upsert_result result;
	int64_t id;
};

/*
 * store_job_upsert for n jobs at once, with the same outcome as n calls in order
 * (one appointment twice: the later wins), but in a few statements: one read of what
 * is stored for every key, then multi-row writes of the jobs that changed and of their
 * appointments. This is how a sync writes a page. All or nothing: on error nothing
 * of the call is kept (it joins a transaction the caller has open).
 */
int store_jobs_upsert(struct store *s, int64_t org_id, struct store_job_write *w, size_t n,
		      struct err *e);

/* Marks the appointment of the job keyed by appointment_id cancelled. *changed tells
 * whether it was scheduled before; an unknown appointment changes nothing (0). */
int store_job_cancel(struct store *s, int64_t org_id, const char *appointment_id,
		     int *changed, struct err *e);

int store_job_get(struct store *s, int64_t org_id, int64_t id, struct store_job *out,
		  struct err *e);

/* Up to limit jobs with id > after, by id; *n tells how many. */
int store_job_list(struct store *s, int64_t org_id, int64_t after, int limit,
		   struct store_job **out, size_t *n, struct err *e);

/* As store_job_list, only jobs whose name, customer, email, city, assigned user's
 * email or I360 appointment Id contain q (case-insensitive for ASCII; NULL or ""
 * for all). ERR_INVALID when q is longer than 200 bytes. */
int store_job_search(struct store *s, int64_t org_id, const char *q, int64_t after,
		     int limit, struct store_job **out, size_t *n, struct err *e);

/* ---- Sync runs -------------------------------------------------------------- */

enum store_run_status { STORE_RUN_RUNNING, STORE_RUN_SUCCEEDED, STORE_RUN_FAILED, STORE_RUN__MAX };
extern const char *const store_run_status_names[STORE_RUN__MAX];

struct store_run_counts {
	int64_t users, users_linked, jobs_created, jobs_updated;
	int64_t appointments_skipped, appointments_cancelled, record_errors;
};

struct store_run {
	int64_t id;
	int64_t org_id;
	char *trigger;		/* "manual" | "scheduled" */
	enum store_run_status status;
	int64_t started_at;
	int64_t finished_at;	/* 0 while running */
	struct store_run_counts counts;
	int64_t api_calls;
	char *step;		/* what a running sync is doing now */
	char *error;
};
void store_run_clear(struct store_run *r);
void store_runs_free(struct store_run *r, size_t n);

int store_run_start(struct store *s, int64_t org_id, const char *trigger, int64_t *run_id,
		    struct err *e);

/* Progress of a running sync: counts so far, API calls, and the step in hand. */
int store_run_progress(struct store *s, int64_t run_id, const struct store_run_counts *c,
		       int64_t api_calls, const char *step, struct err *e);

int store_run_finish(struct store *s, int64_t run_id, enum store_run_status status,
		     const struct store_run_counts *c, int64_t api_calls, const char *error,
		     struct err *e);

/* Marks the org's runs still recorded as running failed, with reason: called by the
 * holder of the org's sync lease, which proves that nobody is running them. */
int store_run_abandon(struct store *s, int64_t org_id, const char *reason, struct err *e);

int store_run_get(struct store *s, int64_t org_id, int64_t run_id, struct store_run *out,
		  struct err *e);

/* The org's newest runs first, at most limit. */
int store_run_list(struct store *s, int64_t org_id, int limit, struct store_run **out,
		   size_t *n, struct err *e);

/* Per-record errors of a run. */
struct store_run_error {
	char *object;
	char *record_id;
	char *message;
};
void store_run_errors_free(struct store_run_error *r, size_t n);
int store_run_error_add(struct store *s, int64_t run_id, const char *object,
			const char *record_id, const char *message, struct err *e);
int store_run_errors_list(struct store *s, int64_t run_id, struct store_run_error **out,
			  size_t *n, struct err *e);

/* ---- Sync leases ------------------------------------------------------------- */

/* Takes the org's sync lease for holder until now+ttl_ms when nobody holds it or its
 * holder let it expire: *got 1. Any live lease, holder's own included: *got 0 (one
 * process's workers share a holder name, and must not run one org twice). */
int store_lease_acquire(struct store *s, int64_t org_id, const char *holder, int64_t now,
			int64_t ttl_ms, int *got, struct err *e);

/* Extends holder's lease on the org to now+ttl_ms: *held 1, or 0 when holder no
 * longer holds it (it expired and someone else took it). */
int store_lease_renew(struct store *s, int64_t org_id, const char *holder, int64_t now,
		      int64_t ttl_ms, int *held, struct err *e);

/* Gives the lease back if holder holds it. */
int store_lease_release(struct store *s, int64_t org_id, const char *holder, struct err *e);

/* ---- Documents and the push outbox ----------------------------------------- */

struct store_document {
	int64_t id;
	int64_t job_id;
	char *title;
	char *content_type;
	int64_t size;
	char *sha256;
	char *path;
	char *content_version_id;
	int64_t created_at;
	int64_t outbox_id;	/* 0 when none */
	char *push_state;	/* the outbox state, or NULL */
	char *push_error;
};
void store_documents_free(struct store_document *d, size_t n);

int store_document_add(struct store *s, int64_t org_id, int64_t job_id, const char *title,
		       const char *content_type, int64_t size, const char *sha256,
		       const char *path, int64_t *id, struct err *e);
int store_document_list(struct store *s, int64_t org_id, int64_t job_id,
			struct store_document **out, size_t *n, struct err *e);
int store_document_set_version(struct store *s, int64_t id, const char *content_version_id,
			       struct err *e);

enum store_outbox_state {
	STORE_OUTBOX_QUEUED, STORE_OUTBOX_SENDING, STORE_OUTBOX_DONE, STORE_OUTBOX_FAILED,
	STORE_OUTBOX__MAX
};
extern const char *const store_outbox_state_names[STORE_OUTBOX__MAX];

struct store_outbox_item {
	int64_t id;
	int64_t org_id;
	int64_t job_id;
	char *kind;		/* "appointment_stage" | "opportunity_stage" | "document" */
	char *target_id;	/* the Salesforce record the push goes to */
	char *payload;		/* JSON text */
	int64_t document_id;	/* 0 unless a document push */
	enum store_outbox_state state;
	int attempts;
	int64_t next_attempt_at;
	char *last_error;
	char *result;
	int64_t created_at, updated_at;
};
void store_outbox_free(struct store_outbox_item *it, size_t n);

int store_outbox_enqueue(struct store *s, int64_t org_id, int64_t job_id, const char *kind,
			 const char *target_id, const char *payload, int64_t document_id,
			 int64_t *id, struct err *e);

/* Claims up to max items due at now (queued, or sending with an expired claim) for
 * holder until now+lease_ms: they become sending with attempts+1. */
int store_outbox_claim(struct store *s, const char *holder, int64_t now, int64_t lease_ms,
		       int max, struct store_outbox_item **out, size_t *n, struct err *e);

/* Ends an attempt: done with a result (e.g. the ContentVersion Id); or failed:
 * permanent, or queued again at retry_at. */
int store_outbox_done(struct store *s, int64_t id, const char *result, struct err *e);
int store_outbox_fail(struct store *s, int64_t id, const char *error, int permanent,
		      int64_t retry_at, struct err *e);

/*
 * Stage pushes of one record go out in the order they were asked for: a claim never
 * takes a stage item while an older one for the same record is unfinished, and
 * store_outbox_newer_stage tells whether a stage item has been overtaken by a newer
 * one for the same record (queued, sending or done; *newer_id its id, else 0), in
 * which case sending it would undo the newer value.
 */
int store_outbox_newer_stage(struct store *s, const struct store_outbox_item *it,
			     int64_t *newer_id, struct err *e);

/* A job's pushes, oldest first. */
int store_outbox_list(struct store *s, int64_t org_id, int64_t job_id,
		      struct store_outbox_item **out, size_t *n, struct err *e);

/* Items not yet done or failed, across all orgs (for /metrics). */
int store_outbox_depth(struct store *s, int64_t *depth, struct err *e);

/* ---- Pushes: stage changes and the outbox worker's needs (store_push.c) --------- */

/*
 * A stage change of one job, already validated against the result reasons: the
 * appointment's result and detail (opportunity_id NULL), or one sales opportunity's.
 * payload is the JSON text of the fields the push will PATCH. Strings are borrowed;
 * a NULL or "" detail clears it.
 */
struct store_push_stage {
	const char *opportunity_id;
	const char *result;
	const char *result_detail;
	const char *payload;
};

/*
 * In one transaction: sets the stage on the stored job (so it shows at once) and
 * queues its push, kind "appointment_stage" (target the appointment Id) or
 * "opportunity_stage" (target the opportunity Id as the job stores it). A stage equal
 * to the stored one queues nothing and *outbox_id is 0. While the push is queued or
 * sending, store_job_upsert keeps this stage instead of the one a pull brings.
 * ERR_NOT_FOUND: the job is not the org's, or the opportunity (compared on 15
 * characters) is not on the job.
 */
int store_push_stage(struct store *s, int64_t org_id, int64_t job_id,
		     const struct store_push_stage *st, int64_t *outbox_id, struct err *e);

/*
 * One document by id, whatever its org (the outbox worker has the id from an item it
 * claimed). outbox_id, push_state and push_error are left empty. The caller frees
 * what *out owns with store_push_document_clear. ERR_NOT_FOUND.
 */
int store_push_document(struct store *s, int64_t document_id, struct store_document *out,
			struct err *e);

/* Frees what one document owns (not the struct); NULL does nothing. */
void store_push_document_clear(struct store_document *d);

/*
 * Gives back an item claimed by store_outbox_claim without counting the attempt: it is
 * queued again, due at retry_at, with note (NULL clears) as its last_error. For pushes
 * that could not be tried at all (the org needs re-authorization, the worker stops).
 */
int store_push_release(struct store *s, int64_t outbox_id, int64_t retry_at, const char *note,
		       struct err *e);

#endif

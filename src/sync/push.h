/* push: OCC → I360, sales process stages and documents through the durable outbox
 * (SPEC §5). */
#ifndef I360_SYNC_PUSH_H
#define I360_SYNC_PUSH_H

#include <stdint.h>

#include "salesforce/client.h"
#include "store/store.h"
#include "util/err.h"

/* The largest document accepted (the API answers 413 above it). */
#define PUSH_DOCUMENT_MAX ((int64_t)64 << 20)

/*
 * A stage change, as PUT /api/jobs/ID/stage carries it: either the appointment's
 * result and detail (opportunity_id NULL), or one opportunity's result and detail.
 * Strings are borrowed. A NULL or "" detail clears the detail.
 */
struct push_stage {
	const char *opportunity_id;	/* NULL: the appointment's stage */
	const char *result;
	const char *result_detail;
};

/*
 * Validates a stage against the org's pulled result reasons and queues its push.
 * Refused with ERR_INVALID and a sentence naming the valid choices, before anything is
 * stored: an unknown or inactive result, a detail unknown, inactive or not valid for
 * the result. ERR_NOT_FOUND: the job, or an opportunity not on the job. The job's
 * stored stage is updated at once (so the UI shows it) and *outbox_id names the push.
 * A stage equal to what the job already has queues nothing (*outbox_id 0).
 */
int push_stage_request(struct store *s, int64_t org_id, int64_t job_id,
		       const struct push_stage *st, int64_t *outbox_id, struct err *e);

/*
 * Keeps a document for a job and, when the org's document preference is "all", queues
 * its upload, kind "document", to the job's first sales opportunity (else its
 * appointment). src_path is a complete temporary file (e.g. the body of an upload); it
 * is moved (renamed, or copied, synced and removed across file systems) into docs_dir
 * (push_documents_dir) while its SHA-256 is computed. Whatever the outcome, src_path no
 * longer exists afterwards. title is the file name shown in I360 (1 to 255 bytes, no
 * control characters); content_type may be NULL. *document_id names the document.
 * ERR_TOO_LARGE above PUSH_DOCUMENT_MAX, ERR_NOT_FOUND for another org's job,
 * ERR_INVALID for a bad title, ERR_IO when the file cannot be moved.
 */
int push_document_add(struct store *s, const char *docs_dir, int64_t org_id, int64_t job_id,
		      const char *title, const char *content_type, const char *src_path,
		      int64_t *document_id, struct err *e);

/*
 * Where documents are kept for the store at db_url: env I360BRIDGE_FILES when set,
 * else DBPATH.files/ beside an SQLite store (./i360bridge-files for PostgreSQL).
 * Returns a malloc'd path (the caller frees), created with mode 0700 if missing, or
 * NULL with e set.
 */
char *push_documents_dir(const char *db_url, struct err *e);

/*
 * The outbox worker: claims due pushes (store_outbox_claim) and sends them with one
 * Salesforce session per item (connect_session_open). A stage is a PATCH of the
 * payload's fields made conditional with If-Unmodified-Since from Salesforce's clock,
 * so that an older stage's PATCH landing late cannot undo a newer one (see pusher.c);
 * a 412 is sent again with a fresh precondition unless a newer stage was queued, which
 * marks the push done with result "superseded by push N". A document is uploaded as a ContentVersion streamed from disk with
 * ReasonForChange "i360bridge outbox ID"; a retry first looks for a ContentVersion with
 * that marker (sf_files_find), so an upload whose answer was lost is not made twice.
 * Outcomes: done (result: the ContentVersion Id for a document, its Id on the
 * document too); a retryable failure is queued again after the backoff, until
 * max_attempts, then failed; a permanent one (Salesforce refused: a restricted picklist
 * value, a deleted record) fails at once with Salesforce's words in last_error. An org
 * that needs re-authorization, is disconnected, or is out of API allowance keeps its
 * items queued, the attempt not counted, and they are looked at again later.
 */
struct pusher_config {
	const char *db_url;
	int workers;			/* 0: 1 */
	int64_t poll_ms;		/* how often the outbox is looked at; 0: 1000 */
	int64_t claim_ms;		/* how long a claim lives; 0: 5 min */
	int max_attempts;		/* then the push fails for good; 0: 10 */
	int64_t backoff_base_ms;	/* delay after the first failed attempt, doubled
					   after each next one, with jitter; 0: 30 s */
	int64_t backoff_max_ms;		/* the longest delay; 0: 1 h */
	const struct sf_client_config *client;
};
struct pusher;

/* Starts c->workers threads, each with its own store connection; they work the due
 * items at once, then every poll_ms or when kicked. NULL with e set when a thread or
 * the store cannot be started. c is copied (c->client is borrowed: keep it alive). */
struct pusher *pusher_start(const struct pusher_config *c, struct err *e);

/* Wakes the workers at once (after a push was queued). */
void pusher_kick(struct pusher *p);

/* How many looks at the outbox (a claim and the work of what it took) the workers have
 * finished since the start: a worker that has looked once and found nothing waits for
 * poll_ms or a kick. */
unsigned long pusher_looks(struct pusher *p);

/* Stops after the push each worker is sending; items claimed but not yet begun are
 * given back (queued, attempt not counted). Joins the threads and frees p; NULL does
 * nothing. */
void pusher_stop(struct pusher *p);

/*
 * Works the due items of the outbox in the calling thread, with holder as the claimant,
 * until none is due (an item queued again is due again only after its backoff): for
 * tests and tools. *done (may be NULL) counts pushes that ended (done or failed for
 * good). 0, or -1 when the store failed.
 */
int push_drain(struct store *s, const char *holder, const struct pusher_config *c, int *done,
	       struct err *e);

#endif

/* pusher: the outbox worker — claims due pushes and sends them to I360 (SPEC §5). */
#include "sync/push.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i360/platform.h"
#include "salesforce/files.h"
#include "salesforce/sobject.h"
#include "sync/connect.h"
#include "sync/sync.h"
#include "util/isotime.h"
#include "util/log.h"

/* The ContentVersion field that carries an upload's outbox marker. */
#define MARKER_FIELD "ReasonForChange"
#define MARKER_LEN 64
/* An org that cannot be tried (re-authorization, disconnected) is looked at again after
 * this long; one out of API allowance after QUOTA_PAUSE_MS. */
#define RECHECK_MS ((int64_t)60 * 1000)
#define QUOTA_PAUSE_MS ((int64_t)60 * 60 * 1000)
/* Items one claim takes: small, so that several workers and processes share the work. */
#define CLAIM_BATCH 4

/* What became of one attempt. */
enum outcome {
	OUTCOME_DONE,		/* sent; result holds the ContentVersion Id of a document */
	OUTCOME_RETRY,		/* may work later: queued again after the backoff */
	OUTCOME_FAILED,		/* will never work: failed for good */
	OUTCOME_RELEASE,	/* not tried (the org cannot be reached now): not counted */
};

struct attempt {
	enum outcome outcome;
	char result[64];	/* done: a document's ContentVersion Id, or why a stage
				   was not sent ("superseded by push N") */
	int64_t release_ms;	/* OUTCOME_RELEASE: when to look again, from now */
	struct err err;		/* why, unless done */
};

static void settle(const struct pusher_config *in, struct pusher_config *c)
{
	*c = *in;
	if (c->workers <= 0)
		c->workers = 1;
	if (c->poll_ms <= 0)
		c->poll_ms = 1000;
	/* A claim outlives a dead claimant this long; then another worker retries. */
	if (c->claim_ms <= 0 && getenv("I360BRIDGE_PUSH_CLAIM_MS"))
		c->claim_ms = strtoll(getenv("I360BRIDGE_PUSH_CLAIM_MS"), NULL, 10);
	if (c->claim_ms <= 0)
		c->claim_ms = 5 * 60 * 1000;
	if (c->max_attempts <= 0)
		c->max_attempts = 10;
	if (c->backoff_base_ms <= 0)
		c->backoff_base_ms = 30 * 1000;
	if (c->backoff_max_ms <= 0)
		c->backoff_max_ms = 60 * 60 * 1000;
}

/* base * 2^(attempts-1), capped, then between half and all of it so that items that
 * failed together do not come back together. */
static int64_t backoff_ms(const struct pusher_config *c, int attempts)
{
	int64_t d = c->backoff_base_ms, half;

	for (int i = 1; i < attempts && d < c->backoff_max_ms; i++)
		d *= 2;
	if (d > c->backoff_max_ms)
		d = c->backoff_max_ms;
	half = d / 2;
	if (half > (int64_t)UINT32_MAX - 1)
		half = (int64_t)UINT32_MAX - 1;
	return d - half + (int64_t)randombytes_uniform((uint32_t)half + 1);
}

/* Decides what a failed Salesforce call (its message in ce) means for the push. */
static void classify(struct store *s, struct connect_session *cs, const struct err *ce,
		     struct attempt *a)
{
	const struct sf_error *se = sf_client_last_error(cs->client);
	struct err ie;

	a->err = *ce;
	switch (se->kind) {
	case SF_ERROR_REAUTH:
		store_integration_set_status(s, cs->org_id, STORE_INT_NEEDS_REAUTH,
					     "ImproveIt360 refused the stored authorization: an "
					     "admin must authorize again", &ie);
		log_warn("push.needs_reauthorization", "org=%lld", (long long)cs->org_id);
		a->outcome = OUTCOME_RELEASE;
		a->release_ms = RECHECK_MS;
		break;
	case SF_ERROR_LIMIT:
		a->outcome = OUTCOME_RELEASE;
		a->release_ms = QUOTA_PAUSE_MS;
		break;
	case SF_ERROR_SESSION:
		a->outcome = OUTCOME_RETRY;
		break;
	case SF_ERROR_NONE:
		/* Not Salesforce's answer: our own input (a file gone, a bad Id) cannot get
		 * better; memory or the store may. */
		a->outcome = ce->code == ERR_INTERNAL || ce->code == ERR_DB ? OUTCOME_RETRY :
			     OUTCOME_FAILED;
		break;
	default:
		a->outcome = se->retryable ? OUTCOME_RETRY : OUTCOME_FAILED;
	}
}

static struct connect_session *open_session(struct store *s, const struct pusher_config *c,
					    int64_t org_id, struct attempt *a)
{
	struct connect_session *cs = connect_session_open(s, org_id, c->client, &a->err);

	if (cs == NULL) {
		/* Needs re-authorization or not connected: wait for the admin, uncounted. */
		a->outcome = a->err.code == ERR_AUTH || a->err.code == ERR_INVALID ?
			     OUTCOME_RELEASE : OUTCOME_RETRY;
		a->release_ms = RECHECK_MS;
	}
	return cs;
}

/*
 * Stage pushes are conditional: the newest stage of a record must win at Salesforce,
 * even over an older PATCH that a killed (or stalled) process left in flight and that
 * Salesforce commits late. The outbox already sends a record's stages one at a time
 * and in order (a newer one is claimed only once the older one has ended, and an older
 * one met again is marked superseded), so a newer stage's PATCH always leaves after
 * every older one left. Each PATCH therefore carries If-Unmodified-Since set to a time
 * before it left; any newer stage then lands later than that time, moves the record's
 * LastModifiedDate past it, and the older PATCH, arriving after, is refused with 412.
 *
 * The reference time is Salesforce's, never ours: a clock of ours running ahead would
 * let a stale PATCH through, one running behind would refuse every push. Each attempt
 * asks Salesforce first (sf_sobject_last_modified: the record's LastModifiedDate and
 * the Date of the answer, D), then sends If-Unmodified-Since: D minus one second.
 * This is the one extra API call of a stage push, and it is needed: a session is
 * opened per push, so no earlier answer of Salesforce's clock is at hand, and a
 * reference kept from an older answer could be any age.
 *
 * Why D - 1 s: HTTP-dates and LastModifiedDate have whole seconds, and Salesforce
 * compares "modified after" at that resolution, so a write in the same second as the
 * reference would not count as a modification. With D - 1 s, every write at or after
 * second D (everything after our look) fails the precondition. The cost: a record
 * written during second D itself (e.g. the previous push of the same record a moment
 * ago) fails it too. That case is seen before sending (its LastModifiedDate is in
 * second D) and waited out: after a pause of at least a second, a fresh look has a
 * later D. Erring this way costs a wait, never a lost newer stage.
 *
 * A 412 on a live pusher means the record changed between our look and our PATCH:
 * another stage of ours (then this push is superseded and marked so, as the outbox
 * does) or an edit in I360 of any field. The user's stage is still the newest one we
 * have, so it is sent again with a fresh reference: at most STAGE_ROUNDS looks per
 * attempt, pausing STAGE_PAUSE_MS, doubled each time, between them; then the attempt
 * is retried later by the outbox as any transient failure.
 *
 * Salesforce always has both (every record has a LastModifiedDate, every answer a
 * Date). An org or a simulator that cannot tell them (the look answers INVALID_FIELD,
 * or without a date) still gets the user's stage: sent without a precondition, as
 * before conditional pushes, and logged.
 */
#define STAGE_ROUNDS 4
#define STAGE_PAUSE_MS 1000L

/* The pause before round n + 1 (n >= 1): 1 s, 2 s, 4 s, plus up to a quarter more so
 * that workers that met the same change do not come back together. Never below a
 * second, which the same-second case needs. */
static long stage_pause_ms(int n)
{
	long d = STAGE_PAUSE_MS << (n - 1);

	return d + (long)randombytes_uniform((uint32_t)(d / 4) + 1);
}

/* Marks the attempt done when a newer stage of the same record exists (its result
 * then says which). 1 when superseded, 0 when this push is still the newest, -1 when
 * the store failed. */
static int superseded(struct store *s, const struct store_outbox_item *it, struct attempt *a)
{
	int64_t newer;

	if (store_outbox_newer_stage(s, it, &newer, &a->err) < 0) {
		a->outcome = OUTCOME_RETRY;
		return -1;
	}
	if (newer == 0)
		return 0;
	snprintf(a->result, sizeof(a->result), "superseded by push %lld", (long long)newer);
	a->outcome = OUTCOME_DONE;
	return 1;
}

/*
 * Whether the look failed because the org cannot tell a record's LastModifiedDate or
 * its own time (not Salesforce as it is), rather than for a reason the PATCH shares:
 * then the PATCH goes without its precondition. A 404 other than ENTITY_IS_DELETED
 * counts: an org without that GET answers so, and for a record that is really gone
 * the PATCH gets the same 404, which fails the push as before (one call more).
 */
static int look_unsupported(const struct sf_client *c)
{
	const struct sf_error *se = sf_client_last_error(c);

	return se->kind == SF_ERROR_PROTOCOL ||
	       (se->status == 400 && strcmp(se->code, "INVALID_FIELD") == 0) ||
	       (se->status == 404 && strcmp(se->code, "ENTITY_IS_DELETED") != 0) ||
	       se->status == 405 || se->status == 501;
}

static void send_stage(struct store *s, struct connect_session *cs,
		       const struct store_outbox_item *it, struct attempt *a)
{
	const struct platform_schema *schema;
	json_t *fields;
	const char *object;
	int64_t modified_ms, server_ms, since_ms;
	struct err ce;
	int round;

	schema = platform_schema(platform_parse(cs->platform), &a->err);
	if (schema == NULL) {
		a->outcome = OUTCOME_FAILED;
		return;
	}
	object = strcmp(it->kind, "appointment_stage") == 0 ? schema->appt_status.object :
		 schema->opp_result.object;
	fields = json_loads(it->payload, 0, NULL);
	if (!json_is_object(fields)) {
		json_decref(fields);
		a->outcome = OUTCOME_FAILED;
		err_set(&a->err, ERR_INTERNAL, "the stored push is damaged");
		return;
	}
	for (round = 1;; round++) {
		if (round > 1) {
			sf_client_sleep(cs->client, stage_pause_ms(round - 1));
			if (superseded(s, it, a) != 0)
				break;
		}
		if (sf_sobject_last_modified(cs->client, object, it->target_id, &modified_ms,
					     &server_ms, &ce) < 0) {
			if (!look_unsupported(cs->client)) {
				classify(s, cs, &ce, a);
				break;
			}
			log_warn("push.stage_unconditional", "outbox=%lld reason=\"%s\"",
				 (long long)it->id, sf_client_last_error(cs->client)->message);
			if (sf_sobject_update(cs->client, object, it->target_id, fields, &ce) == 0)
				a->outcome = OUTCOME_DONE;
			else
				classify(s, cs, &ce, a);
			break;
		}
		/* server_ms is whole seconds already; since_ms is the second before it. */
		since_ms = server_ms - 1000;
		if (modified_ms >= server_ms) {
			/* Written during second D: the precondition would fail. Wait. */
			log_info("push.stage_wait", "outbox=%lld round=%d reason=same_second",
				 (long long)it->id, round);
			err_set(&a->err, ERR_CONFLICT, "ImproveIt360 kept changing the record "
				"while the stage was being pushed");
		} else if (sf_sobject_update_unmodified_since(cs->client, object, it->target_id,
							      fields, since_ms, &ce) == 0) {
			a->outcome = OUTCOME_DONE;
			break;
		} else if (sf_client_last_error(cs->client)->kind == SF_ERROR_PRECONDITION) {
			log_info("push.stage_wait", "outbox=%lld round=%d reason=precondition",
				 (long long)it->id, round);
			err_set(&a->err, ERR_CONFLICT, "ImproveIt360 kept changing the record "
				"while the stage was being pushed");
		} else {
			classify(s, cs, &ce, a);
			break;
		}
		if (round == STAGE_ROUNDS) {
			/* Transient: the outbox tries again after its backoff. */
			a->outcome = OUTCOME_RETRY;
			break;
		}
	}
	json_decref(fields);
}

/* Whether Salesforce refused the marker field itself (an org, or a simulator, whose
 * ContentVersion has no ReasonForChange), not the upload or the search. */
static int marker_refused(const struct sf_client *c)
{
	const struct sf_error *se = sf_client_last_error(c);

	return se->status == 400 && (strcmp(se->code, "INVALID_FIELD") == 0 ||
				     strcmp(se->code, "INVALID_FIELD_FOR_INSERT_UPDATE") == 0) &&
	       strstr(se->message, MARKER_FIELD) != NULL;
}

/*
 * Uploads a document at most once in effect. Every upload carries a marker naming its
 * outbox item; a retry (attempts > 1: an earlier attempt may have been committed by
 * Salesforce with its answer lost) first looks for a ContentVersion with that marker.
 * Where the marker field does not exist (not Salesforce as it is), the document goes
 * without it, unsearched: delivered, at the risk of a second copy after a lost answer.
 * *csp may be replaced by a fresh session (see below).
 */
static void send_document(struct store *s, const struct pusher_config *c,
			  struct connect_session **csp, const struct store_outbox_item *it,
			  struct attempt *a)
{
	struct store_document doc;
	struct sf_upload u;
	char marker[MARKER_LEN], id[SF_ID_LEN + 1];
	struct err ce;
	int found, sent, marked = 1;

	if (store_push_document(s, it->document_id, &doc, &a->err) < 0) {
		a->outcome = a->err.code == ERR_NOT_FOUND ? OUTCOME_FAILED : OUTCOME_RETRY;
		return;
	}
	snprintf(marker, sizeof(marker), "i360bridge outbox %lld", (long long)it->id);
	if (it->attempts > 1) {
		found = sf_files_find((*csp)->client, MARKER_FIELD, marker, it->target_id, id, &ce);
		if (found < 0 && marker_refused((*csp)->client)) {
			log_warn("push.upload_unmarked", "outbox=%lld reason=\"%s\"",
				 (long long)it->id, sf_client_last_error((*csp)->client)->message);
			found = marked = 0;
		}
		if (found < 0) {
			classify(s, *csp, &ce, a);
			goto out;
		}
		if (found == 1) {
			log_info("push.upload_found", "outbox=%lld", (long long)it->id);
			snprintf(a->result, sizeof(a->result), "%s", id);
			a->outcome = OUTCOME_DONE;
			goto out;
		}
		/*
		 * The upload gets a connection of its own. libcurl silently sends a request
		 * again when a reused keep-alive connection turns out closed before any
		 * answer; for an upload Salesforce committed before the connection dropped,
		 * that would make the second ContentVersion the marker exists to prevent.
		 */
		connect_session_close(*csp);
		if ((*csp = open_session(s, c, it->org_id, a)) == NULL)
			goto out;
	}
	memset(&u, 0, sizeof(u));
	u.path = doc.path;
	u.title = doc.title;
	u.path_on_client = doc.title;
	u.first_publish_location_id = it->target_id;
	u.reason_for_change = marked ? marker : NULL;
	u.content_type = doc.content_type;
	sent = sf_files_upload((*csp)->client, &u, id, &ce);
	if (sent < 0 && marked && marker_refused((*csp)->client)) {
		/* Refused with its answer: nothing was made, so once more without it, on a
		 * connection of its own (see above). */
		log_warn("push.upload_unmarked", "outbox=%lld reason=\"%s\"", (long long)it->id,
			 sf_client_last_error((*csp)->client)->message);
		u.reason_for_change = NULL;
		connect_session_close(*csp);
		if ((*csp = open_session(s, c, it->org_id, a)) == NULL)
			goto out;
		sent = sf_files_upload((*csp)->client, &u, id, &ce);
	}
	if (sent == 0) {
		snprintf(a->result, sizeof(a->result), "%s", id);
		a->outcome = OUTCOME_DONE;
	} else {
		classify(s, *csp, &ce, a);
	}
out:
	store_push_document_clear(&doc);
}

/* Records how the attempt ended. -1 only when the store failed. */
static int finish(struct store *s, const struct pusher_config *c,
		  const struct store_outbox_item *it, const struct attempt *a, int *ended,
		  struct err *e)
{
	int64_t now = isotime_now_ms();
	char msg[ERR_MSG_MAX + 64];

	*ended = 0;
	switch (a->outcome) {
	case OUTCOME_DONE:
		if (store_begin(s, e) < 0)
			return -1;
		if ((it->document_id &&
		     store_document_set_version(s, it->document_id, a->result, e) < 0) ||
		    store_outbox_done(s, it->id, a->result[0] ? a->result : NULL, e) < 0 ||
		    store_commit(s, e) < 0) {
			store_rollback(s);
			return -1;
		}
		log_info("push.done", "outbox=%lld kind=%s attempts=%d", (long long)it->id,
			 it->kind, it->attempts);
		*ended = 1;
		return 0;
	case OUTCOME_RELEASE:
		log_info("push.waiting", "outbox=%lld org=%lld", (long long)it->id,
			 (long long)it->org_id);
		return store_push_release(s, it->id, now + a->release_ms, a->err.msg, e);
	case OUTCOME_RETRY:
		if (it->attempts < c->max_attempts) {
			log_warn("push.retry", "outbox=%lld attempts=%d", (long long)it->id,
				 it->attempts);
			return store_outbox_fail(s, it->id, a->err.msg, 0,
						 now + backoff_ms(c, it->attempts), e);
		}
		snprintf(msg, sizeof(msg), "gave up after %d attempts: %s", it->attempts,
			 a->err.msg);
		break;
	case OUTCOME_FAILED:
		snprintf(msg, sizeof(msg), "%s", a->err.msg);
		break;
	}
	log_warn("push.failed", "outbox=%lld kind=%s attempts=%d", (long long)it->id, it->kind,
		 it->attempts);
	*ended = 1;
	return store_outbox_fail(s, it->id, msg, 1, now, e);
}

/* One attempt at one claimed item. -1 only when the store failed. */
static int push_one(struct store *s, const struct pusher_config *c,
		    const struct store_outbox_item *it, int *ended, struct err *e)
{
	struct connect_session *cs;
	struct attempt a;

	memset(&a, 0, sizeof(a));
	if (strcmp(it->kind, "document") != 0) {
		/* A newer stage of the same record wins: this one (claimed again after its
		 * process died, say) must not undo it. */
		int64_t newer;
		char why[64];

		if (store_outbox_newer_stage(s, it, &newer, e) < 0)
			return -1;
		if (newer) {
			snprintf(why, sizeof(why), "superseded by push %lld", (long long)newer);
			*ended = 1;
			return store_outbox_done(s, it->id, why, e);
		}
	}
	cs = open_session(s, c, it->org_id, &a);
	if (cs) {
		if (strcmp(it->kind, "document") == 0)
			send_document(s, c, &cs, it, &a);
		else
			send_stage(s, cs, it, &a);
		connect_session_close(cs);
	}
	return finish(s, c, it, &a, ended, e);
}

/* Gives back claimed items that were not begun. */
static void release_rest(struct store *s, const struct store_outbox_item *it, size_t n)
{
	struct err e;

	for (size_t i = 0; i < n; i++)
		store_push_release(s, it[i].id, isotime_now_ms(), it[i].last_error, &e);
}

/* Claims one batch and works it, stopping early when *stop is set. *claimed says how
 * many items the claim took. */
static int work_batch(struct store *s, const char *holder, const struct pusher_config *c,
		      const atomic_int *stop, size_t *claimed, int *done, struct err *e)
{
	struct store_outbox_item *items;
	size_t n, i;
	int ended, rc = 0;

	if (store_outbox_claim(s, holder, isotime_now_ms(), c->claim_ms, CLAIM_BATCH, &items, &n,
			       e) < 0)
		return -1;
	*claimed = n;
	for (i = 0; i < n && rc == 0; i++) {
		if (stop && atomic_load(stop))
			break;
		if ((rc = push_one(s, c, &items[i], &ended, e)) == 0 && done)
			*done += ended;
	}
	if (i < n)
		release_rest(s, items + i, n - i);
	store_outbox_free(items, n);
	return rc;
}

int push_drain(struct store *s, const char *holder, const struct pusher_config *cfg, int *done,
	       struct err *e)
{
	struct pusher_config c;
	size_t claimed;

	settle(cfg, &c);
	if (done)
		*done = 0;
	do {
		if (work_batch(s, holder, &c, NULL, &claimed, done, e) < 0)
			return -1;
	} while (claimed > 0);
	return 0;
}

/* ---- Worker threads --------------------------------------------------------- */

/*
 * Shared under mu: kicks (a counter, so a kick that comes while a worker is busy is
 * not lost) and stop, which only goes from 0 to 1. Workers read stop without the lock
 * between items; a stale read costs one more item.
 */
struct pusher {
	struct pusher_config cfg;
	char *db_url;
	char holder[128];
	pthread_t *threads;
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	unsigned long kicks;
	atomic_int stop;
	atomic_ulong looks;	/* looks at the outbox the workers have finished */
};

/* Waits up to poll_ms for a kick that came after seen, or for stop. */
static void wait_for_work(struct pusher *p, unsigned long seen)
{
	struct timespec until;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &until);
	ns = (int64_t)until.tv_nsec + p->cfg.poll_ms % 1000 * 1000000;
	until.tv_sec += (time_t)(p->cfg.poll_ms / 1000 + ns / 1000000000);
	until.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&p->mu);
	while (!atomic_load(&p->stop) && p->kicks == seen)
		if (pthread_cond_timedwait(&p->cond, &p->mu, &until) != 0)
			break;
	pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
	struct pusher *p = arg;
	struct store *s = NULL;
	unsigned long seen;
	size_t claimed;
	struct err e;

	while (!atomic_load(&p->stop)) {
		pthread_mutex_lock(&p->mu);
		seen = p->kicks;
		pthread_mutex_unlock(&p->mu);
		claimed = 0;
		if (s == NULL && (s = store_open(p->db_url, &e)) == NULL)
			log_error("push.store_failed", "error=\"%s\"", e.msg);
		if (s && work_batch(s, p->holder, &p->cfg, &p->stop, &claimed, NULL, &e) < 0) {
			log_error("push.store_failed", "error=\"%s\"", e.msg);
			store_close(s);	/* a fresh connection next time */
			s = NULL;
		}
		atomic_fetch_add(&p->looks, 1);
		if (claimed == 0)
			wait_for_work(p, seen);
	}
	store_close(s);
	return NULL;
}

struct pusher *pusher_start(const struct pusher_config *c, struct err *e)
{
	struct pusher *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	settle(c, &p->cfg);
	p->db_url = c->db_url ? strdup(c->db_url) : NULL;
	p->threads = calloc((size_t)p->cfg.workers, sizeof(*p->threads));
	if (p->db_url == NULL || p->threads == NULL) {
		free(p->db_url);
		free(p->threads);
		free(p);
		err_set(e, c->db_url ? ERR_INTERNAL : ERR_INVALID, c->db_url ? "out of memory" :
			"the push workers need the store's address");
		return NULL;
	}
	p->cfg.db_url = p->db_url;
	sync_holder_name(p->holder, sizeof(p->holder));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (int i = 0; i < p->cfg.workers; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads < p->cfg.workers) {
		pusher_stop(p);
		err_set(e, ERR_INTERNAL, "cannot start the push workers");
		return NULL;
	}
	log_info("push.started", "workers=%d", p->cfg.workers);
	return p;
}

void pusher_kick(struct pusher *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->kicks++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
}

unsigned long pusher_looks(struct pusher *p)
{
	return p ? atomic_load(&p->looks) : 0;
}

void pusher_stop(struct pusher *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cond);
	free(p->threads);
	free(p->db_url);
	free(p);
}

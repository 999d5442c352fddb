/* run: the life of one sync run — lease, run record, steps, how it ended. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "salesforce/limits.h"
#include "sync/pull.h"
#include "util/isotime.h"
#include "util/log.h"

const char *const sync_kind_names[SYNC__MAX] = {
	[SYNC_MANUAL] = "manual",
	[SYNC_SCHEDULED] = "scheduled",
};

void sync_holder_name(char *out, size_t n)
{
	char host[64] = "host";

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, n, "%s:%ld:%08x", host, (long)getpid(), randombytes_random());
}

static int64_t lease_ms(const struct sync_options *o)
{
	const char *env = getenv("I360BRIDGE_LEASE_MS");
	long long v;

	if (o->lease_ms > 0)
		return o->lease_ms;
	if (env && (v = strtoll(env, NULL, 10)) > 0)
		return v;
	return SYNC_LEASE_MS;
}

int sync_begin(struct store *s, int64_t org_id, const struct sync_options *o,
	       int64_t *run_id, struct err *e)
{
	int got;

	if ((int)o->kind < 0 || o->kind >= SYNC__MAX || o->holder == NULL)
		return err_set(e, ERR_INVALID, "a sync needs a kind and a lease holder");
	/* The lease row refers to the org: for an org that does not exist the insert
	 * fails on that reference, the only conflict the upsert can meet. */
	if (store_lease_acquire(s, org_id, o->holder, isotime_now_ms(), lease_ms(o), &got, e) < 0)
		return e->code == ERR_CONFLICT ? err_set(e, ERR_NOT_FOUND, "org %lld does not "
							 "exist", (long long)org_id) : -1;
	if (!got)
		return err_set(e, ERR_CONFLICT, "a sync of this org is already running");
	/* Holding the lease proves no one runs them: these died with their process. */
	if (store_run_abandon(s, org_id, "interrupted: the process running this sync stopped "
			      "before it finished", e) < 0 ||
	    store_run_start(s, org_id, sync_kind_names[o->kind], run_id, e) < 0) {
		store_lease_release(s, org_id, o->holder, NULL);
		return -1;
	}
	return 0;
}

void pull__record_error(struct pull_ctx *p, const char *object, const char *record_id,
			const char *fmt, ...)
{
	char msg[512];
	struct err e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->counts.record_errors++;
	if (store_run_error_add(p->s, p->run_id, object, record_id, msg, &e) < 0)
		log_error("sync.record_error_lost", "org=%lld run=%lld", (long long)p->org_id,
			  (long long)p->run_id);
}

static unsigned long api_calls(const struct pull_ctx *p)
{
	return p->cs ? sf_client_api_calls(p->cs->client) : 0;
}

int pull__checkpoint(struct pull_ctx *p, const char *step, struct err *e)
{
	const struct sf_limits *lim;
	int share = p->o->share_limit > 0 ? p->o->share_limit : SYNC_SHARE_LIMIT_DEFAULT;
	int got, pct;
	int64_t now;

	p->step = step;
	now = isotime_now_ms();
	/* Progress is for people watching a run: written at the first checkpoint, then at
	 * most once a second (and every time when a progress callback shows it); the run's
	 * end writes the final figures. */
	if (p->progress_at == 0 || now - p->progress_at >= 1000 || p->o->progress) {
		if (store_run_progress(p->s, p->run_id, &p->counts, (int64_t)api_calls(p), step,
				       e) < 0)
			return -1;
		p->progress_at = now;
	}
	if (p->o->progress) {
		struct store_run r;
		if (store_run_get(p->s, p->org_id, p->run_id, &r, e) == 0) {
			p->o->progress(p->o->progress_arg, &r);
			store_run_clear(&r);
		}
	}
	if (p->o->stop && atomic_load(p->o->stop))
		return err_set(e, ERR_CONFLICT, "the sync was stopped before it finished (the "
			       "service is shutting down); the next sync goes on from here");
	/* Renewed at the first checkpoint, then once a quarter of it has run, not at every
	 * page: a small sync costs one renewal, and the lease never comes near expiring. */
	if (now - p->lease_at >= lease_ms(p->o) / 4) {
		if (store_lease_renew(p->s, p->org_id, p->o->holder, now, lease_ms(p->o), &got,
				      e) < 0)
			return -1;
		if (!got)
			return err_set(e, ERR_CONFLICT, "the sync lost its lease to another "
				       "process");
		p->lease_at = now;
	}
	lim = p->cs ? sf_client_limits(p->cs->client) : NULL;
	pct = lim ? sf_limits_percent(lim) : -1;
	if (p->o->kind == SYNC_SCHEDULED && pct >= share)
		return err_set(e, ERR_REMOTE, "stopped: the I360 org has used %d%% of its daily API "
			       "allowance (%ld of %ld calls) and scheduled syncs stop at %d%%",
			       pct, lim->used, lim->max, share);
	return 0;
}

/*
 * What a failure means for the org: a refused refresh token pauses it until an admin
 * authorizes again; an exhausted daily API allowance is said on the integration (the
 * scheduler rests the org and it resumes by itself).
 */
static void note_failure(struct pull_ctx *p)
{
	const struct sf_error *se = p->cs ? sf_client_last_error(p->cs->client) : NULL;
	struct err ie;

	if (se && se->kind == SF_ERROR_LIMIT) {
		store_integration_set_status(p->s, p->org_id, STORE_INT_CONNECTED,
					     "The I360 org's daily API allowance is used up "
					     "(REQUEST_LIMIT_EXCEEDED): syncs are paused and resume "
					     "by themselves once Salesforce allows calls again", &ie);
		log_warn("sync.api_allowance_exhausted", "org=%lld", (long long)p->org_id);
	} else if (se && se->kind == SF_ERROR_REAUTH) {
		store_integration_set_status(p->s, p->org_id, STORE_INT_NEEDS_REAUTH,
					     "ImproveIt360 refused the stored authorization: an "
					     "admin must authorize again", &ie);
		log_warn("sync.needs_reauthorization", "org=%lld", (long long)p->org_id);
	}
}

int sync_execute(struct store *s, int64_t org_id, int64_t run_id,
		 const struct sync_options *o, struct err *e)
{
	struct pull_ctx p;
	struct err fe;
	enum platform plat;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.org_id = org_id;
	p.run_id = run_id;
	p.o = o;
	p.now = isotime_now_ms();
	/* Unless the caller says when sync_begin took the lease, the first checkpoint
	 * renews it, however long ago that was (a run queued behind others). */
	p.lease_at = o->leased_at_ms;
	/* Someone who started a run watches it from the first step; a scheduled run's
	 * progress is first written after a second, which most never reach. */
	p.progress_at = o->kind == SYNC_SCHEDULED ? p.now : 0;
	err_clear(e);
	p.cs = connect_session_open(s, org_id, o->client, e);
	if (p.cs == NULL)
		goto end;
	plat = platform_parse(p.cs->platform);
	p.schema = platform_schema(plat == PLATFORM__MAX ? PLATFORM_LIGHTNING : plat, e);
	if (p.schema == NULL)
		goto end;
	log_info("sync.start", "org=%lld run=%lld kind=%s", (long long)org_id, (long long)run_id,
		 sync_kind_names[o->kind]);
	if (o->kind == SYNC_MANUAL && pull_reasons(&p, e) < 0)
		goto end;
	if (pull_users(&p, e) < 0)
		goto end;
	if (pull_appointments(&p, e) < 0)
		goto end;
	rc = 0;
end:
	if (rc < 0)
		note_failure(&p);
	/* The API usage Salesforce last reported; a run that went through also clears
	 * what an earlier failure said. */
	{
		const struct sf_limits *lim = p.cs ? sf_client_limits(p.cs->client) : NULL;

		if (store_integration_run_ended(s, org_id, rc == 0, lim && lim->known,
						lim ? lim->used : 0, lim ? lim->max : 0, &fe) < 0)
			log_warn("sync.integration_update_failed", "org=%lld",
				 (long long)org_id);
	}
	if (store_run_finish(s, run_id, rc == 0 ? STORE_RUN_SUCCEEDED : STORE_RUN_FAILED,
			     &p.counts, (int64_t)api_calls(&p), rc == 0 ? NULL : e->msg, &fe) < 0) {
		log_error("sync.finish_failed", "org=%lld run=%lld", (long long)org_id,
			  (long long)run_id);
	}
	store_lease_release(s, org_id, o->holder, &fe);
	log_info("sync.end", "org=%lld run=%lld status=%s api_calls=%lu created=%lld updated=%lld"
		 " errors=%lld", (long long)org_id, (long long)run_id,
		 rc == 0 ? "succeeded" : "failed", api_calls(&p),
		 (long long)p.counts.jobs_created, (long long)p.counts.jobs_updated,
		 (long long)p.counts.record_errors);
	connect_session_close(p.cs);
	return rc;
}

int sync_org(struct store *s, int64_t org_id, const struct sync_options *o, int64_t *run_id,
	     struct err *e)
{
	struct sync_options leased = *o;

	leased.leased_at_ms = isotime_now_ms();
	if (sync_begin(s, org_id, &leased, run_id, e) < 0)
		return -1;
	return sync_execute(s, org_id, *run_id, &leased, e);
}

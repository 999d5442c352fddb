/* pull_appointments: the appointments of every actively linked rep into OCC jobs,
 * a page per transaction together with the high-water mark (SPEC §3, §4). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i360/mapping.h"
#include "salesforce/query.h"
#include "salesforce/record.h"
#include "salesforce/soql.h"
#include "sync/pull.h"
#include "util/buf.h"
#include "util/isotime.h"
#include "util/log.h"
#include <stdio.h>

/* A rep whose appointments become jobs: an I360 staff member actively linked. */
struct rep {
	char key[16];		/* the Id's first 15 characters */
	const char *id;		/* borrowed from the staff list */
	int64_t user_id;
	int backfill;
};

struct reps {
	struct store_staff *staff;
	size_t nstaff;
	struct rep *v;
	size_t n;
};

static int rep_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rep *)a)->key, ((const struct rep *)b)->key);
}

static void reps_free(struct reps *r)
{
	store_staff_free(r->staff, r->nstaff);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int reps_load(struct pull_ctx *p, struct reps *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	if (store_staff_list(p->s, p->org_id, NULL, &r->staff, &r->nstaff, e) < 0)
		return -1;
	r->v = calloc(r->nstaff ? r->nstaff : 1, sizeof(*r->v));
	if (r->v == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->nstaff; i++) {
		const struct store_staff *st = &r->staff[i];
		/* Linked, active, and still in I360. */
		if (!st->active || st->occ_user_id == 0 || !st->in_crm || strlen(st->crm_id) < 15)
			continue;
		memcpy(r->v[r->n].key, st->crm_id, 15);
		r->v[r->n].key[15] = '\0';
		r->v[r->n].id = st->crm_id;
		r->v[r->n].user_id = st->occ_user_id;
		r->v[r->n].backfill = st->backfill_pending;
		r->n++;
	}
	qsort(r->v, r->n, sizeof(*r->v), rep_cmp);
	return 0;
}

static const struct rep *reps_find(const struct reps *r, const char *id)
{
	struct rep k;

	if (id == NULL || strlen(id) < 15)
		return NULL;
	memcpy(k.key, id, 15);
	k.key[15] = '\0';
	return bsearch(&k, r->v, r->n, sizeof(*r->v), rep_cmp);
}

/* One query over some reps: which, since when, and whether its pages move the
 * high-water mark. */
struct window {
	const char *const *ids;
	size_t nids;
	int64_t since;
	int advance_hwm;
	long received;		/* records not deleted that the query returned */
};

/*
 * Completes the child rows of every record of a page whose opportunities Salesforce
 * paged on their own, before the page's transaction starts (no network inside it).
 */
static int complete_children(struct pull_ctx *p, json_t *records, struct err *e)
{
	const char *rel = p->schema->appt_opps_relationship;
	json_t *rec, *child, *rows;
	size_t i;

	json_array_foreach(records, i, rec) {
		child = json_object_get(rec, rel);
		if (!json_is_object(child) || json_is_true(json_object_get(child, "done")))
			continue;
		if (sf_query_children(p->cs->client, rec, rel, &rows, e) < 0)
			return -1;
		json_object_set_new(child, "records", rows);
		json_object_set_new(child, "done", json_true());
		json_object_del(child, "nextRecordsUrl");
	}
	return 0;
}

/* A problem with one record of a page, recorded with the page's transaction. */
struct page_error {
	char *record_id;
	char *msg;
};

/* A page as mapped: its jobs, the writes of those to upsert, its record problems. */
struct page_jobs {
	struct model_job *jobs;
	struct store_job_write *writes;
	struct page_error *errors;
	size_t njobs, nwrites, nerrors, errors_alloc;
	int64_t max_modstamp;
};

static void page_jobs_free(struct page_jobs *pj)
{
	for (size_t i = 0; i < pj->njobs; i++)
		model_job_free(&pj->jobs[i]);
	for (size_t i = 0; i < pj->nerrors; i++) {
		free(pj->errors[i].record_id);
		free(pj->errors[i].msg);
	}
	free(pj->jobs);
	free(pj->writes);
	free(pj->errors);
	memset(pj, 0, sizeof(*pj));
}

static int page_error(struct page_jobs *pj, const char *record_id, struct err *e,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int page_error(struct page_jobs *pj, const char *record_id, struct err *e,
		      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (pj->nerrors == pj->errors_alloc) {
		size_t na = pj->errors_alloc ? pj->errors_alloc * 2 : 8;
		struct page_error *nv = realloc(pj->errors, na * sizeof(*nv));

		if (nv == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		pj->errors = nv;
		pj->errors_alloc = na;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pj->errors[pj->nerrors].record_id = record_id ? strdup(record_id) : NULL;
	pj->errors[pj->nerrors].msg = strdup(msg);
	if (pj->errors[pj->nerrors].msg == NULL) {
		free(pj->errors[pj->nerrors].record_id);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	pj->nerrors++;
	return 0;
}

/* Maps a page's records into pj (nothing is written yet): the JSON can then go. */
static int map_page(struct pull_ctx *p, json_t *records, struct page_jobs *pj,
		    struct err *e)
{
	const char *id_field = p->schema->appt_fields[PLATFORM_APPT_ID];
	struct mapping_problems problems = { 0 };
	size_t n = json_array_size(records), i;
	json_t *rec;

	memset(pj, 0, sizeof(*pj));
	pj->jobs = calloc(n ? n : 1, sizeof(*pj->jobs));
	pj->writes = calloc(n ? n : 1, sizeof(*pj->writes));
	if (pj->jobs == NULL || pj->writes == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	json_array_foreach(records, i, rec) {
		struct model_job *job = &pj->jobs[pj->njobs];
		struct err me;
		int rc = 0;

		if (mapping_job_from_record(p->schema, rec, job, &problems, &me) < 0) {
			if (me.code == ERR_INTERNAL) {
				*e = me;
				return -1;
			}
			if (page_error(pj, sf_record_str(rec, id_field), e, "%s", me.msg) < 0)
				return -1;
			continue;
		}
		pj->njobs++;
		for (size_t k = 0; k < problems.n && rc == 0; k++)
			rc = page_error(pj, job->appointment_id, e, "%s: %s",
					problems.items[k].field, problems.items[k].message);
		mapping_problems_free(&problems);
		if (rc < 0)
			return -1;
		if (job->modstamp_ms > pj->max_modstamp)
			pj->max_modstamp = job->modstamp_ms;
	}
	return 0;
}

/* Takes one mapped job into the page's writes: a deletion cancels its job now,
 * anything else waits for the page's upsert. Counts what happened. */
static int take_job(struct pull_ctx *p, const struct reps *reps, struct page_jobs *pj,
		    struct model_job *job, struct window *w, struct err *e)
{
	const struct rep *rep;
	int changed;

	if (job->status == MODEL_APPT_CANCELLED) {
		if (store_job_cancel(p->s, p->org_id, job->appointment_id, &changed, e) < 0)
			return -1;
		p->counts.appointments_cancelled += changed;
		return 0;
	}
	w->received++;
	rep = reps_find(reps, job->salesrep_id);
	if (rep == NULL) {
		/* The rep's link went inactive since the query was built. */
		p->counts.appointments_skipped++;
		return 0;
	}
	pj->writes[pj->nwrites].job = job;
	pj->writes[pj->nwrites].assigned_user_id = rep->user_id;
	pj->nwrites++;
	return 0;
}

/* Writes a mapped page in one transaction, with the high-water mark when w says so:
 * its record problems, the cancellations of deleted appointments' jobs, and every
 * other job upserted in one batch. */
static int write_page(struct pull_ctx *p, const struct reps *reps, struct page_jobs *pj,
		      struct window *w, struct err *e)
{
	const char *object = p->schema->appt_object;
	struct store_run_counts before = p->counts;
	long received = w->received;

	if (store_begin(p->s, e) < 0)
		return -1;
	for (size_t i = 0; i < pj->nerrors; i++)
		pull__record_error(p, object, pj->errors[i].record_id, "%s", pj->errors[i].msg);
	for (size_t i = 0; i < pj->njobs; i++)
		if (take_job(p, reps, pj, &pj->jobs[i], w, e) < 0)
			goto fail;
	if (store_jobs_upsert(p->s, p->org_id, pj->writes, pj->nwrites, e) < 0)
		goto fail;
	for (size_t i = 0; i < pj->nwrites; i++) {
		if (pj->writes[i].result == STORE_UPSERT_CREATED)
			p->counts.jobs_created++;
		else if (pj->writes[i].result == STORE_UPSERT_UPDATED)
			p->counts.jobs_updated++;
	}
	if (w->advance_hwm && pj->max_modstamp > 0 &&
	    store_integration_set_high_water(p->s, p->org_id, pj->max_modstamp, e) < 0)
		goto fail;
	return store_commit(p->s, e);
fail:
	/* Nothing of the page was kept: neither are its counts. */
	p->counts = before;
	w->received = received;
	store_rollback(p->s);
	return -1;
}

/* The query texts of a window, one per chunk of rep Ids that fits in a URL. */
static int build_queries(struct pull_ctx *p, const struct window *w, char ***out, size_t *n,
			 struct err *e)
{
	const struct platform_schema *sc = p->schema;
	const char *modstamp = sc->appt_fields[PLATFORM_APPT_MODSTAMP];
	char since[ISOTIME_LEN];
	struct sf_soql_in in;
	struct buf head, q;
	char **v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	buf_init(&head, 8192);
	buf_init(&q, 0);
	buf_puts(&head, "SELECT ");
	platform_appointment_soql_fields(sc, &head);
	buf_printf(&head, " FROM %s WHERE %s >= %s AND ", sc->appt_object, modstamp,
		   sf_soql_datetime(since, w->since));
	if (buf_too_big(&head)) {
		buf_free(&head);
		return err_set(e, ERR_INTERNAL, "the appointment query does not fit in a buffer");
	}
	memset(&in, 0, sizeof(in));
	in.head = head.data;
	in.field = sc->appt_fields[PLATFORM_APPT_SALES_REP];
	/* Ascending SystemModstamp makes each page's largest one a safe high-water mark:
	 * everything before it in this query has been read. */
	in.tail = " ORDER BY SystemModstamp ASC, Id ASC";
	in.values = w->ids;
	in.nvalues = w->nids;
	in.url_base_len = sf_client_query_url_len(p->cs->client);
	while ((rc = sf_soql_in_next(&in, &q, e)) == 1) {
		char **nv = realloc(v, (len + 1) * sizeof(*v));
		if (nv == NULL) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		v = nv;
		v[len++] = buf_detach(&q, NULL);
	}
	buf_free(&head);
	buf_free(&q);
	if (rc < 0) {
		for (size_t i = 0; i < len; i++)
			free(v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

/*
 * Runs a window: each chunk's query (queryAll, so deletions show), page by page. With
 * several chunks the high-water mark only moves during the last one: until then,
 * later chunks hold records older than what the earlier ones reached.
 */
static int run_window(struct pull_ctx *p, const struct reps *reps, struct window *w,
		      struct err *e)
{
	char **queries = NULL;
	size_t nq = 0, pages = 0;
	int advance = w->advance_hwm, rc = -1, more, written;

	if (w->nids == 0)
		return 0;
	if (build_queries(p, w, &queries, &nq, e) < 0)
		return -1;
	for (size_t k = 0; k < nq; k++) {
		struct sf_query *q = sf_query_open(p->cs->client, queries[k], SF_QUERY_ALL, e);
		json_t *records;

		if (q == NULL)
			goto out;
		w->advance_hwm = advance && k == nq - 1;
		while ((more = sf_query_next(q, &records, e)) == 1) {
			struct page_jobs pj = { 0 };
			char step[64];

			/*
			 * Before the next page is asked for: the page's child rows, then the
			 * checkpoint (stop, lease, the API share; progress so far). The page is
			 * mapped, let go of, and written while the next one is fetched: the
			 * client is the fetch's until sf_query_next, and writing does not
			 * touch it.
			 */
			snprintf(step, sizeof(step), "appointments, page %zu", ++pages);
			if (complete_children(p, records, e) < 0 ||
			    pull__checkpoint(p, step, e) < 0 || map_page(p, records, &pj, e) < 0) {
				page_jobs_free(&pj);
				sf_query_close(q);
				goto out;
			}
			sf_query_prefetch(q);
			written = write_page(p, reps, &pj, w, e);
			page_jobs_free(&pj);
			if (written < 0) {
				sf_query_close(q);
				goto out;
			}
		}
		sf_query_close(q);
		if (more < 0)
			goto out;
	}
	rc = 0;
out:
	w->advance_hwm = advance;
	for (size_t k = 0; k < nq; k++)
		free(queries[k]);
	free(queries);
	return rc;
}

int sync_appointment_queries(struct store *s, int64_t org_id, struct connect_session *cs,
			     char ***out, size_t *n, struct err *e)
{
	struct sync_options o = { .kind = SYNC_MANUAL };
	struct pull_ctx p = { .s = s, .org_id = org_id, .o = &o, .cs = cs };
	struct window w = { 0 };
	const char **ids;
	struct reps reps;
	int rc;

	*out = NULL;
	*n = 0;
	p.now = isotime_now_ms();
	if ((p.schema = platform_schema(PLATFORM_LIGHTNING, e)) == NULL ||
	    reps_load(&p, &reps, e) < 0)
		return -1;
	if ((ids = calloc(reps.n ? reps.n : 1, sizeof(*ids))) == NULL) {
		reps_free(&reps);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < reps.n; i++)
		ids[i] = reps.v[i].id;
	w.ids = ids;
	w.nids = reps.n;
	w.since = p.now - SYNC_WINDOW_MS;
	rc = w.nids ? build_queries(&p, &w, out, n, e) : 0;
	free(ids);
	reps_free(&reps);
	return rc;
}

/*
 * Appointments changed in the window whose reps are not linked are not fetched; one
 * COUNT() of the window tells how many there were, so the run can report them as
 * skipped. A failure here costs only the figure.
 */
static void count_skipped(struct pull_ctx *p, const struct window *w)
{
	const struct platform_schema *sc = p->schema;
	char since[ISOTIME_LEN];
	struct sf_query *q;
	json_t *records;
	struct buf soql;
	struct err e;
	long total;

	buf_init(&soql, 1024);
	buf_printf(&soql, "SELECT COUNT() FROM %s WHERE %s >= %s", sc->appt_object,
		   sc->appt_fields[PLATFORM_APPT_MODSTAMP], sf_soql_datetime(since, w->since));
	q = sf_query_open(p->cs->client, soql.data, 0, &e);
	if (q && sf_query_next(q, &records, &e) >= 0) {
		total = sf_query_total(q);
		if (total > w->received)
			p->counts.appointments_skipped += total - w->received;
	} else {
		log_warn("sync.count_failed", "org=%lld", (long long)p->org_id);
	}
	sf_query_close(q);
	buf_free(&soql);
}

/* The start of the scheduled window: the committed high-water mark less the overlap,
 * never further back than the 29-day window. */
static int64_t window_start(struct pull_ctx *p, struct err *e, int *ok)
{
	struct store_integration in;
	int64_t floor = p->now - SYNC_WINDOW_MS, since = floor;

	*ok = 0;
	if (store_integration_get(p->s, p->org_id, 0, &in, e) < 0)
		return 0;
	if (p->o->kind == SYNC_SCHEDULED && in.has_high_water &&
	    in.high_water_ms - SYNC_OVERLAP_MS > floor)
		since = in.high_water_ms - SYNC_OVERLAP_MS;
	store_integration_free(&in);
	*ok = 1;
	return since;
}

/* Up to this many fresh starts when Salesforce expires a query cursor mid-run. */
#define LOCATOR_RESTARTS 3

int pull_appointments(struct pull_ctx *p, struct err *e)
{
	struct reps reps;
	struct window main_w, back_w;
	const char **all = NULL, **back = NULL;
	size_t nall = 0, nback = 0;
	int64_t loaded_at;
	int rc = -1, ok, attempt;

	if (pull__checkpoint(p, "appointments", e) < 0)
		return -1;
	loaded_at = isotime_now_ms();
	if (reps_load(p, &reps, e) < 0)
		goto out;
	all = calloc(reps.n ? reps.n : 1, sizeof(*all));
	back = calloc(reps.n ? reps.n : 1, sizeof(*back));
	if (all == NULL || back == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < reps.n; i++) {
		all[nall++] = reps.v[i].id;
		if (reps.v[i].backfill)
			back[nback++] = reps.v[i].id;
	}
	for (attempt = 0;; attempt++) {
		memset(&main_w, 0, sizeof(main_w));
		main_w.ids = all;
		main_w.nids = nall;
		main_w.advance_hwm = 1;
		main_w.since = window_start(p, e, &ok);
		if (!ok)
			goto out;
		if (run_window(p, &reps, &main_w, e) == 0)
			break;
		if (sf_client_last_error(p->cs->client)->kind != SF_ERROR_QUERY_LOCATOR ||
		    attempt + 1 >= LOCATOR_RESTARTS)
			goto out;
		/* The cursor expired: start again from what is committed. */
		log_warn("sync.query_locator_expired", "org=%lld attempt=%d", (long long)p->org_id,
			 attempt + 1);
	}
	count_skipped(p, &main_w);
	/*
	 * Reps linked since the last run get their 29 days now (a manual run's window
	 * already covered them). Their window does not move the high-water mark.
	 */
	if (nback && main_w.since > p->now - SYNC_WINDOW_MS) {
		memset(&back_w, 0, sizeof(back_w));
		back_w.ids = back;
		back_w.nids = nback;
		back_w.since = p->now - SYNC_WINDOW_MS;
		if (pull__checkpoint(p, "appointments of newly linked reps", e) < 0 ||
		    run_window(p, &reps, &back_w, e) < 0)
			goto out;
	}
	if (nback && store_staff_backfill_done(p->s, p->org_id, loaded_at, e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		err_prefix(e, "pulling appointments");
	free(all);
	free(back);
	reps_free(&reps);
	return rc;
}

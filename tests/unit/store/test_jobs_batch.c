/* Unit tests of store_jobs_upsert: a page of jobs written in a few multi-row statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"
#include "util/isotime.h"

#include "store/db.h"

/* Every test runs on both backends: SQLite always, PostgreSQL when
 * I360_TEST_PG_URL names a server (make check and .ci/run start one). */
enum backend { SQLITE, POSTGRES };
static enum backend backend_sqlite = SQLITE, backend_pg = POSTGRES;


/* 300 rows cross every statement tier: 2 x 128 + 32 + 8 + 4 x 1. */
#define NJOBS 300
#define NUSERS 3

struct fixture {
	enum backend backend;
	char path[512];	/* the SQLite file, or the PostgreSQL URL */
	struct store *s;
	int64_t org;
	int64_t users[NUSERS];	/* OCC users of org, jobs are assigned to them */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char token[SEAL_TOKEN_LEN], email[64];
	struct err e;
	int skip;

	f->backend = *state ? *(enum backend *)*state : SQLITE;
	*state = f;
	f->s = testutil_store_fresh(f->backend == POSTGRES, f->path, sizeof(f->path), &skip);
	if (f->s == NULL)
		return skip ? 0 : -1;	/* skipped: the test skips itself */
	if (store_org_create(f->s, "Acme", &f->org, token, &e) < 0)
		return -1;
	for (int i = 0; i < NUSERS; i++) {
		snprintf(email, sizeof(email), "rep%d@example.com", i);
		if (store_user_add(f->s, f->org, email, "Rep", &f->users[i], &e) < 0)
			return -1;
	}
	return 0;
}

/* Skips a PostgreSQL test when no server was given. */
#define NEED_STORE(f) do { if ((f)->s == NULL) skip(); } while (0)

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	free(f);
	unsetenv("I360BRIDGE_MASTER_KEY");
	return 0;
}

/* ---- Building jobs ------------------------------------------------------------ */

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A malloc'd printf. */
static char *dupf(const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return strdup(tmp);
}

/* Replaces an owned string of a model_job (NULL allowed). */
static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? strdup(v) : NULL;
}

/* The appointment Id of job i: 18 characters, distinct in their first 15. */
static char *appt_id(int i)
{
	return dupf("a0A%012dAAA", i);
}

/* Whether job i is one of the 100 (of 300) the second pass changes. */
static int is_changed(int i)
{
	return i % 3 == 0;
}

/*
 * Job i of a page, every field varied with i so that nulls, empty lists, cancelled
 * appointments and absent times all occur. gen 0 is as first pulled; gen 1 is the
 * same page pulled again, where the jobs is_changed() names differ by one field each,
 * in turn: city, a phone's number, an opportunity's result, the status, the assigned
 * user, the start, the email, one more phone, an opportunity's detail, the
 * appointment's result. *assigned is the OCC user the job goes to (0: nobody).
 */
static void gen_job(struct model_job *j, const struct fixture *f, int i, int gen,
		    int64_t *assigned)
{
	static const char *const cities[] = { "Austin", "Dallas", "Zürich" };
	int change = gen && is_changed(i) ? (i / 3) % 10 : -1;
	int64_t base;

	memset(j, 0, sizeof(*j));
	isotime_parse_ms("2026-12-01T15:00:00Z", &base);
	j->appointment_id = appt_id(i);
	j->customer_name = i % 11 == 0 ? NULL : dupf("Ann Lée %d", i);
	j->name = dupf("Ann Lée %d: Windows;Doors", i);
	j->email = i % 7 == 0 ? NULL : dupf("c%d@example.com", i);
	j->line1 = dupf("%d Main St", i);
	j->city = change == 0 ? dupf("Changed City %d", i) : strdup(cities[i % 3]);
	j->state = strdup("TX");
	j->postal_code = dupf("787%02d", i % 100);
	j->account_id = dupf("001%012dAAA", i);
	j->salesrep_id = i % 6 == 0 ? NULL : dupf("a0B%012dAAA", i % 5);

	/* 0, 1 or 2 phones; the jobs whose phone number changes have one. */
	j->nphones = (size_t)((i / 2) % 3) + (change == 7);
	j->phones = j->nphones ? calloc(j->nphones, sizeof(*j->phones)) : NULL;
	for (size_t k = 0; k < j->nphones; k++) {
		j->phones[k].name = k == 0 ? strdup("Mobile") : NULL;
		j->phones[k].number = dupf("(555) %03d-%04zu", i % 1000, k);
	}
	if (change == 1) {
		if (j->nphones == 0) {
			j->nphones = 1;
			j->phones = calloc(1, sizeof(*j->phones));
		}
		set_str(&j->phones[0].number, "(555) 999-0000");
	}

	j->status = i % 5 == 0 ? MODEL_APPT_CANCELLED : MODEL_APPT_SCHEDULED;
	if (change == 3)
		j->status = j->status == MODEL_APPT_CANCELLED ? MODEL_APPT_SCHEDULED
							      : MODEL_APPT_CANCELLED;
	j->has_start = i % 4 != 0 || change == 5;
	j->start_ms = base + (int64_t)i * 3600000 + (change == 5 ? 1800000 : 0);
	j->has_end = i % 8 != 1;
	j->end_ms = base + (int64_t)i * 3600000 + 5400000;
	j->summary = i % 9 == 0 ? NULL : dupf("Ann Lée %d - Sales Call", i);
	j->result = i % 2 ? strdup("Sold") : NULL;
	j->result_detail = i % 4 == 1 ? strdup("Financed") : NULL;
	if (change == 9)
		set_str(&j->result, "No Sale");

	j->nopps = (size_t)(i % 4);
	if (change == 2 || change == 8)
		j->nopps += j->nopps == 0;
	j->opps = j->nopps ? calloc(j->nopps, sizeof(*j->opps)) : NULL;
	for (size_t k = 0; k < j->nopps; k++) {
		j->opps[k].id = dupf("a0C%09d%03zuAAA", i, k);
		j->opps[k].name = dupf("Windows: Opp %d/%zu", i, k);
		j->opps[k].result = k % 2 == 0 ? strdup("Demo") : NULL;
		j->opps[k].result_detail = k == 1 ? strdup("Price") : NULL;
	}
	if (change == 2)
		set_str(&j->opps[0].result, "Lost");
	if (change == 8)
		set_str(&j->opps[0].result_detail, "Timing");
	if (change == 6)
		set_str(&j->email, j->email ? NULL : "new@example.com");
	j->modstamp_ms = 1000 + i + (change >= 0 ? 100000 : 0);

	*assigned = i % 4 == 0 ? 0 : f->users[i % 4 - 1];
	if (change == 4)
		*assigned = *assigned ? 0 : f->users[1];
}

/* A page of n jobs, and the writes that hand it to store_jobs_upsert. */
struct page {
	size_t n;
	struct model_job *jobs;
	int64_t *assigned;
	struct store_job_write *w;
};

/* Jobs first..first+n-1 of generation gen. */
static void page_make(struct page *p, const struct fixture *f, int first, size_t n, int gen)
{
	p->n = n;
	p->jobs = calloc(n, sizeof(*p->jobs));
	p->assigned = calloc(n, sizeof(*p->assigned));
	p->w = calloc(n, sizeof(*p->w));
	assert_non_null(p->jobs);
	assert_non_null(p->assigned);
	assert_non_null(p->w);
	for (size_t i = 0; i < n; i++) {
		gen_job(&p->jobs[i], f, first + (int)i, gen, &p->assigned[i]);
		p->w[i].job = &p->jobs[i];
		p->w[i].assigned_user_id = p->assigned[i];
		p->w[i].result = (enum store_upsert_result)-1;	/* must be overwritten */
		p->w[i].id = -1;
	}
}

/* Puts job (of generation gen) at position i of the page instead of what was there. */
static void page_set(struct page *p, const struct fixture *f, size_t i, int job, int gen)
{
	model_job_free(&p->jobs[i]);
	gen_job(&p->jobs[i], f, job, gen, &p->assigned[i]);
	p->w[i].assigned_user_id = p->assigned[i];
}

static void page_free(struct page *p)
{
	for (size_t i = 0; i < p->n; i++)
		model_job_free(&p->jobs[i]);
	free(p->jobs);
	free(p->assigned);
	free(p->w);
	memset(p, 0, sizeof(*p));
}

/* ---- Checking what is stored --------------------------------------------------- */

/* Two strings equal, either both NULL. */
static void assert_same_str(const char *want, const char *got)
{
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(want, got);
}

/* The stored job equals what was written: every field store_job_get gives back. */
static void assert_job_equal(const struct model_job *want, int64_t assigned,
			     const struct store_job *got)
{
	const struct model_job *j = &got->job;

	assert_same_str(want->appointment_id, j->appointment_id);
	assert_same_str(want->customer_name, j->customer_name);
	assert_same_str(want->name, j->name);
	assert_same_str(want->email, j->email);
	assert_same_str(want->line1, j->line1);
	assert_same_str(want->city, j->city);
	assert_same_str(want->state, j->state);
	assert_same_str(want->postal_code, j->postal_code);
	assert_same_str(want->account_id, j->account_id);
	assert_same_str(want->salesrep_id, j->salesrep_id);
	assert_int_equal(want->nphones, j->nphones);
	for (size_t k = 0; k < want->nphones; k++) {
		assert_same_str(want->phones[k].name, j->phones[k].name);
		assert_same_str(want->phones[k].number, j->phones[k].number);
	}
	assert_int_equal(want->status, j->status);
	assert_int_equal(want->has_start, j->has_start);
	if (want->has_start)
		assert_int_equal(want->start_ms, j->start_ms);
	assert_int_equal(want->has_end, j->has_end);
	if (want->has_end)
		assert_int_equal(want->end_ms, j->end_ms);
	assert_same_str(want->summary, j->summary);
	assert_same_str(want->result, j->result);
	assert_same_str(want->result_detail, j->result_detail);
	assert_int_equal(want->nopps, j->nopps);
	for (size_t k = 0; k < want->nopps; k++) {
		assert_same_str(want->opps[k].id, j->opps[k].id);
		assert_same_str(want->opps[k].name, j->opps[k].name);
		assert_same_str(want->opps[k].result, j->opps[k].result);
		assert_same_str(want->opps[k].result_detail, j->opps[k].result_detail);
	}
	assert_int_equal(want->modstamp_ms, j->modstamp_ms);
	assert_int_equal(assigned, got->assigned_user_id);
	if (assigned)
		assert_non_null(got->assigned_user_email);
	else
		assert_null(got->assigned_user_email);
}

/* Reads job id of f's org back and compares it with want. */
static void assert_stored(struct fixture *f, int64_t id, const struct model_job *want,
			  int64_t assigned)
{
	struct store_job got;
	struct err e;

	assert_int_equal(store_job_get(f->s, f->org, id, &got, &e), 0);
	assert_int_equal(got.id, id);
	assert_job_equal(want, assigned, &got);
	store_job_free(&got);
}

/* How many jobs the org has. */
static size_t count_jobs(struct fixture *f, int64_t org)
{
	struct store_job *list;
	size_t n;
	struct err e;

	assert_int_equal(store_job_list(f->s, org, 0, 100000, &list, &n, &e), 0);
	store_jobs_free(list, n);
	return n;
}

/* Writes the first NJOBS jobs (generation 0) as one page; checks they were created. */
static void write_first_page(struct fixture *f, struct page *p)
{
	struct err e;

	page_make(p, f, 0, NJOBS, 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, p->w, p->n, &e), 0);
	for (size_t i = 0; i < p->n; i++)
		assert_int_equal(p->w[i].result, STORE_UPSERT_CREATED);
}

/* ---- The tests ---------------------------------------------------------------------- */

/* 300 new jobs in one call (every tier of statement): all created, their ids distinct
 * and increasing in the order the records came, each stored exactly as given. */
static void test_batch_creates(void **state)
{
	struct fixture *f = *state;
	struct page p;

	NEED_STORE(f);
	write_first_page(f, &p);
	for (size_t i = 0; i < p.n; i++) {
		assert_true(p.w[i].id > 0);
		if (i > 0)
			assert_true(p.w[i].id > p.w[i - 1].id);
	}
	assert_int_equal(count_jobs(f, f->org), NJOBS);
	for (size_t i = 0; i < p.n; i++)
		assert_stored(f, p.w[i].id, &p.jobs[i], p.assigned[i]);
	page_free(&p);
}

/* The same 300 again with 100 changed (each in another field): exactly those are
 * updated, with the new values stored; the 200 others are unchanged, and every id
 * stays. A third pass of the second page changes nothing at all. */
static void test_batch_updates(void **state)
{
	struct fixture *f = *state;
	struct page first, second;
	struct store_job before, after;
	struct err e;

	NEED_STORE(f);
	write_first_page(f, &first);
	assert_int_equal(store_job_get(f->s, f->org, first.w[0].id, &before, &e), 0);
	page_make(&second, f, 0, NJOBS, 1);
	assert_int_equal(store_jobs_upsert(f->s, f->org, second.w, second.n, &e), 0);
	for (size_t i = 0; i < second.n; i++) {
		enum store_upsert_result want = is_changed((int)i) ? STORE_UPSERT_UPDATED
								   : STORE_UPSERT_UNCHANGED;

		assert_int_equal(second.w[i].result, want);
		assert_int_equal(second.w[i].id, first.w[i].id);
	}
	assert_int_equal(count_jobs(f, f->org), NJOBS);
	for (size_t i = 0; i < second.n; i++)
		assert_stored(f, second.w[i].id, &second.jobs[i], second.assigned[i]);

	/* An updated job keeps its creation time. */
	assert_int_equal(store_job_get(f->s, f->org, first.w[0].id, &after, &e), 0);
	assert_int_equal(after.created_at, before.created_at);
	assert_true(after.updated_at >= before.updated_at);
	store_job_free(&before);
	before = after;

	/* Again: nothing differs any more, nothing is written (updated_at stays). */
	for (size_t i = 0; i < second.n; i++) {
		second.w[i].result = STORE_UPSERT_CREATED;
		second.w[i].id = -1;
	}
	assert_int_equal(store_jobs_upsert(f->s, f->org, second.w, second.n, &e), 0);
	for (size_t i = 0; i < second.n; i++) {
		assert_int_equal(second.w[i].result, STORE_UPSERT_UNCHANGED);
		assert_int_equal(second.w[i].id, first.w[i].id);
	}
	assert_int_equal(store_job_get(f->s, f->org, first.w[0].id, &after, &e), 0);
	assert_int_equal(after.updated_at, before.updated_at);
	assert_int_equal(after.created_at, before.created_at);
	store_job_free(&before);
	store_job_free(&after);
	page_free(&first);
	page_free(&second);
}

/* A page mixing jobs already stored (changed or not) with new ones: the new ones get
 * ids above every existing one, increasing in page order; the old ones keep theirs. */
static void test_batch_mixed_page(void **state)
{
	struct fixture *f = *state;
	struct page old, mixed;
	int64_t last_new = 0, max_old = 0;
	struct err e;

	NEED_STORE(f);
	/* Jobs 0..149 exist; the page brings 0..299 in generation 1, backwards. */
	page_make(&old, f, 0, NJOBS / 2, 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, old.w, old.n, &e), 0);
	for (size_t i = 0; i < old.n; i++)
		if (old.w[i].id > max_old)
			max_old = old.w[i].id;
	page_make(&mixed, f, 0, NJOBS, 1);
	for (size_t i = 0; i < NJOBS / 2; i++) {
		struct model_job t = mixed.jobs[i];
		int64_t a = mixed.assigned[i];

		mixed.jobs[i] = mixed.jobs[NJOBS - 1 - i];
		mixed.jobs[NJOBS - 1 - i] = t;
		mixed.assigned[i] = mixed.assigned[NJOBS - 1 - i];
		mixed.assigned[NJOBS - 1 - i] = a;
	}
	for (size_t i = 0; i < NJOBS; i++)
		mixed.w[i].assigned_user_id = mixed.assigned[i];
	assert_int_equal(store_jobs_upsert(f->s, f->org, mixed.w, mixed.n, &e), 0);
	for (size_t i = 0; i < NJOBS; i++) {
		int job = NJOBS - 1 - (int)i;	/* which job sits at position i */

		if (job >= NJOBS / 2) {
			assert_int_equal(mixed.w[i].result, STORE_UPSERT_CREATED);
			assert_true(mixed.w[i].id > max_old);
			assert_true(mixed.w[i].id > last_new);
			last_new = mixed.w[i].id;
		} else {
			enum store_upsert_result want = STORE_UPSERT_UNCHANGED;

			if (is_changed(job))
				want = STORE_UPSERT_UPDATED;
			assert_int_equal(mixed.w[i].result, want);
			assert_int_equal(mixed.w[i].id, old.w[job].id);
		}
		assert_stored(f, mixed.w[i].id, &mixed.jobs[i], mixed.assigned[i]);
	}
	assert_int_equal(count_jobs(f, f->org), NJOBS);
	page_free(&old);
	page_free(&mixed);
}

/* One appointment twice in one call, as its 18- and its 15-character Id: one job,
 * holding the later entry; the results are those of two calls in order. */
static void test_batch_same_appointment_twice(void **state)
{
	struct fixture *f = *state;
	struct page p;
	struct err e;

	NEED_STORE(f);
	/* Entries: A (18 chars), B, A again (15 chars, other data). */
	page_make(&p, f, 0, 3, 0);
	page_set(&p, f, 0, 6, 0);
	page_set(&p, f, 2, 6, 1);	/* job 6 changed: an opportunity's result */
	p.jobs[2].appointment_id[15] = '\0';
	set_str(&p.jobs[2].city, "Later City");
	p.w[2].assigned_user_id = p.assigned[2] = f->users[2];
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(p.w[0].result, STORE_UPSERT_CREATED);
	assert_int_equal(p.w[1].result, STORE_UPSERT_CREATED);
	assert_int_equal(p.w[2].result, STORE_UPSERT_UPDATED);
	assert_int_equal(p.w[2].id, p.w[0].id);
	assert_int_not_equal(p.w[1].id, p.w[0].id);
	assert_int_equal(count_jobs(f, f->org), 2);
	assert_stored(f, p.w[0].id, &p.jobs[2], p.assigned[2]);
	assert_string_equal(p.jobs[2].appointment_id, "a0A000000000006");
	assert_stored(f, p.w[1].id, &p.jobs[1], p.assigned[1]);

	/* Three times, 15 characters first, the last two the same: the third changes
	 * nothing after the second; stored, the second's data and Id form. */
	{
		struct page q;

		page_make(&q, f, 20, 3, 0);
		for (size_t i = 1; i < 3; i++) {
			page_set(&q, f, i, 20, 0);
			set_str(&q.jobs[i].result, "Reset");
			set_str(&q.jobs[i].summary, "Rescheduled");
		}
		q.jobs[0].appointment_id[15] = '\0';
		assert_int_equal(store_jobs_upsert(f->s, f->org, q.w, q.n, &e), 0);
		assert_int_equal(q.w[0].result, STORE_UPSERT_CREATED);
		assert_int_equal(q.w[1].result, STORE_UPSERT_UPDATED);
		assert_int_equal(q.w[2].result, STORE_UPSERT_UNCHANGED);
		assert_int_equal(q.w[1].id, q.w[0].id);
		assert_int_equal(q.w[2].id, q.w[0].id);
		assert_stored(f, q.w[0].id, &q.jobs[2], q.assigned[2]);
		assert_string_equal(q.jobs[2].appointment_id, "a0A000000000020AAA");
		assert_int_equal(count_jobs(f, f->org), 3);
		page_free(&q);
	}

	/* An appointment already stored, twice in a page: updated, then updated again. */
	{
		struct page r;

		page_make(&r, f, 1, 2, 0);
		page_set(&r, f, 1, 1, 0);
		set_str(&r.jobs[0].city, "First");
		set_str(&r.jobs[1].city, "Second");
		assert_int_equal(store_jobs_upsert(f->s, f->org, r.w, r.n, &e), 0);
		assert_int_equal(r.w[0].result, STORE_UPSERT_UPDATED);
		assert_int_equal(r.w[1].result, STORE_UPSERT_UPDATED);
		assert_int_equal(r.w[0].id, p.w[1].id);
		assert_int_equal(r.w[1].id, p.w[1].id);
		assert_stored(f, p.w[1].id, &r.jobs[1], r.assigned[1]);
		assert_int_equal(count_jobs(f, f->org), 3);
		page_free(&r);
	}
	page_free(&p);
}

/* A big page over half-stored data, with appointments repeated far apart (and Ids
 * that differ only in the letter case of their 15 characters, which are distinct in
 * Salesforce) has the outcome of the same entries written one call at a time, in
 * order: compared against a second org fed by store_job_upsert. */
static void test_batch_matches_calls_in_order(void **state)
{
	struct fixture *f = *state;
	char tok[SEAL_TOKEN_LEN];
	struct page pre, p;
	struct store_job *a, *b;
	size_t na, nb;
	int64_t other;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_org_create(f->s, "Other", &other, tok, &e), 0);
	/* Jobs 0..149 are stored in both orgs already. */
	page_make(&pre, f, 0, NJOBS / 2, 0);
	for (size_t i = 0; i < pre.n; i++) {
		enum store_upsert_result r;

		pre.w[i].assigned_user_id = 0;
		assert_int_equal(store_job_upsert(f->s, other, &pre.jobs[i], 0, &r, NULL, &e),
				 0);
	}
	assert_int_equal(store_jobs_upsert(f->s, f->org, pre.w, pre.n, &e), 0);
	page_free(&pre);
	page_make(&p, f, 0, NJOBS, 0);
	/* Every tenth entry from 100 on repeats entry i-100, changed or not: the first
	 * of the two may be new, unchanged or updated, the second unchanged or updated. */
	for (size_t i = 100; i < NJOBS; i += 10)
		page_set(&p, f, i, (int)i - 100, (int)(i / 10) % 2);
	/* Entry 5's Id differs from entry 4's only in the case of one letter. */
	memcpy(p.jobs[5].appointment_id, p.jobs[4].appointment_id, 18);
	p.jobs[5].appointment_id[2] = 'a';
	/* Jobs are assigned to nobody: users are the first org's. */
	for (size_t i = 0; i < NJOBS; i++)
		p.w[i].assigned_user_id = p.assigned[i] = 0;

	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	for (size_t i = 0; i < NJOBS; i++) {
		enum store_upsert_result r;
		int64_t id;

		assert_int_equal(store_job_upsert(f->s, other, &p.jobs[i], 0, &r, &id, &e), 0);
		assert_int_equal(p.w[i].result, r);
	}
	assert_int_equal(store_job_list(f->s, f->org, 0, 100000, &a, &na, &e), 0);
	assert_int_equal(store_job_list(f->s, other, 0, 100000, &b, &nb, &e), 0);
	assert_int_equal(na, nb);
	/* 10 entries repeat an earlier one; job 5's key is only in the stored half. */
	assert_int_equal(na, NJOBS - 10 + 1);
	for (size_t i = 0; i < na; i++)
		assert_job_equal(&b[i].job, 0, &a[i]);
	store_jobs_free(a, na);
	store_jobs_free(b, nb);
	page_free(&p);
}

/* A job whose stage push is queued or being sent keeps the pushed stage when a page
 * brings I360's older one (appointment stage, or one opportunity's), while the other
 * jobs of the page take their new stages; once the push is done, I360's stage wins
 * again. As store_job_upsert did (keep_pushed_stages). */
static void test_batch_keeps_pushed_stages(void **state)
{
	struct fixture *f = *state;
	/* Jobs: 0 appointment push, 1 opportunity push (of 3), 2 only a document push
	 * (which keeps nothing), 3 appointment push and nothing else new; 4 is new in the
	 * second page. */
	struct page p, q;
	struct store_push_stage appt = { NULL, "Sold", "Financed",
					 "{\"i360core__Status__c\":\"Sold\"}" };
	struct store_push_stage opp = { NULL, "Sold", NULL,
					"{\"i360core__Result__c\":\"Sold\"}" };
	struct store_outbox_item *it;
	struct store_job got;
	int64_t ob, doc;
	size_t n;
	struct err e;

	NEED_STORE(f);
	page_make(&p, f, 0, 4, 0);
	page_set(&p, f, 1, 3, 0);	/* job 3's data: 3 opportunities */
	free(p.jobs[1].appointment_id);
	p.jobs[1].appointment_id = appt_id(1);
	assert_int_equal(p.jobs[1].nopps, 3);
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(store_push_stage(f->s, f->org, p.w[0].id, &appt, &ob, &e), 0);
	assert_true(ob > 0);
	opp.opportunity_id = p.jobs[1].opps[1].id;
	assert_int_equal(store_push_stage(f->s, f->org, p.w[1].id, &opp, &ob, &e), 0);
	assert_true(ob > 0);
	assert_int_equal(store_push_stage(f->s, f->org, p.w[3].id, &appt, &ob, &e), 0);
	assert_true(ob > 0);
	assert_int_equal(store_document_add(f->s, f->org, p.w[2].id, "quote.pdf", NULL, 1234,
					    "abcd", "/var/docs/1", &doc, &e), 0);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, p.w[2].id, "document",
					      p.jobs[2].appointment_id, "{}", doc, &ob, &e), 0);

	/* The next pull: I360 still has the old stages, and other news. */
	page_make(&q, f, 0, 5, 0);
	page_set(&q, f, 1, 3, 0);
	free(q.jobs[1].appointment_id);
	q.jobs[1].appointment_id = appt_id(1);
	set_str(&q.jobs[0].result, "No Sale");		/* kept: Sold, Financed */
	set_str(&q.jobs[0].result_detail, "Price");
	set_str(&q.jobs[0].city, "Elsewhere");		/* taken */
	set_str(&q.jobs[1].opps[1].result, "Lost");	/* kept: Sold */
	set_str(&q.jobs[1].opps[1].result_detail, "Price");	/* kept: none */
	set_str(&q.jobs[1].opps[0].result, "Reset");	/* taken */
	set_str(&q.jobs[1].result, "Demo");		/* taken */
	set_str(&q.jobs[2].result, "Sold");		/* taken */
	set_str(&q.jobs[2].opps[1].result, "Sold");	/* taken */
	assert_int_equal(store_jobs_upsert(f->s, f->org, q.w, q.n, &e), 0);
	assert_int_equal(q.w[0].result, STORE_UPSERT_UPDATED);
	assert_int_equal(q.w[1].result, STORE_UPSERT_UPDATED);
	assert_int_equal(q.w[2].result, STORE_UPSERT_UPDATED);
	/* Job 3: only the kept stage differs from what I360 sent. */
	assert_int_equal(q.w[3].result, STORE_UPSERT_UNCHANGED);
	assert_int_equal(q.w[4].result, STORE_UPSERT_CREATED);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(q.w[i].id, p.w[i].id);

	assert_int_equal(store_job_get(f->s, f->org, p.w[0].id, &got, &e), 0);
	assert_string_equal(got.job.result, "Sold");
	assert_string_equal(got.job.result_detail, "Financed");
	assert_string_equal(got.job.city, "Elsewhere");
	store_job_free(&got);
	assert_int_equal(store_job_get(f->s, f->org, p.w[1].id, &got, &e), 0);
	assert_string_equal(got.job.result, "Demo");
	assert_int_equal(got.job.nopps, 3);
	assert_string_equal(got.job.opps[0].result, "Reset");
	assert_string_equal(got.job.opps[1].result, "Sold");
	assert_null(got.job.opps[1].result_detail);
	assert_string_equal(got.job.opps[2].result, "Demo");
	store_job_free(&got);
	assert_stored(f, p.w[2].id, &q.jobs[2], q.assigned[2]);
	assert_int_equal(store_job_get(f->s, f->org, p.w[3].id, &got, &e), 0);
	assert_string_equal(got.job.result, "Sold");
	assert_string_equal(got.job.result_detail, "Financed");
	store_job_free(&got);
	assert_stored(f, q.w[4].id, &q.jobs[4], q.assigned[4]);

	/* While being sent the pushes still hold their stages. */
	assert_int_equal(store_outbox_claim(f->s, "w", isotime_now_ms() + 1, 60000, 10, &it, &n,
					    &e), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < q.n; i++)
		q.w[i].result = STORE_UPSERT_CREATED;
	assert_int_equal(store_jobs_upsert(f->s, f->org, q.w, q.n, &e), 0);
	for (size_t i = 0; i < q.n; i++)
		assert_int_equal(q.w[i].result, STORE_UPSERT_UNCHANGED);
	assert_int_equal(store_job_get(f->s, f->org, p.w[0].id, &got, &e), 0);
	assert_string_equal(got.job.result, "Sold");
	store_job_free(&got);

	/* Done: the next pull's stages are taken. */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(store_outbox_done(f->s, it[i].id, NULL, &e), 0);
	store_outbox_free(it, n);
	assert_int_equal(store_jobs_upsert(f->s, f->org, q.w, q.n, &e), 0);
	assert_int_equal(q.w[0].result, STORE_UPSERT_UPDATED);
	assert_int_equal(q.w[1].result, STORE_UPSERT_UPDATED);
	assert_int_equal(q.w[2].result, STORE_UPSERT_UNCHANGED);
	assert_int_equal(q.w[3].result, STORE_UPSERT_UPDATED);
	assert_int_equal(q.w[4].result, STORE_UPSERT_UNCHANGED);
	for (size_t i = 0; i < q.n; i++)
		assert_stored(f, q.w[i].id, &q.jobs[i], q.assigned[i]);
	page_free(&p);
	page_free(&q);
}

/* The same, with the page big enough for multi-row statements: a pushed job deep in a
 * 300-job page keeps its stage, its neighbours take theirs. */
static void test_batch_keeps_pushed_stage_in_big_page(void **state)
{
	struct fixture *f = *state;
	struct store_push_stage appt = { NULL, "Sold", NULL,
					 "{\"i360core__Status__c\":\"Sold\"}" };
	struct page first, second;
	struct store_job got;
	int64_t ob;
	struct err e;

	NEED_STORE(f);
	write_first_page(f, &first);
	/* Job 200 is scheduled, with no result (i even) and a Sold push. */
	assert_null(first.jobs[200].result);
	assert_int_equal(store_push_stage(f->s, f->org, first.w[200].id, &appt, &ob, &e), 0);
	page_make(&second, f, 0, NJOBS, 0);
	for (size_t i = 0; i < NJOBS; i++)
		set_str(&second.jobs[i].result, "No Sale");
	assert_int_equal(store_jobs_upsert(f->s, f->org, second.w, second.n, &e), 0);
	for (size_t i = 0; i < NJOBS; i++) {
		assert_int_equal(second.w[i].id, first.w[i].id);
		if (i == 200) {
			assert_int_equal(second.w[i].result, STORE_UPSERT_UNCHANGED);
			continue;
		}
		/* Odd jobs were Sold, even ones had no result: all differ now. */
		assert_int_equal(second.w[i].result, STORE_UPSERT_UPDATED);
		assert_stored(f, second.w[i].id, &second.jobs[i], second.assigned[i]);
	}
	assert_int_equal(store_job_get(f->s, f->org, first.w[200].id, &got, &e), 0);
	assert_string_equal(got.job.result, "Sold");
	store_job_free(&got);
	page_free(&first);
	page_free(&second);
}

/* An invalid entry anywhere in a page (an Id under 15 characters or missing, a status
 * out of range) fails the call with ERR_INVALID and writes nothing of it. */
static void test_batch_invalid_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct page old, p;
	const size_t where[] = { 0, 150, 199 };
	struct err e;

	NEED_STORE(f);
	/* 10 jobs exist; the page changes them all and brings 190 new ones. */
	page_make(&old, f, 0, 10, 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, old.w, old.n, &e), 0);
	page_make(&p, f, 0, 200, 0);
	for (size_t i = 0; i < 10; i++)
		set_str(&p.jobs[i].city, "Changed");
	for (size_t k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
		struct model_job *j = &p.jobs[where[k]];
		char *id = j->appointment_id;
		enum model_appt_status status = j->status;

		/* 14 characters. */
		j->appointment_id = strdup("a0A00000000000");
		assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		free(j->appointment_id);
		/* None. */
		j->appointment_id = NULL;
		assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		j->appointment_id = id;
		/* Past the last status, and below the first. */
		j->status = MODEL_APPT__MAX;
		assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		j->status = (enum model_appt_status)-1;
		assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		j->status = status;
		assert_int_equal(count_jobs(f, f->org), 10);
	}
	for (size_t i = 0; i < old.n; i++)
		assert_stored(f, old.w[i].id, &old.jobs[i], old.assigned[i]);

	/* A failure of the database late in the page (the last entry names an OCC user
	 * that does not exist) also leaves nothing of the call: earlier statements are
	 * undone with it. */
	p.w[199].assigned_user_id = 987654321;
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
	assert_int_equal(count_jobs(f, f->org), 10);
	for (size_t i = 0; i < old.n; i++)
		assert_stored(f, old.w[i].id, &old.jobs[i], old.assigned[i]);

	/* The page is written once it is valid. */
	p.w[199].assigned_user_id = p.assigned[199];
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(count_jobs(f, f->org), 200);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.w[i].result,
				 i < 10 ? STORE_UPSERT_UPDATED : STORE_UPSERT_CREATED);
		assert_stored(f, p.w[i].id, &p.jobs[i], p.assigned[i]);
	}
	page_free(&old);
	page_free(&p);
}

/* Inside a transaction the caller opened, the page joins it: visible there, and gone
 * with the caller's rollback (new jobs and changes to old ones alike). A failing
 * call leaves the caller's transaction open and usable. */
static void test_batch_in_rolled_back_transaction(void **state)
{
	struct fixture *f = *state;
	struct page old, p;
	enum model_appt_status status;
	int64_t uid;
	struct store_user *u;
	size_t n;
	struct err e;

	NEED_STORE(f);
	page_make(&old, f, 0, 5, 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, old.w, old.n, &e), 0);
	page_make(&p, f, 0, NJOBS, 0);
	for (size_t i = 0; i < 5; i++)
		set_str(&p.jobs[i].city, "Changed");

	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(count_jobs(f, f->org), NJOBS);
	assert_stored(f, p.w[0].id, &p.jobs[0], p.assigned[0]);
	store_rollback(f->s);
	assert_int_equal(count_jobs(f, f->org), 5);
	for (size_t i = 0; i < old.n; i++)
		assert_stored(f, old.w[i].id, &old.jobs[i], old.assigned[i]);

	/* A refused page inside a transaction: the transaction carries on. */
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "tx@example.com", "Tx", &uid, &e), 0);
	status = p.jobs[7].status;
	p.jobs[7].status = MODEL_APPT__MAX;
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	p.jobs[7].status = status;
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(store_user_list(f->s, f->org, &u, &n, &e), 0);
	assert_int_equal(n, NUSERS + 1);
	store_users_free(u, n);
	assert_int_equal(count_jobs(f, f->org), 5);

	/* After the rollback the same page is written as if never seen. */
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(count_jobs(f, f->org), NJOBS);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.w[i].result,
				 i < 5 ? STORE_UPSERT_UPDATED : STORE_UPSERT_CREATED);
		if (i < 5)
			assert_int_equal(p.w[i].id, old.w[i].id);
		assert_stored(f, p.w[i].id, &p.jobs[i], p.assigned[i]);
	}
	page_free(&old);
	page_free(&p);
}

/* An empty page is a no-op: 0, nothing written, the entries untouched. */
static void test_batch_empty(void **state)
{
	struct fixture *f = *state;
	struct store_job_write w = { .job = NULL, .result = STORE_UPSERT_UPDATED, .id = 42 };
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_jobs_upsert(f->s, f->org, NULL, 0, &e), 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, &w, 0, &e), 0);
	assert_int_equal(w.result, STORE_UPSERT_UPDATED);
	assert_int_equal(w.id, 42);
	assert_int_equal(count_jobs(f, f->org), 0);
	/* Inside a transaction too. */
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_jobs_upsert(f->s, f->org, NULL, 0, &e), 0);
	assert_int_equal(store_commit(f->s, &e), 0);
}

/* The same appointments in another org are other jobs: each org's page sees only its
 * own. */
static void test_batch_orgs_apart(void **state)
{
	struct fixture *f = *state;
	char tok[SEAL_TOKEN_LEN];
	struct page p, q;
	int64_t other;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_org_create(f->s, "Other", &other, tok, &e), 0);
	page_make(&p, f, 0, 40, 0);
	page_make(&q, f, 0, 40, 1);
	for (size_t i = 0; i < 40; i++) {
		p.w[i].assigned_user_id = p.assigned[i] = 0;
		q.w[i].assigned_user_id = q.assigned[i] = 0;
	}
	assert_int_equal(store_jobs_upsert(f->s, f->org, p.w, p.n, &e), 0);
	assert_int_equal(store_jobs_upsert(f->s, other, q.w, q.n, &e), 0);
	for (size_t i = 0; i < 40; i++) {
		assert_int_equal(q.w[i].result, STORE_UPSERT_CREATED);
		assert_int_not_equal(q.w[i].id, p.w[i].id);
		/* The first org's job is untouched. */
		assert_stored(f, p.w[i].id, &p.jobs[i], 0);
	}
	assert_int_equal(count_jobs(f, f->org), 40);
	assert_int_equal(count_jobs(f, other), 40);
	page_free(&p);
	page_free(&q);
}

#define BOTH(t) \
	cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &backend_sqlite), \
	cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &backend_pg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_batch_creates),
		BOTH(test_batch_updates),
		BOTH(test_batch_mixed_page),
		BOTH(test_batch_same_appointment_twice),
		BOTH(test_batch_matches_calls_in_order),
		BOTH(test_batch_keeps_pushed_stages),
		BOTH(test_batch_keeps_pushed_stage_in_big_page),
		BOTH(test_batch_invalid_writes_nothing),
		BOTH(test_batch_in_rolled_back_transaction),
		BOTH(test_batch_empty),
		BOTH(test_batch_orgs_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

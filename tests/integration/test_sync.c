/* Integration tests of the sync engine against i360-sandbox over real HTTP (SPEC §3, §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "salesforce/oauth.h"
#include "sync/connect.h"
#include "sync/sync.h"
#include "util/isotime.h"

static struct sf_client_config fast_client = {
	.max_attempts = 8, .backoff_base_ms = 5, .backoff_max_ms = 20,
};

/* Runs one sync of kind; returns its run record (the caller clears it). */
static int sync_once(struct harness *h, enum sync_kind kind, struct store_run *run)
{
	struct sync_options o;
	struct err e, ge;
	int64_t run_id = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.holder = "test-holder";
	o.client = &fast_client;
	rc = sync_org(h->s, h->org, &o, &run_id, &e);
	assert_true(run_id > 0);
	assert_int_equal(store_run_get(h->s, h->org, run_id, run, &ge), 0);
	if (rc < 0)
		fprintf(stderr, "sync failed: %s\n", e.msg);
	return rc;
}

static int64_t count_jobs(struct harness *h, int64_t *assigned)
{
	struct store_job *jobs;
	size_t n;
	struct err e;
	int64_t after = 0, total = 0;

	*assigned = 0;
	do {
		assert_int_equal(store_job_list(h->s, h->org, after, 1000, &jobs, &n, &e), 0);
		for (size_t i = 0; i < n; i++)
			*assigned += jobs[i].assigned_user_id != 0;
		total += (int64_t)n;
		if (n)
			after = jobs[n - 1].id;
		store_jobs_free(jobs, n);
	} while (n == 1000);
	return total;
}

/* The first job of the org (the caller frees it). */
static void first_job(struct harness *h, struct store_job *out)
{
	struct store_job *jobs;
	size_t n;
	struct err e;

	assert_int_equal(store_job_list(h->s, h->org, 0, 1, &jobs, &n, &e), 0);
	assert_int_equal(n, 1);
	*out = jobs[0];
	free(jobs);
}

static void test_full_then_idle(void **state)
{
	struct harness h;
	struct store_run run;
	struct store_reason *r;
	struct store_staff *staff;
	size_t n, nstaff;
	int64_t jobs, assigned, linked = 0;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	assert_int_equal(run.status, STORE_RUN_SUCCEEDED);
	assert_string_equal(run.trigger, "manual");
	assert_int_equal(store_staff_list(h.s, h.org, NULL, &staff, &nstaff, &e), 0);
	assert_int_equal(run.counts.users, (int64_t)nstaff);
	for (size_t i = 0; i < nstaff; i++)
		linked += staff[i].active && staff[i].linked_by == STORE_LINK_EMAIL;
	store_staff_free(staff, nstaff);
	/* Every second staff email has an OCC user, in other letter case. */
	assert_int_equal(run.counts.users_linked, linked);
	assert_int_equal(linked, (int64_t)(h.nemails + 1) / 2);
	jobs = count_jobs(&h, &assigned);
	assert_true(jobs > 0);
	assert_int_equal(run.counts.jobs_created, jobs);
	assert_int_equal(assigned, jobs);	/* a job is only made for a linked rep */
	assert_true(run.counts.appointments_skipped > 0);
	assert_true(run.api_calls > 0 && run.api_calls < 20);
	/* The org's API usage as Salesforce reported it is kept for the admin. */
	{
		struct store_integration in;
		assert_int_equal(store_integration_get(h.s, h.org, 0, &in, &e), 0);
		assert_true(in.has_api_usage);
		assert_true(in.api_used >= run.api_calls && in.api_max > in.api_used);
		store_integration_free(&in);
	}
	assert_int_equal(store_reasons_list(h.s, h.org, STORE_REASON_APPOINTMENT, &r, &n, &e), 0);
	assert_true(n > 0);
	store_reasons_free(r, n);
	assert_int_equal(store_reasons_list(h.s, h.org, STORE_REASON_OPPORTUNITY, &r, &n, &e), 0);
	assert_true(n > 0);
	store_reasons_free(r, n);
	store_run_clear(&run);

	/* A second sync with nothing changed in I360 creates and updates nothing. */
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_int_equal(run.counts.jobs_created, 0);
	assert_int_equal(run.counts.jobs_updated, 0);
	assert_int_equal(count_jobs(&h, &assigned), jobs);
	store_run_clear(&run);
	harness_stop(&h);
}

/*
 * An org whose detail picklists depend on nothing (an admin removed the field
 * dependency; a simpler simulator has none): Salesforce then takes any detail with any
 * result, so every detail is stored under each result, and the manual sync succeeds.
 */
static void test_independent_details(void **state)
{
	struct harness h;
	struct store_run run;
	struct store_reason *r;
	size_t n, results = 0, details = 0, first_details = 0;
	int64_t first = 0;
	json_t *k;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	k = json_pack("{s:i}", "bare_records", 1);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	assert_int_equal(run.status, STORE_RUN_SUCCEEDED);
	store_run_clear(&run);
	assert_int_equal(store_reasons_list(h.s, h.org, STORE_REASON_APPOINTMENT, &r, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		if (r[i].parent_id == 0) {
			results++;
			first = first ? first : r[i].id;
		} else {
			details++;
			first_details += r[i].parent_id == first;
		}
	}
	store_reasons_free(r, n);
	/* The seed's Status has 8 values (one inactive) and Status_Detail more than one. */
	assert_int_equal(results, 8);
	assert_true(first_details > 1);
	assert_int_equal(details, results * first_details);
	harness_stop(&h);
}

static void test_changes_reach_jobs(void **state)
{
	struct harness h;
	struct store_run run;
	struct store_job job, again;
	struct store_integration in;
	struct store_staff *staff;
	json_t *f;
	char id[19], late[ISOTIME_MS_LEN];
	size_t nstaff;
	int64_t unlinked_user = 0, before, assigned;
	const char *unlinked_rep = NULL;
	int changed;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	store_run_clear(&run);
	first_job(&h, &job);

	/* 1. An edit in I360 reaches its job on the next scheduled sync. */
	f = json_pack("{s:s}", "i360core__City__c", "Springfield");
	assert_int_equal(sandbox_record_update(h.sb, job.job.appointment_id, f, &e), 0);
	json_decref(f);
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_int_equal(run.counts.jobs_updated, 1);
	assert_int_equal(run.counts.jobs_created, 0);
	store_run_clear(&run);
	assert_int_equal(store_job_get(h.s, h.org, job.id, &again, &e), 0);
	assert_string_equal(again.job.city, "Springfield");
	store_job_free(&again);

	/* 2. A record committed late, its SystemModstamp 2 minutes behind the mark. */
	assert_int_equal(store_integration_get(h.s, h.org, 0, &in, &e), 0);
	assert_true(in.has_high_water);
	isotime_format_ms(late, in.high_water_ms - 2 * 60 * 1000);
	store_integration_free(&in);
	f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "i360core__Sales_Rep_1__c", job.job.salesrep_id,
		      "i360core__Contact_Name__c", "Late Lucy", "i360core__Product_Categories__c",
		      "Roofing", "i360core__Appointment_Date_Time__c", "2026-12-03T15:00:00.000+0000",
		      "i360core__Contact_Phone__c", "Mobile: 555-0100", "SystemModstamp", late);
	assert_int_equal(sandbox_record_create(h.sb, "i360core__Sales_Appointment__c", f, id, &e), 0);
	json_decref(f);
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_int_equal(run.counts.jobs_created, 1);
	store_run_clear(&run);

	/* 3. A rep linked late gets the last 29 days on the next sync. */
	assert_int_equal(store_staff_list(h.s, h.org, NULL, &staff, &nstaff, &e), 0);
	for (size_t i = 0; i < nstaff && unlinked_rep == NULL; i++)
		if (staff[i].occ_user_id == 0 && staff[i].linked_by == STORE_LINK_NONE)
			unlinked_rep = staff[i].crm_id;
	assert_non_null(unlinked_rep);
	assert_int_equal(store_user_add(h.s, h.org, "late.link@example.com", "Late Link",
					&unlinked_user, &e), 0);
	assert_int_equal(store_staff_link(h.s, h.org, unlinked_rep, unlinked_user, 1, &e), 0);
	before = count_jobs(&h, &assigned);
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_true(run.counts.jobs_created > 0);
	assert_int_equal(count_jobs(&h, &assigned), before + run.counts.jobs_created);
	store_run_clear(&run);
	store_staff_free(staff, nstaff);
	/* ... and only once: the next sync has nothing more for that rep. */
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_int_equal(run.counts.jobs_created, 0);
	store_run_clear(&run);

	/* 3b. A rep new in I360, with an OCC user's email: linked as it comes in, and its
	 * 29 days (here an appointment last modified 10 days ago, far behind the mark)
	 * pulled by the same scheduled sync; the next has nothing more for it. */
	{
		char rep[19], old[ISOTIME_MS_LEN];
		struct store_staff st;
		int64_t newcomer;

		assert_int_equal(store_user_add(h.s, h.org, "newcomer@example.com", "Newcomer",
						&newcomer, &e), 0);
		f = json_pack("{s:s,s:s}", "Name", "Nina Newcomer", "i360core__Email__c",
			      "Newcomer@Example.com");
		assert_int_equal(sandbox_record_create(h.sb, "i360core__Staff__c", f, rep, &e), 0);
		json_decref(f);
		isotime_format_ms(old, isotime_now_ms() - 10LL * 24 * 3600 * 1000);
		f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "i360core__Sales_Rep_1__c", rep,
			      "i360core__Contact_Name__c", "Early Eve",
			      "i360core__Product_Categories__c", "Siding",
			      "i360core__Appointment_Date_Time__c", "2026-12-05T15:00:00.000+0000",
			      "SystemModstamp", old);
		assert_int_equal(sandbox_record_create(h.sb, "i360core__Sales_Appointment__c", f,
						       id, &e), 0);
		json_decref(f);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
		assert_int_equal(run.counts.users_linked, 1);
		assert_int_equal(run.counts.jobs_created, 1);
		store_run_clear(&run);
		assert_int_equal(store_staff_get(h.s, h.org, rep, &st, &e), 0);
		assert_int_equal(st.occ_user_id, newcomer);
		assert_int_equal(st.linked_by, STORE_LINK_EMAIL);
		assert_false(st.backfill_pending);
		store_staff_clear(&st);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
		assert_int_equal(run.counts.jobs_created, 0);
		assert_int_equal(run.counts.users_linked, 0);
		store_run_clear(&run);
	}

	/* 4. An appointment deleted in I360 cancels its OCC appointment; the job stays. */
	assert_int_equal(sandbox_record_delete(h.sb, job.job.appointment_id, NULL, &e), 0);
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	assert_int_equal(run.counts.appointments_cancelled, 1);
	store_run_clear(&run);
	assert_int_equal(store_job_get(h.s, h.org, job.id, &again, &e), 0);
	assert_int_equal(again.job.status, MODEL_APPT_CANCELLED);
	assert_string_equal(again.job.city, "Springfield");
	store_job_free(&again);
	assert_int_equal(store_job_cancel(h.s, h.org, job.job.appointment_id, &changed, &e), 0);
	assert_false(changed);

	/* 5. A rep deleted in I360 is marked gone by the next sync, and an appointment of
	 * theirs that changed meanwhile is not pulled (it counts as skipped). */
	{
		struct store_staff gone;
		int64_t jobs_before = count_jobs(&h, &assigned);

		f = json_pack("{s:s,s:s,s:s,s:s}", "i360core__Sales_Rep_1__c",
			      job.job.salesrep_id, "i360core__Contact_Name__c", "Orphan Olga",
			      "i360core__Product_Categories__c", "Roofing",
			      "i360core__Appointment_Date_Time__c", "2026-12-04T15:00:00.000+0000");
		assert_int_equal(sandbox_record_create(h.sb, "i360core__Sales_Appointment__c", f, id,
						       &e), 0);
		json_decref(f);
		assert_int_equal(store_staff_get(h.s, h.org, job.job.salesrep_id, &gone, &e), 0);
		assert_true(gone.in_crm);
		store_staff_clear(&gone);
		assert_int_equal(sandbox_record_delete(h.sb, job.job.salesrep_id, NULL, &e), 0);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
		assert_int_equal(run.counts.jobs_created, 0);
		assert_true(run.counts.appointments_skipped >= 1);
		store_run_clear(&run);
		assert_int_equal(count_jobs(&h, &assigned), jobs_before);
		assert_int_equal(store_staff_get(h.s, h.org, job.job.salesrep_id, &gone, &e), 0);
		assert_false(gone.in_crm);
		assert_true(gone.occ_user_id != 0);	/* the link is kept */
		store_staff_clear(&gone);
	}

	store_job_free(&job);
	harness_stop(&h);
}

static void test_tokens_and_faults(void **state)
{
	struct sandbox_config cfg;
	struct harness h;
	struct store_run run;
	struct store_integration before, after;
	json_t *k;
	struct err e;

	(void)state;
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.page_size = 100;	/* several pages, so faults land mid-run */
	harness_start(&h, &cfg, 1);
	assert_int_equal(store_integration_get(h.s, h.org, 1, &before, &e), 0);

	/* Tokens expiring mid-run: refreshed once, the run goes on, the new token kept. */
	k = json_pack("{s:i}", "token_ttl_calls", 3);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	assert_true(run.counts.jobs_created > 0);
	store_run_clear(&run);
	assert_int_equal(store_integration_get(h.s, h.org, 1, &after, &e), 0);
	assert_string_not_equal(before.access_token, after.access_token);
	assert_int_equal(after.status, STORE_INT_CONNECTED);
	store_integration_free(&after);

	/* 503s mid-run are retried with backoff: the run converges. */
	k = json_pack("{s:i,s:f}", "token_ttl_calls", 0, "fail_rate", 0.3);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	assert_int_equal(run.counts.jobs_created, 0);
	store_run_clear(&run);
	k = json_pack("{s:f}", "fail_rate", 0.0);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);

	/* The refresh token revoked: invalid_grant pauses the org, with no retry storm. */
	{
		struct connect_session *cs = connect_session_open(h.s, h.org, NULL, &e);
		long calls;
		assert_non_null(cs);
		assert_int_equal(sf_oauth_revoke(cs->client, &e), 0);
		connect_session_close(cs);
		sandbox_expire_tokens(h.sb);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), -1);
		assert_int_equal(run.status, STORE_RUN_FAILED);
		assert_true(run.api_calls <= 2);
		store_run_clear(&run);
		assert_int_equal(store_integration_get(h.s, h.org, 0, &after, &e), 0);
		assert_int_equal(after.status, STORE_INT_NEEDS_REAUTH);
		store_integration_free(&after);
		calls = sandbox_api_calls(h.sb);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), -1);
		assert_non_null(strstr(run.error, "authorized again"));
		assert_int_equal(run.api_calls, 0);
		assert_int_equal(sandbox_api_calls(h.sb), calls);
		store_run_clear(&run);
		/* Re-authorizing brings it back. */
		assert_int_equal(harness_authorize(&h, HARNESS_REDIRECT, &e), 0);
		assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
		store_run_clear(&run);
	}
	store_integration_free(&before);
	harness_stop(&h);
}

static void test_share_limit_and_classic(void **state)
{
	struct harness h;
	struct store_run run;
	json_t *k;
	long calls;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	store_run_clear(&run);
	/* The org has used over 80% of its allowance: scheduled work stops as soon as the
	 * first answer says so (before it, the share is unknown). */
	calls = sandbox_api_calls(h.sb);
	k = json_pack("{s:I}", "api_quota", (json_int_t)(calls + 2));
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), -1);
	assert_non_null(strstr(run.error, "daily API allowance"));
	assert_int_equal(run.api_calls, 1);
	store_run_clear(&run);
	k = json_pack("{s:I}", "api_quota", (json_int_t)0);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);

	/* Classic is refused at once: no call, nothing written. */
	assert_int_equal(store_integration_set_settings(h.s, h.org, "classic", NULL, &e), 0);
	calls = sandbox_api_calls(h.sb);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), -1);
	assert_non_null(strstr(run.error, "Classic"));
	assert_int_equal(run.api_calls, 0);
	assert_int_equal(sandbox_api_calls(h.sb), calls);
	store_run_clear(&run);
	harness_stop(&h);
}

/* One sync per org at a time, even when both ask under one holder name (the workers of
 * one process share theirs). */
static void test_one_sync_per_org(void **state)
{
	struct harness h;
	struct sync_options o;
	int64_t run1, run2;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	memset(&o, 0, sizeof(o));
	o.kind = SYNC_MANUAL;
	o.holder = "same-process";
	assert_int_equal(sync_begin(h.s, h.org, &o, &run1, &e), 0);
	assert_int_equal(sync_begin(h.s, h.org, &o, &run2, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "already running"));
	assert_int_equal(sync_execute(h.s, h.org, run1, &o, &e), 0);
	/* Once it ended, the next may start. */
	assert_int_equal(sync_begin(h.s, h.org, &o, &run2, &e), 0);
	assert_int_equal(sync_execute(h.s, h.org, run2, &o, &e), 0);
	/* An org that does not exist: said so, and nothing is recorded for it. */
	assert_int_equal(sync_begin(h.s, h.org + 4242, &o, &run2, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_non_null(strstr(e.msg, "does not exist"));
	{
		struct store_run *runs;
		size_t n = 99;

		assert_int_equal(store_run_list(h.s, h.org + 4242, 10, &runs, &n, &e), 0);
		assert_int_equal(n, 0);
		store_runs_free(runs, n);
	}
	harness_stop(&h);
}

static void test_not_connected(void **state)
{
	struct harness h;
	struct store_run run;

	(void)state;
	harness_start(&h, NULL, 0);
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), -1);
	assert_non_null(strstr(run.error, "not connected"));
	store_run_clear(&run);
	harness_stop(&h);
}

/* SPEC §4: appointments of every linked rep in as few calls as the data allows. */
static void test_economy(void **state)
{
	struct sandbox_config cfg;
	struct harness h;
	struct store_run run;
	struct err e;

	(void)state;
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.staff = 200;
	cfg.appointments = 500;
	harness_start(&h, &cfg, 1);
	/* Link every rep: make an OCC user for each remaining email. */
	for (size_t i = 1; i < h.nemails; i += 2) {
		int64_t id;
		assert_int_equal(store_user_add(h.s, h.org, h.emails[i], "Rep", &id, &e), 0);
	}
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	fprintf(stderr, "economy: %lld linked reps, %lld jobs, %lld API calls in all "
		"(1 for users; the per-rep loop would make one per rep)\n",
		(long long)run.counts.users_linked, (long long)run.counts.jobs_created,
		(long long)run.api_calls);
	assert_true(run.counts.users_linked >= 150);
	assert_true(run.counts.jobs_created > 0);
	assert_true(run.api_calls <= 4);	/* users + at most 3 for appointments */
	store_run_clear(&run);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_then_idle),
		cmocka_unit_test(test_independent_details),
		cmocka_unit_test(test_changes_reach_jobs),
		cmocka_unit_test(test_tokens_and_faults),
		cmocka_unit_test(test_share_limit_and_classic),
		cmocka_unit_test(test_not_connected),
		cmocka_unit_test(test_one_sync_per_org),
		cmocka_unit_test(test_economy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

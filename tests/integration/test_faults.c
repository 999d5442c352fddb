/* Fault soak: syncs against an I360 org that answers 503s, drops connections, expires
 * tokens every 50 calls, stalls for seconds and runs out of API allowance converge to
 * the store a fault-free run makes, and say what happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sync/sync.h"

static const struct sf_client_config patient = {
	.max_attempts = 8, .backoff_base_ms = 5, .backoff_max_ms = 50,
};

static int sync_once(struct harness *h, enum sync_kind kind, struct store_run *run)
{
	struct sync_options o;
	int64_t run_id = 0;
	struct err e;
	int rc;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.holder = "soak";
	o.client = &patient;
	rc = sync_org(h->s, h->org, &o, &run_id, &e);
	assert_int_equal(store_run_get(h->s, h->org, run_id, run, &e), 0);
	return rc;
}

static void knobs(struct harness *h, const char *text)
{
	json_t *k = json_loads(text, 0, NULL);
	struct err e;

	assert_non_null(k);
	assert_int_equal(sandbox_set_knobs(h->sb, k, &e), 0);
	json_decref(k);
}

/* Runs syncs of kind until one succeeds (at most 5); counts the failed ones. */
static void sync_until_done(struct harness *h, enum sync_kind kind, int *failed)
{
	struct store_run run;

	for (int i = 0; i < 5; i++) {
		int rc = sync_once(h, kind, &run);
		store_run_clear(&run);
		if (rc == 0)
			return;
		(*failed)++;
	}
	fail_msg("five syncs in a row failed");
}

static void test_soak_converges(void **state)
{
	struct sandbox_config cfg;
	struct harness h;
	struct store_run run;
	struct store_integration in;
	struct store_job *jobs;
	size_t n;
	char *faulty, *clean;
	long calls_before, faulty_calls;
	int failed = 0, syncs = 0;
	struct err e;

	(void)state;
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.appointments = 5000;
	cfg.page_size = 25;	/* about 100 pages: many calls for the faults to land on */
	harness_start(&h, &cfg, 1);
	for (size_t i = 1; i < h.nemails; i += 2) {	/* every rep with an email linked */
		int64_t id;
		assert_int_equal(store_user_add(h.s, h.org, h.emails[i], "Rep", &id, &e), 0);
	}

	/* A bad network: 10% 503s, 5% resets, tokens dying every 50 calls. */
	knobs(&h, "{\"fail_rate\": 0.10, \"reset_rate\": 0.05, \"token_ttl_calls\": 50}");
	calls_before = sandbox_api_calls(h.sb);
	sync_until_done(&h, SYNC_MANUAL, &failed);
	syncs++;
	/* I360 keeps changing between scheduled syncs. */
	assert_int_equal(store_job_list(h.s, h.org, 0, 30, &jobs, &n, &e), 0);
	for (int round = 0; round < 3; round++) {
		for (size_t i = (size_t)round; i < n; i += 3) {
			char city[32];
			json_t *f;

			snprintf(city, sizeof(city), "Soakville %d", round);
			f = json_pack("{s:s}", "i360core__City__c", city);
			assert_int_equal(sandbox_record_update(h.sb, jobs[i].job.appointment_id, f, &e), 0);
			json_decref(f);
		}
		sync_until_done(&h, SYNC_SCHEDULED, &failed);
		syncs++;
	}
	store_jobs_free(jobs, n);
	/* Seconds-long stalls on every call for one scheduled sync. */
	knobs(&h, "{\"fail_rate\": 0.0, \"reset_rate\": 0.0, \"latency_ms\": 2000}");
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	store_run_clear(&run);
	syncs++;
	knobs(&h, "{\"latency_ms\": 0, \"token_ttl_calls\": 0}");
	faulty_calls = sandbox_api_calls(h.sb) - calls_before;
	faulty = harness_snapshot(&h);

	/* The allowance runs out mid-run: a clear failure, no retry storm, a pause said on
	 * the integration; more allowance and the next run resumes and clears it. */
	knobs(&h, "{\"api_calls\": 0, \"api_quota\": 3}");
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), -1);
	assert_non_null(strstr(run.error, "REQUEST_LIMIT_EXCEEDED"));
	assert_true(run.api_calls <= 4);
	store_run_clear(&run);
	assert_int_equal(store_integration_get(h.s, h.org, 0, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_CONNECTED);
	assert_non_null(in.last_error);
	assert_non_null(strstr(in.last_error, "allowance is used up"));
	store_integration_free(&in);
	knobs(&h, "{\"api_quota\": 0}");
	assert_int_equal(sync_once(&h, SYNC_SCHEDULED, &run), 0);
	store_run_clear(&run);
	assert_int_equal(store_integration_get(h.s, h.org, 0, &in, &e), 0);
	assert_null(in.last_error);
	store_integration_free(&in);

	/* The same org synced once over a clean network makes the same store. */
	harness_new_store(&h, 1);
	for (size_t i = 1; i < h.nemails; i += 2) {
		int64_t id;
		assert_int_equal(store_user_add(h.s, h.org, h.emails[i], "Rep", &id, &e), 0);
	}
	assert_int_equal(sync_once(&h, SYNC_MANUAL, &run), 0);
	store_run_clear(&run);
	clean = harness_snapshot(&h);
	if (strcmp(faulty, clean) != 0)
		fail_msg("the store synced through faults differs from a clean sync of the same org");
	fprintf(stderr, "soak: %d syncs through faults (%d more runs failed and were retried), "
		"%ld API calls answered\n", syncs, failed, faulty_calls);
	free(faulty);
	free(clean);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soak_converges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

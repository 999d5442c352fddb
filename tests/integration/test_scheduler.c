/* The scheduler: every connected org synced once per interval by the worker pool,
 * start times spread, one org's trouble never touching another's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sync/scheduler.h"

static void test_first_slots_spread(void **state)
{
	int buckets[10] = { 0 };
	const int64_t interval = 15 * 60 * 1000;

	(void)state;
	for (int64_t org = 1; org <= 1000; org++) {
		int64_t at = scheduler_first_slot(org, 0, interval);
		assert_true(at >= 0 && at < interval);
		buckets[at * 10 / interval]++;
	}
	/* A thousand orgs land evenly: no tenth of the interval gets more than 12%. */
	for (int i = 0; i < 10; i++)
		assert_true(buckets[i] >= 80 && buckets[i] <= 120);
}

/* Scheduled runs of org by status. */
static void count_runs(struct harness *h, int64_t org, int *ok, int *failed)
{
	struct store_run *runs;
	size_t n;
	struct err e;

	*ok = *failed = 0;
	assert_int_equal(store_run_list(h->s, org, 100, &runs, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(runs[i].trigger, "scheduled");
		*ok += runs[i].status == STORE_RUN_SUCCEEDED;
		*failed += runs[i].status == STORE_RUN_FAILED;
	}
	store_runs_free(runs, n);
}

static void test_orgs_synced_each_interval(void **state)
{
	struct scheduler_config c;
	struct scheduler *sc;
	struct harness h;
	int64_t orgs[4];
	int ok, failed;
	struct err e;

	(void)state;
	harness_start(&h, NULL, 1);
	orgs[0] = h.org;
	/* Three more orgs on the same I360 org, each connected over OAuth. */
	for (int i = 1; i < 4; i++) {
		char tok[SEAL_TOKEN_LEN], name[32];
		snprintf(name, sizeof(name), "Org %d", i);
		assert_int_equal(store_org_create(h.s, name, &orgs[i], tok, &e), 0);
		h.org = orgs[i];
		assert_int_equal(harness_authorize(&h, HARNESS_REDIRECT, &e), 0);
	}
	h.org = orgs[0];
	/* Org 2 is Classic (fails at once), org 3 needs re-authorization (paused). */
	assert_int_equal(store_integration_set_settings(h.s, orgs[2], "classic", NULL, &e), 0);
	assert_int_equal(store_integration_set_status(h.s, orgs[3], STORE_INT_NEEDS_REAUTH,
						      "test", &e), 0);

	memset(&c, 0, sizeof(c));
	c.db_url = h.db;
	c.workers = 2;
	c.interval_ms = 1500;
	c.tick_ms = 50;
	sc = scheduler_start(&c, &e);
	assert_non_null(sc);
	sleep(6);
	scheduler_stop(sc);

	/* In 6 s at a 1.5 s interval, each org runs 2 to 5 times (its first slot falls
	 * somewhere in the first interval; never twice in one interval). */
	count_runs(&h, orgs[0], &ok, &failed);
	assert_int_equal(failed, 0);
	assert_true(ok >= 2 && ok <= 5);
	count_runs(&h, orgs[1], &ok, &failed);
	assert_int_equal(failed, 0);
	assert_true(ok >= 2 && ok <= 5);
	count_runs(&h, orgs[2], &ok, &failed);
	assert_int_equal(ok, 0);
	assert_true(failed >= 2 && failed <= 5);
	count_runs(&h, orgs[3], &ok, &failed);
	assert_int_equal(ok + failed, 0);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_slots_spread),
		cmocka_unit_test(test_orgs_synced_each_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

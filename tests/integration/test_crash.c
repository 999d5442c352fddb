/* Crash safety: `i360bridge sync` killed with SIGKILL at random moments, restarted,
 * ends with the store an uninterrupted run makes — no duplicate, no missing job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "harness.h"
#include "util/isotime.h"

/* 20 in make check; I360_CRASH_ITERATIONS sets a longer campaign. */
#define ITERATIONS_DEFAULT 20
#define LEASE_MS "800"

/* Starts `i360bridge sync --org ORG --full` on the harness's store. */
static pid_t start_sync(struct harness *h)
{
	char org[32];
	const char *args[] = { "sync", "--org", org, "--full", "--db", h->db, NULL };

	snprintf(org, sizeof(org), "%lld", (long long)h->org);
	return harness_spawn(args, NULL, 0, NULL);
}

static int wait_exit(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs a sync to the end, waiting out a lease a killed run left behind. */
static void sync_to_end(struct harness *h)
{
	for (int tries = 0; tries < 20; tries++) {
		if (wait_exit(start_sync(h)) == 0)
			return;
		usleep(200 * 1000);
	}
	fail_msg("the sync never succeeded after a crash");
}

static int64_t count_jobs(struct harness *h, int64_t *assigned)
{
	struct store_job *jobs;
	size_t n;
	struct err e;

	*assigned = 0;
	assert_int_equal(store_job_list(h->s, h->org, 0, 100000, &jobs, &n, &e), 0);
	store_jobs_free(jobs, n);
	return (int64_t)n;
}

/* Waits until the running sync has committed at least target jobs (its pages are
 * whole, so that is a page boundary or the middle of the next page), then kills it.
 * Returns how the process ended: 128 + SIGKILL when the kill caught it. */
static int kill_after_jobs(struct harness *h, pid_t pid, int64_t target)
{
	int64_t assigned;
	int status;

	for (int i = 0; i < 20000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)	/* it ended first */
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (count_jobs(h, &assigned) >= target)
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	return wait_exit(pid);
}

/* No run left marked running, no lease left taken once everything has ended. */
static void assert_settled(struct harness *h)
{
	struct store_run *runs;
	size_t n;
	int got;
	struct err e;

	assert_int_equal(store_run_list(h->s, h->org, 100, &runs, &n, &e), 0);
	assert_true(n >= 1);
	assert_int_equal(runs[0].status, STORE_RUN_SUCCEEDED);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(runs[i].status, STORE_RUN_RUNNING);
	store_runs_free(runs, n);
	assert_int_equal(store_lease_acquire(h->s, h->org, "checker", isotime_now_ms(), 1, &got,
					     &e), 0);
	assert_true(got);
	assert_int_equal(store_lease_release(h->s, h->org, "checker", &e), 0);
}

static void test_sigkill_at_random_pages(void **state)
{
	struct sandbox_config cfg;
	struct harness h;
	char *reference, *got;
	int64_t t0, span, jobs_total;
	int killed_mid = 0;
	const char *env = getenv("I360_CRASH_ITERATIONS");
	int iterations = env && atoi(env) > 0 ? atoi(env) : ITERATIONS_DEFAULT;

	(void)state;
	setenv("I360BRIDGE_LEASE_MS", LEASE_MS, 1);
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.appointments = 600;
	cfg.page_size = 40;	/* many pages, many transactions to land between */
	harness_start(&h, &cfg, 1);

	t0 = isotime_now_ms();
	sync_to_end(&h);
	span = isotime_now_ms() - t0;
	reference = harness_snapshot(&h);
	assert_true(strlen(reference) > 1000);
	{
		int64_t assigned;
		jobs_total = count_jobs(&h, &assigned);
	}
	assert_settled(&h);

	for (int i = 0; i < iterations; i++) {
		pid_t pid;
		int status;

		harness_new_store(&h, 1);
		pid = start_sync(&h);
		/* A random page: kill once that many jobs are committed (or at once when the
		 * target is 0, before the first page). */
		status = kill_after_jobs(&h, pid, (int64_t)randombytes_uniform((uint32_t)jobs_total));
		killed_mid += status == 128 + SIGKILL;
		usleep(900 * 1000);	/* the dead process's lease runs out */
		sync_to_end(&h);
		got = harness_snapshot(&h);
		if (strcmp(got, reference) != 0)
			fail_msg("iteration %d: the store differs from the uninterrupted run", i);
		free(got);
		assert_settled(&h);
	}
	fprintf(stderr, "crash: %d iterations, %d killed mid-sync (an uninterrupted sync takes "
		"%lld ms, %lld jobs)\n", iterations, killed_mid, (long long)span,
		(long long)jobs_total);
	assert_true(killed_mid >= iterations / 2);
	free(reference);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_at_random_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

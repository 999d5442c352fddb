/* Graceful shutdown: SIGTERM to `i360bridge serve` in the middle of a sync finishes
 * the page in hand, commits it, records the run as stopped and exits 0; nothing is
 * half written and the next sync completes the same store a clean one makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sync/sync.h"
#include "util/isotime.h"

static pid_t start_serve(struct harness *h, char url[128])
{
	const char *args[] = { "serve", "--listen", "127.0.0.1:0", "--no-scheduler", "--db", h->db,
			       NULL };
	char line[256];
	pid_t pid = harness_spawn(args, line, sizeof(line), NULL);

	assert_int_equal(sscanf(line, "listening on %127s", url), 1);
	return pid;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static long post_sync(const char *base, const char *token)
{
	char url[256], auth[128];
	struct curl_slist *hd = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/sync", base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hd = curl_slist_append(hd, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hd);
	curl_easy_cleanup(c);
	return status;
}

static void test_sigterm_mid_sync(void **state)
{
	struct sandbox_config cfg;
	struct harness h;
	struct store_run *runs, run;
	struct sync_options o;
	struct store_job *jobs;
	size_t n, njobs;
	char url[128], *stopped, *clean;
	int64_t run_id, t0;
	int status;
	struct err e;

	(void)state;
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	cfg.appointments = 1000;
	cfg.page_size = 10;
	cfg.latency_ms = 100;	/* about 25 pages, slow enough to stop in the middle */
	harness_start(&h, &cfg, 1);
	pid_t pid = start_serve(&h, url);
	assert_int_equal(post_sync(url, h.token), 202);
	/* Wait until some pages are in, then ask the service to stop. */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(store_job_list(h.s, h.org, 0, 1000, &jobs, &njobs, &e), 0);
		store_jobs_free(jobs, njobs);
		if (njobs > 0)
			break;
		usleep(50 * 1000);
	}
	assert_true(njobs > 0);
	t0 = isotime_now_ms();
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* It did not wait for the whole sync: at most a page or so. */
	assert_true(isotime_now_ms() - t0 < 10000);

	assert_int_equal(store_run_list(h.s, h.org, 10, &runs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].status, STORE_RUN_FAILED);
	assert_non_null(strstr(runs[0].error, "shutting down"));
	assert_true(runs[0].counts.jobs_created > 0);
	store_runs_free(runs, n);
	/* Every job written has its appointment: pages are whole. */
	assert_int_equal(store_job_list(h.s, h.org, 0, 10000, &jobs, &njobs, &e), 0);
	for (size_t i = 0; i < njobs; i++) {
		assert_non_null(jobs[i].job.appointment_id);
		assert_true(jobs[i].appointment_row_id > 0);
	}
	store_jobs_free(jobs, njobs);

	/* The next sync goes on from there and ends where a clean sync does. */
	{
		json_t *k = json_pack("{s:i}", "latency_ms", 0);
		assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
		json_decref(k);
	}
	memset(&o, 0, sizeof(o));
	o.kind = SYNC_MANUAL;
	o.holder = "after-shutdown";
	assert_int_equal(sync_org(h.s, h.org, &o, &run_id, &e), 0);
	assert_int_equal(store_run_get(h.s, h.org, run_id, &run, &e), 0);
	assert_int_equal(run.status, STORE_RUN_SUCCEEDED);
	store_run_clear(&run);
	stopped = harness_snapshot(&h);
	harness_new_store(&h, 1);
	assert_int_equal(sync_org(h.s, h.org, &o, &run_id, &e), 0);
	clean = harness_snapshot(&h);
	assert_string_equal(stopped, clean);
	free(stopped);
	free(clean);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigterm_mid_sync),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

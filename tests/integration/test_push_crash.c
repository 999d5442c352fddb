/* Crash consistency of pushes: `i360bridge serve` killed with SIGKILL at random moments
 * while it pushes stages and uploads documents, restarted each time; in the end every
 * push is done exactly once — one ContentVersion per document, every stage in I360 —
 * and nothing is left claimed or queued. */
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
#include <unistd.h>

#include <sodium.h>

#include "harness.h"
#include "salesforce/query.h"
#include "sync/connect.h"
#include "sync/push.h"
#include "sync/sync.h"
#include "util/isotime.h"

static pid_t start_serve(struct harness *h)
{
	const char *args[] = { "serve", "--listen", "127.0.0.1:0", "--no-scheduler", "--db", h->db,
			       NULL };

	return harness_spawn(args, NULL, 0, NULL);
}

/* Items not yet done or failed. */
static int64_t depth(struct harness *h)
{
	int64_t d;
	struct err e;

	assert_int_equal(store_outbox_depth(h->s, &d, &e), 0);
	return d;
}

/* Queues a document of size bytes and a stage change for job. */
static void queue_work(struct harness *h, const char *docs, const struct store_job *job, int i)
{
	char path[600], title[64];
	struct push_stage st = { 0 };
	unsigned char *data;
	int64_t id;
	size_t size = 256 * 1024;
	FILE *f;
	struct err e;

	snprintf(path, sizeof(path), "%s.upload-%d", h->db, i);
	f = fopen(path, "wb");
	assert_non_null(f);
	data = malloc(size);
	randombytes_buf(data, size);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
	free(data);
	snprintf(title, sizeof(title), "crash-%d.pdf", i);
	assert_int_equal(push_document_add(h->s, docs, h->org, job->id, title, "application/pdf",
					   path, &id, &e), 0);
	/* Alternate the appointment's stage between two valid ones. */
	st.result = i % 2 ? "Ran - No Sale" : "Confirmed";
	st.result_detail = i % 2 ? "Price Too High" : "Left Voicemail";
	if (push_stage_request(h->s, h->org, job->id, &st, &id, &e) < 0)
		fail_msg("stage: %s", e.msg);
}

static size_t versions_marked(struct harness *h, const char *marker)
{
	struct connect_session *cs;
	struct sf_query *q;
	json_t *recs;
	char soql[256];
	size_t n = 0;
	struct err e;

	cs = connect_session_open(h->s, h->org, NULL, &e);
	assert_non_null(cs);
	snprintf(soql, sizeof(soql), "SELECT Id FROM ContentVersion WHERE ReasonForChange = '%s'",
		 marker);
	q = sf_query_open(cs->client, soql, 0, &e);
	while (q && sf_query_next(q, &recs, &e) == 1)
		n += json_array_size(recs);
	sf_query_close(q);
	connect_session_close(cs);
	return n;
}

static void test_sigkill_during_pushes(void **state)
{
	const char *env = getenv("I360_CRASH_ITERATIONS");
	int iterations = env ? atoi(env) : 10, killed = 0, retried = 0;
	struct sandbox_config cfg;
	struct harness h;
	struct sync_options o;
	struct store_job *jobs;
	struct store_outbox_item *items;
	json_t *k, *appt;
	size_t njobs, nitems;
	char *docs;
	int64_t run_id;
	struct err e;

	(void)state;
	setenv("I360BRIDGE_PUSH_CLAIM_MS", "400", 1);
	sandbox_config_defaults(&cfg);
	cfg.auto_approve = 1;
	harness_start(&h, &cfg, 1);
	memset(&o, 0, sizeof(o));
	o.kind = SYNC_MANUAL;
	o.holder = "setup";
	assert_int_equal(sync_org(h.s, h.org, &o, &run_id, &e), 0);
	assert_int_equal(store_job_list(h.s, h.org, 0, 1, &jobs, &njobs, &e), 0);
	assert_int_equal(njobs, 1);
	docs = push_documents_dir(h.db, &e);
	assert_non_null(docs);
	/* Slow answers widen the windows a kill can land in. */
	k = json_pack("{s:i}", "latency_ms", getenv("I360_TEST_LATENCY") ? atoi(getenv("I360_TEST_LATENCY")) : 40);
	assert_int_equal(sandbox_set_knobs(h.sb, k, &e), 0);
	json_decref(k);

	for (int i = 0; i < iterations; i++) {
		pid_t pid;
		int status;

		queue_work(&h, docs, &jobs[0], i);
		pid = start_serve(&h);
		usleep(50000 + randombytes_uniform(400) * 1000);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		killed += WIFSIGNALED(status);
	}
	/* A last run, left alone until the outbox is empty. */
	{
		pid_t pid = start_serve(&h);
		for (int t = 0; t < 600 && depth(&h) > 0; t++)
			usleep(100 * 1000);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	assert_int_equal(depth(&h), 0);

	/* Every push done, each document in I360 exactly once. */
	assert_int_equal(store_outbox_list(h.s, h.org, jobs[0].id, &items, &nitems, &e), 0);
	assert_int_equal(nitems, (size_t)iterations * 2);
	for (size_t i = 0; i < nitems; i++) {
		retried += items[i].attempts > 1;	/* a kill caught it in flight */
		if (getenv("I360_TEST_VERBOSE"))
			fprintf(stderr, "outbox %lld %s %s attempts=%d result=%s payload=%s\n",
				(long long)items[i].id, items[i].kind,
				store_outbox_state_names[items[i].state], items[i].attempts,
				items[i].result ? items[i].result : "-", items[i].payload);
	}
	for (size_t i = 0; i < nitems; i++) {
		char marker[64];

		if (items[i].state != STORE_OUTBOX_DONE)
			fail_msg("push %lld ended %s: %s", (long long)items[i].id,
				 store_outbox_state_names[items[i].state],
				 items[i].last_error ? items[i].last_error : "");
		if (strcmp(items[i].kind, "document") != 0)
			continue;
		snprintf(marker, sizeof(marker), "i360bridge outbox %lld", (long long)items[i].id);
		if (versions_marked(&h, marker) != 1)
			fail_msg("document push %lld made %zu ContentVersions", (long long)items[i].id,
				 versions_marked(&h, marker));
	}
	store_outbox_free(items, nitems);
	/* The newest stage was itself sent (not superseded), and I360 holds one of the two
	 * stages asked for. (Which one is not asserted: a PATCH still in flight from a
	 * killed process may land after a newer one — last write wins at Salesforce — a
	 * limit noted in docs/RELIABILITY.md.) */
	assert_int_equal(store_outbox_list(h.s, h.org, jobs[0].id, &items, &nitems, &e), 0);
	assert_null(items[nitems - 1].result);
	store_outbox_free(items, nitems);
	appt = sandbox_record_get(h.sb, jobs[0].job.appointment_id);
	{
		const char *status = json_string_value(json_object_get(appt, "i360core__Status__c"));
		assert_true(strcmp(status, "Ran - No Sale") == 0 || strcmp(status, "Confirmed") == 0);
	}
	json_decref(appt);
	fprintf(stderr, "push crash: %d iterations, %d killed, %d pushes each done once, %d of "
		"them caught in flight and retried\n", iterations, killed, iterations * 2, retried);
	free(docs);
	store_jobs_free(jobs, njobs);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_during_pushes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

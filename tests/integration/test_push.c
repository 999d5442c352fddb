/* Integration tests of the push outbox against i360-sandbox over real HTTP (SPEC §5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "salesforce/id.h"
#include "salesforce/query.h"
#include "sync/connect.h"
#include "sync/push.h"
#include "sync/sync.h"
#include "testutil.h"
#include "util/isotime.h"

static struct sf_client_config fast_client = {
	.max_attempts = 3, .backoff_base_ms = 5, .backoff_max_ms = 20,
};

struct fx {
	struct harness h;
	struct store_job job;	/* a synced job with at least one opportunity */
	char docs[512];
	struct pusher_config pc;
};

static void sync_now(struct fx *f, enum sync_kind kind, struct store_run *run)
{
	struct sync_options o;
	struct err e;
	int64_t run_id = 0;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.holder = "test-holder";
	o.client = &fast_client;
	if (sync_org(f->h.s, f->h.org, &o, &run_id, &e) < 0)
		fail_msg("sync failed: %s", e.msg);
	assert_int_equal(store_run_get(f->h.s, f->h.org, run_id, run, &e), 0);
}

/* Whether a stage is one no test here pushes, so that every push the tests ask for
 * changes something (a stage equal to the job's queues nothing). The seed picks
 * stages at random from a date-dependent start: which job comes first varies by day. */
static int untouched_stage(const char *result)
{
	static const char *const fresh[] = { "Scheduled", "Confirmed", "Issued", "Pending" };

	if (result == NULL)
		return 1;
	for (size_t i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++)
		if (strcmp(result, fresh[i]) == 0)
			return 1;
	return 0;
}

static int untouched_job(const struct model_job *j)
{
	if (j->nopps == 0 || j->status != MODEL_APPT_SCHEDULED || !untouched_stage(j->result))
		return 0;
	for (size_t i = 0; i < j->nopps; i++)
		if (!untouched_stage(j->opps[i].result))
			return 0;
	return 1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_job *jobs;
	struct store_run run;
	size_t n;
	struct err e;

	harness_start(&f->h, NULL, 1);
	sync_now(f, SYNC_MANUAL, &run);
	store_run_clear(&run);
	assert_int_equal(store_job_list(f->h.s, f->h.org, 0, 1000, &jobs, &n, &e), 0);
	for (size_t i = 0; i < n && f->job.id == 0; i++)
		if (untouched_job(&jobs[i].job)) {
			f->job = jobs[i];
			memset(&jobs[i], 0, sizeof(jobs[i]));
		}
	store_jobs_free(jobs, n);
	assert_true(f->job.id > 0);
	snprintf(f->docs, sizeof(f->docs), "%s", testutil_path(testutil_tmpdir(), "docs"));
	assert_int_equal(mkdir(f->docs, 0700), 0);
	f->pc.db_url = f->h.db;
	f->pc.client = &fast_client;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_job_free(&f->job);
	harness_stop(&f->h);
	free(f);
	return 0;
}

static int64_t stage(struct fx *f, const char *opp, const char *result, const char *detail)
{
	struct push_stage st = { opp, result, detail };
	int64_t id = 0;
	struct err e;

	if (push_stage_request(f->h.s, f->h.org, f->job.id, &st, &id, &e) < 0)
		fail_msg("stage refused: %s", e.msg);
	assert_true(id > 0);
	return id;
}

static int drain(struct fx *f)
{
	struct err e;
	int done = -1;

	if (push_drain(f->h.s, "test-drain", &f->pc, &done, &e) < 0)
		fail_msg("drain failed: %s", e.msg);
	return done;
}

/* The outbox item id of the job (the caller frees it with store_outbox_free(it, 1)). */
static struct store_outbox_item *item(struct fx *f, int64_t id)
{
	struct store_outbox_item *it, *one = NULL;
	size_t n;
	struct err e;

	assert_int_equal(store_outbox_list(f->h.s, f->h.org, f->job.id, &it, &n, &e), 0);
	for (size_t i = 0; i < n; i++)
		if (it[i].id == id) {
			one = calloc(1, sizeof(*one));
			*one = it[i];
			memset(&it[i], 0, sizeof(it[i]));
		}
	store_outbox_free(it, n);
	assert_non_null(one);
	return one;
}

static void assert_field(struct fx *f, const char *id, const char *field, const char *want)
{
	json_t *rec = sandbox_record_get(f->h.sb, id);
	const char *got;

	assert_non_null(rec);
	got = json_string_value(json_object_get(rec, field));
	if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
		fail_msg("%s.%s is %s, want %s", id, field, got ? got : "null",
			 want ? want : "null");
	json_decref(rec);
}

static void test_stage_reaches_records(void **state)
{
	struct fx *f = *state;
	const char *opp = f->job.job.opps[0].id;
	struct store_outbox_item *it;
	struct store_run run;
	int64_t a, o;

	a = stage(f, NULL, "Ran - Sold", "Full Contract");
	o = stage(f, opp, "Sold", "Cash");
	assert_int_equal(drain(f), 2);
	assert_field(f, f->job.job.appointment_id, "i360core__Status__c", "Ran - Sold");
	assert_field(f, f->job.job.appointment_id, "i360core__Status_Detail__c", "Full Contract");
	assert_field(f, opp, "i360core__Result__c", "Sold");
	assert_field(f, opp, "i360core__Result_Detail__c", "Cash");
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	assert_int_equal(it->attempts, 1);
	store_outbox_free(it, 1);
	it = item(f, o);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	store_outbox_free(it, 1);

	/* The next pull brings the pushed values back: nothing changes, nothing is pushed. */
	sync_now(f, SYNC_SCHEDULED, &run);
	assert_int_equal(run.status, STORE_RUN_SUCCEEDED);
	assert_int_equal(run.counts.jobs_updated, 0);
	store_run_clear(&run);
	sync_now(f, SYNC_MANUAL, &run);
	assert_int_equal(run.counts.jobs_updated, 0);
	store_run_clear(&run);
	assert_int_equal(drain(f), 0);

	/* A detail cleared reaches I360 as a cleared field. */
	a = stage(f, NULL, "Ran - Sold", NULL);
	assert_int_equal(drain(f), 1);
	assert_field(f, f->job.job.appointment_id, "i360core__Status_Detail__c", NULL);
}

static void test_refused_push_fails_with_reason(void **state)
{
	struct fx *f = *state;
	struct store_reason_in results[] = { { "Ran - Maybe", 1, NULL, 0 } };
	struct store_outbox_item *it;
	int64_t id;
	struct err e;

	/* I360's picklist changed since the pull: our copy accepts a value I360 refuses. */
	assert_int_equal(store_reasons_replace(f->h.s, f->h.org, STORE_REASON_APPOINTMENT, results,
					       1, &e), 0);
	id = stage(f, NULL, "Ran - Maybe", NULL);
	assert_int_equal(drain(f), 1);
	it = item(f, id);
	assert_int_equal(it->state, STORE_OUTBOX_FAILED);
	assert_int_equal(it->attempts, 1);	/* never retried */
	assert_non_null(it->last_error);
	if (strstr(it->last_error, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST") == NULL ||
	    strstr(it->last_error, "bad value for restricted picklist") == NULL)
		fail_msg("last_error: %s", it->last_error);
	store_outbox_free(it, 1);
	assert_field(f, f->job.job.appointment_id, "i360core__Status__c",
		     f->job.job.result);

	/* A record deleted in I360 fails for good too. */
	assert_int_equal(sandbox_record_delete(f->h.sb, f->job.job.opps[0].id, NULL, &e), 0);
	id = stage(f, f->job.job.opps[0].id, "Sold", "Cash");
	assert_int_equal(drain(f), 1);
	it = item(f, id);
	assert_int_equal(it->state, STORE_OUTBOX_FAILED);
	assert_non_null(strstr(it->last_error, "ENTITY_IS_DELETED"));
	store_outbox_free(it, 1);

	/* One that is not there at all: the look's 404 is also what an org without that
	 * GET answers, so the PATCH is sent and its own 404 fails the push for good. */
	{
		long calls = sandbox_api_calls(f->h.sb);
		char gone[SF_ID_LEN + 1];

		assert_int_equal(sf_id_to18("a0C000000099999", gone), 0);
		assert_int_equal(store_outbox_enqueue(f->h.s, f->h.org, f->job.id,
						      "opportunity_stage", gone,
						      "{\"i360core__Result__c\":\"Sold\"}", 0, &id,
						      &e), 0);
		assert_int_equal(drain(f), 1);
		it = item(f, id);
		assert_int_equal(it->state, STORE_OUTBOX_FAILED);
		assert_non_null(strstr(it->last_error, "NOT_FOUND"));
		store_outbox_free(it, 1);
		assert_int_equal(sandbox_api_calls(f->h.sb) - calls, 2);
	}
}

/* An org that needs re-authorization keeps its pushes queued, attempts not counted. */
static void test_reauth_keeps_queued(void **state)
{
	struct fx *f = *state;
	struct store_outbox_item *it;
	int64_t id;
	struct err e;

	assert_int_equal(store_integration_set_status(f->h.s, f->h.org, STORE_INT_NEEDS_REAUTH,
						      "refused", &e), 0);
	id = f->job.job.result && strcmp(f->job.job.result, "No Demo") == 0 ?
	     stage(f, NULL, "Ran - Sold", NULL) : stage(f, NULL, "No Demo", "Not Home");
	assert_int_equal(drain(f), 0);
	it = item(f, id);
	assert_int_equal(it->state, STORE_OUTBOX_QUEUED);
	assert_int_equal(it->attempts, 0);
	assert_non_null(strstr(it->last_error, "authorize"));
	assert_true(it->next_attempt_at > isotime_now_ms());
	store_outbox_free(it, 1);
}

/* Writes a PDF of n bytes (a header, then pseudo-random bytes) to path. */
static void write_pdf(const char *path, size_t n)
{
	static const char head[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
	unsigned char *chunk = malloc(1 << 16);
	uint64_t x = 88172645463325252ULL;
	FILE *fp = fopen(path, "wb");
	size_t left = n - (sizeof(head) - 1);

	assert_non_null(fp);
	fwrite(head, 1, sizeof(head) - 1, fp);
	while (left > 0) {
		size_t k = left < (1 << 16) ? left : (1 << 16);

		for (size_t i = 0; i < k; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			chunk[i] = (unsigned char)x;
		}
		fwrite(chunk, 1, k, fp);
		left -= k;
	}
	fclose(fp);
	free(chunk);
}

static int64_t add_document(struct fx *f, const char *title, size_t size)
{
	char src[600];
	int64_t id = 0;
	struct err e;

	snprintf(src, sizeof(src), "%s", testutil_path(testutil_tmpdir(), "upload.tmp"));
	write_pdf(src, size);
	if (push_document_add(f->h.s, f->docs, f->h.org, f->job.id, title, "application/pdf", src,
			      &id, &e) < 0)
		fail_msg("document refused: %s", e.msg);
	return id;
}

static void document(struct fx *f, int64_t id, struct store_document *out)
{
	struct store_document *d;
	size_t n;
	struct err e;

	memset(out, 0, sizeof(*out));
	assert_int_equal(store_document_list(f->h.s, f->h.org, f->job.id, &d, &n, &e), 0);
	for (size_t i = 0; i < n; i++)
		if (d[i].id == id) {
			*out = d[i];
			memset(&d[i], 0, sizeof(d[i]));
		}
	store_documents_free(d, n);
	assert_int_equal(out->id, id);
}

struct digest {
	crypto_hash_sha256_state h;
	size_t n;
};

static size_t digest_write(char *p, size_t size, size_t n, void *arg)
{
	struct digest *d = arg;

	crypto_hash_sha256_update(&d->h, (const unsigned char *)p, size * n);
	d->n += size * n;
	return size * n;
}

/* Downloads the ContentVersion's VersionData from the sandbox, as a client would, into
 * its SHA-256 (hex) and size. */
static void version_data(struct fx *f, const char *cv, char hex[65], size_t *size)
{
	struct store_integration in;
	struct digest d;
	struct curl_slist *hdr = NULL;
	unsigned char out[crypto_hash_sha256_BYTES];
	char url[512], auth[512];
	CURL *c = curl_easy_init();
	long status = 0;
	struct err e;

	assert_int_equal(store_integration_get(f->h.s, f->h.org, 1, &in, &e), 0);
	snprintf(url, sizeof(url), "%s/services/data/v62.0/sobjects/ContentVersion/%s/VersionData",
		 in.instance_url, cv);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", in.access_token);
	store_integration_free(&in);
	hdr = curl_slist_append(hdr, auth);
	crypto_hash_sha256_init(&d.h);
	d.n = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, digest_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 200);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	crypto_hash_sha256_final(&d.h, out);
	sodium_bin2hex(hex, 65, out, sizeof(out));
	*size = d.n;
}

/* This process's resident set now (VmRSS) and at its peak (VmHWM), in kB. */
static void rss_kb(long *now, long *peak)
{
	char line[256];
	FILE *fp = fopen("/proc/self/status", "r");

	*now = *peak = -1;
	while (fp && fgets(line, sizeof(line), fp)) {
		sscanf(line, "VmRSS: %ld", now);
		sscanf(line, "VmHWM: %ld", peak);
	}
	if (fp)
		fclose(fp);
}

/*
 * Drains in a child process so that its peak memory is the bridge's alone (the sandbox
 * in this process holds the whole upload, as Salesforce would). The peak is reset first
 * (clear_refs 5). Returns the growth of the peak over the resident set at the start, in
 * kB, and *done as push_drain counts.
 */
static long drain_measured(struct fx *f, int *done)
{
	int fds[2];
	long res[2] = { -1, -1 };
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *s = store_open(f->h.db, NULL);
		long base, peak, now;
		int d = -1;
		FILE *fp = fopen("/proc/self/clear_refs", "w");

		if (fp) {
			fputs("5", fp);
			fclose(fp);
		}
		rss_kb(&base, &peak);
		if (s && push_drain(s, "child", &f->pc, &d, NULL) == 0) {
			rss_kb(&now, &peak);
			res[0] = peak - base;
			res[1] = d;
		}
		if (write(fds[1], res, sizeof(res)) != (ssize_t)sizeof(res))
			_exit(2);
		_exit(0);	/* no atexit work (leak checks) for a forked copy */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], res, sizeof(res)), (ssize_t)sizeof(res));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*done = (int)res[1];
	return res[0];
}

static void test_20mb_pdf_byte_for_byte(void **state)
{
	struct fx *f = *state;
	struct store_document d;
	struct store_outbox_item *it;
	char hex[65];
	size_t size;
	int64_t id;
	long growth;
	int done;

	id = add_document(f, "Signed Contract.pdf", 20u << 20);
	growth = drain_measured(f, &done);
	assert_int_equal(done, 1);
	document(f, id, &d);
	assert_non_null(d.content_version_id);
	assert_string_equal(d.push_state, "done");
	it = item(f, d.outbox_id);
	assert_string_equal(it->result, d.content_version_id);
	store_outbox_free(it, 1);
	assert_field(f, d.content_version_id, "FirstPublishLocationId", f->job.job.opps[0].id);
	assert_field(f, d.content_version_id, "Title", "Signed Contract.pdf");
	version_data(f, d.content_version_id, hex, &size);
	assert_int_equal(size, 20u << 20);
	assert_string_equal(hex, d.sha256);
	/* The file went out from disk, never whole in memory (nor base64'd: 27 MB). */
	fprintf(stderr, "bridge peak memory growth during the 20 MB upload: %ld kB\n", growth);
	assert_true(growth >= 0);
	assert_true(growth < 8 * 1024);
	store_push_document_clear(&d);
}

/* ContentVersions whose field is value; first (when not NULL) gets the first one's Id. */
static size_t versions_where(struct fx *f, const char *field, const char *value,
			     char first[19])
{
	struct connect_session *cs;
	struct sf_query *q;
	json_t *recs;
	char soql[256];
	size_t n = 0;
	struct err e;

	cs = connect_session_open(f->h.s, f->h.org, &fast_client, &e);
	assert_non_null(cs);
	snprintf(soql, sizeof(soql), "SELECT Id FROM ContentVersion WHERE %s = '%s'", field,
		 value);
	q = sf_query_open(cs->client, soql, 0, &e);
	assert_non_null(q);
	while (sf_query_next(q, &recs, &e) == 1) {
		if (n == 0 && first != NULL)
			snprintf(first, 19, "%s",
				 json_string_value(json_object_get(json_array_get(recs, 0), "Id")));
		n += json_array_size(recs);
	}
	sf_query_close(q);
	connect_session_close(cs);
	return n;
}

static void knob(struct fx *f, const char *name, int value)
{
	json_t *k = json_pack("{s:i}", name, value);
	struct err e;

	assert_int_equal(sandbox_set_knobs(f->h.sb, k, &e), 0);
	json_decref(k);
}

static void test_dropped_upload_retried_once(void **state)
{
	struct fx *f = *state;
	struct store_document d;
	struct store_outbox_item *it;
	char marker[64], cv[19] = "";
	int64_t id;

	f->pc.backoff_base_ms = 300;
	id = add_document(f, "Photos.pdf", 300000);
	document(f, id, &d);
	snprintf(marker, sizeof(marker), "i360bridge outbox %lld", (long long)d.outbox_id);
	store_push_document_clear(&d);

	/* Salesforce commits the upload, then the connection drops before the answer. */
	knob(f, "drop_after_writes", 1);
	assert_int_equal(drain(f), 0);
	document(f, id, &d);
	assert_string_equal(d.push_state, "queued");
	assert_null(d.content_version_id);
	it = item(f, d.outbox_id);
	assert_int_equal(it->attempts, 1);
	assert_non_null(it->last_error);
	store_outbox_free(it, 1);
	store_push_document_clear(&d);
	/* It was committed. */
	assert_int_equal(versions_where(f, "ReasonForChange", marker, cv), 1);

	/* The retry finds that upload instead of making a second one. */
	usleep(400 * 1000);
	assert_int_equal(drain(f), 1);
	document(f, id, &d);
	assert_string_equal(d.push_state, "done");
	assert_non_null(d.content_version_id);
	assert_string_equal(d.content_version_id, cv);
	store_push_document_clear(&d);
	assert_int_equal(versions_where(f, "ReasonForChange", marker, cv), 1);
}

/*
 * An org (or simulator) whose ContentVersion has no ReasonForChange refuses the marker:
 * the document still goes, without it. A retry cannot search for an earlier upload
 * there either, so an upload whose answer was lost is sent again: delivered twice
 * rather than lost.
 */
static void test_upload_where_no_marker_field(void **state)
{
	struct fx *f = *state;
	struct store_document d;
	long calls;
	int64_t id;

	knob(f, "bare_records", 1);
	id = add_document(f, "Unmarked.pdf", 50000);
	calls = sandbox_api_calls(f->h.sb);
	assert_int_equal(drain(f), 1);
	document(f, id, &d);
	assert_string_equal(d.push_state, "done");
	assert_non_null(d.content_version_id);
	assert_field(f, d.content_version_id, "Title", "Unmarked.pdf");
	store_push_document_clear(&d);
	/* The refused upload, then the one without the marker. */
	assert_int_equal(sandbox_api_calls(f->h.sb) - calls, 2);
	assert_int_equal(versions_where(f, "Title", "Unmarked.pdf", NULL), 1);

	f->pc.backoff_base_ms = 300;
	id = add_document(f, "Dropped.pdf", 50000);
	knob(f, "drop_after_writes", 1);
	assert_int_equal(drain(f), 0);
	document(f, id, &d);
	assert_string_equal(d.push_state, "queued");
	store_push_document_clear(&d);
	usleep(400 * 1000);
	assert_int_equal(drain(f), 1);
	document(f, id, &d);
	assert_string_equal(d.push_state, "done");
	store_push_document_clear(&d);
	assert_int_equal(versions_where(f, "Title", "Dropped.pdf", NULL), 2);
}

static void test_document_preference_none(void **state)
{
	struct fx *f = *state;
	struct store_document d;
	struct store_outbox_item *it;
	size_t n;
	int64_t id;
	struct err e;

	assert_int_equal(store_integration_set_settings(f->h.s, f->h.org, NULL, "none", &e), 0);
	id = add_document(f, "Private.pdf", 1000);
	document(f, id, &d);
	assert_int_equal(d.outbox_id, 0);
	assert_null(d.push_state);
	store_push_document_clear(&d);
	assert_int_equal(store_outbox_list(f->h.s, f->h.org, f->job.id, &it, &n, &e), 0);
	assert_int_equal(n, 0);
	store_outbox_free(it, n);
	assert_int_equal(drain(f), 0);
}

/* Waits up to 10 s for an item to end; returns its state. */
static enum store_outbox_state wait_ended(struct fx *f, int64_t id)
{
	struct store_outbox_item *it;
	enum store_outbox_state st = STORE_OUTBOX_QUEUED;

	for (int i = 0; i < 200; i++) {
		it = item(f, id);
		st = it->state;
		store_outbox_free(it, 1);
		if (st == STORE_OUTBOX_DONE || st == STORE_OUTBOX_FAILED)
			break;
		usleep(50 * 1000);
	}
	return st;
}

static void test_pushes_survive_restart(void **state)
{
	struct fx *f = *state;
	struct store_outbox_item *it, *claimed;
	struct pusher *p;
	size_t n;
	int64_t a, o;
	struct err e;

	/* A serve whose worker is idle while two pushes are queued, and stops before it
	 * sends them. */
	f->pc.poll_ms = 60 * 1000;
	p = pusher_start(&f->pc, &e);
	assert_non_null(p);
	for (int i = 0; pusher_looks(p) == 0; i++) {	/* it has looked at the empty outbox */
		if (i > 2000)
			fail_msg("the push worker never looked at the outbox");
		usleep(5 * 1000);
	}
	/* One was being sent by a process that died: its claim runs out. */
	o = stage(f, f->job.job.opps[0].id, "Demo No Sale", "Price");
	assert_int_equal(store_outbox_claim(f->h.s, "dead-process", isotime_now_ms(), 1, 10,
					    &claimed, &n, &e), 0);
	assert_int_equal(n, 1);
	store_outbox_free(claimed, n);
	a = stage(f, NULL, "Ran - No Sale", "Price Too High");
	pusher_stop(p);
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_QUEUED);
	assert_int_equal(it->attempts, 0);
	store_outbox_free(it, 1);
	it = item(f, o);
	assert_int_equal(it->state, STORE_OUTBOX_SENDING);
	store_outbox_free(it, 1);

	/* The next serve sends both. */
	f->pc.poll_ms = 50;
	f->pc.workers = 2;
	p = pusher_start(&f->pc, &e);
	assert_non_null(p);
	pusher_kick(p);
	assert_int_equal(wait_ended(f, a), STORE_OUTBOX_DONE);
	assert_int_equal(wait_ended(f, o), STORE_OUTBOX_DONE);
	pusher_stop(p);
	assert_field(f, f->job.job.appointment_id, "i360core__Status__c", "Ran - No Sale");
	assert_field(f, f->job.job.appointment_id, "i360core__Status_Detail__c", "Price Too High");
	assert_field(f, f->job.job.opps[0].id, "i360core__Result__c", "Demo No Sale");
	assert_field(f, f->job.job.opps[0].id, "i360core__Result_Detail__c", "Price");
}

/* ---- Conditional stage pushes (If-Unmodified-Since) ---- */

/* Waits until a PATCH has taken the delay_next_patch_ms knob (it is then held). */
static void wait_patch_held(struct fx *f)
{
	for (int i = 0;; i++) {
		json_t *k = sandbox_knobs(f->h.sb);
		json_int_t left = json_integer_value(json_object_get(k, "delay_next_patch_ms"));

		json_decref(k);
		if (left == 0)
			return;
		if (i > 2000)
			fail_msg("no PATCH reached the sandbox");
		usleep(5 * 1000);
	}
}

static char *field_copy(struct fx *f, const char *id, const char *name)
{
	json_t *rec = sandbox_record_get(f->h.sb, id);
	char *v;

	assert_non_null(rec);
	v = strdup(json_string_value(json_object_get(rec, name)));
	json_decref(rec);
	return v;
}

/*
 * The limit this closes (docs/RELIABILITY.md): a stage PATCH still in flight when its
 * sender gave up (here a timeout, as when a process is killed) reaches Salesforce after
 * a newer stage of the same record landed. Without a precondition it was applied, last
 * write wins, and I360 went back to the older stage. Now it is refused (412) and I360
 * keeps the newer stage, its LastModifiedDate untouched by the late PATCH.
 */
static void test_stale_patch_in_flight_refused(void **state)
{
	struct fx *f = *state;
	const char *appt = f->job.job.appointment_id;
	struct sf_client_config dying = { .timeout_ms = 400, .max_attempts = 1 };
	struct pusher_config pc = f->pc;
	struct store_outbox_item *it;
	int64_t a, b, t0, landed;
	const int hold_ms = 3000;
	char *modified;
	struct err e;

	a = stage(f, NULL, "Ran - No Sale", "Price Too High");
	/* Salesforce holds the PATCH of stage a; its sender stops waiting after 400 ms. */
	knob(f, "delay_next_patch_ms", hold_ms);
	pc.client = &dying;
	pc.backoff_base_ms = 60 * 1000;
	t0 = isotime_now_ms();
	assert_int_equal(push_drain(f->h.s, "gave-up", &pc, NULL, &e), 0);
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_QUEUED);	/* to be tried again */
	store_outbox_free(it, 1);

	/* The user picks a newer stage; a's backoff is over; a live pusher goes on. */
	b = stage(f, NULL, "Ran - Sold", "Full Contract");
	assert_int_equal(store_outbox_fail(f->h.s, a, "timed out", 0, isotime_now_ms(), &e), 0);
	assert_int_equal(drain(f), 2);
	landed = isotime_now_ms();
	it = item(f, a);
	if (it->result == NULL || strstr(it->result, "superseded by push") == NULL)
		fail_msg("push %lld: %s", (long long)a, it->result ? it->result : "(no result)");
	store_outbox_free(it, 1);
	it = item(f, b);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	assert_null(it->result);
	store_outbox_free(it, 1);
	assert_field(f, appt, "i360core__Status__c", "Ran - Sold");
	/* The newer stage must have landed while a was still held, or this shows nothing. */
	if (landed - t0 >= hold_ms - 300)
		fail_msg("the newer stage took %lld ms to land, past the %d ms hold",
			 (long long)(landed - t0), hold_ms);
	modified = field_copy(f, appt, "LastModifiedDate");

	/* Salesforce now applies the held PATCH of stage a... or refuses it. */
	usleep((useconds_t)(t0 + hold_ms + 700 - isotime_now_ms()) * 1000);
	assert_field(f, appt, "i360core__Status__c", "Ran - Sold");
	assert_field(f, appt, "i360core__Status_Detail__c", "Full Contract");
	{
		char *now = field_copy(f, appt, "LastModifiedDate");

		assert_string_equal(now, modified);
		free(now);
	}
	free(modified);
}

/* What an I360 user or a newer stage does while our PATCH is on its way. */
struct meddler {
	struct fx *f;
	const char *notes;	/* written to the appointment's Notes in I360 (NULL: no) */
	const char *result;	/* a newer stage the user picks (NULL: none) */
	const char *detail;
	int64_t newer;		/* its outbox id */
	pthread_t thread;
};

static void *meddle(void *arg)
{
	struct meddler *m = arg;
	struct err e;

	wait_patch_held(m->f);
	if (m->result) {
		struct store *s = store_open(m->f->h.db, &e);
		struct push_stage st = { NULL, m->result, m->detail };

		assert_non_null(s);
		if (push_stage_request(s, m->f->h.org, m->f->job.id, &st, &m->newer, &e) < 0)
			fail_msg("stage refused: %s", e.msg);
		store_close(s);
	}
	if (m->notes) {
		json_t *fields = json_pack("{s:s}", "i360core__Notes__c", m->notes);

		assert_int_equal(sandbox_record_update(m->f->h.sb, m->f->job.job.appointment_id,
						       fields, &e), 0);
		json_decref(fields);
	}
	return NULL;
}

/* An edit in I360 between our look at the record and our PATCH fails the precondition;
 * the stage is still the newest one, so it is sent again and wins, and the edit (of
 * another field) stays. Two looks and two PATCHes, one attempt. */
static void test_edit_in_i360_does_not_lose_stage(void **state)
{
	struct fx *f = *state;
	const char *appt = f->job.job.appointment_id;
	struct meddler m = { .f = f, .notes = "called back, wants a second quote" };
	struct store_outbox_item *it;
	long calls;
	int64_t a;

	a = stage(f, NULL, "No Demo", "Not Home");
	knob(f, "delay_next_patch_ms", 600);
	assert_int_equal(pthread_create(&m.thread, NULL, meddle, &m), 0);
	calls = sandbox_api_calls(f->h.sb);
	assert_int_equal(drain(f), 1);
	pthread_join(m.thread, NULL);
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	assert_int_equal(it->attempts, 1);
	assert_null(it->result);
	store_outbox_free(it, 1);
	assert_field(f, appt, "i360core__Status__c", "No Demo");
	assert_field(f, appt, "i360core__Status_Detail__c", "Not Home");
	assert_field(f, appt, "i360core__Notes__c", "called back, wants a second quote");
	assert_int_equal(sandbox_api_calls(f->h.sb) - calls, 4);
}

/* A 412 because a newer stage of ours is coming: this one is marked superseded, not
 * sent again, and the newer one is pushed. */
static void test_precondition_failed_by_newer_stage(void **state)
{
	struct fx *f = *state;
	const char *appt = f->job.job.appointment_id;
	struct meddler m = { .f = f, .notes = "rescheduled by phone", .result = "Ran - Sold",
			     .detail = "Contingent on Financing" };
	struct store_outbox_item *it;
	char want[64];
	int64_t a;

	a = stage(f, NULL, "No Demo", "Not Home");
	knob(f, "delay_next_patch_ms", 600);
	assert_int_equal(pthread_create(&m.thread, NULL, meddle, &m), 0);
	assert_int_equal(drain(f), 2);
	pthread_join(m.thread, NULL);
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	snprintf(want, sizeof(want), "superseded by push %lld", (long long)m.newer);
	if (it->result == NULL || strcmp(it->result, want) != 0)
		fail_msg("push %lld: %s, want %s", (long long)a, it->result ? it->result : "sent",
			 want);
	store_outbox_free(it, 1);
	it = item(f, m.newer);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	assert_null(it->result);
	store_outbox_free(it, 1);
	assert_field(f, appt, "i360core__Status__c", "Ran - Sold");
	assert_field(f, appt, "i360core__Status_Detail__c", "Contingent on Financing");
}

/* With the sandbox's bare_records knob at level (a simpler simulator), a stage still
 * lands: the look is refused, and the PATCH goes without a precondition, two calls. */
static void stage_lands_where_bare(struct fx *f, int level, const char *result,
				   const char *detail)
{
	const char *appt = f->job.job.appointment_id;
	struct store_outbox_item *it;
	long calls;
	int64_t a;

	knob(f, "bare_records", level);
	a = stage(f, NULL, result, detail);
	calls = sandbox_api_calls(f->h.sb);
	assert_int_equal(drain(f), 1);
	it = item(f, a);
	assert_int_equal(it->state, STORE_OUTBOX_DONE);
	assert_int_equal(it->attempts, 1);
	store_outbox_free(it, 1);
	assert_field(f, appt, "i360core__Status__c", result);
	assert_field(f, appt, "i360core__Status_Detail__c", detail);
	assert_int_equal(sandbox_api_calls(f->h.sb) - calls, 2);
}

/* An org (or simulator) that cannot tell a record's LastModifiedDate: the look is a 400
 * INVALID_FIELD. */
static void test_stage_where_no_last_modified(void **state)
{
	stage_lands_where_bare(*state, 1, "No Demo", "Not Home");
}

/* One that has no GET of one record: the look is a 404, which a deleted record also
 * gets, so the PATCH decides. */
static void test_stage_where_no_record_read(void **state)
{
	stage_lands_where_bare(*state, 2, "Ran - No Sale", "Price Too High");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stage_reaches_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_push_fails_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_keeps_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_20mb_pdf_byte_for_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropped_upload_retried_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upload_where_no_marker_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document_preference_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pushes_survive_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_patch_in_flight_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_in_i360_does_not_lose_stage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_precondition_failed_by_newer_stage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_where_no_last_modified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_where_no_record_read, setup,
						teardown),
	};
	struct err e;

	if (sf_global_init(&e) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

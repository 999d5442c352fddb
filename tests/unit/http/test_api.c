/* The JSON API of SPEC §6 over real sockets: each endpoint's success and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "httptest.h"

#define I360 "/api/integrations/improveit360"

static struct httptest T;

static int setup(void **state)
{
	(void)state;
	httptest_start(&T, NULL, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	httptest_stop(&T);
	return 0;
}

#define assert_status(r, want)                                                          \
	do {                                                                            \
		if ((r).status != (want))                                               \
			fprintf(stderr, "status %ld, body %s\n", (r).status,             \
				(r).body.data ? (r).body.data : "");                     \
		assert_int_equal((r).status, (want));                                   \
	} while (0)

static void test_tokens(void **state)
{
	struct ht_resp r;
	const char *bad_scheme[] = { "Authorization: Basic abc", NULL };

	(void)state;
	r = ht_req(&T, "GET", "/api/jobs", NULL, NULL, NULL, 0);
	assert_status(r, 401);
	assert_true(strlen(ht_error(&r)) > 10);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/api/jobs", "i3b_not-a-real-token", NULL, NULL, 0);
	assert_status(r, 401);
	assert_string_equal(ht_error(&r), "the API token is not valid");
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/api/jobs", NULL, bad_scheme, NULL, 0);
	assert_status(r, 401);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/api/nothing-here", T.h.token, NULL, NULL, 0);
	assert_status(r, 404);
	ht_resp_free(&r);
	r = ht_req(&T, "PATCH", "/api/jobs", T.h.token, NULL, NULL, 0);
	assert_status(r, 405);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/healthz", NULL, NULL, NULL, 0);
	assert_status(r, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	ht_resp_free(&r);
}

static void test_users(void **state)
{
	struct ht_resp r;
	size_t before;

	(void)state;
	r = ht_get(&T, "/api/users");
	assert_status(r, 200);
	assert_true(json_is_array(r.json));
	before = json_array_size(r.json);
	ht_resp_free(&r);

	r = ht_send(&T, "POST", "/api/users", "{\"email\":\" New.Person@Example.com \",\"name\":\"New\"}");
	assert_status(r, 201);
	assert_true(json_integer_value(json_object_get(r.json, "id")) > 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "New");
	ht_resp_free(&r);
	r = ht_send(&T, "POST", "/api/users", "{\"email\":\"new.person@example.com\",\"name\":\"Again\"}");
	assert_status(r, 409);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", "/api/users", "{\"email\":\"x@example.com\"");
	assert_status(r, 400);
	assert_non_null(strstr(ht_error(&r), "not valid JSON"));
	ht_resp_free(&r);
	r = ht_send(&T, "POST", "/api/users", "[1,2]");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", "/api/users", "{\"email\":\"not-an-email\",\"name\":\"N\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", "/api/users", "{\"email\":5,\"name\":\"N\"}");
	assert_status(r, 400);
	ht_resp_free(&r);

	/* Bad input changed nothing: one user more than before, the good one. */
	r = ht_get(&T, "/api/users");
	assert_int_equal(json_array_size(r.json), before + 1);
	ht_resp_free(&r);
}

static void test_too_large(void **state)
{
	size_t n = 200 * 1024;
	char *big = malloc(n + 1);
	const char *chunked[] = { "Transfer-Encoding: chunked", NULL };
	struct ht_resp r;

	(void)state;
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	/* With a Content-Length: refused before the body is read. */
	r = ht_send(&T, "POST", "/api/users", big);
	assert_status(r, 413);
	ht_resp_free(&r);
	/* Chunked, with no length to go by: refused once it passes the cap. */
	r = ht_req(&T, "PUT", I360 "/settings", T.h.token, chunked, big, (long)n);
	assert_status(r, 413);
	ht_resp_free(&r);
	free(big);
}

static void test_integration_and_settings(void **state)
{
	struct ht_resp r;

	(void)state;
	r = ht_get(&T, I360);
	assert_status(r, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "connected");
	assert_string_equal(json_string_value(json_object_get(r.json, "platform")), "lightning");
	assert_non_null(json_string_value(json_object_get(r.json, "instance_url")));
	assert_non_null(json_string_value(json_object_get(r.json, "connected_user")));
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "callback_url")),
			       "/auth/improveit360/callback"));
	assert_non_null(json_object_get(r.json, "next_sync_at"));
	assert_non_null(json_object_get(r.json, "last_run"));
	ht_resp_free(&r);

	r = ht_send(&T, "PUT", I360 "/settings", "{\"platform\":\"mainframe\",\"documents\":\"none\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", I360 "/settings", "{\"documents\":\"none\",\"colour\":\"red\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_get(&T, I360);
	assert_string_equal(json_string_value(json_object_get(r.json, "documents")), "all");
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", I360 "/settings", "{\"documents\":\"none\"}");
	assert_status(r, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "documents")), "none");
	assert_string_equal(json_string_value(json_object_get(r.json, "platform")), "lightning");
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", I360 "/settings", "{\"documents\":\"all\",\"platform\":\"lightning\"}");
	assert_status(r, 200);
	ht_resp_free(&r);

	r = ht_send(&T, "POST", I360 "/authorize", "{\"consumer_key\":\"k\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", I360 "/authorize",
		    "{\"consumer_key\":\"k\",\"consumer_secret\":\"s\",\"login_url\":\"ftp://x\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
}

static void test_sync_runs_and_jobs(void **state)
{
	struct ht_resp r;
	json_t *knobs;
	char path[256];
	int64_t run, first_id, next;
	struct err e;

	(void)state;
	/* A slow I360 keeps the first sync running while the second is asked for. */
	knobs = json_pack("{s:i}", "latency_ms", 300);
	assert_int_equal(sandbox_set_knobs(T.h.sb, knobs, &e), 0);
	json_decref(knobs);
	r = ht_send(&T, "POST", I360 "/sync", NULL);
	assert_status(r, 202);
	run = json_integer_value(json_object_get(r.json, "run_id"));
	assert_true(run > 0);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", I360 "/sync", NULL);
	assert_status(r, 409);
	ht_resp_free(&r);
	snprintf(path, sizeof(path), I360 "/sync-runs/%lld", (long long)run);
	r = ht_get(&T, path);
	assert_status(r, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "running");
	ht_resp_free(&r);
	knobs = json_pack("{s:i}", "latency_ms", 0);
	assert_int_equal(sandbox_set_knobs(T.h.sb, knobs, &e), 0);
	json_decref(knobs);
	for (;;) {
		r = ht_get(&T, path);
		if (strcmp(json_string_value(json_object_get(r.json, "status")), "running") != 0)
			break;
		ht_resp_free(&r);
	}
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "succeeded");
	assert_true(json_is_array(json_object_get(r.json, "errors")));
	assert_true(json_integer_value(json_object_get(json_object_get(r.json, "counts"),
						       "jobs_created")) > 0);
	ht_resp_free(&r);
	r = ht_get(&T, I360 "/sync-runs/999999");
	assert_status(r, 404);
	ht_resp_free(&r);
	r = ht_get(&T, I360 "/sync-runs?limit=0");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_get(&T, I360 "/sync-runs");
	assert_status(r, 200);
	assert_int_equal(json_array_size(r.json), 1);
	ht_resp_free(&r);

	/* Paging: two at a time, next_after chains, the last page says null. */
	r = ht_get(&T, "/api/jobs?limit=2");
	assert_status(r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "jobs")), 2);
	first_id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "jobs"), 0), "id"));
	next = json_integer_value(json_object_get(r.json, "next_after"));
	assert_true(next > first_id);
	ht_resp_free(&r);
	snprintf(path, sizeof(path), "/api/jobs?limit=2&after=%lld", (long long)next);
	r = ht_get(&T, path);
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "jobs"), 0), "id")) > next);
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs?limit=500");
	assert_true(json_is_null(json_object_get(r.json, "next_after")));
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs?limit=abc");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs?after=-1");
	assert_status(r, 400);
	ht_resp_free(&r);
	/* Numbers are digits only, and one too large for an id is not taken as the
	 * largest id. */
	r = ht_get(&T, "/api/jobs?after=99999999999999999999");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs?limit=+5");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_get(&T, I360 "/sync-runs?limit=%205");
	assert_status(r, 400);
	ht_resp_free(&r);

	/* Search runs in the store over every job: by the first job's customer, in other
	 * case, and by a name nobody has. */
	{
		char q[300], *esc;
		json_t *jobs, *j;
		const char *cust;
		size_t k;

		snprintf(path, sizeof(path), "/api/jobs/%lld", (long long)first_id);
		r = ht_get(&T, path);
		cust = json_string_value(json_object_get(r.json, "customer_name"));
		assert_non_null(cust);
		esc = curl_easy_escape(NULL, cust, 0);
		for (char *c = esc; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		snprintf(q, sizeof(q), "/api/jobs?limit=500&q=%s", esc);
		curl_free(esc);
		ht_resp_free(&r);
		r = ht_get(&T, q);
		assert_status(r, 200);
		jobs = json_object_get(r.json, "jobs");
		assert_true(json_array_size(jobs) >= 1);
		json_array_foreach(jobs, k, j)
			assert_non_null(json_object_get(j, "customer_name"));
		ht_resp_free(&r);
		r = ht_get(&T, "/api/jobs?q=zz%25no-such_customer");
		assert_status(r, 200);
		assert_int_equal(json_array_size(json_object_get(r.json, "jobs")), 0);
		ht_resp_free(&r);
	}

	snprintf(path, sizeof(path), "/api/jobs/%lld", (long long)first_id);
	r = ht_get(&T, path);
	assert_status(r, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")), first_id);
	assert_true(json_is_array(json_object_get(r.json, "appointments")));
	assert_true(json_is_array(json_object_get(r.json, "pushes")));
	assert_true(json_is_null(json_object_get(r.json, "lead_source")));
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs/0");
	assert_status(r, 404);
	ht_resp_free(&r);
	r = ht_get(&T, "/api/jobs/abc");
	assert_status(r, 404);
	ht_resp_free(&r);
	/* The error names the id asked for, not a clamped one. */
	r = ht_get(&T, "/api/jobs/99999999999999999999999");
	assert_status(r, 404);
	assert_string_equal(json_string_value(json_object_get(r.json, "error")),
			    "there is no job 99999999999999999999999");
	ht_resp_free(&r);
}

/* Another org's token sees none of the first org's records. */
static void test_other_org(void **state)
{
	char token[SEAL_TOKEN_LEN], path[128];
	struct store_job *jobs;
	struct ht_resp r;
	int64_t org2;
	size_t n;
	struct err e;

	(void)state;
	assert_int_equal(store_org_create(T.h.s, "Other Org", &org2, token, &e), 0);
	assert_int_equal(store_job_list(T.h.s, T.h.org, 0, 1, &jobs, &n, &e), 0);
	assert_int_equal(n, 1);
	snprintf(path, sizeof(path), "/api/jobs/%lld", (long long)jobs[0].id);
	store_jobs_free(jobs, n);
	r = ht_req(&T, "GET", path, token, NULL, NULL, 0);
	assert_status(r, 404);
	ht_resp_free(&r);
	strcat(path, "/documents");
	r = ht_req(&T, "GET", path, token, NULL, NULL, 0);
	assert_status(r, 404);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/api/jobs", token, NULL, NULL, 0);
	assert_status(r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "jobs")), 0);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", I360 "/users", token, NULL, NULL, 0);
	assert_int_equal(json_array_size(r.json), 0);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", I360 "/sync-runs/1", token, NULL, NULL, 0);
	assert_status(r, 404);
	ht_resp_free(&r);
	r = ht_req(&T, "GET", I360, token, NULL, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "disconnected");
	ht_resp_free(&r);
	r = ht_req(&T, "POST", I360 "/sync", token, NULL, NULL, 0);
	assert_status(r, 409);
	ht_resp_free(&r);
}

static void test_staff_links_and_reasons(void **state)
{
	struct ht_resp r, users;
	char path[256], body[128];
	const char *crm;
	json_t *st, *res;
	int64_t uid;

	(void)state;
	r = ht_get(&T, I360 "/users");
	assert_status(r, 200);
	assert_true(json_array_size(r.json) > 0);
	st = json_array_get(r.json, 0);
	assert_non_null(json_object_get(st, "linked_by"));
	crm = json_string_value(json_object_get(st, "crm_id"));
	snprintf(path, sizeof(path), I360 "/users/%s", crm);
	users = ht_get(&T, "/api/users");
	uid = json_integer_value(json_object_get(json_array_get(users.json, 0), "id"));
	ht_resp_free(&users);

	snprintf(body, sizeof(body), "{\"occ_user_id\":%lld,\"active\":false}", (long long)uid);
	{
		struct ht_resp l = ht_send(&T, "PUT", path, body);
		assert_status(l, 200);
		assert_string_equal(json_string_value(json_object_get(l.json, "linked_by")), "manual");
		assert_int_equal(json_integer_value(json_object_get(l.json, "occ_user_id")), uid);
		assert_false(json_is_true(json_object_get(l.json, "active")));
		ht_resp_free(&l);
		/* "active" alone switches the link on and off and keeps the user. */
		l = ht_send(&T, "PUT", path, "{\"active\":true}");
		assert_status(l, 200);
		assert_int_equal(json_integer_value(json_object_get(l.json, "occ_user_id")), uid);
		assert_true(json_is_true(json_object_get(l.json, "active")));
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{\"active\":false}");
		assert_status(l, 200);
		assert_int_equal(json_integer_value(json_object_get(l.json, "occ_user_id")), uid);
		assert_false(json_is_true(json_object_get(l.json, "active")));
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{\"active\":\"yes\"}");
		assert_status(l, 400);
		assert_string_equal(json_string_value(json_object_get(l.json, "error")),
				    "active must be true or false");
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{}");
		assert_status(l, 400);
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", I360 "/users/a0BNOPE00000000AAA", "{\"active\":false}");
		assert_status(l, 404);
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{\"occ_user_id\":\"three\"}");
		assert_status(l, 400);
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{\"occ_user_id\":99999,\"active\":true}");
		assert_status(l, 404);
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", I360 "/users/a0BNOPE00000000AAA", "{\"occ_user_id\":null}");
		assert_status(l, 404);
		ht_resp_free(&l);
		l = ht_send(&T, "PUT", path, "{\"occ_user_id\":null,\"active\":false}");
		assert_status(l, 200);
		assert_true(json_is_null(json_object_get(l.json, "occ_user_id")));
		ht_resp_free(&l);
		/* Nobody to be active with. */
		l = ht_send(&T, "PUT", path, "{\"active\":true}");
		assert_status(l, 400);
		ht_resp_free(&l);
	}
	ht_resp_free(&r);
	r = ht_get(&T, I360 "/users?q=zzzz-nobody-zzzz");
	assert_int_equal(json_array_size(r.json), 0);
	ht_resp_free(&r);

	r = ht_get(&T, I360 "/result-reasons");
	assert_status(r, 200);
	res = json_array_get(json_object_get(r.json, "appointment"), 0);
	assert_non_null(res);
	assert_non_null(json_object_get(res, "description"));
	assert_true(json_is_boolean(json_object_get(res, "active")));
	assert_true(json_is_array(json_object_get(res, "details")));
	assert_true(json_is_array(json_object_get(r.json, "opportunity")));
	ht_resp_free(&r);
}

/* POSTs one "file" part (name, the first len bytes of data) to path as multipart; the
 * status, with the answer in *out. */
static long upload(const char *path, const char *name, const char *data, size_t len,
		   struct ht_resp *out)
{
	char url[512], auth[300];
	struct curl_slist *hl = NULL;
	curl_mimepart *part;
	curl_mime *mime;
	long status = 0;
	CURL *c;

	snprintf(url, sizeof(url), "%s%s", T.base, path);
	c = curl_easy_init();
	mime = curl_mime_init(c);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_filename(part, name);
	curl_mime_type(part, "application/pdf");
	curl_mime_data(part, data, len);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", T.h.token);
	hl = curl_slist_append(hl, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_collect);
	memset(out, 0, sizeof(*out));
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_mime_free(mime);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

static void test_stage_and_documents(void **state)
{
	struct store_job *jobs;
	struct ht_resp r;
	char path[128], body[256];
	size_t n;
	struct err e;

	(void)state;
	assert_int_equal(store_job_list(T.h.s, T.h.org, 0, 1, &jobs, &n, &e), 0);
	snprintf(path, sizeof(path), "/api/jobs/%lld/stage", (long long)jobs[0].id);
	r = ht_send(&T, "PUT", path, "{\"appointment_result\":\"No Such Result\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", path, "{\"appointment_result\":7}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", path, "{}");
	assert_status(r, 400);
	ht_resp_free(&r);
	r = ht_send(&T, "PUT", "/api/jobs/999999/stage", "{\"appointment_result\":\"Confirmed\"}");
	assert_status(r, 404);
	ht_resp_free(&r);
	if (jobs[0].job.nopps > 0) {
		const char *opp = jobs[0].job.opps[0].id;

		/* An appointment stage and an opportunity stage at once: which one? */
		snprintf(body, sizeof(body), "{\"opportunity_id\":\"%s\",\"result\":\"Sold\","
			 "\"appointment_result\":\"Confirmed\"}", opp);
		r = ht_send(&T, "PUT", path, body);
		assert_status(r, 400);
		ht_resp_free(&r);
		/* 17 characters: not an Id, even if its first 15 are the opportunity's. */
		snprintf(body, sizeof(body), "{\"opportunity_id\":\"%.17s\",\"result\":\"Sold\"}",
			 opp);
		r = ht_send(&T, "PUT", path, body);
		assert_status(r, 400);
		ht_resp_free(&r);
	}

	/* An upload: multipart with a file part, answered 202 and listed. */
	snprintf(path, sizeof(path), "/api/jobs/%lld/documents", (long long)jobs[0].id);
	assert_int_equal(upload(path, "quote.pdf", "%PDF-1.4 a quote", 16, &r), 202);
	assert_non_null(strstr(r.body.data, "document_id"));
	ht_resp_free(&r);
	/* An empty file is refused and not listed. */
	assert_int_equal(upload(path, "empty.pdf", "", 0, &r), 400);
	assert_non_null(strstr(r.body.data, "the document is empty"));
	ht_resp_free(&r);

	r = ht_get(&T, path);
	assert_status(r, 200);
	assert_int_equal(json_array_size(r.json), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 0), "title")),
			    "quote.pdf");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r.json, 0), "size")), 16);
	ht_resp_free(&r);

	/* Not multipart: 400. Over the document limit by its length: 413 at once. */
	r = ht_send(&T, "POST", path, "{\"file\":\"x\"}");
	assert_status(r, 400);
	ht_resp_free(&r);
	{
		const char *huge[] = { "Content-Type: multipart/form-data; boundary=xyz",
				       "Content-Length: 999999999999", NULL };
		r = ht_req(&T, "POST", path, T.h.token, huge, NULL, 0);
		assert_status(r, 413);
		ht_resp_free(&r);
	}
	store_jobs_free(jobs, n);
}

static void test_metrics_and_disconnect(void **state)
{
	struct ht_resp r;

	(void)state;
	r = ht_req(&T, "GET", "/metrics", NULL, NULL, NULL, 0);
	assert_status(r, 200);
	assert_non_null(strstr(r.body.data, "i360_http_requests_total{route=\"/api/jobs\",code=\"200\"}"));
	assert_non_null(strstr(r.body.data, "i360_sync_runs_total{status=\"succeeded\"} 1"));
	assert_non_null(strstr(r.body.data, "i360_outbox_depth"));
	assert_non_null(strstr(r.body.data, "i360_sync_api_calls_total"));
	assert_non_null(strstr(r.body.data, "\ni360_api_share_used_max 0."));
	assert_non_null(strstr(r.body.data, "\ni360_api_share_orgs_over_limit 0\n"));
	assert_non_null(strstr(r.body.data, "i360_integrations{status=\"connected\"} 1"));
	ht_resp_free(&r);

	r = ht_send(&T, "DELETE", I360, NULL);
	assert_status(r, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "disconnected");
	ht_resp_free(&r);
	/* The synced data stays. */
	r = ht_get(&T, "/api/jobs?limit=1");
	assert_int_equal(json_array_size(json_object_get(r.json, "jobs")), 1);
	ht_resp_free(&r);
	r = ht_send(&T, "POST", I360 "/sync", NULL);
	assert_status(r, 409);
	ht_resp_free(&r);
}

int main(void)
{
	/* In order: each builds on the state the one before left. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_integration_and_settings),
		cmocka_unit_test(test_sync_runs_and_jobs),
		cmocka_unit_test(test_other_org),
		cmocka_unit_test(test_staff_links_and_reasons),
		cmocka_unit_test(test_stage_and_documents),
		cmocka_unit_test(test_metrics_and_disconnect),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_conditional: i360-sandbox's conditional requests on sObject Rows over real sockets
 * — If-Unmodified-Since on PATCH (412, 400), If-Modified-Since on GET (304), the Date
 * header, and a PATCH held in flight (delay_next_patch_ms) checked when it is applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/isotime.h"

#include "sbcall.h"

#define STAFF "i360core__Staff__c"
/* The record's LastModifiedDate as created, and the same second as an HTTP-date. */
#define CREATED_AT "2020-01-01T00:00:00.400Z"
#define CREATED_HTTP "Wed, 01 Jan 2020 00:00:00 GMT"

static struct sandbox *sb;
static char token[256];

/* One request to the sandbox; header is one more request header (or NULL). */
static struct resp call(const char *method, const char *path, const char *header,
			const char *body, const char *bearer)
{
	const char *headers[] = { body ? "Content-Type: application/json" : header,
				  body ? header : NULL, NULL };

	return sbcall(sandbox_url(sb), method, path, headers, body, body ? strlen(body) : 0,
		      bearer);
}

/* An access token through the web-server flow (the sandbox approves by itself). */
static void fetch_token(void)
{
	sbcall_tokens(sandbox_url(sb), token, sizeof(token), NULL, 0);
}

static int setup(void **state)
{
	struct sandbox_config c;
	static const char *cbs[] = { "http://localhost/cb" };

	(void)state;
	sandbox_config_defaults(&c);
	c.staff = 2;
	c.appointments = 2;
	c.auto_approve = 1;
	c.callback_urls = cbs;
	c.ncallback_urls = 1;
	sb = sbcall_start(&c);
	fetch_token();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sbcall_stop(sb);
	return 0;
}

/* A staff record last modified at CREATED_AT; its path in *path. */
static void new_record(char path[128])
{
	json_t *f = json_pack("{s:s, s:s, s:s}", "Name", "Pat Cond", "i360core__Email__c",
			      "pat@example.com", "LastModifiedDate", CREATED_AT);
	char id[19];
	struct err e;

	assert_int_equal(sandbox_record_create(sb, STAFF, f, id, &e), 0);
	json_decref(f);
	snprintf(path, 128, "/services/data/v62.0/sobjects/" STAFF "/%s", id);
}

static const char *field(const char *path, const char *name, char *out, size_t n)
{
	json_t *rec = sandbox_record_get(sb, strrchr(path, '/') + 1);

	assert_non_null(rec);
	snprintf(out, n, "%s", json_string_value(json_object_get(rec, name)));
	json_decref(rec);
	return out;
}

static const char *error_code(const struct resp *r)
{
	return json_string_value(json_object_get(json_array_get(r->json, 0), "errorCode"));
}

static void test_if_unmodified_since_on_patch(void **state)
{
	char path[128], v[64], date[ISOTIME_HTTP_LEN], hdr[80];
	struct resp r;
	int64_t ms;

	(void)state;
	new_record(path);
	/* Every answer carries Salesforce's clock. */
	r = call("GET", path, NULL, NULL, token);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers.data, "Date: "));
	resp_free(&r);

	/* Modified in the very second named: not "modified after" it (whole seconds). */
	r = call("PATCH", path, "If-Unmodified-Since: " CREATED_HTTP,
		 "{\"Name\":\"Pat Second\"}", token);
	assert_int_equal(r.status, 204);
	resp_free(&r);
	assert_string_equal(field(path, "Name", v, sizeof(v)), "Pat Second");

	/* Now modified after that date: 412, nothing written, not even the stamp. */
	field(path, "LastModifiedDate", v, sizeof(v));
	r = call("PATCH", path, "If-Unmodified-Since: " CREATED_HTTP,
		 "{\"Name\":\"Pat Stale\"}", token);
	assert_int_equal(r.status, 412);
	assert_string_equal(error_code(&r), "ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK");
	assert_non_null(json_string_value(json_object_get(json_array_get(r.json, 0),
							  "message")));
	resp_free(&r);
	assert_string_equal(field(path, "Name", hdr, sizeof(hdr)), "Pat Second");
	assert_string_equal(field(path, "LastModifiedDate", hdr, sizeof(hdr)), v);

	/* The two older forms of an HTTP-date are read too (and 1994 is long before). */
	r = call("PATCH", path, "If-Unmodified-Since: Sunday, 06-Nov-94 08:49:37 GMT",
		 "{\"Name\":\"Pat Stale\"}", token);
	assert_int_equal(r.status, 412);
	resp_free(&r);
	r = call("PATCH", path, "If-Unmodified-Since: Sun Nov  6 08:49:37 1994",
		 "{\"Name\":\"Pat Stale\"}", token);
	assert_int_equal(r.status, 412);
	resp_free(&r);

	/* A value that is no date: 400, nothing written. */
	r = call("PATCH", path, "If-Unmodified-Since: yesterday", "{\"Name\":\"Pat Bad\"}",
		 token);
	assert_int_equal(r.status, 400);
	assert_non_null(error_code(&r));
	resp_free(&r);
	assert_string_equal(field(path, "Name", hdr, sizeof(hdr)), "Pat Second");

	/* The record's own LastModifiedDate, as a client would send it back: passes. */
	assert_int_equal(isotime_parse_ms(v, &ms), 0);
	snprintf(hdr, sizeof(hdr), "If-Unmodified-Since: %s", isotime_format_http(date, ms));
	r = call("PATCH", path, hdr, "{\"Name\":\"Pat Fresh\"}", token);
	assert_int_equal(r.status, 204);
	resp_free(&r);
	assert_string_equal(field(path, "Name", v, sizeof(v)), "Pat Fresh");

	/* And one second before it fails. */
	field(path, "LastModifiedDate", v, sizeof(v));
	assert_int_equal(isotime_parse_ms(v, &ms), 0);
	snprintf(hdr, sizeof(hdr), "If-Unmodified-Since: %s",
		 isotime_format_http(date, ms - 1000));
	r = call("PATCH", path, hdr, "{\"Name\":\"Pat Late\"}", token);
	assert_int_equal(r.status, 412);
	resp_free(&r);
}

static void test_if_modified_since_on_get(void **state)
{
	char path[128], hdr[80];
	struct resp r;

	(void)state;
	new_record(path);
	r = call("GET", path, "If-Modified-Since: " CREATED_HTTP, NULL, token);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body.len, 0);
	resp_free(&r);
	r = call("GET", path, "If-Modified-Since: Tue, 31 Dec 2019 23:59:59 GMT", NULL, token);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "Name")), "Pat Cond");
	resp_free(&r);
	/* An unreadable date is ignored, as HTTP says. */
	r = call("GET", path, "If-Modified-Since: soon", NULL, token);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", CREATED_HTTP);
	r = call("GET", path, hdr, NULL, token);
	assert_int_equal(r.status, 304);
	resp_free(&r);
}

struct held {
	const char *path;
	struct resp r;
};

static void *held_patch(void *arg)
{
	struct held *h = arg;

	h->r = call("PATCH", h->path, "If-Unmodified-Since: " CREATED_HTTP,
		    "{\"Name\":\"Pat Held\"}", token);
	return NULL;
}

/* A PATCH read before a newer write but applied after it is checked when it is applied:
 * the late commit of a write in flight is refused. */
static void test_held_patch_checked_when_applied(void **state)
{
	struct held h = { 0 };
	struct timespec ts = { 0, 10 * 1000000L };
	pthread_t t;
	json_t *k, *f;
	char path[128], v[64];
	struct err e;

	(void)state;
	new_record(path);
	h.path = path;
	k = json_pack("{s:i}", "delay_next_patch_ms", 1200);
	assert_int_equal(sandbox_set_knobs(sb, k, &e), 0);
	json_decref(k);
	assert_int_equal(pthread_create(&t, NULL, held_patch, &h), 0);
	/* The PATCH in flight takes the knob (back to 0) when it is read. */
	for (int i = 0;; i++) {
		json_int_t left;

		k = sandbox_knobs(sb);
		left = json_integer_value(json_object_get(k, "delay_next_patch_ms"));
		json_decref(k);
		if (left == 0)
			break;
		assert_true(i < 500);
		nanosleep(&ts, NULL);
	}
	f = json_pack("{s:s}", "Name", "Pat Newer");
	assert_int_equal(sandbox_record_update(sb, strrchr(path, '/') + 1, f, &e), 0);
	json_decref(f);
	pthread_join(t, NULL);
	assert_int_equal(h.r.status, 412);
	resp_free(&h.r);
	assert_string_equal(field(path, "Name", v, sizeof(v)), "Pat Newer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_if_unmodified_since_on_patch),
		cmocka_unit_test(test_if_modified_since_on_get),
		cmocka_unit_test(test_held_patch_checked_when_applied),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

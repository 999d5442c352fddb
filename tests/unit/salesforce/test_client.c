/* Unit tests of client: session refresh, reauth, retries and backoff, limits, TLS policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/salesforce/canned_server.h"

#include "salesforce/client.h"
#include "salesforce/oauth.h"
#include "salesforce/sobject.h"

#define DESCRIBE "/services/data/v62.0/sobjects/Account/describe"
#define DESCRIBE_OK "{\"name\":\"Account\",\"fields\":[]}"
#define SESSION_EXPIRED "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"
#define ID_URL "https://login.salesforce.com/id/00D5e000000abcdEAA/0055e000001XyZ1AAK"
/* Signed with HMAC-SHA256 under "cs" over ID_URL + issued_at (computed independently). */
#define REFRESHED_ROTATED \
	"{\"access_token\":\"AT2\",\"refresh_token\":\"RT2\",\"signature\":" \
	"\"s/xjdClT+nkIInMBa/sXVuBEhN8kBUccNbLVRyLpJk0=\",\"scope\":\"refresh_token full\"," \
	"\"instance_url\":\"{{BASE}}\",\"id\":\"" ID_URL "\",\"token_type\":\"Bearer\"," \
	"\"issued_at\":\"1793545200000\"}"
#define REFRESHED_PLAIN \
	"{\"access_token\":\"AT3\",\"signature\":\"qS2DflQO0inFr+ioGXLKWHDOP9MF5ii+jZzwkdz/mp0=\"," \
	"\"scope\":\"refresh_token full\",\"instance_url\":\"{{BASE}}\",\"id\":\"" ID_URL "\"," \
	"\"token_type\":\"Bearer\",\"issued_at\":\"1793545300000\"}"

struct fixture {
	struct canned_server s;
	struct sf_client *c;
	long sleeps[16];
	int nsleeps;
	int token_calls;
	char access[64], refresh[64], instance[128];
};

static void record_sleep(void *arg, long ms)
{
	struct fixture *f = arg;

	if (f->nsleeps < 16)
		f->sleeps[f->nsleeps] = ms;
	f->nsleeps++;
}

static void record_tokens(void *arg, const struct sf_tokens *t)
{
	struct fixture *f = arg;

	f->token_calls++;
	snprintf(f->access, sizeof(f->access), "%s", t->access_token);
	snprintf(f->refresh, sizeof(f->refresh), "%s", t->refresh_token ? t->refresh_token : "");
	snprintf(f->instance, sizeof(f->instance), "%s", t->instance_url);
}

/* Starts the script and a client with tokens AT1/RT1 on it; tweak may adjust config. */
static struct fixture *start(const struct canned_reply *script, size_t n,
			     void (*tweak)(struct sf_client_config *))
{
	static struct fixture f;
	struct sf_client_config cfg = { 0 };
	struct err e;

	memset(&f, 0, sizeof(f));
	assert_int_equal(canned_start(&f.s, script, n), 0);
	cfg.login_url = f.s.base;
	cfg.consumer_key = "ck";
	cfg.consumer_secret = "cs";
	cfg.sleep = record_sleep;
	cfg.sleep_arg = &f;
	cfg.on_tokens = record_tokens;
	cfg.tokens_arg = &f;
	if (tweak)
		tweak(&cfg);
	f.c = sf_client_new(&cfg, &e);
	assert_non_null(f.c);
	assert_int_equal(sf_client_set_tokens(f.c, f.s.base, "AT1", "RT1", &e), 0);
	return &f;
}

static void stop(struct fixture *f)
{
	assert_int_equal(f->s.mismatches, 0);
	sf_client_free(f->c);
	canned_stop(&f->s);
}

static int describe(struct fixture *f, struct err *e)
{
	json_t *d = NULL;
	int rc = sf_sobject_describe(f->c, "Account", &d, e);

	json_decref(d);
	return rc;
}

static void test_expired_session_refreshes_and_retries(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED_ROTATED, 0 },
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
		/* Later expiry with no rotation: the rotated RT2 is kept. */
		{ "GET", DESCRIBE, 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED_PLAIN, 0 },
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 6, NULL);
	struct err e;
	char v[64];

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_string_equal(f->s.reqs[0].authorization, "Bearer AT1");
	assert_string_equal(f->s.reqs[1].content_type, "application/x-www-form-urlencoded");
	assert_null(f->s.reqs[1].authorization);
	assert_string_equal(canned_form_value(f->s.reqs[1].body, "grant_type", v, sizeof(v)),
			    "refresh_token");
	assert_string_equal(canned_form_value(f->s.reqs[1].body, "refresh_token", v, sizeof(v)),
			    "RT1");
	assert_string_equal(canned_form_value(f->s.reqs[1].body, "client_id", v, sizeof(v)), "ck");
	assert_string_equal(canned_form_value(f->s.reqs[1].body, "client_secret", v, sizeof(v)),
			    "cs");
	assert_string_equal(f->s.reqs[2].authorization, "Bearer AT2");
	assert_int_equal(f->token_calls, 1);
	assert_string_equal(f->access, "AT2");
	assert_string_equal(f->refresh, "RT2");
	assert_string_equal(f->instance, f->s.base);

	assert_int_equal(describe(f, &e), 0);
	assert_string_equal(canned_form_value(f->s.reqs[4].body, "refresh_token", v, sizeof(v)),
			    "RT2");
	assert_string_equal(f->s.reqs[5].authorization, "Bearer AT3");
	assert_int_equal(f->token_calls, 2);
	assert_string_equal(f->access, "AT3");
	assert_string_equal(f->refresh, "RT2");
	/* Token calls are not API calls; the four data requests are. */
	assert_int_equal(sf_client_api_calls(f->c), 4);
	assert_int_equal(f->nsleeps, 0);
	stop(f);
}

static void test_second_expiry_in_a_row_is_not_refreshed_again(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED_ROTATED, 0 },
		{ "GET", DESCRIBE, 401, NULL, SESSION_EXPIRED, 0 },
	};
	struct fixture *f = start(script, 3, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_SESSION);
	assert_int_equal(f->s.nreqs, 3);
	stop(f);
}

static void test_refresh_invalid_grant_needs_reauth(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 400, NULL,
		  "{\"error\":\"invalid_grant\",\"error_description\":\"expired access/authentication token\"}", 0 },
	};
	struct fixture *f = start(script, 2, NULL);
	const struct sf_error *se;
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "authorize the integration again"));
	assert_null(strstr(e.msg, "RT1"));
	se = sf_client_last_error(f->c);
	assert_int_equal(se->kind, SF_ERROR_REAUTH);
	assert_string_equal(se->code, "invalid_grant");
	assert_false(se->retryable);
	/* No more calls: not now, not on the next request. */
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_REAUTH);
	assert_int_equal(f->s.nreqs, 2);
	assert_int_equal(f->token_calls, 0);
	assert_int_equal(f->nsleeps, 0);
	stop(f);
}

static void test_503_then_success_backs_off(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 503, NULL,
		  "[{\"message\":\"Server unavailable\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]", 0 },
		{ "GET", DESCRIBE, 200, "Sforce-Limit-Info: api-usage=18/15000", DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 2, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_int_equal(f->nsleeps, 1);
	/* 500 ms base with jitter in its upper half. */
	assert_in_range(f->sleeps[0], 250, 500);
	assert_int_equal(sf_client_api_calls(f->c), 2);
	assert_true(sf_client_limits(f->c)->known);
	assert_int_equal(sf_client_limits(f->c)->used, 18);
	assert_int_equal(sf_client_limits(f->c)->max, 15000);
	stop(f);
}

static void test_retry_after_honoured(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 503, "Retry-After: 7", "", 0 },
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 2, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_int_equal(f->nsleeps, 1);
	assert_int_equal(f->sleeps[0], 7000);
	stop(f);
}

static void test_retry_after_too_long_gives_up(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 503, "Retry-After: 3600", "", 0 },
	};
	struct fixture *f = start(script, 1, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(f->nsleeps, 0);
	assert_true(sf_client_last_error(f->c)->retryable);
	stop(f);
}

static void test_request_limit_exceeded_not_retried(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 403, "Sforce-Limit-Info: api-usage=15001/15000",
		  "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]", 0 },
	};
	struct fixture *f = start(script, 1, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_non_null(strstr(e.msg, "REQUEST_LIMIT_EXCEEDED"));
	assert_non_null(strstr(e.msg, "TotalRequests Limit exceeded."));
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_LIMIT);
	assert_int_equal(sf_client_last_error(f->c)->status, 403);
	assert_int_equal(f->s.nreqs, 1);
	assert_int_equal(f->nsleeps, 0);
	assert_int_equal(sf_client_limits(f->c)->used, 15001);
	stop(f);
}

static void three_attempts(struct sf_client_config *cfg)
{
	cfg->max_attempts = 3;
}

static void test_retries_are_bounded_and_grow(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 500, NULL, "", 0 },
		{ "GET", DESCRIBE, 502, NULL, "", 0 },
		{ "GET", DESCRIBE, 504, NULL, "", 0 },
	};
	struct fixture *f = start(script, 3, three_attempts);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(f->s.nreqs, 3);
	assert_int_equal(f->nsleeps, 2);
	assert_in_range(f->sleeps[0], 250, 500);
	assert_in_range(f->sleeps[1], 500, 1000);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_TRANSIENT);
	assert_int_equal(sf_client_last_error(f->c)->status, 504);
	assert_true(sf_client_last_error(f->c)->retryable);
	stop(f);
}

static void test_post_retried_only_when_nothing_was_done(void **state)
{
	static const struct canned_reply script[] = {
		{ "POST", "/services/data/v62.0/sobjects/Task", 400, NULL,
		  "[{\"message\":\"unable to obtain exclusive access to this record\","
		  "\"errorCode\":\"UNABLE_TO_LOCK_ROW\",\"fields\":[]}]", 0 },
		{ "POST", "/services/data/v62.0/sobjects/Task", 201, NULL,
		  "{\"id\":\"00T5e00000AbCdEEAV\",\"success\":true,\"errors\":[]}", 0 },
		/* A bare 500 may come after the record was created: not repeated. */
		{ "POST", "/services/data/v62.0/sobjects/Task", 500, NULL, "", 0 },
	};
	struct fixture *f = start(script, 3, NULL);
	char id[SF_ID_LEN + 1];
	json_t *fields = json_pack("{s:s}", "Subject", "Call");
	struct err e;

	(void)state;
	assert_int_equal(sf_sobject_create(f->c, "Task", fields, id, &e), 0);
	assert_string_equal(id, "00T5e00000AbCdEEAV");
	assert_int_equal(f->nsleeps, 1);
	assert_int_equal(sf_sobject_create(f->c, "Task", fields, id, &e), -1);
	assert_int_equal(f->s.nreqs, 3);
	assert_int_equal(f->nsleeps, 1);
	assert_true(sf_client_last_error(f->c)->retryable);
	json_decref(fields);
	stop(f);
}

static void short_timeout(struct sf_client_config *cfg)
{
	cfg->timeout_ms = 300;
}

static void test_timeout_retried(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 1500 },
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 2, short_timeout);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_int_equal(f->nsleeps, 1);
	assert_int_equal(f->s.nreqs, 2);
	stop(f);
}

static void test_connection_reset_retried_when_safe(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 0, NULL, NULL, 0 },
		/* Closed, so that the POST opens a fresh connection: libcurl itself
		 * resends once on a reused connection that dies before any answer. */
		{ "GET", DESCRIBE, 200, "Connection: close", DESCRIBE_OK, 0 },
		/* A POST cut off after it was sent may have been carried out. */
		{ "POST", "/services/data/v62.0/sobjects/Task", 0, NULL, NULL, 0 },
	};
	struct fixture *f = start(script, 3, NULL);
	json_t *fields = json_pack("{s:s}", "Subject", "Call");
	char id[SF_ID_LEN + 1];
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_int_equal(f->nsleeps, 1);
	assert_int_equal(sf_sobject_create(f->c, "Task", fields, id, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_NETWORK);
	assert_true(sf_client_last_error(f->c)->retryable);
	assert_int_equal(f->s.nreqs, 3);
	assert_int_equal(f->nsleeps, 1);
	json_decref(fields);
	stop(f);
}

static void small_cap(struct sf_client_config *cfg)
{
	cfg->body_cap = 16;
}

static void test_body_cap(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 1, small_cap);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), -1);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_PROTOCOL);
	assert_non_null(strstr(e.msg, "larger than 16 bytes"));
	assert_int_equal(f->nsleeps, 0);
	stop(f);
}

static void test_gzip_offered(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", DESCRIBE, 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 1, NULL);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_non_null(f->s.reqs[0].accept_encoding);
	assert_non_null(strstr(f->s.reqs[0].accept_encoding, "gzip"));
	stop(f);
}

static void older_api(struct sf_client_config *cfg)
{
	cfg->api_version = "v59.0";
}

static void test_api_version_configurable(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v59.0/sobjects/Account/describe", 200, NULL, DESCRIBE_OK, 0 },
	};
	struct fixture *f = start(script, 1, older_api);
	struct err e;

	(void)state;
	assert_int_equal(describe(f, &e), 0);
	assert_string_equal(sf_client_api_version(f->c), "v59.0");
	assert_int_equal(sf_client_query_url_len(f->c),
			 strlen(f->s.base) + strlen("/services/data/v59.0/queryAll?q="));
	stop(f);
}

static void test_plain_http_only_to_loopback(void **state)
{
	struct sf_client_config cfg = { 0 };
	struct sf_client *c;
	struct err e;

	(void)state;
	assert_int_equal(sf_client_url_allowed("https://acme.my.salesforce.com", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://127.0.0.1:8360", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://127.8.9.10/x", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://localhost:9000", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://[::1]:9000/", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://acme.my.salesforce.com", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "Plain http is refused for acme.my.salesforce.com"));
	assert_int_equal(sf_client_url_allowed("http://127.0.0.1.evil.example/", &e), -1);
	assert_int_equal(sf_client_url_allowed("http://10.0.0.1/", &e), -1);
	assert_int_equal(sf_client_url_allowed("http://[::2]/", &e), -1);
	assert_int_equal(sf_client_url_allowed("ftp://login.salesforce.com/", &e), -1);
	assert_int_equal(sf_client_url_allowed("not a url", &e), -1);
	/* An operator may let named hosts be reached over http (a test rig's simulator). */
	setenv("I360BRIDGE_ALLOW_HTTP", "sfsim, Acme.My.Salesforce.com", 1);
	assert_int_equal(sf_client_url_allowed("http://sfsim:8080/", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://acme.my.salesforce.com", &e), 0);
	assert_int_equal(sf_client_url_allowed("http://sfsim2:8080/", &e), -1);
	assert_int_equal(sf_client_url_allowed("http://sfsi/", &e), -1);
	assert_non_null(strstr(e.msg, "I360BRIDGE_ALLOW_HTTP"));
	unsetenv("I360BRIDGE_ALLOW_HTTP");
	assert_int_equal(sf_client_url_allowed("http://sfsim:8080/", &e), -1);

	cfg.login_url = "http://login.salesforce.com";
	assert_null(sf_client_new(&cfg, &e));
	assert_int_equal(e.code, ERR_INVALID);
	cfg.login_url = NULL;
	cfg.api_version = "62";
	assert_null(sf_client_new(&cfg, &e));
	cfg.api_version = NULL;
	c = sf_client_new(&cfg, &e);
	assert_non_null(c);
	assert_string_equal(sf_client_api_version(c), "v62.0");
	assert_int_equal(sf_client_set_tokens(c, "http://acme.my.salesforce.com", "AT", "RT", &e),
			 -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_null(strstr(e.msg, "AT"));
	assert_null(sf_client_instance_url(c));
	sf_client_free(c);
}

static void test_not_connected(void **state)
{
	struct sf_client_config cfg = { 0 };
	struct sf_client *c = sf_client_new(&cfg, NULL);
	json_t *d = NULL;
	struct err e;

	(void)state;
	assert_non_null(c);
	assert_int_equal(sf_sobject_describe(c, "Account", &d, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_int_equal(sf_sobject_describe(c, "Account/../x", &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	sf_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expired_session_refreshes_and_retries),
		cmocka_unit_test(test_second_expiry_in_a_row_is_not_refreshed_again),
		cmocka_unit_test(test_refresh_invalid_grant_needs_reauth),
		cmocka_unit_test(test_503_then_success_backs_off),
		cmocka_unit_test(test_retry_after_honoured),
		cmocka_unit_test(test_retry_after_too_long_gives_up),
		cmocka_unit_test(test_request_limit_exceeded_not_retried),
		cmocka_unit_test(test_retries_are_bounded_and_grow),
		cmocka_unit_test(test_post_retried_only_when_nothing_was_done),
		cmocka_unit_test(test_timeout_retried),
		cmocka_unit_test(test_connection_reset_retried_when_safe),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_gzip_offered),
		cmocka_unit_test(test_api_version_configurable),
		cmocka_unit_test(test_plain_http_only_to_loopback),
		cmocka_unit_test(test_not_connected),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

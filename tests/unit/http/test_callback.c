/* The OAuth callback: a real round trip through i360-sandbox, and every way a callback
 * can be bad (forged, replayed, expired, denied) answered with a readable page while
 * nothing is stored. */
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
	httptest_start(&T, NULL, 0);	/* auto-approving sandbox, org not connected */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	httptest_stop(&T);
	return 0;
}

/* GETs an absolute URL without following redirects; *location gets a copy of the
 * Location header (or ""). */
static struct ht_resp get_url(const char *url, char *location, size_t n)
{
	struct ht_resp r;
	CURL *c = curl_easy_init();
	char *loc = NULL;

	memset(&r, 0, sizeof(r));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ht_collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
	snprintf(location, n, "%s", loc ? loc : "");
	curl_easy_cleanup(c);
	return r;
}

static const char *status_now(void)
{
	static char out[64];
	struct ht_resp r = ht_get(&T, I360);

	snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(r.json, "status")));
	ht_resp_free(&r);
	return out;
}

/* A readable HTML page, not JSON, that says something about what happened. */
static void assert_page(const struct ht_resp *r, long status, const char *words)
{
	char ct[128];

	assert_int_equal(r->status, status);
	assert_non_null(ht_header(r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "text/html"));
	assert_non_null(strstr(r->body.data, "<h1>"));
	assert_non_null(strstr(r->body.data, words));
	assert_null(r->json);
}

static void test_forged_expired_denied(void **state)
{
	char url[1024], loc[1024], st[STORE_STATE_LEN];
	struct ht_resp r;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct err e;

	(void)state;
	snprintf(url, sizeof(url), "%s/auth/improveit360/callback?code=abc&state=forged-state",
		 T.base);
	r = get_url(url, loc, sizeof(loc));
	assert_page(&r, 400, "cannot be used");
	ht_resp_free(&r);

	assert_int_equal(store_oauth_state_new(T.h.s, T.h.org, 1, st, &e), 0);
	nanosleep(&ts, NULL);
	snprintf(url, sizeof(url), "%s/auth/improveit360/callback?code=abc&state=%s", T.base, st);
	r = get_url(url, loc, sizeof(loc));
	assert_page(&r, 400, "expired");
	ht_resp_free(&r);

	assert_int_equal(store_oauth_state_new(T.h.s, T.h.org, 60000, st, &e), 0);
	snprintf(url, sizeof(url), "%s/auth/improveit360/callback?error=access_denied&"
		 "error_description=end-user+denied+authorization&state=%s", T.base, st);
	r = get_url(url, loc, sizeof(loc));
	assert_page(&r, 403, "ImproveIt360 was not connected");
	ht_resp_free(&r);

	snprintf(url, sizeof(url), "%s/auth/improveit360/callback", T.base);
	r = get_url(url, loc, sizeof(loc));
	assert_page(&r, 400, "not complete");
	ht_resp_free(&r);
	/* Markup in the query comes back escaped, never as markup. */
	snprintf(url, sizeof(url), "%s/auth/improveit360/callback?error=%%3Cscript%%3E&state=x",
		 T.base);
	r = get_url(url, loc, sizeof(loc));
	assert_null(strstr(r.body.data, "<script>"));
	ht_resp_free(&r);

	assert_string_equal(status_now(), "disconnected");
}

static void test_round_trip_then_replay(void **state)
{
	char body[512], loc[1024], back[1024];
	const char *authorize;
	struct ht_resp r, a;

	(void)state;
	snprintf(body, sizeof(body), "{\"consumer_key\":\"sandbox-consumer-key\","
		 "\"consumer_secret\":\"sandbox-consumer-secret\",\"login_url\":\"%s\"}",
		 sandbox_url(T.h.sb));
	a = ht_send(&T, "POST", I360 "/authorize", body);
	assert_int_equal(a.status, 200);
	authorize = json_string_value(json_object_get(a.json, "authorize_url"));
	assert_non_null(strstr(authorize, "redirect_uri="));
	/* The auto-approving sandbox answers "Allow" itself: straight back to us. */
	r = get_url(authorize, loc, sizeof(loc));
	assert_int_equal(r.status, 302);
	ht_resp_free(&r);
	assert_int_equal(strncmp(loc, T.base, strlen(T.base)), 0);
	assert_non_null(strstr(loc, "/auth/improveit360/callback?"));
	r = get_url(loc, back, sizeof(back));
	assert_int_equal(r.status, 302);
	assert_non_null(strstr(back, "/#/admin/integrations"));
	ht_resp_free(&r);
	assert_string_equal(status_now(), "connected");

	/* The same callback again: the state was single-use. */
	r = get_url(loc, back, sizeof(back));
	assert_page(&r, 400, "already used");
	ht_resp_free(&r);
	assert_string_equal(status_now(), "connected");
	ht_resp_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_expired_denied),
		cmocka_unit_test(test_round_trip_then_replay),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}

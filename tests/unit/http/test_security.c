/* The admin UI's protections: security headers, the session cookie's flags, CSRF and
 * Origin checks on state-changing requests, and embedded assets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "httptest.h"

static struct httptest T;

static int setup(void **state)
{
	(void)state;
	httptest_start(&T, NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	httptest_stop(&T);
	return 0;
}

static void assert_secure(const struct ht_resp *r)
{
	char v[512];

	assert_non_null(ht_header(r, "Content-Security-Policy", v, sizeof(v)));
	assert_non_null(strstr(v, "default-src 'self'"));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_null(strstr(v, "unsafe-inline"));
	assert_non_null(ht_header(r, "X-Content-Type-Options", v, sizeof(v)));
	assert_string_equal(v, "nosniff");
}

static void test_headers_and_assets(void **state)
{
	const char *paths[] = { "/", "/ui/app.js", "/ui/app.css", "/api/jobs", "/healthz",
				"/nowhere", "/auth/improveit360/callback" };
	struct ht_resp r;
	char v[256];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = ht_req(&T, "GET", paths[i], NULL, NULL, NULL, 0);
		assert_secure(&r);
		ht_resp_free(&r);
	}
	r = ht_req(&T, "GET", "/", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "<script src=\"/ui/app.js\""));
	assert_null(strstr(r.body.data, "<script>"));	/* no inline script */
	assert_null(strstr(r.body.data, "http://"));	/* nothing from the network */
	assert_null(strstr(r.body.data, "https://cdn"));
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/ui/app.js", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(ht_header(&r, "Content-Type", v, sizeof(v)));
	assert_non_null(strstr(v, "javascript"));
	ht_resp_free(&r);
	r = ht_req(&T, "GET", "/ui/../../etc/passwd", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	ht_resp_free(&r);
}

/* Signs in over the UI's endpoint; writes the cookie pair ("i360_session=...") and the
 * CSRF token. */
static void sign_in(char *cookie, size_t n, char *csrf, size_t m)
{
	char body[128], origin[400], v[512];
	const char *hdr[] = { origin, NULL };
	struct ht_resp r;

	snprintf(origin, sizeof(origin), "Origin: %s", T.base);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", T.h.token);
	r = ht_req(&T, "POST", "/ui/session", NULL, hdr, body, -1);
	assert_int_equal(r.status, 200);
	assert_non_null(ht_header(&r, "Set-Cookie", v, sizeof(v)));
	assert_non_null(strstr(v, "HttpOnly"));
	assert_non_null(strstr(v, "SameSite=Strict"));
	assert_non_null(strstr(v, "Path=/"));
	assert_null(strstr(v, T.h.token));	/* the token never goes into the cookie */
	snprintf(cookie, n, "Cookie: %.*s", (int)strcspn(v, ";"), v);
	snprintf(csrf, m, "X-CSRF-Token: %s",
		 json_string_value(json_object_get(r.json, "csrf")));
	ht_resp_free(&r);
}

static void test_session_and_csrf(void **state)
{
	char cookie[256], csrf[256], origin[400];
	const char *bad_origin[] = { "Origin: https://evil.example", "Content-Type: application/json",
				     NULL };
	struct ht_resp r;
	const char *body = "{\"documents\":\"none\"}";

	(void)state;
	r = ht_req(&T, "POST", "/ui/session", NULL, NULL, "{\"token\":\"wrong\"}", -1);
	assert_int_equal(r.status, 401);
	ht_resp_free(&r);
	r = ht_req(&T, "POST", "/ui/session", NULL, bad_origin, "{\"token\":\"x\"}", -1);
	assert_int_equal(r.status, 403);
	ht_resp_free(&r);

	sign_in(cookie, sizeof(cookie), csrf, sizeof(csrf));
	{
		const char *c_only[] = { cookie, NULL };
		const char *c_csrf[] = { cookie, csrf, NULL };
		const char *c_csrf_evil[] = { cookie, csrf, "Origin: https://evil.example", NULL };
		const char *c_bad_csrf[] = { cookie, "X-CSRF-Token: 00", NULL };

		/* Reading with the cookie alone is fine. */
		r = ht_req(&T, "GET", "/api/integrations/improveit360", NULL, c_only, NULL, 0);
		assert_int_equal(r.status, 200);
		ht_resp_free(&r);
		r = ht_req(&T, "GET", "/ui/session", NULL, c_only, NULL, 0);
		assert_int_equal(r.status, 200);
		ht_resp_free(&r);
		/* Changing anything needs the CSRF token, from this origin. */
		r = ht_req(&T, "PUT", "/api/integrations/improveit360/settings", NULL, c_only, body, -1);
		assert_int_equal(r.status, 403);
		ht_resp_free(&r);
		r = ht_req(&T, "PUT", "/api/integrations/improveit360/settings", NULL, c_bad_csrf, body, -1);
		assert_int_equal(r.status, 403);
		ht_resp_free(&r);
		r = ht_req(&T, "PUT", "/api/integrations/improveit360/settings", NULL, c_csrf_evil, body, -1);
		assert_int_equal(r.status, 403);
		ht_resp_free(&r);
		r = ht_req(&T, "GET", "/api/integrations/improveit360", NULL, c_only, NULL, 0);
		assert_string_equal(json_string_value(json_object_get(r.json, "documents")), "all");
		ht_resp_free(&r);
		snprintf(origin, sizeof(origin), "Origin: %s", T.base);
		{
			const char *good[] = { cookie, csrf, origin, NULL };
			r = ht_req(&T, "PUT", "/api/integrations/improveit360/settings", NULL, good, body, -1);
			assert_int_equal(r.status, 200);
			assert_string_equal(json_string_value(json_object_get(r.json, "documents")), "none");
			ht_resp_free(&r);
		}
		/* Signing out ends the session. */
		r = ht_req(&T, "DELETE", "/ui/session", NULL, c_csrf, NULL, 0);
		assert_int_equal(r.status, 200);
		ht_resp_free(&r);
		r = ht_req(&T, "GET", "/api/integrations/improveit360", NULL, c_only, NULL, 0);
		assert_int_equal(r.status, 401);
		ht_resp_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_assets),
		cmocka_unit_test(test_session_and_csrf),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Tenant isolation, every route of the table: without a token every org route is a
 * 401; with another org's token every route naming one of this org's records is a
 * 404, the list routes show none of this org's records, and nothing done under the
 * other token changes this org. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "httptest.h"
#include "http/route.h"

#define I360 "/api/integrations/improveit360"

static struct httptest T;
static char other[SEAL_TOKEN_LEN];	/* an API token of another org */
static char job_id[32], run_id[32], crm_id[32], secret_email[128], appt_id[32];

static int setup(void **state)
{
	struct store_job *jobs;
	struct store_staff *st;
	struct store_user *u;
	size_t n;
	int64_t org, run;
	struct err e;

	(void)state;
	httptest_start(&T, NULL, 1);
	run = ht_sync(&T);
	snprintf(run_id, sizeof(run_id), "%lld", (long long)run);
	if (store_job_list(T.h.s, T.h.org, 0, 1, &jobs, &n, &e) < 0 || n != 1)
		return -1;
	snprintf(job_id, sizeof(job_id), "%lld", (long long)jobs[0].id);
	snprintf(appt_id, sizeof(appt_id), "%s", jobs[0].job.appointment_id);
	store_jobs_free(jobs, n);
	if (store_staff_list(T.h.s, T.h.org, NULL, &st, &n, &e) < 0 || n == 0)
		return -1;
	snprintf(crm_id, sizeof(crm_id), "%s", st[0].crm_id);
	store_staff_free(st, n);
	if (store_user_list(T.h.s, T.h.org, &u, &n, &e) < 0 || n == 0)
		return -1;
	snprintf(secret_email, sizeof(secret_email), "%s", u[0].email);
	store_users_free(u, n);
	return store_org_create(T.h.s, "Other Co", &org, other, &e);
}

static int teardown(void **state)
{
	(void)state;
	httptest_stop(&T);
	return 0;
}

/* The route's pattern with its parameters filled by this org's records. */
static void fill(const char *pattern, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < n;) {
		if (*p == ':') {
			const char *name = p + 1;
			size_t len = strcspn(name, "/");
			const char *v = strncmp(name, "crm_id", len) == 0 ? crm_id
					: strstr(pattern, "sync-runs") ? run_id : job_id;
			o += (size_t)snprintf(out + o, n - o, "%s", v);
			p = name + len;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static const char *body_for(const struct route *rt)
{
	if (rt->body == ROUTE_BODY_JSON)
		return strstr(rt->pattern, "users/:") ? "{\"occ_user_id\":null,\"active\":false}"
		       : strstr(rt->pattern, "stage") ? "{\"appointment_result\":\"Confirmed\"}"
		       : strstr(rt->pattern, "/api/users") ? "{\"email\":\"x@other.example\","
							       "\"name\":\"X\"}"
		       : "{}";
	return NULL;
}

static const char *multipart_headers[] = {
	"Content-Type: multipart/form-data; boundary=tenancyboundary", NULL,
};
#define MULTIPART                                                                         \
	"--tenancyboundary\r\nContent-Disposition: form-data; name=\"file\"; "              \
	"filename=\"quote.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n" \
	"--tenancyboundary--\r\n"

static void test_no_token_is_401(void **state)
{
	char path[256];
	int checked = 0;

	(void)state;
	for (const struct route *rt = route_table; rt->method; rt++) {
		struct ht_resp r;

		if (rt->auth != ROUTE_ORG)
			continue;
		fill(rt->pattern, path, sizeof(path));
		r = ht_req(&T, rt->method, path, NULL, NULL, body_for(rt), -1);
		if (r.status != 401)
			fail_msg("%s %s without a token answered %ld", rt->method, path, r.status);
		ht_resp_free(&r);
		r = ht_req(&T, rt->method, path, "i3b_forged-token", NULL, body_for(rt), -1);
		if (r.status != 401)
			fail_msg("%s %s with a forged token answered %ld", rt->method, path, r.status);
		ht_resp_free(&r);
		checked++;
	}
	assert_true(checked >= 15);
}

static void test_other_org_sees_nothing(void **state)
{
	struct store_integration in;
	char path[256];
	int with_id = 0;
	struct err e;

	(void)state;
	for (const struct route *rt = route_table; rt->method; rt++) {
		struct ht_resp r;

		if (rt->auth != ROUTE_ORG || strchr(rt->pattern, ':') == NULL)
			continue;
		fill(rt->pattern, path, sizeof(path));
		if (rt->body == ROUTE_BODY_UPLOAD)
			r = ht_req(&T, rt->method, path, other, multipart_headers, MULTIPART, -1);
		else
			r = ht_req(&T, rt->method, path, other, NULL, body_for(rt), -1);
		if (r.status != 404)
			fail_msg("%s %s with another org's token answered %ld", rt->method, path,
				 r.status);
		ht_resp_free(&r);
		with_id++;
	}
	assert_true(with_id >= 5);
	/* Lists and reads under the other token show none of this org's records. */
	for (const struct route *rt = route_table; rt->method; rt++) {
		struct ht_resp r;

		if (rt->auth != ROUTE_ORG || strcmp(rt->method, "GET") != 0 ||
		    strchr(rt->pattern, ':'))
			continue;
		r = ht_req(&T, "GET", rt->pattern, other, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		if (r.body.data && (strstr(r.body.data, appt_id) || strstr(r.body.data, crm_id) ||
				    strstr(r.body.data, secret_email)))
			fail_msg("GET %s under another org shows this org's records", rt->pattern);
		ht_resp_free(&r);
	}
	/* Changes under the other token leave this org as it was. */
	{
		struct ht_resp r = ht_req(&T, "DELETE", I360, other, NULL, NULL, 0);
		ht_resp_free(&r);
		r = ht_req(&T, "PUT", I360 "/settings", other, NULL,
			   "{\"platform\":\"classic\",\"documents\":\"none\"}", -1);
		ht_resp_free(&r);
	}
	assert_int_equal(store_integration_get(T.h.s, T.h.org, 0, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_CONNECTED);
	assert_string_equal(in.platform, "lightning");
	assert_string_equal(in.documents, "all");
	store_integration_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_token_is_401),
		cmocka_unit_test(test_other_org_sees_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Secrets stay secret: the consumer secret, the OAuth tokens and the org's API token
 * appear in no log line (at debug level), no HTTP answer, and not in plaintext in the
 * database; plain-http login URLs are refused except for loopback. */
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
#include "testutil.h"
#include "util/buf.h"

#define SECRET "sandbox-consumer-secret"

/* Every answer body the test received, to be searched afterwards. */
static struct buf answers;

static size_t keep(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, p, size * n);
	buf_append(&answers, p, size * n);
	return size * n;
}

static long call(const char *method, const char *url, const char *token, const char *body,
		 int follow, json_t **out)
{
	struct curl_slist *hd = NULL;
	char auth[128];
	struct buf b;
	long status = 0;
	CURL *c = curl_easy_init();

	buf_init(&b, 0);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, (long)follow);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hd = curl_slist_append(hd, auth);
	}
	if (body) {
		hd = curl_slist_append(hd, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (out)
		*out = b.data ? json_loads(b.data, 0, NULL) : NULL;
	curl_slist_free_all(hd);
	curl_easy_cleanup(c);
	buf_free(&b);
	return status;
}

static void assert_absent(const char *what, const char *hay, size_t n, const char *secret)
{
	size_t k = strlen(secret);

	for (size_t i = 0; k && i + k <= n; i++)
		if (memcmp(hay + i, secret, k) == 0)
			fail_msg("%s contains a secret (%.8s...)", what, secret);
}

static void test_no_secret_anywhere(void **state)
{
	char url[160], logpath[600], api[256], body[512], wal[600];
	const char *args[] = { "serve", "--listen", "127.0.0.1:0", "--no-scheduler", "--db", NULL,
			       NULL };
	struct store_integration in;
	struct harness h;
	char line[256], *log = NULL;
	json_t *j;
	pid_t pid;
	struct err e;

	(void)state;
	buf_init(&answers, 0);
	harness_start(&h, NULL, 0);
	args[5] = h.db;
	snprintf(logpath, sizeof(logpath), "%s.log", h.db);
	setenv("I360BRIDGE_LOG", "debug", 1);
	pid = harness_spawn(args, line, sizeof(line), logpath);
	unsetenv("I360BRIDGE_LOG");
	assert_int_equal(sscanf(line, "listening on %159s", url), 1);

	/* A login URL over plain http to another host is refused. */
	snprintf(api, sizeof(api), "%s/api/integrations/improveit360/authorize", url);
	assert_int_equal(call("POST", api, h.token, "{\"consumer_key\":\"k\",\"consumer_secret\":"
			      "\"" SECRET "\",\"login_url\":\"http://login.example.com\"}", 0, NULL),
			 400);
	/* The whole flow through the service: authorize, Allow, callback, sync. */
	snprintf(body, sizeof(body), "{\"consumer_key\":\"sandbox-consumer-key\",\"consumer_secret\":"
		 "\"" SECRET "\",\"login_url\":\"%s\"}", sandbox_url(h.sb));
	assert_int_equal(call("POST", api, h.token, body, 0, &j), 200);
	assert_int_equal(call("GET", json_string_value(json_object_get(j, "authorize_url")), NULL,
			      NULL, 1, NULL), 200);
	json_decref(j);
	snprintf(api, sizeof(api), "%s/api/integrations/improveit360/sync", url);
	assert_int_equal(call("POST", api, h.token, "{}", 0, NULL), 202);
	sleep(2);
	/* Failures of every kind, whose answers are searched too. */
	snprintf(api, sizeof(api), "%s/api/jobs", url);
	assert_int_equal(call("GET", api, "i3b_wrong", NULL, 0, NULL), 401);
	snprintf(api, sizeof(api), "%s/api/integrations/improveit360/settings", url);
	assert_int_equal(call("PUT", api, h.token, "{\"platform\": 7}", 0, NULL), 400);
	snprintf(api, sizeof(api), "%s/auth/improveit360/callback?code=x&state=forged", url);
	call("GET", api, NULL, NULL, 0, NULL);
	snprintf(api, sizeof(api), "%s/api/integrations/improveit360", url);
	assert_int_equal(call("GET", api, h.token, NULL, 0, NULL), 200);
	snprintf(api, sizeof(api), "%s/metrics", url);
	assert_int_equal(call("GET", api, NULL, NULL, 0, NULL), 200);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	assert_int_equal(store_integration_get(h.s, h.org, 1, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_CONNECTED);
	assert_non_null(in.access_token);
	assert_non_null(in.refresh_token);
	{
		const char *secrets[] = { SECRET, in.access_token, in.refresh_token, h.token };
		FILE *f = fopen(logpath, "r");
		size_t n = 0;
		struct buf lb;
		char chunk[4096];

		buf_init(&lb, 0);
		while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&lb, chunk, n);
		if (f)
			fclose(f);
		assert_true(lb.len > 1000);	/* debug logging did run */
		log = buf_detach(&lb, &n);
		snprintf(wal, sizeof(wal), "%s-wal", h.db);
		for (size_t i = 0; i < 4; i++) {
			assert_absent("the service's log", log, n, secrets[i]);
			assert_absent("an HTTP answer", answers.data, answers.len, secrets[i]);
			assert_int_equal(testutil_file_contains(h.db, secrets[i], strlen(secrets[i])), 0);
			assert_int_not_equal(testutil_file_contains(wal, secrets[i],
								    strlen(secrets[i])), 1);
		}
	}
	free(log);
	store_integration_free(&in);
	buf_free(&answers);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_secret_anywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

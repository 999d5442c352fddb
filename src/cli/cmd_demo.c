/* cmd_demo: `i360bridge demo` — the whole product against an embedded sandbox org. */
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/serve.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/log.h"

static volatile sig_atomic_t demo_stop;

static void on_signal(int sig)
{
	(void)sig;
	demo_stop = 1;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/*
 * One request to the running service, as an integrator's client would make it.
 * Follows redirects when follow is set (the browser's part of OAuth). Returns the
 * HTTP status (0 when there was no answer) and the body in *out (caller frees).
 */
static long call(const char *method, const char *url, const char *token, const char *body,
		 int follow, json_t **out)
{
	struct curl_slist *h = NULL;
	char auth[128];
	struct buf b;
	long status = 0;
	CURL *c = curl_easy_init();

	buf_init(&b, 8 << 20);
	if (out)
		*out = NULL;
	if (c == NULL)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, (long)follow);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (out && b.data)
		*out = json_loads(b.data, 0, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_free(&b);
	return status;
}

/* The demo's OCC users: every second sandbox staff email, in other letter case, so
 * that linking by email has to ignore case; and two users no staff member matches. */
static int demo_users(struct store *s, int64_t org, struct sandbox *sb, struct err *e)
{
	size_t n;
	char **emails = sandbox_staff_emails(sb, &n);
	int64_t id;
	int rc = 0;

	if (emails == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n && rc == 0; i += 2) {
		char up[256], name[96];
		size_t k;

		for (k = 0; emails[i][k] && k < sizeof(up) - 1; k++)
			up[k] = (char)(k == 0 ? toupper((unsigned char)emails[i][k]) : emails[i][k]);
		up[k] = '\0';
		snprintf(name, sizeof(name), "Rep %zu", i / 2 + 1);
		rc = store_user_add(s, org, up, name, &id, e);
	}
	if (rc == 0)
		rc = store_user_add(s, org, "office@demo-contractor.example", "Office Manager", &id, e);
	if (rc == 0)
		rc = store_user_add(s, org, "owner@demo-contractor.example", "Owner", &id, e);
	sandbox_emails_free(emails);
	return rc;
}

/* The string at key of j, or "" when absent. */
static const char *jstr(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "";
}

static int fail_json(const char *what, long status, json_t *j)
{
	const char *msg = json_string_value(json_object_get(j, "error"));

	cli_fail("%s failed (HTTP %ld): %s", what, status, msg ? msg : "no explanation");
	json_decref(j);
	return CLI_FAIL;
}

/* Steps 3-11 of the source document's OCC setup, through the service's own API. */
static int demo_connect_and_sync(const char *base, const char *token, struct sandbox *sb)
{
	char url[512], body[1024];
	json_t *j = NULL, *run = NULL;
	const char *auth_url;
	long st;
	int64_t run_id;

	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/authorize", base);
	snprintf(body, sizeof(body), "{\"consumer_key\":\"sandbox-consumer-key\","
		 "\"consumer_secret\":\"sandbox-consumer-secret\",\"login_url\":\"%s\"}",
		 sandbox_url(sb));
	st = call("POST", url, token, body, 0, &j);
	auth_url = json_string_value(json_object_get(j, "authorize_url"));
	if (st != 200 || auth_url == NULL)
		return fail_json("authorizing", st, j);
	printf("  Authorize: %s\n", auth_url);
	/* The browser's part: Salesforce's Allow page (answered by the sandbox), then
	 * back to our callback, which stores the tokens and redirects to the UI. */
	st = call("GET", auth_url, NULL, NULL, 1, NULL);
	json_decref(j);
	if (st != 200)
		return cli_fail("the OAuth round trip ended with HTTP %ld", st);
	snprintf(url, sizeof(url), "%s/api/integrations/improveit360", base);
	st = call("GET", url, token, NULL, 0, &j);
	if (st != 200 || strcmp(jstr(j, "status"), "connected") != 0)
		return fail_json("connecting", st, j);
	printf("  Connected to the I360 org at %s.\n", jstr(j, "instance_url"));
	json_decref(j);

	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/settings", base);
	st = call("PUT", url, token, "{\"platform\":\"lightning\",\"documents\":\"all\"}", 0, &j);
	if (st != 200 && st != 204)
		return fail_json("saving the settings", st, j);
	json_decref(j);
	printf("  Platform set to Lightning.\n");

	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/sync", base);
	st = call("POST", url, token, "{}", 0, &j);
	if (st != 202)
		return fail_json("starting the sync", st, j);
	run_id = json_integer_value(json_object_get(j, "run_id"));
	json_decref(j);
	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/sync-runs/%lld", base,
		 (long long)run_id);
	for (int i = 0; i < 600 && !demo_stop; i++) {
		st = call("GET", url, token, NULL, 0, &run);
		if (st == 200 && strcmp(jstr(run, "status"), "running") != 0)
			break;
		json_decref(run);
		run = NULL;
		usleep(100 * 1000);
	}
	if (run == NULL)
		return cli_fail("the sync did not finish");
	{
		json_t *c = json_object_get(run, "counts");
		printf("  Sync %s: %lld I360 users (%lld linked to OCC users by email), "
		       "%lld jobs created, %lld appointments skipped (rep not linked), "
		       "%lld record errors, %lld API calls.\n",
		       json_string_value(json_object_get(run, "status")),
		       (long long)json_integer_value(json_object_get(c, "users")),
		       (long long)json_integer_value(json_object_get(c, "users_linked")),
		       (long long)json_integer_value(json_object_get(c, "jobs_created")),
		       (long long)json_integer_value(json_object_get(c, "appointments_skipped")),
		       (long long)json_integer_value(json_object_get(c, "record_errors")),
		       (long long)json_integer_value(json_object_get(run, "api_calls")));
	}
	if (strcmp(jstr(run, "status"), "succeeded") != 0) {
		cli_fail("the sync failed: %s", jstr(run, "error"));
		json_decref(run);
		return CLI_FAIL;
	}
	json_decref(run);
	snprintf(url, sizeof(url), "%s/api/integrations/improveit360/result-reasons", base);
	if (call("GET", url, token, NULL, 0, &j) == 200)
		printf("  Result reasons pulled: %zu appointment results, %zu opportunity "
		       "results.\n", json_array_size(json_object_get(j, "appointment")),
		       json_array_size(json_object_get(j, "opportunity")));
	json_decref(j);
	return CLI_OK;
}

int cli_demo(int argc, char **argv)
{
	const char *listen = NULL, *db = NULL, *exit_flag = NULL;
	const struct cli_opt opts[] = {
		{ "listen", 1, &listen }, { "exit", 0, &exit_flag }, { NULL, 0, NULL },
	};
	char dir[] = "/tmp/i360bridge-demo.XXXXXX", dbpath[600], token[SEAL_TOKEN_LEN];
	char host[128] = "127.0.0.1";
	struct sandbox_config sc;
	struct serve_config vc;
	struct sandbox *sb = NULL;
	struct serve *sv = NULL;
	struct store *s = NULL;
	struct sigaction sa;
	struct err e;
	int64_t org;
	int port = 8360, first, rc;

	rc = cli_parse("demo", argc, argv, opts, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (first != argc)
		return cli_usage("demo", "unexpected argument '%s'", argv[first]);
	if (listen && (sscanf(listen, "%127[^:]:%d", host, &port) != 2 || port < 0 || port > 65535))
		return cli_usage("demo", "--listen takes HOST:PORT, not '%s'", listen);
	if (db == NULL) {
		if (mkdtemp(dir) == NULL)
			return cli_fail("cannot make a directory for the demo's store");
		snprintf(dbpath, sizeof(dbpath), "%s/demo.db", dir);
		db = dbpath;
	}
	/* The demo tells its own story on stdout; the service's routine log lines would
	 * only bury it (I360BRIDGE_LOG still wins). */
	if (getenv("I360BRIDGE_LOG") == NULL)
		log_set_level(LOG_WARN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err_clear(&e);
	rc = CLI_FAIL;

	printf("i360bridge demo\n\n1. An ImproveIt360 Lightning org (i360-sandbox, seeded data)\n");
	sandbox_config_defaults(&sc);
	sc.auto_approve = 1;	/* the Allow click, made for you */
	sb = sandbox_start(&sc, &e);
	if (sb == NULL)
		goto out;
	printf("  Running at %s with 25 staff and 500 appointments.\n", sandbox_url(sb));

	printf("\n2. The OCC side: store, service, org and users\n");
	s = store_open(db, &e);
	if (s == NULL)
		goto out;
	memset(&vc, 0, sizeof(vc));
	vc.db_url = db;
	vc.listen_host = host;
	vc.port = port;
	sv = serve_start(&vc, &e);
	if (sv == NULL && port != 0) {
		vc.port = 0;	/* the usual port is taken: any free one will do */
		sv = serve_start(&vc, &e);
	}
	if (sv == NULL)
		goto out;
	printf("  Store: %s\n  Service: %s\n", db, serve_url(sv));
	if (store_org_create(s, "Demo Windows & Doors", &org, token, &e) < 0 ||
	    demo_users(s, org, sb, &e) < 0)
		goto out;
	printf("  Org %lld with OCC users for half of the I360 staff (emails in other case).\n",
	       (long long)org);

	printf("\n3. Setting up ImproveIt360 as an admin would (steps 3-11)\n");
	if (demo_connect_and_sync(serve_url(sv), token, sb) != CLI_OK)
		goto out_quiet;

	printf("\n4. Have a look\n");
	printf("  Admin UI:        %s/\n", serve_url(sv));
	printf("  Admin API token: %s\n", token);
	printf("  Try:             curl -H 'Authorization: Bearer %s' %s/api/jobs?limit=2\n",
	       token, serve_url(sv));
	if (!exit_flag)
		printf("\nServing until Ctrl-C.\n");
	fflush(stdout);
	while (!demo_stop && !exit_flag)
		usleep(200 * 1000);
	rc = CLI_OK;
	goto out_quiet;
out:
	cli_fail_err(&e);
out_quiet:
	serve_stop(sv);
	store_close(s);
	sandbox_stop(sb);
	return rc;
}

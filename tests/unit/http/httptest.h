/* httptest: an i360bridge service on a random port, and libcurl requests to it. */
#ifndef I360_TESTS_HTTP_HTTPTEST_H
#define I360_TESTS_HTTP_HTTPTEST_H

/*
 * Header-only on purpose (as tests/unit/salesforce/canned_server.h): every
 * tests/unit/http/test_*.c is its own executable; the helpers are static and marked
 * unused so a test may use only some of them.
 *
 * httptest_start runs the harness (an in-process i360-sandbox, a fresh SQLite store, an
 * org connected over real OAuth, OCC users for half the staff) and serve_start on the
 * same store, with no scheduled syncs; requests go over real sockets with libcurl.
 */

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness.h"
#include "http/serve.h"
#include "util/buf.h"

#define HT_UNUSED __attribute__((unused))

struct httptest {
	struct harness h;
	struct serve *srv;
	char base[300];
};

struct ht_resp {
	long status;
	struct buf body;
	struct buf headers;
	json_t *json;		/* the body parsed, when it is JSON */
};

static struct sf_client_config ht_fast_client = {
	.max_attempts = 4, .backoff_base_ms = 5, .backoff_max_ms = 20,
};

static HT_UNUSED void httptest_start(struct httptest *t, const struct sandbox_config *cfg,
				     int connect)
{
	struct serve_config c;
	struct err e;

	memset(t, 0, sizeof(*t));
	harness_start(&t->h, cfg, connect);
	memset(&c, 0, sizeof(c));
	c.db_url = t->h.db;
	c.no_scheduler = 1;
	c.workers = 2;
	c.client = &ht_fast_client;
	t->srv = serve_start(&c, &e);
	if (t->srv == NULL) {
		fprintf(stderr, "httptest: serve_start: %s\n", e.msg);
		abort();
	}
	snprintf(t->base, sizeof(t->base), "%s", serve_url(t->srv));
}

static HT_UNUSED void httptest_stop(struct httptest *t)
{
	serve_stop(t->srv);
	harness_stop(&t->h);
}

static size_t ht_collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

static HT_UNUSED void ht_resp_free(struct ht_resp *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/*
 * One request: method to base+path with the bearer token (NULL: none), extra headers
 * ("Name: value" lines, NULL-terminated array or NULL) and a body (NULL: none;
 * body_len -1: strlen). Aborts when the connection itself fails.
 */
static HT_UNUSED struct ht_resp ht_req(const struct httptest *t, const char *method,
				       const char *path, const char *token, const char **headers,
				       const char *body, long body_len)
{
	struct ht_resp r;
	struct curl_slist *hl = NULL;
	char url[1024], auth[300];
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "%s%s", t->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ht_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ht_collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, auth);
	}
	for (const char **h = headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	if (body) {
		if (strcmp(method, "GET") != 0)
			hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(body_len < 0 ? (long)strlen(body) : body_len));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		fprintf(stderr, "httptest: %s %s: %s\n", method, path, curl_easy_strerror(rc));
		abort();
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (r.body.len)
		r.json = json_loadb(r.body.data, r.body.len, 0, NULL);
	return r;
}

/* Shorthands with the harness org's token. */
static HT_UNUSED struct ht_resp ht_get(const struct httptest *t, const char *path)
{
	return ht_req(t, "GET", path, t->h.token, NULL, NULL, 0);
}

static HT_UNUSED struct ht_resp ht_send(const struct httptest *t, const char *method,
					const char *path, const char *json)
{
	return ht_req(t, method, path, t->h.token, NULL, json, -1);
}

/* The value of response header name (a copy into out, n bytes), or NULL. */
static HT_UNUSED const char *ht_header(const struct ht_resp *r, const char *name, char *out,
				       size_t n)
{
	const char *p = r->headers.data;
	size_t len = strlen(name);

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t line = eol ? (size_t)(eol - p) : strlen(p);

		if (line > len && strncasecmp(p, name, len) == 0 && p[len] == ':') {
			const char *v = p + len + 1;
			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", (int)(line - (size_t)(v - p)), v);
			return out;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

/* The error sentence of a JSON error answer ("" when there is none). */
static HT_UNUSED const char *ht_error(const struct ht_resp *r)
{
	const char *s = json_string_value(json_object_get(r->json, "error"));

	return s ? s : "";
}

/* Starts a manual sync over the API and waits for it to end; returns the run id. */
static HT_UNUSED int64_t ht_sync(const struct httptest *t)
{
	struct ht_resp r = ht_send(t, "POST", "/api/integrations/improveit360/sync", NULL);
	char path[128];
	int64_t id;

	if (r.status != 202) {
		fprintf(stderr, "httptest: sync answered %ld: %s\n", r.status, r.body.data);
		abort();
	}
	id = json_integer_value(json_object_get(r.json, "run_id"));
	ht_resp_free(&r);
	snprintf(path, sizeof(path), "/api/integrations/improveit360/sync-runs/%lld",
		 (long long)id);
	for (int i = 0; i < 600; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		const char *status;

		r = ht_get(t, path);
		status = json_string_value(json_object_get(r.json, "status"));
		if (status && strcmp(status, "running") != 0) {
			ht_resp_free(&r);
			return id;
		}
		ht_resp_free(&r);
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "httptest: the sync did not end\n");
	abort();
}

#endif

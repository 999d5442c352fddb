/* sbcall: one HTTP request to a running sandbox, for the sandbox's socket tests.
 * Include after cmocka.h (it asserts). */
#ifndef I360_TESTS_SBCALL_H
#define I360_TESTS_SBCALL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sandbox/sandbox.h"
#include "util/buf.h"

/* An answer: status (0 without one), libcurl's result, body, raw header lines, and the
 * body parsed as JSON (NULL when it is not). */
struct resp {
	long status;
	CURLcode rc;
	struct buf body;
	struct buf headers;
	json_t *json;
};

static inline size_t sbcall_collect(char *p, size_t size, size_t n, void *ud)
{
	buf_append(ud, p, size * n);
	return size * n;
}

/* Starts an embedded sandbox with c for a test file's setup (libcurl initialised
 * first); fails the test when it cannot. sbcall_stop undoes both. */
static inline struct sandbox *sbcall_start(const struct sandbox_config *c)
{
	struct sandbox *sb;
	struct err e;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	sb = sandbox_start(c, &e);
	if (sb == NULL)
		fail_msg("sandbox_start: %s", e.msg);
	return sb;
}

static inline void sbcall_stop(struct sandbox *sb)
{
	sandbox_stop(sb);
	curl_global_cleanup();
}

static inline void resp_free(struct resp *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
	json_decref(r->json);
}

/*
 * Sends method to base + path (path alone when it starts with "http"), with the
 * NULL-terminated extra header lines (may be NULL), body_len bytes of body (none when
 * body is NULL) and a bearer token (none when NULL).
 */
static inline struct resp sbcall(const char *base, const char *method, const char *path,
				 const char *const *headers, const char *body, size_t body_len,
				 const char *bearer)
{
	struct resp r;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[4096], line[400];

	memset(&r, 0, sizeof(r));
	buf_init(&r.body, 0);
	buf_init(&r.headers, 0);
	snprintf(url, sizeof(url), "%s%s", strncmp(path, "http", 4) ? base : "", path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sbcall_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sbcall_collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	if (bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, line);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	r.rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	if (r.body.len)
		r.json = json_loadb(r.body.data, r.body.len, 0, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

/* The authorization code a redirect's Location carries, percent-decoded (curl_free it),
 * or NULL. */
static inline char *sbcall_code_from(const struct resp *r)
{
	const char *loc = strstr(r->headers.data ? r->headers.data : "", "Location: ");
	const char *p = loc ? strstr(loc, "code=") : NULL;
	size_t n;
	int out_len;
	char *raw, *code;

	if (p == NULL)
		return NULL;
	p += 5;
	n = strcspn(p, "&\r\n");
	raw = strndup(p, n);
	code = curl_easy_unescape(NULL, raw, (int)n, &out_len);
	free(raw);
	return code;
}

/*
 * Tokens through the web-server flow of a sandbox started with auto_approve and the
 * default consumer key and secret, redirect URI http://localhost/cb: the access token
 * into access, the refresh token into refresh (when not NULL).
 */
static inline void sbcall_tokens(const char *base, char *access, size_t an, char *refresh,
				 size_t rn)
{
	static const char *const form_type[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	struct resp a = sbcall(base, "GET", "/services/oauth2/authorize?response_type=code"
			       "&client_id=sandbox-consumer-key&redirect_uri="
			       "http%3A%2F%2Flocalhost%2Fcb", NULL, NULL, 0, NULL);
	char *code = sbcall_code_from(&a), *enc, form[1024];
	struct resp t;

	assert_int_equal(a.status, 302);
	assert_non_null(code);
	enc = curl_easy_escape(NULL, code, 0);
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s&client_id="
		 "sandbox-consumer-key&client_secret=sandbox-consumer-secret&redirect_uri="
		 "http%%3A%%2F%%2Flocalhost%%2Fcb", enc);
	t = sbcall(base, "POST", "/services/oauth2/token", form_type, form, strlen(form), NULL);
	assert_int_equal(t.status, 200);
	snprintf(access, an, "%s", json_string_value(json_object_get(t.json, "access_token")));
	if (refresh)
		snprintf(refresh, rn, "%s",
			 json_string_value(json_object_get(t.json, "refresh_token")));
	curl_free(enc);
	curl_free(code);
	resp_free(&a);
	resp_free(&t);
}

#endif

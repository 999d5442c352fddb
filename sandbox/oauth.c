/* oauth: the org's OAuth 2.0 web-server flow (authorize page, token, revoke) and its
 * identity URL, worded as Salesforce words them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "sandbox/sandbox_int.h"
#include "sandbox/seed.h"
#include "util/buf.h"

#define CODE_TTL_MS (10 * 60 * 1000)	/* Salesforce: authorization codes last 15 min */
#define PENDING_TTL_MS (30 * 60 * 1000)
#define DEFAULT_SCOPE "refresh_token full"

/* A random token: prefix, then n random bytes in base64 (variant chosen by caller). */
static char *random_token(const char *prefix, size_t n, int variant)
{
	unsigned char raw[96];
	char b64[160];
	char *out;

	if (n > sizeof(raw))
		n = sizeof(raw);
	randombytes_buf(raw, n);
	sodium_bin2base64(b64, sizeof(b64), raw, n, variant);
	out = malloc(strlen(prefix) + strlen(b64) + 1);
	if (out) {
		strcpy(out, prefix);
		strcat(out, b64);
	}
	return out;
}

static void oauth_error(struct reply *r, int status, const char *error, const char *desc)
{
	answer_json(r, status, json_pack("{s:s, s:s}", "error", error, "error_description", desc));
	answer_header(r, "Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");
}

/* s escaped, in b (reset first); borrowed from b. */
static const char *html_escape(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_append(b, "", 0);
	answer_escape(b, s);
	return b->data;
}

/* Salesforce's own error page for requests it cannot send back to the client
 * (unknown client id, redirect URI not registered). */
static void redirect_error_page(struct sandbox *sb, struct reply *r, const char *error,
				const char *desc)
{
	char *e = answer_urlencode(error), *d = answer_urlencode(desc);
	char loc[512];

	snprintf(loc, sizeof(loc), "%s/setup/secur/RemoteAccessErrorPage.apexp?error=%s&"
		 "error_description=%s", sb->url, e ? e : "", d ? d : "");
	free(e);
	free(d);
	answer_text(r, 302, "text/html;charset=UTF-8", "");
	answer_header(r, "Location", loc);
}

static void error_page(const struct answer_req *q, struct reply *r)
{
	const char *error = answer_arg(q, "error"), *desc = answer_arg(q, "error_description");
	struct buf b, esc;

	buf_init(&b, 0);
	buf_init(&esc, 0);
	buf_puts(&b, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Error | "
		 "Salesforce</title></head><body><h1>error=");
	buf_puts(&b, html_escape(&esc, error ? error : "unknown"));
	buf_puts(&b, "</h1><p>error_description=");
	buf_puts(&b, html_escape(&esc, desc ? desc : ""));
	buf_puts(&b, "</p></body></html>");
	answer_text(r, 400, "text/html;charset=UTF-8", b.data);
	buf_free(&b);
	buf_free(&esc);
}

static int callback_allowed(struct sandbox *sb, const char *uri)
{
	if (sb->cfg.ncallback_urls == 0)
		return 1;
	for (size_t i = 0; i < sb->cfg.ncallback_urls; i++)
		if (strcmp(sb->callbacks[i], uri) == 0)
			return 1;
	return 0;
}

/* Sends the browser back to redirect_uri with the given query parameters
 * (NULL-terminated name/value pairs; NULL values are left out). */
static void redirect_back(struct reply *r, const char *uri, ...)
{
	struct buf b;
	va_list ap;
	const char *name;
	int first = strchr(uri, '?') == NULL;

	buf_init(&b, 0);
	buf_puts(&b, uri);
	va_start(ap, uri);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		char *enc;

		if (value == NULL)
			continue;
		enc = answer_urlencode(value);
		buf_printf(&b, "%c%s=%s", first ? '?' : '&', name, enc ? enc : "");
		free(enc);
		first = 0;
	}
	va_end(ap);
	answer_text(r, 302, "text/html;charset=UTF-8", "");
	answer_header(r, "Location", b.data ? b.data : uri);
	buf_free(&b);
}

/* Issues a single-use authorization code bound to redirect_uri and redirects to it. */
static void approve(struct sandbox *sb, struct reply *r, const char *uri, const char *state,
		    const char *scope)
{
	/* 46 bytes give base64 ending in "==", as Salesforce's codes do: clients must
	 * decode the code from the query string. */
	char *code = random_token("aPrx", 46, sodium_base64_VARIANT_ORIGINAL);

	if (code == NULL) {
		oauth_error(r, 500, "server_error", "out of memory");
		return;
	}
	pthread_mutex_lock(&sb->mu);
	json_object_set_new(sb->codes, code,
			    json_pack("{s:s, s:s, s:I}", "redirect_uri", uri, "scope", scope,
				      "expires", (json_int_t)(sandbox__now() + CODE_TTL_MS)));
	pthread_mutex_unlock(&sb->mu);
	redirect_back(r, uri, "code", code, "state", state, (const char *)NULL);
	free(code);
}

static void allow_page(struct sandbox *sb, struct reply *r, const char *pending)
{
	struct buf b, esc;

	buf_init(&b, 0);
	buf_init(&esc, 0);
	buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		 "<title>Allow Access? | Salesforce</title></head>\n<body><div id=\"content\">"
		 "<h1>Allow Access?</h1>\n<p><strong id=\"appName\">");
	buf_puts(&b, html_escape(&esc, sb->app_name));
	buf_puts(&b, "</strong> is asking to:</p>\n<ul><li>Manage user data via APIs</li>"
		 "<li>Perform requests at any time</li></ul>\n<p>Do you want to allow access "
		 "for Sandbox Admin (admin@i360-sandbox.example)?</p>\n"
		 "<form method=\"post\" action=\"/setup/secur/RemoteAccessAuthorizationPage.apexp\">"
		 "<input type=\"hidden\" name=\"pending\" value=\"");
	buf_puts(&b, html_escape(&esc, pending));
	buf_puts(&b, "\">\n<input type=\"submit\" id=\"oadeny\" name=\"oadeny\" value=\"Deny\">\n"
		 "<input type=\"submit\" id=\"oaapprove\" name=\"oaapprove\" value=\"Allow\">\n"
		 "</form></div></body></html>\n");
	answer_text(r, 200, "text/html;charset=UTF-8", b.data);
	buf_free(&b);
	buf_free(&esc);
}

/* GET /services/oauth2/authorize */
static void authorize(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *type = answer_arg(q, "response_type"), *client = answer_arg(q, "client_id");
	const char *uri = answer_arg(q, "redirect_uri"), *state = answer_arg(q, "state");
	const char *scope = answer_arg(q, "scope");
	int auto_approve;
	char *pending;

	if (client == NULL || strcmp(client, sb->consumer_key) != 0) {
		redirect_error_page(sb, r, "invalid_client_id", "client identifier invalid");
		return;
	}
	if (uri == NULL || !callback_allowed(sb, uri)) {
		redirect_error_page(sb, r, "redirect_uri_mismatch",
				    "redirect_uri must match configuration");
		return;
	}
	if (type == NULL || strcmp(type, "code") != 0) {
		redirect_back(r, uri, "error", "unsupported_response_type", "error_description",
			      "response type not supported", "state", state, (const char *)NULL);
		return;
	}
	if (scope == NULL || *scope == '\0')
		scope = DEFAULT_SCOPE;
	pthread_mutex_lock(&sb->mu);
	auto_approve = sb->k.auto_approve;
	pthread_mutex_unlock(&sb->mu);
	if (auto_approve) {
		approve(sb, r, uri, state, scope);
		return;
	}
	pending = random_token("", 18, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (pending == NULL) {
		oauth_error(r, 500, "server_error", "out of memory");
		return;
	}
	pthread_mutex_lock(&sb->mu);
	json_object_set_new(sb->pending, pending,
			    json_pack("{s:s, s:s?, s:s, s:I}", "redirect_uri", uri, "state", state,
				      "scope", scope, "expires",
				      (json_int_t)(sandbox__now() + PENDING_TTL_MS)));
	pthread_mutex_unlock(&sb->mu);
	allow_page(sb, r, pending);
	free(pending);
}

/* POST of the Allow / Deny form. */
static void decide(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	json_t *form = answer_form(q->body, q->body_len), *p;
	const char *id = json_string_value(json_object_get(form, "pending"));
	char *uri = NULL, *state = NULL, *scope = NULL;

	pthread_mutex_lock(&sb->mu);
	p = id ? json_object_get(sb->pending, id) : NULL;
	if (p != NULL && json_integer_value(json_object_get(p, "expires")) > sandbox__now()) {
		uri = strdup(json_string_value(json_object_get(p, "redirect_uri")));
		scope = strdup(json_string_value(json_object_get(p, "scope")));
		if (json_string_value(json_object_get(p, "state")))
			state = strdup(json_string_value(json_object_get(p, "state")));
	}
	if (p != NULL)
		json_object_del(sb->pending, id);	/* single use */
	pthread_mutex_unlock(&sb->mu);
	if (uri == NULL || scope == NULL) {
		answer_text(r, 400, "text/html;charset=UTF-8",
			   "<!DOCTYPE html><html><body><h1>This authorization request has "
			   "expired or was already answered.</h1></body></html>");
	} else if (json_object_get(form, "oaapprove") || json_object_get(form, "allow")) {
		approve(sb, r, uri, state, scope);
	} else {
		redirect_back(r, uri, "error", "access_denied", "error_description",
			      "end-user denied authorization", "state", state, (const char *)NULL);
	}
	free(uri);
	free(state);
	free(scope);
	json_decref(form);
}

/* HMAC-SHA256(consumer secret, id + issued_at), base64: what clients verify. */
static void signature(struct sandbox *sb, const char *id, const char *issued, char out[64])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)sb->consumer_secret,
				    strlen(sb->consumer_secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)issued, strlen(issued));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 64, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
}

static int has_scope(const char *scope, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = scope; (p = strstr(p, want)) != NULL; p += n)
		if ((p == scope || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

char *oauth_session_new(struct sandbox *sb, const char *refresh)
{
	char *access = random_token("", 48, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *full = NULL;
	size_t n;

	if (access == NULL)
		return NULL;
	/* Salesforce session ids start with the org id and an '!'. */
	n = strlen(access) + 32;
	full = malloc(n);
	if (full != NULL) {
		snprintf(full, n, "%.15s!AR8AQ%s", sb->org_id, access);
		pthread_mutex_lock(&sb->mu);
		json_object_set_new(sb->access, full, json_pack("{s:s?, s:i}", "refresh", refresh,
								 "calls", 0));
		pthread_mutex_unlock(&sb->mu);
	}
	free(access);
	return full;
}

int oauth_session_end(struct sandbox *sb, const char *token)
{
	int rc;

	pthread_mutex_lock(&sb->mu);
	rc = json_object_del(sb->access, token);
	pthread_mutex_unlock(&sb->mu);
	return rc;
}

/* Issues an access token (and, when refresh is NULL and the scope allows it, a refresh
 * token) and answers the token response; scope NULL: none said (the username-password
 * flow's answer has none, and never a refresh token). */
static void issue(struct sandbox *sb, struct reply *r, const char *scope, const char *refresh)
{
	char issued[32], sig[64], id[160];
	char *access_full = NULL, *new_refresh = NULL;
	json_t *body;
	int rotate;

	snprintf(issued, sizeof(issued), "%lld", (long long)sandbox__now());
	snprintf(id, sizeof(id), "%s/id/%s/%s", sb->url, sb->org_id, sb->user_id);
	signature(sb, id, issued, sig);
	pthread_mutex_lock(&sb->mu);
	rotate = sb->k.rotate_refresh_tokens;
	pthread_mutex_unlock(&sb->mu);
	if ((refresh == NULL && scope != NULL && (has_scope(scope, "refresh_token") ||
						  has_scope(scope, "offline_access"))) ||
	    (refresh != NULL && rotate))
		new_refresh = random_token("5Aep861", 60, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	access_full = oauth_session_new(sb, new_refresh ? new_refresh : refresh);
	if (access_full == NULL) {
		oauth_error(r, 500, "server_error", "out of memory");
		goto done;
	}
	if (new_refresh != NULL) {
		pthread_mutex_lock(&sb->mu);
		json_object_set_new(sb->refresh, new_refresh, json_pack("{s:s}", "scope", scope));
		if (refresh != NULL)
			json_object_del(sb->refresh, refresh);	/* rotated out */
		pthread_mutex_unlock(&sb->mu);
	}
	body = json_pack("{s:s, s:s, s:s*, s:s, s:s, s:s, s:s}", "access_token", access_full,
			 "signature", sig, "scope", scope, "instance_url", sb->url, "id", id,
			 "token_type", "Bearer", "issued_at", issued);
	if (new_refresh != NULL)
		json_object_set_new(body, "refresh_token", json_string(new_refresh));
	answer_json(r, 200, body);
	answer_header(r, "Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");
done:
	free(access_full);
	free(new_refresh);
}

/* Client credentials from the body, or from HTTP Basic authentication. */
static void client_credentials(const struct answer_req *q, json_t *form, char **id, char **secret)
{
	const char *auth = answer_header_in(q, "Authorization");

	*id = json_string_value(json_object_get(form, "client_id")) ?
	      strdup(json_string_value(json_object_get(form, "client_id"))) : NULL;
	*secret = json_string_value(json_object_get(form, "client_secret")) ?
		  strdup(json_string_value(json_object_get(form, "client_secret"))) : NULL;
	if (*id == NULL && auth && strncasecmp(auth, "Basic ", 6) == 0) {
		unsigned char dec[512];
		size_t n = 0;

		if (sodium_base642bin(dec, sizeof(dec) - 1, auth + 6, strlen(auth + 6), NULL, &n,
				      NULL, sodium_base64_VARIANT_ORIGINAL) == 0) {
			char *colon;

			dec[n] = '\0';
			colon = strchr((char *)dec, ':');
			if (colon) {
				*colon = '\0';
				*id = strdup((char *)dec);
				free(*secret);
				*secret = strdup(colon + 1);
			}
		}
	}
}

/*
 * The username-password flow: the org's one user (its username compared ignoring case,
 * as Salesforce's are) with the sandbox's password, alone, as Salesforce takes it from a
 * trusted IP range (elsewhere the user's security token follows it). Answers like
 * Salesforce: no scope, no refresh token; any mismatch is "authentication failure".
 */
static void user_password(struct sandbox *sb, json_t *form, struct reply *r)
{
	const char *user = json_string_value(json_object_get(form, "username"));
	const char *pass = json_string_value(json_object_get(form, "password"));

	if (user == NULL || pass == NULL || strcasecmp(user, SEED_ADMIN_USERNAME) != 0 ||
	    strcmp(pass, sb->password) != 0) {
		oauth_error(r, 400, "invalid_grant", "authentication failure");
		return;
	}
	issue(sb, r, NULL, NULL);
}

/* POST /services/oauth2/token */
static void token(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	json_t *form = answer_form(q->body, q->body_len);
	const char *grant = json_string_value(json_object_get(form, "grant_type"));
	char *client = NULL, *secret = NULL, *scope = NULL;

	client_credentials(q, form, &client, &secret);
	if (grant == NULL || (strcmp(grant, "authorization_code") != 0 &&
			      strcmp(grant, "refresh_token") != 0 && strcmp(grant, "password") != 0 &&
			      strcmp(grant, "client_credentials") != 0)) {
		oauth_error(r, 400, "unsupported_grant_type", "grant type not supported");
		goto done;
	}
	if (client == NULL || strcmp(client, sb->consumer_key) != 0) {
		oauth_error(r, 400, "invalid_client_id", "client identifier invalid");
		goto done;
	}
	if (secret == NULL || strcmp(secret, sb->consumer_secret) != 0) {
		oauth_error(r, 400, "invalid_client", "invalid client credentials");
		goto done;
	}
	if (strcmp(grant, "password") == 0) {
		user_password(sb, form, r);
	} else if (strcmp(grant, "client_credentials") == 0) {
		/* The connected app runs as its "run as" user: the org's admin. */
		issue(sb, r, "api", NULL);
	} else if (strcmp(grant, "authorization_code") == 0) {
		const char *code = json_string_value(json_object_get(form, "code"));
		const char *uri = json_string_value(json_object_get(form, "redirect_uri"));
		json_t *c;
		int expired = 0, mismatch = 0;

		pthread_mutex_lock(&sb->mu);
		c = code ? json_object_get(sb->codes, code) : NULL;
		if (c != NULL) {
			expired = json_integer_value(json_object_get(c, "expires")) < sandbox__now();
			mismatch = uri == NULL ||
				   strcmp(uri, json_string_value(json_object_get(c, "redirect_uri")));
			scope = strdup(json_string_value(json_object_get(c, "scope")));
			json_object_del(sb->codes, code);	/* single use, even when refused */
		}
		pthread_mutex_unlock(&sb->mu);
		if (c == NULL)
			oauth_error(r, 400, "invalid_grant", "invalid authorization code");
		else if (expired)
			oauth_error(r, 400, "invalid_grant", "expired authorization code");
		else if (mismatch)
			oauth_error(r, 400, "redirect_uri_mismatch",
				    "redirect_uri must match configuration");
		else
			issue(sb, r, scope, NULL);
	} else {
		const char *rt = json_string_value(json_object_get(form, "refresh_token"));
		json_t *t;

		pthread_mutex_lock(&sb->mu);
		t = rt ? json_object_get(sb->refresh, rt) : NULL;
		if (t != NULL)
			scope = strdup(json_string_value(json_object_get(t, "scope")));
		pthread_mutex_unlock(&sb->mu);
		if (scope == NULL)
			oauth_error(r, 400, "invalid_grant", "expired access/refresh token");
		else
			issue(sb, r, scope, rt);
	}
done:
	free(client);
	free(secret);
	free(scope);
	json_decref(form);
}

/* POST (or GET) /services/oauth2/revoke: a refresh token takes its access tokens
 * with it. */
static void revoke_token(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	json_t *form = answer_form(q->body, q->body_len);
	const char *tok = json_string_value(json_object_get(form, "token"));
	int found = 0;

	if (tok == NULL)
		tok = answer_arg(q, "token");
	pthread_mutex_lock(&sb->mu);
	if (tok && json_object_get(sb->refresh, tok)) {
		const char *key;
		json_t *v;
		void *tmp;

		json_object_foreach_safe(sb->access, tmp, key, v) {
			const char *rt = json_string_value(json_object_get(v, "refresh"));

			if (rt && strcmp(rt, tok) == 0)
				json_object_del(sb->access, key);
		}
		json_object_del(sb->refresh, tok);
		found = 1;
	} else if (tok && json_object_get(sb->access, tok)) {
		json_object_del(sb->access, tok);
		found = 1;
	}
	pthread_mutex_unlock(&sb->mu);
	/* Unlike the token endpoint, revoke words its errors as a form, not JSON. */
	if (found)
		answer_text(r, 200, "text/plain;charset=UTF-8", "");
	else
		answer_text(r, 400, "application/x-www-form-urlencoded;charset=UTF-8",
			    "error=invalid_token&error_description=invalid%20token");
	json_decref(form);
}

/* The token of "Authorization: Bearer X" (or "OAuth X"), or NULL. */
static const char *bearer(const struct answer_req *q)
{
	const char *auth = answer_header_in(q, "Authorization");

	if (auth == NULL)
		return NULL;
	if (strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	if (strncasecmp(auth, "OAuth ", 6) == 0)
		return auth + 6;
	return NULL;
}

int oauth_check_bearer(struct sandbox *sb, const struct answer_req *q)
{
	const char *tok = bearer(q);
	json_t *t;
	int rc = -1;

	if (tok == NULL)
		return -1;
	pthread_mutex_lock(&sb->mu);
	t = json_object_get(sb->access, tok);
	if (t != NULL) {
		json_int_t calls = json_integer_value(json_object_get(t, "calls")) + 1;

		if (sb->k.token_ttl_calls > 0 && calls > sb->k.token_ttl_calls) {
			json_object_del(sb->access, tok);	/* the session timed out */
		} else {
			json_object_set_new(t, "calls", json_integer(calls));
			rc = 0;
		}
	}
	pthread_mutex_unlock(&sb->mu);
	return rc;
}

/* GET /id/ORGID/USERID: who the token belongs to. */
static void identity(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *tok = bearer(q);
	char path[64], id[160];
	json_t *user, *body;
	int ok;

	if (tok == NULL)
		tok = answer_arg(q, "oauth_token");
	snprintf(path, sizeof(path), "/id/%s/%s", sb->org_id, sb->user_id);
	if (strcmp(q->path, path) != 0 && strncmp(q->path, path, strlen(path) - 3) != 0) {
		answer_text(r, 404, "text/plain;charset=UTF-8", "Bad_Id");
		return;
	}
	pthread_mutex_lock(&sb->mu);
	ok = tok && json_object_get(sb->access, tok) != NULL;
	pthread_mutex_unlock(&sb->mu);
	if (!ok) {
		answer_text(r, 403, "text/plain;charset=UTF-8", "Bad_OAuth_Token");
		return;
	}
	objects_rdlock(sb->store);
	{
		const struct objects_rec *u = objects_get(sb->store, sb->user_id, NULL);

		user = u ? objects_rec_json(u) : NULL;
	}
	objects_unlock(sb->store);
	snprintf(id, sizeof(id), "%s%s", sb->url, path);
	body = json_pack("{s:s, s:b, s:s, s:s, s:O, s:s, s:O, s:O, s:b, s:O, s:O, s:O, s:b, "
			 "s:s, s:s, s:s, s:i, s:O}",
			 "id", id, "asserted_user", 1, "user_id", sb->user_id,
			 "organization_id", sb->org_id,
			 "username", json_object_get(user, "Username"),
			 "nick_name", "admin",
			 "display_name", json_object_get(user, "Name"),
			 "email", json_object_get(user, "Email"), "email_verified", 1,
			 "first_name", json_object_get(user, "FirstName"),
			 "last_name", json_object_get(user, "LastName"),
			 "timezone", json_object_get(user, "TimeZoneSidKey"),
			 "active", 1, "user_type", "STANDARD", "language", "en_US",
			 "locale", "en_US", "utcOffset", -21600000,
			 "last_modified_date", json_object_get(user, "LastModifiedDate"));
	if (body != NULL) {
		json_t *urls = json_object();

		json_object_set_new(urls, "rest", json_sprintf("%s/services/data/v{version}/", sb->url));
		json_object_set_new(urls, "sobjects",
				    json_sprintf("%s/services/data/v{version}/sobjects/", sb->url));
		json_object_set_new(urls, "query",
				    json_sprintf("%s/services/data/v{version}/query/", sb->url));
		json_object_set_new(urls, "profile", json_sprintf("%s/%s", sb->url, sb->user_id));
		json_object_set_new(body, "urls", urls);
		json_object_set_new(body, "is_app_installed", json_true());
	}
	json_decref(user);
	if (body == NULL) {
		oauth_error(r, 500, "server_error", "out of memory");
		return;
	}
	answer_json(r, 200, body);
}

int oauth_route(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *p = q->path;
	int get = strcmp(q->method, "GET") == 0, post = strcmp(q->method, "POST") == 0;

	if (strcmp(p, "/services/oauth2/authorize") == 0 && (get || post)) {
		if (post && q->body_len > 0 && strstr(q->body, "pending="))
			decide(sb, q, r);
		else
			authorize(sb, q, r);
	} else if (strcmp(p, "/setup/secur/RemoteAccessAuthorizationPage.apexp") == 0 && post) {
		decide(sb, q, r);
	} else if (strcmp(p, "/setup/secur/RemoteAccessErrorPage.apexp") == 0) {
		error_page(q, r);
	} else if (strcmp(p, "/services/oauth2/token") == 0) {
		if (!post)
			oauth_error(r, 400, "invalid_request", "must use HTTP POST");
		else
			token(sb, q, r);
	} else if (strcmp(p, "/services/oauth2/revoke") == 0 && (get || post)) {
		revoke_token(sb, q, r);
	} else if (strncmp(p, "/id/", 4) == 0 && get) {
		identity(sb, q, r);
	} else {
		return 0;
	}
	return 1;
}

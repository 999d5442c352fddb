/* ui: the admin UI — its embedded pages and assets, and signing in and out. */
#include <stdio.h>
#include <string.h>

#include "http/api.h"
#include "http/assets.h"
#include "http/reply.h"
#include "http/session.h"

enum MHD_Result ui_asset(struct request *r)
{
	const struct asset *a;

	if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0)
		return reply_error(r, 404, "there is no endpoint GET %s", r->path);
	if (strcmp(r->path, "/") == 0 || strcmp(r->path, "/index.html") == 0)
		a = assets_find("/index.html");
	else if (strncmp(r->path, "/ui/", 4) == 0 && strcmp(r->path, "/ui/index.html") != 0)
		a = assets_find(r->path + 3);
	else
		a = NULL;
	if (a == NULL)
		return reply_page(r, 404, "Page not found", "There is nothing at this address.",
				  "/", "Open the admin page");
	/* index.html is never cached so that a new build's assets are picked up. */
	return reply_bytes(r, 200, a->content_type, a->data, a->len,
			   strcmp(a->name, "/index.html") == 0 ? 0 : 300);
}

/* The session's description: {"org_id","org_name","csrf","callback_url","public_url"}. */
static enum MHD_Result session_reply(struct request *r, unsigned status, int64_t org_id,
				     const char *csrf)
{
	struct store_org org;
	json_t *o;
	struct err e;

	if (store_org_get(r->store, org_id, &org, &e) < 0)
		return reply_err(r, &e);
	o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "org_id", (json_int_t)org_id, "org_name",
		      org.name ? org.name : "", "csrf", csrf, "callback_url",
		      r->ctx->callback_url, "public_url", r->ctx->public_url);
	store_org_free(&org);
	return reply_json(r, status, o);
}

static void set_cookie(struct request *r, const char *value, int max_age)
{
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		 SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", value,
		 max_age, r->ctx->secure_cookies ? "; Secure" : "");
}

enum MHD_Result ui_session_get(struct request *r)
{
	const char *sid = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	char csrf[SESSION_ID_LEN];
	int64_t org;

	if (sid == NULL || session_find(r->store, sid, &org, csrf) < 0)
		return reply_error(r, 401, "not signed in");
	return session_reply(r, 200, org, csrf);
}

enum MHD_Result ui_session_post(struct request *r)
{
	const char *token = NULL, *origin = request_header(r, "Origin");
	char id[SESSION_ID_LEN], csrf[SESSION_ID_LEN], pub[300];
	json_t *body;
	int64_t org;
	struct err e;

	/* Signing in from another site's page would sign the victim into the attacker's
	 * org: the origin must be this service's. */
	if (origin) {
		const char *p = strstr(r->ctx->public_url, "://");
		size_t n = p ? (size_t)(p + 3 - r->ctx->public_url) +
				       strcspn(p + 3, "/") : strlen(r->ctx->public_url);

		snprintf(pub, sizeof(pub), "%.*s", (int)n, r->ctx->public_url);
		if (strcmp(origin, pub) != 0 && strcmp(origin, r->ctx->listen_url) != 0)
			return reply_error(r, 403, "sign in from this service's own admin page");
	}
	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	if (json_unpack_ex(body, NULL, 0, "{s:s}", "token", &token) < 0 || *token == '\0') {
		json_decref(body);
		return reply_error(r, 400, "enter the org's API token");
	}
	if (store_token_org(r->store, token, &org, &e) < 0) {
		json_decref(body);
		if (e.code == ERR_AUTH)
			return reply_error(r, 401, "that API token is not valid for any org");
		return reply_err(r, &e);
	}
	json_decref(body);
	if (session_create(r->store, org, id, csrf) < 0)
		return reply_error(r, 500, "the service ran out of memory");
	set_cookie(r, id, (int)(SESSION_TTL_MS / 1000));
	return session_reply(r, 200, org, csrf);
}

enum MHD_Result ui_session_delete(struct request *r)
{
	const char *sid = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	char csrf[SESSION_ID_LEN];
	int64_t org;

	if (sid && session_find(r->store, sid, &org, csrf) == 0) {
		if (!session_csrf_ok(csrf, request_header(r, "X-CSRF-Token")))
			return reply_error(r, 403, "the request did not come from this admin "
						   "page: reload it and try again");
		session_delete(r->store, sid);
	}
	set_cookie(r, "", 0);
	return reply_json(r, 200, json_pack("{s:b}", "signed_in", 0));
}

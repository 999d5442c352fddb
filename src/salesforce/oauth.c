/* oauth: the web-server flow against Salesforce's /services/oauth2 endpoints. */
#include "salesforce/oauth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "salesforce/client_int.h"

int sf_oauth_authorize_url(const char *login_url, const char *client_id,
			   const char *redirect_uri, const char *state, struct buf *out,
			   struct err *e)
{
	size_t n;

	if (client_id == NULL || *client_id == '\0' || redirect_uri == NULL ||
	    *redirect_uri == '\0' || state == NULL || *state == '\0')
		return err_set(e, ERR_INVALID, "The consumer key, redirect URI and state are "
			       "all needed to authorize.");
	if (sf_client_url_allowed(login_url, e) < 0)
		return err_prefix(e, "The login URL is refused");
	buf_reset(out);
	n = strlen(login_url);
	while (n > 0 && login_url[n - 1] == '/')
		n--;
	if (buf_append(out, login_url, n) < 0 ||
	    buf_puts(out, "/services/oauth2/authorize?response_type=code&client_id=") < 0 ||
	    sf__append_escaped(out, client_id, e) < 0 ||
	    buf_puts(out, "&redirect_uri=") < 0 || sf__append_escaped(out, redirect_uri, e) < 0 ||
	    buf_puts(out, "&state=") < 0 || sf__append_escaped(out, state, e) < 0 ||
	    buf_puts(out, "&scope=") < 0 || sf__append_escaped(out, SF_OAUTH_SCOPE, e) < 0)
		return err_set(e, ERR_TOO_LARGE, "The authorize URL is too long.");
	return 0;
}

void sf_oauth_tokens_free(struct sf_oauth_tokens *t)
{
	if (t == NULL)
		return;
	sf__set_secret(&t->access_token, NULL);
	sf__set_secret(&t->refresh_token, NULL);
	free(t->instance_url);
	free(t->id_url);
	free(t->issued_at);
	free(t->scope);
	memset(t, 0, sizeof(*t));
}

void sf_oauth_identity_free(struct sf_identity *id)
{
	if (id == NULL)
		return;
	free(id->user_id);
	free(id->organization_id);
	free(id->username);
	free(id->display_name);
	free(id->email);
	memset(id, 0, sizeof(*id));
}

int sf_oauth_verify_signature(const char *consumer_secret, const char *id,
			      const char *issued_at, const char *signature)
{
	crypto_auth_hmacsha256_state st;
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t len = 0;
	int rc;

	if (consumer_secret == NULL || id == NULL || issued_at == NULL || signature == NULL)
		return -1;
	if (sodium_base642bin(got, sizeof(got), signature, strlen(signature), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || len != sizeof(got))
		return -1;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)consumer_secret,
				    strlen(consumer_secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)issued_at, strlen(issued_at));
	crypto_auth_hmacsha256_final(&st, want);
	rc = sodium_memcmp(want, got, sizeof(want)) == 0 ? 0 : -1;
	sodium_memzero(&st, sizeof(st));
	return rc;
}

/* Appends "&key=value" (no "&" when out is empty), value percent-encoded. */
static int form_add(struct buf *out, const char *key, const char *value, struct err *e)
{
	if ((out->len && buf_puts(out, "&") < 0) || buf_puts(out, key) < 0 ||
	    buf_puts(out, "=") < 0)
		return err_set(e, ERR_TOO_LARGE, "The OAuth request is too long.");
	return sf__append_escaped(out, value ? value : "", e);
}

static void wipe(struct buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->alloc);
	buf_free(b);
}

/* POSTs a form to LOGIN_URL/services/oauth2/WHAT; resp as for sf__do. */
static int post_form(struct sf_client *c, const char *what, struct buf *form,
		     struct sf__resp *resp, struct err *e)
{
	struct buf url;
	struct sf__req r = { 0 };
	int rc;

	buf_init(&url, 0);
	if (buf_printf(&url, "%s/services/oauth2/%s", c->login_url, what) < 0) {
		buf_free(&url);
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	}
	r.method = "POST";
	r.url = url.data;
	r.content_type = "application/x-www-form-urlencoded";
	r.body = form->data;
	r.body_len = form->len;
	r.no_auth = 1;
	r.not_counted = 1;
	rc = sf__do(c, &r, resp, e);
	buf_free(&url);
	return rc;
}

static int dup_field(json_t *o, const char *key, char **out)
{
	const char *v = json_string_value(json_object_get(o, key));

	*out = NULL;
	if (v == NULL)
		return 0;
	*out = strdup(v);
	return *out ? 0 : -1;
}

static int read_tokens(json_t *o, struct sf_oauth_tokens *t)
{
	memset(t, 0, sizeof(*t));
	if (dup_field(o, "access_token", &t->access_token) < 0 ||
	    dup_field(o, "refresh_token", &t->refresh_token) < 0 ||
	    dup_field(o, "instance_url", &t->instance_url) < 0 ||
	    dup_field(o, "id", &t->id_url) < 0 || dup_field(o, "issued_at", &t->issued_at) < 0 ||
	    dup_field(o, "scope", &t->scope) < 0)
		return -1;
	return 0;
}

static int signature_fails(struct sf_client *c, struct err *e)
{
	sf_error_set(&c->last_error, SF_ERROR_PROTOCOL, 200, "the token signature does not "
		     "match the consumer secret");
	return err_set(e, ERR_AUTH, "Salesforce's token answer was refused: the token "
		       "signature does not match the consumer secret.");
}

int sf_oauth_exchange_code(struct sf_client *c, const char *code, const char *redirect_uri,
			   struct sf_oauth_tokens *out, struct err *e)
{
	struct buf form;
	struct sf__resp resp;
	const char *sig;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	sf__no_remote_error(c);
	if (code == NULL || *code == '\0')
		return err_set(e, ERR_INVALID, "The authorization code is missing.");
	buf_init(&form, 0);
	if (form_add(&form, "grant_type", "authorization_code", e) < 0 ||
	    form_add(&form, "code", code, e) < 0 ||
	    form_add(&form, "client_id", c->consumer_key, e) < 0 ||
	    form_add(&form, "client_secret", c->consumer_secret, e) < 0 ||
	    form_add(&form, "redirect_uri", redirect_uri, e) < 0) {
		wipe(&form);
		return -1;
	}
	if (post_form(c, "token", &form, &resp, e) < 0) {
		if (c->last_error.kind != SF_ERROR_NONE && c->last_error.kind != SF_ERROR_NETWORK &&
		    c->last_error.kind != SF_ERROR_TRANSIENT)
			if (e)
				e->code = ERR_AUTH;
		goto out_form;
	}
	if (!json_is_object(resp.json) || read_tokens(resp.json, out) < 0 ||
	    out->access_token == NULL || out->instance_url == NULL) {
		sf__protocol_error(c, "the authorization code", e);
		goto out_resp;
	}
	sig = json_string_value(json_object_get(resp.json, "signature"));
	if (sf_oauth_verify_signature(c->consumer_secret, out->id_url, out->issued_at, sig) < 0) {
		signature_fails(c, e);
		goto out_resp;
	}
	if (sf_client_set_tokens(c, out->instance_url, out->access_token, out->refresh_token,
				 e) < 0)
		goto out_resp;
	rc = 0;
out_resp:
	sf__resp_free(&resp);
	if (rc < 0)
		sf_oauth_tokens_free(out);
out_form:
	wipe(&form);
	return rc;
}

/* OAuth errors after which only a new authorization helps. */
static int needs_reauth(const char *code)
{
	return strcmp(code, "invalid_grant") == 0 || strcmp(code, "invalid_client") == 0 ||
	       strcmp(code, "invalid_client_id") == 0 || strcmp(code, "unauthorized_client") == 0 ||
	       strcmp(code, "inactive_user") == 0 || strcmp(code, "inactive_org") == 0;
}

int sf_oauth_refresh(struct sf_client *c, struct err *e)
{
	struct buf form;
	struct sf__resp resp;
	struct sf_oauth_tokens t;
	const char *sig;
	int rc = -1;

	sf__no_remote_error(c);
	memset(&t, 0, sizeof(t));
	if (c->refresh_token == NULL) {
		sf_error_set(&c->last_error, SF_ERROR_REAUTH, 0, "no refresh token is stored");
		return err_set(e, ERR_AUTH, "The Salesforce session expired and there is no "
			       "refresh token, so an admin must authorize the integration again.");
	}
	buf_init(&form, 0);
	if (form_add(&form, "grant_type", "refresh_token", e) < 0 ||
	    form_add(&form, "refresh_token", c->refresh_token, e) < 0 ||
	    form_add(&form, "client_id", c->consumer_key, e) < 0 ||
	    form_add(&form, "client_secret", c->consumer_secret, e) < 0)
		goto out_form;
	if (post_form(c, "token", &form, &resp, e) < 0) {
		if (needs_reauth(c->last_error.code)) {
			c->last_error.kind = SF_ERROR_REAUTH;
			c->last_error.retryable = 0;
			c->reauth = 1;
			sf_error_to_err(&c->last_error, e);
		}
		goto out_form;
	}
	if (!json_is_object(resp.json) || read_tokens(resp.json, &t) < 0 ||
	    t.access_token == NULL) {
		sf__protocol_error(c, "the token refresh", e);
		goto out_resp;
	}
	/* Salesforce signs refresh answers too; one that comes must be right. */
	sig = json_string_value(json_object_get(resp.json, "signature"));
	if (sig && sf_oauth_verify_signature(c->consumer_secret, t.id_url, t.issued_at, sig) < 0) {
		signature_fails(c, e);
		goto out_resp;
	}
	if (sf_client_set_tokens(c, t.instance_url ? t.instance_url : c->instance_url,
				 t.access_token, t.refresh_token, e) < 0)
		goto out_resp;
	c->tokens_pending = 1;
	if (!c->tokens_deferred)
		sf__tokens_flush(c);
	rc = 0;
out_resp:
	sf__resp_free(&resp);
out_form:
	sf_oauth_tokens_free(&t);
	wipe(&form);
	return rc;
}

void sf__tokens_flush(struct sf_client *c)
{
	struct sf_tokens view = { 0 };

	if (!c->tokens_pending)
		return;
	c->tokens_pending = 0;
	if (c->on_tokens) {
		view.instance_url = c->instance_url;
		view.access_token = c->access_token;
		view.refresh_token = c->refresh_token;
		c->on_tokens(c->tokens_arg, &view);
	}
}

int sf_oauth_revoke(struct sf_client *c, struct err *e)
{
	struct buf form;
	struct sf__resp resp;
	const char *token = c->refresh_token ? c->refresh_token : c->access_token;
	int rc = -1;

	sf__no_remote_error(c);
	if (token == NULL)
		return 0;
	buf_init(&form, 0);
	if (form_add(&form, "token", token, e) < 0)
		goto out;
	if (post_form(c, "revoke", &form, &resp, e) == 0) {
		sf__resp_free(&resp);
		rc = 0;
	} else if (strcmp(c->last_error.code, "invalid_token") == 0 ||
		   strcmp(c->last_error.code, "unsupported_token_type") == 0) {
		sf__no_remote_error(c);	/* already revoked: nothing left to do */
		rc = 0;
	}
out:
	wipe(&form);
	return rc;
}

int sf_oauth_identity(struct sf_client *c, const char *id_url, struct sf_identity *out,
		      struct err *e)
{
	struct sf__resp resp;
	struct sf__req r = { 0 };
	json_t *o;

	memset(out, 0, sizeof(*out));
	if (id_url == NULL || *id_url == '\0')
		return err_set(e, ERR_INVALID, "The identity URL is missing.");
	r.url = id_url;
	r.not_counted = 1;
	if (sf__do(c, &r, &resp, e) < 0)
		return -1;
	o = resp.json;
	if (!json_is_object(o) || dup_field(o, "user_id", &out->user_id) < 0 ||
	    dup_field(o, "organization_id", &out->organization_id) < 0 ||
	    dup_field(o, "username", &out->username) < 0 ||
	    dup_field(o, "display_name", &out->display_name) < 0 ||
	    dup_field(o, "email", &out->email) < 0 || out->username == NULL) {
		sf_oauth_identity_free(out);
		sf__resp_free(&resp);
		return sf__protocol_error(c, "the identity request", e);
	}
	sf__resp_free(&resp);
	return 0;
}

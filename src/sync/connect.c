/* connect: an org's OAuth connection to I360, and Salesforce clients built from it. */
#include "sync/connect.h"

#include <stdlib.h>
#include <string.h>

#include "salesforce/oauth.h"
#include "util/buf.h"
#include "util/log.h"

int connect_login_url_valid(const char *url, struct err *e)
{
	if (url == NULL || *url == '\0')
		return err_set(e, ERR_INVALID, "the login URL is empty");
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return err_set(e, ERR_INVALID, "the login URL must start with https://");
	if (sf_client_url_allowed(url, e) < 0)
		return err_set(e, ERR_INVALID, "the login URL must use https:// (plain http is "
			       "only allowed for a sandbox on this machine)");
	return 0;
}

/* A copy of url without trailing slashes, so that LOGIN/services/... is well formed. */
static char *login_url_clean(const char *url)
{
	size_t n = strlen(url);
	char *out;

	while (n > 0 && url[n - 1] == '/')
		n--;
	out = malloc(n + 1);
	if (out) {
		memcpy(out, url, n);
		out[n] = '\0';
	}
	return out;
}

int connect_authorize_url(struct store *s, int64_t org_id, const char *consumer_key,
			  const char *consumer_secret, const char *login_url,
			  const char *redirect_uri, char **url, struct err *e)
{
	char state[STORE_STATE_LEN];
	char *login = NULL;
	struct buf b;
	int rc = -1;

	*url = NULL;
	buf_init(&b, 16384);
	if (consumer_key == NULL || *consumer_key == '\0' || strlen(consumer_key) > 255 ||
	    strpbrk(consumer_key, " \t\r\n"))
		return err_set(e, ERR_INVALID, "the consumer key is missing or malformed: copy it "
			       "from the connected app's Manage Consumer Details page");
	if (consumer_secret == NULL || *consumer_secret == '\0' || strlen(consumer_secret) > 255)
		return err_set(e, ERR_INVALID, "the consumer secret is missing or malformed: copy "
			       "it from the connected app's Manage Consumer Details page");
	if (login_url == NULL || *login_url == '\0')
		login_url = CONNECT_DEFAULT_LOGIN_URL;
	if (connect_login_url_valid(login_url, e) < 0)
		return -1;
	login = login_url_clean(login_url);
	if (login == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (store_integration_set_app(s, org_id, login, consumer_key, consumer_secret, e) < 0)
		goto out;
	if (store_oauth_state_new(s, org_id, CONNECT_STATE_TTL_MS, state, e) < 0)
		goto out;
	if (sf_oauth_authorize_url(login, consumer_key, redirect_uri, state, &b, e) < 0)
		goto out;
	*url = buf_detach(&b, NULL);
	rc = *url ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
out:
	buf_free(&b);
	free(login);
	return rc;
}

/* The sentence an admin reads when Salesforce sent the browser back with an error. */
static int refusal(const char *error, const char *description, struct err *e)
{
	if (strcmp(error, "access_denied") == 0)
		return err_set(e, ERR_AUTH, "access was denied in Salesforce (Deny was clicked), so "
			       "ImproveIt360 is not connected: authorize again and click Allow");
	if (strcmp(error, "invalid_client_id") == 0 || strcmp(error, "invalid_client") == 0)
		return err_set(e, ERR_AUTH, "Salesforce does not know this consumer key (%s): check "
			       "it, and note that a new connected app can take up to 10 minutes "
			       "to become active", error);
	return err_set(e, ERR_AUTH, "Salesforce refused the authorization (%.64s): %.200s", error,
		       description && *description ? description : "no reason given");
}

/* Keeps what the code exchange and the identity URL said. */
static int store_connection(struct store *s, int64_t org_id, struct sf_client *c,
			    const struct sf_oauth_tokens *t, struct err *e)
{
	struct sf_identity id;
	struct err ie;
	struct store_tokens st = {
		.access_token = t->access_token,
		.refresh_token = t->refresh_token,
		.instance_url = t->instance_url,
		.identity_url = t->id_url,
	};
	int rc;

	memset(&id, 0, sizeof(id));
	/* Who connected is shown to the admin; not knowing it is no reason to fail. */
	if (t->id_url && sf_oauth_identity(c, t->id_url, &id, &ie) < 0)
		log_warn("connect.identity_failed", "org=%lld", (long long)org_id);
	st.connected_user = id.username;
	st.sf_org_id = id.organization_id;
	rc = store_integration_set_tokens(s, org_id, &st, e);
	sf_oauth_identity_free(&id);
	return rc;
}

int connect_callback(struct store *s, const char *state, const char *code,
		     const char *error, const char *error_description,
		     const char *redirect_uri, int64_t *org_id, struct err *e)
{
	struct store_integration in;
	struct sf_oauth_tokens t;
	struct sf_client *c = NULL;
	struct sf_client_config cfg;
	int rc = -1;

	*org_id = 0;
	memset(&t, 0, sizeof(t));
	if (store_oauth_state_take(s, state, org_id, e) < 0)
		return -1;
	if (error && *error)
		return refusal(error, error_description, e);
	if (code == NULL || *code == '\0')
		return err_set(e, ERR_AUTH, "Salesforce sent no authorization code back: "
			       "authorize again");
	if (store_integration_get(s, *org_id, 1, &in, e) < 0)
		return -1;
	if (in.consumer_key == NULL || in.consumer_secret == NULL) {
		err_set(e, ERR_AUTH, "the connected app's credentials were removed meanwhile: "
			"authorize again");
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.login_url = in.login_url;
	cfg.consumer_key = in.consumer_key;
	cfg.consumer_secret = in.consumer_secret;
	c = sf_client_new(&cfg, e);
	if (c == NULL)
		goto out;
	if (sf_oauth_exchange_code(c, code, redirect_uri, &t, e) < 0) {
		const struct sf_error *se = sf_client_last_error(c);
		if (se && (strcmp(se->code, "invalid_client_id") == 0 ||
			   strcmp(se->code, "invalid_client") == 0))
			refusal(se->code, se->message, e);
		goto out;
	}
	rc = store_connection(s, *org_id, c, &t, e);
	if (rc == 0)
		log_info("connect.connected", "org=%lld", (long long)*org_id);
out:
	sf_oauth_tokens_free(&t);
	sf_client_free(c);
	store_integration_free(&in);
	return rc;
}

/* Writes tokens the client refreshed back into the store, sealed. */
static void persist_tokens(void *arg, const struct sf_tokens *t)
{
	struct connect_session *cs = arg;
	struct store_tokens st = {
		.access_token = t->access_token,
		.refresh_token = t->refresh_token,
		.instance_url = t->instance_url,
	};
	struct err e;

	if (store_integration_set_tokens(cs->store, cs->org_id, &st, &e) < 0)
		log_error("connect.persist_failed", "org=%lld", (long long)cs->org_id);
}

struct connect_session *connect_session_open(struct store *s, int64_t org_id,
					     const struct sf_client_config *base,
					     struct err *e)
{
	struct connect_session *cs = calloc(1, sizeof(*cs));
	struct store_integration in;
	struct sf_client_config cfg;

	if (cs == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	cs->store = s;
	cs->org_id = org_id;
	if (store_integration_get(s, org_id, 1, &in, e) < 0) {
		free(cs);
		return NULL;
	}
	if (in.status == STORE_INT_NEEDS_REAUTH) {
		err_set(e, ERR_AUTH, "ImproveIt360 needs to be authorized again: an admin must "
			"click Re-authorize");
		goto fail;
	}
	if (in.status != STORE_INT_CONNECTED || in.access_token == NULL) {
		err_set(e, ERR_INVALID, "ImproveIt360 is not connected for this org: authorize "
			"it first");
		goto fail;
	}
	if (base)
		cfg = *base;
	else
		memset(&cfg, 0, sizeof(cfg));
	cfg.login_url = in.login_url;
	cfg.consumer_key = in.consumer_key;
	cfg.consumer_secret = in.consumer_secret;
	cfg.on_tokens = persist_tokens;
	cfg.tokens_arg = cs;
	cs->client = sf_client_new(&cfg, e);
	if (cs->client == NULL)
		goto fail;
	if (sf_client_set_tokens(cs->client, in.instance_url, in.access_token, in.refresh_token,
				 e) < 0)
		goto fail;
	cs->platform = in.platform;
	cs->documents = in.documents;
	cs->had_high_water = in.has_high_water;
	in.platform = in.documents = NULL;
	store_integration_free(&in);
	return cs;
fail:
	store_integration_free(&in);
	connect_session_close(cs);
	return NULL;
}

void connect_session_close(struct connect_session *cs)
{
	if (cs == NULL)
		return;
	sf_client_free(cs->client);
	free(cs->platform);
	free(cs->documents);
	free(cs);
}

int connect_disconnect(struct store *s, int64_t org_id, struct err *e)
{
	struct connect_session *cs;
	struct err re;

	cs = connect_session_open(s, org_id, NULL, &re);
	if (cs) {
		if (sf_oauth_revoke(cs->client, &re) < 0)
			log_warn("connect.revoke_failed", "org=%lld", (long long)org_id);
		connect_session_close(cs);
	}
	if (store_integration_disconnect(s, org_id, e) < 0)
		return -1;
	log_info("connect.disconnected", "org=%lld", (long long)org_id);
	return 0;
}

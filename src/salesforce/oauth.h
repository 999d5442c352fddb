/* oauth: Salesforce's OAuth 2.0 web-server flow: authorize URL, code, refresh, revoke, identity. */
#ifndef I360_SALESFORCE_OAUTH_H
#define I360_SALESFORCE_OAUTH_H

#include "salesforce/client.h"
#include "util/buf.h"
#include "util/err.h"

/*
 * The scope asked for. "full" gives the API; a refresh token is only issued for the
 * refresh_token scope, which Salesforce also names offline_access (the connected-app
 * checklist's "refresh_token, offline_access" is that one scope). Asking for
 * "full refresh_token" is the smallest request that works; adding offline_access
 * would ask for the same scope twice.
 */
#define SF_OAUTH_SCOPE "full refresh_token"

/*
 * Writes into out (replacing its contents) the URL to send the admin's browser to:
 * LOGIN_URL/services/oauth2/authorize?response_type=code&client_id=..&redirect_uri=..
 * &state=..&scope=full%20refresh_token. login_url is login.salesforce.com,
 * test.salesforce.com or a My Domain (https; loopback http for the sandbox).
 * Returns 0, or -1 with ERR_INVALID for a refused login URL or a missing argument.
 */
int sf_oauth_authorize_url(const char *login_url, const char *client_id,
			   const char *redirect_uri, const char *state, struct buf *out,
			   struct err *e);

/* What the token endpoint answered. Every string is owned (NULL when absent); free with
 * sf_oauth_tokens_free, which wipes the secrets. */
struct sf_oauth_tokens {
	char *access_token;
	char *refresh_token;
	char *instance_url;
	char *id_url;		/* the identity URL ("id") */
	char *issued_at;	/* milliseconds since the epoch, as text */
	char *scope;
};

/* Frees and wipes what t owns; NULL does nothing. */
void sf_oauth_tokens_free(struct sf_oauth_tokens *t);

/*
 * Checks Salesforce's token signature: base64(HMAC-SHA256(key = consumer secret,
 * message = id + issued_at)), compared in constant time.
 * Returns 0 when it matches, -1 when it does not or an argument is NULL or malformed.
 */
int sf_oauth_verify_signature(const char *consumer_secret, const char *id,
			      const char *issued_at, const char *signature);

/*
 * Trades an authorization code for tokens (grant_type=authorization_code) at the
 * client's login URL with its consumer key and secret; redirect_uri must be the one of
 * the authorize URL. The signature is required and verified. On success the client
 * holds the new tokens and out (overwritten; the caller frees it) has them too.
 * Returns 0, or -1 with ERR_AUTH (Salesforce refused the code or the client, or the
 * signature is missing or wrong: "the token signature does not match"), ERR_REMOTE,
 * ERR_IO. Salesforce's failure is in sf_client_last_error().
 */
int sf_oauth_exchange_code(struct sf_client *c, const char *code, const char *redirect_uri,
			   struct sf_oauth_tokens *out, struct err *e);

/*
 * Renews the client's access token with its refresh token (grant_type=refresh_token).
 * Keeps a rotated refresh token when Salesforce returns one, takes a new instance_url,
 * verifies the signature when one is sent, then calls the client's on_tokens callback.
 * sf_client requests call this themselves on INVALID_SESSION_ID; call it directly only
 * to check a connection.
 * Returns 0, or -1: when Salesforce answers invalid_grant (the refresh token was revoked
 * or expired) or refuses the client, sf_client_last_error() has kind SF_ERROR_REAUTH and
 * e ERR_AUTH: the org needs an admin to authorize again, and retrying cannot help.
 * Other failures as for any request.
 */
int sf_oauth_refresh(struct sf_client *c, struct err *e);

/*
 * Revokes the client's grant at the login URL (the refresh token, which also ends the
 * access tokens issued from it; the access token when there is none). A token that is
 * already invalid counts as revoked. The client keeps its tokens in memory; free it.
 * Returns 0, or -1 with ERR_REMOTE / ERR_IO.
 */
int sf_oauth_revoke(struct sf_client *c, struct err *e);

/* Who connected the org, from the identity URL. Owned strings (NULL when absent); free
 * with sf_oauth_identity_free. */
struct sf_identity {
	char *user_id;
	char *organization_id;
	char *username;
	char *display_name;
	char *email;
};

/*
 * Fetches the identity URL (sf_oauth_tokens.id_url) with the client's token.
 * Returns 0 with out filled (overwritten; the caller frees it), or -1 with ERR_AUTH,
 * ERR_REMOTE or ERR_IO.
 */
int sf_oauth_identity(struct sf_client *c, const char *id_url, struct sf_identity *out,
		      struct err *e);

/* Frees what id owns; NULL does nothing. */
void sf_oauth_identity_free(struct sf_identity *id);

#endif

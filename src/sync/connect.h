/* connect: an org's OAuth connection to I360, and Salesforce clients built from it. */
#ifndef I360_SYNC_CONNECT_H
#define I360_SYNC_CONNECT_H

#include <stdint.h>

#include "salesforce/client.h"
#include "store/store.h"
#include "util/err.h"

/* How long an authorization link stays valid (the state's life). */
#define CONNECT_STATE_TTL_MS (10 * 60 * 1000)
#define CONNECT_DEFAULT_LOGIN_URL "https://login.salesforce.com"

/*
 * Step 1 of the web-server flow: keeps the connected app's consumer key and secret
 * (sealed) and login URL for org_id, makes a single-use state bound to the org, and
 * returns in *url (malloc'd; the caller frees) the Salesforce authorize URL to send the
 * admin's browser to. login_url NULL or "" means login.salesforce.com; it must be https
 * (http only for loopback hosts). redirect_uri is PUBLIC_URL/auth/improveit360/callback.
 * Returns 0, or -1 with ERR_INVALID (bad key, secret or login URL), ERR_NOT_FOUND.
 */
int connect_authorize_url(struct store *s, int64_t org_id, const char *consumer_key,
			  const char *consumer_secret, const char *login_url,
			  const char *redirect_uri, char **url, struct err *e);

/*
 * Step 2: Salesforce sent the browser back with ?code=&state= (or ?error=&
 * error_description=&state=). Consumes the state (single-use; unknown, used or expired
 * is ERR_AUTH and nothing is stored), then either reports Salesforce's refusal (error
 * set: ERR_AUTH with a sentence for the admin; access_denied says the admin clicked
 * Deny) or trades the code for tokens (the token signature is verified), reads who
 * connected from the identity URL, and stores the tokens sealed: the integration is
 * connected. *org_id is set as soon as the state names the org (0 before).
 * Returns 0, or -1 with e set; a refused code leaves the integration as it was.
 */
int connect_callback(struct store *s, const char *state, const char *code,
		     const char *error, const char *error_description,
		     const char *redirect_uri, int64_t *org_id, struct err *e);

/*
 * A Salesforce client for org_id made from its stored integration, with tokens
 * refreshed by the client written back to the store (sealed) as they change.
 * Returns the session (close it with connect_session_close), or NULL with ERR_INVALID
 * when the org is not connected, ERR_AUTH when it needs to be authorized again.
 * The session borrows s: one thread uses both.
 */
struct connect_session {
	struct sf_client *client;
	struct store *store;
	int64_t org_id;
	char *platform;		/* the integration's platform setting */
	char *documents;	/* "all" | "none" */
	int had_high_water;	/* the org had a high-water mark when the session opened:
				   some sync has pulled its appointments before */
};
struct connect_session *connect_session_open(struct store *s, int64_t org_id,
					     const struct sf_client_config *base,
					     struct err *e);
void connect_session_close(struct connect_session *cs);

/* Disconnect: revokes the grant at Salesforce (a failure there is logged, not fatal)
 * and forgets every secret; synced data stays. */
int connect_disconnect(struct store *s, int64_t org_id, struct err *e);

/* Whether url may be a login URL: https, or http to a loopback host. */
int connect_login_url_valid(const char *url, struct err *e);

#endif

/* session: the admin UI's sign-in sessions (kept in the store, behind an HttpOnly cookie). */
#ifndef I360_HTTP_SESSION_H
#define I360_HTTP_SESSION_H

#include <stdint.h>

#include "store/store.h"

/*
 * A session is made when an admin signs in with the org's API token. The browser
 * holds only a random session id in an HttpOnly, SameSite=Strict cookie; the store
 * maps (a hash of) it to the org and to a CSRF token that the UI sends back in the
 * X-CSRF-Token header of every state-changing request. Sessions live SESSION_TTL_MS
 * from their last use. Being in the store, they survive restarts and are known to
 * every serve process sharing it (behind a load balancer).
 */
#define SESSION_COOKIE "i360_session"
#define SESSION_TTL_MS ((int64_t)8 * 3600 * 1000)
#define SESSION_ID_LEN STORE_SESSION_LEN	/* 32 random bytes in hex, and the NUL */

/* Makes a session for org_id; writes its id and CSRF token (both hex, NUL-ended).
 * Returns 0, or -1 when the store failed. */
int session_create(struct store *s, int64_t org_id, char id[SESSION_ID_LEN],
		   char csrf[SESSION_ID_LEN]);

/* Looks up a live session by id: 0 with *org_id (and csrf copied when csrf is not
 * NULL) and its life extended, or -1 when unknown or expired. */
int session_find(struct store *s, const char *id, int64_t *org_id, char csrf[SESSION_ID_LEN]);

/* Forgets a session (sign-out); an unknown id does nothing. */
void session_delete(struct store *s, const char *id);

/* Whether given equals the session's csrf token, in constant time. */
int session_csrf_ok(const char *expected, const char *given);

#endif

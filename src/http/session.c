/* session: the admin UI's sign-in sessions (kept in the store, behind an HttpOnly cookie). */
#include "http/session.h"

#include <sodium.h>
#include <string.h>

#include "util/log.h"

int session_create(struct store *s, int64_t org_id, char id[SESSION_ID_LEN],
		   char csrf[SESSION_ID_LEN])
{
	struct err e;

	if (store_session_create(s, org_id, SESSION_TTL_MS, id, csrf, &e) < 0) {
		log_error("session.create_failed", "org=%lld", (long long)org_id);
		return -1;
	}
	return 0;
}

int session_find(struct store *s, const char *id, int64_t *org_id, char csrf[SESSION_ID_LEN])
{
	struct err e;

	return store_session_find(s, id, SESSION_TTL_MS, org_id, csrf, &e);
}

void session_delete(struct store *s, const char *id)
{
	struct err e;

	store_session_delete(s, id, &e);
}

int session_csrf_ok(const char *expected, const char *given)
{
	if (expected == NULL || given == NULL || strlen(given) != SESSION_ID_LEN - 1 ||
	    strlen(expected) != SESSION_ID_LEN - 1)
		return 0;
	return sodium_memcmp(expected, given, SESSION_ID_LEN - 1) == 0;
}

/* store_session: the admin UI's sign-in sessions, shared by every serve process. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

static void random_hex(char out[STORE_SESSION_LEN])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, STORE_SESSION_LEN, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

int store_session_create(struct store *s, int64_t org_id, int64_t ttl_ms,
			 char id[STORE_SESSION_LEN], char csrf[STORE_SESSION_LEN], struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];
	int64_t now = isotime_now_ms();

	random_hex(id);
	random_hex(csrf);
	seal_token_hash(id, hash);
	if (store__exec(s, "DELETE FROM ui_sessions WHERE expires_at < ?", e, "i", now) < 0)
		return -1;
	return store__exec(s, "INSERT INTO ui_sessions (id_hash, org_id, csrf, expires_at)"
			      " VALUES (?, ?, ?, ?)", e, "titi", hash, org_id, csrf,
			   now + ttl_ms) < 0 ? -1 : 0;
}

int store_session_find(struct store *s, const char *id, int64_t ttl_ms, int64_t *org_id,
		       char csrf[STORE_SESSION_LEN], struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];
	int64_t now = isotime_now_ms(), expires = 0;
	struct db_stmt *st;
	int rc;

	if (id == NULL || strlen(id) != STORE_SESSION_LEN - 1)
		return err_set(e, ERR_AUTH, "the session is unknown or has expired");
	seal_token_hash(id, hash);
	st = store__query(s, "SELECT org_id, csrf, expires_at FROM ui_sessions"
			     " WHERE id_hash = ? AND expires_at > ?", e, "ti", hash, now);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		const char *c = db_col_text(st, 1);
		*org_id = db_col_int64(st, 0);
		if (csrf)
			snprintf(csrf, STORE_SESSION_LEN, "%s", c ? c : "");
		expires = db_col_int64(st, 2);
	} else if (rc == 0) {
		err_set(e, ERR_AUTH, "the session is unknown or has expired");
	}
	db_finish(st);
	if (rc != 1)
		return -1;
	/* Sliding expiry without a write on every request. */
	if (expires - now < ttl_ms / 2 &&
	    store__exec(s, "UPDATE ui_sessions SET expires_at = ? WHERE id_hash = ?", e, "it",
			now + ttl_ms, hash) < 0)
		return -1;
	return 0;
}

int store_session_delete(struct store *s, const char *id, struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];

	if (id == NULL)
		return 0;
	seal_token_hash(id, hash);
	return store__exec(s, "DELETE FROM ui_sessions WHERE id_hash = ?", e, "t", hash) < 0
		       ? -1 : 0;
}

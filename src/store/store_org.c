/* store_org: orgs, their API tokens and their OCC users. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

void store_org_free(struct store_org *o)
{
	if (o == NULL)
		return;
	free(o->name);
	memset(o, 0, sizeof(*o));
}

static int token_insert(struct store *s, int64_t org_id, char token[SEAL_TOKEN_LEN],
			struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];

	seal_token_new(token);
	seal_token_hash(token, hash);
	return store__exec(s, "INSERT INTO api_tokens (org_id, token_hash, created_at) "
			      "VALUES (?, ?, ?)", e, "iti", org_id, hash,
			   isotime_now_ms()) < 0 ? -1 : 0;
}

int store_org_create(struct store *s, const char *name, int64_t *id,
		     char token[SEAL_TOKEN_LEN], struct err *e)
{
	char *clean = store__trim_dup(name);
	struct db_stmt *st = NULL;
	int own, rc = -1;

	if (clean == NULL || *clean == '\0' || strlen(clean) > 200) {
		free(clean);
		return err_set(e, ERR_INVALID, "an org name must be 1 to 200 characters");
	}
	if (store__tx_begin(s, &own, e) < 0)
		goto out;
	st = store__query(s, "INSERT INTO orgs (name, created_at) VALUES (?, ?) RETURNING id",
			  e, "ti", clean, isotime_now_ms());
	if (st == NULL || db_step(st, e) != 1)
		goto end;
	*id = db_col_int64(st, 0);
	db_finish(st);
	st = NULL;
	rc = token_insert(s, *id, token, e);
end:
	db_finish(st);
	rc = store__tx_end(s, own, rc, e);
out:
	free(clean);
	return rc;
}

int store_org_get(struct store *s, int64_t id, struct store_org *out, struct err *e)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	st = store__query(s, "SELECT id, name, created_at FROM orgs WHERE id = ?", e, "i", id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		out->id = db_col_int64(st, 0);
		out->name = store__col_dup(st, 1);
		out->created_at = db_col_int64(st, 2);
	} else if (rc == 0) {
		err_set(e, ERR_NOT_FOUND, "org %lld does not exist", (long long)id);
	}
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

int store_org_ids(struct store *s, int64_t **ids, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int64_t *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	st = store__query(s, "SELECT id FROM orgs ORDER BY id", e, "");
	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1) {
		if ((rc = store__grow(&v, &cap, len, sizeof(*v), e)) < 0)
			break;
		v[len++] = db_col_int64(st, 0);
	}
	db_finish(st);
	if (rc < 0) {
		free(v);
		return -1;
	}
	*ids = v;
	*n = len;
	return 0;
}

int store_token_create(struct store *s, int64_t org_id, char token[SEAL_TOKEN_LEN],
		       struct err *e)
{
	struct store_org o;

	if (store_org_get(s, org_id, &o, e) < 0)
		return -1;
	store_org_free(&o);
	return token_insert(s, org_id, token, e);
}

int store_token_org(struct store *s, const char *token, int64_t *org_id, struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];
	struct db_stmt *st;
	int rc;

	if (token == NULL || *token == '\0')
		return err_set(e, ERR_AUTH, "an API token is required");
	seal_token_hash(token, hash);
	st = store__query(s, "SELECT org_id FROM api_tokens WHERE token_hash = ?", e, "t", hash);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*org_id = db_col_int64(st, 0);
	else if (rc == 0)
		err_set(e, ERR_AUTH, "the API token is not valid");
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

/* ---- OCC users ---- */

char *store_email_norm(const char *email)
{
	char *n = store__trim_dup(email);

	for (char *p = n; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return n;
}

/* A plausible address: one '@' with text on both sides, a dot in the domain, no
 * spaces or control characters, at most 254 characters. */
static int email_plausible(const char *e)
{
	const char *at = strchr(e, '@');
	size_t n = strlen(e);

	if (n < 3 || n > 254 || at == NULL || at == e || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || e[n - 1] == '.')
		return 0;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

void store_user_clear(struct store_user *u)
{
	if (u == NULL)
		return;
	free(u->email);
	free(u->name);
	memset(u, 0, sizeof(*u));
}

void store_users_free(struct store_user *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++)
		store_user_clear(&u[i]);
	free(u);
}

int store_user_add(struct store *s, int64_t org_id, const char *email, const char *name,
		   int64_t *id, struct err *e)
{
	char *em = store__trim_dup(email), *norm = store_email_norm(email);
	char *nm = store__trim_dup(name);
	struct store_org o;
	struct db_stmt *st = NULL;
	int rc = -1;

	if (em == NULL || !email_plausible(em)) {
		err_set(e, ERR_INVALID, "'%s' is not an email address", email ? email : "");
		goto out;
	}
	if (nm == NULL || *nm == '\0' || strlen(nm) > 200) {
		err_set(e, ERR_INVALID, "a user's name must be 1 to 200 characters");
		goto out;
	}
	if (store_org_get(s, org_id, &o, e) < 0)
		goto out;
	store_org_free(&o);
	st = store__query(s, "INSERT INTO occ_users (org_id, email, email_norm, name, created_at)"
			     " VALUES (?, ?, ?, ?, ?) RETURNING id", e, "ittti",
			  org_id, em, norm, nm, isotime_now_ms());
	if (st == NULL)
		goto out;
	rc = db_step(st, e);
	if (rc == 1) {
		if (id)
			*id = db_col_int64(st, 0);
		rc = 0;
	} else if (e && e->code == ERR_CONFLICT) {
		err_set(e, ERR_CONFLICT, "a user with the email %s already exists in this org", em);
		rc = -1;
	} else {
		rc = -1;
	}
out:
	db_finish(st);
	free(em);
	free(norm);
	free(nm);
	return rc;
}

static void user_row(struct db_stmt *st, void *el)
{
	struct store_user *u = el;

	u->id = db_col_int64(st, 0);
	u->org_id = db_col_int64(st, 1);
	u->email = store__col_dup(st, 2);
	u->name = store__col_dup(st, 3);
}

static void users_free_all(void *v, size_t n)
{
	store_users_free(v, n);
}

int store_user_list(struct store *s, int64_t org_id, struct store_user **out, size_t *n,
		    struct err *e)
{
	return store__collect(store__query(s, "SELECT id, org_id, email, name FROM occ_users"
					      " WHERE org_id = ? ORDER BY id", e, "i", org_id),
			      sizeof(**out), user_row, users_free_all, out, n, e);
}

int store_user_get(struct store *s, int64_t org_id, int64_t id, struct store_user *out,
		   struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store__one(store__query(s, "SELECT id, org_id, email, name FROM occ_users"
					  " WHERE org_id = ? AND id = ?", e, "ii", org_id, id),
			  user_row, out, e, "no OCC user %lld in this org", (long long)id);
}

int store_user_find_email(struct store *s, int64_t org_id, const char *email,
			  struct store_user *out, struct err *e)
{
	char *norm = store_email_norm(email);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store__one(store__query(s, "SELECT id, org_id, email, name FROM occ_users"
					" WHERE org_id = ? AND email_norm = ?", e, "it", org_id,
				     norm ? norm : ""),
			user_row, out, e, "no OCC user %s in this org", email ? email : "");
	free(norm);
	return rc;
}

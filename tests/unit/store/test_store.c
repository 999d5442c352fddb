/* Unit tests of the store: every entity's round trip, uniqueness, migrations, sealing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"
#include "util/isotime.h"

#include "store/db.h"

/* Every test runs on both backends: SQLite always, PostgreSQL when
 * I360_TEST_PG_URL names a server (make check and .ci/run start one). */
enum backend { SQLITE, POSTGRES };
static enum backend backend_sqlite = SQLITE, backend_pg = POSTGRES;


struct fixture {
	enum backend backend;
	char path[512];	/* the SQLite file, or the PostgreSQL URL */
	struct store *s;
	int64_t org;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char token[SEAL_TOKEN_LEN];
	struct err e;
	int skip;

	f->backend = *state ? *(enum backend *)*state : SQLITE;
	*state = f;
	f->s = testutil_store_fresh(f->backend == POSTGRES, f->path, sizeof(f->path), &skip);
	if (f->s == NULL)
		return skip ? 0 : -1;	/* skipped: the test skips itself */
	if (store_org_create(f->s, "Acme", &f->org, token, &e) < 0)
		return -1;
	return 0;
}

/* Skips a PostgreSQL test when no server was given. */
#define NEED_STORE(f) do { if ((f)->s == NULL) skip(); } while (0)

/* Whether raw files can be searched for secrets (SQLite only). */
#define IS_FILE(f) ((f)->backend == SQLITE)

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	free(f);
	unsetenv("I360BRIDGE_MASTER_KEY");
	return 0;
}

static void test_migrations_twice(void **state)
{
	struct fixture *f = *state;
	struct store *again;
	struct err e;
	int applied = -1, version = 0;

	NEED_STORE(f);
	assert_int_equal(store_migrate(f->s, &applied, &e), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(store_schema_version(f->s, &version, &e), 0);
	assert_true(version >= 1);
	again = store_open(f->path, &e);
	assert_non_null(again);
	assert_int_equal(store_migrate(again, &applied, &e), 0);
	assert_int_equal(applied, 0);
	store_close(again);
}

static void test_orgs_and_tokens(void **state)
{
	struct fixture *f = *state;
	char token[SEAL_TOKEN_LEN], token2[SEAL_TOKEN_LEN];
	struct store_org o;
	int64_t id, org;
	int64_t *ids;
	size_t n;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_org_create(f->s, "  Beta Windows ", &id, token, &e), 0);
	assert_int_equal(store_org_get(f->s, id, &o, &e), 0);
	assert_string_equal(o.name, "Beta Windows");
	store_org_free(&o);
	assert_int_equal(strncmp(token, "i3b_", 4), 0);
	assert_int_equal(store_token_org(f->s, token, &org, &e), 0);
	assert_int_equal(org, id);
	assert_int_equal(store_token_create(f->s, id, token2, &e), 0);
	assert_string_not_equal(token, token2);
	assert_int_equal(store_token_org(f->s, token2, &org, &e), 0);
	assert_int_equal(org, id);
	assert_int_equal(store_token_org(f->s, "i3b_nope", &org, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_int_equal(store_org_get(f->s, 999, &o, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(store_org_create(f->s, "   ", &id, token, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_org_ids(f->s, &ids, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true(ids[0] < ids[1]);
	free(ids);
	/* Only the hash is kept. */
	if (IS_FILE(f))
		assert_int_equal(testutil_file_contains(f->path, token, strlen(token)), 0);
}

static void test_users(void **state)
{
	struct fixture *f = *state;
	struct store_user *u, one;
	size_t n;
	int64_t id, id2;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_user_add(f->s, f->org, " Rep@Example.com ", "Rita Rep", &id, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "rep@example.COM", "Other", &id2, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "already exists"));
	assert_int_equal(store_user_add(f->s, f->org, "not-an-email", "X", &id2, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_user_add(f->s, f->org, "a@b.co", " ", &id2, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_user_add(f->s, 4242, "a@b.co", "A", &id2, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(store_user_add(f->s, f->org, "zed@example.com", "Zed", &id2, &e), 0);
	assert_int_equal(store_user_list(f->s, f->org, &u, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(u[0].email, "Rep@Example.com");
	assert_string_equal(u[0].name, "Rita Rep");
	assert_int_equal(u[1].id, id2);
	store_users_free(u, n);
	assert_int_equal(store_user_find_email(f->s, f->org, "REP@example.com", &one, &e), 0);
	assert_int_equal(one.id, id);
	store_user_clear(&one);
	assert_int_equal(store_user_get(f->s, f->org, 9999, &one, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void test_integration_secrets(void **state)
{
	struct fixture *f = *state;
	struct store_integration in;
	struct store_tokens t = {
		.access_token = "00Dxx!ACCESS-TOKEN-very-secret",
		.refresh_token = "5Aep-REFRESH-very-secret",
		.instance_url = "https://acme.my.salesforce.com",
		.identity_url = "https://login.salesforce.com/id/00D/005",
		.connected_user = "admin@acme.com",
		.sf_org_id = "00D000000000001",
	};
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_integration_get(f->s, f->org, 1, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_DISCONNECTED);
	assert_string_equal(in.platform, "lightning");
	assert_string_equal(in.documents, "all");
	assert_null(in.access_token);
	store_integration_free(&in);

	assert_int_equal(store_integration_set_app(f->s, f->org, "https://login.salesforce.com",
						   "3MVG9-consumer-key", "CONSUMER-SECRET-xyz", &e), 0);
	assert_int_equal(store_integration_set_tokens(f->s, f->org, &t, &e), 0);
	assert_int_equal(store_integration_get(f->s, f->org, 1, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_CONNECTED);
	assert_string_equal(in.consumer_secret, "CONSUMER-SECRET-xyz");
	assert_string_equal(in.access_token, t.access_token);
	assert_string_equal(in.refresh_token, t.refresh_token);
	assert_string_equal(in.connected_user, "admin@acme.com");
	store_integration_free(&in);

	/* A refresh without rotation keeps the refresh token. */
	t.access_token = "00Dxx!ACCESS-2";
	t.refresh_token = NULL;
	t.identity_url = t.connected_user = t.sf_org_id = NULL;
	assert_int_equal(store_integration_set_tokens(f->s, f->org, &t, &e), 0);
	assert_int_equal(store_integration_get(f->s, f->org, 1, &in, &e), 0);
	assert_string_equal(in.access_token, "00Dxx!ACCESS-2");
	assert_string_equal(in.refresh_token, "5Aep-REFRESH-very-secret");
	assert_string_equal(in.connected_user, "admin@acme.com");
	store_integration_free(&in);

	/* Without want_secrets nothing secret is opened. */
	assert_int_equal(store_integration_get(f->s, f->org, 0, &in, &e), 0);
	assert_null(in.access_token);
	assert_null(in.consumer_secret);
	assert_string_equal(in.consumer_key, "3MVG9-consumer-key");
	store_integration_free(&in);

	assert_int_equal(store_integration_set_status(f->s, f->org, STORE_INT_NEEDS_REAUTH,
						      "expired access/refresh token", &e), 0);
	assert_int_equal(store_integration_set_settings(f->s, f->org, "classic", NULL, &e), 0);
	assert_int_equal(store_integration_set_settings(f->s, f->org, "windows", NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_integration_set_high_water(f->s, f->org, 5000, &e), 0);
	assert_int_equal(store_integration_set_high_water(f->s, f->org, 4000, &e), 0);
	assert_int_equal(store_integration_get(f->s, f->org, 0, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_NEEDS_REAUTH);
	assert_string_equal(in.platform, "classic");
	assert_string_equal(in.documents, "all");
	assert_string_equal(in.last_error, "expired access/refresh token");
	assert_true(in.has_high_water);
	assert_int_equal(in.high_water_ms, 5000);	/* only moves forward */
	store_integration_free(&in);

	/* None of the secrets is in the database file in plaintext. */
	if (IS_FILE(f)) {
	assert_int_equal(testutil_file_contains(f->path, "very-secret", 11), 0);
	assert_int_equal(testutil_file_contains(f->path, "CONSUMER-SECRET", 15), 0);
	assert_int_equal(testutil_file_contains(f->path, "ACCESS-2", 8), 0);
	/* Same check on the WAL, where fresh writes live first. */
	{
		char wal[600];
		snprintf(wal, sizeof(wal), "%s-wal", f->path);
		assert_int_not_equal(testutil_file_contains(wal, "very-secret", 11), 1);
		assert_int_not_equal(testutil_file_contains(wal, "CONSUMER-SECRET", 15), 1);
	}
	}

	assert_int_equal(store_integration_disconnect(f->s, f->org, &e), 0);
	assert_int_equal(store_integration_get(f->s, f->org, 1, &in, &e), 0);
	assert_int_equal(in.status, STORE_INT_DISCONNECTED);
	assert_null(in.access_token);
	assert_null(in.refresh_token);
	assert_null(in.consumer_secret);
	assert_string_equal(in.platform, "classic");
	store_integration_free(&in);
}

static void test_wrong_master_key(void **state)
{
	struct fixture *f = *state;
	char keypath[600];
	struct store *s;
	struct err e;

	NEED_STORE(f);
	/* A key that is not the database's. */
	setenv("I360BRIDGE_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
	s = store_open(f->path, &e);
	assert_null(s);
	assert_int_equal(e.code, ERR_CRYPTO);
	assert_non_null(strstr(e.msg, "master key"));
	/* A malformed key. */
	setenv("I360BRIDGE_MASTER_KEY", "not base64!", 1);
	assert_null(store_open(f->path, &e));
	assert_int_equal(e.code, ERR_CRYPTO);
	if (!IS_FILE(f))
		return;
	unsetenv("I360BRIDGE_MASTER_KEY");
	/* An existing database whose key file went missing is not given a new key. */
	snprintf(keypath, sizeof(keypath), "%s.key", f->path);
	rename(keypath, "/tmp/i360-moved.key");
	assert_null(store_open(f->path, &e));
	assert_int_equal(e.code, ERR_IO);
	rename("/tmp/i360-moved.key", keypath);
	s = store_open(f->path, &e);
	assert_non_null(s);
	store_close(s);
}

static void test_oauth_state(void **state)
{
	struct fixture *f = *state;
	char st[STORE_STATE_LEN];
	int64_t org;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_oauth_state_new(f->s, f->org, 600000, st, &e), 0);
	assert_int_equal(store_oauth_state_take(f->s, st, &org, &e), 0);
	assert_int_equal(org, f->org);
	/* Single use. */
	assert_int_equal(store_oauth_state_take(f->s, st, &org, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	/* Expired. */
	assert_int_equal(store_oauth_state_new(f->s, f->org, -1, st, &e), 0);
	assert_int_equal(store_oauth_state_take(f->s, st, &org, &e), -1);
	assert_int_equal(store_oauth_state_take(f->s, "forged", &org, &e), -1);
	assert_int_equal(store_oauth_state_new(f->s, 777, 1000, st, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void test_ui_sessions(void **state)
{
	struct fixture *f = *state;
	char id[STORE_SESSION_LEN], csrf[STORE_SESSION_LEN], got[STORE_SESSION_LEN];
	struct store *other;
	int64_t org = 0;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_session_create(f->s, f->org, 60000, id, csrf, &e), 0);
	assert_int_equal(strlen(id), 64);
	assert_string_not_equal(id, csrf);
	/* Another connection (another serve process) knows it. */
	other = store_open(f->path, &e);
	assert_non_null(other);
	assert_int_equal(store_session_find(other, id, 60000, &org, got, &e), 0);
	assert_int_equal(org, f->org);
	assert_string_equal(got, csrf);
	/* Only a hash of the id is kept. */
	if (IS_FILE(f))
		assert_int_equal(testutil_file_contains(f->path, id, strlen(id)), 0);
	assert_int_equal(store_session_delete(other, id, &e), 0);
	assert_int_equal(store_session_find(f->s, id, 60000, &org, got, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	store_close(other);
	/* Expired. */
	assert_int_equal(store_session_create(f->s, f->org, -1, id, csrf, &e), 0);
	assert_int_equal(store_session_find(f->s, id, 60000, &org, got, &e), -1);
	assert_int_equal(store_session_find(f->s, "short", 60000, &org, got, &e), -1);
}

static void test_staff_links(void **state)
{
	struct fixture *f = *state;
	struct store_staff *st, one;
	size_t n;
	int64_t u1, u2, linked;
	int created;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_user_add(f->s, f->org, "ann@example.com", "Ann", &u1, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "bob@example.com", "Bob", &u2, &e), 0);
	assert_int_equal(store_staff_upsert(f->s, f->org, "a0B000000000001AAA", "Ann Lee",
					    " ANN@Example.com ", &created, &e), 0);
	assert_true(created);
	/* The 15-character form of the same Id is the same staff member. */
	assert_int_equal(store_staff_upsert(f->s, f->org, "a0B000000000001", "Ann Lee",
					    " ANN@Example.com ", &created, &e), 0);
	assert_false(created);
	assert_int_equal(store_staff_upsert(f->s, f->org, "a0B000000000002AAA", "Bob Ray",
					    "bob@example.com", &created, &e), 0);
	assert_int_equal(store_staff_upsert(f->s, f->org, "a0B000000000003AAA", "No Mail",
					    NULL, &created, &e), 0);
	assert_int_equal(store_staff_upsert(f->s, f->org, "short", "X", NULL, &created, &e), -1);

	/* Bob is linked by hand to nobody before the auto-link: that decision stands. */
	assert_int_equal(store_staff_link(f->s, f->org, "a0B000000000002AAA", 0, 0, &e), 0);
	assert_int_equal(store_staff_autolink(f->s, f->org, &linked, &e), 0);
	assert_int_equal(linked, 1);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000001AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, u1);
	assert_true(one.active);
	assert_int_equal(one.linked_by, STORE_LINK_EMAIL);
	assert_true(one.backfill_pending);
	assert_string_equal(one.occ_user_email, "ann@example.com");
	store_staff_clear(&one);

	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000002AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, 0);
	assert_int_equal(one.linked_by, STORE_LINK_MANUAL);
	store_staff_clear(&one);

	/* A second auto-link changes nothing. */
	assert_int_equal(store_staff_autolink(f->s, f->org, &linked, &e), 0);
	assert_int_equal(linked, 0);

	/* A manual link to an OCC user of another org is refused. */
	{
		char tok[SEAL_TOKEN_LEN];
		int64_t other, ou;
		assert_int_equal(store_org_create(f->s, "Other", &other, tok, &e), 0);
		assert_int_equal(store_user_add(f->s, other, "x@other.com", "X", &ou, &e), 0);
		assert_int_equal(store_staff_link(f->s, f->org, "a0B000000000003AAA", ou, 1, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
		/* ... and the other org sees none of this org's staff. */
		assert_int_equal(store_staff_list(f->s, other, NULL, &st, &n, &e), 0);
		assert_int_equal(n, 0);
		store_staff_free(st, n);
	}
	assert_int_equal(store_staff_link(f->s, f->org, "a0B000000000003AAA", u2, 1, &e), 0);
	assert_int_equal(store_staff_backfill_done(f->s, f->org, isotime_now_ms(), &e), 0);

	assert_int_equal(store_staff_list(f->s, f->org, NULL, &st, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(st[0].name, "Ann Lee");
	assert_string_equal(st[2].name, "No Mail");
	assert_int_equal(st[2].occ_user_id, u2);
	assert_false(st[2].backfill_pending);
	store_staff_free(st, n);
	assert_int_equal(store_staff_list(f->s, f->org, "EXAMPLE.com", &st, &n, &e), 0);
	assert_int_equal(n, 2);
	store_staff_free(st, n);
	assert_int_equal(store_staff_list(f->s, f->org, "%", &st, &n, &e), 0);
	assert_int_equal(n, 0);	/* a literal percent sign matches nothing here */
	store_staff_free(st, n);
	assert_int_equal(store_staff_link(f->s, f->org, "a0B000000000009AAA", u1, 1, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
}

/* store_staff_upsert_many: a page of staff across statement tiers, one member given
 * twice (the later wins), an unchanged member not written again, a bad Id refused
 * with nothing written. */
static void test_staff_many(void **state)
{
	struct fixture *f = *state;
	struct store_staff_in in[41];
	char ids[41][19], names[41][32];
	struct store_staff *st, one;
	int64_t u, loaded_at;
	size_t n;
	struct err e;

	NEED_STORE(f);
	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof(ids[i]), "a0B0000000%05dAAA", i);
		snprintf(names[i], sizeof(names[i]), "Rep %d", i);
		in[i].crm_id = ids[i];
		in[i].name = names[i];
		in[i].email = i % 5 ? NULL : "rep@example.com";
	}
	assert_int_equal(store_staff_upsert_many(f->s, f->org, in, 40, 0, NULL, &e), 0);
	assert_int_equal(store_staff_list(f->s, f->org, NULL, &st, &n, &e), 0);
	assert_int_equal(n, 40);
	store_staff_free(st, n);
	assert_int_equal(store_staff_get(f->s, f->org, ids[35], &one, &e), 0);
	assert_string_equal(one.name, "Rep 35");
	assert_string_equal(one.email, "rep@example.com");
	store_staff_clear(&one);

	/* Rep 7 is linked by hand, and the pull that follows loads its list at loaded_at. */
	assert_int_equal(store_user_add(f->s, f->org, "seven@example.com", "Seven", &u, &e), 0);
	assert_int_equal(store_staff_link(f->s, f->org, ids[7], u, 1, &e), 0);
	usleep(3000);
	loaded_at = isotime_now_ms();
	usleep(3000);

	/* Again, with Rep 3 renamed and Rep 0 given twice: its 15-character form last. */
	snprintf(names[3], sizeof(names[3]), "Rep Three");
	memcpy(ids[40], ids[0], 15);
	ids[40][15] = '\0';
	in[40].crm_id = ids[40];
	in[40].name = "Rep Zero";
	in[40].email = NULL;
	assert_int_equal(store_staff_upsert_many(f->s, f->org, in, 41, 0, NULL, &e), 0);
	assert_int_equal(store_staff_list(f->s, f->org, NULL, &st, &n, &e), 0);
	assert_int_equal(n, 40);
	store_staff_free(st, n);
	assert_int_equal(store_staff_get(f->s, f->org, ids[3], &one, &e), 0);
	assert_string_equal(one.name, "Rep Three");
	store_staff_clear(&one);
	assert_int_equal(store_staff_get(f->s, f->org, ids[0], &one, &e), 0);
	assert_string_equal(one.name, "Rep Zero");
	assert_null(one.email);
	store_staff_clear(&one);
	/* Rep 7 was unchanged, so not written: its link, made before loaded_at, is what
	 * the backfill mark covers, and it is cleared. */
	assert_int_equal(store_staff_backfill_done(f->s, f->org, loaded_at, &e), 0);
	assert_int_equal(store_staff_get(f->s, f->org, ids[7], &one, &e), 0);
	assert_int_equal(one.occ_user_id, u);
	assert_false(one.backfill_pending);
	store_staff_clear(&one);

	/* A bad Id anywhere: refused, nothing of the call written. */
	snprintf(names[20], sizeof(names[20]), "Changed");
	in[30].crm_id = "short";
	assert_int_equal(store_staff_upsert_many(f->s, f->org, in, 40, 0, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_staff_get(f->s, f->org, ids[20], &one, &e), 0);
	assert_string_equal(one.name, "Rep 20");
	store_staff_clear(&one);
	assert_int_equal(store_staff_upsert_many(f->s, f->org, in, 0, 0, NULL, &e), 0);

	/* A complete pull that did not return Reps 5 and 7 marks them gone; 7 keeps its
	 * link. A second such pull marks nothing more; a member upserted again is back. */
	{
		const char *seen[38];
		int64_t gone, linked;
		size_t k = 0;

		in[30].crm_id = ids[30];
		for (int i = 0; i < 40; i++)
			if (i != 5 && i != 7)
				seen[k++] = ids[i];
		assert_int_equal(store_staff_retire_unseen(f->s, f->org, seen, k, &gone, &e), 0);
		assert_int_equal(gone, 2);
		assert_int_equal(store_staff_retire_unseen(f->s, f->org, seen, k, &gone, &e), 0);
		assert_int_equal(gone, 0);
		assert_int_equal(store_staff_get(f->s, f->org, ids[7], &one, &e), 0);
		assert_false(one.in_crm);
		assert_int_equal(one.occ_user_id, u);
		store_staff_clear(&one);
		assert_int_equal(store_staff_get(f->s, f->org, ids[6], &one, &e), 0);
		assert_true(one.in_crm);
		store_staff_clear(&one);
		/* Rep 5 has the email of an OCC user now, but is gone: not auto-linked. */
		assert_int_equal(store_user_add(f->s, f->org, "rep@example.com", "Rep", &u, &e), 0);
		assert_int_equal(store_staff_autolink(f->s, f->org, &linked, &e), 0);
		assert_int_equal(store_staff_get(f->s, f->org, ids[5], &one, &e), 0);
		assert_int_equal(one.occ_user_id, 0);
		store_staff_clear(&one);
		/* Rep 5 comes back, unchanged otherwise. */
		assert_int_equal(store_staff_upsert_many(f->s, f->org, &in[5], 1, 0, NULL, &e), 0);
		assert_int_equal(store_staff_get(f->s, f->org, ids[5], &one, &e), 0);
		assert_true(one.in_crm);
		store_staff_clear(&one);
		assert_int_equal(store_staff_retire_unseen(f->s, f->org, seen, k, &gone, &e), 0);
		assert_int_equal(gone, 1);
		/* A bad Id among those seen is refused, nothing marked. */
		seen[0] = "bad";
		assert_int_equal(store_staff_retire_unseen(f->s, f->org, seen, k, &gone, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
	}
	/* New and changed members in one call: the new one inserted, the changed one
	 * updated, the rest left as they are. */
	{
		struct store_staff_in mix[3] = {
			{ "a0B0000000999990AAA", "Rep New", "new@example.com" },
			{ ids[4], "Rep Four", NULL },
			{ ids[6], names[6], in[6].email },
		};
		char newid[19];

		snprintf(newid, sizeof(newid), "a0B0000000%05dAAA", 99999);
		mix[0].crm_id = newid;
		assert_int_equal(store_staff_upsert_many(f->s, f->org, mix, 3, 0, NULL, &e), 0);
		assert_int_equal(store_staff_get(f->s, f->org, newid, &one, &e), 0);
		assert_string_equal(one.name, "Rep New");
		store_staff_clear(&one);
		assert_int_equal(store_staff_get(f->s, f->org, ids[4], &one, &e), 0);
		assert_string_equal(one.name, "Rep Four");
		store_staff_clear(&one);
		assert_int_equal(store_staff_list(f->s, f->org, NULL, &st, &n, &e), 0);
		assert_int_equal(n, 41);
		store_staff_free(st, n);
	}
}

/* STORE_STAFF_LINK: members the org never had are linked by email as they go in (the
 * email trimmed and in any case), marked for backfill with STORE_STAFF_BACKFILL only;
 * a member the org has, or a new one whose email is nobody's, is left unlinked. */
static void test_staff_many_link(void **state)
{
	struct fixture *f = *state;
	struct store_staff one;
	int64_t ann, bob, linked;
	struct err e;
	const struct store_staff_in first[] = {
		{ "a0B000000000001AAA", "Ann", " ANN@Example.com " },
		{ "a0B000000000002AAA", "Bob", "bob@example.com" },
		{ "a0B000000000003AAA", "Cy", "cy@example.com" },
		{ "a0B000000000004AAA", "Di", NULL },
	};
	const struct store_staff_in second[] = {
		{ "a0B000000000003AAA", "Cy", "cy@example.com" },	/* the org has Cy */
		{ "a0B000000000005AAA", "Ed", "ed@example.com" },
	};

	NEED_STORE(f);
	assert_int_equal(store_user_add(f->s, f->org, "ann@example.com", "Ann", &ann, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "Bob@Example.com", "Bob", &bob, &e), 0);
	assert_int_equal(store_staff_upsert_many(f->s, f->org, first, 4, STORE_STAFF_LINK,
						 &linked, &e), 0);
	assert_int_equal(linked, 2);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000001AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, ann);
	assert_int_equal(one.linked_by, STORE_LINK_EMAIL);
	assert_true(one.active);
	assert_false(one.backfill_pending);
	assert_string_equal(one.email, " ANN@Example.com ");
	store_staff_clear(&one);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000002AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, bob);
	store_staff_clear(&one);
	for (int i = 2; i < 4; i++) {
		assert_int_equal(store_staff_get(f->s, f->org, first[i].crm_id, &one, &e), 0);
		assert_int_equal(one.occ_user_id, 0);
		assert_int_equal(one.linked_by, STORE_LINK_NONE);
		assert_false(one.active);
		store_staff_clear(&one);
	}

	/* Cy and Ed get OCC users; only Ed, new, is linked by the upsert, and marked. */
	assert_int_equal(store_user_add(f->s, f->org, "cy@example.com", "Cy", &bob, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "ed@example.com", "Ed", &bob, &e), 0);
	assert_int_equal(store_staff_upsert_many(f->s, f->org, second, 2,
						 STORE_STAFF_LINK | STORE_STAFF_BACKFILL, &linked,
						 &e), 0);
	assert_int_equal(linked, 1);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000005AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, bob);
	assert_true(one.backfill_pending);
	store_staff_clear(&one);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000003AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, 0);
	store_staff_clear(&one);
	/* Autolink, as a pull runs it after the upserts, links Cy; Ann and Bob stay. */
	assert_int_equal(store_staff_autolink(f->s, f->org, &linked, &e), 0);
	assert_int_equal(linked, 1);
	assert_int_equal(store_staff_get(f->s, f->org, "a0B000000000001AAA", &one, &e), 0);
	assert_int_equal(one.occ_user_id, ann);
	assert_false(one.backfill_pending);
	store_staff_clear(&one);
}

static void test_reasons(void **state)
{
	struct fixture *f = *state;
	const struct store_reason_in d1[] = { { "Price", 1, NULL, 0 }, { "Timing", 1, NULL, 0 } };
	const struct store_reason_in d2[] = { { "Timing", 1, NULL, 0 } };
	const struct store_reason_in results[] = {
		{ "Sold", 1, NULL, 0 }, { "No Sale", 1, d1, 2 }, { "Reset", 0, d2, 1 },
	};
	struct store_reason *r;
	size_t n;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_APPOINTMENT, results, 3,
					       &e), 0);
	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_APPOINTMENT, results, 3,
					       &e), 0);
	assert_int_equal(store_reasons_list(f->s, f->org, STORE_REASON_APPOINTMENT, &r, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_string_equal(r[0].description, "Sold");
	assert_int_equal(r[0].parent_id, 0);
	assert_string_equal(r[2].description, "Reset");
	assert_int_equal(r[2].active, 0);
	assert_int_equal(r[2].position, 2);
	assert_string_equal(r[3].description, "Price");
	assert_int_equal(r[3].parent_id, r[1].id);
	assert_string_equal(r[5].description, "Timing");
	assert_int_equal(r[5].parent_id, r[2].id);
	assert_int_equal(r[5].position, 0);
	store_reasons_free(r, n);
	assert_int_equal(store_reasons_list(f->s, f->org, STORE_REASON_OPPORTUNITY, &r, &n, &e), 0);
	assert_int_equal(n, 0);
	store_reasons_free(r, n);
	/* Re-pulling a smaller set removes what disappeared. */
	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_APPOINTMENT, results, 1,
					       &e), 0);
	assert_int_equal(store_reasons_list(f->s, f->org, STORE_REASON_APPOINTMENT, &r, &n, &e), 0);
	assert_int_equal(n, 1);
	store_reasons_free(r, n);
}

static void sample_job(struct model_job *j, const char *id)
{
	memset(j, 0, sizeof(*j));
	j->appointment_id = strdup(id);
	j->customer_name = strdup("Ann Lée");
	j->name = strdup("Ann Lée: Windows;Doors");
	j->email = strdup("ann@example.com");
	j->line1 = strdup("1 Main St");
	j->city = strdup("Austin");
	j->state = strdup("TX");
	j->postal_code = strdup("78701");
	j->account_id = strdup("001000000000001AAA");
	j->salesrep_id = strdup("a0B000000000001AAA");
	j->nphones = 2;
	j->phones = calloc(2, sizeof(*j->phones));
	j->phones[0].name = strdup("Mobile");
	j->phones[0].number = strdup("(555) 123-4567");
	j->phones[1].number = strdup("555-987-6543");
	j->has_start = j->has_end = 1;
	isotime_parse_ms("2026-12-01T15:00:00Z", &j->start_ms);
	isotime_parse_ms("2026-12-01T16:30:00Z", &j->end_ms);
	j->summary = strdup("Ann Lée: Windows;Doors - Sales Call");
	j->nopps = 1;
	j->opps = calloc(1, sizeof(*j->opps));
	j->opps[0].id = strdup("a0C000000000001AAA");
	j->opps[0].name = strdup("Windows: Lee Windows");
	j->modstamp_ms = 1000;
}

static void test_jobs(void **state)
{
	struct fixture *f = *state;
	struct model_job j;
	struct store_job got, *list;
	enum store_upsert_result r;
	int64_t id, id2, u;
	size_t n;
	int changed;
	struct err e;
	char t[ISOTIME_LEN];

	NEED_STORE(f);
	assert_int_equal(store_user_add(f->s, f->org, "rep@example.com", "Rep", &u, &e), 0);
	sample_job(&j, "a0A000000000001AAA");
	assert_int_equal(store_job_upsert(f->s, f->org, &j, u, &r, &id, &e), 0);
	assert_int_equal(r, STORE_UPSERT_CREATED);
	/* The same record again changes nothing; its 15-char Id is the same job. */
	assert_int_equal(store_job_upsert(f->s, f->org, &j, u, &r, &id2, &e), 0);
	assert_int_equal(r, STORE_UPSERT_UNCHANGED);
	assert_int_equal(id2, id);
	free(j.appointment_id);
	j.appointment_id = strdup("a0A000000000001");
	free(j.city);
	j.city = strdup("Dallas");
	assert_int_equal(store_job_upsert(f->s, f->org, &j, u, &r, &id2, &e), 0);
	assert_int_equal(r, STORE_UPSERT_UPDATED);
	assert_int_equal(id2, id);

	assert_int_equal(store_job_get(f->s, f->org, id, &got, &e), 0);
	assert_string_equal(got.job.customer_name, "Ann Lée");
	assert_string_equal(got.job.city, "Dallas");
	assert_int_equal(got.job.nphones, 2);
	assert_string_equal(got.job.phones[0].name, "Mobile");
	assert_null(got.job.phones[1].name);
	assert_string_equal(got.job.phones[1].number, "555-987-6543");
	assert_int_equal(got.job.nopps, 1);
	assert_string_equal(got.job.opps[0].name, "Windows: Lee Windows");
	assert_null(got.job.opps[0].result);
	assert_int_equal(got.assigned_user_id, u);
	assert_string_equal(got.assigned_user_email, "rep@example.com");
	assert_string_equal(isotime_format(t, got.job.start_ms), "2026-12-01T15:00:00Z");
	assert_int_equal(got.job.status, MODEL_APPT_SCHEDULED);
	store_job_free(&got);

	/* Another org cannot see it. */
	{
		char tok[SEAL_TOKEN_LEN];
		int64_t other;
		assert_int_equal(store_org_create(f->s, "Other", &other, tok, &e), 0);
		assert_int_equal(store_job_get(f->s, other, id, &got, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
	}

	assert_int_equal(store_job_cancel(f->s, f->org, "a0A000000000001AAA", &changed, &e), 0);
	assert_true(changed);
	assert_int_equal(store_job_cancel(f->s, f->org, "a0A000000000001AAA", &changed, &e), 0);
	assert_false(changed);
	assert_int_equal(store_job_cancel(f->s, f->org, "a0A000000000099AAA", &changed, &e), 0);
	assert_false(changed);
	assert_int_equal(store_job_get(f->s, f->org, id, &got, &e), 0);
	assert_int_equal(got.job.status, MODEL_APPT_CANCELLED);
	assert_string_equal(got.job.city, "Dallas");	/* the data stays */
	store_job_free(&got);

	model_job_free(&j);
	sample_job(&j, "a0A000000000002AAA");
	free(j.email);
	j.email = NULL;
	j.has_end = 0;
	assert_int_equal(store_job_upsert(f->s, f->org, &j, 0, &r, &id2, &e), 0);
	assert_int_equal(r, STORE_UPSERT_CREATED);
	model_job_free(&j);

	assert_int_equal(store_job_list(f->s, f->org, 0, 10, &list, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[1].id, id2);
	assert_null(list[1].job.email);
	assert_false(list[1].job.has_end);
	assert_int_equal(list[1].assigned_user_id, 0);
	store_jobs_free(list, n);
	assert_int_equal(store_job_list(f->s, f->org, id, 10, &list, &n, &e), 0);
	assert_int_equal(n, 1);
	store_jobs_free(list, n);
	assert_int_equal(store_job_list(f->s, f->org, 0, 0, &list, &n, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

static void test_runs_and_leases(void **state)
{
	struct fixture *f = *state;
	struct store_run_counts c = { .users = 3, .users_linked = 1, .jobs_created = 10 };
	struct store_run run, *runs;
	struct store_run_error *errs;
	int64_t id, id2;
	size_t n;
	int got;
	struct err e;

	NEED_STORE(f);
	assert_int_equal(store_run_start(f->s, f->org, "manual", &id, &e), 0);
	assert_int_equal(store_run_start(f->s, f->org, "whenever", &id2, &e), -1);
	assert_int_equal(store_run_progress(f->s, id, &c, 4, "appointments", &e), 0);
	assert_int_equal(store_run_get(f->s, f->org, id, &run, &e), 0);
	assert_int_equal(run.status, STORE_RUN_RUNNING);
	assert_string_equal(run.step, "appointments");
	assert_int_equal(run.counts.jobs_created, 10);
	assert_int_equal(run.api_calls, 4);
	store_run_clear(&run);
	assert_int_equal(store_run_error_add(f->s, id, "i360core__Sales_Appointment__c",
					     "a0A000000000001AAA", "bad start time", &e), 0);
	c.record_errors = 1;
	assert_int_equal(store_run_finish(f->s, id, STORE_RUN_SUCCEEDED, &c, 6, NULL, &e), 0);
	assert_int_equal(store_run_start(f->s, f->org, "scheduled", &id2, &e), 0);
	assert_int_equal(store_run_finish(f->s, id2, STORE_RUN_FAILED, &c, 1,
					  "I360 refused the session", &e), 0);
	assert_int_equal(store_run_list(f->s, f->org, 10, &runs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, id2);
	assert_int_equal(runs[0].status, STORE_RUN_FAILED);
	assert_string_equal(runs[0].error, "I360 refused the session");
	assert_string_equal(runs[1].trigger, "manual");
	assert_int_equal(runs[1].counts.record_errors, 1);
	assert_null(runs[1].step);
	assert_true(runs[1].finished_at >= runs[1].started_at);
	store_runs_free(runs, n);
	assert_int_equal(store_run_errors_list(f->s, id, &errs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(errs[0].message, "bad start time");
	store_run_errors_free(errs, n);

	assert_int_equal(store_lease_acquire(f->s, f->org, "p1", 1000, 500, &got, &e), 0);
	assert_true(got);
	assert_int_equal(store_lease_acquire(f->s, f->org, "p2", 1200, 500, &got, &e), 0);
	assert_false(got);
	assert_int_equal(store_lease_acquire(f->s, f->org, "p1", 1300, 500, &got, &e), 0);
	assert_false(got);	/* not even for its own holder: one sync per org */
	assert_int_equal(store_lease_renew(f->s, f->org, "p1", 1300, 500, &got, &e), 0);
	assert_true(got);
	assert_int_equal(store_lease_renew(f->s, f->org, "p2", 1300, 500, &got, &e), 0);
	assert_false(got);
	assert_int_equal(store_lease_acquire(f->s, f->org, "p2", 1900, 500, &got, &e), 0);
	assert_true(got);	/* p1's lease expired at 1800 */
	assert_int_equal(store_lease_renew(f->s, f->org, "p1", 1950, 500, &got, &e), 0);
	assert_false(got);	/* p1 lost it */
	assert_int_equal(store_lease_release(f->s, f->org, "p1", &e), 0);
	assert_int_equal(store_lease_acquire(f->s, f->org, "p1", 2000, 500, &got, &e), 0);
	assert_false(got);	/* p1 could not release p2's lease */
	assert_int_equal(store_lease_release(f->s, f->org, "p2", &e), 0);
	assert_int_equal(store_lease_acquire(f->s, f->org, "p1", 2000, 500, &got, &e), 0);
	assert_true(got);
}

static void test_outbox_and_documents(void **state)
{
	struct fixture *f = *state;
	struct model_job j;
	enum store_upsert_result r;
	struct store_outbox_item *it;
	struct store_document *d;
	int64_t job, doc, ob1, ob2, depth, now;
	size_t n;
	struct err e;

	NEED_STORE(f);
	sample_job(&j, "a0A000000000007AAA");
	assert_int_equal(store_job_upsert(f->s, f->org, &j, 0, &r, &job, &e), 0);
	model_job_free(&j);
	assert_int_equal(store_document_add(f->s, f->org, job, "quote.pdf", "application/pdf",
					    1234, "abcd", "/var/docs/1", &doc, &e), 0);
	assert_int_equal(store_document_add(f->s, f->org, 99999, "x.pdf", NULL, 1, "ab", "/p",
					    &doc, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "appointment_stage",
					      "a0A000000000007AAA",
					      "{\"i360core__Status__c\":\"Sold\"}", 0, &ob1, &e), 0);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "document", "a0C000000000001AAA",
					      "{}", doc, &ob2, &e), 0);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "teleport", "x", "{}", 0, &ob2,
					      &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(store_outbox_depth(f->s, &depth, &e), 0);
	assert_int_equal(depth, 2);
	now = isotime_now_ms();

	assert_int_equal(store_outbox_claim(f->s, "w1", now, 60000, 10, &it, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].state, STORE_OUTBOX_SENDING);
	assert_int_equal(it[0].attempts, 1);
	store_outbox_free(it, n);
	/* Claimed items are not claimed again while the claim lives ... */
	assert_int_equal(store_outbox_claim(f->s, "w2", now + 1000, 60000, 10, &it, &n, &e), 0);
	assert_int_equal(n, 0);
	store_outbox_free(it, n);
	/* ... but are once it has expired (the claimant died). */
	assert_int_equal(store_outbox_claim(f->s, "w2", now + 61000, 60000, 1, &it, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].attempts, 2);
	store_outbox_free(it, n);

	assert_int_equal(store_outbox_done(f->s, ob1, NULL, &e), 0);
	assert_int_equal(store_outbox_fail(f->s, ob2, "UNABLE_TO_LOCK_ROW: try again", 0,
					   now + 5000, &e), 0);
	assert_int_equal(store_document_list(f->s, f->org, job, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].push_state, "queued");
	assert_string_equal(d[0].push_error, "UNABLE_TO_LOCK_ROW: try again");
	store_documents_free(d, n);
	assert_int_equal(store_outbox_claim(f->s, "w1", now + 4000, 60000, 10, &it, &n, &e), 0);
	assert_int_equal(n, 0);	/* not due yet */
	store_outbox_free(it, n);
	assert_int_equal(store_outbox_fail(f->s, ob2, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", 1,
					   now, &e), 0);
	assert_int_equal(store_document_set_version(f->s, doc, "068000000000001AAA", &e), 0);
	assert_int_equal(store_outbox_list(f->s, f->org, job, &it, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].state, STORE_OUTBOX_DONE);
	assert_int_equal(it[1].state, STORE_OUTBOX_FAILED);
	assert_int_equal(it[1].document_id, doc);
	store_outbox_free(it, n);
	assert_int_equal(store_outbox_depth(f->s, &depth, &e), 0);
	assert_int_equal(depth, 0);
	assert_int_equal(store_document_list(f->s, f->org, job, &d, &n, &e), 0);
	assert_string_equal(d[0].content_version_id, "068000000000001AAA");
	assert_string_equal(d[0].push_state, "failed");
	store_documents_free(d, n);
}

/* Stage pushes of one record go out in order; an overtaken one is known. */
static void test_outbox_stage_order(void **state)
{
	struct fixture *f = *state;
	struct model_job j;
	enum store_upsert_result r;
	struct store_outbox_item *it;
	int64_t job, first, second, other, newer;
	size_t n;
	struct err e;

	NEED_STORE(f);
	sample_job(&j, "a0A000000000008AAA");
	assert_int_equal(store_job_upsert(f->s, f->org, &j, 0, &r, &job, &e), 0);
	model_job_free(&j);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "appointment_stage",
					      "a0A000000000008AAA", "{\"s\":1}", 0, &first, &e), 0);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "appointment_stage",
					      "a0A000000000008AAA", "{\"s\":2}", 0, &second, &e), 0);
	assert_int_equal(store_outbox_enqueue(f->s, f->org, job, "opportunity_stage",
					      "a0C000000000001AAA", "{}", 0, &other, &e), 0);
	/* The second waits for the first; another record's stage does not. */
	assert_int_equal(store_outbox_claim(f->s, "w", isotime_now_ms() + 1, 60000, 10, &it, &n,
					    &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(it[0].id, first);
	assert_int_equal(it[1].id, other);
	assert_int_equal(store_outbox_newer_stage(f->s, &it[0], &newer, &e), 0);
	assert_int_equal(newer, second);	/* the first has been overtaken */
	store_outbox_free(it, n);
	assert_int_equal(store_outbox_done(f->s, first, "superseded", &e), 0);
	assert_int_equal(store_outbox_claim(f->s, "w", isotime_now_ms() + 1, 60000, 10, &it, &n,
					    &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].id, second);
	assert_int_equal(store_outbox_newer_stage(f->s, &it[0], &newer, &e), 0);
	assert_int_equal(newer, 0);
	store_outbox_free(it, n);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct store_user *u;
	size_t n;
	int64_t id;
	struct err e;

	NEED_STORE(f);
	/* Work inside a caller's transaction is undone by its rollback. */
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_begin(f->s, &e), -1);	/* no nesting */
	assert_int_equal(store_user_add(f->s, f->org, "tx@example.com", "Tx", &id, &e), 0);
	store_rollback(f->s);
	assert_int_equal(store_user_list(f->s, f->org, &u, &n, &e), 0);
	assert_int_equal(n, 0);
	store_users_free(u, n);
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_int_equal(store_user_add(f->s, f->org, "tx@example.com", "Tx", &id, &e), 0);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(store_user_list(f->s, f->org, &u, &n, &e), 0);
	assert_int_equal(n, 1);
	store_users_free(u, n);
}

/* Paging an org's jobs by id (GET /api/jobs) walks an index in order: no reading of
 * every job of the org and sorting them for each page; a job's documents and their
 * latest pushes are found by index, not by reading every org's. SQLite's plans, from
 * the file. */
static void test_jobs_page_plan(void **state)
{
	struct fixture *f = *state;
	static const char *const shapes[] = {
		"EXPLAIN QUERY PLAN SELECT d.id, o.id FROM documents d LEFT JOIN outbox o ON"
		" o.id = (SELECT MAX(id) FROM outbox WHERE document_id = d.id)"
		" WHERE d.org_id = 1 AND d.job_id = 7 ORDER BY d.id",
		"EXPLAIN QUERY PLAN SELECT jobs.id FROM jobs JOIN appointments"
		" ON appointments.job_id = jobs.id WHERE jobs.org_id = 1 AND jobs.id > 0"
		" ORDER BY jobs.id LIMIT 51",
		"EXPLAIN QUERY PLAN SELECT jobs.id FROM jobs JOIN appointments"
		" ON appointments.job_id = jobs.id WHERE jobs.org_id = 1 AND jobs.id > 0"
		" AND LOWER(COALESCE(jobs.name, '')) LIKE '%ann%' ORDER BY jobs.id LIMIT 51",
	};
	sqlite3 *db;

	NEED_STORE(f);
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		sqlite3_stmt *st;
		int ordered = 0, sorted = 0, scanned = 0;

		assert_int_equal(sqlite3_prepare_v2(db, shapes[i], -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);

			ordered |= d && strstr(d, "jobs_org_id") != NULL;
			sorted |= d && strstr(d, "TEMP B-TREE") != NULL;
			/* "SCAN d" or "SCAN outbox": every row of the table read. */
			scanned |= d && strncmp(d, "SCAN ", 5) == 0;
		}
		sqlite3_finalize(st);
		assert_true(ordered || i == 0);
		assert_false(sorted);
		assert_false(scanned);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_migrations_twice, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_orgs_and_tokens, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_users, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_integration_secrets, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_wrong_master_key, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_oauth_state, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_staff_links, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_staff_many, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_staff_many_link, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_ui_sessions, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_reasons, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_jobs, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_runs_and_leases, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_outbox_and_documents, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_transactions, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_outbox_stage_order, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_jobs_page_plan, setup, teardown, &backend_sqlite),
		cmocka_unit_test_prestate_setup_teardown(test_migrations_twice, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_orgs_and_tokens, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_users, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_integration_secrets, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_wrong_master_key, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_oauth_state, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_staff_links, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_staff_many, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_staff_many_link, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_ui_sessions, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_reasons, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_jobs, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_runs_and_leases, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_outbox_and_documents, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_transactions, setup, teardown, &backend_pg),
		cmocka_unit_test_prestate_setup_teardown(test_outbox_stage_order, setup, teardown, &backend_pg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

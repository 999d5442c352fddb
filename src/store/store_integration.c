/* store_integration: an org's ImproveIt360 connection, its sealed secrets, OAuth states. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

const char *const store_integration_status_names[STORE_INT__MAX] = {
	[STORE_INT_DISCONNECTED] = "disconnected",
	[STORE_INT_CONNECTED] = "connected",
	[STORE_INT_NEEDS_REAUTH] = "needs_reauthorization",
};

void store_integration_free(struct store_integration *in)
{
	if (in == NULL)
		return;
	free(in->platform);
	free(in->documents);
	free(in->login_url);
	free(in->consumer_key);
	seal_free_secret(in->consumer_secret);
	seal_free_secret(in->access_token);
	seal_free_secret(in->refresh_token);
	free(in->instance_url);
	free(in->identity_url);
	free(in->connected_user);
	free(in->sf_org_id);
	free(in->last_error);
	memset(in, 0, sizeof(*in));
}

/* Makes sure the org has an integration row (and exists: ERR_NOT_FOUND if not). */
static int integration_row(struct store *s, int64_t org_id, struct err *e)
{
	struct store_org o;

	if (store_org_get(s, org_id, &o, e) < 0)
		return -1;
	store_org_free(&o);
	return store__exec(s, "INSERT INTO integrations (org_id, updated_at) VALUES (?, ?) "
			      "ON CONFLICT (org_id) DO NOTHING", e, "ii", org_id,
			   isotime_now_ms()) < 0 ? -1 : 0;
}

int store_integration_get(struct store *s, int64_t org_id, int want_secrets,
			  struct store_integration *out, struct err *e)
{
	struct db_stmt *st;
	int rc, made = 0;

	memset(out, 0, sizeof(*out));
again:
	st = store__query(s, "SELECT status, platform, documents, login_url, consumer_key,"
			     " consumer_secret, access_token, refresh_token, instance_url,"
			     " identity_url, connected_user, sf_org_id, high_water_ms,"
			     " next_sync_at, last_error, updated_at, api_used, api_max"
			     " FROM integrations WHERE org_id = ?", e, "i", org_id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 0 && !made) {
		/* An org that never started an integration gets its default row. */
		db_finish(st);
		if (integration_row(s, org_id, e) < 0)
			return -1;
		made = 1;
		goto again;
	}
	if (rc == 0)
		rc = err_set(e, ERR_NOT_FOUND, "org %lld has no integration", (long long)org_id);
	if (rc < 0)
		goto out;
	out->org_id = org_id;
	rc = store__enum_parse(store_integration_status_names, STORE_INT__MAX,
			       db_col_text(st, 0));
	out->status = rc < 0 ? STORE_INT_DISCONNECTED : (enum store_integration_status)rc;
	out->platform = store__col_dup(st, 1);
	out->documents = store__col_dup(st, 2);
	out->login_url = store__col_dup(st, 3);
	out->consumer_key = store__col_dup(st, 4);
	rc = 0;
	if (want_secrets &&
	    (store__col_open(s, st, 5, &out->consumer_secret, e) < 0 ||
	     store__col_open(s, st, 6, &out->access_token, e) < 0 ||
	     store__col_open(s, st, 7, &out->refresh_token, e) < 0))
		rc = -1;
	out->instance_url = store__col_dup(st, 8);
	out->identity_url = store__col_dup(st, 9);
	out->connected_user = store__col_dup(st, 10);
	out->sf_org_id = store__col_dup(st, 11);
	out->has_high_water = !db_col_is_null(st, 12);
	out->high_water_ms = db_col_int64(st, 12);
	out->has_next_sync = !db_col_is_null(st, 13);
	out->next_sync_at = db_col_int64(st, 13);
	out->last_error = store__col_dup(st, 14);
	out->updated_at = db_col_int64(st, 15);
	out->has_api_usage = !db_col_is_null(st, 16) && !db_col_is_null(st, 17);
	out->api_used = db_col_int64(st, 16);
	out->api_max = db_col_int64(st, 17);
out:
	db_finish(st);
	if (rc < 0)
		store_integration_free(out);
	return rc;
}

int store_integration_set_app(struct store *s, int64_t org_id, const char *login_url,
			      const char *consumer_key, const char *consumer_secret,
			      struct err *e)
{
	struct db_stmt *st;
	int own, rc = -1;

	if (consumer_key == NULL || *consumer_key == '\0' || consumer_secret == NULL ||
	    *consumer_secret == '\0')
		return err_set(e, ERR_INVALID, "a consumer key and a consumer secret are required");
	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	if (integration_row(s, org_id, e) < 0)
		goto out;
	st = store__query(s, "UPDATE integrations SET login_url = ?, consumer_key = ?,"
			     " consumer_secret = ?, updated_at = ? WHERE org_id = ?", e, "");
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, login_url);
	db_bind_text(st, 2, consumer_key);
	rc = store__bind_sealed(s, st, 3, consumer_secret, e);
	db_bind_int64(st, 4, isotime_now_ms());
	db_bind_int64(st, 5, org_id);
	if (rc == 0)
		rc = db_step(st, e) < 0 ? -1 : 0;
	db_finish(st);
out:
	return store__tx_end(s, own, rc, e);
}

int store_integration_set_tokens(struct store *s, int64_t org_id,
				 const struct store_tokens *t, struct err *e)
{
	struct db_stmt *st;
	int own, rc = -1;

	if (t->access_token == NULL || t->instance_url == NULL)
		return err_set(e, ERR_INVALID, "an access token and an instance URL are required");
	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	if (integration_row(s, org_id, e) < 0)
		goto out;
	st = store__query(s, "UPDATE integrations SET status = 'connected', access_token = ?,"
			     " refresh_token = COALESCE(?, refresh_token), instance_url = ?,"
			     " identity_url = COALESCE(?, identity_url),"
			     " connected_user = COALESCE(?, connected_user),"
			     " sf_org_id = COALESCE(?, sf_org_id), last_error = NULL,"
			     " updated_at = ? WHERE org_id = ?", e, "");
	if (st == NULL)
		goto out;
	rc = store__bind_sealed(s, st, 1, t->access_token, e);
	if (rc == 0)
		rc = store__bind_sealed(s, st, 2, t->refresh_token, e);
	db_bind_text(st, 3, t->instance_url);
	db_bind_text(st, 4, t->identity_url);
	db_bind_text(st, 5, t->connected_user);
	db_bind_text(st, 6, t->sf_org_id);
	db_bind_int64(st, 7, isotime_now_ms());
	db_bind_int64(st, 8, org_id);
	if (rc == 0)
		rc = db_step(st, e) < 0 ? -1 : 0;
	db_finish(st);
out:
	return store__tx_end(s, own, rc, e);
}

int store_integration_set_status(struct store *s, int64_t org_id,
				 enum store_integration_status status, const char *last_error,
				 struct err *e)
{
	if ((int)status < 0 || status >= STORE_INT__MAX)
		return err_set(e, ERR_INVALID, "unknown integration status");
	if (integration_row(s, org_id, e) < 0)
		return -1;
	return store__exec(s, "UPDATE integrations SET status = ?, last_error = ?,"
			      " updated_at = ? WHERE org_id = ?", e, "ttii",
			   store_integration_status_names[status], last_error,
			   isotime_now_ms(), org_id) < 0 ? -1 : 0;
}

int store_integration_run_ended(struct store *s, int64_t org_id, int succeeded,
				int usage_known, int64_t used, int64_t max, struct err *e)
{
	if (!succeeded && !usage_known)
		return 0;
	return store__exec(s, "UPDATE integrations SET"
			      " last_error = CASE WHEN ? = 1 AND status = 'connected' THEN NULL"
			      " ELSE last_error END,"
			      " api_used = CASE WHEN ? = 1 THEN ? ELSE api_used END,"
			      " api_max = CASE WHEN ? = 1 THEN ? ELSE api_max END"
			      " WHERE org_id = ?", e, "iiiiii", (int64_t)(succeeded != 0),
			   (int64_t)(usage_known != 0), used, (int64_t)(usage_known != 0), max,
			   org_id) < 0 ? -1 : 0;
}

int store_integration_set_settings(struct store *s, int64_t org_id, const char *platform,
				   const char *documents, struct err *e)
{
	if (platform && strcmp(platform, "lightning") != 0 && strcmp(platform, "classic") != 0)
		return err_set(e, ERR_INVALID, "platform must be \"lightning\" or \"classic\"");
	if (documents && strcmp(documents, "all") != 0 && strcmp(documents, "none") != 0)
		return err_set(e, ERR_INVALID, "documents must be \"all\" or \"none\"");
	if (integration_row(s, org_id, e) < 0)
		return -1;
	return store__exec(s, "UPDATE integrations SET platform = COALESCE(?, platform),"
			      " documents = COALESCE(?, documents), updated_at = ?"
			      " WHERE org_id = ?", e, "ttii", platform, documents,
			   isotime_now_ms(), org_id) < 0 ? -1 : 0;
}

int store_integration_disconnect(struct store *s, int64_t org_id, struct err *e)
{
	if (integration_row(s, org_id, e) < 0)
		return -1;
	return store__exec(s, "UPDATE integrations SET status = 'disconnected',"
			      " consumer_secret = NULL, access_token = NULL,"
			      " refresh_token = NULL, last_error = NULL, next_sync_at = NULL,"
			      " updated_at = ? WHERE org_id = ?", e, "ii", isotime_now_ms(),
			   org_id) < 0 ? -1 : 0;
}

int store_integration_set_high_water(struct store *s, int64_t org_id, int64_t ms,
				     struct err *e)
{
	return store__exec(s, "UPDATE integrations SET high_water_ms = ? WHERE org_id = ?"
			      " AND (high_water_ms IS NULL OR high_water_ms < ?)", e, "iii",
			   ms, org_id, ms) < 0 ? -1 : 0;
}

int store_integration_set_next_sync(struct store *s, int64_t org_id, int64_t at,
				    struct err *e)
{
	return store__exec(s, "UPDATE integrations SET next_sync_at = ? WHERE org_id = ?", e,
			   "ii", at, org_id) < 0 ? -1 : 0;
}

/* Runs an aggregate query and hands each of its rows to fill. */
static int aggregate(struct store *s, const char *sql, struct err *e, const char *fmt, int64_t a,
		   void (*fill)(struct db_stmt *st, struct store_metrics *m), struct store_metrics *m)
{
	struct db_stmt *st = *fmt ? store__query(s, sql, e, fmt, a) : store__query(s, sql, e, "");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1)
		fill(st, m);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

static void fill_integrations(struct db_stmt *st, struct store_metrics *m)
{
	int k = store__enum_parse(store_integration_status_names, STORE_INT__MAX,
				  db_col_text(st, 0));
	if (k >= 0)
		m->integrations[k] = db_col_int64(st, 1);
}

static void fill_runs(struct db_stmt *st, struct store_metrics *m)
{
	static const char *const names[] = { "running", "succeeded", "failed" };
	int k = store__enum_parse(names, 3, db_col_text(st, 0));

	if (k < 0)
		return;
	m->runs[k] = db_col_int64(st, 1);
	m->run_seconds[k] = (double)db_col_int64(st, 2) / 1000.0;
	m->api_calls += db_col_int64(st, 3);
	m->jobs_created += db_col_int64(st, 4);
	m->jobs_updated += db_col_int64(st, 5);
	m->users += db_col_int64(st, 6);
	m->record_errors += db_col_int64(st, 7);
}

static void fill_share(struct db_stmt *st, struct store_metrics *m)
{
	int64_t used = db_col_int64(st, 0), max = db_col_int64(st, 1);

	/* One row per org with a known usage; kept small by the WHERE below. */
	if (max > 0 && (double)used / (double)max > m->api_share_max)
		m->api_share_max = (double)used / (double)max;
}

static void fill_over(struct db_stmt *st, struct store_metrics *m)
{
	m->orgs_over_share = db_col_int64(st, 0);
}

static void fill_depth(struct db_stmt *st, struct store_metrics *m)
{
	m->outbox_depth = db_col_int64(st, 0);
}

int store_metrics(struct store *s, int share_limit, struct store_metrics *m, struct err *e)
{
	memset(m, 0, sizeof(*m));
	if (aggregate(s, "SELECT status, COUNT(*) FROM integrations GROUP BY status", e, "", 0,
		    fill_integrations, m) < 0 ||
	    aggregate(s, "SELECT status, COUNT(*),"
		       " COALESCE(SUM(COALESCE(finished_at, started_at) - started_at), 0),"
		       " COALESCE(SUM(api_calls), 0), COALESCE(SUM(jobs_created), 0),"
		       " COALESCE(SUM(jobs_updated), 0), COALESCE(SUM(users), 0),"
		       " COALESCE(SUM(record_errors), 0) FROM sync_runs GROUP BY status", e, "", 0,
		    fill_runs, m) < 0 ||
	    aggregate(s, "SELECT api_used, api_max FROM integrations WHERE api_max > 0"
		       " ORDER BY api_used * 1000 / api_max DESC LIMIT 1", e, "", 0, fill_share,
		    m) < 0 ||
	    aggregate(s, "SELECT COUNT(*) FROM integrations WHERE api_max > 0"
		       " AND api_used * 100 >= api_max * ?", e, "i", (int64_t)share_limit, fill_over,
		    m) < 0 ||
	    aggregate(s, "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')", e, "",
		    0, fill_depth, m) < 0)
		return -1;
	return 0;
}

int store_integrations_due(struct store *s, int64_t now, int max, struct store_due **out,
			   size_t *n, struct err *e)
{
	struct db_stmt *st;
	struct store_due *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	st = store__query(s, "SELECT org_id, next_sync_at FROM integrations"
			     " WHERE status = 'connected' AND (next_sync_at IS NULL OR next_sync_at <= ?)"
			     " ORDER BY COALESCE(next_sync_at, 0), org_id LIMIT ?", e, "ii", now,
			  (int64_t)(max > 0 ? max : 1));
	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1) {
		if ((rc = store__grow(&v, &cap, len, sizeof(*v), e)) < 0)
			break;
		v[len].org_id = db_col_int64(st, 0);
		v[len].has_next = !db_col_is_null(st, 1);
		v[len].next_sync_at = db_col_int64(st, 1);
		len++;
	}
	db_finish(st);
	if (rc < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int store_integration_claim_next(struct store *s, const struct store_due *d, int64_t at,
				 int *won, struct err *e)
{
	int64_t changed = d->has_next
		? store__exec(s, "UPDATE integrations SET next_sync_at = ? WHERE org_id = ?"
				 " AND next_sync_at = ?", e, "iii", at, d->org_id, d->next_sync_at)
		: store__exec(s, "UPDATE integrations SET next_sync_at = ? WHERE org_id = ?"
				 " AND next_sync_at IS NULL", e, "ii", at, d->org_id);

	if (changed < 0)
		return -1;
	*won = changed > 0;
	return 0;
}

int store_oauth_state_new(struct store *s, int64_t org_id, int64_t ttl_ms,
			  char state[STORE_STATE_LEN], struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];
	int64_t now = isotime_now_ms();
	struct store_org o;

	if (store_org_get(s, org_id, &o, e) < 0)
		return -1;
	store_org_free(&o);
	seal_token_new(state);
	seal_token_hash(state, hash);
	/* Expired states are swept as new ones are made. */
	if (store__exec(s, "DELETE FROM oauth_states WHERE expires_at < ?", e, "i", now) < 0)
		return -1;
	return store__exec(s, "INSERT INTO oauth_states (state_hash, org_id, expires_at)"
			      " VALUES (?, ?, ?)", e, "tii", hash, org_id, now + ttl_ms) < 0
		       ? -1 : 0;
}

int store_oauth_state_take(struct store *s, const char *state, int64_t *org_id,
			   struct err *e)
{
	char hash[SEAL_HASH_HEX_LEN];
	struct db_stmt *st;
	int rc;

	if (state == NULL || *state == '\0')
		return err_set(e, ERR_AUTH, "the authorization request has no state");
	seal_token_hash(state, hash);
	/* DELETE ... RETURNING makes the state single-use even against a racing replay. */
	st = store__query(s, "DELETE FROM oauth_states WHERE state_hash = ? AND expires_at >= ?"
			     " RETURNING org_id", e, "ti", hash, isotime_now_ms());
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*org_id = db_col_int64(st, 0);
	else if (rc == 0)
		err_set(e, ERR_AUTH, "this authorization link is unknown, already used or expired:"
			" start the authorization again");
	db_finish(st);
	/* A RETURNING statement must run to completion before the row is gone. */
	return rc == 1 ? 0 : -1;
}

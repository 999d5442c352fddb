/* migrations: the versioned schema, applied in order at open and by `migrate`. */
#include "store/migrations.h"

#include <stdlib.h>

#include "util/isotime.h"
#include "util/log.h"

/*
 * The DDL is portable SQL; {{ID}} and {{BLOB}} are rewritten per backend by db_ddl().
 * Times are BIGINT milliseconds since the epoch, UTC. Never edit a released migration:
 * add a new one.
 */
struct migration {
	int version;
	const char *name;
	const char *ddl[24];	/* statements, ending at the first NULL */
};

static const struct migration migrations[] = {
	{ 1, "initial schema", {
	  "CREATE TABLE meta (key TEXT PRIMARY KEY, value {{BLOB}} NOT NULL);",

	  "CREATE TABLE orgs ("
	  " id {{ID}}, name TEXT NOT NULL, created_at BIGINT NOT NULL);",

	  "CREATE TABLE api_tokens ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);",

	  "CREATE TABLE occ_users ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " email TEXT NOT NULL, email_norm TEXT NOT NULL, name TEXT NOT NULL,"
	  " created_at BIGINT NOT NULL, UNIQUE (org_id, email_norm));",

	  /* One row per org that has ever started an authorization. Secrets are sealed. */
	  "CREATE TABLE integrations ("
	  " org_id BIGINT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,"
	  " status TEXT NOT NULL DEFAULT 'disconnected',"
	  " platform TEXT NOT NULL DEFAULT 'lightning',"
	  " documents TEXT NOT NULL DEFAULT 'all',"
	  " login_url TEXT, consumer_key TEXT, consumer_secret {{BLOB}},"
	  " access_token {{BLOB}}, refresh_token {{BLOB}},"
	  " instance_url TEXT, identity_url TEXT, connected_user TEXT, sf_org_id TEXT,"
	  " high_water_ms BIGINT, next_sync_at BIGINT, last_error TEXT,"
	  " updated_at BIGINT NOT NULL);",

	  "CREATE TABLE oauth_states ("
	  " state_hash TEXT PRIMARY KEY,"
	  " org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " expires_at BIGINT NOT NULL);",

	  /* I360 staff and their links to OCC users. crm_key is the 15-character Id:
	   * Salesforce Ids compare on their first 15 characters. */
	  "CREATE TABLE staff ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " crm_id TEXT NOT NULL, crm_key TEXT NOT NULL, name TEXT, email TEXT,"
	  " occ_user_id BIGINT REFERENCES occ_users(id) ON DELETE SET NULL,"
	  " active INTEGER NOT NULL DEFAULT 0,"
	  " linked_by TEXT NOT NULL DEFAULT 'none',"
	  " backfill_pending INTEGER NOT NULL DEFAULT 0,"
	  " updated_at BIGINT NOT NULL, UNIQUE (org_id, crm_key));",

	  "CREATE TABLE result_reasons ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " kind TEXT NOT NULL,"
	  " parent_id BIGINT REFERENCES result_reasons(id) ON DELETE CASCADE,"
	  " description TEXT NOT NULL, position INTEGER NOT NULL,"
	  " active INTEGER NOT NULL);",
	  "CREATE INDEX result_reasons_org ON result_reasons (org_id, kind, parent_id, position);",

	  /* A job and its one appointment (SPEC §3); phones, metadata and opportunities
	   * are JSON text, written and read whole. */
	  "CREATE TABLE jobs ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " appointment_key TEXT NOT NULL,"
	  " customer_name TEXT, name TEXT, email TEXT,"
	  " line1 TEXT, city TEXT, state TEXT, postal_code TEXT, phones TEXT NOT NULL,"
	  " assigned_user_id BIGINT REFERENCES occ_users(id) ON DELETE SET NULL,"
	  " account_id TEXT, salesrep_id TEXT, fingerprint TEXT NOT NULL,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
	  " UNIQUE (org_id, appointment_key));",

	  "CREATE TABLE appointments ("
	  " id {{ID}}, job_id BIGINT NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,"
	  " crm_id TEXT NOT NULL, status TEXT NOT NULL,"
	  " start_ms BIGINT, end_ms BIGINT, summary TEXT,"
	  " result TEXT, result_detail TEXT, opportunities TEXT NOT NULL,"
	  " modstamp_ms BIGINT NOT NULL);",

	  "CREATE TABLE sync_runs ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " run_trigger TEXT NOT NULL, status TEXT NOT NULL,"
	  " started_at BIGINT NOT NULL, finished_at BIGINT,"
	  " users BIGINT NOT NULL DEFAULT 0, users_linked BIGINT NOT NULL DEFAULT 0,"
	  " jobs_created BIGINT NOT NULL DEFAULT 0, jobs_updated BIGINT NOT NULL DEFAULT 0,"
	  " appointments_skipped BIGINT NOT NULL DEFAULT 0,"
	  " appointments_cancelled BIGINT NOT NULL DEFAULT 0,"
	  " record_errors BIGINT NOT NULL DEFAULT 0,"
	  " api_calls BIGINT NOT NULL DEFAULT 0, step TEXT, error TEXT);",
	  "CREATE INDEX sync_runs_org ON sync_runs (org_id, id);",

	  "CREATE TABLE sync_run_errors ("
	  " id {{ID}}, run_id BIGINT NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,"
	  " object TEXT NOT NULL, record_id TEXT, message TEXT NOT NULL);",
	  "CREATE INDEX sync_run_errors_run ON sync_run_errors (run_id, id);",

	  "CREATE TABLE sync_leases ("
	  " org_id BIGINT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,"
	  " holder TEXT NOT NULL, expires_at BIGINT NOT NULL);",

	  "CREATE TABLE documents ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	  " title TEXT NOT NULL, content_type TEXT, size BIGINT NOT NULL,"
	  " sha256 TEXT NOT NULL, path TEXT NOT NULL, content_version_id TEXT,"
	  " created_at BIGINT NOT NULL);",

	  /* The push outbox: queued -> sending -> done | failed (SPEC §5). */
	  "CREATE TABLE outbox ("
	  " id {{ID}}, org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	  " kind TEXT NOT NULL, target_id TEXT NOT NULL, payload TEXT NOT NULL,"
	  " document_id BIGINT REFERENCES documents(id) ON DELETE CASCADE,"
	  " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	  " next_attempt_at BIGINT NOT NULL, last_error TEXT, result TEXT,"
	  " claimed_by TEXT, claim_expires_at BIGINT,"
	  " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
	  "CREATE INDEX outbox_due ON outbox (state, next_attempt_at);",
	  "CREATE INDEX outbox_job ON outbox (job_id, id);", NULL } },
	/* Admin UI sessions live in the store so any serve process behind a load
	 * balancer knows them; only a hash of the session id is kept. */
	{ 2, "ui sessions", {
	  "CREATE TABLE ui_sessions ("
	  " id_hash TEXT PRIMARY KEY,"
	  " org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	  " csrf TEXT NOT NULL, expires_at BIGINT NOT NULL);",
	  "CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);", NULL } },
	/* The org's daily API usage as Salesforce last reported it (Sforce-Limit-Info). */
	{ 3, "api usage", {
	  "ALTER TABLE integrations ADD COLUMN api_used BIGINT;",
	  "ALTER TABLE integrations ADD COLUMN api_max BIGINT;", NULL } },
	/* Staff members the last complete staff pull did not return (deleted in I360). */
	{ 4, "staff gone from I360", {
	  "ALTER TABLE staff ADD COLUMN in_crm BIGINT NOT NULL DEFAULT 1;", NULL } },
	/* GET /api/jobs pages an org's jobs by id: without jobs_org_id, both databases
	 * read all of the org's jobs and sorted them for every page (5 req/s for an org
	 * of ~44,000 jobs, against 1,100 for one of 900). A job's documents, and each
	 * document's latest push, were found by reading every org's documents and outbox
	 * items; deleting a job scanned them too (PostgreSQL does not index references). */
	{ 5, "indexes for paging and a job's documents", {
	  "CREATE INDEX jobs_org_id ON jobs (org_id, id);",
	  "CREATE INDEX documents_job ON documents (job_id, id);",
	  "CREATE INDEX outbox_document ON outbox (document_id, id);", NULL } },
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int migrations_latest(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

static int current_version(struct db *db, int *version, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", e);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*version = (int)db_col_int64(st, 0);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

static int apply_one(struct db *db, const struct migration *m, struct err *e)
{
	struct db_stmt *st;
	char *ddl;
	int version = 0, rc;

	if (db_begin(db, e) < 0)
		return -1;
	/* Another process may have applied it while we waited for the write lock. */
	if (current_version(db, &version, e) < 0)
		goto fail;
	if (version >= m->version) {
		db_rollback(db);
		return 0;
	}
	for (size_t i = 0; m->ddl[i]; i++) {
		ddl = db_ddl(db, m->ddl[i]);
		if (ddl == NULL) {
			err_set(e, ERR_INTERNAL, "out of memory");
			goto fail;
		}
		rc = db_exec(db, ddl, e);
		free(ddl);
		if (rc < 0)
			goto fail;
	}
	st = db_prepare(db, "INSERT INTO schema_migrations (version, name, applied_at) "
			    "VALUES (?, ?, ?)", e);
	if (st == NULL)
		goto fail;
	db_bind_int64(st, 1, m->version);
	db_bind_text(st, 2, m->name);
	db_bind_int64(st, 3, isotime_now_ms());
	rc = db_step(st, e);
	db_finish(st);
	if (rc < 0 || db_commit(db, e) < 0)
		goto fail;
	log_info("store.migrated", "version=%d", m->version);
	return 1;
fail:
	db_rollback(db);
	return err_prefix(e, "migration %d (%s) failed", m->version, m->name);
}

int migrations_apply(struct db *db, int *applied, struct err *e)
{
	int version = 0, n = 0, rc;

	if (applied)
		*applied = 0;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			" version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			" applied_at BIGINT NOT NULL)", e) < 0)
		return -1;
	if (current_version(db, &version, e) < 0)
		return -1;
	if (version > migrations_latest())
		return err_set(e, ERR_DB, "the database is at schema version %d, newer than "
			       "this i360bridge (%d): upgrade i360bridge", version,
			       migrations_latest());
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply_one(db, &migrations[i], e);
		if (rc < 0)
			return -1;
		n += rc;
	}
	if (applied)
		*applied = n;
	return 0;
}

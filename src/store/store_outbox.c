/* store_outbox: documents attached to jobs and the durable push outbox (SPEC §5). */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

const char *const store_outbox_state_names[STORE_OUTBOX__MAX] = {
	[STORE_OUTBOX_QUEUED] = "queued",
	[STORE_OUTBOX_SENDING] = "sending",
	[STORE_OUTBOX_DONE] = "done",
	[STORE_OUTBOX_FAILED] = "failed",
};

void store_documents_free(struct store_document *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		free(d[i].title);
		free(d[i].content_type);
		free(d[i].sha256);
		free(d[i].path);
		free(d[i].content_version_id);
		free(d[i].push_state);
		free(d[i].push_error);
	}
	free(d);
}

/* ERR_NOT_FOUND unless job_id is one of org_id's jobs. */
static int job_of_org(struct store *s, int64_t org_id, int64_t job_id, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = store__query(s, "SELECT 1 FROM jobs WHERE org_id = ? AND id = ?", e, "ii", org_id,
			  job_id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	db_finish(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "job %lld does not exist", (long long)job_id);
	return rc < 0 ? -1 : 0;
}

int store_document_add(struct store *s, int64_t org_id, int64_t job_id, const char *title,
		       const char *content_type, int64_t size, const char *sha256,
		       const char *path, int64_t *id, struct err *e)
{
	struct db_stmt *st;
	int rc;

	if (title == NULL || *title == '\0' || strlen(title) > 255)
		return err_set(e, ERR_INVALID, "a document title must be 1 to 255 characters");
	if (sha256 == NULL || path == NULL || size < 0)
		return err_set(e, ERR_INVALID, "a document needs its size, digest and file");
	if (job_of_org(s, org_id, job_id, e) < 0)
		return -1;
	st = store__query(s, "INSERT INTO documents (org_id, job_id, title, content_type, size,"
			     " sha256, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
			     " RETURNING id", e, "iittitti", org_id, job_id, title, content_type,
			  size, sha256, path, isotime_now_ms());
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*id = db_col_int64(st, 0);
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

int store_document_list(struct store *s, int64_t org_id, int64_t job_id,
			struct store_document **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	struct store_document *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (job_of_org(s, org_id, job_id, e) < 0)
		return -1;
	/* The newest outbox item of each document tells its push state. */
	st = store__query(s, "SELECT d.id, d.job_id, d.title, d.content_type, d.size, d.sha256,"
			     " d.path, d.content_version_id, d.created_at, o.id, o.state,"
			     " o.last_error FROM documents d LEFT JOIN outbox o ON o.id ="
			     " (SELECT MAX(id) FROM outbox WHERE document_id = d.id)"
			     " WHERE d.org_id = ? AND d.job_id = ? ORDER BY d.id", e, "ii",
			  org_id, job_id);
	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1) {
		struct store_document *d;

		if ((rc = store__grow(&v, &cap, len, sizeof(*v), e)) < 0)
			break;
		d = &v[len++];
		d->id = db_col_int64(st, 0);
		d->job_id = db_col_int64(st, 1);
		d->title = store__col_dup(st, 2);
		d->content_type = store__col_dup(st, 3);
		d->size = db_col_int64(st, 4);
		d->sha256 = store__col_dup(st, 5);
		d->path = store__col_dup(st, 6);
		d->content_version_id = store__col_dup(st, 7);
		d->created_at = db_col_int64(st, 8);
		d->outbox_id = db_col_is_null(st, 9) ? 0 : db_col_int64(st, 9);
		d->push_state = store__col_dup(st, 10);
		d->push_error = store__col_dup(st, 11);
	}
	db_finish(st);
	if (rc < 0) {
		store_documents_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int store_document_set_version(struct store *s, int64_t id, const char *content_version_id,
			       struct err *e)
{
	return store__exec(s, "UPDATE documents SET content_version_id = ? WHERE id = ?", e,
			   "ti", content_version_id, id) < 0 ? -1 : 0;
}

void store_outbox_free(struct store_outbox_item *it, size_t n)
{
	for (size_t i = 0; it && i < n; i++) {
		free(it[i].kind);
		free(it[i].target_id);
		free(it[i].payload);
		free(it[i].last_error);
		free(it[i].result);
	}
	free(it);
}

int store_outbox_enqueue(struct store *s, int64_t org_id, int64_t job_id, const char *kind,
			 const char *target_id, const char *payload, int64_t document_id,
			 int64_t *id, struct err *e)
{
	static const char *const kinds[] = { "appointment_stage", "opportunity_stage", "document" };
	int64_t now = isotime_now_ms();
	struct db_stmt *st;
	int rc;

	if (store__enum_parse(kinds, 3, kind) < 0)
		return err_set(e, ERR_INVALID, "unknown push kind");
	if (target_id == NULL || *target_id == '\0' || payload == NULL)
		return err_set(e, ERR_INVALID, "a push needs its target record and payload");
	if (job_of_org(s, org_id, job_id, e) < 0)
		return -1;
	st = store__query(s, "INSERT INTO outbox (org_id, job_id, kind, target_id, payload,"
			     " document_id, state, next_attempt_at, created_at, updated_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id", e,
			  "iitttIiii", org_id, job_id, kind, target_id, payload, document_id, now,
			  now, now);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1 && id)
		*id = db_col_int64(st, 0);
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

#define OUTBOX_COLUMNS \
	"SELECT id, org_id, job_id, kind, target_id, payload, COALESCE(document_id, 0)," \
	" state, attempts, next_attempt_at, last_error, result, created_at, updated_at" \
	" FROM outbox"

static void outbox_row(struct db_stmt *st, void *el)
{
	struct store_outbox_item *it = el;
	int state;

	memset(it, 0, sizeof(*it));
	it->id = db_col_int64(st, 0);
	it->org_id = db_col_int64(st, 1);
	it->job_id = db_col_int64(st, 2);
	it->kind = store__col_dup(st, 3);
	it->target_id = store__col_dup(st, 4);
	it->payload = store__col_dup(st, 5);
	it->document_id = db_col_int64(st, 6);
	state = store__enum_parse(store_outbox_state_names, STORE_OUTBOX__MAX, db_col_text(st, 7));
	it->state = state < 0 ? STORE_OUTBOX_FAILED : (enum store_outbox_state)state;
	it->attempts = (int)db_col_int64(st, 8);
	it->next_attempt_at = db_col_int64(st, 9);
	it->last_error = store__col_dup(st, 10);
	it->result = store__col_dup(st, 11);
	it->created_at = db_col_int64(st, 12);
	it->updated_at = db_col_int64(st, 13);
}

static void outbox_free_all(void *v, size_t n)
{
	store_outbox_free(v, n);
}

static int outbox_collect(struct db_stmt *st, struct store_outbox_item **out, size_t *n,
			  struct err *e)
{
	return store__collect(st, sizeof(**out), outbox_row, outbox_free_all, out, n, e);
}

#define OUTBOX_CLAIM_SQL(lock) \
	"UPDATE outbox SET state = 'sending', attempts = attempts + 1," \
	" claimed_by = ?, claim_expires_at = ?, updated_at = ?" \
	" WHERE id IN (SELECT id FROM outbox WHERE" \
	" ((state = 'queued' AND next_attempt_at <= ?) OR" \
	" (state = 'sending' AND claim_expires_at < ?))" \
	" AND NOT (kind <> 'document' AND EXISTS (SELECT 1 FROM outbox older" \
	" WHERE older.kind = outbox.kind AND older.target_id = outbox.target_id" \
	" AND older.id < outbox.id AND older.state IN ('queued', 'sending')))" \
	" ORDER BY next_attempt_at, id LIMIT ?" lock ")" \
	" RETURNING id, org_id, job_id, kind, target_id, payload," \
	" COALESCE(document_id, 0), state, attempts, next_attempt_at," \
	" last_error, result, created_at, updated_at"

int store_outbox_claim(struct store *s, const char *holder, int64_t now, int64_t lease_ms,
		       int max, struct store_outbox_item **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int own, rc;

	*out = NULL;
	*n = 0;
	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	/* Due items are queued ones whose time has come, and sending ones whose claimant
	 * died (claim expired). One UPDATE ... WHERE id IN (...) claims them. SQLite's
	 * BEGIN IMMEDIATE already serializes claimants; on PostgreSQL the inner SELECT
	 * locks what it picks and skips rows another claimant holds, so concurrent
	 * processes each get different items without waiting on each other. */
	st = store__query(s, db_kind(s->db) == DB_POSTGRES ? OUTBOX_CLAIM_SQL(" FOR UPDATE SKIP LOCKED")
							   : OUTBOX_CLAIM_SQL(""),
			  e, "tiiiii", holder, now + lease_ms, now, now, now,
			  (int64_t)(max > 0 ? max : 1));
	rc = st ? outbox_collect(st, out, n, e) : -1;
	return store__tx_end(s, own, rc, e);
}

int store_outbox_newer_stage(struct store *s, const struct store_outbox_item *it,
			     int64_t *newer_id, struct err *e)
{
	struct db_stmt *st;
	int rc;

	*newer_id = 0;
	st = store__query(s, "SELECT MAX(id) FROM outbox WHERE kind = ? AND target_id = ?"
			     " AND id > ? AND state IN ('queued', 'sending', 'done')", e, "tti",
			  it->kind, it->target_id, it->id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1 && !db_col_is_null(st, 0))
		*newer_id = db_col_int64(st, 0);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

int store_outbox_done(struct store *s, int64_t id, const char *result, struct err *e)
{
	return store__exec(s, "UPDATE outbox SET state = 'done', result = ?, last_error = NULL,"
			      " claimed_by = NULL, claim_expires_at = NULL, updated_at = ?"
			      " WHERE id = ?", e, "tii", result, isotime_now_ms(), id) < 0 ? -1 : 0;
}

int store_outbox_fail(struct store *s, int64_t id, const char *error, int permanent,
		      int64_t retry_at, struct err *e)
{
	return store__exec(s, "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?,"
			      " claimed_by = NULL, claim_expires_at = NULL, updated_at = ?"
			      " WHERE id = ?", e, "ttiii", permanent ? "failed" : "queued", error,
			   retry_at, isotime_now_ms(), id) < 0 ? -1 : 0;
}

int store_outbox_list(struct store *s, int64_t org_id, int64_t job_id,
		      struct store_outbox_item **out, size_t *n, struct err *e)
{
	struct db_stmt *st;

	*out = NULL;
	*n = 0;
	st = store__query(s, OUTBOX_COLUMNS " WHERE org_id = ? AND job_id = ? ORDER BY id", e,
			  "ii", org_id, job_id);
	return st ? outbox_collect(st, out, n, e) : -1;
}

int store_outbox_depth(struct store *s, int64_t *depth, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = store__query(s, "SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')",
			  e, "");
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*depth = db_col_int64(st, 0);
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

/* store_run: sync runs, their progress and per-record errors; the per-org sync lease. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

const char *const store_run_status_names[STORE_RUN__MAX] = {
	[STORE_RUN_RUNNING] = "running",
	[STORE_RUN_SUCCEEDED] = "succeeded",
	[STORE_RUN_FAILED] = "failed",
};

void store_run_clear(struct store_run *r)
{
	if (r == NULL)
		return;
	free(r->trigger);
	free(r->step);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void store_runs_free(struct store_run *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		store_run_clear(&r[i]);
	free(r);
}

int store_run_start(struct store *s, int64_t org_id, const char *trigger, int64_t *run_id,
		    struct err *e)
{
	struct db_stmt *st;
	int rc;

	if (trigger == NULL || (strcmp(trigger, "manual") != 0 && strcmp(trigger, "scheduled") != 0))
		return err_set(e, ERR_INVALID, "a sync is triggered \"manual\" or \"scheduled\"");
	st = store__query(s, "INSERT INTO sync_runs (org_id, run_trigger, status, started_at)"
			     " VALUES (?, ?, 'running', ?) RETURNING id", e, "iti", org_id,
			  trigger, isotime_now_ms());
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*run_id = db_col_int64(st, 0);
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

/* Binds counts into parameters 1..7 and api_calls into 8. */
static void bind_counts(struct db_stmt *st, const struct store_run_counts *c, int64_t calls)
{
	db_bind_int64(st, 1, c->users);
	db_bind_int64(st, 2, c->users_linked);
	db_bind_int64(st, 3, c->jobs_created);
	db_bind_int64(st, 4, c->jobs_updated);
	db_bind_int64(st, 5, c->appointments_skipped);
	db_bind_int64(st, 6, c->appointments_cancelled);
	db_bind_int64(st, 7, c->record_errors);
	db_bind_int64(st, 8, calls);
}

#define SET_COUNTS \
	" users = ?, users_linked = ?, jobs_created = ?, jobs_updated = ?," \
	" appointments_skipped = ?, appointments_cancelled = ?, record_errors = ?," \
	" api_calls = ?"

int store_run_progress(struct store *s, int64_t run_id, const struct store_run_counts *c,
		       int64_t api_calls, const char *step, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = store__query(s, "UPDATE sync_runs SET" SET_COUNTS ", step = ?"
			     " WHERE id = ? AND status = 'running'", e, "");
	if (st == NULL)
		return -1;
	bind_counts(st, c, api_calls);
	db_bind_text(st, 9, step);
	db_bind_int64(st, 10, run_id);
	rc = db_step(st, e);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

int store_run_finish(struct store *s, int64_t run_id, enum store_run_status status,
		     const struct store_run_counts *c, int64_t api_calls, const char *error,
		     struct err *e)
{
	struct db_stmt *st;
	int rc;

	if (status != STORE_RUN_SUCCEEDED && status != STORE_RUN_FAILED)
		return err_set(e, ERR_INVALID, "a run finishes succeeded or failed");
	st = store__query(s, "UPDATE sync_runs SET" SET_COUNTS ", status = ?, error = ?,"
			     " step = NULL, finished_at = ? WHERE id = ?", e, "");
	if (st == NULL)
		return -1;
	bind_counts(st, c, api_calls);
	db_bind_text(st, 9, store_run_status_names[status]);
	db_bind_text(st, 10, error);
	db_bind_int64(st, 11, isotime_now_ms());
	db_bind_int64(st, 12, run_id);
	rc = db_step(st, e);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

int store_run_abandon(struct store *s, int64_t org_id, const char *reason, struct err *e)
{
	return store__exec(s, "UPDATE sync_runs SET status = 'failed', error = ?, step = NULL,"
			      " finished_at = ? WHERE org_id = ? AND status = 'running'", e, "tii",
			   reason, isotime_now_ms(), org_id) < 0 ? -1 : 0;
}

#define RUN_COLUMNS \
	"SELECT id, org_id, run_trigger, status, started_at, COALESCE(finished_at, 0)," \
	" users, users_linked, jobs_created, jobs_updated, appointments_skipped," \
	" appointments_cancelled, record_errors, api_calls, step, error FROM sync_runs"

static void run_row(struct db_stmt *st, void *el)
{
	struct store_run *r = el;
	int status;

	memset(r, 0, sizeof(*r));
	r->id = db_col_int64(st, 0);
	r->org_id = db_col_int64(st, 1);
	r->trigger = store__col_dup(st, 2);
	status = store__enum_parse(store_run_status_names, STORE_RUN__MAX, db_col_text(st, 3));
	r->status = status < 0 ? STORE_RUN_FAILED : (enum store_run_status)status;
	r->started_at = db_col_int64(st, 4);
	r->finished_at = db_col_int64(st, 5);
	r->counts.users = db_col_int64(st, 6);
	r->counts.users_linked = db_col_int64(st, 7);
	r->counts.jobs_created = db_col_int64(st, 8);
	r->counts.jobs_updated = db_col_int64(st, 9);
	r->counts.appointments_skipped = db_col_int64(st, 10);
	r->counts.appointments_cancelled = db_col_int64(st, 11);
	r->counts.record_errors = db_col_int64(st, 12);
	r->api_calls = db_col_int64(st, 13);
	r->step = store__col_dup(st, 14);
	r->error = store__col_dup(st, 15);
}

int store_run_get(struct store *s, int64_t org_id, int64_t run_id, struct store_run *out,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store__one(store__query(s, RUN_COLUMNS " WHERE org_id = ? AND id = ?", e, "ii",
				       org_id, run_id),
			  run_row, out, e, "sync run %lld does not exist", (long long)run_id);
}

static void runs_free_all(void *v, size_t n)
{
	store_runs_free(v, n);
}

int store_run_list(struct store *s, int64_t org_id, int limit, struct store_run **out,
		   size_t *n, struct err *e)
{
	return store__collect(store__query(s, RUN_COLUMNS " WHERE org_id = ? ORDER BY id DESC"
					      " LIMIT ?", e, "ii", org_id,
					   (int64_t)(limit > 0 ? limit : 1)),
			      sizeof(**out), run_row, runs_free_all, out, n, e);
}

void store_run_errors_free(struct store_run_error *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].object);
		free(r[i].record_id);
		free(r[i].message);
	}
	free(r);
}

int store_run_error_add(struct store *s, int64_t run_id, const char *object,
			const char *record_id, const char *message, struct err *e)
{
	return store__exec(s, "INSERT INTO sync_run_errors (run_id, object, record_id, message)"
			      " VALUES (?, ?, ?, ?)", e, "ittt", run_id, object ? object : "",
			   record_id, message ? message : "") < 0 ? -1 : 0;
}

static void run_error_row(struct db_stmt *st, void *el)
{
	struct store_run_error *r = el;

	r->object = store__col_dup(st, 0);
	r->record_id = store__col_dup(st, 1);
	r->message = store__col_dup(st, 2);
}

static void run_errors_free_all(void *v, size_t n)
{
	store_run_errors_free(v, n);
}

int store_run_errors_list(struct store *s, int64_t run_id, struct store_run_error **out,
			  size_t *n, struct err *e)
{
	return store__collect(store__query(s, "SELECT object, record_id, message FROM"
					      " sync_run_errors WHERE run_id = ? ORDER BY id", e,
					   "i", run_id),
			      sizeof(**out), run_error_row, run_errors_free_all, out, n, e);
}

int store_lease_acquire(struct store *s, int64_t org_id, const char *holder, int64_t now,
			int64_t ttl_ms, int *got, struct err *e)
{
	int64_t n;

	*got = 0;
	/* One statement decides: insert, or take over a lease that expired. Both
	 * backends apply the WHERE of DO UPDATE under the row lock. */
	n = store__exec(s, "INSERT INTO sync_leases (org_id, holder, expires_at) VALUES (?, ?, ?)"
			   " ON CONFLICT (org_id) DO UPDATE SET holder = excluded.holder,"
			   " expires_at = excluded.expires_at WHERE sync_leases.expires_at < ?",
			e, "itii", org_id, holder, now + ttl_ms, now);
	if (n < 0)
		return -1;
	*got = n > 0;
	return 0;
}

int store_lease_renew(struct store *s, int64_t org_id, const char *holder, int64_t now,
		      int64_t ttl_ms, int *held, struct err *e)
{
	int64_t n;

	*held = 0;
	n = store__exec(s, "UPDATE sync_leases SET expires_at = ? WHERE org_id = ? AND holder = ?",
			e, "iit", now + ttl_ms, org_id, holder);
	if (n < 0)
		return -1;
	*held = n > 0;
	return 0;
}

int store_lease_release(struct store *s, int64_t org_id, const char *holder, struct err *e)
{
	return store__exec(s, "DELETE FROM sync_leases WHERE org_id = ? AND holder = ?", e, "it",
			   org_id, holder) < 0 ? -1 : 0;
}

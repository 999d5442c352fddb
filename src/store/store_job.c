/* store_job: OCC jobs and their appointments, keyed by the I360 appointment Id. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/buf.h"
#include "util/isotime.h"

void store_job_free(struct store_job *j)
{
	if (j == NULL)
		return;
	model_job_free(&j->job);
	free(j->assigned_user_email);
	memset(j, 0, sizeof(*j));
}

void store_jobs_free(struct store_job *j, size_t n)
{
	for (size_t i = 0; j && i < n; i++)
		store_job_free(&j[i]);
	free(j);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Compact text of a, consumed: through a stack buffer, so one allocation (the copy)
 * instead of a growing one; "[]" without jansson at all. NULL when out of memory. */
static char *array_text(json_t *a)
{
	char tmp[4096];
	size_t n;
	char *out;

	if (a == NULL)
		return NULL;
	if (json_array_size(a) == 0) {
		json_decref(a);
		return strdup("[]");
	}
	n = json_dumpb(a, tmp, sizeof(tmp), JSON_COMPACT);
	if (n == 0 || n > sizeof(tmp)) {
		out = json_dumps(a, JSON_COMPACT);
	} else if ((out = malloc(n + 1)) != NULL) {
		memcpy(out, tmp, n);
		out[n] = '\0';
	}
	json_decref(a);
	return out;
}

static char *phones_json(const struct model_job *j)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < j->nphones; i++) {
		json_t *o = json_object();

		json_object_set_new_nocheck(o, "name", str_or_null(j->phones[i].name));
		json_object_set_new_nocheck(o, "number", str_or_null(j->phones[i].number));
		json_array_append_new(a, o);
	}
	return array_text(a);
}

static char *opps_json(const struct model_job *j)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < j->nopps; i++) {
		const struct model_opportunity *op = &j->opps[i];
		json_t *o = json_object();

		json_object_set_new_nocheck(o, "id", str_or_null(op->id));
		json_object_set_new_nocheck(o, "name", str_or_null(op->name));
		json_object_set_new_nocheck(o, "result", str_or_null(op->result));
		json_object_set_new_nocheck(o, "result_detail", str_or_null(op->result_detail));
		json_array_append_new(a, o);
	}
	return array_text(a);
}

/* A digest of everything a sync writes, so re-reading an unchanged record (the
 * 5-minute overlap does this on every run) costs one indexed read and no write. */
static void fingerprint(const struct model_job *j, int64_t assigned, const char *phones,
			const char *opps, char hex[65])
{
	crypto_generichash_state h;
	unsigned char d[32];
	const char *fields[] = {
		j->appointment_id, j->customer_name, j->name, j->email, j->line1, j->city,
		j->state, j->postal_code, j->account_id, j->salesrep_id, j->summary,
		j->result, j->result_detail, phones, opps,
	};
	int64_t nums[] = {
		assigned, j->has_start ? j->start_ms : INT64_MIN, j->has_end ? j->end_ms : INT64_MIN,
		(int64_t)j->status,
	};

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* Length-prefixed, with null distinct from "". */
		int64_t len = fields[i] ? (int64_t)strlen(fields[i]) : -1;
		crypto_generichash_update(&h, (const unsigned char *)&len, sizeof(len));
		if (fields[i])
			crypto_generichash_update(&h, (const unsigned char *)fields[i],
						  (size_t)len);
	}
	crypto_generichash_update(&h, (const unsigned char *)nums, sizeof(nums));
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(hex, 65, d, sizeof(d));
}

static void appointment_key(const char *id, char key[16])
{
	size_t n = strlen(id);

	if (n > 15)
		n = 15;
	memcpy(key, id, n);
	key[n] = '\0';
}

/* Binds a time that may be absent. */
static void bind_time(struct db_stmt *st, int i, int has, int64_t ms)
{
	if (has)
		db_bind_int64(st, i, ms);
	else
		db_bind_null(st, i);
}

/* The stages of a job that a push still queued or sending is carrying to I360. */
struct kept_stages {
	json_t *stored;		/* the appointment row's opportunities, as stored */
	char *result, *result_detail;	/* the appointment's, as stored */
	struct model_opportunity *opps;	/* a copy of j->opps with the kept stages */
	unsigned char *pending;	/* per opportunity of j: a push is pending */
	struct model_job view;	/* j with the kept stages: what is written */
};

static void kept_free(struct kept_stages *k)
{
	json_decref(k->stored);
	free(k->result);
	free(k->result_detail);
	free(k->opps);
	free(k->pending);
}

/* Overlays the stored stage of each opportunity with a pending push onto k->opps. An
 * opportunity not stored yet has no local stage and keeps I360's. */
static void keep_opportunities(const struct model_job *j, struct kept_stages *k)
{
	json_t *v;
	size_t x;

	for (size_t i = 0; i < j->nopps; i++) {
		if (!k->pending[i])
			continue;
		json_array_foreach(k->stored, x, v) {
			const char *id = json_string_value(json_object_get(v, "id"));

			if (id && strncmp(id, j->opps[i].id, 15) == 0) {
				/* Borrowed from k->stored, which lives as long as the view. */
				k->opps[i].result = (char *)json_string_value(
					json_object_get(v, "result"));
				k->opps[i].result_detail = (char *)json_string_value(
					json_object_get(v, "result_detail"));
			}
		}
	}
}

/*
 * A pull must not undo a stage still being pushed: for the appointment or each
 * opportunity with a stage push queued or sending, the stored stage stands in for the
 * one I360 sent (the value from before the push). k->view is j with those stages; its
 * strings are borrowed from j and k. The pull after the push brings the pushed value
 * back, which then matches what is stored.
 */
static int keep_pushed_stages(struct store *s, int64_t job_id, const struct model_job *j,
			      struct kept_stages *k, struct err *e)
{
	struct db_stmt *st;
	int rc, appt = 0, any = 0;

	memset(k, 0, sizeof(*k));
	k->view = *j;
	if (j->nopps) {
		k->opps = malloc(j->nopps * sizeof(*k->opps));
		k->pending = calloc(j->nopps, 1);
		if (k->opps == NULL || k->pending == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		memcpy(k->opps, j->opps, j->nopps * sizeof(*k->opps));
		k->view.opps = k->opps;
	}
	st = store__query(s, "SELECT kind, target_id FROM outbox WHERE job_id = ? AND state IN"
			     " ('queued', 'sending') AND kind IN ('appointment_stage',"
			     " 'opportunity_stage')", e, "i", job_id);
	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1) {
		const char *kind = db_col_text(st, 0), *target = db_col_text(st, 1);

		any = 1;
		if (strcmp(kind, "appointment_stage") == 0)
			appt = 1;
		for (size_t i = 0; i < j->nopps && strcmp(kind, "opportunity_stage") == 0; i++)
			if (j->opps[i].id && strncmp(j->opps[i].id, target, 15) == 0)
				k->pending[i] = 1;
	}
	db_finish(st);
	if (rc < 0 || !any)
		return rc < 0 ? -1 : 0;
	st = store__query(s, "SELECT result, result_detail, opportunities FROM appointments"
			     " WHERE job_id = ?", e, "i", job_id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		k->result = store__col_dup(st, 0);
		k->result_detail = store__col_dup(st, 1);
		k->stored = json_loads(db_col_text(st, 2) ? db_col_text(st, 2) : "[]", 0, NULL);
	}
	db_finish(st);
	if (rc < 0)
		return -1;
	if (appt) {
		k->view.result = k->result;
		k->view.result_detail = k->result_detail;
	}
	keep_opportunities(j, k);
	return 0;
}

/* What store_jobs_upsert knows of one row while it works. */
struct job_row {
	struct store_job_write *w;
	char key[16];			/* the appointment Id's first 15 characters */
	int found, pending, write;
	int64_t job_id;
	char fp[65];			/* as stored (when found), then as written */
	char *phones, *opps;		/* JSON as written */
	struct kept_stages kept;
	const struct model_job *view;	/* what is written: the job, or kept.view */
};

static int row_key_cmp(const void *a, const void *b)
{
	const struct job_row *x = *(struct job_row *const *)a, *y = *(struct job_row *const *)b;
	int c = strcmp(x->key, y->key);

	/* Rows of one key keep their order, so the first of them is the one batched. */
	return c ? c : (x < y ? -1 : x > y);
}

/* The row (among the n sorted ones) whose key is key, or NULL. */
static struct job_row *row_find(struct job_row **sorted, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(sorted[mid]->key, key);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One read tells, for every key, whether the job exists, what it holds (by
 * fingerprint) and whether a stage push of it is pending. */
static struct store__rows read_rows = {
	.head = "SELECT appointment_key, id, fingerprint, CASE WHEN EXISTS (SELECT 1 FROM outbox"
		" WHERE outbox.job_id = jobs.id AND state IN ('queued', 'sending')"
		" AND kind IN ('appointment_stage', 'opportunity_stage')) THEN 1 ELSE 0 END"
		" FROM jobs WHERE org_id = ? AND appointment_key IN (",
	.tail = ")",
};

static struct store__rows job_rows = {
	.head = "INSERT INTO jobs (customer_name, name, email, line1, city, state, postal_code,"
		" phones, assigned_user_id, account_id, salesrep_id, fingerprint, updated_at,"
		" org_id, appointment_key, created_at) VALUES ",
	.tail = " ON CONFLICT (org_id, appointment_key) DO UPDATE SET"
		" customer_name = excluded.customer_name, name = excluded.name,"
		" email = excluded.email, line1 = excluded.line1, city = excluded.city,"
		" state = excluded.state, postal_code = excluded.postal_code,"
		" phones = excluded.phones, assigned_user_id = excluded.assigned_user_id,"
		" account_id = excluded.account_id, salesrep_id = excluded.salesrep_id,"
		" fingerprint = excluded.fingerprint, updated_at = excluded.updated_at"
		" RETURNING appointment_key, id",
	.ncols = 16,
};

/* New jobs (not found by the page's read) are plain inserts: no conflict to look for,
 * which PostgreSQL's ON CONFLICT makes a speculative insertion per row. A job created
 * meanwhile by someone else (only when a lease expired under a live sync) makes the
 * insert fail on the unique key and the page's transaction with it; the next run
 * writes it. */
static struct store__rows new_job_rows = {
	.head = "INSERT INTO jobs (customer_name, name, email, line1, city, state, postal_code,"
		" phones, assigned_user_id, account_id, salesrep_id, fingerprint, updated_at,"
		" org_id, appointment_key, created_at) VALUES ",
	.tail = " RETURNING appointment_key, id",
	.ncols = 16,
};

static struct store__rows new_appointment_rows = {
	.head = "INSERT INTO appointments (job_id, crm_id, status, start_ms, end_ms, summary,"
		" result, result_detail, opportunities, modstamp_ms) VALUES ",
	.tail = "",
	.ncols = 10,
};

static struct store__rows appointment_rows = {
	.head = "INSERT INTO appointments (job_id, crm_id, status, start_ms, end_ms, summary,"
		" result, result_detail, opportunities, modstamp_ms) VALUES ",
	.tail = " ON CONFLICT (job_id) DO UPDATE SET crm_id = excluded.crm_id,"
		" status = excluded.status, start_ms = excluded.start_ms,"
		" end_ms = excluded.end_ms, summary = excluded.summary,"
		" result = excluded.result, result_detail = excluded.result_detail,"
		" opportunities = excluded.opportunities, modstamp_ms = excluded.modstamp_ms",
	.ncols = 10,
};

/* Reads what is stored for the rows' keys (sorted: the n distinct ones), 128 keys a
 * statement: a shorter IN list repeats its last key up to the tier's length, so a page
 * of 47 jobs takes one read. */
static int rows_read(struct store *s, int64_t org_id, struct job_row **sorted, size_t n,
		     struct err *e)
{
	for (size_t done = 0; done < n;) {
		size_t left = n - done, k;
		int t = store__tier(left), rc;
		const char *sql;
		struct db_stmt *st;

		if (store__tiers[t] < left && t + 1 < STORE__NTIERS)
			t++;	/* left is below 128 and not a tier: round up */
		k = store__tiers[t] < left ? store__tiers[t] : left;
		if ((sql = store__rows_text(&read_rows, t, e)) == NULL ||
		    (st = db_prepare(s->db, sql, e)) == NULL)
			return -1;
		db_bind_int64(st, 1, org_id);
		for (size_t i = 0; i < store__tiers[t]; i++)
			db_bind_text(st, (int)i + 2, sorted[done + (i < k ? i : k - 1)]->key);
		while ((rc = db_step(st, e)) == 1) {
			struct job_row *r = row_find(sorted, n, db_col_text(st, 0));
			const char *fp = db_col_text(st, 2);

			if (r == NULL)
				continue;
			r->found = 1;
			r->job_id = db_col_int64(st, 1);
			r->pending = db_col_int64(st, 3) != 0;
			snprintf(r->fp, sizeof(r->fp), "%s", fp ? fp : "");
		}
		db_finish(st);
		if (rc < 0)
			return -1;
		done += k;
	}
	return 0;
}

/* Works out what each row writes: the stages a pending push keeps, the JSON columns,
 * the fingerprint; a row equal to what is stored writes nothing. */
static int rows_prepare(struct store *s, struct job_row **v, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct job_row *r = v[i];
		char fp[65];

		r->view = r->w->job;
		if (r->found && r->pending) {
			if (keep_pushed_stages(s, r->job_id, r->w->job, &r->kept, e) < 0)
				return -1;
			r->view = &r->kept.view;
		}
		r->phones = phones_json(r->view);
		r->opps = opps_json(r->view);
		if (r->phones == NULL || r->opps == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		fingerprint(r->view, r->w->assigned_user_id, r->phones, r->opps, fp);
		if (r->found && strcmp(r->fp, fp) == 0) {
			r->w->result = STORE_UPSERT_UNCHANGED;
			r->w->id = r->job_id;
			continue;
		}
		memcpy(r->fp, fp, sizeof(fp));
		r->write = 1;
		r->w->result = r->found ? STORE_UPSERT_UPDATED : STORE_UPSERT_CREATED;
	}
	return 0;
}

/* The rows store_jobs_upsert writes: v (n of them, in the caller's order, so new jobs
 * get ids in the order the records came); sorted (nsorted) finds a row by key. */
struct rows_out {
	struct job_row **v, **sorted;
	size_t n, nsorted;
	int64_t org_id, now;
	size_t ids;		/* job ids returned so far */
};

static void bind_jobs(struct db_stmt *st, size_t first, size_t k, void *arg)
{
	const struct rows_out *o = arg;

	for (size_t i = 0; i < k; i++) {
		const struct job_row *r = o->v[first + i];
		const struct model_job *j = r->view;
		int b = (int)i * job_rows.ncols;

		db_bind_text(st, b + 1, j->customer_name);
		db_bind_text(st, b + 2, j->name);
		db_bind_text(st, b + 3, j->email);
		db_bind_text(st, b + 4, j->line1);
		db_bind_text(st, b + 5, j->city);
		db_bind_text(st, b + 6, j->state);
		db_bind_text(st, b + 7, j->postal_code);
		db_bind_text(st, b + 8, r->phones);
		if (r->w->assigned_user_id)
			db_bind_int64(st, b + 9, r->w->assigned_user_id);
		else
			db_bind_null(st, b + 9);
		db_bind_text(st, b + 10, j->account_id);
		db_bind_text(st, b + 11, j->salesrep_id);
		db_bind_text(st, b + 12, r->fp);
		db_bind_int64(st, b + 13, o->now);
		db_bind_int64(st, b + 14, o->org_id);
		db_bind_text(st, b + 15, r->key);
		db_bind_int64(st, b + 16, o->now);
	}
}

/* A job's id, as RETURNING gives it with its key. */
static int job_id_row(struct db_stmt *st, void *arg, struct err *e)
{
	struct rows_out *o = arg;
	struct job_row *r = row_find(o->sorted, o->nsorted, db_col_text(st, 0));

	(void)e;
	if (r && r->write) {
		r->job_id = db_col_int64(st, 1);
		o->ids++;
	}
	return 0;
}

static void bind_appointments(struct db_stmt *st, size_t first, size_t k, void *arg)
{
	const struct rows_out *o = arg;

	for (size_t i = 0; i < k; i++) {
		const struct job_row *r = o->v[first + i];
		const struct model_job *j = r->view;
		int b = (int)i * appointment_rows.ncols;

		db_bind_int64(st, b + 1, r->job_id);
		db_bind_text(st, b + 2, j->appointment_id);
		db_bind_text(st, b + 3, model_appt_status_names[j->status]);
		bind_time(st, b + 4, j->has_start, j->start_ms);
		bind_time(st, b + 5, j->has_end, j->end_ms);
		db_bind_text(st, b + 6, j->summary);
		db_bind_text(st, b + 7, j->result);
		db_bind_text(st, b + 8, j->result_detail);
		db_bind_text(st, b + 9, r->opps);
		db_bind_int64(st, b + 10, j->modstamp_ms);
	}
}

/* Writes the jobs of o's rows with jobs, learns their ids, then writes their
 * appointments with appointments (the insert or the upsert statements). */
static int rows_write(struct store *s, struct rows_out *o, struct store__rows *jobs,
		      struct store__rows *appointments, struct err *e)
{
	if (store__rows_run(s, jobs, o->n, bind_jobs, job_id_row, o, e) < 0)
		return -1;
	if (o->ids != o->n)
		return err_set(e, ERR_DB, "%zu jobs written but %zu ids returned", o->n, o->ids);
	return store__rows_run(s, appointments, o->n, bind_appointments, NULL, o, e);
}

static void rows_free(struct job_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		kept_free(&rows[i].kept);
		free(rows[i].phones);
		free(rows[i].opps);
	}
	free(rows);
}

int store_jobs_upsert(struct store *s, int64_t org_id, struct store_job_write *w, size_t n,
		      struct err *e)
{
	struct job_row *rows = NULL, **sorted = NULL, **out = NULL;
	size_t nsorted = 0, nout = 0, nnew;
	int64_t now = isotime_now_ms();
	int own = 0, rc = -1;

	for (size_t i = 0; i < n; i++) {
		const struct model_job *j = w[i].job;

		if (j->appointment_id == NULL || strlen(j->appointment_id) < 15)
			return err_set(e, ERR_INVALID, "a job needs its appointment's Id");
		if ((int)j->status < 0 || j->status >= MODEL_APPT__MAX)
			return err_set(e, ERR_INVALID, "appointment %s has an unknown status",
				       j->appointment_id);
	}
	if (n == 0)
		return 0;
	rows = calloc(n, sizeof(*rows));
	sorted = calloc(n, sizeof(*sorted));
	out = calloc(n, sizeof(*out));
	if (rows == NULL || sorted == NULL || out == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto end;
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].w = &w[i];
		appointment_key(w[i].job->appointment_id, rows[i].key);
		sorted[i] = &rows[i];
	}
	/* The first row of each key is batched; a later one (the same appointment twice
	 * in one call) is written after it, one by one, as if called again. */
	qsort(sorted, n, sizeof(*sorted), row_key_cmp);
	for (size_t i = 0; i < n; i++)
		if (nsorted == 0 || strcmp(sorted[nsorted - 1]->key, sorted[i]->key) != 0)
			sorted[nsorted++] = sorted[i];
	if (store__tx_begin(s, &own, e) < 0)
		goto end;
	if (rows_read(s, org_id, sorted, nsorted, e) < 0 ||
	    rows_prepare(s, sorted, nsorted, e) < 0)
		goto tx;
	/* New jobs first, then changed ones, each in the order the records came. */
	for (size_t i = 0; i < n; i++)
		if (rows[i].write && !rows[i].found)
			out[nout++] = &rows[i];
	nnew = nout;
	for (size_t i = 0; i < n; i++)
		if (rows[i].write && rows[i].found)
			out[nout++] = &rows[i];
	{
		struct rows_out fresh = { out, sorted, nnew, nsorted, org_id, now, 0 };
		struct rows_out changed = { out + nnew, sorted, nout - nnew, nsorted, org_id, now,
					    0 };

		if (rows_write(s, &fresh, &new_job_rows, &new_appointment_rows, e) < 0 ||
		    rows_write(s, &changed, &job_rows, &appointment_rows, e) < 0)
			goto tx;
	}
	for (size_t i = 0; i < nout; i++)
		out[i]->w->id = out[i]->job_id;
	rc = 0;
	/* Rows left out of the batch (their key came earlier in w), in their order. */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (row_find(sorted, nsorted, rows[i].key) != &rows[i])
			rc = store_jobs_upsert(s, org_id, &w[i], 1, e);
tx:
	rc = store__tx_end(s, own, rc, e);
end:
	rows_free(rows, n);
	free(sorted);
	free(out);
	return rc;
}

int store_job_upsert(struct store *s, int64_t org_id, const struct model_job *j,
		     int64_t assigned_user_id, enum store_upsert_result *result, int64_t *id,
		     struct err *e)
{
	struct store_job_write w = { .job = j, .assigned_user_id = assigned_user_id };

	if (store_jobs_upsert(s, org_id, &w, 1, e) < 0)
		return -1;
	*result = w.result;
	if (id)
		*id = w.id;
	return 0;
}

int store_job_cancel(struct store *s, int64_t org_id, const char *appointment_id,
		     int *changed, struct err *e)
{
	char key[16];
	int64_t n;

	*changed = 0;
	if (appointment_id == NULL || strlen(appointment_id) < 15)
		return err_set(e, ERR_INVALID, "an appointment Id must be 15 or 18 characters");
	appointment_key(appointment_id, key);
	n = store__exec(s, "UPDATE appointments SET status = 'cancelled' WHERE status <> 'cancelled'"
			   " AND job_id = (SELECT id FROM jobs WHERE org_id = ?"
			   " AND appointment_key = ?)", e, "it", org_id, key);
	if (n < 0)
		return -1;
	*changed = n > 0;
	return 0;
}

/* Reads phones JSON back into the model; a damaged value reads as no phones. */
static void phones_from_json(const char *text, struct model_job *j)
{
	json_t *a = json_loads(text ? text : "[]", 0, NULL);
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0)
		goto out;
	j->phones = calloc(json_array_size(a), sizeof(*j->phones));
	if (j->phones == NULL)
		goto out;
	json_array_foreach(a, i, v) {
		j->phones[i].name = store__strdup(json_string_value(json_object_get(v, "name")));
		j->phones[i].number = store__strdup(json_string_value(json_object_get(v, "number")));
	}
	j->nphones = json_array_size(a);
out:
	json_decref(a);
}

static void opps_from_json(const char *text, struct model_job *j)
{
	json_t *a = json_loads(text ? text : "[]", 0, NULL);
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0)
		goto out;
	j->opps = calloc(json_array_size(a), sizeof(*j->opps));
	if (j->opps == NULL)
		goto out;
	json_array_foreach(a, i, v) {
		struct model_opportunity *o = &j->opps[i];
		o->id = store__strdup(json_string_value(json_object_get(v, "id")));
		o->name = store__strdup(json_string_value(json_object_get(v, "name")));
		o->result = store__strdup(json_string_value(json_object_get(v, "result")));
		o->result_detail = store__strdup(json_string_value(json_object_get(v, "result_detail")));
	}
	j->nopps = json_array_size(a);
out:
	json_decref(a);
}

#define JOB_COLUMNS \
	"SELECT jobs.id, appointments.id, appointments.crm_id, jobs.customer_name, jobs.name," \
	" jobs.email, jobs.line1, jobs.city, jobs.state, jobs.postal_code, jobs.phones," \
	" jobs.assigned_user_id, occ_users.email, jobs.account_id, jobs.salesrep_id," \
	" appointments.status, appointments.start_ms, appointments.end_ms," \
	" appointments.summary, appointments.result, appointments.result_detail," \
	" appointments.opportunities, appointments.modstamp_ms, jobs.created_at," \
	" jobs.updated_at" \
	" FROM jobs JOIN appointments ON appointments.job_id = jobs.id" \
	" LEFT JOIN occ_users ON occ_users.id = jobs.assigned_user_id"

static void job_row(struct db_stmt *st, void *el)
{
	struct store_job *out = el;

	struct model_job *j = &out->job;

	memset(out, 0, sizeof(*out));
	out->id = db_col_int64(st, 0);
	out->appointment_row_id = db_col_int64(st, 1);
	j->appointment_id = store__col_dup(st, 2);
	j->customer_name = store__col_dup(st, 3);
	j->name = store__col_dup(st, 4);
	j->email = store__col_dup(st, 5);
	j->line1 = store__col_dup(st, 6);
	j->city = store__col_dup(st, 7);
	j->state = store__col_dup(st, 8);
	j->postal_code = store__col_dup(st, 9);
	phones_from_json(db_col_text(st, 10), j);
	out->assigned_user_id = db_col_is_null(st, 11) ? 0 : db_col_int64(st, 11);
	out->assigned_user_email = store__col_dup(st, 12);
	j->account_id = store__col_dup(st, 13);
	j->salesrep_id = store__col_dup(st, 14);
	j->status = store__enum_parse(model_appt_status_names, MODEL_APPT__MAX,
				      db_col_text(st, 15)) == MODEL_APPT_CANCELLED
			    ? MODEL_APPT_CANCELLED : MODEL_APPT_SCHEDULED;
	j->has_start = !db_col_is_null(st, 16);
	j->start_ms = db_col_int64(st, 16);
	j->has_end = !db_col_is_null(st, 17);
	j->end_ms = db_col_int64(st, 17);
	j->summary = store__col_dup(st, 18);
	j->result = store__col_dup(st, 19);
	j->result_detail = store__col_dup(st, 20);
	opps_from_json(db_col_text(st, 21), j);
	j->modstamp_ms = db_col_int64(st, 22);
	out->created_at = db_col_int64(st, 23);
	out->updated_at = db_col_int64(st, 24);
}

int store_job_get(struct store *s, int64_t org_id, int64_t id, struct store_job *out,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	return store__one(store__query(s, JOB_COLUMNS " WHERE jobs.org_id = ? AND jobs.id = ?", e,
				       "ii", org_id, id),
			  job_row, out, e, "job %lld does not exist", (long long)id);
}

static void jobs_free_all(void *v, size_t n)
{
	store_jobs_free(v, n);
}

int store_job_search(struct store *s, int64_t org_id, const char *q, int64_t after,
		     int limit, struct store_job **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	char *pat = NULL;

	*out = NULL;
	*n = 0;
	if (limit < 1)
		return err_set(e, ERR_INVALID, "limit must be at least 1");
	if (q && strlen(q) > 200)
		return err_set(e, ERR_INVALID, "the search text is longer than 200 characters");
	if (q && *q) {
		pat = store__like_pattern(q);
		if (pat == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		st = store__query(s, JOB_COLUMNS " WHERE jobs.org_id = ? AND jobs.id > ? AND"
				     " LOWER(COALESCE(jobs.name, '') || ' ' ||"
				     " COALESCE(jobs.customer_name, '') || ' ' ||"
				     " COALESCE(jobs.email, '') || ' ' || COALESCE(jobs.city, '') || ' ' ||"
				     " COALESCE(occ_users.email, '') || ' ' || appointments.crm_id)"
				     " LIKE LOWER(?) ESCAPE '\\' ORDER BY jobs.id LIMIT ?", e, "iiti",
				  org_id, after, pat, (int64_t)limit);
	} else {
		st = store__query(s, JOB_COLUMNS " WHERE jobs.org_id = ? AND jobs.id > ?"
				     " ORDER BY jobs.id LIMIT ?", e, "iii", org_id, after,
				  (int64_t)limit);
	}
	free(pat);
	return store__collect(st, sizeof(**out), job_row, jobs_free_all, out, n, e);
}

int store_job_list(struct store *s, int64_t org_id, int64_t after, int limit,
		   struct store_job **out, size_t *n, struct err *e)
{
	return store_job_search(s, org_id, NULL, after, limit, out, n, e);
}

/* store_push: setting a job's stage together with its push, and the outbox worker's reads. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

/* Salesforce Ids compare on their first 15 characters. */
static int same_id(const char *a, const char *b)
{
	return a && b && strlen(a) >= 15 && strlen(b) >= 15 && strncmp(a, b, 15) == 0;
}

/* NULL and "" are the same stage value (no detail). */
static int same_value(const char *a, const char *b)
{
	if (a == NULL || *a == '\0')
		return b == NULL || *b == '\0';
	return b != NULL && strcmp(a, b) == 0;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Replaces *slot (owned by a model_job) with a copy of v (NULL for NULL or ""). */
static int replace(char **slot, const char *v, struct err *e)
{
	char *copy = NULL;

	if (nonempty(v) && (copy = strdup(v)) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/* Sets result and detail of opportunity opp_id in the appointment row's stored JSON, so
 * that store_job_upsert's keeping of pushed stages reads the new values. */
static int write_opportunity_stage(struct store *s, int64_t job_id, const char *opp_id,
				   const char *result, const char *detail, struct err *e)
{
	struct db_stmt *st;
	json_t *a = NULL, *v;
	char *text = NULL;
	size_t i;
	int rc;

	st = store__query(s, "SELECT opportunities FROM appointments WHERE job_id = ?", e, "i",
			  job_id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		a = json_loads(db_col_text(st, 0) ? db_col_text(st, 0) : "[]", 0, NULL);
	db_finish(st);
	if (rc < 0)
		return -1;
	if (!json_is_array(a)) {
		json_decref(a);
		return err_set(e, ERR_DB, "the stored opportunities of job %lld are damaged",
			       (long long)job_id);
	}
	json_array_foreach(a, i, v) {
		if (!same_id(json_string_value(json_object_get(v, "id")), opp_id))
			continue;
		json_object_set_new(v, "result", nonempty(result) ? json_string(result) : json_null());
		json_object_set_new(v, "result_detail",
				    nonempty(detail) ? json_string(detail) : json_null());
	}
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (text == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	rc = store__exec(s, "UPDATE appointments SET opportunities = ? WHERE job_id = ?", e, "ti",
			 text, job_id) < 0 ? -1 : 0;
	free(text);
	return rc;
}

/*
 * The order matters: the push is queued and the stored stage written first, so that the
 * store_job_upsert below (which refreshes the job's fingerprint) sees a pending push for
 * the target and keeps the value just written. With the fingerprint matching the local
 * stage, the pull that later brings the same value back from I360 changes nothing.
 */
static int stage_apply(struct store *s, int64_t org_id, struct store_job *job,
		       const struct store_push_stage *st, int64_t *outbox_id, struct err *e)
{
	struct model_job *j = &job->job;
	struct model_opportunity *opp = NULL;
	enum store_upsert_result res;
	char **result, **detail;
	const char *target;

	if (st->opportunity_id) {
		for (size_t i = 0; i < j->nopps && opp == NULL; i++)
			if (same_id(j->opps[i].id, st->opportunity_id))
				opp = &j->opps[i];
		if (opp == NULL)
			return err_set(e, ERR_NOT_FOUND, "sales opportunity %s is not on job %lld",
				       st->opportunity_id, (long long)job->id);
		result = &opp->result;
		detail = &opp->result_detail;
		target = opp->id;
	} else {
		result = &j->result;
		detail = &j->result_detail;
		target = j->appointment_id;
	}
	if (same_value(*result, st->result) && same_value(*detail, st->result_detail))
		return 0;
	if (store_outbox_enqueue(s, org_id, job->id, opp ? "opportunity_stage" :
				 "appointment_stage", target, st->payload, 0, outbox_id, e) < 0)
		return -1;
	if (replace(result, st->result, e) < 0 || replace(detail, st->result_detail, e) < 0)
		return -1;
	if (opp) {
		if (write_opportunity_stage(s, job->id, opp->id, *result, *detail, e) < 0)
			return -1;
	} else if (store__exec(s, "UPDATE appointments SET result = ?, result_detail = ?"
				  " WHERE job_id = ?", e, "tti", *result, *detail, job->id) < 0) {
		return -1;
	}
	return store_job_upsert(s, org_id, j, job->assigned_user_id, &res, NULL, e);
}

int store_push_stage(struct store *s, int64_t org_id, int64_t job_id,
		     const struct store_push_stage *st, int64_t *outbox_id, struct err *e)
{
	struct store_job job;
	int own, rc;

	*outbox_id = 0;
	if (st->result == NULL || *st->result == '\0' || st->payload == NULL)
		return err_set(e, ERR_INVALID, "a stage needs a result and the fields to push");
	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	rc = store_job_get(s, org_id, job_id, &job, e);
	if (rc == 0) {
		rc = stage_apply(s, org_id, &job, st, outbox_id, e);
		store_job_free(&job);
	}
	rc = store__tx_end(s, own, rc, e);
	if (rc < 0)
		*outbox_id = 0;
	return rc;
}

void store_push_document_clear(struct store_document *d)
{
	if (d == NULL)
		return;
	free(d->title);
	free(d->content_type);
	free(d->sha256);
	free(d->path);
	free(d->content_version_id);
	free(d->push_state);
	free(d->push_error);
	memset(d, 0, sizeof(*d));
}

int store_push_document(struct store *s, int64_t document_id, struct store_document *out,
			struct err *e)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	st = store__query(s, "SELECT id, job_id, title, content_type, size, sha256, path,"
			     " content_version_id, created_at FROM documents WHERE id = ?", e, "i",
			  document_id);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		out->id = db_col_int64(st, 0);
		out->job_id = db_col_int64(st, 1);
		out->title = store__col_dup(st, 2);
		out->content_type = store__col_dup(st, 3);
		out->size = db_col_int64(st, 4);
		out->sha256 = store__col_dup(st, 5);
		out->path = store__col_dup(st, 6);
		out->content_version_id = store__col_dup(st, 7);
		out->created_at = db_col_int64(st, 8);
	} else if (rc == 0) {
		err_set(e, ERR_NOT_FOUND, "document %lld does not exist", (long long)document_id);
	}
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

int store_push_release(struct store *s, int64_t outbox_id, int64_t retry_at, const char *note,
		       struct err *e)
{
	/* The claim counted an attempt that was never made: take it back. */
	return store__exec(s, "UPDATE outbox SET state = 'queued', next_attempt_at = ?,"
			      " last_error = ?, attempts = CASE WHEN attempts > 0 THEN attempts - 1"
			      " ELSE 0 END, claimed_by = NULL, claim_expires_at = NULL,"
			      " updated_at = ? WHERE id = ? AND state = 'sending'", e, "itii",
			   retry_at, note, isotime_now_ms(), outbox_id) < 0 ? -1 : 0;
}

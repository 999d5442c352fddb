/* api_jobs: /api/jobs — jobs made from I360 appointments, their stage and documents. */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/reply.h"
#include "salesforce/id.h"
#include "store/store_json.h"
#include "sync/push.h"
#include "util/num.h"

#define JOBS_DEFAULT 50
#define JOBS_MAX 500

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A whole number in [lo, hi] from text; -1 when it is not one. */
static int64_t number(const char *s, int64_t lo, int64_t hi)
{
	int64_t v;

	return num_parse(s, lo, hi, &v) == 0 ? v : -1;
}

/* The job named by the path (0 and a 404 answered when it is absent). */
static int64_t job_id(struct request *r, enum MHD_Result *res)
{
	int64_t id = number(r->params[0], 1, INT64_MAX);

	if (id < 0)
		*res = reply_error(r, 404, "there is no job %.32s", r->params[0]);
	return id < 0 ? 0 : id;
}

enum MHD_Result api_jobs_list(struct request *r)
{
	const char *lim = request_query(r, "limit"), *aft = request_query(r, "after");
	const char *q = request_query(r, "q");
	int64_t limit = JOBS_DEFAULT, after = 0;
	struct store_job *jobs;
	size_t n;
	json_t *a, *next;
	struct err e;

	if (lim && (limit = number(lim, 1, JOBS_MAX)) < 0)
		return reply_error(r, 400, "limit must be a whole number from 1 to %d", JOBS_MAX);
	if (aft && (after = number(aft, 0, INT64_MAX)) < 0)
		return reply_error(r, 400, "after must be a job id (a whole number)");
	/* One more than asked tells whether another page follows. */
	if (store_job_search(r->store, r->org_id, q, after, (int)limit + 1, &jobs, &n, &e) < 0)
		return reply_err(r, &e);
	a = json_array();
	for (size_t i = 0; a && i < n && i < (size_t)limit; i++)
		json_array_append_new(a, store_job_json(&jobs[i]));
	next = n > (size_t)limit ? json_integer(jobs[limit - 1].id) : json_null();
	store_jobs_free(jobs, n);
	return reply_json(r, 200, json_pack("{s:o,s:o}", "jobs", a, "next_after", next));
}

static json_t *pushes_json(const struct store_outbox_item *it, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack(
			"{s:I,s:s,s:o,s:s,s:i,s:o,s:o,s:o,s:o}", "id", (json_int_t)it[i].id,
			"kind", it[i].kind ? it[i].kind : "", "target_id",
			str_or_null(it[i].target_id), "state",
			store_outbox_state_names[it[i].state], "attempts", it[i].attempts,
			"last_error", str_or_null(it[i].last_error), "result",
			str_or_null(it[i].result), "created_at",
			store_time_json(1, it[i].created_at), "updated_at",
			store_time_json(1, it[i].updated_at)));
	return a;
}

/* The answer when the org's job id could not be read: 404 when there is none. */
static enum MHD_Result reply_no_job(struct request *r, int64_t id, const struct err *e)
{
	return e->code == ERR_NOT_FOUND ? reply_error(r, 404, "there is no job %lld", (long long)id)
					: reply_err(r, e);
}

enum MHD_Result api_jobs_get(struct request *r)
{
	enum MHD_Result res = MHD_NO;
	int64_t id = job_id(r, &res);
	struct store_job j;
	struct store_outbox_item *it;
	size_t n;
	json_t *o;
	struct err e;

	if (id == 0)
		return res;
	if (store_job_get(r->store, r->org_id, id, &j, &e) < 0)
		return reply_no_job(r, id, &e);
	o = store_job_json(&j);
	store_job_free(&j);
	if (store_outbox_list(r->store, r->org_id, id, &it, &n, &e) < 0) {
		json_decref(o);
		return reply_err(r, &e);
	}
	if (o)
		json_object_set_new(o, "pushes", pushes_json(it, n));
	store_outbox_free(it, n);
	return reply_json(r, 200, o);
}

enum MHD_Result api_jobs_stage(struct request *r)
{
	enum MHD_Result res = MHD_NO;
	int64_t id = job_id(r, &res), outbox_id = 0;
	struct push_stage st;
	json_t *body;
	struct err e;

	if (id == 0)
		return res;
	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	memset(&st, 0, sizeof(st));
	if (json_object_get(body, "opportunity_id") &&
	    (json_object_get(body, "appointment_result") ||
	     json_object_get(body, "appointment_result_detail"))) {
		json_decref(body);
		return reply_error(r, 400, "send an appointment stage (appointment_result) or an "
					   "opportunity stage (opportunity_id and result), not both");
	}
	if (json_object_get(body, "opportunity_id")) {
		if (request_opt_string(body, "opportunity_id", &st.opportunity_id) < 0 ||
		    st.opportunity_id == NULL || request_opt_string(body, "result", &st.result) < 0 ||
		    request_opt_string(body, "result_detail", &st.result_detail) < 0 ||
		    st.result == NULL) {
			json_decref(body);
			return reply_error(r, 400, "an opportunity stage needs opportunity_id and "
						   "result as strings (result_detail optional)");
		}
		if (!sf_id_valid(st.opportunity_id)) {
			json_decref(body);
			return reply_error(r, 400, "opportunity_id must be a Salesforce Id: 15 "
						   "characters, or 18 with a valid suffix");
		}
	} else if (request_opt_string(body, "appointment_result", &st.result) < 0 ||
		   request_opt_string(body, "appointment_result_detail", &st.result_detail) < 0 ||
		   st.result == NULL) {
		json_decref(body);
		return reply_error(r, 400, "a stage needs appointment_result (and optionally "
					   "appointment_result_detail), or opportunity_id, result "
					   "and result_detail, as strings");
	}
	if (push_stage_request(r->store, r->org_id, id, &st, &outbox_id, &e) < 0) {
		json_decref(body);
		return reply_err(r, &e);
	}
	json_decref(body);
	if (outbox_id && r->ctx->pusher)
		pusher_kick(r->ctx->pusher);
	return reply_json(r, 202, json_pack("{s:o}", "outbox_id",
					    outbox_id ? json_integer(outbox_id) : json_null()));
}

enum MHD_Result api_jobs_documents(struct request *r)
{
	enum MHD_Result res = MHD_NO;
	int64_t id = job_id(r, &res);
	struct store_document *d;
	struct store_job j;
	size_t n;
	json_t *a;
	struct err e;

	if (id == 0)
		return res;
	if (store_job_get(r->store, r->org_id, id, &j, &e) < 0)
		return reply_no_job(r, id, &e);
	store_job_free(&j);
	if (store_document_list(r->store, r->org_id, id, &d, &n, &e) < 0)
		return reply_err(r, &e);
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack(
			"{s:I,s:I,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)d[i].id,
			"job_id", (json_int_t)d[i].job_id, "title", str_or_null(d[i].title),
			"content_type", str_or_null(d[i].content_type), "size",
			(json_int_t)d[i].size, "sha256", str_or_null(d[i].sha256),
			"content_version_id", str_or_null(d[i].content_version_id),
			"created_at", store_time_json(1, d[i].created_at), "push_state",
			str_or_null(d[i].push_state), "push_error",
			str_or_null(d[i].push_error)));
	store_documents_free(d, n);
	return reply_json(r, 200, a);
}

enum MHD_Result api_jobs_upload(struct request *r)
{
	enum MHD_Result res = MHD_NO;
	int64_t id = job_id(r, &res), doc_id = 0;
	struct err e;

	if (id == 0)
		return res;
	if (r->upload_path == NULL)
		return reply_error(r, 400, "the upload has no part named \"file\"");
	/* Whatever the outcome, the spooled file is push_document_add's now. */
	r->upload_taken = 1;
	if (push_document_add(r->store, r->ctx->docs_dir, r->org_id, id, r->upload_name,
			      r->upload_type, r->upload_path, &doc_id, &e) < 0)
		return reply_err(r, &e);
	if (r->ctx->pusher)
		pusher_kick(r->ctx->pusher);
	return reply_json(r, 202, json_pack("{s:I}", "document_id", (json_int_t)doc_id));
}

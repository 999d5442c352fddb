/* api_integration: /api/integrations/improveit360 — connect, settings, sync, staff links,
 * result reasons (SPEC §6). */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/reply.h"
#include "store/store_json.h"
#include "sync/connect.h"
#include "sync/scheduler.h"
#include "sync/sync.h"
#include "util/isotime.h"
#include "util/num.h"

#define RUNS_DEFAULT 50
#define RUNS_MAX 500

/* Parses a positive id from a path parameter; 0 when it is not one. */
static int64_t path_id(const char *s)
{
	int64_t v;

	return num_parse(s, 1, INT64_MAX, &v) == 0 ? v : 0;
}

enum MHD_Result api_integration_authorize(struct request *r)
{
	const char *key = NULL, *secret = NULL, *login = NULL;
	json_t *body;
	char *url = NULL;
	struct err e;
	enum MHD_Result res;

	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	if (request_opt_string(body, "consumer_key", &key) < 0 ||
	    request_opt_string(body, "consumer_secret", &secret) < 0 ||
	    request_opt_string(body, "login_url", &login) < 0) {
		json_decref(body);
		return reply_error(r, 400, "consumer_key, consumer_secret and login_url must be "
					   "strings");
	}
	if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0') {
		json_decref(body);
		return reply_error(r, 400, "consumer_key and consumer_secret are required: copy "
					   "them from the connected app's Manage Consumer Details");
	}
	if (connect_authorize_url(r->store, r->org_id, key, secret, login, r->ctx->callback_url,
				  &url, &e) < 0) {
		json_decref(body);
		return reply_err(r, &e);
	}
	json_decref(body);
	res = reply_json(r, 200, json_pack("{s:s,s:s}", "authorize_url", url, "callback_url",
					   r->ctx->callback_url));
	free(url);
	return res;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

enum MHD_Result api_integration_get(struct request *r)
{
	struct store_integration in;
	struct store_run *runs = NULL;
	size_t n = 0;
	json_t *o;
	struct err e;

	if (store_integration_get(r->store, r->org_id, 0, &in, &e) < 0)
		return reply_err(r, &e);
	if (store_run_list(r->store, r->org_id, 1, &runs, &n, &e) < 0) {
		store_integration_free(&in);
		return reply_err(r, &e);
	}
	o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}",
		      "status", store_integration_status_names[in.status],
		      "platform", str_or_null(in.platform),
		      "documents", str_or_null(in.documents),
		      "instance_url", str_or_null(in.instance_url),
		      "last_run", n ? store_run_json(&runs[0]) : json_null(),
		      "next_sync_at",
		      store_time_json(in.has_next_sync && in.status == STORE_INT_CONNECTED,
				      in.next_sync_at),
		      "connected_user", str_or_null(in.connected_user),
		      "sf_org_id", str_or_null(in.sf_org_id),
		      "login_url", str_or_null(in.login_url),
		      "last_error", str_or_null(in.last_error),
		      "callback_url", r->ctx->callback_url);
	/* The org's daily API allowance as Salesforce last reported it. */
	json_object_set_new(o, "api_usage", in.has_api_usage
			    ? json_pack("{s:I,s:I}", "used", (json_int_t)in.api_used, "max",
					(json_int_t)in.api_max)
			    : json_null());
	store_runs_free(runs, n);
	store_integration_free(&in);
	return reply_json(r, 200, o);
}

enum MHD_Result api_integration_settings(struct request *r)
{
	json_t *body, *platform, *documents;
	const char *key;
	json_t *v;
	struct err e;

	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	json_object_foreach(body, key, v) {
		if (strcmp(key, "platform") != 0 && strcmp(key, "documents") != 0) {
			enum MHD_Result res = reply_error(r, 400, "unknown setting \"%.64s\": the "
							  "settings are platform and documents",
							  key);
			json_decref(body);	/* key lives in body */
			return res;
		}
	}
	platform = json_object_get(body, "platform");
	documents = json_object_get(body, "documents");
	if (platform && (!json_is_string(platform) ||
			 (strcmp(json_string_value(platform), "lightning") != 0 &&
			  strcmp(json_string_value(platform), "classic") != 0))) {
		json_decref(body);
		return reply_error(r, 400, "platform must be \"lightning\" or \"classic\"");
	}
	if (documents && (!json_is_string(documents) ||
			  (strcmp(json_string_value(documents), "all") != 0 &&
			   strcmp(json_string_value(documents), "none") != 0))) {
		json_decref(body);
		return reply_error(r, 400, "documents must be \"all\" or \"none\"");
	}
	if (store_integration_set_settings(r->store, r->org_id,
					   platform ? json_string_value(platform) : NULL,
					   documents ? json_string_value(documents) : NULL,
					   &e) < 0) {
		json_decref(body);
		return reply_err(r, &e);
	}
	json_decref(body);
	return api_integration_get(r);
}

enum MHD_Result api_integration_sync(struct request *r)
{
	struct store_integration in;
	struct store_run_counts zero;
	struct sync_options o;
	int64_t run_id = 0;
	enum store_integration_status status;
	struct err e, ignored;

	if (store_integration_get(r->store, r->org_id, 0, &in, &e) < 0)
		return reply_err(r, &e);
	status = in.status;
	store_integration_free(&in);
	if (status == STORE_INT_DISCONNECTED)
		return reply_error(r, 409, "ImproveIt360 is not connected: authorize it first");
	if (status == STORE_INT_NEEDS_REAUTH)
		return reply_error(r, 409, "ImproveIt360 needs to be authorized again before it "
					   "can sync");
	/* sync_begin takes the org's lease only when no live one exists, ours included:
	 * a sync queued or running here answers 409. */
	memset(&o, 0, sizeof(o));
	o.kind = SYNC_MANUAL;
	o.holder = scheduler_holder(r->ctx->scheduler);
	o.share_limit = r->ctx->share_limit;
	o.client = r->ctx->client;
	if (sync_begin(r->store, r->org_id, &o, &run_id, &e) < 0)
		return reply_err(r, &e);
	if (scheduler_submit(r->ctx->scheduler, r->org_id, run_id, SYNC_MANUAL, &e) < 0) {
		/* Nobody will run it: close the run and free the lease again. */
		memset(&zero, 0, sizeof(zero));
		store_run_finish(r->store, run_id, STORE_RUN_FAILED, &zero, 0, e.msg, &ignored);
		store_lease_release(r->store, r->org_id, o.holder, &ignored);
		return reply_err(r, &e);
	}
	return reply_json(r, 202, json_pack("{s:I}", "run_id", (json_int_t)run_id));
}

enum MHD_Result api_integration_runs(struct request *r)
{
	const char *lim = request_query(r, "limit");
	struct store_run *runs;
	size_t n;
	json_t *a;
	int64_t limit = RUNS_DEFAULT;
	struct err e;

	if (lim && num_parse(lim, 1, RUNS_MAX, &limit) < 0)
		return reply_error(r, 400, "limit must be a whole number from 1 to %d", RUNS_MAX);
	if (store_run_list(r->store, r->org_id, (int)limit, &runs, &n, &e) < 0)
		return reply_err(r, &e);
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, store_run_json(&runs[i]));
	store_runs_free(runs, n);
	return reply_json(r, 200, a);
}

enum MHD_Result api_integration_run(struct request *r)
{
	int64_t id = path_id(r->params[0]);
	struct store_run run;
	struct store_run_error *errs;
	size_t n;
	json_t *o, *a;
	struct err e;

	if (id == 0 || store_run_get(r->store, r->org_id, id, &run, &e) < 0) {
		if (id == 0 || e.code == ERR_NOT_FOUND)
			return reply_error(r, 404, "there is no sync run %.32s", r->params[0]);
		return reply_err(r, &e);
	}
	o = store_run_json(&run);
	store_run_clear(&run);
	if (store_run_errors_list(r->store, id, &errs, &n, &e) < 0) {
		json_decref(o);
		return reply_err(r, &e);
	}
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:o,s:o}", "object",
						   str_or_null(errs[i].object), "record_id",
						   str_or_null(errs[i].record_id), "message",
						   str_or_null(errs[i].message)));
	store_run_errors_free(errs, n);
	if (o)
		json_object_set_new(o, "errors", a);
	else
		json_decref(a);
	return reply_json(r, 200, o);
}

enum MHD_Result api_integration_delete(struct request *r)
{
	struct err e;

	if (connect_disconnect(r->store, r->org_id, &e) < 0)
		return reply_err(r, &e);
	return api_integration_get(r);
}

enum MHD_Result api_integration_staff(struct request *r)
{
	const char *q = request_query(r, "q");
	struct store_staff *st;
	size_t n;
	json_t *a;
	struct err e;

	if (q && strlen(q) > 200)
		return reply_error(r, 400, "the search text is longer than 200 characters");
	if (store_staff_list(r->store, r->org_id, q, &st, &n, &e) < 0)
		return reply_err(r, &e);
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, store_staff_json(&st[i]));
	store_staff_free(st, n);
	return reply_json(r, 200, a);
}

/*
 * PUT users/CRM_ID: {"occ_user_id": N|null, "active": bool}, either one or both. A link
 * sent without "active" is active; "active" alone keeps the link and only switches it
 * (deactivating a rep's sync without forgetting who they are).
 */
enum MHD_Result api_integration_staff_put(struct request *r)
{
	const char *crm_id = r->params[0];
	json_t *body, *user, *active;
	struct store_staff st;
	int64_t occ_user_id = 0;
	int on = 1;
	json_t *o;
	struct err e;

	if (request_json(r, &body, &e) < 0)
		return reply_err(r, &e);
	user = json_object_get(body, "occ_user_id");
	active = json_object_get(body, "active");
	if (user == NULL && active == NULL) {
		json_decref(body);
		return reply_error(r, 400, "send occ_user_id (an OCC user's id, or null to "
					   "unlink), active (true or false), or both");
	}
	if (user && !json_is_null(user) &&
	    (!json_is_integer(user) || json_integer_value(user) <= 0)) {
		json_decref(body);
		return reply_error(r, 400, "occ_user_id must be an OCC user's id, or null to "
					   "unlink");
	}
	if (active && !json_is_boolean(active)) {
		json_decref(body);
		return reply_error(r, 400, "active must be true or false");
	}
	if (json_is_integer(user))
		occ_user_id = json_integer_value(user);
	if (active)
		on = json_is_true(active);
	json_decref(body);
	if (user == NULL) {
		/* "active" alone: the link stays as it is. */
		if (store_staff_get(r->store, r->org_id, crm_id, &st, &e) < 0)
			return reply_err(r, &e);
		occ_user_id = st.occ_user_id;
		store_staff_clear(&st);
		if (occ_user_id == 0 && on)
			return reply_error(r, 400, "this ImproveIt360 user is not linked to an OCC "
						   "user: send occ_user_id to link them");
	}
	if (store_staff_link(r->store, r->org_id, crm_id, occ_user_id, on, &e) < 0)
		return reply_err(r, &e);
	if (store_staff_get(r->store, r->org_id, crm_id, &st, &e) < 0)
		return reply_err(r, &e);
	o = store_staff_json(&st);
	store_staff_clear(&st);
	return reply_json(r, 200, o);
}

/* The results of one kind, each with its details nested. */
static json_t *reasons_json(const struct store_reason *rs, size_t n)
{
	json_t *results = json_array();

	for (size_t i = 0; results && i < n; i++) {
		json_t *res, *details;

		if (rs[i].parent_id != 0)
			continue;
		details = json_array();
		for (size_t k = 0; details && k < n; k++)
			if (rs[k].parent_id == rs[i].id)
				json_array_append_new(details, json_pack(
					"{s:I,s:s,s:i,s:b,s:I}", "id", (json_int_t)rs[k].id,
					"description", rs[k].description, "position",
					rs[k].position, "active", rs[k].active, "result_id",
					(json_int_t)rs[i].id));
		res = json_pack("{s:I,s:s,s:i,s:b,s:o}", "id", (json_int_t)rs[i].id,
				"description", rs[i].description, "position", rs[i].position,
				"active", rs[i].active, "details", details);
		json_array_append_new(results, res);
	}
	return results;
}

enum MHD_Result api_integration_reasons(struct request *r)
{
	json_t *o = json_object();
	struct err e;

	for (int k = 0; o && k < STORE_REASON__MAX; k++) {
		struct store_reason *rs;
		size_t n;

		if (store_reasons_list(r->store, r->org_id, k, &rs, &n, &e) < 0) {
			json_decref(o);
			return reply_err(r, &e);
		}
		json_object_set_new(o, store_reason_kind_names[k], reasons_json(rs, n));
		store_reasons_free(rs, n);
	}
	return reply_json(r, 200, o);
}

/* store_json: the store's records as the JSON shapes of SPEC §6. */
#include "store/store_json.h"

#include "util/isotime.h"

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *store_time_json(int has, int64_t ms)
{
	char t[ISOTIME_LEN];

	return has ? json_string(isotime_format(t, ms)) : json_null();
}

json_t *store_job_json(const struct store_job *sj)
{
	const struct model_job *j = &sj->job;
	json_t *phones = json_array(), *opps = json_array(), *appt, *user;

	for (size_t i = 0; i < j->nphones; i++)
		json_array_append_new(phones, json_pack("{s:o,s:o}", "name", str(j->phones[i].name),
							"number", str(j->phones[i].number)));
	for (size_t i = 0; i < j->nopps; i++)
		json_array_append_new(opps, json_pack("{s:o,s:o,s:o,s:o}", "id", str(j->opps[i].id),
						      "name", str(j->opps[i].name), "result",
						      str(j->opps[i].result), "result_detail",
						      str(j->opps[i].result_detail)));
	appt = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o}}",
			 "id", (json_int_t)sj->appointment_row_id,
			 "status", model_appt_status_names[j->status],
			 "start_time", store_time_json(j->has_start, j->start_ms),
			 "end_time", store_time_json(j->has_end, j->end_ms),
			 "summary", str(j->summary),
			 "result", str(j->result),
			 "result_detail", str(j->result_detail),
			 "sales_opportunities", opps,
			 "metadata", "improveit360_appointment_id", str(j->appointment_id));
	user = sj->assigned_user_id
		       ? json_pack("{s:I,s:o}", "id", (json_int_t)sj->assigned_user_id, "email",
				   str(sj->assigned_user_email))
		       : json_null();
	return json_pack("{s:I,s:o,s:o,s:o,s:n,s:{s:o,s:o,s:o,s:o},s:o,s:o,s:{s:o,s:o},s:[o]}",
			 "id", (json_int_t)sj->id,
			 "customer_name", str(j->customer_name),
			 "name", str(j->name),
			 "email", str(j->email),
			 "lead_source",
			 "address", "line1", str(j->line1), "city", str(j->city), "state",
			 str(j->state), "postal_code", str(j->postal_code),
			 "phones", phones,
			 "assigned_user", user,
			 "metadata", "i360_lightning_account", str(j->account_id),
			 "i360_lightning_salesrep_id", str(j->salesrep_id),
			 "appointments", appt);
}

json_t *store_run_json(const struct store_run *r)
{
	const struct store_run_counts *c = &r->counts;
	json_t *o;

	o = json_pack("{s:I,s:o,s:s,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:o}",
		      "id", (json_int_t)r->id,
		      "trigger", str(r->trigger),
		      "status", store_run_status_names[r->status],
		      "started_at", store_time_json(1, r->started_at),
		      "finished_at", store_time_json(r->finished_at != 0, r->finished_at),
		      "counts",
		      "users", (json_int_t)c->users,
		      "users_linked", (json_int_t)c->users_linked,
		      "jobs_created", (json_int_t)c->jobs_created,
		      "jobs_updated", (json_int_t)c->jobs_updated,
		      "appointments_skipped", (json_int_t)c->appointments_skipped,
		      "appointments_cancelled", (json_int_t)c->appointments_cancelled,
		      "record_errors", (json_int_t)c->record_errors,
		      "api_calls", (json_int_t)r->api_calls,
		      "error", str(r->error));
	if (o && r->status == STORE_RUN_RUNNING)
		json_object_set_new(o, "step", str(r->step));
	return o;
}

json_t *store_staff_json(const struct store_staff *st)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:s,s:b}",
			 "crm_id", str(st->crm_id),
			 "name", str(st->name),
			 "email", str(st->email),
			 "occ_user_id", st->occ_user_id ? json_integer(st->occ_user_id) : json_null(),
			 "occ_user_email", str(st->occ_user_email),
			 "active", st->active && st->occ_user_id,
			 "linked_by", store_link_by_names[st->linked_by],
			 "in_i360", st->in_crm != 0);
}

json_t *store_user_json(const struct store_user *u)
{
	return json_pack("{s:I,s:o,s:o}", "id", (json_int_t)u->id, "email", str(u->email),
			 "name", str(u->name));
}

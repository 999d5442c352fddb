/* store_json: the store's records as the JSON shapes of SPEC §6 (API and --json). */
#ifndef I360_STORE_STORE_JSON_H
#define I360_STORE_STORE_JSON_H

#include <jansson.h>

#include "store/store.h"

/*
 * Each function returns a new reference (the caller json_decref()s it), or NULL when
 * out of memory. Times are UTC "YYYY-MM-DDTHH:MM:SSZ"; absent values are JSON null.
 */

/* A job as SPEC §6 shows it, with its one appointment in "appointments". */
json_t *store_job_json(const struct store_job *j);

/* A sync run: {"id","trigger","status","started_at","finished_at","counts":{...},
 * "api_calls","error"} plus "step" while it runs. */
json_t *store_run_json(const struct store_run *r);

/* A staff member and its link: {"crm_id","name","email","occ_user_id",
 * "occ_user_email","active","linked_by"}. */
json_t *store_staff_json(const struct store_staff *st);

/* An OCC user: {"id","email","name"}. */
json_t *store_user_json(const struct store_user *u);

/* A time in ms as a JSON string, or null when has is 0. */
json_t *store_time_json(int has, int64_t ms);

#endif

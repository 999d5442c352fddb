/* model: freeing the plain OCC records. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

const char *const model_appt_status_names[MODEL_APPT__MAX] = {
	[MODEL_APPT_SCHEDULED] = "scheduled",
	[MODEL_APPT_CANCELLED] = "cancelled",
};

void model_job_free(struct model_job *j)
{
	if (j == NULL)
		return;
	free(j->appointment_id);
	free(j->customer_name);
	free(j->name);
	free(j->email);
	free(j->line1);
	free(j->city);
	free(j->state);
	free(j->postal_code);
	free(j->account_id);
	free(j->salesrep_id);
	for (size_t i = 0; i < j->nphones; i++) {
		free(j->phones[i].name);
		free(j->phones[i].number);
	}
	free(j->phones);
	free(j->summary);
	free(j->result);
	free(j->result_detail);
	for (size_t i = 0; i < j->nopps; i++) {
		free(j->opps[i].id);
		free(j->opps[i].name);
		free(j->opps[i].result);
		free(j->opps[i].result_detail);
	}
	free(j->opps);
	memset(j, 0, sizeof(*j));
}

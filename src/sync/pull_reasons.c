/* pull_reasons: the result picklists (appointment Status and opportunity Result, each
 * with its dependent detail) into the org's result reasons. */
#include <stdlib.h>
#include <string.h>

#include "salesforce/picklist.h"
#include "salesforce/sobject.h"
#include "sync/pull.h"
#include "util/log.h"

/*
 * One picklist pair of one describe: the controlling values in Salesforce's order,
 * inactive ones included, each with the dependent values valid for it. One describe
 * call serves every controller value.
 */
static int pull_pair(struct pull_ctx *p, const struct platform_picklist_pair *pair,
		     enum store_reason_kind kind, struct err *e)
{
	struct sf_picklist results = { 0 }, *details = NULL;
	struct store_reason_in *in = NULL, *din = NULL;
	json_t *describe = NULL;
	size_t ndin = 0;
	int rc = -1;

	if (sf_sobject_describe(p->cs->client, pair->object, &describe, e) < 0)
		goto out;
	if (sf_picklist_values(describe, pair->controlling, &results, e) < 0)
		goto out;
	details = calloc(results.n ? results.n : 1, sizeof(*details));
	in = calloc(results.n ? results.n : 1, sizeof(*in));
	if (details == NULL || in == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < results.n; i++) {
		if (sf_picklist_valid_for(describe, pair->dependent, results.v[i].value,
					  &details[i], e) < 0) {
			/* The detail depends on nothing (an org whose admin removed the field
			 * dependency, or a simulator without them): Salesforce then takes any
			 * detail with any result, so every one goes under each. */
			if (e->code != ERR_INVALID ||
			    sf_picklist_values(describe, pair->dependent, &details[i], e) < 0)
				goto out;
			if (i == 0)
				log_warn("sync.reasons_independent", "org=%lld field=%s",
					 (long long)p->org_id, pair->dependent);
		}
		ndin += details[i].n;
	}
	din = calloc(ndin ? ndin : 1, sizeof(*din));
	if (din == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	ndin = 0;
	for (size_t i = 0; i < results.n; i++) {
		in[i].description = results.v[i].value;
		in[i].active = results.v[i].active;
		in[i].details = &din[ndin];
		in[i].ndetails = details[i].n;
		for (size_t j = 0; j < details[i].n; j++, ndin++) {
			din[ndin].description = details[i].v[j].value;
			din[ndin].active = details[i].v[j].active;
		}
	}
	rc = store_reasons_replace(p->s, p->org_id, kind, in, results.n, e);
out:
	if (rc < 0)
		err_prefix(e, "pulling %s.%s", pair->object, pair->controlling);
	for (size_t i = 0; details && i < results.n; i++)
		sf_picklist_free(&details[i]);
	free(details);
	free(in);
	free(din);
	sf_picklist_free(&results);
	json_decref(describe);
	return rc;
}

int pull_reasons(struct pull_ctx *p, struct err *e)
{
	if (pull__checkpoint(p, "result reasons", e) < 0)
		return -1;
	if (pull_pair(p, &p->schema->appt_status, STORE_REASON_APPOINTMENT, e) < 0)
		return -1;
	if (pull__checkpoint(p, "sales opportunity results", e) < 0)
		return -1;
	return pull_pair(p, &p->schema->opp_result, STORE_REASON_OPPORTUNITY, e);
}

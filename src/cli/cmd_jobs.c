/* cmd_jobs: `i360bridge jobs --org ID [--json]` — the org's jobs. */
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store_json.h"
#include "util/isotime.h"

int cli_jobs(int argc, char **argv)
{
	const char *json = NULL;
	const struct cli_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	struct store_job *jobs;
	struct store *s;
	struct err e;
	json_t *all = NULL;
	int64_t org_id, after = 0, count = 0;
	size_t n;
	int rc;

	rc = cli_org_begin("jobs", argc, argv, opts, &org_id, &s);
	if (rc != CLI_GO)
		return rc;
	if (json)
		all = json_array();
	else
		printf("%-7s %-20s %-32s %-10s %s\n", "ID", "START (UTC)", "NAME", "STATUS",
		       "ASSIGNED TO");
	/* Page through the store so memory stays flat however many jobs there are. */
	do {
		rc = store_job_list(s, org_id, after, 500, &jobs, &n, &e);
		if (rc < 0)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct model_job *j = &jobs[i].job;
			char t[ISOTIME_LEN] = "-";

			if (all) {
				json_array_append_new(all, store_job_json(&jobs[i]));
				continue;
			}
			if (j->has_start)
				isotime_format(t, j->start_ms);
			printf("%-7lld %-20s %-32.32s %-10s %s\n", (long long)jobs[i].id, t,
			       j->name ? j->name : "-", model_appt_status_names[j->status],
			       jobs[i].assigned_user_email ? jobs[i].assigned_user_email : "-");
		}
		if (n)
			after = jobs[n - 1].id;
		count += (int64_t)n;
		store_jobs_free(jobs, n);
	} while (n == 500);
	store_close(s);
	if (rc < 0) {
		json_decref(all);
		return cli_fail_err(&e);
	}
	if (all) {
		json_dumpf(all, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(all);
	} else if (count == 0) {
		printf("No jobs yet: connect ImproveIt360 and run 'i360bridge sync --org %lld "
		       "--full'.\n", (long long)org_id);
	}
	return CLI_OK;
}

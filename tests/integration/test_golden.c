/* Golden mapping through the whole path: records made in i360-sandbox, pulled over HTTP,
 * read back as the API's job JSON, compared field by field with SPEC §3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store_json.h"
#include "sync/sync.h"

struct golden {
	struct harness h;
	char rep[19];		/* a linked rep */
	int64_t rep_user;
};

static int setup(void **state)
{
	struct golden *g = calloc(1, sizeof(*g));
	struct store_staff *st;
	struct store_run run;
	struct sync_options o;
	size_t n;
	struct err e;
	int64_t run_id;

	harness_start(&g->h, NULL, 1);
	memset(&o, 0, sizeof(o));
	o.kind = SYNC_MANUAL;
	o.holder = "golden";
	if (sync_org(g->h.s, g->h.org, &o, &run_id, &e) < 0)
		return -1;
	store_run_get(g->h.s, g->h.org, run_id, &run, &e);
	store_run_clear(&run);
	if (store_staff_list(g->h.s, g->h.org, NULL, &st, &n, &e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (st[i].active && st[i].occ_user_id) {
			snprintf(g->rep, sizeof(g->rep), "%s", st[i].crm_id);
			g->rep_user = st[i].occ_user_id;
			break;
		}
	store_staff_free(st, n);
	*state = g;
	return g->rep[0] ? 0 : -1;
}

static int teardown(void **state)
{
	struct golden *g = *state;

	harness_stop(&g->h);
	free(g);
	return 0;
}

/* Creates a record of type from a JSON text with REP standing for the linked rep. */
static void make(struct golden *g, const char *type, const char *fields, char id[19])
{
	char text[4096];
	const char *at = strstr(fields, "REP");
	json_t *f;
	struct err e;

	if (at)
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - fields), fields, g->rep, at + 3);
	else
		snprintf(text, sizeof(text), "%s", fields);
	f = json_loads(text, 0, NULL);
	assert_non_null(f);
	if (sandbox_record_create(g->h.sb, type, f, id, &e) < 0)
		fail_msg("create %s: %s", type, e.msg);
	json_decref(f);
}

/* Syncs, then returns the job JSON of appointment id without the store's own ids. */
static json_t *job_of(struct golden *g, const char *appt_id)
{
	struct store_job *jobs;
	struct sync_options o;
	size_t n;
	int64_t run_id, after = 0;
	struct err e;
	json_t *found = NULL;

	memset(&o, 0, sizeof(o));
	o.kind = SYNC_SCHEDULED;
	o.holder = "golden";
	assert_int_equal(sync_org(g->h.s, g->h.org, &o, &run_id, &e), 0);
	do {
		assert_int_equal(store_job_list(g->h.s, g->h.org, after, 500, &jobs, &n, &e), 0);
		for (size_t i = 0; i < n && !found; i++)
			if (strncmp(jobs[i].job.appointment_id, appt_id, 15) == 0)
				found = store_job_json(&jobs[i]);
		if (n)
			after = jobs[n - 1].id;
		store_jobs_free(jobs, n);
	} while (n == 500 && !found);
	assert_non_null(found);
	json_object_del(found, "id");
	json_object_del(json_array_get(json_object_get(found, "appointments"), 0), "id");
	json_object_del(json_object_get(found, "assigned_user"), "id");
	return found;
}

static void expect_json(json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, 0, NULL);
	char *g, *w;

	assert_non_null(want);
	if (!json_equal(got, want)) {
		g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
		w = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
		fail_msg("job differs:\n--- got\n%s\n--- want\n%s", g, w);
	}
	json_decref(want);
}

static void test_every_row(void **state)
{
	struct golden *g = *state;
	char acct[19], appt[19], opp1[19], opp2[19], junk[19], want[4096];
	json_t *job;

	make(g, "Account", "{\"Name\": \"Lee Household\"}", acct);
	snprintf(want, sizeof(want),
		 "{\"i360core__Sales_Rep_1__c\": \"REP\", \"i360core__Account__c\": \"%s\","
		 " \"i360core__Contact_Name__c\": \"  Zoë Ångström-Lee \","
		 " \"i360core__Contact_Email__c\": \"zoe@example.com\","
		 " \"i360core__Contact_Phone__c\": \"Mobile: (555) 123-4567, Home:555-987-6543, ,"
		 " 555-000-1111, Work: 555-1234 ext: 12, Fax: ,\","
		 " \"i360core__Street_Address__c\": \"1 Main St\", \"i360core__City__c\": \"Austin\","
		 " \"i360core__State_Province__c\": \"TX\", \"i360core__Zip_Postal_Code__c\": \"78701\","
		 " \"i360core__Product_Categories__c\": \"Windows;Doors\","
		 " \"i360core__Type__c\": \"Sales Call\","
		 " \"i360core__Appointment_Date_Time__c\": \"2026-12-01T10:00:00.000-0500\","
		 " \"i360core__Appointment_End_Date_Time__c\": \"2026-12-01T16:30:00.250Z\"}", acct);
	make(g, "i360core__Sales_Appointment__c", want, appt);
	make(g, "i360core__Sales_Opportunity__c",
	     "{\"Name\": \"Lee Windows\", \"i360core__Interested_In__c\": \"Windows\","
	     " \"i360core__Result__c\": null}", opp1);
	/* No Interested_In: the name is the opportunity's Name alone; Result takes its
	 * picklist default. */
	make(g, "i360core__Sales_Opportunity__c", "{\"Name\": \"Lee Doors\"}", opp2);
	snprintf(want, sizeof(want), "{\"i360core__Sales_Appointment__c\": \"%s\","
		 " \"i360core__Sales_Opportunity__c\": \"%s\"}", appt, opp1);
	make(g, "i360core__Sales_Appointment_Opportunity__c", want, junk);
	snprintf(want, sizeof(want), "{\"i360core__Sales_Appointment__c\": \"%s\","
		 " \"i360core__Sales_Opportunity__c\": \"%s\"}", appt, opp2);
	make(g, "i360core__Sales_Appointment_Opportunity__c", want, junk);

	job = job_of(g, appt);
	snprintf(want, sizeof(want),
		 "{\"customer_name\": \"Zoë Ångström-Lee\","
		 " \"name\": \"Zoë Ångström-Lee: Windows;Doors\", \"email\": \"zoe@example.com\","
		 " \"lead_source\": null,"
		 " \"address\": {\"line1\": \"1 Main St\", \"city\": \"Austin\", \"state\": \"TX\","
		 "  \"postal_code\": \"78701\"},"
		 " \"phones\": [{\"name\": \"Mobile\", \"number\": \"(555) 123-4567\"},"
		 "  {\"name\": \"Home\", \"number\": \"555-987-6543\"},"
		 "  {\"name\": null, \"number\": \"555-000-1111\"},"
		 "  {\"name\": \"Work\", \"number\": \"555-1234 ext: 12\"}],"
		 " \"assigned_user\": {\"email\": \"%s\"},"
		 " \"metadata\": {\"i360_lightning_account\": \"%s\","
		 "  \"i360_lightning_salesrep_id\": \"%s\"},"
		 " \"appointments\": [{\"status\": \"scheduled\","
		 "  \"start_time\": \"2026-12-01T15:00:00Z\", \"end_time\": \"2026-12-01T16:30:00Z\","
		 "  \"summary\": \"Zoë Ångström-Lee: Windows;Doors - Sales Call\","
		 "  \"result\": \"Scheduled\", \"result_detail\": null,"
		 "  \"sales_opportunities\": ["
		 "   {\"id\": \"%s\", \"name\": \"Windows: Lee Windows\", \"result\": null,"
		 "    \"result_detail\": null},"
		 "   {\"id\": \"%s\", \"name\": \"Lee Doors\", \"result\": \"Pending\","
		 "    \"result_detail\": null}],"
		 "  \"metadata\": {\"improveit360_appointment_id\": \"%s\"}}]}",
		 "", acct, g->rep, opp1, opp2, appt);
	/* The assigned user's email is whatever the OCC user was made with. */
	{
		json_t *au = json_object_get(job, "assigned_user");
		assert_non_null(json_string_value(json_object_get(au, "email")));
		json_object_set_new(au, "email", json_string(""));
	}
	expect_json(job, want);
	json_decref(job);
}

static void test_nulls_everywhere(void **state)
{
	struct golden *g = *state;
	char appt[19], want[2048];
	json_t *job;

	/* Like Salesforce, the sandbox fills picklist defaults on create: Status
	 * "Scheduled" and Type "Sales Call"; everything else is null. */
	make(g, "i360core__Sales_Appointment__c", "{\"i360core__Sales_Rep_1__c\": \"REP\"}", appt);
	job = job_of(g, appt);
	json_object_del(job, "assigned_user");
	snprintf(want, sizeof(want),
		 "{\"customer_name\": null, \"name\": null, \"email\": null, \"lead_source\": null,"
		 " \"address\": {\"line1\": null, \"city\": null, \"state\": null,"
		 "  \"postal_code\": null},"
		 " \"phones\": [],"
		 " \"metadata\": {\"i360_lightning_account\": null,"
		 "  \"i360_lightning_salesrep_id\": \"%s\"},"
		 " \"appointments\": [{\"status\": \"scheduled\", \"start_time\": null,"
		 "  \"end_time\": null, \"summary\": \"Sales Call\", \"result\": \"Scheduled\","
		 "  \"result_detail\": null,"
		 "  \"sales_opportunities\": [],"
		 "  \"metadata\": {\"improveit360_appointment_id\": \"%s\"}}]}", g->rep, appt);
	expect_json(job, want);
	json_decref(job);
}

static void test_composed_strings(void **state)
{
	struct golden *g = *state;
	char a1[19], a2[19];
	json_t *job, *appt;

	/* No categories: "Ann Lee" and "Ann Lee - Sales Call". */
	make(g, "i360core__Sales_Appointment__c",
	     "{\"i360core__Sales_Rep_1__c\": \"REP\", \"i360core__Contact_Name__c\": \"Ann Lee\","
	     " \"i360core__Type__c\": \"Sales Call\"}", a1);
	job = job_of(g, a1);
	appt = json_array_get(json_object_get(job, "appointments"), 0);
	assert_string_equal(json_string_value(json_object_get(job, "name")), "Ann Lee");
	assert_string_equal(json_string_value(json_object_get(appt, "summary")),
			    "Ann Lee - Sales Call");
	json_decref(job);
	/* No type (an explicit null beats the default): "Ann Lee: Windows". */
	make(g, "i360core__Sales_Appointment__c",
	     "{\"i360core__Sales_Rep_1__c\": \"REP\", \"i360core__Contact_Name__c\": \"Ann Lee\","
	     " \"i360core__Product_Categories__c\": \"Windows\", \"i360core__Type__c\": null}", a2);
	job = job_of(g, a2);
	appt = json_array_get(json_object_get(job, "appointments"), 0);
	assert_string_equal(json_string_value(json_object_get(appt, "summary")), "Ann Lee: Windows");
	json_decref(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nulls_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_composed_strings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

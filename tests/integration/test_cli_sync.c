/* The sync-facing commands run as real processes on a connected org: sync, jobs,
 * links, link, unlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testutil.h"

static struct harness h;

static int run(const char *args, char **out, char **err)
{
	char cmd[2048];
	const char *bin = getenv("I360_BIN");

	snprintf(cmd, sizeof(cmd), "'%s' %s --db '%s'", bin ? bin : I360_BUILD_DIR "/i360bridge",
		 args, h.db);
	return testutil_run(cmd, out, err);
}

static json_t *run_json(const char *args)
{
	char *out = NULL, *err = NULL;
	json_t *j;

	if (run(args, &out, &err) != 0)
		fail_msg("'%s' failed: %s", args, err);
	j = json_loads(out, 0, NULL);
	if (j == NULL)
		fail_msg("'%s' printed no JSON: %s", args, out);
	free(out);
	free(err);
	return j;
}

static void test_sync_commands(void **state)
{
	char *out = NULL, *err = NULL, args[256], unlinked[32] = "";
	json_t *links, *jobs, *l;
	size_t i, njobs;

	(void)state;
	harness_start(&h, NULL, 1);
	/* Before any sync: helpful empty answers. */
	assert_int_equal(run("jobs --org 1", &out, &err), 0);
	assert_non_null(strstr(out, "No jobs yet"));
	free(out);
	free(err);

	assert_int_equal(run("sync --org 1 --full", &out, &err), 0);
	assert_non_null(strstr(out, "succeeded"));
	assert_non_null(strstr(out, "jobs created"));
	free(out);
	free(err);
	/* A second, scheduled sync changes nothing. */
	assert_int_equal(run("sync --org 1", &out, &err), 0);
	assert_non_null(strstr(out, " 0 jobs created, 0 updated"));
	free(out);
	free(err);

	jobs = run_json("jobs --org 1 --json");
	njobs = json_array_size(jobs);
	assert_true(njobs > 0);
	assert_non_null(json_object_get(json_array_get(jobs, 0), "appointments"));
	json_decref(jobs);

	links = run_json("links --org 1 --json");
	assert_true(json_array_size(links) > 0);
	json_array_foreach(links, i, l) {
		if (!json_is_true(json_object_get(l, "active")) && unlinked[0] == '\0')
			snprintf(unlinked, sizeof(unlinked), "%s",
				 json_string_value(json_object_get(l, "crm_id")));
		if (json_is_true(json_object_get(l, "active")))
			assert_string_equal(json_string_value(json_object_get(l, "linked_by")), "email");
	}
	assert_true(unlinked[0] != '\0');

	/* Link by hand: the rep's 29 days arrive with the next sync. */
	snprintf(args, sizeof(args), "link --org 1 --crm-id %s --user 'occ user 0 <nobody>'", unlinked);
	assert_int_equal(run(args, &out, &err), 1);	/* no such OCC user */
	assert_non_null(strstr(err, "no OCC user"));
	free(out);
	free(err);
	assert_int_equal(run("user add --org 1 --email late@example.com --name Late", NULL, NULL), 0);
	snprintf(args, sizeof(args), "link --org 1 --crm-id %s --user LATE@example.com", unlinked);
	assert_int_equal(run(args, &out, &err), 0);
	assert_non_null(strstr(out, "Linked"));
	free(out);
	free(err);
	assert_int_equal(run("sync --org 1", &out, &err), 0);
	free(out);
	free(err);
	jobs = run_json("jobs --org 1 --json");
	assert_true(json_array_size(jobs) > njobs);
	json_decref(jobs);

	/* Unlink: it stays unlinked, and says so. */
	snprintf(args, sizeof(args), "unlink --org 1 --crm-id %s", unlinked);
	assert_int_equal(run(args, &out, &err), 0);
	free(out);
	free(err);
	json_decref(links);
	links = run_json("links --org 1 --json");
	json_array_foreach(links, i, l)
		if (strcmp(json_string_value(json_object_get(l, "crm_id")), unlinked) == 0) {
			assert_false(json_is_true(json_object_get(l, "active")));
			assert_string_equal(json_string_value(json_object_get(l, "linked_by")), "manual");
		}
	json_decref(links);

	/* Errors: unknown staff, unknown org, bad flags. */
	assert_int_equal(run("unlink --org 1 --crm-id a0B000000000000", &out, &err), 1);
	assert_non_null(strstr(err, "no I360 staff member"));
	free(out);
	free(err);
	assert_int_equal(run("sync --org 77", &out, &err), 1);
	assert_non_null(strstr(err, "does not exist"));
	free(out);
	free(err);
	assert_int_equal(run("link --org 1 --crm-id x", &out, &err), 2);
	assert_non_null(strstr(err, "--user is required"));
	free(out);
	free(err);
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

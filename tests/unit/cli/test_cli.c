/* Tests of the i360bridge command line, run as a real process: exit codes, errors,
 * output shapes, and that a token never lands in the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char db[512];

/* Runs i360bridge with args against the test database; returns the exit code. */
static int run(const char *args, char **out, char **err)
{
	char cmd[2048];
	const char *bin = getenv("I360_BIN");

	snprintf(cmd, sizeof(cmd), "I360BRIDGE_DB='%s' '%s' %s", db,
		 bin ? bin : I360_BUILD_DIR "/i360bridge", args);
	return testutil_run(cmd, out, err);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("I360BRIDGE_MASTER_KEY");
	snprintf(db, sizeof(db), "%s", testutil_path(testutil_tmpdir(), "cli.db"));
	return 0;
}

static void test_org_create_json(void **state)
{
	char *out = NULL, *err = NULL;
	json_t *j;
	const char *token;

	(void)state;
	assert_int_equal(run("org create Acme --json", &out, &err), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_integer_value(json_object_get(j, "id")) >= 1);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Acme");
	token = json_string_value(json_object_get(j, "token"));
	assert_non_null(token);
	assert_true(strlen(token) > 30);
	/* Only the token's hash is stored: neither the file nor its WAL holds it. */
	assert_int_equal(testutil_file_contains(db, token, strlen(token)), 0);
	{
		char wal[600];
		snprintf(wal, sizeof(wal), "%s-wal", db);
		assert_int_not_equal(testutil_file_contains(wal, token, strlen(token)), 1);
	}
	/* Nor did it go to the log. */
	assert_null(strstr(err, token));
	json_decref(j);
	free(out);
	free(err);
}

static void test_usage_errors(void **state)
{
	static const char *const cases[][2] = {
		{ "org create Acme --bogus", "unknown option '--bogus'" },
		{ "org create", "needs a NAME" },
		{ "org frobnicate", "unknown subcommand" },
		{ "user add --org 1 --email a@b.co", "--name is required" },
		{ "user add --org x --email a@b.co --name A", "positive whole number" },
		{ "user list --org", "--org needs a value" },
		{ "user list", "--org is required" },
		{ "launch-rockets", "is not a command" },
		{ "help nothing", "there is no command" },
	};
	char *out = NULL, *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run(cases[i][0], &out, &err), 2);
		if (strstr(err, cases[i][1]) == NULL)
			fail_msg("'%s' said '%s', not '%s'", cases[i][0], err, cases[i][1]);
		/* One sentence, then where to find help: at most two lines. */
		assert_true(strchr(err, '\n') == NULL || strchr(strchr(err, '\n') + 1, '\n') == NULL ||
			    strchr(strchr(err, '\n') + 1, '\n')[1] == '\0');
		free(out);
		free(err);
	}
}

static void test_failures(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run("user list --org 4242", &out, &err), 1);
	assert_non_null(strstr(err, "org 4242 does not exist"));
	free(out);
	free(err);
	assert_int_equal(run("user add --org 4242 --email a@b.co --name A", &out, &err), 1);
	assert_non_null(strstr(err, "does not exist"));
	free(out);
	free(err);
	assert_int_equal(run("org create Beta", NULL, NULL), 0);
	assert_int_equal(run("user add --org 1 --email not-an-address --name A", &out, &err), 1);
	assert_non_null(strstr(err, "is not an email address"));
	free(out);
	free(err);
	/* A wrong master key is a clear error, not garbage. */
	setenv("I360BRIDGE_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
	assert_int_equal(run("user list --org 1", &out, &err), 1);
	assert_non_null(strstr(err, "master key"));
	unsetenv("I360BRIDGE_MASTER_KEY");
	free(out);
	free(err);
	/* The database without its key file (copied alone, or made with the key in the
	 * environment): the error says where the key may come from. */
	{
		char key[600], away[620];

		snprintf(key, sizeof(key), "%s.key", db);
		snprintf(away, sizeof(away), "%s.away", key);
		assert_int_equal(rename(key, away), 0);
		assert_int_equal(run("user list --org 1", &out, &err), 1);
		assert_non_null(strstr(err, "set I360BRIDGE_MASTER_KEY to the key the store was "
				       "created with"));
		free(out);
		free(err);
		assert_int_equal(rename(away, key), 0);
		assert_int_equal(run("user list --org 1", NULL, NULL), 0);
	}
}

static void test_users_round_trip(void **state)
{
	char *out = NULL, *err = NULL;
	json_t *j;

	(void)state;
	assert_int_equal(run("org create Gamma", NULL, NULL), 0);
	assert_int_equal(run("user add --org 1 --email Rita@Example.com --name 'Rita Rep'", &out,
			     &err), 0);
	free(out);
	free(err);
	assert_int_equal(run("user add --org 1 --email rita@example.COM --name Dup", &out, &err), 1);
	assert_non_null(strstr(err, "already exists"));
	free(out);
	free(err);
	assert_int_equal(run("user list --org 1 --json", &out, &err), 0);
	j = json_loads(out, 0, NULL);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "email")),
			    "Rita@Example.com");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "name")),
			    "Rita Rep");
	json_decref(j);
	free(out);
	free(err);
}

static void test_help_version_migrate(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run("--version", &out, &err), 0);
	assert_int_equal(strncmp(out, "i360bridge ", 11), 0);
	free(out);
	free(err);
	assert_int_equal(run("help", &out, &err), 0);
	assert_non_null(strstr(out, "org"));
	assert_non_null(strstr(out, "migrate"));
	free(out);
	free(err);
	assert_int_equal(run("user --help", &out, &err), 0);
	assert_non_null(strstr(out, "usage: i360bridge user add"));
	free(out);
	free(err);
	assert_int_equal(run("org create --help", &out, &err), 0);
	assert_non_null(strstr(out, "usage: i360bridge org create"));
	free(out);
	free(err);
	assert_int_equal(run("migrate", &out, &err), 0);
	assert_non_null(strstr(out, "schema version"));
	free(out);
	free(err);
	assert_int_equal(run("migrate", &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(run("", &out, &err), 2);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_org_create_json, setup),
		cmocka_unit_test_setup(test_usage_errors, setup),
		cmocka_unit_test_setup(test_failures, setup),
		cmocka_unit_test_setup(test_users_round_trip, setup),
		cmocka_unit_test_setup(test_help_version_migrate, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

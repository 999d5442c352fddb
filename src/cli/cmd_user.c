/* cmd_user: `i360bridge user add|list` — the OCC users of an org. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int user_add(int argc, char **argv)
{
	const char *org = NULL, *email = NULL, *name = NULL, *json = NULL, *db = NULL;
	const struct cli_opt opts[] = {
		{ "org", 1, &org }, { "email", 1, &email }, { "name", 1, &name },
		{ "json", 0, &json }, { NULL, 0, NULL },
	};
	struct store *s;
	struct err e;
	int64_t org_id, id;
	int first, rc;

	rc = cli_parse("user", argc, argv, opts, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (first != argc)
		return cli_usage("user", "unexpected argument '%s'", argv[first]);
	if (cli_parse_id("user", "--org", org, &org_id) < 0)
		return CLI_USAGE;
	if (email == NULL)
		return cli_usage("user", "--email is required");
	if (name == NULL)
		return cli_usage("user", "--name is required");
	s = cli_store(db);
	if (s == NULL)
		return CLI_FAIL;
	err_clear(&e);
	rc = store_user_add(s, org_id, email, name, &id, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail_err(&e);
	if (json)
		printf("{\"id\":%lld}\n", (long long)id);
	else
		printf("Added user %lld.\n", (long long)id);
	return CLI_OK;
}

static int user_list(int argc, char **argv)
{
	const char *json = NULL;
	const struct cli_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	struct store_user *u = NULL;
	struct store *s;
	struct err e;
	int64_t org_id;
	size_t n = 0;
	int rc;

	rc = cli_org_begin("user", argc, argv, opts, &org_id, &s);
	if (rc != CLI_GO)
		return rc;
	rc = store_user_list(s, org_id, &u, &n, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail_err(&e);
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u[i].id,
							   "email", u[i].email, "name", u[i].name));
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(a);
	} else if (n == 0) {
		printf("Org %lld has no users yet: add one with 'i360bridge user add'.\n",
		       (long long)org_id);
	} else {
		printf("%-6s  %-40s  %s\n", "ID", "EMAIL", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-6lld  %-40s  %s\n", (long long)u[i].id, u[i].email, u[i].name);
	}
	store_users_free(u, n);
	return CLI_OK;
}

int cli_user(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("user", "say what to do: user add or user list");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_help("user");
	if (strcmp(argv[1], "add") == 0)
		return user_add(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return user_list(argc - 1, argv + 1);
	return cli_usage("user", "unknown subcommand '%s'", argv[1]);
}

/* cmd_org: `i360bridge org create NAME [--json]`. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int org_create(int argc, char **argv)
{
	const char *json = NULL, *db = NULL;
	const struct cli_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	char token[SEAL_TOKEN_LEN];
	struct store_org org;
	struct store *s;
	struct err e;
	int64_t id;
	int first, rc;

	rc = cli_parse("org", argc, argv, opts, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (argc - first != 1)
		return cli_usage("org", argc - first ? "org create takes one NAME"
						     : "org create needs a NAME");
	s = cli_store(db);
	if (s == NULL)
		return CLI_FAIL;
	err_clear(&e);
	rc = store_org_create(s, argv[first], &id, token, &e);
	if (rc == 0)
		rc = store_org_get(s, id, &org, &e);	/* the name as stored: trimmed */
	store_close(s);
	if (rc < 0)
		return cli_fail_err(&e);
	if (json) {
		json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", org.name,
				      "token", token);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("Created org %lld \"%s\".\n", (long long)id, org.name);
		printf("Admin API token (shown once; keep it somewhere safe):\n%s\n", token);
	}
	store_org_free(&org);
	return CLI_OK;
}

int cli_org(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return argc < 2 ? cli_usage("org", "say what to do: org create NAME") : cli_help("org");
	if (strcmp(argv[1], "create") == 0)
		return org_create(argc - 1, argv + 1);
	return cli_usage("org", "unknown subcommand '%s'", argv[1]);
}

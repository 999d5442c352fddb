/* cmd_migrate: `i360bridge migrate` — bring the store's schema up to date. */
#include <stdio.h>

#include "cli/cli.h"

int cli_migrate(int argc, char **argv)
{
	const char *db = NULL;
	struct store *s;
	struct err e;
	int first, rc, version = 0, applied = 0;

	rc = cli_parse("migrate", argc, argv, NULL, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (first != argc)
		return cli_usage("migrate", "unexpected argument '%s'", argv[first]);
	/* Opening the store applies what is pending; migrate says what it found. */
	s = cli_store(db);
	if (s == NULL)
		return CLI_FAIL;
	err_clear(&e);
	rc = store_migrate(s, &applied, &e);
	if (rc == 0)
		rc = store_schema_version(s, &version, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail_err(&e);
	printf("The store at %s is at schema version %d.\n", cli_db_url(db), version);
	return CLI_OK;
}

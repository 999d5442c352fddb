/* main: the i360bridge command line, git-style subcommands (SPEC §1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "salesforce/client.h"
#include "store/seal.h"
#include "util/jsonmem.h"
#include "util/log.h"

#ifndef I360_VERSION
#define I360_VERSION "dev"
#endif

static int cli_help_cmd(int argc, char **argv);

#define DB_HELP \
	"  --db URL     the store: an SQLite path or postgres://... (default: env\n" \
	"               I360BRIDGE_DB, else ./i360bridge.db)\n"

const struct cli_cmd cli_cmds[] = {
	{ "demo", "run the product end to end against an embedded I360 sandbox org",
	  "usage: i360bridge demo [--listen HOST:PORT] [--db URL] [--exit]\n\n"
	  "Starts an embedded ImproveIt360 sandbox org with seeded data, creates a demo OCC\n"
	  "org whose users partly match the sandbox staff by email, connects it over the\n"
	  "real OAuth flow, runs a manual sync, prints what it did, the admin token and\n"
	  "the UI address, then serves until interrupted.\n\n"
	  "  --listen     where the service listens (default 127.0.0.1:8360, else any free\n"
	  "               port)\n"
	  "  --db URL     the store (default: a new SQLite store under /tmp)\n"
	  "  --exit       stop after the sync instead of serving\n",
	  cli_demo },
	{ "org", "create an OCC org and its admin API token",
	  "usage: i360bridge org create NAME [--json] [--db URL]\n\n"
	  "Creates an OCC org and prints its id and admin API token. The token is shown\n"
	  "once and only its hash is stored.\n\n"
	  "  --json       print {\"id\":N,\"name\":\"...\",\"token\":\"...\"}\n" DB_HELP,
	  cli_org },
	{ "user", "add or list an org's OCC users",
	  "usage: i360bridge user add --org ID --email EMAIL --name NAME [--db URL]\n"
	  "       i360bridge user list --org ID [--json] [--db URL]\n\n"
	  "OCC users are who I360 staff are linked to, by email or by hand.\n\n"
	  "  --org ID     the org\n"
	  "  --email      the user's email (unique in the org, case-insensitive)\n"
	  "  --name       the user's name\n"
	  "  --json       print JSON\n" DB_HELP,
	  cli_user },
	{ "sync", "sync an org with ImproveIt360 now, in the foreground",
	  "usage: i360bridge sync --org ID [--full] [--db URL]\n\n"
	  "Without --full: a scheduled sync (users, then appointments changed since the\n"
	  "last one, with a 5-minute overlap). With --full: the manual sync (result\n"
	  "reasons, sales opportunity results, users, and appointments of the last 29\n"
	  "days). Progress shows on a terminal; Ctrl-C stops after the page in hand.\n\n"
	  "  --org ID     the org\n"
	  "  --full       the manual sync\n" DB_HELP,
	  cli_sync },
	{ "jobs", "list an org's jobs",
	  "usage: i360bridge jobs --org ID [--json] [--db URL]\n\n"
	  "  --org ID     the org\n"
	  "  --json       print the jobs as the API shows them\n" DB_HELP,
	  cli_jobs },
	{ "links", "list I360 staff and the OCC users they are linked to",
	  "usage: i360bridge links --org ID [--json] [--db URL]\n\n"
	  "  --org ID     the org\n"
	  "  --json       print JSON\n" DB_HELP,
	  cli_links },
	{ "link", "link an I360 staff member to an OCC user by hand",
	  "usage: i360bridge link --org ID --crm-id ID --user EMAIL [--db URL]\n\n"
	  "A link made by hand is never changed by the automatic linking by email. The\n"
	  "staff member's appointments of the last 29 days come with the next sync.\n\n"
	  "  --org ID     the org\n"
	  "  --crm-id ID  the I360 staff Id (15 or 18 characters)\n"
	  "  --user EMAIL the OCC user's email\n" DB_HELP,
	  cli_link },
	{ "unlink", "unlink an I360 staff member",
	  "usage: i360bridge unlink --org ID --crm-id ID [--db URL]\n\n"
	  "The staff member stays unlinked (automatic linking leaves it alone) until\n"
	  "linked again by hand. Jobs already made stay.\n\n"
	  "  --org ID     the org\n"
	  "  --crm-id ID  the I360 staff Id\n" DB_HELP,
	  cli_unlink },
	{ "serve", "serve the HTTP API, the admin UI, the OAuth callback and scheduled syncs",
	  "usage: i360bridge serve [--listen HOST:PORT] [--public-url URL] [--workers N]\n"
	  "                        [--sync-interval DURATION] [--no-scheduler] [--db URL]\n\n"
	  "Serves the JSON API, the admin UI and the OAuth callback, and syncs every\n"
	  "connected org each interval. Prints \"listening on http://HOST:PORT\" when\n"
	  "ready. SIGINT or SIGTERM stop it after running syncs commit their page.\n\n"
	  "  --listen HOST:PORT   where to listen (default 127.0.0.1:8360; port 0 picks a\n"
	  "                       free one)\n"
	  "  --public-url URL     the address browsers and Salesforce reach this service at\n"
	  "                       (default http://HOST:PORT); the connected app's Callback\n"
	  "                       URL is URL/auth/improveit360/callback\n"
	  "  --workers N          sync workers (default 4)\n"
	  "  --sync-interval D    time between scheduled syncs: 10s, 15m, 1h (default 15m)\n"
	  "  --no-scheduler       no scheduled syncs; manual ones still run\n" DB_HELP,
	  cli_serve },
	{ "migrate", "apply pending store migrations",
	  "usage: i360bridge migrate [--db URL]\n\n"
	  "Brings the store's schema up to date (every command also does this when it\n"
	  "opens the store) and prints the schema version.\n\n" DB_HELP,
	  cli_migrate },
	{ "help", "show the help of a command",
	  "usage: i360bridge help [COMMAND]\n", cli_help_cmd },
	{ NULL, NULL, NULL, NULL },
};

static void overview(FILE *f)
{
	fprintf(f, "usage: i360bridge [--version] [--help] COMMAND [ARGS]\n\n"
		   "i360bridge connects One Click Contractor orgs to ImproveIt360 Lightning.\n\n"
		   "Commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'i360bridge help COMMAND' for a command's options.\n"
		   "Environment: I360BRIDGE_DB (store), I360BRIDGE_MASTER_KEY (base64 of 32\n"
		   "bytes; default: a key file beside the SQLite store), I360BRIDGE_LOG\n"
		   "(debug, info, warn, error).\n");
}

static int cli_help_cmd(int argc, char **argv)
{
	if (argc < 2) {
		overview(stdout);
		return CLI_OK;
	}
	if (argc > 2)
		return cli_usage("help", "help takes one command name");
	return cli_help(argv[1]);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	struct err e;

	jsonmem_init();
	log_init();
	if (seal_init() < 0 || sf_global_init(&e) < 0)
		return cli_fail("libcurl or libsodium could not be initialised");
	/* A --db given before the command applies to it, as I360BRIDGE_DB would. */
	while (argc >= 2 && strncmp(argv[1], "--db", 4) == 0) {
		if (argv[1][4] == '=') {
			setenv("I360BRIDGE_DB", argv[1] + 5, 1);
			argc--, argv++;
		} else if (argv[1][4] == '\0' && argc >= 3) {
			setenv("I360BRIDGE_DB", argv[2], 1);
			argc -= 2, argv += 2;
		} else {
			return cli_usage("--db", "--db needs a value");
		}
	}
	if (argc < 2) {
		overview(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("i360bridge %s\n", I360_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		overview(stdout);
		return CLI_OK;
	}
	c = cli_find(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "i360bridge: '%s' is not a command. Run 'i360bridge help' for the "
				"list.\n", argv[1]);
		return CLI_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}

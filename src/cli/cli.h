/* cli: what the subcommands share: the command table, flags, errors and the store. */
#ifndef I360_CLI_CLI_H
#define I360_CLI_CLI_H

#include <stdint.h>

#include "store/store.h"

/* Exit codes (SPEC §1). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* One subcommand. run gets argv with argv[0] = the command's name and returns an
 * exit code. usage is the full help text shown by `help NAME` and `NAME --help`. */
struct cli_cmd {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(int argc, char **argv);
};

/* The table of subcommands, ending with a zeroed entry. */
extern const struct cli_cmd cli_cmds[];

const struct cli_cmd *cli_find(const char *name);

/* Prints "i360bridge: MESSAGE" on stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "i360bridge CMD: MESSAGE" and a pointer to the help on stderr; returns
 * CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints err's message as a failure; returns CLI_FAIL. */
int cli_fail_err(const struct err *e);

/* Prints a command's help on stdout; returns CLI_OK. */
int cli_help(const char *cmd);

/* The store URL: --db when given, else I360BRIDGE_DB, else ./i360bridge.db. */
const char *cli_db_url(const char *flag);

/* Opens the store, printing the error on failure (NULL then). */
struct store *cli_store(const char *db_flag);

/* Parses a positive id for flag (e.g. "--org"); prints a usage error and returns -1
 * when s is not a positive whole number. */
int cli_parse_id(const char *cmd, const char *flag, const char *s, int64_t *id);

/*
 * Common option parsing. Each command lists its long options in a table; every
 * command also takes --db URL and --help. Returns 0 when parsing finished (optind
 * tells the first operand), 1 when --help was shown, or -1 after printing a usage
 * error. Values land in the table's `value` pointers; flags without a value get "1".
 */
struct cli_opt {
	const char *name;
	int takes_value;
	const char **value;
};
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      const char **db, int *optind_out);

/*
 * The common start of a command about one org: parses opts plus --org ID (and --db,
 * --help), refuses operands, opens the store and checks that the org exists.
 * Returns CLI_GO with *s open (the caller closes it) and *org_id set, or the exit code
 * to return at once (the reason already printed; CLI_OK after --help).
 */
#define CLI_GO (-1)
int cli_org_begin(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
		  int64_t *org_id, struct store **s);

/* Subcommands. */
int cli_org(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_sync(int argc, char **argv);
int cli_jobs(int argc, char **argv);
int cli_links(int argc, char **argv);
int cli_link(int argc, char **argv);
int cli_unlink(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_demo(int argc, char **argv);

#endif

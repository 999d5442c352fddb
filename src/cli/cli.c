/* cli: shared helpers of the subcommands: errors, help, flags and the store. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/num.h"

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; name && c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("i360bridge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "i360bridge %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'i360bridge help %s' for its usage.\n", cmd);
	return CLI_USAGE;
}

int cli_fail_err(const struct err *e)
{
	return cli_fail("%s", e->msg[0] ? e->msg : "the command failed");
}

int cli_help(const char *cmd)
{
	const struct cli_cmd *c = cli_find(cmd);

	if (c == NULL)
		return cli_usage("help", "there is no command '%s'", cmd);
	fputs(c->usage, stdout);
	return CLI_OK;
}

const char *cli_db_url(const char *flag)
{
	const char *env = getenv("I360BRIDGE_DB");

	if (flag && *flag)
		return flag;
	if (env && *env)
		return env;
	return "i360bridge.db";
}

struct store *cli_store(const char *db_flag)
{
	struct err e;
	struct store *s;

	err_clear(&e);
	s = store_open(cli_db_url(db_flag), &e);
	if (s == NULL)
		cli_fail_err(&e);
	return s;
}

int cli_parse_id(const char *cmd, const char *flag, const char *s, int64_t *id)
{
	if (s == NULL) {
		cli_usage(cmd, "%s is required", flag);
		return -1;
	}
	if (num_parse(s, 1, INT64_MAX, id) < 0) {
		cli_usage(cmd, "%s must be a positive whole number, not '%s'", flag, s);
		return -1;
	}
	return 0;
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      const char **db, int *optind_out)
{
	struct option lo[32];
	size_t n = 0;
	int c, idx;

	for (const struct cli_opt *o = opts; o && o->name && n < 29; o++, n++)
		lo[n] = (struct option){ o->name, o->takes_value ? required_argument : no_argument,
					 NULL, 0x100 + (int)n };
	lo[n++] = (struct option){ "db", required_argument, NULL, 'd' };
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 0;	/* glibc: restart scanning from scratch */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, &idx)) != -1) {
		if (c == 'h') {
			cli_help(cmd);
			return 1;
		}
		if (c == 'd') {
			*db = optarg;
		} else if (c >= 0x100) {
			const struct cli_opt *o = &opts[c - 0x100];
			*o->value = o->takes_value ? optarg : "1";
		} else if (c == ':' || (c == '?' && optopt)) {
			cli_usage(cmd, "%s needs a value", argv[optind - 1]);
			return -1;
		} else {
			cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	*optind_out = optind;
	return 0;
}

int cli_org_begin(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
		  int64_t *org_id, struct store **s)
{
	struct cli_opt all[24];
	const char *org = NULL, *db = NULL;
	struct store_org o;
	struct err e;
	size_t n = 0;
	int first, rc;

	*s = NULL;
	for (const struct cli_opt *p = opts; p && p->name && n < 22; p++)
		all[n++] = *p;
	all[n++] = (struct cli_opt){ "org", 1, &org };
	all[n] = (struct cli_opt){ NULL, 0, NULL };
	rc = cli_parse(cmd, argc, argv, all, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (first != argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[first]);
	if (cli_parse_id(cmd, "--org", org, org_id) < 0)
		return CLI_USAGE;
	*s = cli_store(db);
	if (*s == NULL)
		return CLI_FAIL;
	err_clear(&e);
	if (store_org_get(*s, *org_id, &o, &e) < 0) {
		store_close(*s);
		*s = NULL;
		return cli_fail_err(&e);
	}
	store_org_free(&o);
	return CLI_GO;
}

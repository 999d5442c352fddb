/* cmd_serve: `i360bridge serve` — the HTTP API, admin UI, OAuth callback and scheduler. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/serve.h"
#include "util/num.h"

/* Parses "10s", "15m", "1h" (or a bare number of seconds) into milliseconds; -1 when
 * malformed or not between one second and a week. */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long n;
	int64_t unit = 1000;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno)
		return -1;
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		unit = 3600 * 1000;
	else
		return -1;
	if (n <= 0 || n > 7LL * 24 * 3600 * 1000 / unit)
		return -1;
	return (int64_t)n * unit;
}

/* Splits "HOST:PORT" ("[::1]:PORT" for IPv6) into host (malloc'd) and port. */
static int parse_listen(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hlen;
	int64_t p;

	if (colon == NULL || colon == s)
		return -1;
	hlen = (size_t)(colon - s);
	if (s[0] == '[' && hlen >= 2 && s[hlen - 1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	if (num_parse(colon + 1, 0, 65535, &p) < 0 || hlen == 0)
		return -1;
	*host = strndup(h, hlen);
	*port = (int)p;
	return *host ? 0 : -1;
}

int cli_serve(int argc, char **argv)
{
	const char *listen = NULL, *public_url = NULL, *workers = NULL, *interval = NULL;
	const char *no_sched = NULL, *db = NULL;
	const struct cli_opt opts[] = {
		{ "listen", 1, &listen }, { "public-url", 1, &public_url },
		{ "workers", 1, &workers }, { "sync-interval", 1, &interval },
		{ "no-scheduler", 0, &no_sched }, { NULL, 0, NULL },
	};
	struct serve_config c;
	struct serve *s;
	char *host = NULL;
	sigset_t set;
	struct err e;
	int first, rc, sig = 0;

	rc = cli_parse("serve", argc, argv, opts, &db, &first);
	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (first != argc)
		return cli_usage("serve", "unexpected argument '%s'", argv[first]);
	memset(&c, 0, sizeof(c));
	c.port = 8360;
	if (listen && parse_listen(listen, &host, &c.port) < 0)
		return cli_usage("serve", "--listen takes HOST:PORT, e.g. 127.0.0.1:8360");
	if (workers) {
		int64_t w;

		if (num_parse(workers, 1, 64, &w) < 0) {
			free(host);
			return cli_usage("serve", "--workers takes a number from 1 to 64");
		}
		c.workers = (int)w;
	}
	if (interval && (c.interval_ms = parse_duration(interval)) < 0) {
		free(host);
		return cli_usage("serve", "--sync-interval takes a duration such as 10s, 15m "
					  "or 1h");
	}
	if (public_url && strncmp(public_url, "http://", 7) != 0 &&
	    strncmp(public_url, "https://", 8) != 0) {
		free(host);
		return cli_usage("serve", "--public-url must start with http:// or https://");
	}
	c.db_url = cli_db_url(db);
	c.listen_host = host ? host : "127.0.0.1";
	c.public_url = public_url;
	c.no_scheduler = no_sched != NULL;

	/* Every thread started from here on inherits the blocked signals, so only the
	 * sigwait below receives them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	s = serve_start(&c, &e);
	if (s == NULL) {
		free(host);
		return cli_fail_err(&e);
	}
	printf("listening on %s\n", serve_url(s));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "i360bridge: stopping (signal %d): letting running syncs commit their "
			"page\n", sig);
	serve_stop(s);
	free(host);
	return CLI_OK;
}

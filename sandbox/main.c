/* i360-sandbox: runs the simulated I360 Lightning org until SIGINT or SIGTERM. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "util/log.h"

static const char usage[] =
	"usage: i360-sandbox [--listen HOST:PORT] [--seed N] [--staff N] [--appointments N]\n"
	"                    [--consumer-key K] [--consumer-secret S] [--auto-approve]\n"
	"                    [--page-size N] [--latency-ms N] [--fail-rate P] [--reset-rate P]\n"
	"                    [--token-ttl-calls N] [--api-quota N] [--callback-url URL]...\n"
	"                    [--control] [--child-page-size N] [--rotate-refresh-tokens]\n"
	"                    [--app-name NAME] [--password P] [--verbose]\n"
	"\n"
	"A Salesforce-compatible ImproveIt360 Lightning org for tests, benchmarks and demos.\n"
	"Default listen address 127.0.0.1:8361 (port 0 picks a free one). Prints\n"
	"\"listening on http://HOST:PORT\" when ready. See docs/SANDBOX.md.\n";

static int parse_long(const char *flag, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "i360-sandbox: %s must be a whole number from %ld to %ld.\n", flag,
			lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_rate(const char *flag, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1) {
		fprintf(stderr, "i360-sandbox: %s must be a number from 0 to 1.\n", flag);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_listen(const char *s, struct sandbox_config *c, char **host)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (colon == NULL || colon == s) {
		fprintf(stderr, "i360-sandbox: --listen takes HOST:PORT, e.g. 127.0.0.1:0.\n");
		return -1;
	}
	if (parse_long("the --listen port", colon + 1, 0, 65535, &port) < 0)
		return -1;
	free(*host);
	*host = strndup(s, (size_t)(colon - s));
	/* "[::1]:8361" */
	if (*host && (*host)[0] == '[' && (*host)[strlen(*host) - 1] == ']') {
		memmove(*host, *host + 1, strlen(*host));
		(*host)[strlen(*host) - 1] = '\0';
	}
	c->listen_host = *host;
	c->port = (int)port;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_SEED, O_STAFF, O_APPTS, O_KEY, O_SECRET, O_AUTO, O_PAGE,
	       O_LATENCY, O_FAIL, O_RESET, O_TTL, O_QUOTA, O_CALLBACK, O_CONTROL, O_CHILD,
	       O_ROTATE, O_APP, O_PASSWORD, O_VERBOSE, O_HELP };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "seed", required_argument, NULL, O_SEED },
		{ "staff", required_argument, NULL, O_STAFF },
		{ "appointments", required_argument, NULL, O_APPTS },
		{ "consumer-key", required_argument, NULL, O_KEY },
		{ "consumer-secret", required_argument, NULL, O_SECRET },
		{ "password", required_argument, NULL, O_PASSWORD },
		{ "auto-approve", no_argument, NULL, O_AUTO },
		{ "page-size", required_argument, NULL, O_PAGE },
		{ "latency-ms", required_argument, NULL, O_LATENCY },
		{ "fail-rate", required_argument, NULL, O_FAIL },
		{ "reset-rate", required_argument, NULL, O_RESET },
		{ "token-ttl-calls", required_argument, NULL, O_TTL },
		{ "api-quota", required_argument, NULL, O_QUOTA },
		{ "callback-url", required_argument, NULL, O_CALLBACK },
		{ "control", no_argument, NULL, O_CONTROL },
		{ "child-page-size", required_argument, NULL, O_CHILD },
		{ "rotate-refresh-tokens", no_argument, NULL, O_ROTATE },
		{ "app-name", required_argument, NULL, O_APP },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sandbox_config c;
	const char **callbacks = calloc((size_t)argc + 1, sizeof(*callbacks));
	char *host = NULL;
	struct sandbox *sb;
	struct err e;
	sigset_t set;
	long v;
	int opt, sig, status = 2;

	log_init();
	sandbox_config_defaults(&c);
	c.port = 8361;
	c.quiet = 1;
	if (callbacks == NULL)
		return 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int rc = 0;

		switch (opt) {
		case O_LISTEN: rc = parse_listen(optarg, &c, &host); break;
		case O_SEED:
			rc = parse_long("--seed", optarg, 0, 4294967295L, &v);
			c.seed = (unsigned)v;
			break;
		case O_STAFF:
			rc = parse_long("--staff", optarg, 0, 100000, &v);
			c.staff = (int)v;
			break;
		case O_APPTS:
			rc = parse_long("--appointments", optarg, 0, 2000000, &v);
			c.appointments = (int)v;
			break;
		case O_KEY: c.consumer_key = optarg; break;
		case O_SECRET: c.consumer_secret = optarg; break;
		case O_PASSWORD: c.password = optarg; break;
		case O_AUTO: c.auto_approve = 1; break;
		case O_PAGE:
			rc = parse_long("--page-size", optarg, 1, 1000000, &v);
			c.page_size = (int)v;
			break;
		case O_LATENCY:
			rc = parse_long("--latency-ms", optarg, 0, 600000, &v);
			c.latency_ms = (int)v;
			break;
		case O_FAIL: rc = parse_rate("--fail-rate", optarg, &c.fail_rate); break;
		case O_RESET: rc = parse_rate("--reset-rate", optarg, &c.reset_rate); break;
		case O_TTL:
			rc = parse_long("--token-ttl-calls", optarg, 0, 1 << 30, &v);
			c.token_ttl_calls = (int)v;
			break;
		case O_QUOTA: rc = parse_long("--api-quota", optarg, 0, 1L << 40, &c.api_quota); break;
		case O_CALLBACK: callbacks[c.ncallback_urls++] = optarg; break;
		case O_CONTROL: c.control = 1; break;
		case O_CHILD:
			rc = parse_long("--child-page-size", optarg, 0, 1000000, &v);
			c.child_page_size = (int)v;
			break;
		case O_ROTATE: c.rotate_refresh_tokens = 1; break;
		case O_APP: c.app_name = optarg; break;
		case O_VERBOSE: c.quiet = 0; break;
		case O_HELP: case 'h':
			fputs(usage, stdout);
			status = 0;
			goto done;
		default:
			fputs(usage, stderr);
			goto done;
		}
		if (rc < 0)
			goto done;
	}
	if (optind < argc) {
		fprintf(stderr, "i360-sandbox: unexpected argument '%s'.\n%s", argv[optind], usage);
		goto done;
	}
	c.callback_urls = callbacks;
	/* Block the stop signals before any thread starts, so that only sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sb = sandbox_start(&c, &e);
	if (sb == NULL) {
		fprintf(stderr, "i360-sandbox: %s\n", e.msg);
		status = e.code == ERR_INVALID ? 2 : 1;
		goto done;
	}
	printf("listening on %s\n", sandbox_url(sb));
	fflush(stdout);
	sigwait(&set, &sig);
	sandbox_stop(sb);
	status = 0;
done:
	free(host);
	free(callbacks);
	return status;
}

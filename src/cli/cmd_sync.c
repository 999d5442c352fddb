/* cmd_sync: `i360bridge sync --org ID [--full]` — a sync in the foreground. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sync/sync.h"

/* Lock-free atomics are safe to store from a signal handler. */
static atomic_int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, 1);
}

/* On a terminal, one line rewritten in place as the run goes. */
static void show_progress(void *arg, const struct store_run *r)
{
	(void)arg;
	fprintf(stderr, "\r\033[K%s: %lld users, %lld jobs created, %lld updated, "
			"%lld record errors, %lld API calls",
		r->step ? r->step : "starting", (long long)r->counts.users,
		(long long)r->counts.jobs_created, (long long)r->counts.jobs_updated,
		(long long)r->counts.record_errors, (long long)r->api_calls);
	fflush(stderr);
}

static void summary(const struct store_run *r)
{
	const struct store_run_counts *c = &r->counts;

	printf("Sync %lld %s: %lld users (%lld newly linked), %lld jobs created, %lld updated, "
	       "%lld appointments cancelled, %lld skipped (rep not linked), %lld record errors, "
	       "%lld API calls.\n",
	       (long long)r->id, store_run_status_names[r->status], (long long)c->users,
	       (long long)c->users_linked, (long long)c->jobs_created, (long long)c->jobs_updated,
	       (long long)c->appointments_cancelled, (long long)c->appointments_skipped,
	       (long long)c->record_errors, (long long)r->api_calls);
}

int cli_sync(int argc, char **argv)
{
	const char *full = NULL;
	const struct cli_opt opts[] = { { "full", 0, &full }, { NULL, 0, NULL } };
	char holder[128];
	struct sync_options o;
	struct sigaction sa;
	struct store_run run;
	struct store *s;
	struct err e, ge;
	int64_t org_id, run_id = 0;
	int rc, tty = isatty(STDERR_FILENO);

	rc = cli_org_begin("sync", argc, argv, opts, &org_id, &s);
	if (rc != CLI_GO)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sync_holder_name(holder, sizeof(holder));
	memset(&o, 0, sizeof(o));
	o.kind = full ? SYNC_MANUAL : SYNC_SCHEDULED;
	o.holder = holder;
	o.stop = &stop_requested;
	o.progress = tty ? show_progress : NULL;
	err_clear(&e);
	rc = sync_org(s, org_id, &o, &run_id, &e);
	if (tty && run_id)
		fputc('\n', stderr);
	if (run_id && store_run_get(s, org_id, run_id, &run, &ge) == 0) {
		summary(&run);
		store_run_clear(&run);
	}
	store_close(s);
	return rc < 0 ? cli_fail_err(&e) : CLI_OK;
}

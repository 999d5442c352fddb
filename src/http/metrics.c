/* metrics: the counters /metrics shows, kept in memory, and the Prometheus text. */
#include "http/metrics.h"
#include "sync/sync.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The runs of each org looked at for the sync series: the newest ones. */
#define METRICS_SERIES_MAX 512

struct series {
	const char *route;
	int status;
	unsigned long long count;
	double seconds;
};

struct metrics {
	pthread_mutex_t mu;
	struct series s[METRICS_SERIES_MAX];
	size_t n;
	unsigned long long dropped;	/* requests of series past METRICS_SERIES_MAX */
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL || pthread_mutex_init(&m->mu, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

void metrics_request(struct metrics *m, const char *route, int status, double ms)
{
	size_t i;

	pthread_mutex_lock(&m->mu);
	for (i = 0; i < m->n; i++)
		if (m->s[i].status == status && strcmp(m->s[i].route, route) == 0)
			break;
	if (i == m->n && m->n < METRICS_SERIES_MAX) {
		m->s[i].route = route;
		m->s[i].status = status;
		m->n++;
	}
	if (i < m->n) {
		m->s[i].count++;
		m->s[i].seconds += ms / 1000.0;
	} else {
		m->dropped++;
	}
	pthread_mutex_unlock(&m->mu);
}

static int render_http(struct metrics *m, struct buf *out)
{
	int bad = 0;

	bad |= buf_puts(out, "# HELP i360_http_requests_total HTTP requests answered, by route "
			"and status code.\n# TYPE i360_http_requests_total counter\n");
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->n; i++)
		bad |= buf_printf(out, "i360_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
				  m->s[i].route, m->s[i].status, m->s[i].count);
	bad |= buf_puts(out, "# HELP i360_http_request_seconds_total Time spent answering, by "
			"route and status code.\n# TYPE i360_http_request_seconds_total counter\n");
	for (size_t i = 0; i < m->n; i++)
		bad |= buf_printf(out, "i360_http_request_seconds_total{route=\"%s\",code=\"%d\"} "
				  "%.6f\n", m->s[i].route, m->s[i].status, m->s[i].seconds);
	pthread_mutex_unlock(&m->mu);
	return bad ? -1 : 0;
}

static int render_store(struct store *s, int share_limit, struct buf *out, struct err *e)
{
	struct store_metrics t;
	int bad = 0;

	if (store_metrics(s, share_limit, &t, e) < 0)
		return -1;
	bad |= buf_puts(out, "# HELP i360_sync_runs_total Sync runs recorded, by status.\n"
			"# TYPE i360_sync_runs_total counter\n");
	for (int k = 0; k < STORE_RUN__MAX; k++)
		bad |= buf_printf(out, "i360_sync_runs_total{status=\"%s\"} %lld\n",
				  store_run_status_names[k], (long long)t.runs[k]);
	bad |= buf_puts(out, "# HELP i360_sync_run_seconds_total Time sync runs took, by status.\n"
			"# TYPE i360_sync_run_seconds_total counter\n");
	for (int k = 0; k < STORE_RUN__MAX; k++)
		bad |= buf_printf(out, "i360_sync_run_seconds_total{status=\"%s\"} %.3f\n",
				  store_run_status_names[k], t.run_seconds[k]);
	bad |= buf_printf(out, "# HELP i360_sync_api_calls_total Salesforce API calls made by "
			  "sync runs.\n# TYPE i360_sync_api_calls_total counter\n"
			  "i360_sync_api_calls_total %lld\n", (long long)t.api_calls);
	bad |= buf_printf(out, "# HELP i360_sync_records_total Records written by sync runs, by "
			  "kind.\n# TYPE i360_sync_records_total counter\n"
			  "i360_sync_records_total{kind=\"jobs_created\"} %lld\n"
			  "i360_sync_records_total{kind=\"jobs_updated\"} %lld\n"
			  "i360_sync_records_total{kind=\"users\"} %lld\n"
			  "i360_sync_records_total{kind=\"record_errors\"} %lld\n",
			  (long long)t.jobs_created, (long long)t.jobs_updated, (long long)t.users,
			  (long long)t.record_errors);
	bad |= buf_printf(out, "# HELP i360_api_share_used_max The largest share of an org's daily "
			  "Salesforce API allowance in use, as last reported.\n"
			  "# TYPE i360_api_share_used_max gauge\ni360_api_share_used_max %.4f\n",
			  t.api_share_max);
	bad |= buf_printf(out, "# HELP i360_api_share_orgs_over_limit Orgs whose API usage is at "
			  "or over the share where scheduled syncs stop.\n"
			  "# TYPE i360_api_share_orgs_over_limit gauge\n"
			  "i360_api_share_orgs_over_limit %lld\n", (long long)t.orgs_over_share);
	bad |= buf_printf(out, "# HELP i360_outbox_depth Pushes to I360 not yet done or failed.\n"
			  "# TYPE i360_outbox_depth gauge\ni360_outbox_depth %lld\n",
			  (long long)t.outbox_depth);
	bad |= buf_puts(out, "# HELP i360_integrations Orgs by ImproveIt360 integration status.\n"
			"# TYPE i360_integrations gauge\n");
	for (int k = 0; k < STORE_INT__MAX; k++)
		bad |= buf_printf(out, "i360_integrations{status=\"%s\"} %lld\n",
				  store_integration_status_names[k], (long long)t.integrations[k]);
	return bad ? err_set(e, ERR_INTERNAL, "out of memory") : 0;
}

int metrics_render(struct metrics *m, struct store *s, int share_limit, struct buf *out,
		   struct err *e)
{
	if (render_http(m, out) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return render_store(s, share_limit > 0 ? share_limit : SYNC_SHARE_LIMIT_DEFAULT, out, e);
}

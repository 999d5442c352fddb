/* metrics: the counters /metrics shows, kept in memory, and the Prometheus text. */
#include "http/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The runs of each org looked at for the sync series: the newest ones. */
#define METRICS_RUNS_PER_ORG 1000
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

struct run_totals {
	unsigned long long by_status[STORE_RUN__MAX];
	double seconds[STORE_RUN__MAX];
	unsigned long long api_calls;
	unsigned long long jobs_created, jobs_updated, users, record_errors;
	unsigned long long orgs[STORE_INT__MAX];
};

static int add_org(struct store *s, int64_t org, struct run_totals *t, struct err *e)
{
	struct store_integration in;
	struct store_run *runs;
	size_t n;

	if (store_integration_get(s, org, 0, &in, e) < 0)
		return -1;
	t->orgs[in.status]++;
	store_integration_free(&in);
	if (store_run_list(s, org, METRICS_RUNS_PER_ORG, &runs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct store_run *r = &runs[i];

		t->by_status[r->status]++;
		if (r->finished_at > r->started_at)
			t->seconds[r->status] += (double)(r->finished_at - r->started_at) / 1000.0;
		t->api_calls += (unsigned long long)r->api_calls;
		t->jobs_created += (unsigned long long)r->counts.jobs_created;
		t->jobs_updated += (unsigned long long)r->counts.jobs_updated;
		t->users += (unsigned long long)r->counts.users;
		t->record_errors += (unsigned long long)r->counts.record_errors;
	}
	store_runs_free(runs, n);
	return 0;
}

static int render_store(struct store *s, struct buf *out, struct err *e)
{
	struct run_totals t;
	int64_t *ids = NULL, depth = 0;
	size_t n = 0;
	int bad = 0, rc = -1;

	memset(&t, 0, sizeof(t));
	if (store_org_ids(s, &ids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (add_org(s, ids[i], &t, e) < 0)
			goto out;
	if (store_outbox_depth(s, &depth, e) < 0)
		goto out;
	bad |= buf_puts(out, "# HELP i360_sync_runs_total Sync runs recorded, by status.\n"
			"# TYPE i360_sync_runs_total counter\n");
	for (int k = 0; k < STORE_RUN__MAX; k++)
		bad |= buf_printf(out, "i360_sync_runs_total{status=\"%s\"} %llu\n",
				  store_run_status_names[k], t.by_status[k]);
	bad |= buf_puts(out, "# HELP i360_sync_run_seconds_total Time finished sync runs took, "
			"by status.\n# TYPE i360_sync_run_seconds_total counter\n");
	for (int k = 0; k < STORE_RUN__MAX; k++)
		bad |= buf_printf(out, "i360_sync_run_seconds_total{status=\"%s\"} %.3f\n",
				  store_run_status_names[k], t.seconds[k]);
	bad |= buf_printf(out, "# HELP i360_sync_api_calls_total Salesforce API calls made by "
			  "sync runs.\n# TYPE i360_sync_api_calls_total counter\n"
			  "i360_sync_api_calls_total %llu\n", t.api_calls);
	bad |= buf_printf(out, "# HELP i360_sync_records_total Records written by sync runs, by "
			  "kind.\n# TYPE i360_sync_records_total counter\n"
			  "i360_sync_records_total{kind=\"jobs_created\"} %llu\n"
			  "i360_sync_records_total{kind=\"jobs_updated\"} %llu\n"
			  "i360_sync_records_total{kind=\"users\"} %llu\n"
			  "i360_sync_records_total{kind=\"record_errors\"} %llu\n",
			  t.jobs_created, t.jobs_updated, t.users, t.record_errors);
	bad |= buf_printf(out, "# HELP i360_outbox_depth Pushes to I360 not yet done or failed.\n"
			  "# TYPE i360_outbox_depth gauge\ni360_outbox_depth %lld\n",
			  (long long)depth);
	bad |= buf_puts(out, "# HELP i360_integrations Orgs by ImproveIt360 integration status.\n"
			"# TYPE i360_integrations gauge\n");
	for (int k = 0; k < STORE_INT__MAX; k++)
		bad |= buf_printf(out, "i360_integrations{status=\"%s\"} %llu\n",
				  store_integration_status_names[k], t.orgs[k]);
	rc = bad ? err_set(e, ERR_INTERNAL, "out of memory") : 0;
out:
	free(ids);
	return rc;
}

int metrics_render(struct metrics *m, struct store *s, struct buf *out, struct err *e)
{
	if (render_http(m, out) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return render_store(s, out, e);
}

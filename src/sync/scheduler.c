/* scheduler: every connected org synced each interval by a pool of workers (serve). */
#include "sync/scheduler.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/isotime.h"
#include "util/log.h"

#define QUEUE_MAX 4096

struct job_item {
	int64_t org_id;
	int64_t run_id;		/* 0: a scheduled sync the worker begins itself */
	enum sync_kind kind;
};

/*
 * State shared by the scheduler thread, the workers and submitters, under mu:
 * the ring queue (head, len), and `stopping`. The stop flag is also read without the
 * lock by running syncs (an atomic): it only ever goes from 0 to 1.
 */
struct scheduler {
	struct scheduler_config cfg;
	char *db_url;
	char holder[128];
	pthread_t ticker;
	pthread_t *workers;
	int nworkers;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct job_item queue[QUEUE_MAX];
	size_t head, len;
	atomic_int stop;
};

int64_t scheduler_first_slot(int64_t org_id, int64_t now, int64_t interval_ms)
{
	/* Fibonacci hashing spreads consecutive ids evenly over the interval. */
	uint64_t h = (uint64_t)org_id * UINT64_C(11400714819323198485);

	return now + (int64_t)(h % (uint64_t)(interval_ms > 0 ? interval_ms : 1));
}

static int enqueue(struct scheduler *s, const struct job_item *it)
{
	int rc = -1;

	pthread_mutex_lock(&s->mu);
	if (s->len < QUEUE_MAX && !atomic_load(&s->stop)) {
		s->queue[(s->head + s->len) % QUEUE_MAX] = *it;
		s->len++;
		pthread_cond_signal(&s->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int scheduler_submit(struct scheduler *s, int64_t org_id, int64_t run_id, enum sync_kind kind,
		     struct err *e)
{
	struct job_item it = { org_id, run_id, kind };

	if (enqueue(s, &it) < 0)
		return err_set(e, ERR_CONFLICT, "too many syncs are waiting: try again shortly");
	return 0;
}

const char *scheduler_holder(const struct scheduler *s)
{
	return s->holder;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Sleeps up to ms, waking early when the scheduler stops. */
static void nap(struct scheduler *s, int64_t ms)
{
	while (ms > 0 && !atomic_load(&s->stop)) {
		int64_t step = ms < 100 ? ms : 100;
		sleep_ms(step);
		ms -= step;
	}
}

#define TICK_BATCH 256

/* Finds due orgs and queues them, one claim per org per interval. Returns how many it
 * found: a full batch means more may be waiting. */
static size_t tick(struct scheduler *s, struct store *st)
{
	int64_t now = isotime_now_ms(), interval = s->cfg.interval_ms;
	struct store_due *due;
	size_t n;
	struct err e;

	if (store_integrations_due(st, now, TICK_BATCH, &due, &n, &e) < 0) {
		log_error("scheduler.due_failed", "error=\"%s\"", e.msg);
		return 0;
	}
	for (size_t i = 0; i < n && !atomic_load(&s->stop); i++) {
		struct job_item it = { due[i].org_id, 0, SYNC_SCHEDULED };
		int64_t at;
		int won;

		if (!due[i].has_next) {
			/* First sight of this org: give it its slot in the interval. */
			at = scheduler_first_slot(due[i].org_id, now, interval);
		} else {
			at = due[i].next_sync_at + interval;
			if (at <= now)	/* we were away a long time: keep the phase */
				at = now + interval - (now - due[i].next_sync_at) % interval;
		}
		if (store_integration_claim_next(st, &due[i], at, &won, &e) < 0 || !won)
			continue;
		if (due[i].has_next && enqueue(s, &it) < 0)
			log_warn("scheduler.queue_full", "org=%lld", (long long)it.org_id);
	}
	free(due);
	return n;
}

static void *ticker_main(void *arg)
{
	struct scheduler *s = arg;
	struct store *st = NULL;
	struct err e;

	while (!atomic_load(&s->stop)) {
		if (st == NULL && (st = store_open(s->db_url, &e)) == NULL)
			log_error("scheduler.store_failed", "error=\"%s\"", e.msg);
		/* A full batch means more orgs are due: look again at once. */
		if (st && tick(s, st) == TICK_BATCH)
			continue;
		nap(s, s->cfg.tick_ms);
	}
	store_close(st);
	return NULL;
}

/* After a failed run: an org out of API allowance rests. */
static void after_failure(struct store *st, int64_t org_id, int64_t run_id)
{
	struct store_run r;
	struct err e;

	if (store_run_get(st, org_id, run_id, &r, &e) < 0)
		return;
	if (r.error && (strstr(r.error, "REQUEST_LIMIT_EXCEEDED") ||
			strstr(r.error, "daily API allowance"))) {
		store_integration_set_next_sync(st, org_id,
						isotime_now_ms() + SCHEDULER_QUOTA_PAUSE_MS, &e);
		log_warn("scheduler.quota_pause", "org=%lld", (long long)org_id);
	}
	store_run_clear(&r);
}

static void run_item(struct scheduler *s, struct store *st, const struct job_item *it)
{
	struct sync_options o;
	struct err e;
	int64_t run_id = it->run_id;

	memset(&o, 0, sizeof(o));
	o.kind = it->kind;
	o.holder = s->holder;
	o.share_limit = s->cfg.share_limit;
	o.client = s->cfg.client;
	o.stop = &s->stop;
	if (run_id == 0) {
		o.leased_at_ms = isotime_now_ms();
		if (sync_begin(st, it->org_id, &o, &run_id, &e) < 0) {
			if (e.code != ERR_CONFLICT)
				log_warn("scheduler.begin_failed", "org=%lld", (long long)it->org_id);
			return;
		}
	}
	if (sync_execute(st, it->org_id, run_id, &o, &e) < 0)
		after_failure(st, it->org_id, run_id);
}

static void *worker_main(void *arg)
{
	struct scheduler *s = arg;
	struct store *st = NULL;
	struct job_item it;
	struct err e;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->len == 0 && !atomic_load(&s->stop))
			pthread_cond_wait(&s->cond, &s->mu);
		if (atomic_load(&s->stop)) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		it = s->queue[s->head];
		s->head = (s->head + 1) % QUEUE_MAX;
		s->len--;
		pthread_mutex_unlock(&s->mu);
		if (st == NULL && (st = store_open(s->db_url, &e)) == NULL) {
			log_error("scheduler.store_failed", "error=\"%s\"", e.msg);
			continue;
		}
		run_item(s, st, &it);
	}
	store_close(st);
	return NULL;
}

struct scheduler *scheduler_start(const struct scheduler_config *c, struct err *e)
{
	struct scheduler *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	s->cfg = *c;
	if (s->cfg.workers <= 0)
		s->cfg.workers = SCHEDULER_WORKERS_DEFAULT;
	if (s->cfg.interval_ms <= 0)
		s->cfg.interval_ms = SCHEDULER_INTERVAL_DEFAULT_MS;
	if (s->cfg.tick_ms <= 0)
		s->cfg.tick_ms = 1000;
	s->db_url = strdup(c->db_url);
	s->workers = calloc((size_t)s->cfg.workers, sizeof(*s->workers));
	if (s->db_url == NULL || s->workers == NULL) {
		free(s->db_url);
		free(s->workers);
		free(s);
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	sync_holder_name(s->holder, sizeof(s->holder));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	for (int i = 0; i < s->cfg.workers; i++) {
		if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0)
			break;
		s->nworkers++;
	}
	if (s->nworkers < s->cfg.workers ||
	    (!s->cfg.no_schedule && pthread_create(&s->ticker, NULL, ticker_main, s) != 0)) {
		s->cfg.no_schedule = 1;	/* no ticker to join */
		scheduler_stop(s);
		err_set(e, ERR_INTERNAL, "cannot start the scheduler's threads");
		return NULL;
	}
	log_info("scheduler.started", "workers=%d interval_ms=%lld", s->cfg.workers,
		 (long long)s->cfg.interval_ms);
	return s;
}

void scheduler_stop(struct scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
	if (!s->cfg.no_schedule)
		pthread_join(s->ticker, NULL);
	for (int i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s->workers);
	free(s->db_url);
	free(s);
}

/* scheduler: every connected org synced each interval by a pool of workers (serve). */
#ifndef I360_SYNC_SCHEDULER_H
#define I360_SYNC_SCHEDULER_H

#include <signal.h>
#include <stdint.h>

#include "salesforce/client.h"
#include "sync/sync.h"
#include "util/err.h"

#define SCHEDULER_INTERVAL_DEFAULT_MS ((int64_t)15 * 60 * 1000)
#define SCHEDULER_WORKERS_DEFAULT 4
/* How long an org rests after its API allowance ran out or passed the share limit. */
#define SCHEDULER_QUOTA_PAUSE_MS ((int64_t)60 * 60 * 1000)

struct scheduler_config {
	const char *db_url;		/* each worker opens its own store connection */
	int workers;			/* 0: SCHEDULER_WORKERS_DEFAULT */
	int64_t interval_ms;		/* 0: SCHEDULER_INTERVAL_DEFAULT_MS */
	int64_t tick_ms;		/* how often due orgs are looked for; 0: 1000 */
	int share_limit;		/* see struct sync_options */
	int no_schedule;		/* only run submitted syncs (serve --no-scheduler) */
	const struct sf_client_config *client;
};

struct scheduler;

/*
 * Starts the scheduler thread and the workers. Each interval every connected org is
 * synced once (scheduled kind); an org's first time is spread over the interval by
 * its id so that many orgs never fire together, and each later one keeps that phase.
 * Several processes may share one store: claiming an org's next time is a
 * compare-and-set in the store and the sync lease keeps any org to one sync at a time.
 * One org's failure touches no other; an org needing re-authorization is not synced
 * (it is no longer "connected"); an org out of API allowance rests
 * SCHEDULER_QUOTA_PAUSE_MS. Returns NULL with e set when a thread or the store fails.
 */
struct scheduler *scheduler_start(const struct scheduler_config *c, struct err *e);

/*
 * Queues a sync begun with sync_begin (run_id) for a worker; returns 0, or -1 with
 * ERR_CONFLICT when the queue is full. The worker executes it with the holder name
 * sched_holder() returns, which sync_begin must have been given.
 */
int scheduler_submit(struct scheduler *s, int64_t org_id, int64_t run_id, enum sync_kind kind,
		     struct err *e);

/* The lease holder name of this process's workers. */
const char *scheduler_holder(const struct scheduler *s);

/* Asks running syncs to stop after their page in hand, then joins every thread. NULL
 * does nothing. */
void scheduler_stop(struct scheduler *s);

/* When a never-scheduled org first syncs: now plus a slot of the interval chosen from
 * the org id, so that consecutive ids land far apart. */
int64_t scheduler_first_slot(int64_t org_id, int64_t now, int64_t interval_ms);

#endif

/* sync: one sync run of one org — result reasons, users, appointments (SPEC §4). */
#ifndef I360_SYNC_SYNC_H
#define I360_SYNC_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include "salesforce/client.h"
#include "store/store.h"
#include "util/err.h"

struct connect_session;

/* Manual: all four pulls, 29-day window. Scheduled: users, then appointments since
 * the high-water mark minus the overlap. */
enum sync_kind { SYNC_MANUAL, SYNC_SCHEDULED, SYNC__MAX };
extern const char *const sync_kind_names[SYNC__MAX];

#define SYNC_WINDOW_MS ((int64_t)29 * 24 * 3600 * 1000)
#define SYNC_OVERLAP_MS ((int64_t)5 * 60 * 1000)
#define SYNC_LEASE_MS ((int64_t)5 * 60 * 1000)
#define SYNC_SHARE_LIMIT_DEFAULT 80

/* Called after each step and page with the run as it stands (borrowed). */
typedef void sync_progress_fn(void *arg, const struct store_run *run);

struct sync_options {
	enum sync_kind kind;
	const char *holder;		/* who holds the lease: unique per process */
	int share_limit;		/* % of the daily API allowance past which scheduled
					   work stops; 0: SYNC_SHARE_LIMIT_DEFAULT */
	int64_t lease_ms;		/* 0: env I360BRIDGE_LEASE_MS, else SYNC_LEASE_MS;
					   renewed each time a quarter of it has run. A process
					   that dies holding it delays the org's next sync by at
					   most this long. */
	int64_t leased_at_ms;		/* when sync_begin took the lease, if the caller ran
					   it just before sync_execute (the clock read before
					   the call); 0: unknown, the first checkpoint renews */
	const struct sf_client_config *client;	/* timeouts, retries; NULL: defaults */
	sync_progress_fn *progress;
	void *progress_arg;
	/* Set (e.g. by SIGTERM, or by another thread) to stop after the page in hand is
	 * committed. Read without a lock: it is an atomic that only goes from 0 to 1. */
	const atomic_int *stop;
};

/*
 * Starts a run of org_id: takes the org's sync lease for o->holder (another live
 * holder: ERR_CONFLICT "a sync of this org is already running"; an org that does not
 * exist: ERR_NOT_FOUND) and records the run as running. *run_id is the run's id.
 * Nothing is asked of Salesforce yet.
 */
int sync_begin(struct store *s, int64_t org_id, const struct sync_options *o,
	       int64_t *run_id, struct err *e);

/*
 * Carries out a run begun with sync_begin, then records how it ended and gives the
 * lease back. Each page of appointments is written in one transaction with the
 * high-water mark; malformed records are written with what is valid and recorded as
 * the run's record errors. When I360 refuses the refresh token (invalid_grant), the
 * integration becomes needs_reauthorization and no further call is made.
 * Returns 0 when the run succeeded, or -1 with e saying why it failed (the run's
 * record says the same).
 */
int sync_execute(struct store *s, int64_t org_id, int64_t run_id,
		 const struct sync_options *o, struct err *e);

/* sync_begin then sync_execute. */
int sync_org(struct store *s, int64_t org_id, const struct sync_options *o, int64_t *run_id,
	     struct err *e);

/*
 * The SOQL a full sync of org_id on Lightning would page through now: one query per
 * chunk of linked reps. Into *out (*n strings; free each and the array). For tools
 * that measure the sync against the bare cost of its reads (i360-bench's floor).
 */
int sync_appointment_queries(struct store *s, int64_t org_id, struct connect_session *cs,
			     char ***out, size_t *n, struct err *e);

/* A lease holder name unique to this process: "HOST:PID:RANDOM" into out. */
void sync_holder_name(char *out, size_t n);

#endif

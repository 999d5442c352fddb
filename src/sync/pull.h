/* pull: what the pull steps of one sync run share; not for callers outside sync/. */
#ifndef I360_SYNC_PULL_H
#define I360_SYNC_PULL_H

#include "i360/platform.h"
#include "sync/connect.h"
#include "sync/sync.h"

struct pull_ctx {
	struct store *s;
	int64_t org_id;
	int64_t run_id;
	const struct sync_options *o;
	struct connect_session *cs;
	const struct platform_schema *schema;
	struct store_run_counts counts;
	int64_t now;		/* when the run started, ms */
	int64_t lease_at;	/* when the lease was last taken or renewed, ms */
	int64_t progress_at;	/* when progress was last written, ms (0: never) */
	const char *step;	/* what the run is doing, for progress */
};

/* The steps, in the order a run takes them. Each returns 0 or -1 with e set. */
int pull_reasons(struct pull_ctx *p, struct err *e);
int pull_users(struct pull_ctx *p, struct err *e);
int pull_appointments(struct pull_ctx *p, struct err *e);

/*
 * Between pages: records progress, renews the lease, and stops the run when asked to
 * (o->stop), when the lease was lost, or when scheduled work would pass the org's API
 * share limit. 0 to go on, -1 with e set to stop.
 */
int pull__checkpoint(struct pull_ctx *p, const char *step, struct err *e);

/* Records a problem with one record as a run error and counts it. */
void pull__record_error(struct pull_ctx *p, const char *object, const char *record_id,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

/* metrics: the counters /metrics shows, kept in memory, and the Prometheus text. */
#ifndef I360_HTTP_METRICS_H
#define I360_HTTP_METRICS_H

#include "store/store.h"
#include "util/buf.h"

/*
 * HTTP requests are counted by route (the route's pattern, so that ids do not make a
 * series each) and status code. The table locks itself.
 */
struct metrics;

/* A new table, or NULL when out of memory. */
struct metrics *metrics_new(void);

/* Frees the table; NULL does nothing. */
void metrics_free(struct metrics *m);

/* Counts one request of route (a static string: it is kept, not copied) that was
 * answered with status and took ms milliseconds. */
void metrics_request(struct metrics *m, const char *route, int status, double ms);

/*
 * Writes the Prometheus text exposition into out: the request counters and durations,
 * plus what the store knows (s: a connection of the caller's), aggregated in the
 * database: sync runs by status, their durations and API calls, records written, the
 * outbox depth, orgs by integration status, the largest share of an org's daily API
 * allowance in use and how many orgs are at or over share_limit percent (0: the
 * default). Returns 0, or -1 with e set when the store failed (out then holds what was
 * written).
 */
int metrics_render(struct metrics *m, struct store *s, int share_limit, struct buf *out,
		   struct err *e);

#endif

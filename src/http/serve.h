/* serve: the running service — HTTP API, admin UI, OAuth callback, scheduler, pushes. */
#ifndef I360_HTTP_SERVE_H
#define I360_HTTP_SERVE_H

#include <stdint.h>

#include "salesforce/client.h"
#include "util/err.h"

struct serve_config {
	const char *db_url;
	const char *listen_host;	/* NULL: 127.0.0.1 */
	int port;			/* 0: a free port (serve_url tells which) */
	const char *public_url;		/* NULL: http://HOST:PORT */
	int workers;			/* sync workers; 0: 4 */
	int64_t interval_ms;		/* scheduled sync interval; 0: 15 min */
	int no_scheduler;		/* no scheduled syncs (manual ones still run) */
	int share_limit;		/* see struct sync_options */
	const struct sf_client_config *client;	/* timeouts and retries; NULL: defaults */
};

struct serve;

/*
 * Starts everything `i360bridge serve` runs: the HTTP server (API, UI, callback,
 * /metrics, /healthz), the sync scheduler with its workers and the push workers.
 * Returns once it is listening, or NULL with e set (ERR_IO: the address is taken).
 */
struct serve *serve_start(const struct serve_config *c, struct err *e);

/* "http://HOST:PORT" it listens on (borrowed). */
const char *serve_url(const struct serve *s);

/* The public URL (borrowed): what the OAuth redirect URI is built from. */
const char *serve_public_url(const struct serve *s);

/* Stops accepting requests, lets running syncs commit their page and pushes finish,
 * and frees everything. NULL does nothing. */
void serve_stop(struct serve *s);

#endif

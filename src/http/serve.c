/* serve: the running service — HTTP API, admin UI, OAuth callback, scheduler, pushes. */
#include "http/serve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "http/metrics.h"
#include "http/reply.h"
#include "http/request.h"
#include "http/route.h"
#include "http/session.h"
#include "http/upload.h"
#include "sync/push.h"
#include "sync/scheduler.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"

#define HTTP_THREADS 4
#define POOL_SIZE (HTTP_THREADS + 2)

/*
 * The store connections handlers use: one connection serves one thread at a time, so
 * a request takes one for the length of a callback and gives it back. Connections
 * are opened on first use and kept.
 */
struct store_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store *s[POOL_SIZE];
	int busy[POOL_SIZE];
};

struct serve {
	struct http_ctx ctx;
	char *db_url;
	char *public_url;
	char *callback_url;
	char *docs_dir;
	char listen_url[300];
	struct sf_client_config client;
	struct store_pool pool;
	struct MHD_Daemon *daemon;
};

/* One request in flight, from its first callback to MHD's completion notice. */
struct call {
	struct request req;
	const struct route *route;
	char scratch[1024];
	struct buf body;
	struct upload *up;
	int answered;		/* a response was queued before the body was read */
	struct timespec t0;
};

static struct store *pool_take(struct serve *sv, struct err *e)
{
	struct store_pool *p = &sv->pool;
	struct store *s = NULL;
	int i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		for (i = 0; i < POOL_SIZE && p->busy[i]; i++)
			;
		if (i < POOL_SIZE)
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	p->busy[i] = 1;
	s = p->s[i];
	pthread_mutex_unlock(&p->mu);
	if (s == NULL) {
		/* Opened outside the lock: opening may wait on the database. */
		s = store_open(sv->db_url, e);
		pthread_mutex_lock(&p->mu);
		if (s)
			p->s[i] = s;
		else
			p->busy[i] = 0;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return s;
}

static void pool_give(struct serve *sv, struct store *s)
{
	struct store_pool *p = &sv->pool;

	if (s == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < POOL_SIZE; i++)
		if (p->s[i] == s)
			p->busy[i] = 0;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The origin ("scheme://host[:port]") of url into out. */
static void origin_of(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");
	size_t len = p ? (size_t)(strcspn(p + 3, "/") + (size_t)(p + 3 - url)) : strlen(url);

	snprintf(out, n, "%.*s", (int)len, url);
}

/* A state-changing request from the UI must come from the UI: same-site cookies stop
 * most forgeries, the CSRF token and the Origin check stop the rest. */
static int same_origin(const struct request *r)
{
	const char *origin = request_header(r, "Origin");
	char pub[300], lis[300];

	if (origin == NULL)
		return 1;
	origin_of(r->ctx->public_url, pub, sizeof(pub));
	origin_of(r->ctx->listen_url, lis, sizeof(lis));
	return strcmp(origin, pub) == 0 || strcmp(origin, lis) == 0;
}

/* Decides r->org_id from the bearer token or the session cookie; answers 401/403
 * itself and returns -1 when neither is good. */
static int authenticate(struct request *r, enum MHD_Result *res)
{
	const char *auth = request_header(r, "Authorization");
	const char *sid;
	char csrf[SESSION_ID_LEN];
	struct err e;

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0') {
			*res = reply_error(r, 401, "the Authorization header must be "
						   "\"Bearer\" and the org's API token");
			return -1;
		}
		if (store_token_org(r->store, auth + 7, &r->org_id, &e) < 0) {
			if (e.code == ERR_AUTH)
				*res = reply_error(r, 401, "the API token is not valid");
			else
				*res = reply_err(r, &e);
			return -1;
		}
		return 0;
	}
	sid = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	if (sid == NULL || session_find(r->store, sid, &r->org_id, csrf) < 0) {
		*res = reply_error(r, 401, "sign in first: send the org's API token as a bearer "
					   "token");
		return -1;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
	    (!same_origin(r) || !session_csrf_ok(csrf, request_header(r, "X-CSRF-Token")))) {
		*res = reply_error(r, 403, "the request did not come from this admin page: reload "
					   "it and try again");
		return -1;
	}
	return 0;
}

/* Parses the Content-Length header: -1 when absent or not a number. */
static int64_t content_length(const struct request *r)
{
	int64_t n;

	return num_parse(request_header(r, "Content-Length"), 0, INT64_MAX, &n) == 0 ? n : -1;
}

/* The upload route checks the job before taking the body: another org's job is 404
 * before a byte is written. */
static int upload_job_ok(struct request *r, enum MHD_Result *res)
{
	struct store_job j;
	struct err e;
	int64_t id;

	if (num_parse(r->params[0], 1, INT64_MAX, &id) < 0) {
		*res = reply_error(r, 404, "there is no job %.32s", r->params[0]);
		return -1;
	}
	if (store_job_get(r->store, r->org_id, id, &j, &e) < 0) {
		*res = e.code == ERR_NOT_FOUND ? reply_error(r, 404, "there is no job %lld",
							     (long long)id)
					       : reply_err(r, &e);
		return -1;
	}
	store_job_free(&j);
	return 0;
}

/* The first callback of a request: route, authentication, size limits. Returns 0 to
 * go on reading the body, or -1 once an answer is queued (in *res). */
static int begin(struct serve *sv, struct call *c, enum MHD_Result *res)
{
	struct request *r = &c->req;
	int path_known = 0;
	int64_t len = content_length(r);
	int64_t max;
	struct err e;
	int rc = -1;

	c->route = route_find(strcmp(r->method, "HEAD") == 0 ? "GET" : r->method, r->path,
			      c->scratch, sizeof(c->scratch), r->params, &path_known);
	if (c->route == NULL) {
		if (path_known) {
			*res = reply_error(r, 405, "%s is not allowed on %s", r->method, r->path);
			return -1;
		}
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			*res = reply_error(r, 404, "there is no endpoint %s %s", r->method, r->path);
			return -1;
		}
		c->route = &route_not_found;
	}
	max = c->route->body == ROUTE_BODY_UPLOAD ? PUSH_DOCUMENT_MAX + 64 * 1024
						  : (int64_t)ROUTE_JSON_MAX;
	if (len > max) {
		*res = reply_error(r, 413, "the request body is larger than %lld bytes",
				   (long long)max);
		return -1;
	}
	if (c->route->auth == ROUTE_PUBLIC && c->route->body != ROUTE_BODY_UPLOAD)
		return 0;
	r->store = pool_take(sv, &e);
	if (r->store == NULL) {
		*res = reply_err(r, &e);
		return -1;
	}
	if (c->route->auth == ROUTE_ORG && authenticate(r, res) < 0)
		goto out;
	if (c->route->body == ROUTE_BODY_UPLOAD) {
		if (upload_job_ok(r, res) < 0)
			goto out;
		c->up = upload_new(r->conn, sv->docs_dir, PUSH_DOCUMENT_MAX, &e);
		if (c->up == NULL) {
			*res = reply_err(r, &e);
			goto out;
		}
	}
	rc = 0;
out:
	pool_give(sv, r->store);
	r->store = NULL;
	return rc;
}

/* The last callback: the body is complete; run the handler. */
static enum MHD_Result finish(struct serve *sv, struct call *c)
{
	struct request *r = &c->req;
	enum MHD_Result res;
	struct err e;

	if (buf_too_big(&c->body))
		return reply_error(r, 413, "the request body is larger than %zu bytes",
				   ROUTE_JSON_MAX);
	if (c->up) {
		if (upload_finish(c->up, &e) < 0)
			return reply_err(r, &e);
		r->upload_path = upload_path(c->up);
		r->upload_name = upload_filename(c->up);
		r->upload_type = upload_content_type(c->up);
	}
	if (c->route->body == ROUTE_BODY_JSON && c->body.len) {
		r->body = c->body.data;
		r->body_len = c->body.len;
	}
	r->store = pool_take(sv, &e);
	if (r->store == NULL)
		return reply_err(r, &e);
	res = c->route->fn(r);
	if (c->up && r->upload_taken)
		upload_release_file(c->up);
	pool_give(sv, r->store);
	r->store = NULL;
	return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct serve *sv = cls;
	struct call *c = *con_cls;
	enum MHD_Result res = MHD_YES;

	(void)version;
	if (c == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &c->t0);
		c->req.conn = conn;
		c->req.ctx = &sv->ctx;
		c->req.method = method;
		c->req.path = url;
		buf_init(&c->body, ROUTE_JSON_MAX);
		*con_cls = c;
		if (begin(sv, c, &res) < 0)
			c->answered = 1;
		return res;
	}
	if (c->answered) {
		*upload_data_size = 0;	/* the answer is out: the rest is dropped */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (c->up)
			upload_feed(c->up, upload_data, *upload_data_size);
		else if (!buf_too_big(&c->body))
			buf_append(&c->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	c->answered = 1;
	return finish(sv, c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct serve *sv = cls;
	struct call *c = *con_cls;
	struct timespec t1;
	double ms;

	(void)conn;
	(void)toe;
	if (c == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - c->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - c->t0.tv_nsec) / 1e6;
	metrics_request(sv->ctx.metrics, c->route ? c->route->pattern : "unmatched",
			c->req.status, ms);
	/* The route pattern, not the URL: query strings carry OAuth codes and states. */
	log_debug("http.request", "method=%s route=%s status=%d ms=%.1f", c->req.method,
		  c->route ? c->route->pattern : "unmatched", c->req.status, ms);
	upload_free(c->up);
	buf_free(&c->body);
	free(c);
	*con_cls = NULL;
}

/* Resolves host:port into addr; 0 or -1. */
static int resolve(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len,
		   struct err *e)
{
	struct addrinfo hints, *res = NULL;
	char portstr[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0 || res == NULL)
		return err_set(e, ERR_INVALID, "the listen host %s cannot be resolved", host);
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static char *dup_trimmed_url(const char *u)
{
	size_t n = strlen(u);
	char *out;

	while (n > 0 && u[n - 1] == '/')
		n--;
	out = malloc(n + 1);
	if (out) {
		memcpy(out, u, n);
		out[n] = '\0';
	}
	return out;
}

static int start_http(struct serve *sv, const char *host, int port, struct err *e)
{
	struct sockaddr_storage addr;
	socklen_t alen = 0;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	char hostfmt[280];

	if (resolve(host, port, &addr, &alen, e) < 0)
		return -1;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	sv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, sv,
				      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
				      MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv,
				      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				      MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				      MHD_OPTION_END);
	if (sv->daemon == NULL)
		return err_set(e, ERR_IO, "cannot listen on %s:%d: the address is taken or not "
			       "this machine's", host, port);
	info = MHD_get_daemon_info(sv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		port = info->port;
	snprintf(hostfmt, sizeof(hostfmt), addr.ss_family == AF_INET6 ? "[%s]" : "%s", host);
	snprintf(sv->listen_url, sizeof(sv->listen_url), "http://%s:%d", hostfmt, port);
	return 0;
}

struct serve *serve_start(const struct serve_config *c, struct err *e)
{
	struct scheduler_config sc;
	struct pusher_config pc;
	struct serve *sv;
	struct store *probe;
	const char *host = c->listen_host ? c->listen_host : "127.0.0.1";
	size_t n;

	sv = calloc(1, sizeof(*sv));
	if (sv == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&sv->pool.mu, NULL);
	pthread_cond_init(&sv->pool.cv, NULL);
	if (c->client)
		sv->client = *c->client;
	sv->db_url = strdup(c->db_url);
	sv->ctx.metrics = metrics_new();
	if (sv->db_url == NULL || sv->ctx.metrics == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	/* Opening the store once here applies migrations and reports a bad key at once. */
	probe = store_open(sv->db_url, e);
	if (probe == NULL)
		goto fail;
	sv->pool.s[0] = probe;
	sv->docs_dir = push_documents_dir(sv->db_url, e);
	if (sv->docs_dir == NULL)
		goto fail;
	if (start_http(sv, host, c->port, e) < 0)
		goto fail;
	sv->public_url = dup_trimmed_url(c->public_url && *c->public_url ? c->public_url
									: sv->listen_url);
	n = (sv->public_url ? strlen(sv->public_url) : 0) + 40;
	sv->callback_url = malloc(n);
	if (sv->public_url == NULL || sv->callback_url == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	snprintf(sv->callback_url, n, "%s/auth/improveit360/callback", sv->public_url);

	sv->ctx.db_url = sv->db_url;
	sv->ctx.public_url = sv->public_url;
	sv->ctx.listen_url = sv->listen_url;
	sv->ctx.callback_url = sv->callback_url;
	sv->ctx.docs_dir = sv->docs_dir;
	sv->ctx.secure_cookies = strncmp(sv->public_url, "https://", 8) == 0;
	sv->ctx.share_limit = c->share_limit;
	sv->ctx.client = c->client ? &sv->client : NULL;

	memset(&sc, 0, sizeof(sc));
	sc.db_url = sv->db_url;
	sc.workers = c->workers;
	sc.interval_ms = c->interval_ms;
	sc.share_limit = c->share_limit;
	sc.no_schedule = c->no_scheduler;
	sc.client = sv->ctx.client;
	sv->ctx.scheduler = scheduler_start(&sc, e);
	if (sv->ctx.scheduler == NULL)
		goto fail;
	memset(&pc, 0, sizeof(pc));
	pc.db_url = sv->db_url;
	pc.client = sv->ctx.client;
	sv->ctx.pusher = pusher_start(&pc, e);
	if (sv->ctx.pusher == NULL)
		goto fail;
	log_info("serve.listening", "url=%s public_url=%s", sv->listen_url, sv->public_url);
	return sv;
fail:
	serve_stop(sv);
	return NULL;
}

const char *serve_url(const struct serve *s)
{
	return s->listen_url;
}

const char *serve_public_url(const struct serve *s)
{
	return s->public_url;
}

void serve_stop(struct serve *s)
{
	if (s == NULL)
		return;
	/* Requests first (they may queue syncs and pushes), then the workers. */
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	scheduler_stop(s->ctx.scheduler);
	pusher_stop(s->ctx.pusher);
	for (int i = 0; i < POOL_SIZE; i++)
		store_close(s->pool.s[i]);
	metrics_free(s->ctx.metrics);
	pthread_cond_destroy(&s->pool.cv);
	pthread_mutex_destroy(&s->pool.mu);
	free(s->db_url);
	free(s->public_url);
	free(s->callback_url);
	free(s->docs_dir);
	free(s);
}

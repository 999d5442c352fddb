/* canned_server: a tiny HTTP server on 127.0.0.1 that plays scripted Salesforce replies. */
#ifndef I360_TESTS_SALESFORCE_CANNED_SERVER_H
#define I360_TESTS_SALESFORCE_CANNED_SERVER_H

/*
 * Header-only on purpose: every tests/unit/<layer>/test_*.c is its own executable, so
 * the helper is compiled into each test that includes it (functions are static and
 * marked unused so a test may use only some of them).
 *
 * A test gives a script of replies; the server answers the Nth request with the Nth
 * reply, whatever it asks, and records every request (method, raw URI, decoded "q",
 * headers of interest, body) so the test can check what the client sent. A request
 * whose method or URI prefix differs from the script's is counted in mismatches.
 * In reply bodies, "{{BASE}}" stands for the server's own "http://127.0.0.1:PORT".
 */

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define CANNED_MAX_REQUESTS 64

struct canned_reply {
	const char *method;	/* expected request method */
	const char *uri;	/* expected prefix of the raw request URI (path and query) */
	int status;		/* 0: close the connection without an answer (a reset) */
	const char *headers;	/* extra response headers, "Name: value\n..." (or NULL) */
	const char *body;	/* response body (NULL: none) */
	unsigned delay_ms;	/* wait this long before answering */
};

struct canned_request {
	char method[16];
	char *uri;		/* raw, as sent */
	char *q;		/* the decoded "q" query argument, or NULL */
	char *authorization;
	char *content_type;
	char *accept_encoding;
	char *if_unmodified_since;
	char *body;		/* NUL-terminated; body_len counts the bytes */
	size_t body_len;
};

struct canned_server {
	struct MHD_Daemon *daemon;
	unsigned short port;
	char base[64];
	const struct canned_reply *replies;
	size_t nreplies;
	size_t served;
	struct canned_request reqs[CANNED_MAX_REQUESTS];
	size_t nreqs;
	int mismatches;
	char mismatch[512];
	pthread_mutex_t mu;
};

/* Per-connection state from the URI log callback to the last handler call. */
struct canned_conn {
	char *uri;
	char *body;
	size_t len, alloc;
	int started;	/* MHD's first call only announces the request */
};

static void *canned_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct canned_conn *cc = calloc(1, sizeof(*cc));

	(void)cls;
	(void)con;
	if (cc)
		cc->uri = strdup(uri);
	return cc;
}

static char *canned_dup_header(struct MHD_Connection *con, enum MHD_ValueKind kind,
			       const char *name)
{
	const char *v = MHD_lookup_connection_value(con, kind, name);

	return v ? strdup(v) : NULL;
}

/* body with every "{{BASE}}" replaced by the server's base URL; the caller frees it. */
static char *canned_expand(const struct canned_server *s, const char *body)
{
	size_t blen = strlen(s->base), n = 0;
	const char *p;
	char *out, *w;

	for (p = body; (p = strstr(p, "{{BASE}}")) != NULL; p += 8)
		n++;
	out = malloc(strlen(body) + n * blen + 1);
	if (out == NULL)
		return NULL;
	for (w = out, p = body; *p;) {
		if (strncmp(p, "{{BASE}}", 8) == 0) {
			memcpy(w, s->base, blen);
			w += blen;
			p += 8;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	return out;
}

static void canned_add_headers(struct MHD_Response *resp, const char *headers)
{
	char line[512];
	const char *p = headers;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *colon;

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			colon = strchr(line, ':');
			if (colon) {
				*colon = '\0';
				MHD_add_response_header(resp, line, colon + 1 + (colon[1] == ' '));
			}
		}
		p = nl ? nl + 1 : p + n;
	}
}

static enum MHD_Result canned_handler(void *cls, struct MHD_Connection *con, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct canned_server *s = cls;
	struct canned_conn *cc = *con_cls;
	const struct canned_reply *reply = NULL;
	struct canned_request *rq;
	struct MHD_Response *resp;
	char *body;
	enum MHD_Result ret;
	int status = 500;

	(void)url;
	(void)version;
	if (cc == NULL)
		return MHD_NO;
	if (!cc->started) {
		cc->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (cc->len + *upload_data_size + 1 > cc->alloc) {
			size_t na = (cc->len + *upload_data_size + 1) * 2;
			char *nb = realloc(cc->body, na);

			if (nb == NULL)
				return MHD_NO;
			cc->body = nb;
			cc->alloc = na;
		}
		memcpy(cc->body + cc->len, upload_data, *upload_data_size);
		cc->len += *upload_data_size;
		cc->body[cc->len] = '\0';
		*upload_data_size = 0;
		return MHD_YES;
	}

	pthread_mutex_lock(&s->mu);
	if (s->nreqs < CANNED_MAX_REQUESTS) {
		rq = &s->reqs[s->nreqs++];
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		rq->uri = cc->uri;
		cc->uri = NULL;
		rq->q = canned_dup_header(con, MHD_GET_ARGUMENT_KIND, "q");
		rq->authorization = canned_dup_header(con, MHD_HEADER_KIND, "Authorization");
		rq->content_type = canned_dup_header(con, MHD_HEADER_KIND, "Content-Type");
		rq->accept_encoding = canned_dup_header(con, MHD_HEADER_KIND, "Accept-Encoding");
		rq->if_unmodified_since = canned_dup_header(con, MHD_HEADER_KIND,
							    "If-Unmodified-Since");
		rq->body = cc->body ? cc->body : calloc(1, 1);
		rq->body_len = cc->len;
		cc->body = NULL;
		if (s->served < s->nreplies) {
			reply = &s->replies[s->served++];
			if (strcmp(reply->method, method) != 0 ||
			    strncmp(rq->uri, reply->uri, strlen(reply->uri)) != 0) {
				s->mismatches++;
				snprintf(s->mismatch, sizeof(s->mismatch),
					 "request %zu: got %s %s, script expects %s %s", s->nreqs,
					 method, rq->uri, reply->method, reply->uri);
			}
		} else {
			s->mismatches++;
			snprintf(s->mismatch, sizeof(s->mismatch),
				 "request %zu (%s %s) is past the end of the script", s->nreqs,
				 method, rq->uri);
		}
	}
	pthread_mutex_unlock(&s->mu);

	if (reply && reply->delay_ms) {
		struct timespec ts = { reply->delay_ms / 1000,
				       (long)(reply->delay_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (reply && reply->status == 0) {
		/* Cut the connection under MHD so the client sees no reply at all (MHD
		 * itself would answer 500 to a request that had a body). */
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);

		if (ci)
			shutdown(ci->connect_fd, SHUT_RDWR);
		return MHD_NO;
	}
	body = canned_expand(s, reply && reply->body ? reply->body : "");
	if (body == NULL)
		return MHD_NO;
	if (reply)
		status = reply->status;
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if (reply && reply->body && (reply->body[0] == '{' || reply->body[0] == '['))
		MHD_add_response_header(resp, "Content-Type", "application/json;charset=UTF-8");
	if (reply)
		canned_add_headers(resp, reply->headers);
	ret = MHD_queue_response(con, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void canned_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			     enum MHD_RequestTerminationCode toe)
{
	struct canned_conn *cc = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (cc) {
		free(cc->uri);
		free(cc->body);
		free(cc);
	}
	*con_cls = NULL;
}

/* Starts s on 127.0.0.1 and an ephemeral port with the script replies (borrowed, n
 * entries). Returns 0, or -1 when the server cannot start. */
__attribute__((unused)) static int canned_start(struct canned_server *s,
						const struct canned_reply *replies, size_t n)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->replies = replies;
	s->nreplies = n;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	s->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
				     MHD_USE_INTERNAL_POLLING_THREAD,
				     0, NULL, NULL, canned_handler, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_URI_LOG_CALLBACK, canned_uri_log, s,
				     MHD_OPTION_NOTIFY_COMPLETED, canned_completed, s,
				     MHD_OPTION_END);
	if (s->daemon == NULL)
		return -1;
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL)
		return -1;
	s->port = info->port;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", (unsigned)s->port);
	return 0;
}

/* Stops the server and frees the recorded requests. */
__attribute__((unused)) static void canned_stop(struct canned_server *s)
{
	size_t i;

	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	for (i = 0; i < s->nreqs; i++) {
		free(s->reqs[i].uri);
		free(s->reqs[i].q);
		free(s->reqs[i].authorization);
		free(s->reqs[i].content_type);
		free(s->reqs[i].accept_encoding);
		free(s->reqs[i].if_unmodified_since);
		free(s->reqs[i].body);
	}
	pthread_mutex_destroy(&s->mu);
	memset(s, 0, sizeof(*s));
}

/* The value of form field key in an application/x-www-form-urlencoded body, decoded,
 * into out (size n); NULL when absent. */
__attribute__((unused)) static const char *canned_form_value(const char *body,
							     const char *key, char *out,
							     size_t n)
{
	size_t klen = strlen(key), w = 0;
	const char *p = body;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			while (*p && *p != '&' && w + 1 < n) {
				if (*p == '%' && p[1] && p[2]) {
					char hex[3] = { p[1], p[2], 0 };

					out[w++] = (char)strtol(hex, NULL, 16);
					p += 3;
				} else {
					out[w++] = *p == '+' ? ' ' : *p;
					p++;
				}
			}
			out[w] = '\0';
			return out;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return NULL;
}

#endif

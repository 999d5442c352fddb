/* sandbox: starts and stops the simulated org, routes requests, applies fault knobs and
 * serves the control endpoint. */
#include "sandbox/sandbox.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "sandbox/sandbox_int.h"
#include "sandbox/seed.h"
#include "sandbox/sfid.h"
#include "util/buf.h"
#include "util/isotime.h"
#include "util/log.h"

#define BODY_CAP (64u * 1024 * 1024)	/* ContentVersion uploads of 20+ MB fit */
#define MIN_VERSION 20
#define MAX_VERSION 68	/* Winter '27 */
#define UNLIMITED_QUOTA 5000000L

void sandbox_config_defaults(struct sandbox_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen_host = "127.0.0.1";
	c->port = 0;
	c->seed = 1;
	c->staff = 25;
	c->appointments = 500;
	c->consumer_key = "sandbox-consumer-key";
	c->consumer_secret = "sandbox-consumer-secret";
	c->page_size = 2000;
	c->app_name = "OCC";
	c->password = "sandbox-password";
	c->child_page_size = 200;
	c->quiet = 1;
}

int64_t sandbox__now(void)
{
	return isotime_now_ms();
}

int sandbox__drop_write(struct sandbox *sb)
{
	int drop = 0;

	pthread_mutex_lock(&sb->mu);
	if (sb->k.drop_after_writes > 0) {
		sb->k.drop_after_writes--;
		drop = 1;
	}
	pthread_mutex_unlock(&sb->mu);
	return drop;
}

int sandbox__take_patch_delay(struct sandbox *sb)
{
	int ms;

	pthread_mutex_lock(&sb->mu);
	ms = sb->k.delay_next_patch_ms;
	sb->k.delay_next_patch_ms = 0;
	pthread_mutex_unlock(&sb->mu);
	return ms;
}

int sandbox__bare_records(struct sandbox *sb)
{
	int bare;

	pthread_mutex_lock(&sb->mu);
	bare = sb->k.bare_records;
	pthread_mutex_unlock(&sb->mu);
	return bare;
}

static double chance(void)
{
	return (double)randombytes_uniform(1000000) / 1000000.0;
}

/* ---- Knobs ---- */

static int knob_int(json_t *v, long lo, long hi, long *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return -1;
	*out = (long)json_integer_value(v);
	return 0;
}

static int knob_rate(json_t *v, double *out)
{
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
		return -1;
	*out = json_number_value(v);
	return 0;
}

int sandbox_set_knobs(struct sandbox *s, json_t *knobs, struct err *e)
{
	struct sandbox_knobs k;
	const char *key;
	json_t *v;
	long calls = -1;

	if (!json_is_object(knobs))
		return err_set(e, ERR_INVALID, "Knobs must be a JSON object.");
	pthread_mutex_lock(&s->mu);
	k = s->k;
	json_object_foreach(knobs, key, v) {
		long n = 0;
		int rc = 0;

		if (strcmp(key, "fail_rate") == 0)
			rc = knob_rate(v, &k.fail_rate);
		else if (strcmp(key, "reset_rate") == 0)
			rc = knob_rate(v, &k.reset_rate);
		else if ((rc = knob_int(v, 0, 1L << 40, &n)) < 0)
			;
		else if (strcmp(key, "latency_ms") == 0 && n <= 600000)
			k.latency_ms = (int)n;
		else if (strcmp(key, "token_ttl_calls") == 0 && n <= 1 << 30)
			k.token_ttl_calls = (int)n;
		else if (strcmp(key, "api_quota") == 0)
			k.api_quota = n;
		else if (strcmp(key, "page_size") == 0 && n >= 1 && n <= 1 << 20)
			k.page_size = (int)n;
		else if (strcmp(key, "child_page_size") == 0 && n <= 1 << 20)
			k.child_page_size = (int)n;
		else if (strcmp(key, "rotate_refresh_tokens") == 0 && n <= 1)
			k.rotate_refresh_tokens = (int)n;
		else if (strcmp(key, "drop_after_writes") == 0 && n <= 1 << 20)
			k.drop_after_writes = (int)n;
		else if (strcmp(key, "locator_ttl_ms") == 0)
			k.locator_ttl_ms = n;
		else if (strcmp(key, "max_locators") == 0 && n <= 1 << 20)
			k.max_locators = (int)n;
		else if (strcmp(key, "auto_approve") == 0 && n <= 1)
			k.auto_approve = (int)n;
		else if (strcmp(key, "delay_next_patch_ms") == 0 && n <= 600000)
			k.delay_next_patch_ms = (int)n;
		else if (strcmp(key, "bare_records") == 0 && n <= 2)
			k.bare_records = (int)n;
		else if (strcmp(key, "api_calls") == 0)
			calls = n;
		else
			rc = -1;
		if (rc < 0) {
			pthread_mutex_unlock(&s->mu);
			return err_set(e, ERR_INVALID, "Knob '%s' is unknown or out of range.", key);
		}
	}
	s->k = k;
	if (calls >= 0)
		s->api_calls = calls;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

json_t *sandbox_knobs(struct sandbox *s)
{
	json_t *o;

	pthread_mutex_lock(&s->mu);
	o = json_pack("{s:i, s:f, s:f, s:i, s:I, s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:I, s:i, s:i}",
		      "latency_ms", s->k.latency_ms, "fail_rate", s->k.fail_rate,
		      "reset_rate", s->k.reset_rate, "token_ttl_calls", s->k.token_ttl_calls,
		      "api_quota", (json_int_t)s->k.api_quota, "page_size", s->k.page_size,
		      "child_page_size", s->k.child_page_size,
		      "rotate_refresh_tokens", s->k.rotate_refresh_tokens,
		      "drop_after_writes", s->k.drop_after_writes,
		      "locator_ttl_ms", (json_int_t)s->k.locator_ttl_ms,
		      "max_locators", s->k.max_locators, "auto_approve", s->k.auto_approve,
		      "api_calls", (json_int_t)s->api_calls,
		      "delay_next_patch_ms", s->k.delay_next_patch_ms,
		      "bare_records", s->k.bare_records);
	pthread_mutex_unlock(&s->mu);
	return o;
}

void sandbox_expire_tokens(struct sandbox *s)
{
	pthread_mutex_lock(&s->mu);
	json_object_clear(s->access);
	pthread_mutex_unlock(&s->mu);
}

void sandbox_expire_cursors(struct sandbox *s)
{
	pthread_mutex_lock(&s->mu);
	cursor_drop_all_locked(s);
	pthread_mutex_unlock(&s->mu);
}

long sandbox_api_calls(const struct sandbox *s)
{
	long n;

	pthread_mutex_lock((pthread_mutex_t *)&s->mu);
	n = s->api_calls;
	pthread_mutex_unlock((pthread_mutex_t *)&s->mu);
	return n;
}

const char *sandbox_url(const struct sandbox *s)
{
	return s->url;
}

char **sandbox_staff_emails(const struct sandbox *s, size_t *n)
{
	struct seed_opts o = { s->cfg.seed, s->cfg.staff, s->cfg.appointments, s->cfg.epoch_ms };

	return seed_staff_emails(&o, n);
}

void sandbox_emails_free(char **emails)
{
	seed_emails_free(emails);
}

/* ---- In-process record helpers ---- */

static int from_sferr(struct err *e, const struct sferr *se)
{
	return err_set(e, se->status == 404 ? ERR_NOT_FOUND : ERR_INVALID, "%s: %s", se->code,
		       se->msg);
}

int sandbox_record_create(struct sandbox *s, const char *type, json_t *fields,
			  char id_out[19], struct err *e)
{
	const struct objects_type *t = objects_type_find(type ? type : "");
	struct sferr se;
	int rc;

	if (t == NULL)
		return err_set(e, ERR_INVALID, "sObject type '%s' is not supported.",
			       type ? type : "");
	objects_wrlock(s->store);
	rc = objects_create(s->store, t, fields, NULL, 0, sandbox__now(), OBJECTS_SYSTEM,
			    id_out, &se);
	objects_unlock(s->store);
	return rc == 0 ? 0 : from_sferr(e, &se);
}

int sandbox_record_update(struct sandbox *s, const char *id, json_t *fields, struct err *e)
{
	const struct objects_type *t = objects_type_by_id(id ? id : "");
	json_t *copy = json_copy(fields);
	struct sferr se;
	int rc;

	if (t == NULL) {
		json_decref(copy);
		return err_set(e, ERR_NOT_FOUND, "No record has the Id '%s'.", id ? id : "");
	}
	objects_wrlock(s->store);
	rc = objects_update(s->store, t, id, copy, sandbox__now(), OBJECTS_SYSTEM, &se);
	objects_unlock(s->store);
	json_decref(copy);
	return rc == 0 ? 0 : from_sferr(e, &se);
}

int sandbox_record_delete(struct sandbox *s, const char *id, const char *modstamp,
			  struct err *e)
{
	int64_t ms = 0;
	struct sferr se;
	int rc;

	if (modstamp != NULL && isotime_parse_ms(modstamp, &ms) < 0)
		return err_set(e, ERR_INVALID, "The SystemModstamp '%s' is not a datetime.",
			       modstamp);
	objects_wrlock(s->store);
	rc = objects_delete(s->store, NULL, id ? id : "", sandbox__now(), ms, &se);
	objects_unlock(s->store);
	return rc == 0 ? 0 : from_sferr(e, &se);
}

json_t *sandbox_record_get(struct sandbox *s, const char *id)
{
	const struct objects_rec *r;
	json_t *rec = NULL;

	objects_rdlock(s->store);
	r = objects_get(s->store, id ? id : "", NULL);
	if (r != NULL)
		rec = objects_rec_json(r);
	objects_unlock(s->store);
	return rec;
}

/* ---- The control endpoint ---- */

static void control_error(struct reply *r, int status, const char *msg)
{
	answer_json(r, status, json_pack("{s:s}", "error", msg));
}

static void control_records(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	json_error_t je;
	json_t *in = json_loadb(q->body ? q->body : "", q->body_len, 0, &je);
	const char *op = json_string_value(json_object_get(in, "op"));
	const char *id = json_string_value(json_object_get(in, "id"));
	json_t *fields = json_object_get(in, "fields");
	struct err e;
	char newid[19];
	int rc = -1;

	err_clear(&e);
	if (op == NULL) {
		control_error(r, 400, "The body must be a JSON object with \"op\": \"create\", "
			      "\"update\" or \"delete\".");
	} else if (strcmp(op, "create") == 0) {
		rc = sandbox_record_create(sb, json_string_value(json_object_get(in, "type")),
					   fields ? fields : json_object_get(in, "record"), newid, &e);
		id = newid;
	} else if (strcmp(op, "update") == 0) {
		rc = sandbox_record_update(sb, id, fields, &e);
	} else if (strcmp(op, "delete") == 0) {
		rc = sandbox_record_delete(sb, id, json_string_value(json_object_get(in,
					   "SystemModstamp")), &e);
	} else {
		control_error(r, 400, "The op must be \"create\", \"update\" or \"delete\".");
	}
	if (op != NULL && r->body == NULL) {
		if (rc == 0)
			answer_json(r, 200, json_pack("{s:s, s:o}", "id", id,
						     "record", sandbox_record_get(sb, id)));
		else
			control_error(r, e.code == ERR_NOT_FOUND ? 404 : 400, e.msg);
	}
	json_decref(in);
}

static void control(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *p = q->path + strlen("/_control");
	int get = strcmp(q->method, "GET") == 0, post = strcmp(q->method, "POST") == 0;

	if (strcmp(p, "/stats") == 0 && get) {
		size_t n;
		const struct objects_type *const *types = objects_types(&n);
		json_t *counts = json_object(), *body;

		objects_rdlock(sb->store);
		for (size_t i = 0; i < n; i++)
			json_object_set_new(counts, types[i]->name,
					    json_integer((json_int_t)objects_count(sb->store, types[i])));
		objects_unlock(sb->store);
		pthread_mutex_lock(&sb->mu);
		body = json_pack("{s:I, s:o, s:I, s:I, s:I}", "api_calls", (json_int_t)sb->api_calls,
				 "records", counts, "open_cursors",
				 (json_int_t)cursor_count_locked(sb), "access_tokens",
				 (json_int_t)json_object_size(sb->access), "refresh_tokens",
				 (json_int_t)json_object_size(sb->refresh));
		pthread_mutex_unlock(&sb->mu);
		answer_json(r, 200, body);
	} else if (strcmp(p, "/knobs") == 0 && (get || post)) {
		if (post) {
			json_error_t je;
			json_t *in = json_loadb(q->body ? q->body : "", q->body_len, 0, &je);
			struct err e;

			if (sandbox_set_knobs(sb, in, &e) < 0) {
				json_decref(in);
				control_error(r, 400, e.msg);
				return;
			}
			json_decref(in);
		}
		answer_json(r, 200, sandbox_knobs(sb));
	} else if (strcmp(p, "/records") == 0 && post) {
		control_records(sb, q, r);
	} else if (strncmp(p, "/records/", 9) == 0 && get) {
		json_t *rec = sandbox_record_get(sb, p + 9);

		if (rec == NULL)
			control_error(r, 404, "No record has that Id.");
		else
			answer_json(r, 200, rec);
	} else if (strcmp(p, "/expire-tokens") == 0 && post) {
		sandbox_expire_tokens(sb);
		answer_json(r, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(p, "/expire-cursors") == 0 && post) {
		sandbox_expire_cursors(sb);
		answer_json(r, 200, json_pack("{s:b}", "ok", 1));
	} else if (strcmp(p, "/staff-emails") == 0 && get) {
		size_t n = 0;
		char **emails = sandbox_staff_emails(sb, &n);
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(emails[i]));
		sandbox_emails_free(emails);
		answer_json(r, 200, a);
	} else {
		control_error(r, 404, "No such control resource.");
	}
}

/* ---- Routing ---- */

static void versions(struct reply *r)
{
	static const char *const seasons[] = { "Winter", "Spring", "Summer" };
	json_t *a = json_array();

	for (int v = MIN_VERSION; v <= MAX_VERSION; v++) {
		int k = v - MIN_VERSION;

		json_t *o = json_object();

		json_object_set_new(o, "label", json_sprintf("%s '%02d", seasons[k % 3], 11 + k / 3));
		json_object_set_new(o, "url", json_sprintf("/services/data/v%d.0", v));
		json_object_set_new(o, "version", json_sprintf("%d.0", v));
		json_array_append_new(a, o);
	}
	answer_json(r, 200, a);
}

int sandbox__parse_version(const char *p, char version[8], const char **rest)
{
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (strncmp(end, ".0", 2) != 0 || v < MIN_VERSION || v > MAX_VERSION ||
	    (end[2] != '\0' && end[2] != '/'))
		return -1;
	snprintf(version, 8, "%ld.0", v);
	*rest = end + 2;
	return 0;
}

static void limit_header(struct sandbox *sb, struct reply *r)
{
	char v[64];

	pthread_mutex_lock(&sb->mu);
	snprintf(v, sizeof(v), "api-usage=%ld/%ld", sb->api_calls,
		 sb->k.api_quota > 0 ? sb->k.api_quota : UNLIMITED_QUOTA);
	pthread_mutex_unlock(&sb->mu);
	answer_header(r, "Sforce-Limit-Info", v);
}

/* A REST call: faults, authentication, quota, then the API itself. */
static void data_call(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *p = q->path + strlen("/services/data"), *rest;
	char version[8];
	struct sferr e;
	double fail, reset;
	int over;

	if (*p == '\0' || strcmp(p, "/") == 0) {
		versions(r);	/* the one resource that needs no session */
		return;
	}
	pthread_mutex_lock(&sb->mu);
	fail = sb->k.fail_rate;
	reset = sb->k.reset_rate;
	pthread_mutex_unlock(&sb->mu);
	if (reset > 0 && chance() < reset) {
		r->drop = 1;
		return;
	}
	if (fail > 0 && chance() < fail) {
		sferr_set(&e, 503, "SERVER_UNAVAILABLE",
			  "Server temporarily unavailable, please try again later.");
		answer_sferr(r, &e);
		return;
	}
	if (strncmp(p, "/v", 2) != 0 || sandbox__parse_version(p + 2, version, &rest) < 0) {
		sferr_set(&e, 404, "NOT_FOUND", "The requested resource does not exist");
		answer_sferr(r, &e);
		return;
	}
	if (oauth_check_bearer(sb, q) < 0) {
		sferr_set(&e, 401, "INVALID_SESSION_ID", "Session expired or invalid");
		answer_sferr(r, &e);
		answer_header(r, "WWW-Authenticate", "Token");
		return;
	}
	pthread_mutex_lock(&sb->mu);
	over = sb->k.api_quota > 0 && sb->api_calls >= sb->k.api_quota;
	if (!over)
		sb->api_calls++;
	pthread_mutex_unlock(&sb->mu);
	if (over) {
		sferr_set(&e, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
		answer_sferr(r, &e);
		return;
	}
	rest_route(sb, q, version, rest, r);
}

static void route(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	int latency;

	if (strncmp(q->path, "/_control/", 10) == 0 && sb->cfg.control) {
		control(sb, q, r);
		return;
	}
	pthread_mutex_lock(&sb->mu);
	latency = sb->k.latency_ms;
	pthread_mutex_unlock(&sb->mu);
	if (latency > 0 && (strncmp(q->path, "/services/", 10) == 0 ||
			    strncmp(q->path, "/id/", 4) == 0)) {
		struct timespec ts = { latency / 1000, (long)(latency % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (strcmp(q->path, "/services/data") == 0 || strncmp(q->path, "/services/data/", 15) == 0) {
		data_call(sb, q, r);
		limit_header(sb, r);
		return;
	}
	if (oauth_route(sb, q, r) || soap_route(sb, q, r))
		return;
	{
		struct sferr e;

		sferr_set(&e, 404, "NOT_FOUND", "The requested resource does not exist");
		answer_sferr(r, &e);
	}
}

/* ---- libmicrohttpd glue ---- */

struct conn_state {
	struct buf body;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct sandbox *sb = cls;
	struct conn_state *cs = *con_cls;
	struct answer_req q;
	struct reply r;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *key;
	json_t *v;

	(void)version;
	if (cs == NULL) {
		cs = calloc(1, sizeof(*cs));
		if (cs == NULL)
			return MHD_NO;
		buf_init(&cs->body, BODY_CAP);
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		buf_append(&cs->body, upload_data, *upload_size);	/* too big: noted */
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	q = (struct answer_req){ conn, method, url, cs->body.data ? cs->body.data : "",
				cs->body.len };
	if (buf_too_big(&cs->body)) {
		struct sferr e;

		sferr_set(&e, 413, "REQUEST_ENTITY_TOO_LARGE", "The request body is too large.");
		answer_sferr(&r, &e);
	} else {
		route(sb, &q, &r);
	}
	if (!sb->cfg.quiet)
		log_info("sandbox_request", "method=%s path=%s status=%d%s", method, url, r.status,
			 r.drop ? " dropped=1" : "");
	if (r.drop) {
		/* Fault injection: close the connection without a word. */
		answer_free(&r);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(r.len, r.body ? r.body : (char *)"",
					       r.body ? MHD_RESPMEM_MUST_FREE :
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		answer_free(&r);
		return MHD_NO;
	}
	r.body = NULL;	/* the response owns it now */
	if (r.ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.ctype);
	json_object_foreach(r.headers, key, v)
		MHD_add_response_header(resp, key, json_string_value(v));
	ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	answer_free(&r);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls; (void)conn; (void)toe;
	if (cs == NULL)
		return;
	buf_free(&cs->body);
	free(cs);
	*con_cls = NULL;
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void sandbox_free(struct sandbox *s)
{
	if (s == NULL)
		return;
	cursor_drop_all_locked(s);	/* their rows pin the store */
	objects_free(s->store);
	json_decref(s->access);
	json_decref(s->refresh);
	json_decref(s->codes);
	json_decref(s->pending);
	for (size_t i = 0; i < s->cfg.ncallback_urls; i++)
		free(s->callbacks[i]);
	free(s->callbacks);
	free(s->listen_host);
	free(s->consumer_key);
	free(s->consumer_secret);
	free(s->app_name);
	free(s->password);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static int copy_config(struct sandbox *s, const struct sandbox_config *c, struct err *e)
{
	s->cfg = *c;
	s->listen_host = dupstr(c->listen_host ? c->listen_host : "127.0.0.1");
	s->consumer_key = dupstr(c->consumer_key ? c->consumer_key : "sandbox-consumer-key");
	s->consumer_secret = dupstr(c->consumer_secret ? c->consumer_secret :
				    "sandbox-consumer-secret");
	s->app_name = dupstr(c->app_name ? c->app_name : "OCC");
	s->password = dupstr(c->password ? c->password : "sandbox-password");
	s->callbacks = calloc(c->ncallback_urls + 1, sizeof(*s->callbacks));
	if (!s->listen_host || !s->consumer_key || !s->consumer_secret || !s->app_name ||
	    !s->password || !s->callbacks)
		return err_set(e, ERR_INTERNAL, "Out of memory while starting the sandbox.");
	s->cfg.ncallback_urls = 0;
	for (size_t i = 0; i < c->ncallback_urls; i++) {
		s->callbacks[i] = dupstr(c->callback_urls[i]);
		if (s->callbacks[i] == NULL)
			return err_set(e, ERR_INTERNAL, "Out of memory while starting the sandbox.");
		s->cfg.ncallback_urls++;
	}
	s->cfg.listen_host = s->listen_host;
	s->cfg.consumer_key = s->consumer_key;
	s->cfg.consumer_secret = s->consumer_secret;
	s->cfg.app_name = s->app_name;
	s->cfg.password = s->password;
	s->cfg.callback_urls = (const char **)s->callbacks;
	s->k = (struct sandbox_knobs){
		c->latency_ms, c->fail_rate, c->reset_rate, c->token_ttl_calls, c->api_quota,
		c->page_size > 0 ? c->page_size : 2000, c->child_page_size,
		c->rotate_refresh_tokens, 0, 15 * 60 * 1000, 10, c->auto_approve, 0, 0,
	};
	return 0;
}

static int check_config(const struct sandbox_config *c, struct err *e)
{
	if (c->port < 0 || c->port > 65535)
		return err_set(e, ERR_INVALID, "The port must be between 0 and 65535.");
	if (c->staff < 0 || c->appointments < 0)
		return err_set(e, ERR_INVALID, "Staff and appointment counts must not be negative.");
	if (c->fail_rate < 0 || c->fail_rate > 1 || c->reset_rate < 0 || c->reset_rate > 1)
		return err_set(e, ERR_INVALID, "Failure and reset rates must be between 0 and 1.");
	if (c->latency_ms < 0 || c->token_ttl_calls < 0 || c->api_quota < 0 || c->page_size < 0)
		return err_set(e, ERR_INVALID, "Latency, token lifetime, quota and page size must "
			       "not be negative.");
	if (c->consumer_key && *c->consumer_key == '\0')
		return err_set(e, ERR_INVALID, "The consumer key must not be empty.");
	return 0;
}

static int seed_org(struct sandbox *s, struct err *e)
{
	struct seed_opts o = { s->cfg.seed, s->cfg.staff, s->cfg.appointments, s->cfg.epoch_ms };
	const struct objects_type *ut = objects_type_find("User");

	objects_wrlock(s->store);
	if (seed_generate(s->store, &o, e) < 0) {
		objects_unlock(s->store);
		return -1;
	}
	snprintf(s->user_id, sizeof(s->user_id), "%s", objects_rec_id(objects_at(s->store, ut, 0)));
	objects_unlock(s->store);
	sfid_make(s->org_id, "00D", 1);
	return 0;
}

/*
 * Binds the listening socket first and writes the sandbox's URL, then starts the
 * server on that socket: the URL is settled before any server thread can read it.
 */
static int listen_on(struct sandbox *s, struct err *e)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	unsigned bport = 0;
	char port[8];
	int rc, fd, one = 1;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", s->cfg.port);
	rc = getaddrinfo(s->listen_host, port, &hints, &ai);
	if (rc != 0 || ai == NULL)
		return err_set(e, ERR_INVALID, "The listen host '%s' cannot be resolved: %s.",
			       s->listen_host, gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &blen) < 0) {
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return err_set(e, ERR_IO, "The sandbox cannot listen on %s:%d (in use or not "
			       "permitted).", s->listen_host, s->cfg.port);
	}
	bport = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						  : ((struct sockaddr_in *)&bound)->sin_port);
	{
		const char *h = s->listen_host;
		int v6 = strchr(h, ':') != NULL;

		if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0) {
			h = "127.0.0.1";
			v6 = 0;
		}
		snprintf(s->url, sizeof(s->url), "http://%s%s%s:%u", v6 ? "[" : "", h,
			 v6 ? "]" : "", bport);
	}
	s->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_POLL | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, answer, s,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (s->mhd == NULL) {
		close(fd);
		return err_set(e, ERR_IO, "The sandbox cannot serve on %s:%u.", s->listen_host,
			       bport);
	}
	return 0;
}

struct sandbox *sandbox_start(const struct sandbox_config *c, struct err *e)
{
	struct sandbox *s;

	if (check_config(c, e) < 0)
		return NULL;
	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "libsodium could not be initialised.");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_set(e, ERR_INTERNAL, "Out of memory while starting the sandbox.");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->store = objects_new();
	s->access = json_object();
	s->refresh = json_object();
	s->codes = json_object();
	s->pending = json_object();
	if (!s->store || !s->access || !s->refresh || !s->codes || !s->pending) {
		err_set(e, ERR_INTERNAL, "Out of memory while starting the sandbox.");
		goto fail;
	}
	if (copy_config(s, c, e) < 0 || seed_org(s, e) < 0 || listen_on(s, e) < 0)
		goto fail;
	return s;

fail:
	sandbox_free(s);
	return NULL;
}

void sandbox_stop(struct sandbox *s)
{
	if (s == NULL)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	sandbox_free(s);
}

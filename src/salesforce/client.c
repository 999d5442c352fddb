/* client: the HTTP exchange with Salesforce: TLS policy, bearer, refresh, retries. */
#include "salesforce/client_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "salesforce/oauth.h"
#include "util/log.h"

#define USER_AGENT "i360bridge/0.1"

int sf_global_init(struct err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "libcurl could not be initialized.");
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium could not be initialized.");
	return 0;
}

static void default_sleep(void *arg, long ms)
{
	struct timespec ts;

	(void)arg;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

int sf__set_secret(char **slot, const char *value)
{
	char *copy = NULL;

	if (value && (copy = strdup(value)) == NULL)
		return -1;
	if (*slot) {
		sodium_memzero(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = copy;
	return 0;
}

static int is_loopback(const char *host)
{
	struct in_addr a4;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

/* Whether host is named in I360BRIDGE_ALLOW_HTTP (comma-separated host names, case
 * ignored): hosts an operator lets be reached over plain http, as a test rig's
 * Salesforce simulator on another machine. */
static int http_allowed_by_operator(const char *host)
{
	const char *list = getenv("I360BRIDGE_ALLOW_HTTP");
	size_t n = strlen(host);

	while (list && *list) {
		size_t span = strcspn(list, ","), lead = strspn(list, " "), len = span;

		while (len > lead && list[len - 1] == ' ')
			len--;
		if (len > lead && len - lead == n && strncasecmp(list + lead, host, n) == 0)
			return 1;
		list += span + (list[span] == ',');
	}
	return 0;
}

int sf_client_url_allowed(const char *url, struct err *e)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (url == NULL || *url == '\0')
		return err_set(e, ERR_INVALID, "A Salesforce URL is missing.");
	if ((u = curl_url()) == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		err_set(e, ERR_INVALID, "The Salesforce URL is not a valid URL.");
		goto out;
	}
	if (strcmp(scheme, "https") == 0)
		rc = 0;
	else if (strcmp(scheme, "http") == 0 && (is_loopback(host) ||
						   http_allowed_by_operator(host)))
		rc = 0;
	else if (strcmp(scheme, "http") == 0)
		err_set(e, ERR_INVALID, "Plain http is refused for %s: Salesforce must be reached "
			"over https (http is allowed only for loopback hosts, and for hosts an "
			"operator lists in I360BRIDGE_ALLOW_HTTP).", host);
	else
		err_set(e, ERR_INVALID, "The Salesforce URL must start with https://.");
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* A copy of url without trailing slashes, or NULL. */
static char *strip_slash(const char *url)
{
	char *s = strdup(url);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* "v" then digits, a dot and digits, like "v62.0". */
static int version_valid(const char *v)
{
	const char *p = v;

	if (*p++ != 'v' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

struct sf_client *sf_client_new(const struct sf_client_config *cfg, struct err *e)
{
	struct sf_client *c;
	const char *login = cfg->login_url ? cfg->login_url : "https://login.salesforce.com";
	const char *version = cfg->api_version ? cfg->api_version : SF_API_VERSION_DEFAULT;

	if (sf_client_url_allowed(login, e) < 0)
		return NULL;
	if (!version_valid(version)) {
		err_set(e, ERR_INVALID, "The Salesforce API version must look like v62.0.");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	if ((c->curl = curl_easy_init()) == NULL || (c->login_url = strip_slash(login)) == NULL ||
	    (c->api_version = strdup(version)) == NULL ||
	    sf__set_secret(&c->consumer_key, cfg->consumer_key) < 0 ||
	    sf__set_secret(&c->consumer_secret, cfg->consumer_secret) < 0)
		goto oom;
	c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 120000;
	c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 4;
	c->backoff_base_ms = cfg->backoff_base_ms > 0 ? cfg->backoff_base_ms : 500;
	c->backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : 30000;
	c->retry_after_max_ms = cfg->retry_after_max_ms > 0 ? cfg->retry_after_max_ms : 300000;
	c->body_cap = cfg->body_cap > 0 ? cfg->body_cap : SF_BODY_CAP_DEFAULT;
	c->sleep = cfg->sleep ? cfg->sleep : default_sleep;
	c->sleep_arg = cfg->sleep_arg;
	c->on_tokens = cfg->on_tokens;
	c->tokens_arg = cfg->tokens_arg;
	return c;
oom:
	sf_client_free(c);
	err_set(e, ERR_INTERNAL, "Out of memory.");
	return NULL;
}

void sf_client_free(struct sf_client *c)
{
	if (c == NULL)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	sf__set_secret(&c->access_token, NULL);
	sf__set_secret(&c->refresh_token, NULL);
	sf__set_secret(&c->consumer_secret, NULL);
	free(c->consumer_key);
	free(c->login_url);
	free(c->api_version);
	free(c->instance_url);
	buf_free(&c->body);
	free(c);
}

int sf_client_set_tokens(struct sf_client *c, const char *instance_url,
			 const char *access_token, const char *refresh_token, struct err *e)
{
	char *inst;

	if (access_token == NULL || *access_token == '\0')
		return err_set(e, ERR_INVALID, "The Salesforce access token is missing.");
	if (sf_client_url_allowed(instance_url, e) < 0)
		return err_prefix(e, "The instance URL is refused");
	if ((inst = strip_slash(instance_url)) == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	if (sf__set_secret(&c->access_token, access_token) < 0 ||
	    (refresh_token && sf__set_secret(&c->refresh_token, refresh_token) < 0)) {
		free(inst);
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	}
	free(c->instance_url);
	c->instance_url = inst;
	c->reauth = 0;
	return 0;
}

const char *sf_client_instance_url(const struct sf_client *c)
{
	return c->instance_url;
}

const char *sf_client_api_version(const struct sf_client *c)
{
	return c->api_version;
}

unsigned long sf_client_api_calls(const struct sf_client *c)
{
	return c->api_calls;
}

const struct sf_limits *sf_client_limits(const struct sf_client *c)
{
	return &c->limits;
}

const struct sf_error *sf_client_last_error(const struct sf_client *c)
{
	return &c->last_error;
}

void sf_client_sleep(struct sf_client *c, long ms)
{
	if (ms > 0)
		c->sleep(c->sleep_arg, ms);
}

size_t sf_client_query_url_len(const struct sf_client *c)
{
	return (c->instance_url ? strlen(c->instance_url) : 0) + strlen("/services/data/") +
	       strlen(c->api_version) + strlen("/queryAll?q=");
}

int sf__data_path(const struct sf_client *c, struct buf *out, struct err *e)
{
	if (buf_printf(out, "/services/data/%s", c->api_version) < 0)
		return err_set(e, ERR_TOO_LARGE, "The request URL is too long.");
	return 0;
}

int sf__append_escaped(struct buf *out, const char *s, struct err *e)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int rc;

		/* ASCII ranges, not isalnum(): a locale must not change the encoding, which
		 * sf_soql_encoded_len counts the same way. */
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			rc = buf_append(out, s, 1);
		} else {
			char enc[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rc = buf_append(out, enc, 3);
		}
		if (rc < 0)
			return err_set(e, ERR_TOO_LARGE, "The request URL is too long.");
	}
	return 0;
}

const char *sf__json_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void sf__no_remote_error(struct sf_client *c)
{
	sf_error_clear(&c->last_error);
}

int sf__protocol_error(struct sf_client *c, const char *what, struct err *e)
{
	sf_error_set(&c->last_error, SF_ERROR_PROTOCOL, 0,
		     "Salesforce's answer to %s was not understood", what);
	return err_set(e, ERR_REMOTE, "Salesforce's answer to %s was not understood.", what);
}

void sf__resp_free(struct sf__resp *resp)
{
	json_decref(resp->json);
	resp->json = NULL;
	resp->status = 0;
}

/* What one attempt learns from the response headers. */
struct attempt {
	struct sf_client *c;
	struct buf *body;
	long retry_after_ms;	/* -1 when the answer had none */
	int64_t date_ms;	/* the Date header; -1 when the answer had none */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;

	if (buf_append(a->body, p, size * n) < 0)
		return 0;	/* libcurl then fails the transfer with CURLE_WRITE_ERROR */
	return size * n;
}

/* Retry-After is seconds or an HTTP date. */
static long parse_retry_after(const char *v)
{
	char *end;
	long s;
	time_t t;

	if (*v >= '0' && *v <= '9') {
		s = strtol(v, &end, 10);
		if (*end == '\0' && s >= 0 && s < 86400 * 7)
			return s * 1000;
		return -1;
	}
	t = curl_getdate(v, NULL);
	if (t < 0)
		return -1;
	t -= time(NULL);
	return t > 0 ? (long)t * 1000 : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n, klen;
	char value[256];
	const char *colon = memchr(p, ':', len);
	size_t vlen;
	const char *v;

	if (colon == NULL)
		return len;
	klen = (size_t)(colon - p);
	v = colon + 1;
	vlen = len - klen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= sizeof(value))
		return len;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	if (klen == strlen("Sforce-Limit-Info") && strncasecmp(p, "Sforce-Limit-Info", klen) == 0)
		sf_limits_parse(value, &a->c->limits);
	else if (klen == strlen("Retry-After") && strncasecmp(p, "Retry-After", klen) == 0)
		a->retry_after_ms = parse_retry_after(value);
	else if (klen == strlen("Date") && strncasecmp(p, "Date", klen) == 0) {
		time_t t = curl_getdate(value, NULL);

		a->date_ms = t < 0 ? -1 : (int64_t)t * 1000;
	}
	return len;
}

/* Whether a failed transfer may be repeated, and whether it may have reached the
 * server (ambiguous): a refused connection never did. */
static void classify_curl(CURLcode rc, int *retryable, int *ambiguous)
{
	*retryable = 0;
	*ambiguous = 1;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		*retryable = 1;
		*ambiguous = 0;
		break;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		*retryable = 1;
		break;
	default:
		break;
	}
}

static struct curl_slist *build_headers(const struct sf_client *c, const struct sf__req *r,
					int *failed)
{
	struct curl_slist *h = NULL, *t;
	struct buf line;

	*failed = 0;
	buf_init(&line, 0);
	if ((t = curl_slist_append(h, "Accept: application/json")) == NULL)
		goto fail;
	h = t;
	if (r->content_type && !r->mime) {
		if (buf_printf(&line, "Content-Type: %s", r->content_type) < 0 ||
		    (t = curl_slist_append(h, line.data)) == NULL)
			goto fail;
		h = t;
	}
	if (r->header) {
		if ((t = curl_slist_append(h, r->header)) == NULL)
			goto fail;
		h = t;
	}
	if (!r->no_auth) {
		buf_reset(&line);
		if (buf_printf(&line, "Authorization: Bearer %s", c->access_token) < 0 ||
		    (t = curl_slist_append(h, line.data)) == NULL)
			goto fail;
		h = t;
	}
	if (line.data)
		sodium_memzero(line.data, line.alloc);
	buf_free(&line);
	return h;
fail:
	if (line.data)
		sodium_memzero(line.data, line.alloc);
	buf_free(&line);
	curl_slist_free_all(h);
	*failed = 1;
	return NULL;
}

/* Wipes the bearer header from the list before it is freed. */
static void free_headers(struct curl_slist *h)
{
	struct curl_slist *p;

	for (p = h; p; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/*
 * One attempt. Returns 0 for a 2xx answer (resp filled), else -1 with se describing the
 * failure and *ambiguous saying whether the request may have been carried out.
 */
static int perform(struct sf_client *c, const struct sf__req *r, const char *url,
		   struct sf__resp *resp, long *retry_after_ms, struct sf_error *se,
		   int *ambiguous)
{
	struct attempt a = { c, &c->body, -1, -1 };
	struct curl_slist *headers;
	curl_mime *mime = NULL;
	CURL *h = c->curl;
	char errbuf[CURL_ERROR_SIZE];
	const char *method = r->method ? r->method : "GET";
	CURLcode rc;
	int failed, retryable, rv = -1;

	*ambiguous = 0;
	*retry_after_ms = -1;
	buf_reset(&c->body);
	c->body.cap = c->body_cap;
	headers = build_headers(c, r, &failed);
	if (failed) {
		sf_error_set(se, SF_ERROR_PROTOCOL, 0, "out of memory");
		return -1;
	}
	/* curl_easy_reset keeps the connection cache, so connections are still reused. */
	curl_easy_reset(h);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	if (r->mime) {
		if ((mime = r->mime(h, r->mime_arg)) == NULL) {
			free_headers(headers);
			sf_error_set(se, SF_ERROR_PROTOCOL, 0, "the upload could not be prepared");
			return -1;
		}
		/* A large upload may take longer than any fixed total: give up only when
		 * it stalls below 1 KB/s for 60 s. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
		curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	} else {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
		if (r->body) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		}
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	/* Pages of records run to megabytes: read them in large pieces, not 16 KB ones
	 * (a system call each, twice with the poll before it). */
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

	rc = curl_easy_perform(h);
	if (log_enabled(LOG_DEBUG)) {
		/* The path only: a query string holds SOQL, and no header or body is ever
		 * logged (tokens travel in them). */
		const char *path = strstr(url, "://");
		long status = 0;
		double secs = 0;

		path = path ? strchr(path + 3, '/') : NULL;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &secs);
		log_debug("sf.request", "method=%s path=%.*s status=%ld ms=%.0f curl=%d", method,
			  path ? (int)strcspn(path, "?") : 1, path ? path : "/", status, secs * 1000,
			  (int)rc);
	}
	/* Detach everything that points into this frame before returning. */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(mime);
	free_headers(headers);
	*retry_after_ms = a.retry_after_ms;
	resp->date_ms = a.date_ms;

	if (rc == CURLE_WRITE_ERROR && buf_too_big(&c->body)) {
		sf_error_set(se, SF_ERROR_PROTOCOL, 0, "the answer is larger than %zu bytes",
			     c->body_cap);
		goto out;
	}
	if (rc != CURLE_OK) {
		classify_curl(rc, &retryable, ambiguous);
		sf_error_set(se, SF_ERROR_NETWORK, 0, "%s",
			     errbuf[0] ? errbuf : curl_easy_strerror(rc));
		se->retryable = retryable;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!r->not_counted)
		c->api_calls++;
	if (resp->status >= 200 && resp->status < 300) {
		if (c->body.len > 0)
			resp->json = json_loadb(c->body.data, c->body.len, 0, NULL);
		rv = 0;
		goto out;
	}
	sf_error_from_response(se, resp->status, c->body.data, c->body.len);
	/* A 500 or 504 may come after the work was done; a 503 or an errorCode such as
	 * UNABLE_TO_LOCK_ROW says nothing was. */
	*ambiguous = (resp->status == 500 || resp->status == 504) && se->code[0] == '\0';
out:
	/* The OAuth endpoints answer with tokens: their bytes do not stay behind. */
	if (r->no_auth && c->body.data)
		sodium_memzero(c->body.data, c->body.len);
	return rv;
}

static int idempotent(const struct sf__req *r)
{
	return r->method == NULL || strcmp(r->method, "POST") != 0;
}

/* The delay before retry number n (1-based): exponential, capped, with jitter drawn
 * from the upper half so that clients started together spread out. */
static long backoff_ms(const struct sf_client *c, int n)
{
	long d = c->backoff_base_ms;
	int i;

	for (i = 1; i < n && d < c->backoff_max_ms; i++)
		d *= 2;
	if (d > c->backoff_max_ms)
		d = c->backoff_max_ms;
	return d / 2 + (long)randombytes_uniform((uint32_t)(d / 2) + 1);
}

static int build_url(const struct sf_client *c, const char *target, struct buf *url,
		     struct err *e)
{
	if (target[0] == '/') {
		if (c->instance_url == NULL)
			return err_set(e, ERR_AUTH, "The integration is not connected to "
				       "Salesforce yet.");
		if (buf_puts(url, c->instance_url) < 0)
			return err_set(e, ERR_TOO_LARGE, "The request URL is too long.");
	}
	if (buf_puts(url, target) < 0)
		return err_set(e, ERR_TOO_LARGE, "The request URL is too long.");
	return sf_client_url_allowed(url->data, e);
}

int sf__do(struct sf_client *c, const struct sf__req *r, struct sf__resp *resp,
	   struct err *e)
{
	struct buf url;
	struct sf_error se;
	int attempt = 0, refreshed = 0, ambiguous;
	long retry_after = -1, delay;

	memset(resp, 0, sizeof(*resp));
	sf__no_remote_error(c);
	buf_init(&url, 0);
	if (c->reauth && !r->no_auth) {
		/* No retry storm: after invalid_grant nothing is sent until an admin
		 * authorizes again and new tokens are set. */
		sf_error_set(&c->last_error, SF_ERROR_REAUTH, 0, "the refresh token was refused "
			     "before");
		sf_error_to_err(&c->last_error, e);
		goto fail;
	}
	if (!r->no_auth && c->access_token == NULL) {
		err_set(e, ERR_AUTH, "The integration is not connected to Salesforce yet.");
		goto fail;
	}
	if (build_url(c, r->url, &url, e) < 0)
		goto fail;
	for (;;) {
		attempt++;
		if (perform(c, r, url.data, resp, &retry_after, &se, &ambiguous) == 0)
			break;
		if (se.kind == SF_ERROR_SESSION && !r->no_auth && !refreshed &&
		    c->refresh_token != NULL) {
			/* Expiry shows up only as INVALID_SESSION_ID: renew once and repeat.
			 * A refresh failure (e.g. invalid_grant) ends the request here. */
			refreshed = 1;
			attempt--;
			if (sf_oauth_refresh(c, e) < 0) {
				log_warn("sf_refresh_failed", "kind=%s code=%s status=%ld",
					 sf_error_kind_name(c->last_error.kind),
					 c->last_error.code[0] ? c->last_error.code : "-",
					 c->last_error.status);
				goto fail;	/* c->last_error and e are set */
			}
			log_info("sf_session_refreshed", "api_calls=%lu", c->api_calls);
			continue;
		}
		if (!se.retryable || (ambiguous && !idempotent(r)) || attempt >= c->max_attempts)
			goto fail_remote;
		delay = backoff_ms(c, attempt);
		if (retry_after >= 0) {
			if (retry_after > c->retry_after_max_ms)
				goto fail_remote;
			delay = retry_after;
		}
		log_warn("sf_retry", "kind=%s code=%s status=%ld attempt=%d delay_ms=%ld",
			 sf_error_kind_name(se.kind), se.code[0] ? se.code : "-", se.status,
			 attempt, delay);
		c->sleep(c->sleep_arg, delay);
	}
	buf_free(&url);
	return 0;
fail_remote:
	c->last_error = se;
	sf_error_to_err(&se, e);
	goto fail;
fail:
	sf__resp_free(resp);
	buf_free(&url);
	return -1;
}

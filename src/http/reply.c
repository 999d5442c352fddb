/* reply: the answers handlers give — JSON, one-sentence errors, HTML pages, redirects. */
#include "http/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"

#define CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; " \
	    "object-src 'none'"

void reply_secure_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* Queues resp (taking it over) with the common headers. */
static enum MHD_Result queue(struct request *r, unsigned status, struct MHD_Response *resp,
			    int cache_max_age)
{
	enum MHD_Result rc;
	char cc[64];

	if (resp == NULL)
		return MHD_NO;
	reply_secure_headers(resp);
	if (cache_max_age > 0)
		snprintf(cc, sizeof(cc), "private, max-age=%d", cache_max_age);
	else
		snprintf(cc, sizeof(cc), "no-store");
	MHD_add_response_header(resp, "Cache-Control", cc);
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	r->status = (int)status;
	rc = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

enum MHD_Result reply_bytes(struct request *r, unsigned status, const char *content_type,
			    const void *data, size_t n, int cache_max_age)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", content_type);
	return queue(r, status, resp, cache_max_age);
}

enum MHD_Result reply_json(struct request *r, unsigned status, json_t *body)
{
	enum MHD_Result rc;
	char *text;

	if (body == NULL)
		return reply_error(r, 500, "the service ran out of memory");
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return reply_error(r, 500, "the service ran out of memory");
	rc = reply_bytes(r, status, "application/json", text, strlen(text), 0);
	free(text);
	return rc;
}

enum MHD_Result reply_error(struct request *r, unsigned status, const char *fmt, ...)
{
	static const char oom[] = "{\"error\":\"the service ran out of memory\"}";
	char msg[ERR_MSG_MAX];
	json_t *body;
	char *text;
	enum MHD_Result rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	body = json_pack("{s:s}", "error", msg);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL)
		return reply_bytes(r, 500, "application/json", oom, sizeof(oom) - 1, 0);
	rc = reply_bytes(r, status, "application/json", text, strlen(text), 0);
	free(text);
	return rc;
}

unsigned reply_status_of(enum err_code code)
{
	switch (code) {
	case ERR_INVALID:
		return 400;
	case ERR_NOT_FOUND:
		return 404;
	case ERR_CONFLICT:
		return 409;
	case ERR_TOO_LARGE:
		return 413;
	case ERR_AUTH:
	case ERR_REMOTE:
		return 502;
	default:
		return 500;
	}
}

enum MHD_Result reply_err(struct request *r, const struct err *e)
{
	unsigned status = reply_status_of(e->code);
	char q[ERR_MSG_MAX + 8];

	if (status >= 500)
		log_warn("http.failed", "path=%s code=%s msg=%s", r->path, err_code_name(e->code),
			 log_quote(q, sizeof(q), e->msg));
	return reply_error(r, status, "%s", e->msg[0] ? e->msg : "the request failed");
}

int reply_html_escape(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if ((rep ? buf_puts(b, rep) : buf_append(b, s, 1)) < 0)
			return -1;
	}
	return 0;
}

enum MHD_Result reply_page(struct request *r, unsigned status, const char *title,
			   const char *message, const char *link_href, const char *link_text)
{
	enum MHD_Result rc;
	struct buf b;
	int bad = 0;

	buf_init(&b, 0);
	bad |= buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<title>");
	bad |= reply_html_escape(&b, title);
	bad |= buf_puts(&b, " · i360bridge</title><link rel=\"stylesheet\" href=\"/ui/app.css\">"
			"</head>\n<body class=\"page\"><main class=\"card notice\" role=\"main\">"
			"<h1>");
	bad |= reply_html_escape(&b, title);
	bad |= buf_puts(&b, "</h1>\n<p id=\"message\">");
	bad |= reply_html_escape(&b, message);
	bad |= buf_puts(&b, "</p>\n");
	if (link_href) {
		bad |= buf_puts(&b, "<p><a class=\"button primary\" href=\"");
		bad |= reply_html_escape(&b, link_href);
		bad |= buf_puts(&b, "\">");
		bad |= reply_html_escape(&b, link_text ? link_text : link_href);
		bad |= buf_puts(&b, "</a></p>\n");
	}
	bad |= buf_puts(&b, "</main></body></html>\n");
	if (bad) {
		buf_free(&b);
		return reply_error(r, 500, "the service ran out of memory");
	}
	rc = reply_bytes(r, status, "text/html; charset=utf-8", b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

enum MHD_Result reply_redirect(struct request *r, const char *location)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", location);
	return queue(r, 302, resp, 0);
}

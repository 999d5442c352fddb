/* answer: requests and answers of the sandbox's handlers. */
#include "sandbox/answer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

const char *answer_arg(const struct answer_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *answer_header_in(const struct answer_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes n bytes of p ('+' and %XX) into a new JSON string. */
static json_t *form_decode(const char *p, size_t n)
{
	struct buf b;
	json_t *out;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < n && hex((unsigned char)p[i + 1]) >= 0 &&
			   hex((unsigned char)p[i + 2]) >= 0) {
			c = (char)(hex((unsigned char)p[i + 1]) * 16 + hex((unsigned char)p[i + 2]));
			i += 2;
		}
		buf_append(&b, &c, 1);
	}
	out = json_stringn_nocheck(b.data, b.len);
	buf_free(&b);
	return out;
}

json_t *answer_form(const char *text, size_t len)
{
	json_t *out = json_object();
	size_t i = 0;

	while (out != NULL && i < len) {
		size_t end = i, eq;
		json_t *k, *v;

		while (end < len && text[end] != '&')
			end++;
		for (eq = i; eq < end && text[eq] != '='; eq++)
			;
		if (end > i) {
			k = form_decode(text + i, eq - i);
			v = eq < end ? form_decode(text + eq + 1, end - eq - 1) : json_string("");
			if (k && json_string_value(k))
				json_object_set(out, json_string_value(k), v);
			json_decref(k);
			json_decref(v);
		}
		i = end + 1;
	}
	return out;
}

char *answer_urlencode(const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			buf_append(&b, s, 1);
		} else {
			char e[3] = { '%', hexd[c >> 4], hexd[c & 15] };

			buf_append(&b, e, 3);
		}
	}
	return buf_detach(&b, NULL);
}

void answer_free(struct reply *r)
{
	free(r->body);
	json_decref(r->headers);
	r->body = NULL;
	r->headers = NULL;
	r->len = 0;
}

void answer_bytes(struct reply *r, int status, const char *ctype, const void *p, size_t n)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = malloc(n + 1);
	r->len = r->body ? n : 0;
	if (r->body) {
		memcpy(r->body, p, n);
		r->body[n] = '\0';
	}
}

void answer_text(struct reply *r, int status, const char *ctype, const char *text)
{
	answer_bytes(r, status, ctype, text, strlen(text));
}

void answer_json(struct reply *r, int status, json_t *body)
{
	char *txt = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(body);
	free(r->body);
	r->status = txt ? status : 500;
	r->ctype = "application/json;charset=UTF-8";
	r->body = txt ? txt : strdup("[{\"message\":\"Out of memory.\",\"errorCode\":\"UNKNOWN_EXCEPTION\"}]");
	r->len = r->body ? strlen(r->body) : 0;
}

void answer_take(struct reply *r, int status, const char *ctype, struct buf *b)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = buf_detach(b, &r->len);
	if (r->body == NULL)
		r->len = 0;
}

void answer_sferr(struct reply *r, const struct sferr *e)
{
	answer_json(r, e->status ? e->status : 500, sferr_body(e));
}

void answer_header(struct reply *r, const char *name, const char *value)
{
	if (r->headers == NULL)
		r->headers = json_object();
	json_object_set_new(r->headers, name, json_string(value));
}

void answer_escape(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_append(b, s, 1);
		}
	}
}

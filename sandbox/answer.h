/* answer: the request a sandbox handler reads and the answer it fills, over libmicrohttpd. */
#ifndef I360_SANDBOX_ANSWER_H
#define I360_SANDBOX_ANSWER_H

#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sandbox/sferr.h"
#include "util/buf.h"

/* One request, fully read. Everything is borrowed from libmicrohttpd and the caller. */
struct answer_req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *body;	/* NUL-terminated; body_len bytes */
	size_t body_len;
};

/* One answer. body is owned; headers holds extra header name -> value strings. */
struct reply {
	int status;
	char *body;
	size_t len;
	const char *ctype;	/* a literal */
	json_t *headers;
	int drop;		/* close the connection without answering */
};

/* The query-string argument name, or NULL. */
const char *answer_arg(const struct answer_req *q, const char *name);

/* The request header name, or NULL. */
const char *answer_header_in(const struct answer_req *q, const char *name);

/*
 * Parses an application/x-www-form-urlencoded text ('+' is a space, %XX decoded) into a
 * JSON object of strings (the last of repeated names wins). New reference, never NULL
 * unless out of memory.
 */
json_t *answer_form(const char *text, size_t len);

/* Percent-encodes s for a URL query value into a new heap string. */
char *answer_urlencode(const char *s);

/* Sets the answer to status and body (stolen) serialized compactly, as
 * application/json;charset=UTF-8. */
void answer_json(struct reply *r, int status, json_t *body);

/* Sets the answer to status and the contents of b (taken: b is left empty). */
void answer_take(struct reply *r, int status, const char *ctype, struct buf *b);

/* Sets the answer to e's status and Salesforce error body. */
void answer_sferr(struct reply *r, const struct sferr *e);

/* Sets the answer to a copy of text. */
void answer_text(struct reply *r, int status, const char *ctype, const char *text);

/* Sets the answer to a copy of n bytes. */
void answer_bytes(struct reply *r, int status, const char *ctype, const void *p, size_t n);

/* Adds a header to the answer (both strings copied). */
void answer_header(struct reply *r, const char *name, const char *value);

/* Appends s (NULL: nothing) to b with &, <, >, " and ' escaped, for HTML and XML text
 * and attribute values. */
void answer_escape(struct buf *b, const char *s);

/* Frees the answer's contents; the struct may be reused. */
void answer_free(struct reply *r);

#endif

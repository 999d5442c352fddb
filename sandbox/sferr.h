/* sferr: a Salesforce-shaped error (HTTP status, errorCode, message, fields) for the sandbox. */
#ifndef I360_SANDBOX_SFERR_H
#define I360_SANDBOX_SFERR_H

#include <jansson.h>

/*
 * The sandbox answers failures the way Salesforce does: an HTTP status and a body
 * `[{"message":"...","errorCode":"...","fields":[...]}]`. Functions that can fail for a
 * reason a Salesforce client must see fill a caller-owned struct sferr and return -1
 * (or NULL). code points at a string literal. field is empty or the one field at fault.
 */
struct sferr {
	int status;		/* HTTP status, e.g. 400 */
	const char *code;	/* errorCode, e.g. "MALFORMED_QUERY" (a literal) */
	char msg[1024];
	char field[128];
};

/* Clears e (status 0, empty code and message). */
void sferr_clear(struct sferr *e);

/* Sets e and returns -1. A NULL e is allowed and discards the error. */
int sferr_set(struct sferr *e, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sets e->field (the field named in the "fields" list) and returns -1. */
int sferr_field(struct sferr *e, const char *field);

/* The REST error body for e: `[{"message","errorCode","fields"?}]`. New reference. */
json_t *sferr_body(const struct sferr *e);

/* One entry of a composite answer's "errors": `{"statusCode","message","fields"}`.
 * New reference. */
json_t *sferr_composite(const struct sferr *e);

#endif

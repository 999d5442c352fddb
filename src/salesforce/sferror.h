/* sferror: one Salesforce failure as a value (status, errorCode, message, fields, retryable). */
#ifndef I360_SALESFORCE_SFERROR_H
#define I360_SALESFORCE_SFERROR_H

#include <stddef.h>

#include "util/err.h"

/*
 * Naming in this layer: every exported name is "sf_" followed by its file's stem
 * (sferror.c exports sf_error_*, soql.c sf_soql_*, client.c sf_client_*); cross-file
 * internals use "sf__".
 */

/*
 * What the caller can do about a failure. The kind is decided from the errorCode first
 * and the HTTP status second; SF_ERROR__MAX ends the list and sf_error_kind_name()
 * gives the stable name of each.
 */
enum sf_error_kind {
	SF_ERROR_NONE = 0,
	SF_ERROR_REMOTE,	/* Salesforce refused the request; its message says why */
	SF_ERROR_TRANSIENT,	/* 5xx, SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW: try later */
	SF_ERROR_NETWORK,	/* no usable answer: timeout, reset, refused connection */
	SF_ERROR_SESSION,	/* INVALID_SESSION_ID that a refresh could not cure */
	SF_ERROR_REAUTH,	/* the refresh token was refused (invalid_grant): an admin
				   must authorize again; retrying cannot help */
	SF_ERROR_LIMIT,		/* REQUEST_LIMIT_EXCEEDED: the org's daily API allowance */
	SF_ERROR_QUERY_LOCATOR,	/* INVALID_QUERY_LOCATOR: the query cursor expired */
	SF_ERROR_NOT_FOUND,	/* 404 / NOT_FOUND / ENTITY_IS_DELETED */
	SF_ERROR_PROTOCOL,	/* an answer that is not what Salesforce sends */
	SF_ERROR_PRECONDITION,	/* 412: a conditional request's precondition (e.g.
				   If-Unmodified-Since) was false, so nothing was done;
				   the same request would fail again, a fresh one may not */
	SF_ERROR__MAX
};

#define SF_ERROR_CODE_MAX 64
#define SF_ERROR_MSG_MAX 384
#define SF_ERROR_FIELDS_MAX 256

/*
 * A Salesforce failure. Plain data, no heap: copy it freely. Strings are cut to fit and
 * always NUL-terminated; empty when Salesforce sent none. Never holds a token.
 */
struct sf_error {
	enum sf_error_kind kind;
	long status;				/* HTTP status; 0 when no answer came */
	char code[SF_ERROR_CODE_MAX];		/* errorCode, statusCode or OAuth "error" */
	char message[SF_ERROR_MSG_MAX];		/* message or error_description */
	char fields[SF_ERROR_FIELDS_MAX];	/* the "fields" array joined with ", " */
	int retryable;				/* whether trying again later can help */
};

/* Empties err (kind SF_ERROR_NONE). */
void sf_error_clear(struct sf_error *err);

/*
 * Fills err from a failed answer: status and the body Salesforce sent (body may be NULL
 * or not JSON). Understood shapes: the REST array [{"message","errorCode","fields"}]
 * (the first element is kept; more are counted in the message), the OAuth object
 * {"error","error_description"}, and a single {"statusCode","message","fields"} or
 * {"errorCode","message"} object, and the form "error=X&error_description=Y" that
 * /services/oauth2/revoke answers. Anything else keeps the status with a generic message.
 * Sets kind and retryable from the code and status.
 */
void sf_error_from_response(struct sf_error *err, long status, const char *body, size_t len);

/*
 * Fills err from one per-record entry of an sObject Collections or create result's
 * "errors" array: {"statusCode","message","fields"} (json is a borrowed json_t *, typed
 * void * here so this header needs no jansson). status is the HTTP status of the call.
 */
void sf_error_from_record(struct sf_error *err, long status, const void *json);

/* Fills err for a failure with no Salesforce answer (kind and a message of our own). */
void sf_error_set(struct sf_error *err, enum sf_error_kind kind, long status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Classifies an errorCode (may be "" or NULL) with an HTTP status into a kind. */
enum sf_error_kind sf_error_classify(const char *code, long status);

/* Whether a failure of kind with code may succeed when tried again. */
int sf_error_kind_retryable(enum sf_error_kind kind);

/*
 * Writes err into e as one sentence, "Salesforce refused the request (CODE, HTTP N):
 * MESSAGE", with ERR_AUTH for SESSION and REAUTH, ERR_NOT_FOUND for NOT_FOUND, ERR_IO
 * for NETWORK, ERR_CONFLICT for PRECONDITION and ERR_REMOTE for the rest. Returns -1 for `return sf_error_to_err(...)`.
 */
int sf_error_to_err(const struct sf_error *err, struct err *e);

/* The stable lower-case name of a kind ("remote", "reauth", ...). */
const char *sf_error_kind_name(enum sf_error_kind kind);

#endif

/* err: the error context every fallible function of the product fills in. */
#ifndef I360_UTIL_ERR_H
#define I360_UTIL_ERR_H

#include <stdarg.h>

/*
 * What kind of failure an error is. The kind decides exit codes and HTTP statuses
 * further up; the message says what happened, in one sentence, with no secret in it.
 * ERR__MAX ends the list; err_code_name() gives the stable name of each.
 */
enum err_code {
	ERR_NONE = 0,
	ERR_INVALID,	/* bad input from a user, a flag or a request body */
	ERR_NOT_FOUND,	/* the thing asked for does not exist (or is another org's) */
	ERR_CONFLICT,	/* a uniqueness rule or a state rule refused the change */
	ERR_TOO_LARGE,	/* an input over its size limit */
	ERR_AUTH,	/* a credential was missing, wrong or expired */
	ERR_CRYPTO,	/* a secret could not be sealed or opened (e.g. wrong master key) */
	ERR_DB,		/* the store failed */
	ERR_IO,		/* a file or socket failed */
	ERR_REMOTE,	/* Salesforce (or another peer) answered with a failure */
	ERR_INTERNAL,	/* a bug or an allocation failure */
	ERR__MAX
};

#define ERR_MSG_MAX 512

/*
 * An error context is owned by the caller and passed down by pointer; a function that
 * fails sets it and returns -1 (or NULL). Passing NULL is allowed and discards the error.
 */
struct err {
	enum err_code code;
	char msg[ERR_MSG_MAX];
};

/* Empties e (code ERR_NONE, empty message). */
void err_clear(struct err *e);

/* Sets e to code and a printf-formatted message; returns -1 so callers can
 * `return err_set(e, ...)`. A message longer than ERR_MSG_MAX is cut. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_setv(struct err *e, enum err_code code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Puts "PREFIX: " in front of e's message, keeping its code; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stable lower-case name of a code ("invalid", "not_found", ...). */
const char *err_code_name(enum err_code code);

#endif

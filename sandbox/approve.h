/* approve: what a browser does on an authorize page that answers by itself
 * (--auto-approve), for tests, benchmarks and tools driving the OAuth flow. */
#ifndef I360_SANDBOX_APPROVE_H
#define I360_SANDBOX_APPROVE_H

#include "util/err.h"

/*
 * GETs authorize_url without following redirects and reads the redirect back to the
 * app: the values of its code, state and error query parameters, decoded, into
 * malloc'd strings (NULL when absent; the caller frees them).
 * Returns 0, or -1 with ERR_IO when the page did not answer with a redirect (a page
 * that waits for a person to click Allow, say).
 */
int approve_follow(const char *authorize_url, char **code, char **state, char **error,
		   struct err *e);

#endif

/* route: the table of every endpoint and the matching of a request to one. */
#ifndef I360_HTTP_ROUTE_H
#define I360_HTTP_ROUTE_H

#include <stddef.h>

#include "http/request.h"

enum route_auth {
	ROUTE_PUBLIC,	/* anyone */
	ROUTE_ORG,	/* a bearer token or a UI session; the org it names is r->org_id */
	ROUTE__AUTH_MAX
};

enum route_body {
	ROUTE_BODY_NONE,	/* a body is read and ignored, up to the JSON limit */
	ROUTE_BODY_JSON,	/* up to ROUTE_JSON_MAX bytes, kept in r->body */
	ROUTE_BODY_UPLOAD,	/* multipart/form-data with a "file" part, spooled to disk */
	ROUTE__BODY_MAX
};

/* The largest JSON body accepted (413 above it). */
#define ROUTE_JSON_MAX ((size_t)64 * 1024)

/*
 * One endpoint. pattern is a path whose segments are literal or ":name" (one
 * segment, any text); the pattern is also the route's name in the metrics.
 */
struct route {
	const char *method;
	const char *pattern;
	enum route_auth auth;
	enum route_body body;
	request_handler_fn *fn;
};

/* Every endpoint, ending with a zeroed entry. */
extern const struct route route_table[];

/* The route the UI pages and assets answer from when no other matched a GET. */
extern const struct route route_not_found;

/*
 * Finds the route for method and path. path is split into scratch (n bytes; a path
 * too long for it matches nothing) and params[] point into scratch. Returns the route,
 * or NULL: then *path_known tells whether some route had the path with another method
 * (405 rather than 404).
 */
const struct route *route_find(const char *method, const char *path, char *scratch, size_t n,
			       const char *params[REQUEST_MAX_PARAMS], int *path_known);

#endif

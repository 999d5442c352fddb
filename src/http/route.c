/* route: the table of every endpoint and the matching of a request to one. */
#include "http/route.h"

#include <string.h>

#include "http/api.h"

#define I360 "/api/integrations/improveit360"

const struct route route_table[] = {
	{ "GET", "/healthz", ROUTE_PUBLIC, ROUTE_BODY_NONE, ops_healthz },
	{ "GET", "/metrics", ROUTE_PUBLIC, ROUTE_BODY_NONE, ops_metrics },
	{ "GET", "/api/openapi.json", ROUTE_PUBLIC, ROUTE_BODY_NONE, ops_openapi },
	{ "GET", "/auth/improveit360/callback", ROUTE_PUBLIC, ROUTE_BODY_NONE,
	  callback_improveit360 },
	{ "GET", "/ui/session", ROUTE_PUBLIC, ROUTE_BODY_NONE, ui_session_get },
	{ "POST", "/ui/session", ROUTE_PUBLIC, ROUTE_BODY_JSON, ui_session_post },
	{ "DELETE", "/ui/session", ROUTE_PUBLIC, ROUTE_BODY_NONE, ui_session_delete },

	{ "POST", I360 "/authorize", ROUTE_ORG, ROUTE_BODY_JSON, api_integration_authorize },
	{ "GET", I360, ROUTE_ORG, ROUTE_BODY_NONE, api_integration_get },
	{ "DELETE", I360, ROUTE_ORG, ROUTE_BODY_NONE, api_integration_delete },
	{ "PUT", I360 "/settings", ROUTE_ORG, ROUTE_BODY_JSON, api_integration_settings },
	{ "POST", I360 "/sync", ROUTE_ORG, ROUTE_BODY_NONE, api_integration_sync },
	{ "GET", I360 "/sync-runs", ROUTE_ORG, ROUTE_BODY_NONE, api_integration_runs },
	{ "GET", I360 "/sync-runs/:id", ROUTE_ORG, ROUTE_BODY_NONE, api_integration_run },
	{ "GET", I360 "/users", ROUTE_ORG, ROUTE_BODY_NONE, api_integration_staff },
	{ "PUT", I360 "/users/:crm_id", ROUTE_ORG, ROUTE_BODY_JSON, api_integration_staff_put },
	{ "GET", I360 "/result-reasons", ROUTE_ORG, ROUTE_BODY_NONE, api_integration_reasons },

	{ "GET", "/api/users", ROUTE_ORG, ROUTE_BODY_NONE, api_users_list },
	{ "POST", "/api/users", ROUTE_ORG, ROUTE_BODY_JSON, api_users_add },
	{ "GET", "/api/jobs", ROUTE_ORG, ROUTE_BODY_NONE, api_jobs_list },
	{ "GET", "/api/jobs/:id", ROUTE_ORG, ROUTE_BODY_NONE, api_jobs_get },
	{ "PUT", "/api/jobs/:id/stage", ROUTE_ORG, ROUTE_BODY_JSON, api_jobs_stage },
	{ "GET", "/api/jobs/:id/documents", ROUTE_ORG, ROUTE_BODY_NONE, api_jobs_documents },
	{ "POST", "/api/jobs/:id/documents", ROUTE_ORG, ROUTE_BODY_UPLOAD, api_jobs_upload },
	{ NULL, NULL, ROUTE_PUBLIC, ROUTE_BODY_NONE, NULL },
};

const struct route route_not_found = { "GET", "/ui", ROUTE_PUBLIC, ROUTE_BODY_NONE, ui_asset };

/* Splits path into scratch at '/': the segments, at most max, or -1. */
static int split(const char *path, char *scratch, size_t n, char **seg, int max)
{
	size_t len = strlen(path);
	int count = 0;
	char *p;

	if (len + 1 > n || path[0] != '/')
		return -1;
	memcpy(scratch, path, len + 1);
	p = scratch + 1;
	if (*p == '\0')
		return 0;
	for (;;) {
		char *slash = strchr(p, '/');

		if (count == max)
			return -1;
		seg[count++] = p;
		if (slash == NULL)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	return count;
}

/* Whether pattern matches the segments, filling params. */
static int match(const char *pattern, char **seg, int nseg, const char **params)
{
	int i = 0, np = 0;
	const char *p = pattern + 1;

	while (*p && i < nseg) {
		size_t len = strcspn(p, "/");

		if (p[0] == ':') {
			if (seg[i][0] == '\0' || np == REQUEST_MAX_PARAMS)
				return 0;
			params[np++] = seg[i];
		} else if (strlen(seg[i]) != len || strncmp(p, seg[i], len) != 0) {
			return 0;
		}
		i++;
		p += len;
		if (*p == '/')
			p++;
	}
	return *p == '\0' && i == nseg;
}

const struct route *route_find(const char *method, const char *path, char *scratch, size_t n,
			       const char *params[REQUEST_MAX_PARAMS], int *path_known)
{
	char *seg[16];
	int nseg = split(path, scratch, n, seg, 16);

	*path_known = 0;
	if (nseg < 0)
		return NULL;
	for (const struct route *r = route_table; r->method; r++) {
		const char *p[REQUEST_MAX_PARAMS] = { NULL, NULL, NULL };

		if (!match(r->pattern, seg, nseg, p))
			continue;
		if (strcmp(r->method, method) != 0) {
			*path_known = 1;
			continue;
		}
		memcpy(params, p, sizeof(p));
		return r;
	}
	return NULL;
}

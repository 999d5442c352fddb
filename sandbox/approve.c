/* approve: following an authorize page that answers by itself to the app's redirect. */
#include "sandbox/approve.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* The decoded value of query parameter name in url (malloc'd), or NULL. */
static char *query_param(const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	size_t n = strlen(name);

	while (q) {
		q++;
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			const char *v = q + n + 1;
			int outlen;
			char *d = curl_easy_unescape(NULL, v, (int)strcspn(v, "&#"), &outlen);
			char *r = d ? strdup(d) : NULL;

			curl_free(d);
			return r;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

int approve_follow(const char *authorize_url, char **code, char **state, char **error,
		   struct err *e)
{
	CURL *c = curl_easy_init();
	char *loc = NULL;
	long status = 0;
	int rc = -1;

	*code = *state = *error = NULL;
	if (c == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	curl_easy_setopt(c, CURLOPT_URL, authorize_url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) != CURLE_OK) {
		err_set(e, ERR_IO, "the authorize page did not answer");
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
	if (status < 300 || status > 399 || loc == NULL) {
		err_set(e, ERR_IO, "the authorize page answered HTTP %ld, not a redirect", status);
		goto out;
	}
	*code = query_param(loc, "code");
	*state = query_param(loc, "state");
	*error = query_param(loc, "error");
	rc = 0;
out:
	curl_easy_cleanup(c);
	return rc;
}

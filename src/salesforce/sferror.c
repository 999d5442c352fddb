/* sferror: parsing Salesforce's error bodies into one error value. */
#include "salesforce/sferror.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const sf_error_kind_names[SF_ERROR__MAX] = {
	[SF_ERROR_NONE] = "none",
	[SF_ERROR_REMOTE] = "remote",
	[SF_ERROR_TRANSIENT] = "transient",
	[SF_ERROR_NETWORK] = "network",
	[SF_ERROR_SESSION] = "session",
	[SF_ERROR_REAUTH] = "reauth",
	[SF_ERROR_LIMIT] = "limit",
	[SF_ERROR_QUERY_LOCATOR] = "query_locator",
	[SF_ERROR_NOT_FOUND] = "not_found",
	[SF_ERROR_PROTOCOL] = "protocol",
	[SF_ERROR_PRECONDITION] = "precondition",
};

const char *sf_error_kind_name(enum sf_error_kind kind)
{
	if ((int)kind < 0 || kind >= SF_ERROR__MAX)
		return "unknown";
	return sf_error_kind_names[kind];
}

void sf_error_clear(struct sf_error *err)
{
	memset(err, 0, sizeof(*err));
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Salesforce's codes that say "nothing was done, the same request may work later". */
static const char *const transient_codes[] = {
	"SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG",
	"QUERY_TIMEOUT", "API_CURRENTLY_DISABLED_TEMPORARILY",
};

enum sf_error_kind sf_error_classify(const char *code, long status)
{
	size_t i;

	if (code == NULL)
		code = "";
	/* The code decides before the status: REQUEST_LIMIT_EXCEEDED must never be
	 * taken for a retryable 5xx, whatever status carries it. */
	if (strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0)
		return SF_ERROR_LIMIT;
	if (strcmp(code, "INVALID_SESSION_ID") == 0)
		return SF_ERROR_SESSION;
	if (strcmp(code, "INVALID_QUERY_LOCATOR") == 0)
		return SF_ERROR_QUERY_LOCATOR;
	if (strcmp(code, "NOT_FOUND") == 0 || strcmp(code, "ENTITY_IS_DELETED") == 0)
		return SF_ERROR_NOT_FOUND;
	for (i = 0; i < sizeof(transient_codes) / sizeof(transient_codes[0]); i++)
		if (strcmp(code, transient_codes[i]) == 0)
			return SF_ERROR_TRANSIENT;
	if (status >= 500)
		return SF_ERROR_TRANSIENT;
	/* The status, not the errorCode: Salesforce documents 412 for every failed
	 * precondition of sObject Rows, whatever the body says. */
	if (status == 412)
		return SF_ERROR_PRECONDITION;
	if (status == 404)
		return SF_ERROR_NOT_FOUND;
	if (status == 401 && code[0] == '\0')
		return SF_ERROR_SESSION;
	return SF_ERROR_REMOTE;
}

int sf_error_kind_retryable(enum sf_error_kind kind)
{
	return kind == SF_ERROR_TRANSIENT || kind == SF_ERROR_NETWORK;
}

static void join_fields(char *dst, size_t n, json_t *fields)
{
	size_t i, used = 0;
	json_t *f;

	dst[0] = '\0';
	if (!json_is_array(fields))
		return;
	json_array_foreach(fields, i, f) {
		int w;

		if (!json_is_string(f))
			continue;
		w = snprintf(dst + used, n - used, "%s%s", used ? ", " : "", json_string_value(f));
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

static const char *jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Fills err from one error object of any of Salesforce's shapes; 0 when understood. */
static int from_object(struct sf_error *err, json_t *o)
{
	const char *code, *msg;

	if (!json_is_object(o))
		return -1;
	code = jstr(o, "errorCode");
	if (code == NULL)
		code = jstr(o, "statusCode");
	msg = jstr(o, "message");
	if (code == NULL && msg == NULL) {
		code = jstr(o, "error");		/* the OAuth shape */
		msg = jstr(o, "error_description");
	}
	if (code == NULL && msg == NULL)
		return -1;
	copy_str(err->code, sizeof(err->code), code);
	copy_str(err->message, sizeof(err->message), msg);
	join_fields(err->fields, sizeof(err->fields), json_object_get(o, "fields"));
	return 0;
}

/* Fills err from a form-encoded OAuth error, "error=X&error_description=Y", the shape
 * of /services/oauth2/revoke's answers; 0 when understood. */
static int from_form(struct sf_error *err, const char *body, size_t len)
{
	char text[1024];
	json_t *o = json_object();
	int rc;

	if (len >= sizeof(text) || memchr(body, '\0', len) != NULL || o == NULL) {
		json_decref(o);
		return -1;
	}
	memcpy(text, body, len);
	text[len] = '\0';
	for (char *pair = text, *next; pair != NULL && *pair; pair = next) {
		char *eq, *value;
		int n = 0;

		next = strchr(pair, '&');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(pair, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		for (char *c = eq + 1; *c; c++)
			if (*c == '+')
				*c = ' ';
		value = curl_easy_unescape(NULL, eq + 1, 0, &n);
		if (value != NULL)
			json_object_set_new(o, pair, json_stringn(value, (size_t)n));
		curl_free(value);
	}
	rc = json_object_get(o, "error") ? from_object(err, o) : -1;
	json_decref(o);
	return rc;
}

static void finish(struct sf_error *err)
{
	err->kind = sf_error_classify(err->code, err->status);
	err->retryable = sf_error_kind_retryable(err->kind);
}

void sf_error_from_response(struct sf_error *err, long status, const char *body, size_t len)
{
	json_t *root = NULL;
	int understood = -1;

	sf_error_clear(err);
	err->status = status;
	if (body != NULL && len > 0)
		root = json_loadb(body, len, 0, NULL);
	if (json_is_array(root) && json_array_size(root) > 0) {
		understood = from_object(err, json_array_get(root, 0));
		if (understood == 0 && json_array_size(root) > 1) {
			size_t n = strlen(err->message);

			snprintf(err->message + n, sizeof(err->message) - n, " (and %zu more errors)",
				 json_array_size(root) - 1);
		}
	} else if (json_is_object(root)) {
		understood = from_object(err, root);
	} else if (root == NULL && body != NULL && len > 0) {
		understood = from_form(err, body, len);
	}
	if (understood != 0)
		snprintf(err->message, sizeof(err->message), "unexpected answer with HTTP status %ld",
			 status);
	json_decref(root);
	finish(err);
}

void sf_error_from_record(struct sf_error *err, long status, const void *json)
{
	sf_error_clear(err);
	err->status = status;
	if (from_object(err, (json_t *)json) != 0)
		copy_str(err->message, sizeof(err->message), "the record was not saved");
	finish(err);
}

void sf_error_set(struct sf_error *err, enum sf_error_kind kind, long status,
		  const char *fmt, ...)
{
	va_list ap;

	sf_error_clear(err);
	err->kind = kind;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->retryable = sf_error_kind_retryable(kind);
}

int sf_error_to_err(const struct sf_error *err, struct err *e)
{
	enum err_code code;
	char where[SF_ERROR_CODE_MAX + 32];

	switch (err->kind) {
	case SF_ERROR_SESSION:
	case SF_ERROR_REAUTH:
		code = ERR_AUTH;
		break;
	case SF_ERROR_NOT_FOUND:
		code = ERR_NOT_FOUND;
		break;
	case SF_ERROR_NETWORK:
		code = ERR_IO;
		break;
	case SF_ERROR_PRECONDITION:
		code = ERR_CONFLICT;
		break;
	default:
		code = ERR_REMOTE;
		break;
	}
	if (err->kind == SF_ERROR_NETWORK)
		return err_set(e, code, "Could not reach Salesforce: %s", err->message);
	if (err->code[0] && err->status)
		snprintf(where, sizeof(where), " (%s, HTTP %ld)", err->code, err->status);
	else if (err->code[0])
		snprintf(where, sizeof(where), " (%s)", err->code);
	else if (err->status)
		snprintf(where, sizeof(where), " (HTTP %ld)", err->status);
	else
		where[0] = '\0';
	if (err->kind == SF_ERROR_REAUTH)
		return err_set(e, code, "Salesforce refused the refresh token%s, so an admin must "
			       "authorize the integration again: %s", where, err->message);
	if (err->fields[0])
		return err_set(e, code, "Salesforce refused the request%s: %s (fields: %s)", where,
			       err->message, err->fields);
	return err_set(e, code, "Salesforce refused the request%s: %s", where, err->message);
}

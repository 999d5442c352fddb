/* request: access to the query string and headers of the request in hand. */
#include "http/request.h"

const char *request_query(const struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *request_header(const struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int request_json(const struct request *r, json_t **out, struct err *e)
{
	json_error_t je;
	json_t *j;

	*out = NULL;
	if (r->body == NULL || r->body_len == 0)
		return err_set(e, ERR_INVALID, "the request needs a JSON object as its body");
	j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return err_set(e, ERR_INVALID, "the body is not valid JSON (line %d: %s)", je.line,
			       je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(e, ERR_INVALID, "the body must be a JSON object");
	}
	*out = j;
	return 0;
}

int request_opt_string(json_t *body, const char *key, const char **out)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

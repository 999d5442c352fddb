/* sobject: describe and record writes through the REST API. */
#include "salesforce/sobject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salesforce/client_int.h"
#include "util/isotime.h"

int sf_sobject_name_valid(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0' || strlen(name) > 80)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static int check_name(struct sf_client *c, const char *sobject, struct err *e)
{
	sf__no_remote_error(c);
	if (!sf_sobject_name_valid(sobject))
		return err_set(e, ERR_INVALID, "The object name is not a Salesforce API name.");
	return 0;
}

/* Builds "/services/data/vNN.0/sobjects/OBJ" plus an optional "/SUFFIX". */
static int object_path(struct sf_client *c, struct buf *url, const char *sobject,
		       const char *suffix, struct err *e)
{
	if (sf__data_path(c, url, e) < 0)
		return -1;
	if (buf_printf(url, "/sobjects/%s%s%s", sobject, suffix ? "/" : "",
		       suffix ? suffix : "") < 0)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	return 0;
}

/* Sends j as the JSON body of method to url, with one more header when header is not
 * NULL; resp as sf__do leaves it. */
static int send_json(struct sf_client *c, const char *method, const char *url, json_t *j,
		     const char *header, struct sf__resp *resp, struct err *e)
{
	struct sf__req r = { 0 };
	char *body = json_dumps(j, JSON_COMPACT);
	int rc;

	if (body == NULL)
		return err_set(e, ERR_INVALID, "The record could not be written as JSON.");
	r.method = method;
	r.url = url;
	r.content_type = "application/json";
	r.body = body;
	r.body_len = strlen(body);
	r.header = header;
	rc = sf__do(c, &r, resp, e);
	free(body);
	return rc;
}

int sf_sobject_describe(struct sf_client *c, const char *sobject, json_t **out,
			struct err *e)
{
	struct buf url;
	struct sf__req r = { 0 };
	struct sf__resp resp;
	int rc = -1;

	*out = NULL;
	if (check_name(c, sobject, e) < 0)
		return -1;
	buf_init(&url, 0);
	if (object_path(c, &url, sobject, "describe", e) < 0)
		goto out;
	r.url = url.data;
	if (sf__do(c, &r, &resp, e) < 0)
		goto out;
	if (!json_is_object(resp.json) || !json_is_array(json_object_get(resp.json, "fields"))) {
		sf__protocol_error(c, "a describe", e);
	} else {
		*out = resp.json;
		resp.json = NULL;
		rc = 0;
	}
	sf__resp_free(&resp);
out:
	buf_free(&url);
	return rc;
}

/* PATCH of fields to record id, with header (NULL: none). */
static int update(struct sf_client *c, const char *sobject, const char *id, json_t *fields,
		  const char *header, struct err *e)
{
	struct buf url;
	struct sf__resp resp;
	int rc = -1;

	if (check_name(c, sobject, e) < 0)
		return -1;
	if (!sf_id_valid(id))
		return err_set(e, ERR_INVALID, "The record Id is not a valid Salesforce Id.");
	if (!json_is_object(fields))
		return err_set(e, ERR_INVALID, "The fields to update must be a JSON object.");
	buf_init(&url, 0);
	if (object_path(c, &url, sobject, id, e) < 0 ||
	    send_json(c, "PATCH", url.data, fields, header, &resp, e) < 0)
		goto out;
	sf__resp_free(&resp);
	rc = 0;
out:
	buf_free(&url);
	return rc;
}

int sf_sobject_update(struct sf_client *c, const char *sobject, const char *id,
		      json_t *fields, struct err *e)
{
	return update(c, sobject, id, fields, NULL, e);
}

int sf_sobject_update_unmodified_since(struct sf_client *c, const char *sobject,
				       const char *id, json_t *fields, int64_t since_ms,
				       struct err *e)
{
	char date[ISOTIME_HTTP_LEN], header[ISOTIME_HTTP_LEN + 32];

	/* An HTTP-date has whole seconds: cutting the fraction moves the precondition
	 * earlier, never later, so no write after since_ms can pass it. */
	snprintf(header, sizeof(header), "If-Unmodified-Since: %s",
		 isotime_format_http(date, since_ms));
	return update(c, sobject, id, fields, header, e);
}

int sf_sobject_last_modified(struct sf_client *c, const char *sobject, const char *id,
			     int64_t *last_modified_ms, int64_t *server_ms, struct err *e)
{
	struct buf url;
	struct sf__req r = { 0 };
	struct sf__resp resp;
	int rc = -1;

	*last_modified_ms = *server_ms = -1;
	if (check_name(c, sobject, e) < 0)
		return -1;
	if (!sf_id_valid(id))
		return err_set(e, ERR_INVALID, "The record Id is not a valid Salesforce Id.");
	buf_init(&url, 0);
	if (object_path(c, &url, sobject, id, e) < 0)
		goto out;
	if (buf_puts(&url, "?fields=LastModifiedDate") < 0) {
		err_set(e, ERR_TOO_LARGE, "The request URL is too long.");
		goto out;
	}
	r.url = url.data;
	if (sf__do(c, &r, &resp, e) < 0)
		goto out;
	if (resp.date_ms < 0 ||
	    isotime_parse_ms(sf__json_str(resp.json, "LastModifiedDate"), last_modified_ms) < 0) {
		*last_modified_ms = -1;
		sf__protocol_error(c, "a record's LastModifiedDate", e);
	} else {
		*server_ms = resp.date_ms;
		rc = 0;
	}
	sf__resp_free(&resp);
out:
	buf_free(&url);
	return rc;
}

static int copy_id(const char *src, char id[SF_ID_LEN + 1])
{
	id[0] = '\0';
	if (!sf_id_valid(src))
		return -1;
	snprintf(id, SF_ID_LEN + 1, "%s", src);
	return 0;
}

int sf_sobject_create(struct sf_client *c, const char *sobject, json_t *fields,
		      char id[SF_ID_LEN + 1], struct err *e)
{
	struct buf url;
	struct sf__resp resp;
	int rc = -1;

	id[0] = '\0';
	if (check_name(c, sobject, e) < 0)
		return -1;
	if (!json_is_object(fields))
		return err_set(e, ERR_INVALID, "The fields to create must be a JSON object.");
	buf_init(&url, 0);
	if (object_path(c, &url, sobject, NULL, e) < 0 ||
	    send_json(c, "POST", url.data, fields, NULL, &resp, e) < 0)
		goto out;
	if (copy_id(sf__json_str(resp.json, "id"), id) < 0)
		sf__protocol_error(c, "a create", e);
	else
		rc = 0;
	sf__resp_free(&resp);
out:
	buf_free(&url);
	return rc;
}

static void read_result(json_t *item, long status, struct sf_save_result *res)
{
	json_t *errors = json_object_get(item, "errors");

	memset(res, 0, sizeof(*res));
	copy_id(sf__json_str(item, "id"), res->id);
	res->success = json_is_true(json_object_get(item, "success"));
	if (!res->success)
		sf_error_from_record(&res->error, status, json_array_get(errors, 0));
}

int sf_sobject_collection(struct sf_client *c, enum sf_collection_op op, json_t *records,
			  int all_or_none, struct sf_save_result *results, struct err *e)
{
	struct buf url;
	struct sf__resp resp;
	json_t *req = NULL, *item;
	size_t n = json_array_size(records), i;
	int rc = -1;

	sf__no_remote_error(c);
	if (!json_is_array(records) || n == 0 || n > SF_COLLECTION_MAX)
		return err_set(e, ERR_INVALID, "An sObject Collections request takes 1 to %d "
			       "records.", SF_COLLECTION_MAX);
	if ((unsigned)op >= SF_COLLECTION__MAX)
		return err_set(e, ERR_INVALID, "Unknown collection operation.");
	buf_init(&url, 0);
	req = json_pack("{s:b, s:O}", "allOrNone", all_or_none, "records", records);
	if (req == NULL) {
		err_set(e, ERR_INTERNAL, "Out of memory.");
		goto out;
	}
	if (sf__data_path(c, &url, e) < 0)
		goto out;
	if (buf_puts(&url, "/composite/sobjects") < 0) {
		err_set(e, ERR_INTERNAL, "Out of memory.");
		goto out;
	}
	if (send_json(c, op == SF_COLLECTION_CREATE ? "POST" : "PATCH", url.data, req, NULL,
		      &resp, e) < 0)
		goto out;
	if (!json_is_array(resp.json) || json_array_size(resp.json) != n) {
		sf__protocol_error(c, "an sObject Collections request", e);
		goto out_resp;
	}
	json_array_foreach(resp.json, i, item)
		read_result(item, resp.status, &results[i]);
	rc = 0;
out_resp:
	sf__resp_free(&resp);
out:
	json_decref(req);
	buf_free(&url);
	return rc;
}

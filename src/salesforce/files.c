/* files: multipart ContentVersion uploads with libcurl's mime API. */
#include "salesforce/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "salesforce/client_int.h"
#include "salesforce/query.h"
#include "salesforce/record.h"
#include "salesforce/sobject.h"
#include "salesforce/soql.h"

static json_t *entity_content(const struct sf_upload *u)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "Title", json_string(u->title)) < 0 ||
	    json_object_set_new(o, "PathOnClient", json_string(u->path_on_client)) < 0 ||
	    (u->first_publish_location_id &&
	     json_object_set_new(o, "FirstPublishLocationId",
				 json_string(u->first_publish_location_id)) < 0) ||
	    (u->reason_for_change &&
	     json_object_set_new(o, "ReasonForChange", json_string(u->reason_for_change)) < 0) ||
	    (u->description &&
	     json_object_set_new(o, "Description", json_string(u->description)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int check_upload(const struct sf_upload *u, struct err *e)
{
	struct stat st;

	if (u->path == NULL || u->title == NULL || *u->title == '\0' ||
	    u->path_on_client == NULL || *u->path_on_client == '\0')
		return err_set(e, ERR_INVALID, "An upload needs a file, a title and a file name.");
	if (u->first_publish_location_id && !sf_id_valid(u->first_publish_location_id))
		return err_set(e, ERR_INVALID, "The record to attach the file to has no valid "
			       "Salesforce Id.");
	if (stat(u->path, &st) < 0 || !S_ISREG(st.st_mode))
		return err_set(e, ERR_IO, "The file to upload cannot be read.");
	return 0;
}

/* What build_mime needs; borrowed for one upload. */
struct upload_parts {
	const char *meta;		/* the entity_content JSON */
	const struct sf_upload *u;
};

/* The multipart body: JSON metadata, then the file, which libcurl reads from disk as
 * it sends. Returns NULL when out of memory. */
static curl_mime *build_mime(CURL *h, const void *arg)
{
	const struct upload_parts *up = arg;
	curl_mime *mime = curl_mime_init(h);
	curl_mimepart *part;

	if (mime == NULL)
		return NULL;
	if ((part = curl_mime_addpart(mime)) == NULL ||
	    curl_mime_name(part, "entity_content") != CURLE_OK ||
	    curl_mime_data(part, up->meta, CURL_ZERO_TERMINATED) != CURLE_OK ||
	    curl_mime_type(part, "application/json") != CURLE_OK ||
	    (part = curl_mime_addpart(mime)) == NULL ||
	    curl_mime_name(part, "VersionData") != CURLE_OK ||
	    curl_mime_filedata(part, up->u->path) != CURLE_OK ||
	    curl_mime_filename(part, up->u->path_on_client) != CURLE_OK ||
	    curl_mime_type(part, up->u->content_type ? up->u->content_type :
			   "application/octet-stream") != CURLE_OK) {
		curl_mime_free(mime);
		return NULL;
	}
	return mime;
}

int sf_files_upload(struct sf_client *c, const struct sf_upload *u, char id[SF_ID_LEN + 1],
		    struct err *e)
{
	struct buf url;
	struct sf__req r = { 0 };
	struct sf__resp resp;
	struct upload_parts up;
	json_t *meta = NULL;
	char *meta_s = NULL;
	const char *new_id;
	int rc = -1;

	id[0] = '\0';
	sf__no_remote_error(c);
	if (check_upload(u, e) < 0)
		return -1;
	buf_init(&url, 0);
	if ((meta = entity_content(u)) == NULL ||
	    (meta_s = json_dumps(meta, JSON_COMPACT)) == NULL) {
		err_set(e, ERR_INTERNAL, "Out of memory.");
		goto out;
	}
	if (sf__data_path(c, &url, e) < 0)
		goto out;
	if (buf_puts(&url, "/sobjects/ContentVersion") < 0) {
		err_set(e, ERR_INTERNAL, "Out of memory.");
		goto out;
	}
	up.meta = meta_s;
	up.u = u;
	r.method = "POST";
	r.url = url.data;
	r.mime = build_mime;
	r.mime_arg = &up;
	if (sf__do(c, &r, &resp, e) < 0)
		goto out;
	new_id = sf__json_str(resp.json, "id");
	if (!sf_id_valid(new_id)) {
		sf__protocol_error(c, "an upload", e);
	} else {
		snprintf(id, SF_ID_LEN + 1, "%s", new_id);
		rc = 0;
	}
	sf__resp_free(&resp);
out:
	free(meta_s);
	json_decref(meta);
	buf_free(&url);
	return rc;
}

int sf_files_find(struct sf_client *c, const char *field, const char *marker,
		  const char *first_publish_location_id, char id[SF_ID_LEN + 1], struct err *e)
{
	struct buf soql;
	struct sf_query *q = NULL;
	json_t *recs;
	const char *found;
	int rc = -1, got;

	id[0] = '\0';
	sf__no_remote_error(c);
	if (!sf_sobject_name_valid(field))
		return err_set(e, ERR_INVALID, "The marker field is not a Salesforce API name.");
	if (first_publish_location_id && !sf_id_valid(first_publish_location_id))
		return err_set(e, ERR_INVALID, "The record Id to search under is not valid.");
	buf_init(&soql, 0);
	if (buf_printf(&soql, "SELECT Id FROM ContentVersion WHERE %s = ", field) < 0 ||
	    sf_soql_quote(&soql, marker ? marker : "", 0, e) < 0)
		goto out;
	if (first_publish_location_id &&
	    (buf_puts(&soql, " AND FirstPublishLocationId = ") < 0 ||
	     sf_soql_quote(&soql, first_publish_location_id, 0, e) < 0))
		goto out;
	if (buf_puts(&soql, " ORDER BY CreatedDate DESC LIMIT 1") < 0) {
		err_set(e, ERR_INTERNAL, "Out of memory.");
		goto out;
	}
	if ((q = sf_query_open(c, soql.data, 0, e)) == NULL)
		goto out;
	got = sf_query_next(q, &recs, e);
	if (got < 0)
		goto out;
	rc = 0;
	if (got == 1) {
		found = sf_record_str(json_array_get(recs, 0), "Id");
		if (!sf_id_valid(found)) {
			rc = sf__protocol_error(c, "a ContentVersion search", e);
			goto out;
		}
		snprintf(id, SF_ID_LEN + 1, "%s", found);
		rc = 1;
	}
out:
	sf_query_close(q);
	buf_free(&soql);
	return rc;
}

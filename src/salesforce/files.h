/* files: ContentVersion uploads streamed from disk, and finding an earlier upload. */
#ifndef I360_SALESFORCE_FILES_H
#define I360_SALESFORCE_FILES_H

#include "salesforce/client.h"
#include "salesforce/id.h"
#include "util/err.h"

/* What to upload; every string is borrowed for the call. */
struct sf_upload {
	const char *path;			/* the file on disk, streamed as is */
	const char *title;			/* ContentVersion.Title */
	const char *path_on_client;		/* the file name Salesforce shows, with extension */
	const char *first_publish_location_id;	/* the record it is attached to; NULL: none */
	const char *reason_for_change;		/* NULL: not sent; a marker for sf_files_find */
	const char *description;		/* NULL: not sent */
	const char *content_type;		/* of the file; NULL: application/octet-stream */
};

/*
 * Creates a ContentVersion with POST /sobjects/ContentVersion as multipart/form-data:
 * an "entity_content" part (application/json: Title, PathOnClient,
 * FirstPublishLocationId, ReasonForChange, Description) and a "VersionData" part whose
 * bytes libcurl reads from u->path while sending (never base64, never the whole file in
 * memory). Returns 0 with the ContentVersion Id in id, or -1: ERR_INVALID (missing
 * title or path, bad Id), ERR_IO (the file cannot be read), else as any request.
 * An upload that timed out may still have been created, so it is not repeated here;
 * look for it with sf_files_find before uploading again.
 */
int sf_files_upload(struct sf_client *c, const struct sf_upload *u, char id[SF_ID_LEN + 1],
		    struct err *e);

/*
 * Looks for the newest ContentVersion whose field equals marker (field is an API name
 * such as "ReasonForChange", the field the caller wrote its marker into), optionally
 * only among those first published on first_publish_location_id (NULL: anywhere).
 * Returns 1 with its Id in id, 0 when there is none (id ""), or -1 with e set.
 */
int sf_files_find(struct sf_client *c, const char *field, const char *marker,
		  const char *first_publish_location_id, char id[SF_ID_LEN + 1], struct err *e);

#endif

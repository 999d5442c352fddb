/* upload: a multipart/form-data body streamed to a temporary file as it arrives. */
#ifndef I360_HTTP_UPLOAD_H
#define I360_HTTP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "util/err.h"

/*
 * The "file" part of the form is written to a fresh file in dir as each piece arrives
 * (MHD's post processor does the parsing), so memory stays small whatever the size.
 * Other parts are ignored. Past max bytes the upload stops writing and says so
 * (upload_too_big); the request must still be read to its end.
 */
struct upload;

/* Starts an upload for the request on conn, spooling into dir. Returns NULL with
 * ERR_INVALID when the request is not multipart/form-data, ERR_IO when no file can be
 * made in dir. */
struct upload *upload_new(struct MHD_Connection *conn, const char *dir, int64_t max,
			  struct err *e);

/* Feeds n bytes of the body. Never fails: problems are kept for upload_finish. */
void upload_feed(struct upload *u, const char *data, size_t n);

/* Ends the body: 0 when a complete "file" part was received, else -1 with e set
 * (ERR_TOO_LARGE past max, ERR_INVALID for no file part, more than one, or a malformed
 * body, ERR_IO when writing failed). */
int upload_finish(struct upload *u, struct err *e);

/* Whether the body passed max. */
int upload_too_big(const struct upload *u);

/* The spooled file's path, the part's filename and Content-Type (borrowed; the type
 * is "application/octet-stream" when the part had none). */
const char *upload_path(const struct upload *u);
const char *upload_filename(const struct upload *u);
const char *upload_content_type(const struct upload *u);

/* The file now belongs to someone else (it was moved): upload_free leaves it. */
void upload_release_file(struct upload *u);

/* Frees the upload and removes the spooled file unless released; NULL does nothing. */
void upload_free(struct upload *u);

#endif

/* upload: a multipart/form-data body streamed to a temporary file as it arrives. */
#include "http/upload.h"
#include "util/fdio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct upload {
	struct MHD_PostProcessor *pp;
	char *path;
	int fd;			/* -1 once closed */
	int keep_file;		/* released: upload_free leaves the file */
	char *filename;
	char *content_type;
	int64_t max;
	int64_t size;
	int seen_file;		/* a "file" part began */
	int second_file;	/* and then another one */
	int too_big;
	int io_failed;
	int malformed;
};

/* MHD's post processor calls this for each piece of each part. */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct upload *u = cls;

	(void)kind;
	(void)transfer_encoding;
	if (key == NULL || strcmp(key, "file") != 0)
		return MHD_YES;
	if (off == 0 && !u->seen_file) {
		u->seen_file = 1;
		u->filename = strdup(filename ? filename : "");
		u->content_type = strdup(content_type && *content_type
						 ? content_type : "application/octet-stream");
		if (u->filename == NULL || u->content_type == NULL)
			u->io_failed = 1;
	} else if (off == 0 && (u->size > 0 || u->too_big ||
				strcmp(filename ? filename : "", u->filename ? u->filename : ""))) {
		/* MHD starts each part at offset 0, at times with an empty piece first:
		 * offset 0 again after data, or under another filename, is another part. */
		u->second_file = 1;
	}
	if (u->too_big || u->io_failed || u->second_file || size == 0)
		return MHD_YES;
	if (u->size + (int64_t)size > u->max) {
		u->too_big = 1;
		return MHD_YES;
	}
	if (fdio_write_all(u->fd, data, size) < 0)
		u->io_failed = 1;
	u->size += (int64_t)size;
	return MHD_YES;
}

struct upload *upload_new(struct MHD_Connection *conn, const char *dir, int64_t max,
			  struct err *e)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	struct upload *u;
	size_t n;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		err_set(e, ERR_INVALID, "the upload must be multipart/form-data with a file part");
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	u->fd = -1;
	u->max = max;
	n = strlen(dir) + 32;
	u->path = malloc(n);
	if (u->path == NULL)
		goto oom;
	snprintf(u->path, n, "%s/upload-XXXXXX", dir);
	u->fd = mkstemp(u->path);
	if (u->fd < 0) {
		err_set(e, ERR_IO, "the upload could not be stored: no temporary file");
		free(u->path);
		u->path = NULL;
		goto fail;
	}
	u->pp = MHD_create_post_processor(conn, 64 * 1024, on_part, u);
	if (u->pp == NULL) {
		err_set(e, ERR_INVALID, "the multipart body has no boundary");
		goto fail;
	}
	return u;
oom:
	err_set(e, ERR_INTERNAL, "out of memory");
fail:
	upload_free(u);
	return NULL;
}

void upload_feed(struct upload *u, const char *data, size_t n)
{
	if (u->malformed || n == 0)
		return;
	if (MHD_post_process(u->pp, data, n) != MHD_YES)
		u->malformed = 1;
}

int upload_finish(struct upload *u, struct err *e)
{
	if (u->fd >= 0) {
		if (close(u->fd) != 0)
			u->io_failed = 1;
		u->fd = -1;
	}
	if (u->too_big)
		return err_set(e, ERR_TOO_LARGE, "the document is larger than %lld MB",
			       (long long)(u->max >> 20));
	if (u->io_failed)
		return err_set(e, ERR_IO, "the upload could not be written to disk");
	if (u->malformed)
		return err_set(e, ERR_INVALID, "the multipart body is malformed");
	if (!u->seen_file)
		return err_set(e, ERR_INVALID, "the upload has no part named \"file\"");
	if (u->second_file)
		return err_set(e, ERR_INVALID, "the upload has more than one part named \"file\": "
			       "send one document per request");
	if (u->filename == NULL || u->filename[0] == '\0')
		return err_set(e, ERR_INVALID, "the file part has no filename");
	return 0;
}

int upload_too_big(const struct upload *u)
{
	return u->too_big;
}

const char *upload_path(const struct upload *u)
{
	return u->path;
}

const char *upload_filename(const struct upload *u)
{
	return u->filename;
}

const char *upload_content_type(const struct upload *u)
{
	return u->content_type;
}

void upload_release_file(struct upload *u)
{
	u->keep_file = 1;
}

void upload_free(struct upload *u)
{
	if (u == NULL)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	if (u->fd >= 0)
		close(u->fd);
	if (u->path && !u->keep_file)
		unlink(u->path);
	free(u->path);
	free(u->filename);
	free(u->content_type);
	free(u);
}

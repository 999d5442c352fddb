/* fuzz_http_upload: multipart/form-data bodies through the upload spooler (http/upload.h),
 * whole and in pieces, with any Content-Type. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <microhttpd.h>

#include "fuzz/fuzz.h"
#include "fuzz/http.h"
#include "http/upload.h"

/*
 * The input: one byte giving the piece size the body is fed in the second time (0: in
 * one piece both times), the Content-Type header value up to the first '\n', then the
 * body. The request itself carries only the header: the handler feeds the body from
 * the input (so that the target, not the socket, decides the pieces).
 */
#define UPLOAD_MAX 1024		/* small, so that inputs reach the limit */

static struct MHD_Daemon *httpd;
static int port;
static const uint8_t *body;	/* the input's body, for the handler (set before the
				 * request is sent, read while the sender waits) */
static size_t body_len, piece;
static int handled;

/* What one upload came to. */
struct outcome {
	int rc;
	enum err_code code;
	char msg[ERR_MSG_MAX];
	char *filename, *content_type;
	char *file;		/* the spooled bytes (rc 0) */
	size_t file_len;
};

static void outcome_free(struct outcome *o)
{
	free(o->filename);
	free(o->content_type);
	free(o->file);
}

/* Whether the n bytes at needle occur in the body. */
static int in_body(const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= body_len; i++)
		if (memcmp(body + i, needle, n) == 0)
			return 1;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = malloc(UPLOAD_MAX + 1);

	FUZZ_CHECK(f != NULL && data != NULL, "the spooled file %s: %s", path, strerror(errno));
	*len = fread(data, 1, UPLOAD_MAX + 1, f);
	fclose(f);
	return data;
}

/* Runs one upload of the body in pieces of step bytes (0: whole) on conn. Returns 0, or
 * -1 when upload_new refused the request (then o->code says why). */
static int run_upload(struct MHD_Connection *conn, size_t step, struct outcome *o)
{
	struct err e;
	struct upload *u;
	struct stat st;
	char *path;

	memset(o, 0, sizeof(*o));
	err_clear(&e);
	u = upload_new(conn, fuzz_tmpdir(), UPLOAD_MAX, &e);
	if (u == NULL) {
		FUZZ_CHECK(e.code == ERR_INVALID, "upload_new: %s", e.msg);
		o->rc = -1;
		o->code = e.code;
		return -1;
	}
	for (size_t at = 0; at < body_len;) {
		size_t n = step && body_len - at > step ? step : body_len - at;

		upload_feed(u, (const char *)body + at, n);
		at += n;
	}
	o->rc = upload_finish(u, &e);
	o->code = o->rc < 0 ? e.code : ERR_NONE;
	snprintf(o->msg, sizeof(o->msg), "%s", o->rc < 0 ? e.msg : "");
	path = strdup(upload_path(u));
	FUZZ_CHECK(path != NULL, "out of memory");
	if (o->rc == 0) {
		FUZZ_CHECK(!upload_too_big(u), "finished although too big");
		FUZZ_CHECK(upload_filename(u) && upload_filename(u)[0], "no filename");
		FUZZ_CHECK(upload_content_type(u) && upload_content_type(u)[0], "no type");
		o->filename = strdup(upload_filename(u));
		o->content_type = strdup(upload_content_type(u));
		o->file = read_file(path, &o->file_len);
		FUZZ_CHECK(o->file_len <= UPLOAD_MAX, "%zu bytes spooled over the limit of %d",
			   o->file_len, UPLOAD_MAX);
		/* The file is one part's content: bytes of the body, in one run. */
		FUZZ_CHECK(in_body(o->file, o->file_len),
			   "the spooled file (%zu bytes) is not a run of the body", o->file_len);
	} else {
		FUZZ_CHECK(o->code == ERR_INVALID || o->code == ERR_TOO_LARGE, "%s", o->msg);
		FUZZ_CHECK(!upload_too_big(u) || o->code == ERR_TOO_LARGE, "%s", o->msg);
	}
	upload_free(u);
	FUZZ_CHECK(stat(path, &st) < 0 && errno == ENOENT, "upload_free left %s", path);
	free(path);
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static char done;
	struct MHD_Response *resp;
	struct outcome whole, pieces;
	enum MHD_Result rc;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {	/* the headers: do everything now */
		*con_cls = &done;
		handled = 1;
		if (run_upload(conn, 0, &whole) == 0 && piece) {
			run_upload(conn, piece, &pieces);
			/* MHD's parser keeps state across pieces: the outcome must not depend
			 * on where the body was cut. */
			FUZZ_CHECK(whole.rc == pieces.rc && whole.code == pieces.code,
				   "whole: %d %s; in pieces of %zu: %d %s", whole.rc, whole.msg,
				   piece, pieces.rc, pieces.msg);
			if (whole.rc == 0) {
				FUZZ_CHECK(strcmp(whole.filename, pieces.filename) == 0 &&
					   strcmp(whole.content_type, pieces.content_type) == 0,
					   "whole: \"%s\" %s; in pieces of %zu: \"%s\" %s",
					   whole.filename, whole.content_type, piece,
					   pieces.filename, pieces.content_type);
				FUZZ_CHECK(whole.file_len == pieces.file_len &&
					   memcmp(whole.file, pieces.file, whole.file_len) == 0,
					   "whole: %zu bytes; in pieces of %zu: %zu bytes",
					   whole.file_len, piece, pieces.file_len);
			}
			outcome_free(&pieces);
		}
		outcome_free(&whole);
		return MHD_YES;
	}
	*upload_data_size = 0;
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void httpd_stop(void)
{
	MHD_stop_daemon(httpd);
}

static void setup(void)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fuzz_tmpdir();
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request,
				   NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				   MHD_OPTION_END);
	FUZZ_CHECK(httpd != NULL, "no HTTP daemon");
	info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT);
	FUZZ_CHECK(info != NULL && info->port, "no port");
	port = info->port;
	atexit(httpd_stop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	struct fuzz_http_answer a;
	char head[1024];
	size_t ct_len;

	if (size < 1)
		return 0;
	nl = memchr(data + 1, '\n', size - 1);
	ct_len = nl ? (size_t)(nl - data - 1) : size - 1;
	if (ct_len > 512)
		return 0;
	/* A header value holds no control characters: such a request never reaches the
	 * handler. */
	for (size_t i = 0; i < ct_len; i++)
		if ((data[1 + i] < 0x20 && data[1 + i] != '\t') || data[1 + i] == 0x7f)
			return 0;
	if (httpd == NULL)
		setup();
	piece = data[0];
	body = nl ? nl + 1 : data + size;
	body_len = nl ? size - (size_t)(nl + 1 - data) : 0;
	snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\nHost: fuzz\r\n"
		 "Content-Type: %.*s\r\n", (int)ct_len, (const char *)data + 1);
	handled = 0;
	fuzz_http_send(port, head, NULL, 0, &a);
	FUZZ_CHECK(a.status == 200 || (a.status == 400 && !handled), "HTTP %d", a.status);
	fuzz_http_answer_free(&a);
	return 0;
}

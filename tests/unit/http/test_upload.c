/* upload: multipart/form-data bodies spooled by http/upload.h behind a bare libmicrohttpd
 * server, fed whole and a few bytes at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http/upload.h"
#include "testutil.h"
#include "util/buf.h"

#define BOUNDARY "----i360Boundary7MA4YWxk"
#define PART(name, filename, data)                                                      \
	"--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"" name "\"; filename=\""  \
	filename "\"\r\nContent-Type: text/plain\r\n\r\n" data "\r\n"
#define END "--" BOUNDARY "--\r\n"

static struct MHD_Daemon *httpd;
static int port;
static const char *dir;
static size_t piece;	/* the handler feeds the body in pieces this long (0: as it comes) */

/* The handler answers 200 with "FILENAME\nCONTENTS" of the spooled file, or 400 with
 * upload_finish's message. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct upload *u = *con_cls;
	struct MHD_Response *resp;
	struct buf out = { 0 };
	enum MHD_Result rc;
	struct err e;
	int status = 200;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	if (u == NULL) {
		*con_cls = u = upload_new(conn, dir, 1 << 20, &e);
		return u ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		for (size_t at = 0, n; at < *upload_data_size; at += n) {
			n = piece && *upload_data_size - at > piece ? piece : *upload_data_size - at;
			upload_feed(u, upload_data + at, n);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (upload_finish(u, &e) < 0) {
		status = 400;
		buf_puts(&out, e.msg);
	} else {
		FILE *f = fopen(upload_path(u), "rb");
		char data[4096];
		size_t n = f ? fread(data, 1, sizeof(data), f) : 0;

		if (f)
			fclose(f);
		buf_printf(&out, "%s\n", upload_filename(u));
		buf_append(&out, data, n);
	}
	upload_free(u);
	*con_cls = NULL;
	resp = MHD_create_response_from_buffer(out.len, out.data, MHD_RESPMEM_MUST_COPY);
	rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	buf_free(&out);
	return rc;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* POSTs body as multipart/form-data; returns the status and the answer in *out. */
static long post(const char *body, struct buf *out)
{
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: multipart/form-data; "
						 "boundary=" BOUNDARY);
	CURL *c = curl_easy_init();
	char url[64];
	long status = 0;

	buf_init(out, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/upload", port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

static int setup(void **state)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	(void)state;
	dir = testutil_tmpdir();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request,
				 NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(httpd);
	info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	port = info->port;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(httpd);
	return 0;
}

static void test_one_file_part(void **state)
{
	struct buf out;

	(void)state;
	for (piece = 0; piece <= 3; piece += 3) {
		assert_int_equal(post(PART("title", "", "ignored") PART("file", "a.txt", "first")
				      END, &out), 200);
		assert_string_equal(out.data, "a.txt\nfirst");
		buf_free(&out);
	}
}

/*
 * fuzz.http_upload found this: a second part named "file" was appended to the first
 * one's spooled file, so two documents became one (named after the first) with both
 * contents. Now the upload is refused, whole or fed a few bytes at a time, also when
 * the first part is empty.
 */
static void test_two_file_parts_were_concatenated(void **state)
{
	static const char *const bodies[] = {
		PART("file", "a.txt", "first") PART("file", "b.txt", "second") END,
		PART("file", "a.txt", "first") PART("file", "a.txt", "second") END,
		PART("file", "a.txt", "") PART("file", "b.txt", "second") END,
	};
	struct buf out;

	(void)state;
	for (piece = 0; piece <= 3; piece += 3) {
		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			assert_int_equal(post(bodies[i], &out), 400);
			assert_non_null(strstr(out.data, "more than one part named \"file\""));
			buf_free(&out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_file_part),
		cmocka_unit_test(test_two_file_parts_were_concatenated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests of files: a ContentVersion upload streamed from disk, checked part by part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/salesforce/canned_server.h"
#include "testutil.h"

#include <jansson.h>

#include "salesforce/client.h"
#include "salesforce/files.h"

#define OPP_ID "a0C5e000001AAAAEA4"
#define CV_ID "0685e000001AAAAAA4"
#define UPLOAD "/services/data/v62.0/sobjects/ContentVersion"
#define CREATED "{\"id\":\"" CV_ID "\",\"success\":true,\"errors\":[]}"

/* A file that is hard to carry: NULs, CRLFs and a fake boundary inside, 300 KB long. */
static unsigned char *make_file(const char *path, size_t *len)
{
	static const char tricky[] = "\r\n--------------------------boundary\r\n\0%PDF";
	size_t n = 300 * 1024, i;
	unsigned char *data = malloc(n);
	FILE *f;

	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 131 + (i >> 9));
	memcpy(data + 1000, tricky, sizeof(tricky));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	*len = n;
	return data;
}

struct part {
	const char *headers;	/* points into the body, not NUL-terminated */
	size_t headers_len;
	const char *data;
	size_t len;
};

static const void *memfind(const void *hay, size_t n, const char *needle, size_t m)
{
	const char *h = hay;
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

/* Splits a multipart/form-data body into its parts; returns how many (at most max). */
static size_t split_parts(const struct canned_request *rq, struct part *parts, size_t max)
{
	char delim[128];
	const char *b = strstr(rq->content_type, "boundary="), *p, *end, *next;
	size_t n = 0, dlen;

	assert_non_null(b);
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b + 9);
	/* The body starts with the delimiter without its CRLF. */
	assert_memory_equal(rq->body, delim + 2, dlen - 2);
	p = rq->body + dlen - 2;
	end = rq->body + rq->body_len;
	while (n < max && p + 2 <= end && memcmp(p, "--", 2) != 0) {
		const char *hend;

		p += 2;	/* the CRLF after the delimiter */
		hend = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
		assert_non_null(hend);
		parts[n].headers = p;
		parts[n].headers_len = (size_t)(hend - p);
		parts[n].data = hend + 4;
		next = memfind(parts[n].data, (size_t)(end - parts[n].data), delim, dlen);
		assert_non_null(next);
		parts[n].len = (size_t)(next - parts[n].data);
		n++;
		p = next + dlen;
	}
	return n;
}

static int has_header(const struct part *p, const char *line)
{
	return memfind(p->headers, p->headers_len, line, strlen(line)) != NULL;
}

static void check_upload_request(const struct canned_request *rq, const unsigned char *data,
				 size_t len)
{
	struct part parts[4];
	json_t *meta;

	assert_string_equal(rq->method, "POST");
	assert_string_equal(rq->authorization, "Bearer AT2");
	assert_non_null(strstr(rq->content_type, "multipart/form-data; boundary="));
	assert_int_equal(split_parts(rq, parts, 4), 2);

	assert_true(has_header(&parts[0], "Content-Disposition: form-data; name=\"entity_content\""));
	assert_true(has_header(&parts[0], "Content-Type: application/json"));
	meta = json_loadb(parts[0].data, parts[0].len, 0, NULL);
	assert_non_null(meta);
	assert_string_equal(json_string_value(json_object_get(meta, "Title")), "Quote – Lee");
	assert_string_equal(json_string_value(json_object_get(meta, "PathOnClient")), "quote.pdf");
	assert_string_equal(json_string_value(json_object_get(meta, "FirstPublishLocationId")), OPP_ID);
	assert_string_equal(json_string_value(json_object_get(meta, "ReasonForChange")), "occ-doc:42");
	assert_null(json_object_get(meta, "Description"));
	assert_null(json_object_get(meta, "VersionData"));	/* never base64 in the JSON */
	json_decref(meta);

	assert_true(has_header(&parts[1], "Content-Disposition: form-data; name=\"VersionData\"; "
			       "filename=\"quote.pdf\""));
	assert_true(has_header(&parts[1], "Content-Type: application/pdf"));
	assert_int_equal(parts[1].len, len);
	assert_memory_equal(parts[1].data, data, len);
}

static void test_upload_streamed_and_resent_after_refresh(void **state)
{
	static const struct canned_reply script[] = {
		{ "POST", UPLOAD, 401, NULL,
		  "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]", 0 },
		{ "POST", "/services/oauth2/token", 200, NULL,
		  "{\"access_token\":\"AT2\",\"instance_url\":\"{{BASE}}\",\"token_type\":\"Bearer\"}", 0 },
		{ "POST", UPLOAD, 201, NULL, CREATED, 0 },
	};
	struct canned_server s;
	struct sf_client_config cfg = { 0 };
	struct sf_client *c;
	struct sf_upload u = { 0 };
	char id[SF_ID_LEN + 1];
	const char *path = testutil_path(testutil_tmpdir(), "quote.pdf");
	unsigned char *data;
	size_t len;
	struct err e;

	(void)state;
	data = make_file(path, &len);
	assert_int_equal(canned_start(&s, script, 3), 0);
	cfg.login_url = s.base;
	cfg.consumer_key = "ck";
	cfg.consumer_secret = "cs";
	c = sf_client_new(&cfg, &e);
	assert_int_equal(sf_client_set_tokens(c, s.base, "AT1", "RT1", &e), 0);
	u.path = path;
	u.title = "Quote – Lee";
	u.path_on_client = "quote.pdf";
	u.first_publish_location_id = OPP_ID;
	u.reason_for_change = "occ-doc:42";
	u.content_type = "application/pdf";
	if (sf_files_upload(c, &u, id, &e) < 0)
		fail_msg("upload failed: %s (served %zu: %s)", e.msg, s.nreqs, s.mismatch);
	assert_string_equal(id, CV_ID);
	assert_int_equal(s.nreqs, 3);
	/* The retried request carries the whole file again, read from disk anew. */
	check_upload_request(&s.reqs[2], data, len);
	assert_int_equal(s.reqs[0].body_len, s.reqs[2].body_len);
	free(data);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_upload_refusals(void **state)
{
	struct sf_client_config cfg = { 0 };
	struct sf_client *c = sf_client_new(&cfg, NULL);
	struct sf_upload u = { 0 };
	char id[SF_ID_LEN + 1];
	struct err e;

	(void)state;
	assert_int_equal(sf_client_set_tokens(c, "http://127.0.0.1:9", "AT1", NULL, &e), 0);
	u.path = "/nonexistent/quote.pdf";
	u.title = "Quote";
	u.path_on_client = "quote.pdf";
	assert_int_equal(sf_files_upload(c, &u, id, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_int_equal(sf_client_api_calls(c), 0);
	u.path = testutil_tmpdir();	/* a directory */
	assert_int_equal(sf_files_upload(c, &u, id, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	u.title = NULL;
	assert_int_equal(sf_files_upload(c, &u, id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	sf_client_free(c);
}

static void test_find_by_marker(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL,
		  "{\"totalSize\":1,\"done\":true,\"records\":[{\"attributes\":{\"type\":\"ContentVersion\"},"
		  "\"Id\":\"" CV_ID "\"}]}", 0 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL,
		  "{\"totalSize\":0,\"done\":true,\"records\":[]}", 0 },
	};
	struct canned_server s;
	struct sf_client_config cfg = { 0 };
	struct sf_client *c;
	char id[SF_ID_LEN + 1];
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 2), 0);
	c = sf_client_new(&cfg, &e);
	assert_int_equal(sf_client_set_tokens(c, s.base, "AT1", NULL, &e), 0);
	assert_int_equal(sf_files_find(c, "ReasonForChange", "occ-doc:42 'x'", OPP_ID, id, &e), 1);
	assert_string_equal(id, CV_ID);
	assert_string_equal(s.reqs[0].q, "SELECT Id FROM ContentVersion WHERE ReasonForChange = "
			    "'occ-doc:42 \\'x\\'' AND FirstPublishLocationId = '" OPP_ID "' ORDER BY "
			    "CreatedDate DESC LIMIT 1");
	assert_int_equal(sf_files_find(c, "ReasonForChange", "occ-doc:43", NULL, id, &e), 0);
	assert_string_equal(id, "");
	assert_int_equal(sf_files_find(c, "Reason For", "m", NULL, id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(s.nreqs, 2);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_streamed_and_resent_after_refresh),
		cmocka_unit_test(test_upload_refusals),
		cmocka_unit_test(test_find_by_marker),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

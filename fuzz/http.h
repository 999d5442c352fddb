/* http: a minimal blocking HTTP/1.1 client for the fuzz targets that go through a socket. */
#ifndef I360_FUZZ_HTTP_H
#define I360_FUZZ_HTTP_H

#include <stddef.h>

/* An answer: the status code, and the body (malloc'd, NUL-terminated, len bytes). */
struct fuzz_http_answer {
	int status;
	char *body;
	size_t len;
};

/*
 * Sends head (the request line and headers, each ending in "\r\n", without the blank
 * line; "Content-Length" and "Connection: close" are added) and n bytes of body to
 * 127.0.0.1:port, and reads the answer to its end. Aborts (a fuzz failure) when the
 * connection fails, the server stays silent for 30 s, or the answer is not HTTP.
 */
void fuzz_http_send(int port, const char *head, const void *body, size_t n,
		    struct fuzz_http_answer *out);

/* Frees what an answer owns. */
void fuzz_http_answer_free(struct fuzz_http_answer *a);

#endif

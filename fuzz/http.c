/* http: a minimal blocking HTTP/1.1 client for the fuzz targets that go through a socket. */
#include "fuzz/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;	/* the server answered early and closed: read what it said */
		c += w;
		n -= (size_t)w;
	}
}

void fuzz_http_send(int port, const char *head, const void *body, size_t n,
		    struct fuzz_http_answer *out)
{
	struct sockaddr_in sa;
	struct timeval tv = { .tv_sec = 30 };
	char extra[128], *p, *eoh;
	size_t len = 0, alloc = 0;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* libFuzzer's timer signal can interrupt connect(); the connection then goes on,
	 * and connect() again says EALREADY until it is made (EISCONN). */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EISCONN) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		FUZZ_CHECK(errno == EINTR || errno == EALREADY, "connect to port %d: %s", port,
			   strerror(errno));
		poll(&pfd, 1, 1000);
	}
	snprintf(extra, sizeof(extra), "Content-Length: %zu\r\nConnection: close\r\n\r\n", n);
	send_all(fd, head, strlen(head));
	send_all(fd, extra, strlen(extra));
	send_all(fd, body, n);
	for (;;) {
		ssize_t r;

		if (alloc - len < 4096) {
			p = realloc(out->body, alloc = alloc ? alloc * 2 : 8192);
			FUZZ_CHECK(p != NULL, "out of memory");
			out->body = p;
		}
		r = recv(fd, out->body + len, alloc - len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		FUZZ_CHECK(r >= 0, "no answer: %s", strerror(errno));
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	out->body[len] = '\0';
	FUZZ_CHECK(sscanf(out->body, "HTTP/1.%*d %d", &out->status) == 1,
		   "not an HTTP answer: %.80s", out->body);
	eoh = strstr(out->body, "\r\n\r\n");
	FUZZ_CHECK(eoh != NULL, "an answer without a header end");
	eoh += 4;
	out->len = len - (size_t)(eoh - out->body);
	memmove(out->body, eoh, out->len + 1);
}

void fuzz_http_answer_free(struct fuzz_http_answer *a)
{
	free(a->body);
	memset(a, 0, sizeof(*a));
}

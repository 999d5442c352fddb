/* harness: an i360-sandbox org and a connected OCC org, for integration tests. */
#ifndef I360_TESTS_HARNESS_H
#define I360_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"
#include "store/store.h"

struct harness {
	struct sandbox *sb;
	struct store *s;
	char db[512];
	int64_t org;
	char token[SEAL_TOKEN_LEN];
	char **emails;		/* the sandbox staff's emails (OCC users made from some) */
	size_t nemails;
};

/*
 * Starts a sandbox from cfg (NULL: defaults with auto-approve), a fresh SQLite store,
 * an org with OCC users for every second staff email (upper-cased, so matching must
 * ignore case), and connects the org through the real OAuth flow over HTTP.
 * Aborts the test program on failure. connect 0 leaves the org disconnected.
 */
void harness_start(struct harness *h, const struct sandbox_config *cfg, int connect);

/* Replaces the store with a fresh one (new files): the org, its users and, when
 * connect is nonzero, the OAuth connection, as harness_start makes them. */
void harness_new_store(struct harness *h, int connect);

/* Follows the sandbox's authorize page like a browser clicking Allow and hands the
 * callback's code and state to connect_callback. 0 or -1 with e set. */
int harness_authorize(struct harness *h, const char *redirect_uri, struct err *e);

void harness_stop(struct harness *h);

/*
 * Starts the i360bridge binary under test (env I360_BIN, else the build's) with args
 * (NULL-terminated, without the program name). When line is not NULL, waits for and
 * copies its first line of stdout (e.g. "listening on http://..."); stdout is otherwise
 * discarded, and stderr goes to err_path (NULL: discarded). The process dies with the
 * test (SIGKILL when the test process ends first). Aborts when it cannot fork, or when a
 * line was asked for and none came; a program that cannot run exits 127.
 */
pid_t harness_spawn(const char *const *args, char *line, size_t n, const char *err_path);

/* Every job of the org as the API shows it, without the store's own ids, keyed by
 * appointment Id, as sorted compact JSON (malloc'd): two stores that hold the same
 * jobs give the same text. Fails the test when one appointment has two jobs. */
char *harness_snapshot(struct harness *h);

/* The redirect URI the tests register. */
#define HARNESS_REDIRECT "http://127.0.0.1:9/auth/improveit360/callback"

#endif

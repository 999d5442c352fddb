/* `i360bridge serve` as a process: flags, the "listening on" line, a graceful stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "testutil.h"

static const char *bin(void)
{
	const char *b = getenv("I360_BIN");

	return b ? b : I360_BUILD_DIR "/i360bridge";
}

static void test_bad_flags_exit_2(void **state)
{
	const char *bad[] = { "--listen nowhere", "--listen 127.0.0.1:99999", "--workers 0",
			      "--sync-interval 15x", "--sync-interval -5m",
			      "--public-url ftp://x", "--bogus", "extra" };
	char cmd[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;
		int rc;

		snprintf(cmd, sizeof(cmd), "%s serve %s --db %s", bin(), bad[i],
			 testutil_path(testutil_tmpdir(), "x.db"));
		rc = testutil_run(cmd, NULL, &err);
		if (rc != 2)
			fprintf(stderr, "%s: exit %d, %s\n", bad[i], rc, err ? err : "");
		assert_int_equal(rc, 2);
		assert_non_null(strstr(err, "i360bridge serve:"));
		free(err);
	}
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void test_listens_then_stops(void **state)
{
	char db[512], line[256], url[300];
	int fds[2], status = 0;
	long code = 0;
	FILE *out;
	pid_t pid;
	CURL *c;

	(void)state;
	snprintf(db, sizeof(db), "%s", testutil_path(testutil_tmpdir(), "serve.db"));
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a failed test does not leave it serving */
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("I360BRIDGE_LOG", "warn", 1);
		execl(bin(), bin(), "serve", "--listen", "127.0.0.1:0", "--sync-interval", "10s",
		      "--workers", "2", "--db", db, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	assert_non_null(fgets(line, sizeof(line), out));
	assert_int_equal(strncmp(line, "listening on http://127.0.0.1:", 30), 0);
	assert_int_not_equal(strncmp(line + 30, "0\n", 2), 0);	/* the real port */
	line[strcspn(line, "\n")] = '\0';
	snprintf(url, sizeof(url), "%s/healthz", line + 13);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	assert_int_equal(code, 200);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_flags_exit_2),
		cmocka_unit_test(test_listens_then_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

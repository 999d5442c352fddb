/* `i360bridge demo --exit`: the first-run experience works end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_demo_end_to_end(void **state)
{
	const char *bin = getenv("I360_BIN");
	char cmd[1024], *out = NULL, *err = NULL;
	long linked = -1, jobs = -1;
	const char *p;

	(void)state;
	snprintf(cmd, sizeof(cmd), "'%s' demo --exit --listen 127.0.0.1:0",
		 bin ? bin : I360_BUILD_DIR "/i360bridge");
	assert_int_equal(testutil_run(cmd, &out, &err), 0);
	p = strstr(out, "Sync succeeded: ");
	if (p == NULL)
		fail_msg("no successful sync in the demo's output:\n%s\n%s", out, err);
	assert_int_equal(sscanf(strstr(p, "("), "(%ld linked", &linked), 1);
	assert_int_equal(sscanf(strstr(p, "), ") + 3, "%ld jobs created", &jobs), 1);
	assert_true(linked > 0);
	assert_true(jobs > 0);
	assert_non_null(strstr(out, "Admin API token: i3b_"));
	assert_non_null(strstr(out, "Admin UI:        http://127.0.0.1:"));
	assert_non_null(strstr(out, "Result reasons pulled: "));
	/* Nothing secret in what the service logged. */
	assert_null(strstr(err, "sandbox-consumer-secret"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_end_to_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

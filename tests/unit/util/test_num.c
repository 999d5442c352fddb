/* Unit tests of num_parse: what a URL, flag or header may hold as a number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/num.h"

static void test_accepts_digits_in_range(void **state)
{
	int64_t v = -1;

	(void)state;
	assert_int_equal(num_parse("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(num_parse("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(num_parse("500", 1, 500, &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(num_parse("9223372036854775807", 1, INT64_MAX, &v), 0);
	assert_true(v == INT64_MAX);
}

static void test_refuses_everything_else(void **state)
{
	static const char *bad[] = {
		NULL, "", " 5", "5 ", "+5", "-5", "5x", "0x10", "1e3", "5.0",
		"9223372036854775808", "99999999999999999999999", "\xc2\xb5",
	};
	int64_t v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(num_parse(bad[i], 0, INT64_MAX, &v), -1);
		assert_int_equal(v, 42);	/* untouched */
	}
	/* In the syntax, out of the range. */
	assert_int_equal(num_parse("0", 1, 500, &v), -1);
	assert_int_equal(num_parse("501", 1, 500, &v), -1);
	assert_int_equal(v, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_digits_in_range),
		cmocka_unit_test(test_refuses_everything_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of id: 15/18-character Ids, the case checksum, comparison on 15. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "salesforce/id.h"

static void test_checksum(void **state)
{
	char out[SF_ID_LEN + 1];

	(void)state;
	/* Salesforce's documented example pair. */
	assert_int_equal(sf_id_to18("001A0000006Vm9r", out), 0);
	assert_string_equal(out, "001A0000006Vm9rIAC");
	assert_int_equal(sf_id_to18("001A0000006Vm9rIAC", out), 0);
	assert_string_equal(out, "001A0000006Vm9rIAC");
	/* All upper case in every block gives the last letters of the alphabet. */
	assert_int_equal(sf_id_to18("ABCDEFGHIJKLMNO", out), 0);
	assert_string_equal(out, "ABCDEFGHIJKLMNO555");
	assert_int_equal(sf_id_to18("abcdefghijklmno", out), 0);
	assert_string_equal(out, "abcdefghijklmnoAAA");
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(sf_id_valid("001A0000006Vm9r"));
	assert_true(sf_id_valid("001A0000006Vm9rIAC"));
	assert_false(sf_id_valid("001A0000006Vm9rIAD"));	/* wrong checksum */
	assert_false(sf_id_valid("001a0000006Vm9rIAC"));	/* case changed in the body */
	assert_false(sf_id_valid("001A0000006Vm9"));		/* 14 */
	assert_false(sf_id_valid("001A0000006Vm9rI"));		/* 16 */
	assert_false(sf_id_valid("001A0000006Vm9-"));
	assert_false(sf_id_valid("001A0000006Vm9' "));
	assert_false(sf_id_valid(""));
	assert_false(sf_id_valid(NULL));
}

static void test_equal(void **state)
{
	char out[SF_ID_LEN + 1];

	(void)state;
	assert_true(sf_id_equal("001A0000006Vm9r", "001A0000006Vm9rIAC"));
	assert_true(sf_id_equal("001A0000006Vm9rIAC", "001A0000006Vm9rIAC"));
	assert_false(sf_id_equal("001A0000006Vm9r", "001A0000006VM9r"));	/* case matters */
	assert_false(sf_id_equal("001A0000006Vm9r", "001A0000006Vm9rIAD"));
	assert_false(sf_id_equal(NULL, "001A0000006Vm9r"));
	assert_int_equal(sf_id_to18("not an id", out), -1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of phones: I360's Contact_Phone text as a list of named numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "i360/phones.h"
#include "i360/text.h"

/* One expected phone: name NULL means a number without a name. */
struct want {
	const char *name;
	const char *number;
};

/* Parses in and checks the result is exactly want[0..n). */
static void check(const char *in, const struct want *want, size_t n)
{
	struct model_phone *got = (struct model_phone *)(uintptr_t)1;
	size_t ngot = 99;
	struct err e;

	err_clear(&e);
	assert_int_equal(phones_parse(in, &got, &ngot, &e), 0);
	assert_int_equal(e.code, ERR_NONE);
	assert_int_equal(ngot, n);
	if (n == 0)
		assert_null(got);
	for (size_t i = 0; i < n; i++) {
		if (want[i].name == NULL)
			assert_null(got[i].name);
		else
			assert_string_equal(got[i].name, want[i].name);
		assert_non_null(got[i].number);
		assert_string_equal(got[i].number, want[i].number);
	}
	phones_free(got, ngot);
}

#define CHECK(in, ...)                                                                \
	do {                                                                          \
		static const struct want w_[] = { __VA_ARGS__ };                      \
		check(in, w_, sizeof(w_) / sizeof(w_[0]));                            \
	} while (0)

static void test_spec_example(void **state)
{
	(void)state;
	CHECK("Mobile: (555) 123-4567, Home:555-987-6543",
	      { "Mobile", "(555) 123-4567" }, { "Home", "555-987-6543" });
}

static void test_no_phones(void **state)
{
	(void)state;
	check(NULL, NULL, 0);
	check("", NULL, 0);
	check(",", NULL, 0);
	check(",,, ,\t,", NULL, 0);
	check("   \r\n ", NULL, 0);
	check("Mobile:", NULL, 0);
	check("Mobile:   , Home: \t", NULL, 0);
	check(":", NULL, 0);
	check(" : , : ", NULL, 0);
}

static void test_no_colon(void **state)
{
	(void)state;
	CHECK("555-1234", { NULL, "555-1234" });
	CHECK("  (555) 123-4567  ", { NULL, "(555) 123-4567" });
	CHECK("555-1234, Cell: 555-9999, 555 0000",
	      { NULL, "555-1234" }, { "Cell", "555-9999" }, { NULL, "555 0000" });
}

static void test_empty_name(void **state)
{
	(void)state;
	CHECK(":555-1234", { NULL, "555-1234" });
	CHECK("  :  555-1234 ", { NULL, "555-1234" });
}

static void test_trailing_and_leading_commas(void **state)
{
	(void)state;
	CHECK("Mobile: 555-1234,", { "Mobile", "555-1234" });
	CHECK(",,Mobile: 555-1234,,, Home: 555-0000,,",
	      { "Mobile", "555-1234" }, { "Home", "555-0000" });
}

static void test_colon_inside_number(void **state)
{
	(void)state;
	CHECK("Work: 555-1234 ext: 12", { "Work", "555-1234 ext: 12" });
	CHECK("Work:555-1234 ext. 12", { "Work", "555-1234 ext. 12" });
	CHECK("Office: : 555", { "Office", ": 555" });
	CHECK("a:b:c", { "a", "b:c" });
}

static void test_whitespace(void **state)
{
	(void)state;
	CHECK("\tMobile \t:\t 555-1234 \r\n,\r\nHome:555-0000\n",
	      { "Mobile", "555-1234" }, { "Home", "555-0000" });
	/* Inner spaces are kept as sent. */
	CHECK("Home  Office:  555  1234", { "Home  Office", "555  1234" });
	/* No-break spaces (U+00A0) and a narrow no-break space (U+202F) around both. */
	CHECK("\xc2\xa0Mobile\xc2\xa0:\xc2\xa0" "555-1234\xe2\x80\xaf",
	      { "Mobile", "555-1234" });
	check("\xc2\xa0,\xc2\xa0", NULL, 0);
}

static void test_non_ascii(void **state)
{
	(void)state;
	CHECK("Móvil: 555-1234, Téléphone maison: +33 1 23 45 67 89, 携帯: 090-1234-5678",
	      { "Móvil", "555-1234" }, { "Téléphone maison", "+33 1 23 45 67 89" },
	      { "携帯", "090-1234-5678" });
	/* A full-width colon is not a separator: the whole segment is the number. */
	CHECK("携帯：090", { NULL, "携帯：090" });
}

static void test_order_kept_and_many(void **state)
{
	char in[4096] = "";
	struct model_phone *got;
	size_t n;

	(void)state;
	for (int i = 0; i < 200; i++) {
		char seg[32];

		snprintf(seg, sizeof(seg), "%sP%d: %d", i ? ", " : "", i, 1000 + i);
		strcat(in, seg);
	}
	assert_int_equal(phones_parse(in, &got, &n, NULL), 0);
	assert_int_equal(n, 200);
	for (int i = 0; i < 200; i++) {
		char name[16], num[16];

		snprintf(name, sizeof(name), "P%d", i);
		snprintf(num, sizeof(num), "%d", 1000 + i);
		assert_string_equal(got[i].name, name);
		assert_string_equal(got[i].number, num);
	}
	phones_free(got, n);
	phones_free(NULL, 0);
}

static void test_text_helpers(void **state)
{
	const char *s = "\xef\xbb\xbf \xe3\x80\x80 a b \xe2\x80\x8b\xc2\x85";
	size_t n = strlen(s);

	(void)state;
	text_trim(&s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a b", 3);
	/* A character ending in a byte that looks like a space's tail is kept whole:
	 * U+00E0 is C3 A0, and A0 alone is no space. */
	s = "x\xc3\xa0";
	n = strlen(s);
	text_trim(&s, &n);
	assert_int_equal(n, 3);
	assert_int_equal(text_space_len("\xe2\x80\x8c", 3), 0); /* U+200C is not a space */
	assert_int_equal(text_space_len("\xe2\x80", 2), 0);
	/* Cutting never splits a character: "é" is 2 bytes, "€" 3. */
	assert_int_equal(text_cut("a\xc3\xa9", 3, 2), 1);
	assert_int_equal(text_cut("\xe2\x82\xac\xe2\x82\xac", 6, 5), 3);
	assert_int_equal(text_cut("abc", 3, 5), 3);
	assert_int_equal(text_cut("abcdef", 6, 4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_no_phones),
		cmocka_unit_test(test_no_colon),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_trailing_and_leading_commas),
		cmocka_unit_test(test_colon_inside_number),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_order_kept_and_many),
		cmocka_unit_test(test_text_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

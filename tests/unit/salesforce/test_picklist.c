/* Unit tests of picklist: values in Salesforce's order and validFor decoding as Restforce does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "salesforce/picklist.h"

/*
 * A describe of i360core__Sales_Appointment__c as Salesforce shapes it, cut to the two
 * picklists. Status has 11 values; "Reset" (index 8) is inactive and still counts for
 * the indexes after it. The bitmaps (bit 0x80 >> (i % 8) of byte i >> 3):
 *   Bought Elsewhere  FAA= : No Demo (3), No Sale (5)      -- two controllers
 *   Price             BA== : No Sale (5)                   -- a 1-byte bitmap
 *   Financing         CCA= : Sale (4), Pending (10)        -- second byte
 *   Weather           Aw== : Cancelled (6), Rescheduled (7), and inactive itself
 *   Spouse not home   AEA= : One Leg (9)                   -- after the inactive value
 *   Confirmed by text QAAA : Confirmed (1)                 -- unpadded, 3 bytes
 *   Anything          /+A= : all 11
 *   Retired           null : none
 */
static const char describe_json[] =
	"{\"name\":\"i360core__Sales_Appointment__c\",\"fields\":["
	"{\"name\":\"Id\",\"type\":\"id\",\"picklistValues\":[]},"
	"{\"name\":\"i360core__Status__c\",\"type\":\"picklist\",\"dependentPicklist\":false,"
	" \"controllerName\":null,\"picklistValues\":["
	"  {\"active\":true,\"defaultValue\":true,\"label\":\"Scheduled\",\"validFor\":null,\"value\":\"Scheduled\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Confirmed\",\"validFor\":null,\"value\":\"Confirmed\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Demo\",\"validFor\":null,\"value\":\"Demo\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"No Demo\",\"validFor\":null,\"value\":\"No Demo\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Sale\",\"validFor\":null,\"value\":\"Sale\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"No Sale\",\"validFor\":null,\"value\":\"No Sale\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Cancelled\",\"validFor\":null,\"value\":\"Cancelled\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Rescheduled\",\"validFor\":null,\"value\":\"Rescheduled\"},"
	"  {\"active\":false,\"defaultValue\":false,\"label\":\"Reset\",\"validFor\":null,\"value\":\"Reset\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"One Leg\",\"validFor\":null,\"value\":\"One Leg\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Pending\",\"validFor\":null,\"value\":\"Pending\"}]},"
	"{\"name\":\"i360core__Status_Detail__c\",\"type\":\"picklist\",\"dependentPicklist\":true,"
	" \"controllerName\":\"i360core__Status__c\",\"picklistValues\":["
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Bought Elsewhere\",\"validFor\":\"FAA=\",\"value\":\"Bought Elsewhere\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Price\",\"validFor\":\"BA==\",\"value\":\"Price\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Financing\",\"validFor\":\"CCA=\",\"value\":\"Financing\"},"
	"  {\"active\":false,\"defaultValue\":false,\"label\":\"Weather\",\"validFor\":\"Aw==\",\"value\":\"Weather\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Spouse not home\",\"validFor\":\"AEA=\",\"value\":\"Spouse not home\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Confirmed by text\",\"validFor\":\"QAAA\",\"value\":\"Confirmed by text\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Anything\",\"validFor\":\"/+A=\",\"value\":\"Anything\"},"
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"Retired\",\"validFor\":null,\"value\":\"Retired\"}]},"
	"{\"name\":\"i360core__Type__c\",\"type\":\"picklist\",\"dependentPicklist\":false,"
	" \"picklistValues\":[{\"active\":true,\"defaultValue\":false,\"label\":\"Sales Call\",\"validFor\":null,\"value\":\"Sales Call\"}]},"
	"{\"name\":\"Bad_Detail__c\",\"type\":\"picklist\",\"dependentPicklist\":true,"
	" \"controllerName\":\"i360core__Status__c\",\"picklistValues\":["
	"  {\"active\":true,\"defaultValue\":false,\"label\":\"X\",\"validFor\":\"!!not base64\",\"value\":\"X\"}]}"
	"]}";

static json_t *describe;

static int setup(void **state)
{
	(void)state;
	describe = json_loads(describe_json, 0, NULL);
	return describe ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(describe);
	return 0;
}

/* The values valid for controller, joined with "|", inactive ones marked "(off)". */
static const char *valid_for(const char *controller)
{
	static char out[512];
	struct sf_picklist l;
	struct err e;
	size_t i, w = 0;

	assert_int_equal(sf_picklist_valid_for(describe, "i360core__Status_Detail__c", controller,
					       &l, &e), 0);
	out[0] = '\0';
	for (i = 0; i < l.n; i++)
		w += (size_t)snprintf(out + w, sizeof(out) - w, "%s%s%s", i ? "|" : "",
				      l.v[i].value, l.v[i].active ? "" : "(off)");
	sf_picklist_free(&l);
	return out;
}

static void test_values_in_order(void **state)
{
	struct sf_picklist l;
	struct err e;

	(void)state;
	assert_int_equal(sf_picklist_values(describe, "i360core__Status__c", &l, &e), 0);
	assert_int_equal(l.n, 11);
	assert_string_equal(l.v[0].value, "Scheduled");
	assert_true(l.v[0].is_default);
	assert_true(l.v[0].active);
	assert_string_equal(l.v[8].value, "Reset");
	assert_false(l.v[8].active);
	assert_false(l.v[8].is_default);
	assert_string_equal(l.v[10].label, "Pending");
	sf_picklist_free(&l);
	sf_picklist_free(&l);	/* freeing an empty list is fine */
}

static void test_valid_for_each_controller(void **state)
{
	(void)state;
	assert_string_equal(valid_for("Scheduled"), "Anything");
	assert_string_equal(valid_for("Confirmed"), "Confirmed by text|Anything");
	assert_string_equal(valid_for("Demo"), "Anything");
	assert_string_equal(valid_for("No Demo"), "Bought Elsewhere|Anything");
	assert_string_equal(valid_for("Sale"), "Financing|Anything");
	assert_string_equal(valid_for("No Sale"), "Bought Elsewhere|Price|Anything");
	assert_string_equal(valid_for("Cancelled"), "Weather(off)|Anything");
	assert_string_equal(valid_for("Rescheduled"), "Weather(off)|Anything");
	assert_string_equal(valid_for("Reset"), "Anything");
	/* Index 9 and 10: counted with the inactive Reset before them. */
	assert_string_equal(valid_for("One Leg"), "Spouse not home|Anything");
	assert_string_equal(valid_for("Pending"), "Financing|Anything");
}

static void test_refusals(void **state)
{
	struct sf_picklist l;
	struct err e;
	json_t *broken;

	(void)state;
	assert_int_equal(sf_picklist_valid_for(describe, "i360core__Status_Detail__c", "Sold",
					       &l, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(sf_picklist_valid_for(describe, "i360core__Type__c", "Sale", &l, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(sf_picklist_values(describe, "No_Such__c", &l, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(sf_picklist_valid_for(describe, "Bad_Detail__c", "Sale", &l, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_int_equal(l.n, 0);
	broken = json_pack("{s:s}", "name", "X");
	assert_int_equal(sf_picklist_values(broken, "Y", &l, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	json_decref(broken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_in_order),
		cmocka_unit_test(test_valid_for_each_controller),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

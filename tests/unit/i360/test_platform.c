/* Unit tests of platform: the per-platform Salesforce names and the appointment query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "i360/platform.h"

static void test_parse_and_names(void **state)
{
	(void)state;
	assert_int_equal(platform_parse("lightning"), PLATFORM_LIGHTNING);
	assert_int_equal(platform_parse("Lightning"), PLATFORM_LIGHTNING);
	assert_int_equal(platform_parse("classic"), PLATFORM_CLASSIC);
	assert_int_equal(platform_parse("CLASSIC"), PLATFORM_CLASSIC);
	assert_int_equal(platform_parse(""), PLATFORM__MAX);
	assert_int_equal(platform_parse("lightning "), PLATFORM__MAX);
	assert_int_equal(platform_parse("aura"), PLATFORM__MAX);
	assert_int_equal(platform_parse(NULL), PLATFORM__MAX);
	for (int p = 0; p < PLATFORM__MAX; p++) {
		assert_non_null(platform_names[p]);
		assert_int_equal(platform_parse(platform_name((enum platform)p)), p);
	}
	assert_string_equal(platform_name(PLATFORM__MAX), "unknown");
}

static void test_classic_refused(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_null(platform_schema(PLATFORM_CLASSIC, &e));
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "Classic"));
	assert_non_null(strstr(e.msg, "Lightning"));

	err_clear(&e);
	assert_null(platform_schema(PLATFORM__MAX, &e));
	assert_int_equal(e.code, ERR_INVALID);
	assert_null(platform_schema(PLATFORM_CLASSIC, NULL));
}

static void test_lightning_names(void **state)
{
	const struct platform_schema *s;
	struct err e;

	(void)state;
	err_clear(&e);
	s = platform_schema(PLATFORM_LIGHTNING, &e);
	assert_non_null(s);
	assert_int_equal(e.code, ERR_NONE);
	assert_int_equal(s->platform, PLATFORM_LIGHTNING);
	for (int f = 0; f < PLATFORM_STAFF__MAX; f++)
		assert_non_null(s->staff_fields[f]);
	for (int f = 0; f < PLATFORM_APPT__MAX; f++)
		assert_non_null(s->appt_fields[f]);
	for (int f = 0; f < PLATFORM_OPP__MAX; f++)
		assert_non_null(s->opp_fields[f]);

	assert_string_equal(s->staff_object, "i360core__Staff__c");
	assert_string_equal(s->staff_fields[PLATFORM_STAFF_EMAIL], "i360core__Email__c");
	assert_string_equal(s->appt_object, "i360core__Sales_Appointment__c");
	assert_string_equal(s->appt_fields[PLATFORM_APPT_SALES_REP],
			    "i360core__Sales_Rep_1__c");
	assert_string_equal(s->appt_fields[PLATFORM_APPT_STATE],
			    "i360core__State_Province__c");
	assert_string_equal(s->appt_fields[PLATFORM_APPT_END],
			    "i360core__Appointment_End_Date_Time__c");
	assert_string_equal(s->appt_fields[PLATFORM_APPT_MODSTAMP], "SystemModstamp");
	assert_string_equal(s->appt_fields[PLATFORM_APPT_IS_DELETED], "IsDeleted");
	assert_string_equal(s->appt_opps_relationship,
			    "i360core__Sales_Appointment_Opportunities__r");
	assert_string_equal(s->opp_parent_relationship, "i360core__Sales_Opportunity__r");
	assert_string_equal(s->opp_object, "i360core__Sales_Opportunity__c");
	assert_string_equal(s->opp_fields[PLATFORM_OPP_INTERESTED_IN],
			    "i360core__Interested_In__c");

	assert_string_equal(s->appt_status.object, "i360core__Sales_Appointment__c");
	assert_string_equal(s->appt_status.controlling, "i360core__Status__c");
	assert_string_equal(s->appt_status.dependent, "i360core__Status_Detail__c");
	assert_string_equal(s->opp_result.object, "i360core__Sales_Opportunity__c");
	assert_string_equal(s->opp_result.controlling, "i360core__Result__c");
	assert_string_equal(s->opp_result.dependent, "i360core__Result_Detail__c");
}

/* The SELECT list is exactly SPEC §2's fields, in table order, with the child
 * subquery last. */
static void test_appointment_soql_fields(void **state)
{
	const struct platform_schema *s = platform_schema(PLATFORM_LIGHTNING, NULL);
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(platform_appointment_soql_fields(s, &b), 0);
	assert_string_equal(
		b.data,
		"Id, i360core__Account__c, i360core__Sales_Rep_1__c, "
		"i360core__Contact_Name__c, i360core__Contact_Email__c, "
		"i360core__Contact_Phone__c, i360core__Street_Address__c, i360core__City__c, "
		"i360core__State_Province__c, i360core__Zip_Postal_Code__c, "
		"i360core__Product_Categories__c, i360core__Type__c, "
		"i360core__Appointment_Date_Time__c, i360core__Appointment_End_Date_Time__c, "
		"i360core__Status__c, i360core__Status_Detail__c, SystemModstamp, IsDeleted, "
		"(SELECT i360core__Sales_Opportunity__r.Id, "
		"i360core__Sales_Opportunity__r.Name, "
		"i360core__Sales_Opportunity__r.i360core__Interested_In__c, "
		"i360core__Sales_Opportunity__r.i360core__Result__c, "
		"i360core__Sales_Opportunity__r.i360core__Result_Detail__c "
		"FROM i360core__Sales_Appointment_Opportunities__r)");
	/* Appending goes after what is there, so a caller can write "SELECT " first. */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "SELECT "), 0);
	assert_int_equal(platform_staff_soql_fields(s, &b), 0);
	assert_string_equal(b.data, "SELECT Id, Name, i360core__Email__c");
	buf_free(&b);
}

/* Every field the table names is in the query: one check per enum value, so a field
 * added to the table and forgotten in the query builder fails here. */
static void test_query_covers_table(void **state)
{
	const struct platform_schema *s = platform_schema(PLATFORM_LIGHTNING, NULL);
	char want[256];
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(platform_appointment_soql_fields(s, &b), 0);
	for (int f = 1; f < PLATFORM_APPT__MAX; f++) {
		snprintf(want, sizeof(want), ", %s,", s->appt_fields[f]);
		assert_non_null(strstr(b.data, want));
	}
	for (int f = 0; f < PLATFORM_OPP__MAX; f++) {
		snprintf(want, sizeof(want), "%s.%s", s->opp_parent_relationship,
			 s->opp_fields[f]);
		assert_non_null(strstr(b.data, want));
	}
	buf_free(&b);
}

static void test_query_over_cap(void **state)
{
	const struct platform_schema *s = platform_schema(PLATFORM_LIGHTNING, NULL);
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(platform_appointment_soql_fields(s, &b), -1);
	assert_true(buf_too_big(&b));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_names),
		cmocka_unit_test(test_classic_refused),
		cmocka_unit_test(test_lightning_names),
		cmocka_unit_test(test_appointment_soql_fields),
		cmocka_unit_test(test_query_covers_table),
		cmocka_unit_test(test_query_over_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

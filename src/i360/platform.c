/* platform: the Salesforce object and field names of each I360 platform, as data. */
#include "i360/platform.h"

#include <stddef.h>
#include <strings.h>

const char *const platform_names[PLATFORM__MAX] = {
	[PLATFORM_LIGHTNING] = "lightning",
	[PLATFORM_CLASSIC] = "classic",
};

/* The Lightning managed package, namespace i360core__ (SPEC §2). */
static const struct platform_schema lightning = {
	.platform = PLATFORM_LIGHTNING,

	.staff_object = "i360core__Staff__c",
	.staff_fields = {
		[PLATFORM_STAFF_ID] = "Id",
		[PLATFORM_STAFF_NAME] = "Name",
		[PLATFORM_STAFF_EMAIL] = "i360core__Email__c",
	},

	.appt_object = "i360core__Sales_Appointment__c",
	.appt_fields = {
		[PLATFORM_APPT_ID] = "Id",
		[PLATFORM_APPT_ACCOUNT] = "i360core__Account__c",
		[PLATFORM_APPT_SALES_REP] = "i360core__Sales_Rep_1__c",
		[PLATFORM_APPT_CONTACT_NAME] = "i360core__Contact_Name__c",
		[PLATFORM_APPT_CONTACT_EMAIL] = "i360core__Contact_Email__c",
		[PLATFORM_APPT_CONTACT_PHONE] = "i360core__Contact_Phone__c",
		[PLATFORM_APPT_STREET] = "i360core__Street_Address__c",
		[PLATFORM_APPT_CITY] = "i360core__City__c",
		[PLATFORM_APPT_STATE] = "i360core__State_Province__c",
		[PLATFORM_APPT_POSTAL_CODE] = "i360core__Zip_Postal_Code__c",
		[PLATFORM_APPT_PRODUCT_CATEGORIES] = "i360core__Product_Categories__c",
		[PLATFORM_APPT_TYPE] = "i360core__Type__c",
		[PLATFORM_APPT_START] = "i360core__Appointment_Date_Time__c",
		[PLATFORM_APPT_END] = "i360core__Appointment_End_Date_Time__c",
		[PLATFORM_APPT_STATUS] = "i360core__Status__c",
		[PLATFORM_APPT_STATUS_DETAIL] = "i360core__Status_Detail__c",
		[PLATFORM_APPT_MODSTAMP] = "SystemModstamp",
		[PLATFORM_APPT_IS_DELETED] = "IsDeleted",
	},

	.appt_opps_relationship = "i360core__Sales_Appointment_Opportunities__r",
	.opp_parent_relationship = "i360core__Sales_Opportunity__r",

	.opp_object = "i360core__Sales_Opportunity__c",
	.opp_fields = {
		[PLATFORM_OPP_ID] = "Id",
		[PLATFORM_OPP_NAME] = "Name",
		[PLATFORM_OPP_INTERESTED_IN] = "i360core__Interested_In__c",
		[PLATFORM_OPP_RESULT] = "i360core__Result__c",
		[PLATFORM_OPP_RESULT_DETAIL] = "i360core__Result_Detail__c",
	},

	.appt_status = {
		.object = "i360core__Sales_Appointment__c",
		.controlling = "i360core__Status__c",
		.dependent = "i360core__Status_Detail__c",
	},
	.opp_result = {
		.object = "i360core__Sales_Opportunity__c",
		.controlling = "i360core__Result__c",
		.dependent = "i360core__Result_Detail__c",
	},
};

/*
 * One entry per platform. Classic has none on purpose: its objects belong to the
 * legacy package, which this product does not read or write.
 */
static const struct platform_schema *const schemas[PLATFORM__MAX] = {
	[PLATFORM_LIGHTNING] = &lightning,
	[PLATFORM_CLASSIC] = NULL,
};

enum platform platform_parse(const char *s)
{
	if (s == NULL)
		return PLATFORM__MAX;
	for (int p = 0; p < PLATFORM__MAX; p++)
		if (strcasecmp(s, platform_names[p]) == 0)
			return (enum platform)p;
	return PLATFORM__MAX;
}

const char *platform_name(enum platform p)
{
	if ((int)p < 0 || p >= PLATFORM__MAX)
		return "unknown";
	return platform_names[p];
}

const struct platform_schema *platform_schema(enum platform p, struct err *e)
{
	if (p == PLATFORM_CLASSIC) {
		err_set(e, ERR_INVALID,
			"Classic ImproveIt360 integrations are not supported: switch the "
			"integration's platform to Lightning (Classic orgs cannot create "
			"connected apps)");
		return NULL;
	}
	if ((int)p < 0 || p >= PLATFORM__MAX || schemas[p] == NULL) {
		err_set(e, ERR_INVALID, "the integration's platform is not one this "
			"product knows: set it to Lightning");
		return NULL;
	}
	return schemas[p];
}

/* Appends "sep" then "prefix.name" (prefix may be NULL); clears *sep after the first. */
static int put_field(struct buf *b, const char **sep, const char *prefix, const char *name)
{
	if (buf_puts(b, *sep) < 0)
		return -1;
	*sep = ", ";
	if (prefix != NULL && buf_printf(b, "%s.", prefix) < 0)
		return -1;
	return buf_puts(b, name);
}

int platform_appointment_soql_fields(const struct platform_schema *s, struct buf *b)
{
	const char *sep = "";

	for (int f = 0; f < PLATFORM_APPT__MAX; f++)
		if (put_field(b, &sep, NULL, s->appt_fields[f]) < 0)
			return -1;
	if (buf_printf(b, "%s(SELECT ", sep) < 0)
		return -1;
	sep = "";
	for (int f = 0; f < PLATFORM_OPP__MAX; f++)
		if (put_field(b, &sep, s->opp_parent_relationship, s->opp_fields[f]) < 0)
			return -1;
	return buf_printf(b, " FROM %s)", s->appt_opps_relationship);
}

int platform_staff_soql_fields(const struct platform_schema *s, struct buf *b)
{
	const char *sep = "";

	for (int f = 0; f < PLATFORM_STAFF__MAX; f++)
		if (put_field(b, &sep, NULL, s->staff_fields[f]) < 0)
			return -1;
	return 0;
}

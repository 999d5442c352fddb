/* platform: the Salesforce object and field names of each I360 platform, as data. */
#ifndef I360_I360_PLATFORM_H
#define I360_I360_PLATFORM_H

#include "util/buf.h"
#include "util/err.h"

/*
 * The integration's platform setting (SPEC §2). platform_names[] holds the stable
 * lower-case names used in settings, the API and the store.
 */
enum platform { PLATFORM_LIGHTNING, PLATFORM_CLASSIC, PLATFORM__MAX };
extern const char *const platform_names[PLATFORM__MAX];

/* The platform named s ("lightning", "classic"; case does not matter), or
 * PLATFORM__MAX when s is NULL or names none. */
enum platform platform_parse(const char *s);

/* The stable name of p, or "unknown" for a value outside the enum. */
const char *platform_name(enum platform p);

/* The fields read from the staff object (SPEC §2, "Users" in §4). */
enum platform_staff_field {
	PLATFORM_STAFF_ID,
	PLATFORM_STAFF_NAME,
	PLATFORM_STAFF_EMAIL,
	PLATFORM_STAFF__MAX
};

/*
 * The fields read from the appointment object. The appointment query selects every one
 * of them (platform_appointment_soql_fields), and the mapper reads nothing else, so the
 * two cannot disagree.
 */
enum platform_appt_field {
	PLATFORM_APPT_ID,
	PLATFORM_APPT_ACCOUNT,
	PLATFORM_APPT_SALES_REP,	/* Sales_Rep_1: the staff member who owns it */
	PLATFORM_APPT_CONTACT_NAME,
	PLATFORM_APPT_CONTACT_EMAIL,
	PLATFORM_APPT_CONTACT_PHONE,
	PLATFORM_APPT_STREET,
	PLATFORM_APPT_CITY,
	PLATFORM_APPT_STATE,
	PLATFORM_APPT_POSTAL_CODE,
	PLATFORM_APPT_PRODUCT_CATEGORIES,
	PLATFORM_APPT_TYPE,
	PLATFORM_APPT_START,
	PLATFORM_APPT_END,
	PLATFORM_APPT_STATUS,
	PLATFORM_APPT_STATUS_DETAIL,
	PLATFORM_APPT_MODSTAMP,		/* SystemModstamp: the sync's high-water mark */
	PLATFORM_APPT_IS_DELETED,	/* true only through queryAll */
	PLATFORM_APPT__MAX
};

/* The fields read from each sales opportunity, through the junction rows' parent
 * relationship. */
enum platform_opp_field {
	PLATFORM_OPP_ID,
	PLATFORM_OPP_NAME,
	PLATFORM_OPP_INTERESTED_IN,
	PLATFORM_OPP_RESULT,
	PLATFORM_OPP_RESULT_DETAIL,
	PLATFORM_OPP__MAX
};

/* A controlling picklist and the picklist that depends on it (validFor), on one
 * object: what is pulled as result reasons and what a stage push writes. */
struct platform_picklist_pair {
	const char *object;
	const char *controlling;	/* the result */
	const char *dependent;		/* its detail */
};

/*
 * Every Salesforce name the product uses for one platform. A schema is static data:
 * callers read its fields and never free or change it.
 */
struct platform_schema {
	enum platform platform;

	const char *staff_object;
	const char *staff_fields[PLATFORM_STAFF__MAX];

	const char *appt_object;
	const char *appt_fields[PLATFORM_APPT__MAX];

	/* The appointment's child relationship to its junction rows, and each junction
	 * row's parent relationship to its sales opportunity. */
	const char *appt_opps_relationship;
	const char *opp_parent_relationship;

	const char *opp_object;
	const char *opp_fields[PLATFORM_OPP__MAX];

	struct platform_picklist_pair appt_status;	/* Status -> Status_Detail */
	struct platform_picklist_pair opp_result;	/* Result -> Result_Detail */
};

/*
 * The schema of platform p.
 * Returns the static Lightning schema for PLATFORM_LIGHTNING. Returns NULL with
 * ERR_INVALID for PLATFORM_CLASSIC (its schema is outside this product: the message
 * tells the admin to switch the integration to Lightning) and for a value outside the
 * enum.
 * Ownership: the schema is static; never free it.
 */
const struct platform_schema *platform_schema(enum platform p, struct err *e);

/*
 * Appends the SELECT list of the appointment query to b: every appointment field of
 * s, then the child subquery
 * "(SELECT REL.Id, REL.Name, ... FROM i360core__Sales_Appointment_Opportunities__r)"
 * where REL is s->opp_parent_relationship, all separated by ", ". Nothing else (no
 * "SELECT", no "FROM").
 * Returns 0, or -1 when b refused the text (its cap or out of memory; b is then as
 * buf_append leaves it).
 */
int platform_appointment_soql_fields(const struct platform_schema *s, struct buf *b);

/* Appends the SELECT list of the staff query ("Id, Name, i360core__Email__c") to b.
 * Returns 0, or -1 as above. */
int platform_staff_soql_fields(const struct platform_schema *s, struct buf *b);

#endif

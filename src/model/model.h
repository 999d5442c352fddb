/* model: the OCC records the product keeps, as plain data shared by i360 and store. */
#ifndef I360_MODEL_MODEL_H
#define I360_MODEL_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * These structs carry no behaviour: the i360 mapper fills a model_job from an I360
 * appointment, the store persists it, the HTTP layer renders it. Every char * is a
 * heap string owned by the struct (NULL means null/absent) and freed by the matching
 * model_*_free(). Times are milliseconds since the Unix epoch, UTC.
 */

struct model_phone {
	char *name;	/* NULL when the segment had no "name:" part */
	char *number;	/* never NULL or empty */
};

struct model_opportunity {
	char *id;		/* i360core__Sales_Opportunity__c Id */
	char *name;		/* "{Interested_In}: {Name}", empty parts left out */
	char *result;
	char *result_detail;
};

enum model_appt_status { MODEL_APPT_SCHEDULED, MODEL_APPT_CANCELLED, MODEL_APPT__MAX };
extern const char *const model_appt_status_names[MODEL_APPT__MAX];

/* One I360 appointment as one OCC job with its one appointment (SPEC §3). */
struct model_job {
	char *appointment_id;	/* the key: i360core__Sales_Appointment__c Id (18 chars) */
	char *customer_name;
	char *name;
	char *email;
	/* lead_source has no mapping: always null. */
	char *line1, *city, *state, *postal_code;
	char *account_id;	/* metadata.i360_lightning_account */
	char *salesrep_id;	/* metadata.i360_lightning_salesrep_id (Sales_Rep_1) */
	struct model_phone *phones;
	size_t nphones;

	/* The appointment. */
	enum model_appt_status status;
	int has_start, has_end;
	int64_t start_ms, end_ms;
	char *summary;
	char *result;		/* i360core__Status__c */
	char *result_detail;	/* i360core__Status_Detail__c */
	struct model_opportunity *opps;
	size_t nopps;

	int64_t modstamp_ms;	/* SystemModstamp, for the high-water mark */
};

/* Frees everything j owns and zeroes it; NULL does nothing. */
void model_job_free(struct model_job *j);

#endif

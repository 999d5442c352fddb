/* sobject: describe, create, update and sObject Collections writes. */
#ifndef I360_SALESFORCE_SOBJECT_H
#define I360_SALESFORCE_SOBJECT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "salesforce/client.h"
#include "salesforce/id.h"
#include "salesforce/sferror.h"
#include "util/err.h"

/* The most records one sObject Collections request takes. */
#define SF_COLLECTION_MAX 200

/*
 * Object names (sobject arguments) must be API names: letters, digits and underscores
 * (e.g. "i360core__Sales_Appointment__c"); anything else fails with ERR_INVALID before
 * a request is sent. Record Ids must be valid (sf_id_valid).
 */

/*
 * GET /sobjects/OBJ/describe. One call per object; the caller keeps the result for as
 * long as it needs it (e.g. for every picklist of one pull).
 * Returns 0 with *out a new reference, or -1 with e set.
 */
int sf_sobject_describe(struct sf_client *c, const char *sobject, json_t **out,
			struct err *e);

/*
 * PATCH /sobjects/OBJ/ID with fields (a borrowed JSON object of field: value); Salesforce
 * answers 204. Returns 0, or -1 with e set (ERR_NOT_FOUND for a deleted record;
 * Salesforce's errorCode such as FIELD_CUSTOM_VALIDATION_EXCEPTION or
 * INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST in sf_client_last_error()).
 */
int sf_sobject_update(struct sf_client *c, const char *sobject, const char *id,
		      json_t *fields, struct err *e);

/*
 * GET /sobjects/OBJ/ID?fields=LastModifiedDate: when record id was last modified
 * (*last_modified_ms) and Salesforce's own clock when it answered (*server_ms, from the
 * answer's Date header: whole seconds, the fraction cut). The pair is a reference for
 * sf_sobject_update_unmodified_since that does not depend on this machine's clock.
 * Returns 0, or -1 with e set: ERR_NOT_FOUND for a deleted or unknown record, a
 * protocol error (ERR_REMOTE) when the answer lacks the date or the Date header.
 */
int sf_sobject_last_modified(struct sf_client *c, const char *sobject, const char *id,
			     int64_t *last_modified_ms, int64_t *server_ms, struct err *e);

/*
 * sf_sobject_update with a precondition: the PATCH carries If-Unmodified-Since, the
 * HTTP-date of since_ms with its milliseconds cut (so never later than since_ms).
 * Salesforce compares it with the record's LastModifiedDate and, when the record was
 * modified after it, answers 412 and writes nothing. Returns 0 when the record was
 * updated, or -1 with e set: ERR_CONFLICT, and sf_client_last_error() of kind
 * SF_ERROR_PRECONDITION, for a 412; otherwise as sf_sobject_update (a 400 when
 * Salesforce cannot read the date, which a date we format never is). Like any PATCH it
 * is repeated after an ambiguous failure (timeout, reset); when the first one had been
 * done, the repeat answers 412, our own write being a modification.
 */
int sf_sobject_update_unmodified_since(struct sf_client *c, const char *sobject,
				       const char *id, json_t *fields, int64_t since_ms,
				       struct err *e);

/*
 * POST /sobjects/OBJ with fields (borrowed); Salesforce answers 201
 * {"id","success","errors"}. Returns 0 with the new record's Id in id, or -1.
 * Not retried after an ambiguous failure (a timeout could have created the record).
 */
int sf_sobject_create(struct sf_client *c, const char *sobject, json_t *fields,
		      char id[SF_ID_LEN + 1], struct err *e);

/* One record's outcome in an sObject Collections request. */
struct sf_save_result {
	char id[SF_ID_LEN + 1];	/* "" when the record was not saved (create) */
	int success;
	struct sf_error error;	/* the first of the record's errors when !success */
};

enum sf_collection_op { SF_COLLECTION_CREATE, SF_COLLECTION_UPDATE, SF_COLLECTION__MAX };

/*
 * POST (create) or PATCH (update) /composite/sobjects with up to SF_COLLECTION_MAX
 * records: records is a borrowed JSON array of objects, each with "attributes":
 * {"type": OBJ} (and "Id" for update). results must hold json_array_size(records)
 * entries and gets one per record, in order.
 * With all_or_none, one failing record rolls back all (each then reports an error, the
 * others with ALL_OR_NONE_OPERATION_ROLLED_BACK).
 * Returns 0 when the request was answered, even if some records failed (read results),
 * or -1 with e set when the request itself failed (ERR_INVALID for an empty or too
 * long list).
 */
int sf_sobject_collection(struct sf_client *c, enum sf_collection_op op, json_t *records,
			  int all_or_none, struct sf_save_result *results, struct err *e);

/* Whether name is an API name as described above. */
int sf_sobject_name_valid(const char *name);

#endif

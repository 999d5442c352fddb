/* Unit tests of sobject: describe, update (204), create (201), sObject Collections results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/salesforce/canned_server.h"

#include "salesforce/client.h"
#include "salesforce/picklist.h"
#include "salesforce/sobject.h"

#define APPT_ID "a0A5e000001AAAAEA4"

static struct sf_client *client_for(struct canned_server *s)
{
	struct sf_client_config cfg = { 0 };
	struct sf_client *c = sf_client_new(&cfg, NULL);

	assert_non_null(c);
	assert_int_equal(sf_client_set_tokens(c, s->base, "AT1", NULL, NULL), 0);
	return c;
}

static void test_update_and_describe(void **state)
{
	static const struct canned_reply script[] = {
		{ "PATCH", "/services/data/v62.0/sobjects/i360core__Sales_Appointment__c/" APPT_ID,
		  204, NULL, NULL, 0 },
		{ "PATCH", "/services/data/v62.0/sobjects/i360core__Sales_Appointment__c/" APPT_ID,
		  400, NULL, "[{\"message\":\"bad value for restricted picklist field: Sold\","
		  "\"errorCode\":\"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST\",\"fields\":"
		  "[\"i360core__Status__c\"]}]", 0 },
		{ "PATCH", "/services/data/v62.0/sobjects/i360core__Sales_Appointment__c/" APPT_ID,
		  404, NULL, "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource "
		  "does not exist\"}]", 0 },
		{ "GET", "/services/data/v62.0/sobjects/i360core__Sales_Appointment__c/describe", 200,
		  NULL, "{\"name\":\"i360core__Sales_Appointment__c\",\"fields\":[{\"name\":"
		  "\"i360core__Status__c\",\"picklistValues\":[{\"value\":\"Sale\",\"label\":\"Sale\","
		  "\"active\":true,\"defaultValue\":false,\"validFor\":null}]}]}", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_picklist l;
	json_t *fields, *d, *sent;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 4), 0);
	c = client_for(&s);
	fields = json_pack("{s:s,s:n}", "i360core__Status__c", "Sale", "i360core__Status_Detail__c");
	assert_int_equal(sf_sobject_update(c, "i360core__Sales_Appointment__c", APPT_ID, fields,
					   &e), 0);
	assert_string_equal(s.reqs[0].content_type, "application/json");
	sent = json_loads(s.reqs[0].body, 0, NULL);
	assert_true(json_equal(sent, fields));
	json_decref(sent);
	assert_int_equal(sf_sobject_update(c, "i360core__Sales_Appointment__c", APPT_ID, fields,
					   &e), -1);
	assert_string_equal(sf_client_last_error(c)->code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
	assert_non_null(strstr(e.msg, "i360core__Status__c"));
	assert_int_equal(sf_sobject_update(c, "i360core__Sales_Appointment__c", APPT_ID, fields,
					   &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	/* Refused before sending. */
	assert_int_equal(sf_sobject_update(c, "i360core__Sales_Appointment__c", "a0A5e000001AAAAEA5",
					   fields, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(sf_sobject_update(c, "X/../Y", APPT_ID, fields, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	json_decref(fields);

	assert_int_equal(sf_sobject_describe(c, "i360core__Sales_Appointment__c", &d, &e), 0);
	assert_int_equal(sf_picklist_values(d, "i360core__Status__c", &l, &e), 0);
	assert_int_equal(l.n, 1);
	sf_picklist_free(&l);
	json_decref(d);
	assert_int_equal(s.nreqs, 4);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

#define APPT_PATH "/services/data/v62.0/sobjects/i360core__Sales_Appointment__c/" APPT_ID

/* A conditional stage write: the record's LastModifiedDate and Salesforce's clock (the
 * Date header) read first, then PATCHes carrying If-Unmodified-Since; a 412 is a
 * precondition failure (ERR_CONFLICT), a 400 Salesforce's refusal, neither retried. */
static void test_update_unmodified_since(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", APPT_PATH "?fields=LastModifiedDate", 200,
		  "Date: Sun, 06 Nov 1994 08:49:37 GMT\n",
		  "{\"attributes\":{\"type\":\"i360core__Sales_Appointment__c\"},"
		  "\"LastModifiedDate\":\"1994-11-06T08:49:30.000+0000\",\"Id\":\"" APPT_ID "\"}",
		  0 },
		{ "PATCH", APPT_PATH, 204, "Date: Sun, 06 Nov 1994 08:49:38 GMT\n", NULL, 0 },
		{ "PATCH", APPT_PATH, 412, "Date: Sun, 06 Nov 1994 08:49:39 GMT\n",
		  "[{\"errorCode\":\"ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK\","
		  "\"message\":\"The record was modified after the date given\"}]", 0 },
		{ "PATCH", APPT_PATH, 400, NULL,
		  "[{\"errorCode\":\"INVALID_HEADER_VALUE\",\"message\":\"If-Unmodified-Since "
		  "is not a date\"}]", 0 },
		{ "GET", APPT_PATH "?fields=LastModifiedDate", 200, NULL, "{\"Id\":\"" APPT_ID "\"}",
		  0 },
	};
	struct canned_server s;
	struct sf_client *c;
	json_t *fields;
	int64_t modified, server;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 5), 0);
	c = client_for(&s);
	fields = json_pack("{s:s,s:n}", "i360core__Status__c", "Sale", "i360core__Status_Detail__c");
	assert_int_equal(sf_sobject_last_modified(c, "i360core__Sales_Appointment__c", APPT_ID,
						  &modified, &server, &e), 0);
	assert_int_equal(modified, INT64_C(784111770000));
	assert_int_equal(server, INT64_C(784111777000));
	assert_null(s.reqs[0].if_unmodified_since);

	/* The milliseconds are cut: the date sent is never later than the one asked. */
	assert_int_equal(sf_sobject_update_unmodified_since(c, "i360core__Sales_Appointment__c",
							    APPT_ID, fields, server - 1000 + 999,
							    &e), 0);
	assert_string_equal(s.reqs[1].if_unmodified_since, "Sun, 06 Nov 1994 08:49:36 GMT");
	assert_string_equal(s.reqs[1].content_type, "application/json");

	assert_int_equal(sf_sobject_update_unmodified_since(c, "i360core__Sales_Appointment__c",
							    APPT_ID, fields, server, &e), -1);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(sf_client_last_error(c)->kind, SF_ERROR_PRECONDITION);
	assert_int_equal(sf_client_last_error(c)->status, 412);
	assert_false(sf_client_last_error(c)->retryable);
	assert_string_equal(s.reqs[2].if_unmodified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_non_null(strstr(e.msg, "ENTITY_FAILED_IFLASTMODIFIED_ON_UPDATE_CHECK"));

	assert_int_equal(sf_sobject_update_unmodified_since(c, "i360core__Sales_Appointment__c",
							    APPT_ID, fields, server, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_int_equal(sf_client_last_error(c)->kind, SF_ERROR_REMOTE);
	assert_int_equal(sf_client_last_error(c)->status, 400);
	assert_string_equal(sf_client_last_error(c)->code, "INVALID_HEADER_VALUE");
	assert_non_null(strstr(e.msg, "If-Unmodified-Since is not a date"));

	/* An answer without the record's date is not understood. */
	assert_int_equal(sf_sobject_last_modified(c, "i360core__Sales_Appointment__c", APPT_ID,
						  &modified, &server, &e), -1);
	assert_int_equal(sf_client_last_error(c)->kind, SF_ERROR_PROTOCOL);
	assert_int_equal(modified, -1);
	assert_int_equal(server, -1);
	/* Nothing retried: one request per call. */
	assert_int_equal(s.nreqs, 5);
	assert_int_equal(sf_client_api_calls(c), 5);
	json_decref(fields);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_collection_per_record_results(void **state)
{
	static const struct canned_reply script[] = {
		{ "PATCH", "/services/data/v62.0/composite/sobjects", 200, NULL,
		  "[{\"id\":\"a0C5e000001AAAAEA4\",\"success\":true,\"errors\":[]},"
		  "{\"success\":false,\"errors\":[{\"statusCode\":\"FIELD_CUSTOM_VALIDATION_EXCEPTION\","
		  "\"message\":\"Result Detail is required\",\"fields\":[\"i360core__Result_Detail__c\"]}]},"
		  "{\"id\":\"a0C5e000001AAACEA4\",\"success\":false,\"errors\":[{\"statusCode\":"
		  "\"UNABLE_TO_LOCK_ROW\",\"message\":\"unable to obtain exclusive access\",\"fields\":[]}]}]", 0 },
		{ "POST", "/services/data/v62.0/composite/sobjects", 400, NULL,
		  "[{\"message\":\"Exceeded max limit of records\",\"errorCode\":\"EXCEEDED_ID_LIMIT\"}]", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_save_result res[3];
	json_t *recs, *sent;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 2), 0);
	c = client_for(&s);
	recs = json_pack("[{s:{s:s},s:s,s:s},{s:{s:s},s:s,s:s},{s:{s:s},s:s,s:s}]",
			 "attributes", "type", "i360core__Sales_Opportunity__c",
			 "Id", "a0C5e000001AAAAEA4", "i360core__Result__c", "Sale",
			 "attributes", "type", "i360core__Sales_Opportunity__c",
			 "Id", "a0C5e000001AAABEA4", "i360core__Result__c", "No Sale",
			 "attributes", "type", "i360core__Sales_Opportunity__c",
			 "Id", "a0C5e000001AAACEA4", "i360core__Result__c", "Sale");
	assert_non_null(recs);
	assert_int_equal(sf_sobject_collection(c, SF_COLLECTION_UPDATE, recs, 0, res, &e), 0);
	sent = json_loads(s.reqs[0].body, 0, NULL);
	assert_true(json_is_false(json_object_get(sent, "allOrNone")));
	assert_true(json_equal(json_object_get(sent, "records"), recs));
	json_decref(sent);
	assert_true(res[0].success);
	assert_string_equal(res[0].id, "a0C5e000001AAAAEA4");
	assert_false(res[1].success);
	assert_string_equal(res[1].id, "");
	assert_string_equal(res[1].error.code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
	assert_string_equal(res[1].error.fields, "i360core__Result_Detail__c");
	assert_false(res[1].error.retryable);
	assert_false(res[2].success);
	assert_true(res[2].error.retryable);

	assert_int_equal(sf_sobject_collection(c, SF_COLLECTION_CREATE, recs, 1, res, &e), -1);
	assert_int_equal(sf_client_last_error(c)->status, 400);
	json_decref(recs);

	recs = json_array();
	assert_int_equal(sf_sobject_collection(c, SF_COLLECTION_CREATE, recs, 1, res, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	json_decref(recs);
	assert_int_equal(s.nreqs, 2);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_and_describe),
		cmocka_unit_test(test_collection_per_record_results),
		cmocka_unit_test(test_update_unmodified_since),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

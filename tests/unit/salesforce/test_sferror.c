/* Unit tests of sferror and limits: each Salesforce error shape, kinds, Sforce-Limit-Info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "salesforce/limits.h"
#include "salesforce/sferror.h"

static void parse(struct sf_error *se, long status, const char *body)
{
	sf_error_from_response(se, status, body, body ? strlen(body) : 0);
}

static void test_rest_array_shape(void **state)
{
	struct sf_error se;
	struct err e;

	(void)state;
	parse(&se, 400, "[{\"message\":\"Bad value for restricted picklist field: Sold\","
	      "\"errorCode\":\"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST\","
	      "\"fields\":[\"i360core__Status__c\",\"i360core__Status_Detail__c\"]}]");
	assert_int_equal(se.kind, SF_ERROR_REMOTE);
	assert_int_equal(se.status, 400);
	assert_string_equal(se.code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
	assert_string_equal(se.message, "Bad value for restricted picklist field: Sold");
	assert_string_equal(se.fields, "i360core__Status__c, i360core__Status_Detail__c");
	assert_false(se.retryable);
	assert_int_equal(sf_error_to_err(&se, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_string_equal(e.msg, "Salesforce refused the request "
			    "(INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, HTTP 400): Bad value for "
			    "restricted picklist field: Sold (fields: i360core__Status__c, "
			    "i360core__Status_Detail__c)");

	parse(&se, 400, "[{\"message\":\"first\",\"errorCode\":\"A\"},{\"message\":\"second\","
	      "\"errorCode\":\"B\"}]");
	assert_string_equal(se.code, "A");
	assert_string_equal(se.message, "first (and 1 more errors)");
}

static void test_kinds(void **state)
{
	struct sf_error se;
	struct err e;

	(void)state;
	parse(&se, 401, "[{\"message\":\"Session expired or invalid\",\"errorCode\":"
	      "\"INVALID_SESSION_ID\"}]");
	assert_int_equal(se.kind, SF_ERROR_SESSION);
	sf_error_to_err(&se, &e);
	assert_int_equal(e.code, ERR_AUTH);

	parse(&se, 403, "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":"
	      "\"REQUEST_LIMIT_EXCEEDED\"}]");
	assert_int_equal(se.kind, SF_ERROR_LIMIT);
	assert_false(se.retryable);
	/* The code wins over a 5xx status. */
	parse(&se, 503, "[{\"message\":\"x\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
	assert_int_equal(se.kind, SF_ERROR_LIMIT);
	assert_false(se.retryable);

	parse(&se, 400, "[{\"message\":\"invalid query locator\",\"errorCode\":"
	      "\"INVALID_QUERY_LOCATOR\"}]");
	assert_int_equal(se.kind, SF_ERROR_QUERY_LOCATOR);

	parse(&se, 400, "[{\"message\":\"unable to obtain exclusive access to this record\","
	      "\"errorCode\":\"UNABLE_TO_LOCK_ROW\",\"fields\":[]}]");
	assert_int_equal(se.kind, SF_ERROR_TRANSIENT);
	assert_true(se.retryable);

	parse(&se, 503, "[{\"message\":\"Server unavailable\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]");
	assert_true(se.retryable);
	parse(&se, 502, "<html>Bad gateway</html>");
	assert_int_equal(se.kind, SF_ERROR_TRANSIENT);
	assert_string_equal(se.code, "");
	assert_string_equal(se.message, "unexpected answer with HTTP status 502");

	parse(&se, 404, "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource does "
	      "not exist\"}]");
	assert_int_equal(se.kind, SF_ERROR_NOT_FOUND);
	sf_error_to_err(&se, &e);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	parse(&se, 404, NULL);
	assert_int_equal(se.kind, SF_ERROR_NOT_FOUND);
}

static void test_oauth_shape(void **state)
{
	struct sf_error se;

	(void)state;
	parse(&se, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"expired "
	      "access/authentication token\"}");
	assert_string_equal(se.code, "invalid_grant");
	assert_string_equal(se.message, "expired access/authentication token");
	assert_int_equal(se.kind, SF_ERROR_REMOTE);
	parse(&se, 400, "{\"error\":\"invalid_client_id\",\"error_description\":\"client "
	      "identifier invalid\"}");
	assert_string_equal(se.code, "invalid_client_id");
	/* /services/oauth2/revoke answers its errors as a form. */
	parse(&se, 400, "error=unsupported_token_type&error_description=this%20token%20type"
	      "%20is+not%20supported");
	assert_string_equal(se.code, "unsupported_token_type");
	assert_string_equal(se.message, "this token type is not supported");
	assert_int_equal(se.kind, SF_ERROR_REMOTE);
	parse(&se, 400, "<html><body>error=unsupported</body></html>");
	assert_string_equal(se.code, "");
	assert_string_equal(se.message, "unexpected answer with HTTP status 400");
}

static void test_collection_record_shape(void **state)
{
	struct sf_error se;
	json_t *j = json_loads("{\"statusCode\":\"FIELD_CUSTOM_VALIDATION_EXCEPTION\","
			       "\"message\":\"Result Detail is required\",\"fields\":"
			       "[\"i360core__Result_Detail__c\"]}", 0, NULL);

	(void)state;
	assert_non_null(j);
	sf_error_from_record(&se, 200, j);
	assert_string_equal(se.code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
	assert_string_equal(se.message, "Result Detail is required");
	assert_string_equal(se.fields, "i360core__Result_Detail__c");
	assert_int_equal(se.kind, SF_ERROR_REMOTE);
	json_decref(j);
	sf_error_from_record(&se, 200, NULL);
	assert_string_equal(se.message, "the record was not saved");
}

static void test_limits(void **state)
{
	struct sf_limits l = { 0 };

	(void)state;
	assert_int_equal(sf_limits_parse("api-usage=18/15000", &l), 0);
	assert_true(l.known);
	assert_int_equal(l.used, 18);
	assert_int_equal(l.max, 15000);
	assert_int_equal(sf_limits_percent(&l), 0);
	assert_int_equal(sf_limits_parse("per-app-api-usage=17/250(appName=OCC); "
					 "api-usage=12001/15000", &l), 0);
	assert_int_equal(l.used, 12001);
	assert_int_equal(sf_limits_percent(&l), 80);
	assert_int_equal(sf_limits_parse("api-usage=12/15000; per-app-api-usage=3/250("
					 "appName=OCC)", &l), 0);
	assert_int_equal(l.used, 12);
	/* Malformed values leave the last good reading. */
	assert_int_equal(sf_limits_parse("per-app-api-usage=17/250(appName=OCC)", &l), -1);
	assert_int_equal(sf_limits_parse("api-usage=/15000", &l), -1);
	assert_int_equal(sf_limits_parse("api-usage=1/x", &l), -1);
	assert_int_equal(sf_limits_parse("api-usage=1/2x", &l), -1);
	assert_int_equal(sf_limits_parse(NULL, &l), -1);
	assert_int_equal(l.used, 12);
	assert_int_equal(l.max, 15000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest_array_shape),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_oauth_shape),
		cmocka_unit_test(test_collection_record_shape),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

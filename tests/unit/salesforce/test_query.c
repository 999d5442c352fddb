/* Unit tests of query and record: a 3-page chain, child pages, null children and parents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/salesforce/canned_server.h"

#include "salesforce/client.h"
#include "salesforce/query.h"
#include "salesforce/record.h"

#define REL "i360core__Sales_Appointment_Opportunities__r"
#define SOQL "SELECT Id, i360core__Contact_Name__c, (SELECT i360core__Sales_Opportunity__r.Id, " \
	"i360core__Sales_Opportunity__r.Name FROM " REL ") FROM i360core__Sales_Appointment__c " \
	"WHERE SystemModstamp > 2026-11-01T00:00:00Z AND i360core__Contact_Name__c != 'O\\'Hara+1'"
#define ATTR(type, id) "\"attributes\":{\"type\":\"" type "\",\"url\":\"/services/data/v62.0/sobjects/" type "/" id "\"}"
#define OPP(jid, oid, name) \
	"{" ATTR("i360core__Sales_Appointment_Opportunity__c", jid) ",\"i360core__Sales_Opportunity__r\":{" \
	ATTR("i360core__Sales_Opportunity__c", oid) ",\"Id\":\"" oid "\",\"Name\":\"" name "\"}}"
#define APPT(id, name, children) \
	"{" ATTR("i360core__Sales_Appointment__c", id) ",\"Id\":\"" id "\",\"i360core__Contact_Name__c\":" \
	name ",\"" REL "\":" children "}"

static const char page1[] =
	"{\"totalSize\":5,\"done\":false,\"nextRecordsUrl\":\"/services/data/v62.0/query/01gRO0000016PIAYA2-2000\","
	"\"records\":["
	APPT("a0A5e000001AAAAEA4", "\"Ann Lee\"",
	     "{\"totalSize\":3,\"done\":false,\"nextRecordsUrl\":\"/services/data/v62.0/query/01gRO0000016PIBYA2-1\","
	     "\"records\":[" OPP("a0D5e000001AAAAEA4", "a0C5e000001AAAAEA4", "Lee Windows") ","
	     "{" ATTR("i360core__Sales_Appointment_Opportunity__c", "a0D5e000001AAABEA4")
	     ",\"i360core__Sales_Opportunity__r\":null}]}") ","
	APPT("a0A5e000001AAABEA4", "null", "null") "]}";
static const char child_page[] =
	"{\"totalSize\":3,\"done\":true,\"records\":["
	OPP("a0D5e000001AAACEA4", "a0C5e000001AAACEA4", "Lee Doors") "]}";
static const char page2[] =
	"{\"totalSize\":5,\"done\":false,\"nextRecordsUrl\":\"/services/data/v62.0/query/01gRO0000016PIAYA2-4000\","
	"\"records\":[" APPT("a0A5e000001AAACEA4", "\"Zoë Ørsted\"", "null") ","
	APPT("a0A5e000001AAADEA4", "\"D\"", "null") "]}";
static const char page3[] =
	"{\"totalSize\":5,\"done\":true,\"records\":[" APPT("a0A5e000001AAAEEA4", "\"E\"", "null") "]}";

static struct sf_client *client_for(struct canned_server *s)
{
	struct sf_client_config cfg = { 0 };
	struct sf_client *c = sf_client_new(&cfg, NULL);

	assert_non_null(c);
	assert_int_equal(sf_client_set_tokens(c, s->base, "AT1", "RT1", NULL), 0);
	return c;
}

static void test_page_chain_and_children(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/queryAll?q=SELECT%20Id%2C", 200, NULL, page1, 0 },
		{ "GET", "/services/data/v62.0/query/01gRO0000016PIBYA2-1", 200, NULL, child_page, 0 },
		{ "GET", "/services/data/v62.0/query/01gRO0000016PIAYA2-2000", 200, NULL, page2, 0 },
		{ "GET", "/services/data/v62.0/query/01gRO0000016PIAYA2-4000", 200, NULL, page3, 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_query *q;
	json_t *recs, *rows, *rec;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 4), 0);
	c = client_for(&s);
	q = sf_query_open(c, SOQL, SF_QUERY_ALL, &e);
	assert_non_null(q);
	assert_int_equal(sf_query_total(q), -1);

	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_string_equal(s.reqs[0].q, SOQL);	/* sent whole, '+' and quotes encoded */
	assert_non_null(strstr(s.reqs[0].uri, "%2B1"));
	assert_int_equal(sf_query_total(q), 5);
	assert_int_equal(json_array_size(recs), 2);
	rec = json_array_get(recs, 0);
	assert_string_equal(sf_record_str(rec, "i360core__Contact_Name__c"), "Ann Lee");
	assert_string_equal(sf_record_str(rec, "attributes.type"), "i360core__Sales_Appointment__c");
	/* The child result is paged on its own: all three rows come back, in order. */
	assert_int_equal(sf_query_children(c, rec, REL, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(sf_record_str(json_array_get(rows, 0), "i360core__Sales_Opportunity__r.Id"),
			    "a0C5e000001AAAAEA4");
	assert_string_equal(sf_record_str(json_array_get(rows, 0), "i360core__Sales_Opportunity__r.Name"),
			    "Lee Windows");
	/* A null parent reads as absent, never as a crash. */
	assert_null(sf_record_get(json_array_get(rows, 1), "i360core__Sales_Opportunity__r"));
	assert_null(sf_record_str(json_array_get(rows, 1), "i360core__Sales_Opportunity__r.Id"));
	assert_string_equal(sf_record_str(json_array_get(rows, 2), "i360core__Sales_Opportunity__r.Name"),
			    "Lee Doors");
	json_decref(rows);
	/* A null child relationship is an empty list; a null field is NULL. */
	rec = json_array_get(recs, 1);
	assert_null(sf_record_str(rec, "i360core__Contact_Name__c"));
	assert_int_equal(sf_query_children(c, rec, REL, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);

	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(json_array_size(recs), 2);
	assert_string_equal(sf_record_str(json_array_get(recs, 0), "i360core__Contact_Name__c"),
			    "Zoë Ørsted");
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(json_array_size(recs), 1);
	assert_string_equal(sf_record_str(json_array_get(recs, 0), "Id"), "a0A5e000001AAAEEA4");
	assert_int_equal(sf_query_next(q, &recs, &e), 0);
	assert_null(recs);
	assert_int_equal(sf_query_next(q, &recs, &e), 0);
	assert_int_equal(s.nreqs, 4);
	assert_int_equal(sf_client_api_calls(c), 4);
	assert_string_equal(s.reqs[3].authorization, "Bearer AT1");
	sf_query_close(q);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_expired_locator_reported(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, page1, 0 },
		{ "GET", "/services/data/v62.0/query/01gRO0000016PIAYA2-2000", 400, NULL,
		  "[{\"message\":\"invalid query locator\",\"errorCode\":\"INVALID_QUERY_LOCATOR\"}]", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_query *q;
	json_t *recs;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 2), 0);
	c = client_for(&s);
	q = sf_query_open(c, "SELECT Id FROM i360core__Sales_Appointment__c", 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_int_equal(sf_client_last_error(c)->kind, SF_ERROR_QUERY_LOCATOR);
	assert_non_null(strstr(e.msg, "INVALID_QUERY_LOCATOR"));
	assert_int_equal(sf_query_next(q, &recs, &e), -1);	/* stays failed, sends nothing */
	assert_int_equal(s.nreqs, 2);
	sf_query_close(q);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_empty_and_malformed(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL,
		  "{\"totalSize\":0,\"done\":true,\"records\":[]}", 0 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, "{\"totalSize\":0}", 0 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL,
		  "{\"totalSize\":1,\"done\":false,\"nextRecordsUrl\":\"https://evil.example/x\","
		  "\"records\":[{\"Id\":\"a\"}]}", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_query *q;
	json_t *recs, *rows, *rec;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 3), 0);
	c = client_for(&s);
	q = sf_query_open(c, "SELECT Id FROM i360core__Staff__c", 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 0);
	assert_int_equal(sf_query_total(q), 0);
	sf_query_close(q);
	q = sf_query_open(c, "SELECT Id FROM i360core__Staff__c", 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_int_equal(sf_client_last_error(c)->kind, SF_ERROR_PROTOCOL);
	sf_query_close(q);
	/* A nextRecordsUrl off the instance is not followed with the token. */
	q = sf_query_open(c, "SELECT Id FROM i360core__Staff__c", 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	sf_query_close(q);
	assert_null(sf_query_open(c, "", 0, &e));
	assert_int_equal(e.code, ERR_INVALID);
	/* A relationship that is not a query result. */
	rec = json_pack("{s:s}", REL, "oops");
	assert_int_equal(sf_query_children(c, rec, REL, &rows, &e), -1);
	assert_null(rows);
	json_decref(rec);
	assert_null(sf_record_get(NULL, "Id"));
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_record_paths(void **state)
{
	json_t *r = json_loads("{\"A\":{\"B\":{\"C\":\"deep\",\"T\":true}},\"N\":null,\"S\":\"x\","
			       "\"I\":3}", 0, NULL);

	(void)state;
	assert_string_equal(sf_record_str(r, "A.B.C"), "deep");
	assert_true(sf_record_true(r, "A.B.T"));
	assert_false(sf_record_true(r, "A.B.C"));
	assert_null(sf_record_str(r, "A.B"));		/* an object, not a string */
	assert_null(sf_record_str(r, "N.X"));
	assert_null(sf_record_str(r, "S.X"));		/* through a string */
	assert_null(sf_record_str(r, "I"));
	assert_null(sf_record_str(r, "A..B"));
	assert_null(sf_record_str(r, "A.B.C."));
	assert_null(sf_record_str(r, ""));
	assert_null(sf_record_get(r, NULL));
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_chain_and_children),
		cmocka_unit_test(test_expired_locator_reported),
		cmocka_unit_test(test_empty_and_malformed),
		cmocka_unit_test(test_record_paths),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of query and record: a 3-page chain, child pages, null children and parents,
 * and the fetch-ahead of sf_query_prefetch (order, errors, a refresh, close, retries). */
#include <pthread.h>
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

/*
 * sf_query_prefetch. A 4-page result of 7 records (2, 2, 2, 1) through nextRecordsUrl;
 * the client has a refresh token, the consumer secret "cs" that REFRESHED signs with, a
 * sleep that only records, and an on_tokens that records the call and its thread.
 */
#define LOC "/services/data/v62.0/query/01gRO0000016PIQYA2-"
#define SIMPLE(id) "{" ATTR("i360core__Sales_Appointment__c", id) ",\"Id\":\"" id "\"}"
#define PF_SOQL "SELECT Id FROM i360core__Sales_Appointment__c"
#define SESSION_EXPIRED "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"
#define ID_URL "https://login.salesforce.com/id/00D5e000000abcdEAA/0055e000001XyZ1AAK"
/* Signed with HMAC-SHA256 under "cs" over ID_URL + issued_at (as in test_client.c). */
#define REFRESHED \
	"{\"access_token\":\"AT2\",\"refresh_token\":\"RT2\",\"signature\":" \
	"\"s/xjdClT+nkIInMBa/sXVuBEhN8kBUccNbLVRyLpJk0=\",\"scope\":\"refresh_token full\"," \
	"\"instance_url\":\"{{BASE}}\",\"id\":\"" ID_URL "\",\"token_type\":\"Bearer\"," \
	"\"issued_at\":\"1793545200000\"}"
#define UNAVAILABLE "[{\"message\":\"Server unavailable\",\"errorCode\":\"SERVER_UNAVAILABLE\"}]"

static const char pf_page1[] =
	"{\"totalSize\":7,\"done\":false,\"nextRecordsUrl\":\"" LOC "2\",\"records\":["
	SIMPLE("a0A5e000001PF01EA4") "," SIMPLE("a0A5e000001PF02EA4") "]}";
static const char pf_page2[] =
	"{\"totalSize\":7,\"done\":false,\"nextRecordsUrl\":\"" LOC "4\",\"records\":["
	SIMPLE("a0A5e000001PF03EA4") "," SIMPLE("a0A5e000001PF04EA4") "]}";
static const char pf_page3[] =
	"{\"totalSize\":7,\"done\":false,\"nextRecordsUrl\":\"" LOC "6\",\"records\":["
	SIMPLE("a0A5e000001PF05EA4") "," SIMPLE("a0A5e000001PF06EA4") "]}";
static const char pf_page4[] =
	"{\"totalSize\":7,\"done\":true,\"records\":[" SIMPLE("a0A5e000001PF07EA4") "]}";
static const char pf_all_ids[] =
	"a0A5e000001PF01EA4,a0A5e000001PF02EA4,a0A5e000001PF03EA4,a0A5e000001PF04EA4,"
	"a0A5e000001PF05EA4,a0A5e000001PF06EA4,a0A5e000001PF07EA4,";

struct pf_fixture {
	struct canned_server s;
	struct sf_client *c;
	int nsleeps;
	int token_calls;
	pthread_t token_thread;
	char access[64], refresh[64];
};

static void pf_record_sleep(void *arg, long ms)
{
	struct pf_fixture *f = arg;

	(void)ms;
	f->nsleeps++;
}

static void pf_record_tokens(void *arg, const struct sf_tokens *t)
{
	struct pf_fixture *f = arg;

	f->token_calls++;
	f->token_thread = pthread_self();
	snprintf(f->access, sizeof(f->access), "%s", t->access_token);
	snprintf(f->refresh, sizeof(f->refresh), "%s", t->refresh_token ? t->refresh_token : "");
}

static struct pf_fixture *pf_start(const struct canned_reply *script, size_t n)
{
	static struct pf_fixture f;
	struct sf_client_config cfg = { 0 };
	struct err e;

	memset(&f, 0, sizeof(f));
	assert_int_equal(canned_start(&f.s, script, n), 0);
	cfg.login_url = f.s.base;
	cfg.consumer_key = "ck";
	cfg.consumer_secret = "cs";
	cfg.sleep = pf_record_sleep;
	cfg.sleep_arg = &f;
	cfg.on_tokens = pf_record_tokens;
	cfg.tokens_arg = &f;
	f.c = sf_client_new(&cfg, &e);
	assert_non_null(f.c);
	assert_int_equal(sf_client_set_tokens(f.c, f.s.base, "AT1", "RT1", &e), 0);
	return &f;
}

/* The server's request count, read under its lock (its threads write it). */
static size_t pf_nreqs(struct canned_server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* The Authorization header of request i, copied under the server's lock. */
static const char *pf_auth(struct canned_server *s, size_t i, char *out, size_t n)
{
	pthread_mutex_lock(&s->mu);
	snprintf(out, n, "%s", i < s->nreqs && s->reqs[i].authorization ?
		 s->reqs[i].authorization : "");
	pthread_mutex_unlock(&s->mu);
	return out;
}

/* Waits (at most 2 s) until the server has received n requests. */
static void pf_wait_requests(struct canned_server *s, size_t n)
{
	struct timespec ms = { 0, 1000000L };

	for (int i = 0; i < 2000 && pf_nreqs(s) < n; i++)
		nanosleep(&ms, NULL);
	assert_true(pf_nreqs(s) >= n);
}

static void pf_stop(struct pf_fixture *f)
{
	int mismatches;
	char why[sizeof(f->s.mismatch)];

	pthread_mutex_lock(&f->s.mu);
	mismatches = f->s.mismatches;
	snprintf(why, sizeof(why), "%s", f->s.mismatch);
	pthread_mutex_unlock(&f->s.mu);
	if (mismatches)
		print_error("canned server: %s\n", why);
	assert_int_equal(mismatches, 0);
	sf_client_free(f->c);
	canned_stop(&f->s);
}

/* Appends the page's record Ids, each followed by ',', to out (size n). */
static void pf_append_ids(json_t *records, char *out, size_t n)
{
	size_t i, len = strlen(out);
	json_t *rec;

	json_array_foreach(records, i, rec) {
		assert_non_null(sf_record_str(rec, "Id"));
		snprintf(out + len, n - len, "%s,", sf_record_str(rec, "Id"));
		len = strlen(out);
	}
}

static long pf_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Proves that prefetching after every page gives every record once, in order, the same
 * as reading without it; that sf_query_prefetch is -1 before the first page and after
 * the last one (whose records stay valid), 0 in between; and that each page is one API
 * call, fetched from the nextRecordsUrl of the page before.
 */
static void test_prefetch_pages_in_order(void **state)
{
	static const struct canned_reply script[] = {
		/* without prefetch */
		{ "GET", "/services/data/v62.0/query?q=SELECT%20Id", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 0 },
		{ "GET", LOC "4", 200, NULL, pf_page3, 0 },
		{ "GET", LOC "6", 200, NULL, pf_page4, 0 },
		/* with prefetch */
		{ "GET", "/services/data/v62.0/query?q=SELECT%20Id", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 0 },
		{ "GET", LOC "4", 200, NULL, pf_page3, 0 },
		{ "GET", LOC "6", 200, NULL, pf_page4, 0 },
	};
	struct pf_fixture *f = pf_start(script, 8);
	struct sf_query *q;
	json_t *recs;
	struct err e;
	char plain[512] = "", ahead[512] = "";
	int pages = 0, rc;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_non_null(q);
	while ((rc = sf_query_next(q, &recs, &e)) == 1)
		pf_append_ids(recs, plain, sizeof(plain));
	assert_int_equal(rc, 0);
	sf_query_close(q);
	assert_string_equal(plain, pf_all_ids);
	assert_int_equal(sf_client_api_calls(f->c), 4);

	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_non_null(q);
	assert_int_equal(sf_query_prefetch(q), -1);	/* no page taken yet */
	assert_int_equal(pf_nreqs(&f->s), 4);		/* and nothing sent */
	while ((rc = sf_query_next(q, &recs, &e)) == 1) {
		pages++;
		pf_append_ids(recs, ahead, sizeof(ahead));
		if (pages < 4) {
			assert_int_equal(sf_query_prefetch(q), 0);
			continue;
		}
		/* The last page: nothing to fetch ahead, and the page is kept. */
		assert_int_equal(sf_query_prefetch(q), -1);
		assert_int_equal(json_array_size(recs), 1);
		assert_string_equal(sf_record_str(json_array_get(recs, 0), "Id"),
				    "a0A5e000001PF07EA4");
	}
	assert_int_equal(rc, 0);
	assert_null(recs);
	assert_int_equal(pages, 4);
	assert_int_equal(sf_query_total(q), 7);
	assert_int_equal(sf_query_prefetch(q), -1);	/* done */
	assert_int_equal(sf_query_next(q, &recs, &e), 0);
	sf_query_close(q);
	assert_string_equal(ahead, plain);
	assert_int_equal(sf_client_api_calls(f->c), 8);
	assert_int_equal(pf_nreqs(&f->s), 8);
	assert_int_equal(f->nsleeps, 0);
	assert_int_equal(f->token_calls, 0);
	pf_stop(f);
}

/*
 * Proves that a prefetched page that fails (an expired cursor on page 3; an answer that
 * is not a query result on page 2) fails the sf_query_next that takes it, with the
 * error and the client's last error kind, and that the query stays failed: later
 * calls fail (prefetch too) and send nothing.
 */
static void test_prefetch_failure_taken_by_next(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 0 },
		{ "GET", LOC "4", 400, NULL,
		  "[{\"message\":\"invalid query locator\",\"errorCode\":\"INVALID_QUERY_LOCATOR\"}]", 0 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 200, NULL, "{\"totalSize\":7}", 0 },
	};
	struct pf_fixture *f = pf_start(script, 5);
	struct sf_query *q;
	json_t *recs;
	struct err e;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_prefetch(q), 0);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_string_equal(sf_record_str(json_array_get(recs, 0), "Id"), "a0A5e000001PF03EA4");
	assert_int_equal(sf_query_prefetch(q), 0);
	err_clear(&e);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_null(recs);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_non_null(strstr(e.msg, "INVALID_QUERY_LOCATOR"));
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_QUERY_LOCATOR);
	assert_int_equal(sf_client_last_error(f->c)->status, 400);
	assert_int_equal(sf_query_prefetch(q), -1);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);	/* stays failed, sends nothing */
	assert_null(recs);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_int_equal(pf_nreqs(&f->s), 3);
	assert_int_equal(sf_client_api_calls(f->c), 3);
	sf_query_close(q);

	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_prefetch(q), 0);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_null(recs);
	assert_int_equal(sf_client_last_error(f->c)->kind, SF_ERROR_PROTOCOL);
	assert_int_equal(sf_query_prefetch(q), -1);
	assert_int_equal(sf_query_next(q, &recs, &e), -1);
	assert_int_equal(pf_nreqs(&f->s), 5);
	sf_query_close(q);
	assert_int_equal(f->nsleeps, 0);
	pf_stop(f);
}

/*
 * Proves that a token refresh made by the fetch thread (page 2 answered 401
 * INVALID_SESSION_ID for AT1) gets the page, and is reported to on_tokens exactly once,
 * on the caller's thread, when sf_query_next takes the page: not while the fetch is in
 * flight (checked once the server holds the repeated request, i.e. after the refresh).
 * Later pages use the new token, and a later refresh outside a prefetch is reported at
 * once again.
 */
static void test_prefetch_refresh_reported_on_caller_thread(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 150 },
		{ "GET", LOC "4", 200, NULL, pf_page3, 0 },
		{ "GET", LOC "6", 200, NULL, pf_page4, 0 },
		/* another query, without prefetch: a refresh is reported at once */
		{ "GET", "/services/data/v62.0/query?q=", 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED, 0 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page4, 0 },
	};
	struct pf_fixture *f = pf_start(script, 9);
	struct sf_query *q;
	json_t *recs;
	struct err e;
	char auth[64], ids[512] = "";
	int rc;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	pf_append_ids(recs, ids, sizeof(ids));
	assert_int_equal(sf_query_prefetch(q), 0);
	/* The refresh is done and the page is on its way (the server holds it 150 ms). */
	pf_wait_requests(&f->s, 4);
	assert_int_equal(f->token_calls, 0);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	pf_append_ids(recs, ids, sizeof(ids));
	assert_int_equal(f->token_calls, 1);
	assert_true(pthread_equal(f->token_thread, pthread_self()));
	assert_string_equal(f->access, "AT2");
	assert_string_equal(f->refresh, "RT2");
	assert_string_equal(pf_auth(&f->s, 1, auth, sizeof(auth)), "Bearer AT1");
	assert_string_equal(pf_auth(&f->s, 3, auth, sizeof(auth)), "Bearer AT2");
	while ((rc = sf_query_next(q, &recs, &e)) == 1) {
		pf_append_ids(recs, ids, sizeof(ids));
		sf_query_prefetch(q);
	}
	assert_int_equal(rc, 0);
	sf_query_close(q);
	assert_string_equal(ids, pf_all_ids);
	assert_int_equal(f->token_calls, 1);
	assert_string_equal(pf_auth(&f->s, 5, auth, sizeof(auth)), "Bearer AT2");
	assert_int_equal(sf_client_api_calls(f->c), 5);	/* the token call is not one */

	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(f->token_calls, 2);
	assert_true(pthread_equal(f->token_thread, pthread_self()));
	sf_query_close(q);
	assert_int_equal(pf_nreqs(&f->s), 9);
	pf_stop(f);
}

/*
 * Proves that sf_query_close while the prefetched page is still on its way (the server
 * holds it 200 ms) waits for the fetch, frees its page (no leak under AddressSanitizer)
 * and returns soon after; the client is the caller's again and serves a new query.
 */
static void test_prefetch_close_in_flight(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 200 },
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page4, 0 },
	};
	struct pf_fixture *f = pf_start(script, 3);
	struct sf_query *q;
	struct timespec t0;
	json_t *recs;
	struct err e;
	long ms;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_prefetch(q), 0);
	pf_wait_requests(&f->s, 2);	/* the fetch is in flight */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sf_query_close(q);
	ms = pf_ms_since(&t0);
	assert_true(ms < 1500);
	assert_int_equal(sf_client_api_calls(f->c), 2);

	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_string_equal(sf_record_str(json_array_get(recs, 0), "Id"), "a0A5e000001PF07EA4");
	sf_query_close(q);
	assert_int_equal(pf_nreqs(&f->s), 3);
	assert_int_equal(f->token_calls, 0);
	pf_stop(f);
}

/*
 * Proves that a query closed with a prefetch in flight that refreshed the token still
 * reports the new tokens (a rotated refresh token must not be lost), once, on the
 * caller's thread.
 */
static void test_prefetch_close_reports_refresh(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page1, 0 },
		{ "GET", LOC "2", 401, NULL, SESSION_EXPIRED, 0 },
		{ "POST", "/services/oauth2/token", 200, NULL, REFRESHED, 0 },
		{ "GET", LOC "2", 200, NULL, pf_page2, 100 },
	};
	struct pf_fixture *f = pf_start(script, 4);
	struct sf_query *q;
	json_t *recs;
	struct err e;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_prefetch(q), 0);
	pf_wait_requests(&f->s, 4);
	assert_int_equal(f->token_calls, 0);
	sf_query_close(q);
	assert_int_equal(f->token_calls, 1);
	assert_true(pthread_equal(f->token_thread, pthread_self()));
	assert_string_equal(f->refresh, "RT2");
	pf_stop(f);
}

/*
 * Proves that a retryable failure of the prefetched page (503 SERVER_UNAVAILABLE once)
 * is retried by the fetch thread, with the client's backoff (the injected sleep), and
 * the page arrives whole.
 */
static void test_prefetch_retries_transient(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/services/data/v62.0/query?q=", 200, NULL, pf_page3, 0 },
		{ "GET", LOC "6", 503, NULL, UNAVAILABLE, 0 },
		{ "GET", LOC "6", 200, NULL, pf_page4, 0 },
	};
	struct pf_fixture *f = pf_start(script, 3);
	struct sf_query *q;
	json_t *recs;
	struct err e;

	(void)state;
	q = sf_query_open(f->c, PF_SOQL, 0, &e);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(sf_query_prefetch(q), 0);
	assert_int_equal(sf_query_next(q, &recs, &e), 1);
	assert_int_equal(json_array_size(recs), 1);
	assert_string_equal(sf_record_str(json_array_get(recs, 0), "Id"), "a0A5e000001PF07EA4");
	assert_int_equal(f->nsleeps, 1);
	assert_int_equal(sf_client_api_calls(f->c), 3);
	assert_int_equal(sf_query_prefetch(q), -1);
	assert_int_equal(sf_query_next(q, &recs, &e), 0);
	sf_query_close(q);
	assert_int_equal(pf_nreqs(&f->s), 3);
	pf_stop(f);
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
		cmocka_unit_test(test_prefetch_pages_in_order),
		cmocka_unit_test(test_prefetch_failure_taken_by_next),
		cmocka_unit_test(test_prefetch_refresh_reported_on_caller_thread),
		cmocka_unit_test(test_prefetch_close_in_flight),
		cmocka_unit_test(test_prefetch_close_reports_refresh),
		cmocka_unit_test(test_prefetch_retries_transient),
		cmocka_unit_test(test_record_paths),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

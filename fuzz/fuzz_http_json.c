/* fuzz_http_json: any body sent to every JSON endpoint of the running service (SPEC §6),
 * and request_json's contract on the same body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/http.h"
#include "http/request.h"
#include "http/route.h"
#include "http/serve.h"
#include "i360/mapping.h"
#include "store/store.h"
#include "util/log.h"

/*
 * The input: one byte choosing the endpoint among route_table's JSON routes (so a new
 * one is fuzzed without an edit here), then the body. The org behind the bearer token
 * has a user, a staff member, result reasons and one job, so that valid bodies get as
 * far as the store.
 */
#define STAFF_ID "a0B5e00000RepOneAA"

static struct serve *srv;
static int port;
static char token[SEAL_TOKEN_LEN];
static char job_id[32];
static const struct route *routes[32];
static size_t nroutes;

static const char record[] =
	"{\"Id\":\"a0A5e00000AppOneAA\",\"i360core__Sales_Rep_1__c\":\"" STAFF_ID "\","
	"\"i360core__Contact_Name__c\":\"Ann Lee\",\"i360core__Contact_Phone__c\":"
	"\"Mobile: (555) 123-4567\",\"i360core__Product_Categories__c\":\"Windows;Doors\","
	"\"i360core__Type__c\":\"Sales Call\",\"i360core__Appointment_Date_Time__c\":"
	"\"2026-12-01T15:00:00.000+0000\",\"SystemModstamp\":\"2026-11-20T08:15:30.000+0000\","
	"\"i360core__Sales_Appointment_Opportunities__r\":{\"totalSize\":1,\"done\":true,"
	"\"records\":[{\"i360core__Sales_Opportunity__r\":{\"Id\":\"a0C5e00000OppOneAA\","
	"\"Name\":\"Lee Windows\",\"i360core__Interested_In__c\":\"Windows\"}}]}}";

static void srv_stop(void)
{
	serve_stop(srv);
}

/* The org, its data and its token, in a fresh SQLite store. */
static void seed_store(const char *db)
{
	static const struct store_reason_in contract[] = { { "Full Contract", 1, NULL, 0 } };
	static const struct store_reason_in cash[] = { { "Cash", 1, NULL, 0 } };
	static const struct store_reason_in appt[] = {
		{ "Ran - Sold", 1, contract, 1 }, { "No Sale", 1, NULL, 0 },
		{ "Retired", 0, NULL, 0 },
	};
	static const struct store_reason_in opp[] = { { "Sold", 1, cash, 1 } };
	enum store_upsert_result res;
	struct model_job job;
	struct err e;
	struct store *s = store_open(db, &e);
	json_t *rec = json_loads(record, 0, NULL);
	int64_t org, user, id;
	int created;

	FUZZ_CHECK(s != NULL && rec != NULL, "%s", e.msg);
	FUZZ_CHECK(store_org_create(s, "Fuzz Roofing", &org, token, &e) == 0 &&
		   store_user_add(s, org, "rep@example.com", "Rep One", &user, &e) == 0 &&
		   store_staff_upsert(s, org, STAFF_ID, "Rep One", "rep@example.com", &created,
				      &e) == 0 &&
		   store_reasons_replace(s, org, STORE_REASON_APPOINTMENT, appt, 3, &e) == 0 &&
		   store_reasons_replace(s, org, STORE_REASON_OPPORTUNITY, opp, 1, &e) == 0 &&
		   mapping_job_from_record(platform_schema(PLATFORM_LIGHTNING, NULL), rec, &job,
					   NULL, &e) == 0 &&
		   store_job_upsert(s, org, &job, user, &res, &id, &e) == 0, "%s", e.msg);
	snprintf(job_id, sizeof(job_id), "%lld", (long long)id);
	model_job_free(&job);
	json_decref(rec);
	store_close(s);
}

static void setup(void)
{
	struct serve_config c;
	char db[600];
	struct err e;
	const char *url;

	log_set_level(LOG_ERROR);	/* 4xx answers are the point here, not news */
	for (const struct route *r = route_table; r->method; r++)
		if (r->body == ROUTE_BODY_JSON && nroutes < sizeof(routes) / sizeof(routes[0]))
			routes[nroutes++] = r;
	FUZZ_CHECK(nroutes > 0, "no JSON route");
	snprintf(db, sizeof(db), "%s/fuzz.db", fuzz_tmpdir());
	seed_store(db);
	memset(&c, 0, sizeof(c));
	c.db_url = db;
	c.workers = 1;
	c.no_scheduler = 1;
	srv = serve_start(&c, &e);
	FUZZ_CHECK(srv != NULL, "serve_start: %s", e.msg);
	atexit(srv_stop);
	url = strrchr(serve_url(srv), ':');
	FUZZ_CHECK(url != NULL && sscanf(url + 1, "%d", &port) == 1, "%s", serve_url(srv));
}

/* The route's pattern with its parameters filled: :id the job, anything else the staff
 * member. */
static void path_of(const struct route *r, char *out, size_t n)
{
	const char *p = r->pattern;
	size_t len = 0;

	while (*p && len + 40 < n) {
		if (*p == ':') {
			const char *end = p + strcspn(p, "/");
			int is_id = end - p == 3 && strncmp(p, ":id", 3) == 0;

			len += (size_t)snprintf(out + len, n - len, "%s", is_id ? job_id : STAFF_ID);
			p = end;
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route *r;
	struct fuzz_http_answer a;
	struct request req;
	struct err e;
	json_t *parsed, *answer, *err;
	char path[256], head[512];
	int ok;

	if (size < 1)
		return 0;
	if (srv == NULL)
		setup();
	r = routes[data[0] % nroutes];

	/* request_json: an object exactly when jansson (duplicates refused) reads one. */
	memset(&req, 0, sizeof(req));
	req.body = fuzz_cstr(data + 1, size - 1);
	req.body_len = size - 1;
	parsed = json_loadb(req.body, req.body_len, JSON_REJECT_DUPLICATES, NULL);
	answer = (json_t *)&answer;
	ok = request_json(&req, &answer, &e) == 0;
	FUZZ_CHECK(ok == json_is_object(parsed), "request_json %s a body jansson reads as %d",
		   ok ? "took" : "refused", parsed ? (int)json_typeof(parsed) : -1);
	FUZZ_CHECK(ok ? answer != NULL && json_equal(answer, parsed) : answer == NULL,
		   "request_json's object");
	FUZZ_CHECK(ok || (e.code == ERR_INVALID && e.msg[0]), "request_json: %s", e.msg);
	json_decref(answer);
	json_decref(parsed);
	free((char *)req.body);

	/* The service: 2xx with JSON, or 4xx with {"error": "a sentence"}; never 5xx. */
	path_of(r, path, sizeof(path));
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
		 "%s\r\nContent-Type: application/json\r\n", r->method, path, token);
	fuzz_http_send(port, head, data + 1, size - 1, &a);
	FUZZ_CHECK(a.status >= 200 && a.status < 500, "%s %s answered %d: %s", r->method, path,
		   a.status, a.body);
	FUZZ_CHECK(ok || a.status == 400, "%s %s took a body request_json refuses: %d",
		   r->method, path, a.status);
	answer = a.len ? json_loadb(a.body, a.len, 0, NULL) : NULL;
	FUZZ_CHECK(a.len == 0 || answer != NULL, "%s %s answered %d with no JSON: %.200s",
		   r->method, path, a.status, a.body);
	if (a.status >= 400) {
		err = json_object_get(answer, "error");
		FUZZ_CHECK(json_is_string(err) && json_string_length(err) > 0,
			   "%s %s answered %d without an error sentence: %.200s", r->method, path,
			   a.status, a.body);
	}
	json_decref(answer);
	fuzz_http_answer_free(&a);
	return 0;
}

/* test_http: i360-sandbox over real sockets with libcurl — paging, errors, faults, OAuth
 * edges and the control endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "sandbox/sandbox.h"
#include "sandbox/sfid.h"
#include "util/buf.h"
#include "util/isotime.h"

#include "sbcall.h"

static struct sandbox *sb;
static char token[256];
static char refresh_token[256];

/* One request; path is relative to the sandbox URL unless it starts with "http". */
static struct resp call(const char *method, const char *path, const char *ctype,
			const char *body, size_t body_len, const char *bearer)
{
	char hdr[400];
	const char *headers[] = { ctype ? hdr : NULL, NULL };

	if (ctype)
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
	return sbcall(sandbox_url(sb), method, path, headers, body, body_len, bearer);
}

static struct resp get(const char *path)
{
	return call("GET", path, NULL, NULL, 0, token);
}

static struct resp post_json(const char *path, const char *json)
{
	return call("POST", path, "application/json", json, strlen(json), token);
}

static struct resp post_form(const char *path, const char *form)
{
	return call("POST", path, "application/x-www-form-urlencoded", form, strlen(form), NULL);
}

static void knobs(const char *json)
{
	struct err e;
	json_t *k = json_loads(json, 0, NULL);

	assert_non_null(k);
	assert_int_equal(sandbox_set_knobs(sb, k, &e), 0);
	json_decref(k);
}

static const char *error_code(const struct resp *r)
{
	return json_string_value(json_object_get(json_array_get(r->json, 0), "errorCode"));
}

/* The code out of a 302 Location. */

static void fetch_tokens(void)
{
	sbcall_tokens(sandbox_url(sb), token, sizeof(token), refresh_token,
		      sizeof(refresh_token));
}

static int setup(void **state)
{
	struct sandbox_config c;
	static const char *cbs[] = { "http://localhost/cb" };

	(void)state;
	sandbox_config_defaults(&c);
	c.seed = 3;
	c.staff = 6;
	c.appointments = 40;
	c.auto_approve = 1;
	c.page_size = 10;
	c.child_page_size = 1;
	c.control = 1;
	c.callback_urls = cbs;
	c.ncallback_urls = 1;
	sb = sbcall_start(&c);
	fetch_tokens();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sbcall_stop(sb);
	return 0;
}

static void test_versions_and_not_found(void **state)
{
	struct resp r = call("GET", "/services/data/", NULL, NULL, 0, NULL);

	(void)state;
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(r.json) > 30);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 40), "label")),
			    "Spring '24");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json,
			    json_array_size(r.json) - 1), "url")), "/services/data/v68.0");
	resp_free(&r);
	r = get("/services/data/v68.0/limits");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = get("/services/data/v69.0/limits");
	assert_int_equal(r.status, 404);
	resp_free(&r);
	r = get("/services/data/v58.0/nothing");
	assert_int_equal(r.status, 404);
	assert_string_equal(error_code(&r), "NOT_FOUND");
	assert_non_null(strstr(r.headers.data, "Sforce-Limit-Info: api-usage="));
	resp_free(&r);
	r = get("/services/data/v58.0/sobjects/Nope__c/describe");
	assert_int_equal(r.status, 404);
	resp_free(&r);
	r = call("GET", "/services/data/v58.0/limits", NULL, NULL, 0, "bogus");
	assert_int_equal(r.status, 401);
	assert_string_equal(error_code(&r), "INVALID_SESSION_ID");
	resp_free(&r);
}

/* The describe field named name of the answer r, or NULL. */
static json_t *describe_field(const struct resp *r, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(r->json, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
			return f;
	return NULL;
}

/* describe's filterable / sortable / groupable say what SOQL takes, as Salesforce's do:
 * a text area of 255 (an address street) is all three, a multi-select picklist is
 * filtered (INCLUDES) but neither sorted nor grouped, base64 none of them. */
static void test_describe_query_flags(void **state)
{
	static const struct {
		const char *object, *field;
		int filterable, sortable, groupable;
	} want[] = {
		{ "Account", "BillingStreet", 1, 1, 1 },
		{ "i360core__Sales_Appointment__c", "i360core__Street_Address__c", 1, 1, 1 },
		{ "i360core__Sales_Appointment__c", "i360core__Product_Categories__c", 1, 0, 0 },
		{ "i360core__Sales_Appointment__c", "SystemModstamp", 1, 1, 0 },
		{ "ContentVersion", "VersionData", 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char path[128];
		struct resp r;
		json_t *f;

		snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/%s/describe",
			 want[i].object);
		r = get(path);
		assert_int_equal(r.status, 200);
		f = describe_field(&r, want[i].field);
		assert_non_null(f);
		if (json_is_true(json_object_get(f, "filterable")) != want[i].filterable ||
		    json_is_true(json_object_get(f, "sortable")) != want[i].sortable ||
		    json_is_true(json_object_get(f, "groupable")) != want[i].groupable)
			fail_msg("%s.%s: filterable, sortable, groupable should be %d, %d, %d",
				 want[i].object, want[i].field, want[i].filterable,
				 want[i].sortable, want[i].groupable);
		resp_free(&r);
	}
}

static void test_paging_and_locators(void **state)
{
	struct resp r = get("/services/data/v58.0/queryAll?q=SELECT+Id+FROM+i360core__Sales_Appointment__c");
	size_t seen = 0;
	long total;
	char next[256];

	(void)state;
	assert_int_equal(r.status, 200);
	total = (long)json_integer_value(json_object_get(r.json, "totalSize"));
	assert_int_equal(total, 40);	/* queryAll: deleted ones too */
	while (r.json && json_is_false(json_object_get(r.json, "done"))) {
		seen += json_array_size(json_object_get(r.json, "records"));
		snprintf(next, sizeof(next), "%s",
			 json_string_value(json_object_get(r.json, "nextRecordsUrl")));
		assert_non_null(strstr(next, "/services/data/v58.0/query/01g"));
		resp_free(&r);
		r = get(next);
		assert_int_equal(r.status, 200);
	}
	seen += json_array_size(json_object_get(r.json, "records"));
	assert_int_equal(seen, 40);
	resp_free(&r);

	/* An expired cursor answers INVALID_QUERY_LOCATOR. */
	r = get("/services/data/v58.0/query?q=SELECT+Id+FROM+i360core__Sales_Appointment__c");
	snprintf(next, sizeof(next), "%s", json_string_value(json_object_get(r.json, "nextRecordsUrl")));
	resp_free(&r);
	sandbox_expire_cursors(sb);
	r = get(next);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "INVALID_QUERY_LOCATOR");
	resp_free(&r);
}

/* A cursor's later pages show the records as they were when the query ran (the rows
 * pin their versions): an update or a deletion after the first page does not show on
 * the second; a new query sees both. */
static void test_later_pages_show_records_as_queried(void **state)
{
	char path[512], next[256], ids[3][19];
	struct resp r;
	json_t *f, *recs;
	struct err e;

	(void)state;
	knobs("{\"page_size\": 1}");
	for (int i = 0; i < 3; i++)
		sfid_make(ids[i], "a0A", (unsigned long)(10 + i));
	snprintf(path, sizeof(path), "/services/data/v58.0/query?q=SELECT+Id,"
		 "i360core__Contact_Name__c+FROM+i360core__Sales_Appointment__c+WHERE+Id+IN+"
		 "('%s','%s','%s')+ORDER+BY+Id", ids[0], ids[1], ids[2]);
	r = get(path);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "totalSize")), 3);
	snprintf(next, sizeof(next), "%s", json_string_value(json_object_get(r.json, "nextRecordsUrl")));
	resp_free(&r);

	f = json_pack("{s:s}", "i360core__Contact_Name__c", "Changed After The Query");
	assert_int_equal(sandbox_record_update(sb, ids[1], f, &e), 0);
	json_decref(f);
	assert_int_equal(sandbox_record_delete(sb, ids[2], NULL, &e), 0);

	r = get(next);
	assert_int_equal(r.status, 200);
	recs = json_object_get(r.json, "records");
	assert_string_equal(json_string_value(json_object_get(json_array_get(recs, 0), "Id")), ids[1]);
	assert_true(json_string_value(json_object_get(json_array_get(recs, 0),
						      "i360core__Contact_Name__c")) == NULL ||
		    strcmp(json_string_value(json_object_get(json_array_get(recs, 0),
							     "i360core__Contact_Name__c")),
			   "Changed After The Query") != 0);
	snprintf(next, sizeof(next), "%s", json_string_value(json_object_get(r.json, "nextRecordsUrl")));
	resp_free(&r);
	r = get(next);	/* deleted since, but live when the query ran */
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r.json, "records"), 0), "Id")), ids[2]);
	assert_true(json_is_true(json_object_get(r.json, "done")));
	resp_free(&r);

	r = get(path);
	assert_int_equal(json_integer_value(json_object_get(r.json, "totalSize")), 2);
	resp_free(&r);
	snprintf(path, sizeof(path), "/services/data/v58.0/query?q=SELECT+i360core__Contact_Name__c+"
		 "FROM+i360core__Sales_Appointment__c+WHERE+Id+=+'%s'", ids[1]);
	r = get(path);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(r.json, "records"), 0), "i360core__Contact_Name__c")),
		"Changed After The Query");
	resp_free(&r);
	knobs("{\"page_size\": 10}");
}

static void test_child_results_page_on_their_own(void **state)
{
	struct resp r = get("/services/data/v58.0/query?q=SELECT+Id,(SELECT+Id+FROM+"
			    "i360core__Sales_Appointment_Opportunities__r)+FROM+"
			    "i360core__Sales_Appointment__c");
	json_t *recs = json_object_get(r.json, "records");
	int paged = 0, empty = 0;

	(void)state;
	for (size_t i = 0; i < json_array_size(recs); i++) {
		json_t *ch = json_object_get(json_array_get(recs, i),
					     "i360core__Sales_Appointment_Opportunities__r");

		empty += json_is_null(ch);
		if (json_is_false(json_object_get(ch, "done")) && !paged) {
			struct resp more = get(json_string_value(json_object_get(ch, "nextRecordsUrl")));

			assert_int_equal(more.status, 200);
			assert_int_equal(json_array_size(json_object_get(more.json, "records")), 1);
			assert_int_equal(json_integer_value(json_object_get(more.json, "totalSize")),
					 json_integer_value(json_object_get(ch, "totalSize")));
			paged = 1;
			resp_free(&more);
		}
	}
	assert_true(paged);
	assert_true(empty > 0);
	resp_free(&r);
}

static void test_quota_and_faults(void **state)
{
	struct resp r;
	long calls = sandbox_api_calls(sb);
	char quota[64];

	(void)state;
	snprintf(quota, sizeof(quota), "{\"api_quota\": %ld}", calls + 1);
	knobs(quota);
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "REQUEST_LIMIT_EXCEEDED");
	resp_free(&r);
	knobs("{\"api_quota\": 0, \"fail_rate\": 1.0}");
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 503);
	assert_string_equal(error_code(&r), "SERVER_UNAVAILABLE");
	resp_free(&r);
	knobs("{\"fail_rate\": 0, \"reset_rate\": 1.0}");
	r = get("/services/data/v58.0/limits");
	assert_int_not_equal(r.rc, CURLE_OK);	/* the connection closed without an answer */
	resp_free(&r);
	knobs("{\"reset_rate\": 0}");
}

static void test_drop_after_committed_write(void **state)
{
	struct resp r;
	char q[256];

	(void)state;
	knobs("{\"drop_after_writes\": 1}");
	r = post_json("/services/data/v58.0/sobjects/Account", "{\"Name\":\"Exactly Once Ltd\"}");
	assert_int_not_equal(r.rc, CURLE_OK);
	resp_free(&r);
	snprintf(q, sizeof(q), "/services/data/v58.0/query?q=SELECT+COUNT()+FROM+Account+WHERE+"
		 "Name='Exactly+Once+Ltd'");
	r = get(q);
	assert_int_equal(json_integer_value(json_object_get(r.json, "totalSize")), 1);
	resp_free(&r);
}

static void test_token_expiry_refresh_and_revoke(void **state)
{
	struct resp r;
	char form[512];

	(void)state;
	knobs("{\"token_ttl_calls\": 1}");
	fetch_tokens();	/* a fresh token: the lifetime counts every call made with it */
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 401);
	resp_free(&r);
	knobs("{\"token_ttl_calls\": 0, \"rotate_refresh_tokens\": 1}");
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s&client_id="
		 "sandbox-consumer-key&client_secret=sandbox-consumer-secret", refresh_token);
	r = call("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form,
		 strlen(form), NULL);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "expires_in"));
	assert_non_null(json_object_get(r.json, "refresh_token"));	/* rotated */
	snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(r.json, "access_token")));
	resp_free(&r);
	/* The old refresh token was rotated out. */
	r = call("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", form,
		 strlen(form), NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_grant");
	assert_string_equal(json_string_value(json_object_get(r.json, "error_description")),
			    "expired access/refresh token");
	resp_free(&r);
	knobs("{\"rotate_refresh_tokens\": 0}");
	snprintf(form, sizeof(form), "token=%s", token);
	r = call("POST", "/services/oauth2/revoke", "application/x-www-form-urlencoded", form,
		 strlen(form), NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = get("/services/data/v58.0/limits");
	assert_int_equal(r.status, 401);
	resp_free(&r);
	fetch_tokens();
}

static void test_oauth_refusals(void **state)
{
	struct resp r = call("GET", "/services/oauth2/authorize?response_type=code&client_id=nope"
			     "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb", NULL, NULL, 0, NULL);

	(void)state;
	assert_int_equal(r.status, 302);
	assert_non_null(strstr(r.headers.data, "error=invalid_client_id"));
	resp_free(&r);
	r = call("GET", "/services/oauth2/authorize?response_type=code&client_id=sandbox-consumer-key"
		 "&redirect_uri=http%3A%2F%2Fevil%2Fcb", NULL, NULL, 0, NULL);
	assert_non_null(strstr(r.headers.data, "error=redirect_uri_mismatch"));
	resp_free(&r);
	r = post_form("/services/oauth2/token",
		      "grant_type=authorization_code&code=x&client_id=nope&client_secret=y");
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_client_id");
	resp_free(&r);
	r = post_form("/services/oauth2/token", "grant_type=authorization_code&code=x&client_id="
		      "sandbox-consumer-key&client_secret=y");
	assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_client");
	resp_free(&r);
}

/* A query as the holder of access token at (the staff count), or -1 when refused. */
static long staff_count_as(const char *at)
{
	struct resp r = call("GET", "/services/data/v58.0/query?q=SELECT+COUNT()+FROM+"
			     "i360core__Staff__c", NULL, NULL, 0, at);
	long n = r.status == 200 ? (long)json_integer_value(json_object_get(r.json, "totalSize"))
				 : -1;

	resp_free(&r);
	return n;
}

/* The username-password and client-credentials flows, as client libraries log in with
 * them (jsforce's conn.login with an OAuth2 client, simple-salesforce with a consumer
 * key): tokens that work, no refresh token, Salesforce's refusals. */
static void test_password_and_client_credentials(void **state)
{
	static const char app[] = "&client_id=sandbox-consumer-key&client_secret="
				  "sandbox-consumer-secret";
	char form[512];
	struct resp r;

	(void)state;
	snprintf(form, sizeof(form), "grant_type=password&username=ADMIN%%40i360-sandbox.example"
		 "&password=sandbox-password%s", app);
	r = post_form("/services/oauth2/token", form);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "refresh_token"));
	assert_null(json_object_get(r.json, "scope"));
	assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
	assert_string_equal(json_string_value(json_object_get(r.json, "instance_url")),
			    sandbox_url(sb));
	assert_non_null(json_string_value(json_object_get(r.json, "signature")));
	assert_true(staff_count_as(json_string_value(json_object_get(r.json, "access_token"))) > 0);
	resp_free(&r);

	/* A wrong password, an unknown user: one answer for both, as Salesforce gives. */
	snprintf(form, sizeof(form), "grant_type=password&username=admin%%40i360-sandbox.example"
		 "&password=guess%s", app);
	r = post_form("/services/oauth2/token", form);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_grant");
	assert_string_equal(json_string_value(json_object_get(r.json, "error_description")),
			    "authentication failure");
	resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=password&username=someone%%40else.example"
		 "&password=sandbox-password%s", app);
	r = post_form("/services/oauth2/token", form);
	assert_string_equal(json_string_value(json_object_get(r.json, "error_description")),
			    "authentication failure");
	resp_free(&r);
	/* The right password through the wrong connected app is the app's refusal. */
	r = post_form("/services/oauth2/token", "grant_type=password&username=admin%40i360-sandbox"
		      ".example&password=sandbox-password&client_id=sandbox-consumer-key"
		      "&client_secret=nope");
	assert_string_equal(json_string_value(json_object_get(r.json, "error")), "invalid_client");
	resp_free(&r);

	snprintf(form, sizeof(form), "grant_type=client_credentials%s", app);
	r = post_form("/services/oauth2/token", form);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "refresh_token"));
	assert_string_equal(json_string_value(json_object_get(r.json, "scope")), "api");
	assert_true(staff_count_as(json_string_value(json_object_get(r.json, "access_token"))) > 0);
	resp_free(&r);
	r = post_form("/services/oauth2/token", "grant_type=jwt-bearer&client_id=sandbox-consumer-key"
		      "&client_secret=sandbox-consumer-secret");
	assert_string_equal(json_string_value(json_object_get(r.json, "error")),
			    "unsupported_grant_type");
	resp_free(&r);
}

#define SOAP_OPEN "<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/soap/envelope/\">"
#define SOAP_LOGIN(user, pass) SOAP_OPEN "<se:Header/><se:Body><login xmlns=\"urn:partner.soap" \
	".sforce.com\"><username>" user "</username><password>" pass "</password></login>" \
	"</se:Body></se:Envelope>"

static struct resp soap(const char *path, const char *xml)
{
	return call("POST", path, "text/xml", xml, strlen(xml), NULL);
}

/* The text of the first <name> element of an XML answer (at most n - 1 bytes). */
static const char *xml_value(const struct resp *r, const char *name, char *out, size_t n)
{
	char open[64];
	const char *p, *end;

	snprintf(open, sizeof(open), "<%s>", name);
	p = strstr(r->body.data, open);
	assert_non_null(p);
	p += strlen(open);
	end = strchr(p, '<');
	assert_non_null(end);
	snprintf(out, n, "%.*s", (int)(end - p), p);
	return out;
}

/* The partner SOAP API's login and logout, as jsforce's conn.login (without an OAuth2
 * client) and simple-salesforce sign in: a session the REST API takes; Salesforce's
 * faults, with the exceptionCode simple-salesforce reads. */
static void test_soap_login_logout(void **state)
{
	char session[256], server[256], org[32], logout[768];
	struct resp r;

	(void)state;
	r = soap("/services/Soap/u/58.0", SOAP_LOGIN("Admin@i360-sandbox.example",
						       "sandbox-password"));
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers.data, "Content-Type: text/xml"));
	xml_value(&r, "sessionId", session, sizeof(session));
	xml_value(&r, "serverUrl", server, sizeof(server));
	xml_value(&r, "organizationId", org, sizeof(org));
	assert_int_equal(strncmp(server, sandbox_url(sb), strlen(sandbox_url(sb))), 0);
	assert_string_equal(server + strlen(sandbox_url(sb)), "/services/Soap/u/58.0/00DDn0000000001");
	assert_int_equal(strncmp(session, org, 15), 0);
	assert_true(staff_count_as(session) > 0);
	resp_free(&r);

	r = soap("/services/Soap/u/58.0", SOAP_LOGIN("admin@i360-sandbox.example", "guess"));
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body.data, "<faultcode>sf:INVALID_LOGIN</faultcode>"));
	assert_non_null(strstr(r.body.data, "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>"));
	resp_free(&r);

	/* logout ends the session its SessionHeader names; a second one is refused. */
	snprintf(logout, sizeof(logout), SOAP_OPEN "<se:Header><SessionHeader xmlns=\"urn:partner"
		 ".soap.sforce.com\"><sessionId>%s</sessionId></SessionHeader></se:Header><se:Body>"
		 "<logout xmlns=\"urn:partner.soap.sforce.com\"/></se:Body></se:Envelope>", session);
	r = soap(server + strlen(sandbox_url(sb)), logout);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "<logoutResponse/>"));
	resp_free(&r);
	assert_int_equal(staff_count_as(session), -1);
	r = soap("/services/Soap/u/58.0", logout);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body.data, "<faultcode>sf:INVALID_SESSION_ID</faultcode>"));
	resp_free(&r);

	/* No entities to expand, no other operations, no other versions or methods. */
	r = soap("/services/Soap/u/58.0", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a "
		 "\"aaaa\">]>" SOAP_LOGIN("&a;", "sandbox-password"));
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body.data, "<faultcode>soapenv:Client</faultcode>"));
	assert_null(strstr(r.body.data, "sessionId"));
	resp_free(&r);
	r = soap("/services/Soap/u/58.0", SOAP_OPEN "<se:Body><query xmlns=\"urn:partner.soap"
		 ".sforce.com\"><queryString>SELECT Id FROM Account</queryString></query>"
		 "</se:Body></se:Envelope>");
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body.data, "No operation available for request "
			       "{urn:partner.soap.sforce.com}query"));
	resp_free(&r);
	r = soap("/services/Soap/u/69.0", SOAP_LOGIN("admin@i360-sandbox.example",
						       "sandbox-password"));
	assert_int_equal(r.status, 404);
	resp_free(&r);
	r = call("GET", "/services/Soap/u/58.0", NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 405);
	resp_free(&r);
}

static void test_control_late_commit(void **state)
{
	const char *in = "{\"op\":\"create\",\"type\":\"i360core__Staff__c\",\"fields\":{"
			 "\"Name\":\"Late Larry\",\"SystemModstamp\":\"2020-01-01T00:00:00Z\"}}";
	struct resp r = call("POST", "/_control/records", "application/json", in, strlen(in), NULL);
	struct resp q;

	(void)state;
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "record"),
							      "SystemModstamp")),
			    "2020-01-01T00:00:00.000+0000");
	q = get("/services/data/v58.0/query?q=SELECT+Name+FROM+i360core__Staff__c+WHERE+"
		"SystemModstamp+<+2021-01-01T00:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(q.json, "totalSize")), 1);
	resp_free(&q);
	resp_free(&r);
	r = call("GET", "/_control/stats", NULL, NULL, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "api_calls")), sandbox_api_calls(sb));
	resp_free(&r);
}

static void test_large_multipart_upload(void **state)
{
	size_t n = 21u * 1024 * 1024;
	char *data = malloc(n);
	CURL *c = curl_easy_init();
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part;
	struct curl_slist *h = NULL;
	struct buf body;
	char url[256], hdr[300];
	long status = 0;
	json_t *res, *blob_len;
	struct resp g;

	(void)state;
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31 + 7);
	buf_init(&body, 0);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "entity_content");
	curl_mime_data(part, "{\"PathOnClient\":\"big.pdf\",\"ReasonForChange\":\"occ-doc-9\"}",
		       CURL_ZERO_TERMINATED);
	curl_mime_type(part, "application/json");
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "VersionData");
	curl_mime_filename(part, "big.pdf");
	curl_mime_type(part, "application/pdf");
	curl_mime_data(part, data, n);
	snprintf(url, sizeof(url), "%s/services/data/v58.0/sobjects/ContentVersion", sandbox_url(sb));
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Transfer-Encoding: chunked");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sbcall_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 201);
	res = json_loads(body.data, 0, NULL);
	snprintf(url, sizeof(url), "/services/data/v58.0/query?q=SELECT+ContentSize+FROM+"
		 "ContentVersion+WHERE+Id='%s'", json_string_value(json_object_get(res, "id")));
	g = get(url);
	blob_len = json_object_get(json_array_get(json_object_get(g.json, "records"), 0), "ContentSize");
	assert_int_equal(json_integer_value(blob_len), n);
	resp_free(&g);
	json_decref(res);
	buf_free(&body);
	curl_slist_free_all(h);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	free(data);
}

static void test_composite_partial_success(void **state)
{
	struct resp r = post_json("/services/data/v58.0/composite/sobjects",
				  "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":"
				  "\"Account\"},\"Name\":\"Ok Co\"},{\"attributes\":{\"type\":"
				  "\"i360core__Sales_Opportunity__c\"},\"Name\":\"X\","
				  "\"i360core__Result__c\":\"Recission\"}]}");

	(void)state;
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(json_array_get(r.json, 0), "success")));
	assert_true(json_is_false(json_object_get(json_array_get(r.json, 1), "success")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(r.json, 1), "errors"), 0), "statusCode")),
		"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");	/* an inactive value */
	resp_free(&r);
}

/* sObject Collections retrieve (GET with ?ids&fields, POST with a body): records in the
 * order asked, null where an Id names nothing of that object; unknown fields are a 400,
 * on the single-record GET's ?fields= too. */
static void test_composite_retrieve(void **state)
{
	char a1[19], a2[19], gone[19], path[512], body[512];
	json_t *f = json_pack("{s:s}", "Name", "Retrieve A");
	struct err e;
	struct resp r;
	json_t *rec;

	(void)state;
	assert_int_equal(sandbox_record_create(sb, "Account", f, a1, &e), 0);
	json_object_set_new(f, "Name", json_string("Retrieve B"));
	assert_int_equal(sandbox_record_create(sb, "Account", f, a2, &e), 0);
	assert_int_equal(sandbox_record_create(sb, "Account", f, gone, &e), 0);
	assert_int_equal(sandbox_record_delete(sb, gone, NULL, &e), 0);
	json_decref(f);
	snprintf(path, sizeof(path), "/services/data/v58.0/composite/sobjects/Account?ids=%s,%.15s,"
		 "%s,junk,%s&fields=Name,%%20BillingCity", a2, a1, gone, a2);
	r = get(path);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 0), "Name")),
			    "Retrieve B");
	rec = json_array_get(r.json, 1);
	assert_string_equal(json_string_value(json_object_get(rec, "Name")), "Retrieve A");
	assert_true(json_is_null(json_object_get(rec, "BillingCity")));
	assert_null(json_object_get(rec, "Id"));	/* only the fields asked for */
	assert_string_equal(json_string_value(json_object_get(json_object_get(rec, "attributes"),
								"type")), "Account");
	assert_true(json_is_null(json_array_get(r.json, 2)));	/* in the recycle bin */
	assert_true(json_is_null(json_array_get(r.json, 3)));	/* not an Id */
	resp_free(&r);

	snprintf(body, sizeof(body), "{\"ids\":[\"%s\",\"%s\"],\"fields\":[\"id\",\"name\"]}",
		 a1, a2);
	r = post_json("/services/data/v58.0/composite/sobjects/Account", body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 0), "Id")), a1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 1), "Name")),
			    "Retrieve B");
	resp_free(&r);
	/* An Account Id asked for as a Staff record: no such Staff record. */
	snprintf(body, sizeof(body), "{\"ids\":[\"%s\"],\"fields\":[\"Name\"]}", a1);
	r = post_json("/services/data/v58.0/composite/sobjects/i360core__Staff__c", body);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_array_get(r.json, 0)));
	resp_free(&r);

	snprintf(body, sizeof(body), "{\"ids\":[\"%s\"],\"fields\":[\"Name\",\"Nope__c\"]}", a1);
	r = post_json("/services/data/v58.0/composite/sobjects/Account", body);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "INVALID_FIELD");
	resp_free(&r);
	snprintf(body, sizeof(body), "{\"ids\":[\"%s\"]}", a1);
	r = post_json("/services/data/v58.0/composite/sobjects/Account", body);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = get("/services/data/v58.0/composite/sobjects/Nope__c?ids=x&fields=Id");
	assert_int_equal(r.status, 404);
	resp_free(&r);

	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/%s?fields=Name,Nope__c",
		 a1);
	r = get(path);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "INVALID_FIELD");
	resp_free(&r);
	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/%s?fields=Name", a1);
	r = get(path);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_object_size(r.json), 2);	/* attributes and Name */
	resp_free(&r);
}

/* getUpdated / getDeleted: live records by SystemModstamp in [start, end) cut to the
 * minute, the recycle bin's by deletion time; Salesforce's INVALID_REPLICATION_DATE. */
static void test_replication(void **state)
{
	char live[19], gone[19], path[512], start[32], end[32], when[32];
	int64_t now = isotime_now_ms();
	json_t *f = json_pack("{s:s, s:s}", "Name", "Replica",
			      "SystemModstamp", isotime_format(when, now - 7200000));
	struct err e;
	struct resp r;

	(void)state;
	assert_int_equal(sandbox_record_create(sb, "Account", f, live, &e), 0);
	json_decref(f);
	f = json_pack("{s:s}", "Name", "Replica gone");
	assert_int_equal(sandbox_record_create(sb, "Account", f, gone, &e), 0);
	json_decref(f);
	assert_int_equal(sandbox_record_delete(sb, gone, isotime_format(when, now - 3600000), &e),
			 0);
	isotime_format(start, now - 3 * 3600000);
	isotime_format(end, now - 5400000);	/* 90 minutes ago: after live, before gone */
	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/updated/?start=%s&end=%s",
		 start, end);
	r = get(path);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "ids")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "ids"), 0)), live);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "latestDateCovered")),
			       ":00.000+0000"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/deleted/?start=%s&end=%s",
		 start, isotime_format(end, now + 3600000));
	r = get(path);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "deletedRecords")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		r.json, "deletedRecords"), 0), "id")), gone);
	assert_non_null(json_object_get(r.json, "earliestDateAvailable"));
	resp_free(&r);

	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/updated/?start=%s&end=%s",
		 end, start);
	r = get(path);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "INVALID_REPLICATION_DATE");
	resp_free(&r);
	snprintf(path, sizeof(path), "/services/data/v58.0/sobjects/Account/updated/?start=%s&end=%s",
		 isotime_format(start, now - 31LL * 86400000), end);
	r = get(path);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "INVALID_REPLICATION_DATE");
	resp_free(&r);
}

/* Revoke words its refusals as a form (jsforce and others parse them so). */
static void test_revoke_refusal_is_a_form(void **state)
{
	struct resp r = post_form("/services/oauth2/revoke", "token=nothing-of-ours");

	(void)state;
	assert_int_equal(r.status, 400);
	assert_null(r.json);
	assert_non_null(r.body.data);
	assert_string_equal(r.body.data, "error=invalid_token&error_description=invalid%20token");
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_and_not_found),
		cmocka_unit_test(test_describe_query_flags),
		cmocka_unit_test(test_paging_and_locators),
		cmocka_unit_test(test_child_results_page_on_their_own),
		cmocka_unit_test(test_later_pages_show_records_as_queried),
		cmocka_unit_test(test_quota_and_faults),
		cmocka_unit_test(test_drop_after_committed_write),
		cmocka_unit_test(test_token_expiry_refresh_and_revoke),
		cmocka_unit_test(test_oauth_refusals),
		cmocka_unit_test(test_password_and_client_credentials),
		cmocka_unit_test(test_soap_login_logout),
		cmocka_unit_test(test_control_late_commit),
		cmocka_unit_test(test_large_multipart_upload),
		cmocka_unit_test(test_composite_partial_success),
		cmocka_unit_test(test_composite_retrieve),
		cmocka_unit_test(test_replication),
		cmocka_unit_test(test_revoke_refusal_is_a_form),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

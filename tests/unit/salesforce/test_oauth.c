/* Unit tests of oauth: authorize URL, signature, code exchange, revoke, identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit/salesforce/canned_server.h"

#include "salesforce/client.h"
#include "salesforce/oauth.h"

#define ID_URL "https://login.salesforce.com/id/00D5e000000abcdEAA/0055e000001XyZ1AAK"
#define GOOD_SIG "s/xjdClT+nkIInMBa/sXVuBEhN8kBUccNbLVRyLpJk0="	/* "cs", ID_URL + 1793545200000 */
#define WRONG_KEY_SIG "BaBKB0YgsxW2QCi97qTrZKO/PsSlnIAAgDbSWy8ylpU="	/* "wrong", same message */
#define TOKEN_ANSWER(sig) \
	"{\"access_token\":\"00D5e000000abcd!AQ4AQ.secret\",\"refresh_token\":\"5Aep861secret\"," \
	"\"signature\":\"" sig "\",\"scope\":\"refresh_token full\",\"instance_url\":\"{{BASE}}\"," \
	"\"id\":\"" ID_URL "\",\"token_type\":\"Bearer\",\"issued_at\":\"1793545200000\"}"

static void test_authorize_url(void **state)
{
	struct buf b;
	struct err e;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(sf_oauth_authorize_url("https://login.salesforce.com", "3MVG9ck+/=",
						"https://api.remotesf.com/auth/improveit360/callback",
						"st-42", &b, &e), 0);
	assert_string_equal(b.data, "https://login.salesforce.com/services/oauth2/authorize?"
			    "response_type=code&client_id=3MVG9ck%2B%2F%3D&redirect_uri=https%3A%2F"
			    "%2Fapi.remotesf.com%2Fauth%2Fimproveit360%2Fcallback&state=st-42&scope="
			    "full%20refresh_token");
	assert_int_equal(sf_oauth_authorize_url("https://test.salesforce.com/", "k", "https://x/cb",
						"s", &b, &e), 0);
	assert_int_equal(strncmp(b.data, "https://test.salesforce.com/services/oauth2/authorize?",
				 54), 0);
	assert_int_equal(sf_oauth_authorize_url("https://acme.my.salesforce.com", "k",
						"https://x/cb", "s", &b, &e), 0);
	assert_int_equal(strncmp(b.data, "https://acme.my.salesforce.com/services/oauth2/", 47), 0);
	assert_int_equal(sf_oauth_authorize_url("http://login.salesforce.com", "k", "https://x/cb",
						"s", &b, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(sf_oauth_authorize_url("https://login.salesforce.com", "k", "https://x/cb",
						"", &b, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	buf_free(&b);
}

static void test_signature(void **state)
{
	(void)state;
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200000", GOOD_SIG), 0);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200000", WRONG_KEY_SIG),
			 -1);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200001", GOOD_SIG), -1);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL "x", "1793545200000", GOOD_SIG), -1);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200000", "not base64!"),
			 -1);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200000", "c2hvcnQ="), -1);
	assert_int_equal(sf_oauth_verify_signature("cs", ID_URL, "1793545200000", NULL), -1);
	assert_int_equal(sf_oauth_verify_signature("cs", NULL, "1793545200000", GOOD_SIG), -1);
}

static struct sf_client *client_for(struct canned_server *s)
{
	struct sf_client_config cfg = { 0 };
	struct err e;
	struct sf_client *c;

	cfg.login_url = s->base;
	cfg.consumer_key = "ck";
	cfg.consumer_secret = "cs";
	c = sf_client_new(&cfg, &e);
	assert_non_null(c);
	return c;
}

static void test_exchange_code(void **state)
{
	static const struct canned_reply script[] = {
		{ "POST", "/services/oauth2/token", 200, NULL, TOKEN_ANSWER(GOOD_SIG), 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_oauth_tokens t;
	struct err e;
	char v[128];

	(void)state;
	assert_int_equal(canned_start(&s, script, 1), 0);
	c = client_for(&s);
	assert_int_equal(sf_oauth_exchange_code(c, "aPrx+code==", "http://127.0.0.1:8360/auth/"
						"improveit360/callback", &t, &e), 0);
	assert_string_equal(canned_form_value(s.reqs[0].body, "grant_type", v, sizeof(v)),
			    "authorization_code");
	assert_string_equal(canned_form_value(s.reqs[0].body, "code", v, sizeof(v)), "aPrx+code==");
	assert_string_equal(canned_form_value(s.reqs[0].body, "client_id", v, sizeof(v)), "ck");
	assert_string_equal(canned_form_value(s.reqs[0].body, "client_secret", v, sizeof(v)), "cs");
	assert_string_equal(canned_form_value(s.reqs[0].body, "redirect_uri", v, sizeof(v)),
			    "http://127.0.0.1:8360/auth/improveit360/callback");
	assert_null(s.reqs[0].authorization);
	assert_string_equal(t.access_token, "00D5e000000abcd!AQ4AQ.secret");
	assert_string_equal(t.refresh_token, "5Aep861secret");
	assert_string_equal(t.instance_url, s.base);
	assert_string_equal(t.id_url, ID_URL);
	assert_string_equal(t.issued_at, "1793545200000");
	assert_string_equal(sf_client_instance_url(c), s.base);
	assert_int_equal(sf_client_api_calls(c), 0);
	sf_oauth_tokens_free(&t);
	sf_oauth_tokens_free(&t);
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_bad_signature_refused(void **state)
{
	static const struct canned_reply script[] = {
		{ "POST", "/services/oauth2/token", 200, NULL, TOKEN_ANSWER(WRONG_KEY_SIG), 0 },
		{ "POST", "/services/oauth2/token", 200, NULL,
		  "{\"access_token\":\"AT\",\"instance_url\":\"{{BASE}}\",\"id\":\"" ID_URL "\","
		  "\"issued_at\":\"1793545200000\"}", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_oauth_tokens t;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 2), 0);
	c = client_for(&s);
	assert_int_equal(sf_oauth_exchange_code(c, "code", "https://x/cb", &t, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "signature does not match"));
	assert_null(strstr(e.msg, "secret\""));
	assert_null(strstr(e.msg, "AQ4AQ"));
	assert_null(t.access_token);
	assert_null(sf_client_instance_url(c));
	/* No signature at all is refused the same way. */
	assert_int_equal(sf_oauth_exchange_code(c, "code", "https://x/cb", &t, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_null(sf_client_instance_url(c));
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

static void test_exchange_refused(void **state)
{
	static const struct canned_reply script[] = {
		{ "POST", "/services/oauth2/token", 400, NULL,
		  "{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_oauth_tokens t;
	struct err e;

	(void)state;
	assert_int_equal(canned_start(&s, script, 1), 0);
	c = client_for(&s);
	assert_int_equal(sf_oauth_exchange_code(c, "code", "https://x/cb", &t, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_string_equal(sf_client_last_error(c)->code, "invalid_client_id");
	assert_non_null(strstr(e.msg, "client identifier invalid"));
	assert_int_equal(s.nreqs, 1);
	sf_client_free(c);
	canned_stop(&s);
}

static void test_revoke_and_identity(void **state)
{
	static const struct canned_reply script[] = {
		{ "GET", "/id/00D5e000000abcdEAA/0055e000001XyZ1AAK", 200, NULL,
		  "{\"id\":\"x\",\"asserted_user\":true,\"user_id\":\"0055e000001XyZ1AAK\","
		  "\"organization_id\":\"00D5e000000abcdEAA\",\"username\":\"admin@acme.example\","
		  "\"nick_name\":\"admin\",\"display_name\":\"Åsa Admin\",\"email\":\"admin@acme.example\","
		  "\"status\":{\"created_date\":null,\"body\":null},\"active\":true}", 0 },
		{ "POST", "/services/oauth2/revoke", 200, NULL, "", 0 },
		{ "POST", "/services/oauth2/revoke", 400, NULL,
		  "error=invalid_token&error_description=invalid%20token", 0 },
		{ "POST", "/services/oauth2/revoke", 400, NULL,
		  "{\"error\":\"invalid_request\",\"error_description\":\"missing token\"}", 0 },
	};
	struct canned_server s;
	struct sf_client *c;
	struct sf_identity id;
	struct err e;
	char url[256], v[64];

	(void)state;
	assert_int_equal(canned_start(&s, script, 4), 0);
	c = client_for(&s);
	assert_int_equal(sf_client_set_tokens(c, s.base, "AT1", "RT1", &e), 0);
	snprintf(url, sizeof(url), "%s/id/00D5e000000abcdEAA/0055e000001XyZ1AAK", s.base);
	assert_int_equal(sf_oauth_identity(c, url, &id, &e), 0);
	assert_string_equal(id.username, "admin@acme.example");
	assert_string_equal(id.display_name, "Åsa Admin");
	assert_string_equal(id.organization_id, "00D5e000000abcdEAA");
	assert_string_equal(id.user_id, "0055e000001XyZ1AAK");
	assert_string_equal(s.reqs[0].authorization, "Bearer AT1");
	sf_oauth_identity_free(&id);
	assert_int_equal(sf_oauth_identity(c, "http://login.salesforce.com/id/x/y", &id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);

	assert_int_equal(sf_oauth_revoke(c, &e), 0);
	assert_string_equal(canned_form_value(s.reqs[1].body, "token", v, sizeof(v)), "RT1");
	assert_int_equal(sf_oauth_revoke(c, &e), 0);	/* already invalid: revoked */
	assert_int_equal(sf_oauth_revoke(c, &e), -1);
	assert_int_equal(e.code, ERR_REMOTE);
	assert_non_null(strstr(e.msg, "missing token"));
	sf_client_free(c);
	assert_int_equal(s.mismatches, 0);
	canned_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorize_url),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_exchange_code),
		cmocka_unit_test(test_bad_signature_refused),
		cmocka_unit_test(test_exchange_refused),
		cmocka_unit_test(test_revoke_and_identity),
	};

	if (sf_global_init(NULL) < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* fuzz_sandbox_soap: the sandbox's SOAP login and logout on any request body. Whatever
 * comes in, the answer is a well-formed XML envelope: a login or logout answer (200),
 * or a fault (500) whose text, which may quote the request, is escaped. */
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "fuzz/fuzz.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_int.h"

static struct sandbox *sb;

static void sandbox_free(void)
{
	sandbox_stop(sb);
}

static void setup(void)
{
	struct sandbox_config c;
	struct err e;

	sandbox_config_defaults(&c);
	c.staff = 2;
	c.appointments = 2;
	sb = sandbox_start(&c, &e);
	FUZZ_CHECK(sb != NULL, "%s", e.msg);
	atexit(sandbox_free);
}

/* Whether the n bytes at xml are one well-formed XML document. */
static int well_formed(const char *xml, size_t n)
{
	XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
	int ok;

	FUZZ_CHECK(p != NULL, "out of memory");
	ok = XML_Parse(p, xml, (int)n, XML_TRUE) == XML_STATUS_OK;
	XML_ParserFree(p);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer_req q = { 0 };
	struct reply r = { 0 };
	char *body;

	if (sb == NULL)
		setup();
	body = fuzz_cstr(data, size);
	q.method = "POST";
	q.path = "/services/Soap/u/58.0";
	q.body = body;
	q.body_len = size;
	FUZZ_CHECK(soap_route(sb, &q, &r) == 1, "a SOAP path was not answered");
	FUZZ_CHECK(r.status == 200 || r.status == 500, "status %d", r.status);
	FUZZ_CHECK(r.body != NULL && well_formed(r.body, r.len), "not XML: %.*s", (int)r.len,
		   r.body ? r.body : "");
	if (r.status == 200) {
		const char *s = strstr(r.body, "<sessionId>"), *end;

		FUZZ_CHECK(strstr(r.body, "<loginResponse>") || strstr(r.body, "<logoutResponse/>"),
			   "%.*s", (int)r.len, r.body);
		/* A login's session is ended, so that the org's sessions do not pile up. */
		if (s != NULL && (end = strstr(s, "</sessionId>")) != NULL) {
			char *id = strndup(s + 11, (size_t)(end - s - 11));

			FUZZ_CHECK(id && oauth_session_end(sb, id) == 0, "a session not kept");
			free(id);
		}
	} else {
		FUZZ_CHECK(strstr(r.body, "<soapenv:Fault><faultcode>") != NULL, "%.*s",
			   (int)r.len, r.body);
	}
	answer_free(&r);
	free(body);
	return 0;
}

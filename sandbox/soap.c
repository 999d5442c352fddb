/*
 * soap: the two calls of Salesforce's partner SOAP API that client libraries make to
 * sign in with a username and password — login, and logout — answered as Salesforce
 * answers them (jsforce's conn.login without an OAuth2 client, simple-salesforce's
 * default login). A session made here is a REST session like any other. Requests are
 * read with expat; every other SOAP operation is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "sandbox/objects.h"
#include "sandbox/sandbox_int.h"
#include "sandbox/seed.h"
#include "util/buf.h"

#define NS_ENV "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_PARTNER "urn:partner.soap.sforce.com"
#define VALUE_MAX 512

/* What a request says: its operation (the Body's first element, in the partner
 * namespace) and the few values login and logout read. */
struct call {
	XML_Parser parser;
	int depth;
	int body_depth;		/* the Body's depth, 0 until it opens */
	char op[32];		/* "" until the Body's first element opens */
	int op_partner;		/* that element is in the partner namespace */
	char username[VALUE_MAX], password[VALUE_MAX], session[VALUE_MAX];
	char *into;		/* the value the open element's text goes to, or NULL */
	size_t len;
	int too_long, doctype;
};

/* expat hands names as "namespace|local" (or "local"): whether name is local in ns. */
static int is(const char *name, const char *ns, const char *local)
{
	size_t n = strlen(ns);

	return strncmp(name, ns, n) == 0 && name[n] == '|' && strcmp(name + n + 1, local) == 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct call *c = ud;

	(void)attrs;
	c->depth++;
	c->into = NULL;
	if (c->body_depth == 0 && is(name, NS_ENV, "Body")) {
		c->body_depth = c->depth;
	} else if (c->body_depth && c->depth == c->body_depth + 1 && c->op[0] == '\0') {
		const char *bar = strchr(name, '|');

		snprintf(c->op, sizeof(c->op), "%s", bar ? bar + 1 : name);
		c->op_partner = bar && (size_t)(bar - name) == strlen(NS_PARTNER) &&
				strncmp(name, NS_PARTNER, strlen(NS_PARTNER)) == 0;
	} else if (is(name, NS_PARTNER, "username")) {
		c->into = c->username;
	} else if (is(name, NS_PARTNER, "password")) {
		c->into = c->password;
	} else if (is(name, NS_PARTNER, "sessionId")) {
		c->into = c->session;
	}
	if (c->into) {
		c->into[0] = '\0';
		c->len = 0;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct call *c = ud;

	(void)name;
	c->depth--;
	c->into = NULL;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int n)
{
	struct call *c = ud;

	if (c->into == NULL)
		return;
	if (c->len + (size_t)n >= VALUE_MAX) {
		c->too_long = 1;
		return;
	}
	memcpy(c->into + c->len, s, (size_t)n);
	c->len += (size_t)n;
	c->into[c->len] = '\0';
}

/* Salesforce takes no document type declaration (no entities to expand). */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int internal)
{
	struct call *c = ud;

	(void)name, (void)sysid, (void)pubid, (void)internal;
	c->doctype = 1;
	XML_StopParser(c->parser, XML_FALSE);
}


static void envelope_open(struct buf *b, const char *xmlns)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
		 "xmlns:soapenv=\"" NS_ENV "\" ");
	buf_puts(b, xmlns);
	buf_puts(b, " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>");
}

static void answer_xml(struct reply *r, int status, struct buf *b)
{
	buf_puts(b, "</soapenv:Body></soapenv:Envelope>");
	answer_take(r, status, "text/xml; charset=utf-8", b);
}

/*
 * A SOAP fault, HTTP 500, as Salesforce words them: faultcode "sf:CODE" (or
 * "soapenv:Client" when code is NULL), faultstring "CODE: message", and for an
 * exception (kind, e.g. "LoginFault") a detail with exceptionCode and exceptionMessage,
 * which simple-salesforce reads.
 */
static void fault(struct reply *r, const char *code, const char *kind, const char *msg)
{
	struct buf b;

	buf_init(&b, 1024);
	envelope_open(&b, "xmlns:sf=\"urn:fault.partner.soap.sforce.com\"");
	buf_puts(&b, "<soapenv:Fault><faultcode>");
	buf_puts(&b, code ? "sf:" : "soapenv:Client");
	answer_escape(&b, code);
	buf_puts(&b, "</faultcode><faultstring>");
	if (code) {
		answer_escape(&b, code);
		buf_puts(&b, ": ");
	}
	answer_escape(&b, msg);
	buf_puts(&b, "</faultstring>");
	if (code && kind) {
		buf_printf(&b, "<detail><sf:%s xsi:type=\"sf:%s\"><sf:exceptionCode>", kind, kind);
		answer_escape(&b, code);
		buf_puts(&b, "</sf:exceptionCode><sf:exceptionMessage>");
		answer_escape(&b, msg);
		buf_printf(&b, "</sf:exceptionMessage></sf:%s></detail>", kind);
	}
	buf_puts(&b, "</soapenv:Fault>");
	answer_xml(r, 500, &b);
}

/* <name>value</name>, value escaped; a NULL value is xsi:nil. */
static void element(struct buf *b, const char *name, const char *value)
{
	if (value == NULL) {
		buf_printf(b, "<%s xsi:nil=\"true\"/>", name);
		return;
	}
	buf_printf(b, "<%s>", name);
	answer_escape(b, value);
	buf_printf(b, "</%s>", name);
}

/* The user record's field name as text (borrowed from u), or NULL. */
static const char *user_field(json_t *u, const char *name)
{
	return json_string_value(json_object_get(u, name));
}

/* login: the org's one user with the sandbox's password (as the username-password
 * OAuth flow takes them); the answer names the SOAP and REST server and the session. */
static void login(struct sandbox *sb, const struct call *c, const char *version,
		  struct reply *r)
{
	char org[16], server[256];
	char *session;
	json_t *u = NULL;
	struct buf b;

	if (strcasecmp(c->username, SEED_ADMIN_USERNAME) != 0 ||
	    strcmp(c->password, sb->password) != 0) {
		fault(r, "INVALID_LOGIN", "LoginFault",
		      "Invalid username, password, security token; or user locked out.");
		return;
	}
	session = oauth_session_new(sb, NULL);
	if (session == NULL) {
		fault(r, "UNKNOWN_EXCEPTION", "UnexpectedErrorFault", "Out of memory.");
		return;
	}
	objects_rdlock(sb->store);
	{
		const struct objects_rec *rec = objects_get(sb->store, sb->user_id, NULL);

		u = rec ? objects_rec_json(rec) : NULL;
	}
	objects_unlock(sb->store);
	snprintf(org, sizeof(org), "%.15s", sb->org_id);
	buf_init(&b, 4096);
	envelope_open(&b, "xmlns=\"" NS_PARTNER "\"");
	buf_puts(&b, "<loginResponse><result>");
	snprintf(server, sizeof(server), "%s/services/Soap/m/%s/%s", sb->url, version, org);
	element(&b, "metadataServerUrl", server);
	element(&b, "passwordExpired", "false");
	element(&b, "sandbox", "false");
	snprintf(server, sizeof(server), "%s/services/Soap/u/%s/%s", sb->url, version, org);
	element(&b, "serverUrl", server);
	element(&b, "sessionId", session);
	element(&b, "userId", sb->user_id);
	buf_puts(&b, "<userInfo>");
	element(&b, "accessibilityMode", "false");
	element(&b, "currencySymbol", "$");
	element(&b, "orgDefaultCurrencyIsoCode", "USD");
	element(&b, "orgHasPersonAccounts", "false");
	element(&b, "organizationId", sb->org_id);
	element(&b, "organizationMultiCurrency", "false");
	element(&b, "organizationName", "ImproveIt360 Sandbox");
	element(&b, "sessionSecondsValid", "7200");
	element(&b, "userEmail", user_field(u, "Email"));
	element(&b, "userFullName", user_field(u, "Name"));
	element(&b, "userId", sb->user_id);
	element(&b, "userLanguage", "en_US");
	element(&b, "userLocale", "en_US");
	element(&b, "userName", user_field(u, "Username"));
	element(&b, "userTimeZone", user_field(u, "TimeZoneSidKey"));
	element(&b, "userType", "Standard");
	element(&b, "userUiSkin", "Theme3");
	buf_puts(&b, "</userInfo></result></loginResponse>");
	json_decref(u);
	free(session);
	answer_xml(r, 200, &b);
}

/* logout: ends the session the SessionHeader names. */
static void logout(struct sandbox *sb, const struct call *c, struct reply *r)
{
	struct buf b;

	if (c->session[0] == '\0' || oauth_session_end(sb, c->session) < 0) {
		fault(r, "INVALID_SESSION_ID", "UnexpectedErrorFault",
		      "Invalid Session ID found in SessionHeader: Illegal Session");
		return;
	}
	buf_init(&b, 512);
	envelope_open(&b, "xmlns=\"" NS_PARTNER "\"");
	buf_puts(&b, "<logoutResponse/>");
	answer_xml(r, 200, &b);
}

int soap_route(struct sandbox *sb, const struct answer_req *q, struct reply *r)
{
	const char *rest;
	char version[8], msg[256];
	struct call c;

	if (strncmp(q->path, "/services/Soap/", 15) != 0)
		return 0;
	/* "/services/Soap/u/58.0[/ORGID]" */
	if (strncmp(q->path, "/services/Soap/u/", 17) != 0 ||
	    sandbox__parse_version(q->path + 17, version, &rest) < 0) {
		struct sferr e;

		sferr_set(&e, 404, "NOT_FOUND", "The requested resource does not exist");
		answer_sferr(r, &e);
		return 1;
	}
	if (strcmp(q->method, "POST") != 0) {
		answer_text(r, 405, "text/plain;charset=UTF-8", "POST a SOAP envelope");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.parser = XML_ParserCreateNS("UTF-8", '|');
	if (c.parser == NULL) {
		fault(r, "UNKNOWN_EXCEPTION", "UnexpectedErrorFault", "Out of memory.");
		return 1;
	}
	XML_SetUserData(c.parser, &c);
	XML_SetElementHandler(c.parser, on_start, on_end);
	XML_SetCharacterDataHandler(c.parser, on_text);
	XML_SetStartDoctypeDeclHandler(c.parser, on_doctype);
	if (XML_Parse(c.parser, q->body ? q->body : "", (int)q->body_len, XML_TRUE) !=
	    XML_STATUS_OK || c.doctype) {
		snprintf(msg, sizeof(msg), "The request is not a SOAP envelope: %s at line %lu",
			 c.doctype ? "a document type declaration" :
			 XML_ErrorString(XML_GetErrorCode(c.parser)),
			 (unsigned long)XML_GetCurrentLineNumber(c.parser));
		fault(r, NULL, NULL, msg);
	} else if (c.too_long) {
		fault(r, NULL, NULL, "A value in the request is too long.");
	} else if (c.op_partner && strcmp(c.op, "login") == 0) {
		login(sb, &c, version, r);
	} else if (c.op_partner && strcmp(c.op, "logout") == 0) {
		logout(sb, &c, r);
	} else {
		/* Salesforce's words for an element it has no operation for; the sandbox
		 * serves the rest of the API over REST only. */
		snprintf(msg, sizeof(msg), "No operation available for request {%s}%s",
			 c.op_partner ? NS_PARTNER : "", c.op[0] ? c.op : "(none)");
		fault(r, NULL, NULL, msg);
	}
	XML_ParserFree(c.parser);
	return 1;
}

/* /api/openapi.json against the service itself: every route documented and every
 * documented path served, and real answers carrying what their schemas require. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>

#include "http/route.h"
#include "httptest.h"

static struct httptest T;
static json_t *doc;
static int64_t job_id, run_id;

static int setup(void **state)
{
	struct ht_resp r;
	char path[128];

	(void)state;
	httptest_start(&T, NULL, 1);
	run_id = ht_sync(&T);
	r = ht_get(&T, "/api/jobs?limit=1");
	job_id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "jobs"), 0), "id"));
	ht_resp_free(&r);
	/* A document and a stage push, so that those lists have members to check. */
	snprintf(path, sizeof(path), "/api/jobs/%lld/stage", (long long)job_id);
	r = ht_get(&T, "/api/integrations/improveit360/result-reasons");
	{
		json_t *res = json_array_get(json_object_get(r.json, "appointment"), 1);
		char body[256];

		snprintf(body, sizeof(body), "{\"appointment_result\":\"%s\"}",
			 json_string_value(json_object_get(res, "description")));
		ht_resp_free(&r);
		r = ht_send(&T, "PUT", path, body);
		ht_resp_free(&r);
	}
	r = ht_req(&T, "GET", "/api/openapi.json", NULL, NULL, NULL, 0);
	doc = json_incref(r.json);
	ht_resp_free(&r);
	return doc ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(doc);
	httptest_stop(&T);
	return 0;
}

/* "/api/jobs/:id/stage" → "/api/jobs/{id}/stage" */
static void openapi_path(const char *pattern, char *out, size_t n)
{
	size_t k = 0;

	for (const char *p = pattern; *p && k + 2 < n; p++) {
		if (*p == ':') {
			out[k++] = '{';
			while (p[1] && p[1] != '/' && k + 2 < n)
				out[k++] = *++p;
			out[k++] = '}';
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

static void lower(const char *s, char *out, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

static void test_routes_match_document(void **state)
{
	json_t *paths = json_object_get(doc, "paths"), *ops;
	const char *p, *m;
	json_t *op;
	char path[256], method[16];
	int missing = 0;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
	for (const struct route *r = route_table; r->method; r++) {
		openapi_path(r->pattern, path, sizeof(path));
		lower(r->method, method, sizeof(method));
		if (json_object_get(json_object_get(paths, path), method) == NULL) {
			fprintf(stderr, "undocumented: %s %s\n", r->method, path);
			missing++;
		}
	}
	json_object_foreach(paths, p, ops) {
		json_object_foreach(ops, m, op) {
			int found = 0;

			for (const struct route *r = route_table; r->method; r++) {
				openapi_path(r->pattern, path, sizeof(path));
				lower(r->method, method, sizeof(method));
				found |= strcmp(path, p) == 0 && strcmp(method, m) == 0;
			}
			if (!found) {
				fprintf(stderr, "documented but not served: %s %s\n", m, p);
				missing++;
			}
			assert_non_null(json_object_get(op, "responses"));
		}
	}
	assert_int_equal(missing, 0);
}

static json_t *resolve(json_t *schema)
{
	const char *ref = json_string_value(json_object_get(schema, "$ref"));

	if (ref == NULL)
		return schema;
	assert_int_equal(strncmp(ref, "#/components/schemas/", 21), 0);
	return json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"),
			       ref + 21);
}

/* Checks v against schema: types, nullability and required properties, recursively.
 * Returns the number of problems, printed with where they are. */
static int check(json_t *schema, json_t *v, const char *where)
{
	const char *type;
	json_t *all;
	int bad = 0;

	schema = resolve(schema);
	assert_non_null(schema);
	if ((all = json_object_get(schema, "allOf")) != NULL) {
		size_t i;
		json_t *s;

		if (json_is_null(v) && json_is_true(json_object_get(schema, "nullable")))
			return 0;
		json_array_foreach(all, i, s)
			bad += check(s, v, where);
		return bad;
	}
	if (json_object_get(schema, "oneOf"))
		return 0;
	if (json_is_null(v)) {
		if (json_is_true(json_object_get(schema, "nullable")))
			return 0;
		fprintf(stderr, "%s: null where the schema does not allow it\n", where);
		return 1;
	}
	type = json_string_value(json_object_get(schema, "type"));
	if (type == NULL)
		return 0;
	if (strcmp(type, "object") == 0) {
		json_t *req = json_object_get(schema, "required"), *props, *ps;
		const char *k;
		size_t i;
		json_t *name;
		char sub[512];

		if (!json_is_object(v)) {
			fprintf(stderr, "%s: not an object\n", where);
			return 1;
		}
		json_array_foreach(req, i, name) {
			if (json_object_get(v, json_string_value(name)) == NULL) {
				fprintf(stderr, "%s: required property %s is missing\n", where,
					json_string_value(name));
				bad++;
			}
		}
		props = json_object_get(schema, "properties");
		json_object_foreach(props, k, ps) {
			json_t *member = json_object_get(v, k);

			if (member == NULL)
				continue;
			snprintf(sub, sizeof(sub), "%s.%s", where, k);
			bad += check(ps, member, sub);
		}
	} else if (strcmp(type, "array") == 0) {
		size_t i;
		json_t *item;
		char sub[512];

		if (!json_is_array(v)) {
			fprintf(stderr, "%s: not an array\n", where);
			return 1;
		}
		json_array_foreach(v, i, item) {
			snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
			bad += check(json_object_get(schema, "items"), item, sub);
		}
	} else if ((strcmp(type, "string") == 0 && !json_is_string(v)) ||
		   (strcmp(type, "integer") == 0 && !json_is_integer(v)) ||
		   (strcmp(type, "boolean") == 0 && !json_is_boolean(v))) {
		fprintf(stderr, "%s: not a %s\n", where, type);
		bad++;
	}
	return bad;
}

/* Calls method path (the document's, {params} filled in) and checks the answer
 * against the documented response of its status. */
static int check_call(const char *method, const char *docpath, const char *body, long want)
{
	json_t *op = json_object_get(json_object_get(json_object_get(doc, "paths"), docpath), method);
	char path[512], status[8], upper[16], where[600];
	json_t *resp, *schema;
	struct ht_resp r;
	const char *p;
	size_t k = 0;
	int bad;

	for (p = docpath; *p && k + 24 < sizeof(path); p++) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			int64_t v = strncmp(p, "{id}", 4) == 0 && strstr(docpath, "sync-runs")
					    ? run_id : job_id;

			k += (size_t)snprintf(path + k, sizeof(path) - k, "%lld", (long long)v);
			p = end;
		} else {
			path[k++] = *p;
		}
	}
	path[k] = '\0';
	for (k = 0; method[k] && k + 1 < sizeof(upper); k++)
		upper[k] = (char)toupper((unsigned char)method[k]);
	upper[k] = '\0';
	r = ht_req(&T, upper, path, T.h.token, NULL, body, -1);
	if (want && r.status != want) {
		fprintf(stderr, "%s %s answered %ld, not %ld: %s\n", upper, path, r.status, want,
			r.body.data ? r.body.data : "");
		ht_resp_free(&r);
		return 1;
	}
	snprintf(status, sizeof(status), "%ld", r.status);
	resp = json_object_get(json_object_get(op, "responses"), status);
	if (resp == NULL) {
		fprintf(stderr, "%s %s answered %s, which is not documented\n", upper, path, status);
		ht_resp_free(&r);
		return 1;
	}
	schema = json_object_get(json_object_get(json_object_get(resp, "content"),
						 "application/json"), "schema");
	snprintf(where, sizeof(where), "%s %s (%s)", upper, path, status);
	bad = schema ? check(schema, r.json, where) : 0;
	ht_resp_free(&r);
	return bad;
}

static void test_answers_match_schemas(void **state)
{
	json_t *paths = json_object_get(doc, "paths"), *ops, *op;
	const char *p, *m;
	int bad = 0, checked = 0;

	(void)state;
	/* The checker itself catches a missing property, a wrong type and a bad null. */
	{
		json_t *err_schema = json_pack("{s:s}", "$ref", "#/components/schemas/Error");
		json_t *v1 = json_pack("{s:i}", "nope", 1), *v2 = json_pack("{s:i}", "error", 1);

		assert_int_equal(check(err_schema, v1, "self-test"), 1);
		assert_int_equal(check(err_schema, v2, "self-test"), 1);
		assert_int_equal(check(err_schema, json_null(), "self-test"), 1);
		json_decref(v1);
		json_decref(v2);
		json_decref(err_schema);
	}
	json_object_foreach(paths, p, ops) {
		json_object_foreach(ops, m, op) {
			json_t *rb = json_object_get(op, "requestBody");

			if (strcmp(m, "get") == 0) {
				/* The callback and the session need a browser's state: their
				 * bad paths are tested in test_callback and test_security. */
				if (strcmp(p, "/auth/improveit360/callback") == 0)
					continue;
				bad += check_call(m, p, NULL, strcmp(p, "/ui/session") == 0 ? 401 : 200);
				checked++;
			}
			/* Every JSON body endpoint refuses a broken body with a documented
			 * error. */
			if (rb && json_object_get(json_object_get(rb, "content"), "application/json")) {
				bad += check_call(m, p, "{broken", 400);
				checked++;
			}
		}
	}
	/* Successful writes, checked against their documented answers. */
	bad += check_call("post", "/api/users", "{\"email\":\"schema@example.com\",\"name\":\"S\"}", 201);
	bad += check_call("put", "/api/integrations/improveit360/settings", "{\"platform\":\"lightning\"}", 200);
	bad += check_call("post", "/api/integrations/improveit360/authorize",
			  "{\"consumer_key\":\"k\",\"consumer_secret\":\"s\"}", 200);
	bad += check_call("post", "/api/integrations/improveit360/sync", NULL, 0);
	bad += check_call("get", "/api/jobs/{id}", NULL, 200);
	assert_true(checked >= 19);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_match_document),
		cmocka_unit_test(test_answers_match_schemas),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* fuzz_sandbox_soql: the sandbox's SOQL lexer, parser and evaluator on any text, over a
 * small seeded org. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "sandbox/objects.h"
#include "sandbox/seed.h"
#include "sandbox/soql.h"

#define NOW_MS 1793491200000LL	/* 2026-11-01T00:00:00Z */

static struct objects *store;

static void store_free(void)
{
	objects_free(store);
}

static void setup(void)
{
	/* Small, so that each query stays fast, with every kind of record and mess. */
	struct seed_opts so = { .seed = 7, .staff = 4, .appointments = 12, .epoch_ms = NOW_MS };
	struct err e;

	store = objects_new();
	FUZZ_CHECK(store != NULL, "out of memory");
	atexit(store_free);
	objects_wrlock(store);
	FUZZ_CHECK(seed_generate(store, &so, &e) == 0, "%s", e.msg);
	objects_unlock(store);
}

/* Every record of a result has Salesforce's shape: attributes first, with its type (that
 * of the object queried, or AggregateResult). */
static void check_rows(json_t *rows, const char *type, const char *text)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		json_t *attrs = json_object_get(row, "attributes");

		FUZZ_CHECK(json_is_object(row) && json_is_object(attrs), "%s: row %zu", text, i);
		FUZZ_CHECK(json_is_string(json_object_get(attrs, "type")) &&
			   strcmp(json_string_value(json_object_get(attrs, "type")), type) == 0,
			   "%s: row %zu is not a %s", text, i, type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct soql_opts o = { .version = "59.0" };
	struct soql_query *q;
	struct sferr e;
	size_t total = 0;
	json_t *rows;
	char *text;

	if (fuzz_has_nul(data, size))
		return 0;
	if (store == NULL)
		setup();
	text = fuzz_cstr(data, size);
	sferr_clear(&e);
	q = soql_parse_at(text, NOW_MS, &e);
	if (q == NULL) {
		/* A refusal is Salesforce's: 400 with a code and a message, which locates a
		 * syntax error unless there is no query at all. */
		FUZZ_CHECK(e.status == 400 && e.code != NULL && e.msg[0] != '\0',
			   "refused %s with %d %s", text, e.status, e.code ? e.code : "(none)");
		FUZZ_CHECK(strstr(e.msg, "ERROR at Row:") != NULL ||
			   strcmp(e.code, "MALFORMED_QUERY") != 0 || text[strspn(text, " \t\r\n")] ==
			   '\0', "%s: %s", text, e.msg);
		free(text);
		return 0;
	}
	/* Both with the recycle bin (queryAll) and without (query). */
	for (int all = 0; all <= 1; all++) {
		o.all_rows = all;
		objects_rdlock(store);
		rows = soql_run(q, store, &o, &total, &e);
		objects_unlock(store);
		FUZZ_CHECK(rows != NULL && json_is_array(rows), "%s: %s", text, e.msg);
		FUZZ_CHECK(soql_is_count(q) ? json_array_size(rows) == 0
					    : json_array_size(rows) == total,
			   "%s: %zu rows, total %zu", text, json_array_size(rows), total);
		check_rows(rows, soql_is_aggregate(q) ? "AggregateResult" : soql_type(q)->name,
			   text);
		json_decref(rows);
	}
	soql_free(q);
	free(text);
	return 0;
}

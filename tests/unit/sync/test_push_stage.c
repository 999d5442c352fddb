/* Unit tests of push requests: stage validation, the stage kept while pushed, documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "sync/push.h"
#include "testutil.h"

#define APPT_ID "a0A5e000001AbCdEAF"
#define OPP1_ID "a0C5e000002XyZaEAB"
#define OPP2_ID "a0C5e000003XyZaEAC"

struct fx {
	struct store *s;
	char dir[512];
	int64_t org, other_org, job;
};

/* The pulled picklists: Status -> Status_Detail and Result -> Result_Detail, with an
 * inactive result and an inactive detail in each. */
static void pull_reasons(struct fx *f)
{
	const struct store_reason_in sold[] = { { "Full Contract", 1, NULL, 0 },
						{ "Contingent on Financing", 1, NULL, 0 } };
	const struct store_reason_in no_sale[] = { { "Price Too High", 1, NULL, 0 },
						   { "Contingent on Financing", 1, NULL, 0 } };
	const struct store_reason_in no_demo[] = { { "Not Home", 1, NULL, 0 },
						   { "Bad Lead", 0, NULL, 0 } };
	const struct store_reason_in appt[] = {
		{ "Scheduled", 1, NULL, 0 }, { "Ran - Sold", 1, sold, 2 },
		{ "Ran - No Sale", 1, no_sale, 2 }, { "No Demo", 1, no_demo, 2 },
		{ "Rescheduled", 0, NULL, 0 },
	};
	const struct store_reason_in cash[] = { { "Cash", 1, NULL, 0 }, { "Financed", 1, NULL, 0 } };
	const struct store_reason_in dns[] = { { "Price", 1, NULL, 0 } };
	const struct store_reason_in opp[] = {
		{ "Pending", 1, NULL, 0 }, { "Sold", 1, cash, 2 }, { "Demo No Sale", 1, dns, 1 },
		{ "Recission", 0, NULL, 0 },
	};
	struct err e;

	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_APPOINTMENT, appt, 5, &e), 0);
	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_OPPORTUNITY, opp, 4, &e), 0);
}

/* The appointment as a pull maps it. Its strings are literals, never freed or written
 * (the store only reads a model_job it is given). */
static void pulled(struct model_job *j, struct model_opportunity opps[2], const char *city,
		   const char *status, const char *opp1_result)
{
	memset(j, 0, sizeof(*j));
	memset(opps, 0, 2 * sizeof(*opps));
	j->appointment_id = (char *)APPT_ID;
	j->customer_name = (char *)"Ann Lee";
	j->name = (char *)"Ann Lee: Windows";
	j->city = (char *)city;
	j->summary = (char *)"Ann Lee: Windows - Sales Call";
	j->result = (char *)status;
	opps[0].id = (char *)OPP1_ID;
	opps[0].name = (char *)"Windows: Lee Windows";
	opps[0].result = (char *)opp1_result;
	opps[1].id = (char *)OPP2_ID;
	opps[1].name = (char *)"Doors: Lee Doors";
	opps[1].result = (char *)"Pending";
	j->opps = opps;
	j->nopps = 2;
	j->has_start = 1;
	j->start_ms = 1796137200000;
}

static enum store_upsert_result pull(struct fx *f, const char *city, const char *status,
				     const char *opp1_result)
{
	struct model_job j;
	struct model_opportunity opps[2];
	enum store_upsert_result res;
	struct err e;

	pulled(&j, opps, city, status, opp1_result);
	assert_int_equal(store_job_upsert(f->s, f->org, &j, 0, &res, &f->job, &e), 0);
	return res;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char token[SEAL_TOKEN_LEN];
	struct err e;

	unsetenv("I360BRIDGE_MASTER_KEY");
	snprintf(f->dir, sizeof(f->dir), "%s", testutil_tmpdir());
	f->s = store_open(testutil_path(f->dir, "t.db"), &e);
	assert_non_null(f->s);
	assert_int_equal(store_org_create(f->s, "Acme", &f->org, token, &e), 0);
	assert_int_equal(store_org_create(f->s, "Other", &f->other_org, token, &e), 0);
	pull_reasons(f);
	assert_int_equal(pull(f, "Austin", "Scheduled", "Pending"), STORE_UPSERT_CREATED);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	free(f);
	return 0;
}

static size_t outbox_count(struct fx *f)
{
	struct store_outbox_item *it;
	size_t n;
	struct err e;

	assert_int_equal(store_outbox_list(f->s, f->org, f->job, &it, &n, &e), 0);
	store_outbox_free(it, n);
	return n;
}

static int request(struct fx *f, const char *opp, const char *result, const char *detail,
		   int64_t *id, struct err *e)
{
	struct push_stage st = { opp, result, detail };

	return push_stage_request(f->s, f->org, f->job, &st, id, e);
}

static void assert_refused(struct fx *f, const char *opp, const char *result,
			   const char *detail, const char *names)
{
	struct store_job job;
	int64_t id = 99;
	struct err e;

	assert_int_equal(request(f, opp, result, detail, &id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(id, 0);
	if (strstr(e.msg, names) == NULL)
		fail_msg("\"%s\" does not name %s", e.msg, names);
	assert_int_equal(outbox_count(f), 0);
	assert_int_equal(store_job_get(f->s, f->org, f->job, &job, &e), 0);
	assert_string_equal(job.job.result, "Scheduled");
	assert_string_equal(job.job.opps[0].result, "Pending");
	store_job_free(&job);
}

static void test_invalid_stages_refused(void **state)
{
	struct fx *f = *state;
	int64_t id;
	struct err e;

	/* Unknown result: the valid (active) results are named, the inactive one is not. */
	assert_refused(f, NULL, "Sold Out", NULL, "\"Scheduled\", \"Ran - Sold\", \"Ran - No Sale\", \"No Demo\"");
	assert_refused(f, NULL, "Rescheduled", NULL, "no longer active");
	assert_refused(f, NULL, "", NULL, "\"Ran - Sold\"");
	assert_refused(f, NULL, NULL, NULL, "result is required");
	/* A detail of another result, an unknown one, an inactive one, and one for a
	 * result that takes none. */
	assert_refused(f, NULL, "Ran - Sold", "Price Too High",
		       "\"Full Contract\", \"Contingent on Financing\"");
	assert_refused(f, NULL, "Ran - Sold", "Nope", "not a valid detail for the result");
	assert_refused(f, NULL, "No Demo", "Bad Lead", "no longer active");
	assert_refused(f, NULL, "Scheduled", "Not Home", "takes no detail");
	/* The same rules for an opportunity, against its own picklists. */
	assert_refused(f, OPP1_ID, "Ran - Sold", NULL, "\"Pending\", \"Sold\", \"Demo No Sale\"");
	assert_refused(f, OPP1_ID, "Recission", NULL, "no longer active");
	assert_refused(f, OPP1_ID, "Sold", "Price", "\"Cash\", \"Financed\"");
	/* Not found: an opportunity not on the job, another org's job. */
	assert_int_equal(request(f, "a0C5e000009XyZaEAZ", "Sold", "Cash", &id, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	{
		struct push_stage st = { NULL, "Ran - Sold", NULL };
		assert_int_equal(push_stage_request(f->s, f->other_org, f->job, &st, &id, &e), -1);
		assert_int_equal(e.code, ERR_NOT_FOUND);
	}
	assert_int_equal(outbox_count(f), 0);
}

static void test_no_reasons_or_classic(void **state)
{
	struct fx *f = *state;
	int64_t id;
	struct err e;

	assert_int_equal(store_reasons_replace(f->s, f->org, STORE_REASON_APPOINTMENT, NULL, 0, &e), 0);
	assert_int_equal(request(f, NULL, "Ran - Sold", NULL, &id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "manual sync"));
	assert_int_equal(store_integration_set_settings(f->s, f->org, "classic", NULL, &e), 0);
	assert_int_equal(request(f, OPP1_ID, "Sold", "Cash", &id, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(outbox_count(f), 0);
}

static void test_stage_queued_and_shown(void **state)
{
	struct fx *f = *state;
	struct store_outbox_item *it;
	struct store_job job;
	json_t *p;
	int64_t id, id2;
	size_t n;
	struct err e;

	assert_int_equal(request(f, NULL, "Ran - Sold", "Full Contract", &id, &e), 0);
	assert_true(id > 0);
	assert_int_equal(request(f, OPP1_ID, "Sold", "Cash", &id2, &e), 0);
	assert_true(id2 > id);
	assert_int_equal(store_outbox_list(f->s, f->org, f->job, &it, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].kind, "appointment_stage");
	assert_string_equal(it[0].target_id, APPT_ID);
	assert_int_equal(it[0].state, STORE_OUTBOX_QUEUED);
	p = json_loads(it[0].payload, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(p, "i360core__Status__c")), "Ran - Sold");
	assert_string_equal(json_string_value(json_object_get(p, "i360core__Status_Detail__c")),
			    "Full Contract");
	assert_int_equal(json_object_size(p), 2);
	json_decref(p);
	assert_string_equal(it[1].kind, "opportunity_stage");
	assert_string_equal(it[1].target_id, OPP1_ID);
	p = json_loads(it[1].payload, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(p, "i360core__Result__c")), "Sold");
	assert_string_equal(json_string_value(json_object_get(p, "i360core__Result_Detail__c")), "Cash");
	json_decref(p);
	store_outbox_free(it, n);
	assert_int_equal(store_job_get(f->s, f->org, f->job, &job, &e), 0);
	assert_string_equal(job.job.result, "Ran - Sold");
	assert_string_equal(job.job.result_detail, "Full Contract");
	assert_string_equal(job.job.opps[0].result, "Sold");
	assert_string_equal(job.job.opps[0].result_detail, "Cash");
	assert_string_equal(job.job.opps[1].result, "Pending");
	store_job_free(&job);

	/* The same stage again queues nothing; a 15-character Id names the same record. */
	assert_int_equal(request(f, NULL, "Ran - Sold", "Full Contract", &id, &e), 0);
	assert_int_equal(id, 0);
	{
		char id15[16];
		memcpy(id15, OPP1_ID, 15);
		id15[15] = '\0';
		assert_int_equal(request(f, id15, "Sold", "Cash", &id, &e), 0);
		assert_int_equal(id, 0);
	}
	/* A detail cleared is a change, pushed as null. */
	assert_int_equal(request(f, NULL, "Ran - Sold", NULL, &id, &e), 0);
	assert_true(id > id2);
	assert_int_equal(store_outbox_list(f->s, f->org, f->job, &it, &n, &e), 0);
	assert_int_equal(n, 3);
	p = json_loads(it[2].payload, 0, NULL);
	assert_true(json_is_null(json_object_get(p, "i360core__Status_Detail__c")));
	json_decref(p);
	store_outbox_free(it, n);
}

/* The guard in store_job_upsert: a pull does not undo a stage being pushed. */
static void test_pull_keeps_pushed_stage(void **state)
{
	struct fx *f = *state;
	struct store_outbox_item *it;
	struct store_job job;
	int64_t id, id2;
	size_t n;
	struct err e;

	assert_int_equal(request(f, NULL, "Ran - Sold", "Full Contract", &id, &e), 0);
	assert_int_equal(request(f, OPP1_ID, "Sold", "Cash", &id2, &e), 0);
	/* I360 still has the old values: the pull changes nothing. */
	assert_int_equal(pull(f, "Austin", "Scheduled", "Pending"), STORE_UPSERT_UNCHANGED);
	/* Another field changed in I360: it is taken, the pushed stages stay. */
	assert_int_equal(pull(f, "Dallas", "Scheduled", "Pending"), STORE_UPSERT_UPDATED);
	assert_int_equal(store_job_get(f->s, f->org, f->job, &job, &e), 0);
	assert_string_equal(job.job.city, "Dallas");
	assert_string_equal(job.job.result, "Ran - Sold");
	assert_string_equal(job.job.result_detail, "Full Contract");
	assert_string_equal(job.job.opps[0].result, "Sold");
	assert_string_equal(job.job.opps[0].result_detail, "Cash");
	store_job_free(&job);
	/* Still kept while sending. */
	assert_int_equal(store_outbox_claim(f->s, "t", 1LL << 50, 60000, 10, &it, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pull(f, "Dallas", "Scheduled", "Pending"), STORE_UPSERT_UNCHANGED);
	/* Pushed: the pull brings the same values back and changes nothing. */
	assert_int_equal(store_outbox_done(f->s, it[0].id, NULL, &e), 0);
	assert_int_equal(store_outbox_done(f->s, it[1].id, NULL, &e), 0);
	store_outbox_free(it, n);
	{
		struct model_job j;
		struct model_opportunity opps[2];
		enum store_upsert_result res;

		pulled(&j, opps, "Dallas", "Ran - Sold", "Sold");
		j.result_detail = (char *)"Full Contract";
		opps[0].result_detail = (char *)"Cash";
		assert_int_equal(store_job_upsert(f->s, f->org, &j, 0, &res, NULL, &e), 0);
		assert_int_equal(res, STORE_UPSERT_UNCHANGED);
	}
	assert_int_equal(outbox_count(f), 2);
	/* With nothing pending, a change made in I360 afterwards is taken. */
	assert_int_equal(pull(f, "Dallas", "No Demo", "Pending"), STORE_UPSERT_UPDATED);
	assert_int_equal(store_job_get(f->s, f->org, f->job, &job, &e), 0);
	assert_string_equal(job.job.result, "No Demo");
	assert_null(job.job.result_detail);
	assert_string_equal(job.job.opps[0].result, "Pending");
	store_job_free(&job);
}

static void write_file(const char *path, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i * 7 % 251), fp);
	fclose(fp);
}

static void test_documents(void **state)
{
	struct fx *f = *state;
	struct store_document *d;
	struct store_outbox_item *it;
	unsigned char want[crypto_hash_sha256_BYTES], *data;
	char hex[65], src[600], docs[600];
	int64_t doc, doc2;
	size_t n;
	struct err e;
	int fd;

	snprintf(docs, sizeof(docs), "%s", testutil_path(f->dir, "docs"));
	assert_int_equal(mkdir(docs, 0700), 0);
	snprintf(src, sizeof(src), "%s", testutil_path(f->dir, "upload.tmp"));
	write_file(src, 100000);
	data = malloc(100000);
	for (size_t i = 0; i < 100000; i++)
		data[i] = (unsigned char)(i * 7 % 251);
	crypto_hash_sha256(want, data, 100000);
	free(data);
	sodium_bin2hex(hex, sizeof(hex), want, sizeof(want));

	assert_int_equal(push_document_add(f->s, docs, f->org, f->job, "Contract.pdf",
					   "application/pdf", src, &doc, &e), 0);
	assert_int_equal(access(src, F_OK), -1);	/* moved */
	assert_int_equal(store_document_list(f->s, f->org, f->job, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].id, doc);
	assert_int_equal(d[0].size, 100000);
	assert_string_equal(d[0].sha256, hex);
	assert_int_equal(strncmp(d[0].path, docs, strlen(docs)), 0);
	assert_int_equal(testutil_file_contains(d[0].path, "\x07\x0e\x15", 3), 1);
	assert_string_equal(d[0].push_state, "queued");
	store_documents_free(d, n);
	assert_int_equal(store_outbox_list(f->s, f->org, f->job, &it, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(it[0].kind, "document");
	assert_string_equal(it[0].target_id, OPP1_ID);	/* the first opportunity */
	assert_int_equal(it[0].document_id, doc);
	store_outbox_free(it, n);

	/* Preference "none": kept, not queued. */
	assert_int_equal(store_integration_set_settings(f->s, f->org, NULL, "none", &e), 0);
	write_file(src, 10);
	assert_int_equal(push_document_add(f->s, docs, f->org, f->job, "Notes.txt", NULL, src,
					   &doc2, &e), 0);
	assert_true(doc2 > doc);
	assert_int_equal(outbox_count(f), 1);

	/* Refusals leave nothing behind, not even the temporary file. */
	write_file(src, 10);
	assert_int_equal(push_document_add(f->s, docs, f->other_org, f->job, "x.txt", NULL, src,
					   &doc2, &e), -1);
	assert_int_equal(e.code, ERR_NOT_FOUND);
	assert_int_equal(access(src, F_OK), -1);
	write_file(src, 10);
	assert_int_equal(push_document_add(f->s, docs, f->org, f->job, "bad\ntitle", NULL, src,
					   &doc2, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(ftruncate(fd, PUSH_DOCUMENT_MAX + 1), 0);	/* sparse */
	close(fd);
	assert_int_equal(push_document_add(f->s, docs, f->org, f->job, "big.pdf", NULL, src,
					   &doc2, &e), -1);
	assert_int_equal(e.code, ERR_TOO_LARGE);
	assert_int_equal(access(src, F_OK), -1);
	assert_int_equal(store_document_list(f->s, f->org, f->job, &d, &n, &e), 0);
	assert_int_equal(n, 2);
	store_documents_free(d, n);
}

static void test_documents_dir(void **state)
{
	struct fx *f = *state;
	char url[600], *dir;
	struct err e;
	struct stat st;

	(void)f;
	unsetenv("I360BRIDGE_FILES");
	snprintf(url, sizeof(url), "sqlite:%s", testutil_path(f->dir, "x.db"));
	dir = push_documents_dir(url, &e);
	assert_non_null(dir);
	assert_string_equal(dir, testutil_path(f->dir, "x.db.files"));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(dir);
	setenv("I360BRIDGE_FILES", testutil_path(f->dir, "elsewhere"), 1);
	dir = push_documents_dir(url, &e);
	assert_string_equal(dir, testutil_path(f->dir, "elsewhere"));
	free(dir);
	unsetenv("I360BRIDGE_FILES");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invalid_stages_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reasons_or_classic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_queued_and_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pull_keeps_pushed_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_documents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_documents_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

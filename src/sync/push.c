/* push: stages validated against the pulled picklists and documents kept on disk,
 * queued in the outbox for I360. */
#include "sync/push.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i360/platform.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/fdio.h"
#include "util/log.h"

#define COPY_CHUNK ((size_t)64 << 10)

/* ---- Stages ------------------------------------------------------------------- */

static int same_id(const char *a, const char *b)
{
	return a && b && strlen(a) >= 15 && strlen(b) >= 15 && strncmp(a, b, 15) == 0;
}

/* Appends the active reasons under parent, as "A", "B", "C", to b. Returns how many. */
static size_t list_choices(struct buf *b, const struct store_reason *r, size_t n,
			   int64_t parent)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].parent_id != parent || !r[i].active)
			continue;
		buf_printf(b, "%s\"%s\"", k ? ", " : "", r[i].description);
		k++;
	}
	return k;
}

static const struct store_reason *find_reason(const struct store_reason *r, size_t n,
					      int64_t parent, const char *description)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].parent_id == parent && strcmp(r[i].description, description) == 0)
			return &r[i];
	return NULL;
}

/*
 * Checks result and detail against the pulled reasons of one kind (what names it in
 * messages: "appointment" or "opportunity"). ERR_INVALID naming the valid choices.
 */
static int validate_stage(const struct store_reason *r, size_t n, const char *what,
			  const char *result, const char *detail, struct err *e)
{
	const struct store_reason *res, *det;
	struct buf b;
	int rc = -1;

	buf_init(&b, ERR_MSG_MAX);
	if (n == 0)
		return err_set(e, ERR_INVALID, "no %s results have been pulled from ImproveIt360 "
			       "yet: run a manual sync first", what);
	if (result == NULL || *result == '\0') {
		list_choices(&b, r, n, 0);
		err_set(e, ERR_INVALID, "an %s result is required; the valid results are: %s",
			what, b.data ? b.data : "none");
		goto out;
	}
	res = find_reason(r, n, 0, result);
	if (res == NULL || !res->active) {
		list_choices(&b, r, n, 0);
		err_set(e, ERR_INVALID, res ? "\"%s\" is no longer active in ImproveIt360; the valid"
			" %s results are: %s" : "\"%s\" is not an ImproveIt360 result; the valid %s"
			" results are: %s", result, what, b.data ? b.data : "none");
		goto out;
	}
	if (detail == NULL || *detail == '\0') {
		rc = 0;
		goto out;
	}
	det = find_reason(r, n, res->id, detail);
	if (det == NULL || !det->active) {
		if (list_choices(&b, r, n, res->id) == 0)
			err_set(e, ERR_INVALID, "\"%s\" is not a valid detail for the result \"%s\","
				" which takes no detail", detail, result);
		else
			err_set(e, ERR_INVALID, det ? "\"%s\" is no longer active in ImproveIt360;"
				" the valid details for \"%s\" are: %s" : "\"%s\" is not a valid"
				" detail for the result \"%s\"; the valid details are: %s", detail,
				result, b.data);
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* The fields a stage push PATCHes: the result and its detail (null clears it). */
static char *stage_payload(const struct platform_picklist_pair *pair, const char *result,
			   const char *detail)
{
	json_t *o = json_object();
	char *text = NULL;

	if (o && json_object_set_new(o, pair->controlling, json_string(result)) == 0 &&
	    json_object_set_new(o, pair->dependent, detail && *detail ? json_string(detail) :
				json_null()) == 0)
		text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

int push_stage_request(struct store *s, int64_t org_id, int64_t job_id,
		       const struct push_stage *st, int64_t *outbox_id, struct err *e)
{
	struct store_integration in;
	struct store_job job;
	struct store_reason *r = NULL;
	const struct platform_schema *schema;
	const struct platform_picklist_pair *pair;
	struct store_push_stage sp;
	enum store_reason_kind kind;
	char *payload = NULL;
	size_t n = 0;
	int rc = -1, found = 0;

	*outbox_id = 0;
	if (store_integration_get(s, org_id, 0, &in, e) < 0)
		return -1;
	schema = platform_schema(platform_parse(in.platform), e);
	store_integration_free(&in);
	if (schema == NULL)
		return -1;
	if (store_job_get(s, org_id, job_id, &job, e) < 0)
		return -1;
	if (st->opportunity_id) {
		for (size_t i = 0; i < job.job.nopps; i++)
			found |= same_id(job.job.opps[i].id, st->opportunity_id);
		if (!found) {
			err_set(e, ERR_NOT_FOUND, "sales opportunity %s is not on job %lld",
				st->opportunity_id, (long long)job_id);
			goto out;
		}
	}
	kind = st->opportunity_id ? STORE_REASON_OPPORTUNITY : STORE_REASON_APPOINTMENT;
	pair = st->opportunity_id ? &schema->opp_result : &schema->appt_status;
	if (store_reasons_list(s, org_id, kind, &r, &n, e) < 0 ||
	    validate_stage(r, n, st->opportunity_id ? "opportunity" : "appointment", st->result,
			   st->result_detail, e) < 0)
		goto out;
	if ((payload = stage_payload(pair, st->result, st->result_detail)) == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	sp.opportunity_id = st->opportunity_id;
	sp.result = st->result;
	sp.result_detail = st->result_detail;
	sp.payload = payload;
	if (store_push_stage(s, org_id, job_id, &sp, outbox_id, e) < 0)
		goto out;
	if (*outbox_id)
		log_info("push.stage_queued", "org=%lld job=%lld outbox=%lld kind=%s",
			 (long long)org_id, (long long)job_id, (long long)*outbox_id,
			 st->opportunity_id ? "opportunity" : "appointment");
	rc = 0;
out:
	free(payload);
	store_reasons_free(r, n);
	store_job_free(&job);
	return rc;
}

/* ---- Documents -------------------------------------------------------------- */

char *push_documents_dir(const char *db_url, struct err *e)
{
	const char *env = getenv("I360BRIDGE_FILES"), *path = db_url;
	struct buf b;
	struct stat st;
	char *dir;

	buf_init(&b, 0);
	if (env && *env) {
		buf_puts(&b, env);
	} else if (db_url && db_url_is_postgres(db_url)) {
		buf_puts(&b, "./i360bridge-files");
	} else {
		if (path == NULL || *path == '\0')
			path = "./i360bridge.db";
		else if (strncmp(path, "sqlite:", 7) == 0)
			path += 7;
		else if (strncmp(path, "file:", 5) == 0)
			path += 5;
		buf_printf(&b, "%s.files", path);
	}
	if ((dir = buf_detach(&b, NULL)) == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(e, ERR_IO, "cannot create the documents directory %s: %s", dir,
			strerror(errno));
		free(dir);
		return NULL;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, ERR_IO, "the documents directory %s is not a directory", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/*
 * Reads the file at from, hashing it, and when to_fd >= 0 copies it there. Stops with
 * ERR_TOO_LARGE past PUSH_DOCUMENT_MAX. Syncs to_fd (or from's data, when there is no
 * copy) so the document is on disk before the store points to it.
 */
static int hash_copy(const char *from, int to_fd, char hex[65], int64_t *size, struct err *e)
{
	crypto_hash_sha256_state h;
	unsigned char *chunk = malloc(COPY_CHUNK), d[crypto_hash_sha256_BYTES];
	int fd = open(from, O_RDONLY | O_CLOEXEC), rc = -1;
	ssize_t got;

	*size = 0;
	if (chunk == NULL || fd < 0) {
		err_set(e, fd < 0 ? ERR_IO : ERR_INTERNAL, "cannot read the document: %s",
			fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	crypto_hash_sha256_init(&h);
	while ((got = read(fd, chunk, COPY_CHUNK)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err_set(e, ERR_IO, "cannot read the document: %s", strerror(errno));
			goto out;
		}
		*size += got;
		if (*size > PUSH_DOCUMENT_MAX) {
			err_set(e, ERR_TOO_LARGE, "the document is larger than %lld MB",
				(long long)(PUSH_DOCUMENT_MAX >> 20));
			goto out;
		}
		crypto_hash_sha256_update(&h, chunk, (unsigned long long)got);
		if (to_fd >= 0 && fdio_write_all(to_fd, chunk, (size_t)got) < 0) {
			err_set(e, ERR_IO, "cannot write the document: %s", strerror(errno));
			goto out;
		}
	}
	if (fsync(to_fd >= 0 ? to_fd : fd) < 0) {
		err_set(e, ERR_IO, "cannot write the document to disk: %s", strerror(errno));
		goto out;
	}
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, 65, d, sizeof(d));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(chunk);
	return rc;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Moves src into dir as "DIGEST-RANDOM" (the digest only known once read): renamed
 * when it is on the same file system, else copied into place, synced and removed.
 * src is gone afterwards whatever happens. *path is malloc'd.
 */
static int move_in(const char *src, const char *dir, char **path, char hex[65],
		   int64_t *size, struct err *e)
{
	unsigned char rnd[8];
	char rhex[17];
	struct buf tmp, final;
	int fd = -1, rc = -1;

	*path = NULL;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(rhex, sizeof(rhex), rnd, sizeof(rnd));
	buf_init(&tmp, 0);
	buf_init(&final, 0);
	if (buf_printf(&tmp, "%s/.incoming-%s", dir, rhex) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (rename(src, tmp.data) == 0) {
		if (hash_copy(tmp.data, -1, hex, size, e) < 0)
			goto out;
	} else if (errno == EXDEV) {
		fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			err_set(e, ERR_IO, "cannot write the document: %s", strerror(errno));
			goto out;
		}
		if (hash_copy(src, fd, hex, size, e) < 0)
			goto out;
	} else {
		err_set(e, ERR_IO, "cannot move the document into place: %s", strerror(errno));
		goto out;
	}
	if (buf_printf(&final, "%s/%s-%s", dir, hex, rhex) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (rename(tmp.data, final.data) < 0) {
		err_set(e, ERR_IO, "cannot move the document into place: %s", strerror(errno));
		goto out;
	}
	sync_dir(dir);
	*path = buf_detach(&final, NULL);
	rc = *path ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.data)
		unlink(tmp.data);
	unlink(src);	/* renamed: already gone; copied or failed: ours to remove */
	buf_free(&tmp);
	buf_free(&final);
	return rc;
}

static int title_valid(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0 || n > 255)
		return 0;
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* The record a document is published to: the first sales opportunity, else the
 * appointment. */
static const char *document_target(const struct model_job *j)
{
	for (size_t i = 0; i < j->nopps; i++)
		if (j->opps[i].id && strlen(j->opps[i].id) >= 15)
			return j->opps[i].id;
	return j->appointment_id;
}

static char *document_payload(const char *title, const char *target)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "Title", title, "PathOnClient", title,
			      "FirstPublishLocationId", target);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

/* In one transaction: the document, and its push when the org pushes documents. */
static int document_record(struct store *s, int64_t org_id, const struct store_job *job,
			   const char *title, const char *content_type, int64_t size,
			   const char *sha, const char *path, int push, int64_t *document_id,
			   int64_t *outbox_id, struct err *e)
{
	const char *target = document_target(&job->job);
	char *payload = NULL;

	*outbox_id = 0;
	if (store_begin(s, e) < 0)
		return -1;
	if (store_document_add(s, org_id, job->id, title, content_type, size, sha, path,
			       document_id, e) < 0)
		goto fail;
	if (push) {
		if ((payload = document_payload(title, target)) == NULL) {
			err_set(e, ERR_INTERNAL, "out of memory");
			goto fail;
		}
		if (store_outbox_enqueue(s, org_id, job->id, "document", target, payload,
					 *document_id, outbox_id, e) < 0)
			goto fail;
	}
	if (store_commit(s, e) < 0)
		goto fail;
	free(payload);
	return 0;
fail:
	store_rollback(s);
	free(payload);
	return -1;
}

int push_document_add(struct store *s, const char *docs_dir, int64_t org_id, int64_t job_id,
		      const char *title, const char *content_type, const char *src_path,
		      int64_t *document_id, struct err *e)
{
	struct store_integration in;
	struct store_job job;
	struct stat st;
	char hex[65], *path = NULL;
	int64_t size, outbox_id = 0;
	int push, rc = -1;

	*document_id = 0;
	memset(&job, 0, sizeof(job));
	memset(&in, 0, sizeof(in));
	if (src_path == NULL || docs_dir == NULL) {
		err_set(e, ERR_INVALID, "a document needs its file");
		goto out;
	}
	if (!title_valid(title)) {
		err_set(e, ERR_INVALID, "a document's title must be 1 to 255 characters with no "
			"control characters");
		goto out;
	}
	if (stat(src_path, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_IO, "the uploaded document cannot be read");
		goto out;
	}
	if (st.st_size == 0) {
		err_set(e, ERR_INVALID, "the document is empty");
		goto out;
	}
	if (st.st_size > PUSH_DOCUMENT_MAX) {
		err_set(e, ERR_TOO_LARGE, "the document is larger than %lld MB",
			(long long)(PUSH_DOCUMENT_MAX >> 20));
		goto out;
	}
	if (store_job_get(s, org_id, job_id, &job, e) < 0 ||
	    store_integration_get(s, org_id, 0, &in, e) < 0)
		goto out;
	push = in.documents == NULL || strcmp(in.documents, "none") != 0;
	if (move_in(src_path, docs_dir, &path, hex, &size, e) < 0)
		goto out;
	if (document_record(s, org_id, &job, title, content_type, size, hex, path, push,
			    document_id, &outbox_id, e) < 0) {
		unlink(path);
		goto out;
	}
	log_info("push.document_kept", "org=%lld job=%lld document=%lld size=%lld outbox=%lld",
		 (long long)org_id, (long long)job_id, (long long)*document_id,
		 (long long)size, (long long)outbox_id);
	rc = 0;
out:
	if (rc < 0 && src_path)
		unlink(src_path);
	free(path);
	store_integration_free(&in);
	store_job_free(&job);
	return rc;
}

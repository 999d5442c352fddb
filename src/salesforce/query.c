/* query: paging through query/queryAll results and child subquery results. */
#include "salesforce/query.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "salesforce/client_int.h"

/*
 * States: before the first page (first == 1, next_url NULL); between pages (next_url
 * set by the last page, or NULL when it was the last); done (done == 1); failed
 * (failed == 1, every later call fails at once).
 */
struct sf_query {
	struct sf_client *c;
	char *soql;
	unsigned flags;
	int first, done, failed;
	char *next_url;
	json_t *page;		/* the last page's whole answer (new reference) */
	long total;
	/*
	 * sf_query_prefetch: one thread per query, started by the first prefetch, so that
	 * its allocator heap is reused page after page. busy: a job was handed over and
	 * not finished; the job is to free drop (the page the caller let go of) and fetch
	 * the next page into ahead / ahead_err. mu and cv hand jobs over and back.
	 */
	pthread_t fetcher;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, busy, quit, fetching;
	json_t *drop;
	json_t *ahead;		/* the next page's answer; NULL when the fetch failed */
	struct err ahead_err;
};

struct sf_query *sf_query_open(struct sf_client *c, const char *soql, unsigned flags,
			       struct err *e)
{
	struct sf_query *q;

	if (soql == NULL || *soql == '\0') {
		err_set(e, ERR_INVALID, "The SOQL query is empty.");
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL || (q->soql = strdup(soql)) == NULL) {
		free(q);
		err_set(e, ERR_INTERNAL, "Out of memory.");
		return NULL;
	}
	q->c = c;
	q->flags = flags;
	q->first = 1;
	q->total = -1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	return q;
}

static void join_fetcher(struct sf_query *q);

void sf_query_close(struct sf_query *q)
{
	if (q == NULL)
		return;
	join_fetcher(q);
	if (q->started) {
		pthread_mutex_lock(&q->mu);
		q->quit = 1;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->fetcher, NULL);
	}
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	json_decref(q->drop);
	json_decref(q->ahead);
	json_decref(q->page);
	free(q->next_url);
	free(q->soql);
	free(q);
}

long sf_query_total(const struct sf_query *q)
{
	return q->total;
}

/* GETs url (a path from "/") and returns the query result object, a new reference. */
static json_t *get_result(struct sf_client *c, const char *url, struct err *e)
{
	struct sf__req r = { 0 };
	struct sf__resp resp;
	json_t *res;

	r.url = url;
	if (sf__do(c, &r, &resp, e) < 0)
		return NULL;
	res = resp.json;
	resp.json = NULL;
	sf__resp_free(&resp);
	if (!json_is_object(res) || !json_is_array(json_object_get(res, "records"))) {
		json_decref(res);
		sf__protocol_error(c, "a query", e);
		return NULL;
	}
	return res;
}

static int first_url(struct sf_query *q, struct buf *url, struct err *e)
{
	if (sf__data_path(q->c, url, e) < 0)
		return -1;
	if (buf_puts(url, (q->flags & SF_QUERY_ALL) ? "/queryAll?q=" : "/query?q=") < 0)
		return err_set(e, ERR_TOO_LARGE, "The query URL is too long.");
	return sf__append_escaped(url, q->soql, e);
}

/* The URL of the page to fetch: the query itself first, then nextRecordsUrl. */
static int page_url(struct sf_query *q, struct buf *url, struct err *e)
{
	if (q->first)
		return first_url(q, url, e);
	if (buf_puts(url, q->next_url) < 0)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	return 0;
}

/* A nextRecordsUrl is a path on the instance; anything else is refused rather than
 * followed with the bearer token. */
static int take_next(struct sf_query *q, json_t *res, struct err *e)
{
	const char *next = json_string_value(json_object_get(res, "nextRecordsUrl"));

	free(q->next_url);
	q->next_url = NULL;
	if (json_is_true(json_object_get(res, "done")) || next == NULL)
		return 0;
	if (next[0] != '/')
		return sf__protocol_error(q->c, "a query (nextRecordsUrl)", e);
	if ((q->next_url = strdup(next)) == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	return 0;
}

/* The fetch-ahead thread: frees the page let go of, then fetches the next one exactly
 * as sf_query_next would; waits for the next job. */
static void *fetch_ahead(void *arg)
{
	struct sf_query *q = arg;
	struct buf url;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->busy && !q->quit)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->busy)
			break;
		pthread_mutex_unlock(&q->mu);
		json_decref(q->drop);
		q->drop = NULL;
		buf_init(&url, 0);
		if (page_url(q, &url, &q->ahead_err) == 0)
			q->ahead = get_result(q->c, url.data, &q->ahead_err);
		buf_free(&url);
		pthread_mutex_lock(&q->mu);
		q->busy = 0;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Waits for the fetch handed over, if any; the client is the caller's again. */
static void join_fetcher(struct sf_query *q)
{
	if (!q->fetching)
		return;
	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
	q->fetching = 0;
	q->c->tokens_deferred = 0;
	sf__tokens_flush(q->c);
}

int sf_query_prefetch(struct sf_query *q)
{
	if (q->failed || q->done || q->first || q->fetching || q->next_url == NULL)
		return -1;
	if (!q->started) {
		if (pthread_create(&q->fetcher, NULL, fetch_ahead, q) != 0)
			return -1;
		q->started = 1;
	}
	q->ahead = NULL;
	err_clear(&q->ahead_err);
	q->c->tokens_deferred = 1;
	q->fetching = 1;
	pthread_mutex_lock(&q->mu);
	q->drop = q->page;
	q->page = NULL;
	q->busy = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int sf_query_next(struct sf_query *q, json_t **records, struct err *e)
{
	struct buf url;
	json_t *res, *recs;

	*records = NULL;
	if (q->failed)
		return err_set(e, ERR_INVALID, "The query failed before and cannot go on.");
	for (;;) {
		json_decref(q->page);
		q->page = NULL;
		if (q->done || (!q->first && q->next_url == NULL)) {
			q->done = 1;
			return 0;
		}
		if (q->fetching) {
			join_fetcher(q);
			res = q->ahead;
			q->ahead = NULL;
			if (res == NULL)
				*e = q->ahead_err;
		} else {
			buf_init(&url, 0);
			if (page_url(q, &url, e) < 0) {
				buf_free(&url);
				goto fail;
			}
			res = get_result(q->c, url.data, e);
			buf_free(&url);
		}
		if (res == NULL)
			goto fail;
		q->page = res;
		if (q->first)
			q->total = (long)json_integer_value(json_object_get(res, "totalSize"));
		q->first = 0;
		if (take_next(q, res, e) < 0)
			goto fail;
		recs = json_object_get(res, "records");
		if (json_array_size(recs) > 0) {
			*records = recs;
			return 1;
		}
		/* An empty page ends the result unless Salesforce says more follow. */
	}
fail:
	q->failed = 1;
	return -1;
}

int sf_query_children(struct sf_client *c, json_t *record, const char *rel, json_t **rows,
		      struct err *e)
{
	json_t *sub = json_object_get(record, rel), *all, *res = NULL;
	const char *next;

	*rows = NULL;
	if ((all = json_array()) == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	if (sub == NULL || json_is_null(sub)) {
		*rows = all;
		return 0;
	}
	if (!json_is_object(sub) || !json_is_array(json_object_get(sub, "records"))) {
		json_decref(all);
		sf__no_remote_error(c);
		return err_set(e, ERR_REMOTE, "The relationship %s of the record is not a query "
			       "result.", rel);
	}
	json_incref(sub);
	res = sub;
	for (;;) {
		if (json_array_extend(all, json_object_get(res, "records")) < 0) {
			err_set(e, ERR_INTERNAL, "Out of memory.");
			goto fail;
		}
		next = json_string_value(json_object_get(res, "nextRecordsUrl"));
		if (json_is_true(json_object_get(res, "done")) || next == NULL)
			break;
		if (next[0] != '/') {
			sf__protocol_error(c, "a child query (nextRecordsUrl)", e);
			goto fail;
		}
		{
			json_t *more = get_result(c, next, e);

			json_decref(res);
			res = more;
		}
		if (res == NULL)
			goto fail;
	}
	json_decref(res);
	*rows = all;
	return 0;
fail:
	json_decref(res);
	json_decref(all);
	return -1;
}

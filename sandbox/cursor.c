/* cursor: query locators, the server side of nextRecordsUrl paging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox_int.h"
#include "sandbox/sfid.h"
#include "util/buf.h"

/*
 * A cursor holds a query's rows (see soql_rows: the records as they were when the query
 * ran), rendered a page at a time when asked for. rows[0] is the result's absolute
 * position base (0 for a top-level query; a child result's cursor starts after the
 * children shown inline), total the size of the whole result. A locator URL ends in
 * "ID-N": the page starting at absolute position N. Salesforce keeps at most 10 cursors
 * per user, releasing the oldest, and lets an idle one expire after 15 minutes; both
 * are knobs here. Child result cursors (base > 0: one per parent row with a long child
 * list) do not count against the limit, or one page of parents could release its own
 * children; they only expire.
 */
struct cursor {
	struct cursor *next;
	char id[SFID_LEN + 1];
	struct soql_rows *rows;
	size_t base, total;
	int64_t used;
	unsigned long born;
};

struct cursor_ctx {
	struct sandbox *sb;
	const char *version;
};

static void cursor_free(struct cursor *c)
{
	soql_rows_free(c->rows);
	free(c);
}

/* Drops expired cursors and, beyond the limit, the oldest. Called with mu held. */
static void cursor_prune(struct sandbox *sb, int64_t now, int room_for)
{
	for (struct cursor **at = &sb->cursors; *at != NULL;) {
		struct cursor *c = *at;

		if (now - c->used > sb->k.locator_ttl_ms) {
			*at = c->next;
			cursor_free(c);
		} else {
			at = &c->next;
		}
	}
	for (;;) {
		struct cursor **oldest = NULL, *c;
		size_t open = 0;

		for (c = sb->cursors; c != NULL; c = c->next)
			open += c->base == 0;
		if (sb->k.max_locators <= 0 || open + (size_t)room_for <= (size_t)sb->k.max_locators)
			break;
		for (struct cursor **at = &sb->cursors; *at != NULL; at = &(*at)->next)
			if ((*at)->base == 0 && (oldest == NULL || (*at)->born < (*oldest)->born))
				oldest = at;	/* child cursors only expire */
		if (oldest == NULL)
			break;
		c = *oldest;
		*oldest = c->next;
		cursor_free(c);
	}
}

char *cursor_open(struct sandbox *sb, const char *version, struct soql_rows *rows,
		  size_t first)
{
	struct cursor *c = calloc(1, sizeof(*c));
	int64_t now = sandbox__now();
	char *url = malloc(96);

	if (c == NULL || url == NULL) {
		free(c);
		free(url);
		soql_rows_free(rows);
		return NULL;
	}
	c->rows = rows;
	c->total = soql_rows_total(rows);
	c->base = c->total - soql_rows_count(rows);
	c->used = now;
	pthread_mutex_lock(&sb->mu);
	cursor_prune(sb, now, c->base == 0);
	c->born = ++sb->cursor_serial;
	sfid_make(c->id, "01g", c->born);
	c->next = sb->cursors;
	sb->cursors = c;
	snprintf(url, 96, "/services/data/v%s/query/%s-%zu", version, c->id, c->base + first);
	pthread_mutex_unlock(&sb->mu);
	return url;
}

size_t cursor_count_locked(const struct sandbox *sb)
{
	size_t n = 0;

	for (const struct cursor *c = sb->cursors; c != NULL; c = c->next)
		n++;
	return n;
}

void cursor_drop_all_locked(struct sandbox *sb)
{
	while (sb->cursors != NULL) {
		struct cursor *c = sb->cursors;

		sb->cursors = c->next;
		cursor_free(c);
	}
}

static void invalid_locator(struct reply *r)
{
	struct sferr e;

	sferr_set(&e, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
	answer_sferr(r, &e);
}

static char *child_cursor(void *ctx, struct soql_rows *rest, size_t total)
{
	const struct cursor_ctx *cc = ctx;

	(void)total;
	return cursor_open(cc->sb, cc->version, rest, 0);
}

int cursor_answer(struct sandbox *sb, const char *version, struct soql_rows *rows,
		  size_t from, size_t size, const char *next_url, struct reply *r)
{
	struct cursor_ctx cc = { sb, version };
	struct soql_opts o = { 0, version, 0, child_cursor, &cc };
	size_t n = soql_rows_count(rows);
	struct buf b;
	char head[96];
	int rc;

	pthread_mutex_lock(&sb->mu);
	o.child_page_size = (size_t)(sb->k.child_page_size > 0 ? sb->k.child_page_size : 0);
	pthread_mutex_unlock(&sb->mu);
	buf_init(&b, 0);
	snprintf(head, sizeof(head), "{\"totalSize\":%zu,\"done\":%s",
		 soql_rows_total(rows), next_url ? "false" : "true");
	buf_puts(&b, head);
	if (next_url != NULL) {
		buf_puts(&b, ",\"nextRecordsUrl\":\"");
		buf_puts(&b, next_url);
		buf_puts(&b, "\"");
	}
	buf_puts(&b, ",\"records\":[");
	objects_rdlock(sb->store);
	rc = soql_render(rows, sb->store, &o, from, size < n ? size : n, &b);
	objects_unlock(sb->store);
	if (rc < 0 || buf_puts(&b, "]}") < 0) {
		buf_free(&b);
		return -1;
	}
	answer_take(r, 200, "application/json;charset=UTF-8", &b);
	return 0;
}

void cursor_page(struct sandbox *sb, const char *version, const char *locator,
		 struct reply *r)
{
	char id[SFID_LEN + 1], next[128];
	const char *dash = strrchr(locator, '-');
	char *end;
	unsigned long pos;
	struct cursor *c;
	struct soql_rows *rows;
	size_t idx, n, size;
	int64_t now = sandbox__now();
	int more;

	if (dash == NULL || dash - locator != SFID_LEN) {
		invalid_locator(r);
		return;
	}
	memcpy(id, locator, SFID_LEN);
	id[SFID_LEN] = '\0';
	pos = strtoul(dash + 1, &end, 10);
	if (*end != '\0' || dash[1] == '\0') {
		invalid_locator(r);
		return;
	}
	pthread_mutex_lock(&sb->mu);
	cursor_prune(sb, now, 0);
	for (c = sb->cursors; c != NULL && strcmp(c->id, id) != 0; c = c->next)
		;
	n = c ? soql_rows_count(c->rows) : 0;
	if (c == NULL || pos < c->base || pos - c->base >= n) {
		pthread_mutex_unlock(&sb->mu);
		invalid_locator(r);
		return;
	}
	idx = pos - c->base;
	size = (size_t)(sb->k.page_size > 0 ? sb->k.page_size : 2000);
	if (c->base > 0 && sb->k.child_page_size > 0)	/* a child result pages by its own size */
		size = (size_t)sb->k.child_page_size;
	c->used = now;
	more = idx + size < n;
	snprintf(next, sizeof(next), "/services/data/v%s/query/%s-%zu", version, id,
		 (size_t)pos + size);
	rows = soql_rows_ref(c->rows);
	pthread_mutex_unlock(&sb->mu);
	/* The page is rendered outside mu: the store lock comes first (sandbox_int.h). */
	if (cursor_answer(sb, version, rows, idx, size, more ? next : NULL, r) < 0) {
		struct sferr e;

		sferr_set(&e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		answer_sferr(r, &e);
	}
	soql_rows_free(rows);
}

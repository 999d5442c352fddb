/* cursor: query locators, the server side of nextRecordsUrl paging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox_int.h"
#include "sandbox/sfid.h"

/*
 * A cursor is a JSON object {"records": [...], "base": B, "total": T, "used": ms,
 * "born": serial}: records are the result rows from absolute position B on (B is 0 for
 * a top-level query; a child result's cursor starts after the rows served inline), T the
 * size of the whole result. A locator URL ends in "ID-N": the page starting at absolute
 * position N. Salesforce keeps at most 10 cursors per user, releasing the oldest, and
 * lets an idle one expire after 15 minutes; both are knobs here. Child result cursors
 * (base > 0: one per parent row with a long child list) do not count against the
 * limit, or one page of parents could release its own children; they only expire.
 */

/* Drops expired cursors and, beyond the limit, the oldest. Called with mu held. */
static void cursor_prune(struct sandbox *sb, int64_t now, int room_for)
{
	const char *key;
	json_t *c;
	void *tmp;

	json_object_foreach_safe(sb->cursors, tmp, key, c) {
		int64_t used = json_integer_value(json_object_get(c, "used"));

		if (now - used > sb->k.locator_ttl_ms)
			json_object_del(sb->cursors, key);
	}
	for (;;) {
		const char *oldest = NULL;
		json_int_t born = 0;
		size_t open = 0;

		json_object_foreach(sb->cursors, key, c)
			open += json_integer_value(json_object_get(c, "base")) == 0;
		if (sb->k.max_locators <= 0 || open + (size_t)room_for <= (size_t)sb->k.max_locators)
			break;
		json_object_foreach(sb->cursors, key, c) {
			json_int_t b = json_integer_value(json_object_get(c, "born"));

			if (json_integer_value(json_object_get(c, "base")) != 0)
				continue;	/* child cursors only expire */
			if (oldest == NULL || b < born) {
				oldest = key;
				born = b;
			}
		}
		if (oldest == NULL)
			break;
		json_object_del(sb->cursors, oldest);
	}
}

char *cursor_open(struct sandbox *sb, const char *version, json_t *records, size_t total,
		  size_t first)
{
	char id[SFID_LEN + 1], *url = NULL;
	size_t base = total - json_array_size(records);
	int64_t now = sandbox__now();
	json_t *c;

	pthread_mutex_lock(&sb->mu);
	cursor_prune(sb, now, base == 0);
	sfid_make(id, "01g", ++sb->cursor_serial);
	c = json_pack("{s:o, s:I, s:I, s:I, s:I}", "records", records, "base", (json_int_t)base,
		      "total", (json_int_t)total, "used", (json_int_t)now, "born",
		      (json_int_t)sb->cursor_serial);
	if (c != NULL && json_object_set_new(sb->cursors, id, c) == 0) {
		url = malloc(96);
		if (url)
			snprintf(url, 96, "/services/data/v%s/query/%s-%zu", version, id,
				 base + first);
	}
	pthread_mutex_unlock(&sb->mu);
	return url;
}

static void invalid_locator(struct reply *r)
{
	struct sferr e;

	sferr_set(&e, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
	answer_sferr(r, &e);
}

void cursor_page(struct sandbox *sb, const char *version, const char *locator,
		 struct reply *r)
{
	char id[SFID_LEN + 1];
	const char *dash = strrchr(locator, '-');
	char *end;
	unsigned long pos;
	json_t *c, *records, *page, *body;
	size_t base, idx, n, size;
	int64_t now = sandbox__now();

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
	c = json_object_get(sb->cursors, id);
	records = json_object_get(c, "records");
	base = (size_t)json_integer_value(json_object_get(c, "base"));
	n = json_array_size(records);
	if (c == NULL || pos < base || pos - base >= n) {
		pthread_mutex_unlock(&sb->mu);
		invalid_locator(r);
		return;
	}
	idx = pos - base;
	size = (size_t)(sb->k.page_size > 0 ? sb->k.page_size : 2000);
	if (base > 0 && sb->k.child_page_size > 0)	/* a child result pages by its own size */
		size = (size_t)sb->k.child_page_size;
	json_object_set_new(c, "used", json_integer((json_int_t)now));
	page = json_array();
	for (size_t i = idx; i < n && i < idx + size; i++)
		json_array_append(page, json_array_get(records, i));
	body = json_pack("{s:I, s:b}", "totalSize", json_integer_value(json_object_get(c, "total")),
			 "done", idx + size >= n);
	if (idx + size < n)
		json_object_set_new(body, "nextRecordsUrl",
				    json_sprintf("/services/data/v%s/query/%s-%zu", version, id,
						 pos + size));
	pthread_mutex_unlock(&sb->mu);
	json_object_set_new(body, "records", page);
	answer_json(r, 200, body);
}

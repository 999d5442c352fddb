/* soql_render: a result as Salesforce's JSON records, page by page, with child results. */
#include "sandbox/soql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sfid.h"

/* Appends s (len bytes of UTF-8) as a JSON string, escaped as jansson escapes it. */
void soql__put_str(struct run *r, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	put(r, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(r, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		put(r, esc, n);
	}
	put(r, s + run, len - run);
	put(r, "\"", 1);
}

/* Appends d as jansson writes reals (17 digits, ".0" on whole numbers), which is what
 * the REST API has always shown. */
void soql__put_real(struct run *r, double d)
{
	char tmp[64];
	json_t *v = json_real(d);
	size_t n = v ? json_dumpb(v, tmp, sizeof(tmp), JSON_ENCODE_ANY) : 0;

	json_decref(v);
	put(r, n > 0 && n <= sizeof(tmp) ? tmp : "null", n > 0 && n <= sizeof(tmp) ? n : 4);
}

/* Appends field i of rec (of type t) as JSON. */
void soql__put_value(struct run *r, const struct objects_rec *rec, size_t i)
{
	const struct objects_type *t = objects_rec_type(rec);
	const struct objects_field *f = &t->fields[i];
	char tmp[64];
	const char *text;
	size_t len;
	int64_t ms;

	if (objects_rec_is_null(rec, i)) {
		put_lit(r, "null");
		return;
	}
	switch (f->type) {
	case OF_DATETIME:
		objects_rec_time(rec, i, &ms);
		tmp[0] = '"';
		objects_format_dt(tmp + 1, ms);
		tmp[OBJECTS_DT_LEN] = '"';
		put(r, tmp, OBJECTS_DT_LEN + 1);
		return;
	case OF_BOOLEAN:
		put_lit(r, objects_rec_number(rec, i) != 0 ? "true" : "false");
		return;
	case OF_BASE64:
		if (objects_rec_number(rec, i) == 0) {
			put_lit(r, "null");
			return;
		}
		put(r, "\"", 1);
		put(r, r->base, r->base_len);
		put_lit(r, t->name);
		put(r, "/", 1);
		put_lit(r, objects_rec_id(rec));
		put(r, "/", 1);
		put_lit(r, f->name);
		put(r, "\"", 1);
		return;
	case OF_INT:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)objects_rec_number(rec, i));
		put_lit(r, tmp);
		return;
	case OF_DOUBLE:
		soql__put_real(r, objects_rec_number(rec, i));
		return;
	default:
		text = objects_rec_text(rec, i, &len);
		if (text != NULL)
			soql__put_str(r, text, len);
		else
			put_lit(r, "null");
		return;
	}
}

static void emit(struct run *r, const struct onode *n, const struct objects_rec *rec);

/* Appends the child result of sel for rec: {"totalSize","done",["nextRecordsUrl",]
 * "records"}, or null when there are no children. */
static void child_result(struct run *r, const struct sel *sel, const struct objects_rec *rec)
{
	const struct soql_query *sub = sel->sub;
	const struct objects_rec **recs = NULL;
	size_t n = 0, alloc = 0, start, end, shown, page = r->o->child_page_size;
	char *url = NULL, head[96];
	struct ectx x = { r->s, NULL };

	for (const struct objects_rec *c = objects_child_next(r->s, sel->child, rec, NULL); c;
	     c = objects_child_next(r->s, sel->child, rec, c)) {
		if (!soql__keep(&x, r->rows->all_rows, sub, c))
			continue;
		if (n == alloc) {
			const struct objects_rec **p;

			alloc = alloc ? alloc * 2 : 8;
			p = realloc(recs, alloc * sizeof(*p));
			if (p == NULL)
				goto oom;
			recs = p;
		}
		recs[n++] = c;
	}
	if (soql__sort_recs(r->s, sub, recs, n) < 0)
		goto oom;
	start = (size_t)sub->offset < n ? (size_t)sub->offset : n;
	end = sub->limit >= 0 && start + (size_t)sub->limit < n ? start + (size_t)sub->limit : n;
	n = end - start;
	if (n == 0) {
		free(recs);
		put_lit(r, "null");
		return;
	}
	shown = n;
	if (page && n > page && r->o->child_cursor) {
		struct soql_rows *rest = soql__rows_new(r->s, r->rows->top, sub, r->rows->all_rows,
							recs + start + page, n - page, n);

		if (rest == NULL)
			goto oom;
		url = r->o->child_cursor(r->o->ctx, rest, n);
		if (url != NULL)
			shown = page;
	}
	snprintf(head, sizeof(head), "{\"totalSize\":%zu,\"done\":%s", n, url ? "false" : "true");
	put_lit(r, head);
	if (url != NULL) {
		put_lit(r, ",\"nextRecordsUrl\":");
		soql__put_str(r, url, strlen(url));
		free(url);
	}
	put_lit(r, ",\"records\":[");
	for (size_t i = start; i < start + shown; i++) {
		if (i > start)
			put(r, ",", 1);
		emit(r, sub->out, recs[i]);
	}
	put_lit(r, "]}");
	free(recs);
	return;

oom:
	free(recs);
	r->failed = 1;
}

/* Appends rec as the object n describes. */
static void emit(struct run *r, const struct onode *n, const struct objects_rec *rec)
{
	put_lit(r, "{\"attributes\":{\"type\":\"");
	put(r, n->type->name, n->type_len);
	put_lit(r, "\",\"url\":\"");
	put(r, r->base, r->base_len);
	put(r, n->type->name, n->type_len);
	put(r, "/", 1);
	put(r, objects_rec_id(rec), SFID_LEN);
	put_lit(r, "\"}");
	for (size_t i = 0; i < n->nitems; i++) {
		const struct oitem *it = &n->items[i];

		put(r, ",", 1);
		put(r, it->key, it->key_len);
		if (it->leaf != NULL) {
			soql__put_value(r, rec, it->leaf_idx);
		} else if (it->via != NULL) {
			const struct objects_rec *leaf = follow(r->s, rec, it->via);

			if (leaf != NULL)
				soql__put_value(r, leaf, it->via->field_idx);
			else
				put_lit(r, "null");
		} else if (it->node != NULL) {
			const struct objects_rec *parent = objects_follow(r->s, rec, it->hop_idx);

			if (parent == NULL || objects_rec_type(parent) != it->node->type)
				put_lit(r, "null");
			else
				emit(r, it->node, parent);
		} else {
			child_result(r, it->sub, rec);
		}
	}
	put(r, "}", 1);
}

int soql_render(const struct soql_rows *rows, const struct objects *s,
		const struct soql_opts *o, size_t from, size_t n, struct buf *out)
{
	struct run r = { s, o, rows, out, 0, "", 0 };

	if (rows->agg != NULL) {	/* AggregateResults, rendered by soql_select */
		for (size_t i = from; i < rows->n && i < from + n && !r.failed; i++) {
			if (i > from)
				put(&r, ",", 1);
			put(&r, rows->agg + rows->agg_off[i],
			    rows->agg_off[i + 1] - rows->agg_off[i]);
		}
		return r.failed ? -1 : 0;
	}
	snprintf(r.base, sizeof(r.base), "/services/data/v%s/sobjects/",
		 o->version ? o->version : "58.0");
	r.base_len = strlen(r.base);
	for (size_t i = from; i < rows->n && i < from + n && !r.failed; i++) {
		if (i > from)
			put(&r, ",", 1);
		emit(&r, rows->q->out, rows->recs[i]);
	}
	return r.failed ? -1 : 0;
}

json_t *soql_run(struct soql_query *q, const struct objects *s, const struct soql_opts *o,
		 size_t *total, struct sferr *e)
{
	struct soql_rows *rows = soql_select(q, s, o, e);
	struct buf b;
	json_t *out = NULL;
	json_error_t je;

	if (rows == NULL)
		return NULL;
	buf_init(&b, 0);
	buf_append(&b, "[", 1);
	if (soql_render(rows, s, o, 0, rows->n, &b) == 0 && buf_append(&b, "]", 1) == 0)
		out = json_loadb(b.data, b.len, 0, &je);
	if (out == NULL)
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	else
		*total = rows->total;
	buf_free(&b);
	soql_rows_free(rows);
	return out;
}

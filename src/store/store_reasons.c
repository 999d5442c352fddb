/* store_reasons: the result picklists pulled from I360 (appointment and opportunity). */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

const char *const store_reason_kind_names[STORE_REASON__MAX] = {
	[STORE_REASON_APPOINTMENT] = "appointment",
	[STORE_REASON_OPPORTUNITY] = "opportunity",
};

void store_reasons_free(struct store_reason *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		free(r[i].description);
	free(r);
}

static int reason_insert(struct store *s, int64_t org_id, const char *kind,
			 int64_t parent_id, const struct store_reason_in *r, int position,
			 int64_t *id, struct err *e)
{
	struct db_stmt *st;
	int rc;

	if (r->description == NULL)
		return err_set(e, ERR_INVALID, "a result reason has no value");
	st = store__query(s, "INSERT INTO result_reasons (org_id, kind, parent_id, description,"
			     " position, active) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", e,
			  "itItii", org_id, kind, parent_id, r->description, (int64_t)position,
			  (int64_t)(r->active != 0));
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*id = db_col_int64(st, 0);
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

int store_reasons_replace(struct store *s, int64_t org_id, enum store_reason_kind kind,
			  const struct store_reason_in *results, size_t n, struct err *e)
{
	const char *k;
	int own, rc = 0;

	if ((int)kind < 0 || kind >= STORE_REASON__MAX)
		return err_set(e, ERR_INVALID, "unknown result reason kind");
	k = store_reason_kind_names[kind];
	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	if (store__exec(s, "DELETE FROM result_reasons WHERE org_id = ? AND kind = ?", e, "it",
			org_id, k) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t rid = 0;

		rc = reason_insert(s, org_id, k, 0, &results[i], (int)i, &rid, e);
		for (size_t j = 0; rc == 0 && j < results[i].ndetails; j++) {
			int64_t did = 0;
			rc = reason_insert(s, org_id, k, rid, &results[i].details[j], (int)j,
					   &did, e);
		}
	}
	return store__tx_end(s, own, rc, e);
}

static void reason_row(struct db_stmt *st, void *el)
{
	struct store_reason *r = el;

	r->id = db_col_int64(st, 0);
	r->parent_id = db_col_int64(st, 1);
	r->description = store__col_dup(st, 2);
	r->position = (int)db_col_int64(st, 3);
	r->active = (int)db_col_int64(st, 4);
}

static void reasons_free_all(void *v, size_t n)
{
	store_reasons_free(v, n);
}

int store_reasons_list(struct store *s, int64_t org_id, enum store_reason_kind kind,
		       struct store_reason **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if ((int)kind < 0 || kind >= STORE_REASON__MAX)
		return err_set(e, ERR_INVALID, "unknown result reason kind");
	return store__collect(store__query(s, "SELECT id, COALESCE(parent_id, 0), description,"
					      " position, active FROM result_reasons"
					      " WHERE org_id = ? AND kind = ?"
					      " ORDER BY COALESCE(parent_id, 0), position, id", e, "it",
					   org_id, store_reason_kind_names[kind]),
			      sizeof(**out), reason_row, reasons_free_all, out, n, e);
}

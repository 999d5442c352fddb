/* store_staff: I360 staff members and their links to OCC users. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/isotime.h"

const char *const store_link_by_names[STORE_LINK__MAX] = {
	[STORE_LINK_NONE] = "none",
	[STORE_LINK_EMAIL] = "email",
	[STORE_LINK_MANUAL] = "manual",
};

/* Salesforce Ids compare on their first 15 characters (the 18-character form only
 * adds a case checksum): key gets those. -1 with code (ERR_INVALID or ERR_NOT_FOUND)
 * when id is not 15 or 18 characters. */
static int crm_key(const char *id, char key[16], enum err_code code, struct err *e)
{
	size_t n = id ? strlen(id) : 0;

	if (n != 15 && n != 18) {
		if (code == ERR_NOT_FOUND)
			return err_set(e, code, "no I360 staff member %s in this org", id ? id : "");
		return err_set(e, code, "a staff Id must be 15 or 18 characters");
	}
	memcpy(key, id, 15);
	key[15] = '\0';
	return 0;
}

void store_staff_clear(struct store_staff *st)
{
	if (st == NULL)
		return;
	free(st->crm_id);
	free(st->name);
	free(st->email);
	free(st->occ_user_email);
	memset(st, 0, sizeof(*st));
}

void store_staff_free(struct store_staff *st, size_t n)
{
	for (size_t i = 0; st && i < n; i++)
		store_staff_clear(&st[i]);
	free(st);
}

int store_staff_upsert(struct store *s, int64_t org_id, const char *crm_id,
		       const char *name, const char *email, int *created, struct err *e)
{
	char key[16];
	int64_t changed;

	if (crm_key(crm_id, key, ERR_INVALID, e) < 0)
		return -1;
	if (created == NULL) {	/* one statement when the caller need not know which */
		struct store_staff_in in = { crm_id, name, email };

		return store_staff_upsert_many(s, org_id, &in, 1, 0, NULL, e);
	}
	changed = store__exec(s, "UPDATE staff SET crm_id = ?, name = ?, email = ?,"
				 " updated_at = ? WHERE org_id = ? AND crm_key = ?", e, "tttiit",
			      crm_id, name, email, isotime_now_ms(), org_id, key);
	if (changed < 0)
		return -1;
	if (created)
		*created = changed == 0;
	if (changed > 0)
		return 0;
	return store__exec(s, "INSERT INTO staff (org_id, crm_id, crm_key, name, email,"
			      " updated_at) VALUES (?, ?, ?, ?, ?, ?)", e, "itttti", org_id,
			   crm_id, key, name, email, isotime_now_ms()) < 0 ? -1 : 0;
}

/* A page of staff in one statement per tier; a row equal to what is stored is left
 * alone (no new row version, updated_at kept). */
static struct store__rows staff_rows = {
	.head = "INSERT INTO staff (org_id, crm_id, crm_key, name, email, updated_at) VALUES ",
	.tail = " ON CONFLICT (org_id, crm_key) DO UPDATE SET crm_id = excluded.crm_id,"
		" name = excluded.name, email = excluded.email, updated_at = excluded.updated_at,"
		" in_crm = 1"
		" WHERE staff.crm_id IS DISTINCT FROM excluded.crm_id"
		" OR staff.name IS DISTINCT FROM excluded.name"
		" OR staff.email IS DISTINCT FROM excluded.email OR staff.in_crm <> 1",
	.ncols = 6,
};

/* Members the org has never had are plain inserts: no conflict to look for, which
 * PostgreSQL's ON CONFLICT makes a speculative insertion per row (a first sync of 20
 * staff took ~1.8 ms that way). One added meanwhile by someone else fails the insert on
 * the unique key, and the sync's transaction with it; the next run writes it. */
static struct store__rows new_staff_rows = {
	.head = "INSERT INTO staff (org_id, crm_id, crm_key, name, email, updated_at) VALUES ",
	.tail = "",
	.ncols = 6,
};

/*
 * The same, each member linked as it goes in to the OCC user with its email, by the
 * test store_staff_autolink makes. A first sync thus writes its staff once, where an
 * insert, then autolink, then the clearing of the backfill mark wrote each linked
 * member three times. The rows are a common table expression joined to occ_users
 * (PostgreSQL types a parameter there only by its cast); RETURNING tells which were
 * linked. One statement per backfill mark (0, 1).
 */
#define NEW_STAFF_LINKED(mark)								\
	{										\
		.head = "WITH v (org_id, crm_id, crm_key, name, email, updated_at) AS"	\
			" (VALUES ",							\
		.row = "(CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS BIGINT))",		\
		.tail = ") INSERT INTO staff (org_id, crm_id, crm_key, name, email,"	\
			" updated_at, occ_user_id, active, linked_by, backfill_pending)"\
			" SELECT v.org_id, v.crm_id, v.crm_key, v.name, v.email,"	\
			" v.updated_at, u.id, CASE WHEN u.id IS NULL THEN 0 ELSE 1 END,"\
			" CASE WHEN u.id IS NULL THEN 'none' ELSE 'email' END,"		\
			" CASE WHEN u.id IS NULL THEN 0 ELSE " #mark " END"		\
			" FROM v LEFT JOIN occ_users u ON u.org_id = v.org_id"		\
			" AND u.email_norm = LOWER(TRIM(v.email)) RETURNING occ_user_id",\
		.ncols = 6,								\
	}
static struct store__rows new_staff_linked[2] = { NEW_STAFF_LINKED(0), NEW_STAFF_LINKED(1) };

struct staff_row {
	const struct store_staff_in *in;
	char key[16];
	size_t pos;
	int stored;		/* the org has this member (changed, or it would be dropped) */
};

static int staff_row_cmp(const void *a, const void *b)
{
	const struct staff_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

struct staff_batch {
	const struct staff_row *rows;
	int64_t org_id, now;
	int64_t linked;		/* rows a linking insert linked */
};

static void bind_staff(struct db_stmt *st, size_t first, size_t k, void *arg)
{
	const struct staff_batch *sb = arg;

	for (size_t i = 0; i < k; i++) {
		const struct staff_row *r = &sb->rows[first + i];
		int b = (int)i * staff_rows.ncols;

		db_bind_int64(st, b + 1, sb->org_id);
		db_bind_text(st, b + 2, r->in->crm_id);
		db_bind_text(st, b + 3, r->key);
		db_bind_text(st, b + 4, r->in->name);
		db_bind_text(st, b + 5, r->in->email);
		db_bind_int64(st, b + 6, sb->now);
	}
}

/* Counts the rows a linking insert returned with a user: those it linked. */
static int count_linked(struct db_stmt *st, void *arg, struct err *e)
{
	struct staff_batch *sb = arg;

	(void)e;
	if (!db_col_is_null(st, 0))
		sb->linked++;
	return 0;
}

static int same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Drops from rows[0..*m) (sorted by key) those equal to what the org has stored, so that
 * a sync whose staff did not change sends no write at all: one read of the org's staff
 * instead of an upsert of every member (in PostgreSQL a speculative insertion each).
 * The rows left say whether the org has them (stored) or they are new.
 */
static int drop_unchanged(struct store *s, int64_t org_id, struct staff_row *rows, size_t *m,
			  struct err *e)
{
	struct db_stmt *st;
	size_t k = 0;
	int step;
	char *keep;

	if ((keep = malloc(*m)) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	memset(keep, 1, *m);
	st = store__query(s, "SELECT crm_key, crm_id, name, email, in_crm FROM staff"
			     " WHERE org_id = ?", e, "i", org_id);
	if (st == NULL) {
		free(keep);
		return -1;
	}
	while ((step = db_step(st, e)) == 1) {
		const char *key = db_col_text(st, 0);
		size_t lo = 0, hi = *m;

		if (key == NULL)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(rows[mid].key, key);

			if (c == 0) {
				const struct store_staff_in *in = rows[mid].in;

				rows[mid].stored = 1;
				keep[mid] = !(same_text(in->crm_id, db_col_text(st, 1)) &&
					      same_text(in->name, db_col_text(st, 2)) &&
					      same_text(in->email, db_col_text(st, 3)) &&
					      db_col_int64(st, 4) == 1);
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	db_finish(st);
	if (step < 0) {
		free(keep);
		return -1;
	}
	for (size_t i = 0; i < *m; i++)
		if (keep[i])
			rows[k++] = rows[i];
	*m = k;
	free(keep);
	return 0;
}

int store_staff_upsert_many(struct store *s, int64_t org_id, const struct store_staff_in *v,
			    size_t n, unsigned flags, int64_t *linked, struct err *e)
{
	struct staff_row *rows;
	int64_t now = isotime_now_ms(), nlinked = 0;
	size_t m = 0;
	int own, rc;

	if (linked)
		*linked = 0;
	if (n == 0)
		return 0;
	if ((rows = calloc(n, sizeof(*rows))) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (crm_key(v[i].crm_id, rows[i].key, ERR_INVALID, e) < 0) {
			err_prefix(e, "staff %s", v[i].crm_id ? v[i].crm_id : "(no Id)");
			free(rows);
			return -1;
		}
		rows[i].in = &v[i];
		rows[i].pos = i;
	}
	/* One row per key, the last given (a statement may not touch a row twice). */
	qsort(rows, n, sizeof(*rows), staff_row_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(rows[i].key, rows[i + 1].key) == 0)
			continue;
		rows[m++] = rows[i];
	}
	if (store__tx_begin(s, &own, e) < 0) {
		free(rows);
		return -1;
	}
	rc = drop_unchanged(s, org_id, rows, &m, e);
	if (rc == 0 && m > 0) {
		/* New members first, then changed ones, each in key order. */
		struct staff_row *byk = malloc(m * sizeof(*byk));
		size_t nnew = 0, k = 0;

		if (byk == NULL) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
		} else {
			for (size_t i = 0; i < m; i++)
				nnew += !rows[i].stored;
			for (size_t i = 0; i < m; i++)
				byk[rows[i].stored ? nnew + k++ : i - k] = rows[i];
		}
		if (rc == 0 && nnew > 0) {
			struct staff_batch b = { byk, org_id, now, 0 };

			if (flags & STORE_STAFF_LINK)
				rc = store__rows_run(s, &new_staff_linked[
							     (flags & STORE_STAFF_BACKFILL) != 0],
						     nnew, bind_staff, count_linked, &b, e);
			else
				rc = store__rows_run(s, &new_staff_rows, nnew, bind_staff, NULL,
						     &b, e);
			nlinked = b.linked;
		}
		if (rc == 0 && m > nnew) {
			struct staff_batch b = { byk + nnew, org_id, now, 0 };

			rc = store__rows_run(s, &staff_rows, m - nnew, bind_staff, NULL, &b, e);
		}
		free(byk);
	}
	free(rows);
	rc = store__tx_end(s, own, rc, e);
	if (rc == 0 && linked)
		*linked = nlinked;
	return rc;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int store_staff_retire_unseen(struct store *s, int64_t org_id, const char *const *seen,
			      size_t n, int64_t *gone, struct err *e)
{
	char (*keys)[16] = calloc(n ? n : 1, sizeof(*keys));
	const char **sorted = calloc(n ? n : 1, sizeof(*sorted));
	int64_t *ids = NULL, now = isotime_now_ms();
	size_t nids = 0, cap = 0;
	struct db_stmt *st;
	int own, rc = -1, step;

	*gone = 0;
	if (keys == NULL || sorted == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (crm_key(seen[i], keys[i], ERR_INVALID, e) < 0)
			goto out;
		sorted[i] = keys[i];
	}
	qsort(sorted, n, sizeof(*sorted), key_cmp);
	if (store__tx_begin(s, &own, e) < 0)
		goto out;
	st = store__query(s, "SELECT id, crm_key FROM staff WHERE org_id = ? AND in_crm = 1", e,
			  "i", org_id);
	if (st == NULL)
		goto tx;
	while ((step = db_step(st, e)) == 1) {
		const char *k = db_col_text(st, 1);

		if (bsearch(&k, sorted, n, sizeof(*sorted), key_cmp))
			continue;
		if (store__grow(&ids, &cap, nids, sizeof(*ids), e) < 0) {
			step = -1;
			break;
		}
		ids[nids++] = db_col_int64(st, 0);
	}
	db_finish(st);
	if (step < 0)
		goto tx;
	/* Usually none: a statement each for the few that went. */
	rc = 0;
	for (size_t i = 0; i < nids && rc == 0; i++)
		if (store__exec(s, "UPDATE staff SET in_crm = 0, updated_at = ? WHERE id = ?", e,
				"ii", now, ids[i]) < 0)
			rc = -1;
	if (rc == 0)
		*gone = (int64_t)nids;
tx:
	rc = store__tx_end(s, own, rc, e);
out:
	free(ids);
	free(keys);
	free(sorted);
	return rc;
}

int store_staff_autolink(struct store *s, int64_t org_id, int64_t *linked, struct err *e)
{
	int64_t n;

	/* One statement links every staff member nobody has decided about (linked_by
	 * none) whose email, trimmed and lower-cased, is an OCC user's (email_norm is
	 * unique per org, so at most one matches). */
	n = store__exec(s, "UPDATE staff SET occ_user_id = (SELECT occ_users.id FROM occ_users"
			   " WHERE occ_users.org_id = staff.org_id"
			   " AND occ_users.email_norm = LOWER(TRIM(staff.email))),"
			   " active = 1, linked_by = 'email', backfill_pending = 1, updated_at = ?"
			   " WHERE org_id = ? AND linked_by = 'none' AND in_crm = 1"
			   " AND email IS NOT NULL"
			   " AND EXISTS (SELECT 1 FROM occ_users WHERE occ_users.org_id = staff.org_id"
			   " AND occ_users.email_norm = LOWER(TRIM(staff.email)))", e, "ii",
			isotime_now_ms(), org_id);
	if (n < 0)
		return -1;
	*linked = n;
	return 0;
}

int store_staff_link(struct store *s, int64_t org_id, const char *crm_id,
		     int64_t occ_user_id, int active, struct err *e)
{
	struct store_staff cur;
	struct store_user u;
	int64_t staff_id;
	int own, rc = -1, was_active;

	if (store__tx_begin(s, &own, e) < 0)
		return -1;
	if (store_staff_get(s, org_id, crm_id, &cur, e) < 0)
		goto out;
	was_active = cur.active && cur.occ_user_id != 0;
	staff_id = cur.id;
	store_staff_clear(&cur);
	if (occ_user_id != 0) {
		if (store_user_get(s, org_id, occ_user_id, &u, e) < 0)
			goto out;
		store_user_clear(&u);
	} else {
		active = 0;
	}
	active = active ? 1 : 0;
	rc = store__exec(s, "UPDATE staff SET occ_user_id = ?, active = ?, linked_by = 'manual',"
			    " backfill_pending = CASE WHEN ? = 1 THEN 1 ELSE backfill_pending END,"
			    " updated_at = ? WHERE id = ?", e, "Iiiii",
			 occ_user_id, (int64_t)active, (int64_t)(active && !was_active),
			 isotime_now_ms(), staff_id) < 0 ? -1 : 0;
out:
	return store__tx_end(s, own, rc, e);
}

static void staff_row(struct db_stmt *st, void *el)
{
	struct store_staff *out = el;

	int by;

	out->id = db_col_int64(st, 0);
	out->crm_id = store__col_dup(st, 1);
	out->name = store__col_dup(st, 2);
	out->email = store__col_dup(st, 3);
	out->occ_user_id = db_col_is_null(st, 4) ? 0 : db_col_int64(st, 4);
	out->occ_user_email = store__col_dup(st, 5);
	out->active = (int)db_col_int64(st, 6);
	by = store__enum_parse(store_link_by_names, STORE_LINK__MAX, db_col_text(st, 7));
	out->linked_by = by < 0 ? STORE_LINK_NONE : (enum store_link_by)by;
	out->backfill_pending = (int)db_col_int64(st, 8);
	out->in_crm = (int)db_col_int64(st, 9);
}

#define STAFF_COLUMNS \
	"SELECT staff.id, staff.crm_id, staff.name, staff.email, staff.occ_user_id," \
	" occ_users.email, staff.active, staff.linked_by, staff.backfill_pending," \
	" staff.in_crm" \
	" FROM staff LEFT JOIN occ_users ON occ_users.id = staff.occ_user_id"

static void staff_free_all(void *v, size_t n)
{
	store_staff_free(v, n);
}

int store_staff_list(struct store *s, int64_t org_id, const char *q,
		     struct store_staff **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	char *pat;

	*out = NULL;
	*n = 0;
	/* LIKE's own wildcards in q are escaped so a search for "a_b" means "a_b". */
	if (q && strlen(q) > 200)
		return err_set(e, ERR_INVALID, "the search text is longer than 200 characters");
	pat = store__like_pattern(q);
	if (pat == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	st = store__query(s, STAFF_COLUMNS " WHERE staff.org_id = ? AND"
			     " (LOWER(COALESCE(staff.name, '')) LIKE LOWER(?) ESCAPE '\\' OR"
			     "  LOWER(COALESCE(staff.email, '')) LIKE LOWER(?) ESCAPE '\\')"
			     " ORDER BY LOWER(COALESCE(staff.name, '')), staff.id", e, "itt",
			  org_id, pat, pat);
	free(pat);
	return store__collect(st, sizeof(**out), staff_row, staff_free_all, out, n, e);
}

int store_staff_get(struct store *s, int64_t org_id, const char *crm_id,
		    struct store_staff *out, struct err *e)
{
	char key[16];

	memset(out, 0, sizeof(*out));
	if (crm_key(crm_id, key, ERR_NOT_FOUND, e) < 0)
		return -1;
	return store__one(store__query(s, STAFF_COLUMNS " WHERE staff.org_id = ?"
					  " AND staff.crm_key = ?", e, "it", org_id, key),
			  staff_row, out, e, "no I360 staff member %s in this org", crm_id);
}

int store_staff_backfill_done(struct store *s, int64_t org_id, int64_t before_ms,
			      struct err *e)
{
	return store__exec(s, "UPDATE staff SET backfill_pending = 0 WHERE org_id = ?"
			      " AND backfill_pending = 1 AND updated_at <= ?", e, "ii", org_id,
			   before_ms) < 0 ? -1 : 0;
}

/* pull_users: I360 staff into the org's staff list, then auto-linking by email. */
#include <stdlib.h>
#include <string.h>

#include "i360/mapping.h"
#include "salesforce/query.h"
#include "salesforce/record.h"
#include "sync/pull.h"
#include "util/buf.h"
#include "util/log.h"

int pull_users(struct pull_ctx *p, struct err *e)
{
	const struct platform_schema *sc = p->schema;
	struct sf_query *q = NULL;
	struct buf soql;
	json_t *records, *rec;
	size_t i, nseen = 0, seen_cap = 0;
	char **seen = NULL;
	int64_t linked = 0, gone = 0, page_linked;
	int rc = -1, more;
	/*
	 * New staff are linked by email as they go in. Such a link needs the backfill mark
	 * (the next run pulls the rep's 29 days) only if the org has a high-water mark
	 * already. Without one, every run's window reaches back 29 days until a page
	 * commits a mark, and that page comes from a window that had these reps in it.
	 */
	unsigned flags = STORE_STAFF_LINK | (p->cs->had_high_water ? STORE_STAFF_BACKFILL : 0);

	if (pull__checkpoint(p, "users", e) < 0)
		return -1;
	buf_init(&soql, 4096);
	buf_puts(&soql, "SELECT ");
	platform_staff_soql_fields(sc, &soql);
	buf_printf(&soql, " FROM %s", sc->staff_object);
	q = sf_query_open(p->cs->client, soql.data, 0, e);
	if (q == NULL)
		goto out;
	while ((more = sf_query_next(q, &records, e)) == 1) {
		size_t n = json_array_size(records), k = 0;
		struct store_staff_in *v = calloc(n ? n : 1, sizeof(*v));

		if (v == NULL) {
			err_set(e, ERR_INTERNAL, "out of memory");
			goto out;
		}
		if (store_begin(p->s, e) < 0) {
			free(v);
			goto out;
		}
		json_array_foreach(records, i, rec) {
			const char *id = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_ID]);

			if (id == NULL || !mapping_id_valid(id, strlen(id))) {
				pull__record_error(p, sc->staff_object, id, "a staff Id must be 15 or "
						   "18 letters and digits");
				continue;
			}
			v[k].crm_id = id;
			v[k].name = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_NAME]);
			v[k].email = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_EMAIL]);
			k++;
			/* Kept past this page: the Ids seen tell, at the end, who is gone. */
			if (nseen == seen_cap) {
				size_t nc = seen_cap ? seen_cap * 2 : 64;
				char **ns = realloc(seen, nc * sizeof(*ns));

				if (ns == NULL) {
					err_set(e, ERR_INTERNAL, "out of memory");
					store_rollback(p->s);
					free(v);
					goto out;
				}
				seen = ns;
				seen_cap = nc;
			}
			if ((seen[nseen] = strdup(id)) == NULL) {
				err_set(e, ERR_INTERNAL, "out of memory");
				store_rollback(p->s);
				free(v);
				goto out;
			}
			nseen++;
		}
		rc = store_staff_upsert_many(p->s, p->org_id, v, k, flags, &page_linked, e);
		free(v);
		if (rc < 0) {
			store_rollback(p->s);
			goto out;
		}
		rc = -1;
		p->counts.users += (int64_t)k;
		p->counts.users_linked += page_linked;
		if (store_commit(p->s, e) < 0 || pull__checkpoint(p, "users", e) < 0)
			goto out;
	}
	if (more < 0)
		goto out;
	/* Every page came: who was not in them is no longer in I360. */
	if (store_staff_retire_unseen(p->s, p->org_id, (const char *const *)seen, nseen, &gone,
				      e) < 0)
		goto out;
	if (gone > 0)
		log_info("sync.staff_gone", "org=%lld staff=%lld", (long long)p->org_id,
			 (long long)gone);
	if (store_staff_autolink(p->s, p->org_id, &linked, e) < 0)
		goto out;
	p->counts.users_linked += linked;
	rc = 0;
out:
	if (rc < 0)
		err_prefix(e, "pulling users");
	sf_query_close(q);
	buf_free(&soql);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return rc;
}

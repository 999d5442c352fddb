/* pull_users: I360 staff into the org's staff list, then auto-linking by email. */
#include <string.h>

#include "salesforce/query.h"
#include "salesforce/record.h"
#include "sync/pull.h"
#include "util/buf.h"

int pull_users(struct pull_ctx *p, struct err *e)
{
	const struct platform_schema *sc = p->schema;
	struct sf_query *q = NULL;
	struct buf soql;
	json_t *records, *rec;
	size_t i;
	int64_t linked = 0;
	int rc = -1, more;

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
		if (store_begin(p->s, e) < 0)
			goto out;
		json_array_foreach(records, i, rec) {
			const char *id = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_ID]);
			const char *name = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_NAME]);
			const char *email = sf_record_str(rec, sc->staff_fields[PLATFORM_STAFF_EMAIL]);
			struct err re;

			if (store_staff_upsert(p->s, p->org_id, id, name, email, NULL, &re) < 0) {
				if (re.code != ERR_INVALID) {
					*e = re;
					store_rollback(p->s);
					goto out;
				}
				pull__record_error(p, sc->staff_object, id, "%s", re.msg);
				continue;
			}
			p->counts.users++;
		}
		if (store_commit(p->s, e) < 0 || pull__checkpoint(p, "users", e) < 0)
			goto out;
	}
	if (more < 0)
		goto out;
	if (store_staff_autolink(p->s, p->org_id, &linked, e) < 0)
		goto out;
	p->counts.users_linked += linked;
	rc = 0;
out:
	if (rc < 0)
		err_prefix(e, "pulling users");
	sf_query_close(q);
	buf_free(&soql);
	return rc;
}

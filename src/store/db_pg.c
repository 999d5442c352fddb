/* db_pg: the PostgreSQL driver (to come with the scale-out issue). */
#include "store/db.h"

struct db *db__pg_open(const char *url, struct err *e)
{
	(void)url;
	err_set(e, ERR_INVALID,
		"PostgreSQL stores are not supported by this build yet: use an SQLite path");
	return NULL;
}

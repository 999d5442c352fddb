/* migrations: the versioned schema, applied in order at open and by `migrate`. */
#ifndef I360_STORE_MIGRATIONS_H
#define I360_STORE_MIGRATIONS_H

#include "store/db.h"

/*
 * Brings the database at db up to the newest schema version: each migration not yet
 * recorded in schema_migrations runs in its own transaction together with its record,
 * so a crash leaves the schema at a whole version. Safe to run again and from several
 * processes at once (the second waits, then finds nothing to do). *applied receives
 * how many migrations ran (may be NULL). A database newer than this binary is refused
 * with ERR_DB.
 */
int migrations_apply(struct db *db, int *applied, struct err *e);

/* The newest schema version this binary knows. */
int migrations_latest(void);

#endif

/* db_sqlite: the SQLite driver (WAL, foreign keys, busy timeout, statement cache). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define SQ_CACHE_MAX 256

/*
 * A statement that writes several rows inside a transaction keeps the pages it changes
 * in a statement journal, to undo just itself on a constraint error. SQLite spills that
 * journal to a temporary file past 64 KB: a 128-row upsert of jobs touches index pages
 * all over, and a sync of 45,000 appointments wrote 30,000 journal pages (490 MB) to
 * /var/tmp through the kernel. Up to 4 MB now stay in memory; a larger statement (an
 * org's deletion) still spills.
 */
#define SQ_STMT_JOURNAL_SPILL (4 * 1024 * 1024)

struct sq_stmt {
	const struct db_driver *drv;	/* first: see struct db_stmt in db.c */
	struct sq_db *db;
	sqlite3_stmt *st;
	const char *sql;	/* the caching key: the literal's address */
	int in_use;
	int cached;
	int64_t changes;
};

struct sq_db {
	struct db base;
	sqlite3 *h;
	struct sq_stmt *cache[SQ_CACHE_MAX];
	size_t ncache;
};

static const struct db_driver sq_driver;

static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;

/*
 * Process-wide settings, before SQLite initializes itself on the first open. Memory
 * status is off: it takes a global mutex on every allocation, for figures nobody reads.
 * Each returns SQLITE_MISUSE if something else in the process opened SQLite first; it
 * then runs with SQLite's defaults, which are correct, only slower.
 */
static void sq_config(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQ_STMT_JOURNAL_SPILL);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_error(struct sq_db *db, int rc, struct err *e)
{
	int primary = rc & 0xff;

	if (primary == SQLITE_CONSTRAINT)
		return err_set(e, ERR_CONFLICT, "%s", sqlite3_errmsg(db->h));
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		return err_set(e, ERR_DB, "the database stayed locked by another process: %s",
			       sqlite3_errmsg(db->h));
	return err_set(e, ERR_DB, "SQLite: %s", sqlite3_errmsg(db->h));
}

static void sq_close(struct db *base)
{
	struct sq_db *db = (struct sq_db *)base;

	for (size_t i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i]->st);
		free(db->cache[i]);
	}
	sqlite3_close_v2(db->h);
	free(db);
}

static int sq_exec(struct db *base, const char *sql, struct err *e)
{
	struct sq_db *db = (struct sq_db *)base;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_error(db, rc, e);
}

static struct db_stmt *sq_prepare(struct db *base, const char *sql, struct err *e)
{
	struct sq_db *db = (struct sq_db *)base;
	struct sq_stmt *s;
	int rc;

	for (size_t i = 0; i < db->ncache; i++) {
		s = db->cache[i];
		if (s->sql == sql && !s->in_use) {
			s->in_use = 1;
			s->changes = 0;
			return (struct db_stmt *)s;
		}
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK) {
		sq_error(db, rc, e);
		free(s);
		return NULL;
	}
	s->drv = &sq_driver;
	s->db = db;
	s->sql = sql;
	s->in_use = 1;
	if (db->ncache < SQ_CACHE_MAX) {
		s->cached = 1;
		db->cache[db->ncache++] = s;
	}
	return (struct db_stmt *)s;
}

static int sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(((struct sq_stmt *)st)->st, i, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct db_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(((struct sq_stmt *)st)->st, i, v, -1, SQLITE_TRANSIENT) ==
			       SQLITE_OK ? 0 : -1;
}

static int sq_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	return sqlite3_bind_blob64(((struct sq_stmt *)st)->st, i, p, n, SQLITE_TRANSIENT) ==
			       SQLITE_OK ? 0 : -1;
}

static int sq_bind_null(struct db_stmt *st, int i)
{
	return sqlite3_bind_null(((struct sq_stmt *)st)->st, i) == SQLITE_OK ? 0 : -1;
}

static int sq_step(struct db_stmt *st, struct err *e)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		s->changes = sqlite3_changes64(s->db->h);
		return 0;
	}
	return sq_error(s->db, rc, e);
}

static int sq_col_is_null(struct db_stmt *st, int c)
{
	return sqlite3_column_type(((struct sq_stmt *)st)->st, c) == SQLITE_NULL;
}

static int64_t sq_col_int64(struct db_stmt *st, int c)
{
	return sqlite3_column_int64(((struct sq_stmt *)st)->st, c);
}

static const char *sq_col_text(struct db_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)st)->st, c);
}

static const void *sq_col_blob(struct db_stmt *st, int c, size_t *n)
{
	sqlite3_stmt *s = ((struct sq_stmt *)st)->st;
	const void *p = sqlite3_column_blob(s, c);

	*n = (size_t)sqlite3_column_bytes(s, c);
	return p;
}

static int64_t sq_changes(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->changes;
}

static void sq_finish(struct db_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->in_use = 0;
	if (!s->cached) {
		sqlite3_finalize(s->st);
		free(s);
	}
}

static const struct db_driver sq_driver = {
	.kind = DB_SQLITE,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_is_null = sq_col_is_null,
	.col_int64 = sq_col_int64,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.finish = sq_finish,
};

struct db *db__sqlite_open(const char *path, struct err *e)
{
	struct sq_db *db = calloc(1, sizeof(*db));
	int rc;

	if (db == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	db->base.drv = &sq_driver;
	pthread_once(&sq_config_once, sq_config);
	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		err_set(e, ERR_DB, "cannot open the database %s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	/* Other processes (the CLI beside `serve`, several workers) share the file:
	 * wait for their write locks rather than failing at once. */
	sqlite3_busy_timeout(db->h, 10000);
	/* 16 KB pages (for a new file; an existing one keeps its size): a sync writes a
	 * page of 2,000 jobs in a transaction, and a WAL frame is a system call. */
	if (sq_exec(&db->base, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL;"
			       " PRAGMA foreign_keys=ON;"
			       " PRAGMA synchronous=NORMAL;", e) < 0) {
		err_prefix(e, "cannot set up the database %s", path);
		goto fail;
	}
	return &db->base;
fail:
	sqlite3_close_v2(db->h);
	free(db);
	return NULL;
}

/* db: the small SQL driver interface the store is written against (SQLite, PostgreSQL). */
#ifndef I360_STORE_DB_H
#define I360_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/*
 * The store's SQL is written once, in the portable subset both backends speak
 * (`?` placeholders, INSERT ... ON CONFLICT ... DO UPDATE, RETURNING, BIGINT, TEXT),
 * and runs through this interface. A driver translates what differs (placeholders,
 * DDL type names through db_ddl()). Nothing above the store sees a driver.
 *
 * Threads: one struct db is one connection, used by one thread at a time.
 * Errors: a uniqueness or foreign-key violation is ERR_CONFLICT; anything else the
 * database refuses is ERR_DB, with the driver's message.
 */

enum db_kind { DB_SQLITE, DB_POSTGRES, DB__MAX };

struct db;
struct db_stmt;

/* The operations a driver provides; see the db_* wrappers below for their contracts. */
struct db_driver {
	enum db_kind kind;
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql, struct err *e);
	struct db_stmt *(*prepare)(struct db *db, const char *sql, struct err *e);
	int (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	int (*bind_text)(struct db_stmt *st, int i, const char *v);
	int (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
	int (*bind_null)(struct db_stmt *st, int i);
	int (*step)(struct db_stmt *st, struct err *e);
	int (*col_is_null)(struct db_stmt *st, int c);
	int64_t (*col_int64)(struct db_stmt *st, int c);
	const char *(*col_text)(struct db_stmt *st, int c);
	const void *(*col_blob)(struct db_stmt *st, int c, size_t *n);
	int64_t (*changes)(struct db_stmt *st);
	void (*finish)(struct db_stmt *st);
};

/* The part of every connection the wrappers read; drivers embed it first. */
struct db {
	const struct db_driver *drv;
	int in_tx;
};

/*
 * Opens a connection for a store URL: "postgres://..." or "postgresql://..." selects
 * PostgreSQL, "sqlite:PATH", "file:PATH" or a bare path selects SQLite.
 * Returns NULL and sets e when the database cannot be reached or opened.
 */
struct db *db_open(const char *url, struct err *e);

/* Closes the connection and every statement it cached; NULL does nothing. */
void db_close(struct db *db);

enum db_kind db_kind(const struct db *db);

/* Whether url names PostgreSQL. */
int db_url_is_postgres(const char *url);

/* Runs one or more statements without parameters or results (DDL, pragmas). */
int db_exec(struct db *db, const char *sql, struct err *e);

/*
 * Rewrites portable DDL for this backend: {{ID}} becomes the auto-increment primary
 * key type, {{BLOB}} the byte string type. Returns a malloc'd string (caller frees) or
 * NULL when out of memory.
 */
char *db_ddl(const struct db *db, const char *ddl);

/*
 * Prepares sql (with `?` placeholders numbered from 1). sql must be a string that
 * lives as long as the connection (a literal): statements are cached by its address,
 * so preparing the same literal again is cheap. Returns NULL and sets e on error.
 * Always pair with db_finish().
 */
struct db_stmt *db_prepare(struct db *db, const char *sql, struct err *e);

/* Binds parameter i (1-based). NULL text binds SQL null. 0, or -1 on misuse. */
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_text(struct db_stmt *st, int i, const char *v);
int db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
int db_bind_null(struct db_stmt *st, int i);

/* Runs the statement or moves to its next row: 1 a row is ready, 0 done, -1 error. */
int db_step(struct db_stmt *st, struct err *e);

/* Reads column c (0-based) of the current row. Text and blobs are borrowed until the
 * next db_step or db_finish; a null text is NULL. */
int db_col_is_null(struct db_stmt *st, int c);
int64_t db_col_int64(struct db_stmt *st, int c);
const char *db_col_text(struct db_stmt *st, int c);
const void *db_col_blob(struct db_stmt *st, int c, size_t *n);

/* Rows changed by the last INSERT/UPDATE/DELETE run through st. */
int64_t db_changes(struct db_stmt *st);

/* Ends the use of a statement (resets it back into the cache); NULL does nothing. */
void db_finish(struct db_stmt *st);

/*
 * Transactions are explicit. db_begin starts one (BEGIN IMMEDIATE on SQLite, so the
 * write lock is taken up front and two writers never deadlock); nesting is refused.
 * db_rollback is safe to call when no transaction is open.
 */
int db_begin(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
int db_rollback(struct db *db);

/* Drivers. */
struct db *db__sqlite_open(const char *path, struct err *e);
struct db *db__pg_open(const char *url, struct err *e);

#endif

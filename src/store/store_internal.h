/* store_internal: what the store's entity files share; not for callers. */
#ifndef I360_STORE_STORE_INTERNAL_H
#define I360_STORE_STORE_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "store/db.h"
#include "store/seal.h"
#include "store/store.h"

struct store {
	struct db *db;
	struct seal_key key;
};

/*
 * Prepares sql and binds its parameters from fmt, one letter each: 'i' int64_t,
 * 'I' int64_t id where 0 binds null (an absent reference), 't' const char * (NULL
 * binds null), 'b' const void * then size_t, 'n' null (takes no argument).
 * Returns the statement (db_finish it) or NULL with e set.
 */
struct db_stmt *store__query(struct store *s, const char *sql, struct err *e,
			     const char *fmt, ...);

/* Runs a statement that returns no rows; returns the rows changed, or -1. */
int64_t store__exec(struct store *s, const char *sql, struct err *e, const char *fmt, ...);

/* Opens a transaction unless the caller has one; *own says whether we did. */
int store__tx_begin(struct store *s, int *own, struct err *e);

/* Ends what store__tx_begin opened: commits when rc is 0, rolls back otherwise.
 * Returns rc, or -1 when the commit fails. */
int store__tx_end(struct store *s, int own, int rc, struct err *e);

/* A malloc'd copy of column c's text, NULL for null. */
char *store__col_dup(struct db_stmt *st, int c);

/* strdup that keeps NULL. */
char *store__strdup(const char *s);

/* A trimmed malloc'd copy of s, NULL when s is NULL. */
char *store__trim_dup(const char *s);

/* A LIKE pattern matching q anywhere, with LIKE's own wildcards in q escaped by a
 * backslash (use ESCAPE '\\'); malloc'd, or NULL when out of memory. */
char *store__like_pattern(const char *q);

/* Index of name in a string table of n names, or -1. */
int store__enum_parse(const char *const *names, int n, const char *name);

/* Makes room for one more element in a growing array *v of len elements of size
 * elem (capacity *cap). 0, or -1 with ERR_INTERNAL when out of memory. */
int store__grow(void *v, size_t *cap, size_t len, size_t elem, struct err *e);

/*
 * Reads every row of st (finishing it) into a new array of elements of size elem,
 * each filled by row(st, element) from a zeroed element. On success *out and *n are the
 * array (the caller frees it with the entity's *_free) and its length; on failure the
 * elements read so far are handed to free_all(array, count) and -1 is returned. A NULL
 * st (a failed prepare, e already set) is -1.
 */
int store__collect(struct db_stmt *st, size_t elem, void (*row)(struct db_stmt *st, void *el),
		   void (*free_all)(void *array, size_t n), void *out, size_t *n, struct err *e);

/*
 * Reads the one row st should give into out with row(). No row is ERR_NOT_FOUND with
 * the printf-formatted message. Finishes st; a NULL st (a failed prepare) is -1.
 */
int store__one(struct db_stmt *st, void (*row)(struct db_stmt *st, void *el), void *out,
	       struct err *e, const char *missing, ...) __attribute__((format(printf, 5, 6)));

/*
 * Multi-row statements (a page of jobs in a few statements instead of thousands). A
 * statement is head, then rows joined by ", ", then tail; a row is "(?, ?, ...)" with
 * ncols placeholders, or a bare "?" when ncols is 0 (an IN list), or the text of row
 * when it is set (with ncols placeholders: casts, say). Each row count in
 * store__tiers has one text, built the first time it is asked for and kept for the
 * life of the process, so db_prepare's cache (keyed by the text's address) keeps it
 * prepared. Callers cover n rows with store__tier(n)-sized statements until none are
 * left: n rows take n / 128 statements and one per bit of n % 128. Declare one static
 * struct store__rows per statement, with head, tail, ncols (and row).
 */
#define STORE__NTIERS 8
extern const size_t store__tiers[STORE__NTIERS];	/* 1, 2, 4, ... 128 */

struct store__rows {
	const char *head, *tail;
	int ncols;
	const char *row;	/* one row's text; NULL: "(?, ?, ...)" of ncols */
	_Atomic(const char *) text[STORE__NTIERS];
};

/* The index in store__tiers of the largest row count not above n (n >= 1). */
int store__tier(size_t n);

/* The text of r for tier t; NULL when out of memory (e is set). */
const char *store__rows_text(struct store__rows *r, int t, struct err *e);

/*
 * Runs r over n rows in as few statements as the tiers allow. For each statement,
 * bind(st, first, k, arg) binds rows first .. first + k - 1 (row i's columns from
 * parameter i * r->ncols + 1 on), and row(st, arg), when not NULL, is called for each
 * row the statement returns (a RETURNING clause); it returns 0, or -1 with e set to
 * stop. 0, or -1 with e set.
 */
int store__rows_run(struct store *s, struct store__rows *r, size_t n,
		    void (*bind)(struct db_stmt *st, size_t first, size_t k, void *arg),
		    int (*row)(struct db_stmt *st, void *arg, struct err *e), void *arg,
		    struct err *e);

/* Seals a secret and binds it; a NULL secret binds null. */
int store__bind_sealed(struct store *s, struct db_stmt *st, int i, const char *secret,
		       struct err *e);

/* Opens a sealed column into a malloc'd secret (seal_free_secret), NULL for null. */
int store__col_open(struct store *s, struct db_stmt *st, int c, char **out, struct err *e);

#endif

/* db_pg: the PostgreSQL driver (libpq; `?` placeholders become $n; prepared once). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define PG_CACHE_MAX 256
/* The protocol counts parameters in 16 bits. */
#define PG_PARAMS_MAX 65535

struct pg_stmt {
	const struct db_driver *drv;	/* first: see struct db_stmt in db.c */
	struct pg_db *db;
	const char *sql;	/* the caching key: the literal's address */
	char name[16];		/* the server-side prepared statement */
	int nparams;
	int in_use;
	int cached;
	/* Parameters of the next execution: text, or binary for blobs. */
	char **values;
	int *lengths;
	int *formats;
	/* The result of the execution and the row the caller is on. */
	PGresult *res;
	int row;
	int executed;
	int64_t changes;
	unsigned char *blob;	/* the last decoded bytea, freed on the next read */
};

struct pg_db {
	struct db base;
	PGconn *conn;
	struct pg_stmt *cache[PG_CACHE_MAX];
	size_t ncache;
	unsigned next_name;
};

static const struct db_driver pg_driver;

/* Maps a failed result to an error: integrity violations (class 23) are conflicts. */
static int pg_error(struct pg_db *db, PGresult *res, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (msg == NULL)
		msg = PQerrorMessage(db->conn);
	if (state && strncmp(state, "23", 2) == 0)
		return err_set(e, ERR_CONFLICT, "%s", msg);
	return err_set(e, ERR_DB, "PostgreSQL: %s", msg);
}

/* Rewrites `?` placeholders outside string literals and quoted names into $1, $2... */
static char *pg_translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql), marks = 0;
	char *out, *o;
	char quote = 0;
	int k = 0;

	for (const char *p = sql; *p; p++)
		marks += *p == '?';
	/* Each mark becomes at most "$65535"; more than that is refused by the caller. */
	out = o = malloc(n + marks * 5 + 1);
	if (out == NULL)
		return NULL;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			*o++ = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			*o++ = *p;
		} else if (*p == '?') {
			o += sprintf(o, "$%d", ++k);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	*nparams = k;
	return out;
}

static void pg_clear_params(struct pg_stmt *s)
{
	for (int i = 0; s->values && i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

static void pg_clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	PQfreemem(s->blob);
	s->blob = NULL;
	s->row = -1;
	s->executed = 0;
}

static void pg_stmt_destroy(struct pg_stmt *s)
{
	pg_clear_result(s);
	pg_clear_params(s);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s);
}

static void pg_close(struct db *base)
{
	struct pg_db *db = (struct pg_db *)base;

	for (size_t i = 0; i < db->ncache; i++)
		pg_stmt_destroy(db->cache[i]);
	PQfinish(db->conn);
	free(db);
}

static int pg_exec(struct db *base, const char *sql, struct err *e)
{
	struct pg_db *db = (struct pg_db *)base;
	PGresult *res = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_error(db, res, e);
	PQclear(res);
	return rc;
}

static struct db_stmt *pg_prepare(struct db *base, const char *sql, struct err *e)
{
	struct pg_db *db = (struct pg_db *)base;
	struct pg_stmt *s;
	PGresult *res;
	char *text;

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
	text = pg_translate(sql, &s->nparams);
	if (text == NULL || s->nparams > PG_PARAMS_MAX) {
		err_set(e, ERR_INTERNAL, text ? "a store query has too many parameters"
				      : "out of memory");
		free(text);
		free(s);
		return NULL;
	}
	s->values = calloc((size_t)s->nparams + 1, sizeof(*s->values));
	s->lengths = calloc((size_t)s->nparams + 1, sizeof(*s->lengths));
	s->formats = calloc((size_t)s->nparams + 1, sizeof(*s->formats));
	if (s->values == NULL || s->lengths == NULL || s->formats == NULL) {
		free(text);
		pg_stmt_destroy(s);
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "i3b%u", db->next_name++);
	res = PQprepare(db->conn, s->name, text, 0, NULL);
	free(text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_error(db, res, e);
		PQclear(res);
		pg_stmt_destroy(s);
		return NULL;
	}
	PQclear(res);
	s->drv = &pg_driver;
	s->db = db;
	s->sql = sql;
	s->in_use = 1;
	s->row = -1;
	if (db->ncache < PG_CACHE_MAX) {
		s->cached = 1;
		db->cache[db->ncache++] = s;
	}
	return (struct db_stmt *)s;
}

static int pg_set_param(struct pg_stmt *s, int i, char *v, int len, int format)
{
	if (i < 1 || i > s->nparams) {
		free(v);
		return -1;
	}
	free(s->values[i - 1]);
	s->values[i - 1] = v;
	s->lengths[i - 1] = len;
	s->formats[i - 1] = format;
	return 0;
}

static int pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	char *t = malloc(24);

	if (t == NULL)
		return -1;
	snprintf(t, 24, "%lld", (long long)v);
	return pg_set_param((struct pg_stmt *)st, i, t, 0, 0);
}

static int pg_bind_text(struct db_stmt *st, int i, const char *v)
{
	char *t = strdup(v);

	return t ? pg_set_param((struct pg_stmt *)st, i, t, 0, 0) : -1;
}

static int pg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	char *t = malloc(n ? n : 1);

	if (t == NULL)
		return -1;
	memcpy(t, p, n);
	return pg_set_param((struct pg_stmt *)st, i, t, (int)n, 1);
}

static int pg_bind_null(struct db_stmt *st, int i)
{
	return pg_set_param((struct pg_stmt *)st, i, NULL, 0, 0);
}

static int pg_step(struct db_stmt *st, struct err *e)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	ExecStatusType status;
	const char *tuples;

	if (!s->executed) {
		s->res = PQexecPrepared(s->db->conn, s->name, s->nparams,
					(const char *const *)s->values, s->lengths, s->formats, 0);
		s->executed = 1;
		s->row = -1;
		status = PQresultStatus(s->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
			return pg_error(s->db, s->res, e);
		tuples = PQcmdTuples(s->res);
		s->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
	}
	PQfreemem(s->blob);
	s->blob = NULL;
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return 1;
	}
	return 0;
}

static int pg_col_is_null(struct db_stmt *st, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return PQgetisnull(s->res, s->row, c);
}

static int64_t pg_col_int64(struct db_stmt *st, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	if (PQgetisnull(s->res, s->row, c))
		return 0;
	return strtoll(PQgetvalue(s->res, s->row, c), NULL, 10);
}

static const char *pg_col_text(struct db_stmt *st, int c)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	if (PQgetisnull(s->res, s->row, c))
		return NULL;
	return PQgetvalue(s->res, s->row, c);
}

static const void *pg_col_blob(struct db_stmt *st, int c, size_t *n)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	*n = 0;
	if (PQgetisnull(s->res, s->row, c))
		return NULL;
	/* Results come as text: bytea arrives hex-escaped and is decoded here. */
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, c), n);
	return s->blob;
}

static int64_t pg_changes(struct db_stmt *st)
{
	return ((struct pg_stmt *)st)->changes;
}

static void pg_finish(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	pg_clear_result(s);
	pg_clear_params(s);
	s->in_use = 0;
	if (!s->cached) {
		char sql[48];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->db->conn, sql));
		pg_stmt_destroy(s);
	}
}

static const struct db_driver pg_driver = {
	.kind = DB_POSTGRES,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_is_null = pg_col_is_null,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.finish = pg_finish,
};

/* Notices (e.g. "relation already exists, skipping") are not errors: keep them out
 * of stderr. */
static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

struct db *db__pg_open(const char *url, struct err *e)
{
	struct pg_db *db = calloc(1, sizeof(*db));

	if (db == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	db->base.drv = &pg_driver;
	db->conn = PQconnectdb(url);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* libpq's message can quote the URL's password: say only what failed. */
		const char *m = PQerrorMessage(db->conn);
		const char *why = strstr(m, "FATAL:");

		if (why)
			why += 6 + strspn(why + 6, " ");
		else
			why = strstr(m, "Connection refused") ? "connection refused"
							       : "see the server's log";
		err_set(e, ERR_DB, "cannot connect to PostgreSQL: %.*s", (int)strcspn(why, "\n"),
			why);
		PQfinish(db->conn);
		free(db);
		return NULL;
	}
	PQsetNoticeProcessor(db->conn, pg_quiet, NULL);
	/* Every statement is prepared once per connection and is a keyed lookup or write
	 * whose best plan does not depend on its values: plan it once, not again on each
	 * of its first five runs (the server's default), which for a multi-row upsert of
	 * a page costs more than running it. */
	{
		struct err se;

		if (pg_exec(&db->base, "SET plan_cache_mode = force_generic_plan", &se) < 0) {
			err_set(e, ERR_DB, "cannot set up the PostgreSQL session: %s", se.msg);
			PQfinish(db->conn);
			free(db);
			return NULL;
		}
	}
	return &db->base;
}

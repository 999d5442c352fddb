/* store: opening the store, transactions, and the helpers the entity files share. */
#include "store/store.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "util/buf.h"
#include "store/store_internal.h"

/* The text sealed in meta.key_check: if the key opens it, the key is the right one. */
#define KEY_CHECK_TEXT "i360bridge master key check v1"

/* Binds fmt's parameters (see store__query) from ap; the statement is finished and
 * NULL returned when a bind fails. */
static struct db_stmt *store_vquery(struct store *s, const char *sql, struct err *e,
				    const char *fmt, va_list ap)
{
	struct db_stmt *st = db_prepare(s->db, sql, e);
	int i = 1, rc = 0;

	if (st == NULL)
		return NULL;
	for (const char *f = fmt; *f && rc == 0; f++, i++) {
		switch (*f) {
		case 'i':
			rc = db_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);
			rc = v ? db_bind_int64(st, i, v) : db_bind_null(st, i);
			break;
		}
		case 't':
			rc = db_bind_text(st, i, va_arg(ap, const char *));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = p ? db_bind_blob(st, i, p, n) : db_bind_null(st, i);
			break;
		}
		case 'n':
			rc = db_bind_null(st, i);
			break;
		default:
			rc = -1;
		}
	}
	if (rc < 0) {
		db_finish(st);
		err_set(e, ERR_INTERNAL, "cannot bind parameter %d of a store query", i - 1);
		return NULL;
	}
	return st;
}

struct db_stmt *store__query(struct store *s, const char *sql, struct err *e,
			     const char *fmt, ...)
{
	struct db_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = store_vquery(s, sql, e, fmt, ap);
	va_end(ap);
	return st;
}

int64_t store__exec(struct store *s, const char *sql, struct err *e, const char *fmt, ...)
{
	struct db_stmt *st;
	va_list ap;
	int64_t changes;
	int rc;

	va_start(ap, fmt);
	st = store_vquery(s, sql, e, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	changes = db_changes(st);
	db_finish(st);
	return rc < 0 ? -1 : changes;
}

int store__tx_begin(struct store *s, int *own, struct err *e)
{
	*own = !s->db->in_tx;
	return *own ? db_begin(s->db, e) : 0;
}

int store__tx_end(struct store *s, int own, int rc, struct err *e)
{
	if (!own)
		return rc;
	if (rc < 0) {
		db_rollback(s->db);
		return rc;
	}
	return db_commit(s->db, e);
}

char *store__col_dup(struct db_stmt *st, int c)
{
	const char *t = db_col_text(st, c);

	return t ? strdup(t) : NULL;
}

char *store__strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *store__trim_dup(const char *s)
{
	const char *end;
	char *out;

	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	out = malloc((size_t)(end - s) + 1);
	if (out) {
		memcpy(out, s, (size_t)(end - s));
		out[end - s] = '\0';
	}
	return out;
}

const size_t store__tiers[STORE__NTIERS] = { 1, 2, 4, 8, 16, 32, 64, 128 };

int store__tier(size_t n)
{
	int t = STORE__NTIERS - 1;

	while (t > 0 && store__tiers[t] > n)
		t--;
	return t;
}

static pthread_mutex_t rows_mu = PTHREAD_MUTEX_INITIALIZER;

const char *store__rows_text(struct store__rows *r, int t, struct err *e)
{
	const char *text = atomic_load_explicit(&r->text[t], memory_order_acquire);
	struct buf b;

	if (text)
		return text;
	pthread_mutex_lock(&rows_mu);
	if ((text = atomic_load_explicit(&r->text[t], memory_order_relaxed)) == NULL) {
		buf_init(&b, 0);
		buf_puts(&b, r->head);
		for (size_t i = 0; i < store__tiers[t]; i++) {
			buf_puts(&b, i ? ", " : "");
			if (r->row || r->ncols == 0) {
				buf_puts(&b, r->row ? r->row : "?");
				continue;
			}
			buf_puts(&b, "(?");
			for (int c = 1; c < r->ncols; c++)
				buf_puts(&b, ", ?");
			buf_puts(&b, ")");
		}
		buf_puts(&b, r->tail);
		/* Kept for the life of the process: connections cache statements by it. */
		if (!buf_too_big(&b) && b.data)
			text = buf_detach(&b, NULL);
		buf_free(&b);
		atomic_store_explicit(&r->text[t], text, memory_order_release);
	}
	pthread_mutex_unlock(&rows_mu);
	if (text == NULL)
		err_set(e, ERR_INTERNAL, "out of memory");
	return text;
}

int store__rows_run(struct store *s, struct store__rows *r, size_t n,
		    void (*bind)(struct db_stmt *st, size_t first, size_t k, void *arg),
		    int (*row)(struct db_stmt *st, void *arg, struct err *e), void *arg,
		    struct err *e)
{
	for (size_t done = 0; done < n;) {
		int t = store__tier(n - done), rc;
		size_t k = store__tiers[t];
		const char *sql = store__rows_text(r, t, e);
		struct db_stmt *st;

		if (sql == NULL || (st = db_prepare(s->db, sql, e)) == NULL)
			return -1;
		bind(st, done, k, arg);
		while ((rc = db_step(st, e)) == 1)
			if (row && row(st, arg, e) < 0) {
				rc = -1;
				break;
			}
		db_finish(st);
		if (rc < 0)
			return -1;
		done += k;
	}
	return 0;
}

int store__grow(void *v, size_t *cap, size_t len, size_t elem, struct err *e)
{
	void **pv = v;
	void *nv;

	if (len < *cap)
		return 0;
	nv = realloc(*pv, (*cap ? *cap * 2 : 16) * elem);
	if (nv == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	*pv = nv;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

int store__collect(struct db_stmt *st, size_t elem, void (*row)(struct db_stmt *st, void *el),
		   void (*free_all)(void *array, size_t n), void *out, size_t *n, struct err *e)
{
	char *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*(void **)out = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	while ((rc = db_step(st, e)) == 1) {
		if ((rc = store__grow(&v, &cap, len, elem, e)) < 0)
			break;
		memset(v + len * elem, 0, elem);
		row(st, v + len * elem);
		len++;
	}
	db_finish(st);
	if (rc < 0) {
		free_all(v, len);
		return -1;
	}
	*(void **)out = v;
	*n = len;
	return 0;
}

int store__one(struct db_stmt *st, void (*row)(struct db_stmt *st, void *el), void *out,
	       struct err *e, const char *missing, ...)
{
	va_list ap;
	int rc;

	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		row(st, out);
	} else if (rc == 0) {
		va_start(ap, missing);
		err_setv(e, ERR_NOT_FOUND, missing, ap);
		va_end(ap);
	}
	db_finish(st);
	return rc == 1 ? 0 : -1;
}

char *store__like_pattern(const char *q)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_puts(&b, "%");
	for (const char *p = q ? q : ""; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, p, 1);
	}
	buf_puts(&b, "%");
	if (buf_too_big(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int store__enum_parse(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

int store__bind_sealed(struct store *s, struct db_stmt *st, int i, const char *secret,
		       struct err *e)
{
	unsigned char *blob;
	size_t len;
	int rc;

	if (secret == NULL)
		return db_bind_null(st, i);
	blob = seal_box(&s->key, secret, strlen(secret), &len);
	if (blob == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	rc = db_bind_blob(st, i, blob, len);
	free(blob);
	return rc;
}

int store__col_open(struct store *s, struct db_stmt *st, int c, char **out, struct err *e)
{
	const void *p;
	size_t n;

	*out = NULL;
	if (db_col_is_null(st, c))
		return 0;
	p = db_col_blob(st, c, &n);
	*out = seal_open(&s->key, p, n, e);
	return *out ? 0 : -1;
}

/* Seals a known text on a new database, and checks it on every later open. */
static int store_check_key(struct store *s, struct err *e)
{
	struct db_stmt *st;
	char *plain = NULL;
	int rc, ok;

	st = store__query(s, "SELECT value FROM meta WHERE key = 'key_check'", e, "");
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1) {
		rc = store__col_open(s, st, 0, &plain, e);
		ok = rc == 0 && plain && strcmp(plain, KEY_CHECK_TEXT) == 0;
		seal_free_secret(plain);
		db_finish(st);
		if (!ok)
			return err_set(e, ERR_CRYPTO,
				       "the master key does not open this database's secrets: "
				       "I360BRIDGE_MASTER_KEY (or the key file) is not the one the "
				       "database was created with");
		return 0;
	}
	db_finish(st);
	if (rc < 0)
		return -1;
	st = store__query(s, "INSERT INTO meta (key, value) VALUES ('key_check', ?) "
			     "ON CONFLICT (key) DO NOTHING", e, "");
	if (st == NULL)
		return -1;
	rc = store__bind_sealed(s, st, 1, KEY_CHECK_TEXT, e);
	if (rc == 0)
		rc = db_step(st, e);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

/* Whether the SQLite database at url holds any table yet (a new database). */
static int store_is_new(struct db *db, int *fresh, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = db_prepare(db, db_kind(db) == DB_SQLITE
		? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'"
		/* pg_catalog, not information_schema: through that view a new connection's
		 * first query took ~5 ms more, and serve opens a connection per worker. */
		: "SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
		  " ON n.oid = c.relnamespace WHERE c.relname = 'meta'"
		  " AND n.nspname = current_schema()", e);
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*fresh = db_col_int64(st, 0) == 0;
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

struct store *store_open(const char *url, struct err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	int fresh = 0, created = 0;

	if (s == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	s->db = db_open(url, e);
	if (s->db == NULL)
		goto fail;
	if (store_is_new(s->db, &fresh, e) < 0)
		goto fail;
	/* A key file is only ever made for a new database: for an existing one, a
	 * missing key file is an error, not a reason to make a key that opens nothing. */
	if (seal_key_load(url, fresh, &s->key, &created, e) < 0)
		goto fail;
	if (migrations_apply(s->db, NULL, e) < 0)
		goto fail;
	if (store_check_key(s, e) < 0)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->db);
	seal_key_wipe(&s->key);
	free(s);
}

int store_migrate(struct store *s, int *applied, struct err *e)
{
	return migrations_apply(s->db, applied, e);
}

int store_schema_version(struct store *s, int *version, struct err *e)
{
	struct db_stmt *st;
	int rc;

	st = store__query(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", e, "");
	if (st == NULL)
		return -1;
	rc = db_step(st, e);
	if (rc == 1)
		*version = (int)db_col_int64(st, 0);
	db_finish(st);
	return rc < 0 ? -1 : 0;
}

int store_begin(struct store *s, struct err *e)
{
	return db_begin(s->db, e);
}

int store_commit(struct store *s, struct err *e)
{
	return db_commit(s->db, e);
}

void store_rollback(struct store *s)
{
	db_rollback(s->db);
}

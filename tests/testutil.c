/* testutil: small helpers shared by the C tests. Included by tests that need it. */
#include "testutil.h"

#include "store/db.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *testutil_tmpdir(void)
{
	static char dir[256];

	snprintf(dir, sizeof(dir), "%s/i360test.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

const char *testutil_path(const char *dir, const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

int testutil_file_contains(const char *path, const void *needle, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, got;
	int found = 0;

	if (f == NULL)
		return -1;
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			data = realloc(data, cap);
		}
		got = fread(data + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	fclose(f);
	for (size_t i = 0; n <= len && i + n <= len && !found; i++)
		found = memcmp(data + i, needle, n) == 0;
	free(data);
	return found;
}

static char *slurp(FILE *f)
{
	char *data = NULL;
	size_t len = 0, cap = 0, got;

	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
		}
		got = fread(data + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	data[len] = '\0';
	return data;
}

int testutil_run(const char *cmdline, char **out, char **err)
{
	char errpath[] = "/tmp/i360err.XXXXXX";
	char *full;
	FILE *p, *ef;
	int fd = mkstemp(errpath), status;

	if (fd < 0)
		return -1;
	close(fd);
	full = malloc(strlen(cmdline) + strlen(errpath) + 16);
	sprintf(full, "%s 2>%s", cmdline, errpath);
	p = popen(full, "r");
	free(full);
	if (p == NULL)
		return -1;
	{
		char *o = slurp(p);
		if (out)
			*out = o;
		else
			free(o);
	}
	status = pclose(p);
	ef = fopen(errpath, "r");
	if (ef) {
		char *x = slurp(ef);
		if (err)
			*err = x;
		else
			free(x);
		fclose(ef);
	}
	unlink(errpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct store *testutil_store_fresh(int postgres, char *path, size_t n, int *skip)
{
	const char *pg = getenv("I360_TEST_PG_URL");
	struct store *s;
	struct err e;

	*skip = 0;
	if (postgres) {
		struct db *db;
		int rc;

		if (pg == NULL || *pg == '\0') {
			*skip = 1;
			return NULL;
		}
		setenv("I360BRIDGE_MASTER_KEY", TESTUTIL_PG_KEY, 1);
		snprintf(path, n, "%s", pg);
		if ((db = db_open(pg, &e)) == NULL) {
			fprintf(stderr, "%s\n", e.msg);
			return NULL;
		}
		rc = db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &e);
		db_close(db);
		if (rc < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return NULL;
		}
	} else {
		unsetenv("I360BRIDGE_MASTER_KEY");
		snprintf(path, n, "%s", testutil_path(testutil_tmpdir(), "t.db"));
	}
	if ((s = store_open(path, &e)) == NULL)
		fprintf(stderr, "store_open: %s\n", e.msg);
	return s;
}

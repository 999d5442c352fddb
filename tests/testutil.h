/* testutil: small helpers shared by the C tests (temporary directories, files). */
#ifndef I360_TESTS_TESTUTIL_H
#define I360_TESTS_TESTUTIL_H

#include <stddef.h>

/* Makes a fresh temporary directory and returns its path (static storage, valid
 * until the next call); aborts the test program when it cannot. */
const char *testutil_tmpdir(void);

/* Joins dir and name into a static buffer (valid until the next call). */
const char *testutil_path(const char *dir, const char *name);

/* Whether the file at path contains the bytes needle (n bytes); -1 if unreadable. */
int testutil_file_contains(const char *path, const void *needle, size_t n);

/* Runs a shell command line, capturing stdout and stderr into malloc'd strings
 * (may be NULL); returns the exit status (or -1). */
int testutil_run(const char *cmdline, char **out, char **err);

struct store;

/* The master key store tests use on PostgreSQL (base64 of 32 bytes). */
#define TESTUTIL_PG_KEY "dGVzdC1tYXN0ZXIta2V5LW9mLTMyLWJ5dGVzLWxvbmc="

/*
 * A fresh store for one test, its location into path (n bytes): SQLite in a new
 * temporary directory (key file beside it), or with postgres set the database
 * I360_TEST_PG_URL names, emptied first (master key TESTUTIL_PG_KEY). Returns NULL with
 * *skip set when postgres is asked for and no server is given, NULL with *skip clear
 * (and a message on stderr) on failure.
 */
struct store *testutil_store_fresh(int postgres, char *path, size_t n, int *skip);

#endif

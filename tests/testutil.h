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

#endif

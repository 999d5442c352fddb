/* fuzz: the helpers every fuzz target shares. */
#define _XOPEN_SOURCE 700	/* nftw */
#include "fuzz/fuzz.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: %s:%d: %s: ", file, line, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		fuzz_fail(__FILE__, __LINE__, "malloc", "out of memory");
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int fuzz_has_nul(const uint8_t *data, size_t size)
{
	return size > 0 && memchr(data, '\0', size) != NULL;
}

static char tmpdir[512];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void tmpdir_remove(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/i360-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fuzz_fail(__FILE__, __LINE__, "mkdtemp", "no temporary directory as %s", tmpdir);
	atexit(tmpdir_remove);
	return tmpdir;
}

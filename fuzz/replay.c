/* replay: runs a fuzz target once over each file given (directories: every file in them,
 * in name order), without libFuzzer, so any compiler and `make check` can run the corpus. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

/* Runs the target on the file at path. Returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *p;
	size_t size = 0, alloc = 0, n;

	if (f == NULL) {
		fprintf(stderr, "replay: %s cannot be opened\n", path);
		return -1;
	}
	do {
		if (size == alloc) {
			p = realloc(data, alloc = alloc ? alloc * 2 : 4096);
			if (p == NULL)
				goto oom;
			data = p;
		}
		n = fread(data + size, 1, alloc - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	f = NULL;
	/* Down to the exact size, so that reading past the input is caught under ASan. */
	p = realloc(data, size ? size : 1);
	if (p == NULL)
		goto oom;
	data = p;
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
oom:
	fprintf(stderr, "replay: out of memory reading %s\n", path);
	if (f)
		fclose(f);
	free(data);
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir, in name order. Returns how many, or -1. */
static long replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	long done = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s cannot be opened\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **p;

		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			p = realloc(names, (alloc = alloc ? alloc * 2 : 64) * sizeof(*names));
			if (p == NULL)
				break;
			names = p;
		}
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (names[n] == NULL)
			break;
		sprintf(names[n], "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (done >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			done = replay_file(names[i]) < 0 ? -1 : done + 1;
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s does not exist\n", argv[i]);
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) < 0 ? -1 : 1;
		if (n < 0)
			return 1;
		total += n;
	}
	printf("replayed %ld inputs\n", total);
	return total > 0 ? 0 : 1;	/* an empty corpus proves nothing */
}

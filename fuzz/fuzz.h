/* fuzz: what every fuzz target shares — the libFuzzer entry point and checks that abort. */
#ifndef I360_FUZZ_FUZZ_H
#define I360_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput (libFuzzer's name, which is why
 * it carries no fuzz_ prefix) and is linked twice: with libFuzzer (-fsanitize=fuzzer,
 * I360_FUZZ=ON) as fuzz-NAME, and with fuzz/replay.c as fuzz-replay-NAME, a plain
 * program that runs the files and directories named on its command line once each
 * (ctest fuzz.NAME replays fuzz/corpus/NAME). A target needing set-up does it on its
 * first input and undoes it with atexit(), as there is no other hook common to both.
 *
 * data, size: the input, borrowed for the call. Returns 0. A broken invariant is a
 * crash (fuzz_fail), which libFuzzer and the replay both report.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: FILE:LINE: WHAT: message" on stderr and aborts. */
_Noreturn void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fails, saying cond and the printf-made message, unless cond holds. Survives NDEBUG. */
#define FUZZ_CHECK(cond, ...)                                                         \
	do {                                                                          \
		if (!(cond))                                                          \
			fuzz_fail(__FILE__, __LINE__, "check failed: " #cond,         \
				  __VA_ARGS__);                                       \
	} while (0)

/* A NUL-terminated heap copy of the size bytes at data (free() it); aborts when out of
 * memory. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Whether the size bytes at data hold a NUL: C-string targets skip such inputs, as a
 * C string can only be cut at one. */
int fuzz_has_nul(const uint8_t *data, size_t size);

/* A fresh directory under $TMPDIR (or /tmp) for a target's files, removed with all it
 * holds at exit. Returns its path (static storage); aborts when none can be made. */
const char *fuzz_tmpdir(void);

#endif

/* log: leveled key=value lines on stderr. */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const log_names[LOG__MAX] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info", [LOG_WARN] = "warn", [LOG_ERROR] = "error",
};

static atomic_int log_min = LOG_INFO;

void log_init(void)
{
	const char *v = getenv("I360BRIDGE_LOG");

	if (v == NULL || *v == '\0')
		return;
	for (int i = 0; i < LOG__MAX; i++)
		if (strcasecmp(v, log_names[i]) == 0)
			log_set_level((enum log_level)i);
}

void log_set_level(enum log_level level)
{
	atomic_store(&log_min, (int)level);
}

int log_enabled(enum log_level level)
{
	return (int)level >= atomic_load(&log_min);
}

void log_write(enum log_level level, const char *event, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int k;
	va_list ap;

	if (!log_enabled(level))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "ts=%Y-%m-%dT%H:%M:%S", &tm);
	k = snprintf(line + n, sizeof(line) - n, ".%03ldZ level=%s event=%s ",
		     ts.tv_nsec / 1000000, log_names[level], event);
	if (k > 0)
		n += (size_t)k;
	if (n < sizeof(line) - 2) {
		va_start(ap, fmt);
		k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
		va_end(ap);
		if (k > 0)
			n += (size_t)k;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n++] = '\n';
	/* One write(2) per line keeps concurrent lines whole. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

const char *log_quote(char *out, unsigned n, const char *s)
{
	size_t o = 0;
	int plain = 1;

	if (n == 0)
		return out;
	if (s == NULL) {
		snprintf(out, n, "-");
		return out;
	}
	for (const char *p = s; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char)*p < 0x20)
			plain = 0;
	if (plain && *s) {
		snprintf(out, n, "%s", s);
		return out;
	}
	out[o++] = '"';
	for (const char *p = s; *p && o + 3 < n; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = *p;
		} else if (*p == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if ((unsigned char)*p < 0x20) {
			out[o++] = '?';
		} else {
			out[o++] = *p;
		}
	}
	if (o + 1 < n)
		out[o++] = '"';
	out[o] = '\0';
	return out;
}

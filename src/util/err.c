/* err: the caller-owned error context. */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static const char *const err_names[ERR__MAX] = {
	[ERR_NONE] = "none",         [ERR_INVALID] = "invalid",
	[ERR_NOT_FOUND] = "not_found", [ERR_CONFLICT] = "conflict",
	[ERR_TOO_LARGE] = "too_large", [ERR_AUTH] = "auth",
	[ERR_CRYPTO] = "crypto",     [ERR_DB] = "db",
	[ERR_IO] = "io",             [ERR_REMOTE] = "remote",
	[ERR_INTERNAL] = "internal",
};

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_NONE;
	e->msg[0] = '\0';
}

int err_setv(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char out[ERR_MSG_MAX];
	size_t n;
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	n = strlen(out);
	if (n + 2 < sizeof(out)) {
		memcpy(out + n, ": ", 3);
		n += 2;
		size_t m = strlen(e->msg);
		if (m > sizeof(out) - n - 1)
			m = sizeof(out) - n - 1;
		memcpy(out + n, e->msg, m);
		out[n + m] = '\0';
	}
	memcpy(e->msg, out, sizeof(out));
	return -1;
}

const char *err_code_name(enum err_code code)
{
	if ((int)code < 0 || code >= ERR__MAX)
		return "unknown";
	return err_names[code];
}

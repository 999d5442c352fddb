/* sferr: a Salesforce-shaped error for the sandbox. */
#include "sandbox/sferr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sferr_clear(struct sferr *e)
{
	if (e == NULL)
		return;
	e->status = 0;
	e->code = "";
	e->msg[0] = '\0';
	e->field[0] = '\0';
}

int sferr_set(struct sferr *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->status = status;
	e->code = code;
	e->field[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int sferr_field(struct sferr *e, const char *field)
{
	if (e != NULL)
		snprintf(e->field, sizeof(e->field), "%s", field);
	return -1;
}

static json_t *sferr_fields(const struct sferr *e)
{
	json_t *a = json_array();

	if (e->field[0])
		json_array_append_new(a, json_string(e->field));
	return a;
}

json_t *sferr_body(const struct sferr *e)
{
	json_t *one = json_object();

	json_object_set_new(one, "message", json_string(e->msg));
	json_object_set_new(one, "errorCode", json_string(e->code));
	if (e->field[0])
		json_object_set_new(one, "fields", sferr_fields(e));
	return json_pack("[o]", one);
}

json_t *sferr_composite(const struct sferr *e)
{
	return json_pack("{s:s, s:s, s:o}", "statusCode", e->code, "message", e->msg,
			 "fields", sferr_fields(e));
}

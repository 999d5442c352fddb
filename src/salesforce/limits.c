/* limits: parsing Sforce-Limit-Info. */
#include "salesforce/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_long(const char *s, char **end, long *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtol(s, end, 10);
	return errno ? -1 : 0;
}

int sf_limits_parse(const char *value, struct sf_limits *out)
{
	const char *p = value;
	char *end;
	long used, max;

	if (value == NULL)
		return -1;
	/* Find "api-usage=" as a whole key: at the start or after a separator, so that
	 * "per-app-api-usage=" is not taken for it. */
	for (;;) {
		p = strstr(p, "api-usage=");
		if (p == NULL)
			return -1;
		if (p == value || p[-1] == ' ' || p[-1] == ';' || p[-1] == ',')
			break;
		p++;
	}
	p += strlen("api-usage=");
	if (parse_long(p, &end, &used) < 0 || *end != '/')
		return -1;
	if (parse_long(end + 1, &end, &max) < 0)
		return -1;
	if (*end != '\0' && *end != ';' && *end != ',' && *end != ' ' && *end != '\r' &&
	    *end != '\n')
		return -1;
	out->known = 1;
	out->used = used;
	out->max = max;
	return 0;
}

int sf_limits_percent(const struct sf_limits *l)
{
	if (!l->known || l->max <= 0)
		return -1;
	return (int)(l->used * 100 / l->max);
}

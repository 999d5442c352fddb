/* record: dotted-path field access into Salesforce records. */
#include "salesforce/record.h"

#include <string.h>

json_t *sf_record_get(json_t *record, const char *path)
{
	json_t *cur = record;
	const char *p = path;

	if (path == NULL)
		return NULL;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!json_is_object(cur) || n == 0)
			return NULL;
		cur = json_object_getn(cur, p, n);
		if (cur == NULL || json_is_null(cur))
			return NULL;
		if (dot == NULL)
			return cur;
		p = dot + 1;
	}
}

const char *sf_record_str(json_t *record, const char *path)
{
	return json_string_value(sf_record_get(record, path));
}

int sf_record_true(json_t *record, const char *path)
{
	return json_is_true(sf_record_get(record, path));
}

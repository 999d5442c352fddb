/* assets: the admin UI's files (web/), embedded in the binary at build time. */
#include "http/assets.h"

#include <string.h>

const struct asset *assets_find(const char *name)
{
	for (const struct asset *a = assets__table; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

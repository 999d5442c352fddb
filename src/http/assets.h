/* assets: the admin UI's files (web/), embedded in the binary at build time. */
#ifndef I360_HTTP_ASSETS_H
#define I360_HTTP_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name;		/* the file's path under web/, with a leading '/' */
	const char *content_type;
	const unsigned char *data;	/* len bytes, followed by a NUL */
	size_t len;
};

/* Every file of web/, ending with a zeroed entry. Written by cmake/Embed.cmake into
 * the build directory (assets_data.c); the double underscore says only assets.c and
 * that generated file share it. */
extern const struct asset assets__table[];

/* The embedded file named name ("/app.js"), or NULL. The result is static. */
const struct asset *assets_find(const char *name);

#endif

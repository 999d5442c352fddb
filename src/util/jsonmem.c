/* jsonmem: jansson's allocator. */
#include "util/jsonmem.h"

#include <jansson.h>

#ifndef I360_PLAIN_MALLOC
#include <mimalloc.h>
#endif

void jsonmem_init(void)
{
#ifndef I360_PLAIN_MALLOC
	/* Pages arrive every few hundred milliseconds and each frees what the one before
	 * held: keep freed memory 2 s before handing it back to the system, not the
	 * default 25 ms after which the next page faults it all in again (zeroed). An
	 * environment setting (MIMALLOC_DECOMMIT_DELAY) still wins. */
	mi_option_set_default(mi_option_decommit_delay, 2000);
	json_set_alloc_funcs(mi_malloc, mi_free);
#endif
}

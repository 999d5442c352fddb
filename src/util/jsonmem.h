/* jsonmem: where jansson's memory comes from. */
#ifndef I360_UTIL_JSONMEM_H
#define I360_UTIL_JSONMEM_H

/*
 * Routes jansson's allocations to mimalloc and sets mimalloc's options. (Debian's
 * libmimalloc also exports malloc and free: a program linked with it, as every program
 * of this project is, allocates everything from mimalloc. Naming it here keeps jansson
 * on it however the program is linked.) A Salesforce page of 2,000 appointments
 * parses into some 400,000 small nodes that all die together a moment later; glibc's
 * malloc spends a quarter of the parse on them (and consolidates its fast bins whenever
 * the next large answer buffer is grown), mimalloc's free lists far less (bench/RESULTS.md).
 *
 * Call once at the top of main, before any json_t exists: a value allocated by one
 * allocator must not be freed by the other. Programs that never call it keep the
 * default, which is as correct. Sanitizer builds keep the default too, so that
 * AddressSanitizer and ThreadSanitizer see every JSON node (I360_PLAIN_MALLOC).
 */
void jsonmem_init(void);

#endif

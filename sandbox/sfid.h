/* sfid: Salesforce record Ids (15-character case-sensitive, 18-character with checksum). */
#ifndef I360_SANDBOX_SFID_H
#define I360_SANDBOX_SFID_H

#include <stddef.h>

#define SFID_LEN 18

/*
 * Makes the 18-character Id of the serial-th record of an object whose key prefix is
 * prefix (3 characters): prefix + a 2-character pod + zeros + serial in base 62, then
 * the 3-character checksum Salesforce appends. Writes SFID_LEN + 1 bytes into out.
 */
void sfid_make(char out[SFID_LEN + 1], const char *prefix, unsigned long serial);

/* Writes the 3-character checksum of the 15-character id15 into out (4 bytes). */
void sfid_checksum(const char *id15, char out[4]);

/*
 * Whether s is a well-formed Id: 15 alphanumeric characters, or 18 whose last three
 * are the right checksum (compared case-insensitively, as Salesforce does).
 */
int sfid_valid(const char *s);

/* Whether a and b name the same record: equal on their first 15 characters (case
 * matters). Either may be 15 or 18 characters long. */
int sfid_eq(const char *a, const char *b);

#endif

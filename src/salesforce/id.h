/* id: Salesforce record Ids: 15/18-character forms, the case checksum, comparison. */
#ifndef I360_SALESFORCE_ID_H
#define I360_SALESFORCE_ID_H

/*
 * A Salesforce Id is 15 case-sensitive alphanumeric characters, or those 15 followed by
 * a 3-character suffix that encodes, for each 5-character block, which characters are
 * upper case (so the 18-character form survives case-insensitive systems). Both forms
 * name the same record; compare on the first 15 characters.
 */

#define SF_ID_LEN 18	/* the long form; a buffer for it holds SF_ID_LEN + 1 bytes */

/* Whether s is a well-formed Id: 15 alphanumerics, or 18 whose last 3 are the checksum
 * of the first 15. NULL is not. */
int sf_id_valid(const char *s);

/* Writes the 18-character form of a valid Id (either form) into out; 0, or -1 when s is
 * not a valid Id (out is then ""). */
int sf_id_to18(const char *s, char out[SF_ID_LEN + 1]);

/* Whether a and b name the same record: both valid and equal on the first 15 characters
 * (case-sensitive). */
int sf_id_equal(const char *a, const char *b);

#endif

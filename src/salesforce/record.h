/* record: reading fields of a queried record, parent fields through dotted paths. */
#ifndef I360_SALESFORCE_RECORD_H
#define I360_SALESFORCE_RECORD_H

#include <jansson.h>

/*
 * Every json_t * here is borrowed: it points into record and lives as long as the page
 * (or child list) the record came from.
 */

/*
 * The value at path in record, walking dotted paths through parent relationships:
 * "i360core__Sales_Opportunity__r.Id" reads record["i360core__Sales_Opportunity__r"]["Id"].
 * Returns NULL when any step is absent, JSON null or not an object (a parent
 * relationship with no parent comes back as null). Never NULL-dereferences: record may
 * be NULL.
 */
json_t *sf_record_get(json_t *record, const char *path);

/* The string at path, or NULL when absent, null or not a string. */
const char *sf_record_str(json_t *record, const char *path);

/* Whether the value at path is JSON true (false for absent, null or anything else). */
int sf_record_true(json_t *record, const char *path);

#endif

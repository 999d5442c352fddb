/* picklist: a field's picklist values and dependent values, read from a describe result. */
#ifndef I360_SALESFORCE_PICKLIST_H
#define I360_SALESFORCE_PICKLIST_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* One picklist entry. Strings are owned by the list they belong to. */
struct sf_picklist_value {
	char *value;
	char *label;		/* NULL when Salesforce sent none */
	int active;
	int is_default;		/* Salesforce's defaultValue */
};

/* A list of values in Salesforce's order (inactive ones kept). Free with
 * sf_picklist_free(); a zeroed struct is a valid empty list. */
struct sf_picklist {
	struct sf_picklist_value *v;
	size_t n;
};

/*
 * Reads the picklistValues of field from describe (the borrowed json_t * of
 * GET /sobjects/OBJ/describe), all of them, in the order Salesforce returns them,
 * as Restforce's picklist_values(sobject, field) does. out is overwritten; the caller
 * frees it.
 * Returns 0, or -1 with ERR_NOT_FOUND when the field is absent, ERR_REMOTE when the
 * describe is not shaped as Salesforce's.
 */
int sf_picklist_values(json_t *describe, const char *field, struct sf_picklist *out,
		       struct err *e);

/*
 * Reads the values of the dependent picklist field that are valid for controller_value
 * of its controlling field, as Restforce's picklist_values(sobject, field, valid_for:)
 * does: i is the index of controller_value among the controlling field's picklistValues
 * (unfiltered, inactive ones counted), and a dependent value is valid when byte i >> 3
 * of its base64-decoded validFor has bit 0x80 >> (i % 8) set (missing bytes count as
 * zero). Order and inactive values are kept.
 * Returns 0, or -1 with ERR_NOT_FOUND when the field or controller_value is absent,
 * ERR_INVALID when field is not a dependent picklist, ERR_REMOTE when the describe is
 * malformed.
 */
int sf_picklist_valid_for(json_t *describe, const char *field, const char *controller_value,
			  struct sf_picklist *out, struct err *e);

/* Frees what l owns and empties it; NULL does nothing. */
void sf_picklist_free(struct sf_picklist *l);

#endif

/* phones: I360's free-text Contact_Phone field as a list of named phone numbers. */
#ifndef I360_I360_PHONES_H
#define I360_I360_PHONES_H

#include <stddef.h>

#include "model/model.h"
#include "util/err.h"

/*
 * Parses contact_phone by SPEC §3: split on ','; trim each segment (white space as
 * text_space_len() defines it, so no-break spaces too); skip empty segments; split a
 * segment on its first ':' into name and number, both trimmed; a segment without ':'
 * is a number with name NULL; an empty name with a number gives name NULL; a segment
 * whose number is empty is skipped. Order is kept and text is kept as sent otherwise
 * (so "Work: 555-1234 ext: 12" is name "Work", number "555-1234 ext: 12").
 *
 * contact_phone: NUL-terminated UTF-8, or NULL (no phones).
 * out, n: set to a new array of *n phones, or to NULL and 0 when there are none.
 * Returns 0, or -1 with ERR_INTERNAL when out of memory (then *out is NULL and *n 0).
 * Ownership: the caller owns *out and frees it with phones_free(*out, *n), or hands it
 * to a model_job (model_job_free() frees phones the same way).
 */
int phones_parse(const char *contact_phone, struct model_phone **out, size_t *n,
		 struct err *e);

/* Frees an array of n phones and the strings they own; NULL does nothing. */
void phones_free(struct model_phone *phones, size_t n);

#endif

/* mapping: one I360 appointment record (Salesforce JSON) as one OCC job (SPEC §3). */
#ifndef I360_I360_MAPPING_H
#define I360_I360_MAPPING_H

#include <stddef.h>

#include <jansson.h>

#include "i360/platform.h"
#include "model/model.h"
#include "util/err.h"

/*
 * The longest text kept from one field, in bytes. Salesforce text fields hold at most
 * 255 characters and long text areas 131,072; I360's text is kept whole up to this
 * limit and cut (at a character boundary, with a problem noted) beyond it, so one
 * runaway field cannot bloat the store.
 */
#define MAPPING_TEXT_MAX 32768

/* One value of a record that was malformed and left out (or cut). */
struct mapping_problem {
	char *field;	/* the Salesforce field, as a path for nested values, e.g.
			 * "i360core__Sales_Appointment_Opportunities__r.records[1].
			 * i360core__Sales_Opportunity__r.Id" */
	char *message;	/* one sentence: what was wrong and what was done about it */
};

/*
 * A growable list of problems, filled by mapping_job_from_record(). A zeroed struct is
 * an empty list; mapping_problems_free() empties it again.
 */
struct mapping_problems {
	struct mapping_problem *items;
	size_t n;
	size_t alloc;
};

/* Frees every problem in p and leaves it empty and reusable; NULL does nothing. */
void mapping_problems_free(struct mapping_problems *p);

/*
 * Maps one appointment record, as Salesforce's query/queryAll returns it, to a job.
 *
 * s: the platform schema whose names the record uses (the query that fetched the
 *   record selected platform_appointment_soql_fields(s)).
 * record: borrowed; a JSON object. Its "attributes" object is ignored. The child
 *   relationship s->appt_opps_relationship is either null/absent (no opportunities) or
 *   a query result whose "records" the caller has already completed by following any
 *   nextRecordsUrl.
 * out: overwritten (not freed first). On success the caller owns everything in it and
 *   frees it with model_job_free(); on failure it is zeroed.
 * problems: malformed values are appended here, one per value, oldest first (the list
 *   is not emptied first); NULL discards them.
 *
 * Every row of SPEC §3 is filled: text is trimmed and otherwise kept as sent (empty
 * becomes NULL); composed strings leave out an empty part together with its
 * separator; datetimes are parsed with their offsets and milliseconds; status is
 * cancelled when IsDeleted is true. A malformed value never refuses the record: a
 * non-string where text belongs, an invalid lookup Id, an unparseable datetime, an end
 * before the start, an opportunity row with no visible opportunity or with no valid or
 * a repeated Id are left out (a row without an opportunity Id is skipped whole, as an
 * opportunity cannot be named without one), and each adds a problem. A missing
 * SystemModstamp leaves modstamp_ms 0.
 *
 * Returns 0. Returns -1 with ERR_INVALID when record is not an object or has no usable
 * Id (absent, not a string, or not 15/18 ASCII letters and digits), and with
 * ERR_INTERNAL when out of memory; then nothing is appended to problems.
 */
int mapping_job_from_record(const struct platform_schema *s, json_t *record,
			    struct model_job *out, struct mapping_problems *problems,
			    struct err *e);

/* Whether the n bytes at id form a Salesforce Id: 15 or 18 ASCII letters and digits. */
int mapping_id_valid(const char *id, size_t n);

#endif

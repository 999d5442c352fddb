/* seed: the sandbox org's deterministic, realistically messy data. */
#ifndef I360_SANDBOX_SEED_H
#define I360_SANDBOX_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox/objects.h"
#include "util/err.h"

struct seed_opts {
	unsigned seed;
	int staff;		/* i360core__Staff__c records */
	int appointments;	/* i360core__Sales_Appointment__c records */
	int64_t epoch_ms;	/* the anchor "now"; 0: midnight UTC of today */
};

/*
 * Fills an empty store s (the caller holds the write lock) with: the org's one User
 * (the admin the identity URL describes), staff, accounts, appointments spread over
 * the 60 days before the anchor and the 30 after it (appointment date), SystemModstamps
 * over the 60 days before it, 0-3 sales opportunities per appointment linked through
 * the junction object, and a few deleted appointments. Text is as people type it:
 * phones without names, trailing commas, "ext.", empty; nulls in every optional field;
 * non-ASCII names; very long notes; retired picklist values on old records.
 * The same options give byte-identical records (the anchor defaults to today's
 * midnight, so two runs on one UTC day agree). Returns 0, or -1 with e set.
 */
int seed_generate(struct objects *s, const struct seed_opts *o, struct err *e);

/*
 * The emails an OCC organization would hold for the seeded staff: for each staff
 * member who has an email, in staff order, the address trimmed and in lower case
 * (the sandbox spells them in mixed case, so they match only case-insensitively).
 * Returns a NULL-terminated array of heap strings (free with seed_emails_free), *n
 * (when not NULL) gets their count; NULL when out of memory.
 */
char **seed_staff_emails(const struct seed_opts *o, size_t *n);

/* Frees what seed_staff_emails returned; NULL does nothing. */
void seed_emails_free(char **emails);

/* The admin user's username and email in the seeded org. */
#define SEED_ADMIN_USERNAME "admin@i360-sandbox.example"

#endif

/* seed: the sandbox org's deterministic, realistically messy data. */
#include "sandbox/seed.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/isotime.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL

/* splitmix64: small, fast and the same on every platform, so data is reproducible. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(rng_next(r) % n) : 0;
}

/* Whether an event of percent% chance happens. */
static int rng_pct(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

struct person_name {
	const char *display;
	const char *ascii;	/* for email addresses */
};

static const struct person_name firsts[] = {
	{ "Ann", "Ann" }, { "José", "Jose" }, { "Zoë", "Zoe" }, { "Łukasz", "Lukasz" },
	{ "Søren", "Soren" }, { "Chloé", "Chloe" }, { "Mary-Kate", "MaryKate" },
	{ "Seán", "Sean" }, { "Björn", "Bjorn" }, { "Renée", "Renee" }, { "Marcus", "Marcus" },
	{ "Priya", "Priya" }, { "Dmitri", "Dmitri" }, { "Aiyana", "Aiyana" },
	{ "François", "Francois" }, { "Kenji", "Kenji" }, { "Tomás", "Tomas" },
	{ "Bob", "Bob" }, { "Linda", "Linda" },
};

static const struct person_name lasts[] = {
	{ "Lee", "Lee" }, { "Núñez", "Nunez" }, { "O'Brien", "OBrien" }, { "Müller", "Muller" },
	{ "García", "Garcia" }, { "Kowalski", "Kowalski" }, { "Smith", "Smith" },
	{ "Johnson", "Johnson" }, { "D'Angelo", "DAngelo" }, { "van der Berg", "VanderBerg" },
	{ "Østergaard", "Ostergaard" }, { "Nakamura", "Nakamura" }, { "Nguyễn", "Nguyen" },
	{ "Brown", "Brown" }, { "Williams", "Williams" }, { "Dubois", "Dubois" },
	{ "Schäfer", "Schafer" }, { "Patel", "Patel" }, { "Wiśniewski", "Wisniewski" },
	{ "Jones", "Jones" }, { "Ramírez", "Ramirez" }, { "Kim", "Kim" }, { "Moreau", "Moreau" },
};

#define NFIRST (sizeof(firsts) / sizeof(firsts[0]))
#define NLAST (sizeof(lasts) / sizeof(lasts[0]))

static const char *const streets[] = {
	"Main St", "Oak Avenue", "Maple Dr.", "Cedar Ln", "Elm Street", "Sunset Blvd",
	"Lakeview Ct", "Old Mill Rd", "Pine Ridge Way", "Chemin des Érables",
};

static const struct { const char *city, *state, *zip; } places[] = {
	{ "Austin", "TX", "78701" }, { "Denver", "CO", "80203" }, { "Columbus", "OH", "43215" },
	{ "Raleigh", "NC", "27601" }, { "Tampa", "FL", "33602" }, { "Boise", "ID", "83702" },
	{ "Montréal", "QC", "H2X 1Y4" }, { "St. Louis", "MO", "63101-1234" },
	{ "Coeur d'Alene", "ID", "83814" }, { "San José", "CA", "95113" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The staff member i's names: independent of the other records so that the OCC emails
 * can be listed without generating the org. */
static void staff_person(unsigned seed, int i, const struct person_name **fn,
			 const struct person_name **ln)
{
	*fn = &firsts[(size_t)i % NFIRST];
	*ln = &lasts[((size_t)i + seed) % NLAST];
}

/* Every sixth staff member has no email. */
static int staff_has_email(int i)
{
	return i % 6 != 5;
}

/* The email as the sandbox stores it: "First.Last@AcmeExteriors.com", numbered past the
 * first round of first names so that addresses stay unique. */
static void staff_email(unsigned seed, int i, char *out, size_t n)
{
	const struct person_name *fn, *ln;
	int round = i / (int)NFIRST;

	staff_person(seed, i, &fn, &ln);
	if (round)
		snprintf(out, n, "%s.%s%d@AcmeExteriors.com", fn->ascii, ln->ascii, round + 1);
	else
		snprintf(out, n, "%s.%s@AcmeExteriors.com", fn->ascii, ln->ascii);
}

char **seed_staff_emails(const struct seed_opts *o, size_t *n)
{
	char **out = calloc((size_t)(o->staff > 0 ? o->staff : 0) + 1, sizeof(*out));
	size_t k = 0;

	if (out == NULL)
		return NULL;
	for (int i = 0; i < o->staff; i++) {
		char email[160];

		if (!staff_has_email(i))
			continue;
		staff_email(o->seed, i, email, sizeof(email));
		for (char *p = email; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		out[k] = strdup(email);
		if (out[k] == NULL) {
			seed_emails_free(out);
			return NULL;
		}
		k++;
	}
	if (n)
		*n = k;
	return out;
}

void seed_emails_free(char **emails)
{
	if (emails == NULL)
		return;
	for (char **p = emails; *p; p++)
		free(*p);
	free(emails);
}

/* A record being seeded: one value per field of its type, set by name. Text values are
 * borrowed until row_put. */
struct row {
	const struct objects_type *t;
	struct objects_val v[OBJECTS_MAX_FIELDS];
};

/* The type named type (a schema name; memoized like field_at). */
static const struct objects_type *type_named(const char *type)
{
	static _Thread_local struct {
		const char *name;
		const struct objects_type *t;
	} memo[16];
	size_t h = (size_t)(((uintptr_t)type * 0x9E3779B97F4A7C15ULL) >> 60);

	if (memo[h].name != type) {
		memo[h].t = objects_type_find(type);
		if (memo[h].t == NULL)
			abort();	/* as in field_at */
		memo[h].name = type;
	}
	return memo[h].t;
}

static void row_start(struct row *w, const char *type)
{
	memset(w, 0, sizeof(*w));
	w->t = type_named(type);
}

/* The position of field name in t. The seed names each field by a string literal,
 * the same one for every record: a memo keyed by the literal's address skips the
 * lookup after the first time. */
static size_t field_at(const struct objects_type *t, const char *name)
{
	static _Thread_local struct {
		const struct objects_type *t;
		const char *name;
		size_t i;
	} memo[1024];
	size_t h = (size_t)((((uintptr_t)name ^ ((uintptr_t)t << 7)) * 0x9E3779B97F4A7C15ULL) >> 54);

	if (memo[h].name != name || memo[h].t != t) {
		const struct objects_field *f = objects_field_find(t, name);

		/* The names below are the schema's; a typo is a bug every seed test
		 * catches. */
		if (f == NULL)
			abort();
		memo[h].t = t;
		memo[h].name = name;
		memo[h].i = objects_field_index(t, f);
	}
	return memo[h].i;
}

static struct objects_val *col(struct row *w, const char *name)
{
	return &w->v[field_at(w->t, name)];
}

/* Writes the strings up to a NULL one after another into out (n bytes), cut to fit: the
 * seed's names and addresses, without snprintf's cost a million times over. */
static char *cat(char *out, size_t n, ...)
{
	size_t len = 0;
	const char *part;
	va_list ap;

	va_start(ap, n);
	while ((part = va_arg(ap, const char *)) != NULL) {
		size_t k = strlen(part);

		if (k > n - 1 - len)
			k = n - 1 - len;
		memcpy(out + len, part, k);
		len += k;
	}
	va_end(ap);
	out[len] = '\0';
	return out;
}

/* v in decimal, in out (12 bytes). */
static const char *utoa(char out[12], unsigned v)
{
	char *p = out + 11;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

static void row_text(struct row *w, const char *name, const char *text)
{
	*col(w, name) = (struct objects_val){ .set = 1, .null = text == NULL, .s = text };
}

static void row_time(struct row *w, const char *name, int64_t ms)
{
	*col(w, name) = (struct objects_val){ .set = 1, .ms = ms };
}

static void row_null(struct row *w, const char *name)
{
	*col(w, name) = (struct objects_val){ .set = 1, .null = 1 };
}

static void row_num(struct row *w, const char *name, double num)
{
	*col(w, name) = (struct objects_val){ .set = 1, .num = num };
}

static void row_bool(struct row *w, const char *name, int b)
{
	*col(w, name) = (struct objects_val){ .set = 1, .b = b };
}

/* Stores the row (now_ms stamps what it leaves unset); the new Id goes to id. */
static int row_put(struct objects *s, struct row *w, int64_t now_ms, char id[19], struct err *e)
{
	if (objects_insert(s, w->t, w->v, now_ms, id) < 0)
		return err_set(e, ERR_INTERNAL, "Out of memory while seeding the sandbox.");
	return 0;
}

static json_t *dt(int64_t ms)
{
	char out[OBJECTS_DT_LEN];

	return json_string(objects_format_dt(out, ms));
}

/* A phone string as people type them into I360, in out; NULL for none. */
static const char *messy_phone(struct rng *r, char out[160])
{
	unsigned a = 200 + rng_below(r, 700), b = 1000 + rng_below(r, 9000);
	const size_t n = 160;

	switch (rng_below(r, 12)) {
	case 0: snprintf(out, n, "Mobile: (%u) 555-%04u, Home:%u-555-%04u", a, b, a, b / 2); break;
	case 1: snprintf(out, n, "(%u) 555-%04u", a, b); break;
	case 2: snprintf(out, n, "Cell: %u.555.%04u,", a, b); break;
	case 3: snprintf(out, n, "Work: %u-555-%04u ext. %u", a, b, rng_below(r, 900) + 10); break;
	case 4: snprintf(out, n, " , "); break;
	case 5: return NULL;
	case 6: snprintf(out, n, "Home: %u 555 %04u, , Mobile:", a, b); break;
	case 7: snprintf(out, n, "+1 (%u) 555-%04u", a, b); break;
	case 8: snprintf(out, n, "Spouse: María: %u-555-%04u", a, b); break;
	case 9: snprintf(out, n, "Mobile: %u-555-%04u, Home: %u-555-%04u, Work: %u-555-0100 x204",
			 a, b, a, b / 3, a); break;
	case 10: snprintf(out, n, "%u5550%03u", a, b % 1000); break;
	default: snprintf(out, n, "Home : (%u) 555-%04u ,Cell:(%u) 555-%04u ", a, b, a, b / 4); break;
	}
	return out;
}

/* Product categories in out; NULL for none. */
static const char *categories(struct rng *r, char out[128])
{
	static const char *const cats[] = { "Windows", "Doors", "Siding", "Roofing", "Gutters",
					    "Bath", "Kitchen", "Solar" };
	unsigned n = 1 + rng_below(r, 3), first = rng_below(r, N(cats));

	out[0] = '\0';
	if (rng_pct(r, 10))
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		if (i)
			strcat(out, ";");
		strcat(out, cats[(first + i * 3) % N(cats)]);
	}
	return out;
}

/* A dependent value valid for controller value cv on field dep of type t, or NULL. */
static const char *dependent(struct rng *r, const struct objects_type *t, const char *dep,
			     const char *cv)
{
	const struct objects_field *f = &t->fields[field_at(t, dep)];
	const char *ok[16];
	unsigned n = 0;

	if (cv == NULL || rng_pct(r, 30))
		return NULL;
	for (int i = 0; f->picks[i].value && n < N(ok); i++)
		for (int k = 0; f->picks[i].valid_for[k]; k++)
			if (strcmp(f->picks[i].valid_for[k], cv) == 0 && f->picks[i].active)
				ok[n++] = f->picks[i].value;
	return n ? ok[rng_below(r, n)] : NULL;
}

/* Words up to chars bytes, cut at a character boundary; a heap string (NULL when out
 * of memory). */
static char *long_text(struct rng *r, size_t chars)
{
	static const char *const words[] = { "customer", "wants", "estimate", "for", "the",
		"back", "porch", "windows", "café", "naïve", "façade", "—", "déjà", "vu", "→",
		"siding", "HOA", "approval", "needed", "before", "install" };
	char *txt = malloc(chars + 32);	/* the longest word and a space fit past chars */
	size_t n = 0;

	if (txt == NULL)
		return NULL;
	while (n < chars) {
		const char *w = words[rng_below(r, N(words))];
		size_t len = strlen(w);

		memcpy(txt + n, w, len);
		n += len;
		txt[n++] = ' ';
	}
	txt[n] = '\0';
	n = chars;
	while (n > 0 && ((unsigned char)txt[n] & 0xC0) == 0x80)
		n--;
	txt[n] = '\0';
	return txt;
}

static int seed_staff(struct objects *s, const struct seed_opts *o, struct rng *r,
		      int64_t anchor, char (*ids)[19], struct err *e)
{
	for (int i = 0; i < o->staff; i++) {
		const struct person_name *fn, *ln;
		char name[160], email[160], phone[40];
		int64_t mod = anchor - (int64_t)rng_below(r, 60) * DAY_MS;
		struct row w;

		mod -= rng_below(r, 86400) * 1000LL;
		staff_person(o->seed, i, &fn, &ln);
		snprintf(name, sizeof(name), "%s %s", fn->display, ln->display);
		staff_email(o->seed, i, email, sizeof(email));
		row_start(&w, "i360core__Staff__c");
		if (rng_pct(r, 40)) {
			row_null(&w, "i360core__Phone__c");
		} else {
			unsigned area = 200 + rng_below(r, 700);

			snprintf(phone, sizeof(phone), "(%u) 555-%04u", area, 1000 + i);
			row_text(&w, "i360core__Phone__c", phone);
		}
		row_text(&w, "Name", name);
		row_text(&w, "i360core__Email__c", staff_has_email(i) ? email : NULL);
		row_bool(&w, "i360core__Active__c", i % 9 != 8);
		row_time(&w, "CreatedDate", mod - 90 * DAY_MS);
		row_time(&w, "LastModifiedDate", mod);
		row_time(&w, "SystemModstamp", mod);
		if (row_put(s, &w, anchor, ids[i], e) < 0)
			return -1;
	}
	return 0;
}

static int seed_opportunities(struct objects *s, struct rng *r, const char *appt,
			      const char *account, const char *last, int64_t mod, struct err *e)
{
	static const char *const interests[] = { "Windows", "Doors", "Siding", "Roofing",
		"Gutters", "Bath Remodel", "Kitchen Remodel", "Solar Panels" };
	static const char *const results[] = { "Pending", "Sold", "Demo No Sale", "No Demo",
					       "Recission" };
	const struct objects_type *ot = type_named("i360core__Sales_Opportunity__c");
	unsigned n = rng_below(r, 4);

	for (unsigned k = 0; k < n; k++) {
		const char *interest = interests[rng_below(r, N(interests))];
		const char *result = rng_pct(r, 25) ? NULL :
				     results[rng_below(r, rng_pct(r, 90) ? 4 : 5)];
		char name[200], opp[19], junction[19];
		struct row w;

		cat(name, sizeof(name), last, " ", interest, NULL);
		row_start(&w, "i360core__Sales_Opportunity__c");
		row_text(&w, "Name", name);
		row_text(&w, "i360core__Account__c", account);
		row_text(&w, "i360core__Result__c", result);
		/* One rng draw per statement: argument evaluation order is unspecified in C,
		 * and the data must not depend on the compiler. */
		row_text(&w, "i360core__Interested_In__c", rng_pct(r, 8) ? NULL : interest);
		row_text(&w, "i360core__Result_Detail__c",
			 dependent(r, ot, "i360core__Result_Detail__c", result));
		if (rng_pct(r, 50))
			row_null(&w, "i360core__Amount__c");
		else
			row_num(&w, "i360core__Amount__c", 500.0 + rng_below(r, 400) * 50.0);
		row_time(&w, "CreatedDate", mod - 3 * DAY_MS);
		row_time(&w, "SystemModstamp", mod);
		if (row_put(s, &w, mod, opp, e) < 0)
			return -1;
		row_start(&w, "i360core__Sales_Appointment_Opportunity__c");
		row_text(&w, "i360core__Sales_Appointment__c", appt);
		row_text(&w, "i360core__Sales_Opportunity__c", opp);
		row_time(&w, "CreatedDate", mod - 3 * DAY_MS);
		row_time(&w, "SystemModstamp", mod);
		if (row_put(s, &w, mod, junction, e) < 0)
			return -1;
	}
	return 0;
}

static int seed_appointment(struct objects *s, const struct seed_opts *o, struct rng *r,
			    int64_t anchor, char (*staff)[19], int i, struct err *e)
{
	static const char *const statuses[] = { "Scheduled", "Confirmed", "Issued", "Ran - Sold",
		"Ran - No Sale", "No Demo", "Cancelled", "Rescheduled" };
	static const char *const types[] = { "Sales Call", "Rehash", "Follow Up", "Measure" };
	const struct objects_type *at = type_named("i360core__Sales_Appointment__c");
	const struct person_name *fn = &firsts[rng_below(r, NFIRST)];
	const struct person_name *ln = &lasts[rng_below(r, NLAST)];
	unsigned place = rng_below(r, N(places));
	/* Appointments from 60 days before the anchor to 30 after, on half-hour slots
	 * between 13:00 and 23:00 UTC (morning to evening in the Americas). */
	int64_t day = anchor + ((int64_t)rng_below(r, 90) - 60) * DAY_MS;
	int64_t start = day + 13 * 3600000LL + (int64_t)rng_below(r, 20) * 30 * MIN_MS;
	int64_t end = start + (60 + (int64_t)rng_below(r, 5) * 30) * MIN_MS;
	int64_t mod = anchor - 1000 - (int64_t)rng_below(r, 60 * 1440) * MIN_MS;
	int64_t mod_ms = rng_below(r, 60000);
	const char *status = statuses[rng_below(r, rng_pct(r, 95) ? 7 : 8)];
	char account[19], appt[19], contact[200], email[200], street[300], date[OBJECTS_DT_LEN];
	char num[12];
	char acct_name[200], phone[160], cats[128];
	char *notes = NULL;
	struct row w;
	int no_end = rng_pct(r, 10), rc;

	mod -= mod_ms;

	cat(contact, sizeof(contact), fn->display, " ", ln->display, NULL);
	cat(email, sizeof(email), fn->ascii, ".", ln->ascii, utoa(num, rng_below(r, 100)),
	    "@example.com", NULL);
	for (char *p = email; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (i % 50 == 7) {
		/* The longest street address the field holds. */
		memset(street, 'x', 255);
		memcpy(street, "1 Very Long Street Name ", 24);
		street[255] = '\0';
	} else {
		unsigned number = 1 + rng_below(r, 9899);
		const char *st = streets[rng_below(r, N(streets))];
		int apt = rng_pct(r, 10);

		cat(street, sizeof(street), utoa(num, number), " ", st, apt ? "\nApt 4B" : "",
		    NULL);
	}
	cat(acct_name, sizeof(acct_name), ln->display, " Household", NULL);
	row_start(&w, "Account");
	row_text(&w, "Name", acct_name);
	row_text(&w, "BillingStreet", street);
	row_text(&w, "BillingCity", places[place].city);
	row_time(&w, "SystemModstamp", mod - DAY_MS);
	if (row_put(s, &w, mod, account, e) < 0)
		return -1;
	objects_format_dt(date, start);
	date[10] = '\0';
	row_start(&w, "i360core__Sales_Appointment__c");
	row_text(&w, "i360core__Account__c", account);
	/* One rng draw per statement, in a fixed order (see seed_opportunities). */
	row_text(&w, "i360core__Sales_Rep_1__c", o->staff && !rng_pct(r, 4) ?
		 staff[rng_below(r, (unsigned)o->staff)] : NULL);
	row_text(&w, "i360core__Sales_Rep_2__c", o->staff && rng_pct(r, 15) ?
		 staff[rng_below(r, (unsigned)o->staff)] : NULL);
	row_text(&w, "i360core__Contact_Name__c", rng_pct(r, 3) ? NULL : contact);
	row_text(&w, "i360core__Contact_Email__c", rng_pct(r, 20) ? NULL : email);
	row_text(&w, "i360core__Contact_Phone__c", messy_phone(r, phone));
	row_text(&w, "i360core__Street_Address__c", rng_pct(r, 3) ? NULL : street);
	row_text(&w, "i360core__City__c", rng_pct(r, 4) ? NULL : places[place].city);
	row_text(&w, "i360core__State_Province__c", rng_pct(r, 4) ? NULL : places[place].state);
	row_text(&w, "i360core__Zip_Postal_Code__c", rng_pct(r, 4) ? NULL : places[place].zip);
	row_text(&w, "i360core__Product_Categories__c", categories(r, cats));
	row_text(&w, "i360core__Type__c", rng_pct(r, 10) ? NULL : types[rng_below(r, N(types))]);
	if (rng_pct(r, 2))
		row_null(&w, "i360core__Appointment_Date_Time__c");
	else
		row_time(&w, "i360core__Appointment_Date_Time__c", start);
	if (no_end) {
		row_null(&w, "i360core__Appointment_End_Date_Time__c");
		row_null(&w, "i360core__Duration_Hours__c");
	} else {
		row_time(&w, "i360core__Appointment_End_Date_Time__c", end);
		row_num(&w, "i360core__Duration_Hours__c", (double)(end - start) / 3600000.0);
	}
	row_text(&w, "i360core__Appointment_Date__c", date);
	if (rng_pct(r, 3))
		status = NULL;
	row_text(&w, "i360core__Status__c", status);
	row_text(&w, "i360core__Status_Detail__c",
		 dependent(r, at, "i360core__Status_Detail__c", status));
	if (i % 40 == 3)
		notes = long_text(r, 20000);
	else if (!rng_pct(r, 60))
		notes = long_text(r, 40 + rng_below(r, 200));
	row_text(&w, "i360core__Notes__c", notes);
	row_time(&w, "CreatedDate", mod - (int64_t)rng_below(r, 30) * DAY_MS);
	row_time(&w, "LastModifiedDate", mod);
	row_time(&w, "SystemModstamp", mod);
	/* A few appointments sit in the recycle bin: queryAll sees them, query does not. */
	if (rng_pct(r, 2))
		row_bool(&w, "IsDeleted", 1);
	rc = row_put(s, &w, mod, appt, e);
	free(notes);
	if (rc < 0)
		return -1;
	return seed_opportunities(s, r, appt, account, ln->display, mod, e);
}

int seed_generate(struct objects *s, const struct seed_opts *o, struct err *e)
{
	struct rng r = { 0x5EED0000ULL ^ o->seed };
	int64_t anchor = o->epoch_ms;
	char (*staff)[19] = NULL;
	char admin[19];
	struct sferr se;
	json_t *in;
	int rc;

	if (o->staff < 0 || o->appointments < 0)
		return err_set(e, ERR_INVALID, "Staff and appointment counts must not be negative.");
	if (anchor == 0)
		anchor = isotime_now_ms() / DAY_MS * DAY_MS;
	in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "Username", SEED_ADMIN_USERNAME,
		       "FirstName", "Sandbox", "LastName", "Admin", "Email", SEED_ADMIN_USERNAME,
		       "TimeZoneSidKey", "America/Chicago", "CreatedDate", dt(anchor - 400 * DAY_MS),
		       "SystemModstamp", dt(anchor - 400 * DAY_MS));
	if (in == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory while seeding the sandbox.");
	rc = objects_create(s, objects_type_find("User"), in, NULL, 0, anchor, OBJECTS_SYSTEM,
			    admin, &se);
	json_decref(in);
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "Seeding the admin user failed: %s %s", se.code,
			       se.msg);
	staff = calloc((size_t)o->staff + 1, sizeof(*staff));
	if (staff == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory while seeding the sandbox.");
	if (seed_staff(s, o, &r, anchor, staff, e) < 0)
		goto fail;
	for (int i = 0; i < o->appointments; i++)
		if (seed_appointment(s, o, &r, anchor, staff, i, e) < 0)
			goto fail;
	free(staff);
	return 0;

fail:
	free(staff);
	return -1;
}

/* objects: the sandbox org's schema and its in-memory record store. */
#include "sandbox/objects.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <sys/mman.h>

#include "sandbox/sfid.h"
#include "util/isotime.h"

const char *const objects_ftype_names[OF__MAX] = {
	[OF_ID] = "id", [OF_STRING] = "string", [OF_PICKLIST] = "picklist",
	[OF_MULTIPICKLIST] = "multipicklist", [OF_EMAIL] = "email", [OF_PHONE] = "phone",
	[OF_TEXTAREA] = "textarea", [OF_DATETIME] = "datetime", [OF_DATE] = "date",
	[OF_BOOLEAN] = "boolean", [OF_DOUBLE] = "double", [OF_INT] = "int",
	[OF_REFERENCE] = "reference", [OF_BASE64] = "base64",
};

int objects_ftype_is_text(enum objects_ftype t)
{
	return t == OF_STRING || t == OF_PICKLIST || t == OF_MULTIPICKLIST || t == OF_EMAIL ||
	       t == OF_PHONE || t == OF_TEXTAREA;
}

int objects_field_groupable(const struct objects_field *f)
{
	switch (f->type) {
	case OF_DATETIME: case OF_DOUBLE: case OF_MULTIPICKLIST: case OF_BASE64:
		return 0;
	case OF_TEXTAREA:
		return f->length <= 255;
	default:
		return 1;
	}
}

/* ---- Picklists: realistic home-improvement sales values ---- */

/* Appointment status; "Rescheduled" is inactive (retired but still on old records). */
static const struct objects_pick appt_status[] = {
	{ "Scheduled", 1, 1, { NULL } },
	{ "Confirmed", 1, 0, { NULL } },
	{ "Issued", 1, 0, { NULL } },
	{ "Ran - Sold", 1, 0, { NULL } },
	{ "Ran - No Sale", 1, 0, { NULL } },
	{ "No Demo", 1, 0, { NULL } },
	{ "Cancelled", 1, 0, { NULL } },
	{ "Rescheduled", 0, 0, { NULL } },
	{ NULL, 0, 0, { NULL } },
};

static const struct objects_pick appt_status_detail[] = {
	{ "Customer Confirmed", 1, 0, { "Confirmed", NULL } },
	{ "Left Voicemail", 1, 0, { "Scheduled", "Confirmed", NULL } },
	{ "Rep Assigned", 1, 0, { "Issued", NULL } },
	{ "Full Contract", 1, 0, { "Ran - Sold", NULL } },
	{ "Contingent on Financing", 1, 0, { "Ran - Sold", "Ran - No Sale", NULL } },
	{ "Price Too High", 1, 0, { "Ran - No Sale", NULL } },
	{ "Wants Other Bids", 1, 0, { "Ran - No Sale", NULL } },
	{ "One Leg", 1, 0, { "No Demo", NULL } },
	{ "Not Home", 1, 0, { "No Demo", "Cancelled", NULL } },
	{ "Customer Cancelled", 1, 0, { "Cancelled", NULL } },
	{ "Weather", 1, 0, { "Cancelled", "Rescheduled", NULL } },
	{ "Bad Lead", 0, 0, { "No Demo", NULL } },
	{ NULL, 0, 0, { NULL } },
};

static const struct objects_pick appt_type[] = {
	{ "Sales Call", 1, 1, { NULL } },
	{ "Rehash", 1, 0, { NULL } },
	{ "Follow Up", 1, 0, { NULL } },
	{ "Measure", 1, 0, { NULL } },
	{ NULL, 0, 0, { NULL } },
};

static const struct objects_pick product_categories[] = {
	{ "Windows", 1, 0, { NULL } },
	{ "Doors", 1, 0, { NULL } },
	{ "Siding", 1, 0, { NULL } },
	{ "Roofing", 1, 0, { NULL } },
	{ "Gutters", 1, 0, { NULL } },
	{ "Bath", 1, 0, { NULL } },
	{ "Kitchen", 1, 0, { NULL } },
	{ "Solar", 1, 0, { NULL } },
	{ NULL, 0, 0, { NULL } },
};

/* Opportunity result; "Recission" is inactive. */
static const struct objects_pick opp_result[] = {
	{ "Pending", 1, 1, { NULL } },
	{ "Sold", 1, 0, { NULL } },
	{ "Demo No Sale", 1, 0, { NULL } },
	{ "No Demo", 1, 0, { NULL } },
	{ "Recission", 0, 0, { NULL } },
	{ NULL, 0, 0, { NULL } },
};

static const struct objects_pick opp_result_detail[] = {
	{ "Cash", 1, 0, { "Sold", NULL } },
	{ "Financed", 1, 0, { "Sold", NULL } },
	{ "Needs Spouse", 1, 0, { "Demo No Sale", "Pending", NULL } },
	{ "Price", 1, 0, { "Demo No Sale", NULL } },
	{ "Timing", 1, 0, { "Demo No Sale", "Recission", NULL } },
	{ "No Show", 1, 0, { "No Demo", NULL } },
	{ "Wrong Address", 1, 0, { "No Demo", NULL } },
	{ "Buyer's Remorse", 1, 0, { "Recission", NULL } },
	{ "Duplicate", 0, 0, { "No Demo", NULL } },
	{ NULL, 0, 0, { NULL } },
};

static const struct objects_pick interested_in[] = {
	{ "Windows", 1, 0, { NULL } },
	{ "Doors", 1, 0, { NULL } },
	{ "Siding", 1, 0, { NULL } },
	{ "Roofing", 1, 0, { NULL } },
	{ "Gutters", 1, 0, { NULL } },
	{ "Bath Remodel", 1, 0, { NULL } },
	{ "Kitchen Remodel", 1, 0, { NULL } },
	{ "Solar Panels", 1, 0, { NULL } },
	{ NULL, 0, 0, { NULL } },
};

/* ---- Types ---- */

#define RO 0
#define RW (OF_CREATE | OF_UPDATE | OF_NULLOK)
#define CUS (OF_CUSTOM)
#define SYSTEM_FIELDS \
	{ "IsDeleted", "Deleted", OF_BOOLEAN, 0, OF_DEFAULTED, NULL, NULL, NULL, NULL }, \
	{ "CreatedDate", "Created Date", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL, NULL, NULL }, \
	{ "LastModifiedDate", "Last Modified Date", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL, \
	  NULL, NULL }, \
	{ "SystemModstamp", "System Modstamp", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL, NULL, \
	  NULL }
#define ID_FIELD(label) \
	{ "Id", label, OF_ID, 18, OF_DEFAULTED, NULL, NULL, NULL, NULL }
#define END_FIELDS { NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL }

static const struct objects_field user_fields[] = {
	ID_FIELD("User ID"),
	{ "Username", "Username", OF_STRING, 80, OF_CREATE | OF_UPDATE, NULL, NULL, NULL, NULL },
	{ "Name", "Full Name", OF_STRING, 121, OF_NAME | OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "FirstName", "First Name", OF_STRING, 40, RW, NULL, NULL, NULL, NULL },
	{ "LastName", "Last Name", OF_STRING, 80, OF_CREATE | OF_UPDATE, NULL, NULL, NULL, NULL },
	{ "Email", "Email", OF_EMAIL, 128, OF_CREATE | OF_UPDATE, NULL, NULL, NULL, NULL },
	{ "IsActive", "Active", OF_BOOLEAN, 0, OF_CREATE | OF_UPDATE | OF_DEFAULTED, NULL, NULL,
	  NULL, NULL },
	{ "TimeZoneSidKey", "Time Zone", OF_STRING, 40, RW, NULL, NULL, NULL, NULL },
	{ "CreatedDate", "Created Date", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "LastModifiedDate", "Last Modified Date", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL,
	  NULL, NULL },
	{ "SystemModstamp", "System Modstamp", OF_DATETIME, 0, OF_DEFAULTED, NULL, NULL, NULL,
	  NULL },
	END_FIELDS
};

static const struct objects_field account_fields[] = {
	ID_FIELD("Account ID"),
	SYSTEM_FIELDS,
	{ "Name", "Account Name", OF_STRING, 255, OF_CREATE | OF_UPDATE | OF_NAME, NULL, NULL,
	  NULL, NULL },
	{ "Phone", "Account Phone", OF_PHONE, 40, RW, NULL, NULL, NULL, NULL },
	{ "BillingStreet", "Billing Street", OF_TEXTAREA, 255, RW, NULL, NULL, NULL, NULL },
	{ "BillingCity", "Billing City", OF_STRING, 40, RW, NULL, NULL, NULL, NULL },
	{ "BillingState", "Billing State/Province", OF_STRING, 80, RW, NULL, NULL, NULL, NULL },
	{ "BillingPostalCode", "Billing Zip/Postal Code", OF_STRING, 20, RW, NULL, NULL, NULL,
	  NULL },
	END_FIELDS
};

static const struct objects_field staff_fields[] = {
	ID_FIELD("Record ID"),
	SYSTEM_FIELDS,
	{ "Name", "Staff Name", OF_STRING, 80, OF_CREATE | OF_UPDATE | OF_NAME, NULL, NULL, NULL,
	  NULL },
	{ "i360core__Email__c", "Email", OF_EMAIL, 80, RW | CUS, NULL, NULL, NULL, NULL },
	{ "i360core__Phone__c", "Phone", OF_PHONE, 40, RW | CUS, NULL, NULL, NULL, NULL },
	{ "i360core__Active__c", "Active", OF_BOOLEAN, 0,
	  OF_CREATE | OF_UPDATE | OF_DEFAULTED | CUS, NULL, NULL, NULL, NULL },
	END_FIELDS
};

static const struct objects_field appt_fields[] = {
	ID_FIELD("Record ID"),
	SYSTEM_FIELDS,
	{ "Name", "Sales Appointment Number", OF_STRING, 80, OF_NAME | OF_DEFAULTED, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Account__c", "Account", OF_REFERENCE, 18, RW | CUS, "Account",
	  "i360core__Account__r", NULL, NULL },
	{ "i360core__Sales_Rep_1__c", "Sales Rep 1", OF_REFERENCE, 18, RW | CUS,
	  "i360core__Staff__c", "i360core__Sales_Rep_1__r", NULL, NULL },
	{ "i360core__Sales_Rep_2__c", "Sales Rep 2", OF_REFERENCE, 18, RW | CUS,
	  "i360core__Staff__c", "i360core__Sales_Rep_2__r", NULL, NULL },
	{ "i360core__Contact_Name__c", "Contact Name", OF_STRING, 255, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Contact_Email__c", "Contact Email", OF_EMAIL, 80, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Contact_Phone__c", "Contact Phone", OF_STRING, 255, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Street_Address__c", "Street Address", OF_TEXTAREA, 255, RW | CUS, NULL,
	  NULL, NULL, NULL },
	{ "i360core__City__c", "City", OF_STRING, 80, RW | CUS, NULL, NULL, NULL, NULL },
	{ "i360core__State_Province__c", "State/Province", OF_STRING, 80, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Zip_Postal_Code__c", "Zip/Postal Code", OF_STRING, 20, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Product_Categories__c", "Product Categories", OF_MULTIPICKLIST, 4099,
	  RW | CUS, NULL, NULL, product_categories, NULL },
	{ "i360core__Type__c", "Type", OF_PICKLIST, 255, RW | CUS, NULL, NULL, appt_type, NULL },
	{ "i360core__Appointment_Date_Time__c", "Appointment Date/Time", OF_DATETIME, 0,
	  RW | CUS, NULL, NULL, NULL, NULL },
	{ "i360core__Appointment_End_Date_Time__c", "Appointment End Date/Time", OF_DATETIME, 0,
	  RW | CUS, NULL, NULL, NULL, NULL },
	{ "i360core__Appointment_Date__c", "Appointment Date", OF_DATE, 0, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Status__c", "Status", OF_PICKLIST, 255, RW | CUS | OF_RESTRICTED, NULL, NULL,
	  appt_status, NULL },
	{ "i360core__Status_Detail__c", "Status Detail", OF_PICKLIST, 255,
	  RW | CUS | OF_RESTRICTED, NULL, NULL, appt_status_detail, "i360core__Status__c" },
	{ "i360core__Duration_Hours__c", "Duration (Hours)", OF_DOUBLE, 0, RW | CUS, NULL, NULL,
	  NULL, NULL },
	{ "i360core__Notes__c", "Notes", OF_TEXTAREA, 32768, RW | CUS, NULL, NULL, NULL, NULL },
	END_FIELDS
};

static const struct objects_child appt_children[] = {
	{ "i360core__Sales_Appointment_Opportunities__r",
	  "i360core__Sales_Appointment_Opportunity__c", "i360core__Sales_Appointment__c" },
	{ NULL, NULL, NULL },
};

static const struct objects_field opp_fields[] = {
	ID_FIELD("Record ID"),
	SYSTEM_FIELDS,
	{ "Name", "Sales Opportunity Name", OF_STRING, 80, OF_CREATE | OF_UPDATE | OF_NAME, NULL,
	  NULL, NULL, NULL },
	{ "i360core__Account__c", "Account", OF_REFERENCE, 18, RW | CUS, "Account",
	  "i360core__Account__r", NULL, NULL },
	{ "i360core__Interested_In__c", "Interested In", OF_PICKLIST, 255, RW | CUS, NULL, NULL,
	  interested_in, NULL },
	{ "i360core__Result__c", "Result", OF_PICKLIST, 255, RW | CUS | OF_RESTRICTED, NULL, NULL,
	  opp_result, NULL },
	{ "i360core__Result_Detail__c", "Result Detail", OF_PICKLIST, 255,
	  RW | CUS | OF_RESTRICTED, NULL, NULL, opp_result_detail, "i360core__Result__c" },
	{ "i360core__Amount__c", "Amount", OF_DOUBLE, 0, RW | CUS, NULL, NULL, NULL, NULL },
	END_FIELDS
};

static const struct objects_child opp_children[] = {
	{ "i360core__Appointment_Opportunities__r", "i360core__Sales_Appointment_Opportunity__c",
	  "i360core__Sales_Opportunity__c" },
	{ NULL, NULL, NULL },
};

static const struct objects_field junction_fields[] = {
	ID_FIELD("Record ID"),
	SYSTEM_FIELDS,
	{ "Name", "Appointment Opportunity Number", OF_STRING, 80, OF_NAME | OF_DEFAULTED, NULL,
	  NULL, NULL, NULL },
	{ "i360core__Sales_Appointment__c", "Sales Appointment", OF_REFERENCE, 18,
	  OF_CREATE | CUS, "i360core__Sales_Appointment__c", "i360core__Sales_Appointment__r",
	  NULL, NULL },
	{ "i360core__Sales_Opportunity__c", "Sales Opportunity", OF_REFERENCE, 18,
	  OF_CREATE | OF_UPDATE | CUS, "i360core__Sales_Opportunity__c",
	  "i360core__Sales_Opportunity__r", NULL, NULL },
	END_FIELDS
};

static const struct objects_field cv_fields[] = {
	ID_FIELD("ContentVersion ID"),
	SYSTEM_FIELDS,
	{ "Title", "Title", OF_STRING, 255, OF_CREATE | OF_UPDATE | OF_NAME | OF_DEFAULTED, NULL,
	  NULL, NULL, NULL },
	{ "PathOnClient", "Path On Client", OF_STRING, 500, OF_CREATE | OF_NULLOK, NULL, NULL,
	  NULL, NULL },
	{ "Description", "Description", OF_TEXTAREA, 1000, RW, NULL, NULL, NULL, NULL },
	{ "ReasonForChange", "Reason For Change", OF_STRING, 1000, RW, NULL, NULL, NULL, NULL },
	{ "FirstPublishLocationId", "First Publish Location ID", OF_REFERENCE, 18,
	  OF_CREATE | OF_NULLOK, NULL, "FirstPublishLocation", NULL, NULL },
	{ "ContentDocumentId", "ContentDocument ID", OF_REFERENCE, 18, OF_DEFAULTED,
	  "ContentDocument", "ContentDocument", NULL, NULL },
	{ "VersionData", "Version Data", OF_BASE64, 0, OF_CREATE | OF_NULLOK, NULL, NULL, NULL,
	  NULL },
	{ "ContentSize", "Size", OF_INT, 0, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "FileExtension", "File Extension", OF_STRING, 40, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "FileType", "File Type", OF_STRING, 20, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "VersionNumber", "Version Number", OF_STRING, 20, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	{ "IsLatest", "Is Latest", OF_BOOLEAN, 0, OF_DEFAULTED, NULL, NULL, NULL, NULL },
	END_FIELDS
};

#define NF(a) (sizeof(a) / sizeof((a)[0]) - 1)

static const struct objects_type type_user = {
	0, "User", "User", "Users", "005", 0, NULL, user_fields, NF(user_fields), NULL,
};
static const struct objects_type type_account = {
	1, "Account", "Account", "Accounts", "001", 0, NULL, account_fields, NF(account_fields),
	NULL,
};
static const struct objects_type type_staff = {
	2, "i360core__Staff__c", "Staff", "Staff", "a0B", 1, NULL, staff_fields,
	NF(staff_fields), NULL,
};
static const struct objects_type type_appt = {
	3, "i360core__Sales_Appointment__c", "Sales Appointment", "Sales Appointments", "a0A", 1,
	"SA-", appt_fields, NF(appt_fields), appt_children,
};
static const struct objects_type type_opp = {
	4, "i360core__Sales_Opportunity__c", "Sales Opportunity", "Sales Opportunities", "a0C",
	1, NULL, opp_fields, NF(opp_fields), opp_children,
};
static const struct objects_type type_junction = {
	5, "i360core__Sales_Appointment_Opportunity__c", "Sales Appointment Opportunity",
	"Sales Appointment Opportunities", "a0D", 1, "SAO-", junction_fields,
	NF(junction_fields), NULL,
};
static const struct objects_type type_cv = {
	6, "ContentVersion", "Content Version", "Content Versions", "068", 0, NULL, cv_fields,
	NF(cv_fields), NULL,
};

#define NTYPES 7
static const struct objects_type *const all_types[NTYPES] = {
	&type_user, &type_account, &type_staff, &type_appt, &type_opp, &type_junction, &type_cv,
};

const struct objects_type *const *objects_types(size_t *n)
{
	*n = NTYPES;
	return all_types;
}

const struct objects_type *objects_type_find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcasecmp(all_types[i]->name, name) == 0)
			return all_types[i];
	return NULL;
}

const struct objects_type *objects_type_by_id(const char *id)
{
	if (strlen(id) < 3)
		return NULL;
	for (size_t i = 0; i < NTYPES; i++)
		if (strncmp(all_types[i]->key_prefix, id, 3) == 0)
			return all_types[i];
	return NULL;
}

/* Field lookups by name run for every field of every seeded record and of every
 * write, so each type has a small case-insensitive hash of its field names (open
 * addressing; a slot holds a field position + 1, 0 when empty), built once. */
#define FIELD_SLOTS 128
#define MAX_FIELDS OBJECTS_MAX_FIELDS	/* a record's null bits fit in a uint64_t */

static unsigned char field_slots[NTYPES][FIELD_SLOTS];
static int deleted_field[NTYPES];	/* IsDeleted's position, or -1 */
static pthread_once_t field_slots_once = PTHREAD_ONCE_INIT;

static unsigned name_hash(const char *name)
{
	unsigned h = 2166136261u;

	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 16777619u;
	}
	return h;
}

static void field_slots_build(void)
{
	for (size_t t = 0; t < NTYPES; t++) {
		if (all_types[t]->nfields > MAX_FIELDS)
			abort();	/* a schema error, caught by every test */
		for (size_t i = 0; i < all_types[t]->nfields; i++) {
			unsigned h = name_hash(all_types[t]->fields[i].name) % FIELD_SLOTS;

			while (field_slots[t][h] != 0)
				h = (h + 1) % FIELD_SLOTS;
			field_slots[t][h] = (unsigned char)(i + 1);
		}
		deleted_field[t] = -1;
		for (size_t i = 0; i < all_types[t]->nfields; i++)
			if (strcmp(all_types[t]->fields[i].name, "IsDeleted") == 0)
				deleted_field[t] = (int)i;
	}
}

const struct objects_field *objects_field_find(const struct objects_type *t, const char *name)
{
	unsigned h;

	pthread_once(&field_slots_once, field_slots_build);
	for (h = name_hash(name) % FIELD_SLOTS; field_slots[t->index][h]; h = (h + 1) % FIELD_SLOTS) {
		const struct objects_field *f = &t->fields[field_slots[t->index][h] - 1];

		if (strcasecmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

size_t objects_field_index(const struct objects_type *t, const struct objects_field *f)
{
	return (size_t)(f - t->fields);
}

const struct objects_field *objects_rel_find(const struct objects_type *t, const char *rel)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (t->fields[i].relationship && strcasecmp(t->fields[i].relationship, rel) == 0)
			return &t->fields[i];
	return NULL;
}

const struct objects_child *objects_child_find(const struct objects_type *t, const char *name)
{
	if (t->children == NULL)
		return NULL;
	for (const struct objects_child *c = t->children; c->name; c++)
		if (strcasecmp(c->name, name) == 0)
			return c;
	return NULL;
}

int objects_pick_index(const struct objects_field *f, const char *value)
{
	if (f->picks == NULL)
		return -1;
	for (int i = 0; f->picks[i].value; i++)
		if (strcmp(f->picks[i].value, value) == 0)
			return i;
	return -1;
}

static int pick_valid_for(const struct objects_pick *p, const char *controller_value)
{
	for (int i = 0; p->valid_for[i]; i++)
		if (strcmp(p->valid_for[i], controller_value) == 0)
			return 1;
	return 0;
}

json_t *objects_valid_for(const struct objects_type *t, const struct objects_field *f,
			  const struct objects_pick *p)
{
	const struct objects_field *ctl;
	unsigned char bits[16] = { 0 };
	char out[64];
	size_t n = 0, nbytes;

	if (f->controller == NULL || (ctl = objects_field_find(t, f->controller)) == NULL)
		return json_null();
	for (n = 0; ctl->picks[n].value; n++)
		if (pick_valid_for(p, ctl->picks[n].value))
			bits[n >> 3] |= (unsigned char)(0x80 >> (n % 8));
	/* Salesforce pads the bitmap so that the base64 text needs no '=': a multiple of
	 * three bytes. */
	nbytes = (n + 7) / 8;
	nbytes = (nbytes + 2) / 3 * 3;
	sodium_bin2base64(out, sizeof(out), bits, nbytes, sodium_base64_VARIANT_ORIGINAL);
	return json_string(out);
}

/* ---- The store ---- */

#define NONE UINT32_MAX
#define DAY_MS 86400000LL

/* A stored value, read by its field's type (see kind_of). Text lives in the record's
 * text area, NUL-terminated, at off. */
union slot {
	struct {
		uint32_t off, len;
	} s;
	int64_t i;
	double d;
};

enum kind { K_TEXT, K_TIME, K_INT, K_REAL };

/*
 * One version of a record: one allocation holding the slots of every field in schema
 * order and then the text they point into. Immutable once stored.
 */
struct objects_rec {
	uint32_t pos;			/* position in its table, stable across versions */
	uint32_t heap;			/* 1: its own allocation; 0: in its table's arena */
	const struct objects_type *type;
	uint64_t nulls;			/* bit i: field i is empty */
	union slot v[];			/* type->nfields slots, then the text */
};

/*
 * New records are cut from their table's arena, big chunks mapped with a hint for huge
 * pages: a million appointments then sit together in memory, a scan over them walks
 * few pages, and seeding faults few pages in. Arena records are freed with the store;
 * versions that replace them are allocations of their own (heap), freed when retired.
 * A replaced arena record stays until the store goes (at most one per record).
 */
struct chunk {
	struct chunk *next;
	size_t size, used;	/* size counts the whole mapping, header included */
};

struct table {
	struct objects_rec **recs;
	size_t n, alloc;
	struct chunk *chunks;	/* the newest first */
};

/*
 * A child relationship's index: the children of each parent as a list threaded
 * through positions, kept in creation order (ascending child position). head and tail
 * are indexed by the parent's position, next by the child's; NONE ends a list.
 */
struct cindex {
	const struct objects_child *c;
	const struct objects_type *parent, *child;
	size_t field;			/* the child's reference field */
	uint32_t *head, *tail;
	size_t nheads, ntails;
	uint32_t *next;
	size_t nchildren;
};

/*
 * Pins keep replaced versions alive for the readers that may still hold them (see
 * objects_pin). epoch counts replacements; a version replaced at epoch R goes to
 * retired, and is freed once no pin taken before R (pin epoch < R) remains. pins holds
 * the epochs of the live pins with their counts, oldest first. pin_mu guards the
 * three and is taken last, after any other lock.
 */
struct pin {
	uint64_t epoch;
	size_t count;
};

struct retired {
	struct objects_rec *rec;
	uint64_t epoch;
};

struct objects {
	pthread_rwlock_t lock;
	struct table tables[NTYPES];
	pthread_mutex_t pin_mu;
	uint64_t epoch;
	struct pin *pins;
	size_t npins, pins_alloc;
	struct retired *retired;
	size_t nretired, retired_alloc;
	struct cindex *cidx;
	size_t ncidx;
	json_t *blobs;	/* first 15 characters of an Id -> raw bytes as a JSON string */
	unsigned long doc_serial;
};

#define CHUNK_FIRST ((size_t)256 << 10)
#define CHUNK_MAX ((size_t)64 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/* n bytes (8-aligned) from tb's arena, or NULL when out of memory. Chunks double from
 * CHUNK_FIRST to CHUNK_MAX, so that a small org stays small. */
static void *arena_alloc(struct table *tb, size_t n)
{
	struct chunk *c = tb->chunks;
	size_t head = (sizeof(*c) + 7) & ~(size_t)7;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < n) {
		size_t size = c ? c->size * 2 : CHUNK_FIRST;

		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		while (size < head + n)
			size *= 2;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if (size >= 2 * HUGE_PAGE)
			madvise(p, size, MADV_HUGEPAGE);	/* a hint; failure is fine */
		c = p;
		c->size = size;
		c->used = head;
		c->next = tb->chunks;
		tb->chunks = c;
	}
	p = (char *)c + c->used;
	c->used += n;
	return p;
}

static void rec_free(struct objects_rec *r)
{
	if (r != NULL && r->heap)
		free(r);
}

static enum kind kind_of(enum objects_ftype t)
{
	switch (t) {
	case OF_DATETIME: return K_TIME;
	case OF_BOOLEAN: case OF_BASE64: case OF_INT: return K_INT;
	case OF_DOUBLE: return K_REAL;
	default: return K_TEXT;
	}
}

static const char *rec_text_area(const struct objects_rec *r)
{
	return (const char *)&r->v[r->type->nfields];
}

static int cindex_init(struct objects *s)
{
	size_t n = 0;

	for (size_t t = 0; t < NTYPES; t++)
		for (const struct objects_child *c = all_types[t]->children; c && c->name; c++)
			n++;
	s->cidx = calloc(n ? n : 1, sizeof(*s->cidx));
	if (s->cidx == NULL)
		return -1;
	for (size_t t = 0; t < NTYPES; t++)
		for (const struct objects_child *c = all_types[t]->children; c && c->name; c++) {
			struct cindex *ci = &s->cidx[s->ncidx];
			const struct objects_field *f;

			ci->c = c;
			ci->parent = all_types[t];
			ci->child = objects_type_find(c->child_object);
			f = ci->child ? objects_field_find(ci->child, c->field) : NULL;
			if (f == NULL)
				continue;	/* a schema error; the relationship stays empty */
			ci->field = objects_field_index(ci->child, f);
			s->ncidx++;
		}
	return 0;
}

struct objects *objects_new(void)
{
	struct objects *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	pthread_once(&field_slots_once, field_slots_build);
	if (pthread_rwlock_init(&s->lock, NULL) != 0)
		goto fail_free;
	if (pthread_mutex_init(&s->pin_mu, NULL) != 0)
		goto fail_lock;
	s->blobs = json_object();
	if (s->blobs == NULL)
		goto fail_mutex;
	if (cindex_init(s) < 0)
		goto fail_json;
	return s;

fail_json:
	json_decref(s->blobs);
fail_mutex:
	pthread_mutex_destroy(&s->pin_mu);
fail_lock:
	pthread_rwlock_destroy(&s->lock);
fail_free:
	free(s);
	return NULL;
}

void objects_free(struct objects *s)
{
	if (s == NULL)
		return;
	for (size_t t = 0; t < NTYPES; t++) {
		for (size_t i = 0; i < s->tables[t].n; i++)
			rec_free(s->tables[t].recs[i]);
		free(s->tables[t].recs);
		while (s->tables[t].chunks != NULL) {
			struct chunk *c = s->tables[t].chunks;

			s->tables[t].chunks = c->next;
			munmap(c, c->size);
		}
	}
	for (size_t i = 0; i < s->nretired; i++)
		rec_free(s->retired[i].rec);
	free(s->retired);
	free(s->pins);
	pthread_mutex_destroy(&s->pin_mu);
	for (size_t i = 0; i < s->ncidx; i++) {
		free(s->cidx[i].head);
		free(s->cidx[i].tail);
		free(s->cidx[i].next);
	}
	free(s->cidx);
	json_decref(s->blobs);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}

void objects_rdlock(struct objects *s)
{
	pthread_rwlock_rdlock(&s->lock);
}

void objects_wrlock(struct objects *s)
{
	pthread_rwlock_wrlock(&s->lock);
}

void objects_unlock(struct objects *s)
{
	pthread_rwlock_unlock(&s->lock);
}

size_t objects_count(const struct objects *s, const struct objects_type *t)
{
	return s->tables[t->index].n;
}

const struct objects_rec *objects_at(const struct objects *s, const struct objects_type *t,
				     size_t i)
{
	return i < s->tables[t->index].n ? s->tables[t->index].recs[i] : NULL;
}

/* The serial an Id of ours carries in its last six characters before the checksum
 * (see sfid_make), or 0 when they are not base 62 digits. */
static unsigned long id_serial(const char *id)
{
	unsigned long v = 0;

	for (int i = 9; i < 15; i++) {
		int c = (unsigned char)id[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 36;
		else
			return 0;
		v = v * 62 + (unsigned long)d;
	}
	return v;
}

/* Ids are made from their type's key prefix and the record's serial, its position + 1,
 * so a lookup decodes the position and checks that the record there has this Id. */
const struct objects_rec *objects_get(const struct objects *s, const char *id,
				      const struct objects_type **t)
{
	const struct objects_type *rt;
	const struct objects_rec *r;
	unsigned long serial;

	if (!sfid_valid(id) || (rt = objects_type_by_id(id)) == NULL)
		return NULL;
	serial = id_serial(id);
	r = objects_at(s, rt, serial - 1);
	if (serial == 0 || r == NULL || strncmp(objects_rec_id(r), id, 15) != 0)
		return NULL;
	if (t != NULL)
		*t = rt;
	return r;
}

void objects_prefetch(const struct objects_rec *r)
{
	if (r == NULL)
		return;
	/* The slots, and the start of the text, where Ids and references lie. */
	__builtin_prefetch(r);
	__builtin_prefetch((const char *)r + 64);
	__builtin_prefetch(rec_text_area(r));
	__builtin_prefetch(rec_text_area(r) + 64);
}

const struct objects_rec *objects_follow(const struct objects *s, const struct objects_rec *r,
					size_t i)
{
	const struct objects_rec *p;
	size_t len;
	const char *id = objects_rec_text(r, i, &len);
	const struct objects_type *t;
	unsigned long serial;

	/* A stored reference was checked when written (convert_value, objects_insert):
	 * 18 valid characters naming an existing record, so no sfid_valid here. */
	if (id == NULL || len != SFID_LEN)
		return id ? objects_get(s, id, NULL) : NULL;
	t = objects_type_by_id(id);
	serial = id_serial(id);
	p = t && serial ? objects_at(s, t, serial - 1) : NULL;
	return p != NULL && memcmp(objects_rec_id(p), id, 15) == 0 ? p : NULL;
}

static const struct cindex *cindex_find(const struct objects *s, const struct objects_child *c)
{
	for (size_t i = 0; i < s->ncidx; i++)
		if (s->cidx[i].c == c)
			return &s->cidx[i];
	return NULL;
}

const struct objects_rec *objects_child_next(const struct objects *s,
					     const struct objects_child *c,
					     const struct objects_rec *parent,
					     const struct objects_rec *prev)
{
	const struct cindex *ci = cindex_find(s, c);
	uint32_t pos;

	if (ci == NULL || parent->type != ci->parent)
		return NULL;
	if (prev == NULL)
		pos = parent->pos < ci->nheads ? ci->head[parent->pos] : NONE;
	else
		pos = prev->pos < ci->nchildren ? ci->next[prev->pos] : NONE;
	return pos == NONE ? NULL : objects_at(s, ci->child, pos);
}

json_t *objects_blob(const struct objects *s, const char *id)
{
	char k[16];

	snprintf(k, sizeof(k), "%.15s", id);
	return json_object_get(s->blobs, k);
}

/* ---- Reading a record ---- */

/* Frees the retired versions no pin needs any more. Called with pin_mu held. */
static void free_retired(struct objects *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->nretired; i++) {
		if (s->npins > 0 && s->pins[0].epoch < s->retired[i].epoch)
			s->retired[kept++] = s->retired[i];
		else
			rec_free(s->retired[i].rec);
	}
	s->nretired = kept;
}

int objects_pin(const struct objects *cs, uint64_t *pin)
{
	struct objects *s = (struct objects *)cs;	/* the pins are not the records */
	int rc = 0;

	pthread_mutex_lock(&s->pin_mu);
	*pin = s->epoch;
	if (s->npins > 0 && s->pins[s->npins - 1].epoch == *pin) {
		s->pins[s->npins - 1].count++;
	} else {
		if (s->npins == s->pins_alloc) {
			size_t alloc = s->pins_alloc ? s->pins_alloc * 2 : 16;
			struct pin *p = realloc(s->pins, alloc * sizeof(*p));

			if (p == NULL) {
				rc = -1;
				goto done;
			}
			s->pins = p;
			s->pins_alloc = alloc;
		}
		s->pins[s->npins++] = (struct pin){ *pin, 1 };
	}
done:
	pthread_mutex_unlock(&s->pin_mu);
	return rc;
}

void objects_unpin(const struct objects *cs, uint64_t pin)
{
	struct objects *s = (struct objects *)cs;

	pthread_mutex_lock(&s->pin_mu);
	for (size_t i = 0; i < s->npins; i++) {
		if (s->pins[i].epoch != pin)
			continue;
		if (--s->pins[i].count == 0) {
			memmove(&s->pins[i], &s->pins[i + 1], (s->npins - i - 1) * sizeof(*s->pins));
			s->npins--;
			free_retired(s);
		}
		break;
	}
	pthread_mutex_unlock(&s->pin_mu);
}

const struct objects_type *objects_rec_type(const struct objects_rec *r)
{
	return r->type;
}

const char *objects_rec_id(const struct objects_rec *r)
{
	return rec_text_area(r) + r->v[0].s.off;	/* Id is every type's first field */
}

int objects_rec_deleted(const struct objects_rec *r)
{
	int i = deleted_field[r->type->index];

	return i >= 0 && !objects_rec_is_null(r, (size_t)i) && r->v[i].i != 0;
}

int objects_rec_is_null(const struct objects_rec *r, size_t i)
{
	return (r->nulls >> i) & 1;
}

const char *objects_rec_text(const struct objects_rec *r, size_t i, size_t *len)
{
	if (objects_rec_is_null(r, i) || kind_of(r->type->fields[i].type) != K_TEXT)
		return NULL;
	if (len != NULL)
		*len = r->v[i].s.len;
	return rec_text_area(r) + r->v[i].s.off;
}

int objects_rec_time(const struct objects_rec *r, size_t i, int64_t *ms)
{
	enum objects_ftype t = r->type->fields[i].type;

	if (objects_rec_is_null(r, i))
		return -1;
	if (t == OF_DATETIME) {
		*ms = r->v[i].i;
		return 0;
	}
	if (t == OF_DATE)
		return isotime_parse_date_ms(rec_text_area(r) + r->v[i].s.off, ms);
	return -1;
}

double objects_rec_number(const struct objects_rec *r, size_t i)
{
	if (objects_rec_is_null(r, i))
		return 0;
	switch (kind_of(r->type->fields[i].type)) {
	case K_INT: return (double)r->v[i].i;
	case K_REAL: return r->v[i].d;
	default: return 0;
	}
}

json_t *objects_rec_value(const struct objects_rec *r, size_t i)
{
	const struct objects_field *f = &r->type->fields[i];
	char dt[OBJECTS_DT_LEN];

	if (objects_rec_is_null(r, i))
		return json_null();
	switch (kind_of(f->type)) {
	case K_TEXT:
		return json_stringn(rec_text_area(r) + r->v[i].s.off, r->v[i].s.len);
	case K_TIME:
		return json_string(objects_format_dt(dt, r->v[i].i));
	case K_INT:
		if (f->type == OF_INT)
			return json_integer((json_int_t)r->v[i].i);
		return json_boolean(r->v[i].i != 0);
	case K_REAL:
		return json_real(r->v[i].d);
	}
	return json_null();
}

json_t *objects_rec_json(const struct objects_rec *r)
{
	json_t *out = json_object();

	for (size_t i = 0; out != NULL && i < r->type->nfields; i++)
		if (json_object_set_new(out, r->type->fields[i].name, objects_rec_value(r, i)) < 0) {
			json_decref(out);
			out = NULL;
		}
	return out;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Every record shown carries a few datetimes, so years 1970-9999 skip snprintf; the
 * rest take isotime's general path (the two agree, see test_objects). */
char *objects_format_dt(char out[OBJECTS_DT_LEN], int64_t ms)
{
	char iso[ISOTIME_MS_LEN];
	int64_t days, rest;
	unsigned m, d;
	int y;

	if (ms < 0 || ms >= 253402300800000LL) {
		isotime_format_ms(iso, ms);
		/* "YYYY-MM-DDTHH:MM:SS.fffZ" -> "...fff+0000" */
		snprintf(out, OBJECTS_DT_LEN, "%.23s+0000", iso);
		return out;
	}
	days = ms / DAY_MS;
	rest = ms % DAY_MS;
	civil(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000+0000", OBJECTS_DT_LEN);
	digits(out, (unsigned)y, 4);
	digits(out + 5, m, 2);
	digits(out + 8, d, 2);
	digits(out + 11, (unsigned)(rest / 3600000), 2);
	digits(out + 14, (unsigned)(rest / 60000 % 60), 2);
	digits(out + 17, (unsigned)(rest / 1000 % 60), 2);
	digits(out + 20, (unsigned)(rest % 1000), 3);
	return out;
}

int objects_parse_time(const json_t *v, int64_t *ms)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return -1;
	if (strlen(s) == 10)
		return isotime_parse_date_ms(s, ms);
	return isotime_parse_ms(s, ms);
}

/* ---- Storing versions ---- */

/* A record being assembled: its slots, with text still borrowed from the caller. */
struct draft {
	const struct objects_type *t;
	uint64_t nulls;
	union slot v[MAX_FIELDS];
	const char *text[MAX_FIELDS];
};

static void draft_null(struct draft *d, size_t i)
{
	d->nulls |= 1ULL << i;
	d->text[i] = NULL;
}

static void draft_text(struct draft *d, size_t i, const char *s, size_t len)
{
	if (s == NULL || len == 0) {
		draft_null(d, i);
		return;
	}
	d->nulls &= ~(1ULL << i);
	d->text[i] = s;
	d->v[i].s.len = (uint32_t)len;
}

static void draft_int(struct draft *d, size_t i, int64_t v)
{
	d->nulls &= ~(1ULL << i);
	d->v[i].i = v;
}

/* The draft as a record at position pos, in tb's arena or (tb NULL) an allocation of
 * its own; NULL when out of memory. */
static struct objects_rec *draft_build(const struct draft *d, uint32_t pos, struct table *tb)
{
	size_t n = d->t->nfields, text = 0, off = 0;
	struct objects_rec *r;
	char *area;

	for (size_t i = 0; i < n; i++)
		if (d->text[i] != NULL)
			text += d->v[i].s.len + 1;
	r = tb ? arena_alloc(tb, sizeof(*r) + n * sizeof(r->v[0]) + text) :
	    malloc(sizeof(*r) + n * sizeof(r->v[0]) + text);
	if (r == NULL)
		return NULL;
	r->pos = pos;
	r->heap = tb == NULL;
	r->type = d->t;
	r->nulls = d->nulls;
	area = (char *)&r->v[n];
	for (size_t i = 0; i < n; i++) {
		r->v[i] = d->v[i];
		if (d->text[i] != NULL) {
			memcpy(area + off, d->text[i], d->v[i].s.len);
			area[off + d->v[i].s.len] = '\0';
			r->v[i].s.off = (uint32_t)off;
			off += d->v[i].s.len + 1;
		}
	}
	return r;
}

/* Fills d from rec, a JSON record holding stored values (see convert_value). */
static void draft_from_json(struct draft *d, const struct objects_type *t, json_t *rec)
{
	memset(d, 0, sizeof(*d));
	d->t = t;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		json_t *v = json_object_get(rec, f->name);
		int64_t ms;

		if (v == NULL || json_is_null(v)) {
			draft_null(d, i);
			continue;
		}
		switch (kind_of(f->type)) {
		case K_TEXT:
			draft_text(d, i, json_string_value(v), json_string_length(v));
			break;
		case K_TIME:
			if (objects_parse_time(v, &ms) < 0)
				draft_null(d, i);
			else
				draft_int(d, i, ms);
			break;
		case K_INT:
			draft_int(d, i, json_is_boolean(v) ? json_is_true(v) :
				  (int64_t)json_number_value(v));
			break;
		case K_REAL:
			d->nulls &= ~(1ULL << i);
			d->v[i].d = json_number_value(v);
			break;
		}
	}
}

/* Makes room for position pos in a list array of a cindex, new entries NONE. */
static int grow_u32(uint32_t **a, size_t *n, size_t pos)
{
	size_t alloc = *n ? *n : 256;
	uint32_t *p;

	if (pos < *n)
		return 0;
	while (alloc <= pos)
		alloc *= 2;
	p = realloc(*a, alloc * sizeof(*p));
	if (p == NULL)
		return -1;
	memset(p + *n, 0xFF, (alloc - *n) * sizeof(*p));
	*a = p;
	*n = alloc;
	return 0;
}

/* The parent position child r names through ci, or NONE. */
static uint32_t parent_of(const struct objects *s, const struct cindex *ci,
			  const struct objects_rec *r)
{
	const char *pid = objects_rec_text(r, ci->field, NULL);
	const struct objects_rec *p = pid ? objects_get(s, pid, NULL) : NULL;

	return p != NULL && p->type == ci->parent ? p->pos : NONE;
}

/* Puts child position c into parent position p's list, keeping creation order. */
static void link_child(struct cindex *ci, uint32_t p, uint32_t c)
{
	uint32_t *at;

	if (ci->tail[p] == NONE || ci->tail[p] < c) {
		if (ci->tail[p] == NONE)
			ci->head[p] = c;
		else
			ci->next[ci->tail[p]] = c;
		ci->tail[p] = c;
		ci->next[c] = NONE;
		return;
	}
	for (at = &ci->head[p]; *at != NONE && *at < c; at = &ci->next[*at])
		;
	ci->next[c] = *at;
	*at = c;
}

static void unlink_child(struct cindex *ci, uint32_t p, uint32_t c)
{
	uint32_t prev = NONE;

	for (uint32_t at = ci->head[p]; at != NONE; prev = at, at = ci->next[at]) {
		if (at != c)
			continue;
		if (prev == NONE)
			ci->head[p] = ci->next[c];
		else
			ci->next[prev] = ci->next[c];
		if (ci->tail[p] == c)
			ci->tail[p] = prev;
		ci->next[c] = NONE;
		return;
	}
}

/* Stores a new record (its pos is the table's next position); takes the reference. */
static int store_add(struct objects *s, struct objects_rec *r)
{
	struct table *tb = &s->tables[r->type->index];

	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];

		if ((ci->parent == r->type && (grow_u32(&ci->head, &ci->nheads, r->pos) < 0 ||
					       grow_u32(&ci->tail, &ci->ntails, r->pos) < 0)) ||
		    (ci->child == r->type && grow_u32(&ci->next, &ci->nchildren, r->pos) < 0))
			return -1;
	}
	if (tb->n == tb->alloc) {
		size_t alloc = tb->alloc ? tb->alloc * 2 : 256;
		struct objects_rec **p = realloc(tb->recs, alloc * sizeof(*p));

		if (p == NULL)
			return -1;
		tb->recs = p;
		tb->alloc = alloc;
	}
	tb->recs[tb->n++] = r;
	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];
		uint32_t p;

		if (ci->child == r->type && (p = parent_of(s, ci, r)) != NONE)
			link_child(ci, p, r->pos);
	}
	return 0;
}

/* Puts version r in the place of the current one (same position); the old version is
 * retired (see struct objects). */
static void store_replace(struct objects *s, struct objects_rec *r)
{
	struct objects_rec **slot = &s->tables[r->type->index].recs[r->pos];
	struct objects_rec *old = *slot;

	for (size_t i = 0; i < s->ncidx; i++) {
		struct cindex *ci = &s->cidx[i];
		uint32_t was, now;

		if (ci->child != r->type)
			continue;
		was = parent_of(s, ci, old);
		now = parent_of(s, ci, r);
		if (was == now)
			continue;
		if (was != NONE)
			unlink_child(ci, was, r->pos);
		if (now != NONE)
			link_child(ci, now, r->pos);
	}
	*slot = r;
	pthread_mutex_lock(&s->pin_mu);
	if (s->nretired == s->retired_alloc) {
		size_t alloc = s->retired_alloc ? s->retired_alloc * 2 : 64;
		struct retired *p = realloc(s->retired, alloc * sizeof(*p));

		if (p == NULL) {
			/* Out of memory: keep the old version for good rather than free
			 * what a reader may hold. */
			pthread_mutex_unlock(&s->pin_mu);
			return;
		}
		s->retired = p;
		s->retired_alloc = alloc;
	}
	s->retired[s->nretired++] = (struct retired){ old, ++s->epoch };
	free_retired(s);
	pthread_mutex_unlock(&s->pin_mu);
}

/* ---- Validation of writes ---- */

static int is_system_field(const char *name)
{
	return strcmp(name, "SystemModstamp") == 0 || strcmp(name, "CreatedDate") == 0 ||
	       strcmp(name, "LastModifiedDate") == 0 || strcmp(name, "IsDeleted") == 0;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || strchr(at + 1, '@') || strchr(at, '.') == NULL)
		return 0;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
			return 0;
	return at[strlen(at) - 1] != '.';
}

/* Counts UTF-8 characters, as Salesforce's length limits do. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int bad_value(struct sferr *e, const struct objects_field *f, const char *what)
{
	sferr_set(e, 400, "JSON_PARSER_ERROR",
		  "Cannot deserialize instance of %s from %s value or request may be missing a "
		  "required field", what, f->name);
	return -1;
}

static int restricted_error(struct sferr *e, const struct objects_field *f, const char *v)
{
	sferr_set(e, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
		  "%s: bad value for restricted picklist field: %s", f->label, v);
	return sferr_field(e, f->name);
}

static int check_picklist(const struct objects_field *f, const char *v, unsigned flags,
			  struct sferr *e)
{
	int i;

	if (!(f->flags & OF_RESTRICTED))
		return 0;
	i = objects_pick_index(f, v);
	/* Old records keep retired values; only the seed and the control endpoint may
	 * still write them. */
	if (i < 0 || (!f->picks[i].active && !(flags & OBJECTS_SYSTEM)))
		return restricted_error(e, f, v);
	return 0;
}

static int check_multipicklist(const struct objects_field *f, const char *v, struct sferr *e)
{
	char *copy = strdup(v), *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		if (objects_pick_index(f, tok) < 0 && (f->flags & OF_RESTRICTED)) {
			rc = restricted_error(e, f, tok);
			break;
		}
	free(copy);
	return rc;
}

/* Converts a REST value for field f into its stored form; returns a new reference, or
 * NULL with e set. */
static json_t *convert_value(const struct objects *s, const struct objects_field *f,
			     json_t *v, unsigned flags, struct sferr *e)
{
	const char *str = json_string_value(v);
	int64_t ms;
	char dt[OBJECTS_DT_LEN];
	const struct objects_type *rt;

	if (json_is_null(v)) {
		if (!(f->flags & OF_NULLOK) && f->type != OF_BOOLEAN) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [%s]", f->name);
			sferr_field(e, f->name);
			return NULL;
		}
		return json_null();
	}
	switch (f->type) {
	case OF_STRING: case OF_TEXTAREA: case OF_PHONE: case OF_EMAIL: case OF_PICKLIST:
	case OF_MULTIPICKLIST:
		if (json_is_number(v) || json_is_boolean(v)) {
			/* Salesforce turns JSON scalars into their text. */
			char *txt = json_dumps(v, JSON_ENCODE_ANY);
			json_t *out = json_string(txt);

			free(txt);
			return out;
		}
		if (str == NULL) {
			bad_value(e, f, "String");
			return NULL;
		}
		if (f->length && utf8_len(str) > (size_t)f->length) {
			sferr_set(e, 400, "STRING_TOO_LONG",
				  "%s: data value too large: %.40s... (max length=%d)", f->label,
				  str, f->length);
			sferr_field(e, f->name);
			return NULL;
		}
		if (*str == '\0')	/* Salesforce stores empty text as null */
			return json_null();
		if (f->type == OF_EMAIL && !email_ok(str)) {
			sferr_set(e, 400, "INVALID_EMAIL_ADDRESS", "%s: invalid email address: %s",
				  f->label, str);
			sferr_field(e, f->name);
			return NULL;
		}
		if (f->type == OF_PICKLIST && check_picklist(f, str, flags, e) < 0)
			return NULL;
		if (f->type == OF_MULTIPICKLIST && check_multipicklist(f, str, e) < 0)
			return NULL;
		return json_string(str);
	case OF_DATETIME:
		if (str == NULL || isotime_parse_ms(str, &ms) < 0) {
			bad_value(e, f, "DateTime");
			return NULL;
		}
		return json_string(objects_format_dt(dt, ms));
	case OF_DATE:
		if (str == NULL || strlen(str) < 10 || isotime_parse_date_ms(str, &ms) < 0) {
			bad_value(e, f, "Date");
			return NULL;
		}
		return json_stringn(str, 10);
	case OF_BOOLEAN:
		if (!json_is_boolean(v)) {
			bad_value(e, f, "Boolean");
			return NULL;
		}
		return json_incref(v);
	case OF_DOUBLE: case OF_INT:
		if (str != NULL) {
			char *end;
			double d = strtod(str, &end);

			if (*str && *end == '\0')
				return f->type == OF_INT ? json_integer((json_int_t)d) : json_real(d);
		}
		if (!json_is_number(v)) {
			bad_value(e, f, f->type == OF_INT ? "int" : "double");
			return NULL;
		}
		if (f->type == OF_INT)
			return json_integer((json_int_t)json_number_value(v));
		return json_real(json_number_value(v));
	case OF_REFERENCE:
		if (str == NULL || !sfid_valid(str)) {
			sferr_set(e, 400, "MALFORMED_ID", "%s: id value of incorrect type: %s",
				  f->label, str ? str : "");
			sferr_field(e, f->name);
			return NULL;
		}
		rt = objects_type_by_id(str);
		if (f->reference_to && (rt == NULL || strcmp(rt->name, f->reference_to) != 0)) {
			sferr_set(e, 400, "FIELD_INTEGRITY_EXCEPTION",
				  "%s: id value of incorrect type: %s", f->label, str);
			sferr_field(e, f->name);
			return NULL;
		}
		if (objects_get(s, str, NULL) == NULL) {
			sferr_set(e, 400, "INVALID_CROSS_REFERENCE_KEY",
				  "invalid cross reference id");
			sferr_field(e, f->name);
			return NULL;
		}
		{
			char id18[19];
			char ck[4];

			snprintf(id18, sizeof(id18), "%.15s", str);
			sfid_checksum(id18, ck);
			strcat(id18, ck);
			return json_string(id18);
		}
	case OF_BASE64:
		if (str == NULL) {
			bad_value(e, f, "base64");
			return NULL;
		}
		return json_incref(v);
	case OF_ID: case OF__MAX:
		break;
	}
	sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: %s.",
		  f->name);
	sferr_field(e, f->name);
	return NULL;
}

/*
 * Builds the changes of a write into *out (canonical field -> stored value) after
 * checking each member of in. creating selects the createable rather than the
 * updateable flag. Returns 0 or -1.
 */
static int collect_changes(const struct objects *s, const struct objects_type *t, json_t *in,
			   int creating, unsigned flags, json_t **out, struct sferr *e)
{
	const char *key;
	json_t *v;
	json_t *changes;

	if (!json_is_object(in))
		return sferr_set(e, 400, "JSON_PARSER_ERROR",
				 "Cannot deserialize instance of %s from a non-object value.",
				 t->name);
	changes = json_object();
	json_object_foreach(in, key, v) {
		const struct objects_field *f;
		json_t *cv;

		if (strcmp(key, "attributes") == 0)
			continue;
		f = objects_field_find(t, key);
		if (f == NULL) {
			sferr_set(e, 400, "INVALID_FIELD", "No such column '%s' on sobject of type %s",
				  key, t->name);
			goto fail;
		}
		if ((flags & OBJECTS_SYSTEM) && is_system_field(f->name)) {
			int64_t ms;

			if (f->type == OF_BOOLEAN && json_is_boolean(v)) {
				json_object_set(changes, f->name, v);
				continue;
			}
			if (f->type == OF_DATETIME && json_is_string(v) &&
			    isotime_parse_ms(json_string_value(v), &ms) == 0) {
				char dt[OBJECTS_DT_LEN];

				json_object_set_new(changes, f->name,
						    json_string(objects_format_dt(dt, ms)));
				continue;
			}
		}
		if (!(f->flags & (creating ? OF_CREATE : OF_UPDATE))) {
			sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
				  "Unable to create/update fields: %s. Please check the security "
				  "settings of this field and verify that it is read/write for your "
				  "profile or permission set.", f->name);
			sferr_field(e, f->name);
			goto fail;
		}
		cv = convert_value(s, f, v, flags, e);
		if (cv == NULL)
			goto fail;
		json_object_set_new(changes, f->name, cv);
	}
	*out = changes;
	return 0;

fail:
	json_decref(changes);
	return -1;
}

/* Checks each dependent picklist of merged (the record as it would be) whose value or
 * controller changed. */
static int check_dependents(const struct objects_type *t, json_t *merged, json_t *changes,
			    struct sferr *e)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		const char *v, *cv;
		int k;

		if (f->controller == NULL)
			continue;
		if (!json_object_get(changes, f->name) && !json_object_get(changes, f->controller))
			continue;
		v = json_string_value(json_object_get(merged, f->name));
		if (v == NULL)
			continue;
		cv = json_string_value(json_object_get(merged, f->controller));
		k = objects_pick_index(f, v);
		if (k < 0 || cv == NULL || !pick_valid_for(&f->picks[k], cv))
			return restricted_error(e, f, v);
	}
	return 0;
}

static int check_required(const struct objects_type *t, json_t *rec, struct sferr *e)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];

		if ((f->flags & (OF_NULLOK | OF_DEFAULTED)) || f->type == OF_BOOLEAN ||
		    !(f->flags & OF_CREATE))
			continue;
		if (json_is_null(json_object_get(rec, f->name))) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [%s]", f->name);
			return sferr_field(e, f->name);
		}
	}
	return 0;
}

static void set_stamps(json_t *rec, json_t *changes, int creating, int64_t now_ms)
{
	char dt[OBJECTS_DT_LEN];
	json_t *v = json_string(objects_format_dt(dt, now_ms));

	if (creating && !json_object_get(changes, "CreatedDate"))
		json_object_set(rec, "CreatedDate", v);
	if (!json_object_get(changes, "LastModifiedDate"))
		json_object_set(rec, "LastModifiedDate", v);
	if (!json_object_get(changes, "SystemModstamp"))
		json_object_set(rec, "SystemModstamp", v);
	json_decref(v);
}

/* Decodes the base64 VersionData of a JSON write; new reference or NULL. */
static json_t *decode_b64(const char *text)
{
	size_t n = strlen(text), len = 0;
	unsigned char *bin = malloc(n / 4 * 3 + 3);
	json_t *out = NULL;

	if (bin == NULL)
		return NULL;
	if (sodium_base642bin(bin, n / 4 * 3 + 3, text, n, " \r\n\t", &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0)
		out = json_stringn_nocheck((const char *)bin, len);
	free(bin);
	return out;
}

static void fill_content_version(struct objects *s, json_t *rec, const char *id, json_t *blob)
{
	const char *path = json_string_value(json_object_get(rec, "PathOnClient"));
	const char *dot = path ? strrchr(path, '.') : NULL;
	char doc[19], k[16], ft[21];

	sfid_make(doc, "069", ++s->doc_serial);
	json_object_set_new(rec, "ContentDocumentId", json_string(doc));
	json_object_set_new(rec, "ContentSize", json_integer((json_int_t)json_string_length(blob)));
	if (dot && dot[1] && strlen(dot + 1) < sizeof(ft)) {
		size_t i;

		json_object_set_new(rec, "FileExtension", json_string(dot + 1));
		for (i = 0; dot[1 + i]; i++)
			ft[i] = (char)toupper((unsigned char)dot[1 + i]);
		ft[i] = '\0';
		json_object_set_new(rec, "FileType", json_string(ft));
	} else {
		json_object_set_new(rec, "FileType", json_string("UNKNOWN"));
	}
	if (json_is_null(json_object_get(rec, "Title")) && path) {
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		json_object_set_new(rec, "Title", json_stringn(base, dot && dot > base ?
							      (size_t)(dot - base) : strlen(base)));
	}
	json_object_set_new(rec, "VersionNumber", json_string("1"));
	json_object_set_new(rec, "IsLatest", json_true());
	json_object_set_new(rec, "VersionData", json_true());
	snprintf(k, sizeof(k), "%.15s", id);
	json_object_set(s->blobs, k, blob);
}

/* Stores rec (a JSON record of t holding every field) as a new version at pos, or, when
 * pos is the table's size, as a new record. 0, or -1 when out of memory. */
static int store_json(struct objects *s, const struct objects_type *t, json_t *rec, size_t pos)
{
	struct draft d;
	struct objects_rec *r;

	draft_from_json(&d, t, rec);
	if (pos < s->tables[t->index].n) {
		r = draft_build(&d, (uint32_t)pos, NULL);
		if (r == NULL)
			return -1;
		store_replace(s, r);
		return 0;
	}
	r = draft_build(&d, (uint32_t)pos, &s->tables[t->index]);
	if (r == NULL || store_add(s, r) < 0)
		return -1;	/* what the arena gave stays there */
	return 0;
}

/* The field defaults of a new record of t: false, or true for defaulted booleans,
 * except IsDeleted; a picklist's default value; otherwise null. */
static json_t *default_value(const struct objects_field *f)
{
	if (f->type == OF_BOOLEAN)
		return strcmp(f->name, "IsDeleted") == 0 ? json_false() :
		       (f->flags & OF_DEFAULTED) ? json_true() : json_false();
	if (f->picks && f->type == OF_PICKLIST)
		for (int p = 0; f->picks[p].value; p++)
			if (f->picks[p].default_value)
				return json_string(f->picks[p].value);
	return json_null();
}

int objects_create(struct objects *s, const struct objects_type *t, json_t *in,
		   const void *blob, size_t blob_len, int64_t now_ms, unsigned flags,
		   char id_out[19], struct sferr *e)
{
	size_t pos = s->tables[t->index].n;
	json_t *changes = NULL, *rec = NULL, *data = NULL;
	const char *key;
	json_t *v;

	if (collect_changes(s, t, in, 1, flags, &changes, e) < 0)
		return -1;
	rec = json_object();
	for (size_t i = 0; i < t->nfields; i++)
		json_object_set_new(rec, t->fields[i].name, default_value(&t->fields[i]));
	json_object_foreach(changes, key, v)
		json_object_set(rec, key, v);
	if (check_required(t, rec, e) < 0 || check_dependents(t, rec, changes, e) < 0)
		goto fail;
	if (t == &type_cv) {
		json_t *b64 = json_object_get(changes, "VersionData");

		if (blob != NULL)
			data = json_stringn_nocheck(blob, blob_len);
		else if (json_is_string(b64))
			data = decode_b64(json_string_value(b64));
		if (data == NULL) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [VersionData]");
			sferr_field(e, "VersionData");
			goto fail;
		}
		if (json_is_null(json_object_get(rec, "PathOnClient"))) {
			sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
				  "Required fields are missing: [PathOnClient]");
			sferr_field(e, "PathOnClient");
			goto fail;
		}
	}
	if (flags & OBJECTS_CHECK_ONLY) {
		json_decref(data);
		json_decref(changes);
		json_decref(rec);
		return 0;
	}
	/* The serial is the position + 1: objects_get finds records by it. */
	sfid_make(id_out, t->key_prefix, pos + 1);
	json_object_set_new(rec, "Id", json_string(id_out));
	if (t->autonumber && !json_object_get(changes, "Name")) {
		char name[40];

		snprintf(name, sizeof(name), "%s%07zu", t->autonumber, pos + 1);
		json_object_set_new(rec, "Name", json_string(name));
	}
	if (t == &type_user && json_is_null(json_object_get(rec, "Name"))) {
		const char *fn = json_string_value(json_object_get(rec, "FirstName"));
		const char *ln = json_string_value(json_object_get(rec, "LastName"));
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", fn ? fn : "", fn ? " " : "", ln ? ln : "");
		json_object_set_new(rec, "Name", json_string(name));
	}
	set_stamps(rec, changes, 1, now_ms);
	if (data != NULL)
		fill_content_version(s, rec, id_out, data);
	if (store_json(s, t, rec, pos) < 0) {
		if (data != NULL) {
			char k[16];

			snprintf(k, sizeof(k), "%.15s", id_out);
			json_object_del(s->blobs, k);
		}
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	json_decref(data);
	json_decref(changes);
	json_decref(rec);
	return 0;

fail:
	json_decref(data);
	json_decref(changes);
	json_decref(rec);
	return -1;
}

/* prefix and serial in at least 7 digits ("SA-0000042"), into out; no snprintf, as
 * every seeded appointment and junction gets one. */
static char *autonumber(char out[40], const char *prefix, size_t serial)
{
	char digits[24];
	size_t n = 0, plen = strnlen(prefix, 16), k = 0;

	do {
		digits[n++] = (char)('0' + serial % 10);
		serial /= 10;
	} while (serial != 0);
	while (n < 7)
		digits[n++] = '0';
	memcpy(out, prefix, plen);
	while (n > 0)
		out[plen + k++] = digits[--n];
	out[plen + k] = '\0';
	return out;
}

int objects_insert(struct objects *s, const struct objects_type *t,
		   const struct objects_val *vals, int64_t now_ms, char id_out[19])
{
	size_t pos = s->tables[t->index].n;
	char name[40];
	struct draft d;
	struct objects_rec *r;

	memset(&d, 0, sizeof(d));
	d.t = t;
	sfid_make(id_out, t->key_prefix, pos + 1);
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		const struct objects_val *v = &vals[i];

		if (i == 0) {
			draft_text(&d, i, id_out, SFID_LEN);
		} else if (!v->set) {
			if (t->autonumber && f->flags & OF_NAME) {
				autonumber(name, t->autonumber, pos + 1);
				draft_text(&d, i, name, strlen(name));
			} else if (f->type == OF_DATETIME && is_system_field(f->name)) {
				draft_int(&d, i, now_ms);
			} else if (f->type == OF_BOOLEAN) {
				draft_int(&d, i, strcmp(f->name, "IsDeleted") != 0 &&
						 (f->flags & OF_DEFAULTED));
			} else {
				const char *def = NULL;

				for (int p = 0; f->type == OF_PICKLIST && f->picks[p].value; p++)
					if (f->picks[p].default_value)
						def = f->picks[p].value;
				draft_text(&d, i, def, def ? strlen(def) : 0);
			}
		} else if (v->null) {
			draft_null(&d, i);
		} else {
			switch (kind_of(f->type)) {
			case K_TEXT:
				draft_text(&d, i, v->s, v->s ? strlen(v->s) : 0);
				break;
			case K_TIME:
				draft_int(&d, i, v->ms);
				break;
			case K_INT:
				draft_int(&d, i, f->type == OF_INT ? (int64_t)v->num : v->b != 0);
				break;
			case K_REAL:
				d.nulls &= ~(1ULL << i);
				d.v[i].d = v->num;
				break;
			}
		}
	}
	r = draft_build(&d, (uint32_t)pos, &s->tables[t->index]);
	if (r == NULL || store_add(s, r) < 0)
		return -1;	/* what the arena gave stays there */
	return 0;
}

static const struct objects_rec *find_live(struct objects *s, const struct objects_type *t,
					   const char *id, struct sferr *e)
{
	const struct objects_type *rt = NULL;
	const struct objects_rec *rec = objects_get(s, id, &rt);

	if (rec == NULL || (t != NULL && rt != t)) {
		sferr_set(e, 404, "NOT_FOUND", "The requested resource does not exist");
		return NULL;
	}
	if (objects_rec_deleted(rec)) {
		sferr_set(e, 404, "ENTITY_IS_DELETED", "entity is deleted");
		return NULL;
	}
	return rec;
}

int objects_update(struct objects *s, const struct objects_type *t, const char *id,
		   json_t *in, int64_t now_ms, unsigned flags, struct sferr *e)
{
	const struct objects_rec *old = find_live(s, t, id, e);
	json_t *changes = NULL, *merged = NULL;
	const char *key;
	json_t *v;
	int rc = -1;

	if (old == NULL)
		return -1;
	if (json_is_object(in) && json_object_get(in, "Id")) {
		/* Salesforce ignores an Id in the body that matches the URL. */
		const char *bid = json_string_value(json_object_get(in, "Id"));

		if (bid == NULL || !sfid_eq(bid, id))
			return sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
					 "Unable to create/update fields: Id.");
		json_object_del(in, "Id");
	}
	if (collect_changes(s, t, in, 0, flags, &changes, e) < 0)
		return -1;
	merged = objects_rec_json(old);
	if (merged == NULL) {
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto done;
	}
	json_object_foreach(changes, key, v)
		json_object_set(merged, key, v);
	if (check_dependents(t, merged, changes, e) < 0)
		goto done;
	rc = 0;
	if (flags & OBJECTS_CHECK_ONLY)
		goto done;
	set_stamps(merged, changes, 0, now_ms);
	if (store_json(s, t, merged, old->pos) < 0)
		rc = sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");

done:
	json_decref(merged);
	json_decref(changes);
	return rc;
}

int objects_delete(struct objects *s, const struct objects_type *t, const char *id,
		   int64_t now_ms, int64_t modstamp_ms, struct sferr *e)
{
	const struct objects_rec *old = find_live(s, t, id, e);
	char dt[OBJECTS_DT_LEN];
	json_t *rec;
	int rc = 0;

	if (old == NULL)
		return -1;
	rec = objects_rec_json(old);
	if (rec == NULL)
		return sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	json_object_set_new(rec, "IsDeleted", json_true());
	json_object_set_new(rec, "LastModifiedDate", json_string(objects_format_dt(dt, now_ms)));
	json_object_set_new(rec, "SystemModstamp",
			    json_string(objects_format_dt(dt, modstamp_ms ? modstamp_ms : now_ms)));
	if (store_json(s, objects_rec_type(old), rec, old->pos) < 0)
		rc = sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
	json_decref(rec);
	return rc;
}

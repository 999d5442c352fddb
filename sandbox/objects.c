/* objects: the sandbox org's schema and its in-memory record store. */
#include "sandbox/objects.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

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

const struct objects_field *objects_field_find(const struct objects_type *t, const char *name)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (strcasecmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
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

struct table {
	json_t **recs;
	size_t n, alloc;
	unsigned long serial;
};

struct objects {
	pthread_rwlock_t lock;
	struct table tables[NTYPES];
	json_t *index;	/* first 15 characters of an Id -> record (a reference) */
	json_t *blobs;	/* first 15 characters of an Id -> raw bytes as a JSON string */
	unsigned long doc_serial;
};

struct objects *objects_new(void)
{
	struct objects *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (pthread_rwlock_init(&s->lock, NULL) != 0)
		goto fail_free;
	s->index = json_object();
	s->blobs = json_object();
	if (s->index == NULL || s->blobs == NULL)
		goto fail_json;
	return s;

fail_json:
	json_decref(s->index);
	json_decref(s->blobs);
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
			json_decref(s->tables[t].recs[i]);
		free(s->tables[t].recs);
	}
	json_decref(s->index);
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

json_t *objects_at(const struct objects *s, const struct objects_type *t, size_t i)
{
	return i < s->tables[t->index].n ? s->tables[t->index].recs[i] : NULL;
}

static void key15(char out[16], const char *id)
{
	snprintf(out, 16, "%.15s", id);
}

json_t *objects_get(const struct objects *s, const char *id, const struct objects_type **t)
{
	char k[16];
	json_t *r;

	if (!sfid_valid(id))
		return NULL;
	key15(k, id);
	r = json_object_get(s->index, k);
	if (r != NULL && t != NULL)
		*t = objects_type_by_id(id);
	return r;
}

json_t *objects_blob(const struct objects *s, const char *id)
{
	char k[16];

	key15(k, id);
	return json_object_get(s->blobs, k);
}

char *objects_format_dt(char out[OBJECTS_DT_LEN], int64_t ms)
{
	char iso[ISOTIME_MS_LEN];

	isotime_format_ms(iso, ms);
	/* "YYYY-MM-DDTHH:MM:SS.fffZ" -> "...fff+0000" */
	snprintf(out, OBJECTS_DT_LEN, "%.23s+0000", iso);
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

static int table_push(struct table *tb, json_t *rec)
{
	if (tb->n == tb->alloc) {
		size_t alloc = tb->alloc ? tb->alloc * 2 : 256;
		json_t **p = realloc(tb->recs, alloc * sizeof(*p));

		if (p == NULL)
			return -1;
		tb->recs = p;
		tb->alloc = alloc;
	}
	tb->recs[tb->n++] = rec;
	return 0;
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
	key15(k, id);
	json_object_set(s->blobs, k, blob);
}

json_t *objects_create(struct objects *s, const struct objects_type *t, json_t *in,
		       const void *blob, size_t blob_len, int64_t now_ms, unsigned flags,
		       char id_out[19], struct sferr *e)
{
	struct table *tb = &s->tables[t->index];
	json_t *changes = NULL, *rec = NULL, *data = NULL;
	const char *key;
	json_t *v;
	char k[16];

	if (collect_changes(s, t, in, 1, flags, &changes, e) < 0)
		return NULL;
	rec = json_object();
	for (size_t i = 0; i < t->nfields; i++) {
		const struct objects_field *f = &t->fields[i];
		json_t *dv = json_null();

		if (f->type == OF_BOOLEAN)
			dv = strcmp(f->name, "IsDeleted") == 0 ? json_false() :
			     (f->flags & OF_DEFAULTED) ? json_true() : json_false();
		if (f->picks && f->type == OF_PICKLIST)
			for (int p = 0; f->picks[p].value; p++)
				if (f->picks[p].default_value)
					dv = json_string(f->picks[p].value);
		json_object_set_new(rec, f->name, dv);
	}
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
		return json_null();	/* a static singleton: "valid" without a record */
	}
	sfid_make(id_out, t->key_prefix, ++tb->serial);
	json_object_set_new(rec, "Id", json_string(id_out));
	if (t->autonumber && !json_object_get(changes, "Name")) {
		char name[40];

		snprintf(name, sizeof(name), "%s%07lu", t->autonumber, tb->serial);
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
	if (data != NULL) {
		fill_content_version(s, rec, id_out, data);
		json_decref(data);
		data = NULL;
	}
	if (table_push(tb, rec) < 0) {
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	key15(k, id_out);
	json_object_set(s->index, k, rec);
	json_decref(changes);
	return rec;

fail:
	json_decref(data);
	json_decref(changes);
	json_decref(rec);
	return NULL;
}

static json_t *find_live(struct objects *s, const struct objects_type *t, const char *id,
			 struct sferr *e)
{
	const struct objects_type *rt = NULL;
	json_t *rec = objects_get(s, id, &rt);

	if (rec == NULL || (t != NULL && rt != t)) {
		sferr_set(e, 404, "NOT_FOUND", "The requested resource does not exist");
		return NULL;
	}
	if (json_is_true(json_object_get(rec, "IsDeleted"))) {
		sferr_set(e, 404, "ENTITY_IS_DELETED", "entity is deleted");
		return NULL;
	}
	return rec;
}

int objects_update(struct objects *s, const struct objects_type *t, const char *id,
		   json_t *in, int64_t now_ms, unsigned flags, struct sferr *e)
{
	json_t *rec = find_live(s, t, id, e), *changes = NULL, *merged = NULL;
	const char *key;
	json_t *v;

	if (rec == NULL)
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
	merged = json_copy(rec);
	json_object_foreach(changes, key, v)
		json_object_set(merged, key, v);
	if (check_dependents(t, merged, changes, e) < 0) {
		json_decref(merged);
		json_decref(changes);
		return -1;
	}
	json_decref(merged);
	if (!(flags & OBJECTS_CHECK_ONLY)) {
		json_object_foreach(changes, key, v)
			json_object_set(rec, key, v);
		set_stamps(rec, changes, 0, now_ms);
	}
	json_decref(changes);
	return 0;
}

int objects_delete(struct objects *s, const struct objects_type *t, const char *id,
		   int64_t now_ms, int64_t modstamp_ms, struct sferr *e)
{
	json_t *rec = find_live(s, t, id, e);
	char dt[OBJECTS_DT_LEN];

	if (rec == NULL)
		return -1;
	json_object_set_new(rec, "IsDeleted", json_true());
	json_object_set_new(rec, "LastModifiedDate", json_string(objects_format_dt(dt, now_ms)));
	json_object_set_new(rec, "SystemModstamp",
			    json_string(objects_format_dt(dt, modstamp_ms ? modstamp_ms : now_ms)));
	return 0;
}

/* objects_schema: the sandbox org's schema: sObjects, fields, picklists, relationships. */
#include "sandbox/objects_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

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

/* A long text area: a text area of more than 255 characters. */
static int long_text(const struct objects_field *f)
{
	return f->type == OF_TEXTAREA && f->length > 255;
}

int objects_field_filterable(const struct objects_field *f)
{
	return f->type != OF_BASE64 && !long_text(f);
}

int objects_field_sortable(const struct objects_field *f)
{
	return f->type != OF_BASE64 && f->type != OF_MULTIPICKLIST && !long_text(f);
}

int objects_field_groupable(const struct objects_field *f)
{
	switch (f->type) {
	case OF_DATETIME: case OF_DOUBLE: case OF_MULTIPICKLIST: case OF_BASE64:
		return 0;
	default:
		return !long_text(f);
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

const struct objects_type objects__type_user = {
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
const struct objects_type objects__type_cv = {
	6, "ContentVersion", "Content Version", "Content Versions", "068", 0, NULL, cv_fields,
	NF(cv_fields), NULL,
};

const struct objects_type *const objects__all_types[NTYPES] = {
	&objects__type_user, &type_account, &type_staff, &type_appt, &type_opp, &type_junction,
	&objects__type_cv,
};

const struct objects_type *const *objects_types(size_t *n)
{
	*n = NTYPES;
	return objects__all_types;
}

const struct objects_type *objects_type_find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcasecmp(objects__all_types[i]->name, name) == 0)
			return objects__all_types[i];
	return NULL;
}

const struct objects_type *objects_type_by_id(const char *id)
{
	if (strlen(id) < 3)
		return NULL;
	for (size_t i = 0; i < NTYPES; i++)
		if (strncmp(objects__all_types[i]->key_prefix, id, 3) == 0)
			return objects__all_types[i];
	return NULL;
}

/* Field lookups by name run for every field of every seeded record and of every
 * write, so each type has a small case-insensitive hash of its field names (open
 * addressing; a slot holds a field position + 1, 0 when empty), built once. */
#define FIELD_SLOTS 128

static unsigned char field_slots[NTYPES][FIELD_SLOTS];
int objects__deleted_field[NTYPES];	/* IsDeleted's position, or -1 */
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
		if (objects__all_types[t]->nfields > MAX_FIELDS)
			abort();	/* a schema error, caught by every test */
		for (size_t i = 0; i < objects__all_types[t]->nfields; i++) {
			unsigned h = name_hash(objects__all_types[t]->fields[i].name) % FIELD_SLOTS;

			while (field_slots[t][h] != 0)
				h = (h + 1) % FIELD_SLOTS;
			field_slots[t][h] = (unsigned char)(i + 1);
		}
		objects__deleted_field[t] = -1;
		for (size_t i = 0; i < objects__all_types[t]->nfields; i++)
			if (strcmp(objects__all_types[t]->fields[i].name, "IsDeleted") == 0)
				objects__deleted_field[t] = (int)i;
	}
}

/* Builds the field name hashes and IsDeleted's positions, once: objects_new calls it so
 * that reading a record (objects_rec_deleted) may rely on them. */
void objects__schema_init(void)
{
	pthread_once(&field_slots_once, field_slots_build);
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

/* The position of the first value of f's picklist that cmp finds equal to value, or -1;
 * *n (when not NULL) gets the number of values. */
static int pick_find(const struct objects_field *f, const char *value,
		     int (*cmp)(const char *, const char *), int *n)
{
	int i;

	for (i = 0; f->picks != NULL && f->picks[i].value; i++)
		if (cmp(f->picks[i].value, value) == 0)
			return i;
	if (n != NULL)
		*n = i;
	return -1;
}

int objects_pick_index(const struct objects_field *f, const char *value)
{
	return pick_find(f, value, strcmp, NULL);
}

int objects_pick_order(const struct objects_field *f, const char *value)
{
	int n, i = pick_find(f, value, strcasecmp, &n);

	return i >= 0 ? i : n;
}

int objects__pick_valid_for(const struct objects_pick *p, const char *controller_value)
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
		if (objects__pick_valid_for(p, ctl->picks[n].value))
			bits[n >> 3] |= (unsigned char)(0x80 >> (n % 8));
	/* Salesforce pads the bitmap so that the base64 text needs no '=': a multiple of
	 * three bytes. */
	nbytes = (n + 7) / 8;
	nbytes = (nbytes + 2) / 3 * 3;
	sodium_bin2base64(out, sizeof(out), bits, nbytes, sodium_base64_VARIANT_ORIGINAL);
	return json_string(out);
}

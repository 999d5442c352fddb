/* picklist: decoding picklistValues and the validFor bitmaps of dependent picklists. */
#include "salesforce/picklist.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void sf_picklist_free(struct sf_picklist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].value);
		free(l->v[i].label);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static json_t *find_field(json_t *describe, const char *name, struct err *e)
{
	json_t *fields = json_object_get(describe, "fields"), *f;
	size_t i;

	if (!json_is_array(fields)) {
		err_set(e, ERR_REMOTE, "The describe result from Salesforce has no fields list.");
		return NULL;
	}
	json_array_foreach(fields, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));

		if (n && strcmp(n, name) == 0)
			return f;
	}
	err_set(e, ERR_NOT_FOUND, "The field %s is not in the describe result.", name);
	return NULL;
}

static json_t *values_of(json_t *field, const char *name, struct err *e)
{
	json_t *vals = json_object_get(field, "picklistValues");

	if (!json_is_array(vals)) {
		err_set(e, ERR_REMOTE, "The field %s has no picklist values in the describe "
			"result.", name);
		return NULL;
	}
	return vals;
}

static int push(struct sf_picklist *l, json_t *entry, struct err *e)
{
	const char *value = json_string_value(json_object_get(entry, "value"));
	const char *label = json_string_value(json_object_get(entry, "label"));
	struct sf_picklist_value *v;

	if (value == NULL)
		return err_set(e, ERR_REMOTE, "A picklist entry in the describe result has no "
			       "value.");
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL)
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	l->v = v;
	v = &l->v[l->n];
	memset(v, 0, sizeof(*v));
	v->value = strdup(value);
	v->label = label ? strdup(label) : NULL;
	v->active = json_is_true(json_object_get(entry, "active"));
	v->is_default = json_is_true(json_object_get(entry, "defaultValue"));
	l->n++;
	if (v->value == NULL || (label && v->label == NULL))
		return err_set(e, ERR_INTERNAL, "Out of memory.");
	return 0;
}

/* Whether bit i of the base64 bitmap b64 is set, reading bits most significant first.
 * A bitmap shorter than byte i >> 3 has that bit clear. */
static int bit_set(const char *b64, size_t i, struct err *e, int *set)
{
	unsigned char bytes[512];
	size_t len = 0;

	/* "=" is skipped rather than checked so that both padded and unpadded bitmaps
	 * decode; libsodium still refuses any other character and stray bits. */
	if (sodium_base642bin(bytes, sizeof(bytes), b64, strlen(b64), "=", &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		return err_set(e, ERR_REMOTE, "A validFor bitmap in the describe result is not "
			       "valid base64.");
	*set = (i >> 3) < len && (bytes[i >> 3] & (0x80u >> (i % 8))) != 0;
	return 0;
}

int sf_picklist_values(json_t *describe, const char *field, struct sf_picklist *out,
		       struct err *e)
{
	json_t *f, *vals, *entry;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((f = find_field(describe, field, e)) == NULL ||
	    (vals = values_of(f, field, e)) == NULL)
		return -1;
	json_array_foreach(vals, i, entry) {
		if (push(out, entry, e) < 0) {
			sf_picklist_free(out);
			return -1;
		}
	}
	return 0;
}

int sf_picklist_valid_for(json_t *describe, const char *field, const char *controller_value,
			  struct sf_picklist *out, struct err *e)
{
	json_t *f, *ctl, *vals, *ctl_vals, *entry;
	const char *ctl_name;
	size_t i, index = (size_t)-1;

	memset(out, 0, sizeof(*out));
	if ((f = find_field(describe, field, e)) == NULL)
		return -1;
	ctl_name = json_string_value(json_object_get(f, "controllerName"));
	if (!json_is_true(json_object_get(f, "dependentPicklist")) || ctl_name == NULL)
		return err_set(e, ERR_INVALID, "The field %s is not a dependent picklist.", field);
	if ((vals = values_of(f, field, e)) == NULL || (ctl = find_field(describe, ctl_name, e))
	    == NULL || (ctl_vals = values_of(ctl, ctl_name, e)) == NULL)
		return -1;
	json_array_foreach(ctl_vals, i, entry) {
		const char *v = json_string_value(json_object_get(entry, "value"));

		if (v && strcmp(v, controller_value) == 0) {
			index = i;
			break;
		}
	}
	if (index == (size_t)-1)
		return err_set(e, ERR_NOT_FOUND, "The value \"%s\" is not one of %s's values.",
			       controller_value, ctl_name);
	json_array_foreach(vals, i, entry) {
		const char *b64 = json_string_value(json_object_get(entry, "validFor"));
		int set = 0;

		if (b64 == NULL)
			continue;	/* valid for no controlling value */
		if (bit_set(b64, index, e, &set) < 0)
			goto fail;
		if (set && push(out, entry, e) < 0)
			goto fail;
	}
	return 0;
fail:
	sf_picklist_free(out);
	return -1;
}

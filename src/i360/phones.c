/* phones: I360's free-text Contact_Phone field as a list of named phone numbers. */
#include "i360/phones.h"

#include <stdlib.h>
#include <string.h>

#include "i360/text.h"

/* Appends {name, number} (spans, already trimmed; name may be empty) to *list. */
static int phones_push(struct model_phone **list, size_t *n, size_t *alloc,
		       const char *name, size_t name_len, const char *num, size_t num_len)
{
	struct model_phone *p;

	if (*n == *alloc) {
		size_t a = *alloc ? *alloc * 2 : 4;

		p = realloc(*list, a * sizeof(**list));
		if (p == NULL)
			return -1;
		*list = p;
		*alloc = a;
	}
	p = &(*list)[*n];
	p->name = NULL;
	p->number = text_dup(num, num_len);
	if (p->number == NULL)
		return -1;
	if (name_len > 0) {
		p->name = text_dup(name, name_len);
		if (p->name == NULL) {
			free(p->number);
			return -1;
		}
	}
	(*n)++;
	return 0;
}

int phones_parse(const char *contact_phone, struct model_phone **out, size_t *n,
		 struct err *e)
{
	struct model_phone *list = NULL;
	size_t count = 0, alloc = 0;
	const char *seg = contact_phone;

	*out = NULL;
	*n = 0;
	if (contact_phone == NULL)
		return 0;
	for (;;) {
		const char *comma = strchr(seg, ',');
		size_t seg_len = comma ? (size_t)(comma - seg) : strlen(seg);
		const char *colon = memchr(seg, ':', seg_len);
		const char *name = seg, *num = seg;
		size_t name_len = 0, num_len = seg_len;

		if (colon != NULL) {
			name_len = (size_t)(colon - seg);
			num = colon + 1;
			num_len = seg_len - name_len - 1;
			text_trim(&name, &name_len);
		}
		text_trim(&num, &num_len);
		if (num_len > 0 &&
		    phones_push(&list, &count, &alloc, name, name_len, num, num_len) < 0) {
			phones_free(list, count);
			return err_set(e, ERR_INTERNAL,
				       "out of memory while reading the contact phone numbers");
		}
		if (comma == NULL)
			break;
		seg = comma + 1;
	}
	if (count == 0) {
		free(list);
		return 0;
	}
	*out = list;
	*n = count;
	return 0;
}

void phones_free(struct model_phone *phones, size_t n)
{
	if (phones == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(phones[i].name);
		free(phones[i].number);
	}
	free(phones);
}

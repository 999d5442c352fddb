/* fuzz_phones: phones_parse on any text, checked against SPEC §3's rules read literally. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "i360/phones.h"
#include "i360/text.h"

/* Whether the span s, n is already trimmed (text_trim leaves it as it is). */
static int trimmed(const char *s, size_t n)
{
	const char *t = s;
	size_t m = n;

	text_trim(&t, &m);
	return t == s && m == n;
}

/* Whether the NUL-terminated s equals the n bytes at span. */
static int same(const char *s, const char *span, size_t n)
{
	return strlen(s) == n && memcmp(s, span, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_phone *phones = (struct model_phone *)(uintptr_t)1; /* overwritten */
	size_t n = 99, k = 0;
	struct err e;
	char *in;
	const char *seg;

	if (fuzz_has_nul(data, size))
		return 0;
	in = fuzz_cstr(data, size);
	FUZZ_CHECK(phones_parse(in, &phones, &n, &e) == 0, "%s", e.msg);
	FUZZ_CHECK((n == 0) == (phones == NULL), "n %zu, phones %p", n, (void *)phones);

	/*
	 * The oracle: walk the comma-separated segments in order; each segment with a
	 * non-empty trimmed number must be the next phone, with the name before its
	 * first ':' (trimmed, NULL when empty, and when there is no ':').
	 */
	seg = in;
	for (;;) {
		size_t seg_len = strcspn(seg, ",");
		const char *colon = memchr(seg, ':', seg_len);
		const char *name = seg, *num = colon ? colon + 1 : seg;
		size_t name_len = colon ? (size_t)(colon - seg) : 0;
		size_t num_len = seg_len - (size_t)(num - seg);

		text_trim(&name, &name_len);
		text_trim(&num, &num_len);
		if (num_len > 0) {
			FUZZ_CHECK(k < n, "phone %zu (\"%.*s\") is missing from %zu", k,
				   (int)num_len, num, n);
			FUZZ_CHECK(phones[k].number != NULL && phones[k].number[0] != '\0',
				   "phone %zu has no number", k);
			FUZZ_CHECK(same(phones[k].number, num, num_len),
				   "phone %zu number \"%s\", want \"%.*s\"", k, phones[k].number,
				   (int)num_len, num);
			FUZZ_CHECK(trimmed(phones[k].number, strlen(phones[k].number)),
				   "phone %zu number \"%s\" is not trimmed", k, phones[k].number);
			if (name_len == 0) {
				FUZZ_CHECK(phones[k].name == NULL, "phone %zu name \"%s\", want "
					   "none", k, phones[k].name);
			} else {
				FUZZ_CHECK(phones[k].name != NULL &&
					   same(phones[k].name, name, name_len),
					   "phone %zu name \"%s\", want \"%.*s\"", k,
					   phones[k].name ? phones[k].name : "(null)",
					   (int)name_len, name);
				FUZZ_CHECK(strchr(phones[k].name, ':') == NULL,
					   "phone %zu name \"%s\" holds a ':'", k, phones[k].name);
			}
			k++;
		}
		if (seg[seg_len] == '\0')
			break;
		seg += seg_len + 1;
	}
	FUZZ_CHECK(k == n, "%zu phones, want %zu", n, k);
	phones_free(phones, n);
	free(in);
	return 0;
}

/* soql: SOQL literal escaping and IN-list chunking under the URL limit. */
#include "salesforce/soql.h"

#include <string.h>

/* Length of the UTF-8 sequence starting at s, or 0 when it is malformed (overlong
 * forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static const char *escape_of(unsigned char ch, unsigned flags)
{
	switch (ch) {
	case '\'': return "\\'";
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '_': return (flags & SF_SOQL_LIKE) ? "\\_" : NULL;
	case '%': return (flags & SF_SOQL_LIKE) ? "\\%" : NULL;
	default: return NULL;
	}
}

int sf_soql_quote(struct buf *out, const char *s, unsigned flags, struct err *e)
{
	const unsigned char *p = (const unsigned char *)s;

	if (buf_append(out, "'", 1) < 0)
		goto too_big;
	while (*p) {
		const char *esc = escape_of(*p, flags);
		size_t n;

		if (esc) {
			if (buf_puts(out, esc) < 0)
				goto too_big;
			p++;
			continue;
		}
		if (*p < 0x20)
			return err_set(e, ERR_INVALID, "A SOQL string literal cannot hold control "
				       "character 0x%02x.", *p);
		n = utf8_seq(p);
		if (n == 0)
			return err_set(e, ERR_INVALID, "A SOQL string literal must be valid UTF-8.");
		if (buf_append(out, p, n) < 0)
			goto too_big;
		p += n;
	}
	if (buf_append(out, "'", 1) < 0)
		goto too_big;
	return 0;
too_big:
	return err_set(e, ERR_TOO_LARGE, "The SOQL query is too long.");
}

char *sf_soql_datetime(char out[ISOTIME_LEN], int64_t ms)
{
	return isotime_format(out, ms);
}

size_t sf_soql_encoded_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		char ch = *s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~')
			n += 1;
		else
			n += 3;
	}
	return n;
}

int sf_soql_in_next(struct sf_soql_in *in, struct buf *out, struct err *e)
{
	size_t max = in->max_url ? in->max_url : SF_SOQL_MAX_URL;
	const char *tail = in->tail ? in->tail : "";
	struct buf lit;
	size_t used, count = 0;

	if (in->next >= in->nvalues)
		return 0;
	buf_reset(out);
	if (buf_puts(out, in->head) < 0 || buf_puts(out, in->field) < 0 ||
	    buf_puts(out, " IN (") < 0)
		return err_set(e, ERR_TOO_LARGE, "The SOQL query is too long.");
	/* used counts the encoded URL: base, head, field, " IN (", then ")" and the tail. */
	used = in->url_base_len + sf_soql_encoded_len(out->data) + sf_soql_encoded_len(")") +
	       sf_soql_encoded_len(tail);
	buf_init(&lit, 0);
	while (in->next < in->nvalues) {
		size_t add;

		buf_reset(&lit);
		if (count && buf_puts(&lit, ",") < 0)
			goto oom;
		if (sf_soql_quote(&lit, in->values[in->next], 0, e) < 0)
			goto fail;
		add = sf_soql_encoded_len(lit.data);
		/* "<" not "<=": the limit is a size Salesforce refuses at, stay strictly under. */
		if (used + add >= max)
			break;
		if (buf_append(out, lit.data, lit.len) < 0)
			goto oom;
		used += add;
		in->next++;
		count++;
	}
	if (count == 0) {
		err_set(e, ERR_TOO_LARGE, "A value of the IN list does not fit in one request URL.");
		goto fail;
	}
	if (buf_puts(out, ")") < 0 || buf_puts(out, tail) < 0)
		goto oom;
	buf_free(&lit);
	return 1;
oom:
	err_set(e, ERR_TOO_LARGE, "The SOQL query is too long.");
fail:
	buf_free(&lit);
	return -1;
}

/* soql_lex: the SOQL lexer: query text into tokens, and query errors with their locator. */
#include "sandbox/soql_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Formats a Salesforce query error: the offending line, a caret, the locator, then the
 * message. */

int soql__qerr(const char *text, size_t pos, struct sferr *e, const char *code,
	       const char *fmt, ...)
{
	char msg[600];
	size_t line_start = 0, row = 1, col;
	const char *eol;
	int line_len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < pos && text[i]; i++)
		if (text[i] == '\n') {
			row++;
			line_start = i + 1;
		}
	col = pos - line_start + 1;
	eol = strchr(text + line_start, '\n');
	line_len = (int)(eol ? (size_t)(eol - text - line_start) : strlen(text + line_start));
	if (line_len > 200)
		line_len = 200;
	sferr_set(e, 400, code, "\n%.*s\n%*s^\nERROR at Row:%zu:Column:%zu\n%s", line_len,
		  text + line_start, (int)(col > 200 ? 200 : col - 1), "", row, col, msg);
	return -1;
}

static int lex_push(struct lexer *lx, enum tok_kind k, const char *start, size_t len,
		    char *str)
{
	if (lx->n == lx->alloc) {
		size_t alloc = lx->alloc ? lx->alloc * 2 : 64;
		struct tok *p = realloc(lx->toks, alloc * sizeof(*p));

		if (p == NULL) {
			free(str);
			return -1;
		}
		lx->toks = p;
		lx->alloc = alloc;
	}
	lx->toks[lx->n++] = (struct tok){ k, start, len, (size_t)(start - lx->text), str };
	return 0;
}

void soql__lex_free(struct lexer *lx)
{
	for (size_t i = 0; i < lx->n; i++)
		free(lx->toks[i].str);
	free(lx->toks);
	lx->toks = NULL;
	lx->n = lx->alloc = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	buf_append(b, u, n);
}

/* Scans a quoted literal starting at p (on the quote); sets *end past it. */
static char *lex_string(const char *text, const char *p, const char **end, struct sferr *e)
{
	struct buf b;
	const char *q = p + 1;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (;; q++) {
		if (*q == '\0') {
			buf_free(&b);
			soql__qerr(text, (size_t)(p - text), e, "MALFORMED_QUERY",
				   "unexpected token: <EOF>: unterminated string literal");
			return NULL;
		}
		if (*q == '\'')
			break;
		if (*q != '\\') {
			buf_append(&b, q, 1);
			continue;
		}
		q++;
		switch (*q) {
		case '\'': case '"': case '\\': buf_append(&b, q, 1); break;
		case 'n': buf_puts(&b, "\n"); break;
		case 'r': buf_puts(&b, "\r"); break;
		case 't': buf_puts(&b, "\t"); break;
		case 'b': buf_puts(&b, "\b"); break;
		case 'f': buf_puts(&b, "\f"); break;
		case '%': case '_':
			/* Kept escaped: only LIKE gives them meaning. */
			buf_append(&b, q - 1, 2);
			break;
		case 'u': {
			unsigned cp = 0;

			for (int i = 1; i <= 4; i++) {
				int h = hexval((unsigned char)q[i]);

				if (h < 0)
					goto bad_escape;
				cp = cp * 16 + (unsigned)h;
			}
			put_utf8(&b, cp);
			q += 4;
			break;
		}
		default:
			goto bad_escape;
		}
	}
	*end = q + 1;
	return buf_detach(&b, NULL);

bad_escape:
	buf_free(&b);
	soql__qerr(text, (size_t)(q - 1 - text), e, "MALFORMED_QUERY",
		   "Invalid string literal '%.40s'. Illegal character sequence '\\%c' in string "
		   "literal.", p, *q ? *q : ' ');
	return NULL;
}

static int is_date_start(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	       isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-';
}

int soql__lex(struct lexer *lx, const char *text, struct sferr *e)
{
	const char *p = text;

	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	while (*p) {
		const char *s = p;
		char *str = NULL;
		enum tok_kind k;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '\'') {
			str = lex_string(text, p, &p, e);
			if (str == NULL)
				goto fail;
			k = T_STRING;
		} else if (is_date_start(p)) {
			while (isalnum((unsigned char)*p) || (*p && strchr(":.+-", *p)))
				p++;
			k = (size_t)(p - s) == 10 ? T_DATE : T_DATETIME;
		} else if (isdigit((unsigned char)*p) ||
			   ((*p == '-' || *p == '+' || *p == '.') &&
			    isdigit((unsigned char)p[1]))) {
			p++;
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			k = T_NUMBER;
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
				p++;
			k = T_IDENT;
		} else if (*p == '(' || *p == ')' || *p == ',' || *p == ':') {
			k = *p == '(' ? T_LPAREN : *p == ')' ? T_RPAREN :
			    *p == ',' ? T_COMMA : T_COLON;
			p++;
		} else if (strncmp(p, "!=", 2) == 0 || strncmp(p, "<>", 2) == 0 ||
			   strncmp(p, "<=", 2) == 0 || strncmp(p, ">=", 2) == 0) {
			p += 2;
			k = T_OP;
		} else if (*p == '=' || *p == '<' || *p == '>') {
			p++;
			k = T_OP;
		} else {
			soql__qerr(text, (size_t)(p - text), e, "MALFORMED_QUERY",
				   "line 1:%zu no viable alternative at character '%c'",
				   (size_t)(p - text), *p);
			goto fail;
		}
		if (lex_push(lx, k, s, (size_t)(p - s), str) < 0) {
			sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
			goto fail;
		}
	}
	if (lex_push(lx, T_EOF, p, 0, NULL) < 0) {
		sferr_set(e, 500, "UNKNOWN_EXCEPTION", "Out of memory.");
		goto fail;
	}
	return 0;

fail:
	soql__lex_free(lx);
	return -1;
}

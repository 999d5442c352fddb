/* objects_rec: reading one stored version of a record: text, times, numbers, JSON. */
#include "sandbox/objects_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/isotime.h"

#define DAY_MS 86400000LL

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
	int i = objects__deleted_field[r->type->index];

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

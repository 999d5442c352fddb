/* isotime: ISO-8601 / Salesforce datetime parsing and UTC formatting. */
#ifndef I360_UTIL_ISOTIME_H
#define I360_UTIL_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a datetime as Salesforce and people write it into milliseconds since the Unix
 * epoch, UTC. Accepted: "YYYY-MM-DDTHH:MM:SS" followed by optional ".fff" (1 to 9
 * digits; kept to the millisecond) and a zone: "Z", "+HHMM", "+HH:MM", "-HHMM",
 * "-HH:MM" (Salesforce sends "2026-11-01T15:00:00.000+0000"). A lower-case 't'/'z' and
 * a space in place of 'T' are accepted too. A missing zone means UTC.
 * Returns 0 and sets *ms, or -1 for anything else (including impossible dates such as
 * February 30, hours past 23, trailing garbage, and an offset that moves the instant
 * out of years 0000 to 9999 in UTC, which isotime_format could not write).
 */
int isotime_parse_ms(const char *s, int64_t *ms);

/* Parses "YYYY-MM-DD" as midnight UTC of that day; 0 or -1 as above. */
int isotime_parse_date_ms(const char *s, int64_t *ms);

/* Writes ms (cut to the second) as "YYYY-MM-DDTHH:MM:SSZ" into out, which must hold
 * ISOTIME_LEN bytes. Returns out. */
#define ISOTIME_LEN 21
char *isotime_format(char out[ISOTIME_LEN], int64_t ms);

/* Writes ms as "YYYY-MM-DDTHH:MM:SS.fffZ" into out (ISOTIME_MS_LEN bytes). */
#define ISOTIME_MS_LEN 25
char *isotime_format_ms(char out[ISOTIME_MS_LEN], int64_t ms);

/*
 * Writes ms as an HTTP-date (RFC 9110 IMF-fixdate), "Sun, 06 Nov 1994 08:49:37 GMT",
 * into out (ISOTIME_HTTP_LEN bytes). The milliseconds are cut, so the date written is
 * never later than ms. Day and month names are English whatever the locale. Returns
 * out. Years past 9999 or before 0000 are written modulo 10000, as isotime_format does.
 */
#define ISOTIME_HTTP_LEN 30
char *isotime_format_http(char out[ISOTIME_HTTP_LEN], int64_t ms);

/* The current time in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t isotime_now_ms(void);

/* Days from 1970-01-01 for a proleptic Gregorian date (any year). */
int64_t isotime_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif

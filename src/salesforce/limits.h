/* limits: the org's API allowance as Salesforce reports it in Sforce-Limit-Info. */
#ifndef I360_SALESFORCE_LIMITS_H
#define I360_SALESFORCE_LIMITS_H

/* The org-wide daily API usage; known is 0 until a response carried the header. */
struct sf_limits {
	int known;
	long used;
	long max;
};

/*
 * Parses the value of a Sforce-Limit-Info header, e.g. "api-usage=18/15000" or
 * "api-usage=18/15000; per-app-api-usage=17/250(appName=OCC)": only api-usage is read.
 * Returns 0 and fills out (known = 1), or -1 when there is no well-formed api-usage
 * (out untouched).
 */
int sf_limits_parse(const char *value, struct sf_limits *out);

/* The used share in percent (0..100+), or -1 when unknown or max is 0. */
int sf_limits_percent(const struct sf_limits *l);

#endif

/* log: leveled key=value lines on stderr. */
#ifndef I360_UTIL_LOG_H
#define I360_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

/*
 * Reads I360BRIDGE_LOG (debug, info, warn, error; default info). Called once by main;
 * before it, the level is info.
 */
void log_init(void);

/* Sets the lowest level written. */
void log_set_level(enum log_level level);

/* Whether a line at level would be written (to skip building costly values). */
int log_enabled(enum log_level level);

/*
 * Writes one line: `ts=... level=... event=EVENT` followed by " " and the formatted
 * rest, which by convention is key=value pairs. String values that may hold spaces
 * or quotes go through log_quote(). One line is one write, so threads never interleave
 * inside a line. Never pass a secret: there is no redaction below this call.
 */
void log_write(enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

/*
 * Quotes s for a log value: as is when it holds no space, quote, '=' or control
 * character, else in double quotes with \" \\ \n escapes. Writes into out (size n,
 * cut to fit) and returns out. NULL gives "-".
 */
const char *log_quote(char *out, unsigned n, const char *s);

#endif

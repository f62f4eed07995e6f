/*
 * Time values: gridline stores UTC epoch seconds and speaks RFC 3339 with an
 * explicit offset ("2026-03-25T09:30:00+08:00"). Pure functions, no libc
 * time zone state, so the same input gives the same output everywhere.
 */
#ifndef GL_CORE_TIMEUTIL_H
#define GL_CORE_TIMEUTIL_H
#include <stdint.h>

#define GL_TIME_BUFLEN 32

/* Days since 1970-01-01 for a proleptic Gregorian civil date. */
int64_t gl_days_from_civil(int y, unsigned m, unsigned d);
/* The civil date of a day count since 1970-01-01. */
void gl_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

/* Writes t as RFC 3339 in the zone `offset_min` minutes east of UTC;
 * returns the length written (always < GL_TIME_BUFLEN). */
int gl_time_format(int64_t t, int offset_min, char out[GL_TIME_BUFLEN]);

/* Parses RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"; a space
 * or lower-case t/z are accepted as RFC 3339 allows). Fractions are
 * truncated. Returns 0 and sets *out, or -1 when s is not such a time. */
int gl_time_parse(const char *s, int64_t *out);

#endif

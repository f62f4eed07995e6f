/*
 * RFC 3339 formatting and parsing over epoch seconds. The civil-date
 * conversions are Howard Hinnant's days_from_civil / civil_from_days, exact
 * for the whole int64 range we care about and free of time zone state.
 */
#include "core/timeutil.h"

#include <stdio.h>

int64_t gl_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void gl_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int gl_time_format(int64_t t, int offset_min, char out[GL_TIME_BUFLEN])
{
    int64_t local = t + (int64_t)offset_min * 60;
    int64_t days = floor_div(local, 86400);
    int64_t secs = local - days * 86400;
    int y;
    unsigned m, d;
    gl_civil_from_days(days, &y, &m, &d);
    if (offset_min == 0)
        return snprintf(out, GL_TIME_BUFLEN, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                        (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    int off = offset_min < 0 ? -offset_min : offset_min;
    return snprintf(out, GL_TIME_BUFLEN, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d,
                    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                    offset_min < 0 ? '-' : '+', off / 60, off % 60);
}

/* Reads exactly n decimal digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int gl_time_parse(const char *s, int64_t *out)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
    const char *p = s;
    if (!s || digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
        digits(&p, 2, &d))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) || expect(&p, ':') ||
        digits(&p, 2, &se))
        return -1;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
        if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om))
            return -1;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
        return -1;
    unsigned maxd = mdays[mo - 1] + (mo == 2 && is_leap(y));
    if ((unsigned)d > maxd)
        return -1;
    if (se == 60) /* leap second: RFC 3339 allows it; epoch time cannot hold it, so :59 */
        se = 59;
    int64_t t = gl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    t -= (int64_t)sign * (oh * 3600 + om * 60);
    *out = t;
    return 0;
}

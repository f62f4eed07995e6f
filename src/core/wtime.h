/*
 * The working-time clock. Time limits in gridline are working hours: they
 * run only inside the working periods of working days. A day works when
 * its weekday does (Monday to Friday by default) unless an exception says
 * otherwise: a public holiday stops a weekday, a make-up workday (调休)
 * starts a Saturday or Sunday. Pure: the calendar is passed in, times are
 * epoch seconds, days are counted in the calendar's own zone.
 */
#ifndef GL_CORE_WTIME_H
#define GL_CORE_WTIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WT_MAX_PERIODS 4
#define WT_FOREVER INT64_MAX

struct wt_period {
    int start_min, end_min; /* minutes after local midnight, start < end */
};

struct wt_exception {
    int64_t day; /* local days since 1970-01-01 */
    bool works;
};

struct wt_calendar {
    int offset_min;                          /* the zone, minutes east of UTC */
    struct wt_period periods[WT_MAX_PERIODS]; /* ordered, not overlapping */
    size_t nperiods;
    bool weekday_works[7];                   /* 0 = Sunday ... 6 = Saturday */
    const struct wt_exception *exceptions;   /* sorted by day */
    size_t nexceptions;
};

/* Mon-Fri, 08:30-12:00 and 13:30-18:00 (8 hours), at UTC+8, no exceptions. */
void wt_default(struct wt_calendar *c);

int64_t wt_local_day(const struct wt_calendar *c, int64_t t);
bool wt_is_workday(const struct wt_calendar *c, int64_t local_day);
/* Working seconds per working day. */
int64_t wt_day_seconds(const struct wt_calendar *c);

/* The instant at which `work` working seconds have passed since `start`
 * (start itself if work <= 0). WT_FOREVER if the calendar never works. */
int64_t wt_add(const struct wt_calendar *c, int64_t start, int64_t work);
/* Working seconds between from and to (0 if to <= from). */
int64_t wt_elapsed(const struct wt_calendar *c, int64_t from, int64_t to);

/* Checks periods: each within 00:00-24:00, start < end, ordered and apart.
 * Returns NULL or a sentence saying what is wrong. */
const char *wt_periods_problem(const struct wt_period *p, size_t n);

#endif

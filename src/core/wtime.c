/*
 * Working-time arithmetic; see wtime.h. Both functions walk day by day,
 * which is cheap (a limit of 2,000 working hours spans under a year) and
 * obviously right at holiday and weekend edges.
 */
#include "core/wtime.h"

#define DAY 86400
#define SEARCH_DAYS 3700 /* give up after ten years without a working minute */

void wt_default(struct wt_calendar *c)
{
    *c = (struct wt_calendar){
        .offset_min = 480,
        .periods = {{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 18 * 60}},
        .nperiods = 2,
        .weekday_works = {false, true, true, true, true, true, false},
    };
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t wt_local_day(const struct wt_calendar *c, int64_t t)
{
    return floor_div(t + (int64_t)c->offset_min * 60, DAY);
}

bool wt_is_workday(const struct wt_calendar *c, int64_t day)
{
    size_t lo = 0, hi = c->nexceptions;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->exceptions[mid].day == day)
            return c->exceptions[mid].works;
        if (c->exceptions[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* 1970-01-01 was a Thursday (weekday 4). */
    int wd = (int)(((day % 7) + 7 + 4) % 7);
    return c->weekday_works[wd];
}

int64_t wt_day_seconds(const struct wt_calendar *c)
{
    int64_t s = 0;
    for (size_t i = 0; i < c->nperiods; i++)
        s += (int64_t)(c->periods[i].end_min - c->periods[i].start_min) * 60;
    return s;
}

/* Epoch second at which local day `day` begins. */
static int64_t day_start(const struct wt_calendar *c, int64_t day)
{
    return day * DAY - (int64_t)c->offset_min * 60;
}

int64_t wt_add(const struct wt_calendar *c, int64_t start, int64_t work)
{
    if (work <= 0)
        return start;
    if (wt_day_seconds(c) == 0)
        return WT_FOREVER;
    int64_t day = wt_local_day(c, start);
    for (int n = 0; n < SEARCH_DAYS; n++, day++) {
        if (!wt_is_workday(c, day))
            continue;
        int64_t base = day_start(c, day);
        for (size_t i = 0; i < c->nperiods; i++) {
            int64_t a = base + c->periods[i].start_min * 60, b = base + c->periods[i].end_min * 60;
            if (b <= start)
                continue;
            if (a < start)
                a = start;
            if (work <= b - a)
                return a + work;
            work -= b - a;
        }
    }
    return WT_FOREVER;
}

int64_t wt_elapsed(const struct wt_calendar *c, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    int64_t total = 0, last = wt_local_day(c, to);
    for (int64_t day = wt_local_day(c, from); day <= last; day++) {
        if (!wt_is_workday(c, day))
            continue;
        int64_t base = day_start(c, day);
        for (size_t i = 0; i < c->nperiods; i++) {
            int64_t a = base + c->periods[i].start_min * 60, b = base + c->periods[i].end_min * 60;
            if (a < from)
                a = from;
            if (b > to)
                b = to;
            if (b > a)
                total += b - a;
        }
    }
    return total;
}

const char *wt_periods_problem(const struct wt_period *p, size_t n)
{
    if (n == 0 || n > WT_MAX_PERIODS)
        return "give one to four working periods";
    for (size_t i = 0; i < n; i++) {
        if (p[i].start_min < 0 || p[i].end_min > 24 * 60 || p[i].start_min >= p[i].end_min)
            return "each period starts before it ends, within 00:00-24:00";
        if (i > 0 && p[i].start_min < p[i - 1].end_min)
            return "periods must be in order and must not overlap";
    }
    return NULL;
}

/*
 * The working-time calendar as stored: one row of working periods and
 * weekdays, and a table of exception days (holidays, make-up workdays).
 */
#include "db/db.h"
#include "core/timeutil.h"
#include "core/wtime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hours {
    char periods[256], weekdays[64];
};

static int keep_hours(void *cls, const struct db_row *r)
{
    struct hours *h = cls;
    snprintf(h->periods, sizeof h->periods, "%s", db_col_text(r, 0));
    snprintf(h->weekdays, sizeof h->weekdays, "%s", db_col_text(r, 1));
    return 1;
}

int db_calendar_hours(struct db_conn *c, char *periods, size_t plen, char *weekdays, size_t wlen)
{
    struct hours h = {"", ""};
    int rc = db_query(c, "SELECT periods, weekdays FROM calendar_settings WHERE id = 1", DB_NOARGS,
                      keep_hours, &h);
    snprintf(periods, plen, "%s", h.periods);
    snprintf(weekdays, wlen, "%s", h.weekdays);
    return rc;
}

struct days {
    struct wt_exception *ex;
    size_t n, cap;
};

static int keep_day(void *cls, const struct db_row *r)
{
    struct days *d = cls;
    int y;
    unsigned m, dd;
    if (sscanf(db_col_text(r, 0), "%d-%u-%u", &y, &m, &dd) != 3)
        return 0;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->ex = realloc(d->ex, d->cap * sizeof *d->ex);
        if (!d->ex)
            abort();
    }
    d->ex[d->n++] = (struct wt_exception){gl_days_from_civil(y, m, dd), db_col_int(r, 1) != 0};
    return 0;
}

int db_calendar_load(struct db_conn *c, struct wt_calendar *cal, int offset_min,
                     struct wt_exception **ex, int64_t from_day)
{
    char periods[256], weekdays[64];
    int rc = db_calendar_hours(c, periods, sizeof periods, weekdays, sizeof weekdays);
    if (rc < 0)
        return rc;
    wt_default(cal);
    cal->offset_min = offset_min;
    json_t *p = json_loads(periods, 0, NULL), *w = json_loads(weekdays, 0, NULL);
    if (json_is_array(p) && json_array_size(p) >= 1 && json_array_size(p) <= WT_MAX_PERIODS) {
        cal->nperiods = json_array_size(p);
        for (size_t i = 0; i < cal->nperiods; i++) {
            json_t *pair = json_array_get(p, i);
            cal->periods[i].start_min = (int)json_integer_value(json_array_get(pair, 0));
            cal->periods[i].end_min = (int)json_integer_value(json_array_get(pair, 1));
        }
    }
    if (json_is_array(w)) {
        memset(cal->weekday_works, 0, sizeof cal->weekday_works);
        size_t i;
        json_t *v;
        json_array_foreach(w, i, v) {
            json_int_t d = json_integer_value(v);
            if (d >= 0 && d < 7)
                cal->weekday_works[d] = true;
        }
    }
    json_decref(p);
    json_decref(w);
    char from[16];
    int y;
    unsigned m, d;
    gl_civil_from_days(from_day, &y, &m, &d);
    snprintf(from, sizeof from, "%04d-%02u-%02u", y, m, d);
    struct days days = {0};
    rc = db_query(c, "SELECT day, works FROM calendar_days WHERE day >= $1 ORDER BY day",
                  DB_ARGS(DB_STR(from)), keep_day, &days);
    if (rc < 0) {
        free(days.ex);
        return rc;
    }
    cal->exceptions = days.ex;
    cal->nexceptions = days.n;
    *ex = days.ex;
    return 0;
}

int db_calendar_set_hours(struct db_conn *c, const char *periods_json, const char *weekdays_json,
                          int64_t now)
{
    return db_exec(c,
                   "UPDATE calendar_settings SET periods = $1, weekdays = $2, updated_at = $3,"
                   " version = version + 1 WHERE id = 1",
                   DB_ARGS(DB_TEXT(periods_json), DB_TEXT(weekdays_json), DB_INT(now)));
}

int db_calendar_set_day(struct db_conn *c, const char *day, int works, const char *note,
                        int64_t now)
{
    return db_exec(c,
                   "INSERT INTO calendar_days (day, works, note, updated_at) VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT (day) DO UPDATE SET works = excluded.works, note = excluded.note,"
                   " updated_at = excluded.updated_at",
                   DB_ARGS(DB_TEXT(day), DB_INT(works), DB_TEXT(note ? note : ""), DB_INT(now)));
}

int db_calendar_delete_day(struct db_conn *c, const char *day)
{
    return db_exec(c, "DELETE FROM calendar_days WHERE day = $1", DB_ARGS(DB_TEXT(day)));
}

struct emit_day {
    db_day_fn fn;
    void *cls;
};

static int row_day(void *cls, const struct db_row *r)
{
    struct emit_day *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), (int)db_col_int(r, 1), db_col_text(r, 2));
}

int db_calendar_days(struct db_conn *c, const char *from, const char *to, db_day_fn fn, void *cls)
{
    struct emit_day e = {fn, cls};
    return db_query(c,
                    "SELECT day, works, note FROM calendar_days WHERE day >= $1 AND day <= $2"
                    " ORDER BY day",
                    DB_ARGS(DB_TEXT(from), DB_TEXT(to)), row_day, &e);
}

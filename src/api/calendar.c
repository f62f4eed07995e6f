/*
 * /api/v1/calendar and /api/v1/routing-rules: the working-time calendar
 * the case clocks run on, and which department takes which category where.
 * Anyone signed in reads them; admins change them (the calendar only an
 * admin without a region limit, a routing rule an admin whose scope holds
 * the rule's region). A change applies to stages that start after it;
 * running clocks keep the deadline they were given.
 */
#include "api/api.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "core/wtime.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parses "YYYY-MM-DD" strictly; returns the day number or INT64_MIN. */
static int64_t day_parse(const char *s)
{
    int y;
    unsigned m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
        s[4] != '-' || s[7] != '-')
        return INT64_MIN;
    int64_t z = gl_days_from_civil(y, m, d);
    int y2;
    unsigned m2, d2;
    gl_civil_from_days(z, &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d ? z : INT64_MIN;
}

static void day_format(int64_t z, char out[16])
{
    int y;
    unsigned m, d;
    gl_civil_from_days(z, &y, &m, &d);
    snprintf(out, 16, "%04d-%02u-%02u", y, m, d);
}

/* ---- reading ------------------------------------------------------------------ */

struct cal_view {
    struct http_req *r;
    char from[16], to[16];
    json_t *out;
};

static int add_day(void *cls, const char *day, int works, const char *note)
{
    json_array_append_new(cls, json_pack("{s:s, s:b, s:s}", "day", day, "works", works, "note",
                                         note));
    return 0;
}

static json_t *periods_text(const char *periods_json)
{
    json_t *p = json_loads(periods_json, 0, NULL), *out = json_array();
    size_t i;
    json_t *pair;
    json_array_foreach(p, i, pair) {
        int a = (int)json_integer_value(json_array_get(pair, 0)),
            b = (int)json_integer_value(json_array_get(pair, 1));
        json_array_append_new(out, json_sprintf("%02d:%02d-%02d:%02d", a / 60, a % 60, b / 60,
                                                b % 60));
    }
    json_decref(p);
    return out;
}

static int calendar_txn(struct db_conn *c, void *cls)
{
    struct cal_view *v = cls;
    char periods[256], weekdays[64];
    int rc = db_calendar_hours(c, periods, sizeof periods, weekdays, sizeof weekdays);
    if (rc < 0)
        return rc;
    json_decref(v->out);
    json_t *days = json_array();
    v->out = json_pack("{s:o, s:o, s:s, s:s, s:o}", "periods", periods_text(periods), "weekdays",
                       json_loads(weekdays, 0, NULL), "from", v->from, "to", v->to, "days", days);
    return db_calendar_days(c, v->from, v->to, add_day, days);
}

enum MHD_Result api_calendar_get(struct http_req *r)
{
    struct cal_view v = {.r = r};
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    char year[GL_TIME_BUFLEN];
    gl_time_format((int64_t)time(NULL), r->app->cfg->offset_min, year);
    snprintf(v.from, sizeof v.from, "%.4s-01-01", year);
    snprintf(v.to, sizeof v.to, "%.4s-12-31", year);
    if (from && day_parse(from) == INT64_MIN)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "from", "from must be a date YYYY-MM-DD");
    if (to && day_parse(to) == INT64_MIN)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "to", "to must be a date YYYY-MM-DD");
    if (from)
        snprintf(v.from, sizeof v.from, "%s", from);
    if (to)
        snprintf(v.to, sizeof v.to, "%s", to);
    int rc = db_run_transaction(r->app->db, DB_READ, calendar_txn, &v);
    if (rc < 0) {
        json_decref(v.out);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 200, v.out);
}

/* ---- changing ------------------------------------------------------------------- */

/* The calendar is county-wide: only an admin without a region limit. */
static int calendar_admin_or_reply(struct http_req *r)
{
    struct target everywhere = {.region = NULL};
    return http_authorize_visible_or_reply(r, ACT_CALENDAR_WRITE, &everywhere);
}

struct hours_in {
    json_t *periods, *weekdays;
};

const struct jspec api_calendar_hours_spec[] = {
    JSPEC_ARR(struct hours_in, periods, "periods", JSPEC_REQUIRED,
              "working periods of a day, e.g. [\"08:30-12:00\", \"13:30-18:00\"]"),
    JSPEC_ARR(struct hours_in, weekdays, "weekdays", JSPEC_REQUIRED,
              "working weekdays, 0 = Sunday ... 6 = Saturday, e.g. [1,2,3,4,5]"),
    JSPEC_END,
};

struct hours_ctx {
    char periods[256], weekdays[64];
};

static int hours_txn(struct db_conn *c, void *cls)
{
    struct hours_ctx *x = cls;
    return db_calendar_set_hours(c, x->periods, x->weekdays, (int64_t)time(NULL));
}

enum MHD_Result api_calendar_hours(struct http_req *r)
{
    struct hours_in in = {0};
    if (http_parse_body_or_reply(r, api_calendar_hours_spec, &in, NULL) < 0 ||
        calendar_admin_or_reply(r) < 0)
        return r->result;
    struct wt_period p[WT_MAX_PERIODS];
    size_t n = json_array_size(in.periods), i;
    json_t *v;
    if (n == 0 || n > WT_MAX_PERIODS)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "periods", "give one to four periods");
    json_array_foreach(in.periods, i, v) {
        unsigned h1, m1, h2, m2;
        char tail;
        if (!json_is_string(v) ||
            sscanf(json_string_value(v), "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
            m1 > 59 || m2 > 59)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "periods",
                                    "each period is \"HH:MM-HH:MM\", e.g. \"08:30-12:00\"");
        p[i] = (struct wt_period){(int)(h1 * 60 + m1), (int)(h2 * 60 + m2)};
    }
    const char *problem = wt_periods_problem(p, n);
    if (problem)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "periods", "%s", problem);
    bool seen[7] = {false};
    json_array_foreach(in.weekdays, i, v) {
        json_int_t d = json_integer_value(v);
        if (!json_is_integer(v) || d < 0 || d > 6 || seen[d])
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "weekdays",
                                    "weekdays are distinct numbers 0 (Sunday) to 6 (Saturday)");
        seen[d] = true;
    }
    struct hours_ctx x;
    size_t off = 0;
    off += (size_t)snprintf(x.periods + off, sizeof x.periods - off, "[");
    for (i = 0; i < n; i++)
        off += (size_t)snprintf(x.periods + off, sizeof x.periods - off, "%s[%d,%d]",
                                i ? "," : "", p[i].start_min, p[i].end_min);
    snprintf(x.periods + off, sizeof x.periods - off, "]");
    off = (size_t)snprintf(x.weekdays, sizeof x.weekdays, "[");
    for (int d = 0, k = 0; d < 7; d++)
        if (seen[d])
            off += (size_t)snprintf(x.weekdays + off, sizeof x.weekdays - off, "%s%d",
                                    k++ ? "," : "", d);
    snprintf(x.weekdays + off, sizeof x.weekdays - off, "]");
    int rc = db_run_transaction(r->app->db, DB_WRITE, hours_txn, &x);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return api_calendar_get(r);
}

struct day_in {
    bool works;
    const char *note;
};

const struct jspec api_calendar_day_spec[] = {
    JSPEC_BOOL(struct day_in, works, "works", JSPEC_REQUIRED,
               "false: a holiday; true: a make-up workday (调休)"),
    JSPEC_STR(struct day_in, note, "note", 0, 32, 0, "e.g. 国庆节, 国庆节调休上班"),
    JSPEC_END,
};

struct day_ctx {
    char day[16];
    const struct day_in *in;
    int changed;
};

static int day_txn(struct db_conn *c, void *cls)
{
    struct day_ctx *x = cls;
    if (!x->in)
        return x->changed = db_calendar_delete_day(c, x->day);
    return db_calendar_set_day(c, x->day, x->in->works, x->in->note, (int64_t)time(NULL));
}

static int day_param_or_reply(struct http_req *r, struct day_ctx *x)
{
    int64_t z = day_parse(r->params[0]);
    if (z == INT64_MIN) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "day", "the day must be a date YYYY-MM-DD");
        return -1;
    }
    day_format(z, x->day);
    return calendar_admin_or_reply(r);
}

enum MHD_Result api_calendar_day_put(struct http_req *r)
{
    struct day_in in = {0};
    struct day_ctx x = {.in = &in};
    if (http_parse_body_or_reply(r, api_calendar_day_spec, &in, NULL) < 0 ||
        day_param_or_reply(r, &x) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, day_txn, &x);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 200, json_pack("{s:s, s:b, s:s}", "day", x.day, "works", in.works,
                                             "note", in.note ? in.note : ""));
}

enum MHD_Result api_calendar_day_delete(struct http_req *r)
{
    struct day_ctx x = {0};
    if (day_param_or_reply(r, &x) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, day_txn, &x);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    if (x.changed == 0)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "%s is an ordinary day already", x.day);
    return http_reply_json(r, 204, NULL);
}

/* ---- routing rules ------------------------------------------------------------------ */

static int add_route(void *cls, const struct db_route *rt)
{
    json_array_append_new(
        cls, json_pack("{s:I, s:s, s:s, s:{s:I, s:s}, s:o, s:I}", "id", (json_int_t)rt->id,
                       "category", rt->category_code, "region_code", rt->region_code,
                       "department", "id", (json_int_t)rt->dept_id, "name", rt->dept_name,
                       "limit_hours",
                       rt->time_limit_hours ? json_integer(rt->time_limit_hours) : json_null(),
                       "version", (json_int_t)rt->version));
    return 0;
}

static int routes_txn(struct db_conn *c, void *cls)
{
    json_array_clear(cls);
    return db_routes_list(c, add_route, cls);
}

enum MHD_Result api_routes_list(struct http_req *r)
{
    json_t *items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, routes_txn, items);
    if (rc < 0) {
        json_decref(items);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

struct route_in {
    const char *category, *region_code;
    int64_t dept_id, limit_hours;
};

const struct jspec api_route_spec[] = {
    JSPEC_STR(struct route_in, category, "category", 2, 8, JSPEC_REQUIRED,
              "category code; a top-level code covers its sub-categories"),
    JSPEC_STR(struct route_in, region_code, "region_code", 12, 15, JSPEC_REQUIRED,
              "region or grid whose subtree the rule covers"),
    JSPEC_INT(struct route_in, dept_id, "dept_id", 1, INT64_MAX, JSPEC_REQUIRED,
              "the department that takes these cases"),
    JSPEC_INT(struct route_in, limit_hours, "limit_hours", 1, 2000, 0,
              "working hours to handle (default: the category's)"),
    JSPEC_END,
};

struct route_ctx {
    const struct route_in *in;
    char prefix[REGION_CODE_BUFLEN];
    int64_t category_id, id;
    struct api_fail fail;
};

static int no_row(void *cls, const struct db_department *d)
{
    (void)d;
    *(bool *)cls = true;
    return 1;
}

static int route_txn(struct db_conn *c, void *cls)
{
    struct route_ctx *x = cls;
    int rc = db_category_id(c, x->in->category, &x->category_id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "category", "no category %s",
                        x->in->category);
    bool found = false;
    rc = db_department_get(c, x->in->dept_id, no_row, &found);
    if (rc < 0)
        return rc;
    if (!found)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "dept_id", "no department %lld",
                        (long long)x->in->dept_id);
    return db_route_upsert(c, x->category_id, x->in->region_code, x->prefix, x->in->dept_id,
                           x->in->limit_hours, (int64_t)time(NULL), &x->id);
}

enum MHD_Result api_routes_put(struct http_req *r)
{
    struct route_in in = {0};
    struct route_ctx x = {.in = &in};
    if (http_parse_body_or_reply(r, api_route_spec, &in, NULL) < 0)
        return r->result;
    if (!region_prefix(in.region_code, x.prefix))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "region_code",
                                "region_code must be a 12-digit region or 15-digit grid code");
    struct target t = {.region = in.region_code};
    if (http_authorize_visible_or_reply(r, ACT_CALENDAR_WRITE, &t) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, route_txn, &x);
    if (rc < 0)
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    return http_reply_json(r, 200, json_pack("{s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)x.id,
                                             "category", in.category, "region_code",
                                             in.region_code, "dept_id", (json_int_t)in.dept_id,
                                             "limit_hours",
                                             in.limit_hours ? json_integer(in.limit_hours)
                                                            : json_null()));
}

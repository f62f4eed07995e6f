/*
 * GET /api/v1/dashboard: everything a leader's screen shows, in one
 * request and one read transaction: the window's KPIs beside the previous
 * window's (to the same point while the window runs), the department
 * league table, thirty days of trend, open cases by state, open and
 * overdue cases per grid for the map, the hotspots, and the errands and
 * participation around the cases. Each piece reads the
 * window's rows through an index (db/stats.c), so the screen's cost follows
 * the window, not the history.
 */
#include "api/api.h"
#include "api/stats.h"
#include "core/participation.h"
#include "core/region.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOTSPOT_DAYS 7
#define HOTSPOT_BASELINE_DAYS 56
#define HOTSPOTS_SHOWN 10

struct dash {
    struct http_req *r;
    struct stats_query q;
    const char *prefix; /* the area the activity counts cover */
    int64_t now, prev_from, prev_to;
    json_t *out;
};

static int add_state(void *cls, const struct db_case_counts *n)
{
    json_t *open = cls;
    json_object_set_new(json_object_get(open, "by_state"), n->state, json_integer(n->cases));
    static const char *const keys[] = {"open", "overdue", "supervised", "yellow", "red"};
    const int64_t add[] = {n->cases, n->overdue, n->supervised, n->yellow, n->red};
    for (size_t i = 0; i < 5; i++)
        json_object_set_new(open, keys[i],
                            json_integer(json_integer_value(json_object_get(open, keys[i])) + add[i]));
    return 0;
}

static int add_grid(void *cls, const struct db_place *p)
{
    json_array_append_new(cls, json_pack("{s:s, s:s, s:I, s:I}", "code", p->key, "name", p->name,
                                         "open", (json_int_t)p->count, "overdue",
                                         (json_int_t)p->baseline));
    return 0;
}

static int add_hot(void *cls, const struct db_place *p)
{
    struct hotspot h = hotspot_judge(p->count, p->baseline, HOTSPOT_DAYS, HOTSPOT_BASELINE_DAYS);
    if (h.hot)
        json_array_append_new(cls, json_pack("{s:s, s:s, s:I, s:I, s:f}", "code", p->key, "name",
                                             p->name, "count", (json_int_t)p->count, "baseline",
                                             (json_int_t)p->baseline, "score",
                                             round(h.score * 100) / 100));
    return 0;
}

static int by_hot_score(const void *a, const void *b)
{
    double p = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double q = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return (p < q) - (p > q);
}

static int add_activity(void *cls, const char *name, const char *unused, const char *label,
                        int64_t n)
{
    (void)unused, (void)label;
    json_object_set_new(cls, name, json_integer(n));
    return 0;
}

static json_t *kpi_rows(const struct kpi_table *t)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < t->n; i++)
        json_array_append_new(rows, stats_kpi_json(t->rows[i].key, t->rows[i].name, t->rows[i].n));
    return rows;
}

static int dash_txn(struct db_conn *c, void *cls)
{
    struct dash *x = cls;
    json_decref(x->out);
    x->out = json_object();
    int rc = stats_resolve(c, &x->q);
    if (rc < 0 || x->q.bad_category)
        return rc;
    struct db_stats_filter f = x->q.f;
    struct kpi_table before = {0}, depts = {0};
    /* The departments in the window (their sum is the window's total), and
     * the window before it — while the window runs, only as far into it as
     * we are into this one (this month so far against the same days of the
     * month before), so volumes compare like with like. */
    rc = stats_kpi_table(c, &f, DB_BY_DEPT, 0, &depts);
    int64_t upto = x->now > f.from && x->now < f.to ? x->now : f.to;
    x->prev_from = f.from - (f.to - f.from);
    x->prev_to = x->prev_from + (upto - f.from);
    if (rc >= 0) {
        struct db_stats_filter p = f;
        p.from = x->prev_from;
        p.to = x->prev_to;
        rc = stats_kpi_table(c, &p, DB_BY_TOTAL, 0, &before);
    }
    json_object_set_new(x->out, "kpis", stats_kpi_json("", "合计", depts.total));
    json_object_set_new(x->out, "previous", stats_kpi_json("", "上期", before.total));
    json_object_set_new(x->out, "departments", kpi_rows(&depts));
    stats_kpi_table_free(&before);
    stats_kpi_table_free(&depts);
    /* Thirty days up to today, whatever the window. */
    if (rc >= 0) {
        struct stats_query t = x->q;
        int offset_s = x->r->app->cfg->offset_min * 60;
        int64_t today = ((int64_t)time(NULL) + offset_s) / 86400;
        t.f.from = (today - 29) * 86400 - offset_s;
        t.f.to = (today + 1) * 86400 - offset_s;
        json_t *trend = NULL;
        rc = stats_trend(c, x->r, &t, IV_DAY, &trend);
        json_object_set_new(x->out, "trend", trend ? trend : json_array());
    }
    /* Open cases now: by state, and per grid for the map. */
    json_t *open = json_pack("{s:{}, s:i, s:i, s:i, s:i, s:i}", "by_state", "open", 0, "overdue",
                             0, "supervised", 0, "yellow", 0, "red", 0);
    json_object_set_new(x->out, "open", open);
    if (rc >= 0)
        rc = db_stats_open_by_state(c, &f, add_state, open);
    json_t *grids = json_array();
    json_object_set_new(x->out, "grids", grids);
    if (rc >= 0)
        rc = db_stats_open_by_grid(c, &f, add_grid, grids);
    /* Hotspots: grids whose last week stands out against their last eight. */
    json_t *hot = json_array();
    json_object_set_new(x->out, "hotspots", hot);
    if (rc >= 0) {
        struct db_stats_filter h = f;
        int64_t t = (int64_t)time(NULL) + 1;
        h.to = t;
        h.from = t - (HOTSPOT_DAYS + HOTSPOT_BASELINE_DAYS) * 86400;
        rc = db_stats_hotspots(c, &h, t - HOTSPOT_DAYS * 86400, 1, 1, false, add_hot, hot);
        size_t n = json_array_size(hot);
        json_t **v = malloc((n ? n : 1) * sizeof *v);
        for (size_t i = 0; v && i < n; i++)
            v[i] = json_incref(json_array_get(hot, i));
        if (v)
            qsort(v, n, sizeof *v, by_hot_score);
        json_array_clear(hot);
        for (size_t i = 0; v && i < n; i++) {
            if (i < HOTSPOTS_SHOWN)
                json_array_append(hot, v[i]);
            json_decref(v[i]);
        }
        free(v);
    }
    /* Errands and participation in the area. */
    json_t *act = json_object();
    json_object_set_new(x->out, "activity", act);
    if (rc >= 0)
        rc = db_stats_activity(c, x->prefix, f.from, f.to, add_activity, act);
    double cov = visit_coverage(json_integer_value(json_object_get(act, "households_visited")),
                                json_integer_value(json_object_get(act, "households")));
    json_object_set_new(act, "visit_coverage", cov < 0 ? json_null() : json_real(round(cov * 1e4) / 1e4));
    return rc;
}

enum MHD_Result api_dashboard(struct http_req *r)
{
    struct dash x = {.r = r, .now = (int64_t)time(NULL)};
    if (stats_filter_or_reply(r, &x.q) < 0)
        return r->result;
    /* The area: ?region, else the caller's widest (everything, or their first area). */
    x.prefix = x.q.f.region;
    for (size_t i = 0; !x.prefix && i < DB_MAX_SCOPES; i++)
        if (x.q.f.scopes[i] && !x.q.f.scopes[i][0])
            x.prefix = "";
    if (!x.prefix)
        x.prefix = x.q.f.scopes[0] ? x.q.f.scopes[0] : "";
    int rc = db_run_transaction(r->app->db, DB_READ, dash_txn, &x);
    if (rc < 0 || x.q.bad_category) {
        json_decref(x.out);
        return rc < 0 ? api_reply_db_error(r, rc) : stats_bad_category(r, &x.q);
    }
    json_object_set_new(x.out, "region", x.q.f.region ? json_string(http_query(r, "region"))
                                                      : json_null());
    json_object_set_new(x.out, "from", api_time(r, x.q.f.from));
    json_object_set_new(x.out, "to", api_time(r, x.q.f.to));
    json_object_set_new(x.out, "previous_from", api_time(r, x.prev_from));
    json_object_set_new(x.out, "previous_to", api_time(r, x.prev_to));
    return http_reply_json(r, 200, x.out);
}

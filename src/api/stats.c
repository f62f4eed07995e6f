/*
 * /api/v1/stats: the numbers leaders ask for (DESIGN.md "Numbers people ask
 * for"). KPIs per department, grid, region, category or channel over a
 * window (defined once in core/kpi.c), trends per day, week or month,
 * hotspots (places well above their own baseline) and recurring problems
 * (the same category at the same place again and again). Staff see the
 * cases their role and scope let them see, counted; nothing personal.
 */
#include "api/api.h"
#include "api/stats.h"
#include "core/kpi.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(DB_KPI_NCOUNTS == KC__COUNT, "storage counts what core defines");

static const char *const key_names[DB_BY__COUNT] = {
    "total", "department", "grid", "region", "category", "subcategory", "channel",
};

/* ---- the window and the cases counted ------------------------------------------------ */

int stats_filter_or_reply(struct http_req *r, struct stats_query *q)
{
    struct db_stats_filter *f = &q->f;
    int64_t linked = 0;
    if (!r->who.staff ||
        !api_visibility(r, ACT_CASE_READ, f->scopes, f->scope_depts, q->prefixes, &linked)) {
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "figures are for staff who see cases");
        return -1;
    }
    f->reporter = linked;
    if (!f->from && !f->to)
        api_month_bounds(r, (int64_t)time(NULL), &f->from, &f->to);
    if (api_region_param_or_reply(r, "region", q->region, &f->region) < 0 ||
        api_int_param_or_reply(r, "dept_id", 1, INT64_MAX, &f->dept_id) < 0 ||
        api_time_param_or_reply(r, "from", &f->from) < 0 ||
        api_time_param_or_reply(r, "to", &f->to) < 0)
        return -1;
    if (f->to <= f->from) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "to", "to must come after from");
        return -1;
    }
    q->category = http_query(r, "category");
    return 0;
}

/* Inside the read transaction: the category code to its id; 0 when it
 * replied-to-be (q->bad_category set). */
int stats_resolve(struct db_conn *c, struct stats_query *q)
{
    q->f.category_id = 0;
    q->bad_category = false;
    if (!q->category)
        return 0;
    int rc = db_category_id(c, q->category, &q->f.category_id);
    if (rc == 0)
        q->bad_category = true;
    return rc < 0 ? rc : 0;
}

enum MHD_Result stats_bad_category(struct http_req *r, const struct stats_query *q)
{
    return http_reply_error(r, GL_ERR_BAD_PARAMETER, "category", "no category %s", q->category);
}

/* ---- KPIs ------------------------------------------------------------------------------ */

static json_t *rate_json(double v) { return v < 0 ? json_null() : json_real(round(v * 1e4) / 1e4); }

json_t *stats_kpi_json(const char *key, const char *name, const int64_t n[KC__COUNT])
{
    json_t *o = json_pack("{s:s, s:s}", "key", key, "name", name);
    for (int i = 0; i < KC__COUNT; i++)
        json_object_set_new(o, kpi_counts[i].name, json_integer(n[i]));
    for (int i = 0; i < KR__COUNT; i++)
        json_object_set_new(o, kpi_rates[i].name, rate_json(kpi_rate((enum kpi_rate)i, n)));
    return o;
}

/* Rows accumulate by key: case counts and event counts arrive apart. */
static int add_kpis(void *cls, const char *key, const char *name, const int64_t n[KC__COUNT])
{
    struct kpi_table *t = cls;
    size_t i = 0;
    while (i < t->n && strcmp(t->rows[i].key, key) != 0)
        i++;
    if (i == t->n) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 32;
            struct kpi_row *rows = realloc(t->rows, cap * sizeof *rows);
            if (!rows)
                return DB_ERROR;
            t->rows = rows;
            t->cap = cap;
        }
        t->rows[t->n] = (struct kpi_row){0};
        snprintf(t->rows[t->n].key, sizeof t->rows[t->n].key, "%s", key);
        snprintf(t->rows[t->n].name, sizeof t->rows[t->n].name, "%s", name);
        t->n++;
    }
    for (int k = 0; k < KC__COUNT; k++) {
        t->rows[i].n[k] += n[k];
        t->total[k] += n[k];
    }
    return 0;
}

int stats_kpi_table(struct db_conn *c, const struct db_stats_filter *f, enum db_stats_key key,
                    int key_len, struct kpi_table *t)
{
    t->n = 0;
    memset(t->total, 0, sizeof t->total);
    return db_stats_kpis(c, f, key, key_len, KPI_RESPONSE_LIMIT_S, add_kpis, t);
}

void stats_kpi_table_free(struct kpi_table *t)
{
    free(t->rows);
    *t = (struct kpi_table){0};
}

struct kpi_ctx {
    struct stats_query q;
    enum db_stats_key key;
    int key_len;
    struct kpi_table t;
};

static int kpi_txn(struct db_conn *c, void *cls)
{
    struct kpi_ctx *x = cls;
    int rc = stats_resolve(c, &x->q);
    if (rc < 0 || x->q.bad_category)
        return rc;
    return stats_kpi_table(c, &x->q.f, x->key, x->key_len, &x->t);
}

/* The region key one level below the region asked about (towns of a
 * county, villages of a town, grids of a village). */
int stats_child_len(const char *prefix)
{
    size_t len = prefix ? strlen(prefix) : 0;
    return len == 0 ? 6 : len >= 12 ? 15 : (int)len + 3;
}

static int pct_cell(json_t *row, double v)
{
    char buf[16] = "";
    if (v >= 0)
        snprintf(buf, sizeof buf, "%.1f%%", v * 100.0);
    return json_array_append_new(row, json_string(buf));
}

enum MHD_Result api_stats_kpis(struct http_req *r)
{
    struct kpi_ctx x = {0};
    int format;
    const char *by = http_query(r, "by");
    x.key = DB_BY_TOTAL;
    for (int k = 0; by && k < DB_BY__COUNT; k++)
        if (strcmp(by, key_names[k]) == 0)
            x.key = (enum db_stats_key)k;
    if (by && strcmp(by, key_names[x.key]) != 0)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "by",
                                "by must be total, department, grid, region, category,"
                                " subcategory or channel");
    if (api_format_or_reply(r, &format) < 0 || stats_filter_or_reply(r, &x.q) < 0)
        return r->result;
    x.key_len = stats_child_len(x.q.f.region);
    int rc = db_run_transaction(r->app->db, DB_READ, kpi_txn, &x);
    if (rc < 0) {
        stats_kpi_table_free(&x.t);
        return api_reply_db_error(r, rc);
    }
    if (x.q.bad_category)
        return stats_bad_category(r, &x.q);
    json_t *items = json_array();
    for (size_t i = 0; i < x.t.n; i++) {
        const struct kpi_row *row = &x.t.rows[i];
        if (format == EXPORT_JSON) {
            json_array_append_new(items, stats_kpi_json(row->key, row->name, row->n));
            continue;
        }
        json_t *cells = json_pack("[s]", x.key == DB_BY_TOTAL ? "合计" : row->name);
        for (int k = 0; k < KC__COUNT; k++)
            json_array_append_new(cells, json_integer(row->n[k]));
        for (int k = 0; k < KR__COUNT; k++)
            pct_cell(cells, kpi_rate((enum kpi_rate)k, row->n));
        json_array_append_new(items, cells);
    }
    json_t *total = stats_kpi_json("", "合计", x.t.total);
    stats_kpi_table_free(&x.t);
    if (format != EXPORT_JSON) {
        json_decref(total);
        const char *headers[1 + KC__COUNT + KR__COUNT] = {"名称"};
        for (int k = 0; k < KC__COUNT; k++)
            headers[1 + k] = kpi_counts[k].zh;
        for (int k = 0; k < KR__COUNT; k++)
            headers[1 + KC__COUNT + k] = kpi_rates[k].zh;
        return api_reply_export(r, format, "考核指标", headers, 1 + KC__COUNT + KR__COUNT, items,
                                "kpis");
    }
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "by", key_names[x.key],
                                     "region", x.q.f.region ? json_string(http_query(r, "region"))
                                                            : json_null(),
                                     "from", api_time(r, x.q.f.from), "to", api_time(r, x.q.f.to),
                                     "total", total, "items", items));
}

/* ---- trends ---------------------------------------------------------------------------- */


static const char *const series[] = {"received", "closed_on_time", "closed_late", "overdue"};
#define NSERIES 4

/* The bucket start (a local day number) holding local day d. */
static int64_t bucket_of(enum interval iv, int64_t d)
{
    if (iv == IV_DAY)
        return d;
    if (iv == IV_WEEK)
        return d - ((d + 3) % 7 + 7) % 7; /* 1970-01-05 was a Monday */
    int y;
    unsigned m, day;
    gl_civil_from_days(d, &y, &m, &day);
    return gl_days_from_civil(y, m, 1);
}

static int64_t bucket_next(enum interval iv, int64_t b)
{
    if (iv == IV_DAY)
        return b + 1;
    if (iv == IV_WEEK)
        return b + 7;
    int y;
    unsigned m, d;
    gl_civil_from_days(b, &y, &m, &d);
    return gl_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
}

struct trend_ctx {
    enum interval iv;
    int64_t nb;
    int64_t (*counts)[NSERIES];
    int64_t *starts;
};

static int add_day(void *cls, int64_t day, const char *name, int64_t n)
{
    struct trend_ctx *x = cls;
    int64_t b = bucket_of(x->iv, day);
    size_t i = 0;
    while (i < (size_t)x->nb && x->starts[i] != b)
        i++;
    for (int s = 0; i < (size_t)x->nb && s < NSERIES; s++)
        if (strcmp(series[s], name) == 0)
            x->counts[i][s] += n;
    return 0;
}

#define TREND_MAX_BUCKETS 400

/* The whole buckets the window touches: from the one holding `from` to the
 * one holding to - 1. Returns how many (more than TREND_MAX_BUCKETS: too
 * many), filling starts when not NULL. */
static int64_t trend_buckets(enum interval iv, int64_t from, int64_t to, int offset_s,
                             int64_t *starts)
{
    int64_t end = bucket_of(iv, (to - 1 + offset_s) / 86400), n = 0;
    for (int64_t b = bucket_of(iv, (from + offset_s) / 86400);
         b <= end && n <= TREND_MAX_BUCKETS; b = bucket_next(iv, b), n++)
        if (starts && n < TREND_MAX_BUCKETS)
            starts[n] = b;
    return n;
}

int stats_trend(struct db_conn *c, const struct http_req *r, const struct stats_query *q,
                int interval, json_t **items)
{
    int offset_s = r->app->cfg->offset_min * 60;
    struct trend_ctx x = {.iv = (enum interval)interval};
    x.starts = calloc(TREND_MAX_BUCKETS, sizeof *x.starts);
    x.nb = trend_buckets(x.iv, q->f.from, q->f.to, offset_s, x.starts);
    if (x.nb > TREND_MAX_BUCKETS)
        x.nb = TREND_MAX_BUCKETS;
    x.counts = calloc((size_t)x.nb + 1, sizeof *x.counts);
    if (!x.starts || !x.counts) {
        free(x.starts), free(x.counts);
        return DB_ERROR;
    }
    int rc = db_stats_daily(c, &q->f, offset_s, add_day, &x);
    *items = json_array();
    for (int64_t i = 0; rc >= 0 && i < x.nb; i++) {
        int y;
        unsigned m, d;
        gl_civil_from_days(x.starts[i], &y, &m, &d);
        char label[16];
        if (x.iv == IV_MONTH)
            snprintf(label, sizeof label, "%04d-%02u", y, m);
        else
            snprintf(label, sizeof label, "%04d-%02u-%02u", y, m, d);
        json_t *it = json_pack("{s:s, s:o}", "label", label, "start",
                               api_time(r, x.starts[i] * 86400 - offset_s));
        for (int k = 0; k < NSERIES; k++)
            json_object_set_new(it, series[k], json_integer(x.counts[i][k]));
        json_object_set_new(it, "closed", json_integer(x.counts[i][1] + x.counts[i][2]));
        json_array_append_new(*items, it);
    }
    free(x.counts);
    free(x.starts);
    return rc;
}

struct trend_req {
    const struct http_req *r;
    struct stats_query q;
    enum interval iv;
    json_t *items;
};

static int trend_txn(struct db_conn *c, void *cls)
{
    struct trend_req *x = cls;
    json_decref(x->items);
    x->items = NULL;
    int rc = stats_resolve(c, &x->q);
    if (rc < 0 || x->q.bad_category)
        return rc;
    return stats_trend(c, x->r, &x->q, x->iv, &x->items);
}

enum MHD_Result api_stats_trends(struct http_req *r)
{
    struct trend_req x = {.r = r};
    int offset_s = r->app->cfg->offset_min * 60;
    const char *iv = http_query(r, "interval");
    x.iv = !iv || strcmp(iv, "day") == 0 ? IV_DAY : strcmp(iv, "week") == 0 ? IV_WEEK
                                                 : strcmp(iv, "month") == 0 ? IV_MONTH
                                                                            : (enum interval)-1;
    if ((int)x.iv < 0)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "interval",
                                "interval must be day, week or month");
    /* Default: the last 30 days, 12 weeks or 12 months, this one included. */
    int64_t today = ((int64_t)time(NULL) + offset_s) / 86400;
    int64_t last = bucket_of(x.iv, today), first = last;
    for (int i = 1; i < (x.iv == IV_DAY ? 30 : 12); i++)
        first = bucket_of(x.iv, first - 1);
    x.q.f.from = first * 86400 - offset_s;
    x.q.f.to = bucket_next(x.iv, last) * 86400 - offset_s;
    if (stats_filter_or_reply(r, &x.q) < 0)
        return r->result;
    if (trend_buckets(x.iv, x.q.f.from, x.q.f.to, offset_s, NULL) > TREND_MAX_BUCKETS)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "from",
                                "at most %d buckets: take a longer interval or a shorter window",
                                TREND_MAX_BUCKETS);
    int rc = db_run_transaction(r->app->db, DB_READ, trend_txn, &x);
    if (rc < 0 || x.q.bad_category) {
        json_decref(x.items);
        return rc < 0 ? api_reply_db_error(r, rc) : stats_bad_category(r, &x.q);
    }
    static const char *const names[] = {"day", "week", "month"};
    return http_reply_json(r, 200, json_pack("{s:s, s:o, s:o, s:o}", "interval", names[x.iv],
                                             "from", api_time(r, x.q.f.from), "to",
                                             api_time(r, x.q.f.to), "items", x.items));
}

/* ---- hotspots and recurring problems ------------------------------------------------------ */

#define CELL_METRES 50.0
#define LAT0 36.7 /* the latitude cells are sized at; a county spans little of it */

struct place_ctx {
    struct http_req *r;
    struct stats_query q;
    bool cells, all;
    int64_t window_from, min_count;
    int window_days, baseline_days;
    double dlat, dlng;
    json_t *items;
};

static json_t *place_json(const struct place_ctx *x, const struct db_place *p)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "kind", x->cells ? "cell" : "grid", "key",
                          p->key, "grid_name", p->name ? p->name : "", "count",
                          (json_int_t)p->count);
    if (x->cells)
        json_object_set_new(o, "center", json_pack("{s:f, s:f}", "lat",
                                                   round(p->lat * 1e6) / 1e6, "lng",
                                                   round(p->lng * 1e6) / 1e6));
    return o;
}

static int add_hotspot(void *cls, const struct db_place *p)
{
    struct place_ctx *x = cls;
    struct hotspot h = hotspot_judge(p->count, p->baseline, x->window_days, x->baseline_days);
    if (!h.hot && !x->all)
        return 0;
    json_t *o = place_json(x, p);
    json_object_update_new(o, json_pack("{s:I, s:f, s:f, s:b}", "baseline",
                                        (json_int_t)p->baseline, "expected",
                                        round(h.expected * 100) / 100, "score",
                                        round(h.score * 100) / 100, "hot", h.hot));
    json_array_append_new(x->items, o);
    return 0;
}

static int add_recurring(void *cls, const struct db_place *p)
{
    struct place_ctx *x = cls;
    json_t *o = place_json(x, p);
    json_object_update_new(o, json_pack("{s:{s:s, s:s}, s:{s:I, s:s}}", "category", "code",
                                        p->category_code, "name", p->category_name, "latest",
                                        "id", (json_int_t)p->latest_id, "code",
                                        p->latest_code ? p->latest_code : ""));
    json_array_append_new(x->items, o);
    return 0;
}

static int by_score(const void *a, const void *b)
{
    double p = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double q = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return (p < q) - (p > q);
}

static int hotspot_txn(struct db_conn *c, void *cls)
{
    struct place_ctx *x = cls;
    json_array_clear(x->items);
    int rc = stats_resolve(c, &x->q);
    if (rc < 0 || x->q.bad_category)
        return rc;
    return db_stats_hotspots(c, &x->q.f, x->window_from, x->dlat, x->dlng, x->cells, add_hotspot,
                             x);
}

static int recurring_txn(struct db_conn *c, void *cls)
{
    struct place_ctx *x = cls;
    json_array_clear(x->items);
    int rc = stats_resolve(c, &x->q);
    if (rc < 0 || x->q.bad_category)
        return rc;
    return db_stats_recurring(c, &x->q.f, x->min_count, x->dlat, x->dlng, x->cells, add_recurring,
                              x);
}

/* ?by=grid|cell, ?days (the window, ending now), the shared filters. */
static int place_params_or_reply(struct http_req *r, struct place_ctx *x, int64_t days_default,
                                 int64_t days_max)
{
    const char *by = http_query(r, "by");
    if (by && strcmp(by, "grid") && strcmp(by, "cell"))
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "by", "by must be grid or cell"), -1;
    x->cells = by && strcmp(by, "cell") == 0;
    int64_t days = days_default, all = 0;
    if (api_int_param_or_reply(r, "days", 1, days_max, &days) < 0 ||
        api_int_param_or_reply(r, "all", 0, 1, &all) < 0)
        return -1;
    x->all = all;
    x->window_days = (int)days;
    kpi_cell_size(LAT0, CELL_METRES, &x->dlat, &x->dlng);
    int64_t now = (int64_t)time(NULL);
    x->q.f.to = now + 1;
    x->window_from = now + 1 - days * 86400;
    return 0;
}

enum MHD_Result api_stats_hotspots(struct http_req *r)
{
    struct place_ctx x = {.r = r};
    int64_t baseline_days = 56;
    if (place_params_or_reply(r, &x, 7, 90) < 0 ||
        api_int_param_or_reply(r, "baseline_days", 7, 365, &baseline_days) < 0)
        return r->result;
    x.baseline_days = (int)baseline_days;
    x.q.f.from = x.window_from - baseline_days * 86400;
    if (http_query(r, "from") || http_query(r, "to"))
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, http_query(r, "from") ? "from" : "to",
                                "hotspots look at the last ?days against the ?baseline_days"
                                " before them");
    if (stats_filter_or_reply(r, &x.q) < 0)
        return r->result;
    x.items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, hotspot_txn, &x);
    if (rc < 0 || x.q.bad_category) {
        json_decref(x.items);
        return rc < 0 ? api_reply_db_error(r, rc) : stats_bad_category(r, &x.q);
    }
    /* Highest score first. */
    size_t n = json_array_size(x.items);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = json_incref(json_array_get(x.items, i));
    if (v)
        qsort(v, n, sizeof *v, by_score);
    json_array_clear(x.items);
    for (size_t i = 0; v && i < n; i++)
        json_array_append_new(x.items, v[i]);
    free(v);
    return http_reply_json(
        r, 200,
        json_pack("{s:s, s:i, s:i, s:o, s:{s:i, s:f}, s:o}", "by", x.cells ? "cell" : "grid",
                  "days", x.window_days, "baseline_days", x.baseline_days, "window_from",
                  api_time(r, x.window_from), "rule", "min_count", HOTSPOT_MIN_COUNT, "min_score",
                  HOTSPOT_MIN_SCORE, "items", x.items));
}

enum MHD_Result api_stats_recurring(struct http_req *r)
{
    struct place_ctx x = {.r = r, .min_count = 3};
    if (place_params_or_reply(r, &x, 90, 365) < 0 ||
        api_int_param_or_reply(r, "min", 2, 1000, &x.min_count) < 0)
        return r->result;
    x.q.f.from = x.window_from;
    if (http_query(r, "from") || http_query(r, "to"))
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, http_query(r, "from") ? "from" : "to",
                                "recurring problems look at the last ?days");
    if (stats_filter_or_reply(r, &x.q) < 0)
        return r->result;
    x.items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, recurring_txn, &x);
    if (rc < 0 || x.q.bad_category) {
        json_decref(x.items);
        return rc < 0 ? api_reply_db_error(r, rc) : stats_bad_category(r, &x.q);
    }
    return http_reply_json(r, 200, json_pack("{s:s, s:i, s:I, s:o}", "by",
                                             x.cells ? "cell" : "grid", "days", x.window_days,
                                             "min", (json_int_t)x.min_count, "items", x.items));
}

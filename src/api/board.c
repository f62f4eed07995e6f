/*
 * GET /api/v1/public/board: what anyone may see without signing in (晒一晒,
 * the seeds' "show it in public"): closed cases with their category, grid,
 * department, days taken, whether on time and the resident's rating, and
 * each department's monthly figures. Nothing personal: no description,
 * reporter, phone, address or exact location.
 */
#include "api/api.h"
#include "api/stats.h"
#include "core/casefsm.h"
#include "core/timeutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BOARD_DEFAULT 20
#define BOARD_MAX 100
#define BOARD_MONTHS 6

struct board_ctx {
    struct http_req *r;
    int64_t before_closed, before_id, limit, last_closed, last_id;
    json_t *items, *months;
};

static const char *rating_zh(const char *rating)
{
    int r = case_rating_parse(rating);
    static const char *const zh[] = {"满意", "基本满意", "不满意"};
    return r >= 0 && r < 3 ? zh[r] : NULL;
}

static int add_closed(void *cls, const struct db_board_case *b)
{
    struct board_ctx *x = cls;
    char day[GL_TIME_BUFLEN];
    gl_time_format(b->closed_at, x->r->app->cfg->offset_min, day);
    day[10] = '\0';
    const char *zh = rating_zh(b->rating);
    json_array_append_new(
        x->items,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:o, s:o}", "code", b->code,
                  "category", b->category_name, "village", b->village_name, "grid", b->grid_name,
                  "dept", b->dept_name, "closed_on", day, "days_taken",
                  round((double)(b->closed_at - b->created_at) / 8640.0) / 10.0, "on_time",
                  b->on_time, "rating", b->rating ? json_string(b->rating) : json_null(),
                  "rating_zh", zh ? json_string(zh) : json_null()));
    x->last_closed = b->closed_at;
    x->last_id = b->id;
    return 0;
}

/* Each department's figures for the last BOARD_MONTHS local months. */
static int months_txn(struct db_conn *c, struct board_ctx *x)
{
    struct stats_query q = {.f = {.scopes = {""}}};
    int64_t from, to, t = (int64_t)time(NULL);
    int rc = 0;
    for (int m = 0; rc >= 0 && m < BOARD_MONTHS; m++) {
        api_month_bounds(x->r, t, &from, &to);
        q.f.from = from;
        q.f.to = to;
        struct kpi_table table = {0};
        rc = stats_kpi_table(c, &q.f, DB_BY_DEPT, 0, &table);
        json_t *depts = json_array();
        for (size_t i = 0; rc >= 0 && i < table.n; i++) {
            json_t *row = stats_kpi_json(table.rows[i].key, table.rows[i].name, table.rows[i].n);
            /* Public figures: the headline counts and rates only. */
            json_array_append_new(
                depts, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "dept", json_object_get(row, "name"),
                                 "received", json_object_get(row, "received"), "closed",
                                 json_object_get(row, "closed"), "on_time_rate",
                                 json_object_get(row, "on_time_rate"), "solve_rate",
                                 json_object_get(row, "solve_rate"), "satisfaction",
                                 json_object_get(row, "satisfaction")));
            json_decref(row);
        }
        stats_kpi_table_free(&table);
        char month[GL_TIME_BUFLEN];
        gl_time_format(from, x->r->app->cfg->offset_min, month);
        month[7] = '\0';
        json_array_append_new(x->months, json_pack("{s:s, s:o}", "month", month, "departments", depts));
        t = from - 1;
    }
    return rc;
}

static int board_txn(struct db_conn *c, void *cls)
{
    struct board_ctx *x = cls;
    json_array_clear(x->items);
    json_array_clear(x->months);
    int rc = db_stats_board(c, x->before_closed, x->before_id, x->limit, add_closed, x);
    return rc < 0 ? rc : months_txn(c, x);
}

/* The board is the same for everyone: answers are kept for a minute per
 * (cursor, limit), so a crowd reloading it costs one computation. */
#define CACHE_SECONDS 60
#define CACHE_SLOTS 8
static struct {
    char key[64];
    int64_t at;
    char *body;
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
/* One computation at a time: a crowd arriving together waits for the
 * first answer instead of computing it once each. */
static pthread_mutex_t compute_mu = PTHREAD_MUTEX_INITIALIZER;

static char *cache_get(const char *key, int64_t now)
{
    char *hit = NULL;
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS && !hit; i++)
        if (cache[i].body && strcmp(cache[i].key, key) == 0 && now - cache[i].at < CACHE_SECONDS)
            hit = strdup(cache[i].body);
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

/* Keeps body under key: in its own slot when it has one, else the oldest. */
static void cache_put(const char *key, int64_t now, const char *body)
{
    pthread_mutex_lock(&cache_mu);
    int slot = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (strcmp(cache[i].key, key) == 0) {
            slot = i;
            break;
        }
        if (cache[i].at < cache[slot].at)
            slot = i;
    }
    free(cache[slot].body);
    snprintf(cache[slot].key, sizeof cache[slot].key, "%s", key);
    cache[slot].at = now;
    cache[slot].body = strdup(body);
    pthread_mutex_unlock(&cache_mu);
}

enum MHD_Result api_public_board(struct http_req *r)
{
    struct board_ctx x = {.r = r, .limit = BOARD_DEFAULT, .before_closed = INT64_MAX,
                          .before_id = INT64_MAX};
    const char *cursor = http_query(r, "cursor");
    if (cursor) {
        long long closed, id;
        char tail;
        if (sscanf(cursor, "%lld.%lld%c", &closed, &id, &tail) != 2 || closed < 0 || id < 0)
            return http_reply_error(r, GL_ERR_BAD_PARAMETER, "cursor",
                                    "cursor must be a next_cursor this endpoint gave");
        x.before_closed = closed;
        x.before_id = id;
    }
    if (api_int_param_or_reply(r, "limit", 1, BOARD_MAX, &x.limit) < 0)
        return r->result;
    char key[64];
    int64_t now = (int64_t)time(NULL);
    snprintf(key, sizeof key, "%lld.%lld/%lld", (long long)x.before_closed,
             (long long)x.before_id, (long long)x.limit);
    char *hit = cache_get(key, now);
    if (hit)
        return http_reply_owned(r, 200, "application/json", hit, strlen(hit), "no-store");
    pthread_mutex_lock(&compute_mu);
    hit = cache_get(key, now); /* computed while this one waited? */
    if (hit) {
        pthread_mutex_unlock(&compute_mu);
        return http_reply_owned(r, 200, "application/json", hit, strlen(hit), "no-store");
    }
    x.items = json_array();
    x.months = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, board_txn, &x);
    if (rc < 0) {
        pthread_mutex_unlock(&compute_mu);
        json_decref(x.items);
        json_decref(x.months);
        return api_reply_db_error(r, rc);
    }
    json_t *next = (int64_t)json_array_size(x.items) == x.limit
                       ? json_sprintf("%lld.%lld", (long long)x.last_closed, (long long)x.last_id)
                       : json_null();
    json_t *out = json_pack("{s:o, s:o, s:o}", "items", x.items, "next_cursor", next, "months",
                            x.months);
    char *text = json_dumps(out, JSON_COMPACT);
    if (text) {
        cache_put(key, now, text);
        free(text);
    }
    pthread_mutex_unlock(&compute_mu);
    return http_reply_json(r, 200, out);
}

/*
 * What the statistics endpoints share (api/stats.c, api/dashboard.c,
 * api/board.c): the window and visibility of the cases counted, and KPI
 * tables keyed by department, grid, region, category or channel. Private
 * to api/.
 */
#ifndef GL_API_STATS_H
#define GL_API_STATS_H
#include "api/api.h"
#include "core/kpi.h"

struct stats_query {
    struct db_stats_filter f;
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN];
    char region[REGION_CODE_BUFLEN];
    const char *category; /* ?category code, resolved in the transaction */
    bool bad_category;
};
/* Reads ?region, ?dept_id, ?category, ?from, ?to (default: the window
 * already in q->f, else this month) and the caller's visibility; staff
 * only. -1 when it replied. */
int stats_filter_or_reply(struct http_req *r, struct stats_query *q);
/* Inside the transaction: resolves ?category (sets bad_category). */
int stats_resolve(struct db_conn *c, struct stats_query *q);
enum MHD_Result stats_bad_category(struct http_req *r, const struct stats_query *q);
/* The region key length one level below prefix (6 for everything). */
int stats_child_len(const char *prefix);

struct kpi_row {
    char key[40], name[160];
    int64_t n[KC__COUNT];
};
struct kpi_table {
    struct kpi_row *rows;
    size_t n, cap;
    int64_t total[KC__COUNT];
};
/* Fills t with the KPI counts per key (and their sum in total). */
int stats_kpi_table(struct db_conn *c, const struct db_stats_filter *f, enum db_stats_key key,
                    int key_len, struct kpi_table *t);
void stats_kpi_table_free(struct kpi_table *t);
/* Inside a read transaction: per bucket of the window (whole days, weeks
 * from Monday, or months, local time) the cases received, closed on time,
 * closed late and gone overdue; *items gets the array. */
enum interval { IV_DAY, IV_WEEK, IV_MONTH };
int stats_trend(struct db_conn *c, const struct http_req *r, const struct stats_query *q,
                int interval, json_t **items);
/* {key, name, <every count>, <every rate or null>} */
json_t *stats_kpi_json(const char *key, const char *name, const int64_t n[KC__COUNT]);

#endif

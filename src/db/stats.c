/*
 * Queries for the numbers: KPI counts per department, grid, region,
 * category or channel over a window; daily series for trends; counts per
 * place for hotspots and recurring problems; open and overdue cases per
 * grid for the map; the public board. Every count reads the window's cases
 * through the index on the instant it counts (created, accepted,
 * dispatched, closed, rated, overdue), never the whole table.
 */
#include "db/driver.h"

/* ---- the shared filter: $1 from, $2 to, $3..$11 visibility, $12..$14 narrowing ---- */

#define STATS_FROM                                                                            \
    " FROM cases k JOIN categories cat ON cat.id = k.category_id"                            \
    " LEFT JOIN categories top ON top.id = cat.parent_id"                                    \
    " JOIN grids g ON g.code = k.grid_code LEFT JOIN departments d ON d.id = k.dept_id"

#define STATS_SCOPE                                                                           \
    " AND ((substr(k.grid_code, 1, length($3)) = $3 AND ($4 = 0 OR k.dept_id = $4))"          \
    "  OR (substr(k.grid_code, 1, length($5)) = $5 AND ($6 = 0 OR k.dept_id = $6))"           \
    "  OR (substr(k.grid_code, 1, length($7)) = $7 AND ($8 = 0 OR k.dept_id = $8))"           \
    "  OR (substr(k.grid_code, 1, length($9)) = $9 AND ($10 = 0 OR k.dept_id = $10))"         \
    "  OR k.reporter_user_id = $11)"                                                          \
    " AND ($12 IS NULL OR substr(k.grid_code, 1, length($12)) = $12)"                         \
    " AND ($13 = 0 OR k.dept_id = $13)"                                                       \
    " AND ($14 = 0 OR k.category_id = $14 OR cat.parent_id = $14)"

#define STATS_ARGS(f)                                                                          \
    DB_INT((f)->from), DB_INT((f)->to), DB_TEXT((f)->scopes[0]), DB_INT((f)->scope_depts[0]),  \
        DB_TEXT((f)->scopes[1]), DB_INT((f)->scope_depts[1]), DB_TEXT((f)->scopes[2]),          \
        DB_INT((f)->scope_depts[2]), DB_TEXT((f)->scopes[3]), DB_INT((f)->scope_depts[3]),      \
        DB_INT((f)->reporter), DB_TEXT((f)->region), DB_INT((f)->dept_id),                      \
        DB_INT((f)->category_id)

#define IN_WINDOW(col) "(" col " >= $1 AND " col " < $2)"
#define CLOSED_IN_WINDOW "(" IN_WINDOW("k.closed_at") " AND k.state = 'closed')"

/* The counts, in the order of enum kpi_count (core/kpi.h); $16 is the
 * response limit. */
#define KPI_COUNTS                                                                            \
    "count(CASE WHEN " IN_WINDOW("k.created_at") " THEN 1 END),"                              \
    " count(CASE WHEN " IN_WINDOW("k.accepted_at") " THEN 1 END),"                            \
    " count(CASE WHEN " IN_WINDOW("k.dispatched_at") " THEN 1 END),"                          \
    " count(CASE WHEN " IN_WINDOW("k.dispatched_at") " AND k.response_s <= $16 THEN 1 END),"  \
    " count(CASE WHEN " CLOSED_IN_WINDOW " THEN 1 END),"                                      \
    " count(CASE WHEN " CLOSED_IN_WINDOW                                                      \
    "  AND (k.overdue_at IS NULL OR k.overdue_at >= k.closed_at) THEN 1 END),"                \
    " count(CASE WHEN " CLOSED_IN_WINDOW " OR (" IN_WINDOW("k.overdue_at")                     \
    "  AND k.state NOT IN ('closed', 'rejected', 'merged')) OR (" IN_WINDOW("k.overdue_at")    \
    "  AND k.state = 'closed' AND k.closed_at >= $2) THEN 1 END),"                            \
    " count(CASE WHEN " CLOSED_IN_WINDOW " AND coalesce(k.rating, '') <> 'dissatisfied'"      \
    "  THEN 1 END),"                                                                          \
    " count(CASE WHEN " IN_WINDOW("k.rated_at") " THEN 1 END),"                               \
    " count(CASE WHEN " IN_WINDOW("k.rated_at") " AND k.rating = 'satisfied' THEN 1 END),"    \
    " count(CASE WHEN " IN_WINDOW("k.rated_at") " AND k.rating = 'basically_satisfied'"       \
    "  THEN 1 END),"                                                                          \
    " count(CASE WHEN " IN_WINDOW("k.rated_at") " AND k.rating = 'dissatisfied' THEN 1 END)," \
    " count(CASE WHEN " CLOSED_IN_WINDOW " AND k.rework_count > 0 THEN 1 END)"

/* A case takes part when any instant it is counted by lies in the window. */
#define KPI_TOUCHED                                                                           \
    " WHERE (" IN_WINDOW("k.created_at") " OR " IN_WINDOW("k.accepted_at") " OR "             \
    IN_WINDOW("k.dispatched_at") " OR " IN_WINDOW("k.closed_at") " OR "                       \
    IN_WINDOW("k.rated_at") " OR " IN_WINDOW("k.overdue_at") ")"

/* Group keys: (key, name) per kind; $15 is the region key's length. */
#define KEY_TOTAL "'', ''"
#define KEY_DEPT "CAST(coalesce(k.dept_id, 0) AS TEXT), coalesce(d.name, '未派遣')"
#define KEY_GRID "k.grid_code, g.name"
#define KEY_REGION                                                                            \
    "substr(k.grid_code, 1, $15), coalesce(CASE WHEN $15 = 15 THEN g.name END,"               \
    " (SELECT rr.name FROM regions rr WHERE rr.code ="                                        \
    "  substr(substr(k.grid_code, 1, $15) || '000000000000', 1, 12)))"
#define KEY_CATEGORY "coalesce(top.code, cat.code), coalesce(top.name_zh, cat.name_zh)"
#define KEY_SUBCATEGORY "cat.code, cat.name_zh"
#define KEY_CHANNEL "k.channel, k.channel"

#define KPI_SQL(KEY)                                                                          \
    "SELECT " KEY ", " KPI_COUNTS STATS_FROM KPI_TOUCHED STATS_SCOPE " AND $15 >= 0"          \
    " GROUP BY 1 ORDER BY 1"
#define EVENTS_SQL(KEY)                                                                       \
    "SELECT " KEY ", count(CASE WHEN e.action = 'escalate' THEN 1 END),"                      \
    " count(CASE WHEN e.action = 'supervise' THEN 1 END) FROM case_events e"                  \
    " JOIN cases k ON k.id = e.case_id JOIN categories cat ON cat.id = k.category_id"         \
    " LEFT JOIN categories top ON top.id = cat.parent_id"                                     \
    " JOIN grids g ON g.code = k.grid_code LEFT JOIN departments d ON d.id = k.dept_id"       \
    " WHERE e.action IN ('escalate', 'supervise') AND " IN_WINDOW("e.at")                     \
    STATS_SCOPE " AND $15 >= 0 AND $16 >= 0 GROUP BY 1 ORDER BY 1"

static const char *const kpi_sql[DB_BY__COUNT] = {
    [DB_BY_TOTAL] = KPI_SQL(KEY_TOTAL),       [DB_BY_DEPT] = KPI_SQL(KEY_DEPT),
    [DB_BY_GRID] = KPI_SQL(KEY_GRID),         [DB_BY_REGION] = KPI_SQL(KEY_REGION),
    [DB_BY_CATEGORY] = KPI_SQL(KEY_CATEGORY), [DB_BY_SUBCATEGORY] = KPI_SQL(KEY_SUBCATEGORY),
    [DB_BY_CHANNEL] = KPI_SQL(KEY_CHANNEL),
};
static const char *const events_sql[DB_BY__COUNT] = {
    [DB_BY_TOTAL] = EVENTS_SQL(KEY_TOTAL),       [DB_BY_DEPT] = EVENTS_SQL(KEY_DEPT),
    [DB_BY_GRID] = EVENTS_SQL(KEY_GRID),         [DB_BY_REGION] = EVENTS_SQL(KEY_REGION),
    [DB_BY_CATEGORY] = EVENTS_SQL(KEY_CATEGORY), [DB_BY_SUBCATEGORY] = EVENTS_SQL(KEY_SUBCATEGORY),
    [DB_BY_CHANNEL] = EVENTS_SQL(KEY_CHANNEL),
};

struct emit_kpi {
    db_kpi_fn fn;
    void *cls;
    bool events;
};

static int row_kpi(void *cls, const struct db_row *r)
{
    struct emit_kpi *e = cls;
    int64_t n[DB_KPI_NCOUNTS] = {0};
    if (e->events) {
        n[DB_KPI_NCOUNTS - 2] = db_col_int(r, 2);
        n[DB_KPI_NCOUNTS - 1] = db_col_int(r, 3);
    } else {
        for (int i = 0; i < DB_KPI_NCOUNTS - 2; i++)
            n[i] = db_col_int(r, 2 + i);
    }
    const char *name = db_col_text(r, 1);
    return e->fn(e->cls, db_col_text(r, 0), name ? name : "", n);
}

int db_stats_kpis(struct db_conn *c, const struct db_stats_filter *f, enum db_stats_key key,
                  int key_len, int64_t response_limit, db_kpi_fn fn, void *cls)
{
    struct emit_kpi e = {fn, cls, false};
    if (key < 0 || key >= DB_BY__COUNT)
        return DB_ERROR;
    int rc = db_query(c, kpi_sql[key], DB_ARGS(STATS_ARGS(f), DB_INT(key_len),
                                                DB_INT(response_limit)),
                      row_kpi, &e);
    if (rc < 0)
        return rc;
    e.events = true;
    return db_query(c, events_sql[key], DB_ARGS(STATS_ARGS(f), DB_INT(key_len),
                                                  DB_INT(response_limit)),
                    row_kpi, &e);
}

/* ---- daily series ---------------------------------------------------------------------- */

struct emit_day {
    db_day_count_fn fn;
    void *cls;
};

static int row_day(void *cls, const struct db_row *r)
{
    struct emit_day *e = cls;
    return e->fn(e->cls, db_col_int(r, 0), db_col_text(r, 1), db_col_int(r, 2));
}

int db_stats_daily(struct db_conn *c, const struct db_stats_filter *f, int offset_s,
                   db_day_count_fn fn, void *cls)
{
    struct emit_day e = {fn, cls};
    return db_query(
        c,
        "SELECT day, series, count(*) FROM ("
        " SELECT (k.created_at + $15) / 86400 AS day, 'received' AS series" STATS_FROM
        "  WHERE " IN_WINDOW("k.created_at") STATS_SCOPE
        " UNION ALL SELECT (k.closed_at + $15) / 86400, CASE WHEN k.overdue_at IS NULL"
        "  OR k.overdue_at >= k.closed_at THEN 'closed_on_time' ELSE 'closed_late' END"
        STATS_FROM " WHERE " CLOSED_IN_WINDOW STATS_SCOPE
        " UNION ALL SELECT (k.overdue_at + $15) / 86400, 'overdue'" STATS_FROM
        "  WHERE " IN_WINDOW("k.overdue_at") STATS_SCOPE
        ") GROUP BY day, series ORDER BY day",
        DB_ARGS(STATS_ARGS(f), DB_INT(offset_s)), row_day, &e);
}

/* ---- places: hotspots and recurring problems ------------------------------------------- */

struct emit_place {
    db_place_fn fn;
    void *cls;
};

static int row_place(void *cls, const struct db_row *r)
{
    struct emit_place *e = cls;
    struct db_place p = {
        .key = db_col_text(r, 0), .name = db_col_text(r, 1), .count = db_col_int(r, 2),
        .baseline = db_col_int(r, 3), .lat = db_col_double(r, 4), .lng = db_col_double(r, 5),
        .category_code = db_col_text(r, 6), .category_name = db_col_text(r, 7),
        .latest_id = db_col_int(r, 8), .latest_code = db_col_text(r, 9),
    };
    return e->fn(e->cls, &p);
}

/* $15 start of the window (the baseline is $1..$15), $16 and $17 the cell size. */
#define PLACE_COUNTS                                                                          \
    " count(CASE WHEN k.created_at >= $15 THEN 1 END), count(CASE WHEN k.created_at < $15"    \
    " THEN 1 END), avg(k.lat), avg(k.lng)"
#define CELL_KEY                                                                              \
    "CAST(CAST(k.lat / $16 AS INTEGER) AS TEXT) || ':' || CAST(CAST(k.lng / $17 AS INTEGER) AS TEXT)"

int db_stats_hotspots(struct db_conn *c, const struct db_stats_filter *f, int64_t window_from,
                      double dlat, double dlng, bool cells, db_place_fn fn, void *cls)
{
    struct emit_place e = {fn, cls};
    if (cells)
        return db_query(c,
                        "SELECT " CELL_KEY ", min(g.name)," PLACE_COUNTS ", '', '', max(k.id),"
                        " ''" STATS_FROM " WHERE " IN_WINDOW("k.created_at")
                        " AND k.lat IS NOT NULL" STATS_SCOPE " GROUP BY 1 HAVING"
                        " count(CASE WHEN k.created_at >= $15 THEN 1 END) > 0",
                        DB_ARGS(STATS_ARGS(f), DB_INT(window_from), DB_DOUBLE(dlat),
                                DB_DOUBLE(dlng)),
                        row_place, &e);
    return db_query(c,
                    "SELECT k.grid_code, g.name," PLACE_COUNTS ", '', '', max(k.id), ''"
                    STATS_FROM " WHERE " IN_WINDOW("k.created_at") STATS_SCOPE
                    " AND $16 > 0 AND $17 > 0 GROUP BY k.grid_code, g.name HAVING"
                    " count(CASE WHEN k.created_at >= $15 THEN 1 END) > 0",
                    DB_ARGS(STATS_ARGS(f), DB_INT(window_from), DB_DOUBLE(dlat),
                            DB_DOUBLE(dlng)),
                    row_place, &e);
}

/* The grouping of recurring problems; the outer query names the latest case. */
#define RECURRING(KEY, NAME, GROUP, WHERE)                                                    \
    "SELECT q.place, q.name, q.n, 0, q.lat, q.lng, q.cc, q.cn, q.latest, kk.code FROM"       \
    " (SELECT " KEY " AS place, " NAME " AS name, count(*) AS n, avg(k.lat) AS lat,"           \
    "  avg(k.lng) AS lng, cat.code AS cc, cat.name_zh AS cn, max(k.id) AS latest" STATS_FROM  \
    "  WHERE " IN_WINDOW("k.created_at") " AND k.state <> 'merged'" WHERE STATS_SCOPE          \
    "  GROUP BY " GROUP ", cat.code, cat.name_zh HAVING count(*) >= $15) q"                   \
    " JOIN cases kk ON kk.id = q.latest ORDER BY q.n DESC, q.latest DESC"

int db_stats_recurring(struct db_conn *c, const struct db_stats_filter *f, int64_t min_count,
                       double dlat, double dlng, bool cells, db_place_fn fn, void *cls)
{
    struct emit_place e = {fn, cls};
    return db_query(c,
                    cells ? RECURRING(CELL_KEY, "min(g.name)", "1", " AND k.lat IS NOT NULL")
                          : RECURRING("k.grid_code", "g.name", "k.grid_code, g.name",
                                      " AND $16 > 0 AND $17 > 0"),
                    DB_ARGS(STATS_ARGS(f), DB_INT(min_count), DB_DOUBLE(dlat), DB_DOUBLE(dlng)),
                    row_place, &e);
}

/* ---- the map: open and overdue cases per grid (open cases only) --------------------------- */

#define OPEN_STATES "('reported', 'accepted', 'dispatched', 'in_progress', 'handled')"

int db_stats_open_by_grid(struct db_conn *c, const struct db_stats_filter *f, db_place_fn fn,
                          void *cls)
{
    struct emit_place e = {fn, cls};
    return db_query(c,
                    "SELECT k.grid_code, g.name, count(*), count(CASE WHEN k.overdue = 1 THEN 1"
                    " END), 0.0, 0.0, '', '', max(k.id), ''" STATS_FROM
                    " WHERE k.state IN " OPEN_STATES " AND $1 >= 0 AND $2 >= 0" STATS_SCOPE
                    " GROUP BY k.grid_code, g.name ORDER BY k.grid_code",
                    DB_ARGS(STATS_ARGS(f)), row_place, &e);
}

struct emit_open {
    db_case_counts_fn fn;
    void *cls;
};

static int row_open(void *cls, const struct db_row *r)
{
    struct emit_open *e = cls;
    struct db_case_counts n = {.state = db_col_text(r, 0), .cases = db_col_int(r, 1),
                               .overdue = db_col_int(r, 2), .supervised = db_col_int(r, 3),
                               .yellow = db_col_int(r, 4), .red = db_col_int(r, 5)};
    return e->fn(e->cls, &n);
}

int db_stats_open_by_state(struct db_conn *c, const struct db_stats_filter *f,
                           db_case_counts_fn fn, void *cls)
{
    struct emit_open e = {fn, cls};
    return db_query(c,
                    "SELECT k.state, count(*), count(CASE WHEN k.overdue = 1 THEN 1 END),"
                    " count(CASE WHEN k.supervised = 1 THEN 1 END),"
                    " count(CASE WHEN k.warn = 1 THEN 1 END), count(CASE WHEN k.warn = 2 THEN 1 END)"
                    STATS_FROM " WHERE k.state IN " OPEN_STATES " AND $1 >= 0 AND $2 >= 0"
                    STATS_SCOPE " GROUP BY k.state ORDER BY k.state",
                    DB_ARGS(STATS_ARGS(f)), row_open, &e);
}

/* ---- the public board ------------------------------------------------------------------ */

struct emit_board {
    db_board_fn fn;
    void *cls;
};

static int row_board(void *cls, const struct db_row *r)
{
    struct emit_board *e = cls;
    struct db_board_case b = {
        .id = db_col_int(r, 0), .code = db_col_text(r, 1), .category_name = db_col_text(r, 2),
        .grid_name = db_col_text(r, 3), .village_name = db_col_text(r, 4),
        .dept_name = db_col_text(r, 5), .created_at = db_col_int(r, 6),
        .closed_at = db_col_int(r, 7), .rating = db_col_text(r, 8),
        .on_time = db_col_int(r, 9) != 0,
    };
    return e->fn(e->cls, &b);
}

int db_stats_board(struct db_conn *c, int64_t before_closed, int64_t before_id, int64_t limit,
                   db_board_fn fn, void *cls)
{
    struct emit_board e = {fn, cls};
    /* Newest closes first; the cursor is (closed_at, id). Nothing personal:
     * no description, reporter, address or exact location. */
    return db_query(c,
                    "SELECT k.id, k.code, cat.name_zh, g.name, v.name, coalesce(d.name, ''),"
                    " k.created_at, k.closed_at, k.rating,"
                    " k.overdue_at IS NULL OR k.overdue_at >= k.closed_at"
                    " FROM cases k JOIN categories cat ON cat.id = k.category_id"
                    " JOIN grids g ON g.code = k.grid_code JOIN regions v ON v.code = g.village_code"
                    " LEFT JOIN departments d ON d.id = k.dept_id"
                    " WHERE k.state = 'closed' AND k.closed_at IS NOT NULL"
                    " AND (k.closed_at < $1 OR (k.closed_at = $1 AND k.id < $2))"
                    " ORDER BY k.closed_at DESC, k.id DESC LIMIT $3",
                    DB_ARGS(DB_INT(before_closed), DB_INT(before_id), DB_INT(limit)), row_board,
                    &e);
}

/* ---- gauges for /metrics -------------------------------------------------------------- */

struct emit_gauge {
    db_count_fn fn;
    void *cls;
};

static int row_gauge(void *cls, const struct db_row *r)
{
    struct emit_gauge *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), "", db_col_text(r, 1), db_col_int(r, 2));
}

int db_stats_gauges(struct db_conn *c, db_count_fn fn, void *cls)
{
    struct emit_gauge e = {fn, cls};
    /* Open cases come through the state index; the rest are small. */
    return db_query(c,
                    "SELECT 'cases', s.state, (SELECT count(*) FROM cases WHERE state = s.state)"
                    " FROM (SELECT 'reported' AS state UNION ALL SELECT 'accepted' UNION ALL"
                    " SELECT 'rejected' UNION ALL SELECT 'merged' UNION ALL SELECT 'dispatched'"
                    " UNION ALL SELECT 'in_progress' UNION ALL SELECT 'handled' UNION ALL"
                    " SELECT 'closed') s"
                    " UNION ALL SELECT 'cases_overdue_open', '', count(*) FROM cases"
                    "  WHERE overdue = 1 AND state IN " OPEN_STATES
                    " UNION ALL SELECT 'cases_supervised_open', '', count(*) FROM cases"
                    "  WHERE supervised = 1 AND state IN " OPEN_STATES
                    " UNION ALL SELECT 'errands_overdue_open', '', count(*) FROM errands"
                    "  WHERE overdue = 1 AND state IN ('registered', 'accepted', 'submitted')"
                    " UNION ALL SELECT 'outbox_backlog', '', count(*) FROM outbox"
                    "  WHERE sent_at IS NULL",
                    DB_NOARGS, row_gauge, &e);
}

/* ---- activity around the cases, for the dashboard ----------------------------------- */

int db_stats_activity(struct db_conn *c, const char *prefix, int64_t from, int64_t to,
                      db_count_fn fn, void *cls)
{
    struct emit_gauge e = {fn, cls};
#define UNDER(col) "substr(" col ", 1, length($1)) = $1"
    return db_query(
        c,
        "SELECT 'errands_red', '', count(*) FROM errands WHERE " UNDER("grid_code")
        "  AND state IN ('registered', 'accepted', 'submitted')"
        " UNION ALL SELECT 'errands_blue', '', count(*) FROM errands WHERE " UNDER("grid_code")
        "  AND state IN ('completed', 'notified')"
        " UNION ALL SELECT 'errands_overdue', '', count(*) FROM errands WHERE " UNDER("grid_code")
        "  AND overdue = 1 AND state IN ('registered', 'accepted', 'submitted')"
        " UNION ALL SELECT 'errands_confirmed', '', count(*) FROM errand_events ev"
        "  JOIN errands er ON er.id = ev.errand_id WHERE ev.action = 'confirm'"
        "  AND ev.at >= $2 AND ev.at < $3 AND " UNDER("er.grid_code")
        " UNION ALL SELECT 'opinions', '', count(*) FROM opinions WHERE " UNDER("region_code")
        "  AND created_at >= $2 AND created_at < $3"
        " UNION ALL SELECT 'opinions_waiting', '', count(*) FROM opinions WHERE "
        UNDER("region_code") " AND state = 'new'"
        " UNION ALL SELECT 'visits', '', count(*) FROM visits WHERE " UNDER("grid_code")
        "  AND visited_at >= $2 AND visited_at < $3"
        " UNION ALL SELECT 'households', '', count(*) FROM households WHERE " UNDER("grid_code")
        " UNION ALL SELECT 'households_visited', '', count(DISTINCT household_id) FROM visits"
        "  WHERE " UNDER("grid_code") " AND visited_at >= $2 AND visited_at < $3"
        " UNION ALL SELECT 'polls_open', '', count(*) FROM polls WHERE closed_at IS NULL"
        "  AND opens_at <= $3 AND closes_at > $3 AND (" UNDER("region_code")
        "  OR substr($1, 1, length(region_prefix)) = region_prefix)"
        " UNION ALL SELECT 'commitments_active', '', count(*) FROM commitments WHERE "
        UNDER("region_code") " AND state IN ('active', 'completed')"
        " UNION ALL SELECT 'commitments_veto', '', count(*) FROM commitments WHERE "
        UNDER("region_code") " AND (overdue = 1 OR state = 'failed')",
        DB_ARGS(DB_TEXT(prefix), DB_INT(from), DB_INT(to)), row_gauge, &e);
#undef UNDER
}

/*
 * Queries for household visits (走访/民情日记): the list, one visit, the
 * idempotent replay of a phone's queued send, and coverage per grid.
 */
#include "db/driver.h"

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)

#define VISIT_COLS                                                                            \
    "v.id, v.household_id, v.visitor_user_id, v.visited_at, coalesce(v.follow_up_done_at, 0),"\
    " coalesce(v.case_id, 0), coalesce(v.opinion_id, 0), v.grid_code, v.kind, v.heard,"       \
    " v.follow_up, v.client_key, v.created_at, v.updated_at, v.version, u.display_name,"      \
    " h.head_name, h.address_area, g.name, k.code, o.code"                                    \
    " FROM visits v JOIN users u ON u.id = v.visitor_user_id"                                 \
    " JOIN households h ON h.id = v.household_id JOIN grids g ON g.code = v.grid_code"        \
    " LEFT JOIN cases k ON k.id = v.case_id LEFT JOIN opinions o ON o.id = v.opinion_id"

struct emit_visit {
    db_visit_fn fn;
    void *cls;
};

static int row_visit(void *cls, const struct db_row *r)
{
    struct emit_visit *e = cls;
    struct db_visit v = {
        .id = db_col_int(r, 0), .household_id = db_col_int(r, 1),
        .visitor_user_id = db_col_int(r, 2), .visited_at = db_col_int(r, 3),
        .follow_up_done_at = db_col_int(r, 4), .case_id = db_col_int(r, 5),
        .opinion_id = db_col_int(r, 6), .grid_code = db_col_text(r, 7),
        .kind = db_col_text(r, 8), .heard = db_col_text(r, 9), .follow_up = db_col_text(r, 10),
        .client_key = db_col_text(r, 11), .created_at = db_col_int(r, 12),
        .updated_at = db_col_int(r, 13), .version = db_col_int(r, 14),
        .visitor_name = db_col_text(r, 15), .household_head = db_col_text(r, 16),
        .address_area = db_col_text(r, 17), .grid_name = db_col_text(r, 18),
        .case_code = db_col_text(r, 19), .opinion_code = db_col_text(r, 20),
    };
    return e->fn(e->cls, &v);
}

int db_visits_list(struct db_conn *c, const struct db_visit_filter *f, db_visit_fn fn,
                   void *cls)
{
    struct emit_visit e = {fn, cls};
    return db_query(
        c,
        "SELECT " VISIT_COLS " WHERE v.id < $1"
        " AND (substr(v.grid_code, 1, length($2)) = $2 OR substr(v.grid_code, 1, length($3)) = $3"
        "  OR substr(v.grid_code, 1, length($4)) = $4 OR substr(v.grid_code, 1, length($5)) = $5"
        "  OR v.household_id IN (SELECT household_id FROM party_links WHERE user_id = $6))"
        " AND ($7 IS NULL OR substr(v.grid_code, 1, length($7)) = $7)"
        " AND ($8 = 0 OR v.household_id = $8) AND ($9 = 0 OR v.visitor_user_id = $9)"
        " AND ($10 = 0 OR v.visited_at >= $10) AND ($11 = 0 OR v.visited_at < $11)"
        " ORDER BY v.id DESC LIMIT $12",
        DB_ARGS(DB_INT(f->before_id ? f->before_id : INT64_MAX), DB_TEXT(f->scopes[0]),
                DB_TEXT(f->scopes[1]), DB_TEXT(f->scopes[2]), DB_TEXT(f->scopes[3]),
                DB_INT(f->linked_user), DB_TEXT(f->region), DB_INT(f->household_id),
                DB_INT(f->visitor_id), DB_INT(f->from), DB_INT(f->to), DB_INT(f->limit)),
        row_visit, &e);
}

int db_visit_get(struct db_conn *c, int64_t id, db_visit_fn fn, void *cls)
{
    struct emit_visit e = {fn, cls};
    return db_query(c, "SELECT " VISIT_COLS " WHERE v.id = $1", DB_ARGS(DB_INT(id)), row_visit,
                    &e);
}

int db_visit_by_key(struct db_conn *c, int64_t visitor, const char *key, db_visit_fn fn,
                    void *cls)
{
    struct emit_visit e = {fn, cls};
    return db_query(c, "SELECT " VISIT_COLS " WHERE v.visitor_user_id = $1 AND v.client_key = $2",
                    DB_ARGS(DB_INT(visitor), DB_TEXT(key)), row_visit, &e);
}

int db_visit_insert(struct db_conn *c, const struct db_visit *v, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO visits (household_id, grid_code, visitor_user_id, visited_at, kind, heard,"
        " follow_up, client_key, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        DB_ARGS(DB_INT(v->household_id), DB_TEXT(v->grid_code), DB_INT(v->visitor_user_id),
                DB_INT(v->visited_at), DB_TEXT(v->kind), DB_TEXT(v->heard),
                DB_TEXT(v->follow_up ? v->follow_up : ""), DB_TEXT(v->client_key), DB_INT(now)),
        id);
}

int db_visit_save(struct db_conn *c, const struct db_visit *v, int64_t if_version, int64_t now)
{
    return db_exec(c,
                   "UPDATE visits SET follow_up_done_at = $3, case_id = $4, opinion_id = $5,"
                   " updated_at = $6, version = version + 1 WHERE id = $1 AND version = $2",
                   DB_ARGS(DB_INT(v->id), DB_INT(if_version), INT_OR_NULL(v->follow_up_done_at),
                           INT_OR_NULL(v->case_id), INT_OR_NULL(v->opinion_id), DB_INT(now)));
}

struct emit_coverage {
    db_coverage_fn fn;
    void *cls;
};

static int row_coverage(void *cls, const struct db_row *r)
{
    struct emit_coverage *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), db_col_text(r, 1), db_col_int(r, 2),
                 db_col_int(r, 3));
}

int db_visit_coverage(struct db_conn *c, const char *prefix, int64_t from, int64_t to,
                      db_coverage_fn fn, void *cls)
{
    struct emit_coverage e = {fn, cls};
    return db_query(c,
                    "SELECT g.code, g.name,"
                    " (SELECT count(*) FROM households h WHERE h.grid_code = g.code),"
                    " (SELECT count(DISTINCT v.household_id) FROM visits v"
                    "  WHERE v.grid_code = g.code AND v.visited_at >= $2 AND v.visited_at < $3)"
                    " FROM grids g WHERE substr(g.code, 1, length($1)) = $1 ORDER BY g.code",
                    DB_ARGS(DB_TEXT(prefix), DB_INT(from), DB_INT(to)), row_coverage, &e);
}

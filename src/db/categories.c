/*
 * Queries for case categories.
 */
#include "db/db.h"

#define CATEGORY_COLS                                                                       \
    "c.id, coalesce(c.parent_id, 0), p.code, c.code, c.name_zh, c.name_en,"                 \
    " c.time_limit_hours, c.active, c.created_at, c.updated_at, c.version"                  \
    " FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"

struct emit {
    db_category_fn fn;
    void *cls;
};

static int row_to_category(void *cls, const struct db_row *r)
{
    struct emit *e = cls;
    struct db_category c = {
        .id = db_col_int(r, 0),
        .parent_id = db_col_int(r, 1),
        .parent_code = db_col_text(r, 2),
        .code = db_col_text(r, 3),
        .name_zh = db_col_text(r, 4),
        .name_en = db_col_text(r, 5),
        .time_limit_hours = db_col_int(r, 6),
        .active = (int)db_col_int(r, 7),
        .created_at = db_col_int(r, 8),
        .updated_at = db_col_int(r, 9),
        .version = db_col_int(r, 10),
    };
    return e->fn(e->cls, &c);
}

int db_categories_list(struct db_conn *c, const char *parent_code, db_category_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    if (parent_code)
        return db_query(c, "SELECT " CATEGORY_COLS " WHERE p.code = $1 ORDER BY c.code",
                        DB_ARGS(DB_TEXT(parent_code)), row_to_category, &e);
    return db_query(c, "SELECT " CATEGORY_COLS " ORDER BY c.code", DB_NOARGS, row_to_category, &e);
}

int db_category_by_id(struct db_conn *c, int64_t id, db_category_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(c, "SELECT " CATEGORY_COLS " WHERE c.id = $1", DB_ARGS(DB_INT(id)),
                    row_to_category, &e);
}

int db_category_by_code(struct db_conn *c, const char *code, db_category_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(c, "SELECT " CATEGORY_COLS " WHERE c.code = $1", DB_ARGS(DB_TEXT(code)),
                    row_to_category, &e);
}

int db_category_id(struct db_conn *c, const char *code, int64_t *id)
{
    return db_query_int(c, "SELECT id FROM categories WHERE code = $1", DB_ARGS(DB_TEXT(code)), id);
}

int db_category_insert(struct db_conn *c, const struct db_category *in, int64_t now, int64_t *id)
{
    return db_query_int(c,
                        "INSERT INTO categories (code, parent_id, name_zh, name_en,"
                        " time_limit_hours, active, created_at, updated_at, version)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) RETURNING id",
                        DB_ARGS(DB_TEXT(in->code),
                                in->parent_id ? DB_INT(in->parent_id) : DB_NULLP,
                                DB_TEXT(in->name_zh), DB_TEXT(in->name_en ? in->name_en : ""),
                                DB_INT(in->time_limit_hours), DB_INT(in->active ? 1 : 0),
                                DB_INT(now)),
                        id);
}

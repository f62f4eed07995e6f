/*
 * Queries for regions, grids and departments.
 */
#include "db/db.h"

/* ---- regions --------------------------------------------------------------- */

#define REGION_COLS                                                                          \
    "r.code, r.name, r.level, r.parent_code,"                                                \
    " CASE r.level WHEN 'village' THEN (SELECT count(*) FROM grids g WHERE g.village_code = r.code)" \
    " ELSE (SELECT count(*) FROM regions k WHERE k.parent_code = r.code) END,"               \
    " r.created_at, r.updated_at, r.version FROM regions r"

struct emit_region {
    db_region_fn fn;
    void *cls;
};

static int row_region(void *cls, const struct db_row *row)
{
    struct emit_region *e = cls;
    struct db_region r = {
        .code = db_col_text(row, 0), .name = db_col_text(row, 1), .level = db_col_text(row, 2),
        .parent_code = db_col_text(row, 3), .children = db_col_int(row, 4),
        .created_at = db_col_int(row, 5), .updated_at = db_col_int(row, 6),
        .version = db_col_int(row, 7),
    };
    return e->fn(e->cls, &r);
}

int db_regions_list(struct db_conn *c, const char *parent, db_region_fn fn, void *cls)
{
    struct emit_region e = {fn, cls};
    if (parent)
        return db_query(c, "SELECT " REGION_COLS " WHERE r.parent_code = $1 ORDER BY r.code",
                        DB_ARGS(DB_TEXT(parent)), row_region, &e);
    return db_query(c, "SELECT " REGION_COLS " WHERE r.parent_code IS NULL ORDER BY r.code",
                    DB_NOARGS, row_region, &e);
}

int db_region_get(struct db_conn *c, const char *code, db_region_fn fn, void *cls)
{
    struct emit_region e = {fn, cls};
    return db_query(c, "SELECT " REGION_COLS " WHERE r.code = $1", DB_ARGS(DB_TEXT(code)),
                    row_region, &e);
}

int db_region_insert(struct db_conn *c, const char *code, const char *name, const char *level,
                     const char *parent_code, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO regions (code, name, level, parent_code, created_at, updated_at)"
                   " VALUES ($1, $2, $3, $4, $5, $5)",
                   DB_ARGS(DB_TEXT(code), DB_TEXT(name), DB_TEXT(level), DB_TEXT(parent_code),
                           DB_INT(now)));
}

/* ---- grids ----------------------------------------------------------------- */

#define GRID_COLS                                                                            \
    "g.code, g.name, g.village_code, g.geometry, g.duty_phone,"                              \
    " g.min_lat, g.min_lng, g.max_lat, g.max_lng,"                                           \
    " (SELECT count(*) FROM households h WHERE h.grid_code = g.code),"                       \
    " g.created_at, g.updated_at, g.version FROM grids g"

struct emit_grid {
    db_grid_fn fn;
    void *cls;
};

static int row_grid(void *cls, const struct db_row *row)
{
    struct emit_grid *e = cls;
    struct db_grid g = {
        .code = db_col_text(row, 0), .name = db_col_text(row, 1),
        .village_code = db_col_text(row, 2), .geometry = db_col_text(row, 3),
        .duty_phone = db_col_text(row, 4),
        .min_lat = db_col_double(row, 5), .min_lng = db_col_double(row, 6),
        .max_lat = db_col_double(row, 7), .max_lng = db_col_double(row, 8),
        .households = db_col_int(row, 9), .created_at = db_col_int(row, 10),
        .updated_at = db_col_int(row, 11), .version = db_col_int(row, 12),
    };
    return e->fn(e->cls, &g);
}

int db_grids_list(struct db_conn *c, const char *prefix, db_grid_fn fn, void *cls)
{
    struct emit_grid e = {fn, cls};
    return db_query(c,
                    "SELECT " GRID_COLS " WHERE substr(g.code, 1, length($1)) = $1 ORDER BY g.code",
                    DB_ARGS(DB_TEXT(prefix)), row_grid, &e);
}

int db_grid_get(struct db_conn *c, const char *code, db_grid_fn fn, void *cls)
{
    struct emit_grid e = {fn, cls};
    return db_query(c, "SELECT " GRID_COLS " WHERE g.code = $1", DB_ARGS(DB_TEXT(code)), row_grid,
                    &e);
}

int db_grids_near(struct db_conn *c, double lat, double lng, db_grid_fn fn, void *cls)
{
    struct emit_grid e = {fn, cls};
    return db_query(c,
                    "SELECT " GRID_COLS " WHERE g.min_lat <= $1 AND g.max_lat >= $1"
                    " AND g.min_lng <= $2 AND g.max_lng >= $2 ORDER BY g.code",
                    DB_ARGS(DB_DOUBLE(lat), DB_DOUBLE(lng)), row_grid, &e);
}

int db_grid_insert(struct db_conn *c, const struct db_grid *g, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO grids (code, name, village_code, geometry, duty_phone,"
                   " min_lat, min_lng, max_lat, max_lng, created_at, updated_at)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                   DB_ARGS(DB_TEXT(g->code), DB_TEXT(g->name), DB_TEXT(g->village_code),
                           DB_TEXT(g->geometry), DB_TEXT(g->duty_phone ? g->duty_phone : ""),
                           DB_DOUBLE(g->min_lat), DB_DOUBLE(g->min_lng), DB_DOUBLE(g->max_lat),
                           DB_DOUBLE(g->max_lng), DB_INT(now)));
}

struct emit_person {
    db_person_fn fn;
    void *cls;
};

static int row_person(void *cls, const struct db_row *row)
{
    struct emit_person *e = cls;
    return e->fn(e->cls, db_col_int(row, 0), db_col_text(row, 1));
}

int db_grid_workers(struct db_conn *c, const char *code, db_person_fn fn, void *cls)
{
    struct emit_person e = {fn, cls};
    return db_query(c,
                    "SELECT u.id, u.display_name FROM users u JOIN role_assignments a"
                    " ON a.user_id = u.id WHERE a.role = 'grid_worker' AND a.region_code = $1"
                    " AND u.active = 1 ORDER BY u.id",
                    DB_ARGS(DB_TEXT(code)), row_person, &e);
}

/* ---- departments --------------------------------------------------------- */

#define DEPT_COLS "id, code, name, region_code, phone, created_at, updated_at, version FROM departments"

struct emit_dept {
    db_department_fn fn;
    void *cls;
};

static int row_dept(void *cls, const struct db_row *row)
{
    struct emit_dept *e = cls;
    struct db_department d = {
        .id = db_col_int(row, 0), .code = db_col_text(row, 1), .name = db_col_text(row, 2),
        .region_code = db_col_text(row, 3), .phone = db_col_text(row, 4),
        .created_at = db_col_int(row, 5), .updated_at = db_col_int(row, 6),
        .version = db_col_int(row, 7),
    };
    return e->fn(e->cls, &d);
}

int db_departments_list(struct db_conn *c, db_department_fn fn, void *cls)
{
    struct emit_dept e = {fn, cls};
    return db_query(c, "SELECT " DEPT_COLS " ORDER BY code", DB_NOARGS, row_dept, &e);
}

int db_department_get(struct db_conn *c, int64_t id, db_department_fn fn, void *cls)
{
    struct emit_dept e = {fn, cls};
    return db_query(c, "SELECT " DEPT_COLS " WHERE id = $1", DB_ARGS(DB_INT(id)), row_dept, &e);
}

int db_department_insert(struct db_conn *c, const struct db_department *d, int64_t now,
                         int64_t *id)
{
    return db_query_int(c,
                        "INSERT INTO departments (code, name, region_code, phone, created_at,"
                        " updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        DB_ARGS(DB_TEXT(d->code), DB_TEXT(d->name), DB_TEXT(d->region_code),
                                DB_TEXT(d->phone ? d->phone : ""), DB_INT(now)),
                        id);
}

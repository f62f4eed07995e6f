/*
 * Queries for cases, their timeline and routing rules.
 */
#include "db/driver.h"

#define CASE_COLS                                                                            \
    "k.id, k.code, k.state, k.grid_code, k.description, k.address, k.channel,"               \
    " k.reporter_name, k.level, k.rating, k.rating_comment, k.supervise_note,"               \
    " k.category_id, coalesce(k.reporter_user_id, 0), coalesce(k.dept_id, 0),"                \
    " coalesce(k.merged_into, 0), k.limit_hours, k.reporter_phone, k.lat, k.lng,"             \
    " k.anonymous, k.warn, k.overdue, k.supervised,"                                         \
    " coalesce(k.stage_started_at, 0), coalesce(k.stage_limit_s, 0), coalesce(k.yellow_at, 0),"\
    " coalesce(k.deadline_at, 0), coalesce(k.supervise_deadline, 0),"                        \
    " k.rework_count, k.return_count, k.escalations,"                                        \
    " coalesce(k.accepted_at, 0), coalesce(k.dispatched_at, 0), coalesce(k.started_at, 0),"   \
    " coalesce(k.handled_at, 0), coalesce(k.closed_at, 0), coalesce(k.rated_at, 0),"          \
    " k.created_at, k.updated_at, k.version,"                                                \
    " cat.code, cat.name_zh, d.name, g.name"                                                 \
    " FROM cases k JOIN categories cat ON cat.id = k.category_id"                            \
    " JOIN grids g ON g.code = k.grid_code LEFT JOIN departments d ON d.id = k.dept_id"

struct emit {
    db_case_fn fn;
    void *cls;
};

static int row_case(void *cls, const struct db_row *r)
{
    struct emit *e = cls;
    struct db_case k = {
        .id = db_col_int(r, 0), .code = db_col_text(r, 1), .state = db_col_text(r, 2),
        .grid_code = db_col_text(r, 3), .description = db_col_text(r, 4),
        .address = db_col_text(r, 5), .channel = db_col_text(r, 6),
        .reporter_name = db_col_text(r, 7), .level = db_col_text(r, 8),
        .rating = db_col_text(r, 9), .rating_comment = db_col_text(r, 10),
        .supervise_note = db_col_text(r, 11), .category_id = db_col_int(r, 12),
        .reporter_user_id = db_col_int(r, 13), .dept_id = db_col_int(r, 14),
        .merged_into = db_col_int(r, 15), .limit_hours = db_col_int(r, 16),
        .lat = db_col_double(r, 18), .lng = db_col_double(r, 19),
        .has_location = !db_col_is_null(r, 18),
        .anonymous = (int)db_col_int(r, 20), .warn = (int)db_col_int(r, 21),
        .overdue = (int)db_col_int(r, 22), .supervised = (int)db_col_int(r, 23),
        .stage_started_at = db_col_int(r, 24), .stage_limit_s = db_col_int(r, 25),
        .yellow_at = db_col_int(r, 26), .deadline_at = db_col_int(r, 27),
        .supervise_deadline = db_col_int(r, 28), .rework_count = db_col_int(r, 29),
        .return_count = db_col_int(r, 30), .escalations = db_col_int(r, 31),
        .accepted_at = db_col_int(r, 32), .dispatched_at = db_col_int(r, 33),
        .started_at = db_col_int(r, 34), .handled_at = db_col_int(r, 35),
        .closed_at = db_col_int(r, 36), .rated_at = db_col_int(r, 37),
        .created_at = db_col_int(r, 38), .updated_at = db_col_int(r, 39),
        .version = db_col_int(r, 40), .category_code = db_col_text(r, 41),
        .category_name = db_col_text(r, 42), .dept_name = db_col_text(r, 43),
        .grid_name = db_col_text(r, 44),
    };
    k.reporter_phone = db_col_blob(r, 17, &k.reporter_phone_len);
    return e->fn(e->cls, &k);
}

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)

/* The visibility and narrowing both the list and the summary use; $1..$20. */
#define CASE_WHERE                                                                        \
    " WHERE k.id < $1"                                                                    \
    " AND ((substr(k.grid_code, 1, length($2)) = $2 AND ($3 = 0 OR k.dept_id = $3))"      \
    "  OR (substr(k.grid_code, 1, length($4)) = $4 AND ($5 = 0 OR k.dept_id = $5))"       \
    "  OR (substr(k.grid_code, 1, length($6)) = $6 AND ($7 = 0 OR k.dept_id = $7))"       \
    "  OR (substr(k.grid_code, 1, length($8)) = $8 AND ($9 = 0 OR k.dept_id = $9))"       \
    "  OR k.reporter_user_id = $10)"                                                      \
    " AND ($11 IS NULL OR k.state = $11 OR ($11 = 'open' AND k.state IN"                   \
    "      ('reported', 'accepted', 'dispatched', 'in_progress', 'handled')))"             \
    " AND ($12 IS NULL OR substr(k.grid_code, 1, length($12)) = $12)"                     \
    " AND ($13 IS NULL OR k.channel = $13)"                                               \
    " AND ($14 IS NULL OR instr(k.description, $14) > 0 OR instr(k.address, $14) > 0"    \
    "      OR k.code = $14)"                                                              \
    " AND ($15 = 0 OR k.dept_id = $15)"                                                   \
    " AND ($16 = 0 OR k.category_id = $16 OR cat.parent_id = $16)"                        \
    " AND ($17 < 0 OR k.overdue = $17)"                                                   \
    " AND ($18 < 0 OR k.supervised = $18)"                                                \
    " AND ($19 = 0 OR k.created_at >= $19) AND ($20 = 0 OR k.created_at < $20)"

#define CASE_WHERE_ARGS(f)                                                                      \
    DB_INT((f)->before_id ? (f)->before_id : INT64_MAX), DB_TEXT((f)->scopes[0]),               \
        DB_INT((f)->scope_depts[0]), DB_TEXT((f)->scopes[1]), DB_INT((f)->scope_depts[1]),      \
        DB_TEXT((f)->scopes[2]), DB_INT((f)->scope_depts[2]), DB_TEXT((f)->scopes[3]),          \
        DB_INT((f)->scope_depts[3]), DB_INT((f)->reporter), DB_TEXT((f)->state),                \
        DB_TEXT((f)->region), DB_TEXT((f)->channel), DB_TEXT((f)->text), DB_INT((f)->dept_id),  \
        DB_INT((f)->category_id), DB_INT((f)->overdue), DB_INT((f)->supervised),                \
        DB_INT((f)->from), DB_INT((f)->to)

int db_cases_list(struct db_conn *c, const struct db_case_filter *f, db_case_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(c, "SELECT " CASE_COLS CASE_WHERE " ORDER BY k.id DESC LIMIT $21",
                    DB_ARGS(CASE_WHERE_ARGS(f), DB_INT(f->limit)), row_case, &e);
}

struct emit_counts {
    db_case_counts_fn fn;
    void *cls;
};

static int row_counts(void *cls, const struct db_row *r)
{
    struct emit_counts *e = cls;
    struct db_case_counts n = {
        .state = db_col_text(r, 0), .cases = db_col_int(r, 1), .overdue = db_col_int(r, 2),
        .supervised = db_col_int(r, 3), .yellow = db_col_int(r, 4), .red = db_col_int(r, 5),
    };
    return e->fn(e->cls, &n);
}

int db_cases_summary(struct db_conn *c, const struct db_case_filter *f, db_case_counts_fn fn,
                     void *cls)
{
    struct emit_counts e = {fn, cls};
    return db_query(c,
                    "SELECT k.state, count(*), sum(k.overdue), sum(k.supervised),"
                    " sum(k.warn = 1), sum(k.warn = 2) FROM cases k"
                    " JOIN categories cat ON cat.id = k.category_id" CASE_WHERE
                    " GROUP BY k.state ORDER BY k.state",
                    DB_ARGS(CASE_WHERE_ARGS(f)), row_counts, &e);
}

int db_case_get(struct db_conn *c, int64_t id, db_case_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(c, "SELECT " CASE_COLS " WHERE k.id = $1", DB_ARGS(DB_INT(id)), row_case, &e);
}

int db_case_insert(struct db_conn *c, const struct db_case *k, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO cases (code, state, category_id, grid_code, description, address, lat, lng,"
        " channel, reporter_user_id, reporter_name, reporter_phone, anonymous, level, limit_hours,"
        " stage_started_at, stage_limit_s, yellow_at, deadline_at, created_at, updated_at,"
        " client_key) VALUES ($1, 'reported', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
        " 'grid', $13, $14, $15, $16, $17, $18, $18, $19) RETURNING id",
        DB_ARGS(DB_TEXT(k->code), DB_INT(k->category_id), DB_TEXT(k->grid_code),
                DB_TEXT(k->description), DB_TEXT(k->address ? k->address : ""),
                k->has_location ? DB_DOUBLE(k->lat) : DB_NULLP,
                k->has_location ? DB_DOUBLE(k->lng) : DB_NULLP, DB_TEXT(k->channel),
                INT_OR_NULL(k->reporter_user_id), DB_TEXT(k->reporter_name ? k->reporter_name : ""),
                k->reporter_phone ? DB_BLOB(k->reporter_phone, k->reporter_phone_len) : DB_NULLP,
                DB_INT(k->anonymous), DB_INT(k->limit_hours), INT_OR_NULL(k->stage_started_at),
                INT_OR_NULL(k->stage_limit_s), INT_OR_NULL(k->yellow_at),
                INT_OR_NULL(k->deadline_at), DB_INT(now), DB_TEXT(k->client_key)),
        id);
}

int db_case_by_key(struct db_conn *c, int64_t reporter, const char *key, int64_t *id)
{
    return db_query_int(c, "SELECT id FROM cases WHERE reporter_user_id = $1 AND client_key = $2",
                        DB_ARGS(DB_INT(reporter), DB_TEXT(key)), id);
}

int db_case_mark_overdue(struct db_conn *c, int64_t id, int64_t at)
{
    return db_exec(c, "UPDATE cases SET overdue_at = coalesce(overdue_at, $2) WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(at)));
}

int db_case_set_response(struct db_conn *c, int64_t id, int64_t seconds)
{
    return db_exec(c, "UPDATE cases SET response_s = $2 WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(seconds)));
}

int db_case_save(struct db_conn *c, const struct db_case *k, int64_t if_version, int64_t now)
{
    return db_exec(
        c,
        "UPDATE cases SET state = $3, dept_id = $4, level = $5, merged_into = $6,"
        " limit_hours = $7, stage_started_at = $8, stage_limit_s = $9, yellow_at = $10,"
        " deadline_at = $11, warn = $12, overdue = $13, supervised = $14,"
        " supervise_deadline = $15, supervise_note = $16, rework_count = $17,"
        " return_count = $18, escalations = $19, accepted_at = $20, dispatched_at = $21,"
        " started_at = $22, handled_at = $23, closed_at = $24, rating = $25,"
        " rating_comment = $26, rated_at = $27, updated_at = $28, version = version + 1"
        " WHERE id = $1 AND version = $2",
        DB_ARGS(DB_INT(k->id), DB_INT(if_version), DB_TEXT(k->state), INT_OR_NULL(k->dept_id),
                DB_TEXT(k->level), INT_OR_NULL(k->merged_into), DB_INT(k->limit_hours),
                INT_OR_NULL(k->stage_started_at), INT_OR_NULL(k->stage_limit_s),
                INT_OR_NULL(k->yellow_at), INT_OR_NULL(k->deadline_at), DB_INT(k->warn),
                DB_INT(k->overdue), DB_INT(k->supervised), INT_OR_NULL(k->supervise_deadline),
                DB_TEXT(k->supervise_note ? k->supervise_note : ""), DB_INT(k->rework_count),
                DB_INT(k->return_count), DB_INT(k->escalations), INT_OR_NULL(k->accepted_at),
                INT_OR_NULL(k->dispatched_at), INT_OR_NULL(k->started_at),
                INT_OR_NULL(k->handled_at), INT_OR_NULL(k->closed_at), DB_TEXT(k->rating),
                DB_TEXT(k->rating_comment ? k->rating_comment : ""), INT_OR_NULL(k->rated_at),
                DB_INT(now)));
}

int db_case_count_on(struct db_conn *c, const char *code_prefix, int64_t *n)
{
    return db_query_int(c, "SELECT count(*) FROM cases WHERE substr(code, 1, length($1)) = $1",
                        DB_ARGS(DB_TEXT(code_prefix)), n);
}

int db_cases_near(struct db_conn *c, int64_t category_id, int64_t since, double lat, double lng,
                  double dlat, double dlng, const char *address, db_case_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(
        c,
        "SELECT " CASE_COLS " WHERE k.category_id = $1 AND k.created_at >= $2"
        " AND k.state NOT IN ('rejected', 'merged', 'closed')"
        " AND ((k.lat BETWEEN $3 - $5 AND $3 + $5 AND k.lng BETWEEN $4 - $6 AND $4 + $6)"
        "      OR ($7 <> '' AND k.address = $7))"
        " ORDER BY k.id DESC LIMIT 10",
        DB_ARGS(DB_INT(category_id), DB_INT(since), DB_DOUBLE(lat), DB_DOUBLE(lng),
                DB_DOUBLE(dlat), DB_DOUBLE(dlng), DB_TEXT(address ? address : "")),
        row_case, &e);
}

int db_cases_due(struct db_conn *c, int64_t now, int64_t limit, db_case_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    /* Two index range scans (yellow_at, deadline_at), each touching only
     * the cases whose moment has come. */
    return db_query(c,
                    "SELECT " CASE_COLS " WHERE k.id IN (SELECT id FROM cases WHERE yellow_at <= $1"
                    " UNION SELECT id FROM cases WHERE deadline_at <= $1) ORDER BY k.id LIMIT $2",
                    DB_ARGS(DB_INT(now), DB_INT(limit)), row_case, &e);
}

/* ---- timeline ------------------------------------------------------------------- */

int db_case_event_insert(struct db_conn *c, const struct db_event *e)
{
    return db_exec(c,
                   "INSERT INTO case_events (case_id, at, actor_user_id, action, from_state,"
                   " to_state, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   DB_ARGS(DB_INT(e->subject_id), DB_INT(e->at), INT_OR_NULL(e->actor_user_id),
                           DB_TEXT(e->action), DB_TEXT(e->from_state), DB_TEXT(e->to_state),
                           DB_TEXT(e->note ? e->note : ""), DB_TEXT(e->data ? e->data : "{}")));
}

int db_event_row(void *cls, const struct db_row *r)
{
    struct db_event_emit *e = cls;
    struct db_event ev = {
        .id = db_col_int(r, 0), .subject_id = db_col_int(r, 1), .at = db_col_int(r, 2),
        .actor_user_id = db_col_int(r, 3), .actor_name = db_col_text(r, 4),
        .action = db_col_text(r, 5), .from_state = db_col_text(r, 6),
        .to_state = db_col_text(r, 7), .note = db_col_text(r, 8), .data = db_col_text(r, 9),
    };
    return e->fn(e->cls, &ev);
}

int db_case_events(struct db_conn *c, int64_t case_id, db_event_fn fn, void *cls)
{
    struct db_event_emit e = {fn, cls};
    return db_query(c,
                    "SELECT e.id, e.case_id, e.at, coalesce(e.actor_user_id, 0), u.display_name,"
                    " e.action, e.from_state, e.to_state, e.note, e.data FROM case_events e"
                    " LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.case_id = $1 ORDER BY e.id",
                    DB_ARGS(DB_INT(case_id)), db_event_row, &e);
}

/* ---- routing ---------------------------------------------------------------------- */

struct route_hit {
    int64_t dept, limit;
};

static int keep_route(void *cls, const struct db_row *r)
{
    struct route_hit *h = cls;
    h->dept = db_col_int(r, 0);
    h->limit = db_col_int(r, 1);
    return 1;
}

int db_route_find(struct db_conn *c, int64_t category_id, const char *grid_code, int64_t *dept_id,
                  int64_t *limit_hours)
{
    struct route_hit h = {0, 0};
    /* The exact category beats its parent; a longer region prefix beats a
     * shorter one. */
    int rc = db_query(c,
                      "SELECT r.dept_id, coalesce(r.time_limit_hours, 0) FROM routing_rules r"
                      " JOIN categories k ON k.id = $1"
                      " WHERE (r.category_id = k.id OR r.category_id = k.parent_id)"
                      " AND substr($2, 1, length(r.region_prefix)) = r.region_prefix"
                      " ORDER BY r.category_id = k.id DESC, length(r.region_prefix) DESC"
                      " LIMIT 1",
                      DB_ARGS(DB_INT(category_id), DB_TEXT(grid_code)), keep_route, &h);
    if (rc > 0) {
        *dept_id = h.dept;
        *limit_hours = h.limit;
    }
    return rc;
}

struct emit_route {
    db_route_fn fn;
    void *cls;
};

static int row_route(void *cls, const struct db_row *r)
{
    struct emit_route *e = cls;
    struct db_route rt = {
        .id = db_col_int(r, 0), .category_id = db_col_int(r, 1), .dept_id = db_col_int(r, 2),
        .time_limit_hours = db_col_int(r, 3), .version = db_col_int(r, 4),
        .category_code = db_col_text(r, 5), .region_code = db_col_text(r, 6),
        .dept_name = db_col_text(r, 7),
    };
    return e->fn(e->cls, &rt);
}

int db_routes_list(struct db_conn *c, db_route_fn fn, void *cls)
{
    struct emit_route e = {fn, cls};
    return db_query(c,
                    "SELECT r.id, r.category_id, r.dept_id, coalesce(r.time_limit_hours, 0),"
                    " r.version, k.code, r.region_code, d.name FROM routing_rules r"
                    " JOIN categories k ON k.id = r.category_id JOIN departments d ON d.id = r.dept_id"
                    " ORDER BY k.code, r.region_code",
                    DB_NOARGS, row_route, &e);
}

int db_route_upsert(struct db_conn *c, int64_t category_id, const char *region_code,
                    const char *region_prefix, int64_t dept_id, int64_t limit_hours, int64_t now,
                    int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO routing_rules (category_id, region_code, region_prefix, dept_id,"
        " time_limit_hours, created_at, updated_at) VALUES ($1, $2, $6, $3, $4, $5, $5)"
        " ON CONFLICT (category_id, region_code) DO UPDATE SET dept_id = excluded.dept_id,"
        " time_limit_hours = excluded.time_limit_hours, updated_at = excluded.updated_at,"
        " version = routing_rules.version + 1 RETURNING id",
        DB_ARGS(DB_INT(category_id), DB_TEXT(region_code), DB_INT(dept_id),
                INT_OR_NULL(limit_hours), DB_INT(now), DB_TEXT(region_prefix)),
        id);
}

/* ---- photos -------------------------------------------------------------------------- */

int db_photo_insert(struct db_conn *c, const struct db_photo *p, const void *data, int64_t now,
                    int64_t *id)
{
    return db_query_int(c,
                        "INSERT INTO case_photos (case_id, step, mime, width, height, bytes, sha256,"
                        " data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                        " $9, $10) RETURNING id",
                        DB_ARGS(DB_INT(p->case_id), DB_TEXT(p->step), DB_TEXT(p->mime),
                                DB_INT(p->width), DB_INT(p->height), DB_INT(p->bytes),
                                DB_TEXT(p->sha256), DB_BLOB(data, (size_t)p->bytes),
                                INT_OR_NULL(p->uploaded_by), DB_INT(now)),
                        id);
}

struct emit_photo {
    db_photo_fn fn;
    void *cls;
    bool with_data;
};

static int row_photo(void *cls, const struct db_row *r)
{
    struct emit_photo *e = cls;
    struct db_photo p = {
        .id = db_col_int(r, 0), .case_id = db_col_int(r, 1), .step = db_col_text(r, 2),
        .mime = db_col_text(r, 3), .width = db_col_int(r, 4), .height = db_col_int(r, 5),
        .bytes = db_col_int(r, 6), .sha256 = db_col_text(r, 7), .uploaded_by = db_col_int(r, 8),
        .uploader_name = db_col_text(r, 9), .created_at = db_col_int(r, 10),
    };
    size_t n = 0;
    const void *data = e->with_data ? db_col_blob(r, 11, &n) : NULL;
    return e->fn(e->cls, &p, data);
}

#define PHOTO_COLS                                                                             \
    "p.id, p.case_id, p.step, p.mime, p.width, p.height, p.bytes, p.sha256,"                   \
    " coalesce(p.uploaded_by, 0), u.display_name, p.created_at"

int db_photos_list(struct db_conn *c, int64_t case_id, db_photo_fn fn, void *cls)
{
    struct emit_photo e = {fn, cls, false};
    return db_query(c,
                    "SELECT " PHOTO_COLS " FROM case_photos p LEFT JOIN users u"
                    " ON u.id = p.uploaded_by WHERE p.case_id = $1 ORDER BY p.id",
                    DB_ARGS(DB_INT(case_id)), row_photo, &e);
}

int db_photo_get(struct db_conn *c, int64_t case_id, int64_t photo_id, db_photo_fn fn, void *cls)
{
    struct emit_photo e = {fn, cls, true};
    return db_query(c,
                    "SELECT " PHOTO_COLS ", p.data FROM case_photos p LEFT JOIN users u"
                    " ON u.id = p.uploaded_by WHERE p.case_id = $1 AND p.id = $2",
                    DB_ARGS(DB_INT(case_id), DB_INT(photo_id)), row_photo, &e);
}

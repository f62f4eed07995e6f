/*
 * Queries for the errand service: the catalog, errands, their timeline,
 * signatures and the ledger.
 */
#include "db/driver.h"

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)

/* ---- the catalog ------------------------------------------------------------------ */

#define SERVICE_COLS                                                                        \
    "s.id, s.dept_id, s.promised_days, s.fee_cents, s.code, s.name, s.category,"            \
    " s.materials, s.venues, s.active, s.created_at, s.updated_at, s.version, d.name"      \
    " FROM services s JOIN departments d ON d.id = s.dept_id"

struct emit_service {
    db_service_fn fn;
    void *cls;
};

static int row_service(void *cls, const struct db_row *r)
{
    struct emit_service *e = cls;
    struct db_service s = {
        .id = db_col_int(r, 0), .dept_id = db_col_int(r, 1), .promised_days = db_col_int(r, 2),
        .fee_cents = db_col_int(r, 3), .code = db_col_text(r, 4), .name = db_col_text(r, 5),
        .category = db_col_text(r, 6), .materials = db_col_text(r, 7),
        .venues = db_col_text(r, 8), .active = (int)db_col_int(r, 9),
        .created_at = db_col_int(r, 10), .updated_at = db_col_int(r, 11),
        .version = db_col_int(r, 12), .dept_name = db_col_text(r, 13),
    };
    return e->fn(e->cls, &s);
}

int db_services_list(struct db_conn *c, const char *category, const char *q, bool active_only,
                     db_service_fn fn, void *cls)
{
    struct emit_service e = {fn, cls};
    return db_query(c,
                    "SELECT " SERVICE_COLS " WHERE ($1 IS NULL OR s.category = $1)"
                    " AND ($2 IS NULL OR instr(s.name, $2) > 0 OR s.code = $2)"
                    " AND ($3 = 0 OR s.active = 1) ORDER BY s.code",
                    DB_ARGS(DB_TEXT(category), DB_TEXT(q), DB_INT(active_only)), row_service, &e);
}

int db_service_get(struct db_conn *c, int64_t id, db_service_fn fn, void *cls)
{
    struct emit_service e = {fn, cls};
    return db_query(c, "SELECT " SERVICE_COLS " WHERE s.id = $1", DB_ARGS(DB_INT(id)),
                    row_service, &e);
}

int db_service_insert(struct db_conn *c, const struct db_service *s, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO services (code, name, category, dept_id, materials, promised_days,"
        " fee_cents, venues, active, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        DB_ARGS(DB_TEXT(s->code), DB_TEXT(s->name), DB_TEXT(s->category), DB_INT(s->dept_id),
                DB_TEXT(s->materials), DB_INT(s->promised_days), DB_INT(s->fee_cents),
                DB_TEXT(s->venues), DB_INT(s->active), DB_INT(now)),
        id);
}

int db_service_save(struct db_conn *c, const struct db_service *s, int64_t if_version,
                    int64_t now)
{
    return db_exec(c,
                   "UPDATE services SET name = $3, category = $4, dept_id = $5, materials = $6,"
                   " promised_days = $7, fee_cents = $8, venues = $9, active = $10,"
                   " updated_at = $11, version = version + 1 WHERE id = $1 AND version = $2",
                   DB_ARGS(DB_INT(s->id), DB_INT(if_version), DB_TEXT(s->name),
                           DB_TEXT(s->category), DB_INT(s->dept_id), DB_TEXT(s->materials),
                           DB_INT(s->promised_days), DB_INT(s->fee_cents), DB_TEXT(s->venues),
                           DB_INT(s->active), DB_INT(now)));
}

/* ---- errands ------------------------------------------------------------------------- */

#define ERRAND_NCOLS 34
#define ERRAND_COLS                                                                          \
    "e.id, e.service_id, coalesce(e.household_id, 0), coalesce(e.resident_user_id, 0),"      \
    " e.registered_by, coalesce(e.agent_user_id, 0), e.code, e.grid_code, e.resident_name,"  \
    " e.notes, e.channel, e.state, e.dept_ref, e.result, e.confirm_method, e.materials,"     \
    " e.resident_phone, e.confirm_code, e.deadline_at, coalesce(e.code_expires_at, 0),"      \
    " e.code_attempts, e.overdue, e.created_at, e.updated_at, e.version,"                    \
    " s.code, s.name, d.name, g.name, v.name, ur.display_name, ua.display_name, s.dept_id,"  \
    " s.promised_days"
#define ERRAND_FROM                                                                          \
    " FROM errands e JOIN services s ON s.id = e.service_id"                                 \
    " JOIN departments d ON d.id = s.dept_id JOIN grids g ON g.code = e.grid_code"           \
    " JOIN regions v ON v.code = g.village_code JOIN users ur ON ur.id = e.registered_by"    \
    " LEFT JOIN users ua ON ua.id = e.agent_user_id"

static void errand_from_row(const struct db_row *r, struct db_errand *e)
{
    *e = (struct db_errand){
        .id = db_col_int(r, 0), .service_id = db_col_int(r, 1),
        .household_id = db_col_int(r, 2), .resident_user_id = db_col_int(r, 3),
        .registered_by = db_col_int(r, 4), .agent_user_id = db_col_int(r, 5),
        .code = db_col_text(r, 6), .grid_code = db_col_text(r, 7),
        .resident_name = db_col_text(r, 8), .notes = db_col_text(r, 9),
        .channel = db_col_text(r, 10), .state = db_col_text(r, 11),
        .dept_ref = db_col_text(r, 12), .result = db_col_text(r, 13),
        .confirm_method = db_col_text(r, 14), .materials = db_col_text(r, 15),
        .deadline_at = db_col_int(r, 18), .code_expires_at = db_col_int(r, 19),
        .code_attempts = db_col_int(r, 20), .overdue = (int)db_col_int(r, 21),
        .created_at = db_col_int(r, 22), .updated_at = db_col_int(r, 23),
        .version = db_col_int(r, 24), .service_code = db_col_text(r, 25),
        .service_name = db_col_text(r, 26), .dept_name = db_col_text(r, 27),
        .grid_name = db_col_text(r, 28), .village_name = db_col_text(r, 29),
        .registered_by_name = db_col_text(r, 30), .agent_name = db_col_text(r, 31),
        .dept_id = db_col_int(r, 32), .promised_days = db_col_int(r, 33),
    };
    e->resident_phone = db_col_blob(r, 16, &e->resident_phone_len);
    e->confirm_code = db_col_blob(r, 17, &e->confirm_code_len);
}

struct emit_errand {
    db_errand_fn fn;
    void *cls;
};

static int row_errand(void *cls, const struct db_row *r)
{
    struct emit_errand *x = cls;
    struct db_errand e;
    errand_from_row(r, &e);
    e.has_signature = db_col_int(r, ERRAND_NCOLS) != 0;
    return x->fn(x->cls, &e);
}

#define RED_STATES "('registered', 'accepted', 'submitted')"

/* Visibility and narrowing, shared by the list and the ledger; $1..$21. */
#define ERRAND_WHERE                                                                         \
    " WHERE e.id < $1 AND e.id > $21"                                                        \
    " AND ((substr(e.grid_code, 1, length($2)) = $2 AND ($3 = 0 OR s.dept_id = $3))"         \
    "  OR (substr(e.grid_code, 1, length($4)) = $4 AND ($5 = 0 OR s.dept_id = $5))"          \
    "  OR (substr(e.grid_code, 1, length($6)) = $6 AND ($7 = 0 OR s.dept_id = $7))"          \
    "  OR (substr(e.grid_code, 1, length($8)) = $8 AND ($9 = 0 OR s.dept_id = $9))"          \
    "  OR e.resident_user_id = $10)"                                                         \
    " AND ($11 IS NULL OR e.state = $11)"                                                    \
    " AND ($12 IS NULL OR ($12 = 'red' AND e.state IN " RED_STATES ")"                       \
    "      OR ($12 = 'blue' AND e.state IN ('completed', 'notified'))"                       \
    "      OR ($12 = 'closed' AND e.state = 'confirmed')"                                    \
    "      OR ($12 = 'cancelled' AND e.state = 'cancelled'))"                                \
    " AND ($13 IS NULL OR substr(e.grid_code, 1, length($13)) = $13)"                        \
    " AND ($14 = 0 OR e.service_id = $14) AND ($15 = 0 OR e.agent_user_id = $15)"            \
    " AND ($16 < 0 OR (e.overdue = 1 OR (e.state IN " RED_STATES " AND e.deadline_at <= $17))" \
    "      = ($16 = 1))"                                                                     \
    " AND ($18 = 0 OR e.created_at >= $18) AND ($19 = 0 OR e.created_at < $19)"              \
    " AND ($20 IS NULL OR instr(e.resident_name, $20) > 0 OR e.code = $20)"

#define ERRAND_WHERE_ARGS(f)                                                                   \
    DB_INT((f)->before_id ? (f)->before_id : INT64_MAX), DB_TEXT((f)->scopes[0]),              \
        DB_INT((f)->scope_depts[0]), DB_TEXT((f)->scopes[1]), DB_INT((f)->scope_depts[1]),     \
        DB_TEXT((f)->scopes[2]), DB_INT((f)->scope_depts[2]), DB_TEXT((f)->scopes[3]),         \
        DB_INT((f)->scope_depts[3]), DB_INT((f)->resident), DB_TEXT((f)->state),               \
        DB_TEXT((f)->box), DB_TEXT((f)->region), DB_INT((f)->service_id),                      \
        DB_INT((f)->agent_id), DB_INT((f)->overdue), DB_INT((f)->now), DB_INT((f)->from),      \
        DB_INT((f)->to), DB_TEXT((f)->text), DB_INT((f)->after_id)

#define HAS_SIGNATURE ", EXISTS (SELECT 1 FROM errand_signatures sg WHERE sg.errand_id = e.id)"

int db_errands_list(struct db_conn *c, const struct db_errand_filter *f, db_errand_fn fn,
                    void *cls)
{
    struct emit_errand x = {fn, cls};
    return db_query(c,
                    "SELECT " ERRAND_COLS HAS_SIGNATURE ERRAND_FROM ERRAND_WHERE
                    " ORDER BY e.id DESC LIMIT $22",
                    DB_ARGS(ERRAND_WHERE_ARGS(f), DB_INT(f->limit)), row_errand, &x);
}

int db_errand_get(struct db_conn *c, int64_t id, db_errand_fn fn, void *cls)
{
    struct emit_errand x = {fn, cls};
    return db_query(c, "SELECT " ERRAND_COLS HAS_SIGNATURE ERRAND_FROM " WHERE e.id = $1",
                    DB_ARGS(DB_INT(id)), row_errand, &x);
}

int db_errand_insert(struct db_conn *c, const struct db_errand *e, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO errands (code, service_id, grid_code, household_id, resident_user_id,"
        " resident_name, resident_phone, notes, materials, channel, state, registered_by,"
        " deadline_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " 'registered', $11, $12, $13, $13) RETURNING id",
        DB_ARGS(DB_TEXT(e->code), DB_INT(e->service_id), DB_TEXT(e->grid_code),
                INT_OR_NULL(e->household_id), INT_OR_NULL(e->resident_user_id),
                DB_TEXT(e->resident_name),
                e->resident_phone ? DB_BLOB(e->resident_phone, e->resident_phone_len) : DB_NULLP,
                DB_TEXT(e->notes ? e->notes : ""), DB_TEXT(e->materials ? e->materials : "[]"),
                DB_TEXT(e->channel), DB_INT(e->registered_by), DB_INT(e->deadline_at),
                DB_INT(now)),
        id);
}

int db_errand_save(struct db_conn *c, const struct db_errand *e, int64_t if_version, int64_t now)
{
    return db_exec(
        c,
        "UPDATE errands SET state = $3, agent_user_id = $4, dept_ref = $5, result = $6,"
        " materials = $7, overdue = $8, confirm_code = $9, code_expires_at = $10,"
        " code_attempts = $11, confirm_method = $12, updated_at = $13, version = version + 1"
        " WHERE id = $1 AND version = $2",
        DB_ARGS(DB_INT(e->id), DB_INT(if_version), DB_TEXT(e->state),
                INT_OR_NULL(e->agent_user_id), DB_TEXT(e->dept_ref ? e->dept_ref : ""),
                DB_TEXT(e->result ? e->result : ""), DB_TEXT(e->materials),
                DB_INT(e->overdue),
                e->confirm_code ? DB_BLOB(e->confirm_code, e->confirm_code_len) : DB_NULLP,
                INT_OR_NULL(e->code_expires_at), DB_INT(e->code_attempts),
                DB_TEXT(e->confirm_method), DB_INT(now)));
}

int db_errand_count_on(struct db_conn *c, const char *code_prefix, int64_t *n)
{
    return db_query_int(c, "SELECT count(*) FROM errands WHERE substr(code, 1, length($1)) = $1",
                        DB_ARGS(DB_TEXT(code_prefix)), n);
}

int db_errands_due(struct db_conn *c, int64_t now, int64_t limit, db_errand_fn fn, void *cls)
{
    struct emit_errand x = {fn, cls};
    /* The partial index errands_due holds exactly the candidates. */
    return db_query(c,
                    "SELECT " ERRAND_COLS HAS_SIGNATURE ERRAND_FROM
                    " WHERE e.overdue = 0 AND e.state IN " RED_STATES " AND e.deadline_at <= $1"
                    " ORDER BY e.deadline_at LIMIT $2",
                    DB_ARGS(DB_INT(now), DB_INT(limit)), row_errand, &x);
}

/* ---- timeline, signatures --------------------------------------------------------- */

int db_errand_event_insert(struct db_conn *c, const struct db_event *e)
{
    return db_exec(c,
                   "INSERT INTO errand_events (errand_id, at, actor_user_id, action, from_state,"
                   " to_state, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   DB_ARGS(DB_INT(e->subject_id), DB_INT(e->at), INT_OR_NULL(e->actor_user_id),
                           DB_TEXT(e->action), DB_TEXT(e->from_state), DB_TEXT(e->to_state),
                           DB_TEXT(e->note ? e->note : ""), DB_TEXT(e->data ? e->data : "{}")));
}

int db_errand_events(struct db_conn *c, int64_t errand_id, db_event_fn fn, void *cls)
{
    struct db_event_emit x = {fn, cls};
    return db_query(c,
                    "SELECT e.id, e.errand_id, e.at, coalesce(e.actor_user_id, 0), u.display_name,"
                    " e.action, e.from_state, e.to_state, e.note, e.data FROM errand_events e"
                    " LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.errand_id = $1"
                    " ORDER BY e.id",
                    DB_ARGS(DB_INT(errand_id)), db_event_row, &x);
}

int db_errand_signature_put(struct db_conn *c, int64_t errand_id, int64_t width, int64_t height,
                            const char *sha256, const void *png, size_t len, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO errand_signatures (errand_id, width, height, sha256, data,"
                   " created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                   DB_ARGS(DB_INT(errand_id), DB_INT(width), DB_INT(height), DB_TEXT(sha256),
                           DB_BLOB(png, len), DB_INT(now)));
}

struct emit_blob {
    db_blob_fn fn;
    void *cls;
};

static int row_blob(void *cls, const struct db_row *r)
{
    struct emit_blob *x = cls;
    size_t len;
    const void *data = db_col_blob(r, 0, &len);
    return x->fn(x->cls, data, len);
}

int db_errand_signature(struct db_conn *c, int64_t errand_id, db_blob_fn fn, void *cls)
{
    struct emit_blob x = {fn, cls};
    return db_query(c, "SELECT data FROM errand_signatures WHERE errand_id = $1",
                    DB_ARGS(DB_INT(errand_id)), row_blob, &x);
}

/* ---- the ledger ----------------------------------------------------------------------- */

/* When step `a` last happened to errand e, and who did it: indexed reads of
 * that errand's few timeline rows. */
#define STEP(a)                                                                               \
    ", (SELECT x.at FROM errand_events x WHERE x.errand_id = e.id AND x.action = '" a "'"    \
    " ORDER BY x.id DESC LIMIT 1)"                                                           \
    ", (SELECT u.display_name FROM errand_events x JOIN users u ON u.id = x.actor_user_id"   \
    " WHERE x.errand_id = e.id AND x.action = '" a "' ORDER BY x.id DESC LIMIT 1)"

struct emit_ledger {
    db_ledger_fn fn;
    void *cls;
};

static int row_ledger(void *cls, const struct db_row *r)
{
    struct emit_ledger *x = cls;
    struct db_errand e;
    errand_from_row(r, &e);
    struct db_ledger_row row = {.e = &e};
    for (int i = 0; i < DB_LEDGER_NSTEPS; i++) {
        row.at[i] = db_col_int(r, ERRAND_NCOLS + 2 * i);
        row.by[i] = db_col_text(r, ERRAND_NCOLS + 2 * i + 1);
    }
    return x->fn(x->cls, &row);
}

int db_errand_ledger(struct db_conn *c, const struct db_errand_filter *f, db_ledger_fn fn,
                     void *cls)
{
    struct emit_ledger x = {fn, cls};
    return db_query(c,
                    "SELECT " ERRAND_COLS STEP("accept") STEP("submit") STEP("complete")
                        STEP("notify") STEP("confirm") STEP("cancel") STEP("return_materials")
                            ERRAND_FROM ERRAND_WHERE " ORDER BY e.id LIMIT $22",
                    DB_ARGS(ERRAND_WHERE_ARGS(f), DB_INT(f->limit)), row_ledger, &x);
}

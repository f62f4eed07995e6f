/*
 * Queries for public commitments (公开承诺): the list with its veto filter,
 * one commitment, saving its steps, the sweep's due ones, and the vetoes an
 * evaluation looks up.
 */
#include "db/driver.h"

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)

#define COMMITMENT_COLS                                                                       \
    "k.id, coalesce(k.owner_user_id, 0), coalesce(k.owner_dept_id, 0), k.year, k.due_at,"     \
    " k.progress, coalesce(k.completed_at, 0), coalesce(k.reviewed_at, 0),"                   \
    " coalesce(k.reviewed_by, 0), k.created_by, k.title, k.content, k.region_code, k.state,"  \
    " k.review_note, k.overdue, k.created_at, k.updated_at, k.version,"                       \
    " coalesce(uo.display_name, d.name), r.name, ur.display_name"                             \
    " FROM commitments k JOIN regions r ON r.code = k.region_code"                            \
    " LEFT JOIN users uo ON uo.id = k.owner_user_id"                                          \
    " LEFT JOIN departments d ON d.id = k.owner_dept_id"                                      \
    " LEFT JOIN users ur ON ur.id = k.reviewed_by"

struct emit_commitment {
    db_commitment_fn fn;
    void *cls;
};

static int row_commitment(void *cls, const struct db_row *r)
{
    struct emit_commitment *e = cls;
    struct db_commitment k = {
        .id = db_col_int(r, 0), .owner_user_id = db_col_int(r, 1),
        .owner_dept_id = db_col_int(r, 2), .year = db_col_int(r, 3), .due_at = db_col_int(r, 4),
        .progress = db_col_int(r, 5), .completed_at = db_col_int(r, 6),
        .reviewed_at = db_col_int(r, 7), .reviewed_by = db_col_int(r, 8),
        .created_by = db_col_int(r, 9), .title = db_col_text(r, 10),
        .content = db_col_text(r, 11), .region_code = db_col_text(r, 12),
        .state = db_col_text(r, 13), .review_note = db_col_text(r, 14),
        .overdue = (int)db_col_int(r, 15), .created_at = db_col_int(r, 16),
        .updated_at = db_col_int(r, 17), .version = db_col_int(r, 18),
        .owner_name = db_col_text(r, 19), .region_name = db_col_text(r, 20),
        .reviewed_by_name = db_col_text(r, 21),
    };
    return e->fn(e->cls, &k);
}

int db_commitments_list(struct db_conn *c, const struct db_commitment_filter *f,
                        db_commitment_fn fn, void *cls)
{
    struct emit_commitment e = {fn, cls};
    return db_query(c,
                    "SELECT " COMMITMENT_COLS " WHERE k.id < $1"
                    " AND ($2 IS NULL OR substr(k.region_code, 1, length($2)) = $2)"
                    " AND ($3 IS NULL OR k.state = $3) AND ($4 = 0 OR k.year = $4)"
                    " AND ($5 = 0 OR k.owner_user_id = $5) AND ($6 = 0 OR k.owner_dept_id = $6)"
                    " AND ($7 < 0 OR (k.overdue = 1 OR k.state = 'failed') = ($7 = 1))"
                    " AND ($8 < 0 OR k.overdue = $8)"
                    " ORDER BY k.id DESC LIMIT $9",
                    DB_ARGS(DB_INT(f->before_id ? f->before_id : INT64_MAX), DB_TEXT(f->region),
                            DB_TEXT(f->state), DB_INT(f->year), DB_INT(f->owner_user),
                            DB_INT(f->owner_dept), DB_INT(f->veto), DB_INT(f->overdue),
                            DB_INT(f->limit)),
                    row_commitment, &e);
}

int db_commitment_get(struct db_conn *c, int64_t id, db_commitment_fn fn, void *cls)
{
    struct emit_commitment e = {fn, cls};
    return db_query(c, "SELECT " COMMITMENT_COLS " WHERE k.id = $1", DB_ARGS(DB_INT(id)),
                    row_commitment, &e);
}

int db_commitment_insert(struct db_conn *c, const struct db_commitment *k, int64_t now,
                         int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO commitments (title, content, owner_user_id, owner_dept_id, region_code,"
        " year, due_at, state, created_by, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9) RETURNING id",
        DB_ARGS(DB_TEXT(k->title), DB_TEXT(k->content), INT_OR_NULL(k->owner_user_id),
                INT_OR_NULL(k->owner_dept_id), DB_TEXT(k->region_code), DB_INT(k->year),
                DB_INT(k->due_at), DB_INT(k->created_by), DB_INT(now)),
        id);
}

int db_commitment_save(struct db_conn *c, const struct db_commitment *k, int64_t if_version,
                       int64_t now)
{
    return db_exec(c,
                   "UPDATE commitments SET progress = $3, state = $4, overdue = $5,"
                   " completed_at = $6, reviewed_at = $7, reviewed_by = $8, review_note = $9,"
                   " updated_at = $10, version = version + 1 WHERE id = $1 AND version = $2",
                   DB_ARGS(DB_INT(k->id), DB_INT(if_version), DB_INT(k->progress),
                           DB_TEXT(k->state), DB_INT(k->overdue), INT_OR_NULL(k->completed_at),
                           INT_OR_NULL(k->reviewed_at), INT_OR_NULL(k->reviewed_by),
                           DB_TEXT(k->review_note ? k->review_note : ""), DB_INT(now)));
}

int db_commitments_due(struct db_conn *c, int64_t now, int64_t limit, db_commitment_fn fn,
                       void *cls)
{
    struct emit_commitment e = {fn, cls};
    return db_query(c,
                    "SELECT " COMMITMENT_COLS " WHERE k.overdue = 0 AND k.state = 'active'"
                    " AND k.due_at <= $1 ORDER BY k.due_at LIMIT $2",
                    DB_ARGS(DB_INT(now), DB_INT(limit)), row_commitment, &e);
}

int db_commitment_vetoes(struct db_conn *c, int64_t user_id, int64_t dept_id, int64_t from,
                         int64_t to, int64_t *n)
{
    return db_query_int(c,
                        "SELECT count(*) FROM commitments WHERE (overdue = 1 OR state = 'failed')"
                        " AND ((owner_user_id = $1 AND $1 <> 0) OR (owner_dept_id = $2 AND $2 <> 0))"
                        " AND due_at >= $3 AND due_at < $4",
                        DB_ARGS(DB_INT(user_id), DB_INT(dept_id), DB_INT(from), DB_INT(to)), n);
}

/*
 * Queries for households, 联户 links and the personal-data access log.
 */
#include "db/db.h"

#define HH_COLS                                                                              \
    "h.id, h.grid_code, h.address_area, h.address_detail, h.head_name, h.head_id_number,"    \
    " h.phone, h.members, h.tags, h.created_at, h.updated_at, h.version FROM households h"

struct emit {
    db_household_fn fn;
    void *cls;
};

static int row_household(void *cls, const struct db_row *row)
{
    struct emit *e = cls;
    struct db_household h = {
        .id = db_col_int(row, 0), .grid_code = db_col_text(row, 1),
        .address_area = db_col_text(row, 2), .head_name = db_col_text(row, 4),
        .members = db_col_int(row, 7), .tags = db_col_text(row, 8),
        .created_at = db_col_int(row, 9), .updated_at = db_col_int(row, 10),
        .version = db_col_int(row, 11),
    };
    h.address_detail = db_col_blob(row, 3, &h.address_detail_len);
    h.head_id_number = db_col_blob(row, 5, &h.head_id_number_len);
    h.phone = db_col_blob(row, 6, &h.phone_len);
    return e->fn(e->cls, &h);
}

int db_households_list(struct db_conn *c, const struct db_household_filter *f,
                       db_household_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    /* Up to DB_MAX_SCOPES prefixes; an unused one is NULL and matches nothing. */
    return db_query(
        c,
        "SELECT " HH_COLS " WHERE h.id > $1"
        " AND (substr(h.grid_code, 1, length($2)) = $2 OR substr(h.grid_code, 1, length($3)) = $3"
        "  OR substr(h.grid_code, 1, length($4)) = $4 OR substr(h.grid_code, 1, length($5)) = $5"
        "  OR h.id IN (SELECT household_id FROM party_links WHERE user_id = $6))"
        " AND ($7 IS NULL OR substr(h.grid_code, 1, length($7)) = $7)"
        " AND ($8 IS NULL OR instr(h.head_name, $8) > 0)"
        " ORDER BY h.id LIMIT $9",
        DB_ARGS(DB_INT(f->after_id), DB_TEXT(f->scopes[0]), DB_TEXT(f->scopes[1]),
                DB_TEXT(f->scopes[2]), DB_TEXT(f->scopes[3]), DB_INT(f->linked_user),
                DB_TEXT(f->region), DB_TEXT(f->name), DB_INT(f->limit)),
        row_household, &e);
}

int db_household_get(struct db_conn *c, int64_t id, db_household_fn fn, void *cls)
{
    struct emit e = {fn, cls};
    return db_query(c, "SELECT " HH_COLS " WHERE h.id = $1", DB_ARGS(DB_INT(id)), row_household,
                    &e);
}

static struct db_param blob_or_null(const void *p, size_t n)
{
    return p ? DB_BLOB(p, n) : DB_NULLP;
}

int db_household_insert(struct db_conn *c, const struct db_household *h, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO households (grid_code, address_area, address_detail, head_name,"
        " head_id_number, phone, members, tags, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        DB_ARGS(DB_TEXT(h->grid_code), DB_TEXT(h->address_area),
                blob_or_null(h->address_detail, h->address_detail_len), DB_TEXT(h->head_name),
                blob_or_null(h->head_id_number, h->head_id_number_len),
                blob_or_null(h->phone, h->phone_len), DB_INT(h->members),
                DB_TEXT(h->tags ? h->tags : "[]"), DB_INT(now)),
        id);
}

int db_party_linked(struct db_conn *c, int64_t user_id, int64_t household_id)
{
    int64_t n = 0;
    int rc = db_query_int(c,
                          "SELECT count(*) FROM party_links WHERE user_id = $1 AND household_id = $2",
                          DB_ARGS(DB_INT(user_id), DB_INT(household_id)), &n);
    return rc < 0 ? rc : n > 0;
}

int db_party_link(struct db_conn *c, int64_t user_id, int64_t household_id, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO party_links (user_id, household_id, created_at) VALUES ($1, $2, $3)"
                   " ON CONFLICT DO NOTHING",
                   DB_ARGS(DB_INT(user_id), DB_INT(household_id), DB_INT(now)));
}

int db_pii_log(struct db_conn *c, int64_t user_id, const char *subject, int64_t subject_id,
               const char *fields, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO pii_access_log (user_id, subject, subject_id, fields, created_at)"
                   " VALUES ($1, $2, $3, $4, $5)",
                   DB_ARGS(DB_INT(user_id), DB_TEXT(subject), DB_INT(subject_id), DB_TEXT(fields),
                           DB_INT(now)));
}

int db_household_update(struct db_conn *c, int64_t id, int64_t if_version,
                        const struct db_household_patch *p, int64_t now)
{
    return db_exec(
        c,
        "UPDATE households SET"
        " address_area = CASE WHEN $3 THEN $4 ELSE address_area END,"
        " address_detail = CASE WHEN $5 THEN $6 ELSE address_detail END,"
        " head_name = CASE WHEN $7 THEN $8 ELSE head_name END,"
        " head_id_number = CASE WHEN $9 THEN $10 ELSE head_id_number END,"
        " phone = CASE WHEN $11 THEN $12 ELSE phone END,"
        " members = CASE WHEN $13 THEN $14 ELSE members END,"
        " tags = CASE WHEN $15 THEN $16 ELSE tags END,"
        " updated_at = $17, version = version + 1"
        " WHERE id = $1 AND version = $2",
        DB_ARGS(DB_INT(id), DB_INT(if_version), DB_INT(p->set_area), DB_TEXT(p->address_area),
                DB_INT(p->set_detail), blob_or_null(p->address_detail, p->address_detail_len),
                DB_INT(p->set_head), DB_TEXT(p->head_name), DB_INT(p->set_idn),
                blob_or_null(p->head_id_number, p->head_id_number_len), DB_INT(p->set_phone),
                blob_or_null(p->phone, p->phone_len), DB_INT(p->set_members), DB_INT(p->members),
                DB_INT(p->set_tags), DB_TEXT(p->tags), DB_INT(now)));
}

int db_party_unlink(struct db_conn *c, int64_t user_id, int64_t household_id)
{
    return db_exec(c, "DELETE FROM party_links WHERE user_id = $1 AND household_id = $2",
                   DB_ARGS(DB_INT(user_id), DB_INT(household_id)));
}

/*
 * Queries for opinions and ideas (民意/金点子), their counts per channel and
 * region, the timeline shared by opinions and commitments, and the origin
 * of a case that came from an opinion or a visit.
 */
#include "db/driver.h"

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)

#define OPINION_COLS                                                                          \
    "o.id, coalesce(o.author_user_id, 0), o.recorded_by, coalesce(o.decided_by, 0),"          \
    " coalesce(o.case_id, 0), coalesce(o.visit_id, 0), o.code, o.kind, o.channel, o.category,"\
    " o.body, o.region_code, o.author_name, o.state, o.reply, coalesce(o.decided_at, 0),"     \
    " o.created_at, o.updated_at, o.version,"                                                 \
    " coalesce(g.name, r.name, o.region_code), ur.display_name, ud.display_name, k.code"
#define OPINION_FROM                                                                          \
    " FROM opinions o LEFT JOIN regions r ON r.code = o.region_code"                          \
    " LEFT JOIN grids g ON g.code = o.region_code JOIN users ur ON ur.id = o.recorded_by"     \
    " LEFT JOIN users ud ON ud.id = o.decided_by LEFT JOIN cases k ON k.id = o.case_id"

struct emit_opinion {
    db_opinion_fn fn;
    void *cls;
};

static int row_opinion(void *cls, const struct db_row *r)
{
    struct emit_opinion *e = cls;
    struct db_opinion o = {
        .id = db_col_int(r, 0), .author_user_id = db_col_int(r, 1),
        .recorded_by = db_col_int(r, 2), .decided_by = db_col_int(r, 3),
        .case_id = db_col_int(r, 4), .visit_id = db_col_int(r, 5), .code = db_col_text(r, 6),
        .kind = db_col_text(r, 7), .channel = db_col_text(r, 8), .category = db_col_text(r, 9),
        .body = db_col_text(r, 10), .region_code = db_col_text(r, 11),
        .author_name = db_col_text(r, 12), .state = db_col_text(r, 13),
        .reply = db_col_text(r, 14), .decided_at = db_col_int(r, 15),
        .created_at = db_col_int(r, 16), .updated_at = db_col_int(r, 17),
        .version = db_col_int(r, 18), .region_name = db_col_text(r, 19),
        .recorded_by_name = db_col_text(r, 20), .decided_by_name = db_col_text(r, 21),
        .case_code = db_col_text(r, 22),
    };
    return e->fn(e->cls, &o);
}

/* Visibility and narrowing, shared by the list and the counts; $1..$16. */
#define OPINION_WHERE                                                                         \
    " WHERE o.id < $1"                                                                        \
    " AND (substr(o.region_code, 1, length($2)) = $2 OR substr(o.region_code, 1, length($3)) = $3" \
    "  OR substr(o.region_code, 1, length($4)) = $4 OR substr(o.region_code, 1, length($5)) = $5" \
    "  OR o.author_user_id = $6)"                                                             \
    " AND ($7 IS NULL OR o.state = $7) AND ($8 IS NULL OR o.kind = $8)"                       \
    " AND ($9 IS NULL OR o.channel = $9) AND ($10 IS NULL OR o.category = $10)"               \
    " AND ($11 IS NULL OR substr(o.region_code, 1, length($11)) = $11)"                       \
    " AND ($12 = 0 OR o.created_at >= $12) AND ($13 = 0 OR o.created_at < $13)"               \
    " AND ($14 IS NULL OR instr(o.body, $14) > 0 OR o.code = $14)"

#define OPINION_WHERE_ARGS(f)                                                                 \
    DB_INT((f)->before_id ? (f)->before_id : INT64_MAX), DB_TEXT((f)->scopes[0]),             \
        DB_TEXT((f)->scopes[1]), DB_TEXT((f)->scopes[2]), DB_TEXT((f)->scopes[3]),            \
        DB_INT((f)->author), DB_TEXT((f)->state), DB_TEXT((f)->kind), DB_TEXT((f)->channel),  \
        DB_TEXT((f)->category), DB_TEXT((f)->region), DB_INT((f)->from), DB_INT((f)->to),     \
        DB_TEXT((f)->text)

int db_opinions_list(struct db_conn *c, const struct db_opinion_filter *f, db_opinion_fn fn,
                     void *cls)
{
    struct emit_opinion e = {fn, cls};
    return db_query(c,
                    "SELECT " OPINION_COLS OPINION_FROM OPINION_WHERE
                    " ORDER BY o.id DESC LIMIT $15",
                    DB_ARGS(OPINION_WHERE_ARGS(f), DB_INT(f->limit)), row_opinion, &e);
}

int db_opinion_get(struct db_conn *c, int64_t id, db_opinion_fn fn, void *cls)
{
    struct emit_opinion e = {fn, cls};
    return db_query(c, "SELECT " OPINION_COLS OPINION_FROM " WHERE o.id = $1",
                    DB_ARGS(DB_INT(id)), row_opinion, &e);
}

int db_opinion_insert(struct db_conn *c, const struct db_opinion *o, int64_t now, int64_t *id)
{
    return db_query_int(
        c,
        "INSERT INTO opinions (code, kind, channel, category, body, region_code, author_name,"
        " author_user_id, recorded_by, state, visit_id, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $11) RETURNING id",
        DB_ARGS(DB_TEXT(o->code), DB_TEXT(o->kind), DB_TEXT(o->channel), DB_TEXT(o->category),
                DB_TEXT(o->body), DB_TEXT(o->region_code),
                DB_TEXT(o->author_name ? o->author_name : ""), INT_OR_NULL(o->author_user_id),
                DB_INT(o->recorded_by), INT_OR_NULL(o->visit_id), DB_INT(now)),
        id);
}

int db_opinion_save(struct db_conn *c, const struct db_opinion *o, int64_t if_version,
                    int64_t now)
{
    return db_exec(c,
                   "UPDATE opinions SET state = $3, reply = $4, decided_by = $5, decided_at = $6,"
                   " case_id = $7, updated_at = $8, version = version + 1"
                   " WHERE id = $1 AND version = $2",
                   DB_ARGS(DB_INT(o->id), DB_INT(if_version), DB_TEXT(o->state),
                           DB_TEXT(o->reply ? o->reply : ""), INT_OR_NULL(o->decided_by),
                           INT_OR_NULL(o->decided_at), INT_OR_NULL(o->case_id), DB_INT(now)));
}

int db_opinion_count_on(struct db_conn *c, const char *code_prefix, int64_t *n)
{
    return db_query_int(c, "SELECT count(*) FROM opinions WHERE substr(code, 1, length($1)) = $1",
                        DB_ARGS(DB_TEXT(code_prefix)), n);
}

struct emit_count {
    db_count_fn fn;
    void *cls;
};

static int row_count(void *cls, const struct db_row *r)
{
    struct emit_count *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2),
                 db_col_int(r, 3));
}

int db_opinions_stats(struct db_conn *c, const struct db_opinion_filter *f, int key_len,
                      db_count_fn fn, void *cls)
{
    struct emit_count e = {fn, cls};
    if (key_len == 0)
        return db_query(c,
                        "SELECT o.channel, o.channel, o.state, count(*) FROM opinions o"
                        OPINION_WHERE " GROUP BY o.channel, o.state ORDER BY o.channel",
                        DB_ARGS(OPINION_WHERE_ARGS(f)), row_count, &e);
    /* The key names a town (9 digits), village (12) or grid (15); a record
     * made at a higher level than the key keeps its own shorter code. */
    return db_query(c,
                    "SELECT q.k, coalesce(g.name, r.name, q.k), q.state, q.n FROM"
                    " (SELECT substr(o.region_code, 1, $15) AS k, o.state AS state,"
                    "  count(*) AS n FROM opinions o" OPINION_WHERE " GROUP BY 1, 2) q"
                    " LEFT JOIN regions r ON r.code = substr(q.k || '000000000000', 1, 12)"
                    " LEFT JOIN grids g ON g.code = q.k ORDER BY q.k",
                    DB_ARGS(OPINION_WHERE_ARGS(f), DB_INT(key_len)), row_count, &e);
}

struct emit_origin {
    db_origin_fn fn;
    void *cls;
};

static int row_origin(void *cls, const struct db_row *r)
{
    struct emit_origin *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), db_col_int(r, 1), db_col_text(r, 2));
}

int db_case_origin(struct db_conn *c, int64_t case_id, db_origin_fn fn, void *cls)
{
    struct emit_origin e = {fn, cls};
    return db_query(c,
                    "SELECT 'opinion', id, code FROM opinions WHERE case_id = $1"
                    " UNION ALL SELECT 'visit', id, '' FROM visits WHERE case_id = $1",
                    DB_ARGS(DB_INT(case_id)), row_origin, &e);
}

/* ---- the timeline of opinions and commitments ---- */

static int event_insert(struct db_conn *c, const char *subject, const struct db_event *e)
{
    return db_exec(c,
                   "INSERT INTO participation_events (subject, subject_id, at, actor_user_id,"
                   " action, from_state, to_state, note, data) VALUES ($1, $2, $3, $4, $5, $6,"
                   " $7, $8, $9)",
                   DB_ARGS(DB_STR(subject), DB_INT(e->subject_id), DB_INT(e->at),
                           INT_OR_NULL(e->actor_user_id), DB_TEXT(e->action),
                           DB_TEXT(e->from_state), DB_TEXT(e->to_state),
                           DB_TEXT(e->note ? e->note : ""), DB_TEXT(e->data ? e->data : "{}")));
}

int db_opinion_event_insert(struct db_conn *c, const struct db_event *e)
{
    return event_insert(c, "opinion", e);
}

int db_commitment_event_insert(struct db_conn *c, const struct db_event *e)
{
    return event_insert(c, "commitment", e);
}

int db_participation_events(struct db_conn *c, const char *subject, int64_t id, db_event_fn fn,
                            void *cls)
{
    struct db_event_emit e = {fn, cls};
    return db_query(c,
                    "SELECT e.id, e.subject_id, e.at, coalesce(e.actor_user_id, 0), u.display_name,"
                    " e.action, e.from_state, e.to_state, e.note, e.data FROM participation_events e"
                    " LEFT JOIN users u ON u.id = e.actor_user_id"
                    " WHERE e.subject = $1 AND e.subject_id = $2 ORDER BY e.id",
                    DB_ARGS(DB_STR(subject), DB_INT(id)), db_event_row, &e);
}

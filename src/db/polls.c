/*
 * Queries for votes of a region's residents: polls on livelihood projects
 * (百姓点菜: polls, poll_options, poll_ballots, poll_picks) and evaluations
 * of cadres (群众评议: evaluations, evaluation_targets, evaluation_ballots,
 * evaluation_grades). Both have one ballot per resident, enforced by a
 * unique key; results are counted from the ballots.
 */
#include "db/driver.h"

#define INT_OR_NULL(x) ((x) ? DB_INT(x) : DB_NULLP)
#define BY_KIND(k, poll_sql, eval_sql) ((k) == DB_POLL ? (poll_sql) : (eval_sql))

#define POLL_COLS                                                                             \
    "p.id, p.created_by, coalesce(p.closed_by, 0), p.max_picks, p.top_n, 0, 0, p.title,"      \
    " p.description, p.region_code, p.region_prefix, p.results, p.opens_at, p.closes_at,"     \
    " coalesce(p.closed_at, 0), p.created_at, p.updated_at, p.version, r.name,"               \
    " (SELECT count(*) FROM poll_ballots b WHERE b.poll_id = p.id)"                           \
    " FROM polls p JOIN regions r ON r.code = p.region_code"
#define EVAL_COLS                                                                             \
    "p.id, p.created_by, coalesce(p.closed_by, 0), 0, 0, p.period_from, p.period_to, p.title," \
    " '', p.region_code, p.region_prefix, p.results, p.opens_at, p.closes_at,"                \
    " coalesce(p.closed_at, 0), p.created_at, p.updated_at, p.version, r.name,"               \
    " (SELECT count(*) FROM evaluation_ballots b WHERE b.evaluation_id = p.id)"               \
    " FROM evaluations p JOIN regions r ON r.code = p.region_code"

struct emit_vote {
    db_vote_fn fn;
    void *cls;
};

static int row_vote(void *cls, const struct db_row *r)
{
    struct emit_vote *e = cls;
    struct db_vote v = {
        .id = db_col_int(r, 0), .created_by = db_col_int(r, 1), .closed_by = db_col_int(r, 2),
        .max_picks = db_col_int(r, 3), .top_n = db_col_int(r, 4),
        .period_from = db_col_int(r, 5), .period_to = db_col_int(r, 6),
        .title = db_col_text(r, 7), .description = db_col_text(r, 8),
        .region_code = db_col_text(r, 9), .region_prefix = db_col_text(r, 10),
        .results = db_col_text(r, 11), .opens_at = db_col_int(r, 12),
        .closes_at = db_col_int(r, 13), .closed_at = db_col_int(r, 14),
        .created_at = db_col_int(r, 15), .updated_at = db_col_int(r, 16),
        .version = db_col_int(r, 17), .region_name = db_col_text(r, 18),
        .ballots = db_col_int(r, 19),
    };
    return e->fn(e->cls, &v);
}

/* $1 cursor, $2 near, $3 phase, $4 now, $5 limit */
#define VOTE_WHERE                                                                            \
    " WHERE p.id < $1 AND ($2 IS NULL OR substr($2, 1, length(p.region_prefix)) = p.region_prefix" \
    "  OR substr(p.region_code, 1, length($2)) = $2)"                                         \
    " AND ($3 IS NULL"                                                                        \
    "  OR ($3 = 'upcoming' AND p.closed_at IS NULL AND p.opens_at > $4)"                      \
    "  OR ($3 = 'open' AND p.closed_at IS NULL AND p.opens_at <= $4 AND p.closes_at > $4)"    \
    "  OR ($3 = 'closed' AND (p.closed_at IS NOT NULL OR p.closes_at <= $4)))"                \
    " ORDER BY p.id DESC LIMIT $5"

int db_votes_list(struct db_conn *c, enum db_vote_kind k, const char *near, const char *phase,
                  int64_t now, int64_t before_id, int64_t limit, db_vote_fn fn, void *cls)
{
    struct emit_vote e = {fn, cls};
    return db_query(c, BY_KIND(k, "SELECT " POLL_COLS VOTE_WHERE, "SELECT " EVAL_COLS VOTE_WHERE),
                    DB_ARGS(DB_INT(before_id ? before_id : INT64_MAX), DB_TEXT(near),
                            DB_TEXT(phase), DB_INT(now), DB_INT(limit)),
                    row_vote, &e);
}

int db_vote_get(struct db_conn *c, enum db_vote_kind k, int64_t id, db_vote_fn fn, void *cls)
{
    struct emit_vote e = {fn, cls};
    return db_query(c,
                    BY_KIND(k, "SELECT " POLL_COLS " WHERE p.id = $1",
                            "SELECT " EVAL_COLS " WHERE p.id = $1"),
                    DB_ARGS(DB_INT(id)), row_vote, &e);
}

int db_vote_insert(struct db_conn *c, enum db_vote_kind k, const struct db_vote *v, int64_t now,
                   int64_t *id)
{
    if (k == DB_POLL)
        return db_query_int(
            c,
            "INSERT INTO polls (title, description, region_code, region_prefix, opens_at,"
            " closes_at, max_picks, top_n, created_by, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            DB_ARGS(DB_TEXT(v->title), DB_TEXT(v->description ? v->description : ""),
                    DB_TEXT(v->region_code), DB_TEXT(v->region_prefix), DB_INT(v->opens_at),
                    DB_INT(v->closes_at), DB_INT(v->max_picks), DB_INT(v->top_n),
                    DB_INT(v->created_by), DB_INT(now)),
            id);
    return db_query_int(
        c,
        "INSERT INTO evaluations (title, region_code, region_prefix, period_from, period_to,"
        " opens_at, closes_at, created_by, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        DB_ARGS(DB_TEXT(v->title), DB_TEXT(v->region_code), DB_TEXT(v->region_prefix),
                DB_INT(v->period_from), DB_INT(v->period_to), DB_INT(v->opens_at),
                DB_INT(v->closes_at), DB_INT(v->created_by), DB_INT(now)),
        id);
}

int db_vote_close(struct db_conn *c, enum db_vote_kind k, int64_t id, int64_t if_version,
                  int64_t by, const char *results, int64_t now)
{
    return db_exec(c,
                   BY_KIND(k,
                           "UPDATE polls SET closed_at = $5, closed_by = $3, results = $4,"
                           " updated_at = $5, version = version + 1"
                           " WHERE id = $1 AND version = $2 AND closed_at IS NULL",
                           "UPDATE evaluations SET closed_at = $5, closed_by = $3, results = $4,"
                           " updated_at = $5, version = version + 1"
                           " WHERE id = $1 AND version = $2 AND closed_at IS NULL"),
                   DB_ARGS(DB_INT(id), DB_INT(if_version), INT_OR_NULL(by), DB_TEXT(results),
                           DB_INT(now)));
}

int db_votes_due(struct db_conn *c, enum db_vote_kind k, int64_t now, int64_t limit,
                 db_vote_fn fn, void *cls)
{
    struct emit_vote e = {fn, cls};
    return db_query(c,
                    BY_KIND(k,
                            "SELECT " POLL_COLS " WHERE p.closed_at IS NULL AND p.closes_at <= $1"
                            " ORDER BY p.closes_at LIMIT $2",
                            "SELECT " EVAL_COLS " WHERE p.closed_at IS NULL AND p.closes_at <= $1"
                            " ORDER BY p.closes_at LIMIT $2"),
                    DB_ARGS(DB_INT(now), DB_INT(limit)), row_vote, &e);
}

int db_ballot_insert(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                     int64_t now, int64_t *id)
{
    return db_query_int(c,
                        BY_KIND(k,
                                "INSERT INTO poll_ballots (poll_id, voter_user_id, created_at)"
                                " VALUES ($1, $2, $3) RETURNING id",
                                "INSERT INTO evaluation_ballots (evaluation_id, voter_user_id,"
                                " created_at) VALUES ($1, $2, $3) RETURNING id"),
                        DB_ARGS(DB_INT(vote_id), DB_INT(voter), DB_INT(now)), id);
}

int db_ballot_of(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                 int64_t *id)
{
    return db_query_int(c,
                        BY_KIND(k,
                                "SELECT id FROM poll_ballots WHERE poll_id = $1"
                                " AND voter_user_id = $2",
                                "SELECT id FROM evaluation_ballots WHERE evaluation_id = $1"
                                " AND voter_user_id = $2"),
                        DB_ARGS(DB_INT(vote_id), DB_INT(voter)), id);
}

struct emit_item {
    db_vote_item_fn fn;
    void *cls;
};

static int row_item(void *cls, const struct db_row *r)
{
    struct emit_item *e = cls;
    struct db_vote_item it = {
        .id = db_col_int(r, 0), .position = db_col_int(r, 1), .user_id = db_col_int(r, 2),
        .dept_id = db_col_int(r, 3), .votes = db_col_int(r, 4), .votes2 = db_col_int(r, 5),
        .votes3 = db_col_int(r, 6), .title = db_col_text(r, 7),
        .description = db_col_text(r, 8), .picked = db_col_int(r, 9) != 0,
    };
    return e->fn(e->cls, &it);
}

int db_vote_items(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                  db_vote_item_fn fn, void *cls)
{
    struct emit_item e = {fn, cls};
    return db_query(
        c,
        BY_KIND(k,
                "SELECT o.id, o.position, 0, 0,"
                " (SELECT count(*) FROM poll_picks k WHERE k.poll_id = $1 AND k.option_id = o.id),"
                " 0, 0, o.title, o.description,"
                " EXISTS (SELECT 1 FROM poll_picks k JOIN poll_ballots b ON b.id = k.ballot_id"
                "  WHERE k.option_id = o.id AND b.voter_user_id = $2)"
                " FROM poll_options o WHERE o.poll_id = $1 ORDER BY o.position",
                "SELECT t.id, t.position, coalesce(t.user_id, 0), coalesce(t.dept_id, 0),"
                " count(CASE WHEN gr.grade = 'satisfied' THEN 1 END),"
                " count(CASE WHEN gr.grade = 'basically_satisfied' THEN 1 END),"
                " count(CASE WHEN gr.grade = 'dissatisfied' THEN 1 END),"
                " coalesce(u.display_name, d.name), CASE WHEN t.user_id IS NULL THEN 'dept'"
                " ELSE 'user' END, max(CASE WHEN b.voter_user_id = $2 THEN 1 ELSE 0 END)"
                " FROM evaluation_targets t"
                " LEFT JOIN evaluation_grades gr ON gr.evaluation_id = $1 AND gr.target_id = t.id"
                " LEFT JOIN evaluation_ballots b ON b.id = gr.ballot_id"
                " LEFT JOIN users u ON u.id = t.user_id LEFT JOIN departments d ON d.id = t.dept_id"
                " WHERE t.evaluation_id = $1 GROUP BY t.id, t.position, t.user_id, t.dept_id,"
                " u.display_name, d.name ORDER BY t.position"),
        DB_ARGS(DB_INT(vote_id), DB_INT(voter)), row_item, &e);
}

int db_poll_option_insert(struct db_conn *c, int64_t poll_id, int64_t position,
                          const char *title, const char *description)
{
    return db_exec(c,
                   "INSERT INTO poll_options (poll_id, position, title, description)"
                   " VALUES ($1, $2, $3, $4)",
                   DB_ARGS(DB_INT(poll_id), DB_INT(position), DB_TEXT(title),
                           DB_TEXT(description ? description : "")));
}

int db_poll_pick_insert(struct db_conn *c, int64_t ballot_id, int64_t poll_id, int64_t option_id)
{
    return db_exec(c, "INSERT INTO poll_picks (ballot_id, poll_id, option_id) VALUES ($1, $2, $3)",
                   DB_ARGS(DB_INT(ballot_id), DB_INT(poll_id), DB_INT(option_id)));
}

int db_evaluation_target_insert(struct db_conn *c, int64_t eval_id, int64_t position,
                                int64_t user_id, int64_t dept_id)
{
    return db_exec(c,
                   "INSERT INTO evaluation_targets (evaluation_id, position, user_id, dept_id)"
                   " VALUES ($1, $2, $3, $4)",
                   DB_ARGS(DB_INT(eval_id), DB_INT(position), INT_OR_NULL(user_id),
                           INT_OR_NULL(dept_id)));
}

int db_evaluation_grade_insert(struct db_conn *c, int64_t ballot_id, int64_t eval_id,
                               int64_t target_id, const char *grade)
{
    return db_exec(c,
                   "INSERT INTO evaluation_grades (ballot_id, evaluation_id, target_id, grade)"
                   " VALUES ($1, $2, $3, $4)",
                   DB_ARGS(DB_INT(ballot_id), DB_INT(eval_id), DB_INT(target_id),
                           DB_TEXT(grade)));
}

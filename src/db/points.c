/*
 * Queries for points (积分): the rules an admin changed, the cadres of a
 * region, and the deeds each rule counts, read straight from history
 * (visits, cases and their timeline, errands and theirs, commitments). A
 * case's "handler" is whoever last reported it handled (handle or
 * self_handle); an errand's is its agent.
 */
#include "db/driver.h"

struct emit_rule {
    db_point_rule_fn fn;
    void *cls;
};

static int row_rule(void *cls, const struct db_row *r)
{
    struct emit_rule *e = cls;
    return e->fn(e->cls, db_col_text(r, 0), db_col_int(r, 1), (int)db_col_int(r, 2),
                 db_col_int(r, 3));
}

int db_point_rules(struct db_conn *c, db_point_rule_fn fn, void *cls)
{
    struct emit_rule e = {fn, cls};
    return db_query(c, "SELECT code, points, active, version FROM point_rules ORDER BY code",
                    DB_NOARGS, row_rule, &e);
}

int db_point_rule_put(struct db_conn *c, const char *code, int64_t points, int active,
                      int64_t if_version, int64_t now)
{
    if (if_version == 0)
        return db_exec(c,
                       "INSERT INTO point_rules (code, points, active, created_at, updated_at)"
                       " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (code) DO NOTHING",
                       DB_ARGS(DB_TEXT(code), DB_INT(points), DB_INT(active), DB_INT(now)));
    return db_exec(c,
                   "UPDATE point_rules SET points = $2, active = $3, updated_at = $5,"
                   " version = version + 1 WHERE code = $1 AND version = $4",
                   DB_ARGS(DB_TEXT(code), DB_INT(points), DB_INT(active), DB_INT(if_version),
                           DB_INT(now)));
}

struct emit_member {
    db_member_fn fn;
    void *cls;
};

static int row_member(void *cls, const struct db_row *r)
{
    struct emit_member *e = cls;
    return e->fn(e->cls, db_col_int(r, 0), db_col_text(r, 1), db_col_text(r, 2),
                 db_col_text(r, 3));
}

int db_region_members(struct db_conn *c, const char *prefix, const char *role, db_member_fn fn,
                      void *cls)
{
    struct emit_member e = {fn, cls};
    /* One row per user: their first qualifying assignment names role and region. */
    return db_query(c,
                    "SELECT u.id, u.display_name, ra.role, ra.region_code FROM users u"
                    " JOIN role_assignments ra ON ra.id = (SELECT min(a.id) FROM role_assignments a"
                    "  WHERE a.user_id = u.id AND a.role <> 'resident'"
                    "  AND ($2 IS NULL OR a.role = $2)"
                    "  AND substr(coalesce(a.region_code, ''), 1, length($1)) = $1)"
                    " WHERE u.active = 1 ORDER BY u.id",
                    DB_ARGS(DB_TEXT(prefix), DB_TEXT(role)), row_member, &e);
}

struct emit_deed {
    db_deed_fn fn;
    void *cls;
};

static int row_deed(void *cls, const struct db_row *r)
{
    struct emit_deed *e = cls;
    return e->fn(e->cls, db_col_int(r, 0), db_col_text(r, 1), db_col_int(r, 2));
}

/* The handler of case k: who last reported it handled. */
#define CASE_HANDLER                                                                          \
    "(SELECT e.actor_user_id FROM case_events e WHERE e.case_id = k.id"                      \
    " AND e.action IN ('handle', 'self_handle') ORDER BY e.id DESC LIMIT 1)"

int db_points_deeds(struct db_conn *c, int64_t from, int64_t to, db_deed_fn fn, void *cls)
{
    struct emit_deed e = {fn, cls};
    return db_query(
        c,
        "SELECT u, rule, count(*) FROM ("
        /* a visit logged */
        " SELECT v.visitor_user_id AS u, 'visit_logged' AS rule FROM visits v"
        "  WHERE v.visited_at >= $1 AND v.visited_at < $2"
        /* a case reported and not turned away */
        " UNION ALL SELECT k.reporter_user_id, 'case_reported' FROM cases k"
        "  WHERE k.created_at >= $1 AND k.created_at < $2 AND k.reporter_user_id IS NOT NULL"
        "  AND k.state NOT IN ('rejected', 'merged')"
        /* a case closed: on time, or after going overdue */
        " UNION ALL SELECT " CASE_HANDLER ", CASE WHEN k.overdue = 1 THEN 'case_overdue'"
        "  ELSE 'case_closed_on_time' END FROM cases k"
        "  WHERE k.closed_at >= $1 AND k.closed_at < $2 AND k.state = 'closed'"
        /* a case the resident rated 不满意 */
        " UNION ALL SELECT " CASE_HANDLER ", 'case_unsatisfied' FROM cases k"
        "  WHERE k.rated_at >= $1 AND k.rated_at < $2 AND k.rating = 'dissatisfied'"
        /* an errand the resident signed off, or one flagged overdue */
        " UNION ALL SELECT coalesce(er.agent_user_id, er.registered_by),"
        "  CASE WHEN ev.action = 'confirm' THEN 'errand_confirmed' ELSE 'errand_overdue' END"
        "  FROM errand_events ev JOIN errands er ON er.id = ev.errand_id"
        "  WHERE ev.action IN ('confirm', 'overdue') AND ev.at >= $1 AND ev.at < $2"
        /* a commitment reviewed as kept */
        " UNION ALL SELECT m.owner_user_id, 'commitment_kept' FROM commitments m"
        "  WHERE m.state = 'kept' AND m.reviewed_at >= $1 AND m.reviewed_at < $2"
        "  AND m.owner_user_id IS NOT NULL"
        /* a commitment failed at review, or gone overdue, in the period (once) */
        " UNION ALL SELECT m.owner_user_id, 'commitment_failed' FROM commitments m"
        "  WHERE m.owner_user_id IS NOT NULL AND ((m.state = 'failed' AND m.reviewed_at >= $1"
        "  AND m.reviewed_at < $2) OR EXISTS (SELECT 1 FROM participation_events pe"
        "  WHERE pe.subject = 'commitment' AND pe.subject_id = m.id AND pe.action = 'overdue'"
        "  AND pe.at >= $1 AND pe.at < $2))"
        ") WHERE u IS NOT NULL GROUP BY u, rule ORDER BY u, rule",
        DB_ARGS(DB_INT(from), DB_INT(to)), row_deed, &e);
}

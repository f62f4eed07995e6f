/*
 * The role x action table and the scope rules; see authz.h.
 */
#include "core/authz.h"
#include "core/region.h"

#include <string.h>

static const char *const names[ROLE__COUNT] = {
    "resident", "grid_worker", "party_member", "agent", "dispatcher", "dept_staff",
    "dept_head", "supervisor", "leader", "auditor", "admin",
};

#define A(x) (UINT64_C(1) << (x))
#define CASE_ALL (A(ACT_CASE_READ) | A(ACT_CASE_COMMENT))
#define ERRAND_DESK (A(ACT_ERRAND_READ) | A(ACT_ERRAND_REGISTER) | A(ACT_ERRAND_HANDLE) | \
                     A(ACT_ERRAND_CONFIRM))
/* Staff who hear residents: they read and record opinions, log visits,
 * report on commitments they own and see the points rankings. */
#define HEARING (A(ACT_PUBLIC_READ) | A(ACT_OPINION_READ) | A(ACT_OPINION_RECORD) | \
                 A(ACT_VISIT_READ) | A(ACT_VISIT_WRITE) | A(ACT_COMMITMENT_REPORT) |  \
                 A(ACT_POINTS_READ))
/* What each role may do, within its scope. */
_Static_assert(ACT__COUNT <= 64, "the role table holds 64 actions");
static const uint64_t can[ROLE__COUNT] = {
    /* Residents reach only the cases they reported themselves (see link_only). */
    [ROLE_RESIDENT] = A(ACT_TERRITORY_READ) | CASE_ALL | A(ACT_CASE_REPORT) | A(ACT_CASE_VERIFY) |
                      A(ACT_CASE_RATE) | A(ACT_ERRAND_READ) | A(ACT_ERRAND_CONFIRM) |
                      A(ACT_PUBLIC_READ) | A(ACT_OPINION_READ) | A(ACT_OPINION_RECORD) |
                      A(ACT_POLL_VOTE) | A(ACT_EVAL_VOTE) | A(ACT_ERRAND_REGISTER),
    [ROLE_GRID_WORKER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | A(ACT_HOUSEHOLD_WRITE) |
                         A(ACT_PII_UNMASK) | CASE_ALL | A(ACT_CASE_REPORT) | A(ACT_CASE_ACCEPT) |
                         A(ACT_CASE_SELF) | A(ACT_CASE_VERIFY) | A(ACT_CASE_ESCALATE) |
                         A(ACT_CASE_RATE) | A(ACT_ERRAND_READ) | A(ACT_ERRAND_REGISTER) | HEARING,
    /* A party member reads only the households linked to them and the cases
     * they reported. */
    [ROLE_PARTY_MEMBER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | CASE_ALL |
                          A(ACT_CASE_REPORT) | A(ACT_CASE_RATE) | HEARING,
    [ROLE_AGENT] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | A(ACT_PII_UNMASK) | CASE_ALL |
                   A(ACT_CASE_REPORT) | A(ACT_CASE_RATE) | ERRAND_DESK | HEARING,
    [ROLE_DISPATCHER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | CASE_ALL |
                        A(ACT_CASE_REPORT) | A(ACT_CASE_ACCEPT) | A(ACT_CASE_TRIAGE) |
                        A(ACT_CASE_VERIFY) | A(ACT_CASE_ESCALATE) | A(ACT_CASE_RATE) |
                        ERRAND_DESK | HEARING | A(ACT_OPINION_DECIDE),
    /* Department roles report on their department's commitments. */
    [ROLE_DEPT_STAFF] = A(ACT_TERRITORY_READ) | CASE_ALL | A(ACT_CASE_WORK) | A(ACT_ERRAND_READ) |
                        A(ACT_PUBLIC_READ) | A(ACT_COMMITMENT_REPORT) | A(ACT_POINTS_READ),
    [ROLE_DEPT_HEAD] = A(ACT_TERRITORY_READ) | CASE_ALL | A(ACT_CASE_WORK) | A(ACT_CASE_ESCALATE) |
                       A(ACT_ERRAND_READ) | A(ACT_PUBLIC_READ) | A(ACT_COMMITMENT_REPORT) |
                       A(ACT_POINTS_READ),
    [ROLE_SUPERVISOR] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | CASE_ALL |
                        A(ACT_CASE_SUPERVISE) | A(ACT_ERRAND_READ) | A(ACT_PUBLIC_READ) |
                        A(ACT_OPINION_READ) | A(ACT_COMMITMENT_REVIEW) | A(ACT_VISIT_READ) |
                        A(ACT_POINTS_READ),
    /* Leaders decide on opinions, open polls and evaluations, publish and
     * review commitments; like every cadre they also visit households. */
    [ROLE_LEADER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | CASE_ALL | A(ACT_ERRAND_READ) |
                    HEARING | A(ACT_OPINION_DECIDE) | A(ACT_POLL_MANAGE) |
                    A(ACT_COMMITMENT_MANAGE) | A(ACT_COMMITMENT_REVIEW) | A(ACT_EVAL_MANAGE),
    [ROLE_AUDITOR] = A(ACT_TERRITORY_READ) | A(ACT_USER_READ) | A(ACT_AUDIT_READ) |
                     A(ACT_CASE_READ) | A(ACT_ERRAND_READ) | A(ACT_PUBLIC_READ) |
                     A(ACT_OPINION_READ) | A(ACT_VISIT_READ) | A(ACT_POINTS_READ),
    /* Admins manage data and people but do not see personal data in full:
     * unmasking is its own permission, held by those who visit and call. */
    [ROLE_ADMIN] = A(ACT_TERRITORY_READ) | A(ACT_TERRITORY_WRITE) | A(ACT_CATEGORY_WRITE) |
                   A(ACT_HOUSEHOLD_READ) | A(ACT_HOUSEHOLD_WRITE) | A(ACT_PARTY_LINK_WRITE) |
                   A(ACT_USER_READ) | A(ACT_USER_WRITE) | A(ACT_AUDIT_READ) | A(ACT_CASE_READ) |
                   A(ACT_CALENDAR_WRITE) | A(ACT_SERVICE_WRITE) | A(ACT_ERRAND_READ) |
                   A(ACT_PUBLIC_READ) | A(ACT_OPINION_READ) | A(ACT_POLL_MANAGE) |
                   A(ACT_COMMITMENT_MANAGE) | A(ACT_COMMITMENT_REPORT) | A(ACT_VISIT_READ) |
                   A(ACT_POINTS_READ) | A(ACT_POINTS_WRITE) | A(ACT_EVAL_MANAGE),
};

/* Role and action pairs that reach only things the caller is personally
 * linked to (the households a party member looks after, the cases a
 * resident or party member reported). */
bool authz_link_only(enum role r, enum action a)
{
    /* Whoever wrote a case down for a resident may pass on the resident's
     * rating of it (grid workers, party members and agents rate only the
     * cases they reported). */
    if (a == ACT_CASE_RATE && (r == ROLE_GRID_WORKER || r == ROLE_AGENT || r == ROLE_PARTY_MEMBER))
        return true;
    /* Commitments are reported on by their owner (or, for department
     * roles, by the owning department; leaders and admins by region). */
    if (a == ACT_COMMITMENT_REPORT && (r == ROLE_GRID_WORKER || r == ROLE_AGENT ||
                                       r == ROLE_DISPATCHER || r == ROLE_PARTY_MEMBER))
        return true;
    if (r == ROLE_PARTY_MEMBER)
        return a == ACT_HOUSEHOLD_READ || a == ACT_CASE_READ || a == ACT_CASE_COMMENT ||
               a == ACT_VISIT_READ || a == ACT_VISIT_WRITE;
    if (r == ROLE_RESIDENT)
        return a != ACT_TERRITORY_READ && a != ACT_CASE_REPORT && a != ACT_PUBLIC_READ &&
               a != ACT_OPINION_RECORD && a != ACT_POLL_VOTE && a != ACT_EVAL_VOTE &&
               a != ACT_ERRAND_REGISTER;
    return false;
}

/* Actions that are not limited by the grant's region. */
static const uint64_t unscoped = A(ACT_TERRITORY_READ) | A(ACT_PUBLIC_READ);
#undef A
#undef CASE_ALL
#undef ERRAND_DESK
#undef HEARING

const char *role_name(enum role r) { return r < ROLE__COUNT ? names[r] : "unknown"; }

const char *role_name_zh(enum role r)
{
    static const char *const zh[ROLE__COUNT] = {
        "居民", "网格员", "联户党员", "代办员", "指挥中心", "部门工作人员", "部门负责人",
        "督办", "领导", "审计", "管理员",
    };
    return r < ROLE__COUNT ? zh[r] : "?";
}

int role_parse(const char *name)
{
    for (int r = 0; r < ROLE__COUNT; r++)
        if (name && strcmp(name, names[r]) == 0)
            return r;
    return -1;
}

bool role_can(enum role r, enum action a) { return r < ROLE__COUNT && (can[r] >> a) & 1; }

bool role_is_staff(enum role r) { return r != ROLE_RESIDENT && r < ROLE__COUNT; }

static bool in_scope(const struct grant *g, enum action a, const struct target *t)
{
    if ((unscoped >> a) & 1)
        return true;
    if (authz_link_only(g->role, a))
        return t->linked;
    if (g->dept_id && g->dept_id != t->dept_id)
        return false;
    if (!g->region)
        return true;
    return t->region && region_contains(g->region, t->region);
}

enum authz authz_decide(const struct grant *g, size_t n, enum action a, const struct target *t)
{
    bool able = false;
    for (size_t i = 0; i < n; i++) {
        if (!role_can(g[i].role, a))
            continue;
        able = true;
        if (in_scope(&g[i], a, t))
            return AUTHZ_ALLOW;
    }
    return able ? AUTHZ_HIDDEN : AUTHZ_FORBIDDEN;
}

enum authz authz_member_of(const struct grant *g, size_t n, enum action a, const char *region)
{
    bool able = false;
    for (size_t i = 0; i < n; i++) {
        if (!role_can(g[i].role, a))
            continue;
        able = true;
        if (g[i].region && region && region_contains(region, g[i].region))
            return AUTHZ_ALLOW;
    }
    return able ? AUTHZ_HIDDEN : AUTHZ_FORBIDDEN;
}

size_t authz_scopes(const struct grant *g, size_t n, enum action a, const char **out, size_t max,
                    bool *include_linked)
{
    size_t k = 0;
    bool linked = false;
    for (size_t i = 0; i < n; i++) {
        if (!role_can(g[i].role, a))
            continue;
        if (authz_link_only(g[i].role, a)) {
            linked = true;
            continue;
        }
        if (k < max)
            out[k++] = ((unscoped >> a) & 1) ? NULL : g[i].region;
    }
    *include_linked = linked;
    return k;
}

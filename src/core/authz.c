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

#define A(x) (1u << (x))
/* What each role may do, within its scope. */
static const unsigned can[ROLE__COUNT] = {
    [ROLE_RESIDENT] = A(ACT_TERRITORY_READ),
    [ROLE_GRID_WORKER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | A(ACT_HOUSEHOLD_WRITE) |
                         A(ACT_PII_UNMASK),
    /* A party member reads only the households linked to them (see below). */
    [ROLE_PARTY_MEMBER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ),
    [ROLE_AGENT] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ) | A(ACT_PII_UNMASK),
    [ROLE_DISPATCHER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ),
    [ROLE_DEPT_STAFF] = A(ACT_TERRITORY_READ),
    [ROLE_DEPT_HEAD] = A(ACT_TERRITORY_READ),
    [ROLE_SUPERVISOR] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ),
    [ROLE_LEADER] = A(ACT_TERRITORY_READ) | A(ACT_HOUSEHOLD_READ),
    [ROLE_AUDITOR] = A(ACT_TERRITORY_READ) | A(ACT_USER_READ) | A(ACT_AUDIT_READ),
    /* Admins manage data and people but do not see personal data in full:
     * unmasking is its own permission, held by those who visit and call. */
    [ROLE_ADMIN] = A(ACT_TERRITORY_READ) | A(ACT_TERRITORY_WRITE) | A(ACT_CATEGORY_WRITE) |
                   A(ACT_HOUSEHOLD_READ) | A(ACT_HOUSEHOLD_WRITE) | A(ACT_PARTY_LINK_WRITE) |
                   A(ACT_USER_READ) | A(ACT_USER_WRITE) | A(ACT_AUDIT_READ),
};

/* Actions that are not limited by the grant's region. */
static const unsigned unscoped = A(ACT_TERRITORY_READ);
#undef A

const char *role_name(enum role r) { return r < ROLE__COUNT ? names[r] : "unknown"; }

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
    if (g->role == ROLE_PARTY_MEMBER && a == ACT_HOUSEHOLD_READ)
        return t->linked;
    if (g->dept_id && t->dept_id && g->dept_id != t->dept_id)
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

size_t authz_scopes(const struct grant *g, size_t n, enum action a, const char **out, size_t max,
                    bool *include_linked)
{
    size_t k = 0;
    bool linked = false;
    for (size_t i = 0; i < n; i++) {
        if (!role_can(g[i].role, a))
            continue;
        if (g[i].role == ROLE_PARTY_MEMBER && a == ACT_HOUSEHOLD_READ) {
            linked = true;
            continue;
        }
        if (k < max)
            out[k++] = ((unscoped >> a) & 1) ? NULL : g[i].region;
    }
    *include_linked = linked;
    return k;
}

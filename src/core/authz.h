/*
 * Who may do what, where. Every endpoint asks authz_decide() with the
 * caller's role grants, the action and the target's place; the answer is
 * allow, hidden (404: the caller may not even know the thing exists, because
 * their role could act on such things but this one is outside their scope)
 * or forbidden (403: their roles cannot take this action at all).
 */
#ifndef GL_CORE_AUTHZ_H
#define GL_CORE_AUTHZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
    ROLE_RESIDENT, ROLE_GRID_WORKER, ROLE_PARTY_MEMBER, ROLE_AGENT, ROLE_DISPATCHER,
    ROLE_DEPT_STAFF, ROLE_DEPT_HEAD, ROLE_SUPERVISOR, ROLE_LEADER, ROLE_AUDITOR, ROLE_ADMIN,
    ROLE__COUNT
};

enum action {
    ACT_TERRITORY_READ,   /* regions, grids, departments: any signed-in user, anywhere */
    ACT_TERRITORY_WRITE,  /* regions, grids, departments */
    ACT_CATEGORY_WRITE,
    ACT_HOUSEHOLD_READ,
    ACT_HOUSEHOLD_WRITE,
    ACT_PII_UNMASK,       /* see ID numbers, phones, exact addresses in full */
    ACT_PARTY_LINK_WRITE, /* 联户 links */
    ACT_USER_READ,
    ACT_USER_WRITE,
    ACT_AUDIT_READ,       /* the personal-data access log */
    ACT_CASE_READ,        /* see cases: by region; by department for department roles;
                             residents and party members only the cases they reported */
    ACT_CASE_REPORT,      /* write a new case down */
    ACT_CASE_ACCEPT,      /* judge a report valid (dispatchers; grid workers in their grid) */
    ACT_CASE_TRIAGE,      /* reject, merge, dispatch */
    ACT_CASE_WORK,        /* the receiving department: start, handle, return */
    ACT_CASE_SELF,        /* grid worker solves a small case at grid level */
    ACT_CASE_VERIFY,      /* verify or send back for rework */
    ACT_CASE_ESCALATE,
    ACT_CASE_SUPERVISE,   /* 挂牌督办 */
    ACT_CASE_RATE,
    ACT_CASE_COMMENT,
    ACT_CALENDAR_WRITE,   /* working hours, holidays, routing rules */
    ACT_SERVICE_WRITE,    /* the errand service catalog */
    ACT_ERRAND_READ,      /* errands: by region; by the deciding department for department
                             roles; residents only their own */
    ACT_ERRAND_REGISTER,  /* write a resident's request into the red box */
    ACT_ERRAND_HANDLE,    /* accept, submit, complete, notify, cancel, return materials */
    ACT_ERRAND_CONFIRM,   /* the resident's sign-off (with their code or signature) */
    ACT_PUBLIC_READ,      /* polls, public commitments, evaluations: any signed-in user */
    ACT_OPINION_READ,     /* opinions and ideas: by region; residents only their own */
    ACT_OPINION_RECORD,   /* write an opinion or idea down (residents: their own, online) */
    ACT_OPINION_DECIDE,   /* reply, adopt, reject, turn into a case */
    ACT_POLL_MANAGE,      /* open and close polls (百姓点菜) */
    ACT_POLL_VOTE,        /* residents of the poll's region (see authz_member_of) */
    ACT_COMMITMENT_MANAGE,/* publish commitments */
    ACT_COMMITMENT_REPORT,/* progress and completion: the owner, the owning department */
    ACT_COMMITMENT_REVIEW,/* the year-end review */
    ACT_VISIT_READ,
    ACT_VISIT_WRITE,      /* log household visits (party members: linked households) */
    ACT_POINTS_READ,      /* rankings */
    ACT_POINTS_WRITE,     /* the points rule table */
    ACT_EVAL_MANAGE,      /* open evaluations of cadres */
    ACT_EVAL_VOTE,        /* residents of the evaluation's region */
    ACT__COUNT
};

/* One role assignment. region NULL = everywhere; dept_id 0 = any. */
struct grant {
    enum role role;
    const char *region;
    int64_t dept_id;
};

/* Where the thing acted on lives. region NULL = not tied to a place (then
 * only grants with no region reach it, except for unscoped actions).
 * dept_id is the department it belongs to (0 = none); a grant with a
 * department reaches only that department's things. `linked` says whether
 * the caller is personally tied to it: the 联户 party member of a
 * household, the reporter of a case. */
struct target {
    const char *region;
    int64_t dept_id;
    bool linked;
};

enum authz { AUTHZ_ALLOW = 0, AUTHZ_HIDDEN, AUTHZ_FORBIDDEN };

const char *role_name(enum role r);
/* The role as the UI and the ledgers say it: 居民, 网格员, ... */
const char *role_name_zh(enum role r);
/* Returns the role, or -1 for an unknown name. */
int role_parse(const char *name);
/* Whether role r may ever take action a (somewhere). */
bool role_can(enum role r, enum action a);
/* Staff roles may enrol TOTP and are expected to. */
bool role_is_staff(enum role r);

/* Whether role r reaches only things the caller is personally linked to
 * when taking action a (a resident's own cases and errands, the
 * households a party member looks after). */
bool authz_link_only(enum role r, enum action a);

enum authz authz_decide(const struct grant *g, size_t n, enum action a, const struct target *t);

/* For actions a person takes as a member of a region (voting in a poll or
 * an evaluation of it): allowed when a grant that may take a lies inside
 * `region` (a resident of a village votes in its town's poll); hidden when
 * the caller's grants lie elsewhere; forbidden when no role of theirs may. */
enum authz authz_member_of(const struct grant *g, size_t n, enum action a, const char *region);

/* For list queries: the region subtrees where action a is allowed. Writes
 * up to max scope codes (NULL meaning everywhere) and returns how many
 * grants apply; *include_linked is set when a 联户 link also lets the
 * caller in (party members: only the households linked to them). */
size_t authz_scopes(const struct grant *g, size_t n, enum action a, const char **out, size_t max,
                    bool *include_linked);

#endif

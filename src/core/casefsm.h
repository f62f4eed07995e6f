/*
 * The case loop's states and transitions (DESIGN.md, "The case loop").
 * Pure tables: which action leads from which state to which, which
 * permission guards it, and the escalation ladder grid > village > town >
 * county. Names are the API's; the Chinese labels are the UI's.
 */
#ifndef GL_CORE_CASEFSM_H
#define GL_CORE_CASEFSM_H
#include <stdbool.h>

#include "core/authz.h"
#include "core/wtime.h"

enum case_state {
    CS_REPORTED, CS_ACCEPTED, CS_REJECTED, CS_MERGED, CS_DISPATCHED, CS_IN_PROGRESS,
    CS_HANDLED, CS_CLOSED, CS__COUNT
};

enum case_action {
    CA_ACCEPT, CA_REJECT, CA_MERGE, CA_DISPATCH, CA_RETURN, CA_START, CA_HANDLE, CA_SELF_HANDLE,
    CA_VERIFY, CA_REOPEN, CA_ESCALATE, CA_SUPERVISE, CA_RATE, CA_COMMENT, CA__COUNT
};

enum case_level { CL_GRID, CL_VILLAGE, CL_TOWN, CL_COUNTY, CL__COUNT };

enum case_rating { CR_SATISFIED, CR_BASICALLY, CR_DISSATISFIED, CR__COUNT };

#define CASE_REOPEN_DAYS 7        /* 不满意 may reopen within this many days of closing */
#define CASE_RESPONSE_HOURS 2     /* working hours to accept, and to dispatch once accepted */
#define CASE_YELLOW_PERMILLE 800  /* yellow at 80% of a stage's limit */

/* The index of name in names[0..n), or -1 (shared by the state machines). */
int fsm_name_find(const char *const *names, int n, const char *name);

const char *case_state_name(enum case_state s);
const char *case_state_zh(enum case_state s);
int case_state_parse(const char *name);     /* -1 when unknown */
const char *case_action_name(enum case_action a);
int case_action_parse(const char *name);    /* -1 when unknown */
const char *case_level_name(enum case_level l);
int case_level_parse(const char *name);
const char *case_rating_name(enum case_rating r);
int case_rating_parse(const char *name);

/* A terminal state takes no transitions but comments (and, for closed,
 * rating). */
bool case_state_open(enum case_state s);
/* The state after a from s, or -1 when a is not allowed in s. */
int case_next_state(enum case_action a, enum case_state s);
/* The permission that guards a. */
enum action case_permission(enum case_action a);
/* The names of the states a is allowed from, e.g. "reported, accepted". */
const char *case_allowed_from(enum case_action a);

/* ---- the stage clock ------------------------------------------------------------ */

/* A case's clock for its current stage. A stage is the time a level has for
 * the step in front of it: accepting a report, dispatching an accepted case,
 * handling a dispatched one. Times are epoch seconds, 0 = none. */
struct case_clock {
    int64_t started_at, limit_s; /* working seconds the stage has */
    int64_t yellow_at;           /* 0 once yellow, or when untimed */
    int64_t deadline_at;         /* 0 once red, or when untimed */
    int warn;                    /* 0 green, 1 yellow, 2 red */
};

/* Working seconds a case in state s has for its stage, given its handling
 * limit in working hours; 0 when the state is not timed (handled, terminal). */
int64_t case_stage_limit_s(enum case_state s, int64_t limit_hours);
/* Starts a stage at `at` (green). A limit of 0 stops the clock. */
void case_clock_start(struct case_clock *k, const struct wt_calendar *cal, int64_t at,
                      int64_t limit_s);
enum case_tick { CT_NONE = 0, CT_YELLOW = 1, CT_RED = 2 };
/* Brings the clock to `now`: turns yellow and/or red when their instants
 * have come, and says the most severe change (CT_NONE when nothing
 * changed, so a second tick at the same `now` is always CT_NONE). */
enum case_tick case_clock_tick(struct case_clock *k, int64_t now);
/* The level above l, or -1 at the county. */
int case_level_up(enum case_level l);

#endif

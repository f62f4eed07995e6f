/*
 * Case state machine tables; see casefsm.h.
 */
#include "core/casefsm.h"

#include <string.h>

static const char *const state_names[CS__COUNT] = {
    "reported", "accepted", "rejected", "merged", "dispatched", "in_progress", "handled", "closed",
};
static const char *const state_zh[CS__COUNT] = {
    "待受理", "已立案", "不予立案", "已合并", "已派遣", "处置中", "待核查", "已结案",
};
static const char *const action_names[CA__COUNT] = {
    "accept", "reject", "merge", "dispatch", "return", "start", "handle", "self_handle",
    "verify", "reopen", "escalate", "supervise", "rate", "comment",
};
static const char *const level_names[CL__COUNT] = {"grid", "village", "town", "county"};
static const char *const rating_names[CR__COUNT] = {"satisfied", "basically_satisfied",
                                                    "dissatisfied"};

#define S(x) (1u << (x))
#define OPEN (S(CS_REPORTED) | S(CS_ACCEPTED) | S(CS_DISPATCHED) | S(CS_IN_PROGRESS) | S(CS_HANDLED))
#define SAME -1 /* the action leaves the state as it is */

static const struct {
    unsigned from;      /* states it is allowed in */
    int to;             /* next state, or SAME */
    enum action perm;   /* who may */
    const char *from_text;
} table[CA__COUNT] = {
    [CA_ACCEPT] = {S(CS_REPORTED), CS_ACCEPTED, ACT_CASE_ACCEPT, "reported"},
    [CA_REJECT] = {S(CS_REPORTED), CS_REJECTED, ACT_CASE_TRIAGE, "reported"},
    [CA_MERGE] = {S(CS_REPORTED) | S(CS_ACCEPTED), CS_MERGED, ACT_CASE_TRIAGE, "reported, accepted"},
    [CA_DISPATCH] = {S(CS_ACCEPTED), CS_DISPATCHED, ACT_CASE_TRIAGE, "accepted"},
    [CA_RETURN] = {S(CS_DISPATCHED) | S(CS_IN_PROGRESS), CS_ACCEPTED, ACT_CASE_WORK,
                   "dispatched, in_progress"},
    [CA_START] = {S(CS_DISPATCHED), CS_IN_PROGRESS, ACT_CASE_WORK, "dispatched"},
    [CA_HANDLE] = {S(CS_IN_PROGRESS), CS_HANDLED, ACT_CASE_WORK, "in_progress"},
    [CA_SELF_HANDLE] = {S(CS_ACCEPTED), CS_HANDLED, ACT_CASE_SELF, "accepted"},
    [CA_VERIFY] = {S(CS_HANDLED), CS_CLOSED, ACT_CASE_VERIFY, "handled"},
    /* From closed only after a 不满意 rating within CASE_REOPEN_DAYS (the
     * API checks the rating and the window). */
    [CA_REOPEN] = {S(CS_HANDLED) | S(CS_CLOSED), CS_IN_PROGRESS, ACT_CASE_VERIFY, "handled, closed"},
    [CA_ESCALATE] = {S(CS_REPORTED) | S(CS_ACCEPTED) | S(CS_DISPATCHED) | S(CS_IN_PROGRESS), SAME,
                     ACT_CASE_ESCALATE, "reported, accepted, dispatched, in_progress"},
    [CA_SUPERVISE] = {OPEN, SAME, ACT_CASE_SUPERVISE,
                      "reported, accepted, dispatched, in_progress, handled"},
    [CA_RATE] = {S(CS_CLOSED), SAME, ACT_CASE_RATE, "closed"},
    [CA_COMMENT] = {OPEN | S(CS_CLOSED) | S(CS_REJECTED) | S(CS_MERGED), SAME, ACT_CASE_COMMENT,
                    "any"},
};

int fsm_name_find(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (name && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *case_state_name(enum case_state s) { return s < CS__COUNT ? state_names[s] : "?"; }
const char *case_state_zh(enum case_state s) { return s < CS__COUNT ? state_zh[s] : "?"; }
int case_state_parse(const char *name) { return fsm_name_find(state_names, CS__COUNT, name); }
const char *case_action_name(enum case_action a) { return a < CA__COUNT ? action_names[a] : "?"; }
int case_action_parse(const char *name) { return fsm_name_find(action_names, CA__COUNT, name); }
const char *case_level_name(enum case_level l) { return l < CL__COUNT ? level_names[l] : "?"; }
int case_level_parse(const char *name) { return fsm_name_find(level_names, CL__COUNT, name); }
const char *case_rating_name(enum case_rating r) { return r < CR__COUNT ? rating_names[r] : "?"; }
int case_rating_parse(const char *name) { return fsm_name_find(rating_names, CR__COUNT, name); }

bool case_state_open(enum case_state s) { return s < CS__COUNT && ((OPEN >> s) & 1); }

int case_next_state(enum case_action a, enum case_state s)
{
    if (a >= CA__COUNT || s >= CS__COUNT || !((table[a].from >> s) & 1))
        return -1;
    return table[a].to == SAME ? (int)s : table[a].to;
}

enum action case_permission(enum case_action a) { return table[a].perm; }
const char *case_allowed_from(enum case_action a) { return table[a].from_text; }

/* ---- the stage clock ---------------------------------------------------------- */

int64_t case_stage_limit_s(enum case_state s, int64_t limit_hours)
{
    switch (s) {
    case CS_REPORTED:
    case CS_ACCEPTED:
        return CASE_RESPONSE_HOURS * 3600;
    case CS_DISPATCHED:
    case CS_IN_PROGRESS:
        return limit_hours * 3600;
    default:
        return 0;
    }
}

void case_clock_start(struct case_clock *k, const struct wt_calendar *cal, int64_t at,
                      int64_t limit_s)
{
    *k = (struct case_clock){0};
    if (limit_s <= 0)
        return;
    k->started_at = at;
    k->limit_s = limit_s;
    k->yellow_at = wt_add(cal, at, limit_s * CASE_YELLOW_PERMILLE / 1000);
    k->deadline_at = wt_add(cal, at, limit_s);
    if (k->yellow_at == WT_FOREVER || k->deadline_at == WT_FOREVER)
        k->yellow_at = k->deadline_at = 0; /* a calendar that never works never warns */
}

enum case_tick case_clock_tick(struct case_clock *k, int64_t now)
{
    enum case_tick t = CT_NONE;
    if (k->yellow_at && now >= k->yellow_at) {
        k->yellow_at = 0;
        if (k->warn < 1)
            k->warn = 1;
        t = CT_YELLOW;
    }
    if (k->deadline_at && now >= k->deadline_at) {
        k->deadline_at = 0;
        k->yellow_at = 0;
        k->warn = 2;
        t = CT_RED;
    }
    return t;
}

int case_level_up(enum case_level l) { return l + 1 < CL__COUNT ? (int)l + 1 : -1; }

/*
 * Errand state machine tables; see errandfsm.h.
 */
#include "core/errandfsm.h"
#include "core/casefsm.h"

static const char *const state_names[ES__COUNT] = {
    "registered", "accepted", "submitted", "completed", "notified", "confirmed", "cancelled",
};
static const char *const state_zh[ES__COUNT] = {
    "已登记", "已受理", "已报送", "已办结", "已通知", "已签收销号", "已撤销",
};
static const char *const action_names[EA__COUNT] = {
    "accept", "submit", "complete", "notify", "confirm", "cancel", "return_materials",
};

#define S(x) (1u << (x))
#define RED (S(ES_REGISTERED) | S(ES_ACCEPTED) | S(ES_SUBMITTED))
#define SAME -1

static const struct {
    unsigned from;
    int to;
    enum action perm;
    const char *from_text;
} table[EA__COUNT] = {
    [EA_ACCEPT] = {S(ES_REGISTERED), ES_ACCEPTED, ACT_ERRAND_HANDLE, "registered"},
    [EA_SUBMIT] = {S(ES_ACCEPTED), ES_SUBMITTED, ACT_ERRAND_HANDLE, "accepted"},
    [EA_COMPLETE] = {S(ES_SUBMITTED), ES_COMPLETED, ACT_ERRAND_HANDLE, "submitted"},
    /* Again from notified: a new code replaces one that was lost. */
    [EA_NOTIFY] = {S(ES_COMPLETED) | S(ES_NOTIFIED), ES_NOTIFIED, ACT_ERRAND_HANDLE,
                   "completed, notified"},
    [EA_CONFIRM] = {S(ES_NOTIFIED), ES_CONFIRMED, ACT_ERRAND_CONFIRM, "notified"},
    [EA_CANCEL] = {RED, ES_CANCELLED, ACT_ERRAND_HANDLE, "registered, accepted, submitted"},
    /* The API also checks that something received is still held. */
    [EA_RETURN_MATERIALS] = {(S(ES__COUNT) - 1) & ~S(ES_REGISTERED), SAME, ACT_ERRAND_HANDLE,
                             "accepted, submitted, completed, notified, confirmed, cancelled"},
};

const char *errand_state_name(enum errand_state s) { return s < ES__COUNT ? state_names[s] : "?"; }
const char *errand_state_zh(enum errand_state s) { return s < ES__COUNT ? state_zh[s] : "?"; }
int errand_state_parse(const char *name) { return fsm_name_find(state_names, ES__COUNT, name); }
const char *errand_action_name(enum errand_action a)
{
    return a < EA__COUNT ? action_names[a] : "?";
}
int errand_action_parse(const char *name) { return fsm_name_find(action_names, EA__COUNT, name); }

const char *errand_box(enum errand_state s)
{
    if (s >= ES__COUNT)
        return "?";
    if ((RED >> s) & 1)
        return "red";
    return s == ES_CONFIRMED ? "closed" : s == ES_CANCELLED ? "cancelled" : "blue";
}

bool errand_timed(enum errand_state s) { return s < ES__COUNT && ((RED >> s) & 1); }

int errand_next_state(enum errand_action a, enum errand_state s)
{
    if (a >= EA__COUNT || s >= ES__COUNT || !((table[a].from >> s) & 1))
        return -1;
    return table[a].to == SAME ? (int)s : table[a].to;
}

enum action errand_permission(enum errand_action a) { return table[a].perm; }
const char *errand_allowed_from(enum errand_action a) { return table[a].from_text; }

/*
 * The errand (全程代办) state machine (DESIGN.md, "Errands"). A request sits
 * in the red box from registration until the department has done it, in the
 * blue box while the resident is told, and is closed (销号) only by the
 * resident's sign-off. Pure tables; names are the API's, labels the UI's.
 */
#ifndef GL_CORE_ERRANDFSM_H
#define GL_CORE_ERRANDFSM_H
#include <stdbool.h>

#include "core/authz.h"

enum errand_state {
    ES_REGISTERED, ES_ACCEPTED, ES_SUBMITTED, ES_COMPLETED, ES_NOTIFIED, ES_CONFIRMED,
    ES_CANCELLED, ES__COUNT
};

enum errand_action {
    EA_ACCEPT, EA_SUBMIT, EA_COMPLETE, EA_NOTIFY, EA_CONFIRM, EA_CANCEL, EA_RETURN_MATERIALS,
    EA__COUNT
};

#define ERRAND_CODE_DAYS 7       /* a one-time confirmation code lives this long */
#define ERRAND_CODE_TRIES 5      /* wrong codes before it is void */

const char *errand_state_name(enum errand_state s);
const char *errand_state_zh(enum errand_state s);
int errand_state_parse(const char *name);   /* -1 when unknown */
const char *errand_action_name(enum errand_action a);
int errand_action_parse(const char *name);  /* -1 when unknown */

/* "red" (registered, accepted, submitted), "blue" (completed, notified),
 * "closed" (confirmed) or "cancelled". */
const char *errand_box(enum errand_state s);
/* Whether the promised deadline still runs (the red box). */
bool errand_timed(enum errand_state s);
/* The state after a from s, or -1 when a is not allowed in s. */
int errand_next_state(enum errand_action a, enum errand_state s);
enum action errand_permission(enum errand_action a);
/* The names of the states a is allowed from. */
const char *errand_allowed_from(enum errand_action a);

#endif

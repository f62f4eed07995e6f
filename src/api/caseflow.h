/*
 * The case loop's write path, shared by the HTTP handlers (api/cases.c)
 * and the sweep (`gridline sweep`, and `serve` once a minute). Everything
 * here runs inside the caller's write transaction: a change to a case, its
 * timeline entry, its audit row, the inbox notifications and the outbox
 * rows commit together or not at all.
 */
#ifndef GL_API_CASEFLOW_H
#define GL_API_CASEFLOW_H
#include <jansson.h>
#include <stdint.h>

#include "core/casefsm.h"
#include "db/db.h"
#include "events.h"

/* A case loaded for change. k's strings point at copies owned here (or at
 * static names once changed); free with caseflow_free(). */
struct case_rec {
    struct db_case k;
    char *own[16];
    size_t nown;
};

/* Loads case id: 1 when found, 0 when not, < 0 on error. */
int caseflow_load(struct db_conn *c, int64_t id, struct case_rec *out);
void caseflow_free(struct case_rec *rec);

struct case_clock caseflow_clock(const struct db_case *k);
void caseflow_set_clock(struct db_case *k, const struct case_clock *clk);
/* The working-time calendar as stored; *ex must be freed. */
int caseflow_calendar(struct db_conn *c, int offset_min, int64_t now, struct wt_calendar *cal,
                      struct wt_exception **ex);

/* Saves k when the row is still at if_version (0 = the version it was
 * loaded at), and writes the timeline entry and the audit row for
 * `action`. data (borrowed, may be NULL) goes into both. Returns 1 when
 * saved, 0 when the version had moved on, < 0 on error. */
int caseflow_commit(struct db_conn *c, struct db_case *k, int64_t if_version, int64_t actor,
                    const char *action, const char *from_state, const char *note, json_t *data,
                    int64_t now);
/* A timeline entry and audit row that leave the case row alone (comments,
 * the far end of a merge). */
int caseflow_note(struct db_conn *c, const struct db_case *k, int64_t actor, const char *action,
                  const char *note, json_t *data, int64_t now);

/* ---- shared with the errand flow (api/errands.c) ---- */

/* Appends a timeline entry with insert() (ev->data is filled from data)
 * and its audit row "<subject>.<action>" carrying data, the code, from, to,
 * the level (when not NULL) and the note. */
int flow_record(struct db_conn *c, int (*insert)(struct db_conn *, const struct db_event *),
                const char *subject, const struct db_event *ev, const char *code,
                const char *level, json_t *data);

/* A notice about one case or errand: an inbox row and an outbox row for
 * the SMS gateway. Title and body are cut at a character boundary. */
struct flow_notice {
    const char *subject; /* "case", "errand", "opinion", "poll", "commitment", ... */
    int64_t id;
    const char *code, *kind, *title, *body;
    int64_t now;
};
int flow_tell(struct db_conn *c, const struct flow_notice *n, int64_t user_id);
/* Tells the holders of `role` (region exactly `region`, NULL any; dept_id
 * 0 any) but `skip`. Returns how many hold it (skip included), or < 0. */
int flow_tell_role(struct db_conn *c, const struct flow_notice *n, const char *role,
                   const char *region, int64_t dept_id, int64_t skip);

/* Tells the holders of `role` at `code` (a grid or region), or failing
 * that at its village, town or county: the nearest level that has any. */
int flow_tell_nearest(struct db_conn *c, const struct flow_notice *n, const char *role,
                      const char *code, int64_t skip);

/* Tell people about a case: an inbox row each and an outbox row each for
 * the SMS gateway. `skip` (the actor) is not told of their own act. */
int caseflow_tell_user(struct db_conn *c, const struct db_case *k, int64_t user_id,
                       const char *kind, const char *title, int64_t now);
/* Everyone holding `role` for department dept_id (any region). */
int caseflow_tell_dept(struct db_conn *c, const struct db_case *k, int64_t dept_id,
                       const char *role, int64_t skip, const char *kind, const char *title,
                       int64_t now);
/* Whoever answers for the case's level: the grid's workers at grid level,
 * else the dispatchers of the level's region (or, when it has none, of the
 * nearest region above it). */
int caseflow_tell_level(struct db_conn *c, const struct db_case *k, int64_t skip,
                        const char *kind, const char *title, int64_t now);
/* The reporter, unless it is `skip` or nobody signed in reported it. */
int caseflow_tell_reporter(struct db_conn *c, const struct db_case *k, int64_t skip,
                           const char *kind, const char *title, int64_t now);

/* The code of the region that answers for level l of a case in grid
 * `grid` (the grid itself at grid level). */
void caseflow_level_region(const char *grid, enum case_level l, char out[16]);

/* The live event for a change to k (publish it once committed). */
void caseflow_event(const struct db_case *k, const char *action, struct event *e);

struct sweep_stats {
    int64_t yellow, red, escalated, examined;
    int64_t errands_overdue;     /* errands whose promised deadline passed (api/errands.c) */
    int64_t commitments_overdue; /* commitments past due undone (api/commitments.c) */
    int64_t votes_closed;        /* polls and evaluations at their closing time (api/votes.c) */
};
/* Evaluates every clock as of `now`: yellow and red warnings, automatic
 * escalation one level up when a stage deadline passes (the next stage
 * starts at that deadline, so a late sweep reaches the same result as a
 * punctual one), notifications. Then flags overdue errands and
 * commitments and closes polls and evaluations whose time is up. Idempotent: a
 * second run at the same `now` changes nothing. Reads only the cases and
 * errands whose instants have come. */
int caseflow_sweep(struct db *db, int offset_min, int64_t now, struct sweep_stats *st);

#endif

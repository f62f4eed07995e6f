/*
 * The rules of participation (DESIGN.md "Participation"), pure: the states
 * and steps of opinions and public commitments, the one-vote veto, poll
 * ballots, residents' evaluation grades and how an evaluation combines
 * scores, points and vetoes, and the points rule table. No I/O; times are
 * parameters.
 */
#ifndef GL_CORE_PARTICIPATION_H
#define GL_CORE_PARTICIPATION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A name with its Chinese label, for the small closed vocabularies. */
struct vocab {
    const char *name, *zh;
};
/* Index of name in v (n entries), or -1. */
int vocab_parse(const struct vocab *v, size_t n, const char *name);
#define VOCAB_N(v) (sizeof(v) / sizeof((v)[0]))

/* ---- opinions and ideas (民意 / 金点子) ---- */

extern const struct vocab opinion_kinds[2];      /* opinion 民意, idea 金点子 */
extern const struct vocab opinion_channels[6];   /* the six channels of the seeds */
extern const struct vocab opinion_categories[7];

enum opinion_state { OS_NEW, OS_REPLIED, OS_ADOPTED, OS_NOT_ADOPTED, OS__COUNT };
enum opinion_action { OA_REPLY, OA_ADOPT, OA_REJECT, OA_TO_CASE, OA__COUNT };
extern const struct vocab opinion_states[OS__COUNT];
extern const struct vocab opinion_actions[OA__COUNT];

/* The state after action a from s, or -1 when a is not possible from s.
 * reply: new -> replied; adopt, reject (not adopted, with reasons) and
 * to_case (adopted by turning it into a case) from new or replied. */
int opinion_next_state(enum opinion_action a, enum opinion_state s);

/* ---- public commitments (公开承诺) ---- */

enum commitment_state { CM_ACTIVE, CM_COMPLETED, CM_KEPT, CM_FAILED, CM__COUNT };
enum commitment_action { CMA_PROGRESS, CMA_COMPLETE, CMA_REVIEW, CMA__COUNT };
extern const struct vocab commitment_states[CM__COUNT];
extern const struct vocab commitment_actions[CMA__COUNT];

/* progress: active -> active; complete: active -> completed (the owner says
 * it is done); review (year-end): kept from completed, failed from active or
 * completed. `kept` says which review outcome. -1 when not possible. */
int commitment_next_state(enum commitment_action a, enum commitment_state s, bool kept);
/* Whether the commitment is past its due time without being completed. */
bool commitment_late(enum commitment_state s, int64_t due_at, int64_t now);
/* The one-vote veto (一票否决): a commitment that went overdue, or was
 * reviewed as failed, vetoes its owner's evaluation. */
bool commitment_veto(enum commitment_state s, bool overdue);

/* ---- polls (百姓点菜) ---- */

enum poll_phase { POLL_UPCOMING, POLL_OPEN, POLL_CLOSED };
extern const struct vocab poll_phases[3];
/* closed_at != 0 means it was closed (by hand or by the sweep). */
enum poll_phase poll_phase_at(int64_t opens_at, int64_t closes_at, int64_t closed_at, int64_t now);

/* Checks a ballot's picks against the poll's options: between 1 and
 * max_picks picks, no repeats, each one of the options. Returns NULL when
 * fine, else a sentence saying what is wrong. */
const char *poll_ballot_problem(const int64_t *picks, size_t npicks, int64_t max_picks,
                                const int64_t *options, size_t noptions);

/* ---- residents' evaluation of cadres (群众评议) ---- */

enum eval_grade { EG_SATISFIED, EG_BASICALLY, EG_DISSATISFIED, EG__COUNT };
extern const struct vocab eval_grades[EG__COUNT];
/* Points a grade is worth in the satisfaction score: 100, 60, 0. */
int eval_grade_score(enum eval_grade g);
/* The satisfaction score (0-100) of n[EG__COUNT] grades; -1 with none. */
double eval_score(const int64_t n[EG__COUNT]);
/* Weights of the combined result: 70% residents' score, 30% points. */
#define EVAL_WEIGHT_SCORE 0.7
#define EVAL_WEIGHT_POINTS 0.3
/* The combined result (0-100): a veto makes it 0; otherwise the weighted
 * sum of the score and the points as a share of the best points among the
 * targets (negative points count as 0; with best_points <= 0 the points
 * part is 0). A target without ballots has score 0. */
double eval_combined(double score, int64_t points, int64_t best_points, bool veto);

/* ---- points (积分) ---- */

/* The rules the points engine knows; each is computed from history (see
 * db_points_counts). Their values live in the point_rules table, editable;
 * these are the defaults the migration writes. */
struct points_rule_def {
    const char *code, *zh;
    int points;
};
#define POINTS_NRULES 9
extern const struct points_rule_def points_rules[POINTS_NRULES];
int points_rule_parse(const char *code);
/* The points of a person who did counts[i] deeds of rule i, each worth
 * points[i] while active[i]. */
int64_t points_total(const int64_t counts[POINTS_NRULES], const int64_t points[POINTS_NRULES],
                     const bool active[POINTS_NRULES]);

/* ---- visits ---- */

extern const struct vocab visit_kinds[4]; /* home 入户, phone 电话, field 田间地头, night 夜访 */
/* Households visited as a share of households (0-1); -1 for a grid without
 * households. */
double visit_coverage(int64_t visited, int64_t households);

/* ---- ranking ---- */

/* Competition ranks ("1, 2, 2, 4") of values already sorted best first:
 * equal neighbours share a rank. */
void rank_competition(const double *sorted, size_t n, int64_t *ranks);

#endif

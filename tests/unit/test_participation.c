/*
 * Unit tests for the participation rules (core/participation.c): the opinion
 * and commitment state tables against hand-written ones, the veto, poll
 * phases and ballot checks, the evaluation score and its combination with
 * points and vetoes, and competition ranking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/authz.h"
#include "core/participation.h"

#define X -1

static void opinion_steps(void **state)
{
    (void)state;
    /* expected[action][state]: new replied adopted not_adopted */
    static const int expected[OA__COUNT][OS__COUNT] = {
        [OA_REPLY] = {OS_REPLIED, X, X, X},
        [OA_ADOPT] = {OS_ADOPTED, OS_ADOPTED, X, X},
        [OA_REJECT] = {OS_NOT_ADOPTED, OS_NOT_ADOPTED, X, X},
        [OA_TO_CASE] = {OS_ADOPTED, OS_ADOPTED, X, X},
    };
    for (int a = 0; a < OA__COUNT; a++)
        for (int s = 0; s < OS__COUNT; s++)
            if (opinion_next_state((enum opinion_action)a, (enum opinion_state)s) != expected[a][s])
                fail_msg("%s from %s", opinion_actions[a].name, opinion_states[s].name);
    assert_int_equal(vocab_parse(opinion_channels, VOCAB_N(opinion_channels), "meeting"), 1);
    assert_int_equal(vocab_parse(opinion_channels, VOCAB_N(opinion_channels), "fax"), -1);
    assert_int_equal(vocab_parse(opinion_channels, VOCAB_N(opinion_channels), NULL), -1);
    assert_string_equal(opinion_kinds[1].zh, "金点子");
}

static void commitment_steps_and_veto(void **state)
{
    (void)state;
    /* expected[action][state] for kept=false and kept=true */
    static const int expected[2][CMA__COUNT][CM__COUNT] = {
        {[CMA_PROGRESS] = {CM_ACTIVE, X, X, X},
         [CMA_COMPLETE] = {CM_COMPLETED, X, X, X},
         [CMA_REVIEW] = {CM_FAILED, CM_FAILED, X, X}},
        {[CMA_PROGRESS] = {CM_ACTIVE, X, X, X},
         [CMA_COMPLETE] = {CM_COMPLETED, X, X, X},
         [CMA_REVIEW] = {X, CM_KEPT, X, X}},
    };
    for (int k = 0; k < 2; k++)
        for (int a = 0; a < CMA__COUNT; a++)
            for (int s = 0; s < CM__COUNT; s++)
                if (commitment_next_state((enum commitment_action)a, (enum commitment_state)s,
                                          k) != expected[k][a][s])
                    fail_msg("%s from %s (kept=%d)", commitment_actions[a].name,
                             commitment_states[s].name, k);
    assert_true(commitment_late(CM_ACTIVE, 100, 100));
    assert_false(commitment_late(CM_ACTIVE, 101, 100));
    assert_false(commitment_late(CM_COMPLETED, 100, 200));
    assert_true(commitment_veto(CM_KEPT, true));   /* kept, but late */
    assert_true(commitment_veto(CM_FAILED, false));
    assert_false(commitment_veto(CM_KEPT, false));
    assert_false(commitment_veto(CM_ACTIVE, false));
}

static void polls(void **state)
{
    (void)state;
    assert_int_equal(poll_phase_at(100, 200, 0, 99), POLL_UPCOMING);
    assert_int_equal(poll_phase_at(100, 200, 0, 100), POLL_OPEN);
    assert_int_equal(poll_phase_at(100, 200, 0, 200), POLL_CLOSED);
    assert_int_equal(poll_phase_at(100, 200, 150, 120), POLL_CLOSED);
    const int64_t options[] = {11, 12, 13, 14};
    const int64_t two[] = {12, 14}, dup[] = {12, 12}, stranger[] = {12, 99};
    assert_null(poll_ballot_problem(two, 2, 3, options, 4));
    assert_non_null(poll_ballot_problem(two, 0, 3, options, 4));
    assert_non_null(poll_ballot_problem(two, 2, 1, options, 4));
    assert_non_null(poll_ballot_problem(dup, 2, 3, options, 4));
    assert_non_null(poll_ballot_problem(stranger, 2, 3, options, 4));
}

static void evaluation_scores(void **state)
{
    (void)state;
    const int64_t none[EG__COUNT] = {0, 0, 0};
    const int64_t mixed[EG__COUNT] = {3, 1, 1}; /* (300 + 60 + 0) / 5 */
    assert_true(eval_score(none) < 0);
    assert_float_equal(eval_score(mixed), 72.0, 1e-9);
    /* 0.7 * 72 + 0.3 * (100 * 20 / 40) */
    assert_float_equal(eval_combined(72.0, 20, 40, false), 65.4, 1e-9);
    assert_float_equal(eval_combined(72.0, 20, 40, true), 0.0, 1e-9);
    assert_float_equal(eval_combined(-1, 40, 40, false), 30.0, 1e-9);
    assert_float_equal(eval_combined(80.0, -5, 40, false), 56.0, 1e-9);
    assert_float_equal(eval_combined(80.0, 5, 0, false), 56.0, 1e-9);
}

static void coverage(void **state)
{
    (void)state;
    assert_float_equal(visit_coverage(3, 4), 0.75, 1e-12);
    assert_true(visit_coverage(0, 0) < 0);
    assert_int_equal(vocab_parse(visit_kinds, VOCAB_N(visit_kinds), "night"), 3);
}

static void ranks_and_rules(void **state)
{
    (void)state;
    const double v[] = {30, 20, 20, 10, 10, 10, 5};
    int64_t r[7];
    rank_competition(v, 7, r);
    const int64_t want[] = {1, 2, 2, 4, 4, 4, 7};
    assert_memory_equal(r, want, sizeof want);
    assert_int_equal(points_rule_parse("case_unsatisfied"), 6);
    assert_int_equal(points_rule_parse("nope"), -1);
    for (int i = 0; i < POINTS_NRULES; i++)
        assert_int_not_equal(points_rules[i].points, 0);
    int64_t counts[POINTS_NRULES] = {4, 1, 2, 0, 0, 1, 1, 0, 0};
    int64_t values[POINTS_NRULES];
    bool active[POINTS_NRULES];
    for (int i = 0; i < POINTS_NRULES; i++)
        values[i] = points_rules[i].points, active[i] = true;
    assert_int_equal(points_total(counts, values, active), 4 + 2 + 10 - 3 - 5);
    active[6] = false; /* 不满意 switched off */
    assert_int_equal(points_total(counts, values, active), 4 + 2 + 10 - 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opinion_steps),
        cmocka_unit_test(commitment_steps_and_veto),
        cmocka_unit_test(polls),
        cmocka_unit_test(evaluation_scores),
        cmocka_unit_test(coverage),
        cmocka_unit_test(ranks_and_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

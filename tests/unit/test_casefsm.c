/*
 * Unit tests for the case state machine (core/casefsm.c): every action
 * from every state against a hand-written table, names, and who may act.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/casefsm.h"

#define X -1 /* not allowed */
/* expected[action][state]: reported accepted rejected merged dispatched in_progress handled closed */
static const int expected[CA__COUNT][CS__COUNT] = {
    [CA_ACCEPT] = {CS_ACCEPTED, X, X, X, X, X, X, X},
    [CA_REJECT] = {CS_REJECTED, X, X, X, X, X, X, X},
    [CA_MERGE] = {CS_MERGED, CS_MERGED, X, X, X, X, X, X},
    [CA_DISPATCH] = {X, CS_DISPATCHED, X, X, X, X, X, X},
    [CA_RETURN] = {X, X, X, X, CS_ACCEPTED, CS_ACCEPTED, X, X},
    [CA_START] = {X, X, X, X, CS_IN_PROGRESS, X, X, X},
    [CA_HANDLE] = {X, X, X, X, X, CS_HANDLED, X, X},
    [CA_SELF_HANDLE] = {X, CS_HANDLED, X, X, X, X, X, X},
    [CA_VERIFY] = {X, X, X, X, X, X, CS_CLOSED, X},
    [CA_REOPEN] = {X, X, X, X, X, X, CS_IN_PROGRESS, CS_IN_PROGRESS},
    [CA_ESCALATE] = {CS_REPORTED, CS_ACCEPTED, X, X, CS_DISPATCHED, CS_IN_PROGRESS, X, X},
    [CA_SUPERVISE] = {CS_REPORTED, CS_ACCEPTED, X, X, CS_DISPATCHED, CS_IN_PROGRESS, CS_HANDLED, X},
    [CA_RATE] = {X, X, X, X, X, X, X, CS_CLOSED},
    [CA_COMMENT] = {CS_REPORTED, CS_ACCEPTED, CS_REJECTED, CS_MERGED, CS_DISPATCHED,
                    CS_IN_PROGRESS, CS_HANDLED, CS_CLOSED},
};

static void every_action_from_every_state(void **state)
{
    (void)state;
    int checked = 0;
    for (int a = 0; a < CA__COUNT; a++)
        for (int s = 0; s < CS__COUNT; s++, checked++)
            if (case_next_state((enum case_action)a, (enum case_state)s) != expected[a][s])
                fail_msg("%s from %s: got %d, want %d", case_action_name((enum case_action)a),
                         case_state_name((enum case_state)s),
                         case_next_state((enum case_action)a, (enum case_state)s), expected[a][s]);
    assert_int_equal(checked, CA__COUNT * CS__COUNT);
    assert_int_equal(case_next_state(CA__COUNT, CS_REPORTED), -1);
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < CS__COUNT; s++)
        assert_int_equal(case_state_parse(case_state_name((enum case_state)s)), s);
    for (int a = 0; a < CA__COUNT; a++)
        assert_int_equal(case_action_parse(case_action_name((enum case_action)a)), a);
    for (int l = 0; l < CL__COUNT; l++)
        assert_int_equal(case_level_parse(case_level_name((enum case_level)l)), l);
    for (int r = 0; r < CR__COUNT; r++)
        assert_int_equal(case_rating_parse(case_rating_name((enum case_rating)r)), r);
    assert_string_equal(case_state_zh(CS_HANDLED), "待核查");
    assert_int_equal(case_action_parse("approve"), -1);
    assert_true(case_state_open(CS_HANDLED));
    assert_false(case_state_open(CS_CLOSED));
    assert_false(case_state_open(CS_MERGED));
}

static void who_may(void **state)
{
    (void)state;
    /* The department does the work; the dispatcher routes; the grid worker
     * verifies; residents act only on their own cases. */
    assert_true(role_can(ROLE_DEPT_STAFF, case_permission(CA_HANDLE)));
    assert_false(role_can(ROLE_DEPT_STAFF, case_permission(CA_DISPATCH)));
    assert_true(role_can(ROLE_DISPATCHER, case_permission(CA_DISPATCH)));
    assert_false(role_can(ROLE_DISPATCHER, case_permission(CA_HANDLE)));
    assert_true(role_can(ROLE_GRID_WORKER, case_permission(CA_SELF_HANDLE)));
    assert_true(role_can(ROLE_GRID_WORKER, case_permission(CA_VERIFY)));
    assert_true(role_can(ROLE_SUPERVISOR, case_permission(CA_SUPERVISE)));
    assert_false(role_can(ROLE_LEADER, case_permission(CA_SUPERVISE)));
    assert_false(role_can(ROLE_AUDITOR, case_permission(CA_COMMENT)));

    struct grant resident = {ROLE_RESIDENT, "379901001001", 0};
    struct target mine = {"379901001001003", 0, true}, theirs = {"379901001001003", 0, false};
    assert_int_equal(authz_decide(&resident, 1, ACT_CASE_RATE, &mine), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&resident, 1, ACT_CASE_READ, &theirs), AUTHZ_HIDDEN);
    assert_int_equal(authz_decide(&resident, 1, ACT_CASE_TRIAGE, &mine), AUTHZ_FORBIDDEN);

    /* Department roles reach their own department's cases only. */
    struct grant staff = {ROLE_DEPT_STAFF, "379901000000", 3};
    struct target ours = {"379901001001003", 3, false}, other = {"379901001001003", 4, false},
                  unassigned = {"379901001001003", 0, false};
    assert_int_equal(authz_decide(&staff, 1, ACT_CASE_WORK, &ours), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&staff, 1, ACT_CASE_READ, &other), AUTHZ_HIDDEN);
    assert_int_equal(authz_decide(&staff, 1, ACT_CASE_READ, &unassigned), AUTHZ_HIDDEN);
    assert_true(strlen(case_allowed_from(CA_RETURN)) > 0);
}

/* 2026-11-23 is a Monday; 09:00 at UTC+8 is 01:00 UTC. */
#define MON_0900 1795395600LL

static void clock_goes_yellow_then_red(void **state)
{
    (void)state;
    struct wt_calendar cal;
    wt_default(&cal);
    struct case_clock k;
    /* A 10-hour limit from Monday 09:00: 8 hours (80%) is Tuesday 08:30 +
     * 30 min = 09:00; 10 hours is Tuesday 11:00. */
    case_clock_start(&k, &cal, MON_0900, 10 * 3600);
    assert_int_equal(k.yellow_at, MON_0900 + 86400);
    assert_int_equal(k.deadline_at, MON_0900 + 86400 + 2 * 3600);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 3600), CT_NONE);
    assert_int_equal(k.warn, 0);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 86400), CT_YELLOW);
    assert_int_equal(k.warn, 1);
    /* Idempotent: the same instant again changes nothing. */
    assert_int_equal(case_clock_tick(&k, MON_0900 + 86400), CT_NONE);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 86400 + 2 * 3600), CT_RED);
    assert_int_equal(k.warn, 2);
    assert_int_equal(k.deadline_at, 0);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 9 * 86400), CT_NONE);

    /* Jumping straight past both says red once. */
    case_clock_start(&k, &cal, MON_0900, 10 * 3600);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 30 * 86400), CT_RED);
    assert_int_equal(k.yellow_at, 0);

    /* Untimed stages have no instants. */
    case_clock_start(&k, &cal, MON_0900, case_stage_limit_s(CS_HANDLED, 10));
    assert_int_equal(k.deadline_at, 0);
    assert_int_equal(case_clock_tick(&k, MON_0900 + 30 * 86400), CT_NONE);
    assert_int_equal(case_stage_limit_s(CS_REPORTED, 99), CASE_RESPONSE_HOURS * 3600);
    assert_int_equal(case_stage_limit_s(CS_IN_PROGRESS, 24), 24 * 3600);
    assert_int_equal(case_level_up(CL_GRID), CL_VILLAGE);
    assert_int_equal(case_level_up(CL_COUNTY), -1);
}

static void clock_skips_holidays(void **state)
{
    (void)state;
    /* Friday 17:00 with a 2-hour response limit, Monday a holiday: yellow
     * (96 min) at Tuesday 09:06, red at Tuesday 09:30. */
    struct wt_calendar cal;
    wt_default(&cal);
    int64_t fri_1700 = MON_0900 + 4 * 86400 + 8 * 3600;
    struct wt_exception holiday = {wt_local_day(&cal, MON_0900 + 7 * 86400), false};
    cal.exceptions = &holiday;
    cal.nexceptions = 1;
    struct case_clock k;
    case_clock_start(&k, &cal, fri_1700, 2 * 3600);
    int64_t tue_0830 = MON_0900 + 8 * 86400 - 30 * 60;
    assert_int_equal(k.yellow_at, tue_0830 + 36 * 60);
    assert_int_equal(k.deadline_at, tue_0830 + 60 * 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_action_from_every_state),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(who_may),
        cmocka_unit_test(clock_goes_yellow_then_red),
        cmocka_unit_test(clock_skips_holidays),
    };
    return cmocka_run_group_tests_name("casefsm", tests, NULL, NULL);
}

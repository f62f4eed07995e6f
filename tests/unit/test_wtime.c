/*
 * Unit tests for the working-time clock (core/wtime.c): ordinary days,
 * weekends, a holiday spanning a weekend, and a 调休 make-up Saturday.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "core/wtime.h"

#define H 3600

/* Epoch seconds of a Beijing wall-clock time. */
static int64_t bj(int y, unsigned m, unsigned d, int hh, int mm)
{
    return gl_days_from_civil(y, m, d) * 86400 + hh * H + mm * 60 - 8 * H;
}

static int64_t day(int y, unsigned m, unsigned d) { return gl_days_from_civil(y, m, d); }

static void ordinary_week(void **state)
{
    (void)state;
    struct wt_calendar c;
    wt_default(&c);
    assert_int_equal(wt_day_seconds(&c), 8 * H);
    /* Monday 2026-11-23 09:00 + 2 working hours = 11:00. */
    assert_int_equal(wt_add(&c, bj(2026, 11, 23, 9, 0), 2 * H), bj(2026, 11, 23, 11, 0));
    /* Across lunch: 11:00 + 2h = 14:30 (12:00-13:30 does not count). */
    assert_int_equal(wt_add(&c, bj(2026, 11, 23, 11, 0), 2 * H), bj(2026, 11, 23, 14, 30));
    /* Reported at night: the clock starts next morning at 08:30. */
    assert_int_equal(wt_add(&c, bj(2026, 11, 23, 22, 0), 1 * H), bj(2026, 11, 24, 9, 30));
    /* Friday 17:00 + 2h: one hour Friday, one hour Monday. */
    assert_int_equal(wt_add(&c, bj(2026, 11, 27, 17, 0), 2 * H), bj(2026, 11, 30, 9, 30));
    /* 24 working hours from Monday 08:30 = three full days = Wednesday 18:00. */
    assert_int_equal(wt_add(&c, bj(2026, 11, 23, 8, 30), 24 * H), bj(2026, 11, 25, 18, 0));
    assert_int_equal(wt_elapsed(&c, bj(2026, 11, 27, 17, 0), bj(2026, 11, 30, 9, 30)), 2 * H);
    assert_int_equal(wt_elapsed(&c, bj(2026, 11, 28, 0, 0), bj(2026, 11, 29, 23, 0)), 0);
    assert_int_equal(wt_add(&c, bj(2026, 11, 23, 9, 0), 0), bj(2026, 11, 23, 9, 0));
}

static void holiday_over_a_weekend_and_makeup_saturday(void **state)
{
    (void)state;
    /* A National Day week: Thursday 1 Oct to Wednesday 7 Oct off (spanning
     * the weekend), Saturday 10 Oct a make-up workday. */
    struct wt_exception ex[] = {
        {day(2026, 10, 1), false}, {day(2026, 10, 2), false}, {day(2026, 10, 5), false},
        {day(2026, 10, 6), false}, {day(2026, 10, 7), false}, {day(2026, 10, 10), true},
    };
    struct wt_calendar c;
    wt_default(&c);
    c.exceptions = ex;
    c.nexceptions = sizeof ex / sizeof ex[0];
    assert_false(wt_is_workday(&c, day(2026, 10, 1)));
    assert_false(wt_is_workday(&c, day(2026, 10, 3))); /* an ordinary Saturday inside it */
    assert_true(wt_is_workday(&c, day(2026, 10, 8)));
    assert_true(wt_is_workday(&c, day(2026, 10, 10)));  /* 调休 Saturday */
    assert_false(wt_is_workday(&c, day(2026, 10, 11))); /* Sunday after it */
    /* Wednesday 30 Sep 17:00 + 2h: one hour that day, the next on 8 Oct. */
    assert_int_equal(wt_add(&c, bj(2026, 9, 30, 17, 0), 2 * H), bj(2026, 10, 8, 9, 30));
    /* Friday 9 Oct 17:00 + 2h: the make-up Saturday counts. */
    assert_int_equal(wt_add(&c, bj(2026, 10, 9, 17, 0), 2 * H), bj(2026, 10, 10, 9, 30));
    assert_int_equal(wt_elapsed(&c, bj(2026, 9, 30, 8, 30), bj(2026, 10, 11, 0, 0)), 4 * 8 * H);
}

static void add_and_elapsed_agree(void **state)
{
    (void)state;
    struct wt_exception ex[] = {{day(2026, 12, 31), false}, {day(2027, 1, 1), false}};
    struct wt_calendar c;
    wt_default(&c);
    c.exceptions = ex;
    c.nexceptions = 2;
    for (int64_t start = bj(2026, 12, 20, 0, 0); start < bj(2027, 1, 10, 0, 0); start += 7 * 3607) {
        for (int64_t work = 0; work <= 30 * H; work += 5 * H + 17 * 60) {
            int64_t end = wt_add(&c, start, work);
            assert_int_equal(wt_elapsed(&c, start, end), work);
        }
    }
}

static void degenerate_calendars(void **state)
{
    (void)state;
    struct wt_calendar c;
    wt_default(&c);
    for (int i = 0; i < 7; i++)
        c.weekday_works[i] = false;
    assert_int_equal(wt_add(&c, bj(2026, 1, 5, 9, 0), H), WT_FOREVER);
    struct wt_period ok[] = {{510, 720}, {810, 1080}}, overlap[] = {{510, 800}, {780, 1080}},
                     backwards[] = {{600, 540}}, late[] = {{1380, 1500}};
    assert_null(wt_periods_problem(ok, 2));
    assert_non_null(wt_periods_problem(overlap, 2));
    assert_non_null(wt_periods_problem(backwards, 1));
    assert_non_null(wt_periods_problem(late, 1));
    assert_non_null(wt_periods_problem(ok, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordinary_week),
        cmocka_unit_test(holiday_over_a_weekend_and_makeup_saturday),
        cmocka_unit_test(add_and_elapsed_agree),
        cmocka_unit_test(degenerate_calendars),
    };
    return cmocka_run_group_tests_name("wtime", tests, NULL, NULL);
}

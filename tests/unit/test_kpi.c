/*
 * Unit tests for the KPI rates (core/kpi.c): each rate from hand-set counts,
 * every rate with nothing to divide by, the hotspot judgement and the size
 * of a 50 m cell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/kpi.h"

static void rates_from_counts(void **state)
{
    (void)state;
    int64_t n[KC__COUNT] = {0};
    n[KC_DISPATCHED] = 8, n[KC_RESPONDED] = 6;
    n[KC_DUE] = 10, n[KC_CLOSED_ON_TIME] = 7, n[KC_CLOSED] = 9;
    n[KC_SOLVED] = 8, n[KC_REWORKED] = 3;
    n[KC_RATED] = 5, n[KC_SATISFIED] = 2, n[KC_BASICALLY] = 2, n[KC_DISSATISFIED] = 1;
    assert_float_equal(kpi_rate(KR_RESPONSE, n), 0.75, 1e-12);
    assert_float_equal(kpi_rate(KR_ON_TIME, n), 0.7, 1e-12);
    assert_float_equal(kpi_rate(KR_SOLVE, n), 8.0 / 9.0, 1e-12);
    assert_float_equal(kpi_rate(KR_SATISFACTION, n), 0.8, 1e-12);
    assert_float_equal(kpi_rate(KR_REWORK, n), 1.0 / 3.0, 1e-12);
}

static void empty_window_has_no_figure(void **state)
{
    (void)state;
    int64_t n[KC__COUNT] = {0};
    for (int r = 0; r < KR__COUNT; r++)
        assert_true(kpi_rate((enum kpi_rate)r, n) < 0);
    for (int c = 0; c < KC__COUNT; c++) {
        assert_non_null(kpi_counts[c].name);
        assert_true(strlen(kpi_counts[c].doc) > 10);
    }
}

static void hotspots(void **state)
{
    (void)state;
    /* 8 weeks with 8 reports is 1 a week: 6 this week is hot, 2 is not. */
    struct hotspot h = hotspot_judge(6, 8, 7, 56);
    assert_float_equal(h.expected, 1.0, 1e-12);
    assert_true(h.hot);
    assert_false(hotspot_judge(2, 8, 7, 56).hot);
    /* A quiet place that suddenly has three. */
    assert_true(hotspot_judge(3, 0, 7, 56).hot);
    /* A busy place at its usual level is not. */
    assert_false(hotspot_judge(40, 320, 7, 56).hot);
    double dlat, dlng;
    kpi_cell_size(36.7, 50, &dlat, &dlng);
    assert_float_equal(dlat * 111320.0, 50.0, 1e-9);
    assert_true(dlng > dlat); /* a degree of longitude is shorter here */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_from_counts),
        cmocka_unit_test(empty_window_has_no_figure),
        cmocka_unit_test(hotspots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

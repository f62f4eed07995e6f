/*
 * Unit tests for core/: RFC 3339 time handling and the category rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/category.h"
#include "core/timeutil.h"

static void format_in_china_time(void **state)
{
    (void)state;
    char buf[GL_TIME_BUFLEN];
    /* 2026-03-25T01:30:00Z is 09:30 in Beijing. */
    int64_t t = gl_days_from_civil(2026, 3, 25) * 86400 + 1 * 3600 + 30 * 60;
    assert_int_equal(gl_time_format(t, 480, buf), 25);
    assert_string_equal(buf, "2026-03-25T09:30:00+08:00");
    gl_time_format(t, 0, buf);
    assert_string_equal(buf, "2026-03-25T01:30:00Z");
    gl_time_format(t, -330, buf);
    assert_string_equal(buf, "2026-03-24T20:00:00-05:30");
}

static void format_crosses_midnight_and_epoch(void **state)
{
    (void)state;
    char buf[GL_TIME_BUFLEN];
    gl_time_format(16 * 3600, 480, buf); /* 1970-01-01T16:00Z */
    assert_string_equal(buf, "1970-01-02T00:00:00+08:00");
    gl_time_format(-1, 0, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

static void parse_accepts_rfc3339(void **state)
{
    (void)state;
    int64_t t, want = gl_days_from_civil(2026, 3, 25) * 86400 + 1 * 3600 + 30 * 60;
    assert_int_equal(gl_time_parse("2026-03-25T09:30:00+08:00", &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(gl_time_parse("2026-03-25T01:30:00Z", &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(gl_time_parse("2026-03-25t01:30:00.999z", &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(gl_time_parse("2026-03-24 20:00:00-05:30", &t), 0);
    assert_int_equal(t, want);
    assert_int_equal(gl_time_parse("2024-02-29T00:00:00Z", &t), 0); /* leap day */
}

static void parse_rejects_nonsense(void **state)
{
    (void)state;
    int64_t t = 42;
    const char *bad[] = {
        "", "2026-03-25", "2026-03-25T09:30:00", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-03-25T24:00:00Z",
        "2026-03-25T09:30:00+8:00", "2026-03-25T09:30:00Zjunk", "2026-03-25T09:30:00.Z",
        "２０２６-03-25T09:30:00Z", NULL,
    };
    for (int i = 0; bad[i]; i++) {
        if (gl_time_parse(bad[i], &t) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(t, 42); /* untouched on failure */
    assert_int_equal(gl_time_parse(NULL, &t), -1);
}

static void round_trip_many(void **state)
{
    (void)state;
    char buf[GL_TIME_BUFLEN];
    for (int64_t t = -86400LL * 800; t < 86400LL * 365 * 200; t += 86400LL * 37 + 3607) {
        int64_t back;
        gl_time_format(t, 480, buf);
        assert_int_equal(gl_time_parse(buf, &back), 0);
        assert_int_equal(back, t);
    }
}

static void category_codes(void **state)
{
    (void)state;
    assert_null(category_code_problem("01", NULL));
    assert_null(category_code_problem("99", NULL));
    assert_null(category_code_problem("0101", "01"));
    assert_non_null(category_code_problem("00", NULL));
    assert_non_null(category_code_problem("1", NULL));
    assert_non_null(category_code_problem("0a", NULL));
    assert_non_null(category_code_problem("0101", NULL));
    assert_non_null(category_code_problem("0201", "01"));  /* not under its parent */
    assert_non_null(category_code_problem("01", "01"));
    assert_non_null(category_code_problem("010101", "01"));
    assert_non_null(category_code_problem("0100", "01"));  /* reserved suffix */
    assert_non_null(category_code_problem("01x1", "01"));
}

static void category_limits_and_depth(void **state)
{
    (void)state;
    assert_null(category_limit_problem(1));
    assert_null(category_limit_problem(2000));
    assert_non_null(category_limit_problem(0));
    assert_non_null(category_limit_problem(2001));
    assert_non_null(category_limit_problem(-5));
    assert_null(category_parent_problem(1));
    assert_non_null(category_parent_problem(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_in_china_time),
        cmocka_unit_test(format_crosses_midnight_and_epoch),
        cmocka_unit_test(parse_accepts_rfc3339),
        cmocka_unit_test(parse_rejects_nonsense),
        cmocka_unit_test(round_trip_many),
        cmocka_unit_test(category_codes),
        cmocka_unit_test(category_limits_and_depth),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

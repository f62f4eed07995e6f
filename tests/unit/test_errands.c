/*
 * Unit tests for the errand state machine (core/errandfsm.c) against a
 * hand-written table, who may take each step, and the ledger's writers
 * (export.c): CSV quoting, the formula guard and the byte order mark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/errandfsm.h"
#include "export.h"

#define X -1
/* expected[action][state]: registered accepted submitted completed notified confirmed cancelled */
static const int expected[EA__COUNT][ES__COUNT] = {
    [EA_ACCEPT] = {ES_ACCEPTED, X, X, X, X, X, X},
    [EA_SUBMIT] = {X, ES_SUBMITTED, X, X, X, X, X},
    [EA_COMPLETE] = {X, X, ES_COMPLETED, X, X, X, X},
    [EA_NOTIFY] = {X, X, X, ES_NOTIFIED, ES_NOTIFIED, X, X},
    [EA_CONFIRM] = {X, X, X, X, ES_CONFIRMED, X, X},
    [EA_CANCEL] = {ES_CANCELLED, ES_CANCELLED, ES_CANCELLED, X, X, X, X},
    [EA_RETURN_MATERIALS] = {X, ES_ACCEPTED, ES_SUBMITTED, ES_COMPLETED, ES_NOTIFIED,
                             ES_CONFIRMED, ES_CANCELLED},
};

static void every_step_from_every_state(void **state)
{
    (void)state;
    for (int a = 0; a < EA__COUNT; a++)
        for (int s = 0; s < ES__COUNT; s++)
            if (errand_next_state((enum errand_action)a, (enum errand_state)s) != expected[a][s])
                fail_msg("%s from %s: got %d, want %d", errand_action_name((enum errand_action)a),
                         errand_state_name((enum errand_state)s),
                         errand_next_state((enum errand_action)a, (enum errand_state)s),
                         expected[a][s]);
}

static void boxes_and_names(void **state)
{
    (void)state;
    assert_string_equal(errand_box(ES_REGISTERED), "red");
    assert_string_equal(errand_box(ES_SUBMITTED), "red");
    assert_string_equal(errand_box(ES_COMPLETED), "blue");
    assert_string_equal(errand_box(ES_NOTIFIED), "blue");
    assert_string_equal(errand_box(ES_CONFIRMED), "closed");
    assert_string_equal(errand_box(ES_CANCELLED), "cancelled");
    assert_true(errand_timed(ES_ACCEPTED));
    assert_false(errand_timed(ES_COMPLETED));
    for (int s = 0; s < ES__COUNT; s++)
        assert_int_equal(errand_state_parse(errand_state_name((enum errand_state)s)), s);
    for (int a = 0; a < EA__COUNT; a++)
        assert_int_equal(errand_action_parse(errand_action_name((enum errand_action)a)), a);
    assert_int_equal(errand_action_parse("approve"), -1);
}

static void who_may(void **state)
{
    (void)state;
    struct grant agent = {ROLE_AGENT, "379901101000", 0};
    struct grant resident = {ROLE_RESIDENT, "379901101201", 0};
    struct grant gw = {ROLE_GRID_WORKER, "379901101201001", 0};
    struct grant mzj = {ROLE_DEPT_STAFF, "379901000000", 7};
    struct target mine = {"379901101201001", 7, true}, other = {"379901001001001", 3, false};
    assert_int_equal(authz_decide(&agent, 1, ACT_ERRAND_HANDLE, &mine), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&agent, 1, ACT_ERRAND_HANDLE, &other), AUTHZ_HIDDEN);
    assert_int_equal(authz_decide(&resident, 1, ACT_ERRAND_CONFIRM, &mine), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&resident, 1, ACT_ERRAND_HANDLE, &mine), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&gw, 1, ACT_ERRAND_REGISTER, &mine), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&gw, 1, ACT_ERRAND_HANDLE, &mine), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&mzj, 1, ACT_ERRAND_READ, &mine), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&mzj, 1, ACT_ERRAND_READ, &other), AUTHZ_HIDDEN);
    for (int a = 0; a < EA__COUNT; a++) /* a resident only ever confirms */
        assert_int_equal(role_can(ROLE_RESIDENT, errand_permission((enum errand_action)a)),
                         a == EA_CONFIRM);
}

static void csv_quotes_and_guards(void **state)
{
    (void)state;
    static const char *const headers[] = {"编号", "姓名", "备注"};
    json_t *rows = json_pack("[[s, s, s], [i, n, s]]", "DB1", "=HYPERLINK(\"x\")", "a,b\n\"c\"", 42,
                             "-1");
    struct export_table t = {"表", headers, 3, rows};
    char *out, err[128];
    size_t len;
    assert_int_equal(export_table(&t, EXPORT_CSV, &out, &len, err, sizeof err), 0);
    const char *want = "\xEF\xBB\xBF编号,姓名,备注\r\n"
                       "DB1,\"'=HYPERLINK(\"\"x\"\")\",\"a,b\n\"\"c\"\"\"\r\n"
                       "42,,\"'-1\"\r\n";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    free(out);
    assert_int_equal(export_table(&t, EXPORT_XLSX, &out, &len, err, sizeof err), 0);
    assert_true(len > 1000);
    assert_memory_equal(out, "PK", 2);
    free(out);
    json_decref(rows);
    assert_int_equal(export_format_parse("pdf"), -1);
    assert_int_equal(export_format_parse(NULL), EXPORT_JSON);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_step_from_every_state),
        cmocka_unit_test(boxes_and_names),
        cmocka_unit_test(who_may),
        cmocka_unit_test(csv_quotes_and_guards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

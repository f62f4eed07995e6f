/*
 * Unit tests for core/ rules of territory and access: region codes,
 * point-in-polygon, masking and format checks, the authorization table,
 * and the failure counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/authz.h"
#include "core/geo.h"
#include "core/mask.h"
#include "core/ratelimit.h"
#include "core/region.h"

static void region_levels(void **state)
{
    (void)state;
    assert_int_equal(region_level_of("379901000000"), LEVEL_COUNTY);
    assert_int_equal(region_level_of("379901001000"), LEVEL_TOWN);
    assert_int_equal(region_level_of("379901001001"), LEVEL_VILLAGE);
    assert_int_equal(region_level_of("379901001001001"), LEVEL_GRID);
    const char *bad[] = {"", "37990100000", "3799010000000", "000000000000", "379901000001",
                         "37990100100a", "379901001000001", "379901001001000", "379901000001001",
                         NULL};
    for (int i = 0; bad[i]; i++)
        if (region_level_of(bad[i]) != LEVEL_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(region_level_of(NULL), LEVEL_INVALID);
    assert_int_equal(region_level_parse("town"), LEVEL_TOWN);
    assert_int_equal(region_level_parse("province"), LEVEL_INVALID);
}

static void region_parents_and_scopes(void **state)
{
    (void)state;
    char p[REGION_CODE_BUFLEN];
    assert_true(region_parent("379901001001001", p));
    assert_string_equal(p, "379901001001");
    assert_true(region_parent("379901001001", p));
    assert_string_equal(p, "379901001000");
    assert_true(region_parent("379901001000", p));
    assert_string_equal(p, "379901000000");
    assert_false(region_parent("379901000000", p));
    assert_true(region_contains("379901000000", "379901101201003"));
    assert_true(region_contains("379901001000", "379901001006"));
    assert_true(region_contains("379901001001001", "379901001001001"));
    assert_false(region_contains("379901001000", "379901101201003"));
    assert_false(region_contains("379901001001001", "379901001001002"));
    assert_false(region_contains("379901001001", "379901001000")); /* a child never holds its parent */
    assert_false(region_contains("bogus", "379901001001"));
}

static void point_in_polygon(void **state)
{
    (void)state;
    /* A unit square with a square hole in the middle. */
    const double outer[] = {0, 0, 4, 0, 4, 4, 0, 4, 0, 0}, hole[] = {1, 1, 3, 1, 3, 3, 1, 3, 1, 1};
    struct geo_ring rings[] = {{outer, 5}, {hole, 5}};
    assert_int_equal(geo_polygon_where(rings, 2, 0.5, 0.5), GEO_INSIDE);
    assert_int_equal(geo_polygon_where(rings, 2, 2, 2), GEO_OUTSIDE); /* in the hole */
    assert_int_equal(geo_polygon_where(rings, 2, 0, 2), GEO_BOUNDARY);
    assert_int_equal(geo_polygon_where(rings, 2, 4, 4), GEO_BOUNDARY); /* a vertex */
    assert_int_equal(geo_polygon_where(rings, 2, 1, 2), GEO_BOUNDARY); /* the hole's edge */
    assert_int_equal(geo_polygon_where(rings, 2, 5, 2), GEO_OUTSIDE);
    assert_int_equal(geo_polygon_where(rings, 2, -0.0001, 2), GEO_OUTSIDE);
    /* A concave L shape: the notch is outside. */
    const double l[] = {0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2};
    struct geo_ring lr = {l, 6};
    assert_int_equal(geo_ring_where(&lr, 1.5, 1.5), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&lr, 0.5, 1.5), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&lr, 1.5, 1), GEO_BOUNDARY);
    struct geo_bbox b;
    geo_bbox_extend(&b, &lr, 1);
    assert_true(b.min_lng == 0 && b.max_lng == 2 && b.min_lat == 0 && b.max_lat == 2);
    /* 0.001 degree of latitude is about 111 m. */
    double d = geo_distance_m(118.9, 36.7, 118.9, 36.701);
    assert_true(d > 110 && d < 112);
}

static void masking(void **state)
{
    (void)state;
    char out[MASK_BUFLEN];
    mask_id_number("37990119761028450X", out);
    assert_string_equal(out, "3*************450X");
    mask_phone("13812341234", out);
    assert_string_equal(out, "138****1234");
    mask_phone("0536-7211001", out);
    assert_string_equal(out, "********1001");
    mask_phone("123", out);
    assert_string_equal(out, "***"); /* too short to show any of it */
    mask_detail("2单元302室", out);
    assert_string_equal(out, "****");
    mask_detail("", out);
    assert_string_equal(out, "");
}

static void id_and_phone_checks(void **state)
{
    (void)state;
    assert_true(id_number_valid("11010519491231002X"));
    assert_false(id_number_valid("110105194912310021"));
    assert_false(id_number_valid("11010519491231002"));
    assert_false(id_number_valid("1101051949123100X2"));
    assert_true(phone_valid("13812341234"));
    assert_true(phone_valid("0536-7211001"));
    assert_true(phone_valid("7211001"));
    assert_false(phone_valid("1381234123"));
    assert_false(phone_valid("-5367211001"));
    assert_false(phone_valid("0536-"));
    assert_false(phone_valid("138 1234 1234"));
}

static void authz_table(void **state)
{
    (void)state;
    struct grant gw = {ROLE_GRID_WORKER, "379901001001001", 0};
    struct target own = {"379901001001001", 0, false}, next = {"379901001001002", 0, false};
    assert_int_equal(authz_decide(&gw, 1, ACT_HOUSEHOLD_READ, &own), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&gw, 1, ACT_HOUSEHOLD_READ, &next), AUTHZ_HIDDEN);
    assert_int_equal(authz_decide(&gw, 1, ACT_USER_WRITE, &own), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&gw, 1, ACT_TERRITORY_READ, &next), AUTHZ_ALLOW); /* unscoped */

    struct grant dy = {ROLE_PARTY_MEMBER, "379901001001", 0};
    struct target linked = {"379901001001001", 0, true};
    assert_int_equal(authz_decide(&dy, 1, ACT_HOUSEHOLD_READ, &linked), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&dy, 1, ACT_HOUSEHOLD_READ, &own), AUTHZ_HIDDEN);

    struct grant admin = {ROLE_ADMIN, NULL, 0};
    struct target global = {NULL, 0, false};
    assert_int_equal(authz_decide(&admin, 1, ACT_CATEGORY_WRITE, &global), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&admin, 1, ACT_PII_UNMASK, &own), AUTHZ_FORBIDDEN);
    struct grant town_admin = {ROLE_ADMIN, "379901001000", 0};
    assert_int_equal(authz_decide(&town_admin, 1, ACT_CATEGORY_WRITE, &global), AUTHZ_HIDDEN);

    /* A department-scoped grant does not reach another department's things. */
    struct grant staff = {ROLE_DEPT_STAFF, "379901000000", 7};
    struct target dept7 = {"379901001001", 7, false}, dept8 = {"379901001001", 8, false};
    assert_int_equal(authz_decide(&staff, 1, ACT_TERRITORY_READ, &dept8), AUTHZ_ALLOW);
    (void)dept7;

    /* Several grants: the first that allows wins. */
    struct grant two[] = {{ROLE_RESIDENT, "379901001001", 0}, {ROLE_GRID_WORKER, "379901001001002", 0}};
    assert_int_equal(authz_decide(two, 2, ACT_HOUSEHOLD_READ, &next), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(two, 1, ACT_HOUSEHOLD_READ, &next), AUTHZ_FORBIDDEN);

    const char *scopes[4];
    bool linked_too;
    struct grant mix[] = {dy, gw, admin};
    assert_int_equal(authz_scopes(mix, 3, ACT_HOUSEHOLD_READ, scopes, 4, &linked_too), 2);
    assert_true(linked_too);
    assert_string_equal(scopes[0], "379901001001001");
    assert_null(scopes[1]); /* everywhere */
    assert_int_equal(authz_scopes(&dy, 1, ACT_USER_READ, scopes, 4, &linked_too), 0);

    for (int r = 0; r < ROLE__COUNT; r++) {
        assert_int_equal(role_parse(role_name((enum role)r)), r);
        assert_true(role_can((enum role)r, ACT_TERRITORY_READ));
    }
    assert_int_equal(role_parse("emperor"), -1);
    assert_false(role_is_staff(ROLE_RESIDENT));
    assert_true(role_is_staff(ROLE_LEADER));
}

static void failure_counter(void **state)
{
    (void)state;
    static struct ratelimit rl = {.window = 900, .limit = 3};
    int64_t wait;
    for (int i = 0; i < 3; i++) {
        assert_false(rl_blocked(&rl, "10.0.0.1", 1000 + i, &wait));
        rl_hit(&rl, "10.0.0.1", 1000 + i);
    }
    assert_true(rl_blocked(&rl, "10.0.0.1", 1100, &wait));
    assert_int_equal(wait, 800);
    assert_false(rl_blocked(&rl, "10.0.0.2", 1100, &wait)); /* another address */
    assert_false(rl_blocked(&rl, "10.0.0.1", 1900, &wait)); /* the window has passed */
    rl_hit(&rl, "10.0.0.1", 1900);
    assert_false(rl_blocked(&rl, "10.0.0.1", 1901, &wait)); /* counting starts over */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(region_levels),
        cmocka_unit_test(region_parents_and_scopes),
        cmocka_unit_test(point_in_polygon),
        cmocka_unit_test(masking),
        cmocka_unit_test(id_and_phone_checks),
        cmocka_unit_test(authz_table),
        cmocka_unit_test(failure_counter),
    };
    return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}

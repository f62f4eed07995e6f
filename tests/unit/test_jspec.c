/*
 * Unit tests for the declarative JSON field-spec parser (http/jspec.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/jspec.h"

struct in {
    const char *name;
    const char *note;
    int64_t count;
    bool flag;
    double ratio;
    json_t *tags;
};

static const struct jspec spec[] = {
    JSPEC_STR(struct in, name, "name", 1, 4, JSPEC_REQUIRED, "a short name"),
    JSPEC_STR(struct in, note, "note", 0, 0, 0, "free text"),
    JSPEC_INT(struct in, count, "count", 1, 10, 0, "how many"),
    JSPEC_BOOL(struct in, flag, "flag", 0, NULL),
    JSPEC_NUM(struct in, ratio, "ratio", 0, NULL),
    JSPEC_ARR(struct in, tags, "tags", 0, NULL),
    JSPEC_END,
};

/* Parses text against spec; returns jspec_parse's result. */
static int parse(const char *text, struct in *out, uint64_t *present, struct jspec_error *err)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    int rc = jspec_parse(j, spec, out, present, err);
    /* Strings are borrowed: copy what the tests look at before freeing. */
    static char name[64];
    if (rc == 0 && out->name) {
        strcpy(name, out->name);
        out->name = name;
    }
    static char field[64];
    if (rc != 0 && err->field) {
        strcpy(field, err->field); /* an unknown field's name lives in the body */
        err->field = field;
    }
    out->note = NULL;
    out->tags = NULL;
    json_decref(j);
    return rc;
}

static void accepts_valid(void **state)
{
    (void)state;
    struct in in = {.count = 3};
    uint64_t present;
    struct jspec_error err;
    assert_int_equal(parse("{\"name\":\"王芳\",\"flag\":true,\"ratio\":0.5,\"tags\":[]}", &in, &present,
                           &err), 0);
    assert_string_equal(in.name, "王芳");
    assert_int_equal(in.count, 3); /* default kept */
    assert_true(in.flag);
    assert_true(in.ratio == 0.5);
    assert_true(jspec_given(spec, present, "name"));
    assert_true(jspec_given(spec, present, "tags"));
    assert_false(jspec_given(spec, present, "count"));
    assert_false(jspec_given(spec, present, "nope"));
}

static void length_counts_characters_not_bytes(void **state)
{
    (void)state;
    struct in in = {0};
    struct jspec_error err;
    /* Four Chinese characters are 12 bytes but within a 4-character limit. */
    assert_int_equal(parse("{\"name\":\"网格管理\"}", &in, NULL, &err), 0);
    assert_int_equal(parse("{\"name\":\"网格化管理\"}", &in, NULL, &err), -1);
    assert_int_equal(err.code, GL_ERR_TOO_LONG);
    assert_string_equal(err.field, "name");
    assert_int_equal(gl_error_status(err.code), 422);
    assert_int_equal(parse("{\"name\":\"\"}", &in, NULL, &err), -1);
    assert_int_equal(err.code, GL_ERR_INVALID_VALUE);
}

static void expect_error(const char *text, enum gl_error code, const char *field, unsigned status)
{
    struct in in = {0};
    struct jspec_error err;
    if (parse(text, &in, NULL, &err) != -1)
        fail_msg("accepted %s", text);
    assert_int_equal(err.code, code);
    if (field)
        assert_string_equal(err.field, field);
    else
        assert_null(err.field);
    assert_int_equal(gl_error_status(err.code), status);
    assert_true(strlen(err.message) > 0);
}

static void names_each_problem(void **state)
{
    (void)state;
    expect_error("{\"name\":\"a\",\"nmae\":1}", GL_ERR_UNKNOWN_FIELD, "nmae", 400);
    expect_error("{}", GL_ERR_MISSING_FIELD, "name", 400);
    expect_error("{\"name\":null}", GL_ERR_MISSING_FIELD, "name", 400);
    expect_error("{\"name\":5}", GL_ERR_WRONG_TYPE, "name", 400);
    expect_error("{\"name\":\"a\",\"count\":\"3\"}", GL_ERR_WRONG_TYPE, "count", 400);
    expect_error("{\"name\":\"a\",\"count\":2.5}", GL_ERR_WRONG_TYPE, "count", 400);
    expect_error("{\"name\":\"a\",\"count\":11}", GL_ERR_OUT_OF_RANGE, "count", 422);
    expect_error("{\"name\":\"a\",\"count\":0}", GL_ERR_OUT_OF_RANGE, "count", 422);
    expect_error("{\"name\":\"a\",\"flag\":1}", GL_ERR_WRONG_TYPE, "flag", 400);
    expect_error("{\"name\":\"a\",\"tags\":{}}", GL_ERR_WRONG_TYPE, "tags", 400);
    expect_error("[1,2]", GL_ERR_NOT_AN_OBJECT, NULL, 400);
}

static void null_on_optional_is_absent(void **state)
{
    (void)state;
    struct in in = {.count = 7};
    uint64_t present;
    struct jspec_error err;
    assert_int_equal(parse("{\"name\":\"a\",\"count\":null}", &in, &present, &err), 0);
    assert_int_equal(in.count, 7);
    assert_false(jspec_given(spec, present, "count"));
}

static void schema_matches_spec(void **state)
{
    (void)state;
    json_t *s = jspec_schema(spec);
    assert_string_equal(json_string_value(json_object_get(s, "type")), "object");
    assert_true(json_is_false(json_object_get(s, "additionalProperties")));
    json_t *props = json_object_get(s, "properties");
    assert_int_equal(json_object_size(props), 6);
    json_t *name = json_object_get(props, "name");
    assert_int_equal(json_integer_value(json_object_get(name, "maxLength")), 4);
    json_t *count = json_object_get(props, "count");
    assert_string_equal(json_string_value(json_object_get(count, "type")), "integer");
    assert_int_equal(json_integer_value(json_object_get(count, "maximum")), 10);
    json_t *req = json_object_get(s, "required");
    assert_int_equal(json_array_size(req), 1);
    assert_string_equal(json_string_value(json_array_get(req, 0)), "name");
    json_decref(s);
}

static void error_table_is_complete(void **state)
{
    (void)state;
    for (int e = 0; e < GL_ERR__COUNT; e++) {
        unsigned st = gl_error_status(e);
        assert_true(st >= 400 && st < 600);
        const char *code = gl_error_code(e);
        for (const char *c = code; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
        for (int f = 0; f < e; f++)
            assert_string_not_equal(code, gl_error_code(f));
    }
    assert_int_equal(gl_error_status(GL_ERR_UNSUPPORTED_MEDIA_TYPE), 415);
    assert_int_equal(gl_error_status(GL_ERR_PAYLOAD_TOO_LARGE), 413);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_valid),
        cmocka_unit_test(length_counts_characters_not_bytes),
        cmocka_unit_test(names_each_problem),
        cmocka_unit_test(null_on_optional_is_absent),
        cmocka_unit_test(schema_matches_spec),
        cmocka_unit_test(error_table_is_complete),
    };
    return cmocka_run_group_tests_name("jspec", tests, NULL, NULL);
}

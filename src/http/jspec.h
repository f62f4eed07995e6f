/*
 * Declarative request-body parsing. A handler declares, once and static,
 * the fields it accepts and where each goes in its input struct:
 *
 *     struct cat_in { const char *code; int64_t hours; };
 *     static const struct jspec cat_spec[] = {
 *         JSPEC_STR(struct cat_in, code, "code", 2, 8, JSPEC_REQUIRED, "category code"),
 *         JSPEC_INT(struct cat_in, hours, "time_limit_hours", 1, 2000, 0, "working hours"),
 *         JSPEC_END
 *     };
 *     struct cat_in in = {.hours = 24};            // defaults first
 *     jspec_parse(body, cat_spec, &in, &present, &err);
 *
 * jspec_parse() fills the struct or fails with the first problem, naming
 * the field: unknown fields, missing required ones and wrong JSON types are
 * 400; strings too long or too short and numbers out of range are 422.
 * Only fields that are present are written; bit i of *present says whether
 * spec[i] was given (null counts as not given, except for JSPEC_NULLABLE
 * fields, where it means "clear it"). Strings and json_t values are borrowed from the body
 * and live as long as it. The same static spec generates the OpenAPI schema
 * (jspec_schema), so documentation cannot drift from parsing.
 */
#ifndef GL_HTTP_JSPEC_H
#define GL_HTTP_JSPEC_H
#include <jansson.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/errors.h"

enum jspec_type { JSPEC_STRING = 1, JSPEC_INT, JSPEC_BOOL, JSPEC_NUMBER, JSPEC_OBJECT, JSPEC_ARRAY };

enum {
    JSPEC_REQUIRED = 1 << 0, /* absent (or null) is a missing_field error */
    JSPEC_NULLABLE = 1 << 1, /* explicit null is accepted: marked present, output left as is */
};

struct jspec {
    const char *name;
    enum jspec_type type;
    size_t off;   /* offset of the output member: const char *, int64_t, bool, double, json_t * */
    unsigned flags;
    int64_t min;  /* INT: smallest value; STRING: fewest characters */
    int64_t max;  /* INT: largest value; STRING: most characters (code points) */
    const char *doc;
};

#define JSPEC_STR(T, m, n, lo, hi, f, d) {(n), JSPEC_STRING, offsetof(T, m), (f), (lo), (hi), (d)}
#define JSPEC_INT(T, m, n, lo, hi, f, d) {(n), JSPEC_INT, offsetof(T, m), (f), (lo), (hi), (d)}
#define JSPEC_BOOL(T, m, n, f, d)        {(n), JSPEC_BOOL, offsetof(T, m), (f), 0, 0, (d)}
#define JSPEC_NUM(T, m, n, f, d)         {(n), JSPEC_NUMBER, offsetof(T, m), (f), 0, 0, (d)}
#define JSPEC_OBJ(T, m, n, f, d)         {(n), JSPEC_OBJECT, offsetof(T, m), (f), 0, 0, (d)}
#define JSPEC_ARR(T, m, n, f, d)         {(n), JSPEC_ARRAY, offsetof(T, m), (f), 0, 0, (d)}
#define JSPEC_END                        {NULL, 0, 0, 0, 0, 0, NULL}

struct jspec_error {
    enum gl_error code;
    const char *field; /* points into the spec or the body; NULL for the body as a whole */
    char message[192];
};

/* Returns 0 when `body` satisfies `spec` (out filled, *present set when not
 * NULL), else -1 with *err filled and out partly written. A spec has at
 * most 64 fields. */
int jspec_parse(json_t *body, const struct jspec *spec, void *out, uint64_t *present,
                struct jspec_error *err);
/* Whether the field called `name` was present, from jspec_parse's mask. */
bool jspec_given(const struct jspec *spec, uint64_t present, const char *name);

/* An OpenAPI 3 schema object describing `spec`; the caller owns it. */
json_t *jspec_schema(const struct jspec *spec);

/* Number of Unicode code points in a valid UTF-8 string. */
size_t jspec_utf8_len(const char *s);

#endif

/*
 * The declarative JSON field-spec parser; see jspec.h.
 */
#include "http/jspec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t jspec_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static const char *type_name(enum jspec_type t)
{
    switch (t) {
    case JSPEC_STRING: return "string";
    case JSPEC_INT: return "integer";
    case JSPEC_BOOL: return "boolean";
    case JSPEC_NUMBER: return "number";
    case JSPEC_OBJECT: return "object";
    case JSPEC_ARRAY: return "array";
    }
    return "value";
}

__attribute__((format(printf, 4, 5)))
static int fail(struct jspec_error *err, enum gl_error code, const char *field, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    err->field = field;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static const struct jspec *find(const struct jspec *spec, const char *name)
{
    for (; spec->name; spec++)
        if (strcmp(spec->name, name) == 0)
            return spec;
    return NULL;
}

static int take(const struct jspec *f, json_t *v, char *out, struct jspec_error *err)
{
    void *dst = out + f->off;
    switch (f->type) {
    case JSPEC_STRING: {
        if (!json_is_string(v))
            break;
        const char *s = json_string_value(v);
        long long n = (long long)jspec_utf8_len(s);
        if (f->max > 0 && n > f->max)
            return fail(err, GL_ERR_TOO_LONG, f->name, "%s is longer than %lld characters", f->name,
                        (long long)f->max);
        if (n < f->min)
            return fail(err, GL_ERR_INVALID_VALUE, f->name, "%s must have at least %lld characters",
                        f->name, (long long)f->min);
        *(const char **)dst = s;
        return 0;
    }
    case JSPEC_INT: {
        if (!json_is_integer(v))
            break;
        json_int_t i = json_integer_value(v);
        if (i < f->min || i > f->max)
            return fail(err, GL_ERR_OUT_OF_RANGE, f->name, "%s must be between %lld and %lld",
                        f->name, (long long)f->min, (long long)f->max);
        *(int64_t *)dst = (int64_t)i;
        return 0;
    }
    case JSPEC_BOOL:
        if (!json_is_boolean(v))
            break;
        *(bool *)dst = json_is_true(v);
        return 0;
    case JSPEC_NUMBER:
        if (!json_is_number(v))
            break;
        *(double *)dst = json_number_value(v);
        return 0;
    case JSPEC_OBJECT:
        if (!json_is_object(v))
            break;
        *(json_t **)dst = v;
        return 0;
    case JSPEC_ARRAY:
        if (!json_is_array(v))
            break;
        *(json_t **)dst = v;
        return 0;
    }
    return fail(err, GL_ERR_WRONG_TYPE, f->name, "%s must be a JSON %s", f->name,
                type_name(f->type));
}

int jspec_parse(json_t *body, const struct jspec *spec, void *out, uint64_t *present,
                struct jspec_error *err)
{
    uint64_t mask = 0;
    if (present)
        *present = 0;
    if (!json_is_object(body))
        return fail(err, GL_ERR_NOT_AN_OBJECT, NULL, "request body must be a JSON object");

    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (!find(spec, key))
            return fail(err, GL_ERR_UNKNOWN_FIELD, key, "unknown field \"%s\"", key);
    }
    for (unsigned i = 0; spec[i].name; i++) {
        const struct jspec *f = &spec[i];
        v = json_object_get(body, f->name);
        /* null counts as "not given", except that a required field must
         * have a value unless it is declared nullable. */
        if (!v || json_is_null(v)) {
            if ((f->flags & JSPEC_REQUIRED) && !(v && (f->flags & JSPEC_NULLABLE)))
                return fail(err, GL_ERR_MISSING_FIELD, f->name, "%s is required", f->name);
            if (v && (f->flags & JSPEC_NULLABLE))
                mask |= UINT64_C(1) << i; /* given as null: "clear it"; output untouched */
            continue;
        }
        if (take(f, v, out, err) < 0)
            return -1;
        mask |= UINT64_C(1) << i;
    }
    if (present)
        *present = mask;
    return 0;
}

bool jspec_given(const struct jspec *spec, uint64_t present, const char *name)
{
    for (unsigned i = 0; spec[i].name; i++)
        if (strcmp(spec[i].name, name) == 0)
            return (present >> i) & 1;
    return false;
}

json_t *jspec_schema(const struct jspec *spec)
{
    json_t *props = json_object(), *req = json_array();
    for (const struct jspec *f = spec; f->name; f++) {
        json_t *p = json_pack("{s:s}", "type", type_name(f->type));
        if (f->doc)
            json_object_set_new(p, "description", json_string(f->doc));
        if (f->type == JSPEC_STRING) {
            if (f->max > 0)
                json_object_set_new(p, "maxLength", json_integer(f->max));
            if (f->min > 0)
                json_object_set_new(p, "minLength", json_integer(f->min));
        } else if (f->type == JSPEC_INT) {
            json_object_set_new(p, "minimum", json_integer(f->min));
            json_object_set_new(p, "maximum", json_integer(f->max));
        }
        if (f->flags & JSPEC_NULLABLE)
            json_object_set_new(p, "nullable", json_true());
        json_object_set_new(props, f->name, p);
        if (f->flags & JSPEC_REQUIRED)
            json_array_append_new(req, json_string(f->name));
    }
    json_t *s = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props,
                          "additionalProperties", 0);
    if (json_array_size(req))
        json_object_set_new(s, "required", req);
    else
        json_decref(req);
    return s;
}

/*
 * /api/v1/services: the errand service catalog ("1+94" items staff do on a
 * resident's behalf). Any signed-in user reads it; admins without a region
 * limit change it, and each change is in the audit chain.
 */
#include "api/api.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MATERIALS_MAX 30
#define MATERIAL_CHARS 60

static const char *const venue_names[] = {"village", "center", "online"};

json_t *api_service_json(const struct db_service *s)
{
    json_t *materials = json_loads(s->materials, 0, NULL);
    json_t *venues = json_loads(s->venues, 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:o, s:I, s:I, s:o, s:b, s:I}", "id",
                     (json_int_t)s->id, "code", s->code, "name", s->name, "category",
                     s->category, "dept", "id", (json_int_t)s->dept_id, "name", s->dept_name,
                     "materials", materials ? materials : json_array(), "promised_days",
                     (json_int_t)s->promised_days, "fee_cents", (json_int_t)s->fee_cents,
                     "venues", venues ? venues : json_array(), "active", s->active,
                     "version", (json_int_t)s->version);
}

/* NULL when arr is an array of at most max distinct strings of 1..chars
 * characters (each one of allowed[] when given), else what is wrong. */
static const char *strings_problem(const json_t *arr, size_t max, size_t chars,
                                   const char *const *allowed, size_t nallowed, char *buf,
                                   size_t len)
{
    if (json_array_size(arr) > max) {
        snprintf(buf, len, "at most %zu items", max);
        return buf;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (!s || !*s || jspec_utf8_len(s) > chars) {
            snprintf(buf, len, "item %zu must be a text of 1 to %zu characters", i + 1, chars);
            return buf;
        }
        bool known = !allowed;
        for (size_t k = 0; allowed && k < nallowed; k++)
            known = known || strcmp(s, allowed[k]) == 0;
        if (!known) {
            snprintf(buf, len, "\"%s\" is not one of village, center, online", s);
            return buf;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(arr, j))) == 0) {
                snprintf(buf, len, "\"%s\" is listed twice", s);
                return buf;
            }
    }
    return NULL;
}

/* ---- reading ------------------------------------------------------------------------ */

struct list_ctx {
    const char *category, *q;
    bool all;
    json_t *items;
};

static int add_service(void *cls, const struct db_service *s)
{
    struct list_ctx *l = cls;
    json_array_append_new(l->items, api_service_json(s));
    return 0;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_services_list(c, l->category, l->q, !l->all, add_service, l);
}

enum MHD_Result api_services_list(struct http_req *r)
{
    const char *all = http_query(r, "all");
    struct list_ctx l = {http_query(r, "category"), http_query(r, "q"),
                         all && strcmp(all, "1") == 0, json_array()};
    int rc = db_run_transaction(r->app->db, DB_READ, list_txn, &l);
    if (rc < 0) {
        json_decref(l.items);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 200, json_pack("{s:o, s:I}", "items", l.items, "count",
                                             (json_int_t)json_array_size(l.items)));
}

struct one_ctx {
    int64_t id;
    json_t *out;
};

static int keep_one(void *cls, const struct db_service *s)
{
    struct one_ctx *o = cls;
    json_decref(o->out);
    o->out = api_service_json(s);
    return 1;
}

static int get_txn(struct db_conn *c, void *cls)
{
    struct one_ctx *o = cls;
    return db_service_get(c, o->id, keep_one, o);
}

enum MHD_Result api_services_get(struct http_req *r)
{
    struct one_ctx o = {0};
    if (http_param_id_or_reply(r, 0, &o.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, get_txn, &o);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    if (!o.out)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no service with id %lld",
                                (long long)o.id);
    return http_reply_json(r, 200, o.out);
}

/* ---- writing ------------------------------------------------------------------------ */

struct service_in {
    int64_t if_version, dept_id, promised_days, fee_cents;
    const char *code, *name, *category;
    json_t *materials, *venues;
    bool active;
};

#define SERVICE_FIELDS(flags)                                                                  \
    JSPEC_STR(struct service_in, name, "name", 2, 60, flags, "the item's name, e.g. 城乡居民养老保险待遇申领"), \
    JSPEC_STR(struct service_in, category, "category", 2, 20, flags,                          \
              "the group it is listed under, e.g. 社会保障"),                                  \
    JSPEC_INT(struct service_in, dept_id, "dept_id", 1, INT64_MAX, flags,                      \
              "the department that decides it"),                                               \
    JSPEC_ARR(struct service_in, materials, "materials", 0,                                    \
              "required materials, up to 30 texts of up to 60 characters"),                    \
    JSPEC_INT(struct service_in, promised_days, "promised_days", 1, 365, flags,                \
              "working days promised to the resident"),                                        \
    JSPEC_INT(struct service_in, fee_cents, "fee_cents", 0, 100000000, 0,                      \
              "fee in fen (0 = free)"),                                                        \
    JSPEC_ARR(struct service_in, venues, "venues", 0,                                          \
              "where it can be done: village, center (便民服务中心), online"),                  \
    JSPEC_BOOL(struct service_in, active, "active", 0, "false retires the item")

const struct jspec api_service_create_spec[] = {
    JSPEC_STR(struct service_in, code, "code", 2, 16, JSPEC_REQUIRED,
              "catalog code, letters and digits, e.g. DB001"),
    SERVICE_FIELDS(JSPEC_REQUIRED),
    JSPEC_END,
};

const struct jspec api_service_patch_spec[] = {
    JSPEC_INT(struct service_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read; 409 if it moved on"),
    SERVICE_FIELDS(0),
    JSPEC_END,
};

/* Checks the lists and the code; replies 422 and returns -1 when wrong. */
static int lists_ok_or_reply(struct http_req *r, const struct service_in *in)
{
    char buf[160];
    const char *why;
    if (in->materials &&
        (why = strings_problem(in->materials, MATERIALS_MAX, MATERIAL_CHARS, NULL, 0, buf,
                               sizeof buf))) {
        http_reply_error(r, GL_ERR_INVALID_VALUE, "materials", "materials: %s", why);
        return -1;
    }
    if (in->venues && (json_array_size(in->venues) == 0 ||
                       (why = strings_problem(in->venues, 3, 10, venue_names, 3, buf,
                                              sizeof buf)))) {
        http_reply_error(r, GL_ERR_INVALID_VALUE, "venues", "venues: %s",
                         json_array_size(in->venues) ? why : "name at least one place");
        return -1;
    }
    for (const char *p = in->code; p && *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            http_reply_error(r, GL_ERR_INVALID_VALUE, "code",
                             "code takes letters and digits only, e.g. DB001");
            return -1;
        }
    return 0;
}

struct write_ctx {
    struct http_req *r;
    struct service_in in;
    uint64_t given;
    bool create;
    struct one_ctx made;
    struct api_fail fail;
};

static bool given(const struct write_ctx *x, const struct jspec *spec, const char *name)
{
    return jspec_given(spec, x->given, name);
}

/* A catalog row read for change, its strings copied. */
struct service_copy {
    struct db_service s;
    char *text[4];
};

static int keep_copy(void *cls, const struct db_service *s)
{
    struct service_copy *k = cls;
    k->s = *s;
    const char **fields[] = {&k->s.name, &k->s.category, &k->s.materials, &k->s.venues};
    for (size_t i = 0; i < 4; i++) {
        k->text[i] = strdup(*fields[i]);
        if (!k->text[i])
            abort();
        *fields[i] = k->text[i];
    }
    k->s.code = k->s.dept_name = NULL;
    return 1;
}

static void copy_free(struct service_copy *k)
{
    for (size_t i = 0; i < 4; i++)
        free(k->text[i]);
    *k = (struct service_copy){0};
}

static int save(struct db_conn *c, struct write_ctx *x, struct db_service *s, int64_t now)
{
    const struct jspec *spec = x->create ? api_service_create_spec : api_service_patch_spec;
    char *materials = x->in.materials ? json_dumps(x->in.materials, JSON_COMPACT) : NULL;
    char *venues = x->in.venues ? json_dumps(x->in.venues, JSON_COMPACT) : NULL;
    if (given(x, spec, "name"))
        s->name = x->in.name;
    if (given(x, spec, "category"))
        s->category = x->in.category;
    if (given(x, spec, "dept_id"))
        s->dept_id = x->in.dept_id;
    if (materials)
        s->materials = materials;
    if (venues)
        s->venues = venues;
    if (given(x, spec, "promised_days"))
        s->promised_days = x->in.promised_days;
    if (given(x, spec, "fee_cents"))
        s->fee_cents = x->in.fee_cents;
    if (given(x, spec, "active"))
        s->active = x->in.active;
    int rc = x->create ? db_service_insert(c, s, now, &x->made.id)
                       : db_service_save(c, s, x->in.if_version, now);
    free(materials);
    free(venues);
    if (rc == DB_UNIQUE)
        return api_fail(&x->fail, GL_ERR_CONFLICT, "code", "a service with code \"%s\" exists",
                        x->in.code);
    if (rc == DB_FOREIGN)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "dept_id", "no department %lld",
                        (long long)s->dept_id);
    if (rc == 0)
        return api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                        "the service changed meanwhile; reload it and decide again");
    return rc;
}

static int write_txn(struct db_conn *c, void *cls)
{
    struct write_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    json_decref(x->made.out);
    x->made.out = NULL;
    struct service_copy old = {.s = {.code = x->in.code, .venues = "[\"village\"]",
                                     .materials = "[]", .active = 1}};
    int rc = 1;
    if (!x->create) {
        rc = db_service_get(c, x->made.id, keep_copy, &old);
        if (rc == 0)
            rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no service %lld",
                          (long long)x->made.id);
        else if (rc > 0 && old.s.version != x->in.if_version)
            rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                          "the service is now at version %lld; reload it and decide again",
                          (long long)old.s.version);
    }
    if (rc > 0)
        rc = save(c, x, &old.s, now);
    copy_free(&old);
    if (rc < 0)
        return rc;
    rc = db_service_get(c, x->made.id, keep_one, &x->made);
    if (rc <= 0)
        return rc < 0 ? rc : DB_ERROR;
    char *text = json_dumps(x->made.out, JSON_COMPACT | JSON_SORT_KEYS);
    rc = text ? db_audit_append(c, x->r->who.user_id,
                                x->create ? "service.create" : "service.update", "service",
                                x->made.id, text, now)
              : DB_ERROR;
    free(text);
    return rc;
}

static enum MHD_Result write_service(struct http_req *r, bool create)
{
    struct write_ctx x = {.r = r, .create = create};
    x.in.active = true;
    if (!create && http_param_id_or_reply(r, 0, &x.made.id) < 0)
        return r->result;
    if (http_parse_body_or_reply(r, create ? api_service_create_spec : api_service_patch_spec,
                                 &x.in, &x.given) < 0)
        return r->result;
    /* The catalog is shared by the whole installation. */
    struct target t = {.region = NULL};
    if (http_authorize_visible_or_reply(r, ACT_SERVICE_WRITE, &t) < 0 ||
        lists_ok_or_reply(r, &x.in) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, write_txn, &x);
    return api_reply_txn(r, rc, x.made.out, &x.fail, create ? 201 : 200);
}

enum MHD_Result api_services_create(struct http_req *r) { return write_service(r, true); }
enum MHD_Result api_services_patch(struct http_req *r) { return write_service(r, false); }

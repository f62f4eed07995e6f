/*
 * /api/v1/categories: the two-level case categories (案件类别) and their
 * default time limits in working hours.
 */
#include "api/api.h"
#include "core/category.h"
#include "db/db.h"

#include <string.h>
#include <time.h>

struct category_in {
    const char *code;
    const char *parent_code;
    const char *name_zh;
    const char *name_en;
    int64_t time_limit_hours;
    bool active;
};

const struct jspec api_category_create_spec[] = {
    JSPEC_STR(struct category_in, code, "code", 2, 8, JSPEC_REQUIRED,
              "\"01\" for a top-level category; the parent's code plus two digits for a sub-category"),
    JSPEC_STR(struct category_in, parent_code, "parent_code", 2, 2, 0,
              "code of the top-level category this one belongs to; absent for a top-level category"),
    JSPEC_STR(struct category_in, name_zh, "name_zh", 1, CATEGORY_NAME_MAX, JSPEC_REQUIRED,
              "Chinese name, e.g. 拖欠工资"),
    JSPEC_STR(struct category_in, name_en, "name_en", 0, CATEGORY_NAME_MAX, 0, "English name"),
    JSPEC_INT(struct category_in, time_limit_hours, "time_limit_hours", CATEGORY_LIMIT_MIN_HOURS,
              CATEGORY_LIMIT_MAX_HOURS, 0,
              "time limit in working hours; required for a top-level category, "
              "a sub-category inherits its parent's when absent"),
    JSPEC_BOOL(struct category_in, active, "active", 0, "whether new cases may use it (default true)"),
    JSPEC_END,
};

static json_t *category_json(const struct http_req *r, const struct db_category *c)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:I, s:b, s:o, s:o, s:I}",
                     "id", (json_int_t)c->id, "code", c->code,
                     "parent_id", c->parent_id ? json_integer(c->parent_id) : json_null(),
                     "parent_code", c->parent_code ? json_string(c->parent_code) : json_null(),
                     "name_zh", c->name_zh, "name_en", c->name_en,
                     "time_limit_hours", (json_int_t)c->time_limit_hours, "active", c->active,
                     "created_at", api_time(r, c->created_at),
                     "updated_at", api_time(r, c->updated_at), "version", (json_int_t)c->version);
}

/* ---- list and get ------------------------------------------------------- */

struct list_ctx {
    struct http_req *r;
    const char *parent;
    json_t *items;
};

static int append_item(void *cls, const struct db_category *c)
{
    struct list_ctx *l = cls;
    json_array_append_new(l->items, category_json(l->r, c));
    return 0;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items); /* a retried transaction starts over */
    return db_categories_list(c, l->parent, append_item, l);
}

enum MHD_Result api_categories_list(struct http_req *r)
{
    struct list_ctx l = {r, http_query(r, "parent"), json_array()};
    if (l.parent && category_code_problem(l.parent, NULL)) {
        json_decref(l.items);
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "parent",
                                "parent must be a top-level category code such as \"01\"");
    }
    int rc = db_run_transaction(r->app->db, DB_READ, list_txn, &l);
    if (rc < 0) {
        json_decref(l.items);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", l.items));
}

struct one_ctx {
    struct http_req *r;
    int64_t id;
    json_t *out;
};

static int keep_one(void *cls, const struct db_category *c)
{
    struct one_ctx *o = cls;
    o->out = category_json(o->r, c);
    return 1;
}

static int get_txn(struct db_conn *c, void *cls)
{
    struct one_ctx *o = cls;
    return db_category_by_id(c, o->id, keep_one, o);
}

enum MHD_Result api_categories_get(struct http_req *r)
{
    struct one_ctx o = {r, 0, NULL};
    if (http_param_id_or_reply(r, 0, &o.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, get_txn, &o);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    if (!o.out)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no category with id %lld",
                                (long long)o.id);
    return http_reply_json(r, 200, o.out);
}

/* ---- create -------------------------------------------------------------- */

struct create_ctx {
    struct http_req *r;
    const struct category_in *in;
    bool limit_given;
    struct db_category parent;
    int parent_found;
    struct one_ctx made;
    struct api_fail fail;
};

static int keep_parent(void *cls, const struct db_category *c)
{
    struct create_ctx *x = cls;
    x->parent = *c; /* only ids and the limit are used after the callback */
    x->parent_found = 1;
    return 1;
}

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    const struct category_in *in = x->in;
    json_decref(x->made.out); /* a retried transaction starts over */
    x->made.out = NULL;
    struct db_category row = {.code = in->code, .name_zh = in->name_zh, .name_en = in->name_en,
                              .time_limit_hours = in->time_limit_hours, .active = in->active};
    x->parent_found = 0;
    if (in->parent_code) {
        int rc = db_category_by_code(c, in->parent_code, keep_parent, x);
        if (rc < 0)
            return rc;
        if (!x->parent_found)
            return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "parent_code",
                            "no category with code \"%s\"", in->parent_code);
        const char *problem = category_parent_problem(x->parent.parent_id == 0);
        if (problem)
            return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "parent_code", "%s", problem);
        row.parent_id = x->parent.id;
        if (!x->limit_given)
            row.time_limit_hours = x->parent.time_limit_hours;
    }
    int64_t id;
    int rc = db_category_insert(c, &row, (int64_t)time(NULL), &id);
    if (rc == DB_UNIQUE)
        return api_fail(&x->fail, GL_ERR_CONFLICT, "code", "a category with code \"%s\" exists",
                        in->code);
    if (rc < 0)
        return rc;
    x->made.id = id;
    return db_category_by_id(c, id, keep_one, &x->made);
}

enum MHD_Result api_categories_create(struct http_req *r)
{
    struct category_in in = {.active = true};
    uint64_t present;
    if (http_parse_body_or_reply(r, api_category_create_spec, &in, &present) < 0)
        return r->result;
    /* Categories are shared by the whole installation. */
    struct target t = {.region = NULL};
    if (http_authorize_visible_or_reply(r, ACT_CATEGORY_WRITE, &t) < 0)
        return r->result;
    bool limit_given = jspec_given(api_category_create_spec, present, "time_limit_hours");
    const char *problem = category_code_problem(in.code, in.parent_code);
    if (problem)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "code", "%s", problem);
    if (!in.parent_code && !limit_given)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "time_limit_hours",
                                "time_limit_hours is required for a top-level category");
    struct create_ctx x = {.r = r, .in = &in, .limit_given = limit_given, .made = {r, 0, NULL}};
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    if (rc == DB_ABORT) {
        json_decref(x.made.out);
        return api_reply_fail(r, &x.fail);
    }
    if (rc < 0) {
        json_decref(x.made.out);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 201, x.made.out);
}

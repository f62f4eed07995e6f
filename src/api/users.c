/*
 * /api/v1/users: people who sign in, and the roles they hold within a
 * region and/or a department. Admins manage users inside their own scope:
 * every role they grant must lie within it.
 */
#include "api/api.h"
#include "core/mask.h"
#include "core/region.h"
#include "db/db.h"
#include "secret.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200
#define PASSWORD_MIN 8

struct user_view {
    struct http_req *r;
    json_t *items; /* list mode */
    json_t *one;   /* get mode */
    json_t *cur;
    int64_t id, last_id;
    const char *prefix;
    int64_t limit;
    char first_region[REGION_CODE_BUFLEN];
    bool any_unscoped; /* some role with no region */
};

static int add_role(void *cls, const struct db_role *role)
{
    struct user_view *v = cls;
    json_array_append_new(json_object_get(v->cur, "roles"),
                          json_pack("{s:s, s:o, s:o}", "role", role->role, "region_code",
                                    role->region_code ? json_string(role->region_code) : json_null(),
                                    "dept_id", role->dept_id ? json_integer(role->dept_id) : json_null()));
    if (!role->region_code)
        v->any_unscoped = true;
    else if (!v->first_region[0])
        snprintf(v->first_region, sizeof v->first_region, "%s", role->region_code);
    return 0;
}

static int add_user(void *cls, const struct db_user *u)
{
    struct user_view *v = cls;
    char masked[MASK_BUFLEN] = "";
    if (u->phone) {
        char *p;
        if (secret_open(u->phone, u->phone_len, "users.phone", &p) == 0) {
            mask_phone(p, masked);
            free(p);
        }
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:b, s:b, s:[], s:o, s:I}", "id",
                          (json_int_t)u->id, "username", u->username, "display_name",
                          u->display_name, "phone", u->phone ? json_string(masked) : json_null(),
                          "active", u->active, "totp_enabled", u->totp_enabled, "roles",
                          "created_at", api_time(v->r, u->created_at), "version",
                          (json_int_t)u->version);
    if (v->items)
        json_array_append_new(v->items, j);
    else
        v->one = j;
    v->cur = j;
    v->last_id = u->id;
    return 0;
}

static int users_list_txn(struct db_conn *c, void *cls)
{
    struct user_view *v = cls;
    json_array_clear(v->items);
    int rc = db_users_list(c, v->prefix, v->id, v->limit, add_user, v);
    if (rc < 0)
        return rc;
    size_t i;
    json_t *u;
    json_array_foreach(v->items, i, u) {
        v->cur = u;
        rc = db_user_roles(c, json_integer_value(json_object_get(u, "id")), add_role, v);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int user_get_txn(struct db_conn *c, void *cls)
{
    struct user_view *v = cls;
    json_decref(v->one);
    v->one = NULL;
    v->first_region[0] = '\0';
    v->any_unscoped = false;
    int rc = db_user_by_id(c, v->id, add_user, v);
    if (rc <= 0)
        return rc;
    return db_user_roles(c, v->id, add_role, v);
}

enum MHD_Result api_users_list(struct http_req *r)
{
    /* Users are listed for the first scope that allows it; an admin holds one. */
    char prefix[1][REGION_CODE_BUFLEN];
    const char *scope[1];
    bool linked;
    if (api_scope_prefixes(r, ACT_USER_READ, prefix, scope, 1, &linked) == 0 || !scope[0])
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL, NULL);
    struct user_view v = {.r = r, .items = json_array(), .prefix = scope[0], .limit = PAGE_DEFAULT};
    const char *cursor = http_query(r, "cursor"), *limit = http_query(r, "limit");
    char *end;
    if (cursor && (v.id = strtoll(cursor, &end, 10), *end || v.id < 0)) {
        json_decref(v.items);
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "cursor", "cursor must come from next_cursor");
    }
    if (limit && (v.limit = strtol(limit, &end, 10), *end || v.limit < 1 || v.limit > PAGE_MAX)) {
        json_decref(v.items);
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "limit", "limit must be 1 to %d", PAGE_MAX);
    }
    int rc = db_run_transaction(r->app->db, DB_READ, users_list_txn, &v);
    if (rc < 0) {
        json_decref(v.items);
        return api_reply_db_error(r, rc);
    }
    return api_reply_page(r, v.items, v.limit, v.last_id);
}

enum MHD_Result api_users_get(struct http_req *r)
{
    struct user_view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, user_get_txn, &v);
    if (rc < 0) {
        json_decref(v.one);
        return api_reply_db_error(r, rc);
    }
    /* A user is placed at their first scoped role; one with an unscoped
     * role is reachable only by unscoped readers. Oneself is always visible. */
    struct target t = {.region = v.any_unscoped || !v.first_region[0] ? NULL : v.first_region};
    if (!v.one || (v.id != r->who.user_id &&
                   http_authorize_or_reply(r, ACT_USER_READ, &t) < 0)) {
        json_decref(v.one);
        return v.one ? r->result
                     : http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no user %lld", (long long)v.id);
    }
    return http_reply_json(r, 200, v.one);
}

/* ---- create ----------------------------------------------------------------------- */

struct user_in {
    const char *username, *display_name, *password, *phone;
    json_t *roles;
};

const struct jspec api_user_create_spec[] = {
    JSPEC_STR(struct user_in, username, "username", 2, 32, JSPEC_REQUIRED,
              "sign-in name: letters, digits, '.', '_' or '-'"),
    JSPEC_STR(struct user_in, display_name, "display_name", 1, 32, JSPEC_REQUIRED, "e.g. 李红梅"),
    JSPEC_STR(struct user_in, password, "password", PASSWORD_MIN, 128, JSPEC_REQUIRED,
              "initial password, at least 8 characters"),
    JSPEC_STR(struct user_in, phone, "phone", 7, 20, 0, "contact phone (sealed, masked)"),
    JSPEC_ARR(struct user_in, roles, "roles", JSPEC_REQUIRED,
              "role assignments: [{\"role\", \"region_code\", \"dept_id\"}]"),
    JSPEC_END,
};

struct role_in {
    const char *role, *region_code;
    int64_t dept_id;
};

static const struct jspec role_spec[] = {
    JSPEC_STR(struct role_in, role, "role", 1, 32, JSPEC_REQUIRED, "role name"),
    JSPEC_STR(struct role_in, region_code, "region_code", 12, 15, JSPEC_NULLABLE,
              "region or grid the role holds in; absent = everywhere"),
    JSPEC_INT(struct role_in, dept_id, "dept_id", 1, INT64_MAX, JSPEC_NULLABLE, "department"),
    JSPEC_END,
};

#define MAX_ROLES 8

/* Parses a roles array into out[]; each role must be known, its region a
 * real code shape, and inside the caller's own scope. On failure the reply
 * is sent and -1 returned. */
static int parse_roles_or_reply(struct http_req *r, json_t *roles, struct role_in out[MAX_ROLES],
                                size_t *nout)
{
    size_t n = json_array_size(roles);
    if (n == 0 || n > MAX_ROLES) {
        http_reply_error(r, GL_ERR_INVALID_VALUE, "roles", "give 1 to %d roles", MAX_ROLES);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct jspec_error err;
        struct role_in *ri = &out[i];
        memset(ri, 0, sizeof *ri);
        if (jspec_parse(json_array_get(roles, i), role_spec, ri, NULL, &err) < 0) {
            http_reply_error(r, err.code, "roles", "roles[%zu]: %s", i, err.message);
            return -1;
        }
        if (role_parse(ri->role) < 0) {
            http_reply_error(r, GL_ERR_INVALID_VALUE, "roles", "roles[%zu]: unknown role \"%s\"", i,
                             ri->role);
            return -1;
        }
        if (ri->region_code && region_level_of(ri->region_code) == LEVEL_INVALID) {
            http_reply_error(r, GL_ERR_INVALID_VALUE, "roles",
                             "roles[%zu]: region_code is not a region or grid code", i);
            return -1;
        }
        /* The admin may grant only inside their own scope. */
        struct target t = {.region = ri->region_code, .dept_id = ri->dept_id};
        if (http_authorize_visible_or_reply(r, ACT_USER_WRITE, &t) < 0)
            return -1;
    }
    *nout = n;
    return 0;
}

/* Writes roles for user id (after any old ones were cleared). */
static int insert_roles(struct db_conn *c, int64_t id, const struct role_in *roles, size_t n,
                        int64_t now, struct api_fail *fail)
{
    for (size_t i = 0; i < n; i++) {
        int rc = db_role_insert(c, id, roles[i].role, roles[i].region_code, roles[i].dept_id, now);
        if (rc == DB_UNIQUE)
            return api_fail(fail, GL_ERR_INVALID_VALUE, "roles", "roles[%zu] repeats an earlier one", i);
        if (rc == DB_FOREIGN)
            return api_fail(fail, GL_ERR_INVALID_VALUE, "roles", "roles[%zu].dept_id: no such department", i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

struct create_ctx {
    struct http_req *r;
    const struct user_in *in;
    struct role_in roles[MAX_ROLES];
    size_t nroles;
    char hash[SECRET_PWHASH_LEN];
    unsigned char *phone;
    size_t phone_len;
    struct user_view out;
    struct api_fail fail;
};

static bool username_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL), id;
    struct db_user u = {.username = x->in->username, .display_name = x->in->display_name,
                        .password_hash = x->hash, .phone = x->phone, .phone_len = x->phone_len};
    int rc = db_user_insert(c, &u, now, &id);
    if (rc == DB_UNIQUE)
        return api_fail(&x->fail, GL_ERR_CONFLICT, "username", "username %s is taken",
                        x->in->username);
    if (rc < 0)
        return rc;
    rc = insert_roles(c, id, x->roles, x->nroles, now, &x->fail);
    if (rc < 0)
        return rc;
    x->out.id = id;
    return user_get_txn(c, &x->out);
}

enum MHD_Result api_users_create(struct http_req *r)
{
    struct user_in in = {0};
    if (http_parse_body_or_reply(r, api_user_create_spec, &in, NULL) < 0)
        return r->result;
    if (!username_ok(in.username))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "username",
                                "a username uses letters, digits, '.', '_' and '-' only");
    if (in.phone && !phone_valid(in.phone))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "phone", "not a phone number");
    struct create_ctx x = {.r = r, .in = &in, .out = {.r = r}};
    if (parse_roles_or_reply(r, in.roles, x.roles, &x.nroles) < 0)
        return r->result;
    if (in.phone && secret_seal(in.phone, "users.phone", &x.phone, &x.phone_len) < 0)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    if (secret_password_hash(in.password, x.hash) != 0) {
        free(x.phone);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    free(x.phone);
    if (rc == DB_ABORT) {
        json_decref(x.out.one);
        return api_reply_fail(r, &x.fail);
    }
    if (rc < 0) {
        json_decref(x.out.one);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 201, x.out.one);
}

/* ---- change ------------------------------------------------------------------ */

struct user_patch_in {
    int64_t if_version;
    const char *display_name;
    bool active;
    json_t *roles;
};

const struct jspec api_user_patch_spec[] = {
    JSPEC_INT(struct user_patch_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read; 409 if it changed since"),
    JSPEC_STR(struct user_patch_in, display_name, "display_name", 1, 32, 0, "shown name"),
    JSPEC_BOOL(struct user_patch_in, active, "active", 0,
               "false signs the user out everywhere and refuses new sign-ins"),
    JSPEC_ARR(struct user_patch_in, roles, "roles", 0, "replaces all role assignments"),
    JSPEC_END,
};

struct patch_ctx {
    struct user_view *v;
    int64_t if_version;
    const char *display_name;
    int active; /* -1 = unchanged */
    struct role_in roles[MAX_ROLES];
    size_t nroles;
    bool set_roles;
    struct api_fail fail;
};

static int patch_txn(struct db_conn *c, void *cls)
{
    struct patch_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    int rc = db_user_update(c, x->v->id, x->if_version, x->display_name, x->active, now);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_version_fail(c, "SELECT version FROM users WHERE id = $1", x->v->id, "user",
                                &x->fail);
    if (x->set_roles) {
        if ((rc = db_user_roles_clear(c, x->v->id)) < 0 ||
            (rc = insert_roles(c, x->v->id, x->roles, x->nroles, now, &x->fail)) < 0)
            return rc;
    }
    if (x->active == 0 && (rc = db_user_sessions_end(c, x->v->id)) < 0)
        return rc;
    return user_get_txn(c, x->v);
}

enum MHD_Result api_users_patch(struct http_req *r)
{
    struct user_patch_in in = {0};
    uint64_t given;
    struct user_view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0 ||
        http_parse_body_or_reply(r, api_user_patch_spec, &in, &given) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, user_get_txn, &v);
    bool found = v.one != NULL;
    json_decref(v.one);
    v.one = NULL;
    if (rc < 0)
        return api_reply_db_error(r, rc);
    if (!found)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no user %lld", (long long)v.id);
    struct target t = {.region = v.any_unscoped || !v.first_region[0] ? NULL : v.first_region};
    if (http_authorize_or_reply(r, ACT_USER_WRITE, &t) < 0)
        return r->result;
    struct patch_ctx x = {.v = &v, .if_version = in.if_version, .display_name = in.display_name,
                          .active = jspec_given(api_user_patch_spec, given, "active") ? in.active : -1};
    if (x.active == 0 && v.id == r->who.user_id)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "active",
                                "you cannot deactivate your own account; ask another admin");
    if (in.roles) {
        if (parse_roles_or_reply(r, in.roles, x.roles, &x.nroles) < 0)
            return r->result;
        x.set_roles = true;
    }
    rc = db_run_transaction(r->app->db, DB_WRITE, patch_txn, &x);
    return api_reply_txn(r, rc, v.one, &x.fail, 200);
}

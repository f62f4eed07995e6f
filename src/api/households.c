/*
 * /api/v1/households: the households of each grid, with personal data
 * sealed at rest and masked in every answer. ?unmask=1 shows it in full to
 * those who hold the unmask permission for the household's grid, and every
 * such view is written to pii_access_log before the data leaves.
 */
#include "api/api.h"
#include "core/mask.h"
#include "core/region.h"
#include "db/db.h"
#include "log.h"
#include "secret.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

/* Opens one sealed column into a JSON string, masked unless `clear`. */
static json_t *pii_json(const void *blob, size_t len, const char *context, bool clear,
                        void (*mask)(const char *, char[MASK_BUFLEN]))
{
    if (!blob)
        return json_null();
    char *text;
    if (secret_open(blob, len, context, &text) < 0) {
        log_error("households", "%s does not open with this key", context);
        return json_string("(unreadable)");
    }
    char masked[MASK_BUFLEN];
    json_t *j;
    if (clear) {
        j = json_string(text);
    } else {
        mask(text, masked);
        j = json_string(masked);
    }
    free(text);
    return j;
}

static json_t *household_json(const struct http_req *r, const struct db_household *h, bool clear)
{
    json_t *tags = json_loads(h->tags, 0, NULL);
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:I, s:o, s:b, s:o, s:o, s:I}", "id",
        (json_int_t)h->id, "grid_code", h->grid_code, "address_area", h->address_area,
        "address_detail",
        pii_json(h->address_detail, h->address_detail_len, "households.address_detail", clear,
                 mask_detail),
        "head_name", h->head_name, "head_id_number",
        pii_json(h->head_id_number, h->head_id_number_len, "households.head_id_number", clear,
                 mask_id_number),
        "phone", pii_json(h->phone, h->phone_len, "households.phone", clear, mask_phone),
        "members", (json_int_t)h->members, "tags", tags ? tags : json_array(), "masked", !clear,
        "created_at", api_time(r, h->created_at), "updated_at", api_time(r, h->updated_at),
        "version", (json_int_t)h->version);
}

/* ---- list ------------------------------------------------------------------ */

struct list_ctx {
    struct http_req *r;
    struct db_household_filter f;
    json_t *items;
    int64_t last_id;
};

static int add_household(void *cls, const struct db_household *h)
{
    struct list_ctx *l = cls;
    json_array_append_new(l->items, household_json(l->r, h, false));
    l->last_id = h->id;
    return 0;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_households_list(c, &l->f, add_household, l);
}

enum MHD_Result api_households_list(struct http_req *r)
{
    struct list_ctx l = {.r = r};
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN], narrow[REGION_CODE_BUFLEN];
    bool linked;
    size_t n = api_scope_prefixes(r, ACT_HOUSEHOLD_READ, prefixes, l.f.scopes, DB_MAX_SCOPES,
                                  &linked);
    if (n == 0 && !linked)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL, NULL);
    l.f.linked_user = linked ? r->who.user_id : 0;
    if (api_region_param_or_reply(r, "region", narrow, &l.f.region) < 0)
        return r->result;
    const char *cursor = http_query(r, "cursor"), *limit = http_query(r, "limit");
    l.f.name = http_query(r, "q");
    if (l.f.name && (!*l.f.name || strlen(l.f.name) > 64))
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "q", "q must be 1 to 64 characters");
    l.f.limit = PAGE_DEFAULT;
    if (limit) {
        char *end;
        long v = strtol(limit, &end, 10);
        if (*end || v < 1 || v > PAGE_MAX)
            return http_reply_error(r, GL_ERR_BAD_PARAMETER, "limit", "limit must be 1 to %d",
                                    PAGE_MAX);
        l.f.limit = v;
    }
    if (cursor) {
        char *end;
        long long v = strtoll(cursor, &end, 10);
        if (*end || v < 0)
            return http_reply_error(r, GL_ERR_BAD_PARAMETER, "cursor",
                                    "cursor must be a next_cursor from an earlier page");
        l.f.after_id = v;
    }
    l.items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, list_txn, &l);
    if (rc < 0) {
        json_decref(l.items);
        return api_reply_db_error(r, rc);
    }
    return api_reply_page(r, l.items, l.f.limit, l.last_id);
}

/* ---- one household ----------------------------------------------------------- */

struct get_ctx {
    struct http_req *r;
    int64_t id;
    bool clear, found, linked;
    char grid[REGION_CODE_BUFLEN];
    json_t *out;
};

static int keep_household(void *cls, const struct db_household *h)
{
    struct get_ctx *g = cls;
    g->found = true;
    snprintf(g->grid, sizeof g->grid, "%s", h->grid_code);
    json_decref(g->out);
    g->out = household_json(g->r, h, g->clear);
    return 1;
}

static int get_txn(struct db_conn *c, void *cls)
{
    struct get_ctx *g = cls;
    g->found = false;
    int rc = db_household_get(c, g->id, keep_household, g);
    if (rc <= 0)
        return rc;
    rc = db_party_linked(c, g->r->who.user_id, g->id);
    g->linked = rc > 0;
    return rc < 0 ? rc : 0;
}

static int log_unmask(struct db_conn *c, void *cls)
{
    struct get_ctx *g = cls;
    return db_pii_log(c, g->r->who.user_id, "household", g->id,
                      "address_detail,head_id_number,phone", (int64_t)time(NULL));
}

enum MHD_Result api_households_get(struct http_req *r)
{
    struct get_ctx g = {.r = r};
    if (http_param_id_or_reply(r, 0, &g.id) < 0)
        return r->result;
    const char *unmask = http_query(r, "unmask");
    g.clear = unmask && strcmp(unmask, "1") == 0;
    int rc = db_run_transaction(r->app->db, DB_READ, get_txn, &g);
    if (rc < 0) {
        json_decref(g.out);
        return api_reply_db_error(r, rc);
    }
    struct target t = {.region = g.grid, .linked = g.linked};
    if (!g.found || http_authorize_or_reply(r, ACT_HOUSEHOLD_READ, &t) < 0) {
        json_decref(g.out);
        return g.found ? r->result
                       : http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no household %lld",
                                          (long long)g.id);
    }
    if (g.clear) {
        if (http_authorize_visible_or_reply(r, ACT_PII_UNMASK, &t) < 0) {
            json_decref(g.out);
            return r->result;
        }
        /* Recorded before the data leaves; no record, no data. */
        rc = db_run_transaction(r->app->db, DB_WRITE, log_unmask, &g);
        if (rc < 0) {
            json_decref(g.out);
            return api_reply_db_error(r, rc);
        }
    }
    return http_reply_json(r, 200, g.out);
}

/* ---- create -------------------------------------------------------------------- */

struct household_in {
    const char *grid_code, *address_area, *address_detail, *head_name, *head_id_number, *phone;
    int64_t members;
    json_t *tags;
};

const struct jspec api_household_create_spec[] = {
    JSPEC_STR(struct household_in, grid_code, "grid_code", 15, 15, JSPEC_REQUIRED, "the grid"),
    JSPEC_STR(struct household_in, address_area, "address_area", 1, 64, JSPEC_REQUIRED,
              "public part of the address: village group or estate and building"),
    JSPEC_STR(struct household_in, address_detail, "address_detail", 0, 64, 0,
              "door number or unit and room (sealed, masked)"),
    JSPEC_STR(struct household_in, head_name, "head_name", 1, 32, JSPEC_REQUIRED,
              "head of household"),
    JSPEC_STR(struct household_in, head_id_number, "head_id_number", 18, 18, 0,
              "resident ID number (sealed, masked)"),
    JSPEC_STR(struct household_in, phone, "phone", 7, 20, 0, "contact phone (sealed, masked)"),
    JSPEC_INT(struct household_in, members, "members", 1, 30, 0, "people in the household"),
    JSPEC_ARR(struct household_in, tags, "tags", 0,
              "care labels such as 低保户, 独居老人, 残疾人 (strings)"),
    JSPEC_END,
};

/* Checks a tags array: strings of 1 to 32 bytes. */
static int tags_ok(json_t *tags)
{
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag) {
        if (!json_is_string(tag) || json_string_length(tag) == 0 || json_string_length(tag) > 32)
            return 0;
    }
    return 1;
}

struct seal {
    unsigned char *p;
    size_t n;
};

static int seal_opt(const char *text, const char *context, struct seal *s)
{
    s->p = NULL;
    s->n = 0;
    return text && *text ? secret_seal(text, context, &s->p, &s->n) : 0;
}

struct create_ctx {
    struct http_req *r;
    struct db_household h;
    struct get_ctx out;
    struct api_fail fail;
};

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int rc = db_household_insert(c, &x->h, (int64_t)time(NULL), &x->out.id);
    if (rc == DB_FOREIGN)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "grid_code", "no grid %s",
                        x->h.grid_code);
    if (rc < 0)
        return rc;
    return get_txn(c, &x->out);
}

enum MHD_Result api_households_create(struct http_req *r)
{
    struct household_in in = {.members = 1};
    if (http_parse_body_or_reply(r, api_household_create_spec, &in, NULL) < 0)
        return r->result;
    if (in.head_id_number && !id_number_valid(in.head_id_number))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "head_id_number",
                                "not a valid 18-character resident ID number (check digit)");
    if (in.phone && !phone_valid(in.phone))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "phone",
                                "a phone is an 11-digit mobile or a landline such as 0536-1234567");
    if (in.tags && !tags_ok(in.tags))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "tags",
                                "tags are non-empty strings of up to 32 bytes");
    struct target t = {.region = in.grid_code};
    if (http_authorize_visible_or_reply(r, ACT_HOUSEHOLD_WRITE, &t) < 0)
        return r->result;
    struct seal detail, idn, phone;
    seal_opt(in.address_detail, "households.address_detail", &detail);
    seal_opt(in.head_id_number, "households.head_id_number", &idn);
    seal_opt(in.phone, "households.phone", &phone);
    char *tags = in.tags ? json_dumps(in.tags, JSON_COMPACT) : NULL;
    struct create_ctx x = {
        .r = r,
        .h = {.grid_code = in.grid_code, .address_area = in.address_area,
              .head_name = in.head_name, .members = in.members, .tags = tags,
              .address_detail = detail.p, .address_detail_len = detail.n,
              .head_id_number = idn.p, .head_id_number_len = idn.n,
              .phone = phone.p, .phone_len = phone.n},
        .out = {.r = r},
    };
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    free(detail.p), free(idn.p), free(phone.p), free(tags);
    if (rc == DB_ABORT)
        return api_reply_fail(r, &x.fail);
    if (rc < 0) {
        json_decref(x.out.out);
        return api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 201, x.out.out);
}

/* ---- change ------------------------------------------------------------------ */

/* Loads household `id` and checks that the caller may see it; on refusal
 * the 404/403 reply is sent and -1 returned. */
static int load_visible_or_reply(struct http_req *r, struct get_ctx *g)
{
    int rc = db_run_transaction(r->app->db, DB_READ, get_txn, g);
    json_decref(g->out);
    g->out = NULL;
    if (rc < 0) {
        api_reply_db_error(r, rc);
        return -1;
    }
    if (!g->found) {
        http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no household %lld", (long long)g->id);
        return -1;
    }
    struct target t = {.region = g->grid, .linked = g->linked};
    return http_authorize_or_reply(r, ACT_HOUSEHOLD_READ, &t);
}

struct household_patch_in {
    int64_t if_version;
    const char *address_area, *address_detail, *head_name, *head_id_number, *phone;
    int64_t members;
    json_t *tags;
};

const struct jspec api_household_patch_spec[] = {
    JSPEC_INT(struct household_patch_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read; 409 if it changed since"),
    JSPEC_STR(struct household_patch_in, address_area, "address_area", 1, 64, 0, "public address part"),
    JSPEC_STR(struct household_patch_in, address_detail, "address_detail", 1, 64, JSPEC_NULLABLE,
              "door number or room; null clears it"),
    JSPEC_STR(struct household_patch_in, head_name, "head_name", 1, 32, 0, "head of household"),
    JSPEC_STR(struct household_patch_in, head_id_number, "head_id_number", 18, 18, JSPEC_NULLABLE,
              "resident ID number; null clears it"),
    JSPEC_STR(struct household_patch_in, phone, "phone", 7, 20, JSPEC_NULLABLE,
              "contact phone; null clears it"),
    JSPEC_INT(struct household_patch_in, members, "members", 1, 30, 0, "people in the household"),
    JSPEC_ARR(struct household_patch_in, tags, "tags", 0, "care labels (replaces the list)"),
    JSPEC_END,
};

struct patch_ctx {
    struct get_ctx *g;
    int64_t if_version;
    const struct db_household_patch *p;
    struct api_fail fail;
};

static int patch_txn(struct db_conn *c, void *cls)
{
    struct patch_ctx *x = cls;
    int rc = db_household_update(c, x->g->id, x->if_version, x->p, (int64_t)time(NULL));
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_version_fail(c, "SELECT version FROM households WHERE id = $1", x->g->id,
                                "household", &x->fail);
    return get_txn(c, x->g);
}

enum MHD_Result api_households_patch(struct http_req *r)
{
    struct household_patch_in in = {0};
    uint64_t given;
    struct get_ctx g = {.r = r};
    if (http_param_id_or_reply(r, 0, &g.id) < 0 ||
        http_parse_body_or_reply(r, api_household_patch_spec, &in, &given) < 0)
        return r->result;
    if (in.head_id_number && !id_number_valid(in.head_id_number))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "head_id_number",
                                "not a valid 18-character resident ID number (check digit)");
    if (in.phone && !phone_valid(in.phone))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "phone", "not a phone number");
    if (in.tags && !tags_ok(in.tags))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "tags",
                                "tags are non-empty strings of up to 32 bytes");
    if (load_visible_or_reply(r, &g) < 0)
        return r->result;
    struct target t = {.region = g.grid, .linked = g.linked};
    if (http_authorize_visible_or_reply(r, ACT_HOUSEHOLD_WRITE, &t) < 0)
        return r->result;
#define GIVEN(name) jspec_given(api_household_patch_spec, given, name)
    struct seal detail, idn, phone;
    seal_opt(in.address_detail, "households.address_detail", &detail);
    seal_opt(in.head_id_number, "households.head_id_number", &idn);
    seal_opt(in.phone, "households.phone", &phone);
    char *tags = in.tags ? json_dumps(in.tags, JSON_COMPACT) : NULL;
    struct db_household_patch p = {
        .set_area = GIVEN("address_area"), .address_area = in.address_area,
        .set_detail = GIVEN("address_detail"), .address_detail = detail.p,
        .address_detail_len = detail.n,
        .set_head = GIVEN("head_name"), .head_name = in.head_name,
        .set_idn = GIVEN("head_id_number"), .head_id_number = idn.p, .head_id_number_len = idn.n,
        .set_phone = GIVEN("phone"), .phone = phone.p, .phone_len = phone.n,
        .set_members = GIVEN("members"), .members = in.members,
        .set_tags = GIVEN("tags"), .tags = tags,
    };
#undef GIVEN
    struct patch_ctx x = {.g = &g, .if_version = in.if_version, .p = &p};
    int rc = db_run_transaction(r->app->db, DB_WRITE, patch_txn, &x);
    free(detail.p), free(idn.p), free(phone.p), free(tags);
    return api_reply_txn(r, rc, g.out, &x.fail, 200);
}

/* ---- 联户 links ---------------------------------------------------------------- */

struct link_in {
    int64_t user_id;
};

const struct jspec api_link_spec[] = {
    JSPEC_INT(struct link_in, user_id, "user_id", 1, INT64_MAX, JSPEC_REQUIRED,
              "a user holding the party_member role"),
    JSPEC_END,
};

struct link_ctx {
    int64_t household_id, user_id;
    bool unlink;
    struct api_fail fail;
};

static int link_txn(struct db_conn *c, void *cls)
{
    struct link_ctx *x = cls;
    if (x->unlink) {
        int rc = db_party_unlink(c, x->user_id, x->household_id);
        if (rc == 0)
            return api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL,
                            "user %lld does not look after household %lld",
                            (long long)x->user_id, (long long)x->household_id);
        return rc;
    }
    int64_t n = 0;
    int rc = db_query_int(c,
                          "SELECT count(*) FROM role_assignments a JOIN users u ON u.id = a.user_id"
                          " WHERE a.user_id = $1 AND a.role = 'party_member' AND u.active = 1",
                          DB_ARGS(DB_INT(x->user_id)), &n);
    if (rc < 0)
        return rc;
    if (!n)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "user_id",
                        "user %lld is not an active party member", (long long)x->user_id);
    return db_party_link(c, x->user_id, x->household_id, (int64_t)time(NULL));
}

static enum MHD_Result change_link(struct http_req *r, struct link_ctx *x)
{
    struct get_ctx g = {.r = r, .id = x->household_id};
    if (load_visible_or_reply(r, &g) < 0)
        return r->result;
    struct target t = {.region = g.grid};
    if (http_authorize_visible_or_reply(r, ACT_PARTY_LINK_WRITE, &t) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, link_txn, x);
    if (rc < 0)
        return rc == DB_ABORT ? api_reply_fail(r, &x->fail) : api_reply_db_error(r, rc);
    if (x->unlink)
        return http_reply_json(r, 204, NULL);
    return http_reply_json(r, 201, json_pack("{s:I, s:I}", "household_id",
                                             (json_int_t)x->household_id, "user_id",
                                             (json_int_t)x->user_id));
}

enum MHD_Result api_households_link(struct http_req *r)
{
    struct link_in in = {0};
    struct link_ctx x = {0};
    if (http_param_id_or_reply(r, 0, &x.household_id) < 0 ||
        http_parse_body_or_reply(r, api_link_spec, &in, NULL) < 0)
        return r->result;
    x.user_id = in.user_id;
    return change_link(r, &x);
}

enum MHD_Result api_households_unlink(struct http_req *r)
{
    struct link_ctx x = {.unlink = true};
    if (http_param_id_or_reply(r, 0, &x.household_id) < 0 ||
        http_param_id_or_reply(r, 1, &x.user_id) < 0)
        return r->result;
    return change_link(r, &x);
}

/*
 * /api/v1/visits: household visits (走访/民情日记). A grid worker, a 联户
 * party member (for the households linked to them) or a cadre logs who
 * they visited, when, how and what they heard, with any follow-up; what was
 * heard can become a case or an opinion (the visit keeps the link). A
 * phone that queued the visit offline sends a client_key: a resend with
 * the same key answers the visit already written instead of a second one.
 * Coverage says, per grid and period, how many households were visited.
 */
#include "api/api.h"
#include "core/participation.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200
#define BACKDATE_DAYS 60 /* how old a queued visit may be */
#define CLOCK_SKEW 300   /* a phone's clock may run this far ahead */

static json_t *visit_json(const struct http_req *r, const struct db_visit *v)
{
    int k = vocab_parse(visit_kinds, VOCAB_N(visit_kinds), v->kind);
    return json_pack(
        "{s:I, s:{s:I, s:s, s:s}, s:{s:s, s:s}, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o,"
        " s:o, s:I}",
        "id", (json_int_t)v->id, "household", "id", (json_int_t)v->household_id, "head",
        v->household_head, "area", v->address_area, "grid", "code", v->grid_code, "name",
        v->grid_name, "visitor", api_user_ref(v->visitor_user_id, v->visitor_name),
        "visited_at", api_time(r, v->visited_at), "kind", v->kind, "kind_zh",
        k < 0 ? v->kind : visit_kinds[k].zh, "heard", v->heard, "follow_up", v->follow_up,
        "follow_up_done_at", api_time_or_null(r, v->follow_up_done_at), "case",
        v->case_id ? json_pack("{s:I, s:s}", "id", (json_int_t)v->case_id, "code",
                               v->case_code ? v->case_code : "")
                   : json_null(),
        "opinion",
        v->opinion_id ? json_pack("{s:I, s:s}", "id", (json_int_t)v->opinion_id, "code",
                                  v->opinion_code ? v->opinion_code : "")
                      : json_null(),
        "created_at", api_time(r, v->created_at), "version", (json_int_t)v->version);
}

/* ---- one visit ------------------------------------------------------------------------- */

struct view {
    struct http_req *r;
    int64_t id;
    bool found, visible;
    struct target t;
    json_t *out;
};

static int keep_view(void *cls, const struct db_visit *v)
{
    struct view *x = cls;
    x->found = true;
    x->t.region = v->grid_code;
    x->visible = authz_decide(x->r->who.grants, x->r->who.ngrants, ACT_VISIT_READ, &x->t) ==
                 AUTHZ_ALLOW;
    x->t.region = NULL; /* dies with the row */
    if (x->visible)
        x->out = visit_json(x->r, v);
    return 1;
}

static int view_txn(struct db_conn *c, void *cls)
{
    struct view *x = cls;
    json_decref(x->out);
    x->out = NULL;
    x->found = x->visible = false;
    int64_t household = 0;
    int rc = db_query_int(c, "SELECT household_id FROM visits WHERE id = $1",
                          DB_ARGS(DB_INT(x->id)), &household);
    if (rc <= 0)
        return rc;
    rc = db_party_linked(c, x->r->who.user_id, household);
    if (rc < 0)
        return rc;
    x->t = (struct target){.linked = rc > 0};
    return db_visit_get(c, x->id, keep_view, x);
}

enum MHD_Result api_visits_get(struct http_req *r)
{
    struct view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, view_txn, &v);
    return api_reply_one(r, rc, v.out, v.found, v.visible, ACT_VISIT_READ, &v.t, "visit", v.id);
}

/* ---- the list -------------------------------------------------------------------------------- */

struct list_ctx {
    struct http_req *r;
    struct db_visit_filter f;
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN];
    char region[REGION_CODE_BUFLEN];
    int format;
    int64_t last_id;
    json_t *items;
};

static int add_visit(void *cls, const struct db_visit *v)
{
    struct list_ctx *l = cls;
    l->last_id = v->id;
    if (l->format == EXPORT_JSON) {
        json_array_append_new(l->items, visit_json(l->r, v));
        return 0;
    }
    int k = vocab_parse(visit_kinds, VOCAB_N(visit_kinds), v->kind);
    json_t *row = json_pack("[I, o, s, s, s, s, s, s, s, s, o, s, s]", (json_int_t)v->id,
                            api_local_time(l->r, v->visited_at), v->visitor_name, v->grid_name,
                            v->household_head, v->address_area,
                            k < 0 ? v->kind : visit_kinds[k].zh, v->heard, v->follow_up,
                            v->follow_up[0] ? (v->follow_up_done_at ? "已办结" : "待跟进") : "",
                            api_local_time(l->r, v->follow_up_done_at),
                            v->case_code ? v->case_code : "",
                            v->opinion_code ? v->opinion_code : "");
    return row ? json_array_append_new(l->items, row), 0 : DB_ERROR;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_visits_list(c, &l->f, add_visit, l);
}

enum MHD_Result api_visits_list(struct http_req *r)
{
    struct list_ctx l = {.r = r, .f = {.limit = PAGE_DEFAULT}};
    bool linked = false;
    const char *scopes[DB_MAX_SCOPES];
    size_t n = api_scope_prefixes(r, ACT_VISIT_READ, l.prefixes, scopes, DB_MAX_SCOPES, &linked);
    if (n == 0 && !linked)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "your role cannot see visit logs");
    for (size_t i = 0; i < n; i++)
        l.f.scopes[i] = scopes[i];
    l.f.linked_user = linked ? r->who.user_id : 0;
    if (api_format_or_reply(r, &l.format) < 0 ||
        api_region_param_or_reply(r, "region", l.region, &l.f.region) < 0 ||
        api_int_param_or_reply(r, "household_id", 1, INT64_MAX, &l.f.household_id) < 0 ||
        api_int_param_or_reply(r, "visitor", 1, INT64_MAX, &l.f.visitor_id) < 0 ||
        api_time_param_or_reply(r, "from", &l.f.from) < 0 ||
        api_time_param_or_reply(r, "to", &l.f.to) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &l.f.before_id) < 0 ||
        api_int_param_or_reply(r, "limit", 1, PAGE_MAX, &l.f.limit) < 0)
        return r->result;
    static const char *const headers[] = {
        "编号", "走访时间", "走访人", "网格", "户主", "住址", "方式", "听到了什么",
        "跟进事项", "跟进状态", "办结时间", "转办案件", "转为意见",
    };
    l.items = json_array();
    struct api_pager p = {list_txn, &l, &l.items, &l.f.before_id, &l.f.limit, &l.last_id};
    return api_reply_list(r, l.format, &p, "民情日记", headers, 13, "visits");
}

/* ---- coverage -------------------------------------------------------------------------------- */

struct coverage_ctx {
    struct http_req *r;
    const char *prefix;
    int64_t from, to, households, visited;
    int format;
    json_t *items;
};

static json_t *rate_json(int64_t visited, int64_t households)
{
    double v = visit_coverage(visited, households);
    return v < 0 ? json_null() : json_real(round(v * 10000.0) / 10000.0);
}

static int add_grid(void *cls, const char *code, const char *name, int64_t households,
                    int64_t visited)
{
    struct coverage_ctx *x = cls;
    x->households += households;
    x->visited += visited;
    json_t *it;
    if (x->format == EXPORT_JSON) {
        it = json_pack("{s:s, s:s, s:I, s:I, s:o}", "grid_code", code, "grid_name", name,
                       "households", (json_int_t)households, "visited", (json_int_t)visited,
                       "rate", rate_json(visited, households));
    } else {
        char pct[16] = "";
        double v = visit_coverage(visited, households);
        if (v >= 0)
            snprintf(pct, sizeof pct, "%.1f%%", 100.0 * v);
        it = json_pack("[s, s, I, I, s]", code, name, (json_int_t)households, (json_int_t)visited,
                       pct);
    }
    json_array_append_new(x->items, it);
    return 0;
}

static int coverage_txn(struct db_conn *c, void *cls)
{
    struct coverage_ctx *x = cls;
    json_array_clear(x->items);
    x->households = x->visited = 0;
    return db_visit_coverage(c, x->prefix, x->from, x->to, add_grid, x);
}

enum MHD_Result api_visits_coverage(struct http_req *r)
{
    struct coverage_ctx x = {.r = r};
    char buf[REGION_CODE_BUFLEN];
    api_month_bounds(r, (int64_t)time(NULL), &x.from, &x.to);
    if (api_format_or_reply(r, &x.format) < 0 ||
        api_region_param_or_reply(r, "region", buf, &x.prefix) < 0 ||
        api_time_param_or_reply(r, "from", &x.from) < 0 ||
        api_time_param_or_reply(r, "to", &x.to) < 0)
        return r->result;
    /* Without ?region: the caller's own area (their first grant that may read visits). */
    const char *code = http_query(r, "region");
    if (!x.prefix) {
        const struct grant *own = NULL;
        for (size_t i = 0; i < r->who.ngrants && !own; i++)
            if (role_can(r->who.grants[i].role, ACT_VISIT_READ) &&
                !authz_link_only(r->who.grants[i].role, ACT_VISIT_READ))
                own = &r->who.grants[i];
        code = own ? own->region : NULL;
        x.prefix = code && region_prefix(code, buf) ? buf : "";
    }
    struct target t = {.region = code};
    if (http_authorize_visible_or_reply(r, ACT_VISIT_READ, &t) < 0)
        return r->result;
    x.items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, coverage_txn, &x);
    if (rc < 0) {
        json_decref(x.items);
        return api_reply_db_error(r, rc);
    }
    if (x.format != EXPORT_JSON) {
        static const char *const headers[] = {"网格编码", "网格", "户数", "已走访户数", "走访覆盖率"};
        return api_reply_export(r, x.format, "走访覆盖率", headers, 5, x.items, "visit-coverage");
    }
    return http_reply_json(
        r, 200,
        json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:o}}", "region",
                  code ? json_string(code) : json_null(), "from", api_time(r, x.from), "to",
                  api_time(r, x.to), "items", x.items, "total", "households",
                  (json_int_t)x.households, "visited", (json_int_t)x.visited, "rate",
                  rate_json(x.visited, x.households)));
}

/* ---- logging a visit ------------------------------------------------------------------------ */

struct visit_in {
    int64_t household_id;
    const char *visited_at, *kind, *heard, *follow_up, *client_key;
};

const struct jspec api_visit_create_spec[] = {
    JSPEC_INT(struct visit_in, household_id, "household_id", 1, INT64_MAX, JSPEC_REQUIRED,
              "the household visited"),
    JSPEC_STR(struct visit_in, visited_at, "visited_at", 20, 35, 0,
              "RFC 3339; default now (a queued visit keeps the time it happened)"),
    JSPEC_STR(struct visit_in, kind, "kind", 4, 5, 0, "home (default), phone, field, night"),
    JSPEC_STR(struct visit_in, heard, "heard", 2, 2000, JSPEC_REQUIRED,
              "what the household said (民情日记)"),
    JSPEC_STR(struct visit_in, follow_up, "follow_up", 1, 500, 0, "what is to be done next"),
    JSPEC_STR(struct visit_in, client_key, "client_key", 8, 64, 0,
              "the device's idempotency key: a resend with it returns the visit already"
              " logged"),
    JSPEC_END,
};

struct household_pick {
    bool found;
    char grid[REGION_CODE_BUFLEN];
};

static int keep_household(void *cls, const struct db_household *h)
{
    struct household_pick *p = cls;
    p->found = true;
    snprintf(p->grid, sizeof p->grid, "%s", h->grid_code);
    return 1;
}

struct create_ctx {
    struct http_req *r;
    struct visit_in in;
    int64_t visited_at;
    bool replayed;
    struct view out;
    struct api_fail fail;
};

static int keep_replay(void *cls, const struct db_visit *v)
{
    struct create_ctx *x = cls;
    x->replayed = true;
    x->out.id = v->id;
    return 1;
}

/* Whether the caller may log visits to household id (its grid or a
 * 联户 link); fills grid. 0 when allowed, DB_ABORT with f filled, < 0. */
static int household_door(struct db_conn *c, const struct http_req *r, int64_t id,
                          char grid[REGION_CODE_BUFLEN], struct api_fail *f)
{
    struct household_pick h = {0};
    int rc = db_household_get(c, id, keep_household, &h);
    if (rc < 0)
        return rc;
    if (!h.found)
        return api_fail(f, GL_ERR_INVALID_VALUE, "household_id", "no household %lld",
                        (long long)id);
    rc = db_party_linked(c, r->who.user_id, id);
    if (rc < 0)
        return rc;
    struct target t = {.region = h.grid, .linked = rc > 0};
    switch (authz_decide(r->who.grants, r->who.ngrants, ACT_VISIT_WRITE, &t)) {
    case AUTHZ_ALLOW:
        snprintf(grid, REGION_CODE_BUFLEN, "%s", h.grid);
        return 0;
    case AUTHZ_HIDDEN:
        return api_fail(f, GL_ERR_FORBIDDEN, "household_id",
                        "household %lld is not one you look after", (long long)id);
    default:
        return api_fail(f, GL_ERR_FORBIDDEN, NULL, "your role does not log visits");
    }
}

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    x->replayed = false;
    int rc = 0;
    if (x->in.client_key) {
        rc = db_visit_by_key(c, x->r->who.user_id, x->in.client_key, keep_replay, x);
        if (rc < 0)
            return rc;
        if (x->replayed)
            return view_txn(c, &x->out);
    }
    char grid[REGION_CODE_BUFLEN];
    if ((rc = household_door(c, x->r, x->in.household_id, grid, &x->fail)) < 0)
        return rc;
    struct db_visit v = {.household_id = x->in.household_id, .grid_code = grid,
                         .visitor_user_id = x->r->who.user_id, .visited_at = x->visited_at,
                         .kind = x->in.kind, .heard = x->in.heard,
                         .follow_up = x->in.follow_up, .client_key = x->in.client_key};
    rc = db_visit_insert(c, &v, now, &v.id);
    if (rc < 0)
        return rc;
    json_t *data = json_pack("{s:I, s:s, s:s, s:I}", "household_id", (json_int_t)v.household_id,
                             "grid", grid, "kind", v.kind, "visited_at", (json_int_t)v.visited_at);
    rc = api_audit(c, x->r->who.user_id, "visit.log", "visit", v.id, data, now);
    if (rc < 0)
        return rc;
    x->out.id = v.id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_visits_create(struct http_req *r)
{
    struct create_ctx x = {.r = r, .in = {.kind = "home"}, .out = {.r = r}};
    if (http_parse_body_or_reply(r, api_visit_create_spec, &x.in, NULL) < 0)
        return r->result;
    int64_t now = (int64_t)time(NULL);
    x.visited_at = now;
    if (vocab_parse(visit_kinds, VOCAB_N(visit_kinds), x.in.kind) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "kind",
                                "kind must be home, phone, field or night");
    if (x.in.visited_at && gl_time_parse(x.in.visited_at, &x.visited_at) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "visited_at",
                                "visited_at must be an RFC 3339 time such as"
                                " 2026-03-25T19:30:00+08:00");
    if (x.visited_at > now + CLOCK_SKEW || x.visited_at < now - BACKDATE_DAYS * 86400)
        return http_reply_error(r, GL_ERR_OUT_OF_RANGE, "visited_at",
                                "a visit is logged within %d days of it, and not ahead of time",
                                BACKDATE_DAYS);
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, x.replayed ? 200 : 201);
}

/* ---- what a visit leads to ----------------------------------------------------------------- */

enum visit_action { VA_TO_CASE, VA_TO_OPINION, VA_FOLLOW_UP_DONE, VA__COUNT };
static const struct vocab visit_actions[VA__COUNT] = {
    {"to_case", "转为案件"}, {"to_opinion", "转为意见"}, {"follow_up_done", "跟进办结"},
};

struct act_in {
    int64_t if_version;
    const char *category, *description, *address, *grid_code, *note, *kind;
    double lat, lng;
};

const struct jspec api_visit_action_spec[] = {
    JSPEC_INT(struct act_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read"),
    JSPEC_STR(struct act_in, category, "category", 2, 16, 0,
              "to_case: a case category code; to_opinion: an opinion category"),
    JSPEC_STR(struct act_in, description, "description", 2, 2000, 0,
              "to_case, to_opinion: the text (default: what was heard)"),
    JSPEC_STR(struct act_in, kind, "kind", 4, 8, 0, "to_opinion: opinion (default) or idea"),
    JSPEC_NUM(struct act_in, lat, "lat", 0, "to_case: latitude of the problem"),
    JSPEC_NUM(struct act_in, lng, "lng", 0, "to_case: longitude of the problem"),
    JSPEC_STR(struct act_in, address, "address", 0, 128, 0, "to_case: where, in words"),
    JSPEC_STR(struct act_in, note, "note", 1, 500, 0, "follow_up_done: what was done"),
    JSPEC_END,
};

struct act_ctx {
    struct http_req *r;
    int64_t id;
    enum visit_action a;
    struct act_in in;
    bool has_location;
    struct case_report rep;
    struct opinion_record op;
    struct view out;
    struct api_fail fail;
};

/* What an action needs of the visit, copied out of its row. */
struct loaded {
    bool found;
    int64_t household, visitor, case_id, opinion_id, done_at, version;
    char grid[REGION_CODE_BUFLEN], head[64], *heard, follow_up[8];
};

static int keep_loaded(void *cls, const struct db_visit *v)
{
    struct loaded *l = cls;
    *l = (struct loaded){.found = true, .household = v->household_id,
                         .visitor = v->visitor_user_id, .case_id = v->case_id,
                         .opinion_id = v->opinion_id, .done_at = v->follow_up_done_at,
                         .version = v->version, .heard = strdup(v->heard)};
    snprintf(l->grid, sizeof l->grid, "%s", v->grid_code);
    snprintf(l->head, sizeof l->head, "%s", v->household_head);
    snprintf(l->follow_up, sizeof l->follow_up, "%s", v->follow_up);
    return l->heard ? 1 : DB_ERROR;
}

static int act_txn(struct db_conn *c, void *cls)
{
    struct act_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    struct loaded l = {0};
    char grid[REGION_CODE_BUFLEN];
    const char *act = visit_actions[x->a].name;
    int rc = db_visit_get(c, x->id, keep_loaded, &l);
    if (rc == 0)
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no visit %lld", (long long)x->id);
    if (rc >= 0)
        rc = household_door(c, x->r, l.household, grid, &x->fail);
    if (rc == DB_ABORT && x->fail.code == GL_ERR_FORBIDDEN)
        api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL, "your role or scope may not %s this visit",
                 act);
    if (rc >= 0 && x->in.if_version != l.version)
        rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                      "visit %lld was changed by someone else and is now at version %lld;"
                      " reload it",
                      (long long)x->id, (long long)l.version);
    if (rc >= 0 && ((x->a == VA_TO_CASE && l.case_id) ||
                    (x->a == VA_TO_OPINION && l.opinion_id) ||
                    (x->a == VA_FOLLOW_UP_DONE && (!l.follow_up[0] || l.done_at))))
        rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL,
                      x->a == VA_TO_CASE      ? "visit %lld already became a case"
                      : x->a == VA_TO_OPINION ? "visit %lld already became an opinion"
                                              : "visit %lld has no open follow-up",
                      (long long)x->id);
    struct db_visit v = {.id = x->id, .case_id = l.case_id, .opinion_id = l.opinion_id,
                         .follow_up_done_at = l.done_at};
    json_t *data = json_object();
    if (rc >= 0 && x->a == VA_TO_CASE) {
        x->rep.grid_code = x->has_location ? NULL : l.grid;
        x->rep.description = x->in.description ? x->in.description : l.heard;
        x->rep.channel = "visit";
        x->rep.reporter_name = l.head;
        x->rep.origin = "visit";
        x->rep.origin_id = x->id;
        rc = api_case_report(c, x->r, &x->rep, &x->fail);
        v.case_id = x->rep.id;
        json_object_set_new(data, "case_code", json_string(x->rep.code));
    } else if (rc >= 0 && x->a == VA_TO_OPINION) {
        x->op = (struct opinion_record){
            .kind = x->in.kind ? x->in.kind : "opinion", .channel = "visit",
            .category = x->in.category,
            .body = x->in.description ? x->in.description : l.heard, .region_code = l.grid,
            .author_name = l.head, .visit_id = x->id};
        rc = api_opinion_record(c, x->r, &x->op, &x->fail);
        v.opinion_id = x->op.id;
        json_object_set_new(data, "opinion_code", json_string(x->op.code));
    } else if (rc >= 0) {
        v.follow_up_done_at = now;
        json_object_set_new(data, "note", json_string(x->in.note ? x->in.note : ""));
    }
    free(l.heard);
    if (rc >= 0) {
        rc = db_visit_save(c, &v, x->in.if_version, now);
        if (rc == 0)
            rc = api_version_fail(c, "SELECT version FROM visits WHERE id = $1", v.id, "visit",
                                  &x->fail);
    }
    char what[32];
    snprintf(what, sizeof what, "visit.%s", act);
    if (rc >= 0)
        rc = api_audit(c, x->r->who.user_id, what, "visit", v.id, json_incref(data), now);
    json_decref(data);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_visits_act(struct http_req *r)
{
    struct act_ctx x = {.r = r, .out = {.r = r}};
    int a = api_id_action_or_reply(r, &x.id, visit_actions, VA__COUNT);
    if (a < 0)
        return r->result;
    x.a = (enum visit_action)a;
    uint64_t given;
    if (http_parse_body_or_reply(r, api_visit_action_spec, &x.in, &given) < 0)
        return r->result;
    /* Which fields each action takes. */
    static const char *const takes[VA__COUNT] = {
        [VA_TO_CASE] = " category description lat lng address ",
        [VA_TO_OPINION] = " category description kind ",
        [VA_FOLLOW_UP_DONE] = " note ",
    };
    for (const struct jspec *f = api_visit_action_spec + 1; f->name; f++) {
        char key[32];
        snprintf(key, sizeof key, " %s ", f->name);
        if (jspec_given(api_visit_action_spec, given, f->name) && !strstr(takes[x.a], key))
            return http_reply_error(r, GL_ERR_UNKNOWN_FIELD, f->name, "%s does not apply to %s",
                                    f->name, visit_actions[x.a].name);
    }
    if (x.a != VA_FOLLOW_UP_DONE && !x.in.category)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "category", "%s needs the category",
                                visit_actions[x.a].name);
    if (x.a == VA_TO_OPINION &&
        (vocab_parse(opinion_categories, VOCAB_N(opinion_categories), x.in.category) < 0 ||
         (x.in.kind && vocab_parse(opinion_kinds, VOCAB_N(opinion_kinds), x.in.kind) < 0)))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, x.in.kind ? "kind" : "category",
                                "an opinion's category is development, infrastructure,"
                                " environment, livelihood, safety, conduct or other; its kind"
                                " opinion or idea");
    x.has_location = jspec_given(api_visit_action_spec, given, "lat");
    if (x.has_location != jspec_given(api_visit_action_spec, given, "lng"))
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "lng", "give lat and lng together");
    if (x.has_location && (!isfinite(x.in.lat) || fabs(x.in.lat) > 90 || !isfinite(x.in.lng) ||
                           fabs(x.in.lng) > 180))
        return http_reply_error(r, GL_ERR_OUT_OF_RANGE, "lat",
                                "lat must be within ±90 and lng within ±180");
    if (x.a == VA_TO_CASE)
        x.rep = (struct case_report){.category = x.in.category, .address = x.in.address,
                                     .lat = x.in.lat, .lng = x.in.lng,
                                     .has_location = x.has_location};
    int rc = db_run_transaction(r->app->db, DB_WRITE, act_txn, &x);
    if (rc < 0) {
        json_decref(x.out.out);
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    }
    if (x.a == VA_TO_CASE)
        events_publish(&x.rep.ev);
    return http_reply_json(r, 200, x.out.out);
}

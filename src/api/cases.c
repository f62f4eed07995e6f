/*
 * /api/v1/cases: the case loop (DESIGN.md, "The case loop"). Reporting
 * finds the grid and hints at duplicates; every later step is
 * POST /cases/{id}/{action}, checked for role, scope, version and state in
 * one write transaction that also writes the timeline, the audit chain and
 * the notifications (api/caseflow.c).
 */
#include "api/api.h"
#include "api/caseflow.h"
#include "api/geojson.h"
#include "core/geo.h"
#include "core/mask.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"
#include "image.h"
#include "log.h"
#include "secret.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200
#define DUPLICATE_METRES 50.0
#define DUPLICATE_DAYS 30
#define PHONE_CONTEXT "cases.reporter_phone"

static const char *const channels[] = {"grid_worker", "resident_app", "phone", "visit",
                                       "letter", "online", "hotline", "other"};

static bool channel_known(const char *s)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(s, channels[i]) == 0)
            return true;
    return false;
}

static struct target case_target(const struct http_req *r, const struct db_case *k)
{
    return (struct target){.region = k->grid_code, .dept_id = k->dept_id,
                           .linked = k->reporter_user_id == r->who.user_id};
}

static bool may(const struct http_req *r, enum action a, const struct db_case *k)
{
    struct target t = case_target(r, k);
    return authz_decide(r->who.grants, r->who.ngrants, a, &t) == AUTHZ_ALLOW;
}

/* Conditions beyond the state table; NULL when a may go ahead. */
static const char *extra_problem(const struct db_case *k, enum case_action a, int64_t now)
{
    switch (a) {
    case CA_SELF_HANDLE:
        if (strcmp(k->level, "grid") != 0)
            return "self_handle is for cases still at grid level";
        return NULL;
    case CA_ESCALATE:
        if (case_level_up((enum case_level)case_level_parse(k->level)) < 0)
            return "the case is already at county level";
        return NULL;
    case CA_RATE:
        if (k->rating)
            return "the case has been rated already";
        return NULL;
    case CA_REOPEN:
        if (strcmp(k->state, "closed") != 0)
            return NULL;
        if (!k->rating || strcmp(k->rating, "dissatisfied") != 0)
            return "a closed case reopens only after a 不满意 (dissatisfied) rating";
        if (now - k->closed_at > CASE_REOPEN_DAYS * 86400)
            return "a closed case may reopen only within 7 days of closing";
        return NULL;
    default:
        return NULL;
    }
}

/* The actions the caller may take on k now, for the UI's buttons. */
static json_t *actions_json(const struct http_req *r, const struct db_case *k, int64_t now)
{
    json_t *out = json_array();
    int s = case_state_parse(k->state);
    for (int a = 0; a < CA__COUNT; a++)
        if (case_next_state((enum case_action)a, (enum case_state)s) >= 0 &&
            may(r, case_permission((enum case_action)a), k) &&
            !extra_problem(k, (enum case_action)a, now))
            json_array_append_new(out, json_string(case_action_name((enum case_action)a)));
    return out;
}

static json_t *reporter_json(const struct http_req *r, const struct db_case *k, bool clear)
{
    bool own = k->reporter_user_id == r->who.user_id;
    if (k->anonymous && !own && !clear)
        return json_pack("{s:s, s:n}", "name", "匿名", "phone");
    json_t *phone = json_null();
    if (k->reporter_phone) {
        char *text;
        if (secret_open(k->reporter_phone, k->reporter_phone_len, PHONE_CONTEXT, &text) == 0) {
            char masked[MASK_BUFLEN];
            if (!clear && !own)
                mask_phone(text, masked);
            json_decref(phone);
            phone = json_string(clear || own ? text : masked);
            free(text);
        }
    }
    return json_pack("{s:s, s:o}", "name", k->reporter_name, "phone", phone);
}

static const char *const warn_names[] = {"green", "yellow", "red"};

static json_t *case_json(const struct http_req *r, const struct db_case *k, bool clear)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:s, s:b, s:o, s:s,"
        " s:I, s:b, s:b, s:I, s:I, s:I, s:o, s:o, s:I}",
        "id", (json_int_t)k->id, "code", k->code, "state", k->state, "state_zh",
        case_state_zh((enum case_state)case_state_parse(k->state)), "category", "id",
        (json_int_t)k->category_id, "code", k->category_code, "name", k->category_name, "grid",
        "code", k->grid_code, "name", k->grid_name, "description", k->description, "address",
        k->address, "channel", k->channel, "anonymous", k->anonymous, "reporter",
        reporter_json(r, k, clear), "level", k->level, "limit_hours", (json_int_t)k->limit_hours,
        "overdue", k->overdue, "supervised", k->supervised, "rework_count",
        (json_int_t)k->rework_count, "return_count", (json_int_t)k->return_count, "escalations",
        (json_int_t)k->escalations, "created_at", api_time(r, k->created_at), "updated_at",
        api_time(r, k->updated_at), "version", (json_int_t)k->version);
    json_object_set_new(j, "location",
                        k->has_location ? json_pack("{s:f, s:f}", "lat", k->lat, "lng", k->lng)
                                        : json_null());
    json_object_set_new(j, "department",
                        k->dept_id ? json_pack("{s:I, s:s}", "id", (json_int_t)k->dept_id, "name",
                                               k->dept_name ? k->dept_name : "")
                                   : json_null());
    json_object_set_new(j, "merged_into",
                        k->merged_into ? json_integer(k->merged_into) : json_null());
    json_object_set_new(
        j, "clock",
        json_pack("{s:s, s:o, s:f, s:o, s:o}", "warn", warn_names[k->warn < 3 ? k->warn : 2],
                  "stage_started_at", api_time_or_null(r, k->stage_started_at),
                  "stage_limit_hours", (double)k->stage_limit_s / 3600.0, "yellow_at",
                  api_time_or_null(r, k->yellow_at), "deadline_at",
                  api_time_or_null(r, k->deadline_at)));
    json_object_set_new(j, "supervision",
                        k->supervised
                            ? json_pack("{s:o, s:s}", "deadline",
                                        api_time_or_null(r, k->supervise_deadline), "note",
                                        k->supervise_note)
                            : json_null());
    json_object_set_new(j, "rating",
                        k->rating ? json_pack("{s:s, s:s, s:o}", "value", k->rating, "comment",
                                              k->rating_comment, "at",
                                              api_time_or_null(r, k->rated_at))
                                  : json_null());
    static const char *const stamps[] = {"accepted_at", "dispatched_at", "started_at",
                                         "handled_at", "closed_at"};
    const int64_t times[] = {k->accepted_at, k->dispatched_at, k->started_at, k->handled_at,
                             k->closed_at};
    for (size_t i = 0; i < 5; i++)
        json_object_set_new(j, stamps[i], api_time_or_null(r, times[i]));
    return j;
}

/* ---- reading one case with its timeline ---------------------------------------------- */

struct view {
    struct http_req *r;
    int64_t id;
    bool clear, found, visible;
    bool acted; /* the caller just changed it: show the result even when it
                   leaves their sight (a department returning a case) */
    json_t *out;
    struct target t;
    char grid[REGION_CODE_BUFLEN];
    int64_t category_id;
    bool can_dispatch; /* the caller could dispatch it now: propose the route */
};

static int keep_view(void *cls, const struct db_case *k)
{
    struct view *v = cls;
    v->found = true;
    v->visible = v->acted || may(v->r, ACT_CASE_READ, k);
    v->t = case_target(v->r, k);
    snprintf(v->grid, sizeof v->grid, "%s", k->grid_code);
    v->t.region = v->grid;
    if (!v->visible)
        return 1;
    json_decref(v->out);
    v->out = case_json(v->r, k, v->clear);
    json_t *actions = actions_json(v->r, k, (int64_t)time(NULL));
    size_t i;
    json_t *a;
    v->can_dispatch = false;
    json_array_foreach(actions, i, a) {
        v->can_dispatch |= strcmp(json_string_value(a), "dispatch") == 0;
    }
    v->category_id = k->category_id;
    json_object_set_new(v->out, "actions", actions);
    return 1;
}

static int keep_dept_name(void *cls, const struct db_department *d)
{
    json_object_set_new(cls, "name", json_string(d->name));
    return 1;
}

/* The department the routing rules send this case to, for the dispatch form. */
static int propose_route(struct db_conn *c, struct view *v)
{
    int64_t dept = 0, limit = 0;
    int rc = db_route_find(c, v->category_id, v->grid, &dept, &limit);
    if (rc <= 0 || !dept)
        return rc < 0 ? rc : 0;
    json_t *routed = json_pack("{s:I, s:s, s:o}", "dept_id", (json_int_t)dept, "name", "",
                               "limit_hours", limit ? json_integer(limit) : json_null());
    json_object_set_new(v->out, "routed", routed);
    return db_department_get(c, dept, keep_dept_name, routed);
}

static int add_photo(void *cls, const struct db_photo *p, const void *data)
{
    (void)data;
    struct view *v = cls;
    char url[96];
    snprintf(url, sizeof url, "/api/v1/cases/%lld/photos/%lld", (long long)p->case_id,
             (long long)p->id);
    json_array_append_new(
        json_object_get(v->out, "photos"),
        json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:o}", "id", (json_int_t)p->id, "step",
                  p->step, "mime", p->mime, "width", (json_int_t)p->width, "height",
                  (json_int_t)p->height, "bytes", (json_int_t)p->bytes, "url", url, "by",
                  p->uploaded_by ? json_pack("{s:I, s:s}", "id", (json_int_t)p->uploaded_by,
                                             "name", p->uploader_name ? p->uploader_name : "")
                                 : json_null(),
                  "at", api_time(v->r, p->created_at)));
    return 0;
}

/* Reads case v->id into v->out (with its timeline) when the caller may see it. */
/* The opinion or visit the case came from. */
static int set_origin(void *cls, const char *kind, int64_t id, const char *code)
{
    struct view *v = cls;
    json_object_set_new(v->out, "origin", json_pack("{s:s, s:I, s:s}", "kind", kind, "id",
                                                    (json_int_t)id, "code", code));
    return 1;
}

static int view_txn(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    v->found = v->visible = false;
    json_decref(v->out);
    v->out = NULL;
    int rc = db_case_get(c, v->id, keep_view, v);
    if (rc <= 0 || !v->visible)
        return rc;
    struct api_timeline tl = api_timeline(v->r, v->out);
    json_object_set_new(v->out, "photos", json_array());
    json_object_set_new(v->out, "origin", json_null());
    rc = db_case_events(c, v->id, api_add_event, &tl);
    if (rc >= 0)
        rc = db_case_origin(c, v->id, set_origin, v);
    if (rc >= 0 && v->can_dispatch)
        rc = propose_route(c, v);
    return rc < 0 ? rc : db_photos_list(c, v->id, add_photo, v);
}

static int log_unmask(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    return db_pii_log(c, v->r->who.user_id, "case", v->id, "reporter_phone", (int64_t)time(NULL));
}

enum MHD_Result api_cases_get(struct http_req *r)
{
    struct view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    const char *unmask = http_query(r, "unmask");
    v.clear = unmask && strcmp(unmask, "1") == 0;
    int rc = db_run_transaction(r->app->db, DB_READ, view_txn, &v);
    if (rc < 0) {
        json_decref(v.out);
        return api_reply_db_error(r, rc);
    }
    if (!v.found || !v.visible) {
        json_decref(v.out);
        if (v.found) {
            http_authorize_or_reply(r, ACT_CASE_READ, &v.t); /* replies 404 or 403 */
            return r->result;
        }
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no case %lld", (long long)v.id);
    }
    if (v.clear) {
        if (http_authorize_visible_or_reply(r, ACT_PII_UNMASK, &v.t) < 0) {
            json_decref(v.out);
            return r->result;
        }
        rc = db_run_transaction(r->app->db, DB_WRITE, log_unmask, &v);
        if (rc < 0) {
            json_decref(v.out);
            return api_reply_db_error(r, rc);
        }
    }
    return http_reply_json(r, 200, v.out);
}

/* ---- lists ------------------------------------------------------------------------------ */

struct list_ctx {
    struct http_req *r;
    struct db_case_filter f;
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN], narrow[REGION_CODE_BUFLEN];
    const char *category_code;
    json_t *items;
    int64_t last_id;
    bool no_category;
    int format;
};

/* Parses the list filters shared by the list and the summary; on failure
 * the reply is sent and -1 returned. */
static int filters_or_reply(struct http_req *r, struct list_ctx *l)
{
    if (!api_visibility(r, ACT_CASE_READ, l->f.scopes, l->f.scope_depts, l->prefixes,
                        &l->f.reporter)) {
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, NULL);
        return -1;
    }
    l->f.overdue = l->f.supervised = -1;
    l->f.limit = PAGE_DEFAULT;
    if (api_region_param_or_reply(r, "region", l->narrow, &l->f.region) < 0)
        return -1;
    l->f.state = http_query(r, "state");
    if (l->f.state && strcmp(l->f.state, "open") != 0 && case_state_parse(l->f.state) < 0) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "state",
                         "state must be open or one of reported, accepted, rejected, merged,"
                         " dispatched, in_progress, handled, closed");
        return -1;
    }
    l->f.channel = http_query(r, "channel");
    if (l->f.channel && !channel_known(l->f.channel)) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "channel", "no channel %s", l->f.channel);
        return -1;
    }
    l->f.text = http_query(r, "q");
    if (l->f.text && (!*l->f.text || strlen(l->f.text) > 64)) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "q", "q must be 1 to 64 bytes");
        return -1;
    }
    int64_t overdue = -1, supervised = -1;
    if (api_int_param_or_reply(r, "dept_id", 1, INT64_MAX, &l->f.dept_id) < 0 ||
        api_int_param_or_reply(r, "overdue", 0, 1, &overdue) < 0 ||
        api_int_param_or_reply(r, "supervised", 0, 1, &supervised) < 0 ||
        api_int_param_or_reply(r, "limit", 1, PAGE_MAX, &l->f.limit) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &l->f.before_id) < 0 ||
        api_time_param_or_reply(r, "from", &l->f.from) < 0 ||
        api_time_param_or_reply(r, "to", &l->f.to) < 0)
        return -1;
    l->f.overdue = (int)overdue;
    l->f.supervised = (int)supervised;
    l->category_code = http_query(r, "category");
    return 0;
}

/* Resolves ?category=CODE inside the transaction. */
static int resolve_category(struct db_conn *c, struct list_ctx *l)
{
    if (!l->category_code)
        return 0;
    int rc = db_category_id(c, l->category_code, &l->f.category_id);
    l->no_category = rc == 0;
    return rc < 0 ? rc : 0;
}

/* The case ledger's columns; nothing personal (no reporter, no phone). */
static const char *const export_headers[] = {
    "编号", "状态", "类别", "问题描述", "地址", "所在网格", "渠道", "上报时间", "层级",
    "处置部门", "是否超期", "是否督办", "返工次数", "结案时间", "评价",
};
#define EXPORT_NCOLS (sizeof export_headers / sizeof export_headers[0])

static const char *channel_zh(const char *channel)
{
    static const char *const zh[] = {"网格员上报", "随手拍", "电话", "走访",
                                     "来信", "网络", "12345热线", "其他"};
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channel, channels[i]) == 0)
            return zh[i];
    return channel;
}

static json_t *case_cells(const struct http_req *r, const struct db_case *k)
{
    static const char *const level_zh[] = {"网格", "村（社区）", "乡镇（街道）", "县"};
    static const char *const rating_zh[] = {"满意", "基本满意", "不满意"};
    int level = case_level_parse(k->level), rating = k->rating ? case_rating_parse(k->rating) : -1;
    return json_pack("[s, s, s, s, s, s, s, o, s, s, s, s, I, o, s]", k->code,
                     case_state_zh((enum case_state)case_state_parse(k->state)),
                     k->category_name, k->description, k->address, k->grid_name,
                     channel_zh(k->channel), api_local_time(r, k->created_at),
                     level >= 0 && level < 4 ? level_zh[level] : k->level,
                     k->dept_name ? k->dept_name : "", k->overdue ? "是" : "否",
                     k->supervised ? "是" : "否", (json_int_t)k->rework_count,
                     api_local_time(r, k->state && strcmp(k->state, "closed") == 0 ? k->closed_at : 0),
                     rating >= 0 && rating < 3 ? rating_zh[rating] : "");
}

static int add_case(void *cls, const struct db_case *k)
{
    struct list_ctx *l = cls;
    json_array_append_new(l->items, l->format == EXPORT_JSON ? case_json(l->r, k, false)
                                                             : case_cells(l->r, k));
    l->last_id = k->id;
    return 0;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    if (!l->items)
        l->items = json_array();
    json_array_clear(l->items);
    int rc = resolve_category(c, l);
    if (rc < 0 || l->no_category)
        return rc;
    return db_cases_list(c, &l->f, add_case, l);
}

static enum MHD_Result no_category(struct http_req *r, struct list_ctx *l)
{
    json_decref(l->items);
    return http_reply_error(r, GL_ERR_BAD_PARAMETER, "category", "no category %s",
                            l->category_code);
}

int api_cases_export(struct http_req *r, const struct db_case_filter *f,
                     struct export_writer *w)
{
    struct list_ctx l = {.r = r, .f = *f, .format = EXPORT_CSV, .items = json_array()};
    struct api_pager p = {list_txn, &l, &l.items, &l.f.before_id, &l.f.limit, &l.last_id};
    int rc = api_export_write(r->app->db, &p, w);
    json_decref(l.items);
    return rc;
}

const char *const *api_cases_export_headers(size_t *n)
{
    *n = EXPORT_NCOLS;
    return export_headers;
}

static int category_txn(struct db_conn *c, void *cls) { return resolve_category(c, cls); }

/* Reads the filters and runs txn (which resolves ?category): 0 to go on,
 * -1 when it replied (a bad filter, an unknown category, the store). */
static int filtered_or_reply(struct http_req *r, struct list_ctx *l, db_txn_fn txn)
{
    int rc;
    if (filters_or_reply(r, l) < 0)
        return -1;
    if ((rc = db_run_transaction(r->app->db, DB_READ, txn, l)) < 0) {
        json_decref(l->items);
        api_reply_db_error(r, rc);
        return -1;
    }
    if (l->no_category) {
        no_category(r, l);
        return -1;
    }
    return 0;
}

enum MHD_Result api_cases_list(struct http_req *r)
{
    struct list_ctx *l = calloc(1, sizeof *l);
    if (!l)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    l->r = r;
    if (api_format_or_reply(r, &l->format) == 0 && filtered_or_reply(r, l, category_txn) == 0) {
        l->items = json_array();
        struct api_pager p = {list_txn, l, &l->items, &l->f.before_id, &l->f.limit, &l->last_id};
        api_reply_list(r, l->format, &p, "案件台账", export_headers, EXPORT_NCOLS, "cases");
    }
    free(l);
    return r->result;
}

static int add_counts(void *cls, const struct db_case_counts *n)
{
    struct list_ctx *l = cls;
    json_t *sum = l->items;
    json_object_set_new(json_object_get(sum, "by_state"), n->state, json_integer(n->cases));
    const char *keys[] = {"total", "overdue", "supervised", "yellow", "red"};
    const int64_t add[] = {n->cases, n->overdue, n->supervised, n->yellow, n->red};
    for (size_t i = 0; i < 5; i++)
        json_object_set_new(sum, keys[i],
                            json_integer(json_integer_value(json_object_get(sum, keys[i])) +
                                         add[i]));
    if (case_state_open((enum case_state)case_state_parse(n->state)))
        json_object_set_new(sum, "open",
                            json_integer(json_integer_value(json_object_get(sum, "open")) +
                                         n->cases));
    return 0;
}

static int summary_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_decref(l->items);
    l->items = json_pack("{s:{}, s:i, s:i, s:i, s:i, s:i, s:i}", "by_state", "total", 0, "open",
                         0, "overdue", 0, "supervised", 0, "yellow", 0, "red", 0);
    int rc = resolve_category(c, l);
    if (rc < 0 || l->no_category)
        return rc;
    return db_cases_summary(c, &l->f, add_counts, l);
}

enum MHD_Result api_cases_summary(struct http_req *r)
{
    struct list_ctx *l = calloc(1, sizeof *l);
    if (!l)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    l->r = r;
    enum MHD_Result result = filtered_or_reply(r, l, summary_txn) == 0
                                 ? http_reply_json(r, 200, l->items)
                                 : r->result;
    free(l);
    return result;
}

/* ---- reporting -------------------------------------------------------------------------- */

struct case_in {
    const char *category, *description, *grid_code, *address, *channel, *reporter_name,
        *reporter_phone, *client_key;
    double lat, lng;
    bool anonymous;
};

const struct jspec api_case_create_spec[] = {
    JSPEC_STR(struct case_in, category, "category", 2, 8, JSPEC_REQUIRED,
              "category code, e.g. 0101 (see /api/v1/categories)"),
    JSPEC_STR(struct case_in, description, "description", 2, 2000, JSPEC_REQUIRED,
              "what is wrong, in the reporter's words"),
    JSPEC_NUM(struct case_in, lat, "lat", 0, "latitude (WGS-84); with lng, finds the grid"),
    JSPEC_NUM(struct case_in, lng, "lng", 0, "longitude (WGS-84)"),
    JSPEC_STR(struct case_in, grid_code, "grid_code", 15, 15, 0,
              "the grid, when there is no location (or to override it)"),
    JSPEC_STR(struct case_in, address, "address", 0, 128, 0, "where, in words"),
    JSPEC_STR(struct case_in, channel, "channel", 4, 16, 0,
              "grid_worker, resident_app, phone, visit, letter, online, hotline or other;"
              " defaults from the caller's role"),
    JSPEC_STR(struct case_in, reporter_name, "reporter_name", 0, 32, 0,
              "who reported, when written down for someone else (phone, visit, letter)"),
    JSPEC_STR(struct case_in, reporter_phone, "reporter_phone", 7, 20, 0,
              "their phone (sealed, masked)"),
    JSPEC_BOOL(struct case_in, anonymous, "anonymous", 0,
               "hide the reporter's name and phone from those handling the case"),
    JSPEC_STR(struct case_in, client_key, "client_key", 8, 64, 0,
              "the device's idempotency key for a queued report: a resend with it answers"
              " 200 with the case already written"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct case_report *rep;
    json_t *duplicates;
    struct view out;
    struct api_fail fail;
};

/* What api_case_report() works with while it runs. */
struct report_ctx {
    const struct case_report *in;
    bool category_active;
    char grid[REGION_CODE_BUFLEN];
    enum geo_where where;
    struct db_case k;
};

static int keep_category(void *cls, const struct db_category *cat)
{
    struct report_ctx *x = cls;
    x->k.category_id = cat->id;
    x->k.limit_hours = cat->time_limit_hours;
    x->category_active = cat->active;
    return 1;
}

static int locate_one(void *cls, const struct db_grid *g)
{
    struct report_ctx *x = cls;
    enum geo_where w = geojson_text_where(g->geometry, x->in->lng, x->in->lat);
    if (w > GEO_OUTSIDE && (!x->grid[0] || (x->where == GEO_BOUNDARY && w == GEO_INSIDE))) {
        snprintf(x->grid, sizeof x->grid, "%s", g->code);
        x->where = w;
    }
    return x->where == GEO_INSIDE;
}

static int grid_exists(void *cls, const struct db_grid *g)
{
    (void)g;
    *(bool *)cls = true;
    return 1;
}

int api_case_report(struct db_conn *c, struct http_req *r, struct case_report *in,
                    struct api_fail *f)
{
    int64_t now = (int64_t)time(NULL);
    in->replayed = false;
    if (in->client_key) {
        int rc = db_case_by_key(c, r->who.user_id, in->client_key, &in->id);
        if (rc != 0) {
            in->replayed = rc > 0;
            return rc < 0 ? rc : 1;
        }
    }
    struct report_ctx x = {
        .in = in,
        .k = {.description = in->description, .address = in->address ? in->address : "",
              .channel = in->channel, .reporter_user_id = r->who.user_id,
              .reporter_name = in->reporter_name ? in->reporter_name : r->who.display_name,
              .reporter_phone = in->reporter_phone, .reporter_phone_len = in->reporter_phone_len,
              .anonymous = in->anonymous, .lat = in->lat, .lng = in->lng,
              .has_location = in->has_location, .client_key = in->client_key},
    };
    int rc = db_category_by_code(c, in->category, keep_category, &x);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(f, GL_ERR_INVALID_VALUE, "category", "no category %s", in->category);
    if (!x.category_active)
        return api_fail(f, GL_ERR_INVALID_VALUE, "category", "category %s is no longer in use",
                        in->category);
    /* The grid: as given, else the one holding the location. */
    if (in->grid_code) {
        bool found = false;
        rc = db_grid_get(c, in->grid_code, grid_exists, &found);
        if (rc < 0)
            return rc;
        if (!found)
            return api_fail(f, GL_ERR_INVALID_VALUE, "grid_code", "no grid %s", in->grid_code);
        snprintf(x.grid, sizeof x.grid, "%s", in->grid_code);
    } else {
        rc = db_grids_near(c, in->lat, in->lng, locate_one, &x);
        if (rc < 0)
            return rc;
        if (!x.grid[0])
            return api_fail(f, GL_ERR_INVALID_VALUE, "lat",
                            "the point %.6f, %.6f lies outside every grid; give grid_code",
                            in->lat, in->lng);
    }
    struct target t = {.region = x.grid};
    switch (authz_decide(r->who.grants, r->who.ngrants, ACT_CASE_REPORT, &t)) {
    case AUTHZ_ALLOW:
        break;
    case AUTHZ_HIDDEN:
        return api_fail(f, GL_ERR_FORBIDDEN, "grid_code", "grid %s is outside the area you serve",
                        x.grid);
    default:
        return api_fail(f, GL_ERR_FORBIDDEN, NULL, "your role cannot report cases");
    }
    /* Routing may set a shorter or longer limit than the category's. */
    int64_t dept = 0, limit = 0;
    rc = db_route_find(c, x.k.category_id, x.grid, &dept, &limit);
    if (rc < 0)
        return rc;
    if (limit)
        x.k.limit_hours = limit;
    /* The code: county + local date + sequence of the day. */
    char prefix[32];
    api_day_code_prefix(r, "", x.grid, now, prefix);
    int64_t seq = 0;
    rc = db_case_count_on(c, prefix, &seq);
    if (rc < 0)
        return rc;
    snprintf(in->code, sizeof in->code, "%s%04lld", prefix, (long long)seq + 1);
    struct wt_calendar cal;
    struct wt_exception *ex = NULL;
    rc = caseflow_calendar(c, r->app->cfg->offset_min, now, &cal, &ex);
    if (rc < 0)
        return rc;
    struct case_clock clk;
    case_clock_start(&clk, &cal, now, case_stage_limit_s(CS_REPORTED, x.k.limit_hours));
    free(ex);
    x.k.code = in->code;
    x.k.grid_code = x.grid;
    x.k.state = "reported";
    x.k.level = "grid";
    caseflow_set_clock(&x.k, &clk);
    rc = db_case_insert(c, &x.k, now, &x.k.id);
    if (rc < 0)
        return rc;
    x.k.version = 1;
    in->id = x.k.id;
    in->category_id = x.k.category_id;
    json_t *data = json_pack("{s:s, s:s}", "channel", x.k.channel, "grid", x.grid);
    if (in->origin)
        json_object_set_new(data, in->origin, json_integer(in->origin_id));
    rc = caseflow_note(c, &x.k, r->who.user_id, "report", x.k.description, data, now);
    json_decref(data);
    if (rc < 0)
        return rc;
    /* The grid's workers hear of reports they did not write themselves. */
    struct case_rec rec = {0};
    rc = caseflow_load(c, x.k.id, &rec);
    if (rc > 0) {
        char title[160];
        snprintf(title, sizeof title, "新上报：%s（%s）", rec.k.category_name, rec.k.code);
        rc = caseflow_tell_level(c, &rec.k, r->who.user_id, "reported", title, now);
        caseflow_event(&rec.k, "report", &in->ev);
    }
    caseflow_free(&rec);
    return rc < 0 ? rc : 1;
}

static int add_duplicate(void *cls, const struct db_case *k)
{
    struct create_ctx *x = cls;
    if (k->id == x->rep->id)
        return 0;
    double d = -1;
    if (x->rep->has_location && k->has_location)
        d = geo_distance_m(x->rep->lng, x->rep->lat, k->lng, k->lat);
    const char *address = x->rep->address ? x->rep->address : "";
    bool same_address = address[0] && strcmp(k->address, address) == 0;
    if (!same_address && (d < 0 || d > DUPLICATE_METRES))
        return 0;
    json_array_append_new(
        x->duplicates,
        json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)k->id, "code", k->code,
                  "state", k->state, "address", k->address, "distance_m",
                  d >= 0 ? json_integer((json_int_t)lround(d)) : json_null(), "created_at",
                  api_time(x->r, k->created_at)));
    return 0;
}

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    json_array_clear(x->duplicates);
    int rc = api_case_report(c, x->r, x->rep, &x->fail);
    if (rc < 0)
        return rc;
    const struct case_report *in = x->rep;
    if (!in->replayed && (in->has_location || (in->address && in->address[0]))) {
        double dlat = DUPLICATE_METRES / 111320.0;
        double dlng = DUPLICATE_METRES / (111320.0 * fmax(cos(in->lat * M_PI / 180.0), 0.01));
        rc = db_cases_near(c, in->category_id, now - DUPLICATE_DAYS * 86400,
                           in->has_location ? in->lat : 999, in->has_location ? in->lng : 999,
                           dlat, dlng, in->address ? in->address : "", add_duplicate, x);
        if (rc < 0)
            return rc;
    }
    x->out.id = in->id;
    return view_txn(c, &x->out);
}

static const char *default_channel(const struct http_req *r)
{
    for (size_t i = 0; i < r->who.ngrants; i++)
        if (r->who.grants[i].role == ROLE_GRID_WORKER)
            return "grid_worker";
    for (size_t i = 0; i < r->who.ngrants; i++)
        if (r->who.grants[i].role == ROLE_RESIDENT)
            return "resident_app";
    return NULL;
}

enum MHD_Result api_cases_create(struct http_req *r)
{
    struct case_in in = {0};
    uint64_t given;
    if (http_parse_body_or_reply(r, api_case_create_spec, &in, &given) < 0)
        return r->result;
    bool has_lat = jspec_given(api_case_create_spec, given, "lat"),
         has_lng = jspec_given(api_case_create_spec, given, "lng");
    if (has_lat != has_lng)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, has_lat ? "lng" : "lat",
                                "give lat and lng together");
    if (has_lat && (!isfinite(in.lat) || fabs(in.lat) > 90 || !isfinite(in.lng) ||
                    fabs(in.lng) > 180))
        return http_reply_error(r, GL_ERR_OUT_OF_RANGE, "lat",
                                "lat must be within ±90 and lng within ±180");
    if (!has_lat && !in.grid_code)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "lat",
                                "give the location (lat and lng) or the grid_code");
    if (!in.channel)
        in.channel = default_channel(r);
    if (!in.channel)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "channel",
                                "say how the report came in: phone, visit, letter, online, ...");
    if (!channel_known(in.channel))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "channel",
                                "channel must be one of grid_worker, resident_app, phone, visit,"
                                " letter, online, hotline, other");
    if (in.reporter_phone && !phone_valid(in.reporter_phone))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "reporter_phone",
                                "a phone is an 11-digit mobile or a landline such as 0536-1234567");
    unsigned char *phone = NULL;
    size_t phone_len = 0;
    if (in.reporter_phone && secret_seal(in.reporter_phone, PHONE_CONTEXT, &phone, &phone_len) < 0)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    struct case_report rep = {
        .category = in.category, .description = in.description, .grid_code = in.grid_code,
        .address = in.address, .channel = in.channel, .reporter_name = in.reporter_name,
        .reporter_phone = phone, .reporter_phone_len = phone_len, .lat = in.lat, .lng = in.lng,
        .has_location = has_lat, .anonymous = in.anonymous, .client_key = in.client_key,
    };
    struct create_ctx x = {.r = r, .rep = &rep, .duplicates = json_array(), .out = {.r = r}};
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    free(phone);
    if (rc < 0) {
        json_decref(x.out.out);
        json_decref(x.duplicates);
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    }
    json_object_set_new(x.out.out, "duplicates", x.duplicates);
    if (rep.replayed)
        return http_reply_json(r, 200, x.out.out);
    events_publish(&rep.ev);
    return http_reply_json(r, 201, x.out.out);
}

/* ---- transitions --------------------------------------------------------------------------- */

struct act_in {
    int64_t if_version, dept_id, limit_hours, into;
    const char *note, *deadline, *rating;
};

const struct jspec api_case_action_spec[] = {
    JSPEC_INT(struct act_in, if_version, "if_version", 1, INT64_MAX, 0,
              "the case version you read (required but for comment); 409 if it moved on"),
    JSPEC_STR(struct act_in, note, "note", 1, 1000, 0,
              "reason or result: required for reject, return, handle, self_handle, reopen,"
              " escalate, supervise and comment"),
    JSPEC_INT(struct act_in, dept_id, "dept_id", 1, INT64_MAX, 0,
              "dispatch: the department (default: the routing rule's)"),
    JSPEC_INT(struct act_in, limit_hours, "limit_hours", 1, 2000, 0,
              "dispatch: working hours to handle it (default: the rule's or category's)"),
    JSPEC_INT(struct act_in, into, "into", 1, INT64_MAX, 0, "merge: the case this duplicates"),
    JSPEC_STR(struct act_in, deadline, "deadline", 20, 32, 0,
              "supervise: when it must be solved (RFC 3339)"),
    JSPEC_STR(struct act_in, rating, "rating", 8, 24, 0,
              "rate: satisfied, basically_satisfied or dissatisfied (note = comment)"),
    JSPEC_END,
};

/* Which body fields each action takes (N note, D dept_id, L limit_hours,
 * I into, T deadline, R rating) and which of those it requires. */
enum { F_NOTE = 1, F_DEPT = 2, F_LIMIT = 4, F_INTO = 8, F_DEADLINE = 16, F_RATING = 32 };
static const struct {
    unsigned takes, needs;
} fields[CA__COUNT] = {
    [CA_ACCEPT] = {F_NOTE, 0},
    [CA_REJECT] = {F_NOTE, F_NOTE},
    [CA_MERGE] = {F_NOTE | F_INTO, F_INTO},
    [CA_DISPATCH] = {F_NOTE | F_DEPT | F_LIMIT, 0},
    [CA_RETURN] = {F_NOTE, F_NOTE},
    [CA_START] = {F_NOTE, 0},
    [CA_HANDLE] = {F_NOTE, F_NOTE},
    [CA_SELF_HANDLE] = {F_NOTE, F_NOTE},
    [CA_VERIFY] = {F_NOTE, 0},
    [CA_REOPEN] = {F_NOTE, F_NOTE},
    [CA_ESCALATE] = {F_NOTE, F_NOTE},
    [CA_SUPERVISE] = {F_NOTE | F_DEADLINE, F_NOTE | F_DEADLINE},
    [CA_RATE] = {F_NOTE | F_RATING, F_RATING},
    [CA_COMMENT] = {F_NOTE, F_NOTE},
};
static const char *const field_names[] = {"note", "dept_id", "limit_hours", "into", "deadline",
                                          "rating"};

struct act_ctx {
    struct http_req *r;
    struct event ev;
    int64_t id;
    enum case_action a;
    struct act_in in;
    int64_t deadline;
    int rating;
    struct api_fail fail;
    struct view out;
};

static int dept_exists(void *cls, const struct db_department *d)
{
    snprintf(cls, 128, "%s", d->name);
    return 1;
}

/* Merge: the case kept must be a different, open case the caller can see. */
static int check_merge_target(struct db_conn *c, struct act_ctx *x, struct db_case *k,
                              struct case_rec *into)
{
    if (x->in.into == k->id)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "into", "a case cannot merge into itself");
    int rc = caseflow_load(c, x->in.into, into);
    if (rc < 0)
        return rc;
    if (rc == 0 || !may(x->r, ACT_CASE_READ, &into->k))
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "into", "no case %lld",
                        (long long)x->in.into);
    if (!case_state_open((enum case_state)case_state_parse(into->k.state)))
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "into",
                        "case %s is %s; merge into an open case", into->k.code, into->k.state);
    return 0;
}

/* Applies x->a to k (state already checked) and tells whoever must know.
 * Returns < 0 on failure (x->fail filled for refusals). */
static int apply(struct db_conn *c, struct act_ctx *x, struct db_case *k,
                 const struct wt_calendar *cal, int64_t now)
{
    const char *from = k->state;
    int64_t actor = x->r->who.user_id;
    int next = case_next_state(x->a, (enum case_state)case_state_parse(k->state));
    struct case_clock clk = caseflow_clock(k);
    json_t *data = json_object();
    char title[192], dept_name[128] = "";
    struct case_rec into = {0};
    int rc = 0;
    k->state = case_state_name((enum case_state)next);

    switch (x->a) {
    case CA_ACCEPT:
        k->accepted_at = now;
        case_clock_start(&clk, cal, now, case_stage_limit_s(CS_ACCEPTED, k->limit_hours));
        break;
    case CA_REJECT:
        case_clock_start(&clk, cal, now, 0);
        break;
    case CA_MERGE:
        rc = check_merge_target(c, x, k, &into);
        if (rc < 0)
            goto out;
        k->merged_into = into.k.id;
        case_clock_start(&clk, cal, now, 0);
        json_object_set_new(data, "into", json_string(into.k.code));
        break;
    case CA_DISPATCH: {
        int64_t dept = x->in.dept_id, routed = 0, limit = 0;
        rc = db_route_find(c, k->category_id, k->grid_code, &routed, &limit);
        if (rc < 0)
            goto out;
        if (!dept)
            dept = routed;
        if (!dept) {
            rc = api_fail(&x->fail, GL_ERR_MISSING_FIELD, "dept_id",
                          "no routing rule covers category %s in grid %s; choose the department",
                          k->category_code, k->grid_code);
            goto out;
        }
        rc = db_department_get(c, dept, dept_exists, dept_name);
        if (rc <= 0) {
            if (rc == 0)
                rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "dept_id", "no department %lld",
                              (long long)dept);
            goto out;
        }
        k->dept_id = dept;
        if (x->in.limit_hours)
            k->limit_hours = x->in.limit_hours;
        else if (limit && dept == routed)
            k->limit_hours = limit;
        k->dispatched_at = now;
        case_clock_start(&clk, cal, now, case_stage_limit_s(CS_DISPATCHED, k->limit_hours));
        json_object_set_new(data, "dept_id", json_integer(dept));
        json_object_set_new(data, "dept", json_string(dept_name));
        json_object_set_new(data, "routed", json_boolean(dept == routed));
        json_object_set_new(data, "limit_hours", json_integer(k->limit_hours));
        break;
    }
    case CA_RETURN:
        json_object_set_new(data, "dept_id", json_integer(k->dept_id));
        k->dept_id = 0;
        k->return_count++;
        k->started_at = 0;
        case_clock_start(&clk, cal, now, case_stage_limit_s(CS_ACCEPTED, k->limit_hours));
        break;
    case CA_START:
        k->started_at = now;
        if (k->dispatched_at)
            rc = db_case_set_response(c, k->id, wt_elapsed(cal, k->dispatched_at, now));
        if (rc < 0)
            goto out;
        break;
    case CA_HANDLE:
    case CA_SELF_HANDLE:
        k->handled_at = now;
        case_clock_start(&clk, cal, now, 0);
        break;
    case CA_VERIFY:
        k->closed_at = now;
        case_clock_start(&clk, cal, now, 0);
        break;
    case CA_REOPEN:
        k->rework_count++;
        k->handled_at = k->closed_at = 0;
        if (!k->dept_id) {
            /* Self-handled: back to the grid to handle again or dispatch. */
            k->state = "accepted";
            case_clock_start(&clk, cal, now, case_stage_limit_s(CS_ACCEPTED, k->limit_hours));
        } else {
            case_clock_start(&clk, cal, now, case_stage_limit_s(CS_IN_PROGRESS, k->limit_hours));
        }
        break;
    case CA_ESCALATE: {
        int up = case_level_up((enum case_level)case_level_parse(k->level));
        json_object_set_new(data, "from_level", json_string(k->level));
        k->level = case_level_name((enum case_level)up);
        k->escalations++;
        json_object_set_new(data, "level", json_string(k->level));
        case_clock_start(&clk, cal, now,
                         case_stage_limit_s((enum case_state)next, k->limit_hours));
        break;
    }
    case CA_SUPERVISE:
        k->supervised = 1;
        k->supervise_deadline = x->deadline;
        k->supervise_note = x->in.note;
        json_object_set_new(data, "deadline", api_time(x->r, x->deadline));
        break;
    case CA_RATE:
        k->rating = case_rating_name((enum case_rating)x->rating);
        k->rating_comment = x->in.note ? x->in.note : "";
        k->rated_at = now;
        json_object_set_new(data, "rating", json_string(k->rating));
        break;
    default:
        break;
    }
    caseflow_set_clock(k, &clk);
    if (x->a == CA_COMMENT) {
        rc = caseflow_note(c, k, actor, "comment", x->in.note, data, now);
        goto out;
    }
    rc = caseflow_commit(c, k, x->in.if_version, actor, case_action_name(x->a), from, x->in.note,
                         data, now);
    if (rc == 0)
        rc = api_version_fail(c, "SELECT version FROM cases WHERE id = $1", k->id, "case",
                              &x->fail);
    if (rc < 0)
        goto out;

    /* Who hears of it. */
    switch (x->a) {
    case CA_MERGE:
        snprintf(title, sizeof title, "案件 %s 已并入本案", k->code);
        rc = caseflow_note(c, &into.k, actor, "merged_in", title, NULL, now);
        if (rc >= 0)
            rc = caseflow_tell_reporter(c, k, actor, "merged", "您反映的问题已与同一问题合并办理", now);
        break;
    case CA_REJECT:
        rc = caseflow_tell_reporter(c, k, actor, "rejected", "您反映的问题未予立案，请查看原因", now);
        break;
    case CA_DISPATCH:
        snprintf(title, sizeof title, "新派遣案件：%s（%s），请在 %lld 个工作小时内办结",
                 k->category_name, k->code, (long long)k->limit_hours);
        rc = caseflow_tell_dept(c, k, k->dept_id, "dept_head", actor, "dispatched", title, now);
        if (rc >= 0)
            rc = caseflow_tell_dept(c, k, k->dept_id, "dept_staff", actor, "dispatched", title,
                                    now);
        break;
    case CA_RETURN:
        snprintf(title, sizeof title, "退单：案件 %s 被退回，请重新派遣", k->code);
        rc = caseflow_tell_level(c, k, actor, "returned", title, now);
        break;
    case CA_HANDLE:
    case CA_SELF_HANDLE:
        snprintf(title, sizeof title, "待核查：案件 %s 已办理，请核查", k->code);
        {
            /* Verification belongs to the grid, whatever level handled it. */
            struct db_case at_grid = *k;
            at_grid.level = "grid";
            rc = caseflow_tell_level(c, &at_grid, actor, "handled", title, now);
        }
        if (rc >= 0)
            rc = caseflow_tell_reporter(c, k, actor, "handled", "您反映的问题已办理，请确认结果", now);
        break;
    case CA_VERIFY:
        rc = caseflow_tell_reporter(c, k, actor, "closed", "您反映的问题已办结，请评价", now);
        break;
    case CA_REOPEN:
        snprintf(title, sizeof title, "返工：案件 %s 核查未通过，请重新办理", k->code);
        rc = k->dept_id ? caseflow_tell_dept(c, k, k->dept_id, "dept_staff", actor, "reopened",
                                             title, now)
                        : caseflow_tell_level(c, k, actor, "reopened", title, now);
        break;
    case CA_ESCALATE:
        snprintf(title, sizeof title, "升级：案件 %s 已提交%s级办理", k->code,
                 strcmp(k->level, "village") == 0 ? "村（社区）"
                 : strcmp(k->level, "town") == 0  ? "乡镇（街道）"
                                                  : "县");
        rc = caseflow_tell_level(c, k, actor, "escalated", title, now);
        break;
    case CA_SUPERVISE:
        /* The note may be long; caseflow_tell_user trims it at a character. */
        snprintf(title, sizeof title, "挂牌督办：案件 %s，%s", k->code, x->in.note);
        rc = k->dept_id ? caseflow_tell_dept(c, k, k->dept_id, "dept_head", actor, "supervised",
                                             title, now)
                        : caseflow_tell_level(c, k, actor, "supervised", title, now);
        break;
    case CA_RATE:
        if (x->rating == CR_DISSATISFIED) {
            snprintf(title, sizeof title, "不满意：案件 %s 的群众评价为不满意", k->code);
            rc = caseflow_tell_level(c, k, actor, "dissatisfied", title, now);
        }
        break;
    default:
        break;
    }
out:
    caseflow_free(&into);
    json_decref(data);
    return rc;
}

static int act_txn(struct db_conn *c, void *cls)
{
    struct act_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    struct case_rec rec = {0};
    int rc = caseflow_load(c, x->id, &rec);
    if (rc <= 0) {
        caseflow_free(&rec);
        return rc < 0 ? rc : api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no case %lld",
                                      (long long)x->id);
    }
    struct db_case *k = &rec.k;
    const char *act = case_action_name(x->a);
    if (!may(x->r, ACT_CASE_READ, k))
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no case %lld", (long long)x->id);
    else if (!may(x->r, case_permission(x->a), k))
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL, "your role or scope may not %s this case",
                      act);
    else if (x->in.if_version && x->in.if_version != k->version)
        rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                      "case %s was changed by someone else and is now at version %lld (%s); "
                      "reload it and decide again",
                      k->code, (long long)k->version, k->state);
    else if (case_next_state(x->a, (enum case_state)case_state_parse(k->state)) < 0)
        rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL,
                      "cannot %s case %s: it is %s (%s); %s is possible from %s", act, k->code,
                      k->state, case_state_zh((enum case_state)case_state_parse(k->state)), act,
                      case_allowed_from(x->a));
    else {
        const char *why = extra_problem(k, x->a, now);
        if (why)
            rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL, "cannot %s case %s: %s", act,
                          k->code, why);
    }
    if (rc >= 0) {
        struct wt_calendar cal;
        struct wt_exception *ex = NULL;
        rc = caseflow_calendar(c, x->r->app->cfg->offset_min, now, &cal, &ex);
        if (rc >= 0)
            rc = apply(c, x, k, &cal, now);
        free(ex);
        if (rc >= 0)
            caseflow_event(k, case_action_name(x->a), &x->ev);
    }
    caseflow_free(&rec);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_cases_act(struct http_req *r)
{
    struct act_ctx x = {.r = r, .out = {.r = r, .acted = true}};
    if (http_param_id_or_reply(r, 0, &x.id) < 0)
        return r->result;
    int a = case_action_parse(r->params[1]);
    if (a < 0)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL,
                                "no action %s; the actions are accept, reject, merge, dispatch,"
                                " return, start, handle, self_handle, verify, reopen, escalate,"
                                " supervise, rate, comment",
                                r->params[1]);
    x.a = (enum case_action)a;
    uint64_t given;
    if (http_parse_body_or_reply(r, api_case_action_spec, &x.in, &given) < 0)
        return r->result;
    if (x.a != CA_COMMENT && !x.in.if_version)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "if_version",
                                "give the version of the case you read as if_version");
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        bool has = jspec_given(api_case_action_spec, given, field_names[i]);
        if (has && !(fields[x.a].takes & (1u << i)))
            return http_reply_error(r, GL_ERR_UNKNOWN_FIELD, field_names[i],
                                    "%s does not apply to %s", field_names[i],
                                    case_action_name(x.a));
        if (!has && (fields[x.a].needs & (1u << i)))
            return http_reply_error(r, GL_ERR_MISSING_FIELD, field_names[i], "%s needs %s",
                                    case_action_name(x.a), field_names[i]);
    }
    if (x.in.deadline) {
        if (gl_time_parse(x.in.deadline, &x.deadline) < 0)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "deadline",
                                    "deadline must be an RFC 3339 time such as "
                                    "2026-03-27T18:00:00+08:00");
        if (x.deadline <= (int64_t)time(NULL))
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "deadline",
                                    "the deadline has passed already");
    }
    if (x.in.rating && (x.rating = case_rating_parse(x.in.rating)) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "rating",
                                "rating must be satisfied, basically_satisfied or dissatisfied");
    int rc = db_run_transaction(r->app->db, DB_WRITE, act_txn, &x);
    if (rc < 0) {
        json_decref(x.out.out);
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    }
    events_publish(&x.ev);
    return http_reply_json(r, 200, x.out.out);
}

/* ---- photos ------------------------------------------------------------------------------ */

#define PHOTOS_PER_STEP 9

static const char *const photo_steps[] = {"report", "handle", "verify"};

/* Who may add a photo at each step, and in which states. */
static const char *photo_problem(const struct http_req *r, const struct db_case *k, int step)
{
    int s = case_state_parse(k->state);
    switch (step) {
    case 0: /* the reporter, or whoever takes reports in */
        if (!case_state_open((enum case_state)s))
            return "report photos are added while the case is open";
        if (k->reporter_user_id != r->who.user_id && !may(r, ACT_CASE_ACCEPT, k))
            return "only the reporter or the grid may add report photos";
        return NULL;
    case 1: /* the one who handles it */
        if (s != CS_ACCEPTED && s != CS_DISPATCHED && s != CS_IN_PROGRESS && s != CS_HANDLED)
            return "handling photos are added between accepting and verifying";
        if (!may(r, ACT_CASE_WORK, k) && !may(r, ACT_CASE_SELF, k))
            return "only those handling the case may add handling photos";
        return NULL;
    default: /* the one who verifies */
        if (s != CS_HANDLED && s != CS_CLOSED)
            return "verification photos are added once the case is handled";
        if (!may(r, ACT_CASE_VERIFY, k))
            return "only those verifying the case may add verification photos";
        return NULL;
    }
}

struct photo_ctx {
    struct http_req *r;
    int64_t case_id, photo_id;
    int step;
    struct image_out img;
    char sha[65];
    struct api_fail fail;
    /* get */
    void *data;
    size_t len;
    char mime[16];
};

static int photo_add_txn(struct db_conn *c, void *cls)
{
    struct photo_ctx *x = cls;
    struct case_rec rec = {0};
    int rc = caseflow_load(c, x->case_id, &rec);
    if (rc <= 0 || !may(x->r, ACT_CASE_READ, &rec.k)) {
        caseflow_free(&rec);
        return rc < 0 ? rc : api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no case %lld",
                                      (long long)x->case_id);
    }
    const char *why = photo_problem(x->r, &rec.k, x->step);
    int64_t n = 0;
    if (why)
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, "step", "%s", why);
    else
        rc = db_query_int(c, "SELECT count(*) FROM case_photos WHERE case_id = $1 AND step = $2",
                          DB_ARGS(DB_INT(x->case_id), DB_STR(photo_steps[x->step])), &n);
    if (rc >= 0 && n >= PHOTOS_PER_STEP)
        rc = api_fail(&x->fail, GL_ERR_CONFLICT, "step", "a case takes at most %d photos per step",
                      PHOTOS_PER_STEP);
    if (rc >= 0) {
        struct db_photo p = {
            .case_id = x->case_id, .step = photo_steps[x->step], .mime = image_mime(x->img.kind),
            .width = x->img.width, .height = x->img.height, .bytes = (int64_t)x->img.len,
            .sha256 = x->sha, .uploaded_by = x->r->who.user_id,
        };
        int64_t now = (int64_t)time(NULL);
        rc = db_photo_insert(c, &p, x->img.data, now, &x->photo_id);
        if (rc >= 0) {
            json_t *data = json_pack("{s:I, s:s}", "photo_id", (json_int_t)x->photo_id, "step",
                                     photo_steps[x->step]);
            rc = caseflow_note(c, &rec.k, x->r->who.user_id, "photo", "", data, now);
            json_decref(data);
        }
    }
    caseflow_free(&rec);
    return rc;
}

enum MHD_Result api_case_photo_add(struct http_req *r)
{
    struct photo_ctx x = {.r = r, .step = -1};
    if (http_param_id_or_reply(r, 0, &x.case_id) < 0)
        return r->result;
    const char *step = http_query(r, "step");
    for (int i = 0; step && i < 3; i++)
        if (strcmp(step, photo_steps[i]) == 0)
            x.step = i;
    if (x.step < 0)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "step",
                                "step must be report, handle or verify");
    char err[256];
    if (!r->body_len)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, NULL, "the body must be the photo");
    if (image_clean(r->body, r->body_len, &x.img, err, sizeof err) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, NULL, "%s", err);
    secret_sha256_bytes_hex(x.img.data, x.img.len, x.sha);
    int rc = db_run_transaction(r->app->db, DB_WRITE, photo_add_txn, &x);
    free(x.img.data);
    if (rc < 0)
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    char url[96];
    snprintf(url, sizeof url, "/api/v1/cases/%lld/photos/%lld", (long long)x.case_id,
             (long long)x.photo_id);
    http_add_header(r, "Location", url);
    return http_reply_json(r, 201,
                           json_pack("{s:I, s:s, s:s, s:i, s:i, s:I, s:s, s:s}", "id",
                                     (json_int_t)x.photo_id, "step", photo_steps[x.step], "mime",
                                     image_mime(x.img.kind), "width", x.img.width, "height",
                                     x.img.height, "bytes", (json_int_t)x.img.len, "sha256",
                                     x.sha, "url", url));
}

static int keep_photo(void *cls, const struct db_photo *p, const void *data)
{
    struct photo_ctx *x = cls;
    free(x->data);
    x->data = malloc(p->bytes ? (size_t)p->bytes : 1);
    if (!x->data)
        abort();
    memcpy(x->data, data, (size_t)p->bytes);
    x->len = (size_t)p->bytes;
    snprintf(x->mime, sizeof x->mime, "%s", p->mime);
    return 1;
}

static int photo_get_txn(struct db_conn *c, void *cls)
{
    struct photo_ctx *x = cls;
    struct case_rec rec = {0};
    int rc = caseflow_load(c, x->case_id, &rec);
    bool visible = rc > 0 && may(x->r, ACT_CASE_READ, &rec.k);
    caseflow_free(&rec);
    if (rc < 0)
        return rc;
    if (!visible)
        return api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no case %lld", (long long)x->case_id);
    rc = db_photo_get(c, x->case_id, x->photo_id, keep_photo, x);
    if (rc == 0)
        return api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "case %lld has no photo %lld",
                        (long long)x->case_id, (long long)x->photo_id);
    return rc;
}

enum MHD_Result api_case_photo_get(struct http_req *r)
{
    struct photo_ctx x = {.r = r};
    if (http_param_id_or_reply(r, 0, &x.case_id) < 0 ||
        http_param_id_or_reply(r, 1, &x.photo_id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, photo_get_txn, &x);
    if (rc < 0) {
        free(x.data);
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    }
    /* Photos never change once stored; only the signed-in may keep them. */
    return http_reply_owned(r, 200, x.mime, x.data, x.len, "private, max-age=86400, immutable");
}

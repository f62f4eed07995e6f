/*
 * /api/v1/errands: the errand service (全程代办, DESIGN.md "Errands"). A
 * resident's request is registered into the red box, accepted by an agent,
 * submitted to the deciding department, completed (blue box), the resident
 * is notified (with a one-time code) and the errand is closed only by the
 * resident's sign-off: that code or a signature image. Every step writes
 * the errand, its timeline, the audit chain and notifications in one
 * transaction; the ledger (台账) is a query over that timeline.
 */
#include "api/api.h"
#include "api/caseflow.h"
#include "core/errandfsm.h"
#include "core/mask.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"
#include "image.h"
#include "log.h"
#include "secret.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200
#define LEDGER_PAGE 1000    /* ledger rows per JSON page */
#define SIGNATURE_MAX (1u << 20)
#define PHONE_CONTEXT "errands.resident_phone"
#define CODE_CONTEXT "errands.confirm_code"

static const char *const channels[] = {"village", "center", "online", "visit"};

/* ---- an errand loaded for change ------------------------------------------------------ */

struct errand_rec {
    struct db_errand e;
    char *own[20];
    size_t nown;
    unsigned char *phone, *code; /* sealed bytes, copied */
};

static void rec_free(struct errand_rec *rec)
{
    for (size_t i = 0; i < rec->nown; i++)
        free(rec->own[i]);
    free(rec->phone);
    free(rec->code);
    *rec = (struct errand_rec){0};
}

static void *copy_bytes(const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *c = malloc(n ? n : 1);
    if (!c)
        abort();
    return memcpy(c, p, n);
}

static int keep_rec(void *cls, const struct db_errand *e)
{
    struct errand_rec *rec = cls;
    rec->e = *e;
    const char **fields[] = {
        &rec->e.code, &rec->e.grid_code, &rec->e.resident_name, &rec->e.notes, &rec->e.channel,
        &rec->e.state, &rec->e.dept_ref, &rec->e.result, &rec->e.confirm_method,
        &rec->e.materials, &rec->e.service_code, &rec->e.service_name, &rec->e.dept_name,
        &rec->e.grid_name, &rec->e.village_name, &rec->e.registered_by_name, &rec->e.agent_name,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!*fields[i])
            continue;
        char *copy = strdup(*fields[i]);
        if (!copy)
            abort();
        rec->own[rec->nown++] = copy;
        *fields[i] = copy;
    }
    rec->e.resident_phone = rec->phone = copy_bytes(e->resident_phone, e->resident_phone_len);
    rec->e.confirm_code = rec->code = copy_bytes(e->confirm_code, e->confirm_code_len);
    return 1;
}

static int rec_load(struct db_conn *c, int64_t id, struct errand_rec *rec)
{
    rec_free(rec);
    return db_errand_get(c, id, keep_rec, rec);
}

static struct target errand_target(const struct http_req *r, const struct db_errand *e)
{
    return (struct target){.region = e->grid_code, .dept_id = e->dept_id,
                           .linked = e->resident_user_id && e->resident_user_id == r->who.user_id};
}

static bool may(const struct http_req *r, enum action a, const struct db_errand *e)
{
    struct target t = errand_target(r, e);
    return authz_decide(r->who.grants, r->who.ngrants, a, &t) == AUTHZ_ALLOW;
}

/* ---- the JSON of an errand ---------------------------------------------------------------- */

static json_t *phone_json(const struct db_errand *e, bool clear)
{
    if (!e->resident_phone)
        return json_null();
    char *text;
    if (secret_open(e->resident_phone, e->resident_phone_len, PHONE_CONTEXT, &text) < 0)
        return json_null();
    char masked[MASK_BUFLEN];
    mask_phone(text, masked);
    json_t *out = json_string(clear ? text : masked);
    free(text);
    return out;
}

/* Whether some material received is still held (return_materials has work). */
static bool holds_materials(const struct db_errand *e)
{
    json_t *m = json_loads(e->materials, 0, NULL);
    bool held = false;
    size_t i;
    json_t *item;
    json_array_foreach(m, i, item) {
        held = held || (json_is_true(json_object_get(item, "received")) &&
                        !json_is_true(json_object_get(item, "returned")));
    }
    json_decref(m);
    return held;
}

static const char *extra_problem(const struct db_errand *e, enum errand_action a)
{
    if (a == EA_RETURN_MATERIALS && !holds_materials(e))
        return "no material received for it is still held";
    return NULL;
}

static json_t *actions_json(const struct http_req *r, const struct db_errand *e)
{
    json_t *out = json_array();
    int s = errand_state_parse(e->state);
    for (int a = 0; a < EA__COUNT; a++)
        if (errand_next_state((enum errand_action)a, (enum errand_state)s) >= 0 &&
            may(r, errand_permission((enum errand_action)a), e) &&
            !extra_problem(e, (enum errand_action)a))
            json_array_append_new(out, json_string(errand_action_name((enum errand_action)a)));
    return out;
}

static bool overdue_now(const struct db_errand *e, int64_t now)
{
    return e->overdue ||
           (errand_timed((enum errand_state)errand_state_parse(e->state)) && e->deadline_at <= now);
}

static json_t *errand_json(const struct http_req *r, const struct db_errand *e, bool clear,
                           int64_t now)
{
    enum errand_state s = (enum errand_state)errand_state_parse(e->state);
    json_t *materials = json_loads(e->materials, 0, NULL);
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:{s:I, s:s, s:s, s:I}, s:{s:I, s:s}, s:{s:s, s:s, s:s},"
        " s:{s:s, s:o, s:o, s:o}, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:b, s:o, s:o, s:o, s:I}",
        "id", (json_int_t)e->id, "code", e->code, "state", e->state, "state_zh",
        errand_state_zh(s), "box", errand_box(s), "service", "id", (json_int_t)e->service_id,
        "code", e->service_code, "name", e->service_name, "promised_days",
        (json_int_t)e->promised_days, "dept", "id", (json_int_t)e->dept_id, "name",
        e->dept_name, "grid", "code", e->grid_code, "name", e->grid_name, "village",
        e->village_name, "resident", "name", e->resident_name, "phone", phone_json(e, clear),
        "user_id", e->resident_user_id ? json_integer(e->resident_user_id) : json_null(),
        "household_id", e->household_id ? json_integer(e->household_id) : json_null(), "channel",
        e->channel, "materials", materials ? materials : json_array(), "notes", e->notes,
        "registered_by", json_pack("{s:I, s:s}", "id", (json_int_t)e->registered_by, "name",
                                   e->registered_by_name),
        "agent", e->agent_user_id ? json_pack("{s:I, s:s}", "id", (json_int_t)e->agent_user_id,
                                              "name", e->agent_name)
                                  : json_null(),
        "dept_ref", e->dept_ref, "result", e->result, "overdue", overdue_now(e, now),
        "deadline_at", api_time(r, e->deadline_at), "created_at", api_time(r, e->created_at),
        "confirm_method", e->confirm_method ? json_string(e->confirm_method) : json_null(),
        "version", (json_int_t)e->version);
    json_object_set_new(j, "code_expires_at",
                        api_time_or_null(r, e->confirm_code ? e->code_expires_at : 0));
    if (e->has_signature) {
        char url[96];
        snprintf(url, sizeof url, "/api/v1/errands/%lld/signature", (long long)e->id);
        json_object_set_new(j, "signature_url", json_string(url));
    }
    return j;
}

/* ---- one errand ------------------------------------------------------------------------------ */

struct view {
    struct http_req *r;
    int64_t id;
    bool clear, found, visible;
    struct target t;
    json_t *out;
};

static int keep_view(void *cls, const struct db_errand *e)
{
    struct view *v = cls;
    v->found = true;
    v->t = errand_target(v->r, e);
    v->t.region = NULL; /* the grid code dies with the row; only visibility is kept */
    v->visible = may(v->r, ACT_ERRAND_READ, e);
    if (v->visible) {
        v->clear = v->clear && may(v->r, ACT_PII_UNMASK, e);
        v->out = errand_json(v->r, e, v->clear, (int64_t)time(NULL));
        json_object_set_new(v->out, "actions", actions_json(v->r, e));
    }
    return 1;
}

static int view_txn(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    v->found = v->visible = false;
    json_decref(v->out);
    v->out = NULL;
    int rc = db_errand_get(c, v->id, keep_view, v);
    if (rc <= 0 || !v->visible)
        return rc;
    struct api_timeline tl = api_timeline(v->r, v->out);
    return db_errand_events(c, v->id, api_add_event, &tl);
}

static int log_unmask(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    return db_pii_log(c, v->r->who.user_id, "errand", v->id, "resident_phone",
                      (int64_t)time(NULL));
}

enum MHD_Result api_errands_get(struct http_req *r)
{
    struct view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    const char *unmask = http_query(r, "unmask");
    bool asked = unmask && strcmp(unmask, "1") == 0;
    v.clear = asked;
    int rc = db_run_transaction(r->app->db, DB_READ, view_txn, &v);
    if (rc < 0) {
        json_decref(v.out);
        return api_reply_db_error(r, rc);
    }
    if (!v.found || !v.visible) {
        json_decref(v.out);
        if (v.found && !v.visible && http_authorize_or_reply(r, ACT_ERRAND_READ, &v.t) < 0)
            return r->result;
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no errand %lld", (long long)v.id);
    }
    if (asked && !v.clear) {
        json_decref(v.out);
        return http_reply_error(r, GL_ERR_FORBIDDEN, "unmask",
                                "your role may not see personal data in full");
    }
    if (asked) {
        rc = db_run_transaction(r->app->db, DB_WRITE, log_unmask, &v);
        if (rc < 0) {
            json_decref(v.out);
            return api_reply_db_error(r, rc);
        }
    }
    return http_reply_json(r, 200, v.out);
}

/* ---- lists and the ledger -------------------------------------------------------------------- */

struct list_ctx {
    struct http_req *r;
    struct db_errand_filter f;
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN];
    char region[REGION_CODE_BUFLEN];
    int format;
    json_t *items;
    int64_t last_id;
};

/* Reads the filters shared by the list (newest first) and the ledger
 * (oldest first, so its cursor runs the other way); -1 when it replied. */
static int filters_or_reply(struct http_req *r, struct list_ctx *l, int64_t limit,
                            int64_t limit_max, bool oldest_first)
{
    struct db_errand_filter *f = &l->f;
    f->overdue = -1;
    f->now = (int64_t)time(NULL);
    f->limit = limit;
    if (!api_visibility(r, ACT_ERRAND_READ, f->scopes, f->scope_depts, l->prefixes,
                        &f->resident)) {
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "your role cannot see errands");
        return -1;
    }
    f->state = http_query(r, "state");
    if (f->state && errand_state_parse(f->state) < 0) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "state",
                         "state must be registered, accepted, submitted, completed, notified,"
                         " confirmed or cancelled");
        return -1;
    }
    f->box = http_query(r, "box");
    if (f->box && strcmp(f->box, "red") && strcmp(f->box, "blue") && strcmp(f->box, "closed") &&
        strcmp(f->box, "cancelled")) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "box",
                         "box must be red, blue, closed or cancelled");
        return -1;
    }
    f->text = http_query(r, "q");
    int64_t overdue = -1;
    if (api_region_param_or_reply(r, "region", l->region, &f->region) < 0 ||
        api_int_param_or_reply(r, "service", 1, INT64_MAX, &f->service_id) < 0 ||
        api_int_param_or_reply(r, "agent", 1, INT64_MAX, &f->agent_id) < 0 ||
        api_int_param_or_reply(r, "overdue", 0, 1, &overdue) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX,
                               oldest_first ? &f->after_id : &f->before_id) < 0 ||
        api_int_param_or_reply(r, "limit", 1, limit_max, &f->limit) < 0 ||
        api_time_param_or_reply(r, "from", &f->from) < 0 ||
        api_time_param_or_reply(r, "to", &f->to) < 0)
        return -1;
    f->overdue = (int)overdue;
    return 0;
}

static const char *const list_headers[] = {
    "编号", "事项", "办理部门", "群众姓名", "所在村（社区）", "网格", "状态", "登记时间",
    "承诺期限", "是否超期", "代办员",
};

static int add_errand(void *cls, const struct db_errand *e)
{
    struct list_ctx *l = cls;
    enum errand_state s = (enum errand_state)errand_state_parse(e->state);
    json_array_append_new(
        l->items, l->format == EXPORT_JSON
                      ? errand_json(l->r, e, false, l->f.now)
                      : json_pack("[s, s, s, s, s, s, s, o, o, s, s]", e->code, e->service_name,
                                  e->dept_name, e->resident_name, e->village_name, e->grid_name,
                                  errand_state_zh(s), api_local_time(l->r, e->created_at),
                                  api_local_time(l->r, e->deadline_at),
                                  overdue_now(e, l->f.now) ? "是" : "否",
                                  e->agent_name ? e->agent_name : ""));
    l->last_id = e->id;
    return 0;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_errands_list(c, &l->f, add_errand, l);
}

enum MHD_Result api_errands_list(struct http_req *r)
{
    struct list_ctx l = {.r = r};
    if (api_format_or_reply(r, &l.format) < 0 ||
        filters_or_reply(r, &l, PAGE_DEFAULT, PAGE_MAX, false) < 0)
        return r->result;
    l.items = json_array();
    struct api_pager p = {list_txn, &l, &l.items, &l.f.before_id, &l.f.limit, &l.last_id};
    return api_reply_list(r, l.format, &p, "代办事项", list_headers,
                          sizeof list_headers / sizeof *list_headers, "errands");
}

/* The ledger's columns: who received, who handled, each step's time. */
static const char *const ledger_headers[] = {
    "编号", "事项", "办理部门", "群众姓名", "联系电话", "所在村（社区）", "网格", "登记时间",
    "接件人", "受理时间", "代办员", "报送时间", "报送人", "部门受理号", "办结时间", "办结人",
    "办理结果", "通知时间", "签收时间", "签收方式", "撤销时间", "材料退还时间", "承诺期限",
    "状态", "是否超期",
};
#define LEDGER_NCOLS (sizeof ledger_headers / sizeof ledger_headers[0])

/* Step indexes in DB_LEDGER_STEPS order (the errand actions' order). */
_Static_assert(DB_LEDGER_NSTEPS == EA__COUNT, "the ledger has a column pair per action");

static json_t *text_or_empty(const char *s) { return json_string(s ? s : ""); }

static int add_ledger_row(void *cls, const struct db_ledger_row *row)
{
    struct list_ctx *l = cls;
    const struct db_errand *e = row->e;
    enum errand_state s = (enum errand_state)errand_state_parse(e->state);
    json_t *phone = phone_json(e, false);
    if (json_is_null(phone)) {
        json_decref(phone);
        phone = json_string("");
    }
    const char *method = !e->confirm_method                     ? ""
                         : strcmp(e->confirm_method, "code") == 0 ? "短信验证码"
                                                                  : "签名";
    json_t *cells = json_pack(
        "[s, s, s, s, o, s, s, o, s, o, o, o, o, s, o, o, s, o, o, s, o, o, o, s, s]", e->code,
        e->service_name, e->dept_name, e->resident_name, phone, e->village_name, e->grid_name,
        api_local_time(l->r, e->created_at), e->registered_by_name,
        api_local_time(l->r, row->at[EA_ACCEPT]), text_or_empty(row->by[EA_ACCEPT]),
        api_local_time(l->r, row->at[EA_SUBMIT]), text_or_empty(row->by[EA_SUBMIT]), e->dept_ref,
        api_local_time(l->r, row->at[EA_COMPLETE]), text_or_empty(row->by[EA_COMPLETE]), e->result,
        api_local_time(l->r, row->at[EA_NOTIFY]), api_local_time(l->r, row->at[EA_CONFIRM]), method,
        api_local_time(l->r, row->at[EA_CANCEL]), api_local_time(l->r, row->at[EA_RETURN_MATERIALS]),
        api_local_time(l->r, e->deadline_at), errand_state_zh(s),
        overdue_now(e, l->f.now) ? "是" : "否");
    if (!cells)
        return DB_ERROR;
    json_array_append_new(l->items, cells);
    l->last_id = e->id;
    return 0;
}

static int ledger_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_errand_ledger(c, &l->f, add_ledger_row, l);
}

enum MHD_Result api_errands_ledger(struct http_req *r)
{
    struct list_ctx l = {.r = r};
    if (api_format_or_reply(r, &l.format) < 0)
        return r->result;
    if (filters_or_reply(r, &l, LEDGER_PAGE, LEDGER_PAGE, true) < 0)
        return r->result;
    l.items = json_array();
    if (l.format != EXPORT_JSON) {
        struct api_pager p = {ledger_txn, &l, &l.items, &l.f.after_id, &l.f.limit, &l.last_id};
        enum MHD_Result res = api_reply_export_pages(r, l.format, "代办台账", ledger_headers,
                                                     LEDGER_NCOLS, &p, "errand-ledger");
        json_decref(l.items);
        return res;
    }
    int rc = db_run_transaction(r->app->db, DB_READ, ledger_txn, &l);
    if (rc < 0) {
        json_decref(l.items);
        return api_reply_db_error(r, rc);
    }
    json_t *cols = json_array();
    for (size_t i = 0; i < LEDGER_NCOLS; i++)
        json_array_append_new(cols, json_string(ledger_headers[i]));
    json_t *next = api_next_cursor(l.items, l.f.limit, l.last_id);
    return http_reply_json(r, 200, json_pack("{s:o, s:o, s:o}", "columns", cols, "rows", l.items,
                                             "next_cursor", next));
}

/* ---- writing: timeline, audit, notices ------------------------------------------------------- */

static int record(struct db_conn *c, const struct db_errand *e, int64_t actor, const char *action,
                  const char *from_state, const char *note, json_t *data, int64_t now)
{
    struct db_event ev = {.subject_id = e->id, .at = now, .actor_user_id = actor,
                          .action = action, .from_state = from_state, .to_state = e->state,
                          .note = note};
    return flow_record(c, db_errand_event_insert, "errand", &ev, e->code, NULL, data);
}

/* A notice about errand e; body must hold 256 bytes. */
static struct flow_notice errand_notice(const struct db_errand *e, const char *kind,
                                        const char *title, int64_t now, char *body)
{
    snprintf(body, 256, "%s · %s · %s", e->code, e->service_name, e->resident_name);
    return (struct flow_notice){"errand", e->id, e->code, kind, title, body, now};
}

static int tell_user(struct db_conn *c, const struct db_errand *e, int64_t user_id,
                     const char *kind, const char *title, int64_t now)
{
    char body[256];
    struct flow_notice n = errand_notice(e, kind, title, now, body);
    return flow_tell(c, &n, user_id);
}

/* The errand's agent once one accepted it, else the agents serving its
 * village, or failing that its town, or its county. */
static int tell_agents(struct db_conn *c, const struct db_errand *e, int64_t skip,
                       const char *kind, const char *title, int64_t now)
{
    if (e->agent_user_id)
        return e->agent_user_id == skip ? 0 : tell_user(c, e, e->agent_user_id, kind, title, now);
    char body[256];
    struct flow_notice n = errand_notice(e, kind, title, now, body);
    char village[16];
    caseflow_level_region(e->grid_code, CL_VILLAGE, village);
    return flow_tell_nearest(c, &n, "agent", village, skip);
}

static int tell_resident(struct db_conn *c, const struct db_errand *e, int64_t skip,
                         const char *kind, const char *title, int64_t now)
{
    if (!e->resident_user_id || e->resident_user_id == skip)
        return 0;
    return tell_user(c, e, e->resident_user_id, kind, title, now);
}

/* ---- registering ------------------------------------------------------------------------------ */

struct errand_in {
    int64_t service_id, household_id, resident_user_id;
    const char *grid_code, *resident_name, *resident_phone, *notes, *channel;
    json_t *materials;
};

const struct jspec api_errand_create_spec[] = {
    JSPEC_INT(struct errand_in, service_id, "service_id", 1, INT64_MAX, JSPEC_REQUIRED,
              "the catalog item"),
    JSPEC_INT(struct errand_in, household_id, "household_id", 1, INT64_MAX, 0,
              "the resident's household: gives the grid, and the name and phone when not given"),
    JSPEC_STR(struct errand_in, grid_code, "grid_code", 15, 15, 0,
              "the resident's grid (required without household_id)"),
    JSPEC_STR(struct errand_in, resident_name, "resident_name", 1, 40, 0,
              "who it is done for (required without household_id)"),
    JSPEC_STR(struct errand_in, resident_phone, "resident_phone", 7, 20, 0,
              "where the one-time code is sent (mobile)"),
    JSPEC_INT(struct errand_in, resident_user_id, "resident_user_id", 1, INT64_MAX, 0,
              "the resident's own account, when they have one: they then see it in the app"),
    JSPEC_STR(struct errand_in, notes, "notes", 1, 1000, 0, "what the resident asked for"),
    JSPEC_STR(struct errand_in, channel, "channel", 4, 10, 0,
              "where it was asked: village (default), center, online, visit"),
    JSPEC_ARR(struct errand_in, materials, "materials", 0,
              "names of the materials received; the service's list becomes the checklist"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct errand_in in;
    unsigned char *phone; /* sealed */
    size_t phone_len;
    char grid[REGION_CODE_BUFLEN];
    char name[64];
    struct view out;
    struct api_fail fail;
};

struct service_pick {
    bool found;
    int active;
    int64_t dept_id, days;
    char name[128];
    json_t *materials;
};

static int keep_service(void *cls, const struct db_service *s)
{
    struct service_pick *p = cls;
    p->found = true;
    p->active = s->active;
    p->dept_id = s->dept_id;
    p->days = s->promised_days;
    snprintf(p->name, sizeof p->name, "%s", s->name);
    p->materials = json_loads(s->materials, 0, NULL);
    return 1;
}

static int keep_household(void *cls, const struct db_household *h)
{
    struct create_ctx *x = cls;
    snprintf(x->grid, sizeof x->grid, "%s", h->grid_code);
    snprintf(x->name, sizeof x->name, "%s", h->head_name);
    if (!x->in.resident_phone && h->phone && !x->phone) {
        char *text;
        if (secret_open(h->phone, h->phone_len, "households.phone", &text) == 0) {
            secret_seal(text, PHONE_CONTEXT, &x->phone, &x->phone_len);
            free(text);
        }
    }
    return 1;
}

static int grid_found(void *cls, const struct db_grid *g)
{
    (void)g;
    *(bool *)cls = true;
    return 1;
}

/* The checklist: the service's materials, each received or not, then any
 * other material received. Returns NULL (and fills f) when a name is bad. */
static json_t *checklist(const json_t *required, const json_t *given, struct api_fail *f)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(given, i, v) {
        const char *s = json_string_value(v);
        if (!s || !*s || jspec_utf8_len(s) > 60 || i >= 30) {
            json_decref(out);
            api_fail(f, GL_ERR_INVALID_VALUE, "materials",
                     "materials: item %zu must be a text of 1 to 60 characters (30 at most)",
                     i + 1);
            return NULL;
        }
    }
    json_array_foreach(required, i, v) {
        bool got = false;
        size_t j;
        json_t *w;
        json_array_foreach(given, j, w) got = got || json_equal(v, w);
        json_array_append_new(out, json_pack("{s:O, s:b, s:b}", "name", v, "received", got,
                                             "returned", 0));
    }
    json_array_foreach(given, i, v) {
        bool listed = false;
        size_t j;
        json_t *w;
        json_array_foreach(out, j, w) listed = listed || json_equal(json_object_get(w, "name"), v);
        if (!listed)
            json_array_append_new(out, json_pack("{s:O, s:b, s:b}", "name", v, "received", 1,
                                                 "returned", 0));
    }
    return out;
}

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    struct service_pick svc = {0};
    int rc = db_service_get(c, x->in.service_id, keep_service, &svc);
    json_t *materials = NULL;
    char *materials_text = NULL;
    struct wt_exception *ex = NULL;
    if (rc < 0)
        goto out;
    if (!svc.found || !svc.active) {
        rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "service_id",
                      svc.found ? "service %lld is no longer offered" : "no service %lld",
                      (long long)x->in.service_id);
        goto out;
    }
    if (x->in.household_id) {
        rc = db_household_get(c, x->in.household_id, keep_household, x);
        if (rc < 0)
            goto out;
        if (rc == 0) {
            rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "household_id", "no household %lld",
                          (long long)x->in.household_id);
            goto out;
        }
    } else {
        bool found = false;
        rc = db_grid_get(c, x->in.grid_code, grid_found, &found);
        if (rc < 0)
            goto out;
        if (!found) {
            rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "grid_code", "no grid %s",
                          x->in.grid_code);
            goto out;
        }
        snprintf(x->grid, sizeof x->grid, "%s", x->in.grid_code);
    }
    struct target t = {.region = x->grid, .dept_id = svc.dept_id};
    switch (authz_decide(x->r->who.grants, x->r->who.ngrants, ACT_ERRAND_REGISTER, &t)) {
    case AUTHZ_ALLOW:
        break;
    case AUTHZ_HIDDEN:
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, x->in.household_id ? "household_id" : "grid_code",
                      "grid %s is outside the area you serve", x->grid);
        goto out;
    default:
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL, "your role cannot register errands");
        goto out;
    }
    materials = checklist(svc.materials, x->in.materials, &x->fail);
    if (!materials) {
        rc = DB_ABORT;
        goto out;
    }
    materials_text = json_dumps(materials, JSON_COMPACT);
    /* The code: "DB" + county + local date + sequence of the day. */
    char prefix[32], code[64];
    api_day_code_prefix(x->r, "DB", x->grid, now, prefix);
    int64_t seq = 0;
    rc = db_errand_count_on(c, prefix, &seq);
    if (rc < 0)
        goto out;
    snprintf(code, sizeof code, "%s%04lld", prefix, (long long)seq + 1);
    struct wt_calendar cal;
    rc = caseflow_calendar(c, x->r->app->cfg->offset_min, now, &cal, &ex);
    if (rc < 0)
        goto out;
    struct db_errand e = {
        .code = code, .service_id = x->in.service_id, .grid_code = x->grid,
        .household_id = x->in.household_id, .resident_user_id = x->in.resident_user_id,
        .resident_name = x->in.resident_name ? x->in.resident_name : x->name,
        .resident_phone = x->phone, .resident_phone_len = x->phone_len, .notes = x->in.notes,
        .materials = materials_text, .channel = x->in.channel ? x->in.channel : "village",
        .registered_by = x->r->who.user_id, .state = "registered", .service_name = svc.name,
        .deadline_at = wt_add(&cal, now, svc.days * wt_day_seconds(&cal)),
    };
    rc = db_errand_insert(c, &e, now, &e.id);
    if (rc == DB_FOREIGN) {
        rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "resident_user_id", "no user %lld",
                      (long long)x->in.resident_user_id);
        goto out;
    }
    if (rc < 0)
        goto out;
    json_t *data = json_pack("{s:s, s:s, s:O}", "service", svc.name, "grid", x->grid,
                             "materials", materials);
    rc = record(c, &e, x->r->who.user_id, "register", NULL, x->in.notes, data, now);
    json_decref(data);
    if (rc < 0)
        goto out;
    char title[192];
    snprintf(title, sizeof title, "新代办登记：%s（%s）", svc.name, e.resident_name);
    rc = tell_agents(c, &e, x->r->who.user_id, "errand_registered", title, now);
    if (rc < 0)
        goto out;
    x->out.id = e.id;
    rc = view_txn(c, &x->out);
out:
    free(ex);
    free(materials_text);
    json_decref(materials);
    json_decref(svc.materials);
    return rc;
}

enum MHD_Result api_errands_create(struct http_req *r)
{
    struct create_ctx x = {.r = r, .out = {.r = r}};
    if (http_parse_body_or_reply(r, api_errand_create_spec, &x.in, NULL) < 0)
        return r->result;
    /* A resident asks for an errand for themselves, online, in their own area. */
    if (api_resident_grant(r)) {
        if (x.in.household_id || (x.in.resident_user_id && x.in.resident_user_id != r->who.user_id))
            return http_reply_error(r, GL_ERR_FORBIDDEN,
                                    x.in.household_id ? "household_id" : "resident_user_id",
                                    "a resident asks for errands for themselves");
        if (x.in.channel && strcmp(x.in.channel, "online") != 0)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "channel",
                                    "what you ask for yourself comes in online");
        x.in.channel = "online";
        x.in.resident_user_id = r->who.user_id;
        if (!x.in.resident_name)
            x.in.resident_name = r->who.display_name;
    }
    if (!x.in.household_id && !x.in.grid_code)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "grid_code",
                                "give the resident's household_id or grid_code");
    if (!x.in.household_id && !x.in.resident_name)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "resident_name",
                                "give the resident's name (or their household_id)");
    if (x.in.channel) {
        bool known = false;
        for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
            known = known || strcmp(x.in.channel, channels[i]) == 0;
        if (!known)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "channel",
                                    "channel must be village, center, online or visit");
    }
    if (x.in.resident_phone && !phone_valid(x.in.resident_phone))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "resident_phone",
                                "a phone is an 11-digit mobile or a landline such as 0536-1234567");
    if (x.in.resident_phone &&
        secret_seal(x.in.resident_phone, PHONE_CONTEXT, &x.phone, &x.phone_len) < 0)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    free(x.phone);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

/* ---- steps ------------------------------------------------------------------------------------ */

struct act_in {
    int64_t if_version;
    const char *note, *dept_ref, *result, *code, *signature;
    json_t *items;
};

const struct jspec api_errand_action_spec[] = {
    JSPEC_INT(struct act_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the errand version you read; 409 if it moved on"),
    JSPEC_STR(struct act_in, note, "note", 1, 1000, 0, "remark; the reason, for cancel"),
    JSPEC_STR(struct act_in, dept_ref, "dept_ref", 1, 60, 0,
              "submit: the department's receipt number"),
    JSPEC_STR(struct act_in, result, "result", 1, 500, 0,
              "complete: what was done, e.g. the card or certificate number"),
    JSPEC_STR(struct act_in, code, "code", 6, 6, 0,
              "confirm: the one-time code the resident received"),
    JSPEC_STR(struct act_in, signature, "signature", 16, 1500000, 0,
              "confirm: the resident's signature, a PNG as base64 or a data: URL (up to 1 MiB)"),
    JSPEC_ARR(struct act_in, items, "items", 0,
              "return_materials: the names given back (default: every one still held)"),
    JSPEC_END,
};

/* Which fields each action takes (N note, D dept_ref, R result, C code,
 * S signature, I items) and which of those it requires. */
enum { F_NOTE = 1, F_DEPT_REF = 2, F_RESULT = 4, F_CODE = 8, F_SIGNATURE = 16, F_ITEMS = 32 };
static const struct {
    unsigned takes, needs;
} fields[EA__COUNT] = {
    [EA_ACCEPT] = {F_NOTE, 0},
    [EA_SUBMIT] = {F_NOTE | F_DEPT_REF, 0},
    [EA_COMPLETE] = {F_NOTE | F_RESULT, 0},
    [EA_NOTIFY] = {F_NOTE, 0},
    [EA_CONFIRM] = {F_NOTE | F_CODE | F_SIGNATURE, 0},
    [EA_CANCEL] = {F_NOTE, F_NOTE},
    [EA_RETURN_MATERIALS] = {F_NOTE | F_ITEMS, 0},
};
static const char *const field_names[] = {"note", "dept_ref", "result", "code", "signature",
                                          "items"};

struct act_ctx {
    struct http_req *r;
    int64_t id;
    enum errand_action a;
    struct act_in in;
    struct image_out sig; /* the cleaned signature */
    bool refused;         /* a wrong code: counted and committed, then refused */
    struct api_fail fail;
    struct view out;
    char sent_to[MASK_BUFLEN];
};

/* notify: a fresh one-time code, sealed, sent by SMS to the resident's
 * phone and to their inbox when they have an account. */
static int send_code(struct db_conn *c, struct act_ctx *x, struct errand_rec *rec, int64_t now,
                     json_t *data)
{
    struct db_errand *e = &rec->e;
    free(rec->code);
    rec->code = NULL;
    e->confirm_code = NULL;
    e->confirm_code_len = 0;
    e->code_expires_at = 0;
    e->code_attempts = 0;
    char *phone = NULL;
    if (e->resident_phone)
        secret_open(e->resident_phone, e->resident_phone_len, PHONE_CONTEXT, &phone);
    if (!phone && !e->resident_user_id) {
        json_object_set_new(data, "code_sent", json_false());
        return 0; /* told in person: the sign-off is a signature */
    }
    char code[8];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    if (secret_seal(code, CODE_CONTEXT, &rec->code, &e->confirm_code_len) < 0) {
        free(phone);
        return DB_ERROR;
    }
    e->confirm_code = rec->code;
    e->code_expires_at = now + ERRAND_CODE_DAYS * 86400;
    json_object_set_new(data, "code_sent", json_true());
    char text[320];
    snprintf(text, sizeof text,
             "【便民代办】%s，您委托代办的“%s”已办结（%s）。请凭验证码 %s 签收，%d 日内有效。",
             e->resident_name, e->service_name, e->code, code, ERRAND_CODE_DAYS);
    int rc = 0;
    if (phone) {
        char masked[MASK_BUFLEN];
        mask_phone(phone, masked);
        snprintf(x->sent_to, sizeof x->sent_to, "%s", masked);
        json_object_set_new(data, "sms_to", json_string(masked));
        json_t *sms = json_pack("{s:s, s:s, s:I, s:s, s:s}", "kind", "errand_code", "phone", phone,
                                "errand_id", (json_int_t)e->id, "errand_code", e->code, "text",
                                text);
        char *payload = json_dumps(sms, JSON_COMPACT);
        json_decref(sms);
        rc = payload ? db_outbox_add(c, "sms", payload, now) : DB_ERROR;
        free(payload);
    }
    if (rc >= 0 && e->resident_user_id)
        rc = db_notify(c, e->resident_user_id, "errand", e->id, "errand_code", text, e->code, now);
    sodium_memzero(code, sizeof code);
    sodium_memzero(text, sizeof text);
    free(phone);
    return rc;
}

/* confirm with a code: 1 when it matches; 0 when a wrong try was counted
 * (x->refused, x->fail says why: the count commits, the step does not);
 * DB_ABORT when no code can match. */
static int check_code(struct db_conn *c, struct act_ctx *x, struct errand_rec *rec, int64_t now)
{
    struct db_errand *e = &rec->e;
    if (!e->confirm_code)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "code",
                        "no code is out for errand %s; send one with notify, or confirm with the"
                        " resident's signature",
                        e->code);
    if (now >= e->code_expires_at)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "code",
                        "the code for errand %s has expired; send a new one with notify",
                        e->code);
    char *want;
    if (secret_open(e->confirm_code, e->confirm_code_len, CODE_CONTEXT, &want) < 0)
        return DB_ERROR;
    bool ok = secret_equal(want, x->in.code);
    sodium_memzero(want, strlen(want));
    free(want);
    if (ok)
        return 1;
    int64_t tries = e->code_attempts + 1;
    bool spent = tries >= ERRAND_CODE_TRIES;
    int rc = db_exec(c,
                     "UPDATE errands SET code_attempts = $2,"
                     " confirm_code = CASE WHEN $3 THEN NULL ELSE confirm_code END WHERE id = $1",
                     DB_ARGS(DB_INT(e->id), DB_INT(tries), DB_INT(spent)));
    if (rc < 0)
        return rc;
    rc = record(c, e, x->r->who.user_id, "confirm_refused", e->state, "验证码不正确", NULL, now);
    if (rc < 0)
        return rc;
    x->refused = true;
    if (spent)
        api_fail(&x->fail, GL_ERR_INVALID_VALUE, "code",
                 "wrong code %d times; that code no longer works, send a new one with notify",
                 ERRAND_CODE_TRIES);
    else
        api_fail(&x->fail, GL_ERR_INVALID_VALUE, "code",
                 "the code does not match; %lld tries left", (long long)(ERRAND_CODE_TRIES - tries));
    return 0;
}

/* return_materials: marks the named (or all held) materials returned. */
static int give_back(struct act_ctx *x, struct db_errand *e, json_t *m, json_t *data)
{
    json_t *back = json_array();
    size_t i, j;
    json_t *item, *want;
    json_array_foreach(x->in.items, j, want) {
        bool found = false;
        json_array_foreach(m, i, item) {
            if (json_equal(json_object_get(item, "name"), want) &&
                json_is_true(json_object_get(item, "received")) &&
                !json_is_true(json_object_get(item, "returned")))
                found = true;
        }
        if (!found) {
            json_decref(back);
            return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "items",
                            "\"%s\" is not a material held for errand %s",
                            json_string_value(want) ? json_string_value(want) : "?", e->code);
        }
    }
    json_array_foreach(m, i, item) {
        json_t *name = json_object_get(item, "name");
        bool asked = !x->in.items;
        json_array_foreach(x->in.items, j, want) asked = asked || json_equal(name, want);
        if (asked && json_is_true(json_object_get(item, "received")) &&
            !json_is_true(json_object_get(item, "returned"))) {
            json_object_set_new(item, "returned", json_true());
            json_array_append(back, name);
        }
    }
    json_object_set_new(data, "returned", back);
    return 0;
}

static int apply(struct db_conn *c, struct act_ctx *x, struct errand_rec *rec, int64_t now)
{
    struct db_errand *e = &rec->e;
    const char *from = e->state;
    int64_t actor = x->r->who.user_id;
    json_t *data = json_object(), *m = NULL;
    char *materials = NULL;
    char title[192];
    int rc = 0;
    switch (x->a) {
    case EA_ACCEPT:
        e->agent_user_id = actor;
        e->agent_name = x->r->who.display_name;
        break;
    case EA_SUBMIT:
        if (x->in.dept_ref)
            e->dept_ref = x->in.dept_ref;
        break;
    case EA_COMPLETE:
        if (x->in.result)
            e->result = x->in.result;
        break;
    case EA_NOTIFY:
        rc = send_code(c, x, rec, now, data);
        break;
    case EA_CONFIRM:
        if (x->in.code) {
            rc = check_code(c, x, rec, now);
            if (rc <= 0)
                goto out; /* refused (committed) or failed */
            e->confirm_method = "code";
        } else {
            char sha[65];
            secret_sha256_bytes_hex(x->sig.data, x->sig.len, sha);
            rc = db_errand_signature_put(c, e->id, x->sig.width, x->sig.height, sha, x->sig.data,
                                         x->sig.len, now);
            json_object_set_new(data, "signature_sha256", json_string(sha));
            e->confirm_method = "signature";
        }
        free(rec->code);
        rec->code = NULL;
        e->confirm_code = NULL;
        e->code_expires_at = 0;
        break;
    case EA_RETURN_MATERIALS:
        m = json_loads(e->materials, 0, NULL);
        rc = give_back(x, e, m, data);
        materials = rc < 0 ? NULL : json_dumps(m, JSON_COMPACT);
        if (materials)
            e->materials = materials;
        break;
    default:
        break;
    }
    if (rc < 0)
        goto out;
    int next = errand_next_state(x->a, (enum errand_state)errand_state_parse(from));
    e->state = errand_state_name((enum errand_state)next);
    rc = db_errand_save(c, e, x->in.if_version, now);
    if (rc == 0)
        rc = api_version_fail(c, "SELECT version FROM errands WHERE id = $1", e->id, "errand",
                              &x->fail);
    if (rc < 0)
        goto out;
    e->version = x->in.if_version + 1;
    if (x->in.dept_ref)
        json_object_set_new(data, "dept_ref", json_string(x->in.dept_ref));
    if (x->in.result)
        json_object_set_new(data, "result", json_string(x->in.result));
    rc = record(c, e, actor, errand_action_name(x->a), from, x->in.note, data, now);
    if (rc < 0)
        goto out;
    switch (x->a) {
    case EA_ACCEPT:
        snprintf(title, sizeof title, "您的代办事项“%s”已受理", e->service_name);
        rc = tell_resident(c, e, actor, "errand_accepted", title, now);
        break;
    case EA_COMPLETE:
        snprintf(title, sizeof title, "代办事项“%s”已办结，请通知群众签收", e->service_name);
        if (e->registered_by != actor)
            rc = tell_user(c, e, e->registered_by, "errand_completed", title, now);
        if (rc >= 0 && e->agent_user_id && e->agent_user_id != actor &&
            e->agent_user_id != e->registered_by)
            rc = tell_user(c, e, e->agent_user_id, "errand_completed", title, now);
        break;
    case EA_CONFIRM:
        snprintf(title, sizeof title, "群众已签收：%s（%s）", e->service_name, e->resident_name);
        rc = tell_agents(c, e, actor, "errand_confirmed", title, now);
        break;
    case EA_CANCEL:
        snprintf(title, sizeof title, "代办事项“%s”已撤销", e->service_name);
        rc = tell_resident(c, e, actor, "errand_cancelled", title, now);
        if (rc >= 0)
            rc = tell_agents(c, e, actor, "errand_cancelled", title, now);
        break;
    default:
        break;
    }
out:
    json_decref(data);
    json_decref(m);
    free(materials);
    return rc;
}

static int act_txn(struct db_conn *c, void *cls)
{
    struct act_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    x->refused = false;
    x->sent_to[0] = '\0';
    struct errand_rec rec = {0};
    int rc = rec_load(c, x->id, &rec);
    struct db_errand *e = &rec.e;
    const char *act = errand_action_name(x->a);
    int state = rc > 0 ? errand_state_parse(e->state) : -1;
    if (rc < 0)
        ;
    else if (rc == 0 || !may(x->r, ACT_ERRAND_READ, e))
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no errand %lld", (long long)x->id);
    else if (!may(x->r, errand_permission(x->a), e))
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL,
                      "your role or scope may not %s this errand", act);
    else if (x->in.if_version != e->version)
        rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                      "errand %s was changed by someone else and is now at version %lld (%s); "
                      "reload it and decide again",
                      e->code, (long long)e->version, e->state);
    else if (errand_next_state(x->a, (enum errand_state)state) < 0)
        rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL,
                      "cannot %s errand %s: it is %s (%s); %s is possible from %s", act, e->code,
                      e->state, errand_state_zh((enum errand_state)state), act,
                      errand_allowed_from(x->a));
    else if (extra_problem(e, x->a))
        rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL, "cannot %s errand %s: %s", act,
                      e->code, extra_problem(e, x->a));
    else
        rc = apply(c, x, &rec, now);
    rec_free(&rec);
    if (rc < 0 || x->refused)
        return rc;
    x->out.id = x->id;
    rc = view_txn(c, &x->out);
    if (rc >= 0 && x->sent_to[0])
        json_object_set_new(x->out.out, "code_sent_to", json_string(x->sent_to));
    return rc;
}

/* Decodes and cleans the signature before the transaction. */
static int signature_or_reply(struct http_req *r, struct act_ctx *x)
{
    const char *s = x->in.signature;
    const char *comma = strchr(s, ',');
    if (strncmp(s, "data:", 5) == 0 && comma)
        s = comma + 1;
    size_t n = strlen(s);
    unsigned char *bin = malloc(n / 4 * 3 + 3);
    size_t len = 0;
    if (!bin)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL), -1;
    if (sodium_base642bin(bin, n / 4 * 3 + 3, s, n, "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || len == 0) {
        free(bin);
        http_reply_error(r, GL_ERR_INVALID_VALUE, "signature",
                         "signature must be a PNG image as base64 (or a data:image/png URL)");
        return -1;
    }
    char err[160];
    int rc = len > SIGNATURE_MAX || image_sniff(bin, len) != IMAGE_PNG
                 ? -1
                 : image_clean(bin, len, &x->sig, err, sizeof err);
    free(bin);
    if (rc < 0) {
        http_reply_error(r, GL_ERR_INVALID_VALUE, "signature",
                         "signature must be a PNG image of at most 1 MiB");
        return -1;
    }
    return 0;
}

enum MHD_Result api_errands_act(struct http_req *r)
{
    struct act_ctx x = {.r = r, .out = {.r = r}};
    if (http_param_id_or_reply(r, 0, &x.id) < 0)
        return r->result;
    int a = errand_action_parse(r->params[1]);
    if (a < 0)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL,
                                "no action %s; the actions are accept, submit, complete, notify,"
                                " confirm, cancel, return_materials",
                                r->params[1]);
    x.a = (enum errand_action)a;
    uint64_t given;
    if (http_parse_body_or_reply(r, api_errand_action_spec, &x.in, &given) < 0)
        return r->result;
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        bool has = jspec_given(api_errand_action_spec, given, field_names[i]);
        if (has && !(fields[x.a].takes & (1u << i)))
            return http_reply_error(r, GL_ERR_UNKNOWN_FIELD, field_names[i],
                                    "%s does not apply to %s", field_names[i],
                                    errand_action_name(x.a));
        if (!has && (fields[x.a].needs & (1u << i)))
            return http_reply_error(r, GL_ERR_MISSING_FIELD, field_names[i],
                                    "%s needs %s (the reason)", errand_action_name(x.a),
                                    field_names[i]);
    }
    if (x.a == EA_CONFIRM && !x.in.code == !x.in.signature)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "code",
                                "confirm needs the resident's one-time code or their signature"
                                " (one of the two)");
    if (x.in.code && strspn(x.in.code, "0123456789") != 6)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "code", "the code is 6 digits");
    if (x.in.signature && signature_or_reply(r, &x) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, act_txn, &x);
    free(x.sig.data);
    if (rc < 0 || x.refused) {
        json_decref(x.out.out);
        return rc == DB_ABORT || x.refused ? api_reply_fail(r, &x.fail)
                                           : api_reply_db_error(r, rc);
    }
    return http_reply_json(r, 200, x.out.out);
}

/* ---- the signature ---------------------------------------------------------------------------- */

struct sig_ctx {
    struct http_req *r;
    int64_t id;
    bool found, visible;
    struct target t;
    void *png;
    size_t len;
};

static int keep_sig_errand(void *cls, const struct db_errand *e)
{
    struct sig_ctx *s = cls;
    s->found = true;
    s->visible = may(s->r, ACT_ERRAND_READ, e);
    s->t = errand_target(s->r, e);
    s->t.region = NULL;
    return 1;
}

static int keep_png(void *cls, const void *data, size_t len)
{
    struct sig_ctx *s = cls;
    s->png = copy_bytes(data, len);
    s->len = len;
    return 1;
}

static int sig_txn(struct db_conn *c, void *cls)
{
    struct sig_ctx *s = cls;
    free(s->png);
    s->png = NULL;
    int rc = db_errand_get(c, s->id, keep_sig_errand, s);
    if (rc <= 0 || !s->visible)
        return rc;
    return db_errand_signature(c, s->id, keep_png, s);
}

enum MHD_Result api_errands_signature(struct http_req *r)
{
    struct sig_ctx s = {.r = r};
    if (http_param_id_or_reply(r, 0, &s.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, sig_txn, &s);
    if (rc < 0) {
        free(s.png);
        return api_reply_db_error(r, rc);
    }
    if (s.found && !s.visible && http_authorize_or_reply(r, ACT_ERRAND_READ, &s.t) < 0)
        return r->result;
    if (!s.png)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL,
                                s.found ? "errand %lld has no signature" : "no errand %lld",
                                (long long)s.id);
    return http_reply_owned(r, 200, "image/png", s.png, s.len, "private, max-age=3600");
}

/* ---- the sweep -------------------------------------------------------------------------------- */

#define SWEEP_BATCH 200

struct sweep_ctx {
    int64_t now;
    int64_t ids[SWEEP_BATCH];
    size_t n;
    int64_t flagged;
};

static int keep_due(void *cls, const struct db_errand *e)
{
    struct sweep_ctx *s = cls;
    if (s->n < SWEEP_BATCH)
        s->ids[s->n++] = e->id;
    return 0;
}

static int sweep_txn(struct db_conn *c, void *cls)
{
    struct sweep_ctx *s = cls;
    s->n = 0;
    s->flagged = 0;
    int rc = db_errands_due(c, s->now, SWEEP_BATCH, keep_due, s);
    struct errand_rec rec = {0};
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        rc = rec_load(c, s->ids[i], &rec);
        if (rc <= 0)
            continue;
        struct db_errand *e = &rec.e;
        e->overdue = 1;
        rc = db_errand_save(c, e, e->version, s->now);
        if (rc <= 0) {
            rc = rc < 0 ? rc : DB_BUSY;
            break;
        }
        e->version++;
        json_t *data = json_pack("{s:I}", "deadline_at", (json_int_t)e->deadline_at);
        rc = record(c, e, 0, "overdue", e->state, "已超过承诺办结时限", data, s->now);
        json_decref(data);
        char title[192];
        snprintf(title, sizeof title, "代办超期：“%s”（%s）已超过承诺时限", e->service_name,
                 e->resident_name);
        if (rc >= 0)
            rc = tell_agents(c, e, 0, "errand_overdue", title, s->now);
        if (rc >= 0)
            s->flagged++;
    }
    rec_free(&rec);
    return rc < 0 ? rc : (int)s->n;
}

int api_errands_sweep(struct db *db, int64_t now, int64_t *flagged)
{
    struct sweep_ctx *s = calloc(1, sizeof *s);
    if (!s)
        return DB_ERROR;
    s->now = now;
    *flagged = 0;
    int rc;
    /* Each pass flags what it read, so the next reads the rest. */
    while ((rc = db_run_transaction(db, DB_WRITE, sweep_txn, s)) > 0)
        *flagged += s->flagged;
    free(s);
    return rc;
}

/*
 * /api/v1/commitments: public commitments (公开承诺). A leader publishes
 * what a cadre or a department promised a region, with a due date; the
 * owner reports progress with evidence and says when it is done; at year
 * end it is reviewed as kept or failed. A commitment past its due date
 * undone is flagged by the sweep, and an overdue or failed one carries the
 * one-vote veto (一票否决) into its owner's evaluation.
 */
#include "api/api.h"
#include "api/caseflow.h"
#include "core/participation.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

static enum commitment_state state_of(const struct db_commitment *k)
{
    int s = vocab_parse(commitment_states, CM__COUNT, k->state);
    return s < 0 ? CM_ACTIVE : (enum commitment_state)s;
}

/* The owner, the owning department's staff, or a leader or admin over its
 * region may report on it. */
static bool may_report(const struct http_req *r, const struct db_commitment *k)
{
    if (k->owner_user_id && k->owner_user_id == r->who.user_id)
        return true;
    struct target t = {.region = k->region_code, .dept_id = k->owner_dept_id,
                       .linked = k->owner_user_id == r->who.user_id};
    return authz_decide(r->who.grants, r->who.ngrants, ACT_COMMITMENT_REPORT, &t) == AUTHZ_ALLOW;
}

static bool may_review(const struct http_req *r, const struct db_commitment *k)
{
    struct target t = {.region = k->region_code};
    return authz_decide(r->who.grants, r->who.ngrants, ACT_COMMITMENT_REVIEW, &t) == AUTHZ_ALLOW;
}

static bool may_act(const struct http_req *r, enum commitment_action a,
                    const struct db_commitment *k)
{
    enum commitment_state s = state_of(k);
    bool possible = commitment_next_state(a, s, false) >= 0 || commitment_next_state(a, s, true) >= 0;
    return possible && (a == CMA_REVIEW ? may_review(r, k) : may_report(r, k));
}

static json_t *owner_json(const struct db_commitment *k)
{
    return json_pack("{s:s, s:I, s:s}", "kind", k->owner_user_id ? "user" : "dept", "id",
                     (json_int_t)(k->owner_user_id ? k->owner_user_id : k->owner_dept_id),
                     "name", k->owner_name ? k->owner_name : "");
}

static json_t *commitment_json(const struct http_req *r, const struct db_commitment *k)
{
    enum commitment_state s = state_of(k);
    json_t *actions = json_array();
    for (int a = 0; a < CMA__COUNT; a++)
        if (may_act(r, (enum commitment_action)a, k))
            json_array_append_new(actions, json_string(commitment_actions[a].name));
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:{s:s, s:s}, s:I, s:o, s:I, s:s, s:s, s:b, s:b, s:o, s:o, s:o,"
        " s:s, s:o, s:I, s:o}",
        "id", (json_int_t)k->id, "title", k->title, "content", k->content, "owner",
        owner_json(k), "region", "code", k->region_code, "name", k->region_name, "year",
        (json_int_t)k->year, "due_at", api_time(r, k->due_at), "progress",
        (json_int_t)k->progress, "state", k->state, "state_zh", commitment_states[s].zh,
        "overdue", k->overdue != 0, "veto", commitment_veto(s, k->overdue != 0),
        "completed_at", api_time_or_null(r, k->completed_at), "reviewed_at",
        api_time_or_null(r, k->reviewed_at), "reviewed_by",
        api_user_ref(k->reviewed_by, k->reviewed_by_name), "review_note", k->review_note,
        "created_at", api_time(r, k->created_at), "version", (json_int_t)k->version, "actions",
        actions);
}

/* ---- one commitment ---------------------------------------------------------------------- */

struct view {
    struct http_req *r;
    int64_t id;
    json_t *out;
};

static int keep_view(void *cls, const struct db_commitment *k)
{
    struct view *v = cls;
    v->out = commitment_json(v->r, k);
    return 1;
}

static int view_txn(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    json_decref(v->out);
    v->out = NULL;
    int rc = db_commitment_get(c, v->id, keep_view, v);
    if (rc <= 0)
        return rc;
    struct api_timeline tl = api_timeline(v->r, v->out);
    return db_participation_events(c, "commitment", v->id, api_add_event, &tl);
}

enum MHD_Result api_commitments_get(struct http_req *r)
{
    struct view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, view_txn, &v);
    if (rc < 0) {
        json_decref(v.out);
        return api_reply_db_error(r, rc);
    }
    if (!v.out)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no commitment %lld", (long long)v.id);
    return http_reply_json(r, 200, v.out);
}

/* ---- the list ------------------------------------------------------------------------------ */

struct list_ctx {
    struct http_req *r;
    struct db_commitment_filter f;
    char region[REGION_CODE_BUFLEN];
    int format;
    int64_t last_id;
    json_t *items;
};

static int add_commitment(void *cls, const struct db_commitment *k)
{
    struct list_ctx *l = cls;
    l->last_id = k->id;
    if (l->format == EXPORT_JSON) {
        json_array_append_new(l->items, commitment_json(l->r, k));
        return 0;
    }
    enum commitment_state s = state_of(k);
    char progress[8];
    snprintf(progress, sizeof progress, "%lld%%", (long long)k->progress);
    json_t *row = json_pack("[I, s, s, s, s, I, o, s, s, s, s, s, s]", (json_int_t)k->id,
                            k->title, k->content, k->owner_name ? k->owner_name : "",
                            k->region_name, (json_int_t)k->year, api_local_time(l->r, k->due_at),
                            progress, commitment_states[s].zh, k->overdue ? "是" : "否",
                            commitment_veto(s, k->overdue != 0) ? "是" : "否",
                            k->reviewed_by_name ? k->reviewed_by_name : "", k->review_note);
    return row ? json_array_append_new(l->items, row), 0 : DB_ERROR;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_commitments_list(c, &l->f, add_commitment, l);
}

enum MHD_Result api_commitments_list(struct http_req *r)
{
    struct list_ctx l = {.r = r, .f = {.veto = -1, .overdue = -1, .limit = PAGE_DEFAULT}};
    int64_t veto = -1, overdue = -1;
    if (api_vocab_param_or_reply(r, "state", commitment_states, CM__COUNT, &l.f.state) < 0 ||
        api_format_or_reply(r, &l.format) < 0 ||
        api_region_param_or_reply(r, "region", l.region, &l.f.region) < 0 ||
        api_int_param_or_reply(r, "year", 2000, 2100, &l.f.year) < 0 ||
        api_int_param_or_reply(r, "owner_user", 1, INT64_MAX, &l.f.owner_user) < 0 ||
        api_int_param_or_reply(r, "owner_dept", 1, INT64_MAX, &l.f.owner_dept) < 0 ||
        api_int_param_or_reply(r, "veto", 0, 1, &veto) < 0 ||
        api_int_param_or_reply(r, "overdue", 0, 1, &overdue) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &l.f.before_id) < 0 ||
        api_int_param_or_reply(r, "limit", 1, PAGE_MAX, &l.f.limit) < 0)
        return r->result;
    l.f.veto = (int)veto;
    l.f.overdue = (int)overdue;
    static const char *const headers[] = {
        "编号", "承诺事项", "承诺内容", "责任人或单位", "地区", "年度", "承诺期限",
        "进度", "状态", "是否超期", "一票否决", "评定人", "评定意见",
    };
    l.items = json_array();
    struct api_pager p = {list_txn, &l, &l.items, &l.f.before_id, &l.f.limit, &l.last_id};
    return api_reply_list(r, l.format, &p, "公开承诺", headers, 13, "commitments");
}

/* ---- writing: timeline, audit, notices --------------------------------------------------- */

static int record(struct db_conn *c, const struct db_commitment *k, int64_t actor,
                  const char *action, const char *from_state, const char *note, json_t *data,
                  int64_t now)
{
    struct db_event ev = {.subject_id = k->id, .at = now, .actor_user_id = actor,
                          .action = action, .from_state = from_state, .to_state = k->state,
                          .note = note};
    char code[32];
    snprintf(code, sizeof code, "CN%lld", (long long)k->id);
    return flow_record(c, db_commitment_event_insert, "commitment", &ev, code, NULL, data);
}

/* Tells the owner: the person, or the owning department's head(s). */
static int tell_owner(struct db_conn *c, const struct db_commitment *k, int64_t skip,
                      const char *kind, const char *title, int64_t now)
{
    char code[32];
    snprintf(code, sizeof code, "CN%lld", (long long)k->id);
    struct flow_notice n = {"commitment", k->id, code, kind, title, k->title, now};
    if (k->owner_user_id)
        return k->owner_user_id == skip ? 0 : flow_tell(c, &n, k->owner_user_id);
    return flow_tell_role(c, &n, "dept_head", NULL, k->owner_dept_id, skip);
}

/* ---- publishing ------------------------------------------------------------------------------ */

struct commitment_in {
    const char *title, *content, *region_code, *due_date;
    int64_t owner_user_id, owner_dept_id, year;
};

const struct jspec api_commitment_create_spec[] = {
    JSPEC_STR(struct commitment_in, title, "title", 2, 60, JSPEC_REQUIRED,
              "e.g. 为郭家埠村安装路灯"),
    JSPEC_STR(struct commitment_in, content, "content", 2, 2000, JSPEC_REQUIRED,
              "what exactly is promised"),
    JSPEC_INT(struct commitment_in, owner_user_id, "owner_user_id", 1, INT64_MAX, 0,
              "the cadre who promised (or owner_dept_id)"),
    JSPEC_INT(struct commitment_in, owner_dept_id, "owner_dept_id", 1, INT64_MAX, 0,
              "the department that promised (or owner_user_id)"),
    JSPEC_STR(struct commitment_in, region_code, "region_code", 12, 12, JSPEC_REQUIRED,
              "the region it was promised to"),
    JSPEC_STR(struct commitment_in, due_date, "due_date", 10, 10, JSPEC_REQUIRED,
              "YYYY-MM-DD: done by the end of that day"),
    JSPEC_INT(struct commitment_in, year, "year", 2000, 2100, 0,
              "the year-end review it faces (default the due date's year)"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct commitment_in in;
    int64_t due_at;
    struct view out;
    struct api_fail fail;
};

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    char name[128];
    int rc = api_place_name(c, x->in.region_code, name, sizeof name);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "region_code", "no region %s",
                        x->in.region_code);
    struct db_commitment k = {
        .title = x->in.title, .content = x->in.content, .owner_user_id = x->in.owner_user_id,
        .owner_dept_id = x->in.owner_dept_id, .region_code = x->in.region_code,
        .year = x->in.year, .due_at = x->due_at, .created_by = x->r->who.user_id,
        .state = "active",
    };
    rc = db_commitment_insert(c, &k, now, &k.id);
    if (rc == DB_FOREIGN)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE,
                        k.owner_user_id ? "owner_user_id" : "owner_dept_id", "no such %s",
                        k.owner_user_id ? "user" : "department");
    if (rc < 0)
        return rc;
    json_t *data = json_pack("{s:s, s:s, s:I, s:I}", "title", k.title, "region", k.region_code,
                             "due_at", (json_int_t)k.due_at, "year", (json_int_t)k.year);
    json_object_set_new(data, k.owner_user_id ? "owner_user_id" : "owner_dept_id",
                        json_integer(k.owner_user_id ? k.owner_user_id : k.owner_dept_id));
    rc = record(c, &k, x->r->who.user_id, "publish", NULL, k.content, data, now);
    json_decref(data);
    char title[192];
    snprintf(title, sizeof title, "公开承诺已发布：%s", k.title);
    if (rc >= 0)
        rc = tell_owner(c, &k, x->r->who.user_id, "commitment_published", title, now);
    if (rc < 0)
        return rc;
    x->out.id = k.id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_commitments_create(struct http_req *r)
{
    struct create_ctx x = {.r = r, .out = {.r = r}};
    if (http_parse_body_or_reply(r, api_commitment_create_spec, &x.in, NULL) < 0)
        return r->result;
    if (!x.in.owner_user_id == !x.in.owner_dept_id)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "owner_user_id",
                                "give the owner: owner_user_id or owner_dept_id (one of them)");
    char day[40];
    snprintf(day, sizeof day, "%sT00:00:00+00:00", x.in.due_date);
    if (gl_time_parse(day, &x.due_at) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "due_date",
                                "due_date must be a date such as 2026-12-31");
    /* Done by the end of that local day. */
    x.due_at += 86400 - (int64_t)r->app->cfg->offset_min * 60;
    if (!x.in.year)
        x.in.year = api_year_of(r, x.due_at - 1);
    struct target t = {.region = x.in.region_code};
    if (http_authorize_visible_or_reply(r, ACT_COMMITMENT_MANAGE, &t) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

/* ---- progress, completion, review ---------------------------------------------------------- */

struct act_in {
    int64_t if_version, progress;
    const char *note, *evidence, *outcome;
};

const struct jspec api_commitment_action_spec[] = {
    JSPEC_INT(struct act_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read"),
    JSPEC_STR(struct act_in, note, "note", 2, 2000, 0,
              "what was done (progress needs it) or the review's opinion"),
    JSPEC_STR(struct act_in, evidence, "evidence", 1, 1000, 0,
              "progress, complete: where it can be checked (a case code, photos, a document)"),
    JSPEC_INT(struct act_in, progress, "progress", 0, 100, 0, "progress: percent done"),
    JSPEC_STR(struct act_in, outcome, "outcome", 4, 6, 0, "review: kept (已兑现) or failed"),
    JSPEC_END,
};

struct act_ctx {
    struct http_req *r;
    int64_t id;
    enum commitment_action a;
    struct act_in in;
    uint64_t given;
    struct view out;
    struct api_fail fail;
};

/* A commitment copied out of its row, to be changed. */
struct commitment_rec {
    struct db_commitment k;
    char *own[7];
};

static void rec_free(struct commitment_rec *rec)
{
    for (size_t i = 0; i < sizeof rec->own / sizeof *rec->own; i++)
        free(rec->own[i]);
    *rec = (struct commitment_rec){0};
}

static int keep_rec(void *cls, const struct db_commitment *k)
{
    struct commitment_rec *rec = cls;
    rec->k = *k;
    const char **fields[] = {&rec->k.title, &rec->k.content, &rec->k.region_code,
                             &rec->k.state, &rec->k.owner_name, &rec->k.region_name,
                             &rec->k.review_note};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        rec->own[i] = strdup(*fields[i] ? *fields[i] : "");
        if (!rec->own[i])
            return DB_ERROR;
        *fields[i] = rec->own[i];
    }
    rec->k.reviewed_by_name = NULL;
    return 1;
}

/* The refusals; 0 when x->a may go ahead on k. */
static int check(struct act_ctx *x, const struct db_commitment *k, bool kept)
{
    enum commitment_state s = state_of(k);
    const char *act = commitment_actions[x->a].name;
    if (!(x->a == CMA_REVIEW ? may_review(x->r, k) : may_report(x->r, k)))
        return api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL,
                        "only its owner (or the owning department, or a leader over %s) may %s"
                        " it; reviews are for leaders and supervisors",
                        k->region_name, act);
    if (x->in.if_version != k->version)
        return api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                        "commitment %lld was changed by someone else and is now at version %lld"
                        " (%s); reload it",
                        (long long)k->id, (long long)k->version, k->state);
    if (commitment_next_state(x->a, s, kept) < 0)
        return api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL,
                        "cannot %s commitment %lld%s: it is %s (%s)", act, (long long)k->id,
                        x->a == CMA_REVIEW && kept ? " as kept" : "", k->state,
                        commitment_states[s].zh);
    return 0;
}

static int act_txn(struct db_conn *c, void *cls)
{
    struct act_ctx *x = cls;
    int64_t now = (int64_t)time(NULL), actor = x->r->who.user_id;
    bool kept = x->in.outcome && strcmp(x->in.outcome, "kept") == 0;
    struct commitment_rec rec = {0};
    struct db_commitment *k = &rec.k;
    int rc = db_commitment_get(c, x->id, keep_rec, &rec);
    if (rc == 0)
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no commitment %lld", (long long)x->id);
    if (rc < 0 || (rc = check(x, k, kept)) < 0) {
        rec_free(&rec);
        return rc;
    }
    char from[16];
    snprintf(from, sizeof from, "%s", k->state);
    k->state = commitment_states[commitment_next_state(x->a, state_of(k), kept)].name;
    json_t *data = json_object();
    if (x->in.evidence)
        json_object_set_new(data, "evidence", json_string(x->in.evidence));
    switch (x->a) {
    case CMA_PROGRESS:
        if (jspec_given(api_commitment_action_spec, x->given, "progress"))
            k->progress = x->in.progress;
        json_object_set_new(data, "progress", json_integer(k->progress));
        break;
    case CMA_COMPLETE:
        k->progress = 100;
        k->completed_at = now;
        break;
    default:
        k->reviewed_at = now;
        k->reviewed_by = actor;
        k->review_note = x->in.note ? x->in.note : "";
        json_object_set_new(data, "outcome", json_string(x->in.outcome));
        break;
    }
    rc = db_commitment_save(c, k, x->in.if_version, now);
    if (rc == 0)
        rc = api_version_fail(c, "SELECT version FROM commitments WHERE id = $1", k->id,
                              "commitment", &x->fail);
    if (rc >= 0)
        rc = record(c, k, actor, commitment_actions[x->a].name, from, x->in.note, data, now);
    json_decref(data);
    char title[192];
    snprintf(title, sizeof title, "公开承诺“%s”%s", k->title,
             x->a != CMA_REVIEW ? "有新进展" : kept ? "年终评定：已兑现" : "年终评定：未兑现");
    if (rc >= 0)
        rc = tell_owner(c, k, actor, "commitment_update", title, now);
    rec_free(&rec);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_commitments_act(struct http_req *r)
{
    struct act_ctx x = {.r = r, .out = {.r = r}};
    int a = api_id_action_or_reply(r, &x.id, commitment_actions, CMA__COUNT);
    if (a < 0)
        return r->result;
    x.a = (enum commitment_action)a;
    if (http_parse_body_or_reply(r, api_commitment_action_spec, &x.in, &x.given) < 0)
        return r->result;
    if (x.a == CMA_PROGRESS && !x.in.note)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "note", "progress needs note: what was done");
    if (x.a == CMA_REVIEW && !x.in.outcome)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "outcome", "review needs outcome: kept or failed");
    if (x.in.outcome && (x.a != CMA_REVIEW ||
                         (strcmp(x.in.outcome, "kept") && strcmp(x.in.outcome, "failed"))))
        return http_reply_error(r, x.a != CMA_REVIEW ? GL_ERR_UNKNOWN_FIELD : GL_ERR_INVALID_VALUE,
                                "outcome", "outcome belongs to review and is kept or failed");
    if (jspec_given(api_commitment_action_spec, x.given, "progress") && x.a != CMA_PROGRESS)
        return http_reply_error(r, GL_ERR_UNKNOWN_FIELD, "progress", "progress belongs to progress");
    int rc = db_run_transaction(r->app->db, DB_WRITE, act_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 200);
}

/* ---- the sweep ------------------------------------------------------------------------------- */

#define SWEEP_BATCH 100

struct sweep_ctx {
    int64_t now, ids[SWEEP_BATCH], flagged;
    size_t n;
};

static int keep_due(void *cls, const struct db_commitment *k)
{
    struct sweep_ctx *s = cls;
    if (s->n < SWEEP_BATCH)
        s->ids[s->n++] = k->id;
    return 0;
}

static int sweep_txn(struct db_conn *c, void *cls)
{
    struct sweep_ctx *s = cls;
    s->n = 0;
    s->flagged = 0;
    int rc = db_commitments_due(c, s->now, SWEEP_BATCH, keep_due, s);
    struct commitment_rec rec = {0};
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        rc = db_commitment_get(c, s->ids[i], keep_rec, &rec);
        if (rc <= 0)
            continue;
        struct db_commitment *k = &rec.k;
        k->overdue = 1;
        rc = db_commitment_save(c, k, k->version, s->now);
        if (rc <= 0) {
            rc = rc < 0 ? rc : DB_BUSY;
            break;
        }
        json_t *data = json_pack("{s:I}", "due_at", (json_int_t)k->due_at);
        rc = record(c, k, 0, "overdue", k->state, "超过承诺期限未完成，年终评议一票否决", data,
                    s->now);
        json_decref(data);
        char title[192];
        snprintf(title, sizeof title, "公开承诺超期：“%s”已过承诺期限", k->title);
        if (rc >= 0)
            rc = tell_owner(c, k, 0, "commitment_overdue", title, s->now);
        s->flagged += rc >= 0;
        rec_free(&rec);
    }
    rec_free(&rec);
    return rc < 0 ? rc : (int)s->n;
}

int api_commitments_sweep(struct db *db, int64_t now, int64_t *flagged)
{
    struct sweep_ctx s = {.now = now};
    int rc;
    *flagged = 0;
    while ((rc = db_run_transaction(db, DB_WRITE, sweep_txn, &s)) > 0)
        *flagged += s.flagged;
    return rc;
}

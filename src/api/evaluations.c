/*
 * /api/v1/evaluations: 群众评议 — once a year the residents of a region
 * judge the cadres (or departments) who serve them: 满意, 基本满意 or 不满意
 * for each, one ballot per resident. The result combines the residents'
 * score with the cadre's points over the year judged and the one-vote veto
 * of a commitment gone overdue or failed (core/participation.c says how).
 * Closing (by hand, or by the sweep at the closing time) publishes it.
 */
#include "api/votes.h"
#include "core/participation.h"
#include "core/region.h"
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TARGETS_MAX 100

/* ---- targets and results ------------------------------------------------------------------- */

struct target_row {
    int64_t id, position, user_id, dept_id, n[EG__COUNT], points, vetoes;
    char *name;
    bool graded; /* by the voter asked about */
    double score, combined;
};

struct targets {
    struct target_row *t;
    size_t n, cap;
};

static void targets_free(struct targets *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->t[i].name);
    free(s->t);
    *s = (struct targets){0};
}

static int keep_target(void *cls, const struct db_vote_item *it)
{
    struct targets *s = cls;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct target_row *t = realloc(s->t, cap * sizeof *t);
        if (!t)
            return DB_ERROR;
        s->t = t;
        s->cap = cap;
    }
    s->t[s->n] = (struct target_row){.id = it->id, .position = it->position,
                                     .user_id = it->user_id, .dept_id = it->dept_id,
                                     .n = {it->votes, it->votes2, it->votes3},
                                     .name = strdup(it->title ? it->title : ""),
                                     .graded = it->picked};
    return s->t[s->n++].name ? 0 : DB_ERROR;
}

static int by_combined(const void *a, const void *b)
{
    const struct target_row *p = a, *q = b;
    if (p->combined != q->combined)
        return p->combined > q->combined ? -1 : 1;
    return (p->position > q->position) - (p->position < q->position);
}

static json_t *round1(double x) { return json_real(round(x * 10.0) / 10.0); }

/* Scores, points over the period judged, vetoes, the combined result and
 * the rank of every target, best first. */
static int compute(struct db_conn *c, const struct db_vote *v, struct targets *s)
{
    struct points_sheet sheet = {0};
    int rc = api_points_sheet(c, v->period_from, v->period_to, &sheet);
    int64_t best = 0;
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        struct target_row *t = &s->t[i];
        const struct points_row *p = t->user_id ? api_points_find(&sheet, t->user_id) : NULL;
        t->points = p ? p->total : 0;
        best = t->points > best ? t->points : best;
        rc = db_commitment_vetoes(c, t->user_id, t->dept_id, v->period_from, v->period_to,
                                  &t->vetoes);
    }
    api_points_sheet_free(&sheet);
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        struct target_row *t = &s->t[i];
        t->score = eval_score(t->n);
        t->combined = eval_combined(t->score, t->points, best, t->vetoes > 0);
    }
    qsort(s->t, s->n, sizeof *s->t, by_combined);
    return rc;
}

static json_t *results_json(const struct db_vote *v, const struct targets *s)
{
    json_t *items = json_array();
    int64_t rank = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct target_row *t = &s->t[i];
        if (i == 0 || t->combined != s->t[i - 1].combined)
            rank = (int64_t)i + 1;
        json_array_append_new(
            items,
            json_pack("{s:I, s:I, s:s, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:b, s:I,"
                      " s:o}",
                      "rank", (json_int_t)rank, "target_id", (json_int_t)t->id, "kind",
                      t->user_id ? "user" : "dept", "user_id",
                      t->user_id ? json_integer(t->user_id) : json_null(), "dept_id",
                      t->dept_id ? json_integer(t->dept_id) : json_null(), "name", t->name,
                      "ballots", (json_int_t)(t->n[0] + t->n[1] + t->n[2]), "satisfied",
                      (json_int_t)t->n[EG_SATISFIED], "basically_satisfied",
                      (json_int_t)t->n[EG_BASICALLY], "dissatisfied",
                      (json_int_t)t->n[EG_DISSATISFIED], "score",
                      t->score < 0 ? json_null() : round1(t->score), "points",
                      t->user_id ? json_integer(t->points) : json_null(), "veto",
                      t->vetoes > 0, "vetoes", (json_int_t)t->vetoes, "combined",
                      round1(t->combined)));
    }
    return json_pack("{s:I, s:{s:f, s:f}, s:o}", "ballots", (json_int_t)v->ballots, "weights",
                     "score", EVAL_WEIGHT_SCORE, "points", EVAL_WEIGHT_POINTS, "items", items);
}

static json_t *eval_results(struct db_conn *c, int offset_min, const struct db_vote *v, int *rc)
{
    (void)offset_min;
    struct targets s = {0};
    json_t *out = NULL;
    *rc = db_vote_items(c, DB_EVALUATION, v->id, 0, keep_target, &s);
    if (*rc >= 0)
        *rc = compute(c, v, &s);
    if (*rc >= 0)
        out = results_json(v, &s);
    targets_free(&s);
    return out;
}

/* An evaluation in the list: JSON, or the ledger's cells. */
static json_t *eval_row(const struct http_req *r, const struct db_vote *v, int64_t now, bool cells)
{
    if (cells)
        return json_pack("[I, s, s, i, o, o, s, I]", (json_int_t)v->id, v->title, v->region_name,
                         api_year_of(r, v->period_from), api_local_time(r, v->opens_at),
                         api_local_time(r, v->closes_at), poll_phases[vote_phase(v, now)].zh,
                         (json_int_t)v->ballots);
    json_t *it = vote_json(r, v, now);
    json_object_set_new(it, "year", json_integer(api_year_of(r, v->period_from)));
    return it;
}

static const char *const eval_headers[] = {"编号", "标题", "地区", "评议年度", "开始时间",
                                           "截止时间", "状态", "参评人数"};

const struct vote_kind vote_evaluation = {DB_EVALUATION, "evaluation", ACT_EVAL_MANAGE,
                                          ACT_EVAL_VOTE, eval_results, eval_row, "群众评议",
                                          "evaluations", eval_headers, 8};

/* ---- one evaluation ---------------------------------------------------------------------- */

static int view_txn(struct db_conn *c, void *cls)
{
    struct vote_view *x = cls;
    json_decref(x->out);
    x->out = NULL;
    struct vote_rec rec = {0};
    struct targets s = {0};
    int64_t now = (int64_t)time(NULL), ballot = 0;
    const struct http_req *r = x->r;
    int rc = vote_load(c, DB_EVALUATION, x->id, &rec);
    if (rc > 0)
        rc = db_vote_items(c, DB_EVALUATION, x->id, r->who.user_id, keep_target, &s);
    if (rc >= 0 && rec.v.id)
        rc = db_ballot_of(c, DB_EVALUATION, x->id, r->who.user_id, &ballot);
    if (rc >= 0 && rec.v.id) {
        const struct db_vote *v = &rec.v;
        struct target t = {.region = v->region_code};
        bool manage = authz_decide(r->who.grants, r->who.ngrants, ACT_EVAL_MANAGE, &t) ==
                      AUTHZ_ALLOW;
        bool resident = authz_member_of(r->who.grants, r->who.ngrants, ACT_EVAL_VOTE,
                                        v->region_code) == AUTHZ_ALLOW;
        json_t *actions = json_array();
        if (vote_phase(v, now) == POLL_OPEN && resident && !ballot)
            json_array_append_new(actions, json_string("vote"));
        if (manage && !v->closed_at)
            json_array_append_new(actions, json_string("close"));
        json_t *targets = json_array();
        for (size_t i = 0; i < s.n; i++)
            json_array_append_new(
                targets, json_pack("{s:I, s:s, s:o, s:o, s:s}", "id", (json_int_t)s.t[i].id,
                                   "kind", s.t[i].user_id ? "user" : "dept", "user_id",
                                   s.t[i].user_id ? json_integer(s.t[i].user_id) : json_null(),
                                   "dept_id",
                                   s.t[i].dept_id ? json_integer(s.t[i].dept_id) : json_null(),
                                   "name", s.t[i].name));
        /* Published results once closed; live ones only for those running it. */
        json_t *results = v->results ? json_loads(v->results, 0, NULL) : NULL;
        if (!results && manage && (rc = compute(c, v, &s)) >= 0)
            results = results_json(v, &s);
        x->out = vote_json(r, v, now);
        json_object_update_new(
            x->out, json_pack("{s:i, s:o, s:o, s:o, s:b, s:o, s:o}", "year",
                              api_year_of(r, v->period_from), "period_from",
                              api_time(r, v->period_from), "period_to",
                              api_time(r, v->period_to), "targets", targets, "voted",
                              ballot != 0, "results", results ? results : json_null(),
                              "actions", actions));
    }
    targets_free(&s);
    vote_rec_free(&rec);
    return rc;
}

enum MHD_Result api_evaluations_get(struct http_req *r)
{
    int64_t id;
    json_t *out = vote_view_or_reply(r, &vote_evaluation, view_txn, &id);
    return out ? http_reply_json(r, 200, out) : r->result;
}

/* ---- the list ------------------------------------------------------------------------------- */

enum MHD_Result api_evaluations_list(struct http_req *r)
{
    return vote_list_reply(r, &vote_evaluation);
}

/* ---- opening an evaluation ---------------------------------------------------------------- */

struct eval_in {
    const char *title, *region_code, *opens_at, *closes_at;
    int64_t year;
    json_t *targets;
};

const struct jspec api_evaluation_create_spec[] = {
    JSPEC_STR(struct eval_in, title, "title", 2, 60, JSPEC_REQUIRED,
              "e.g. 2026年度石桥镇回村干部群众评议"),
    JSPEC_STR(struct eval_in, region_code, "region_code", 12, 12, JSPEC_REQUIRED,
              "whose residents vote: a county, town or village code"),
    JSPEC_INT(struct eval_in, year, "year", 2000, 2100, JSPEC_REQUIRED,
              "the year of work judged: points and vetoes are counted over it"),
    JSPEC_STR(struct eval_in, opens_at, "opens_at", 20, 35, 0, "RFC 3339; default now"),
    JSPEC_STR(struct eval_in, closes_at, "closes_at", 20, 35, JSPEC_REQUIRED, "RFC 3339"),
    JSPEC_ARR(struct eval_in, targets, "targets", JSPEC_REQUIRED,
              "1 to 100 of {\"user_id\"} (a cadre) or {\"dept_id\"} (a department)"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct eval_in in;
    int64_t opens_at, closes_at;
    struct vote_view out;
    struct api_fail fail;
};

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    char name[128], prefix[REGION_CODE_BUFLEN];
    int rc = api_place_name(c, x->in.region_code, name, sizeof name);
    if (rc < 0)
        return rc;
    if (rc == 0 || !region_prefix(x->in.region_code, prefix))
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "region_code", "no region %s",
                        x->in.region_code);
    struct db_vote v = {.title = x->in.title, .region_code = x->in.region_code,
                        .region_prefix = prefix, .opens_at = x->opens_at,
                        .closes_at = x->closes_at, .created_by = x->r->who.user_id,
                        .period_from = api_year_start(x->r, (int)x->in.year),
                        .period_to = api_year_start(x->r, (int)x->in.year + 1)};
    rc = db_vote_insert(c, DB_EVALUATION, &v, now, &v.id);
    size_t i;
    json_t *t;
    json_array_foreach(x->in.targets, i, t) {
        if (rc < 0)
            break;
        int64_t user = json_integer_value(json_object_get(t, "user_id"));
        int64_t dept = json_integer_value(json_object_get(t, "dept_id"));
        rc = db_evaluation_target_insert(c, v.id, (int64_t)i + 1, user, dept);
        if (rc == DB_FOREIGN)
            return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "targets", "target %zu: no %s %lld",
                            i + 1, user ? "user" : "department", (long long)(user ? user : dept));
        if (rc == DB_UNIQUE)
            return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "targets",
                            "target %zu is listed twice", i + 1);
    }
    if (rc < 0)
        return rc;
    json_t *data = json_pack("{s:s, s:s, s:I, s:O}", "title", v.title, "region", v.region_code,
                             "year", (json_int_t)x->in.year, "targets", x->in.targets);
    rc = api_audit(c, x->r->who.user_id, "evaluation.open", "evaluation", v.id, data, now);
    if (rc < 0)
        return rc;
    x->out.id = v.id;
    return view_txn(c, &x->out);
}

static int targets_or_reply(struct http_req *r, json_t *targets)
{
    size_t n = json_array_size(targets), i;
    json_t *t;
    if (n < 1 || n > TARGETS_MAX)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "targets",
                                "an evaluation has 1 to %d targets", TARGETS_MAX), -1;
    json_array_foreach(targets, i, t) {
        json_t *u = json_object_get(t, "user_id"), *d = json_object_get(t, "dept_id");
        if (!json_is_object(t) || json_object_size(t) != 1 || (!u == !d) ||
            json_integer_value(u ? u : d) < 1)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "targets",
                                    "target %zu must be {\"user_id\": N} or {\"dept_id\": N}",
                                    i + 1), -1;
    }
    return 0;
}

enum MHD_Result api_evaluations_create(struct http_req *r)
{
    struct create_ctx x = {.r = r, .out = {.r = r}};
    if (http_parse_body_or_reply(r, api_evaluation_create_spec, &x.in, NULL) < 0)
        return r->result;
    struct target t = {.region = x.in.region_code};
    if (http_authorize_visible_or_reply(r, ACT_EVAL_MANAGE, &t) < 0 ||
        targets_or_reply(r, x.in.targets) < 0 ||
        vote_window_or_reply(r, x.in.opens_at, x.in.closes_at, &x.opens_at, &x.closes_at) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

/* ---- the ballot ---------------------------------------------------------------------------- */

struct ballot_in {
    json_t *grades;
};

const struct jspec api_evaluation_ballot_spec[] = {
    JSPEC_ARR(struct ballot_in, grades, "grades", JSPEC_REQUIRED,
              "one {\"target_id\", \"grade\"} for every target; grade: satisfied (满意),"
              " basically_satisfied (基本满意) or dissatisfied (不满意)"),
    JSPEC_END,
};

struct ballot_ctx {
    struct http_req *r;
    int64_t id;
    json_t *grades;
    struct vote_view out;
    struct api_fail fail;
};

static int ballot_txn(struct db_conn *c, void *cls)
{
    struct ballot_ctx *x = cls;
    struct vote_rec rec = {0};
    struct targets s = {0};
    int64_t ballot = 0;
    int rc = vote_load(c, DB_EVALUATION, x->id, &rec);
    if (rc == 0)
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no evaluation %lld", (long long)x->id);
    if (rc > 0)
        rc = db_vote_items(c, DB_EVALUATION, x->id, 0, keep_target, &s);
    /* Every target graded exactly once. */
    size_t i;
    json_t *g;
    if (rc >= 0 && json_array_size(x->grades) != s.n)
        rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "grades",
                      "grade each of the %zu targets exactly once", s.n);
    json_array_foreach(x->grades, i, g) {
        if (rc < 0)
            break;
        int64_t tid = json_integer_value(json_object_get(g, "target_id"));
        size_t k = 0;
        while (k < s.n && s.t[k].id != tid)
            k++;
        if (k == s.n || s.t[k].graded)
            rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "grades",
                          "grade %zu: target %lld is not one of this evaluation's, or is graded"
                          " twice", i + 1, (long long)tid);
        else
            s.t[k].graded = true;
    }
    if (rc >= 0)
        rc = vote_ballot(c, x->r, &vote_evaluation, &rec.v, &ballot, &x->fail);
    json_array_foreach(x->grades, i, g) {
        if (rc < 0)
            break;
        rc = db_evaluation_grade_insert(c, ballot, x->id,
                                        json_integer_value(json_object_get(g, "target_id")),
                                        json_string_value(json_object_get(g, "grade")));
    }
    targets_free(&s);
    vote_rec_free(&rec);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_evaluations_ballot(struct http_req *r)
{
    struct ballot_ctx x = {.r = r, .out = {.r = r}};
    struct ballot_in in = {0};
    if (http_param_id_or_reply(r, 0, &x.id) < 0 ||
        http_parse_body_or_reply(r, api_evaluation_ballot_spec, &in, NULL) < 0)
        return r->result;
    size_t i;
    json_t *g;
    json_array_foreach(in.grades, i, g) {
        const char *grade = json_string_value(json_object_get(g, "grade"));
        if (!json_is_object(g) || json_object_size(g) != 2 ||
            !json_is_integer(json_object_get(g, "target_id")) ||
            vocab_parse(eval_grades, EG__COUNT, grade) < 0)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "grades",
                                    "grade %zu must be {\"target_id\": N, \"grade\": \"satisfied\""
                                    " | \"basically_satisfied\" | \"dissatisfied\"}",
                                    i + 1);
    }
    x.grades = in.grades;
    int rc = db_run_transaction(r->app->db, DB_WRITE, ballot_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

enum MHD_Result api_evaluations_close(struct http_req *r)
{
    return vote_close_handler(r, &vote_evaluation, view_txn);
}

/* ---- the results as a file -------------------------------------------------------------------- */

enum MHD_Result api_evaluations_results(struct http_req *r)
{
    int64_t id;
    int format;
    json_t *ev;
    if (api_format_or_reply(r, &format) < 0 ||
        !(ev = vote_view_or_reply(r, &vote_evaluation, view_txn, &id)))
        return r->result;
    json_t *results = json_object_get(ev, "results");
    if (json_is_null(results)) {
        json_decref(ev);
        return http_reply_error(r, GL_ERR_INVALID_TRANSITION, NULL,
                                "the results are published when the evaluation closes");
    }
    if (format == EXPORT_JSON) {
        json_t *out = json_incref(results);
        json_decref(ev);
        return http_reply_json(r, 200, out);
    }
    json_t *rows = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(results, "items"), i, it) {
#define F(k) json_object_get(it, k)
        json_array_append_new(
            rows, json_pack("[O, O, s, O, O, O, O, O, O, s, O]", F("rank"), F("name"),
                            strcmp(json_string_value(F("kind")), "user") == 0 ? "干部" : "部门",
                            F("ballots"), F("satisfied"), F("basically_satisfied"),
                            F("dissatisfied"), F("score"), F("points"),
                            json_is_true(F("veto")) ? "是" : "否", F("combined")));
#undef F
    }
    json_decref(ev);
    static const char *const headers[] = {"排名", "评议对象", "类型", "评议票数", "满意",
                                          "基本满意", "不满意", "满意度得分", "积分",
                                          "一票否决", "综合得分"};
    return api_reply_export(r, format, "群众评议结果", headers, 11, rows, "evaluation-results");
}

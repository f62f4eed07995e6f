/*
 * /api/v1/polls: 百姓点菜 — residents of a region choose which livelihood
 * projects get built. A leader opens a poll with its candidate projects,
 * a window and how many picks a ballot holds; each resident of the region
 * casts one ballot (the database refuses a second); results are ranked
 * live, and closing (by hand, or by the sweep at the closing time)
 * publishes the top N. Ties at the cut all go through.
 */
#include "api/votes.h"
#include "core/participation.h"
#include "core/region.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPTIONS_MAX 30

/* ---- ranked results ------------------------------------------------------------------------ */

struct option {
    int64_t id, position, votes;
    char *title, *description;
    bool picked;
};

struct options {
    struct option *o;
    size_t n, cap;
};

static void options_free(struct options *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->o[i].title);
        free(s->o[i].description);
    }
    free(s->o);
    *s = (struct options){0};
}

static int keep_option(void *cls, const struct db_vote_item *it)
{
    struct options *s = cls;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct option *o = realloc(s->o, cap * sizeof *o);
        if (!o)
            return DB_ERROR;
        s->o = o;
        s->cap = cap;
    }
    s->o[s->n] = (struct option){.id = it->id, .position = it->position, .votes = it->votes,
                                 .title = strdup(it->title),
                                 .description = strdup(it->description), .picked = it->picked};
    s->n++;
    return s->o[s->n - 1].title && s->o[s->n - 1].description ? 0 : DB_ERROR;
}

static int by_votes(const void *a, const void *b)
{
    const struct option *p = a, *q = b;
    if (p->votes != q->votes)
        return p->votes > q->votes ? -1 : 1;
    return (p->position > q->position) - (p->position < q->position);
}

/* The options ranked by votes: [{rank, id, title, description, votes,
 * share, selected, picked}], selected = within the top N. */
static json_t *ranked_json(struct options *s, int64_t ballots, int64_t top_n, bool with_picked)
{
    qsort(s->o, s->n, sizeof *s->o, by_votes);
    json_t *items = json_array();
    int64_t rank = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct option *o = &s->o[i];
        if (i == 0 || o->votes != s->o[i - 1].votes)
            rank = (int64_t)i + 1;
        json_t *it = json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:b}", "rank", (json_int_t)rank,
                               "id", (json_int_t)o->id, "title", o->title, "description",
                               o->description, "votes", (json_int_t)o->votes, "share",
                               ballots ? json_real((double)o->votes / (double)ballots)
                                       : json_null(),
                               "selected", rank <= top_n);
        if (with_picked)
            json_object_set_new(it, "picked", json_boolean(o->picked));
        json_array_append_new(items, it);
    }
    return items;
}

static json_t *poll_results(struct db_conn *c, int offset_min, const struct db_vote *v, int *rc)
{
    (void)offset_min;
    struct options s = {0};
    *rc = db_vote_items(c, DB_POLL, v->id, 0, keep_option, &s);
    json_t *out = NULL;
    if (*rc >= 0)
        out = json_pack("{s:I, s:I, s:o}", "ballots", (json_int_t)v->ballots, "top_n",
                        (json_int_t)v->top_n, "items", ranked_json(&s, v->ballots, v->top_n, false));
    options_free(&s);
    return out;
}

/* A poll in the list: JSON, or the ledger's cells. */
static json_t *poll_row(const struct http_req *r, const struct db_vote *v, int64_t now, bool cells)
{
    if (cells)
        return json_pack("[I, s, s, o, o, s, I, I]", (json_int_t)v->id, v->title, v->region_name,
                         api_local_time(r, v->opens_at), api_local_time(r, v->closes_at),
                         poll_phases[vote_phase(v, now)].zh, (json_int_t)v->ballots,
                         (json_int_t)v->top_n);
    json_t *it = vote_json(r, v, now);
    json_object_update_new(it, json_pack("{s:s, s:I, s:I}", "description", v->description,
                                         "max_picks", (json_int_t)v->max_picks, "top_n",
                                         (json_int_t)v->top_n));
    return it;
}

static const char *const poll_headers[] = {"编号", "标题", "地区", "开始时间", "截止时间",
                                           "状态", "投票人数", "入选项目数"};

const struct vote_kind vote_poll = {DB_POLL, "poll", ACT_POLL_MANAGE, ACT_POLL_VOTE, poll_results,
                                    poll_row, "百姓点菜", "polls", poll_headers, 8};

/* ---- one poll ------------------------------------------------------------------------------- */

static int view_txn(struct db_conn *c, void *cls)
{
    struct vote_view *x = cls;
    json_decref(x->out);
    x->out = NULL;
    struct vote_rec rec = {0};
    struct options s = {0};
    int64_t now = (int64_t)time(NULL), ballot = 0;
    const struct http_req *r = x->r;
    int rc = vote_load(c, DB_POLL, x->id, &rec);
    if (rc > 0)
        rc = db_vote_items(c, DB_POLL, x->id, r->who.user_id, keep_option, &s);
    if (rc >= 0 && rec.v.id)
        rc = db_ballot_of(c, DB_POLL, x->id, r->who.user_id, &ballot);
    if (rc >= 0 && rec.v.id) {
        const struct db_vote *v = &rec.v;
        bool open = vote_phase(v, now) == POLL_OPEN;
        bool resident = authz_member_of(r->who.grants, r->who.ngrants, ACT_POLL_VOTE,
                                        v->region_code) == AUTHZ_ALLOW;
        struct target t = {.region = v->region_code};
        bool manage = authz_decide(r->who.grants, r->who.ngrants, ACT_POLL_MANAGE, &t) ==
                      AUTHZ_ALLOW;
        json_t *actions = json_array();
        if (open && resident && !ballot)
            json_array_append_new(actions, json_string("vote"));
        if (manage && !v->closed_at)
            json_array_append_new(actions, json_string("close"));
        x->out = vote_json(r, v, now);
        json_t *picks = json_array();
        for (size_t i = 0; i < s.n; i++)
            if (s.o[i].picked)
                json_array_append_new(picks, json_integer(s.o[i].id));
        json_t *published = v->results ? json_loads(v->results, 0, NULL) : NULL;
        json_object_update_new(
            x->out, json_pack("{s:s, s:I, s:I, s:o, s:o, s:b, s:o, s:o}", "description",
                              v->description, "max_picks", (json_int_t)v->max_picks, "top_n",
                              (json_int_t)v->top_n, "options",
                              ranked_json(&s, v->ballots, v->top_n, true), "my_picks",
                              ballot ? picks : (json_decref(picks), json_null()), "voted",
                              ballot != 0, "results", published ? published : json_null(),
                              "actions", actions));
    }
    options_free(&s);
    vote_rec_free(&rec);
    return rc;
}

enum MHD_Result api_polls_get(struct http_req *r)
{
    int64_t id;
    json_t *out = vote_view_or_reply(r, &vote_poll, view_txn, &id);
    return out ? http_reply_json(r, 200, out) : r->result;
}

/* ---- the list ----------------------------------------------------------------------------- */

enum MHD_Result api_polls_list(struct http_req *r) { return vote_list_reply(r, &vote_poll); }

/* ---- opening a poll ------------------------------------------------------------------------- */

struct poll_in {
    const char *title, *description, *region_code, *opens_at, *closes_at;
    int64_t max_picks, top_n;
    json_t *options;
};

const struct jspec api_poll_create_spec[] = {
    JSPEC_STR(struct poll_in, title, "title", 2, 60, JSPEC_REQUIRED,
              "e.g. 2027年石桥镇民生实事项目征集"),
    JSPEC_STR(struct poll_in, description, "description", 0, 2000, 0, "what is being decided"),
    JSPEC_STR(struct poll_in, region_code, "region_code", 12, 12, JSPEC_REQUIRED,
              "whose residents vote: a county, town or village code"),
    JSPEC_STR(struct poll_in, opens_at, "opens_at", 20, 35, 0, "RFC 3339; default now"),
    JSPEC_STR(struct poll_in, closes_at, "closes_at", 20, 35, JSPEC_REQUIRED, "RFC 3339"),
    JSPEC_INT(struct poll_in, max_picks, "max_picks", 1, OPTIONS_MAX, 0,
              "projects a ballot may pick (default 1)"),
    JSPEC_INT(struct poll_in, top_n, "top_n", 1, OPTIONS_MAX, 0,
              "how many projects closing publishes as chosen (default 1)"),
    JSPEC_ARR(struct poll_in, options, "options", JSPEC_REQUIRED,
              "2 to 30 candidate projects: {\"title\", \"description\"} or plain titles"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct poll_in in;
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
    struct db_vote v = {.title = x->in.title, .description = x->in.description,
                        .region_code = x->in.region_code, .region_prefix = prefix,
                        .opens_at = x->opens_at, .closes_at = x->closes_at,
                        .max_picks = x->in.max_picks, .top_n = x->in.top_n,
                        .created_by = x->r->who.user_id};
    rc = db_vote_insert(c, DB_POLL, &v, now, &v.id);
    size_t i;
    json_t *o;
    json_array_foreach(x->in.options, i, o) {
        if (rc < 0)
            break;
        const char *title = json_is_string(o) ? json_string_value(o)
                                              : json_string_value(json_object_get(o, "title"));
        const char *desc = json_string_value(json_object_get(o, "description"));
        rc = db_poll_option_insert(c, v.id, (int64_t)i + 1, title, desc);
    }
    if (rc < 0)
        return rc;
    json_t *data = json_pack("{s:s, s:s, s:O}", "title", v.title, "region", v.region_code,
                             "options", x->in.options);
    rc = api_audit(c, x->r->who.user_id, "poll.open", "poll", v.id, data, now);
    if (rc < 0)
        return rc;
    x->out.id = v.id;
    return view_txn(c, &x->out);
}

/* Checks the candidate projects: 2 to 30, each a title of 1 to 60
 * characters (with an optional description up to 500), no two alike. */
static int options_or_reply(struct http_req *r, json_t *options)
{
    size_t n = json_array_size(options), i;
    json_t *o;
    if (n < 2 || n > OPTIONS_MAX)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "options",
                                "a poll has 2 to %d candidate projects", OPTIONS_MAX), -1;
    json_array_foreach(options, i, o) {
        json_t *t = json_is_string(o) ? o : json_object_get(o, "title");
        json_t *d = json_is_object(o) ? json_object_get(o, "description") : NULL;
        const char *title = json_string_value(t);
        bool bad = !title || jspec_utf8_len(title) < 1 || jspec_utf8_len(title) > 60 ||
                   (d && (!json_is_string(d) || jspec_utf8_len(json_string_value(d)) > 500)) ||
                   (json_is_object(o) && json_object_size(o) > (d ? 2u : 1u));
        for (size_t j = 0; !bad && j < i; j++) {
            json_t *p = json_array_get(options, j);
            json_t *pt = json_is_string(p) ? p : json_object_get(p, "title");
            bad = json_equal(pt, t);
        }
        if (bad)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "options",
                                    "project %zu must have a title of 1 to 60 characters, not"
                                    " repeated (and a description of at most 500)",
                                    i + 1), -1;
    }
    return 0;
}

enum MHD_Result api_polls_create(struct http_req *r)
{
    struct create_ctx x = {.r = r, .in = {.max_picks = 1, .top_n = 1, .description = ""},
                           .out = {.r = r}};
    if (http_parse_body_or_reply(r, api_poll_create_spec, &x.in, NULL) < 0)
        return r->result;
    struct target t = {.region = x.in.region_code};
    if (http_authorize_visible_or_reply(r, ACT_POLL_MANAGE, &t) < 0 ||
        options_or_reply(r, x.in.options) < 0 ||
        vote_window_or_reply(r, x.in.opens_at, x.in.closes_at, &x.opens_at, &x.closes_at) < 0)
        return r->result;
    if ((size_t)x.in.max_picks > json_array_size(x.in.options))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "max_picks",
                                "max_picks cannot exceed the number of projects");
    if ((size_t)x.in.top_n > json_array_size(x.in.options))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "top_n",
                                "top_n cannot exceed the number of projects");
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

/* ---- voting --------------------------------------------------------------------------------- */

struct vote_in {
    json_t *option_ids;
};

const struct jspec api_poll_vote_spec[] = {
    JSPEC_ARR(struct vote_in, option_ids, "option_ids", JSPEC_REQUIRED,
              "the projects picked (ids), 1 to the poll's max_picks"),
    JSPEC_END,
};

struct vote_ctx {
    struct http_req *r;
    int64_t id, picks[OPTIONS_MAX];
    size_t npicks;
    struct vote_view out;
    struct api_fail fail;
};

static int vote_txn(struct db_conn *c, void *cls)
{
    struct vote_ctx *x = cls;
    struct vote_rec rec = {0};
    struct options s = {0};
    int64_t ballot = 0, ids[OPTIONS_MAX];
    int rc = vote_load(c, DB_POLL, x->id, &rec);
    if (rc == 0)
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no poll %lld", (long long)x->id);
    if (rc > 0)
        rc = db_vote_items(c, DB_POLL, x->id, 0, keep_option, &s);
    if (rc >= 0) {
        for (size_t i = 0; i < s.n && i < OPTIONS_MAX; i++)
            ids[i] = s.o[i].id;
        const char *problem = poll_ballot_problem(x->picks, x->npicks, rec.v.max_picks, ids, s.n);
        if (problem)
            rc = api_fail(&x->fail, GL_ERR_INVALID_VALUE, "option_ids", "%s (this poll takes"
                          " 1 to %lld picks)", problem, (long long)rec.v.max_picks);
    }
    if (rc >= 0)
        rc = vote_ballot(c, x->r, &vote_poll, &rec.v, &ballot, &x->fail);
    for (size_t i = 0; rc >= 0 && i < x->npicks; i++)
        rc = db_poll_pick_insert(c, ballot, x->id, x->picks[i]);
    options_free(&s);
    vote_rec_free(&rec);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_polls_vote(struct http_req *r)
{
    struct vote_ctx x = {.r = r, .out = {.r = r}};
    struct vote_in in = {0};
    if (http_param_id_or_reply(r, 0, &x.id) < 0 ||
        http_parse_body_or_reply(r, api_poll_vote_spec, &in, NULL) < 0)
        return r->result;
    size_t i;
    json_t *v;
    json_array_foreach(in.option_ids, i, v) {
        if (!json_is_integer(v) || i >= OPTIONS_MAX)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "option_ids",
                                    "option_ids must be a list of project ids");
        x.picks[x.npicks++] = json_integer_value(v);
    }
    int rc = db_run_transaction(r->app->db, DB_WRITE, vote_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

enum MHD_Result api_polls_close(struct http_req *r)
{
    return vote_close_handler(r, &vote_poll, view_txn);
}

/* ---- the results as a file ------------------------------------------------------------------- */

enum MHD_Result api_polls_results(struct http_req *r)
{
    int64_t id;
    int format;
    json_t *poll;
    if (api_format_or_reply(r, &format) < 0 ||
        !(poll = vote_view_or_reply(r, &vote_poll, view_txn, &id)))
        return r->result;
    json_t *options = json_object_get(poll, "options");
    if (format == EXPORT_JSON) {
        json_t *out = json_pack("{s:O, s:O, s:O}", "poll", json_object_get(poll, "title"),
                                "ballots", json_object_get(poll, "ballots"), "items", options);
        json_decref(poll);
        return http_reply_json(r, 200, out);
    }
    json_t *rows = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o) {
        json_t *share = json_object_get(o, "share");
        char pct[16] = "";
        if (json_is_real(share))
            snprintf(pct, sizeof pct, "%.1f%%", 100.0 * json_real_value(share));
        json_array_append_new(
            rows, json_pack("[O, O, O, s, s]", json_object_get(o, "rank"),
                            json_object_get(o, "title"), json_object_get(o, "votes"), pct,
                            json_is_true(json_object_get(o, "selected")) ? "是" : "否"));
    }
    char title[96];
    snprintf(title, sizeof title, "点菜结果%lld", (long long)id);
    json_decref(poll);
    static const char *const headers[] = {"排名", "项目", "票数", "得票率", "是否入选"};
    return api_reply_export(r, format, title, headers, 5, rows, "poll-results");
}

/*
 * The mechanics polls and evaluations share; see votes.h.
 */
#include "api/votes.h"
#include "core/timeutil.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int keep_vote(void *cls, const struct db_vote *v)
{
    struct vote_rec *rec = cls;
    rec->v = *v;
    const char **fields[] = {&rec->v.title, &rec->v.description, &rec->v.region_code,
                             &rec->v.region_prefix, &rec->v.results, &rec->v.region_name};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        if (!*fields[i])
            continue;
        rec->own[i] = strdup(*fields[i]);
        if (!rec->own[i])
            return DB_ERROR;
        *fields[i] = rec->own[i];
    }
    return 1;
}

int vote_load(struct db_conn *c, enum db_vote_kind k, int64_t id, struct vote_rec *out)
{
    vote_rec_free(out);
    return db_vote_get(c, k, id, keep_vote, out);
}

void vote_rec_free(struct vote_rec *rec)
{
    for (size_t i = 0; i < sizeof rec->own / sizeof *rec->own; i++)
        free(rec->own[i]);
    *rec = (struct vote_rec){0};
}

enum poll_phase vote_phase(const struct db_vote *v, int64_t now)
{
    return poll_phase_at(v->opens_at, v->closes_at, v->closed_at, now);
}

json_t *vote_json(const struct http_req *r, const struct db_vote *v, int64_t now)
{
    enum poll_phase p = vote_phase(v, now);
    return json_pack("{s:I, s:s, s:{s:s, s:s}, s:o, s:o, s:s, s:s, s:I, s:o, s:I}", "id",
                     (json_int_t)v->id, "title", v->title, "region", "code", v->region_code,
                     "name", v->region_name, "opens_at", api_time(r, v->opens_at), "closes_at",
                     api_time(r, v->closes_at), "phase", poll_phases[p].name, "phase_zh",
                     poll_phases[p].zh, "ballots", (json_int_t)v->ballots, "closed_at",
                     api_time_or_null(r, v->closed_at), "version", (json_int_t)v->version);
}

struct vote_list {
    struct http_req *r;
    const struct vote_kind *k;
    const char *near, *phase;
    int64_t now, before_id, limit, last_id;
    int format;
    char buf[16];
    json_t *items;
};

static int add_vote(void *cls, const struct db_vote *v)
{
    struct vote_list *l = cls;
    l->last_id = v->id;
    json_array_append_new(l->items, l->k->row(l->r, v, l->now, l->format != EXPORT_JSON));
    return 0;
}

static int vote_list_txn(struct db_conn *c, void *cls)
{
    struct vote_list *l = cls;
    json_array_clear(l->items);
    return db_votes_list(c, l->k->kind, l->near, l->phase, l->now, l->before_id, l->limit,
                         add_vote, l);
}

enum MHD_Result vote_list_reply(struct http_req *r, const struct vote_kind *k)
{
    struct vote_list l = {.r = r, .k = k, .now = (int64_t)time(NULL), .limit = 20};
    if (api_vocab_param_or_reply(r, "phase", poll_phases, 3, &l.phase) < 0 ||
        api_format_or_reply(r, &l.format) < 0 ||
        api_region_param_or_reply(r, "region", l.buf, &l.near) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &l.before_id) < 0 ||
        api_int_param_or_reply(r, "limit", 1, 100, &l.limit) < 0)
        return r->result;
    l.items = json_array();
    struct api_pager p = {vote_list_txn, &l, &l.items, &l.before_id, &l.limit, &l.last_id};
    return api_reply_list(r, l.format, &p, k->ledger, k->headers, k->ncols, k->key);
}

int vote_window_or_reply(struct http_req *r, const char *opens, const char *closes,
                         int64_t *opens_at, int64_t *closes_at)
{
    *opens_at = (int64_t)time(NULL);
    if (opens && gl_time_parse(opens, opens_at) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "opens_at",
                                "opens_at must be an RFC 3339 time such as"
                                " 2026-03-25T09:30:00+08:00"), -1;
    if (gl_time_parse(closes, closes_at) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "closes_at",
                                "closes_at must be an RFC 3339 time such as"
                                " 2026-04-25T18:00:00+08:00"), -1;
    if (*closes_at <= *opens_at)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "closes_at",
                                "closes_at must come after opens_at"), -1;
    return 0;
}

int vote_ballot(struct db_conn *c, const struct http_req *r, const struct vote_kind *k,
                const struct db_vote *v, int64_t *ballot_id, struct api_fail *f)
{
    int64_t now = (int64_t)time(NULL);
    enum poll_phase p = vote_phase(v, now);
    if (p != POLL_OPEN)
        return api_fail(f, GL_ERR_INVALID_TRANSITION, NULL,
                        "%s %lld is %s (%s): ballots are taken only while it is open", k->subject,
                        (long long)v->id, poll_phases[p].name, poll_phases[p].zh);
    switch (authz_member_of(r->who.grants, r->who.ngrants, k->vote, v->region_code)) {
    case AUTHZ_ALLOW:
        break;
    case AUTHZ_HIDDEN:
        return api_fail(f, GL_ERR_FORBIDDEN, NULL, "only residents of %s vote in this %s",
                        v->region_name, k->subject);
    default:
        return api_fail(f, GL_ERR_FORBIDDEN, NULL, "only residents vote");
    }
    int rc = db_ballot_insert(c, k->kind, v->id, r->who.user_id, now, ballot_id);
    if (rc == DB_UNIQUE)
        return api_fail(f, GL_ERR_ALREADY_VOTED, NULL,
                        "you have already cast your ballot in this %s; one ballot per resident",
                        k->subject);
    return rc;
}

/* Closes v with its results: the audit row, the row itself. Returns 1, 0
 * when the version moved on (or someone closed it first), or < 0. */
static int close_one(struct db_conn *c, const struct vote_kind *k, const struct db_vote *v,
                     int64_t if_version, int64_t actor, int offset_min, int64_t now)
{
    int rc = 0;
    json_t *results = k->results(c, offset_min, v, &rc);
    if (!results)
        return rc < 0 ? rc : DB_ERROR;
    json_object_set_new(results, "published_at", json_integer(now));
    char *text = json_dumps(results, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(results);
    if (!text)
        return DB_ERROR;
    rc = db_vote_close(c, k->kind, v->id, if_version, actor, text, now);
    if (rc > 0) {
        char what[48];
        snprintf(what, sizeof what, "%s.close", k->subject);
        rc = db_audit_append(c, actor, what, k->subject, v->id, text, now);
        rc = rc < 0 ? rc : 1;
    }
    free(text);
    return rc;
}

struct close_ctx {
    struct http_req *r;
    const struct vote_kind *k;
    int64_t id, if_version;
    struct api_fail fail;
};

static int close_txn(struct db_conn *c, void *cls)
{
    struct close_ctx *x = cls;
    struct vote_rec rec = {0};
    int rc = vote_load(c, x->k->kind, x->id, &rec);
    const struct db_vote *v = &rec.v;
    struct target t = {.region = v->region_code};
    int64_t now = (int64_t)time(NULL);
    if (rc == 0)
        rc = api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no %s %lld", x->k->subject,
                      (long long)x->id);
    else if (rc > 0 && authz_decide(x->r->who.grants, x->r->who.ngrants, x->k->manage, &t) !=
                           AUTHZ_ALLOW)
        rc = api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL, "your role or scope may not close this %s",
                      x->k->subject);
    else if (rc > 0 && v->version != x->if_version)
        rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                      "the %s was changed by someone else and is now at version %lld; reload it",
                      x->k->subject, (long long)v->version);
    else if (rc > 0 && v->closed_at)
        rc = api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL, "the %s is already closed",
                      x->k->subject);
    else if (rc > 0) {
        rc = close_one(c, x->k, v, x->if_version, x->r->who.user_id, x->r->app->cfg->offset_min,
                       now);
        if (rc == 0)
            rc = api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                          "the %s was changed by someone else; reload it", x->k->subject);
    }
    vote_rec_free(&rec);
    return rc;
}

struct if_version_in {
    int64_t if_version;
};

const struct jspec api_vote_close_spec[] = {
    JSPEC_INT(struct if_version_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read"),
    JSPEC_END,
};

static json_t *run_view(struct http_req *r, int64_t id, db_txn_fn txn, int *rc)
{
    struct vote_view x = {.r = r, .id = id};
    *rc = db_run_transaction(r->app->db, DB_READ, txn, &x);
    if (*rc < 0)
        json_decref(x.out);
    return *rc < 0 ? NULL : x.out ? x.out : json_null();
}

json_t *vote_view_or_reply(struct http_req *r, const struct vote_kind *k, db_txn_fn txn,
                           int64_t *id)
{
    int rc;
    if (http_param_id_or_reply(r, 0, id) < 0)
        return NULL;
    json_t *out = run_view(r, *id, txn, &rc);
    if (!out)
        api_reply_db_error(r, rc);
    else if (json_is_null(out))
        http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no %s %lld", k->subject, (long long)*id);
    else
        return out;
    return NULL;
}

enum MHD_Result vote_close_handler(struct http_req *r, const struct vote_kind *k, db_txn_fn txn)
{
    struct close_ctx x = {.r = r, .k = k};
    struct if_version_in in = {0};
    if (http_param_id_or_reply(r, 0, &x.id) < 0 ||
        http_parse_body_or_reply(r, api_vote_close_spec, &in, NULL) < 0)
        return r->result;
    x.if_version = in.if_version;
    int rc = db_run_transaction(r->app->db, DB_WRITE, close_txn, &x);
    if (rc < 0)
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    json_t *out = run_view(r, x.id, txn, &rc);
    return out ? http_reply_json(r, 200, out) : api_reply_db_error(r, rc);
}

/* ---- the sweep ---------------------------------------------------------------------------- */

#define SWEEP_BATCH 50

struct sweep_ctx {
    const struct vote_kind *k;
    int offset_min;
    int64_t now, ids[SWEEP_BATCH], closed;
    size_t n;
};

static int keep_due(void *cls, const struct db_vote *v)
{
    struct sweep_ctx *s = cls;
    if (s->n < SWEEP_BATCH)
        s->ids[s->n++] = v->id;
    return 0;
}

static int sweep_txn(struct db_conn *c, void *cls)
{
    struct sweep_ctx *s = cls;
    s->n = 0;
    s->closed = 0;
    int rc = db_votes_due(c, s->k->kind, s->now, SWEEP_BATCH, keep_due, s);
    struct vote_rec rec = {0};
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        rc = vote_load(c, s->k->kind, s->ids[i], &rec);
        if (rc <= 0)
            continue;
        /* Closed as of its closing time, whenever the sweep came round. */
        rc = close_one(c, s->k, &rec.v, rec.v.version, 0, s->offset_min, rec.v.closes_at);
        if (rc == 0)
            rc = DB_BUSY;
        s->closed += rc > 0;
    }
    vote_rec_free(&rec);
    return rc < 0 ? rc : (int)s->n;
}

int votes_sweep(struct db *db, int offset_min, int64_t now, int64_t *closed)
{
    const struct vote_kind *kinds[] = {&vote_poll, &vote_evaluation};
    *closed = 0;
    for (size_t i = 0; i < 2; i++) {
        struct sweep_ctx s = {.k = kinds[i], .offset_min = offset_min, .now = now};
        int rc;
        while ((rc = db_run_transaction(db, DB_WRITE, sweep_txn, &s)) > 0)
            *closed += s.closed;
        if (rc < 0)
            return rc;
    }
    return 0;
}

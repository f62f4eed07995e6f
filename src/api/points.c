/*
 * /api/v1/points: cadre points (积分, DESIGN.md "Participation"). The rule
 * table says what each kind of deed is worth (defaults in core/, changes
 * in point_rules); the deeds are counted from history (visits, cases,
 * errands, commitments) for any period, so a ranking is always the
 * history's own answer and never drifts from it.
 */
#include "api/api.h"
#include "core/participation.h"
#include "core/region.h"
#include "db/db.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RANKING_DEFAULT 50
#define RANKING_MAX 1000

/* ---- the sheet: everyone's deeds and points over a period ---------------------------- */

struct rule_cur {
    int64_t points[POINTS_NRULES], version[POINTS_NRULES];
    bool active[POINTS_NRULES];
};

static void rules_default(struct rule_cur *rc)
{
    for (int i = 0; i < POINTS_NRULES; i++) {
        rc->points[i] = points_rules[i].points;
        rc->active[i] = true;
        rc->version[i] = 0;
    }
}

static int keep_rule(void *cls, const char *code, int64_t points, int active, int64_t version)
{
    struct rule_cur *rc = cls;
    int i = points_rule_parse(code);
    if (i >= 0) {
        rc->points[i] = points;
        rc->active[i] = active != 0;
        rc->version[i] = version;
    }
    return 0;
}

static int rules_load(struct db_conn *c, struct rule_cur *rc)
{
    rules_default(rc);
    return db_point_rules(c, keep_rule, rc);
}

static int keep_deed(void *cls, int64_t user_id, const char *rule, int64_t n)
{
    struct points_sheet *s = cls;
    int i = points_rule_parse(rule);
    if (i < 0)
        return 0;
    /* Deeds come ordered by user: a new user starts a new row. */
    if (!s->n || s->rows[s->n - 1].user_id != user_id) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct points_row *rows = realloc(s->rows, cap * sizeof *rows);
            if (!rows)
                return DB_ERROR;
            s->rows = rows;
            s->cap = cap;
        }
        s->rows[s->n++] = (struct points_row){.user_id = user_id};
    }
    s->rows[s->n - 1].counts[i] += n;
    return 0;
}

int api_points_sheet(struct db_conn *c, int64_t from, int64_t to, struct points_sheet *s)
{
    struct rule_cur rc;
    s->n = 0;
    int rc_ = rules_load(c, &rc);
    if (rc_ < 0)
        return rc_;
    memcpy(s->value, rc.points, sizeof s->value);
    memcpy(s->active, rc.active, sizeof s->active);
    rc_ = db_points_deeds(c, from, to, keep_deed, s);
    for (size_t i = 0; i < s->n; i++)
        s->rows[i].total = points_total(s->rows[i].counts, s->value, s->active);
    return rc_;
}

static int cmp_row_user(const void *key, const void *elem)
{
    int64_t a = *(const int64_t *)key, b = ((const struct points_row *)elem)->user_id;
    return (a > b) - (a < b);
}

const struct points_row *api_points_find(const struct points_sheet *s, int64_t user_id)
{
    return s->n ? bsearch(&user_id, s->rows, s->n, sizeof *s->rows, cmp_row_user) : NULL;
}

void api_points_sheet_free(struct points_sheet *s)
{
    free(s->rows);
    *s = (struct points_sheet){0};
}

/* ---- the rule table ------------------------------------------------------------------------ */

static json_t *rule_json(const struct rule_cur *rc, int i)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:b, s:I}", "code", points_rules[i].code, "name",
                     points_rules[i].zh, "points", (json_int_t)rc->points[i], "default_points",
                     (json_int_t)points_rules[i].points, "active", rc->active[i], "version",
                     (json_int_t)rc->version[i]);
}

static int rules_txn(struct db_conn *c, void *cls) { return rules_load(c, cls); }

enum MHD_Result api_point_rules_list(struct http_req *r)
{
    struct rule_cur rc;
    int rc_ = db_run_transaction(r->app->db, DB_READ, rules_txn, &rc);
    if (rc_ < 0)
        return api_reply_db_error(r, rc_);
    json_t *items = json_array();
    for (int i = 0; i < POINTS_NRULES; i++)
        json_array_append_new(items, rule_json(&rc, i));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

struct rule_in {
    int64_t points, if_version;
    bool active;
};

const struct jspec api_point_rule_spec[] = {
    JSPEC_INT(struct rule_in, points, "points", -1000, 1000, JSPEC_REQUIRED,
              "what one such deed is worth (negative for a deduction)"),
    JSPEC_BOOL(struct rule_in, active, "active", 0, "whether the rule counts (default true)"),
    JSPEC_INT(struct rule_in, if_version, "if_version", 0, INT64_MAX, JSPEC_REQUIRED,
              "the version you read (0 while the rule is at its default)"),
    JSPEC_END,
};

struct put_ctx {
    int rule;
    struct rule_in in;
    int64_t actor;
    struct rule_cur rc;
    struct api_fail fail;
};

static int put_txn(struct db_conn *c, void *cls)
{
    struct put_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    const char *code = points_rules[x->rule].code;
    int rc = db_point_rule_put(c, code, x->in.points, x->in.active, x->in.if_version, now);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        rules_load(c, &x->rc);
        return api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                        "rule %s was changed by someone else and is now at version %lld;"
                        " reload it and apply your change again",
                        code, (long long)x->rc.version[x->rule]);
    }
    json_t *data = json_pack("{s:s, s:I, s:b}", "code", code, "points", (json_int_t)x->in.points,
                             "active", x->in.active);
    rc = api_audit(c, x->actor, "point_rule.put", "point_rule", 0, data, now);
    return rc < 0 ? rc : rules_load(c, &x->rc);
}

enum MHD_Result api_point_rules_put(struct http_req *r)
{
    struct put_ctx x = {.rule = points_rule_parse(r->params[0]), .in = {.active = true},
                        .actor = r->who.user_id};
    if (x.rule < 0)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no points rule %s", r->params[0]);
    struct target everywhere = {0};
    if (http_authorize_visible_or_reply(r, ACT_POINTS_WRITE, &everywhere) < 0 ||
        http_parse_body_or_reply(r, api_point_rule_spec, &x.in, NULL) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, put_txn, &x);
    if (rc < 0)
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    return http_reply_json(r, 200, rule_json(&x.rc, x.rule));
}

/* ---- the ranking ----------------------------------------------------------------------------- */

struct member {
    int64_t id, total;
    char name[128], role[16], region[REGION_CODE_BUFLEN];
    const int64_t *counts;
};

struct rank_ctx {
    struct http_req *r;
    const char *prefix, *role;
    int64_t from, to;
    struct points_sheet sheet;
    struct member *m;
    size_t n, cap;
};

static int keep_member(void *cls, int64_t id, const char *name, const char *role,
                       const char *region)
{
    struct rank_ctx *x = cls;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 128;
        struct member *m = realloc(x->m, cap * sizeof *m);
        if (!m)
            return DB_ERROR;
        x->m = m;
        x->cap = cap;
    }
    struct member *m = &x->m[x->n++];
    *m = (struct member){.id = id};
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->role, sizeof m->role, "%s", role);
    snprintf(m->region, sizeof m->region, "%s", region ? region : "");
    return 0;
}

static int rank_txn(struct db_conn *c, void *cls)
{
    struct rank_ctx *x = cls;
    x->n = 0;
    int rc = api_points_sheet(c, x->from, x->to, &x->sheet);
    return rc < 0 ? rc : db_region_members(c, x->prefix, x->role, keep_member, x);
}

static int by_points(const void *a, const void *b)
{
    const struct member *p = a, *q = b;
    if (p->total != q->total)
        return p->total > q->total ? -1 : 1;
    return (p->id > q->id) - (p->id < q->id);
}

enum MHD_Result api_points_ranking(struct http_req *r)
{
    struct rank_ctx x = {.r = r};
    int format;
    char buf[REGION_CODE_BUFLEN];
    int64_t limit = RANKING_DEFAULT;
    int year = api_year_of(r, (int64_t)time(NULL));
    x.from = api_year_start(r, year);
    x.to = api_year_start(r, year + 1);
    if (api_format_or_reply(r, &format) < 0 ||
        api_region_param_or_reply(r, "region", buf, &x.prefix) < 0 ||
        api_time_param_or_reply(r, "from", &x.from) < 0 ||
        api_time_param_or_reply(r, "to", &x.to) < 0 ||
        api_int_param_or_reply(r, "limit", 1, RANKING_MAX, &limit) < 0)
        return r->result;
    if (x.to <= x.from)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "to", "to must come after from");
    x.role = http_query(r, "role");
    if (x.role && role_parse(x.role) < 0)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "role", "no role %s", x.role);
    /* Without ?region: the widest area the caller's grants cover. */
    const char *code = http_query(r, "region");
    if (!x.prefix) {
        const struct grant *own = NULL;
        for (size_t i = 0; i < r->who.ngrants; i++) {
            const struct grant *g = &r->who.grants[i];
            if (role_can(g->role, ACT_POINTS_READ) && (!own || !g->region))
                own = g;
        }
        code = own ? own->region : NULL; /* NULL: everywhere */
        x.prefix = code && region_prefix(code, buf) ? buf : "";
    }
    struct target t = {.region = code};
    if (http_authorize_visible_or_reply(r, ACT_POINTS_READ, &t) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, rank_txn, &x);
    if (rc < 0) {
        api_points_sheet_free(&x.sheet);
        free(x.m);
        return api_reply_db_error(r, rc);
    }
    static const int64_t zero[POINTS_NRULES];
    for (size_t i = 0; i < x.n; i++) {
        const struct points_row *row = api_points_find(&x.sheet, x.m[i].id);
        x.m[i].total = row ? row->total : 0;
        x.m[i].counts = row ? row->counts : zero;
    }
    qsort(x.m, x.n, sizeof *x.m, by_points);
    double *totals = malloc((x.n + 1) * sizeof *totals);
    int64_t *ranks = malloc((x.n + 1) * sizeof *ranks);
    for (size_t i = 0; totals && i < x.n; i++)
        totals[i] = (double)x.m[i].total;
    if (totals && ranks)
        rank_competition(totals, x.n, ranks);
    size_t shown = format == EXPORT_JSON && (size_t)limit < x.n ? (size_t)limit : x.n;
    json_t *items = json_array();
    for (size_t i = 0; totals && ranks && i < shown; i++) {
        const struct member *m = &x.m[i];
        int role = role_parse(m->role);
        if (format == EXPORT_JSON) {
            json_t *deeds = json_object();
            for (int k = 0; k < POINTS_NRULES; k++)
                json_object_set_new(deeds, points_rules[k].code, json_integer(m->counts[k]));
            json_array_append_new(
                items, json_pack("{s:I, s:{s:I, s:s}, s:s, s:o, s:I, s:o}", "rank",
                                 (json_int_t)ranks[i], "user", "id", (json_int_t)m->id, "name",
                                 m->name, "role", m->role, "region",
                                 m->region[0] ? json_string(m->region) : json_null(), "points",
                                 (json_int_t)m->total, "deeds", deeds));
        } else {
            json_t *row = json_pack("[I, s, s, s, I]", (json_int_t)ranks[i], m->name,
                                    role_name_zh((enum role)role), m->region,
                                    (json_int_t)m->total);
            for (int k = 0; k < POINTS_NRULES; k++)
                json_array_append_new(row, json_integer(m->counts[k]));
            json_array_append_new(items, row);
        }
    }
    size_t total_people = x.n;
    json_t *rules = json_array();
    for (int k = 0; k < POINTS_NRULES; k++)
        json_array_append_new(rules, json_pack("{s:s, s:s, s:I, s:b}", "code", points_rules[k].code,
                                               "name", points_rules[k].zh, "points",
                                               (json_int_t)x.sheet.value[k], "active",
                                               x.sheet.active[k]));
    free(totals);
    free(ranks);
    free(x.m);
    api_points_sheet_free(&x.sheet);
    if (!totals || !ranks) {
        json_decref(items);
        json_decref(rules);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    if (format != EXPORT_JSON) {
        const char *headers[5 + POINTS_NRULES] = {"排名", "姓名", "角色", "所在区域", "积分"};
        for (int k = 0; k < POINTS_NRULES; k++)
            headers[5 + k] = points_rules[k].zh;
        json_decref(rules);
        return api_reply_export(r, format, "积分排名", headers, 5 + POINTS_NRULES, items,
                                "points-ranking");
    }
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:o, s:o, s:I, s:o, s:o}", "region",
                                     code ? json_string(code) : json_null(), "from",
                                     api_time(r, x.from), "to", api_time(r, x.to), "people",
                                     (json_int_t)total_people, "rules", rules, "items", items));
}

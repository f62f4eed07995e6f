/*
 * /api/v1/opinions: opinions and ideas (民意/金点子, DESIGN.md
 * "Participation") heard through six channels. Each is written down with
 * its channel, category and region, then replied to, adopted, not adopted
 * (with the reasons) or turned into a case (the case names the opinion it
 * came from, and the opinion its case). Every step writes the opinion, its
 * timeline and the audit chain in one transaction and tells the author.
 */
#include "api/api.h"
#include "api/caseflow.h"
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

static struct target opinion_target(const struct http_req *r, const struct db_opinion *o)
{
    return (struct target){.region = o->region_code,
                           .linked = o->author_user_id && o->author_user_id == r->who.user_id};
}

static bool may(const struct http_req *r, enum action a, const struct db_opinion *o)
{
    struct target t = opinion_target(r, o);
    return authz_decide(r->who.grants, r->who.ngrants, a, &t) == AUTHZ_ALLOW;
}

/* Whether the caller may take action a on o now (the state allows it and
 * their role reaches it; turning into a case also needs the right to
 * report a case there). */
static bool may_act(const struct http_req *r, enum opinion_action a, const struct db_opinion *o)
{
    int s = vocab_parse(opinion_states, OS__COUNT, o->state);
    if (s < 0 || opinion_next_state(a, (enum opinion_state)s) < 0 ||
        !may(r, ACT_OPINION_DECIDE, o))
        return false;
    return a != OA_TO_CASE || may(r, ACT_CASE_REPORT, o);
}

static json_t *vocab_json(const struct vocab *v, size_t n, const char *name)
{
    int i = vocab_parse(v, n, name);
    return json_string(i < 0 ? name : v[i].zh);
}

static json_t *opinion_json(const struct http_req *r, const struct db_opinion *o)
{
    json_t *actions = json_array();
    for (int a = 0; a < OA__COUNT; a++)
        if (may_act(r, (enum opinion_action)a, o))
            json_array_append_new(actions, json_string(opinion_actions[a].name));
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:s, s:o,"
        " s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
        "id", (json_int_t)o->id, "code", o->code, "kind", o->kind, "kind_zh",
        vocab_json(opinion_kinds, VOCAB_N(opinion_kinds), o->kind), "channel", o->channel,
        "channel_zh", vocab_json(opinion_channels, VOCAB_N(opinion_channels), o->channel),
        "category", o->category, "category_zh",
        vocab_json(opinion_categories, VOCAB_N(opinion_categories), o->category), "body", o->body,
        "region", "code", o->region_code, "name", o->region_name, "author_name", o->author_name,
        "author_user_id", o->author_user_id ? json_integer(o->author_user_id) : json_null(),
        "recorded_by", api_user_ref(o->recorded_by, o->recorded_by_name), "state", o->state,
        "state_zh", vocab_json(opinion_states, OS__COUNT, o->state), "reply", o->reply,
        "decided_by", api_user_ref(o->decided_by, o->decided_by_name), "decided_at",
        api_time_or_null(r, o->decided_at), "case",
        o->case_id ? json_pack("{s:I, s:s}", "id", (json_int_t)o->case_id, "code",
                               o->case_code ? o->case_code : "")
                   : json_null(),
        "visit_id", o->visit_id ? json_integer(o->visit_id) : json_null(), "created_at",
        api_time(r, o->created_at), "version", (json_int_t)o->version, "actions", actions);
}

/* ---- one opinion ------------------------------------------------------------------------- */

struct view {
    struct http_req *r;
    int64_t id;
    bool found, visible;
    struct target t;
    json_t *out;
};

static int keep_view(void *cls, const struct db_opinion *o)
{
    struct view *v = cls;
    v->found = true;
    v->visible = may(v->r, ACT_OPINION_READ, o);
    v->t = opinion_target(v->r, o);
    v->t.region = NULL; /* dies with the row; only the verdict is kept */
    if (v->visible)
        v->out = opinion_json(v->r, o);
    return 1;
}

static int view_txn(struct db_conn *c, void *cls)
{
    struct view *v = cls;
    v->found = v->visible = false;
    json_decref(v->out);
    v->out = NULL;
    int rc = db_opinion_get(c, v->id, keep_view, v);
    if (rc <= 0 || !v->visible)
        return rc;
    struct api_timeline tl = api_timeline(v->r, v->out);
    return db_participation_events(c, "opinion", v->id, api_add_event, &tl);
}

enum MHD_Result api_opinions_get(struct http_req *r)
{
    struct view v = {.r = r};
    if (http_param_id_or_reply(r, 0, &v.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, view_txn, &v);
    return api_reply_one(r, rc, v.out, v.found, v.visible, ACT_OPINION_READ, &v.t, "opinion", v.id);
}

/* ---- lists, counts and the export ------------------------------------------------------ */

struct list_ctx {
    struct http_req *r;
    struct db_opinion_filter f;
    char prefixes[DB_MAX_SCOPES][REGION_CODE_BUFLEN];
    char region[REGION_CODE_BUFLEN];
    int format, key_len;
    json_t *items;
    int64_t last_id;
};

static int filters_or_reply(struct http_req *r, struct list_ctx *l, int64_t limit)
{
    struct db_opinion_filter *f = &l->f;
    f->limit = limit;
    bool linked = false;
    const char *scopes[DB_MAX_SCOPES];
    size_t n = api_scope_prefixes(r, ACT_OPINION_READ, l->prefixes, scopes, DB_MAX_SCOPES,
                                  &linked);
    if (n == 0 && !linked) {
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "your role cannot see opinions");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        f->scopes[i] = scopes[i];
    f->author = linked ? r->who.user_id : 0;
    f->text = http_query(r, "q");
    if (api_vocab_param_or_reply(r, "state", opinion_states, OS__COUNT, &f->state) < 0 ||
        api_vocab_param_or_reply(r, "kind", opinion_kinds, VOCAB_N(opinion_kinds), &f->kind) < 0 ||
        api_vocab_param_or_reply(r, "channel", opinion_channels, VOCAB_N(opinion_channels),
                             &f->channel) < 0 ||
        api_vocab_param_or_reply(r, "category", opinion_categories, VOCAB_N(opinion_categories),
                             &f->category) < 0 ||
        api_region_param_or_reply(r, "region", l->region, &f->region) < 0 ||
        api_time_param_or_reply(r, "from", &f->from) < 0 ||
        api_time_param_or_reply(r, "to", &f->to) < 0 ||
        api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &f->before_id) < 0 ||
        api_int_param_or_reply(r, "limit", 1, PAGE_MAX, &f->limit) < 0)
        return -1;
    return 0;
}

static const char *const export_headers[] = {
    "编号", "类型", "渠道", "类别", "内容", "所在地区", "反映人", "记录人", "记录时间",
    "状态", "答复或理由", "办理人", "办理时间", "转办案件",
};
#define EXPORT_NCOLS (sizeof export_headers / sizeof export_headers[0])

static int add_opinion(void *cls, const struct db_opinion *o)
{
    struct list_ctx *l = cls;
    l->last_id = o->id;
    if (l->format == EXPORT_JSON) {
        json_array_append_new(l->items, opinion_json(l->r, o));
        return 0;
    }
    json_t *row = json_pack(
        "[s, o, o, o, s, s, s, s, o, o, s, s, o, s]", o->code,
        vocab_json(opinion_kinds, VOCAB_N(opinion_kinds), o->kind),
        vocab_json(opinion_channels, VOCAB_N(opinion_channels), o->channel),
        vocab_json(opinion_categories, VOCAB_N(opinion_categories), o->category), o->body,
        o->region_name, o->author_name, o->recorded_by_name, api_local_time(l->r, o->created_at),
        vocab_json(opinion_states, OS__COUNT, o->state), o->reply,
        o->decided_by_name ? o->decided_by_name : "", api_local_time(l->r, o->decided_at),
        o->case_code ? o->case_code : "");
    return row ? json_array_append_new(l->items, row), 0 : DB_ERROR;
}

static int list_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_array_clear(l->items);
    return db_opinions_list(c, &l->f, add_opinion, l);
}

enum MHD_Result api_opinions_list(struct http_req *r)
{
    struct list_ctx l = {.r = r};
    if (api_format_or_reply(r, &l.format) < 0 || filters_or_reply(r, &l, PAGE_DEFAULT) < 0)
        return r->result;
    l.items = json_array();
    struct api_pager p = {list_txn, &l, &l.items, &l.f.before_id, &l.f.limit, &l.last_id};
    return api_reply_list(r, l.format, &p, "民意台账", export_headers, EXPORT_NCOLS, "opinions");
}

/* Counts per channel (all six, zeros included) and per child region. */
static json_t *count_row(const char *key, const char *key_name, const char *label)
{
    json_t *row = json_pack("{s:s, s:I}", key_name, key, "total", (json_int_t)0);
    if (label)
        json_object_set_new(row, strcmp(key_name, "channel") == 0 ? "channel_zh" : "name",
                            json_string(label));
    for (int s = 0; s < OS__COUNT; s++)
        json_object_set_new(row, opinion_states[s].name, json_integer(0));
    return row;
}

static void count_add(json_t *row, const char *state, int64_t n)
{
    json_object_set_new(row, state, json_integer(json_integer_value(json_object_get(row, state)) + n));
    json_object_set_new(row, "total",
                        json_integer(json_integer_value(json_object_get(row, "total")) + n));
}

static int add_channel_count(void *cls, const char *key, const char *name, const char *state,
                             int64_t n)
{
    (void)name;
    json_t *rows = cls;
    int i = vocab_parse(opinion_channels, VOCAB_N(opinion_channels), key);
    if (i >= 0)
        count_add(json_array_get(rows, (size_t)i), state, n);
    return 0;
}

static int add_region_count(void *cls, const char *key, const char *name, const char *state,
                            int64_t n)
{
    json_t *rows = cls;
    size_t last = json_array_size(rows);
    json_t *row = last ? json_array_get(rows, last - 1) : NULL;
    if (!row || strcmp(json_string_value(json_object_get(row, "code")), key) != 0) {
        row = count_row(key, "code", name);
        json_array_append_new(rows, row);
    }
    count_add(row, state, n);
    return 0;
}

static int stats_txn(struct db_conn *c, void *cls)
{
    struct list_ctx *l = cls;
    json_t *channels = json_object_get(l->items, "by_channel");
    json_t *regions = json_object_get(l->items, "by_region");
    json_array_clear(channels);
    json_array_clear(regions);
    for (size_t i = 0; i < VOCAB_N(opinion_channels); i++)
        json_array_append_new(channels, count_row(opinion_channels[i].name, "channel",
                                                  opinion_channels[i].zh));
    int rc = db_opinions_stats(c, &l->f, 0, add_channel_count, channels);
    if (rc >= 0)
        rc = db_opinions_stats(c, &l->f, l->key_len, add_region_count, regions);
    return rc;
}

enum MHD_Result api_opinions_stats(struct http_req *r)
{
    struct list_ctx l = {.r = r};
    if (filters_or_reply(r, &l, 0) < 0)
        return r->result;
    /* Regions one level below the one asked about (a grid counts alone). */
    size_t len = l.f.region ? strlen(l.f.region) : 0;
    l.key_len = len == 0 ? 6 : len >= 12 ? 15 : (int)len + 3;
    l.items = json_pack("{s:[], s:[]}", "by_channel", "by_region");
    int rc = db_run_transaction(r->app->db, DB_READ, stats_txn, &l);
    if (rc < 0) {
        json_decref(l.items);
        return api_reply_db_error(r, rc);
    }
    int64_t total = 0;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(l.items, "by_channel"), i, row)
        total += json_integer_value(json_object_get(row, "total"));
    json_object_set_new(l.items, "total", json_integer(total));
    json_object_set_new(l.items, "region", l.f.region ? json_string(http_query(r, "region"))
                                                      : json_null());
    return http_reply_json(r, 200, l.items);
}

/* ---- writing: timeline, audit, notices --------------------------------------------------- */

static int record(struct db_conn *c, const struct db_opinion *o, int64_t actor,
                  const char *action, const char *from_state, const char *note, json_t *data,
                  int64_t now)
{
    struct db_event ev = {.subject_id = o->id, .at = now, .actor_user_id = actor,
                          .action = action, .from_state = from_state, .to_state = o->state,
                          .note = note};
    return flow_record(c, db_opinion_event_insert, "opinion", &ev, o->code, NULL, data);
}

static struct flow_notice opinion_notice(const struct db_opinion *o, const char *kind,
                                         const char *title, int64_t now)
{
    return (struct flow_notice){"opinion", o->id, o->code, kind, title, o->body, now};
}

int api_opinion_record(struct db_conn *c, struct http_req *r, struct opinion_record *in,
                       struct api_fail *f)
{
    int64_t now = (int64_t)time(NULL);
    char place[128];
    int rc = api_place_name(c, in->region_code, place, sizeof place);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(f, GL_ERR_INVALID_VALUE, "region_code", "no region or grid %s",
                        in->region_code);
    struct target t = {.region = in->region_code};
    switch (authz_decide(r->who.grants, r->who.ngrants, ACT_OPINION_RECORD, &t)) {
    case AUTHZ_ALLOW:
        break;
    case AUTHZ_HIDDEN:
        return api_fail(f, GL_ERR_FORBIDDEN, "region_code", "%s is outside the area you serve",
                        place);
    default:
        return api_fail(f, GL_ERR_FORBIDDEN, NULL, "your role cannot record opinions");
    }
    char prefix[32];
    api_day_code_prefix(r, "YJ", in->region_code, now, prefix);
    int64_t seq = 0;
    rc = db_opinion_count_on(c, prefix, &seq);
    if (rc < 0)
        return rc;
    snprintf(in->code, sizeof in->code, "%s%04lld", prefix, (long long)seq + 1);
    struct db_opinion o = {
        .code = in->code, .kind = in->kind, .channel = in->channel, .category = in->category,
        .body = in->body, .region_code = in->region_code, .author_name = in->author_name,
        .author_user_id = in->author_user_id, .recorded_by = r->who.user_id,
        .visit_id = in->visit_id, .state = "new",
    };
    rc = db_opinion_insert(c, &o, now, &o.id);
    if (rc < 0)
        return rc;
    in->id = o.id;
    json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "kind", in->kind, "channel", in->channel,
                             "category", in->category, "region", in->region_code);
    if (in->visit_id)
        json_object_set_new(data, "visit_id", json_integer(in->visit_id));
    rc = record(c, &o, r->who.user_id, "record", NULL, NULL, data, now);
    json_decref(data);
    if (rc < 0)
        return rc;
    char title[256];
    snprintf(title, sizeof title, "新%s（%s）：%s",
             strcmp(in->kind, "idea") == 0 ? "金点子" : "群众意见", place, in->code);
    struct flow_notice n = opinion_notice(&o, "opinion_new", title, now);
    rc = flow_tell_nearest(c, &n, "dispatcher", in->region_code, r->who.user_id);
    return rc < 0 ? rc : 1;
}

/* ---- recording ------------------------------------------------------------------------------ */

struct opinion_in {
    const char *kind, *channel, *category, *body, *region_code, *author_name;
};

const struct jspec api_opinion_create_spec[] = {
    JSPEC_STR(struct opinion_in, kind, "kind", 4, 8, 0, "opinion (民意, default) or idea (金点子)"),
    JSPEC_STR(struct opinion_in, channel, "channel", 4, 12, 0,
              "how it was heard: collection, meeting, letter, visit, phone, online"
              " (residents: online, the default for them)"),
    JSPEC_STR(struct opinion_in, category, "category", 4, 16, JSPEC_REQUIRED,
              "development, infrastructure, environment, livelihood, safety, conduct, other"),
    JSPEC_STR(struct opinion_in, body, "body", 2, 2000, JSPEC_REQUIRED, "what was said"),
    JSPEC_STR(struct opinion_in, region_code, "region_code", 12, 15, 0,
              "the region or grid it concerns (residents: their own region by default)"),
    JSPEC_STR(struct opinion_in, author_name, "author_name", 1, 32, 0,
              "who raised it, when written down for someone"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    struct opinion_record rec;
    struct view out;
    struct api_fail fail;
};

static int create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    int rc = api_opinion_record(c, x->r, &x->rec, &x->fail);
    if (rc < 0)
        return rc;
    x->out.id = x->rec.id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_opinions_create(struct http_req *r)
{
    struct opinion_in in = {.kind = "opinion"};
    if (http_parse_body_or_reply(r, api_opinion_create_spec, &in, NULL) < 0)
        return r->result;
    /* A resident writes their own opinions, online, about their own region. */
    const struct grant *resident = api_resident_grant(r);
    if (resident) {
        if (in.channel && strcmp(in.channel, "online") != 0)
            return http_reply_error(r, GL_ERR_INVALID_VALUE, "channel",
                                    "what you write yourself comes in online");
        in.channel = "online";
        if (!in.region_code)
            in.region_code = resident->region;
    }
    if (!in.channel)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "channel",
                                "say how it was heard: collection, meeting, letter, visit,"
                                " phone or online");
    if (!in.region_code)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "region_code",
                                "give the region or grid it concerns");
    if (vocab_parse(opinion_kinds, VOCAB_N(opinion_kinds), in.kind) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "kind", "kind must be opinion or idea");
    if (vocab_parse(opinion_channels, VOCAB_N(opinion_channels), in.channel) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "channel",
                                "channel must be collection, meeting, letter, visit, phone or"
                                " online");
    if (vocab_parse(opinion_categories, VOCAB_N(opinion_categories), in.category) < 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "category",
                                "category must be development, infrastructure, environment,"
                                " livelihood, safety, conduct or other");
    struct create_ctx x = {
        .r = r, .out = {.r = r},
        .rec = {.kind = in.kind, .channel = in.channel, .category = in.category,
                .body = in.body, .region_code = in.region_code,
                .author_name = resident ? r->who.display_name : in.author_name,
                .author_user_id = resident ? r->who.user_id : 0},
    };
    int rc = db_run_transaction(r->app->db, DB_WRITE, create_txn, &x);
    return api_reply_txn(r, rc, x.out.out, &x.fail, 201);
}

/* ---- deciding ------------------------------------------------------------------------------- */

struct act_in {
    int64_t if_version;
    const char *reply, *category, *grid_code, *address;
    double lat, lng;
};

const struct jspec api_opinion_action_spec[] = {
    JSPEC_INT(struct act_in, if_version, "if_version", 1, INT64_MAX, JSPEC_REQUIRED,
              "the version you read"),
    JSPEC_STR(struct act_in, reply, "reply", 2, 2000, 0,
              "the answer (reply, adopt) or the reasons (reject); to_case fills one in"),
    JSPEC_STR(struct act_in, category, "category", 2, 8, 0,
              "to_case: the case category code (see /api/v1/categories)"),
    JSPEC_STR(struct act_in, grid_code, "grid_code", 15, 15, 0,
              "to_case: the grid, unless the opinion is about one grid or lat/lng is given"),
    JSPEC_NUM(struct act_in, lat, "lat", 0, "to_case: latitude of the problem"),
    JSPEC_NUM(struct act_in, lng, "lng", 0, "to_case: longitude of the problem"),
    JSPEC_STR(struct act_in, address, "address", 0, 128, 0, "to_case: where, in words"),
    JSPEC_END,
};

/* What a decision needs of the opinion, copied out of its row. */
struct loaded {
    bool found, visible, decide, report;
    char code[64], state[16], region[REGION_CODE_BUFLEN], region_name[128], author_name[64];
    char *body;
    int64_t author, recorded_by, version;
};

struct act_ctx {
    struct http_req *r;
    int64_t id;
    enum opinion_action a;
    struct act_in in;
    bool has_location;
    struct loaded o;
    struct case_report rep;
    struct view out;
    struct api_fail fail;
};

static int keep_opinion(void *cls, const struct db_opinion *o)
{
    struct act_ctx *x = cls;
    struct loaded *l = &x->o;
    l->found = true;
    l->visible = may(x->r, ACT_OPINION_READ, o);
    l->decide = may(x->r, ACT_OPINION_DECIDE, o);
    l->report = may(x->r, ACT_CASE_REPORT, o);
    snprintf(l->code, sizeof l->code, "%s", o->code);
    snprintf(l->state, sizeof l->state, "%s", o->state);
    snprintf(l->region, sizeof l->region, "%s", o->region_code);
    snprintf(l->region_name, sizeof l->region_name, "%s", o->region_name);
    snprintf(l->author_name, sizeof l->author_name, "%s", o->author_name);
    free(l->body);
    l->body = strdup(o->body);
    l->author = o->author_user_id;
    l->recorded_by = o->recorded_by;
    l->version = o->version;
    return l->body ? 1 : DB_ERROR;
}

/* The refusals, in the order the case loop gives them; 0 when it may go on. */
static int check(struct act_ctx *x)
{
    const struct loaded *l = &x->o;
    const char *act = opinion_actions[x->a].name;
    int s = vocab_parse(opinion_states, OS__COUNT, l->state);
    if (!l->found || !l->visible)
        return api_fail(&x->fail, GL_ERR_NOT_FOUND, NULL, "no opinion %lld", (long long)x->id);
    if (!l->decide)
        return api_fail(&x->fail, GL_ERR_FORBIDDEN, NULL,
                        "your role or scope may not %s this opinion", act);
    if (x->in.if_version != l->version)
        return api_fail(&x->fail, GL_ERR_VERSION_CONFLICT, "if_version",
                        "opinion %s was changed by someone else and is now at version %lld (%s);"
                        " reload it and decide again",
                        l->code, (long long)l->version, l->state);
    if (s < 0 || opinion_next_state(x->a, (enum opinion_state)s) < 0)
        return api_fail(&x->fail, GL_ERR_INVALID_TRANSITION, NULL,
                        "cannot %s opinion %s: it is %s (%s)", act, l->code, l->state,
                        s < 0 ? "?" : opinion_states[s].zh);
    if (x->a == OA_TO_CASE && !x->rep.grid_code && !x->has_location &&
        region_level_of(l->region) != LEVEL_GRID)
        return api_fail(&x->fail, GL_ERR_MISSING_FIELD, "grid_code",
                        "opinion %s concerns %s, not one grid: give grid_code or lat/lng",
                        l->code, l->region_name);
    return 0;
}

/* to_case: reports the case (in the opinion's grid unless told otherwise). */
static int report_case(struct db_conn *c, struct act_ctx *x, json_t *data)
{
    const struct loaded *l = &x->o;
    if (!x->rep.grid_code && !x->has_location)
        x->rep.grid_code = l->region;
    x->rep.description = l->body;
    x->rep.channel = "other";
    x->rep.reporter_name = l->author_name[0] ? l->author_name : NULL;
    x->rep.origin = "opinion";
    x->rep.origin_id = x->id;
    int rc = api_case_report(c, x->r, &x->rep, &x->fail);
    if (rc < 0)
        return rc;
    json_object_set_new(data, "case_id", json_integer(x->rep.id));
    json_object_set_new(data, "case_code", json_string(x->rep.code));
    return 0;
}

static int act_txn(struct db_conn *c, void *cls)
{
    struct act_ctx *x = cls;
    int64_t now = (int64_t)time(NULL);
    int64_t actor = x->r->who.user_id;
    const struct loaded *l = &x->o;
    x->o.found = false;
    int rc = db_opinion_get(c, x->id, keep_opinion, x);
    if (rc < 0 || (rc = check(x)) < 0)
        return rc;
    json_t *data = json_object();
    if (x->a == OA_TO_CASE && (rc = report_case(c, x, data)) < 0) {
        json_decref(data);
        return rc;
    }
    char reply[256];
    int from = vocab_parse(opinion_states, OS__COUNT, l->state);
    struct db_opinion o = {
        .id = x->id, .code = l->code, .region_code = l->region, .body = l->body,
        .author_user_id = l->author, .reply = x->in.reply, .decided_by = actor,
        .decided_at = now, .case_id = x->a == OA_TO_CASE ? x->rep.id : 0,
        .state = opinion_states[opinion_next_state(x->a, (enum opinion_state)from)].name,
    };
    if (!o.reply) { /* to_case: the answer says where it went */
        snprintf(reply, sizeof reply, "已转为案件 %s 办理", x->rep.code);
        o.reply = reply;
    }
    rc = db_opinion_save(c, &o, x->in.if_version, now);
    if (rc == 0)
        rc = api_version_fail(c, "SELECT version FROM opinions WHERE id = $1", o.id, "opinion",
                              &x->fail);
    if (rc >= 0)
        rc = record(c, &o, actor, opinion_actions[x->a].name, l->state, o.reply, data, now);
    json_decref(data);
    if (rc < 0)
        return rc;
    char title[192];
    snprintf(title, sizeof title, "您反映的意见 %s %s", l->code,
             x->a == OA_REPLY     ? "已答复"
             : x->a == OA_TO_CASE ? "已转为案件办理"
             : x->a == OA_ADOPT   ? "已被采纳"
                                  : "未被采纳（附理由）");
    struct flow_notice n = opinion_notice(&o, "opinion_decided", title, now);
    if (l->author && l->author != actor)
        rc = flow_tell(c, &n, l->author);
    if (rc >= 0 && l->recorded_by != actor && l->recorded_by != l->author)
        rc = flow_tell(c, &n, l->recorded_by);
    if (rc < 0)
        return rc;
    x->out.id = x->id;
    return view_txn(c, &x->out);
}

enum MHD_Result api_opinions_act(struct http_req *r)
{
    struct act_ctx x = {.r = r, .out = {.r = r}};
    int a = api_id_action_or_reply(r, &x.id, opinion_actions, OA__COUNT);
    if (a < 0)
        return r->result;
    x.a = (enum opinion_action)a;
    uint64_t given;
    if (http_parse_body_or_reply(r, api_opinion_action_spec, &x.in, &given) < 0)
        return r->result;
    static const char *const case_fields[] = {"category", "grid_code", "lat", "lng", "address"};
    for (size_t i = 0; x.a != OA_TO_CASE && i < sizeof case_fields / sizeof *case_fields; i++)
        if (jspec_given(api_opinion_action_spec, given, case_fields[i]))
            return http_reply_error(r, GL_ERR_UNKNOWN_FIELD, case_fields[i],
                                    "%s applies to to_case only", case_fields[i]);
    if (x.a != OA_TO_CASE && !x.in.reply)
        return http_reply_error(r, GL_ERR_MISSING_FIELD, "reply",
                                x.a == OA_REJECT ? "reject needs reply: the reasons it is not"
                                                   " adopted"
                                                 : "%s needs reply: the answer",
                                opinion_actions[x.a].name);
    x.has_location = jspec_given(api_opinion_action_spec, given, "lat");
    if (x.a == OA_TO_CASE) {
        if (!x.in.category)
            return http_reply_error(r, GL_ERR_MISSING_FIELD, "category",
                                    "to_case needs the case category");
        if (x.has_location != jspec_given(api_opinion_action_spec, given, "lng"))
            return http_reply_error(r, GL_ERR_MISSING_FIELD, "lng", "give lat and lng together");
        if (x.has_location && (!isfinite(x.in.lat) || fabs(x.in.lat) > 90 ||
                               !isfinite(x.in.lng) || fabs(x.in.lng) > 180))
            return http_reply_error(r, GL_ERR_OUT_OF_RANGE, "lat",
                                    "lat must be within ±90 and lng within ±180");
        x.rep = (struct case_report){.category = x.in.category, .grid_code = x.in.grid_code,
                                     .address = x.in.address, .lat = x.in.lat, .lng = x.in.lng,
                                     .has_location = x.has_location};
    }
    int rc = db_run_transaction(r->app->db, DB_WRITE, act_txn, &x);
    free(x.o.body);
    if (rc < 0) {
        json_decref(x.out.out);
        return rc == DB_ABORT ? api_reply_fail(r, &x.fail) : api_reply_db_error(r, rc);
    }
    if (x.a == OA_TO_CASE)
        events_publish(&x.rep.ev);
    return http_reply_json(r, 200, x.out.out);
}

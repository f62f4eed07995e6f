/*
 * The case loop's write path; see caseflow.h.
 */
#include "api/caseflow.h"
#include "api/api.h"
#include "api/votes.h"
#include "core/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading ------------------------------------------------------------------- */

static char *own(struct case_rec *rec, const char *s)
{
    if (!s || rec->nown == sizeof rec->own / sizeof rec->own[0])
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        abort();
    rec->own[rec->nown++] = copy;
    return copy;
}

static int keep_case(void *cls, const struct db_case *k)
{
    struct case_rec *rec = cls;
    rec->k = *k;
    rec->k.reporter_phone = NULL; /* sealed bytes are not needed to change a case */
    rec->k.reporter_phone_len = 0;
    const char **fields[] = {
        &rec->k.code, &rec->k.state, &rec->k.grid_code, &rec->k.description, &rec->k.address,
        &rec->k.channel, &rec->k.reporter_name, &rec->k.level, &rec->k.rating,
        &rec->k.rating_comment, &rec->k.supervise_note, &rec->k.category_code,
        &rec->k.category_name, &rec->k.dept_name, &rec->k.grid_name,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = own(rec, *fields[i]);
    return 1;
}

int caseflow_load(struct db_conn *c, int64_t id, struct case_rec *out)
{
    caseflow_free(out);
    return db_case_get(c, id, keep_case, out);
}

void caseflow_free(struct case_rec *rec)
{
    for (size_t i = 0; i < rec->nown; i++)
        free(rec->own[i]);
    *rec = (struct case_rec){0};
}

/* ---- the clock ------------------------------------------------------------------ */

struct case_clock caseflow_clock(const struct db_case *k)
{
    return (struct case_clock){k->stage_started_at, k->stage_limit_s, k->yellow_at,
                               k->deadline_at, k->warn};
}

void caseflow_set_clock(struct db_case *k, const struct case_clock *clk)
{
    k->stage_started_at = clk->started_at;
    k->stage_limit_s = clk->limit_s;
    k->yellow_at = clk->yellow_at;
    k->deadline_at = clk->deadline_at;
    k->warn = clk->warn;
}

int caseflow_calendar(struct db_conn *c, int offset_min, int64_t now, struct wt_calendar *cal,
                      struct wt_exception **ex)
{
    /* A year back covers stages that began before a long outage. */
    struct wt_calendar tmp;
    wt_default(&tmp);
    tmp.offset_min = offset_min;
    return db_calendar_load(c, cal, offset_min, ex, wt_local_day(&tmp, now) - 366);
}

/* ---- writing ----------------------------------------------------------------------- */

int flow_record(struct db_conn *c, int (*insert)(struct db_conn *, const struct db_event *),
                const char *subject, const struct db_event *ev, const char *code,
                const char *level, json_t *data)
{
    char *event_data = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct db_event e = *ev;
    e.data = event_data;
    int rc = insert(c, &e);
    free(event_data);
    if (rc < 0)
        return rc;
    json_t *audit = data ? json_deep_copy(data) : json_object();
    json_object_set_new(audit, "code", json_string(code));
    json_object_set_new(audit, "from", ev->from_state ? json_string(ev->from_state) : json_null());
    json_object_set_new(audit, "to", json_string(ev->to_state));
    if (level)
        json_object_set_new(audit, "level", json_string(level));
    json_object_set_new(audit, "note", json_string(ev->note ? ev->note : ""));
    char *text = json_dumps(audit, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(audit);
    char what[48];
    snprintf(what, sizeof what, "%s.%s", subject, ev->action);
    rc = text ? db_audit_append(c, ev->actor_user_id, what, subject, ev->subject_id, text, ev->at)
              : DB_ERROR;
    free(text);
    return rc;
}

static int record(struct db_conn *c, const struct db_case *k, int64_t actor, const char *action,
                  const char *from_state, const char *note, json_t *data, int64_t now)
{
    struct db_event e = {
        .subject_id = k->id, .at = now, .actor_user_id = actor, .action = action,
        .from_state = from_state, .to_state = k->state, .note = note,
    };
    return flow_record(c, db_case_event_insert, "case", &e, k->code, k->level, data);
}

int caseflow_commit(struct db_conn *c, struct db_case *k, int64_t if_version, int64_t actor,
                    const char *action, const char *from_state, const char *note, json_t *data,
                    int64_t now)
{
    int64_t v = if_version ? if_version : k->version;
    int rc = db_case_save(c, k, v, now);
    if (rc <= 0)
        return rc;
    k->version = v + 1;
    k->updated_at = now;
    rc = record(c, k, actor, action, from_state, note, data, now);
    return rc < 0 ? rc : 1;
}

int caseflow_note(struct db_conn *c, const struct db_case *k, int64_t actor, const char *action,
                  const char *note, json_t *data, int64_t now)
{
    return record(c, k, actor, action, NULL, note, data, now);
}

/* ---- telling people --------------------------------------------------------------- */

/* Cuts a UTF-8 sequence that snprintf truncation left incomplete at the end. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* continuation bytes */
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

int flow_tell(struct db_conn *c, const struct flow_notice *n, int64_t user_id)
{
    char title[256], body[512];
    snprintf(title, sizeof title, "%s", n->title);
    utf8_trim(title);
    snprintf(body, sizeof body, "%s", n->body);
    utf8_trim(body);
    int rc = db_notify(c, user_id, n->subject, n->id, n->kind, title, body, n->now);
    if (rc < 0)
        return rc;
    char id_key[32], code_key[32];
    snprintf(id_key, sizeof id_key, "%s_id", n->subject);
    snprintf(code_key, sizeof code_key, "%s_code", n->subject);
    json_t *payload = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "kind", n->kind, "user_id",
                                (json_int_t)user_id, id_key, (json_int_t)n->id, code_key, n->code,
                                "title", title, "body", body);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    rc = text ? db_outbox_add(c, "notification", text, n->now) : DB_ERROR;
    free(text);
    return rc;
}

struct tell {
    struct db_conn *c;
    const struct flow_notice *n;
    int64_t skip;
    int rc, told;
};

static int tell_one(void *cls, int64_t id, const char *name)
{
    (void)name;
    struct tell *t = cls;
    if (id == t->skip)
        return 0;
    int rc = flow_tell(t->c, t->n, id);
    if (rc < 0) {
        t->rc = rc;
        return 1;
    }
    t->told++;
    return 0;
}

int flow_tell_role(struct db_conn *c, const struct flow_notice *n, const char *role,
                   const char *region, int64_t dept_id, int64_t skip)
{
    struct tell t = {c, n, skip, 0, 0};
    int rc = db_users_with_role(c, role, region, dept_id, tell_one, &t);
    return rc < 0 ? rc : t.rc < 0 ? t.rc : rc;
}

int flow_tell_nearest(struct db_conn *c, const struct flow_notice *n, const char *role,
                      const char *code, int64_t skip)
{
    char at[REGION_CODE_BUFLEN], up[REGION_CODE_BUFLEN];
    snprintf(at, sizeof at, "%s", code);
    for (;;) {
        int rc = flow_tell_role(c, n, role, at, 0, skip);
        if (rc != 0 || !region_parent(at, up))
            return rc; /* the nearest level with holders answers */
        memcpy(at, up, sizeof at);
    }
}

/* A notice about case k; body must hold 512 bytes. */
static struct flow_notice case_notice(const struct db_case *k, const char *kind,
                                      const char *title, int64_t now, char *body)
{
    snprintf(body, 512, "%s · %s · %s", k->code, k->category_name ? k->category_name : "",
             k->grid_name ? k->grid_name : k->grid_code);
    return (struct flow_notice){"case", k->id, k->code, kind, title, body, now};
}

int caseflow_tell_user(struct db_conn *c, const struct db_case *k, int64_t user_id,
                       const char *kind, const char *title, int64_t now)
{
    char body[512];
    struct flow_notice n = case_notice(k, kind, title, now, body);
    return flow_tell(c, &n, user_id);
}

int caseflow_tell_dept(struct db_conn *c, const struct db_case *k, int64_t dept_id,
                       const char *role, int64_t skip, const char *kind, const char *title,
                       int64_t now)
{
    char body[512];
    struct flow_notice n = case_notice(k, kind, title, now, body);
    return flow_tell_role(c, &n, role, NULL, dept_id, skip);
}

void caseflow_level_region(const char *grid, enum case_level l, char out[16])
{
    switch (l) {
    case CL_GRID:
        snprintf(out, 16, "%.15s", grid);
        break;
    case CL_VILLAGE:
        snprintf(out, 16, "%.12s", grid);
        break;
    case CL_TOWN:
        snprintf(out, 16, "%.9s000", grid);
        break;
    default:
        snprintf(out, 16, "%.6s000000", grid);
        break;
    }
}

int caseflow_tell_level(struct db_conn *c, const struct db_case *k, int64_t skip,
                        const char *kind, const char *title, int64_t now)
{
    char body[512];
    struct flow_notice n = case_notice(k, kind, title, now, body);
    struct tell t = {c, &n, skip, 0, 0};
    int level = case_level_parse(k->level);
    if (level <= CL_GRID) {
        int rc = db_grid_workers(c, k->grid_code, tell_one, &t);
        if (rc < 0 || t.rc < 0)
            return rc < 0 ? rc : t.rc;
        if (rc > 0)
            return t.told;
        level = CL_VILLAGE; /* a grid without workers: its village answers */
    }
    char region[16];
    caseflow_level_region(k->grid_code, (enum case_level)level, region);
    return flow_tell_nearest(c, &n, "dispatcher", region, skip);
}

int caseflow_tell_reporter(struct db_conn *c, const struct db_case *k, int64_t skip,
                           const char *kind, const char *title, int64_t now)
{
    if (!k->reporter_user_id || k->reporter_user_id == skip)
        return 0;
    return caseflow_tell_user(c, k, k->reporter_user_id, kind, title, now);
}

void caseflow_event(const struct db_case *k, const char *action, struct event *e)
{
    static const char *const warn[] = {"green", "yellow", "red"};
    *e = (struct event){.case_id = k->id, .dept_id = k->dept_id,
                        .reporter_id = k->reporter_user_id};
    snprintf(e->grid, sizeof e->grid, "%s", k->grid_code);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "case_id", (json_int_t)k->id,
                          "code", k->code, "action", action, "state", k->state, "level",
                          k->level, "warn", warn[k->warn >= 0 && k->warn < 3 ? k->warn : 2],
                          "version", (json_int_t)k->version);
    if (json_dumpb(j, e->text, sizeof e->text - 1, JSON_COMPACT) >= sizeof e->text - 1)
        snprintf(e->text, sizeof e->text, "{\"case_id\":%lld}", (long long)k->id);
    json_decref(j);
}

/* ---- the sweep ----------------------------------------------------------------------- */

/* Tells whoever holds the case now: the department once dispatched, else
 * the level. */
static int tell_holder(struct db_conn *c, const struct db_case *k, const char *kind,
                       const char *title, int64_t now)
{
    if (k->dept_id) {
        int rc = caseflow_tell_dept(c, k, k->dept_id, "dept_staff", 0, kind, title, now);
        if (rc < 0)
            return rc;
        return caseflow_tell_dept(c, k, k->dept_id, "dept_head", 0, kind, title, now);
    }
    return caseflow_tell_level(c, k, 0, kind, title, now);
}

/* Brings one case to `now`; returns < 0 on error. */
static int sweep_case(struct db_conn *c, const struct wt_calendar *cal, struct case_rec *rec,
                      int64_t now, struct sweep_stats *st)
{
    struct db_case *k = &rec->k;
    struct case_clock clk = caseflow_clock(k);
    int64_t deadline = clk.deadline_at;
    enum case_tick t = case_clock_tick(&clk, now);
    st->examined++;
    if (t == CT_NONE)
        return 0;
    caseflow_set_clock(k, &clk);
    char title[160];
    int rc;
    if (t == CT_YELLOW) {
        st->yellow++;
        rc = caseflow_commit(c, k, 0, 0, "yellow", k->state, "办理时限已过八成（黄牌预警）", NULL,
                             now);
        if (rc <= 0)
            return rc < 0 ? rc : DB_BUSY;
        snprintf(title, sizeof title, "黄牌预警：案件 %s 时限将到", k->code);
        return tell_holder(c, k, "yellow", title, now);
    }
    st->red++;
    k->overdue = 1;
    rc = db_case_mark_overdue(c, k->id, deadline); /* overdue since the deadline passed */
    if (rc < 0)
        return rc;
    int up = case_level_up((enum case_level)case_level_parse(k->level));
    json_t *data = json_pack("{s:s}", "deadline_level", k->level);
    if (up < 0) {
        rc = caseflow_commit(c, k, 0, 0, "red", k->state, "已超过办理时限（红牌），已在县级", data,
                             now);
        json_decref(data);
        if (rc <= 0)
            return rc < 0 ? rc : DB_BUSY;
        snprintf(title, sizeof title, "红牌超期：案件 %s 已超时限", k->code);
        return tell_holder(c, k, "red", title, now);
    }
    /* Up one level; the new stage starts at the deadline that passed. */
    st->escalated++;
    k->level = case_level_name((enum case_level)up);
    k->escalations++;
    case_clock_start(&clk, cal, deadline, clk.limit_s);
    clk.warn = 2;
    caseflow_set_clock(k, &clk);
    json_object_set_new(data, "level", json_string(k->level));
    json_object_set_new(data, "automatic", json_true());
    rc = caseflow_commit(c, k, 0, 0, "escalate", k->state, "超过办理时限，自动升级", data, now);
    json_decref(data);
    if (rc <= 0)
        return rc < 0 ? rc : DB_BUSY;
    snprintf(title, sizeof title, "超期升级：案件 %s 已升至%s级", k->code,
             up == CL_VILLAGE ? "村（社区）" : up == CL_TOWN ? "乡镇（街道）" : "县");
    rc = tell_holder(c, k, "red", title, now);
    if (rc < 0)
        return rc;
    return k->dept_id ? caseflow_tell_level(c, k, 0, "escalated", title, now) : 0;
}

#define SWEEP_BATCH 200

struct sweep_ctx {
    int offset_min;
    int64_t now;
    int64_t ids[SWEEP_BATCH];
    size_t n;
    struct sweep_stats batch; /* this transaction's counts */
    struct event events[SWEEP_BATCH]; /* published once committed */
    size_t nevents;
};

static int keep_due(void *cls, const struct db_case *k)
{
    struct sweep_ctx *s = cls;
    if (s->n < SWEEP_BATCH)
        s->ids[s->n++] = k->id;
    return 0;
}

static int sweep_txn(struct db_conn *c, void *cls)
{
    struct sweep_ctx *s = cls;
    s->batch = (struct sweep_stats){0};
    s->n = 0;
    s->nevents = 0;
    int rc = db_cases_due(c, s->now, SWEEP_BATCH, keep_due, s);
    if (rc <= 0)
        return rc;
    struct wt_calendar cal;
    struct wt_exception *ex = NULL;
    rc = caseflow_calendar(c, s->offset_min, s->now, &cal, &ex);
    struct case_rec rec = {0};
    for (size_t i = 0; rc >= 0 && i < s->n; i++) {
        rc = caseflow_load(c, s->ids[i], &rec);
        int64_t version = rec.k.version;
        if (rc > 0)
            rc = sweep_case(c, &cal, &rec, s->now, &s->batch);
        if (rc >= 0 && rec.k.version != version && s->nevents < SWEEP_BATCH)
            caseflow_event(&rec.k, "clock", &s->events[s->nevents++]);
    }
    caseflow_free(&rec);
    free(ex);
    return rc < 0 ? rc : (int)s->n;
}

int caseflow_sweep(struct db *db, int offset_min, int64_t now, struct sweep_stats *st)
{
    struct sweep_ctx *s = calloc(1, sizeof *s);
    if (!s)
        return DB_ERROR;
    s->offset_min = offset_min;
    s->now = now;
    int rc;
    *st = (struct sweep_stats){0};
    /* Batch after batch until nothing is due: an escalated case whose next
     * deadline has also passed comes round again. Every pass moves each
     * case forward, so this ends. */
    while ((rc = db_run_transaction(db, DB_WRITE, sweep_txn, s)) > 0) {
        st->yellow += s->batch.yellow; /* counted once committed */
        st->red += s->batch.red;
        st->escalated += s->batch.escalated;
        st->examined += s->batch.examined;
        for (size_t i = 0; i < s->nevents; i++)
            events_publish(&s->events[i]);
    }
    free(s);
    if (rc >= 0)
        rc = api_errands_sweep(db, now, &st->errands_overdue);
    if (rc >= 0)
        rc = api_commitments_sweep(db, now, &st->commitments_overdue);
    if (rc >= 0)
        rc = votes_sweep(db, offset_min, now, &st->votes_closed);
    return rc;
}

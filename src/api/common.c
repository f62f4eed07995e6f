/*
 * Small helpers every API handler uses.
 */
#include "api/api.h"
#include "core/region.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum MHD_Result api_reply_db_error(struct http_req *r, int rc)
{
    if (rc == DB_BUSY)
        return http_reply_error(r, GL_ERR_UNAVAILABLE, NULL,
                                "the database is busy; try again in a moment");
    log_error("api", "%s %s: database error %d", r->method, r->path, rc);
    return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
}

json_t *api_time(const struct http_req *r, int64_t t)
{
    char buf[GL_TIME_BUFLEN];
    gl_time_format(t, r->app->cfg->offset_min, buf);
    return json_string(buf);
}

int api_fail(struct api_fail *f, enum gl_error code, const char *field, const char *fmt, ...)
{
    va_list ap;
    f->code = code;
    f->field = field;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return DB_ABORT;
}

enum MHD_Result api_reply_fail(struct http_req *r, const struct api_fail *f)
{
    return http_reply_error(r, f->code, f->field, "%s", f->message);
}

int api_version_fail(struct db_conn *c, const char *version_sql, int64_t id, const char *what,
                     struct api_fail *f)
{
    int64_t current = 0;
    int rc = db_query_int(c, version_sql, DB_ARGS(DB_INT(id)), &current);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(f, GL_ERR_NOT_FOUND, NULL, "no %s %lld", what, (long long)id);
    return api_fail(f, GL_ERR_VERSION_CONFLICT, "if_version",
                    "the %s was changed by someone else and is now at version %lld; "
                    "reload it and apply your change again", what, (long long)current);
}

size_t api_scope_prefixes(const struct http_req *r, enum action a, char buf[][16],
                          const char **out, size_t max, bool *linked)
{
    const char *scopes[8];
    size_t n = authz_scopes(r->who.grants, r->who.ngrants, a, scopes, max < 8 ? max : 8, linked);
    for (size_t i = 0; i < n; i++) {
        buf[i][0] = '\0';
        if (!scopes[i])
            out[i] = buf[i]; /* "": everywhere */
        else
            out[i] = region_prefix(scopes[i], buf[i]) ? buf[i] : NULL; /* bad code: nowhere */
    }
    return n;
}

int api_int_param_or_reply(struct http_req *r, const char *name, int64_t lo, int64_t hi,
                           int64_t *out)
{
    const char *s = http_query(r, name);
    if (!s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, name, "%s must be a whole number from %lld to %lld",
                         name, (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

json_t *api_next_cursor(const json_t *items, int64_t limit, int64_t last_id)
{
    return (int64_t)json_array_size(items) == limit ? json_sprintf("%lld", (long long)last_id)
                                                    : json_null();
}

int api_region_param_or_reply(struct http_req *r, const char *name, char buf[16],
                              const char **prefix)
{
    const char *v = http_query(r, name);
    *prefix = NULL;
    if (!v)
        return 0;
    if (!region_prefix(v, buf)) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, name,
                         "%s must be a 12-digit region code or a 15-digit grid code", name);
        return -1;
    }
    *prefix = buf;
    return 0;
}

bool api_visibility(const struct http_req *r, enum action a, const char *scopes[DB_MAX_SCOPES],
                    int64_t depts[DB_MAX_SCOPES], char prefixes[][REGION_CODE_BUFLEN],
                    int64_t *linked_user)
{
    size_t n = 0;
    bool any = false;
    for (size_t i = 0; i < r->who.ngrants; i++) {
        const struct grant *g = &r->who.grants[i];
        if (!role_can(g->role, a))
            continue;
        any = true;
        if (authz_link_only(g->role, a)) {
            *linked_user = r->who.user_id; /* their own only */
            continue;
        }
        if (n == DB_MAX_SCOPES)
            continue; /* more than DB_MAX_SCOPES grants: the first ones count */
        prefixes[n][0] = '\0';
        if (g->region && !region_prefix(g->region, prefixes[n]))
            continue;
        scopes[n] = prefixes[n];
        depts[n] = g->dept_id;
        n++;
    }
    return any;
}

void api_day_code_prefix(const struct http_req *r, const char *lead, const char *grid,
                         int64_t now, char out[32])
{
    char date[GL_TIME_BUFLEN];
    gl_time_format(now, r->app->cfg->offset_min, date);
    snprintf(out, 32, "%s%.6s%.4s%.2s%.2s", lead, grid, date, date + 5, date + 8);
}

int api_time_param_or_reply(struct http_req *r, const char *name, int64_t *out)
{
    const char *s = http_query(r, name);
    if (s && gl_time_parse(s, out) < 0) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, name,
                         "%s must be an RFC 3339 time such as 2026-03-25T09:30:00+08:00", name);
        return -1;
    }
    return 0;
}

json_t *api_time_or_null(const struct http_req *r, int64_t t)
{
    return t ? api_time(r, t) : json_null();
}

json_t *api_event_json(const struct http_req *r, const struct db_event *e)
{
    json_t *data = json_loads(e->data, 0, NULL);
    return json_pack(
        "{s:I, s:o, s:o, s:s, s:o, s:o, s:s, s:o}", "id", (json_int_t)e->id, "at",
        api_time(r, e->at), "actor",
        e->actor_user_id ? json_pack("{s:I, s:s}", "id", (json_int_t)e->actor_user_id, "name",
                                     e->actor_name ? e->actor_name : "")
                         : json_null(),
        "action", e->action, "from", e->from_state ? json_string(e->from_state) : json_null(),
        "to", e->to_state ? json_string(e->to_state) : json_null(), "note", e->note, "data",
        data ? data : json_object());
}

struct api_timeline api_timeline(const struct http_req *r, json_t *out)
{
    struct api_timeline t = {r, json_array()};
    json_object_set_new(out, "timeline", t.items);
    return t;
}

int api_add_event(void *cls, const struct db_event *e)
{
    struct api_timeline *t = cls;
    json_array_append_new(t->items, api_event_json(t->r, e));
    return 0;
}

int api_format_or_reply(struct http_req *r, int *format)
{
    *format = export_format_parse(http_query(r, "format"));
    if (*format < 0) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, "format", "format must be json, csv or xlsx");
        return -1;
    }
    return 0;
}

/* Sends the finished export w as an attachment named by title. */
static enum MHD_Result reply_export_file(struct http_req *r, int format, const char *title,
                                         struct export_writer *w, const char *filename)
{
    char err[160];
    int fd;
    size_t size;
    if (export_end(w, &fd, &size, err, sizeof err) < 0) {
        log_error("api", "%s export: %s", title, err);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    /* An ASCII name for old clients, the Chinese title (RFC 5987) for the rest. */
    const char *ext = format == EXPORT_CSV ? "csv" : "xlsx";
    char disp[512];
    int n = snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"; filename*=UTF-8''",
                     filename, ext);
    for (const unsigned char *p = (const unsigned char *)title; *p && n < (int)sizeof disp - 16;
         p++)
        n += snprintf(disp + n, sizeof disp - (size_t)n, "%%%02X", *p);
    snprintf(disp + n, sizeof disp - (size_t)n, ".%s", ext);
    http_add_header(r, "Content-Disposition", disp);
    return http_reply_fd(r, 200, export_mime((enum export_format)format), fd, size);
}

static struct export_writer *begin_or_log(int format, const char *title,
                                          const char *const *headers, size_t ncols)
{
    char err[160];
    struct export_writer *w = export_begin((enum export_format)format, title, headers, ncols,
                                           err, sizeof err);
    if (!w)
        log_error("api", "%s export: %s", title, err);
    return w;
}

enum MHD_Result api_reply_export(struct http_req *r, int format, const char *title,
                                 const char *const *headers, size_t ncols, json_t *rows,
                                 const char *filename)
{
    struct export_writer *w = begin_or_log(format, title, headers, ncols);
    size_t i;
    json_t *row;
    int rc = w ? 0 : -1;
    json_array_foreach(rows, i, row) {
        if (rc >= 0)
            rc = export_add(w, row);
    }
    json_decref(rows);
    if (rc < 0) {
        export_abort(w);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    return reply_export_file(r, format, title, w, filename);
}

int api_export_write(struct db *db, const struct api_pager *p, struct export_writer *w)
{
    int64_t total = 0, saved = *p->limit;
    int rc = 0;
    for (;;) {
        *p->limit = API_EXPORT_PAGE;
        *p->last_id = 0;
        rc = db_run_transaction(db, DB_READ, p->fill, p->cls);
        if (rc < 0)
            break;
        json_t *rows = *p->items;
        size_t i, n = json_array_size(rows);
        json_t *row;
        json_array_foreach(rows, i, row) {
            if (rc >= 0 && total++ < API_EXPORT_MAX)
                rc = export_add(w, row) < 0 ? DB_ERROR : 0;
        }
        if (rc < 0 || n < API_EXPORT_PAGE || total >= API_EXPORT_MAX)
            break;
        *p->cursor = *p->last_id;
    }
    *p->limit = saved;
    return rc;
}

enum MHD_Result api_reply_export_pages(struct http_req *r, int format, const char *title,
                                       const char *const *headers, size_t ncols,
                                       const struct api_pager *p, const char *filename)
{
    struct export_writer *w = begin_or_log(format, title, headers, ncols);
    if (!w)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    int rc = api_export_write(r->app->db, p, w);
    if (rc < 0) {
        export_abort(w);
        return api_reply_db_error(r, rc);
    }
    return reply_export_file(r, format, title, w, filename);
}

json_t *api_user_ref(int64_t id, const char *name)
{
    return id ? json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name ? name : "")
              : json_null();
}

json_t *api_local_time(const struct http_req *r, int64_t t)
{
    if (!t)
        return json_string("");
    char buf[GL_TIME_BUFLEN];
    gl_time_format(t, r->app->cfg->offset_min, buf);
    buf[16] = '\0'; /* "2026-03-25T09:30" */
    buf[10] = ' ';
    return json_string(buf);
}

struct place {
    char *name;
    size_t len;
};

static int keep_region_name(void *cls, const struct db_region *g)
{
    struct place *p = cls;
    snprintf(p->name, p->len, "%s", g->name);
    return 1;
}

static int keep_grid_name(void *cls, const struct db_grid *g)
{
    struct place *p = cls;
    snprintf(p->name, p->len, "%s", g->name);
    return 1;
}

int api_place_name(struct db_conn *c, const char *code, char *name, size_t len)
{
    struct place p = {name, len};
    switch (region_level_of(code)) {
    case LEVEL_INVALID:
        return 0;
    case LEVEL_GRID:
        return db_grid_get(c, code, keep_grid_name, &p);
    default:
        return db_region_get(c, code, keep_region_name, &p);
    }
}

int64_t api_year_start(const struct http_req *r, int year)
{
    return gl_days_from_civil(year, 1, 1) * 86400 - (int64_t)r->app->cfg->offset_min * 60;
}

int api_year_of(const struct http_req *r, int64_t t)
{
    int y;
    unsigned m, d;
    int64_t local = t + (int64_t)r->app->cfg->offset_min * 60;
    gl_civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &d);
    return y;
}

void api_month_bounds(const struct http_req *r, int64_t t, int64_t *from, int64_t *to)
{
    int y;
    unsigned m, d;
    int64_t off = (int64_t)r->app->cfg->offset_min * 60, local = t + off;
    gl_civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &m, &d);
    *from = gl_days_from_civil(y, m, 1) * 86400 - off;
    *to = gl_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400 - off;
}

enum MHD_Result api_reply_page(struct http_req *r, json_t *items, int64_t limit, int64_t last_id)
{
    json_t *next = api_next_cursor(items, limit, last_id);
    return http_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

enum MHD_Result api_reply_one(struct http_req *r, int rc, json_t *out, bool found, bool visible,
                              enum action a, const struct target *t, const char *what, int64_t id)
{
    if (rc < 0) {
        json_decref(out);
        return api_reply_db_error(r, rc);
    }
    if (found && !visible && http_authorize_or_reply(r, a, t) < 0) {
        json_decref(out);
        return r->result;
    }
    if (!out)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no %s %lld", what, (long long)id);
    return http_reply_json(r, 200, out);
}

enum MHD_Result api_reply_txn(struct http_req *r, int rc, json_t *out, const struct api_fail *f,
                              unsigned status)
{
    if (rc < 0) {
        json_decref(out);
        return rc == DB_ABORT ? api_reply_fail(r, f) : api_reply_db_error(r, rc);
    }
    return http_reply_json(r, status, out);
}

int api_audit(struct db_conn *c, int64_t actor, const char *action, const char *subject,
              int64_t subject_id, json_t *data, int64_t now)
{
    char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(data);
    int rc = text ? db_audit_append(c, actor, action, subject, subject_id, text, now) : DB_ERROR;
    free(text);
    return rc;
}

/* "a, b, c": the names of a vocabulary. */
static void vocab_list(const struct vocab *v, size_t n, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? ", " : "", v[i].name);
}

int api_vocab_param_or_reply(struct http_req *r, const char *name, const struct vocab *v,
                             size_t n, const char **out)
{
    *out = http_query(r, name);
    if (!*out || vocab_parse(v, n, *out) >= 0)
        return 0;
    char list[256];
    vocab_list(v, n, list, sizeof list);
    http_reply_error(r, GL_ERR_BAD_PARAMETER, name, "%s must be one of %s", name, list);
    return -1;
}

int api_action_or_reply(struct http_req *r, unsigned param, const struct vocab *v, size_t n)
{
    int a = vocab_parse(v, n, r->params[param]);
    if (a < 0) {
        char list[256];
        vocab_list(v, n, list, sizeof list);
        http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no action %s; the actions are %s",
                         r->params[param], list);
    }
    return a;
}

int api_id_action_or_reply(struct http_req *r, int64_t *id, const struct vocab *v, size_t n)
{
    if (http_param_id_or_reply(r, 0, id) < 0)
        return -1;
    return api_action_or_reply(r, 1, v, n);
}

enum MHD_Result api_reply_list(struct http_req *r, int format, const struct api_pager *p,
                               const char *title, const char *const *headers, size_t ncols,
                               const char *filename)
{
    enum MHD_Result res;
    if (format != EXPORT_JSON) {
        res = api_reply_export_pages(r, format, title, headers, ncols, p, filename);
        json_decref(*p->items);
        return res;
    }
    int rc = db_run_transaction(r->app->db, DB_READ, p->fill, p->cls);
    if (rc < 0) {
        json_decref(*p->items);
        return api_reply_db_error(r, rc);
    }
    return api_reply_page(r, *p->items, *p->limit, *p->last_id);
}

const struct grant *api_resident_grant(const struct http_req *r)
{
    for (size_t i = 0; i < r->who.ngrants; i++)
        if (r->who.grants[i].role != ROLE_RESIDENT)
            return NULL;
    return r->who.ngrants ? &r->who.grants[0] : NULL;
}

/*
 * Who to tell, telling them (inbox rows and outbox rows in the caller's
 * transaction), and the hash-chained audit log.
 */
#include "db/db.h"
#include "secret.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct emit_person {
    db_person_fn fn;
    void *cls;
};

static int row_person(void *cls, const struct db_row *r)
{
    struct emit_person *e = cls;
    return e->fn(e->cls, db_col_int(r, 0), db_col_text(r, 1));
}

int db_users_with_role(struct db_conn *c, const char *role, const char *region, int64_t dept_id,
                       db_person_fn fn, void *cls)
{
    struct emit_person e = {fn, cls};
    return db_query(c,
                    "SELECT DISTINCT u.id, u.display_name FROM role_assignments a"
                    " JOIN users u ON u.id = a.user_id WHERE a.role = $1 AND u.active = 1"
                    " AND ($2 IS NULL OR a.region_code = $2) AND ($3 = 0 OR a.dept_id = $3)"
                    " ORDER BY u.id",
                    DB_ARGS(DB_TEXT(role), DB_TEXT(region), DB_INT(dept_id)), row_person, &e);
}

int db_notify(struct db_conn *c, int64_t user_id, const char *subject, int64_t subject_id,
              const char *kind, const char *title, const char *body, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO notifications (user_id, case_id, errand_id, subject, subject_id,"
                   " kind, title, body, created_at) VALUES ($1, CASE WHEN $2 = 'case' THEN $3 END,"
                   " CASE WHEN $2 = 'errand' THEN $3 END, $2, $3, $4, $5, $6, $7)",
                   DB_ARGS(DB_INT(user_id), DB_TEXT(subject), DB_INT(subject_id), DB_TEXT(kind),
                           DB_TEXT(title), DB_TEXT(body ? body : ""), DB_INT(now)));
}

struct emit_note {
    db_notification_fn fn;
    void *cls;
};

static int row_note(void *cls, const struct db_row *r)
{
    struct emit_note *e = cls;
    struct db_notification n = {
        .id = db_col_int(r, 0), .case_id = db_col_int(r, 1), .created_at = db_col_int(r, 2),
        .read_at = db_col_int(r, 3), .kind = db_col_text(r, 4), .title = db_col_text(r, 5),
        .body = db_col_text(r, 6), .errand_id = db_col_int(r, 7),
        .subject = db_col_text(r, 8), .subject_id = db_col_int(r, 9),
    };
    return e->fn(e->cls, &n);
}

int db_notifications(struct db_conn *c, int64_t user_id, bool unread_only, int64_t before_id,
                     int64_t limit, db_notification_fn fn, void *cls)
{
    struct emit_note e = {fn, cls};
    return db_query(c,
                    "SELECT id, coalesce(case_id, 0), created_at, coalesce(read_at, 0), kind, title,"
                    " body, coalesce(errand_id, 0), coalesce(subject, CASE WHEN case_id IS NOT NULL"
                    " THEN 'case' WHEN errand_id IS NOT NULL THEN 'errand' END),"
                    " coalesce(subject_id, case_id, errand_id, 0)"
                    " FROM notifications WHERE user_id = $1 AND id < $2"
                    " AND ($3 = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT $4",
                    DB_ARGS(DB_INT(user_id), DB_INT(before_id ? before_id : INT64_MAX),
                            DB_INT(unread_only), DB_INT(limit)),
                    row_note, &e);
}

int db_notifications_read(struct db_conn *c, int64_t user_id, int64_t up_to_id, int64_t now)
{
    return db_exec(c,
                   "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id <= $2"
                   " AND read_at IS NULL",
                   DB_ARGS(DB_INT(user_id), DB_INT(up_to_id), DB_INT(now)));
}

int db_outbox_add(struct db_conn *c, const char *kind, const char *payload, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO outbox (kind, payload, created_at, next_attempt_at)"
                   " VALUES ($1, $2, $3, $3)",
                   DB_ARGS(DB_TEXT(kind), DB_TEXT(payload), DB_INT(now)));
}

/* ---- audit chain ----------------------------------------------------------------- */

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The canonical text a row's hash covers: its fields as JSON with sorted
 * keys and no spaces, the data field embedded as JSON. */
static char *canonical(int64_t at, int64_t actor, const char *action, const char *subject,
                       int64_t subject_id, const char *data)
{
    json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
    json_t *row = json_pack("{s:I, s:o, s:s, s:s, s:I, s:o}", "at", (json_int_t)at, "actor",
                            actor ? json_integer(actor) : json_null(), "action", action,
                            "subject", subject, "subject_id", (json_int_t)subject_id, "data",
                            d ? d : json_string(data));
    char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(row);
    return text;
}

static int keep_text(void *cls, const struct db_row *r)
{
    snprintf(cls, 65, "%s", db_col_text(r, 0));
    return 1;
}

int db_audit_append(struct db_conn *c, int64_t actor, const char *action, const char *subject,
                    int64_t subject_id, const char *data, int64_t now)
{
    char prev[65] = GENESIS, hash[65];
    int rc = db_query(c, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", DB_NOARGS,
                      keep_text, prev);
    if (rc < 0)
        return rc;
    char *text = canonical(now, actor, action, subject, subject_id, data);
    if (!text)
        return DB_ERROR;
    secret_sha256_hex(prev, text, hash);
    free(text);
    return db_exec(c,
                   "INSERT INTO audit_log (at, actor_user_id, action, subject, subject_id, data,"
                   " prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   DB_ARGS(DB_INT(now), actor ? DB_INT(actor) : DB_NULLP, DB_TEXT(action),
                           DB_TEXT(subject), DB_INT(subject_id), DB_TEXT(data), DB_STR(prev),
                           DB_STR(hash)));
}

struct walk {
    char prev[65];
    int64_t rows, broken;
};

static int check_row(void *cls, const struct db_row *r)
{
    struct walk *w = cls;
    char *text = canonical(db_col_int(r, 1), db_col_int(r, 2), db_col_text(r, 3),
                           db_col_text(r, 4), db_col_int(r, 5), db_col_text(r, 6));
    char hash[65] = "";
    if (text)
        secret_sha256_hex(w->prev, text, hash);
    free(text);
    w->rows++;
    if (strcmp(db_col_text(r, 7), w->prev) != 0 || strcmp(db_col_text(r, 8), hash) != 0) {
        w->broken = db_col_int(r, 0);
        return 1;
    }
    snprintf(w->prev, sizeof w->prev, "%s", hash);
    return 0;
}

int64_t db_audit_verify(struct db_conn *c, int64_t *rows)
{
    struct walk w = {GENESIS, 0, 0};
    int rc = db_query(c,
                      "SELECT id, at, coalesce(actor_user_id, 0), action, subject, subject_id,"
                      " data, prev_hash, hash FROM audit_log ORDER BY id",
                      DB_NOARGS, check_row, &w);
    *rows = w.rows;
    return rc < 0 ? rc : w.broken;
}

/* ---- outbox delivery ------------------------------------------------------------------ */

struct emit_outbox {
    db_outbox_fn fn;
    void *cls;
};

static int row_outbox(void *cls, const struct db_row *r)
{
    struct emit_outbox *e = cls;
    return e->fn(e->cls, db_col_int(r, 0), db_col_text(r, 1), db_col_text(r, 2),
                 db_col_int(r, 3), db_col_int(r, 4));
}

int db_outbox_due(struct db_conn *c, int64_t now, int64_t limit, db_outbox_fn fn, void *cls)
{
    struct emit_outbox e = {fn, cls};
    return db_query(c,
                    "SELECT id, kind, payload, created_at, attempts FROM outbox"
                    " WHERE sent_at IS NULL AND next_attempt_at <= $1"
                    " ORDER BY next_attempt_at, id LIMIT $2",
                    DB_ARGS(DB_INT(now), DB_INT(limit)), row_outbox, &e);
}

int db_outbox_done(struct db_conn *c, int64_t id, int64_t now)
{
    return db_exec(c, "UPDATE outbox SET sent_at = $2, attempts = attempts + 1 WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(now)));
}

int db_outbox_retry(struct db_conn *c, int64_t id, int64_t next_at, const char *error)
{
    return db_exec(c,
                   "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2,"
                   " last_error = $3 WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(next_at), DB_TEXT(error)));
}

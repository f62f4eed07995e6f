/*
 * Queries for users, their role assignments, sessions and API tokens.
 */
#include "db/db.h"

#define USER_COLS                                                                            \
    "u.id, u.username, u.display_name, u.password_hash, u.phone, u.totp_secret,"             \
    " u.totp_enabled, u.active, u.failed_logins, u.locked_until, u.created_at, u.updated_at," \
    " u.version FROM users u"

struct emit_user {
    db_user_fn fn;
    void *cls;
};

static int row_user(void *cls, const struct db_row *row)
{
    struct emit_user *e = cls;
    struct db_user u = {
        .id = db_col_int(row, 0), .username = db_col_text(row, 1),
        .display_name = db_col_text(row, 2), .password_hash = db_col_text(row, 3),
        .totp_enabled = (int)db_col_int(row, 6), .active = (int)db_col_int(row, 7),
        .failed_logins = db_col_int(row, 8), .locked_until = db_col_int(row, 9),
        .created_at = db_col_int(row, 10), .updated_at = db_col_int(row, 11),
        .version = db_col_int(row, 12),
    };
    u.phone = db_col_blob(row, 4, &u.phone_len);
    u.totp_secret = db_col_blob(row, 5, &u.totp_secret_len);
    return e->fn(e->cls, &u);
}

int db_user_by_username(struct db_conn *c, const char *username, db_user_fn fn, void *cls)
{
    struct emit_user e = {fn, cls};
    return db_query(c, "SELECT " USER_COLS " WHERE u.username = $1", DB_ARGS(DB_TEXT(username)),
                    row_user, &e);
}

int db_user_by_id(struct db_conn *c, int64_t id, db_user_fn fn, void *cls)
{
    struct emit_user e = {fn, cls};
    return db_query(c, "SELECT " USER_COLS " WHERE u.id = $1", DB_ARGS(DB_INT(id)), row_user, &e);
}

int db_users_list(struct db_conn *c, const char *prefix, int64_t after_id, int64_t limit,
                  db_user_fn fn, void *cls)
{
    struct emit_user e = {fn, cls};
    /* A user is in a scope when any of their assignments is; "" sees all,
     * including users whose assignments carry no region. */
    return db_query(c,
                    "SELECT " USER_COLS " WHERE u.id > $1 AND ($2 = '' OR EXISTS (SELECT 1 FROM"
                    " role_assignments a WHERE a.user_id = u.id AND a.region_code IS NOT NULL"
                    " AND substr(a.region_code, 1, length($2)) = $2)) ORDER BY u.id LIMIT $3",
                    DB_ARGS(DB_INT(after_id), DB_TEXT(prefix), DB_INT(limit)), row_user, &e);
}

int db_user_insert(struct db_conn *c, const struct db_user *u, int64_t now, int64_t *id)
{
    return db_query_int(c,
                        "INSERT INTO users (username, display_name, phone, password_hash,"
                        " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        DB_ARGS(DB_TEXT(u->username), DB_TEXT(u->display_name),
                                u->phone ? DB_BLOB(u->phone, u->phone_len) : DB_NULLP,
                                DB_TEXT(u->password_hash), DB_INT(now)),
                        id);
}

int db_user_set_password(struct db_conn *c, int64_t id, const char *hash, int64_t now)
{
    return db_exec(c,
                   "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = 0,"
                   " updated_at = $3, version = version + 1 WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_TEXT(hash), DB_INT(now)));
}

int db_user_login_failed(struct db_conn *c, int64_t id, int64_t max_failures, int64_t lock_until)
{
    return db_exec(c,
                   "UPDATE users SET failed_logins = failed_logins + 1,"
                   " locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END"
                   " WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(max_failures), DB_INT(lock_until)));
}

int db_user_login_ok(struct db_conn *c, int64_t id)
{
    return db_exec(c,
                   "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1"
                   " AND (failed_logins <> 0 OR locked_until <> 0)",
                   DB_ARGS(DB_INT(id)));
}

int db_user_update(struct db_conn *c, int64_t id, int64_t if_version, const char *display_name,
                   int active, int64_t now)
{
    return db_exec(c,
                   "UPDATE users SET display_name = coalesce($3, display_name),"
                   " active = CASE WHEN $4 < 0 THEN active ELSE $4 END,"
                   " updated_at = $5, version = version + 1 WHERE id = $1 AND version = $2",
                   DB_ARGS(DB_INT(id), DB_INT(if_version), DB_TEXT(display_name), DB_INT(active),
                           DB_INT(now)));
}

int db_user_roles_clear(struct db_conn *c, int64_t user_id)
{
    return db_exec(c, "DELETE FROM role_assignments WHERE user_id = $1", DB_ARGS(DB_INT(user_id)));
}

int db_user_sessions_end(struct db_conn *c, int64_t user_id)
{
    return db_exec(c, "DELETE FROM sessions WHERE user_id = $1", DB_ARGS(DB_INT(user_id)));
}

int db_user_set_totp(struct db_conn *c, int64_t id, const void *sealed, size_t len, int enabled,
                     int64_t now)
{
    return db_exec(c,
                   "UPDATE users SET totp_secret = $2, totp_enabled = $3, updated_at = $4,"
                   " version = version + 1 WHERE id = $1",
                   DB_ARGS(DB_INT(id), sealed ? DB_BLOB(sealed, len) : DB_NULLP, DB_INT(enabled),
                           DB_INT(now)));
}

struct emit_role {
    db_role_fn fn;
    void *cls;
};

static int row_role(void *cls, const struct db_row *row)
{
    struct emit_role *e = cls;
    struct db_role r = {db_col_text(row, 0), db_col_text(row, 1), db_col_int(row, 2)};
    return e->fn(e->cls, &r);
}

int db_user_roles(struct db_conn *c, int64_t user_id, db_role_fn fn, void *cls)
{
    struct emit_role e = {fn, cls};
    return db_query(c,
                    "SELECT role, region_code, coalesce(dept_id, 0) FROM role_assignments"
                    " WHERE user_id = $1 ORDER BY id",
                    DB_ARGS(DB_INT(user_id)), row_role, &e);
}

int db_role_insert(struct db_conn *c, int64_t user_id, const char *role, const char *region,
                   int64_t dept_id, int64_t now)
{
    return db_exec(c,
                   "INSERT INTO role_assignments (user_id, role, region_code, dept_id, created_at)"
                   " VALUES ($1, $2, $3, $4, $5)",
                   DB_ARGS(DB_INT(user_id), DB_TEXT(role), DB_TEXT(region),
                           dept_id ? DB_INT(dept_id) : DB_NULLP, DB_INT(now)));
}

/* ---- sessions ---------------------------------------------------------------- */

int db_session_insert(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                      int64_t user_id, const char *csrf, int64_t now, int64_t expires_at,
                      const char *address)
{
    return db_exec(c,
                   "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
                   " last_seen_at, expires_at, address) VALUES ($1, $2, $3, $4, $4, $5, $6)",
                   DB_ARGS(DB_BLOB(token_hash, hlen), DB_INT(user_id), DB_TEXT(csrf), DB_INT(now),
                           DB_INT(expires_at), DB_TEXT(address)));
}

struct emit_session {
    db_session_fn fn;
    void *cls;
};

static int row_session(void *cls, const struct db_row *row)
{
    struct emit_session *e = cls;
    struct db_session s = {
        .id = db_col_int(row, 0), .user_id = db_col_int(row, 1),
        .csrf_token = db_col_text(row, 2), .created_at = db_col_int(row, 3),
        .last_seen_at = db_col_int(row, 4), .expires_at = db_col_int(row, 5),
    };
    return e->fn(e->cls, &s);
}

int db_session_get(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                   db_session_fn fn, void *cls)
{
    struct emit_session e = {fn, cls};
    return db_query(c,
                    "SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at"
                    " FROM sessions WHERE token_hash = $1",
                    DB_ARGS(DB_BLOB(token_hash, hlen)), row_session, &e);
}

int db_session_touch(struct db_conn *c, int64_t id, int64_t now)
{
    return db_exec(c, "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
                   DB_ARGS(DB_INT(id), DB_INT(now)));
}

int db_session_delete(struct db_conn *c, int64_t id)
{
    return db_exec(c, "DELETE FROM sessions WHERE id = $1", DB_ARGS(DB_INT(id)));
}

int db_sessions_expire(struct db_conn *c, int64_t now, int64_t idle_cutoff)
{
    return db_exec(c, "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2",
                   DB_ARGS(DB_INT(now), DB_INT(idle_cutoff)));
}

/* ---- API tokens -------------------------------------------------------------- */

int db_token_insert(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                    int64_t user_id, const char *name, int64_t now, int64_t *id)
{
    return db_query_int(c,
                        "INSERT INTO api_tokens (token_hash, user_id, name, created_at)"
                        " VALUES ($1, $2, $3, $4) RETURNING id",
                        DB_ARGS(DB_BLOB(token_hash, hlen), DB_INT(user_id), DB_TEXT(name),
                                DB_INT(now)),
                        id);
}

int db_token_user(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                  int64_t *user_id)
{
    return db_query_int(c,
                        "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id"
                        " WHERE t.token_hash = $1 AND t.revoked = 0 AND u.active = 1",
                        DB_ARGS(DB_BLOB(token_hash, hlen)), user_id);
}

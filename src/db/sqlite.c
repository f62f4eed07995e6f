/*
 * The SQLite back end: one sqlite3 handle per pooled connection, opened in
 * WAL mode with synchronous=FULL and foreign keys on, and a small cache of
 * prepared statements keyed by the address of the SQL literal.
 */
#include "db/driver.h"
#include "log.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128 /* power of two */
#define BUSY_TIMEOUT_MS 5000

struct sq {
    sqlite3 *h;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
};

static int map_rc(struct sq *s, int rc, const char *sql)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    case SQLITE_CONSTRAINT:
        switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return DB_UNIQUE;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return DB_FOREIGN;
        default:
            return DB_CHECK;
        }
    }
    log_error("db", "sqlite error %d: %s (in: %.80s)", rc, sqlite3_errmsg(s->h), sql ? sql : "");
    return DB_ERROR;
}

static int sq_exec_script(void *conn, const char *sql)
{
    struct sq *s = conn;
    return map_rc(s, sqlite3_exec(s->h, sql, NULL, NULL, NULL), sql);
}

static void sq_disconnect(void *conn)
{
    struct sq *s = conn;
    if (!s)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(s->cache[i].st);
    sqlite3_close_v2(s->h);
    free(s);
}

static int sq_connect(const char *target, int how, void **conn, char *err, size_t errlen)
{
    struct sq *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    if (how == DB_OPEN_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(target, &s->h, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s%s", target,
                 s->h ? sqlite3_errmsg(s->h) : sqlite3_errstr(rc),
                 how == DB_OPEN_CREATE ? "" : " (create it with `gridline init`)");
        sq_disconnect(s);
        return DB_ERROR;
    }
    sqlite3_extended_result_codes(s->h, 1);
    sqlite3_busy_timeout(s->h, BUSY_TIMEOUT_MS);
    rc = sqlite3_exec(s->h,
                      "PRAGMA journal_mode=WAL;"
                      "PRAGMA synchronous=FULL;"
                      "PRAGMA foreign_keys=ON;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database %s: %s", target, sqlite3_errmsg(s->h));
        sq_disconnect(s);
        return DB_ERROR;
    }
    *conn = s;
    return 0;
}

static int pragma_text(struct sq *s, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st;
    out[0] = '\0';
    if (sqlite3_prepare_v2(s->h, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return 0;
}

static int sq_check_settings(void *conn, char *err, size_t errlen)
{
    struct sq *s = conn;
    char jm[16], sy[16], fk[16];
    if (pragma_text(s, "PRAGMA journal_mode", jm, sizeof jm) < 0 ||
        pragma_text(s, "PRAGMA synchronous", sy, sizeof sy) < 0 ||
        pragma_text(s, "PRAGMA foreign_keys", fk, sizeof fk) < 0) {
        snprintf(err, errlen, "cannot read database settings: %s", sqlite3_errmsg(s->h));
        return DB_ERROR;
    }
    if (strcmp(jm, "wal") != 0 || strcmp(sy, "2") != 0 || strcmp(fk, "1") != 0) {
        snprintf(err, errlen,
                 "database settings not in effect (journal_mode=%s, want wal; synchronous=%s, "
                 "want 2/FULL; foreign_keys=%s, want 1)", jm, sy, fk);
        return DB_ERROR;
    }
    return 0;
}

static int sq_begin(void *conn, int mode)
{
    /* A writer takes the write lock up front: a deferred transaction that
     * upgrades later can fail with BUSY_SNAPSHOT after doing its reads. */
    return sq_exec_script(conn, mode == DB_WRITE ? "BEGIN IMMEDIATE" : "BEGIN");
}
static int sq_commit(void *conn) { return sq_exec_script(conn, "COMMIT"); }
static int sq_rollback(void *conn)
{
    struct sq *s = conn;
    if (sqlite3_get_autocommit(s->h))
        return 0; /* SQLite already rolled back (e.g. after a constraint abort) */
    return sq_exec_script(conn, "ROLLBACK");
}

static sqlite3_stmt *stmt_get(struct sq *s, const char *sql, int *rc)
{
    uintptr_t h = (uintptr_t)sql;
    unsigned slot = (unsigned)((h >> 3) ^ (h >> 11)) & (STMT_CACHE - 1);
    for (int probe = 0; probe < 8; probe++) {
        unsigned i = (slot + probe) & (STMT_CACHE - 1);
        if (s->cache[i].sql == sql)
            return s->cache[i].st;
        if (!s->cache[i].sql) {
            sqlite3_stmt *st;
            *rc = sqlite3_prepare_v3(s->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (*rc != SQLITE_OK)
                return NULL;
            s->cache[i].sql = sql;
            s->cache[i].st = st;
            return st;
        }
    }
    /* Cache neighbourhood full: prepare uncached; the caller finalizes. */
    return NULL;
}

static int bind_all(struct sq *s, sqlite3_stmt *st, const struct db_param *p, size_t n,
                    const char *sql)
{
    if ((size_t)sqlite3_bind_parameter_count(st) != n) {
        log_error("db", "statement wants %d parameters, got %zu (in: %.80s)",
                  sqlite3_bind_parameter_count(st), n, sql);
        return DB_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "$%zu", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx == 0) {
            log_error("db", "parameter %s not used (in: %.80s)", name, sql);
            return DB_ERROR;
        }
        int rc;
        switch (p[i].type) {
        case DB_T_INT: rc = sqlite3_bind_int64(st, idx, p[i].i); break;
        case DB_T_DOUBLE: rc = sqlite3_bind_double(st, idx, p[i].d); break;
        case DB_T_TEXT: rc = sqlite3_bind_text(st, idx, p[i].p, -1, SQLITE_STATIC); break;
        case DB_T_BLOB: rc = sqlite3_bind_blob64(st, idx, p[i].p, p[i].len, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(st, idx); break;
        }
        if (rc != SQLITE_OK)
            return map_rc(s, rc, sql);
    }
    return 0;
}

static int sq_query(void *conn, const char *sql, const struct db_param *p, size_t n,
                    db_row_fn fn, void *cls, int *changes)
{
    struct sq *s = conn;
    int rc = SQLITE_OK, owned = 0;
    sqlite3_stmt *st = stmt_get(s, sql, &rc);
    if (!st) {
        if (rc != SQLITE_OK)
            return map_rc(s, rc, sql);
        rc = sqlite3_prepare_v2(s->h, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
            return map_rc(s, rc, sql);
        owned = 1;
    }
    int result = bind_all(s, st, p, n, sql);
    int rows = 0;
    struct db_row row = {&db_sqlite_driver, st};
    while (result == 0) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (!fn)
                continue;
            rows++;
            if (fn(cls, &row) != 0)
                break;
        } else if (rc == SQLITE_DONE) {
            break;
        } else {
            result = map_rc(s, rc, sql);
        }
    }
    *changes = sqlite3_changes(s->h);
    if (owned)
        sqlite3_finalize(st);
    else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return result < 0 ? result : rows;
}

static const char *sq_errmsg(void *conn) { return sqlite3_errmsg(((struct sq *)conn)->h); }
static int64_t sq_col_int(void *row, int col) { return sqlite3_column_int64(row, col); }
static double sq_col_double(void *row, int col) { return sqlite3_column_double(row, col); }
static const char *sq_col_text(void *row, int col)
{
    return (const char *)sqlite3_column_text(row, col);
}
static int sq_col_is_null(void *row, int col) { return sqlite3_column_type(row, col) == SQLITE_NULL; }

static const void *sq_col_blob(void *row, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(row, col);
    *len = p ? (size_t)sqlite3_column_bytes(row, col) : 0;
    return p;
}

const struct db_driver db_sqlite_driver = {
    .name = "sqlite",
    .dialect = DB_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .check_settings = sq_check_settings,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .errmsg = sq_errmsg,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_is_null = sq_col_is_null,
    .col_blob = sq_col_blob,
};

/*
 * The only door to storage. Handlers never see SQLite or libpq types and
 * never build SQL from user text: every value travels as a bound parameter.
 *
 * Shape of use (GNU Taler style): a handler writes one callback that does
 * the work of a transaction and hands it to db_run_transaction(), which
 * borrows a pooled connection, begins, calls back, commits, and retries the
 * whole callback when the store reports a transient conflict (SQLite BUSY,
 * PostgreSQL serialization failure). Nothing is acknowledged before COMMIT
 * returned success.
 *
 * Status codes: >= 0 success (for queries, the number of rows), < 0 one of
 * enum db_status.
 *
 * SQL text uses $1, $2, ... placeholders in both dialects.
 */
#ifndef GL_DB_H
#define GL_DB_H
#include <stddef.h>
#include <stdint.h>

struct db;      /* a pool of connections to one database */
struct db_conn; /* one connection, lent to a transaction callback */
struct db_row;  /* the current row inside a db_query callback */

enum db_status {
    DB_BUSY = -1,    /* transient conflict; db_run_transaction retries it */
    DB_UNIQUE = -2,  /* a unique constraint was violated */
    DB_FOREIGN = -3, /* a foreign key was violated */
    DB_CHECK = -4,   /* a CHECK or NOT NULL constraint was violated */
    DB_ERROR = -5,   /* anything else; the driver logged the details */
    DB_ABORT = -6,   /* the callback chose to roll back (not an error of the store) */
};

enum db_dialect { DB_SQLITE = 1, DB_POSTGRES };

enum db_ptype { DB_T_NULL, DB_T_INT, DB_T_DOUBLE, DB_T_TEXT, DB_T_BLOB };
struct db_param {
    enum db_ptype type;
    int64_t i;
    double d;
    const void *p;
    size_t len;
};
#define DB_INT(x)    ((struct db_param){.type = DB_T_INT, .i = (x)})
#define DB_DOUBLE(x) ((struct db_param){.type = DB_T_DOUBLE, .d = (x)})
/* NULL pointer binds SQL NULL. */
#define DB_TEXT(s)   ((struct db_param){.type = (s) ? DB_T_TEXT : DB_T_NULL, .p = (s)})
#define DB_BLOB(b, n) ((struct db_param){.type = DB_T_BLOB, .p = (b), .len = (n)})
#define DB_NULLP     ((struct db_param){.type = DB_T_NULL})
/* DB_ARGS(DB_INT(1), DB_TEXT(s)) expands to "array, count" for db_query/db_exec. */
#define DB_ARGS(...) (const struct db_param[]){__VA_ARGS__}, \
    (sizeof((const struct db_param[]){__VA_ARGS__}) / sizeof(struct db_param))
#define DB_NOARGS NULL, 0

enum { DB_OPEN_EXISTING = 0, DB_OPEN_CREATE = 1 };
/* Opens `url` ("sqlite:PATH", "file:PATH" or a plain path; "postgresql://..."
 * once that back end lands) with `nconns` pooled connections. With
 * DB_OPEN_EXISTING a missing database is an error. On failure returns < 0
 * and writes a sentence to err. */
int db_open(const char *url, unsigned nconns, int how, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);

/* Checks that the store runs with the durability settings gridline needs
 * (SQLite: WAL, synchronous=FULL, foreign_keys=ON). */
int db_check_settings(struct db *db, char *err, size_t errlen);

enum { DB_READ = 0, DB_WRITE = 1 };
typedef int (*db_txn_fn)(struct db_conn *c, void *cls);
/* Runs fn inside a transaction; commits when fn returns >= 0 and rolls back
 * otherwise. Returns fn's result, or the commit's failure. */
int db_run_transaction(struct db *db, int mode, db_txn_fn fn, void *cls);

/* Row callback: return 0 to continue, non-zero to stop early. */
typedef int (*db_row_fn)(void *cls, const struct db_row *row);
/* Runs a statement, calling fn for each row. Returns the number of rows
 * passed to fn, or < 0. `sql` should be a string literal: it is the key of
 * the per-connection prepared statement cache. */
int db_query(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
             db_row_fn fn, void *cls);
/* Runs a statement that returns no rows; returns the number of rows changed. */
int db_exec(struct db_conn *c, const char *sql, const struct db_param *p, size_t n);
/* Runs a single statement expected to return one integer in one row
 * (e.g. "... RETURNING id", "SELECT count(*)"); returns 1 with *out set, 0 when
 * there was no row, < 0 on error. */
int db_query_int(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
                 int64_t *out);
/* Runs several ';'-separated statements with no parameters (migrations). */
int db_exec_script(struct db_conn *c, const char *sql);
/* The store's own description of the last error on this connection. */
const char *db_errmsg(struct db_conn *c);

int64_t db_col_int(const struct db_row *r, int col);
double db_col_double(const struct db_row *r, int col);
/* NULL for SQL NULL; valid until the callback returns. */
const char *db_col_text(const struct db_row *r, int col);
int db_col_is_null(const struct db_row *r, int col);

/* ---- migrations (db/migrate.c) ----------------------------------------- */

/* Highest migration version compiled into this binary for the dialect. */
int db_schema_known(enum db_dialect d);
/* Version recorded in the database (0 for an empty database), or < 0. */
int db_schema_version(struct db *db, int *version);
/* Applies every pending migration, each in its own transaction. Returns the
 * number applied, or < 0 (err says why; a database newer than this binary is
 * refused without change). */
int db_migrate(struct db *db, char *err, size_t errlen);

/* ---- categories (db/categories.c) -------------------------------------- */

struct db_category {
    int64_t id;
    int64_t parent_id; /* 0 for a top-level category */
    const char *parent_code;
    const char *code;
    const char *name_zh;
    const char *name_en;
    int64_t time_limit_hours;
    int active;
    int64_t created_at, updated_at, version;
};
typedef int (*db_category_fn)(void *cls, const struct db_category *c);

/* All categories ordered by code; parent_code, when not NULL, keeps the
 * children of that top-level category only. */
int db_categories_list(struct db_conn *c, const char *parent_code, db_category_fn fn, void *cls);
int db_category_by_id(struct db_conn *c, int64_t id, db_category_fn fn, void *cls);
int db_category_by_code(struct db_conn *c, const char *code, db_category_fn fn, void *cls);
/* Inserts `in` (id, timestamps and version are set here); returns 1 with
 * *id set, DB_UNIQUE when the code exists, or < 0. */
int db_category_insert(struct db_conn *c, const struct db_category *in, int64_t now, int64_t *id);

#endif

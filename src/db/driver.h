/*
 * What a storage back end implements. Private to src/db/: db.c owns the
 * pool and the transaction loop and calls these; query-group files call the
 * public db_query()/db_exec() in db.h.
 */
#ifndef GL_DB_DRIVER_H
#define GL_DB_DRIVER_H
#include "db/db.h"

struct db_driver {
    const char *name;
    enum db_dialect dialect;
    /* Opens one connection; returns < 0 with err filled on failure. */
    int (*connect)(const char *target, int how, void **conn, char *err, size_t errlen);
    void (*disconnect)(void *conn);
    int (*check_settings)(void *conn, char *err, size_t errlen);
    int (*begin)(void *conn, int mode);
    int (*commit)(void *conn);
    int (*rollback)(void *conn);
    /* Runs one statement; fn may be NULL. *changes gets the rows changed. */
    int (*query)(void *conn, const char *sql, const struct db_param *p, size_t n,
                 db_row_fn fn, void *cls, int *changes);
    int (*exec_script)(void *conn, const char *sql);
    const char *(*errmsg)(void *conn);
    int64_t (*col_int)(void *row, int col);
    double (*col_double)(void *row, int col);
    const char *(*col_text)(void *row, int col);
    int (*col_is_null)(void *row, int col);
    const void *(*col_blob)(void *row, int col, size_t *len);
};

/* Handed to row callbacks; `impl` is the driver's own row handle. */
struct db_row {
    const struct db_driver *drv;
    void *impl;
};

extern const struct db_driver db_sqlite_driver;

/* Shared by the timelines of cases and errands: a row of (id, subject id,
 * at, actor id, actor name, action, from, to, note, data) to a db_event. */
struct db_event_emit {
    db_event_fn fn;
    void *cls;
};
int db_event_row(void *cls, const struct db_row *r);

#endif

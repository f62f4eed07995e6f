/*
 * The connection pool and the transaction loop shared by every back end.
 * A connection is used by one thread at a time: db_run_transaction() takes
 * one from the pool (waiting if all are lent), and gives it back after
 * COMMIT or ROLLBACK.
 */
#include "db/driver.h"
#include "log.h"
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db_conn {
    const struct db_driver *drv;
    void *impl;
};

struct db {
    const struct db_driver *drv;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned n, nfree;
    struct db_conn *conns;
    struct db_conn **free; /* stack of idle connections */
};

#define TXN_ATTEMPTS 8

static const struct db_driver *pick_driver(const char *url, const char **target)
{
    if (strncmp(url, "sqlite:", 7) == 0) {
        *target = url + 7;
        return &db_sqlite_driver;
    }
    *target = url; /* "file:..." URIs and plain paths go to SQLite as they are */
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return NULL;
    return &db_sqlite_driver;
}

int db_open(const char *url, unsigned nconns, int how, struct db **out, char *err, size_t errlen)
{
    const char *target;
    const struct db_driver *drv = pick_driver(url, &target);
    if (!drv) {
        snprintf(err, errlen, "the PostgreSQL back end is not part of this build yet; use a SQLite path");
        return DB_ERROR;
    }
    if (nconns == 0)
        nconns = 1;
    struct db *db = calloc(1, sizeof *db);
    if (!db)
        abort();
    db->drv = drv;
    db->conns = calloc(nconns, sizeof *db->conns);
    db->free = calloc(nconns, sizeof *db->free);
    if (!db->conns || !db->free)
        abort();
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    for (unsigned i = 0; i < nconns; i++) {
        db->conns[i].drv = drv;
        if (drv->connect(target, how, &db->conns[i].impl, err, errlen) < 0) {
            db->n = i;
            db_close(db);
            return DB_ERROR;
        }
        db->free[db->nfree++] = &db->conns[i];
        db->n = i + 1;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (unsigned i = 0; i < db->n; i++)
        db->drv->disconnect(db->conns[i].impl);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    free(db->conns);
    free(db->free);
    free(db);
}

enum db_dialect db_dialect(const struct db *db) { return db->drv->dialect; }

static struct db_conn *acquire(struct db *db)
{
    pthread_mutex_lock(&db->mu);
    while (db->nfree == 0)
        pthread_cond_wait(&db->cv, &db->mu);
    struct db_conn *c = db->free[--db->nfree];
    pthread_mutex_unlock(&db->mu);
    return c;
}

static void release(struct db *db, struct db_conn *c)
{
    pthread_mutex_lock(&db->mu);
    db->free[db->nfree++] = c;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

int db_check_settings(struct db *db, char *err, size_t errlen)
{
    int rc = 0;
    /* Every connection carries its own pragmas: check them all. */
    for (unsigned i = 0; i < db->n && rc == 0; i++)
        rc = db->drv->check_settings(db->conns[i].impl, err, errlen);
    return rc;
}

static void backoff(int attempt)
{
    /* 1, 2, 4, ... ms plus jitter, so that retrying writers spread out. */
    long ms = (1L << attempt) + rand() % (attempt + 2);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int db_run_transaction(struct db *db, int mode, db_txn_fn fn, void *cls)
{
    double t0 = seconds_now();
    struct db_conn *c = acquire(db);
    int rc = DB_ERROR;
    for (int attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
        rc = db->drv->begin(c->impl, mode);
        if (rc == 0) {
            rc = fn(c, cls);
            if (rc >= 0) {
                int crc = db->drv->commit(c->impl);
                if (crc < 0) {
                    db->drv->rollback(c->impl);
                    rc = crc;
                }
            } else {
                db->drv->rollback(c->impl);
            }
        }
        if (rc != DB_BUSY)
            break;
        backoff(attempt);
    }
    if (rc == DB_BUSY)
        log_warn("db", "transaction gave up after %d busy attempts", TXN_ATTEMPTS);
    release(db, c);
    metrics_transaction(mode, rc, seconds_now() - t0);
    return rc;
}

int db_query(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
             db_row_fn fn, void *cls)
{
    int changes;
    return c->drv->query(c->impl, sql, p, n, fn, cls, &changes);
}

int db_exec(struct db_conn *c, const char *sql, const struct db_param *p, size_t n)
{
    int changes = 0;
    int rc = c->drv->query(c->impl, sql, p, n, NULL, NULL, &changes);
    return rc < 0 ? rc : changes;
}

static int first_int(void *cls, const struct db_row *r)
{
    *(int64_t *)cls = db_col_int(r, 0);
    return 1;
}

int db_query_int(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
                 int64_t *out)
{
    int changes;
    return c->drv->query(c->impl, sql, p, n, first_int, out, &changes);
}

int db_exec_script(struct db_conn *c, const char *sql) { return c->drv->exec_script(c->impl, sql); }
const char *db_errmsg(struct db_conn *c) { return c->drv->errmsg(c->impl); }

int64_t db_col_int(const struct db_row *r, int col) { return r->drv->col_int(r->impl, col); }
double db_col_double(const struct db_row *r, int col) { return r->drv->col_double(r->impl, col); }
const char *db_col_text(const struct db_row *r, int col) { return r->drv->col_text(r->impl, col); }
int db_col_is_null(const struct db_row *r, int col) { return r->drv->col_is_null(r->impl, col); }
const void *db_col_blob(const struct db_row *r, int col, size_t *len)
{
    return r->drv->col_blob(r->impl, col, len);
}

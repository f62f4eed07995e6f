/*
 * Schema migrations: numbered SQL files per dialect under db/migrations/,
 * compiled into the binary (embed_migrations, names "sqlite/0001_x.sql").
 * Each applies in its own transaction together with its row in
 * schema_migrations, so a crash leaves the schema at a whole version.
 */
#include "db/db.h"
#include "embed.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *dialect_dir(enum db_dialect d) { return d == DB_POSTGRES ? "postgres/" : "sqlite/"; }

/* The version number of a migration of dialect d, or 0 if it is another's. */
static int file_version(const struct embed_file *f, enum db_dialect d)
{
    const char *dir = dialect_dir(d);
    size_t n = strlen(dir);
    if (strncmp(f->name, dir, n) != 0)
        return 0;
    return atoi(f->name + n);
}

int db_schema_known(enum db_dialect d)
{
    int max = 0;
    for (const struct embed_file *f = embed_migrations; f->name; f++) {
        int v = file_version(f, d);
        if (v > max)
            max = v;
    }
    return max;
}

static int read_version(struct db_conn *c, void *cls)
{
    int64_t v = 0;
    int rc = db_query_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", DB_NOARGS, &v);
    *(int *)cls = (int)v;
    return rc < 0 ? rc : 0;
}

int db_schema_version(struct db *db, int *version)
{
    return db_run_transaction(db, DB_READ, read_version, version);
}

static int create_table(struct db_conn *c, void *cls)
{
    (void)cls;
    return db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY,"
                             " name TEXT NOT NULL,"
                             " applied_at BIGINT NOT NULL)");
}

struct apply {
    const struct embed_file *f;
    int version;
};

static int apply_one(struct db_conn *c, void *cls)
{
    struct apply *a = cls;
    int rc = db_exec_script(c, (const char *)a->f->data);
    if (rc < 0) {
        log_error("migrate", "%s failed: %s", a->f->name, db_errmsg(c));
        return rc;
    }
    return db_exec(c,
                   "INSERT INTO schema_migrations (version, name, applied_at)"
                   " VALUES ($1, $2, $3)",
                   DB_ARGS(DB_INT(a->version), DB_TEXT(a->f->name), DB_INT((int64_t)time(NULL))));
}

int db_migrate(struct db *db, char *err, size_t errlen)
{
    enum db_dialect d = db_dialect(db);
    int current = 0, known = db_schema_known(d), applied = 0;
    if (db_run_transaction(db, DB_WRITE, create_table, NULL) < 0 ||
        db_schema_version(db, &current) < 0) {
        snprintf(err, errlen, "cannot read the schema version");
        return DB_ERROR;
    }
    if (current > known) {
        snprintf(err, errlen,
                 "database schema is version %d but this gridline knows only up to %d; "
                 "run a newer gridline", current, known);
        return DB_ERROR;
    }
    for (int v = current + 1; v <= known; v++) {
        struct apply a = {NULL, v};
        for (const struct embed_file *f = embed_migrations; f->name; f++)
            if (file_version(f, d) == v)
                a.f = f;
        if (!a.f) {
            snprintf(err, errlen, "migration %d is missing from this build", v);
            return DB_ERROR;
        }
        if (db_run_transaction(db, DB_WRITE, apply_one, &a) < 0) {
            snprintf(err, errlen, "migration %s failed; the database stays at version %d",
                     a.f->name, v - 1);
            return DB_ERROR;
        }
        log_info("migrate", "applied %s", a.f->name);
        applied++;
    }
    return applied;
}

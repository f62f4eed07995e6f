/*
 * `gridline user add` and `gridline user passwd`: accounts from the shell,
 * for the first admin of a new installation and for an admin locked out at
 * 2 a.m. Passwords come from standard input, never from the command line
 * (where `ps` and shell history would keep them).
 */
#include "cli.h"
#include "config.h"
#include "core/authz.h"
#include "core/region.h"
#include "db/db.h"
#include "secret.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSWORD_MIN 8

int cli_open(const struct config *cfg, const char *who, struct db **db)
{
    char err[512];
    if (db_open(cfg->db, 1, DB_OPEN_EXISTING, db, err, sizeof err) < 0 ||
        secret_load_key(cfg->key_file, err, sizeof err) < 0) {
        fprintf(stderr, "gridline %s: %s\n", who, err);
        db_close(*db);
        *db = NULL;
        return -1;
    }
    int version = 0;
    if (db_schema_version(*db, &version) < 0 || version != db_schema_known(db_dialect(*db))) {
        fprintf(stderr, "gridline %s: the database schema is not current; run `gridline init`\n",
                who);
        db_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

int cli_read_line(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int read_password(char out[256])
{
    if (cli_read_line(out, 256) < 0 || strlen(out) < PASSWORD_MIN) {
        fprintf(stderr, "gridline user: give a password of at least %d characters on standard input\n",
                PASSWORD_MIN);
        return -1;
    }
    return 0;
}

struct add_ctx {
    const char *username, *name, *role, *scope;
    int64_t dept;
    char hash[SECRET_PWHASH_LEN];
    int64_t id;
    const char *problem;
};

static int scope_exists(void *cls, const struct db_region *r)
{
    (void)r;
    *(bool *)cls = true;
    return 1;
}

static int grid_exists(void *cls, const struct db_grid *g)
{
    (void)g;
    *(bool *)cls = true;
    return 1;
}

static int add_txn(struct db_conn *c, void *cls)
{
    struct add_ctx *a = cls;
    int64_t now = (int64_t)time(NULL);
    if (a->scope) {
        bool found = false;
        int rc = region_level_of(a->scope) == LEVEL_GRID
                     ? db_grid_get(c, a->scope, grid_exists, &found)
                     : db_region_get(c, a->scope, scope_exists, &found);
        if (rc < 0)
            return rc;
        if (!found) {
            a->problem = "the scope region or grid does not exist";
            return DB_ABORT;
        }
    }
    struct db_user u = {.username = a->username, .display_name = a->name, .password_hash = a->hash};
    int rc = db_user_insert(c, &u, now, &a->id);
    if (rc == DB_UNIQUE) {
        a->problem = "that username is taken";
        return DB_ABORT;
    }
    if (rc < 0)
        return rc;
    rc = db_role_insert(c, a->id, a->role, a->scope, a->dept, now);
    if (rc == DB_FOREIGN) {
        a->problem = "no department with that id";
        return DB_ABORT;
    }
    return rc;
}

static int user_add(int argc, char **argv)
{
    struct config cfg;
    bool from_stdin = false;
    const char *username = NULL, *role = NULL, *scope = NULL, *dept = NULL, *name = NULL;
    const struct cmd_flag flags[] = {
        {"username", "NAME", &username, "sign-in name"},
        {"role", "ROLE", &role, "resident, grid_worker, party_member, agent, dispatcher, dept_staff, "
                                "dept_head, supervisor, leader, auditor or admin"},
        {"scope", "CODE", &scope, "region or grid code the role holds in (default: everywhere)"},
        {"dept", "ID", &dept, "department id, for department roles"},
        {"name", "TEXT", &name, "display name (default: the username)"},
        {"password-stdin", NULL, &from_stdin, "read the password from standard input (required)"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = config_load(&cfg, argc, argv, flags,
                         "gridline user add --username U --role R [--scope CODE] [--dept ID] "
                         "[--name TEXT] --password-stdin");
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (!username || !role || !from_stdin) {
        fprintf(stderr, "gridline user add: --username, --role and --password-stdin are required\n");
        return 2;
    }
    if (role_parse(role) < 0) {
        fprintf(stderr, "gridline user add: unknown role \"%s\"\n", role);
        return 2;
    }
    if (scope && region_level_of(scope) == LEVEL_INVALID) {
        fprintf(stderr, "gridline user add: --scope must be a 12-digit region or 15-digit grid code\n");
        return 2;
    }
    struct add_ctx a = {.username = username, .name = name ? name : username, .role = role,
                        .scope = scope, .dept = dept ? atoll(dept) : 0};
    char password[256];
    if (read_password(password) < 0)
        return 2;
    struct db *db;
    if (cli_open(&cfg, "user add", &db) < 0)
        return 1;
    secret_password_hash(password, a.hash);
    rc = db_run_transaction(db, DB_WRITE, add_txn, &a);
    db_close(db);
    if (rc == DB_ABORT) {
        fprintf(stderr, "gridline user add: %s\n", a.problem);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "gridline user add: database error %d\n", rc);
        return 1;
    }
    printf("user %s (id %lld) added as %s%s%s\n", username, (long long)a.id, role,
           scope ? " in " : " everywhere", scope ? scope : "");
    return 0;
}

struct passwd_ctx {
    const char *username;
    char hash[SECRET_PWHASH_LEN];
    int64_t id;
};

static int keep_id(void *cls, const struct db_user *u)
{
    ((struct passwd_ctx *)cls)->id = u->id;
    return 1;
}

static int passwd_txn(struct db_conn *c, void *cls)
{
    struct passwd_ctx *p = cls;
    p->id = 0;
    int rc = db_user_by_username(c, p->username, keep_id, p);
    if (rc <= 0)
        return rc < 0 ? rc : DB_ABORT;
    /* A new password also lifts a lockout and ends the old sessions. */
    rc = db_user_set_password(c, p->id, p->hash, (int64_t)time(NULL));
    if (rc < 0)
        return rc;
    return db_exec(c, "DELETE FROM sessions WHERE user_id = $1", DB_ARGS(DB_INT(p->id)));
}

static int user_passwd(int argc, char **argv)
{
    struct config cfg;
    const char *username = NULL;
    /* `gridline user passwd NAME [options]` */
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0) {
        username = argv[1];
        argv[1] = argv[0];
        argv++, argc--;
    }
    const struct cmd_flag flags[] = {{"username", "NAME", &username, "whose password"},
                                     {NULL, NULL, NULL, NULL}};
    int rc = config_load(&cfg, argc, argv, flags,
                         "gridline user passwd NAME   (the new password on standard input)");
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (!username) {
        fprintf(stderr, "gridline user passwd: name the user\n");
        return 2;
    }
    struct passwd_ctx p = {.username = username};
    char password[256];
    if (read_password(password) < 0)
        return 2;
    struct db *db;
    if (cli_open(&cfg, "user passwd", &db) < 0)
        return 1;
    secret_password_hash(password, p.hash);
    rc = db_run_transaction(db, DB_WRITE, passwd_txn, &p);
    db_close(db);
    if (rc == DB_ABORT) {
        fprintf(stderr, "gridline user passwd: no user %s\n", username);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "gridline user passwd: database error %d\n", rc);
        return 1;
    }
    printf("password of %s changed; lockout lifted and sessions ended\n", username);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: gridline user add ... | gridline user passwd NAME\n"
               "       gridline user <add|passwd> --help for the options\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "add") == 0)
        return user_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0)
        return user_passwd(argc - 1, argv + 1);
    fprintf(stderr, "gridline user: unknown subcommand \"%s\"\n", argv[1]);
    return 2;
}

/*
 * gridline: one binary, one subcommand per job. This file only parses the
 * command line and wires the layers together; the work lives in http/,
 * api/, core/ and db/.
 */
#include "api/caseflow.h"
#include "app.h"
#include "cli.h"
#include "config.h"
#include "db/db.h"
#include "demo.h"
#include "events.h"
#include "http/server.h"
#include "log.h"
#include "outbox.h"
#include "secret.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef GL_VERSION
#define GL_VERSION "dev"
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static unsigned pool_size(const struct config *cfg)
{
    /* One connection per HTTP worker, one for the sweep, one for the outbox. */
    unsigned t = cfg->threads;
    if (t == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        t = n > 0 ? (unsigned)n : 1;
    }
    return t + 2;
}

/* ---- init ----------------------------------------------------------------- */

static int cmd_init(int argc, char **argv)
{
    struct config cfg;
    bool demo = false;
    const struct cmd_flag flags[] = {
        {"demo", NULL, &demo, "also write the fictional demo county (skipped if present)"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = config_load(&cfg, argc, argv, flags, "gridline init [--demo] [--db PATH]");
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    struct db *db;
    char err[512];
    const char *env_key = getenv("GRIDLINE_KEY");
    if (!(env_key && *env_key)) {
        int made = secret_make_key(cfg.key_file, err, sizeof err);
        if (made < 0) {
            fprintf(stderr, "gridline init: %s\n", err);
            return 1;
        }
        if (made)
            printf("new personal-data key written to %s: back it up apart from the database\n",
                   cfg.key_file);
    }
    if (secret_load_key(cfg.key_file, err, sizeof err) < 0) {
        fprintf(stderr, "gridline init: %s\n", err);
        return 1;
    }
    if (db_open(cfg.db, 1, DB_OPEN_CREATE, &db, err, sizeof err) < 0) {
        fprintf(stderr, "gridline init: %s\n", err);
        return 1;
    }
    int applied = db_migrate(db, err, sizeof err);
    if (applied < 0) {
        fprintf(stderr, "gridline init: %s\n", err);
        db_close(db);
        return 1;
    }
    int version = 0;
    db_schema_version(db, &version);
    printf("database %s at schema version %d (%d migration%s applied)\n", cfg.db, version,
           applied, applied == 1 ? "" : "s");
    if (demo) {
        rc = demo_seed(db, &cfg, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "gridline init: %s\n", err);
            db_close(db);
            return 1;
        }
        printf(rc == 1 ? "demo data already present; left as it is\n" : "demo data written\n");
    }
    db_close(db);
    return 0;
}

/* ---- serve ---------------------------------------------------------------- */

static int cmd_serve(int argc, char **argv)
{
    struct config cfg;
    int rc = config_load(&cfg, argc, argv, NULL, "gridline serve [--db PATH] [--listen HOST:PORT]");
    if (rc != 0)
        return rc > 0 ? 0 : 2;

    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    struct app app = {.cfg = &cfg, .started_at = (int64_t)time(NULL)};
    if (secret_load_key(cfg.key_file, err, sizeof err) < 0) {
        fprintf(stderr, "gridline serve: %s\n", err);
        return 1;
    }
    if (db_open(cfg.db, pool_size(&cfg), DB_OPEN_EXISTING, &app.db, err, sizeof err) < 0 ||
        db_check_settings(app.db, err, sizeof err) < 0 || db_migrate(app.db, err, sizeof err) < 0) {
        fprintf(stderr, "gridline serve: %s\n", err);
        log_error("serve", "refusing to start: %s", err);
        db_close(app.db);
        return 1;
    }
    struct http_server *srv;
    if (http_server_start(&app, &srv, err, sizeof err) < 0) {
        fprintf(stderr, "gridline serve: %s\n", err);
        db_close(app.db);
        return 1;
    }
    struct outbox *outbox;
    if (outbox_start(&app, &outbox) < 0) {
        fprintf(stderr, "gridline serve: the outbox sender did not start\n");
        http_server_stop(srv, 0);
        db_close(app.db);
        return 1;
    }
    char url[300];
    const char *colon = strrchr(cfg.listen, ':');
    snprintf(url, sizeof url, "http://%.*s:%u/", (int)(colon - cfg.listen), cfg.listen,
             http_server_port(srv));
    size_t pub = strlen(cfg.public_url);
    if (pub && cfg.public_url[pub - 1] == '/')
        pub--;
    snprintf(app.base_url, sizeof app.base_url, "%.*s", pub ? (int)pub : (int)strlen(url) - 1,
             pub ? cfg.public_url : url);
    printf("gridline %s listening on %s\n", GL_VERSION, url);
    fflush(stdout);
    log_info("serve", "listening on %s (database %s)", url, cfg.db);

    int sig;
    int64_t last_sweep = 0;
    for (;;) {
        /* At start (catching up after downtime) and once a minute: the clocks. */
        int64_t now = (int64_t)time(NULL);
        if (now - last_sweep >= 60) {
            struct sweep_stats st;
            int swept = caseflow_sweep(app.db, cfg.offset_min, now, &st);
            last_sweep = now;
            if (swept < 0)
                log_error("sweep", "database error %d; the next minute tries again", swept);
            else if (st.yellow || st.red || st.escalated || st.errands_overdue ||
                     st.commitments_overdue || st.votes_closed)
                log_info("sweep",
                         "%lld yellow, %lld red, %lld escalated, %lld errands overdue,"
                         " %lld commitments overdue, %lld votes closed",
                         (long long)st.yellow, (long long)st.red, (long long)st.escalated,
                         (long long)st.errands_overdue, (long long)st.commitments_overdue,
                         (long long)st.votes_closed);
        }
        /* Every 15 s: live-event streams send a heartbeat. */
        events_heartbeat();
        struct timespec tick = {15, 0};
        sig = sigtimedwait(&stop, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            break;
    }
    events_close(); /* streams end before the server drains */
    log_info("serve", "signal %d: draining in-flight requests (up to %us)", sig, cfg.drain_s);
    unsigned left = http_server_stop(srv, cfg.drain_s);
    outbox_stop(outbox);
    if (left)
        log_warn("serve", "%u request(s) still running after %us were cut off", left, cfg.drain_s);
    db_close(app.db);
    log_info("serve", "shutdown complete");
    return 0;
}

/* ---- version and help ------------------------------------------------------ */

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("gridline %s\n", GL_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"init", cmd_init, "create or upgrade the database; --demo adds the demo county"},
    {"serve", cmd_serve, "serve the API and the web app"},
    {"user", cmd_user, "add a user or reset a password (user add|passwd)"},
    {"import", cmd_import, "load regions, grids, departments, households or users from CSV/GeoJSON"},
    {"sweep", cmd_sweep, "evaluate case clocks and errand deadlines now or --now TIME"},
    {"audit", cmd_audit, "audit verify: check the hash chain of the audit log"},
    {"export", cmd_export, "export cases --from --to --out FILE: the case ledger as CSV or XLSX"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "this list"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("gridline %s - grid-based governance and mass-line service system\n\n"
           "usage: gridline <command> [options]   (gridline <command> --help for its options)\n\n"
           "commands:\n", GL_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nEvery setting can also come from the environment (GRIDLINE_DB, GRIDLINE_LISTEN, ...)\n"
           "or a config file (--config FILE / GRIDLINE_CONFIG). See `gridline serve --help`.\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(argc, argv);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(argc, argv);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc, argv);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "gridline: unknown command \"%s\" (see gridline --help)\n", argv[1]);
    return 2;
}

/*
 * `gridline sweep [--now TIME]` and `gridline audit verify`: the case
 * loop's clocks and the audit chain, from the shell.
 */
#include "api/caseflow.h"
#include "cli.h"
#include "config.h"
#include "core/timeutil.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int cmd_sweep(int argc, char **argv)
{
    struct config cfg;
    const char *now_text = NULL;
    const struct cmd_flag flags[] = {
        {"now", "TIME", &now_text, "evaluate the clocks as of this RFC 3339 time (default: now)"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = config_load(&cfg, argc, argv, flags,
                         "gridline sweep [--now 2026-03-27T18:00:00+08:00]\n\n"
                         "Turns case clocks yellow and red, escalates cases whose stage deadline\n"
                         "passed and tells those who must know. `serve` runs it every minute;\n"
                         "running it twice for the same time changes nothing the second time.");
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    int64_t now = (int64_t)time(NULL);
    if (now_text && gl_time_parse(now_text, &now) < 0) {
        fprintf(stderr, "gridline sweep: --now must be an RFC 3339 time such as "
                        "2026-03-27T18:00:00+08:00, not \"%s\"\n", now_text);
        return 2;
    }
    struct db *db;
    if (cli_open(&cfg, "sweep", &db) < 0)
        return 1;
    struct sweep_stats st;
    rc = caseflow_sweep(db, cfg.offset_min, now, &st);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "gridline sweep: database error %d; nothing of the failed batch was kept\n",
                rc);
        return 1;
    }
    char when[GL_TIME_BUFLEN];
    gl_time_format(now, cfg.offset_min, when);
    printf("sweep as of %s: %lld yellow, %lld red, %lld escalated (%lld clocks examined);"
           " %lld errands overdue; %lld commitments overdue; %lld polls and evaluations closed\n",
           when, (long long)st.yellow, (long long)st.red, (long long)st.escalated,
           (long long)st.examined, (long long)st.errands_overdue,
           (long long)st.commitments_overdue, (long long)st.votes_closed);
    return 0;
}

static int verify_txn(struct db_conn *c, void *cls)
{
    int64_t *out = cls;
    out[0] = db_audit_verify(c, &out[1]);
    return out[0] < 0 ? (int)out[0] : 0;
}

int cmd_audit(int argc, char **argv)
{
    struct config cfg;
    const char *usage = "gridline audit verify\n\n"
                        "Walks the hash-chained audit log from its first row and reports the\n"
                        "first row whose hash or link does not match (exit 1), or that the\n"
                        "chain is whole (exit 0).";
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        int rc = config_load(&cfg, argc, argv, NULL, usage);
        if (rc > 0)
            return 0;
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    argv[1] = argv[0];
    int rc = config_load(&cfg, argc - 1, argv + 1, NULL, usage);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    struct db *db;
    if (cli_open(&cfg, "audit", &db) < 0)
        return 1;
    int64_t out[2] = {0, 0};
    rc = db_run_transaction(db, DB_READ, verify_txn, out);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "gridline audit verify: database error %d\n", rc);
        return 1;
    }
    if (out[0] > 0) {
        printf("audit chain BROKEN at row %lld (%lld rows checked): that row or the one before it"
               " was changed after it was written\n",
               (long long)out[0], (long long)out[1]);
        return 1;
    }
    printf("audit chain whole: %lld rows\n", (long long)out[1]);
    return 0;
}

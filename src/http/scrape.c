/*
 * GET /metrics: the Prometheus text exposition. The in-process counters
 * and histograms (metrics.c, labelled from the route table) and gauges
 * read from the database now: cases per state, open overdue and
 * supervised cases, overdue errands, the outbox backlog. Answered to
 * loopback clients only: scrape from the host, or through a proxy that
 * decides who may.
 */
#include "http/routes.h"
#include "db/db.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void route_label(int i, const char **method, const char **pattern)
{
    static int count = -1;
    if (count < 0)
        for (count = 0; http_routes[count].pattern; count++)
            ;
    *method = i < count ? http_routes[i].method : NULL;
    *pattern = i < count ? http_routes[i].pattern : NULL;
}

struct gauges {
    FILE *f;
    const char *last;
};

static int add_gauge(void *cls, const char *name, const char *unused, const char *label,
                     int64_t n)
{
    (void)unused;
    struct gauges *g = cls;
    if (!g->last || strcmp(g->last, name) != 0)
        fprintf(g->f, "# TYPE gridline_%s gauge\n", name);
    g->last = strcmp(name, "cases") == 0 ? "cases" : NULL;
    if (label && *label)
        fprintf(g->f, "gridline_%s{state=\"%s\"} %lld\n", name, label, (long long)n);
    else
        fprintf(g->f, "gridline_%s %lld\n", name, (long long)n);
    return 0;
}

static int gauges_txn(struct db_conn *c, void *cls) { return db_stats_gauges(c, add_gauge, cls); }

enum MHD_Result http_metrics(struct http_req *r)
{
    char addr[64];
    http_client_address(r, addr);
    if (strncmp(addr, "127.", 4) != 0 && strcmp(addr, "::1") != 0 &&
        strncmp(addr, "::ffff:127.", 11) != 0)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL,
                                "metrics are answered to the host itself; scrape from there");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    metrics_write(f, route_label);
    struct gauges g = {f, NULL};
    int rc = db_run_transaction(r->app->db, DB_READ, gauges_txn, &g);
    fprintf(f, "# TYPE gridline_up gauge\ngridline_up %d\n", rc >= 0);
    fclose(f);
    return http_reply_owned(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len,
                            "no-store");
}

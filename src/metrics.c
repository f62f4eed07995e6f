/*
 * Counters and histograms; see metrics.h.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>

static const double bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NB (sizeof bounds / sizeof bounds[0])

struct histogram {
    atomic_uint_fast64_t bucket[NB + 1]; /* the last is +Inf */
    atomic_uint_fast64_t sum_us, count;
};

static void observe(struct histogram *h, double seconds)
{
    size_t i = 0;
    while (i < NB && seconds > bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

static void write_histogram(FILE *f, const char *name, const char *labels,
                            const struct histogram *h)
{
    uint_fast64_t cum = 0;
    for (size_t i = 0; i <= NB; i++) {
        cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
        if (i < NB)
            fprintf(f, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, bounds[i],
                    (unsigned long long)cum);
        else
            fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, (unsigned long long)cum);
    }
    fprintf(f, "%s_sum{%s} %.6f\n", name, labels,
            (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6);
    fprintf(f, "%s_count{%s} %llu\n", name, labels,
            (unsigned long long)atomic_load_explicit(&h->count, memory_order_relaxed));
}

/* Route METRICS_MAX_ROUTES is everything without a route (the web app). */
static struct {
    atomic_uint_fast64_t by_class[6]; /* 1xx..5xx at [1..5] */
    struct histogram latency;
} routes[METRICS_MAX_ROUTES + 1];

static struct {
    atomic_uint_fast64_t ok, failed;
    struct histogram latency;
} txns[2];

void metrics_request(int route, unsigned status, double seconds)
{
    int i = route >= 0 && route < METRICS_MAX_ROUTES ? route : METRICS_MAX_ROUTES;
    unsigned cls = status / 100 <= 5 ? status / 100 : 5;
    atomic_fetch_add_explicit(&routes[i].by_class[cls], 1, memory_order_relaxed);
    observe(&routes[i].latency, seconds);
}

void metrics_transaction(int mode, int rc, double seconds)
{
    int m = mode ? 1 : 0;
    atomic_fetch_add_explicit(rc >= 0 ? &txns[m].ok : &txns[m].failed, 1, memory_order_relaxed);
    observe(&txns[m].latency, seconds);
}

void metrics_write(FILE *f, void (*label)(int route, const char **method, const char **pattern))
{
    fputs("# HELP gridline_http_requests_total HTTP requests answered, by route and status"
          " class.\n# TYPE gridline_http_requests_total counter\n", f);
    for (int i = 0; i <= METRICS_MAX_ROUTES; i++) {
        const char *method = "GET", *pattern = "(web app)";
        if (i < METRICS_MAX_ROUTES) {
            label(i, &method, &pattern);
            if (!pattern)
                continue;
        }
        for (int c = 1; c <= 5; c++) {
            uint_fast64_t n = atomic_load_explicit(&routes[i].by_class[c], memory_order_relaxed);
            if (n)
                fprintf(f, "gridline_http_requests_total{method=\"%s\",route=\"%s\",code=\"%dxx\"}"
                        " %llu\n", method, pattern, c, (unsigned long long)n);
        }
    }
    fputs("# HELP gridline_http_request_duration_seconds Time to answer, by route.\n"
          "# TYPE gridline_http_request_duration_seconds histogram\n", f);
    for (int i = 0; i <= METRICS_MAX_ROUTES; i++) {
        if (!atomic_load_explicit(&routes[i].latency.count, memory_order_relaxed))
            continue;
        const char *method = "GET", *pattern = "(web app)";
        if (i < METRICS_MAX_ROUTES)
            label(i, &method, &pattern);
        char labels[256];
        snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\"", method, pattern);
        write_histogram(f, "gridline_http_request_duration_seconds", labels, &routes[i].latency);
    }
    static const char *const mode[] = {"read", "write"};
    fputs("# HELP gridline_db_transactions_total Database transactions, by mode and outcome"
          " (failed: rolled back, refused or an error).\n"
          "# TYPE gridline_db_transactions_total counter\n", f);
    for (int m = 0; m < 2; m++)
        fprintf(f,
                "gridline_db_transactions_total{mode=\"%s\",outcome=\"ok\"} %llu\n"
                "gridline_db_transactions_total{mode=\"%s\",outcome=\"failed\"} %llu\n",
                mode[m], (unsigned long long)atomic_load(&txns[m].ok), mode[m],
                (unsigned long long)atomic_load(&txns[m].failed));
    fputs("# HELP gridline_db_transaction_duration_seconds Time from BEGIN to COMMIT or"
          " ROLLBACK, retries included.\n"
          "# TYPE gridline_db_transaction_duration_seconds histogram\n", f);
    for (int m = 0; m < 2; m++) {
        char labels[32];
        snprintf(labels, sizeof labels, "mode=\"%s\"", mode[m]);
        write_histogram(f, "gridline_db_transaction_duration_seconds", labels, &txns[m].latency);
    }
}

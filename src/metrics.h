/*
 * Prometheus counters and histograms kept in the process: requests per
 * route (by status class) with their latency, and database transactions
 * with theirs. Lock-free (C11 atomics), so the hot paths only add. The
 * gauges (cases by state, overdue, outbox backlog) are read from the
 * database when /metrics is scraped (api/board.c).
 */
#ifndef GL_METRICS_H
#define GL_METRICS_H
#include <stdio.h>

#define METRICS_MAX_ROUTES 160

/* A request finished: route is its index in the route table (-1: the web
 * app or no route), status the HTTP status, seconds its duration. */
void metrics_request(int route, unsigned status, double seconds);
/* A transaction ended: mode DB_READ/DB_WRITE, rc its result. */
void metrics_transaction(int mode, int rc, double seconds);

/* Writes the counters and histograms in the text exposition format;
 * label(i) names route i as "METHOD PATTERN". */
void metrics_write(FILE *f, void (*label)(int route, const char **method, const char **pattern));

#endif

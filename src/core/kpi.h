/*
 * The figures county leaders judge departments by (DESIGN.md "Numbers
 * people ask for"; 12345 hotline practice), each defined once here. The
 * counts over a window [from, to) are taken from storage exactly as their
 * `doc` says (db/stats.c); the rates are computed here from the counts.
 * Both texts go into the API schema, so what a leader reads is what the
 * code does. Also here: when a place is a hotspot, and 50 m cells.
 */
#ifndef GL_CORE_KPI_H
#define GL_CORE_KPI_H
#include <stdbool.h>
#include <stdint.h>

/* How long a department may take to start a dispatched case (响应时限),
 * in working time. */
#define KPI_RESPONSE_LIMIT_S (2 * 3600)

enum kpi_count {
    KC_RECEIVED, KC_ACCEPTED, KC_DISPATCHED, KC_RESPONDED, KC_CLOSED, KC_CLOSED_ON_TIME, KC_DUE,
    KC_SOLVED, KC_RATED, KC_SATISFIED, KC_BASICALLY, KC_DISSATISFIED, KC_REWORKED,
    KC_ESCALATIONS, KC_SUPERVISED, KC__COUNT
};

enum kpi_rate { KR_RESPONSE, KR_ON_TIME, KR_SOLVE, KR_SATISFACTION, KR_REWORK, KR__COUNT };

struct kpi_def {
    const char *name, *zh, *doc;
};
extern const struct kpi_def kpi_counts[KC__COUNT];
extern const struct kpi_def kpi_rates[KR__COUNT];

/* The rate (0-1) from the counts, or -1 when its denominator is 0 (no such
 * cases in the window: "no figure", never a division by zero). */
double kpi_rate(enum kpi_rate r, const int64_t n[KC__COUNT]);

/* ---- hotspots ---- */

#define HOTSPOT_MIN_COUNT 3   /* fewer reports in the window are never a hotspot */
#define HOTSPOT_MIN_SCORE 2.0 /* standard deviations above the place's baseline */
struct hotspot {
    double expected; /* the baseline's rate scaled to the window */
    double score;    /* (count - expected) / sqrt(expected + 1) */
    bool hot;
};
/* Judges a place with `count` reports in a window of window_days against
 * `baseline` reports in the baseline_days before it. */
struct hotspot hotspot_judge(int64_t count, int64_t baseline, int window_days,
                             int baseline_days);

/* Degrees of latitude and longitude of a square cell `metres` wide near
 * latitude lat0; a point's cell is (floor(lat / dlat), floor(lng / dlng)). */
void kpi_cell_size(double lat0, double metres, double *dlat, double *dlng);

#endif

/*
 * KPI definitions and rates, hotspot judgement; see kpi.h.
 */
#include "core/kpi.h"

#include <math.h>

const struct kpi_def kpi_counts[KC__COUNT] = {
    [KC_RECEIVED] = {"received", "受理量", "cases reported in the window"},
    [KC_ACCEPTED] = {"accepted", "立案量", "cases accepted (立案) in the window"},
    [KC_DISPATCHED] = {"dispatched", "派遣量", "cases dispatched to a department in the window"},
    [KC_RESPONDED] = {"responded", "及时响应量",
                      "cases dispatched in the window that the department started within the"
                      " response limit (2 working hours), whenever it started"},
    [KC_CLOSED] = {"closed", "结案量",
                   "cases whose (latest) close falls in the window and that are closed now"},
    [KC_CLOSED_ON_TIME] = {"closed_on_time", "按期结案量",
                           "closed cases that had not gone past a deadline when they closed"},
    [KC_DUE] = {"due", "应结案量",
                "closed cases, plus cases that went past a deadline in the window and were"
                " still open at its end"},
    [KC_SOLVED] = {"solved", "解决量",
                   "closed cases the resident did not rate 不满意 (dissatisfied)"},
    [KC_RATED] = {"rated", "评价量", "cases rated by the resident in the window"},
    [KC_SATISFIED] = {"satisfied", "满意", "ratings of 满意 in the window"},
    [KC_BASICALLY] = {"basically_satisfied", "基本满意", "ratings of 基本满意 in the window"},
    [KC_DISSATISFIED] = {"dissatisfied", "不满意", "ratings of 不满意 in the window"},
    [KC_REWORKED] = {"reworked", "返工量",
                     "closed cases that were sent back for rework (返工) at least once"},
    [KC_ESCALATIONS] = {"escalations", "升级次数",
                        "escalations (by hand or by the clock) in the window"},
    [KC_SUPERVISED] = {"supervised", "督办次数", "挂牌督办 in the window"},
};

const struct kpi_def kpi_rates[KR__COUNT] = {
    [KR_RESPONSE] = {"response_rate", "响应率", "responded / dispatched"},
    [KR_ON_TIME] = {"on_time_rate", "按期结案率", "closed_on_time / due"},
    [KR_SOLVE] = {"solve_rate", "解决率", "solved / closed"},
    [KR_SATISFACTION] = {"satisfaction", "满意率",
                         "(satisfied + basically_satisfied) / rated"},
    [KR_REWORK] = {"rework_rate", "返工率", "reworked / closed"},
};

static double ratio(int64_t num, int64_t den) { return den > 0 ? (double)num / (double)den : -1; }

double kpi_rate(enum kpi_rate r, const int64_t n[KC__COUNT])
{
    switch (r) {
    case KR_RESPONSE:
        return ratio(n[KC_RESPONDED], n[KC_DISPATCHED]);
    case KR_ON_TIME:
        return ratio(n[KC_CLOSED_ON_TIME], n[KC_DUE]);
    case KR_SOLVE:
        return ratio(n[KC_SOLVED], n[KC_CLOSED]);
    case KR_SATISFACTION:
        return ratio(n[KC_SATISFIED] + n[KC_BASICALLY], n[KC_RATED]);
    case KR_REWORK:
        return ratio(n[KC_REWORKED], n[KC_CLOSED]);
    default:
        return -1;
    }
}

struct hotspot hotspot_judge(int64_t count, int64_t baseline, int window_days, int baseline_days)
{
    struct hotspot h = {0};
    h.expected = baseline_days > 0 ? (double)baseline * window_days / baseline_days : 0;
    h.score = ((double)count - h.expected) / sqrt(h.expected + 1.0);
    h.hot = count >= HOTSPOT_MIN_COUNT && h.score >= HOTSPOT_MIN_SCORE;
    return h;
}

void kpi_cell_size(double lat0, double metres, double *dlat, double *dlng)
{
    *dlat = metres / 111320.0;
    *dlng = metres / (111320.0 * fmax(cos(lat0 * M_PI / 180.0), 0.01));
}

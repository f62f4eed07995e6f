/*
 * Participation rules; see participation.h.
 */
#include "core/participation.h"

#include <string.h>

int vocab_parse(const struct vocab *v, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- opinions ---- */

const struct vocab opinion_kinds[2] = {{"opinion", "民意"}, {"idea", "金点子"}};

/* The seeds' six ways of hearing residents: regular collection (征求意见箱,
 * 百姓说事日), evaluation meetings, letters, visits, phone lines, online. */
const struct vocab opinion_channels[6] = {
    {"collection", "定期征集"}, {"meeting", "评议会"}, {"letter", "来信"},
    {"visit", "走访"},         {"phone", "电话"},     {"online", "网络"},
};

const struct vocab opinion_categories[7] = {
    {"development", "发展建议"}, {"infrastructure", "基础设施"}, {"environment", "环境卫生"},
    {"livelihood", "民生保障"},  {"safety", "平安建设"},         {"conduct", "干部作风"},
    {"other", "其他"},
};

const struct vocab opinion_states[OS__COUNT] = {
    {"new", "待答复"}, {"replied", "已答复"}, {"adopted", "已采纳"}, {"not_adopted", "未采纳"},
};

const struct vocab opinion_actions[OA__COUNT] = {
    {"reply", "答复"}, {"adopt", "采纳"}, {"reject", "不予采纳"}, {"to_case", "转为案件"},
};

int opinion_next_state(enum opinion_action a, enum opinion_state s)
{
    bool open = s == OS_NEW || s == OS_REPLIED;
    switch (a) {
    case OA_REPLY:
        return s == OS_NEW ? OS_REPLIED : -1;
    case OA_ADOPT:
    case OA_TO_CASE:
        return open ? OS_ADOPTED : -1;
    case OA_REJECT:
        return open ? OS_NOT_ADOPTED : -1;
    default:
        return -1;
    }
}

/* ---- commitments ---- */

const struct vocab commitment_states[CM__COUNT] = {
    {"active", "推进中"}, {"completed", "已完成待评"}, {"kept", "已兑现"}, {"failed", "未兑现"},
};

const struct vocab commitment_actions[CMA__COUNT] = {
    {"progress", "进展"}, {"complete", "完成"}, {"review", "年终评定"},
};

int commitment_next_state(enum commitment_action a, enum commitment_state s, bool kept)
{
    switch (a) {
    case CMA_PROGRESS:
        return s == CM_ACTIVE ? CM_ACTIVE : -1;
    case CMA_COMPLETE:
        return s == CM_ACTIVE ? CM_COMPLETED : -1;
    case CMA_REVIEW:
        if (kept)
            return s == CM_COMPLETED ? CM_KEPT : -1;
        return s == CM_ACTIVE || s == CM_COMPLETED ? CM_FAILED : -1;
    default:
        return -1;
    }
}

bool commitment_late(enum commitment_state s, int64_t due_at, int64_t now)
{
    return s == CM_ACTIVE && due_at <= now;
}

bool commitment_veto(enum commitment_state s, bool overdue) { return overdue || s == CM_FAILED; }

/* ---- polls ---- */

const struct vocab poll_phases[3] = {{"upcoming", "未开始"}, {"open", "投票中"}, {"closed", "已结束"}};

enum poll_phase poll_phase_at(int64_t opens_at, int64_t closes_at, int64_t closed_at, int64_t now)
{
    if (closed_at || now >= closes_at)
        return POLL_CLOSED;
    return now < opens_at ? POLL_UPCOMING : POLL_OPEN;
}

const char *poll_ballot_problem(const int64_t *picks, size_t npicks, int64_t max_picks,
                                const int64_t *options, size_t noptions)
{
    if (npicks == 0)
        return "pick at least one project";
    if ((int64_t)npicks > max_picks)
        return "more picks than this poll allows";
    for (size_t i = 0; i < npicks; i++) {
        bool known = false;
        for (size_t j = 0; j < noptions; j++)
            known = known || options[j] == picks[i];
        if (!known)
            return "a pick is not one of this poll's projects";
        for (size_t j = 0; j < i; j++)
            if (picks[j] == picks[i])
                return "the same project is picked twice";
    }
    return NULL;
}

/* ---- evaluations ---- */

const struct vocab eval_grades[EG__COUNT] = {
    {"satisfied", "满意"}, {"basically_satisfied", "基本满意"}, {"dissatisfied", "不满意"},
};

int eval_grade_score(enum eval_grade g)
{
    static const int score[EG__COUNT] = {100, 60, 0};
    return g < EG__COUNT ? score[g] : 0;
}

double eval_score(const int64_t n[EG__COUNT])
{
    int64_t total = 0;
    double sum = 0;
    for (int g = 0; g < EG__COUNT; g++) {
        total += n[g];
        sum += (double)n[g] * eval_grade_score((enum eval_grade)g);
    }
    return total ? sum / (double)total : -1;
}

double eval_combined(double score, int64_t points, int64_t best_points, bool veto)
{
    if (veto)
        return 0;
    double s = score < 0 ? 0 : score;
    double p = best_points > 0 && points > 0 ? 100.0 * (double)points / (double)best_points : 0;
    return EVAL_WEIGHT_SCORE * s + EVAL_WEIGHT_POINTS * p;
}

/* ---- points ---- */

const struct points_rule_def points_rules[POINTS_NRULES] = {
    {"visit_logged", "走访入户", 1},
    {"case_reported", "上报事件", 2},
    {"case_closed_on_time", "按期办结", 5},
    {"errand_confirmed", "代办签收", 3},
    {"commitment_kept", "承诺兑现", 10},
    {"case_overdue", "办理超期", -3},
    {"case_unsatisfied", "群众不满意", -5},
    {"errand_overdue", "代办超期", -2},
    {"commitment_failed", "承诺未兑现", -10},
};

int points_rule_parse(const char *code)
{
    for (int i = 0; code && i < POINTS_NRULES; i++)
        if (strcmp(points_rules[i].code, code) == 0)
            return i;
    return -1;
}

int64_t points_total(const int64_t counts[POINTS_NRULES], const int64_t points[POINTS_NRULES],
                     const bool active[POINTS_NRULES])
{
    int64_t total = 0;
    for (int i = 0; i < POINTS_NRULES; i++)
        if (active[i])
            total += counts[i] * points[i];
    return total;
}

/* ---- visits ---- */

/* The seeds' cadres visit at home, call, meet people in the fields, and go
 * in the evening when villagers are back from work (夜访). */
const struct vocab visit_kinds[4] = {
    {"home", "入户走访"}, {"phone", "电话回访"}, {"field", "田间地头"}, {"night", "夜访"},
};

double visit_coverage(int64_t visited, int64_t households)
{
    return households > 0 ? (double)visited / (double)households : -1;
}

/* ---- ranking ---- */

void rank_competition(const double *sorted, size_t n, int64_t *ranks)
{
    for (size_t i = 0; i < n; i++)
        ranks[i] = i > 0 && sorted[i] == sorted[i - 1] ? ranks[i - 1] : (int64_t)i + 1;
}

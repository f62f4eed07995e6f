/*
 * The demo county's case history (all fictional): about a thousand cases
 * over the last 120 days, each with the timeline a real one would have —
 * reported by a grid worker, a resident's phone or the hotline, accepted
 * and dispatched by the town's command centre to the routed department,
 * taken, handled, verified and rated — with the share of late, escalated,
 * supervised and reworked cases a county actually sees. Recent cases are
 * still open with their clocks running (the first sweep turns some yellow
 * or red). Planted for the dashboard: street vending around 新华社区's
 * market this week (a hotspot) and street lights failing again and again
 * on 石桥村's 3组 main street (a recurring problem); and a few open cases
 * in gw01's grid, so the worker the README names has work waiting.
 */
#include "demo.h"
#include "core/casefsm.h"
#include "core/timeutil.h"
#include "core/wtime.h"
#include "db/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define HOUR 3600
#define DAYS_BACK 120
#define NCASES 1050

/* What residents report, by sub-category: where it happens (urban
 * communities, villages or both) and how often, with how people put it. */
static const struct kind {
    const char *category;
    int urban, rural; /* weights */
    const char *text[3];
} kinds[] = {
    {"0101", 2, 3, {"工地包工头拖欠12名农民工工资近三个月，多次讨要未果",
                    "饭店关门后老板拖欠服务员两个月工资", "厂里以订单少为由拖欠工人工资"}},
    {"0102", 1, 1, {"公司一直没给员工缴纳社会保险", "单位社保断缴三个月，看病没法报销", NULL}},
    {"0103", 1, 1, {"入职半年公司不签劳动合同", NULL, NULL}},
    {"0201", 6, 1, {"早市摊贩占用人行道和机动车道，早高峰堵车", "水果摊占道经营，行人只能走机动车道",
                    "路口流动摊贩聚集，影响通行"}},
    {"0202", 2, 2, {"一楼住户在绿化带私自搭建彩钢房", "村民在宅基地外违规加盖房屋", NULL}},
    {"0203", 5, 0, {"烧烤店油烟直排，楼上住户无法开窗", "夜间施工噪音扰民到凌晨",
                    "广场舞音响音量太大，影响休息"}},
    {"0204", 3, 0, {"地铁口共享单车堆放，堵塞盲道", "小区门口共享单车乱停，车辆进不去", NULL}},
    {"0301", 3, 4, {"路边垃圾堆积多日无人清运，有异味", "村口有人乱倒建筑垃圾", NULL}},
    {"0302", 0, 3, {"沟渠里漂着生活垃圾，水发黑发臭", "养殖场污水排进河沟", NULL}},
    {"0401", 4, 3, {"小区主路路灯连续一周不亮", "村中主街路灯坏了三盏，晚上出行不便", NULL}},
    {"0402", 3, 3, {"路面塌陷一个大坑，电动车容易摔倒", "道路破损严重，下雨积水", NULL}},
    {"0403", 2, 0, {"人行道上井盖缺失，有安全隐患", NULL, NULL}},
    {"0404", 3, 3, {"小区停水两天未恢复，也没有停水通知", "自来水水压不足，二楼以上上不去水", NULL}},
    {"0502", 1, 3, {"独居老人家中无人照料，冬季取暖困难", "困难户房屋漏雨，无力修缮", NULL}},
    {"0503", 0, 2, {"留守儿童放学后无人看管", "留守老人生病无人照顾", NULL}},
    {"0601", 4, 3, {"楼上漏水到楼下，双方协商不成", "邻居建房占用公共过道引发纠纷",
                    "邻居家狗晚上乱叫，多次沟通无果"}},
    {"0602", 0, 3, {"两户因承包地边界发生争执", "宅基地界址不清引发矛盾", NULL}},
    {"0603", 4, 0, {"物业公司擅自提高物业费", "物业不作为，电梯坏了半个月没人修", NULL}},
    {"0701", 3, 0, {"小区消防通道被私家车长期占用", NULL, NULL}},
    {"0702", 3, 1, {"楼道内有人给电动车飞线充电", NULL, NULL}},
    {"0703", 0, 2, {"雨后老房子墙体开裂，有倒塌危险", NULL, NULL}},
    {"0801", 2, 1, {"学校周边小卖部售卖三无食品", "早餐店卫生条件差", NULL}},
    {"0802", 1, 2, {"农资店化肥价格明显高于标价", NULL, NULL}},
    {"0901", 1, 2, {"村卫生室医生经常不在岗", "社区诊所乱收费", NULL}},
    {"1001", 2, 2, {"公交站牌损坏，站点位置不清", "希望增开早班公交", NULL}},
    {"1002", 0, 3, {"村道路肩塌陷，会车困难", NULL, NULL}},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct grid {
    char code[16], village[16];
    double min_lat, min_lng, max_lat, max_lng;
    int64_t worker;
    bool urban;
};

struct ctx {
    struct db_conn *c;
    int64_t now;
    struct wt_calendar cal;
    struct grid grids[96];
    size_t ngrids;
    int64_t dispatcher[2]; /* 临河街道, 石桥镇 */
    int64_t supervisor, residents[16];
    int seq[DAYS_BACK + 2]; /* cases numbered per local day */
};

static int keep_grid(void *cls, const struct db_grid *g)
{
    struct ctx *x = cls;
    if (x->ngrids == sizeof x->grids / sizeof x->grids[0])
        return 1;
    struct grid *d = &x->grids[x->ngrids++];
    snprintf(d->code, sizeof d->code, "%s", g->code);
    snprintf(d->village, sizeof d->village, "%s", g->village_code);
    d->min_lat = g->min_lat, d->min_lng = g->min_lng, d->max_lat = g->max_lat,
    d->max_lng = g->max_lng;
    d->urban = g->code[6] == '0'; /* 临河街道 (001) vs 石桥镇 (101) */
    return 0;
}

static int64_t user(struct db_conn *c, const char *username)
{
    int64_t id = 0;
    db_query_int(c, "SELECT id FROM users WHERE username = $1", DB_ARGS(DB_STR(username)), &id);
    return id;
}

/* Someone at the department's desk: its staff, else its head. */
static int64_t desk(struct db_conn *c, int64_t dept)
{
    int64_t id = 0;
    db_query_int(c,
                 "SELECT user_id FROM role_assignments WHERE dept_id = $1 AND role IN"
                 " ('dept_staff', 'dept_head') ORDER BY role = 'dept_head', id LIMIT 1",
                 DB_ARGS(DB_INT(dept)), &id);
    return id;
}

static double uniform(double lo, double hi) { return lo + (hi - lo) * demo_rnd(10001) / 10000.0; }

static int event(struct ctx *x, int64_t case_id, int64_t at, int64_t actor, const char *action,
                 const char *from, const char *to, const char *note, const char *data)
{
    struct db_event e = {.subject_id = case_id, .at = at, .actor_user_id = actor, .action = action,
                         .from_state = from, .to_state = to, .note = note, .data = data};
    return db_case_event_insert(x->c, &e);
}

/* One case reported at t in grid g about kind k (text i), taken as far
 * through the loop as its age allows. */
static int one_case(struct ctx *x, int64_t t, const struct grid *g, const struct kind *k,
                    const char *text, const char *address)
{
    struct db_conn *c = x->c;
    int64_t category = 0, dept = 0, limit = 0, cat_hours = 0;
    int rc = db_category_id(c, k->category, &category);
    if (rc <= 0)
        return rc < 0 ? rc : DB_ERROR;
    db_query_int(c, "SELECT time_limit_hours FROM categories WHERE id = $1",
                 DB_ARGS(DB_INT(category)), &cat_hours);
    rc = db_route_find(c, category, g->code, &dept, &limit);
    if (rc < 0)
        return rc;
    limit = limit ? limit : cat_hours;
    /* Who reported it, and how. */
    unsigned how = demo_rnd(100);
    const char *channel = how < 45 ? "grid_worker" : how < 70 ? "resident_app" : how < 85 ? "phone"
                          : how < 95 ? "hotline" : "visit";
    int town = g->urban ? 0 : 1;
    int64_t reporter = 0;
    char name[32] = "";
    if (strcmp(channel, "grid_worker") == 0 || strcmp(channel, "visit") == 0) {
        reporter = g->worker;
    } else if (strcmp(channel, "resident_app") == 0) {
        size_t v = (size_t)((g->village[6] == '0' ? 0 : 6) + (g->village[11] - '1'));
        reporter = v < 12 ? x->residents[v] : 0;
    } else {
        reporter = x->dispatcher[town]; /* written down by the command centre */
        demo_person_name(name);
    }
    /* Its code: county + local date + the day's sequence. */
    int64_t day = (t + 8 * HOUR) / DAY, back = (x->now + 8 * HOUR) / DAY - day;
    int y;
    unsigned m, d;
    gl_civil_from_days(day, &y, &m, &d);
    char code[32];
    int *seq = &x->seq[back >= 0 && back <= DAYS_BACK + 1 ? back : 0];
    snprintf(code, sizeof code, "379901%04d%02u%02u%04d", y, m, d, ++*seq);

    struct db_case kc = {
        .code = code, .category_id = category, .grid_code = g->code, .description = text,
        .address = address, .channel = channel, .reporter_user_id = reporter,
        .reporter_name = name[0] ? name : "", .limit_hours = limit, .has_location = true,
        .lat = uniform(g->min_lat + 0.0004, g->max_lat - 0.0004),
        .lng = uniform(g->min_lng + 0.0004, g->max_lng - 0.0004),
    };
    struct case_clock clk;
    case_clock_start(&clk, &x->cal, t, case_stage_limit_s(CS_REPORTED, limit));
    kc.stage_started_at = clk.started_at, kc.stage_limit_s = clk.limit_s,
    kc.yellow_at = clk.yellow_at, kc.deadline_at = clk.deadline_at;
    rc = db_case_insert(c, &kc, t, &kc.id);
    if (rc < 0)
        return rc;
    char data[160];
    snprintf(data, sizeof data, "{\"channel\":\"%s\",\"grid\":\"%s\"}", channel, g->code);
    rc = event(x, kc.id, t, reporter, "report", NULL, "reported", text, data);

    /* The loop, step by step, each a little later, none after now. */
    int64_t disp = x->dispatcher[town], staff = dept ? desk(c, dept) : 0, at = t;
    const char *state = "reported";
    kc.version = 1;
    kc.state = "reported";
    kc.level = "grid";
    bool junk = demo_rnd(100) < 4;
    int64_t next = wt_add(&x->cal, at, (int64_t)(uniform(0.2, 2.5) * HOUR) + 600);
    if (rc >= 0 && next < x->now) {
        at = next;
        if (junk) { /* not a case after all */
            kc.state = "rejected";
            rc = event(x, kc.id, at, disp, "reject", state, "rejected", "经核实不属于受理范围", NULL);
            case_clock_start(&clk, &x->cal, at, 0);
            goto save;
        }
        kc.accepted_at = at;
        kc.state = "accepted";
        rc = event(x, kc.id, at, disp, "accept", state, "accepted", NULL, NULL);
        state = "accepted";
        case_clock_start(&clk, &x->cal, at, case_stage_limit_s(CS_ACCEPTED, limit));
        next = wt_add(&x->cal, at, (int64_t)(uniform(0.2, 1.8) * HOUR));
    }
    if (rc >= 0 && kc.accepted_at && next < x->now && dept) {
        at = next;
        kc.dispatched_at = at;
        kc.dept_id = dept;
        kc.state = "dispatched";
        snprintf(data, sizeof data, "{\"dept_id\":%lld,\"limit_hours\":%lld,\"routed\":true}",
                 (long long)dept, (long long)limit);
        rc = event(x, kc.id, at, disp, "dispatch", state, "dispatched", NULL, data);
        state = "dispatched";
        case_clock_start(&clk, &x->cal, at, case_stage_limit_s(CS_DISPATCHED, limit));
        /* Most desks take it within the response limit; some do not. */
        next = wt_add(&x->cal, at, demo_rnd(100) < 85 ? (int64_t)(uniform(0.1, 1.8) * HOUR)
                                                      : (int64_t)(uniform(2.5, 9) * HOUR));
    }
    int64_t deadline = clk.deadline_at;
    if (rc >= 0 && kc.dispatched_at && next < x->now) {
        int64_t dispatched = at;
        at = next;
        kc.started_at = at;
        kc.state = "in_progress";
        rc = event(x, kc.id, at, staff, "start", state, "in_progress", NULL, NULL);
        if (rc >= 0)
            rc = db_case_set_response(c, kc.id, wt_elapsed(&x->cal, dispatched, at));
        state = "in_progress";
        /* Handled within the limit mostly; about one in eight runs late. */
        double share = demo_rnd(100) < 88 ? uniform(0.15, 0.95) : uniform(1.1, 2.5);
        next = wt_add(&x->cal, dispatched, (int64_t)(share * (double)clk.limit_s));
        if (next <= at)
            next = at + HOUR;
    }
    /* Late: red at the deadline, often escalated a level; a few supervised. */
    if (rc >= 0 && kc.started_at && deadline && next > deadline && deadline < x->now) {
        kc.overdue = 1;
        kc.warn = 2;
        rc = db_case_mark_overdue(c, kc.id, deadline);
        if (rc >= 0 && demo_rnd(2) == 0) {
            kc.escalations = 1;
            kc.level = "village";
            rc = event(x, kc.id, deadline, 0, "escalate", state, state, "超过办理时限，自动升级",
                       "{\"automatic\":true,\"level\":\"village\"}");
        } else if (rc >= 0) {
            rc = event(x, kc.id, deadline, 0, "red", state, state, "已超过办理时限（红牌）", NULL);
        }
        if (rc >= 0 && demo_rnd(3) == 0 && deadline + 2 * HOUR < x->now) {
            kc.supervised = 1;
            kc.supervise_deadline = deadline + 3 * DAY;
            kc.supervise_note = "群众反映强烈，请限期办结并报告结果";
            rc = event(x, kc.id, deadline + 2 * HOUR, x->supervisor, "supervise", state, state,
                       kc.supervise_note, NULL);
        }
    }
    if (rc >= 0 && kc.started_at && next < x->now) {
        at = next;
        kc.handled_at = at;
        kc.state = "handled";
        rc = event(x, kc.id, at, staff, "handle", state, "handled", "已处理完毕，请核查", NULL);
        state = "handled";
        case_clock_start(&clk, &x->cal, at, 0);
        /* Checked on site within the working day or the next. */
        next = wt_add(&x->cal, at, (int64_t)(uniform(0.3, 8) * HOUR));
        /* One in twenty-five fails its check and is done again. */
        if (rc >= 0 && demo_rnd(25) == 0 && next + 2 * DAY < x->now) {
            rc = event(x, kc.id, next, g->worker, "reopen", "handled", "in_progress",
                       "现场核查未处理到位", NULL);
            kc.rework_count = 1;
            at = wt_add(&x->cal, next, (int64_t)(uniform(2, 16) * HOUR));
            if (rc >= 0)
                rc = event(x, kc.id, at, staff, "handle", "in_progress", "handled",
                           "已返工处理", NULL);
            kc.handled_at = at;
            next = wt_add(&x->cal, at, (int64_t)(uniform(0.3, 6) * HOUR));
        }
    }
    if (rc >= 0 && kc.handled_at && next < x->now) {
        at = next;
        kc.closed_at = at;
        kc.state = "closed";
        rc = event(x, kc.id, at, g->worker, "verify", state, "closed", "经现场核查，问题已解决", NULL);
        state = "closed";
        next = wt_add(&x->cal, at, (int64_t)(uniform(0.5, 12) * HOUR));
        /* Seven in ten are rated; late ones less kindly. */
        if (rc >= 0 && demo_rnd(10) < 7 && next < x->now && reporter) {
            unsigned p = demo_rnd(100), bad = kc.overdue ? 25 : 6, fair = kc.overdue ? 45 : 22;
            kc.rating = p < bad ? "dissatisfied" : p < bad + fair ? "basically_satisfied"
                                                                 : "satisfied";
            kc.rated_at = next;
            snprintf(data, sizeof data, "{\"rating\":\"%s\"}", kc.rating);
            rc = event(x, kc.id, next, reporter, "rate", "closed", "closed", NULL, data);
        }
    }
save:
    kc.stage_started_at = clk.started_at, kc.stage_limit_s = clk.limit_s;
    kc.yellow_at = clk.yellow_at, kc.deadline_at = clk.deadline_at;
    if (strcmp(kc.state, "closed") == 0 || strcmp(kc.state, "rejected") == 0 ||
        strcmp(kc.state, "handled") == 0)
        kc.yellow_at = kc.deadline_at = 0, kc.stage_limit_s = 0;
    else if (kc.overdue)
        kc.yellow_at = kc.deadline_at = 0; /* already red: the clock has spoken */
    kc.warn = kc.overdue ? 2 : kc.warn;
    return rc < 0 ? rc : db_case_save(c, &kc, 1, at);
}

/* What a place's residents would say: villages have no 小区 or 地铁, and
 * communities no 村 streets. */
static bool fits(const char *text, bool urban)
{
    return urban ? !strstr(text, "村")
                 : !strstr(text, "小区") && !strstr(text, "楼") && !strstr(text, "地铁");
}

static const char *text_for(const struct kind *k, bool urban)
{
    const char *fit[3];
    int n = 0;
    for (int i = 0; i < 3; i++)
        if (k->text[i] && fits(k->text[i], urban))
            fit[n++] = k->text[i];
    return n ? fit[demo_rnd((unsigned)n)] : k->text[0];
}

/* A report time people are awake for (Beijing time): one made in the
 * night moves back ten hours, to the evening before. */
static int64_t awake(int64_t t)
{
    int64_t local_hour = ((t + 8 * HOUR) % DAY) / HOUR;
    return local_hour < 7 || local_hour > 21 ? t - 10 * HOUR : t;
}

static const struct grid *grid_named(const struct ctx *x, const char *code)
{
    for (size_t i = 0; i < x->ngrids; i++)
        if (strcmp(x->grids[i].code, code) == 0)
            return &x->grids[i];
    return &x->grids[0];
}

static const struct kind *kind_named(const char *category)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].category, category) == 0)
            return &kinds[i];
    return &kinds[0];
}

int demo_seed_cases(struct db_conn *c, int64_t now)
{
    struct ctx *x = calloc(1, sizeof *x);
    if (!x)
        return DB_ERROR;
    x->c = c;
    x->now = now;
    struct wt_exception *ex = NULL;
    int rc = db_calendar_load(c, &x->cal, 8 * 60, &ex, (now - DAYS_BACK * DAY) / DAY - 2);
    if (rc >= 0)
        rc = db_grids_list(c, "", keep_grid, x);
    for (size_t i = 0; rc >= 0 && i < x->ngrids; i++)
        db_query_int(c,
                     "SELECT user_id FROM role_assignments WHERE role = 'grid_worker'"
                     " AND region_code = $1",
                     DB_ARGS(DB_STR(x->grids[i].code)), &x->grids[i].worker);
    x->dispatcher[0] = user(c, "linhe.dispatcher");
    x->dispatcher[1] = user(c, "shiqiao.dispatcher");
    x->supervisor = user(c, "supervisor");
    for (int v = 0; v < 12; v++) {
        char name[16];
        snprintf(name, sizeof name, "jm%02d", v + 1);
        x->residents[v] = user(c, name);
    }
    int urban_total = 0, rural_total = 0;
    for (size_t k = 0; k < NKINDS; k++)
        urban_total += kinds[k].urban, rural_total += kinds[k].rural;
    /* Every case first, then written in time order, as real ones are. */
    struct spec {
        int64_t t;
        const struct grid *g;
        const struct kind *k;
        const char *text, *address;
    };
    struct spec *all = calloc(NCASES + 32, sizeof *all);
    size_t n = 0;
    for (int i = 0; all && x->ngrids && i < NCASES; i++) {
        /* Reports come while people are awake (7:00 to 21:59). */
        int64_t t = awake(now - (int64_t)demo_rnd(DAYS_BACK * 24) * HOUR - demo_rnd(3600));
        const struct grid *g = &x->grids[demo_rnd((unsigned)x->ngrids)];
        int pick = (int)demo_rnd((unsigned)(g->urban ? urban_total : rural_total));
        const struct kind *k = kinds;
        for (size_t j = 0; j < NKINDS; j++) {
            pick -= g->urban ? kinds[j].urban : kinds[j].rural;
            if (pick < 0) {
                k = &kinds[j];
                break;
            }
        }
        all[n++] = (struct spec){t, g, k, text_for(k, g->urban), ""};
    }
    /* This week's street vending around 新华社区's market: a hotspot. */
    const struct grid *market = grid_named(x, "379901001002002");
    for (int i = 0; all && i < 9; i++)
        all[n++] = (struct spec){now - (int64_t)(i * 15 + 3) * HOUR, market, kind_named("0201"),
                                 i % 2 ? "菜市场门口流动摊贩又出来了，占道经营堵车"
                                       : "早市摊贩占用人行道和机动车道，早高峰堵车",
                                 "新华社区菜市场东门"};
    /* Street lights on 石桥村 3组's main street, again and again. */
    const struct grid *lights = grid_named(x, "379901101201003");
    for (int i = 0; all && i < 5; i++)
        all[n++] = (struct spec){now - (int64_t)(80 - i * 17) * DAY + 10 * HOUR, lights,
                                 kind_named("0401"), "3组主街路灯又不亮了，晚上老人孩子出门看不清路",
                                 "石桥村3组主街"};
    /* gw01, the worker the README names, has work waiting in 福安社区第一网格. */
    static const struct {
        int hours_ago;
        const char *category, *text, *address;
    } fuan[] = {
        {30, "0401", "小区主路路灯连续一周不亮", "福安社区幸福路12号楼前"},
        {7, "0702", "楼道内有人给电动车飞线充电", "福安小区5号楼2单元"},
        {1, "0301", "路边垃圾堆积多日无人清运，有异味", "福安路与建设街路口"},
    };
    const struct grid *fuan1 = grid_named(x, "379901001001001");
    for (size_t i = 0; all && i < sizeof fuan / sizeof fuan[0]; i++)
        all[n++] = (struct spec){awake(now - (int64_t)fuan[i].hours_ago * HOUR), fuan1,
                                 kind_named(fuan[i].category), fuan[i].text, fuan[i].address};
    for (size_t i = 1; i < n; i++) /* insertion sort: n is about a thousand */
        for (size_t j = i; j > 0 && all[j - 1].t > all[j].t; j--) {
            struct spec tmp = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tmp;
        }
    for (size_t i = 0; rc >= 0 && i < n; i++)
        rc = one_case(x, all[i].t, all[i].g, all[i].k, all[i].text, all[i].address);
    if (!all)
        rc = DB_ERROR;
    free(all);
    free(ex);
    free(x);
    return rc < 0 ? rc : 0;
}

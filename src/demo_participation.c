/*
 * The demo county's participation (all fictional): opinions and ideas heard
 * through the six channels, the county's 百姓点菜 poll on next year's ten
 * livelihood projects (open) and a town poll already over, the public
 * commitments of 石桥镇 and 临河街道 at every stage (one overdue), a month
 * of household visits by the grid workers, and the annual evaluation of
 * 石桥村's grid workers. Written inside demo_seed's transaction.
 */
#include "demo.h"
#include "core/participation.h"
#include "core/timeutil.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define LOCAL_OFFSET (8 * 3600) /* the demo county keeps Beijing time */

static int64_t user_id(struct db_conn *c, const char *username)
{
    int64_t id = 0;
    db_query_int(c, "SELECT id FROM users WHERE username = $1", DB_ARGS(DB_STR(username)), &id);
    return id;
}

static int64_t dept_id(struct db_conn *c, const char *code)
{
    int64_t id = 0;
    db_query_int(c, "SELECT id FROM departments WHERE code = $1", DB_ARGS(DB_STR(code)), &id);
    return id;
}

static int event(struct db_conn *c, int (*insert)(struct db_conn *, const struct db_event *),
                 int64_t id, int64_t at, int64_t actor, const char *action, const char *from,
                 const char *to, const char *note)
{
    struct db_event e = {.subject_id = id, .at = at, .actor_user_id = actor, .action = action,
                         .from_state = from, .to_state = to, .note = note};
    return insert(c, &e);
}

/* The local calendar year and month of t, and when that month began. */
static void local_month(int64_t t, int *year, int64_t *month_start)
{
    int y;
    unsigned m, d;
    gl_civil_from_days((t + LOCAL_OFFSET) / DAY, &y, &m, &d);
    *year = y;
    *month_start = gl_days_from_civil(y, m, 1) * DAY - LOCAL_OFFSET;
}

/* ---- opinions ------------------------------------------------------------------------ */

static const struct demo_opinion {
    const char *kind, *channel, *category, *region, *author, *body, *state, *reply;
    const char *recorder, *decider;
    int days_ago;
} opinions[] = {
    {"opinion", "collection", "infrastructure", "379901101201001", "王秀英",
     "一组到二组的生产路一下雨就泥泞，三轮车下不去地，希望能硬化", "adopted",
     "已列入镇2027年道路硬化计划，开春后施工", "gw42", "shiqiao.dispatcher", 40},
    {"opinion", "meeting", "conduct", "379901101201", "李德明",
     "村里低保评议过程不公开，希望张榜公示评议结果", "adopted",
     "已要求各村在公示栏张贴低保评议结果，公示期7天", "dy07", "leader", 33},
    {"idea", "online", "development", "379901101202", "张海燕",
     "柳家庄的红薯品质好，建议镇上帮忙注册地理标志、搞电商直播带货", "replied",
     "镇农业办将联系县电商中心上门指导，先开展一期直播培训", "jm08", "shiqiao.dispatcher", 21},
    {"opinion", "phone", "environment", "379901101203002", "刘国庆",
     "村南水沟有人偷倒生活垃圾，夏天有味还招蚊子", "adopted",
     "已在沟边加装防护网，并增设两个垃圾桶，网格员每周巡查", "shiqiao.dispatcher",
     "shiqiao.dispatcher", 18},
    {"opinion", "letter", "livelihood", "379901101204", "赵淑珍",
     "独居老人冬天取暖难，能不能给困难老人发放取暖补贴", "replied",
     "县民政局冬季取暖补贴已启动申报，由网格员入户帮助申请", "shiqiao.dispatcher",
     "shiqiao.dispatcher", 12},
    {"opinion", "visit", "safety", "379901101205001", "孙永刚",
     "王家屯村口弯道没有反光镜，晚上会车看不见，容易出事", "new", "", "gw68", NULL, 3},
    {"idea", "meeting", "development", "379901101000", "郭广福",
     "建议镇里成立项目服务专班，明确专人对接返乡创业人员", "adopted",
     "已成立返乡创业服务专班，名单和电话在镇政府网站公布", "shiqiao.dispatcher", "leader", 27},
    {"opinion", "collection", "livelihood", "379901101206", "周红霞",
     "北岭村到镇上没有公交，老人看病要走三里路去路口拦车", "not_adopted",
     "该线路客流不足以开通班车，已协调镇上每周二、五开行预约小巴", "dy12", "leader", 16},
    {"opinion", "visit", "infrastructure", "379901001001003", "陈玉梅",
     "3号楼单元门门禁坏了一个月，外卖快递随便进出", "replied",
     "物业已更换门禁主板，居民可到物业办理新门禁卡", "gw03", "linhe.dispatcher", 9},
    {"idea", "online", "livelihood", "379901001002", "林文杰",
     "新华社区老人多，建议在社区活动室开设老年食堂，提供低价午餐", "new", "", "jm02",
     NULL, 2},
    {"opinion", "phone", "environment", "379901001003004", "黄素芳",
     "滨河路烧烤摊晚上油烟很大，噪音到凌晨一点", "replied",
     "已交综合执法中队处理，规定营业至22时并加装油烟净化设备", "linhe.dispatcher",
     "linhe.dispatcher", 7},
    {"opinion", "meeting", "conduct", "379901001004", "吴建国",
     "社区办事窗口中午没人，上班族只能中午来办事", "adopted",
     "社区已实行中午轮班制，12:00-13:30保留一个窗口", "dy04", "linhe.dispatcher", 25},
    {"opinion", "letter", "safety", "379901001005002", "马立新",
     "小区电动车在楼道里充电，怕起火，希望建集中充电棚", "new", "", "linhe.dispatcher", NULL,
     4},
    {"idea", "collection", "development", "379901001006", "何兰英",
     "康宁社区空地可以改成口袋公园，方便老人孩子活动", "replied",
     "已纳入街道'口袋公园'候选点位，将在百姓点菜中征求意见", "gw36", "linhe.dispatcher",
     14},
    {"opinion", "online", "infrastructure", "379901001001", "张丽娟",
     "福安社区停车位太少，晚上车都停到消防通道上", "new", "", "jm01", NULL, 1},
    {"opinion", "visit", "livelihood", "379901101203004", "徐守信",
     "家里老人行动不便，希望有人上门帮助办理医保待遇认证", "adopted",
     "已转代办员上门代办，三天内办结", "gw58", "shiqiao.dispatcher", 11},
};

static int seed_opinions(struct db_conn *c, int64_t now)
{
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sizeof opinions / sizeof *opinions; i++) {
        const struct demo_opinion *d = &opinions[i];
        int64_t at = now - (int64_t)d->days_ago * DAY - 3600 * (int64_t)(9 - i % 6);
        int64_t recorder = user_id(c, d->recorder);
        bool own = strncmp(d->recorder, "jm", 2) == 0;
        char code[32];
        snprintf(code, sizeof code, "YJ%.6s%04zu%04zu", d->region, 9000 + i, i + 1);
        struct db_opinion o = {.code = code, .kind = d->kind, .channel = d->channel,
                               .category = d->category, .body = d->body,
                               .region_code = d->region, .author_name = d->author,
                               .author_user_id = own ? recorder : 0, .recorded_by = recorder,
                               .state = "new"};
        rc = db_opinion_insert(c, &o, at, &o.id);
        if (rc >= 0)
            rc = event(c, db_opinion_event_insert, o.id, at, recorder, "record", NULL, "new",
                       NULL);
        if (rc < 0 || !d->decider)
            continue;
        int64_t decided = at + DAY * (1 + (int64_t)(i % 3));
        o.state = d->state;
        o.reply = d->reply;
        o.decided_by = user_id(c, d->decider);
        o.decided_at = decided;
        o.version = 1;
        rc = db_opinion_save(c, &o, 1, decided);
        const char *action = strcmp(d->state, "replied") == 0       ? "reply"
                             : strcmp(d->state, "not_adopted") == 0 ? "reject"
                                                                     : "adopt";
        if (rc >= 0)
            rc = event(c, db_opinion_event_insert, o.id, decided, o.decided_by, action, "new",
                       d->state, d->reply);
    }
    return rc;
}

/* ---- polls --------------------------------------------------------------------------- */

static const char *const county_projects[] = {
    "优化城乡公交线路，增开早晚班车", "城区安置房建设（二期）", "农村道路硬化提升200公里",
    "城区老旧小区改造12个", "新建两所公办幼儿园", "村卫生室标准化建设",
    "农村饮水安全巩固提升", "城区农贸市场改造", "城区新增停车泊位2000个",
    "青禾河综合整治", "镇街养老服务中心建设", "全民健身场地进社区",
    "背街小巷路灯全覆盖", "城区供暖管网改造",
};

/* Each demo resident's picks on the county poll (indexes into the projects). */
static const int county_ballots[][3] = {
    {3, 8, 12}, {3, 10, 4}, {0, 3, 11}, {8, 3, 13}, {10, 4, 11}, {13, 3, 12},
    {0, 2, 6}, {2, 0, 5}, {6, 2, 1}, {0, 5, 10}, {2, 6, 0}, {0, 2, 5},
};

static int seed_polls(struct db_conn *c, int64_t now)
{
    int64_t leader = user_id(c, "leader"), id = 0, ballot = 0;
    struct db_vote p = {
        .title = "2027年青禾县十件民生实事（百姓点菜）",
        .description = "县政府将票选前十的项目写入2027年政府工作报告，请每位居民选出最期盼的三项。",
        .region_code = "379901000000", .region_prefix = "379901", .opens_at = now - 5 * DAY,
        .closes_at = now + 10 * DAY, .max_picks = 3, .top_n = 10, .created_by = leader,
    };
    int rc = db_vote_insert(c, DB_POLL, &p, now - 6 * DAY, &id);
    size_t nproj = sizeof county_projects / sizeof *county_projects;
    for (size_t i = 0; rc >= 0 && i < nproj; i++)
        rc = db_poll_option_insert(c, id, (int64_t)i + 1, county_projects[i], "");
    int64_t first = 0;
    if (rc >= 0)
        rc = db_query_int(c, "SELECT min(id) FROM poll_options WHERE poll_id = $1",
                          DB_ARGS(DB_INT(id)), &first);
    for (size_t v = 0; rc >= 0 && v < 12; v++) {
        char username[16];
        snprintf(username, sizeof username, "jm%02zu", v + 1);
        rc = db_ballot_insert(c, DB_POLL, id, user_id(c, username), now - (int64_t)(4 - v % 4) * DAY,
                              &ballot);
        for (int k = 0; rc >= 0 && k < 3; k++)
            rc = db_poll_pick_insert(c, ballot, id, first + county_ballots[v][k]);
    }
    /* A town poll whose time is up: the first sweep closes it and publishes. */
    struct db_vote t = {
        .title = "石桥镇2026年“一事一议”项目选择",
        .description = "镇财政奖补资金安排两个村级公益项目，由全镇居民选择。",
        .region_code = "379901101000", .region_prefix = "379901101", .opens_at = now - 40 * DAY,
        .closes_at = now - 25 * DAY, .max_picks = 1, .top_n = 2, .created_by = leader,
    };
    static const char *const town_projects[] = {"东坡村文化广场", "西河沿村排水沟", "王家屯村路灯",
                                                "北岭村健身器材"};
    static const int town_picks[] = {1, 2, 1, 0, 2, 1};
    if (rc >= 0)
        rc = db_vote_insert(c, DB_POLL, &t, now - 41 * DAY, &id);
    for (int i = 0; rc >= 0 && i < 4; i++)
        rc = db_poll_option_insert(c, id, i + 1, town_projects[i], "");
    if (rc >= 0)
        rc = db_query_int(c, "SELECT min(id) FROM poll_options WHERE poll_id = $1",
                          DB_ARGS(DB_INT(id)), &first);
    for (int v = 0; rc >= 0 && v < 6; v++) {
        char username[16];
        snprintf(username, sizeof username, "jm%02d", v + 7);
        rc = db_ballot_insert(c, DB_POLL, id, user_id(c, username), now - 30 * DAY, &ballot);
        if (rc >= 0)
            rc = db_poll_pick_insert(c, ballot, id, first + town_picks[v]);
    }
    return rc;
}

/* ---- public commitments ----------------------------------------------------------------- */

static const struct demo_commitment {
    const char *title, *content, *owner_user, *owner_dept, *region;
    int due_in_days, progress;
    const char *state, *note, *evidence;
} commitments[] = {
    {"石桥村主街安装太阳能路灯40盏", "在石桥村一组、二组主街安装太阳能路灯40盏，解决夜间出行难",
     "gw42", NULL, "379901101201", -60, 100, "kept", "40盏路灯已全部安装并亮灯", "验收单及现场照片"},
    {"柳家庄村自来水管网改造", "更换柳家庄村老化供水管网3.2公里，解决部分村民吃水难",
     NULL, "slj", "379901101202", 35, 70, "active", "已完成2.3公里管网铺设", "施工日志"},
    {"东坡村危桥整修", "对东坡村南河便民桥进行加固整修，年底前恢复通行", NULL, "jtj",
     "379901101203", -10, 40, "active", "桥墩加固完成，桥面待施工", "监理周报"},
    {"西河沿村生产路硬化", "硬化西河沿村三组、四组生产路1.5公里", "gw62", NULL,
     "379901101204", 20, 100, "completed", "1.5公里生产路已硬化完工", "竣工照片"},
    {"王家屯村建设文化广场", "利用村委会东侧空地建设800平方米文化广场", NULL, "sqz",
     "379901101205", 60, 30, "active", "场地已平整，健身器材已采购", "采购合同"},
    {"北岭村卫生室提档升级", "按标准化要求改造北岭村卫生室，配齐常用药品和设备", NULL, "wjj",
     "379901101206", -30, 50, "failed", "设备未按期到位，年终评定未兑现", "评定会议纪要"},
    {"福安社区老旧小区加装电梯3部", "在福安社区3号、5号、7号楼各加装电梯1部", NULL, "zjj",
     "379901001001", 50, 60, "active", "3号楼电梯已安装调试", "特种设备检验报告"},
    {"新华社区开设老年助餐点", "在新华社区活动室开设老年助餐点，每日供应午餐", "gw09", NULL,
     "379901001002", 15, 80, "active", "厨房改造完成，正在办理食品经营许可", "许可申请回执"},
    {"滨河路夜市油烟噪音治理", "规范滨河路夜市经营时间，加装油烟净化设备", NULL, "zfj",
     "379901001003", -45, 100, "kept", "夜市营业至22时，油烟净化设备全部安装", "执法检查记录"},
};

static int seed_commitments(struct db_conn *c, int64_t now)
{
    int64_t leader = user_id(c, "leader"), supervisor = user_id(c, "supervisor"), month_start;
    int rc = 0, year;
    local_month(now, &year, &month_start);
    for (size_t i = 0; rc >= 0 && i < sizeof commitments / sizeof *commitments; i++) {
        const struct demo_commitment *d = &commitments[i];
        int64_t made = now - 200 * DAY + (int64_t)i * DAY;
        /* Due at the end of a local day. */
        int64_t due = ((now + LOCAL_OFFSET) / DAY + d->due_in_days + 1) * DAY - LOCAL_OFFSET;
        struct db_commitment k = {
            .title = d->title, .content = d->content,
            .owner_user_id = d->owner_user ? user_id(c, d->owner_user) : 0,
            .owner_dept_id = d->owner_dept ? dept_id(c, d->owner_dept) : 0,
            .region_code = d->region, .year = year, .due_at = due, .created_by = leader,
            .state = "active",
        };
        rc = db_commitment_insert(c, &k, made, &k.id);
        if (rc >= 0)
            rc = event(c, db_commitment_event_insert, k.id, made, leader, "publish", NULL,
                       "active", d->content);
        int64_t reporter = k.owner_user_id ? k.owner_user_id : leader;
        int64_t at = made + 60 * DAY;
        if (rc >= 0)
            rc = event(c, db_commitment_event_insert, k.id, at, reporter, "progress", "active",
                       "active", d->note);
        k.progress = d->progress;
        k.version = 1;
        if (strcmp(d->state, "active") != 0 && strcmp(d->state, "failed") != 0) {
            k.completed_at = at + 10 * DAY;
            k.state = "completed";
            if (rc >= 0)
                rc = event(c, db_commitment_event_insert, k.id, k.completed_at, reporter,
                           "complete", "active", "completed", d->evidence);
        }
        if (strcmp(d->state, "kept") == 0 || strcmp(d->state, "failed") == 0) {
            k.reviewed_at = now - 5 * DAY;
            k.reviewed_by = supervisor;
            k.review_note = d->note;
            if (rc >= 0)
                rc = event(c, db_commitment_event_insert, k.id, k.reviewed_at, supervisor,
                           "review", k.state, d->state, d->note);
            k.state = d->state;
        }
        if (rc >= 0)
            rc = db_commitment_save(c, &k, 1, at);
    }
    return rc;
}

/* ---- a month of visits ------------------------------------------------------------------ */

static const char *const heard[] = {
    "家中一切正常，老人身体硬朗", "反映自来水水压小，早晚用水高峰上不去二楼",
    "孩子在外打工，老人希望帮忙办理医保认证", "询问今年耕地地力补贴什么时候发放",
    "反映楼道灯坏了，晚上上下楼不方便", "家里新添了孙子，咨询出生登记怎么办",
    "老人独居，希望网格员常来看看", "反映邻居家狗晚上叫，影响休息",
    "询问残疾人两项补贴的申请条件", "对村里新修的路很满意",
    "反映村口垃圾桶满了没人清运", "家中有人长期卧病，询问低保政策",
    "退役军人优待证还没领到", "想参加县里组织的电商培训",
    "反映小区电动车乱停，堵塞消防通道",
};

/* What a household says, fitting the place: no 村 roads or farmland in
 * the town's communities, no 小区 or stairwells in the villages. */
static const char *heard_in(bool village)
{
    for (;;) {
        const char *h = heard[demo_rnd(sizeof heard / sizeof *heard)];
        bool rural = strstr(h, "村") || strstr(h, "耕地");
        bool urban = strstr(h, "小区") || strstr(h, "楼");
        if (village ? !urban : !rural)
            return h;
    }
}

/* Every household with its grid, in grid order. */
struct households {
    int64_t *id;
    char (*grid)[16];
    size_t n, cap;
};

static int add_household(void *cls, const struct db_household *h)
{
    struct households *s = cls;
    if (s->n == s->cap)
        return 1;
    s->id[s->n] = h->id;
    snprintf(s->grid[s->n], sizeof s->grid[s->n], "%s", h->grid_code);
    s->n++;
    return 0;
}

/* One planned visit, written later in time order as real ones are. */
struct planned_visit {
    int64_t at, worker;
    size_t household;
    const char *kind;
};

static int by_time(const void *a, const void *b)
{
    const struct planned_visit *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* A time on a day of this month when people are at home: calls by day
 * (8:30 to 18:00), night visits in the evening (19:00 to 21:30). */
static int64_t visit_time(int64_t month_start, int64_t now, bool night)
{
    int64_t days = (now - month_start) / DAY + 1;
    for (int tries = 0; tries < 8; tries++) {
        int64_t day = month_start + (int64_t)demo_rnd((unsigned)days) * DAY;
        int64_t minute = night ? 19 * 60 + demo_rnd(150) : 8 * 60 + 30 + demo_rnd(570);
        int64_t at = day + minute * 60;
        if (at < now)
            return at;
    }
    return 0;
}

static int seed_visits(struct db_conn *c, int64_t now)
{
    /* This local month so far: each grid worker calls on about half of
     * their households, often in the evening in the villages (夜访). */
    int year;
    int64_t month_start;
    local_month(now, &year, &month_start);
    if (now - month_start < 3600)
        return 0;
    static int64_t ids[8000];
    static char grids[8000][16];
    static struct planned_visit plan[8000];
    struct households hs = {ids, grids, 0, 8000};
    struct db_household_filter all = {.scopes = {""}, .limit = 8000};
    int rc = db_households_list(c, &all, add_household, &hs);
    int64_t worker = 0;
    size_t n = 0;
    for (size_t i = 0; rc >= 0 && i < hs.n; i++) {
        if (i == 0 || strcmp(hs.grid[i], hs.grid[i - 1]) != 0)
            rc = db_query_int(c,
                              "SELECT user_id FROM role_assignments WHERE role = 'grid_worker'"
                              " AND region_code = $1",
                              DB_ARGS(DB_STR(hs.grid[i])), &worker);
        if (rc < 0 || demo_rnd(100) >= 55)
            continue;
        bool village = hs.grid[i][6] == '1'; /* 石桥镇's villages; 临河街道's are communities */
        const char *kind = village && demo_rnd(3) == 0 ? "night" : demo_rnd(8) == 0 ? "phone" : "home";
        int64_t at = visit_time(month_start, now, strcmp(kind, "night") == 0);
        if (at)
            plan[n++] = (struct planned_visit){at, worker, i, kind};
    }
    qsort(plan, n, sizeof *plan, by_time);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        struct db_visit v = {
            .household_id = hs.id[plan[i].household], .grid_code = hs.grid[plan[i].household],
            .visitor_user_id = plan[i].worker, .visited_at = plan[i].at, .kind = plan[i].kind,
            .heard = heard_in(hs.grid[plan[i].household][6] == '1'),
            .follow_up = demo_rnd(7) == 0 ? "下周回访，跟进办理情况" : "",
        };
        int64_t id;
        rc = db_visit_insert(c, &v, plan[i].at, &id);
    }
    return rc;
}

/* ---- the annual evaluation ------------------------------------------------------------- */

static int seed_evaluation(struct db_conn *c, int64_t now)
{
    int year;
    int64_t month_start, id = 0;
    local_month(now, &year, &month_start);
    char title[96];
    snprintf(title, sizeof title, "%d年度石桥村网格员群众评议", year);
    int64_t year_start = gl_days_from_civil(year, 1, 1) * DAY - LOCAL_OFFSET;
    struct db_vote e = {.title = title, .region_code = "379901101201",
                        .region_prefix = "379901101201", .period_from = year_start,
                        .period_to = gl_days_from_civil(year + 1, 1, 1) * DAY - LOCAL_OFFSET,
                        .opens_at = now - 3 * DAY, .closes_at = now + 20 * DAY,
                        .created_by = user_id(c, "leader")};
    int rc = db_vote_insert(c, DB_EVALUATION, &e, now - 4 * DAY, &id);
    for (int i = 0; rc >= 0 && i < 7; i++) {
        char username[16];
        snprintf(username, sizeof username, "gw%02d", 42 + i);
        rc = db_evaluation_target_insert(c, id, i + 1, user_id(c, username), 0);
    }
    if (rc >= 0)
        rc = db_evaluation_target_insert(c, id, 8, 0, dept_id(c, "sqz"));
    /* 石桥村's resident account has voted already. */
    int64_t ballot = 0, target = 0;
    if (rc >= 0)
        rc = db_ballot_insert(c, DB_EVALUATION, id, user_id(c, "jm07"), now - 2 * DAY, &ballot);
    static const char *const grades[] = {"satisfied", "satisfied", "basically_satisfied",
                                         "satisfied", "dissatisfied", "satisfied",
                                         "basically_satisfied", "satisfied"};
    for (int i = 0; rc >= 0 && i < 8; i++) {
        rc = db_query_int(c,
                          "SELECT id FROM evaluation_targets WHERE evaluation_id = $1"
                          " AND position = $2",
                          DB_ARGS(DB_INT(id), DB_INT(i + 1)), &target);
        if (rc >= 0)
            rc = db_evaluation_grade_insert(c, ballot, id, target, grades[i]);
    }
    return rc;
}

int demo_seed_participation(struct db_conn *c, int64_t now)
{
    int rc = seed_opinions(c, now);
    if (rc >= 0)
        rc = seed_polls(c, now);
    if (rc >= 0)
        rc = seed_commitments(c, now);
    if (rc >= 0)
        rc = seed_visits(c, now);
    if (rc >= 0)
        rc = seed_evaluation(c, now);
    return rc < 0 ? rc : 0;
}

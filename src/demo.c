/*
 * Demo data: fictional, in Chinese, shaped like what a county command
 * centre (县综治中心) really handles. Categories follow the common 12345 /
 * grid-governance groupings; time limits are in working hours. Everything
 * is generated from a fixed seed, so every demo database is the same
 * (apart from the sealing nonces and the password).
 */
#include "demo.h"
#include "config.h"
#include "core/mask.h"
#include "core/region.h"
#include "db/db.h"
#include "demo_catalog.h"
#include "secret.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *code, *name_zh, *name_en;
    int hours; /* 0: inherit the parent's */
} categories[] = {
    {"01", "劳动保障", "Labour and social security", 40},
    {"0101", "拖欠工资", "Unpaid wages", 24},
    {"0102", "社保缴纳", "Social insurance contributions", 0},
    {"0103", "劳动合同纠纷", "Labour contract disputes", 0},
    {"02", "城市管理", "City management", 24},
    {"0201", "占道经营", "Street vending on the roadway", 8},
    {"0202", "违章搭建", "Unauthorised construction", 40},
    {"0203", "油烟噪音扰民", "Cooking fumes and noise", 0},
    {"0204", "共享单车乱停放", "Shared bicycles parked badly", 8},
    {"03", "环境卫生", "Environmental sanitation", 24},
    {"0301", "垃圾堆放", "Piled-up rubbish", 8},
    {"0302", "河道沟渠污染", "Polluted ditches and streams", 40},
    {"0303", "公厕保洁", "Public toilet cleaning", 0},
    {"04", "市政设施", "Municipal facilities", 40},
    {"0401", "路灯不亮", "Street lights out", 24},
    {"0402", "道路破损", "Damaged roads", 0},
    {"0403", "井盖缺失", "Missing manhole covers", 4},
    {"0404", "供水停水", "Water supply interruptions", 8},
    {"05", "民政救助", "Civil affairs and assistance", 80},
    {"0501", "低保申请", "Subsistence allowance applications", 0},
    {"0502", "困难群众帮扶", "Help for households in hardship", 40},
    {"0503", "留守老人儿童关爱", "Care for left-behind elders and children", 0},
    {"06", "矛盾纠纷", "Disputes", 40},
    {"0601", "邻里纠纷", "Neighbour disputes", 24},
    {"0602", "土地山林权属", "Land and forest rights", 80},
    {"0603", "物业纠纷", "Property management disputes", 0},
    {"07", "安全隐患", "Safety hazards", 8},
    {"0701", "消防通道堵塞", "Blocked fire lanes", 4},
    {"0702", "电动车楼道充电", "E-bikes charged in stairwells", 4},
    {"0703", "危房险情", "Dangerous buildings", 4},
    {"08", "市场监管", "Market supervision", 40},
    {"0801", "食品安全", "Food safety", 24},
    {"0802", "价格欺诈", "Price fraud", 0},
    {"09", "卫生健康", "Health", 40},
    {"0901", "医疗服务投诉", "Medical service complaints", 0},
    {"10", "交通出行", "Transport", 40},
    {"1001", "公交线路站点", "Bus routes and stops", 80},
    {"1002", "农村道路养护", "Rural road maintenance", 0},
};


/* ---- territory ------------------------------------------------------------ */

#define COUNTY "379901000000"

static const struct town {
    const char *code, *name;
    bool urban;
} towns[] = {
    {"379901001000", "临河街道", true},
    {"379901101000", "石桥镇", false},
};

static const struct village {
    const char *code, *name;
    int town;   /* index into towns */
    int grids;  /* how many grids it is cut into */
    double lng, lat; /* south-west corner */
} villages[] = {
    {"379901001001", "福安社区", 0, 8, 118.880, 36.700},
    {"379901001002", "新华社区", 0, 7, 118.893, 36.700},
    {"379901001003", "滨河社区", 0, 7, 118.906, 36.700},
    {"379901001004", "文昌社区", 0, 6, 118.880, 36.710},
    {"379901001005", "和平社区", 0, 7, 118.893, 36.710},
    {"379901001006", "康宁社区", 0, 6, 118.906, 36.710},
    {"379901101201", "石桥村", 1, 7, 118.925, 36.700},
    {"379901101202", "柳家庄村", 1, 6, 118.938, 36.700},
    {"379901101203", "东坡村", 1, 7, 118.951, 36.700},
    {"379901101204", "西河沿村", 1, 6, 118.925, 36.710},
    {"379901101205", "王家屯村", 1, 6, 118.938, 36.710},
    {"379901101206", "北岭村", 1, 7, 118.951, 36.710},
};
#define NVILLAGES (sizeof villages / sizeof villages[0])
#define VILLAGE_W 0.012 /* degrees of longitude, about 1.1 km here */
#define VILLAGE_H 0.009 /* degrees of latitude, about 1 km */

static const struct dept {
    const char *code, *name, *region, *phone;
} depts[] = {
    {"rsj", "县人力资源和社会保障局（劳动保障监察大队）", COUNTY, "0536-7211001"},
    {"mzj", "县民政局", COUNTY, "0536-7211002"},
    {"zjj", "县住房和城乡建设局", COUNTY, "0536-7211003"},
    {"zfj", "县综合行政执法局（城管）", COUNTY, "0536-7211004"},
    {"slj", "县水利局（供水服务中心）", COUNTY, "0536-7211005"},
    {"jtj", "县交通运输局", COUNTY, "0536-7211006"},
    {"scj", "县市场监督管理局", COUNTY, "0536-7211007"},
    {"wjj", "县卫生健康局", COUNTY, "0536-7211008"},
    {"hbj", "市生态环境局青禾分局", COUNTY, "0536-7211009"},
    {"ybj", "县医疗保障局", COUNTY, "0536-7211010"},
    {"cl", "县残疾人联合会", COUNTY, "0536-7211011"},
    {"gaj", "县公安局（户政、交管）", COUNTY, "0536-7211012"},
    {"nyj", "县农业农村局", COUNTY, "0536-7211013"},
    {"zrj", "县自然资源局（不动产登记中心）", COUNTY, "0536-7211014"},
    {"tyj", "县退役军人事务局", COUNTY, "0536-7211015"},
    {"jyj", "县教育和体育局", COUNTY, "0536-7211016"},
    {"swj", "县税务局", COUNTY, "0536-7211017"},
    {"sfj", "县司法局", COUNTY, "0536-7211018"},
    {"lhjd", "临河街道综合治理中心", "379901001000", "0536-7231100"},
    {"sqz", "石桥镇综合治理中心", "379901101000", "0536-7251100"},
};
#define NDEPTS (sizeof depts / sizeof depts[0])

/* A small deterministic generator, so the demo is the same every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
unsigned demo_rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Grid g of village v as a rectangle: two rows of cells, the last column a
 * single tall cell when the count is odd. Column widths vary a little so
 * the map does not look like graph paper; neighbours share edges exactly. */
static void grid_rect(const struct village *v, int g, double *x0, double *y0, double *x1,
                      double *y1)
{
    int cols = (v->grids + 1) / 2;
    double edges[16];
    double total = 0, w[8];
    for (int c = 0; c < cols; c++)
        total += w[c] = 3 + (int)((v->lng * 1000 + c * 7) + v->grids) % 3;
    edges[0] = v->lng;
    for (int c = 0; c < cols; c++)
        edges[c + 1] = edges[c] + VILLAGE_W * w[c] / total;
    int col = g / 2, row = g % 2;
    bool tall = (v->grids % 2 == 1) && col == cols - 1;
    *x0 = edges[col];
    *x1 = edges[col + 1];
    *y0 = tall ? v->lat : v->lat + row * VILLAGE_H / 2;
    *y1 = tall ? v->lat + VILLAGE_H : *y0 + VILLAGE_H / 2;
}

/* ---- people ------------------------------------------------------------------- */

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
    "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
    "丁", "魏", "薛", "叶", "阎",
};
static const char *const given[] = {
    "建国", "秀英", "桂兰", "玉梅", "志强", "海燕", "国庆", "德明", "春华", "淑珍", "文杰",
    "丽娟", "永刚", "凤英", "树林", "红霞", "立新", "素芳", "学军", "金凤", "伟", "静", "敏",
    "磊", "洋", "艳", "勇", "军", "杰", "娜", "强", "涛", "明", "超", "霞", "平", "刚", "燕",
    "玉兰", "长江", "守信", "明亮", "晓东", "爱华", "兰英", "广福", "庆丰", "友谊", "卫东",
};
static const char *const care_tags[] = {"低保户", "独居老人", "残疾人", "留守儿童", "退役军人",
                                        "特困供养", "重点关注"};
static const int care_per_mille[] = {60, 70, 40, 50, 30, 10, 15};

void demo_person_name(char out[32])
{
    snprintf(out, 32, "%s%s", surnames[demo_rnd(sizeof surnames / sizeof *surnames)],
             given[demo_rnd(sizeof given / sizeof *given)]);
}

/* A well-formed (check digit included) but fictional resident ID. */
static void id_number(char out[19])
{
    static const int weight[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int year = 1938 + (int)demo_rnd(65), month = 1 + (int)demo_rnd(12), day = 1 + (int)demo_rnd(28);
    snprintf(out, 19, "379901%04d%02d%02d%03u", year, month, day, demo_rnd(1000));
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weight[i];
    out[17] = check[sum % 11];
    out[18] = '\0';
}

static void mobile(char out[12])
{
    static const char *const prefixes[] = {"133", "135", "137", "138", "139", "150", "152",
                                           "158", "177", "180", "186", "189"};
    snprintf(out, 12, "%s%08u", prefixes[demo_rnd(12)], demo_rnd(100000000));
}

static int seal_into(const char *text, const char *context, unsigned char **p, size_t *n)
{
    return secret_seal(text, context, p, n);
}

/* ---- the seeding transaction ------------------------------------------------- */

struct demo_user {
    const char *username, *name, *role, *scope, *dept;
};

/* Fixed accounts; grid workers (gw01..gw80), party members (dy01..dy12) and
 * residents (jm01..jm12) are generated per grid and village. */
static const struct demo_user fixed_users[] = {
    {"admin", "系统管理员", "admin", NULL, NULL},
    {"leader", "张建国（县委副书记）", "leader", COUNTY, NULL},
    {"dispatcher", "李红梅（县综治中心）", "dispatcher", COUNTY, NULL},
    {"supervisor", "王志刚（县纪委监委）", "supervisor", COUNTY, NULL},
    {"auditor", "赵敏（审计）", "auditor", COUNTY, NULL},
    {"rsj.head", "刘卫东（人社局劳动监察大队长）", "dept_head", COUNTY, "rsj"},
    {"rsj.staff", "陈晓燕（劳动监察员）", "dept_staff", COUNTY, "rsj"},
    {"zfj.staff", "杨帆（综合执法队员）", "dept_staff", COUNTY, "zfj"},
    {"mzj.staff", "周丽（民政专干）", "dept_staff", COUNTY, "mzj"},
    {"linhe.dispatcher", "孙浩（临河街道综治中心）", "dispatcher", "379901001000", NULL},
    {"shiqiao.dispatcher", "胡亮（石桥镇综治中心）", "dispatcher", "379901101000", NULL},
    {"shiqiao.agent", "郭晓梅（石桥镇代办员）", "agent", "379901101000", NULL},
    {"linhe.agent", "马文静（临河街道代办员）", "agent", "379901001000", NULL},
    {"linhe.admin", "林涛（临河街道信息员）", "admin", "379901001000", NULL},
};

struct seed_ctx {
    const char *password_hash;
    int64_t dept_ids[NDEPTS];
    int64_t first_household[NVILLAGES];
    int households;
    int users;
};

static int64_t dept_id(const struct seed_ctx *x, const char *code)
{
    for (size_t i = 0; i < NDEPTS; i++)
        if (strcmp(depts[i].code, code) == 0)
            return x->dept_ids[i];
    return 0;
}

static int add_user(struct db_conn *c, struct seed_ctx *x, const char *username, const char *name,
                    const char *role, const char *scope, int64_t dept, int64_t now, int64_t *id)
{
    char phone[12];
    unsigned char *sealed;
    size_t n;
    mobile(phone);
    seal_into(phone, "users.phone", &sealed, &n);
    struct db_user u = {.username = username, .display_name = name,
                        .password_hash = x->password_hash, .phone = sealed, .phone_len = n};
    int rc = db_user_insert(c, &u, now, id);
    free(sealed);
    if (rc < 0)
        return rc;
    x->users++;
    return db_role_insert(c, *id, role, scope, dept, now);
}

static int seed_territory(struct db_conn *c, struct seed_ctx *x, int64_t now)
{
    int rc = db_region_insert(c, COUNTY, "青禾县", "county", NULL, now);
    for (size_t t = 0; rc >= 0 && t < sizeof towns / sizeof *towns; t++)
        rc = db_region_insert(c, towns[t].code, towns[t].name, "town", COUNTY, now);
    for (size_t v = 0; rc >= 0 && v < NVILLAGES; v++)
        rc = db_region_insert(c, villages[v].code, villages[v].name, "village",
                              towns[villages[v].town].code, now);
    for (size_t d = 0; rc >= 0 && d < NDEPTS; d++) {
        struct db_department dep = {.code = depts[d].code, .name = depts[d].name,
                                    .region_code = depts[d].region, .phone = depts[d].phone};
        rc = db_department_insert(c, &dep, now, &x->dept_ids[d]);
    }
    static const char *const ordinal[] = {"一", "二", "三", "四", "五", "六", "七", "八"};
    for (size_t v = 0; rc >= 0 && v < NVILLAGES; v++) {
        for (int g = 0; rc >= 0 && g < villages[v].grids; g++) {
            double x0, y0, x1, y1;
            grid_rect(&villages[v], g, &x0, &y0, &x1, &y1);
            char code[32], name[64], geometry[320], phone[32];
            snprintf(code, sizeof code, "%s%03d", villages[v].code, g + 1);
            snprintf(name, sizeof name, "%s第%s网格", villages[v].name, ordinal[g]);
            snprintf(geometry, sizeof geometry,
                     "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                     "[%.6f,%.6f],[%.6f,%.6f]]]}",
                     x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
            snprintf(phone, sizeof phone, "0536-72%02zu%03d", 30 + v, g + 1);
            struct db_grid grid = {.code = code, .name = name, .village_code = villages[v].code,
                                   .geometry = geometry, .duty_phone = phone, .min_lat = y0,
                                   .min_lng = x0, .max_lat = y1, .max_lng = x1};
            rc = db_grid_insert(c, &grid, now);
        }
    }
    return rc;
}

static int seed_households(struct db_conn *c, struct seed_ctx *x, int64_t now)
{
    int rc = 0;
    for (size_t v = 0; rc >= 0 && v < NVILLAGES; v++) {
        bool urban = towns[villages[v].town].urban;
        x->first_household[v] = 0;
        for (int g = 0; rc >= 0 && g < villages[v].grids; g++) {
            char grid[32];
            snprintf(grid, sizeof grid, "%s%03d", villages[v].code, g + 1);
            int count = 56 + (int)demo_rnd(15); /* 56..70 per grid, about 5,000 in all */
            for (int h = 0; rc >= 0 && h < count; h++) {
                char area[64], detail[32], name[32], idn[19], phone[12], tags[128] = "[";
                if (urban) {
                    snprintf(area, sizeof area, "%s%d号楼", villages[v].name, g * 6 + h / 12 + 1);
                    snprintf(detail, sizeof detail, "%d单元%d0%d室", 1 + h % 12 / 6,
                             1 + h % 6, 1 + (int)demo_rnd(2));
                } else {
                    snprintf(area, sizeof area, "%s%d组", villages[v].name, g + 1);
                    snprintf(detail, sizeof detail, "%d号", h + 1);
                }
                demo_person_name(name);
                id_number(idn);
                mobile(phone);
                for (size_t t = 0; t < sizeof care_tags / sizeof *care_tags; t++)
                    if ((int)demo_rnd(1000) < care_per_mille[t])
                        snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s\"%s\"",
                                 tags[1] ? "," : "", care_tags[t]);
                strcat(tags, "]");
                struct db_household row = {.grid_code = grid, .address_area = area,
                                           .head_name = name, .members = 1 + demo_rnd(6),
                                           .tags = tags};
                unsigned char *d, *i, *p;
                seal_into(detail, "households.address_detail", &d, &row.address_detail_len);
                seal_into(idn, "households.head_id_number", &i, &row.head_id_number_len);
                seal_into(phone, "households.phone", &p, &row.phone_len);
                row.address_detail = d, row.head_id_number = i, row.phone = p;
                int64_t id;
                rc = db_household_insert(c, &row, now, &id);
                free(d), free(i), free(p);
                if (!x->first_household[v])
                    x->first_household[v] = id;
                x->households++;
            }
        }
    }
    return rc;
}

static int seed_people(struct db_conn *c, struct seed_ctx *x, int64_t now)
{
    int rc = 0;
    int64_t id;
    for (size_t i = 0; rc >= 0 && i < sizeof fixed_users / sizeof *fixed_users; i++) {
        const struct demo_user *u = &fixed_users[i];
        rc = add_user(c, x, u->username, u->name, u->role, u->scope,
                      u->dept ? dept_id(x, u->dept) : 0, now, &id);
    }
    /* Every department has a desk: those without a named account get
     * "<code>.staff". */
    for (size_t d = 0; rc >= 0 && d < NDEPTS; d++) {
        char username[32], name[96], person[32];
        snprintf(username, sizeof username, "%s.staff", depts[d].code);
        bool named = false;
        for (size_t i = 0; i < sizeof fixed_users / sizeof *fixed_users; i++)
            named = named || strcmp(fixed_users[i].username, username) == 0;
        if (named)
            continue;
        demo_person_name(person);
        snprintf(name, sizeof name, "%s（%s）", person, depts[d].name);
        rc = add_user(c, x, username, name, "dept_staff", depts[d].region, x->dept_ids[d], now,
                      &id);
    }
    int gw = 0;
    for (size_t v = 0; rc >= 0 && v < NVILLAGES; v++) {
        for (int g = 0; rc >= 0 && g < villages[v].grids; g++) {
            char username[16], grid[32], name[64], person[32];
            snprintf(username, sizeof username, "gw%02d", ++gw);
            snprintf(grid, sizeof grid, "%s%03d", villages[v].code, g + 1);
            demo_person_name(person);
            snprintf(name, sizeof name, "%s（网格员）", person);
            rc = add_user(c, x, username, name, "grid_worker", grid, 0, now, &id);
        }
        /* One 联户 party member per village, looking after 30 households,
         * and one resident account. */
        char username[16], name[64], person[32];
        snprintf(username, sizeof username, "dy%02zu", v + 1);
        demo_person_name(person);
        snprintf(name, sizeof name, "%s（联户党员）", person);
        if (rc >= 0)
            rc = add_user(c, x, username, name, "party_member", villages[v].code, 0, now, &id);
        for (int h = 0; rc >= 0 && h < 30; h++)
            rc = db_party_link(c, id, x->first_household[v] + h * 2, now);
        snprintf(username, sizeof username, "jm%02zu", v + 1);
        demo_person_name(person);
        snprintf(name, sizeof name, "%s（居民）", person);
        if (rc >= 0)
            rc = add_user(c, x, username, name, "resident", villages[v].code, 0, now, &id);
    }
    return rc;
}

static int seed_categories(struct db_conn *c, int64_t now)
{
    int64_t parent_id = 0, parent_hours = 0;
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
        int top = categories[i].code[2] == '\0';
        struct db_category row = {
            .code = categories[i].code,
            .parent_id = top ? 0 : parent_id,
            .name_zh = categories[i].name_zh,
            .name_en = categories[i].name_en,
            .time_limit_hours = categories[i].hours ? categories[i].hours : parent_hours,
            .active = 1,
        };
        int64_t id;
        int rc = db_category_insert(c, &row, now, &id);
        if (rc < 0)
            return rc;
        if (top)
            parent_id = id, parent_hours = row.time_limit_hours;
    }
    return 0;
}

/* Which department takes which kind of case: county bureaus by default,
 * the street's and town's own centres for what they settle themselves. */
static const struct {
    const char *category, *region, *dept;
    int hours; /* 0: the category's limit */
} routes[] = {
    {"01", COUNTY, "rsj", 0},          {"0201", COUNTY, "zfj", 0},
    {"0202", COUNTY, "zfj", 0},        {"0203", COUNTY, "hbj", 0},
    {"0204", "379901001000", "lhjd", 0}, {"02", COUNTY, "zfj", 0},
    {"03", "379901001000", "lhjd", 0},   {"03", "379901101000", "sqz", 0},
    {"0302", COUNTY, "hbj", 0},        {"04", COUNTY, "zjj", 0},
    {"0404", COUNTY, "slj", 0},        {"05", COUNTY, "mzj", 0},
    {"06", "379901001000", "lhjd", 0},   {"06", "379901101000", "sqz", 0},
    {"07", COUNTY, "zjj", 0},          {"0701", "379901001000", "lhjd", 4},
    {"08", COUNTY, "scj", 0},          {"09", COUNTY, "wjj", 0},
    {"10", COUNTY, "jtj", 0},
};

/* The demo calendar's exceptions: holidays (0) and make-up workdays (1),
 * in the shape of the State Council's yearly notice (illustrative; an
 * admin enters the real notice each December). */
static const struct {
    const char *day;
    int works;
    const char *note;
} calendar_days[] = {
    {"2026-01-01", 0, "元旦"},   {"2026-01-02", 0, "元旦"},   {"2026-01-04", 1, "元旦调休上班"},
    {"2026-02-16", 0, "春节"},   {"2026-02-17", 0, "春节"},   {"2026-02-18", 0, "春节"},
    {"2026-02-19", 0, "春节"},   {"2026-02-20", 0, "春节"},   {"2026-02-23", 0, "春节"},
    {"2026-02-14", 1, "春节调休上班"}, {"2026-02-28", 1, "春节调休上班"},
    {"2026-04-06", 0, "清明节"}, {"2026-05-01", 0, "劳动节"}, {"2026-05-04", 0, "劳动节"},
    {"2026-05-05", 0, "劳动节"}, {"2026-05-09", 1, "劳动节调休上班"},
    {"2026-06-19", 0, "端午节"}, {"2026-09-25", 0, "中秋节"},
    {"2026-10-01", 0, "国庆节"}, {"2026-10-02", 0, "国庆节"}, {"2026-10-05", 0, "国庆节"},
    {"2026-10-06", 0, "国庆节"}, {"2026-10-07", 0, "国庆节"},
    {"2026-09-20", 1, "国庆节调休上班"}, {"2026-10-10", 1, "国庆节调休上班"},
    {"2027-01-01", 0, "元旦"},
};

static int seed_routing(struct db_conn *c, struct seed_ctx *x, int64_t now)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t cat = 0, id;
        char prefix[16];
        int rc = db_category_id(c, routes[i].category, &cat);
        if (rc <= 0)
            return rc < 0 ? rc : DB_ERROR;
        if (!region_prefix(routes[i].region, prefix))
            return DB_ERROR;
        rc = db_route_upsert(c, cat, routes[i].region, prefix, dept_id(x, routes[i].dept),
                             routes[i].hours, now, &id);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < sizeof calendar_days / sizeof calendar_days[0]; i++) {
        int rc = db_calendar_set_day(c, calendar_days[i].day, calendar_days[i].works,
                                     calendar_days[i].note, now);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The catalog as JSON arrays: "a|b" -> ["a","b"], "vc" -> ["village","center"]. */
static int seed_services(struct db_conn *c, struct seed_ctx *x, int64_t now)
{
    static const char *const venue[] = {"village", "center", "online"};
    for (size_t i = 0; i < sizeof demo_services / sizeof demo_services[0]; i++) {
        const struct demo_service *d = &demo_services[i];
        json_t *materials = json_array(), *venues = json_array();
        char buf[512];
        snprintf(buf, sizeof buf, "%s", d->materials);
        for (char *save, *m = strtok_r(buf, "|", &save); m; m = strtok_r(NULL, "|", &save))
            json_array_append_new(materials, json_string(m));
        for (size_t v = 0; v < 3; v++)
            if (strchr(d->venues, "vco"[v]))
                json_array_append_new(venues, json_string(venue[v]));
        char code[16];
        snprintf(code, sizeof code, "DB%03zu", i + 1);
        char *mt = json_dumps(materials, JSON_COMPACT), *vt = json_dumps(venues, JSON_COMPACT);
        struct db_service s = {.code = code, .name = d->name, .category = d->category,
                               .dept_id = dept_id(x, d->dept), .materials = mt, .venues = vt,
                               .promised_days = d->days, .fee_cents = d->fee_yuan * 100,
                               .active = 1};
        int64_t id;
        int rc = db_service_insert(c, &s, now, &id);
        free(mt);
        free(vt);
        json_decref(materials);
        json_decref(venues);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A few errands at each stage in 石桥镇, so the desks and the ledger have
 * something to show: (service, grid, resident, days ago, steps taken). */
static const struct demo_errand {
    const char *service; /* the catalogue's name */
    const char *grid, *resident, *notes;
    int days_ago, steps; /* steps after registering: accept, submit, complete, notify, confirm */
} demo_errands[] = {
    {"城乡居民基本养老保险待遇申领（年满60周岁）", "379901101201001", "王秀英",
     "年满60周岁，腿脚不便，委托代办养老金领取", 12, 5},
    {"最低生活保障申请", "379901101201002", "李金山", "家中老伴长期卧病，申请低保", 20, 2},
    {"残疾人证新办", "379901101202001", "张小军", "下肢残疾，申请办理残疾人证", 9, 1},
    {"出生登记（新生儿落户）", "379901101203001", "刘芳", "新生儿落户，父母在外务工", 3, 0},
    {"门诊慢特病待遇认定", "379901101204002", "赵德海", "门诊慢特病（高血压）待遇认定", 16, 3},
    {"耕地地力保护补贴申报", "379901101205001", "孙桂兰", "申请耕地地力保护补贴", 25, 4},
    {"社会保障卡挂失与补换", "379901101206003", "周建平", "社保卡遗失补办", 6, 5},
    {"农村危房改造申请", "379901101201003", "钱玉珍", "老房子漏雨，申请危房改造", 2, 0},
};

/* The catalogue entry called name, or -1. */
static int service_index(const char *name)
{
    for (size_t i = 0; i < sizeof demo_services / sizeof demo_services[0]; i++)
        if (strcmp(demo_services[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int seed_errands(struct db_conn *c, int64_t now)
{
    static const char *const steps[] = {"accept", "submit", "complete", "notify", "confirm"};
    static const char *const states[] = {"registered", "accepted", "submitted", "completed",
                                         "notified", "confirmed"};
    int64_t agent = 0, svc = 0;
    int rc = db_query_int(c, "SELECT id FROM users WHERE username = 'shiqiao.agent'", DB_NOARGS,
                          &agent);
    for (size_t i = 0; rc >= 0 && i < sizeof demo_errands / sizeof demo_errands[0]; i++) {
        const struct demo_errand *d = &demo_errands[i];
        int service = service_index(d->service);
        if (service < 0)
            return DB_ERROR;
        char code[16], ecode[64];
        snprintf(code, sizeof code, "DB%03d", service + 1);
        rc = db_query_int(c, "SELECT id FROM services WHERE code = $1", DB_ARGS(DB_STR(code)),
                          &svc);
        if (rc <= 0)
            return rc < 0 ? rc : DB_ERROR;
        int64_t at = now - (int64_t)d->days_ago * 86400 - 3600 * (int64_t)(2 + i);
        /* A code from the day it was registered. */
        time_t t = (time_t)(at + 8 * 3600);
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(ecode, sizeof ecode, "DB379901%04d%02d%02d%04zu", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, 9000 + i);
        struct db_errand e = {
            .code = ecode, .service_id = svc, .grid_code = d->grid,
            .resident_name = d->resident, .notes = d->notes, .channel = "village",
            .materials = "[]", .registered_by = agent, .state = "registered",
            .deadline_at = at + demo_services[service].days * 86400 * 7 / 5,
        };
        rc = db_errand_insert(c, &e, at, &e.id);
        struct db_event ev = {.subject_id = e.id, .at = at, .actor_user_id = agent,
                              .action = "register", .to_state = "registered", .note = d->notes};
        if (rc >= 0)
            rc = db_errand_event_insert(c, &ev);
        for (int k = 0; rc >= 0 && k < d->steps; k++) {
            ev.at = at + (int64_t)(k + 1) * (d->days_ago * 86400 / (d->steps + 1));
            ev.action = steps[k];
            ev.from_state = states[k];
            ev.to_state = states[k + 1];
            ev.note = NULL;
            rc = db_errand_event_insert(c, &ev);
        }
        if (rc >= 0 && d->steps) {
            e.version = 1;
            e.state = states[d->steps];
            e.agent_user_id = agent;
            e.confirm_method = d->steps == 5 ? "code" : NULL;
            rc = db_errand_save(c, &e, 1, now);
        }
    }
    return rc < 0 ? rc : 0;
}

static int seed(struct db_conn *c, void *cls)
{
    struct seed_ctx *x = cls;
    int64_t n = 0;
    int rc = db_query_int(c, "SELECT count(*) FROM regions", DB_NOARGS, &n);
    if (rc < 0)
        return rc;
    if (n > 0)
        return 1;
    rng_state = 0x9e3779b97f4a7c15ULL;
    x->households = x->users = 0;
    int64_t now = (int64_t)time(NULL);
    if ((rc = seed_categories(c, now)) < 0 || (rc = seed_territory(c, x, now)) < 0 ||
        (rc = seed_households(c, x, now)) < 0 || (rc = seed_people(c, x, now)) < 0 ||
        (rc = seed_routing(c, x, now)) < 0 || (rc = seed_services(c, x, now)) < 0 ||
        (rc = seed_errands(c, now)) < 0 || (rc = demo_seed_cases(c, now)) < 0 ||
        (rc = demo_seed_participation(c, now)) < 0)
        return rc;
    return 0;
}

int demo_seed(struct db *db, const struct config *cfg, char *err, size_t errlen)
{
    (void)cfg;
    const char *pw = getenv("GRIDLINE_DEMO_PASSWORD");
    char generated[SECRET_TOKEN_LEN + 1];
    if (!pw || !*pw) {
        secret_token(generated);
        generated[12] = '\0';
        pw = generated;
    }
    char hash[SECRET_PWHASH_LEN];
    if (strlen(pw) < 8 || secret_password_hash(pw, hash) != 0) {
        snprintf(err, errlen, "the demo password must have at least 8 characters");
        return -1;
    }
    /* Every demo account shares one password, so one hash serves them all. */
    struct seed_ctx x = {.password_hash = hash};
    int rc = db_run_transaction(db, DB_WRITE, seed, &x);
    if (rc < 0) {
        snprintf(err, errlen, "writing the demo data failed (database error %d)", rc);
        return -1;
    }
    if (rc == 0) {
        printf("demo county 青禾县: %zu villages/communities, %d households, %d users\n", NVILLAGES,
               x.households, x.users);
        printf("demo logins (password: %s%s):\n", pw,
               pw == generated ? ", shown only now" : ", from GRIDLINE_DEMO_PASSWORD");
        printf("  admin            系统管理员 (everywhere)\n"
               "  leader           county leader (dashboards)\n"
               "  dispatcher       county command centre; linhe.dispatcher, shiqiao.dispatcher for the towns\n"
               "  supervisor       挂牌督办 supervisor;  auditor  audit reader\n"
               "  rsj.head         labour department head; rsj.staff, zfj.staff, mzj.staff desk staff\n"
               "  shiqiao.agent    全程代办 agent; linhe.agent\n"
               "  gw01 .. gw80     grid workers, one per grid (gw01 = 福安社区第一网格)\n"
               "  dy01 .. dy12     联户 party members, one per village/community\n"
               "  jm01 .. jm12     residents, one per village/community\n");
    }
    return rc;
}

/*
 * Demo data: fictional, in Chinese, shaped like what a county command
 * centre (县综治中心) really handles. Categories follow the common 12345 /
 * grid-governance groupings; time limits are in working hours.
 */
#include "demo.h"
#include "db/db.h"

#include <stdio.h>
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

static int seed(struct db_conn *c, void *cls)
{
    (void)cls;
    int64_t n = 0;
    int rc = db_query_int(c, "SELECT count(*) FROM categories", DB_NOARGS, &n);
    if (rc < 0)
        return rc;
    if (n > 0)
        return 1;
    int64_t now = (int64_t)time(NULL), parent_id = 0, parent_hours = 0;
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
        rc = db_category_insert(c, &row, now, &id);
        if (rc < 0)
            return rc;
        if (top)
            parent_id = id, parent_hours = row.time_limit_hours;
    }
    return 0;
}

int demo_seed(struct db *db, char *err, size_t errlen)
{
    int rc = db_run_transaction(db, DB_WRITE, seed, NULL);
    if (rc < 0) {
        snprintf(err, errlen, "writing the demo data failed (database error %d)", rc);
        return -1;
    }
    return rc;
}

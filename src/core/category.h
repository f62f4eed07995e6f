/*
 * Case categories (案件类别): a two-level classification. A top-level code is
 * two digits ("01" 劳动保障); a sub-category appends two digits to its
 * parent's code ("0101" 拖欠工资). Each carries the time limit, in working
 * hours, that routing uses unless a routing rule says otherwise.
 */
#ifndef GL_CORE_CATEGORY_H
#define GL_CORE_CATEGORY_H
#include <stdint.h>

#define CATEGORY_NAME_MAX 64        /* characters (code points) */
#define CATEGORY_LIMIT_MIN_HOURS 1
#define CATEGORY_LIMIT_MAX_HOURS 2000 /* about one working year */

/* Each returns NULL when the value is acceptable, else an English sentence
 * saying what is wrong (static storage; the caller names the field). */

/* `parent_code` is NULL for a top-level category. */
const char *category_code_problem(const char *code, const char *parent_code);
const char *category_limit_problem(int64_t hours);
/* A sub-category may only hang under a top-level one: two levels, no more. */
const char *category_parent_problem(int parent_is_top_level);

#endif

/*
 * Rules for case categories; see category.h for the code scheme.
 */
#include "core/category.h"

#include <string.h>

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *category_code_problem(const char *code, const char *parent_code)
{
    size_t n = strlen(code);
    if (!parent_code) {
        if (n != 2 || !all_digits(code, 2))
            return "a top-level category code is two digits, e.g. \"01\"";
        if (strcmp(code, "00") == 0)
            return "category code \"00\" is reserved";
        return NULL;
    }
    size_t pn = strlen(parent_code);
    if (n != pn + 2 || !all_digits(code, n))
        return "a sub-category code is its parent's code followed by two digits, e.g. \"0101\"";
    if (strncmp(code, parent_code, pn) != 0)
        return "a sub-category code must start with its parent's code";
    if (strcmp(code + pn, "00") == 0)
        return "sub-category suffix \"00\" is reserved";
    return NULL;
}

const char *category_limit_problem(int64_t hours)
{
    if (hours < CATEGORY_LIMIT_MIN_HOURS || hours > CATEGORY_LIMIT_MAX_HOURS)
        return "time limit must be between 1 and 2000 working hours";
    return NULL;
}

const char *category_parent_problem(int parent_is_top_level)
{
    return parent_is_top_level ? NULL
                               : "categories have two levels: the parent must be a top-level category";
}

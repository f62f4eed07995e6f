/*
 * Region code rules; see region.h.
 */
#include "core/region.h"

#include <string.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool zeros(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

enum region_level region_level_of(const char *code)
{
    if (!code)
        return LEVEL_INVALID;
    size_t n = strlen(code);
    if ((n != 12 && n != 15) || !digits(code, n) || zeros(code, 6))
        return LEVEL_INVALID;
    /* Town and village parts must be set below county level. */
    if (n == 15)
        return !zeros(code + 6, 3) && !zeros(code + 9, 3) && !zeros(code + 12, 3) ? LEVEL_GRID
                                                                                 : LEVEL_INVALID;
    if (zeros(code + 6, 6))
        return LEVEL_COUNTY;
    if (zeros(code + 9, 3))
        return zeros(code + 6, 3) ? LEVEL_INVALID : LEVEL_TOWN;
    return zeros(code + 6, 3) ? LEVEL_INVALID : LEVEL_VILLAGE;
}

const char *region_level_name(enum region_level l)
{
    static const char *const names[] = {NULL, "county", "town", "village", "grid"};
    return l <= LEVEL_GRID ? names[l] : NULL;
}

enum region_level region_level_parse(const char *name)
{
    for (int l = LEVEL_COUNTY; l <= LEVEL_GRID; l++)
        if (name && strcmp(name, region_level_name((enum region_level)l)) == 0)
            return (enum region_level)l;
    return LEVEL_INVALID;
}

size_t region_prefix_len(const char *code)
{
    static const size_t lens[] = {0, 6, 9, 12, 15};
    return lens[region_level_of(code)];
}

bool region_parent(const char *code, char out[REGION_CODE_BUFLEN])
{
    size_t keep;
    switch (region_level_of(code)) {
    case LEVEL_GRID: keep = 12; break;
    case LEVEL_VILLAGE: keep = 9; break;
    case LEVEL_TOWN: keep = 6; break;
    default: return false;
    }
    memcpy(out, code, keep);
    memset(out + keep, '0', 12 - keep);
    out[12] = '\0';
    return true;
}

bool region_prefix(const char *code, char out[REGION_CODE_BUFLEN])
{
    size_t n = region_prefix_len(code);
    memcpy(out, code, n);
    out[n] = '\0';
    return n > 0;
}

bool region_contains(const char *scope, const char *code)
{
    size_t n = region_prefix_len(scope);
    return n > 0 && region_level_of(code) != LEVEL_INVALID && strlen(code) >= n &&
           strncmp(scope, code, n) == 0;
}

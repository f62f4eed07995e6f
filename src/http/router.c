/*
 * Matching a request path against the route table, and generating the
 * OpenAPI document from it. Patterns are literal segments and "{name}"
 * segments that capture one non-empty path segment.
 */
#include "http/routes.h"

#include <stdio.h>
#include <string.h>

/* Matches `path` against `pattern`; captured segments are copied into buf,
 * NUL-terminated, and params point at them. */
static int match(const char *pattern, const char *path, char *buf, size_t buflen,
                 const char *params[HTTP_MAX_PARAMS])
{
    size_t np = 0, used = 0;
    const char *p = pattern, *s = path;
    while (*p || *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++, s++;
        size_t pl = strcspn(p, "/"), sl = strcspn(s, "/");
        if (pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (sl == 0 || np == HTTP_MAX_PARAMS || used + sl + 1 > buflen)
                return 0;
            memcpy(buf + used, s, sl);
            buf[used + sl] = '\0';
            params[np++] = buf + used;
            used += sl + 1;
        } else if (pl != sl || memcmp(p, s, pl) != 0) {
            return 0;
        }
        p += pl, s += sl;
    }
    return 1;
}

static int same_method(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

enum route_result route_match(const char *method, const char *path, char *buf, size_t buflen,
                              const char *params[HTTP_MAX_PARAMS], const struct route **out,
                              char *allow, size_t allowlen)
{
    int path_seen = 0;
    allow[0] = '\0';
    for (const struct route *rt = http_routes; rt->pattern; rt++) {
        const char *tmp[HTTP_MAX_PARAMS] = {0};
        if (!match(rt->pattern, path, buf, buflen, tmp))
            continue;
        if (same_method(rt->method, method)) {
            memcpy(params, tmp, sizeof tmp);
            *out = rt;
            return ROUTE_FOUND;
        }
        path_seen = 1;
        size_t n = strlen(allow);
        snprintf(allow + n, allowlen - n, "%s%s", n ? ", " : "", rt->method);
    }
    return path_seen ? ROUTE_BAD_METHOD : ROUTE_NO_PATH;
}

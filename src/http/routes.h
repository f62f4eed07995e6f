/*
 * The route table: every HTTP endpoint of gridline in one static array
 * (src/http/routes.c), with what the OpenAPI document needs to describe it.
 * /api/v1/openapi.json is generated from this table and the request specs
 * it points to, so the document cannot drift from what the server does.
 */
#ifndef GL_HTTP_ROUTES_H
#define GL_HTTP_ROUTES_H
#include <jansson.h>
#include <stddef.h>

#include "http/request.h"

enum route_auth {
    AUTH_USER = 0,   /* a signed-in user (cookie + CSRF for unsafe methods, or bearer token) */
    AUTH_PUBLIC,     /* anyone */
};

struct route {
    const char *method;         /* "GET", "POST", ... */
    const char *pattern;        /* "/api/v1/categories/{id}" */
    http_handler handler;
    const char *tag;            /* OpenAPI tag: the resource */
    const char *summary;        /* one line in English */
    const struct jspec *body;   /* JSON body spec, NULL when the route takes no body */
    unsigned ok;                /* the success status */
    size_t max_body;            /* bytes; 0 = the configured default */
    enum route_auth auth;
    const char *media;          /* a raw (not JSON) body: its types, space-separated */
};

extern const struct route http_routes[];

/* GET /metrics (http/scrape.c): it labels its counters from this table. */
enum MHD_Result http_metrics(struct http_req *r);

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_BAD_METHOD };

/* Finds the route for method + path. On ROUTE_FOUND, *out is set and the
 * path parameters point into `buf`. On ROUTE_BAD_METHOD,
 * `allow` lists the methods the path has. */
enum route_result route_match(const char *method, const char *path, char *buf, size_t buflen,
                              const char *params[HTTP_MAX_PARAMS], const struct route **out,
                              char *allow, size_t allowlen);

/* The OpenAPI 3 document for the whole API. */
json_t *route_openapi(void);

#endif

/*
 * Liveness, readiness and the API description.
 */
#include "api/api.h"
#include "db/db.h"
#include "http/routes.h"

#include <time.h>

enum MHD_Result api_healthz(struct http_req *r)
{
    return http_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

enum MHD_Result api_readyz(struct http_req *r)
{
    int version = -1;
    int known = db_schema_known(db_dialect(r->app->db));
    if (db_schema_version(r->app->db, &version) < 0)
        return http_reply_error(r, GL_ERR_UNAVAILABLE, NULL, "the database is not reachable");
    if (version != known)
        return http_reply_error(r, GL_ERR_UNAVAILABLE, NULL,
                                "database schema is at version %d, this server needs %d", version,
                                known);
    return http_reply_json(r, 200, json_pack("{s:s, s:i, s:I}", "status", "ready", "schema",
                                             version, "uptime_s",
                                             (json_int_t)(time(NULL) - r->app->started_at)));
}

enum MHD_Result api_openapi(struct http_req *r)
{
    return http_reply_json(r, 200, route_openapi());
}

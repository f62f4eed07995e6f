/*
 * Small helpers every API handler uses.
 */
#include "api/api.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

enum MHD_Result api_reply_db_error(struct http_req *r, int rc)
{
    if (rc == DB_BUSY)
        return http_reply_error(r, GL_ERR_UNAVAILABLE, NULL,
                                "the database is busy; try again in a moment");
    log_error("api", "%s %s: database error %d", r->method, r->path, rc);
    return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
}

json_t *api_time(const struct http_req *r, int64_t t)
{
    char buf[GL_TIME_BUFLEN];
    gl_time_format(t, r->app->cfg->offset_min, buf);
    return json_string(buf);
}

int api_fail(struct api_fail *f, enum gl_error code, const char *field, const char *fmt, ...)
{
    va_list ap;
    f->code = code;
    f->field = field;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return DB_ABORT;
}

enum MHD_Result api_reply_fail(struct http_req *r, const struct api_fail *f)
{
    return http_reply_error(r, f->code, f->field, "%s", f->message);
}

int api_version_fail(struct db_conn *c, const char *version_sql, int64_t id, const char *what,
                     struct api_fail *f)
{
    int64_t current = 0;
    int rc = db_query_int(c, version_sql, DB_ARGS(DB_INT(id)), &current);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return api_fail(f, GL_ERR_NOT_FOUND, NULL, "no %s %lld", what, (long long)id);
    return api_fail(f, GL_ERR_VERSION_CONFLICT, "if_version",
                    "the %s was changed by someone else and is now at version %lld; "
                    "reload it and apply your change again", what, (long long)current);
}

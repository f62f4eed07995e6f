/*
 * Reply helpers shared by every handler: JSON bodies, the uniform error
 * body, static bytes, and request-body parsing that replies on failure.
 */
#include "http/request.h"
#include "http/server.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    for (int i = 0; i < 4; i++) {
        if (!r->extra_headers[i][0]) {
            r->extra_headers[i][0] = strdup(name);
            r->extra_headers[i][1] = strdup(value);
            return;
        }
    }
    log_error("http", "too many extra headers on %s", r->path);
}

static void common_headers(struct http_req *r, struct MHD_Response *resp)
{
    for (int i = 0; i < 4 && r->extra_headers[i][0]; i++)
        MHD_add_response_header(resp, r->extra_headers[i][0], r->extra_headers[i][1]);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (http_server_draining())
        MHD_add_response_header(resp, "Connection", "close");
}

enum MHD_Result http_reply_json(struct http_req *r, unsigned status, json_t *body)
{
    char *s = NULL;
    size_t len = 0;
    if (body) {
        s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        json_decref(body);
        if (!s) {
            log_error("http", "cannot serialize response for %s", r->path);
            s = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}");
            status = 500;
        }
        len = strlen(s);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, s ? s : (void *)"", s ? MHD_RESPMEM_MUST_FREE
                                                                  : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(s);
        return r->result = MHD_NO;
    }
    if (body)
        MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    common_headers(r, resp);
    if (status == 405 && r->allow[0])
        MHD_add_response_header(resp, "Allow", r->allow);
    r->status = status;
    r->result = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return r->result;
}

enum MHD_Result http_reply_error(struct http_req *r, enum gl_error code, const char *field,
                                 const char *fmt, ...)
{
    char msg[512];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(msg, sizeof msg, "%s", gl_error_message(code));
    }
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(gl_error_code(code)));
    json_t *m = json_string(msg);
    json_object_set_new(e, "message", m ? m : json_string(gl_error_message(code)));
    if (field) {
        json_t *f = json_string(field);
        json_object_set_new(e, "field", f ? f : json_string("?"));
    }
    return http_reply_json(r, gl_error_status(code), json_pack("{s:o}", "error", e));
}

static enum MHD_Result reply_bytes(struct http_req *r, unsigned status, const char *content_type,
                                   const void *data, size_t len, const char *cache_control,
                                   enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, mode);
    if (!resp) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free((void *)data);
        return r->result = MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    if (cache_control)
        MHD_add_response_header(resp, "Cache-Control", cache_control);
    common_headers(r, resp);
    r->status = status;
    r->result = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return r->result;
}

enum MHD_Result http_reply_static(struct http_req *r, unsigned status, const char *content_type,
                                  const void *data, size_t len, const char *cache_control)
{
    return reply_bytes(r, status, content_type, data, len, cache_control,
                       MHD_RESPMEM_PERSISTENT);
}

enum MHD_Result http_reply_owned(struct http_req *r, unsigned status, const char *content_type,
                                 void *data, size_t len, const char *cache_control)
{
    return reply_bytes(r, status, content_type, data, len, cache_control, MHD_RESPMEM_MUST_FREE);
}

enum MHD_Result http_reply_fd(struct http_req *r, unsigned status, const char *content_type,
                              int fd, size_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd(size, fd); /* closes fd */
    if (!resp) {
        close(fd);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    common_headers(r, resp);
    r->status = status;
    r->result = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return r->result;
}

enum MHD_Result http_reply_stream(struct http_req *r, const char *content_type,
                                  MHD_ContentReaderCallback read, void *cls,
                                  MHD_ContentReaderFreeCallback done)
{
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read,
                                                                  cls, done);
    if (!resp) {
        done(cls);
        return r->result = MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* through nginx, unbuffered */
    common_headers(r, resp);
    r->status = 200;
    r->result = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return r->result;
}

int http_parse_body_or_reply(struct http_req *r, const struct jspec *spec, void *out,
                             uint64_t *present)
{
    if (!r->json) {
        json_error_t jerr;
        if (r->body_len == 0) {
            http_reply_error(r, GL_ERR_BAD_JSON, NULL, "request body is empty; send a JSON object");
            return -1;
        }
        r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!r->json) {
            http_reply_error(r, GL_ERR_BAD_JSON, NULL, "request body is not valid JSON: %s at line %d column %d",
                             jerr.text, jerr.line, jerr.column);
            return -1;
        }
    }
    struct jspec_error err;
    if (jspec_parse(r->json, spec, out, present, &err) < 0) {
        http_reply_error(r, err.code, err.field, "%s", err.message);
        return -1;
    }
    return 0;
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_param_id_or_reply(struct http_req *r, unsigned i, int64_t *id)
{
    const char *s = i < HTTP_MAX_PARAMS ? r->params[i] : NULL;
    char *end;
    errno = 0;
    long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : 0;
    if (v <= 0 || errno || *end) {
        http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no such resource: %s", r->path);
        return -1;
    }
    *id = v;
    return 0;
}

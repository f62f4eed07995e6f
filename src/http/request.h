/*
 * What an API handler sees of an HTTP request, and how it answers.
 *
 * A handler gets a struct http_req whose body has been read in full (and
 * checked against the route's size limit and Content-Type), and must queue
 * exactly one response through one of the http_reply_* functions, returning
 * what that function returned. Functions named *_or_reply send the error
 * reply themselves when they fail; the handler then just returns
 * r->result.
 */
#ifndef GL_HTTP_REQUEST_H
#define GL_HTTP_REQUEST_H
#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>

#include "app.h"
#include "core/authz.h"
#include "http/errors.h"
#include "http/jspec.h"

#define HTTP_MAX_PARAMS 4

struct route;

#define PRINCIPAL_MAX_GRANTS 8

/* Who is calling, once authenticated (by session cookie or bearer token). */
struct principal {
    int64_t user_id;
    char username[64];
    char display_name[128];
    struct grant grants[PRINCIPAL_MAX_GRANTS];
    char regions[PRINCIPAL_MAX_GRANTS][16]; /* backing store of grants[i].region */
    size_t ngrants;
    int64_t session_id;                     /* 0 when signed in by token */
    char csrf[64];
    bool staff;                             /* holds any role but resident */
};

struct http_req {
    struct MHD_Connection *conn;
    struct app *app;
    const char *method;
    const char *path;                     /* without the query string */
    const struct route *route;
    const char *params[HTTP_MAX_PARAMS];  /* path parameters, in pattern order */
    char *pathbuf;                        /* backing store of params */
    char *body;
    size_t body_len, body_cap;
    json_t *json;                         /* parsed body, owned */
    unsigned status;                      /* status queued, for the log */
    int64_t user_id;                      /* 0 when not signed in */
    struct principal who;                 /* valid when user_id != 0 */
    uint64_t t0_ns;
    char allow[48];                       /* methods of the path, for 405 */
    enum gl_error early;                  /* error found before the body was read */
    int has_early;
    enum MHD_Result result;               /* what the last reply returned */
    char *extra_headers[4][2];            /* added to the next reply; owned */
};

typedef enum MHD_Result (*http_handler)(struct http_req *r);

/* Adds a header to the reply this request will send (copied). */
void http_add_header(struct http_req *r, const char *name, const char *value);

/* Queues `body` (stolen; may be NULL for an empty body) with `status`. */
enum MHD_Result http_reply_json(struct http_req *r, unsigned status, json_t *body);
/* Queues the uniform error body. `field` may be NULL; fmt NULL uses the
 * code's default message. */
__attribute__((format(printf, 4, 5)))
enum MHD_Result http_reply_error(struct http_req *r, enum gl_error code, const char *field,
                                 const char *fmt, ...);
/* Queues raw bytes (not copied: they must outlive the response). */
enum MHD_Result http_reply_static(struct http_req *r, unsigned status, const char *content_type,
                                  const void *data, size_t len, const char *cache_control);

/* Queues malloc'd bytes, which the reply frees once sent. */
enum MHD_Result http_reply_owned(struct http_req *r, unsigned status, const char *content_type,
                                 void *data, size_t len, const char *cache_control);

/* Queues the file open on fd (size bytes), which the reply closes once sent. */
enum MHD_Result http_reply_fd(struct http_req *r, unsigned status, const char *content_type,
                              int fd, size_t size);

/* Queues a 200 whose body `read` produces as it goes (server-sent events);
 * `done` frees cls once the connection ends. */
enum MHD_Result http_reply_stream(struct http_req *r, const char *content_type,
                                  MHD_ContentReaderCallback read, void *cls,
                                  MHD_ContentReaderFreeCallback done);

/* Parses the body as JSON against `spec` into `out`; on failure the error
 * reply is already sent (see r->result) and -1 is returned. */
int http_parse_body_or_reply(struct http_req *r, const struct jspec *spec, void *out,
                             uint64_t *present);

/* Checks that the caller may take action a on target t; on refusal
 * replies 404 (hidden) or 403 (forbidden) and returns -1. */
int http_authorize_or_reply(struct http_req *r, enum action a, const struct target *t);
/* The same for a target the caller can know of anyway (a public grid, a
 * collection being added to): an out-of-scope refusal is 403, not 404. */
int http_authorize_visible_or_reply(struct http_req *r, enum action a, const struct target *t);
/* The client's address as text ("" when unknown). */
void http_client_address(struct http_req *r, char out[64]);

/* A query-string argument, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* Path parameter i as a positive id; on failure replies 404 and returns -1. */
int http_param_id_or_reply(struct http_req *r, unsigned i, int64_t *id);

#endif

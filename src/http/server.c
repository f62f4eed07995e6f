/*
 * libmicrohttpd glue. MHD calls on_request() several times per request:
 * once when the headers are in (we route, and check Content-Length and
 * Content-Type so that a bad upload is refused before it is read), then
 * once per body chunk (accumulated up to the route's limit), then once with
 * no data, when the handler runs. on_completed() logs and frees.
 */
#include "http/server.h"
#include "app.h"
#include "embed.h"
#include "http/auth.h"
#include "http/routes.h"
#include "log.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct http_server {
    struct MHD_Daemon *d;
    struct app *app;
    unsigned port;
};

static atomic_int inflight;
static atomic_int draining;

int http_server_draining(void) { return atomic_load(&draining); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the embedded web app ------------------------------------------------ */

static const char *mime_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static const struct embed_file *web_file(const char *path)
{
    for (const struct embed_file *f = embed_web; f->name; f++)
        if (strcmp(f->name, path) == 0)
            return f;
    return NULL;
}

static enum MHD_Result serve_web(struct http_req *r)
{
    const struct embed_file *f = web_file(strcmp(r->path, "/") == 0 ? "/index.html" : r->path);
    if (!f) {
        /* Paths without a file extension belong to the app's own router. */
        const char *last = strrchr(r->path, '/');
        if (last && !strchr(last, '.'))
            f = web_file("/index.html");
    }
    if (!f)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no such file: %s", r->path);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return r->result = MHD_NO;
    MHD_add_response_header(resp, "Content-Type", mime_of(f->name));
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (strstr(f->name, ".html"))
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data: blob:; "
                                "style-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                                "base-uri 'none'");
    if (http_server_draining())
        MHD_add_response_header(resp, "Connection", "close");
    r->status = 200;
    r->result = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return r->result;
}

/* ---- request life cycle -------------------------------------------------- */

static int is_json(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct || strncasecmp(ct, want, sizeof want - 1) != 0)
        return 0;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* Whether content type ct (parameters aside) is one of the space-separated
 * types in list. */
static int media_listed(const char *list, const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strcspn(ct, "; ");
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && strncasecmp(p, ct, n) == 0)
            return 1;
        p += k;
        p += strspn(p, " ");
    }
    return 0;
}

/* The largest body this request may carry: the route's own limit, else the
 * configured default. */
static size_t body_limit(const struct http_req *r)
{
    return r->route && r->route->max_body ? r->route->max_body
                                          : (size_t)r->app->cfg->max_body_kb * 1024;
}

/* Decides, from the headers alone, whether this request is refused. */
static void first_look(struct http_req *r, const char *method)
{
    char buf[512];
    enum route_result rr = route_match(method, r->path, buf, sizeof buf, r->params, &r->route,
                                       r->allow, sizeof r->allow);
    if (rr == ROUTE_FOUND) {
        /* params point into buf, which dies with this frame: keep a copy. */
        size_t used = 0;
        for (int i = 0; i < HTTP_MAX_PARAMS && r->params[i]; i++)
            used = (size_t)(r->params[i] - buf) + strlen(r->params[i]) + 1;
        if (used) {
            r->pathbuf = malloc(used);
            if (!r->pathbuf)
                abort();
            memcpy(r->pathbuf, buf, used);
            for (int i = 0; i < HTTP_MAX_PARAMS && r->params[i]; i++)
                r->params[i] = r->pathbuf + (r->params[i] - buf);
        }
    } else if (rr == ROUTE_BAD_METHOD) {
        r->early = GL_ERR_METHOD_NOT_ALLOWED, r->has_early = 1;
        return;
    } else if (strncmp(r->path, "/api/", 5) == 0 ||
               (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
        r->early = GL_ERR_NOT_FOUND, r->has_early = 1;
        return;
    }

    size_t max = body_limit(r);
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > max) {
        r->early = GL_ERR_PAYLOAD_TOO_LARGE, r->has_early = 1;
        return;
    }
    int has_body = (cl && strtoull(cl, NULL, 10) > 0) ||
                   MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Transfer-Encoding");
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (r->route && r->route->body && has_body && !is_json(ct)) {
        r->early = GL_ERR_UNSUPPORTED_MEDIA_TYPE, r->has_early = 1;
    } else if (r->route && r->route->media && !media_listed(r->route->media, ct)) {
        r->early = GL_ERR_UNSUPPORTED_MEDIA_TYPE, r->has_early = 1;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **ctx)
{
    (void)version;
    struct http_server *s = cls;
    struct http_req *r = *ctx;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        atomic_fetch_add(&inflight, 1);
        r->t0_ns = now_ns();
        r->conn = conn;
        r->app = s->app;
        r->method = method;
        r->path = url;
        *ctx = r;
        first_look(r, method);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->has_early && r->body_len + *upload_data_size > body_limit(r)) {
            r->early = GL_ERR_PAYLOAD_TOO_LARGE, r->has_early = 1;
        }
        if (!r->has_early) {
            if (r->body_len + *upload_data_size + 1 > r->body_cap) {
                size_t cap = r->body_cap ? r->body_cap : 4096;
                while (cap < r->body_len + *upload_data_size + 1)
                    cap *= 2;
                char *nb = realloc(r->body, cap);
                if (!nb)
                    abort();
                r->body = nb;
                r->body_cap = cap;
            }
            memcpy(r->body + r->body_len, upload_data, *upload_data_size);
            r->body_len += *upload_data_size;
            r->body[r->body_len] = '\0';
        }
        *upload_data_size = 0; /* consumed (or discarded after an early error) */
        return MHD_YES;
    }
    if (r->has_early) {
        if (r->early == GL_ERR_PAYLOAD_TOO_LARGE)
            return http_reply_error(r, r->early, NULL, "request body is larger than %zu bytes",
                                    body_limit(r));
        if (r->early == GL_ERR_METHOD_NOT_ALLOWED)
            return http_reply_error(r, r->early, NULL, "%s is not allowed on %s (allowed: %s)",
                                    method, r->path, r->allow);
        if (r->early == GL_ERR_NOT_FOUND)
            return http_reply_error(r, r->early, NULL, "no such resource: %s", r->path);
        if (r->early == GL_ERR_UNSUPPORTED_MEDIA_TYPE && r->route && r->route->media)
            return http_reply_error(r, r->early, NULL, "the body must be one of: %s",
                                    r->route->media);
        return http_reply_error(r, r->early, NULL, NULL);
    }
    if (!r->route)
        return serve_web(r);
    if (r->route->auth != AUTH_PUBLIC && http_authenticate_or_reply(r) < 0)
        return r->result;
    return r->route->handler(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn;
    struct http_req *r = *ctx;
    if (!r)
        return;
    double ms = (double)(now_ns() - r->t0_ns) / 1e6;
    unsigned status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->status : 499;
    log_request(r->method, r->path, status, ms, r->user_id);
    /* A live-event stream's duration is its life, not an answer time. */
    if (!r->route || strcmp(r->route->pattern, "/api/v1/events") != 0)
        metrics_request(r->route ? (int)(r->route - http_routes) : -1, status, ms / 1000.0);
    json_decref(r->json);
    for (int i = 0; i < 4; i++)
        free(r->extra_headers[i][0]), free(r->extra_headers[i][1]);
    free(r->body);
    free(r->pathbuf);
    free(r);
    *ctx = NULL;
    atomic_fetch_sub(&inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_warn("mhd", "%s", msg);
}

/* ---- start and stop ---------------------------------------------------- */

static int resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *len, int *v6,
                   char *err, size_t errlen)
{
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':') {
            snprintf(err, errlen, "listen address \"%s\" should look like [::1]:8080", listen);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(close - listen - 1), listen + 1);
        port = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon) {
            snprintf(err, errlen, "listen address \"%s\" should look like 127.0.0.1:8080", listen);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
        port = colon + 1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve listen address \"%s\": %s", listen, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

int http_server_start(struct app *app, struct http_server **out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int v6;
    if (resolve(app->cfg->listen, &ss, &sslen, &v6, err, errlen) < 0)
        return -1;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->app = app;
    unsigned threads = app->cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | /* server-sent events wait suspended */
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, as MHD asks */
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, app->cfg->timeout_s,
                            MHD_OPTION_CONNECTION_LIMIT, 1000u,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            /* MHD's default: SO_REUSEADDR (a restart binds at
                             * once) but not SO_REUSEPORT, with which a second
                             * server on the same port silently took half the
                             * connections to its own database. */
                            MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on %s (address in use, or not this machine's?)",
                 app->cfg->listen);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    *out = s;
    return 0;
}

unsigned http_server_port(const struct http_server *s) { return s->port; }

unsigned http_server_stop(struct http_server *s, unsigned drain_s)
{
    atomic_store(&draining, 1);
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    /* Requests whose headers were already in count as in flight; give
     * them drain_s seconds to finish (a slow upload may be among them). */
    uint64_t deadline = now_ns() + (uint64_t)drain_s * 1000000000u;
    struct timespec tick = {0, 10 * 1000000L};
    while (atomic_load(&inflight) > 0 && now_ns() < deadline)
        nanosleep(&tick, NULL);
    unsigned left = (unsigned)atomic_load(&inflight);
    MHD_stop_daemon(s->d);
    free(s);
    return left;
}

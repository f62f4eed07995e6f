/*
 * GET /api/v1/events: server-sent events for the desk and the dashboard.
 * Each committed change to a case the caller may see arrives as
 * `event: case` with a small JSON record (id, code, action, state, level,
 * warn, version); the client fetches the details it needs. Between events
 * the connection waits suspended, taking no worker thread; a heartbeat
 * comment every 15 seconds keeps proxies open and finds dead clients.
 * Last-Event-ID resumes from the latest 512 events of this process.
 */
#include "api/api.h"
#include "events.h"

#include <stdlib.h>
#include <string.h>

struct sse {
    struct MHD_Connection *conn;
    struct principal who;
    struct event_sub *sub;
    bool greeted;
};

static bool may_see(void *arg, const struct event *e)
{
    struct sse *s = arg;
    struct target t = {.region = e->grid, .dept_id = e->dept_id,
                       .linked = e->reporter_id == s->who.user_id};
    return authz_decide(s->who.grants, s->who.ngrants, ACT_CASE_READ, &t) == AUTHZ_ALLOW;
}

static void sleep_conn(void *arg)
{
    MHD_suspend_connection(((struct sse *)arg)->conn);
}

static void wake_conn(void *arg)
{
    MHD_resume_connection(((struct sse *)arg)->conn);
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct sse *s = cls;
    static const char hello[] = "retry: 5000\n: 已连接 connected\n\n";
    if (!s->greeted && max >= sizeof hello - 1) {
        s->greeted = true;
        memcpy(buf, hello, sizeof hello - 1);
        return (ssize_t)(sizeof hello - 1);
    }
    size_t n = 0;
    switch (events_read(s->sub, buf, max, &n, sleep_conn)) {
    case EVENTS_DATA:
        return (ssize_t)n;
    case EVENTS_WAIT:
        return 0; /* suspended until wake_conn */
    default:
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
}

static void end_events(void *cls)
{
    struct sse *s = cls;
    events_unsubscribe(s->sub);
    free(s);
}

enum MHD_Result api_events(struct http_req *r)
{
    struct target anywhere = {.region = NULL};
    if (authz_decide(r->who.grants, r->who.ngrants, ACT_CASE_READ, &anywhere) == AUTHZ_FORBIDDEN)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL, NULL);
    struct sse *s = calloc(1, sizeof *s);
    if (!s)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    s->conn = r->conn;
    s->who = r->who;
    /* grants point into who.regions: re-point them at the copy */
    for (size_t i = 0; i < s->who.ngrants; i++)
        if (r->who.grants[i].region)
            s->who.grants[i].region = s->who.regions[i];
    const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    uint64_t after = last ? strtoull(last, NULL, 10) : 0;
    s->sub = events_subscribe(after, wake_conn, may_see, s);
    if (!s->sub) {
        free(s);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    return http_reply_stream(r, "text/event-stream; charset=utf-8", read_events, s, end_events);
}

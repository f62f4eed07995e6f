/*
 * /api/v1/notifications: each user's inbox. Rows are written by the case
 * loop in the same transaction as the change they report.
 */
#include "api/api.h"
#include "db/db.h"

#include <stdlib.h>
#include <time.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

struct inbox {
    struct http_req *r;
    bool unread_only;
    int64_t before, limit, unread, last_id;
    json_t *items;
};

static int add_note(void *cls, const struct db_notification *n)
{
    struct inbox *b = cls;
    json_array_append_new(
        b->items,
        json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)n->id,
                  "kind", n->kind, "title", n->title, "body", n->body, "case_id",
                  n->case_id ? json_integer(n->case_id) : json_null(), "errand_id",
                  n->errand_id ? json_integer(n->errand_id) : json_null(), "subject",
                  n->subject ? json_string(n->subject) : json_null(), "subject_id",
                  n->subject_id ? json_integer(n->subject_id) : json_null(), "created_at",
                  api_time(b->r, n->created_at), "read_at",
                  n->read_at ? api_time(b->r, n->read_at) : json_null()));
    b->last_id = n->id;
    return 0;
}

static int inbox_txn(struct db_conn *c, void *cls)
{
    struct inbox *b = cls;
    json_array_clear(b->items);
    int rc = db_query_int(c,
                          "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                          DB_ARGS(DB_INT(b->r->who.user_id)), &b->unread);
    if (rc < 0)
        return rc;
    return db_notifications(c, b->r->who.user_id, b->unread_only, b->before, b->limit, add_note, b);
}

enum MHD_Result api_notifications_list(struct http_req *r)
{
    struct inbox b = {.r = r, .limit = PAGE_DEFAULT};
    const char *unread = http_query(r, "unread");
    b.unread_only = unread && unread[0] == '1';
    if (api_int_param_or_reply(r, "cursor", 1, INT64_MAX, &b.before) < 0 ||
        api_int_param_or_reply(r, "limit", 1, PAGE_MAX, &b.limit) < 0)
        return r->result;
    b.items = json_array();
    int rc = db_run_transaction(r->app->db, DB_READ, inbox_txn, &b);
    if (rc < 0) {
        json_decref(b.items);
        return api_reply_db_error(r, rc);
    }
    json_t *next = api_next_cursor(b.items, b.limit, b.last_id);
    return http_reply_json(r, 200, json_pack("{s:o, s:I, s:o}", "items", b.items, "unread",
                                             (json_int_t)b.unread, "next_cursor", next));
}

struct read_in {
    int64_t up_to_id;
};

const struct jspec api_notifications_read_spec[] = {
    JSPEC_INT(struct read_in, up_to_id, "up_to_id", 1, INT64_MAX, JSPEC_REQUIRED,
              "mark this notification and every older one read"),
    JSPEC_END,
};

struct read_ctx {
    int64_t user_id, up_to, marked;
};

static int read_txn(struct db_conn *c, void *cls)
{
    struct read_ctx *x = cls;
    int rc = db_notifications_read(c, x->user_id, x->up_to, (int64_t)time(NULL));
    x->marked = rc;
    return rc;
}

enum MHD_Result api_notifications_read(struct http_req *r)
{
    struct read_in in = {0};
    if (http_parse_body_or_reply(r, api_notifications_read_spec, &in, NULL) < 0)
        return r->result;
    struct read_ctx x = {r->who.user_id, in.up_to_id, 0};
    int rc = db_run_transaction(r->app->db, DB_WRITE, read_txn, &x);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 200, json_pack("{s:I}", "marked", (json_int_t)x.marked));
}

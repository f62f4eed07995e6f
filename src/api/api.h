/*
 * The API handlers, one file per resource (src/api/<resource>.c), and the
 * request specs the route table documents. Each handler parses its
 * request, calls core/ for the rules and db/ for storage, and queues one
 * JSON reply (see http/request.h).
 */
#ifndef GL_API_H
#define GL_API_H
#include "core/participation.h"
#include "core/region.h"
#include "db/db.h"
#include "events.h"
#include "http/request.h"

struct db;
struct db_conn;

/* health.c */
enum MHD_Result api_healthz(struct http_req *r);
enum MHD_Result api_readyz(struct http_req *r);
enum MHD_Result api_openapi(struct http_req *r);

/* categories.c */
extern const struct jspec api_category_create_spec[];
enum MHD_Result api_categories_list(struct http_req *r);
enum MHD_Result api_categories_create(struct http_req *r);
enum MHD_Result api_categories_get(struct http_req *r);

/* A refusal decided inside a transaction callback: the callback fills it
 * with api_fail() (which returns DB_ABORT so the transaction rolls back)
 * and the handler replies with api_reply_fail() once the transaction ended. */
struct api_fail {
    enum gl_error code;
    const char *field;
    char message[256];
};
__attribute__((format(printf, 4, 5)))
int api_fail(struct api_fail *f, enum gl_error code, const char *field, const char *fmt, ...);
enum MHD_Result api_reply_fail(struct http_req *r, const struct api_fail *f);

/* session.c */
extern const struct jspec api_login_spec[];
extern const struct jspec api_totp_confirm_spec[];
extern const struct jspec api_token_create_spec[];
enum MHD_Result api_session_create(struct http_req *r);
enum MHD_Result api_session_delete(struct http_req *r);
enum MHD_Result api_me(struct http_req *r);
enum MHD_Result api_totp_begin(struct http_req *r);
enum MHD_Result api_totp_confirm(struct http_req *r);
enum MHD_Result api_tokens_create(struct http_req *r);
json_t *api_principal_json(const struct principal *p);

/* territory.c */
extern const struct jspec api_region_create_spec[];
extern const struct jspec api_grid_create_spec[];
extern const struct jspec api_grid_import_spec[];
extern const struct jspec api_department_create_spec[];
enum MHD_Result api_regions_list(struct http_req *r);
enum MHD_Result api_regions_get(struct http_req *r);
enum MHD_Result api_regions_create(struct http_req *r);
enum MHD_Result api_grids_list(struct http_req *r);
enum MHD_Result api_grids_get(struct http_req *r);
enum MHD_Result api_grids_locate(struct http_req *r);
enum MHD_Result api_grids_create(struct http_req *r);
enum MHD_Result api_grids_import(struct http_req *r);
enum MHD_Result api_departments_list(struct http_req *r);
enum MHD_Result api_departments_get(struct http_req *r);
enum MHD_Result api_departments_create(struct http_req *r);

/* households.c */
extern const struct jspec api_household_create_spec[];
enum MHD_Result api_households_list(struct http_req *r);
enum MHD_Result api_households_get(struct http_req *r);
enum MHD_Result api_households_create(struct http_req *r);
extern const struct jspec api_household_patch_spec[];
extern const struct jspec api_link_spec[];
enum MHD_Result api_households_patch(struct http_req *r);
enum MHD_Result api_households_link(struct http_req *r);
enum MHD_Result api_households_unlink(struct http_req *r);

/* users.c */
extern const struct jspec api_user_create_spec[];
enum MHD_Result api_users_list(struct http_req *r);
enum MHD_Result api_users_get(struct http_req *r);
enum MHD_Result api_users_create(struct http_req *r);
extern const struct jspec api_user_patch_spec[];
enum MHD_Result api_users_patch(struct http_req *r);

/* cases.c */
extern const struct jspec api_case_create_spec[];
extern const struct jspec api_case_action_spec[];
enum MHD_Result api_cases_list(struct http_req *r);
enum MHD_Result api_cases_summary(struct http_req *r);
enum MHD_Result api_cases_create(struct http_req *r);
enum MHD_Result api_cases_get(struct http_req *r);
enum MHD_Result api_cases_act(struct http_req *r);
enum MHD_Result api_case_photo_add(struct http_req *r);
enum MHD_Result api_case_photo_get(struct http_req *r);

/* The case ledger for `gridline export cases`: every case f selects, newest
 * first, written into w page by page. r supplies only the configuration
 * (app), its caller is trusted (the shell). */
struct export_writer;
int api_cases_export(struct http_req *r, const struct db_case_filter *f,
                     struct export_writer *w);
const char *const *api_cases_export_headers(size_t *n);

/* Reporting a case inside the caller's write transaction: what POST
 * /api/v1/cases does before it replies (category, grid from lat/lng or
 * grid_code, the caller's right to report there, routing limit, code,
 * clock, the case row, its timeline and audit row, the grid's notices).
 * Returns 1 with id, code, category_id and ev (publish it once committed)
 * filled, DB_ABORT with f filled, or < 0. */
struct case_report {
    const char *category, *description, *grid_code, *address, *channel, *reporter_name;
    const void *reporter_phone; /* sealed, may be NULL */
    size_t reporter_phone_len;
    double lat, lng;
    bool has_location, anonymous;
    const char *origin;         /* "opinion" or "visit" it came from, recorded in the timeline */
    int64_t origin_id;
    const char *client_key;     /* the device's key: a resend answers the case already written */
    /* Out. */
    int64_t id, category_id;
    bool replayed;              /* the key's case existed: nothing was written */
    char code[64];
    struct event ev;
};
int api_case_report(struct db_conn *c, struct http_req *r, struct case_report *in,
                    struct api_fail *f);

/* services.c: the errand catalog */
extern const struct jspec api_service_create_spec[];
extern const struct jspec api_service_patch_spec[];
enum MHD_Result api_services_list(struct http_req *r);
enum MHD_Result api_services_get(struct http_req *r);
enum MHD_Result api_services_create(struct http_req *r);
enum MHD_Result api_services_patch(struct http_req *r);
json_t *api_service_json(const struct db_service *s);

/* errands.c */
extern const struct jspec api_errand_create_spec[];
extern const struct jspec api_errand_action_spec[];
enum MHD_Result api_errands_list(struct http_req *r);
enum MHD_Result api_errands_ledger(struct http_req *r);
enum MHD_Result api_errands_create(struct http_req *r);
enum MHD_Result api_errands_get(struct http_req *r);
enum MHD_Result api_errands_act(struct http_req *r);
enum MHD_Result api_errands_signature(struct http_req *r);
/* Flags red-box errands whose promised deadline has passed (timeline,
 * notices), in batches; *flagged counts them. Idempotent. */
int api_errands_sweep(struct db *db, int64_t now, int64_t *flagged);

/* opinions.c: opinions and ideas (民意/金点子) */
extern const struct jspec api_opinion_create_spec[];
extern const struct jspec api_opinion_action_spec[];
enum MHD_Result api_opinions_list(struct http_req *r);
enum MHD_Result api_opinions_stats(struct http_req *r);
enum MHD_Result api_opinions_create(struct http_req *r);
enum MHD_Result api_opinions_get(struct http_req *r);
enum MHD_Result api_opinions_act(struct http_req *r);
/* Recording an opinion inside the caller's write transaction (the checks
 * of POST /api/v1/opinions after parsing: the place exists and the caller
 * may record there; code, row, timeline, audit, the deciders' notice).
 * Returns 1 with id and code filled, DB_ABORT with f filled, or < 0. */
struct opinion_record {
    const char *kind, *channel, *category, *body, *region_code, *author_name;
    int64_t author_user_id, visit_id;
    int64_t id; /* out */
    char code[64];
};
int api_opinion_record(struct db_conn *c, struct http_req *r, struct opinion_record *in,
                       struct api_fail *f);

/* polls.c and evaluations.c: residents' votes (百姓点菜, 群众评议); votes.c */
extern const struct jspec api_poll_create_spec[];
extern const struct jspec api_poll_vote_spec[];
extern const struct jspec api_vote_close_spec[];
enum MHD_Result api_polls_list(struct http_req *r);
enum MHD_Result api_polls_create(struct http_req *r);
enum MHD_Result api_polls_get(struct http_req *r);
enum MHD_Result api_polls_vote(struct http_req *r);
enum MHD_Result api_polls_close(struct http_req *r);
enum MHD_Result api_polls_results(struct http_req *r);
extern const struct jspec api_evaluation_create_spec[];
extern const struct jspec api_evaluation_ballot_spec[];
enum MHD_Result api_evaluations_list(struct http_req *r);
enum MHD_Result api_evaluations_create(struct http_req *r);
enum MHD_Result api_evaluations_get(struct http_req *r);
enum MHD_Result api_evaluations_ballot(struct http_req *r);
enum MHD_Result api_evaluations_close(struct http_req *r);
enum MHD_Result api_evaluations_results(struct http_req *r);

/* commitments.c: public commitments (公开承诺) */
extern const struct jspec api_commitment_create_spec[];
extern const struct jspec api_commitment_action_spec[];
enum MHD_Result api_commitments_list(struct http_req *r);
enum MHD_Result api_commitments_create(struct http_req *r);
enum MHD_Result api_commitments_get(struct http_req *r);
enum MHD_Result api_commitments_act(struct http_req *r);
/* Flags active commitments past their due time (timeline, owner's
 * notice), in batches; idempotent. */
int api_commitments_sweep(struct db *db, int64_t now, int64_t *flagged);

/* visits.c: household visits (走访/民情日记) */
extern const struct jspec api_visit_create_spec[];
extern const struct jspec api_visit_action_spec[];
enum MHD_Result api_visits_list(struct http_req *r);
enum MHD_Result api_visits_create(struct http_req *r);
enum MHD_Result api_visits_coverage(struct http_req *r);
enum MHD_Result api_visits_get(struct http_req *r);
enum MHD_Result api_visits_act(struct http_req *r);

/* points.c: the points rule table and rankings (积分) */
extern const struct jspec api_point_rule_spec[];
enum MHD_Result api_point_rules_list(struct http_req *r);
enum MHD_Result api_point_rules_put(struct http_req *r);
enum MHD_Result api_points_ranking(struct http_req *r);
/* Everyone's points over [from, to), computed from history with the
 * rules as they stand: rows sorted by user id. */
struct points_sheet {
    int64_t value[POINTS_NRULES];
    bool active[POINTS_NRULES];
    struct points_row {
        int64_t user_id, total;
        int64_t counts[POINTS_NRULES];
    } *rows;
    size_t n, cap;
};
int api_points_sheet(struct db_conn *c, int64_t from, int64_t to, struct points_sheet *s);
/* A user's row, or NULL when they did nothing that counts. */
const struct points_row *api_points_find(const struct points_sheet *s, int64_t user_id);
void api_points_sheet_free(struct points_sheet *s);

/* stats.c, dashboard.c, board.c: the numbers */
enum MHD_Result api_stats_kpis(struct http_req *r);
enum MHD_Result api_stats_trends(struct http_req *r);
enum MHD_Result api_stats_hotspots(struct http_req *r);
enum MHD_Result api_stats_recurring(struct http_req *r);
enum MHD_Result api_dashboard(struct http_req *r);
enum MHD_Result api_public_board(struct http_req *r);

/* card.c */
enum MHD_Result api_grid_card(struct http_req *r);

/* events.c */
enum MHD_Result api_events(struct http_req *r);

/* notifications.c */
extern const struct jspec api_notifications_read_spec[];
enum MHD_Result api_notifications_list(struct http_req *r);
enum MHD_Result api_notifications_read(struct http_req *r);

/* calendar.c: the working-time calendar and routing rules */
extern const struct jspec api_calendar_hours_spec[];
extern const struct jspec api_calendar_day_spec[];
extern const struct jspec api_route_spec[];
enum MHD_Result api_calendar_get(struct http_req *r);
enum MHD_Result api_calendar_hours(struct http_req *r);
enum MHD_Result api_calendar_day_put(struct http_req *r);
enum MHD_Result api_calendar_day_delete(struct http_req *r);
enum MHD_Result api_routes_list(struct http_req *r);
enum MHD_Result api_routes_put(struct http_req *r);

/* After an UPDATE ... WHERE version = if_version changed nothing: reads
 * the row's version with `version_sql` ("SELECT version FROM t WHERE id = $1")
 * and fills f with 404 or 409 version_conflict. Returns DB_ABORT or < 0. */
int api_version_fail(struct db_conn *c, const char *version_sql, int64_t id, const char *what,
                     struct api_fail *f);

/* For list queries: the region prefixes where the caller may take action a
 * ("" = everywhere), written to buf and pointed to by out[]; returns how
 * many. *linked is set when 联户 links also let the caller in. */
size_t api_scope_prefixes(const struct http_req *r, enum action a, char buf[][16],
                          const char **out, size_t max, bool *linked);
/* For list queries with a department per scope (cases, errands): fills
 * scopes/depts from the caller's grants that allow action a, and sets
 * *linked_user to the caller when a role reaches only their own things.
 * Returns false when the caller may see none at all. */
bool api_visibility(const struct http_req *r, enum action a, const char *scopes[DB_MAX_SCOPES],
                    int64_t depts[DB_MAX_SCOPES], char prefixes[][REGION_CODE_BUFLEN],
                    int64_t *linked_user);
/* Reads an optional region-or-grid code query parameter as a prefix: 0 with
 * *prefix NULL when absent, 0 with *prefix = buf when valid, else replies
 * 400 naming the parameter and returns -1. */
int api_region_param_or_reply(struct http_req *r, const char *name, char buf[16],
                              const char **prefix);

/* Reads an optional whole-number query parameter within [lo, hi] into *out
 * (left alone when absent); otherwise replies 400 naming it and returns -1. */
int api_int_param_or_reply(struct http_req *r, const char *name, int64_t lo, int64_t hi,
                           int64_t *out);
/* Reads an optional query parameter that must name one of v (n names);
 * *out NULL when absent. Otherwise replies 400 listing them and returns -1. */
int api_vocab_param_or_reply(struct http_req *r, const char *name, const struct vocab *v,
                             size_t n, const char **out);
/* The index in v of path parameter `param` (an action's name), or -1
 * after replying 404 listing the actions. */
int api_action_or_reply(struct http_req *r, unsigned param, const struct vocab *v, size_t n);
/* POST .../{id}/{action}: *id from the path and the action's index in v, or
 * -1 after replying (400 for the id, 404 for the action). */
int api_id_action_or_reply(struct http_req *r, int64_t *id, const struct vocab *v, size_t n);
/* A page's next_cursor: the last id when the page came back full, else null. */
json_t *api_next_cursor(const json_t *items, int64_t limit, int64_t last_id);
/* Replies {"items", "next_cursor"} (items stolen). */
enum MHD_Result api_reply_page(struct http_req *r, json_t *items, int64_t limit, int64_t last_id);
/* After a write transaction: its failure (api_fail's refusal, or the
 * store's) with `out` released, else `out` (stolen) with `status`. */
enum MHD_Result api_reply_txn(struct http_req *r, int rc, json_t *out, const struct api_fail *f,
                              unsigned status);
/* The answer to a GET of one record its read transaction returned rc for:
 * the database error; the door's 403 or 404 when the record exists but the
 * caller may not see it (found, !visible; t says where it is); 404 naming
 * "what id" when out is NULL; else 200 with out (stolen in every case). */
enum MHD_Result api_reply_one(struct http_req *r, int rc, json_t *out, bool found, bool visible,
                              enum action a, const struct target *t, const char *what, int64_t id);
/* Appends an audit row for `action` on (subject, id) carrying data (a JSON
 * object, stolen; written canonically). */
int api_audit(struct db_conn *c, int64_t actor, const char *action, const char *subject,
              int64_t subject_id, json_t *data, int64_t now);

/* The day's code prefix of a record in grid: lead + county code + local
 * date, e.g. "DB37990120261123" (the caller appends the sequence). */
void api_day_code_prefix(const struct http_req *r, const char *lead, const char *grid,
                         int64_t now, char out[32]);

/* Rows a CSV or XLSX export holds at most (below XLSX's 1,048,576), and
 * how many it reads from the database at a time. */
#define API_EXPORT_MAX 1000000
#define API_EXPORT_PAGE 500
/* Reads ?format=json|csv|xlsx (absent: json) into *format; otherwise
 * replies 400 and returns -1. */
int api_format_or_reply(struct http_req *r, int *format);
/* Replies `rows` (an array of arrays of ncols cells; stolen) as a CSV or
 * XLSX download with Chinese headers; the sheet and the file are named
 * by `title` (ASCII `filename` for old clients). */
enum MHD_Result api_reply_export(struct http_req *r, int format, const char *title,
                                 const char *const *headers, size_t ncols, json_t *rows,
                                 const char *filename);
/* The name of a region or grid code: 1 with name filled, 0 when there is
 * no such place (or the code is malformed), < 0 on error. */
int api_place_name(struct db_conn *c, const char *code, char *name, size_t len);
/* The instant a local calendar year begins, and the local year of t. */
int64_t api_year_start(const struct http_req *r, int year);
int api_year_of(const struct http_req *r, int64_t t);
/* The local calendar month holding t: [*from, *to). */
void api_month_bounds(const struct http_req *r, int64_t t, int64_t *from, int64_t *to);
/* A list that exports itself a page at a time: `fill` is the list's own
 * read transaction, which replaces *items with up to *limit rows of cells
 * after *cursor and sets *last_id to the last row's id (the next cursor). */
struct api_pager {
    db_txn_fn fill;
    void *cls;
    json_t **items;
    int64_t *cursor, *limit, *last_id;
};
struct export_writer;
/* Writes every page into w (up to API_EXPORT_MAX rows), one read
 * transaction a page, so memory stays one page whatever the size. */
int api_export_write(struct db *db, const struct api_pager *p, struct export_writer *w);
/* Replies the whole list as a CSV or XLSX attachment, written page by page
 * to a temporary file and sent from it (with its Content-Length). */
enum MHD_Result api_reply_export_pages(struct http_req *r, int format, const char *title,
                                       const char *const *headers, size_t ncols,
                                       const struct api_pager *p, const char *filename);
/* A list's reply: one JSON page ({"items", "next_cursor"}) from a single
 * run of p->fill, or with ?format=csv|xlsx the whole list as a file with
 * these Chinese headers. *p->items is released either way. */
enum MHD_Result api_reply_list(struct http_req *r, int format, const struct api_pager *p,
                               const char *title, const char *const *headers, size_t ncols,
                               const char *filename);
/* The caller's resident grant when they are only a resident (who acts for
 * themselves: their own opinions and errand requests), else NULL. */
const struct grant *api_resident_grant(const struct http_req *r);
/* {"id", "name"} of a user, or null for 0. */
json_t *api_user_ref(int64_t id, const char *name);
/* A time as a ledger cell: "2026-03-25 09:30" local, "" for 0. */
json_t *api_local_time(const struct http_req *r, int64_t t);

/* Shared by handlers: the reply for a failed transaction (500, logged). */
enum MHD_Result api_reply_db_error(struct http_req *r, int rc);
/* An epoch time as an RFC 3339 JSON string in the configured offset. */
json_t *api_time(const struct http_req *r, int64_t t);
/* The same, or null for 0 ("not yet"). */
json_t *api_time_or_null(const struct http_req *r, int64_t t);
/* Reads an optional RFC 3339 query parameter into *out (left alone when
 * absent); otherwise replies 400 naming it and returns -1. */
int api_time_param_or_reply(struct http_req *r, const char *name, int64_t *out);
/* A timeline entry (of a case or an errand) as the API shows it. */
json_t *api_event_json(const struct http_req *r, const struct db_event *e);
/* A record's timeline being read: api_timeline() puts an empty "timeline"
 * array into out; pass api_add_event and the struct to db_*_events. */
struct api_timeline {
    const struct http_req *r;
    json_t *items; /* borrowed from out */
};
struct api_timeline api_timeline(const struct http_req *r, json_t *out);
int api_add_event(void *cls, const struct db_event *e);

#endif

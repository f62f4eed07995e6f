/*
 * What polls (百姓点菜, api/polls.c) and evaluations (群众评议,
 * api/evaluations.c) share: a vote of one region's residents between two
 * instants, one ballot each (a unique key refuses a second), closed once,
 * by hand or by the sweep, when its results are published. Private to
 * api/.
 */
#ifndef GL_API_VOTES_H
#define GL_API_VOTES_H
#include "api/api.h"

/* A vote loaded with copies of its strings; free with vote_rec_free(). */
struct vote_rec {
    struct db_vote v;
    char *own[6];
};
/* 1 when found, 0 when not, < 0 on error. */
int vote_load(struct db_conn *c, enum db_vote_kind k, int64_t id, struct vote_rec *out);
void vote_rec_free(struct vote_rec *rec);

/* How each kind differs. */
struct vote_kind {
    enum db_vote_kind kind;
    const char *subject;         /* "poll", "evaluation" (audit, messages) */
    enum action manage, vote;
    /* The results as of now (published at close), computed from the ballots. */
    json_t *(*results)(struct db_conn *c, int offset_min, const struct db_vote *v, int *rc);
    /* A row of the list: JSON, or the ledger's cells (export), with the
     * ledger's title, column headers and the list's key. */
    json_t *(*row)(const struct http_req *r, const struct db_vote *v, int64_t now, bool cells);
    const char *ledger, *key;
    const char *const *headers;
    size_t ncols;
};
extern const struct vote_kind vote_poll, vote_evaluation;

enum poll_phase vote_phase(const struct db_vote *v, int64_t now);
/* The fields every vote shows: id, title, region, window, phase, ballots,
 * closed_at, version. */
json_t *vote_json(const struct http_req *r, const struct db_vote *v, int64_t now);

/* GET of a list of votes: ?region (those for it, or above or under it),
 * ?phase, ?cursor, ?limit (20, at most 100), ?format. */
enum MHD_Result vote_list_reply(struct http_req *r, const struct vote_kind *k);

/* Parses the window from two RFC 3339 texts (opens NULL = now); replies 400
 * or 422 naming the field and returns -1 when they are not a window. */
int vote_window_or_reply(struct http_req *r, const char *opens, const char *closes,
                         int64_t *opens_at, int64_t *closes_at);

/* Inside a write transaction: whether the caller may cast a ballot in v
 * now (open, and they live in its region); then records the ballot row.
 * Returns 1 with *ballot_id, DB_ABORT with f filled (409 already_voted
 * for a second ballot, whichever transaction loses the race), or < 0. */
int vote_ballot(struct db_conn *c, const struct http_req *r, const struct vote_kind *k,
                const struct db_vote *v, int64_t *ballot_id, struct api_fail *f);

/* A vote as the caller sees it: a read transaction fills out (NULL when
 * there is no such vote). */
struct vote_view {
    struct http_req *r;
    int64_t id;
    json_t *out;
};
/* Reads the {id} of the path and runs `txn` on a vote_view: returns the
 * JSON, or NULL when it replied (404 for no such vote, 500 on error). */
json_t *vote_view_or_reply(struct http_req *r, const struct vote_kind *k, db_txn_fn txn,
                           int64_t *id);

/* POST /{polls|evaluations}/{id}/close: the manager closes it now and its
 * results are published; answers the view `txn` makes. */
enum MHD_Result vote_close_handler(struct http_req *r, const struct vote_kind *k, db_txn_fn txn);

/* Closes every poll and evaluation whose closing time has come, with
 * published results (the sweep's part). Idempotent. */
int votes_sweep(struct db *db, int offset_min, int64_t now, int64_t *closed);

#endif

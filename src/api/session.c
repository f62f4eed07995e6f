/*
 * /api/v1/session (sign in, sign out), /api/v1/me, TOTP enrolment for
 * staff, and API tokens for machine clients.
 *
 * Sign-in failures are limited twice: per account (login-max-failures in a
 * row lock it for lock-minutes) and per client address (in memory, 20 per
 * 15 minutes), both answered 429 with Retry-After.
 */
#include "api/api.h"
#include "db/db.h"
#include "http/auth.h"
#include "core/ratelimit.h"
#include "log.h"
#include "secret.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADDRESS_FAILURES 20
#define ADDRESS_WINDOW_S (15 * 60)
#define TOTP_STEP 30

static struct ratelimit by_address = {.window = ADDRESS_WINDOW_S, .limit = ADDRESS_FAILURES};
static pthread_mutex_t by_address_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static void oath_start(void) { oath_init(); }

/* A hash to verify against when the username does not exist. */
static char dummy_hash[SECRET_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { secret_password_hash("no such user", dummy_hash); }

json_t *api_principal_json(const struct principal *p)
{
    json_t *roles = json_array();
    for (size_t i = 0; i < p->ngrants; i++) {
        const struct grant *g = &p->grants[i];
        json_array_append_new(roles, json_pack("{s:s, s:o, s:o}", "role", role_name(g->role),
                                               "region_code",
                                               g->region ? json_string(g->region) : json_null(),
                                               "dept_id",
                                               g->dept_id ? json_integer(g->dept_id) : json_null()));
    }
    return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)p->user_id, "username", p->username,
                     "display_name", p->display_name, "roles", roles);
}

static void retry_after(struct http_req *r, int64_t seconds)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)(seconds > 0 ? seconds : 1));
    http_add_header(r, "Retry-After", v);
}

/* ---- sign in --------------------------------------------------------------- */

struct login_in {
    const char *username, *password, *totp;
};

const struct jspec api_login_spec[] = {
    JSPEC_STR(struct login_in, username, "username", 1, 64, JSPEC_REQUIRED, "user name"),
    JSPEC_STR(struct login_in, password, "password", 1, 256, JSPEC_REQUIRED, "password"),
    JSPEC_STR(struct login_in, totp, "totp", 6, 8, 0,
              "6-digit code from the authenticator, for staff who enrolled one"),
    JSPEC_END,
};

struct login_ctx {
    const char *username;
    int found;
    int64_t id, locked_until;
    int totp_enabled;
    char hash[SECRET_PWHASH_LEN];
    char *totp_secret; /* opened base32 secret, malloc'd */
};

static int keep_login_user(void *cls, const struct db_user *u)
{
    struct login_ctx *l = cls;
    if (!u->active)
        return 1;
    l->found = 1;
    l->id = u->id;
    l->locked_until = u->locked_until;
    l->totp_enabled = u->totp_enabled;
    snprintf(l->hash, sizeof l->hash, "%s", u->password_hash);
    free(l->totp_secret);
    l->totp_secret = NULL;
    if (u->totp_enabled && u->totp_secret)
        secret_open(u->totp_secret, u->totp_secret_len, "users.totp_secret", &l->totp_secret);
    return 1;
}

static int find_login_user(struct db_conn *c, void *cls)
{
    struct login_ctx *l = cls;
    l->found = 0;
    return db_user_by_username(c, l->username, keep_login_user, l);
}

struct fail_ctx {
    int64_t id, max, lock_until;
};

static int record_failure(struct db_conn *c, void *cls)
{
    struct fail_ctx *f = cls;
    return db_user_login_failed(c, f->id, f->max, f->lock_until);
}

struct start_ctx {
    struct http_req *r;
    int64_t user_id, now;
    char token[SECRET_TOKEN_LEN + 1];
    char csrf[SECRET_TOKEN_LEN + 1];
    char address[64];
};

static int start_session(struct db_conn *c, void *cls)
{
    struct start_ctx *s = cls;
    const struct config *cfg = s->r->app->cfg;
    unsigned char hash[SECRET_HASH_LEN];
    secret_token_hash(s->token, hash);
    int rc = db_user_login_ok(c, s->user_id);
    if (rc < 0)
        return rc;
    /* Clear this user's dead sessions while we are here. */
    rc = db_sessions_expire(c, s->now, s->now - (int64_t)cfg->session_idle_s);
    if (rc < 0)
        return rc;
    rc = db_session_insert(c, hash, sizeof hash, s->user_id, s->csrf, s->now,
                           s->now + (int64_t)cfg->session_max_s, s->address);
    if (rc < 0)
        return rc;
    s->r->who.user_id = s->user_id;
    return http_load_principal(c, &s->r->who);
}

static int totp_ok(const char *base32, const char *code, int64_t now)
{
    char *raw = NULL;
    size_t rawlen = 0;
    pthread_once(&oath_once, oath_start);
    if (oath_base32_decode(base32, strlen(base32), &raw, &rawlen) != OATH_OK)
        return 0;
    int rc = oath_totp_validate(raw, rawlen, (time_t)now, TOTP_STEP, 0, 1, code);
    free(raw);
    return rc >= 0;
}

static enum MHD_Result login_failed(struct http_req *r, const char *address, int64_t user_id,
                                    int64_t now, enum gl_error code)
{
    pthread_mutex_lock(&by_address_mu);
    rl_hit(&by_address, address, now);
    pthread_mutex_unlock(&by_address_mu);
    if (user_id) {
        const struct config *cfg = r->app->cfg;
        struct fail_ctx f = {user_id, cfg->login_max_failures,
                             now + (int64_t)cfg->lock_minutes * 60};
        if (db_run_transaction(r->app->db, DB_WRITE, record_failure, &f) < 0)
            log_error("session", "could not record a failed sign-in for user %lld",
                      (long long)user_id);
    }
    return http_reply_error(r, code, NULL, NULL);
}

enum MHD_Result api_session_create(struct http_req *r)
{
    struct login_in in = {0};
    if (http_parse_body_or_reply(r, api_login_spec, &in, NULL) < 0)
        return r->result;
    int64_t now = (int64_t)time(NULL), wait;
    char address[64];
    http_client_address(r, address);

    pthread_mutex_lock(&by_address_mu);
    bool blocked = rl_blocked(&by_address, address, now, &wait);
    pthread_mutex_unlock(&by_address_mu);
    if (blocked) {
        retry_after(r, wait);
        return http_reply_error(r, GL_ERR_TOO_MANY_REQUESTS, NULL,
                                "too many failed sign-ins from this address; try again later");
    }

    struct login_ctx l = {.username = in.username};
    int rc = db_run_transaction(r->app->db, DB_READ, find_login_user, &l);
    if (rc < 0) {
        free(l.totp_secret);
        return api_reply_db_error(r, rc);
    }
    if (!l.found) {
        /* Spend the same time as a real check so that timing does not
         * reveal which usernames exist. */
        pthread_once(&dummy_once, make_dummy);
        secret_password_verify(dummy_hash, in.password);
        return login_failed(r, address, 0, now, GL_ERR_BAD_CREDENTIALS);
    }
    /* Decide with the secret in hand, then release it on one path. */
    enum { PASS, LOCKED, BAD, NEED_TOTP } verdict = PASS;
    if (l.locked_until > now)
        verdict = LOCKED;
    else if (!secret_password_verify(l.hash, in.password))
        verdict = BAD;
    else if (l.totp_enabled && !in.totp)
        verdict = NEED_TOTP;
    else if (l.totp_enabled && !(l.totp_secret && totp_ok(l.totp_secret, in.totp, now)))
        verdict = BAD;
    free(l.totp_secret);
    switch (verdict) {
    case LOCKED:
        retry_after(r, l.locked_until - now);
        return http_reply_error(r, GL_ERR_ACCOUNT_LOCKED, NULL, NULL);
    case BAD:
        return login_failed(r, address, l.id, now, GL_ERR_BAD_CREDENTIALS);
    case NEED_TOTP:
        return http_reply_error(r, GL_ERR_TOTP_REQUIRED, "totp", NULL);
    case PASS:
        break;
    }

    struct start_ctx s = {.r = r, .user_id = l.id, .now = now};
    secret_token(s.token);
    secret_token(s.csrf);
    snprintf(s.address, sizeof s.address, "%s", address);
    rc = db_run_transaction(r->app->db, DB_WRITE, start_session, &s);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    r->user_id = l.id;

    bool secure = http_cookies_secure(r->app);
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
             secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN, s.token,
             r->app->cfg->session_max_s, secure ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", cookie);
    return http_reply_json(r, 201, json_pack("{s:o, s:s}", "user", api_principal_json(&r->who),
                                             "csrf_token", s.csrf));
}

/* ---- sign out, me ---------------------------------------------------------- */

static int end_session(struct db_conn *c, void *cls)
{
    return db_session_delete(c, *(int64_t *)cls);
}

enum MHD_Result api_session_delete(struct http_req *r)
{
    if (r->who.session_id) {
        int rc = db_run_transaction(r->app->db, DB_WRITE, end_session, &r->who.session_id);
        if (rc < 0)
            return api_reply_db_error(r, rc);
    }
    bool secure = http_cookies_secure(r->app);
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN, secure ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", cookie);
    return http_reply_json(r, 204, NULL);
}

struct me_ctx {
    int64_t id;
    int totp_enabled;
};

static int keep_me(void *cls, const struct db_user *u)
{
    ((struct me_ctx *)cls)->totp_enabled = u->totp_enabled;
    return 1;
}

static int me_txn(struct db_conn *c, void *cls)
{
    struct me_ctx *m = cls;
    return db_user_by_id(c, m->id, keep_me, m);
}

enum MHD_Result api_me(struct http_req *r)
{
    struct me_ctx m = {r->who.user_id, 0};
    int rc = db_run_transaction(r->app->db, DB_READ, me_txn, &m);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    json_t *u = api_principal_json(&r->who);
    json_object_set_new(u, "totp_enabled", json_boolean(m.totp_enabled));
    json_object_set_new(u, "auth", json_string(r->who.session_id ? "session" : "token"));
    /* A reloaded page has its cookie but lost the token; only same-origin
     * script can read this answer, so handing it back is safe. */
    if (r->who.session_id)
        json_object_set_new(u, "csrf_token", json_string(r->who.csrf));
    return http_reply_json(r, 200, u);
}

/* ---- TOTP enrolment ------------------------------------------------------- */

struct totp_ctx {
    int64_t id, now;
    int enabled;
    char *secret;             /* base32, malloc'd */
    const unsigned char *sealed;
    size_t sealed_len;
    const char *code;
    struct api_fail fail;
};

static int keep_totp(void *cls, const struct db_user *u)
{
    struct totp_ctx *t = cls;
    t->enabled = u->totp_enabled;
    free(t->secret);
    t->secret = NULL;
    if (u->totp_secret)
        secret_open(u->totp_secret, u->totp_secret_len, "users.totp_secret", &t->secret);
    return 1;
}

static int totp_begin_txn(struct db_conn *c, void *cls)
{
    struct totp_ctx *t = cls;
    int rc = db_user_by_id(c, t->id, keep_totp, t);
    if (rc < 0)
        return rc;
    if (t->enabled)
        return api_fail(&t->fail, GL_ERR_CONFLICT, NULL,
                        "two-factor sign-in is already on for this account");
    return db_user_set_totp(c, t->id, t->sealed, t->sealed_len, 0, t->now);
}

enum MHD_Result api_totp_begin(struct http_req *r)
{
    if (!r->who.staff)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL,
                                "two-factor sign-in is for staff accounts");
    unsigned char raw[20];
    char *b32 = NULL;
    size_t b32len = 0;
    pthread_once(&oath_once, oath_start);
    secret_random(raw, sizeof raw); /* 160 bits, as RFC 4226 recommends */
    if (oath_base32_encode((const char *)raw, sizeof raw, &b32, &b32len) != OATH_OK)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    unsigned char *sealed;
    size_t sealed_len;
    if (secret_seal(b32, "users.totp_secret", &sealed, &sealed_len) < 0) {
        free(b32);
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    }
    struct totp_ctx t = {.id = r->who.user_id, .now = (int64_t)time(NULL), .sealed = sealed,
                         .sealed_len = sealed_len};
    int rc = db_run_transaction(r->app->db, DB_WRITE, totp_begin_txn, &t);
    free(sealed);
    free(t.secret);
    if (rc == DB_ABORT) {
        free(b32);
        return api_reply_fail(r, &t.fail);
    }
    if (rc < 0) {
        free(b32);
        return api_reply_db_error(r, rc);
    }
    char uri[256];
    snprintf(uri, sizeof uri,
             "otpauth://totp/gridline:%s?secret=%s&issuer=gridline&digits=6&period=%d",
             r->who.username, b32, TOTP_STEP);
    json_t *body = json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri", uri);
    free(b32);
    return http_reply_json(r, 201, body);
}

struct code_in {
    const char *code;
};

const struct jspec api_totp_confirm_spec[] = {
    JSPEC_STR(struct code_in, code, "code", 6, 8, JSPEC_REQUIRED,
              "the code the authenticator shows now"),
    JSPEC_END,
};

static int totp_confirm_txn(struct db_conn *c, void *cls)
{
    struct totp_ctx *t = cls;
    int rc = db_user_by_id(c, t->id, keep_totp, t);
    if (rc < 0)
        return rc;
    if (t->enabled)
        return api_fail(&t->fail, GL_ERR_CONFLICT, NULL, "two-factor sign-in is already on");
    if (!t->secret)
        return api_fail(&t->fail, GL_ERR_CONFLICT, NULL,
                        "start enrolment first (POST /api/v1/me/totp)");
    if (!totp_ok(t->secret, t->code, t->now))
        return api_fail(&t->fail, GL_ERR_INVALID_VALUE, "code",
                        "that code does not match; check the phone's clock and try the next one");
    return db_exec(c, "UPDATE users SET totp_enabled = 1, version = version + 1 WHERE id = $1",
                   DB_ARGS(DB_INT(t->id)));
}

enum MHD_Result api_totp_confirm(struct http_req *r)
{
    struct code_in in = {0};
    if (http_parse_body_or_reply(r, api_totp_confirm_spec, &in, NULL) < 0)
        return r->result;
    struct totp_ctx t = {.id = r->who.user_id, .now = (int64_t)time(NULL), .code = in.code};
    int rc = db_run_transaction(r->app->db, DB_WRITE, totp_confirm_txn, &t);
    free(t.secret);
    if (rc == DB_ABORT)
        return api_reply_fail(r, &t.fail);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 200, json_pack("{s:b}", "totp_enabled", 1));
}

/* ---- API tokens ---------------------------------------------------------------- */

struct token_in {
    const char *name;
};

const struct jspec api_token_create_spec[] = {
    JSPEC_STR(struct token_in, name, "name", 1, 64, JSPEC_REQUIRED,
              "what the token is for, e.g. 12345热线对接"),
    JSPEC_END,
};

struct token_ctx {
    int64_t user_id, id, now;
    const char *name;
    unsigned char hash[SECRET_HASH_LEN];
};

static int token_txn(struct db_conn *c, void *cls)
{
    struct token_ctx *t = cls;
    return db_token_insert(c, t->hash, sizeof t->hash, t->user_id, t->name, t->now, &t->id);
}

enum MHD_Result api_tokens_create(struct http_req *r)
{
    struct token_in in = {0};
    if (http_parse_body_or_reply(r, api_token_create_spec, &in, NULL) < 0)
        return r->result;
    if (!r->who.staff)
        return http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "API tokens are for staff accounts");
    char token[SECRET_TOKEN_LEN + 1];
    secret_token(token);
    struct token_ctx t = {.user_id = r->who.user_id, .now = (int64_t)time(NULL), .name = in.name};
    secret_token_hash(token, t.hash);
    int rc = db_run_transaction(r->app->db, DB_WRITE, token_txn, &t);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)t.id,
                                             "name", in.name, "token", token, "note",
                                             "shown once; send it as Authorization: Bearer <token>"));
}

/*
 * Session and bearer-token authentication, CSRF checks, and the one door
 * to authorization for handlers (http_authorize_or_reply).
 */
#include "http/auth.h"
#include "db/db.h"
#include "log.h"
#include "secret.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

bool http_cookies_secure(const struct app *app)
{
    const char *u = app->cfg->public_url;
    if (strncmp(u, "https://", 8) == 0)
        return true;
    if (u[0])
        return false;
    /* Browsers treat loopback as a secure context and accept Secure cookies there. */
    const char *l = app->cfg->listen;
    return strncmp(l, "127.", 4) == 0 || strncmp(l, "[::1]", 5) == 0 ||
           strncmp(l, "localhost:", 10) == 0;
}

void http_client_address(struct http_req *r, char out[64])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, 64);
}

struct load_ctx {
    struct principal *p;
    int found;
};

static int keep_user(void *cls, const struct db_user *u)
{
    struct load_ctx *l = cls;
    if (!u->active)
        return 1;
    snprintf(l->p->username, sizeof l->p->username, "%s", u->username);
    snprintf(l->p->display_name, sizeof l->p->display_name, "%s", u->display_name);
    l->found = 1;
    return 1;
}

static int keep_role(void *cls, const struct db_role *role)
{
    struct principal *p = cls;
    int rl = role_parse(role->role);
    if (rl < 0 || p->ngrants == PRINCIPAL_MAX_GRANTS)
        return 0;
    struct grant *g = &p->grants[p->ngrants];
    g->role = (enum role)rl;
    g->dept_id = role->dept_id;
    g->region = NULL;
    if (role->region_code) {
        snprintf(p->regions[p->ngrants], sizeof p->regions[0], "%s", role->region_code);
        g->region = p->regions[p->ngrants];
    }
    if (role_is_staff(g->role))
        p->staff = true;
    p->ngrants++;
    return 0;
}

int http_load_principal(struct db_conn *c, struct principal *p)
{
    struct load_ctx l = {p, 0};
    p->ngrants = 0;
    p->staff = false;
    int rc = db_user_by_id(c, p->user_id, keep_user, &l);
    if (rc < 0 || !l.found)
        return rc < 0 ? rc : 0;
    rc = db_user_roles(c, p->user_id, keep_role, p);
    return rc < 0 ? rc : 1;
}

/* ---- per-request authentication -------------------------------------------- */

enum outcome { OK, NO_CREDENTIALS, UNKNOWN, EXPIRED };

struct auth_ctx {
    struct http_req *r;
    unsigned char hash[SECRET_HASH_LEN];
    bool bearer;
    int64_t now;
    struct db_session session;
    bool have_session, touch;
    enum outcome outcome;
};

static int keep_session(void *cls, const struct db_session *s)
{
    struct auth_ctx *a = cls;
    a->session = *s;
    snprintf(a->r->who.csrf, sizeof a->r->who.csrf, "%s", s->csrf_token);
    a->session.csrf_token = NULL; /* only the copy in who.csrf outlives the callback */
    a->have_session = true;
    return 1;
}

/* Reads the credentials' session or token and the user behind them. Only
 * decides about expiry and touching; the writes happen in session_write. */
static int auth_txn(struct db_conn *c, void *cls)
{
    struct auth_ctx *a = cls;
    const struct config *cfg = a->r->app->cfg;
    struct principal *p = &a->r->who;
    a->have_session = false;
    a->touch = false;
    int64_t uid = 0;
    if (a->bearer) {
        int rc = db_token_user(c, a->hash, sizeof a->hash, &uid);
        if (rc <= 0) {
            a->outcome = UNKNOWN;
            return rc;
        }
        p->session_id = 0;
    } else {
        int rc = db_session_get(c, a->hash, sizeof a->hash, keep_session, a);
        if (rc < 0)
            return rc;
        if (!a->have_session) {
            a->outcome = UNKNOWN;
            return 0;
        }
        if (a->now >= a->session.expires_at ||
            a->now - a->session.last_seen_at > (int64_t)cfg->session_idle_s) {
            a->outcome = EXPIRED;
            return 0;
        }
        /* Refresh the idle clock now and then, not on every request. */
        int64_t step = cfg->session_idle_s / 2 < 60 ? cfg->session_idle_s / 2 : 60;
        a->touch = a->now - a->session.last_seen_at >= step;
        uid = a->session.user_id;
        p->session_id = a->session.id;
    }
    p->user_id = uid;
    int rc = http_load_principal(c, p);
    if (rc < 0)
        return rc;
    a->outcome = rc == 1 ? OK : UNKNOWN;
    return 0;
}

static int session_write(struct db_conn *c, void *cls)
{
    struct auth_ctx *a = cls;
    if (a->outcome == EXPIRED)
        return db_session_delete(c, a->session.id);
    return db_session_touch(c, a->session.id, a->now);
}

/* The session cookie's value, or NULL. */
static const char *session_cookie(struct http_req *r)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE_SECURE);
    return v ? v : MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE_PLAIN);
}

static bool unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

int http_authenticate_or_reply(struct http_req *r)
{
    struct auth_ctx a = {.r = r, .now = (int64_t)time(NULL)};
    const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    const char *token = NULL;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        token = authz + 7;
        a.bearer = true;
    } else {
        token = session_cookie(r);
    }
    if (!token || !*token || strlen(token) > 128) {
        http_reply_error(r, GL_ERR_UNAUTHORIZED, NULL, NULL);
        return -1;
    }
    secret_token_hash(token, a.hash);
    /* Most requests only read; the write lock is taken for the rare touch
     * (about once a minute per session) or to delete an expired session. */
    int rc = db_run_transaction(r->app->db, DB_READ, auth_txn, &a);
    if (rc >= 0 && (a.outcome == EXPIRED || (a.outcome == OK && a.touch)))
        rc = db_run_transaction(r->app->db, DB_WRITE, session_write, &a);
    if (rc < 0) {
        http_reply_error(r, GL_ERR_UNAVAILABLE, NULL, "cannot check your session right now");
        return -1;
    }
    if (a.outcome == EXPIRED) {
        http_reply_error(r, GL_ERR_SESSION_EXPIRED, NULL, NULL);
        return -1;
    }
    if (a.outcome != OK) {
        http_reply_error(r, GL_ERR_UNAUTHORIZED, NULL,
                         a.bearer ? "unknown or revoked API token" : "sign in first");
        return -1;
    }
    if (!a.bearer && unsafe_method(r->method)) {
        const char *sent = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!sent || !secret_equal(sent, r->who.csrf)) {
            http_reply_error(r, GL_ERR_CSRF, NULL, NULL);
            return -1;
        }
    }
    r->user_id = r->who.user_id;
    return 0;
}

static int authorize(struct http_req *r, enum action a, const struct target *t, bool visible)
{
    switch (authz_decide(r->who.grants, r->who.ngrants, a, t)) {
    case AUTHZ_ALLOW:
        return 0;
    case AUTHZ_HIDDEN:
        if (!visible) {
            http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no such resource: %s", r->path);
            return -1;
        }
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, "outside the area or department you serve");
        return -1;
    default:
        http_reply_error(r, GL_ERR_FORBIDDEN, NULL, NULL);
        return -1;
    }
}

int http_authorize_or_reply(struct http_req *r, enum action a, const struct target *t)
{
    return authorize(r, a, t, false);
}

int http_authorize_visible_or_reply(struct http_req *r, enum action a, const struct target *t)
{
    return authorize(r, a, t, true);
}

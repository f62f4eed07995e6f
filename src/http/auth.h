/*
 * Authentication: who is calling. A request carries either a session cookie
 * (set by POST /api/v1/session; unsafe methods must also send the session's
 * X-CSRF-Token) or "Authorization: Bearer <token>" for machine clients.
 */
#ifndef GL_HTTP_AUTH_H
#define GL_HTTP_AUTH_H
#include "http/request.h"

#define SESSION_COOKIE_SECURE "__Host-gl_session"
#define SESSION_COOKIE_PLAIN "gl_session"

/* Establishes r->who for routes that need a user; on failure replies 401 or
 * 403 and returns -1. */
int http_authenticate_or_reply(struct http_req *r);

/* Loads the user's grants into *p (the caller fills user_id). Runs inside a
 * transaction; returns < 0 on a database error, 0 when the user is missing
 * or inactive, 1 when loaded. */
struct db_conn;
int http_load_principal(struct db_conn *c, struct principal *p);

/* Whether cookies go out with Secure and the __Host- prefix. */
bool http_cookies_secure(const struct app *app);

#endif

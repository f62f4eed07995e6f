/*
 * The HTTP server: libmicrohttpd with a thread pool, dispatching to the
 * route table, serving the embedded web app, logging one line per request,
 * and draining in-flight requests on shutdown.
 */
#ifndef GL_HTTP_SERVER_H
#define GL_HTTP_SERVER_H
#include <stddef.h>

struct app;
struct http_server;

/* Starts serving app->cfg->listen. Returns 0, or -1 with err filled. */
int http_server_start(struct app *app, struct http_server **out, char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* Stops accepting, waits up to drain_s seconds for in-flight requests to
 * finish, then stops the daemon. Returns the number of requests that were
 * still in flight when the wait ended (0 on a clean drain). */
unsigned http_server_stop(struct http_server *s, unsigned drain_s);

/* True once shutdown has begun: replies then carry "Connection: close". */
int http_server_draining(void);

#endif

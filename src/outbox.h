/*
 * The outbox sender (see outbox.c): delivers committed outbox rows to the
 * webhook with an HMAC signature and retries.
 */
#ifndef GL_OUTBOX_H
#define GL_OUTBOX_H
#include <stdint.h>

struct app;
struct config;
struct db;
struct outbox;

/* Starts the sender thread when a webhook-url is configured (*out NULL
 * otherwise). Returns 0, or -1 when the thread could not start. */
int outbox_start(struct app *app, struct outbox **out);
/* Stops and joins the thread (NULL is fine). */
void outbox_stop(struct outbox *o);
/* One pass: POSTs the rows due at `now`; returns how many were sent, or < 0. */
int outbox_deliver(struct db *db, const struct config *cfg, int64_t now, int *sent, int *failed);

#endif

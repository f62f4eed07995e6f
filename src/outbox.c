/*
 * The outbox sender: a thread of `gridline serve` that POSTs each committed
 * outbox row to the configured webhook (an SMS gateway, a provincial
 * platform) with libcurl, signed with HMAC-SHA256, and retries with a
 * doubling delay until the receiver answers 2xx. Rows are written in the
 * same transaction as the change they report, so nothing is sent for a
 * change that did not commit; a row is marked sent only after a 2xx, so
 * nothing committed goes unsent (a receiver may see a row twice if it
 * answered and we crashed before marking it: X-Gridline-Delivery lets it
 * drop repeats).
 */
#include "outbox.h"
#include "app.h"
#include "config.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "log.h"
#include "secret.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 50
#define POLL_S 2
#define MAX_DELAY_S 3600
#define TIMEOUT_S 10

struct outbox {
    struct app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

struct row {
    int64_t id, created_at, attempts;
    char *kind, *payload;
};

struct batch {
    struct row rows[BATCH];
    size_t n;
};

static int keep_row(void *cls, int64_t id, const char *kind, const char *payload,
                    int64_t created_at, int64_t attempts)
{
    struct batch *b = cls;
    if (b->n == BATCH)
        return 1;
    b->rows[b->n++] = (struct row){id, created_at, attempts, strdup(kind), strdup(payload)};
    return 0;
}

struct due_ctx {
    struct batch *b;
    int64_t now;
};

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->rows[i].kind);
        free(b->rows[i].payload);
    }
    b->n = 0;
}

static int due_txn(struct db_conn *c, void *cls)
{
    struct due_ctx *d = cls;
    batch_clear(d->b);
    return db_outbox_due(c, d->now, BATCH, keep_row, d->b);
}

struct mark_ctx {
    int64_t id, now, next_at;
    const char *error; /* NULL: sent */
};

static int mark_txn(struct db_conn *c, void *cls)
{
    struct mark_ctx *m = cls;
    return m->error ? db_outbox_retry(c, m->id, m->next_at, m->error)
                    : db_outbox_done(c, m->id, m->now);
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
    (void)p, (void)cls;
    return size * n;
}

/* POSTs one row; returns NULL on a 2xx, else what went wrong (in err). */
static const char *post(CURL *h, const struct config *cfg, const struct row *r, char *err,
                        size_t errlen)
{
    char created[GL_TIME_BUFLEN];
    gl_time_format(r->created_at, cfg->offset_min, created);
    json_t *data = json_loads(r->payload, 0, NULL);
    json_t *body = json_pack("{s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)r->id, "kind",
                             r->kind, "created_at", created, "attempt",
                             (json_int_t)(r->attempts + 1), "data",
                             data ? data : json_string(r->payload));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) {
        snprintf(err, errlen, "payload is not JSON");
        return err;
    }
    char sig[65], h_sig[96], h_id[64], h_kind[96];
    secret_hmac_hex(cfg->webhook_secret, text, strlen(text), sig);
    snprintf(h_sig, sizeof h_sig, "X-Gridline-Signature: sha256=%s", sig);
    snprintf(h_id, sizeof h_id, "X-Gridline-Delivery: %lld", (long long)r->id);
    snprintf(h_kind, sizeof h_kind, "X-Gridline-Event: %s", r->kind);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, h_id);
    hdr = curl_slist_append(hdr, h_kind);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, cfg->webhook_url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    free(text);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(rc));
        return err;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "the receiver answered %ld", status);
        return err;
    }
    return NULL;
}

int outbox_deliver(struct db *db, const struct config *cfg, int64_t now, int *sent, int *failed)
{
    *sent = *failed = 0;
    if (!cfg->webhook_url[0])
        return 0;
    struct batch *b = calloc(1, sizeof *b);
    CURL *h = curl_easy_init();
    if (!b || !h) {
        free(b);
        curl_easy_cleanup(h);
        return DB_ERROR;
    }
    struct due_ctx d = {b, now};
    int rc = db_run_transaction(db, DB_READ, due_txn, &d);
    for (size_t i = 0; rc >= 0 && i < b->n; i++) {
        char err[256];
        const struct row *r = &b->rows[i];
        struct mark_ctx m = {r->id, now, 0, post(h, cfg, r, err, sizeof err)};
        if (m.error) {
            int64_t delay = cfg->webhook_retry_s ? cfg->webhook_retry_s : 1;
            for (int64_t k = 0; k < r->attempts && delay < MAX_DELAY_S; k++)
                delay *= 2;
            m.next_at = now + (delay < MAX_DELAY_S ? delay : MAX_DELAY_S);
            (*failed)++;
            log_warn("outbox", "delivery %lld (%s) failed, attempt %lld, next in %llds: %s",
                     (long long)r->id, r->kind, (long long)r->attempts + 1,
                     (long long)(m.next_at - now), m.error);
        } else {
            (*sent)++;
        }
        rc = db_run_transaction(db, DB_WRITE, mark_txn, &m);
    }
    batch_clear(b);
    free(b);
    curl_easy_cleanup(h);
    return rc < 0 ? rc : *sent;
}

static void *run(void *cls)
{
    struct outbox *o = cls;
    pthread_mutex_lock(&o->lock);
    while (!o->stop) {
        pthread_mutex_unlock(&o->lock);
        int sent, failed;
        int rc = outbox_deliver(o->app->db, o->app->cfg, (int64_t)time(NULL), &sent, &failed);
        if (rc < 0)
            log_error("outbox", "database error %d", rc);
        pthread_mutex_lock(&o->lock);
        if (rc == BATCH)
            continue; /* more may be waiting */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += POLL_S;
        if (!o->stop)
            pthread_cond_timedwait(&o->wake, &o->lock, &until);
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

int outbox_start(struct app *app, struct outbox **out)
{
    *out = NULL;
    if (!app->cfg->webhook_url[0])
        return 0;
    if (!app->cfg->webhook_secret[0])
        log_warn("outbox", "webhook-secret is empty: deliveries are signed with an empty key");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct outbox *o = calloc(1, sizeof *o);
    if (!o)
        return -1;
    o->app = app;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->wake, NULL);
    if (pthread_create(&o->thread, NULL, run, o) != 0) {
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

void outbox_stop(struct outbox *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->lock);
    o->stop = true;
    pthread_cond_signal(&o->wake);
    pthread_mutex_unlock(&o->lock);
    pthread_join(o->thread, NULL);
    pthread_cond_destroy(&o->wake);
    pthread_mutex_destroy(&o->lock);
    free(o);
    curl_global_cleanup();
}

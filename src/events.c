/*
 * The live-event hub; see events.h.
 */
#include "events.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct event_sub {
    struct event_sub *next;
    uint64_t next_seq;
    event_wake_fn wake;
    event_filter_fn filter;
    void *arg;
    bool asleep, ping;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct event ring[EVENTS_RING];
static uint64_t last_seq; /* ring holds seq last_seq - EVENTS_RING + 1 .. last_seq */
static struct event_sub *subs;
static bool closing;

static void wake_all(bool ping)
{
    for (struct event_sub *s = subs; s; s = s->next) {
        s->ping |= ping;
        if (s->asleep) {
            s->asleep = false;
            s->wake(s->arg);
        }
    }
}

void events_publish(struct event *e)
{
    pthread_mutex_lock(&lock);
    e->seq = ++last_seq;
    ring[e->seq % EVENTS_RING] = *e;
    wake_all(false);
    pthread_mutex_unlock(&lock);
}

struct event_sub *events_subscribe(uint64_t after_seq, event_wake_fn wake, event_filter_fn filter,
                                   void *arg)
{
    struct event_sub *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->wake = wake, s->filter = filter, s->arg = arg;
    pthread_mutex_lock(&lock);
    uint64_t oldest = last_seq >= EVENTS_RING ? last_seq - EVENTS_RING + 1 : 1;
    s->next_seq = after_seq && after_seq + 1 >= oldest && after_seq <= last_seq ? after_seq + 1
                                                                                : last_seq + 1;
    s->next = subs;
    subs = s;
    pthread_mutex_unlock(&lock);
    return s;
}

void events_unsubscribe(struct event_sub *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&lock);
    for (struct event_sub **p = &subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&lock);
    free(s);
}

enum events_read events_read(struct event_sub *s, char *buf, size_t max, size_t *len,
                             void (*sleep)(void *arg))
{
    size_t n = 0;
    pthread_mutex_lock(&lock);
    if (closing) {
        pthread_mutex_unlock(&lock);
        return EVENTS_CLOSED;
    }
    uint64_t oldest = last_seq >= EVENTS_RING ? last_seq - EVENTS_RING + 1 : 1;
    if (s->next_seq < oldest)
        s->next_seq = oldest; /* fell behind the ring: what was lost is lost */
    while (s->next_seq <= last_seq) {
        const struct event *e = &ring[s->next_seq % EVENTS_RING];
        if (s->filter(s->arg, e)) {
            char one[EVENTS_TEXT + 64];
            int k = snprintf(one, sizeof one, "id: %llu\nevent: case\ndata: %s\n\n",
                             (unsigned long long)e->seq, e->text);
            if (k < 0 || n + (size_t)k > max)
                break; /* the rest next time */
            memcpy(buf + n, one, (size_t)k);
            n += (size_t)k;
        }
        s->next_seq++;
    }
    if (n == 0 && s->ping && max >= 8) {
        memcpy(buf, ": ping\n\n", 8);
        n = 8;
    }
    s->ping = false;
    if (n == 0) {
        s->asleep = true;
        sleep(s->arg);
        pthread_mutex_unlock(&lock);
        return EVENTS_WAIT;
    }
    pthread_mutex_unlock(&lock);
    *len = n;
    return EVENTS_DATA;
}

void events_heartbeat(void)
{
    pthread_mutex_lock(&lock);
    wake_all(true);
    pthread_mutex_unlock(&lock);
}

void events_close(void)
{
    pthread_mutex_lock(&lock);
    closing = true;
    wake_all(false);
    pthread_mutex_unlock(&lock);
}

uint64_t events_last_seq(void)
{
    pthread_mutex_lock(&lock);
    uint64_t v = last_seq;
    pthread_mutex_unlock(&lock);
    return v;
}

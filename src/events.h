/*
 * Live events inside one `gridline serve` process: the case loop publishes
 * a small record after each committed change; subscribers (the SSE stream,
 * api/events.c) read the ones they may see. A ring of the latest events
 * lets a reconnecting client resume from its Last-Event-ID. No I/O here:
 * a subscriber gives a wake function that the hub calls (under its lock)
 * when something arrives, at a heartbeat, or when the process closes.
 */
#ifndef GL_EVENTS_H
#define GL_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENTS_RING 512
#define EVENTS_TEXT 320

struct event {
    uint64_t seq;
    int64_t case_id, dept_id, reporter_id;
    char grid[16];
    char text[EVENTS_TEXT]; /* the JSON sent as the event's data */
};

struct event_sub;
typedef void (*event_wake_fn)(void *arg);
/* Whether the subscriber may see e. */
typedef bool (*event_filter_fn)(void *arg, const struct event *e);

/* Publishes e (seq is assigned) and wakes the waiting subscribers. */
void events_publish(struct event *e);
/* after_seq: deliver events after this one (0 = only new ones). */
struct event_sub *events_subscribe(uint64_t after_seq, event_wake_fn wake, event_filter_fn filter,
                                   void *arg);
void events_unsubscribe(struct event_sub *s);

enum events_read { EVENTS_DATA, EVENTS_WAIT, EVENTS_CLOSED };
/* Copies what the subscriber has not yet received (events it may see,
 * then a heartbeat comment when one is due) as SSE text into buf; returns
 * EVENTS_DATA with *len set, EVENTS_WAIT after marking the subscriber
 * asleep (call `sleep(arg)` under the hub lock: it is called here), or
 * EVENTS_CLOSED when the process is closing. */
enum events_read events_read(struct event_sub *s, char *buf, size_t max, size_t *len,
                             void (*sleep)(void *arg));
/* Asks every subscriber to send a heartbeat (so dead clients are found). */
void events_heartbeat(void);
/* Closes every stream (before the HTTP server stops). */
void events_close(void);
uint64_t events_last_seq(void);

#endif

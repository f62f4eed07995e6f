/*
 * A fixed-window failure counter keyed by a short string (a client
 * address): `limit` failures within `window` seconds block the key until
 * the window ends. Pure: the caller passes `now` and holds any lock.
 * Slots are a fixed hash table; two keys sharing a slot share a count,
 * which errs on the side of blocking.
 */
#ifndef GL_CORE_RATELIMIT_H
#define GL_CORE_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

#define RL_SLOTS 4096

struct rl_slot {
    uint64_t key_hash;
    int64_t window_start;
    uint32_t count;
};

struct ratelimit {
    int64_t window;
    uint32_t limit;
    struct rl_slot slots[RL_SLOTS];
};

/* Whether key is blocked at now; *retry_after gets the seconds left. */
bool rl_blocked(const struct ratelimit *rl, const char *key, int64_t now, int64_t *retry_after);
/* Counts one failure for key at now. */
void rl_hit(struct ratelimit *rl, const char *key, int64_t now);

#endif

/*
 * Fixed-window failure counting; see ratelimit.h.
 */
#include "core/ratelimit.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

bool rl_blocked(const struct ratelimit *rl, const char *key, int64_t now, int64_t *retry_after)
{
    uint64_t h = fnv1a(key);
    const struct rl_slot *s = &rl->slots[h % RL_SLOTS];
    if (s->key_hash != h || now >= s->window_start + rl->window || s->count < rl->limit)
        return false;
    *retry_after = s->window_start + rl->window - now;
    return true;
}

void rl_hit(struct ratelimit *rl, const char *key, int64_t now)
{
    uint64_t h = fnv1a(key);
    struct rl_slot *s = &rl->slots[h % RL_SLOTS];
    if (s->key_hash != h || now >= s->window_start + rl->window) {
        s->key_hash = h;
        s->window_start = now;
        s->count = 0;
    }
    s->count++;
}

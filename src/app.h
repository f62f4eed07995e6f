/*
 * The process-wide state a request handler may reach: configuration and
 * the database pool. Created by `gridline serve`, read-only afterwards.
 */
#ifndef GL_APP_H
#define GL_APP_H
#include <stdint.h>

#include "config.h"

struct db;

struct app {
    const struct config *cfg;
    struct db *db;
    int64_t started_at;
    /* Where users reach this server, without a trailing slash: public-url,
     * else http://<listen> with the port actually bound. Set once serving. */
    char base_url[300];
};

#endif

/*
 * Structured logs: one JSON object per line on stderr, written with a
 * single write() so lines from different threads never interleave.
 * Never log passwords, tokens or full phone/ID numbers; request lines carry
 * the path without its query string.
 */
#ifndef GL_LOG_H
#define GL_LOG_H
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
/* Parses "debug" | "info" | "warn" | "error"; returns -1 when unknown. */
int log_level_parse(const char *s);

__attribute__((format(printf, 3, 4)))
void log_msg(enum log_level lvl, const char *component, const char *fmt, ...);
#define log_debug(c, ...) log_msg(LOG_DEBUG, c, __VA_ARGS__)
#define log_info(c, ...) log_msg(LOG_INFO, c, __VA_ARGS__)
#define log_warn(c, ...) log_msg(LOG_WARN, c, __VA_ARGS__)
#define log_error(c, ...) log_msg(LOG_ERROR, c, __VA_ARGS__)

/* One line per HTTP request. user_id 0 means not signed in. */
void log_request(const char *method, const char *path, unsigned status, double duration_ms,
                 int64_t user_id);

#endif

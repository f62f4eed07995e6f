/*
 * Files compiled into the binary by tools/embed.c: the web app under web/
 * (served at /) and the SQL migrations under db/migrations/<dialect>/.
 */
#ifndef GL_EMBED_H
#define GL_EMBED_H
#include <stddef.h>

struct embed_file {
    const char *name;          /* "/index.html", "sqlite/0001_init.sql" */
    const unsigned char *data; /* NUL-terminated, NUL not counted in len */
    size_t len;
};

extern const struct embed_file embed_web[];
extern const struct embed_file embed_migrations[];

#endif

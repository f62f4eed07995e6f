/*
 * The fictional demo county that `gridline init --demo` writes.
 */
#ifndef GL_DEMO_H
#define GL_DEMO_H
#include <stddef.h>

struct db;

/* Writes the demo data in one transaction. Returns 0, 1 when the database
 * already holds it (nothing changed), or -1 with err filled. */
int demo_seed(struct db *db, char *err, size_t errlen);

#endif

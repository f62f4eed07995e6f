/*
 * The fictional demo county that `gridline init --demo` writes: 青禾县
 * (code 379901, a prefecture number no real place uses), with a street
 * office and a town, 12 communities and villages, 80 grids with polygons,
 * county departments, about 5,000 households and a user for every role.
 */
#ifndef GL_DEMO_H
#define GL_DEMO_H
#include <stddef.h>
#include <stdint.h>

struct db;
struct config;

/* Writes the demo data in one transaction. The demo users' password comes
 * from GRIDLINE_DEMO_PASSWORD, else is generated and printed once. Returns
 * 0, 1 when the database already holds it (nothing changed), or -1 with
 * err filled. Needs the data key loaded. */
int demo_seed(struct db *db, const struct config *cfg, char *err, size_t errlen);

/* ---- shared by the demo's files ---- */
struct db_conn;
/* The demo's deterministic generator: 0..n-1, the same sequence every run. */
unsigned demo_rnd(unsigned n);
/* A fictional Chinese name. */
void demo_person_name(char out[32]);
/* About a thousand cases over 120 days with their timelines (demo_cases.c). */
int demo_seed_cases(struct db_conn *c, int64_t now);
/* Opinions, polls, commitments, a month of visits and an evaluation
 * (demo_participation.c). */
int demo_seed_participation(struct db_conn *c, int64_t now);

#endif

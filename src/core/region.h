/*
 * Region and grid codes (national 12-digit administrative codes):
 *   county   370000|000000 shape: 6 significant digits + "000000"
 *   town     9 significant digits + "000"
 *   village  12 digits, the last three not "000"
 *   grid     15 digits: a village code + a 3-digit sequence (not "000")
 * A scope is a region or grid code; its subtree is every code that shares
 * its significant prefix.
 */
#ifndef GL_CORE_REGION_H
#define GL_CORE_REGION_H
#include <stdbool.h>
#include <stddef.h>

enum region_level { LEVEL_INVALID = 0, LEVEL_COUNTY, LEVEL_TOWN, LEVEL_VILLAGE, LEVEL_GRID };

#define REGION_CODE_BUFLEN 16

enum region_level region_level_of(const char *code);
/* "county", "town", "village", "grid" (or NULL for LEVEL_INVALID). */
const char *region_level_name(enum region_level l);
enum region_level region_level_parse(const char *name);
/* Number of significant digits: 6, 9, 12 or 15 (0 when invalid). */
size_t region_prefix_len(const char *code);
/* The parent's code (a grid's village, a village's town, a town's county).
 * Returns false for a county or an invalid code. */
bool region_parent(const char *code, char out[REGION_CODE_BUFLEN]);
/* Writes the significant prefix of code (its subtree's common start, e.g.
 * "379901001" for a town); false for an invalid code. */
bool region_prefix(const char *code, char out[REGION_CODE_BUFLEN]);
/* Whether `code` lies in the subtree of `scope` (a code contains itself). */
bool region_contains(const char *scope, const char *code);

#endif

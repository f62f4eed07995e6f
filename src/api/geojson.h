/*
 * Reading GeoJSON geometries for grids (jansson in, core/geo rings out).
 */
#ifndef GL_API_GEOJSON_H
#define GL_API_GEOJSON_H
#include <jansson.h>

#include "core/geo.h"

struct geojson_shape {
    struct geo_ring *rings;  /* all rings of all polygons, outer ring first in each */
    size_t *ring_polygon;    /* which polygon each ring belongs to */
    size_t nrings, npolygons;
    struct geo_bbox bbox;
};

/* Parses a Polygon or MultiPolygon. Returns NULL, or a sentence saying what
 * is wrong (then *s holds nothing). */
const char *geojson_parse(json_t *geometry, struct geojson_shape *s);
void geojson_free(struct geojson_shape *s);
enum geo_where geojson_where(const struct geojson_shape *s, double lng, double lat);
/* Where a point lies relative to a stored geometry (GeoJSON text);
 * GEO_OUTSIDE for text that does not parse. */
enum geo_where geojson_text_where(const char *geometry, double lng, double lat);

#endif

/*
 * GeoJSON Polygon / MultiPolygon <-> the ring arrays core/geo.c works on.
 */
#include "api/geojson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void geojson_free(struct geojson_shape *s)
{
    for (size_t i = 0; i < s->nrings; i++)
        free((void *)s->rings[i].xy);
    free(s->rings);
    free(s->ring_polygon);
    memset(s, 0, sizeof *s);
}

static const char *add_polygon(struct geojson_shape *s, json_t *poly)
{
    if (!json_is_array(poly) || json_array_size(poly) == 0)
        return "a polygon is a non-empty array of linear rings";
    size_t i;
    json_t *ring;
    json_array_foreach(poly, i, ring) {
        size_t n = json_array_size(ring);
        if (!json_is_array(ring) || n < 4)
            return "a linear ring has at least four positions";
        double *xy = malloc(sizeof(double) * 2 * n);
        if (!xy)
            abort();
        size_t j;
        json_t *pos;
        json_array_foreach(ring, j, pos) {
            json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
            if (!json_is_number(x) || !json_is_number(y)) {
                free(xy);
                return "a position is [longitude, latitude]";
            }
            xy[2 * j] = json_number_value(x);
            xy[2 * j + 1] = json_number_value(y);
            if (!isfinite(xy[2 * j]) || fabs(xy[2 * j]) > 180 || !isfinite(xy[2 * j + 1]) ||
                fabs(xy[2 * j + 1]) > 90) {
                free(xy);
                return "longitude must be within ±180 and latitude within ±90";
            }
        }
        if (xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1]) {
            free(xy);
            return "a linear ring ends where it starts";
        }
        s->rings = realloc(s->rings, sizeof *s->rings * (s->nrings + 1));
        s->ring_polygon = realloc(s->ring_polygon, sizeof *s->ring_polygon * (s->nrings + 1));
        if (!s->rings || !s->ring_polygon)
            abort();
        s->rings[s->nrings] = (struct geo_ring){xy, n};
        s->ring_polygon[s->nrings] = s->npolygons;
        geo_bbox_extend(&s->bbox, &s->rings[s->nrings], s->nrings == 0);
        s->nrings++;
    }
    s->npolygons++;
    return NULL;
}

const char *geojson_parse(json_t *geometry, struct geojson_shape *s)
{
    memset(s, 0, sizeof *s);
    const char *type = json_string_value(json_object_get(geometry, "type"));
    json_t *coords = json_object_get(geometry, "coordinates");
    const char *problem = NULL;
    if (!json_is_object(geometry) || !type || !json_is_array(coords))
        return "geometry must be a GeoJSON object with type and coordinates";
    if (strcmp(type, "Polygon") == 0) {
        problem = add_polygon(s, coords);
    } else if (strcmp(type, "MultiPolygon") == 0) {
        size_t i;
        json_t *poly;
        if (json_array_size(coords) == 0)
            problem = "a MultiPolygon needs at least one polygon";
        json_array_foreach(coords, i, poly) {
            if (!problem)
                problem = add_polygon(s, poly);
        }
    } else {
        problem = "geometry type must be Polygon or MultiPolygon";
    }
    if (problem)
        geojson_free(s);
    return problem;
}

enum geo_where geojson_where(const struct geojson_shape *s, double lng, double lat)
{
    enum geo_where best = GEO_OUTSIDE;
    for (size_t i = 0; i < s->nrings;) {
        size_t j = i;
        while (j < s->nrings && s->ring_polygon[j] == s->ring_polygon[i])
            j++;
        enum geo_where w = geo_polygon_where(&s->rings[i], j - i, lng, lat);
        if (w == GEO_INSIDE)
            return w;
        if (w == GEO_BOUNDARY)
            best = w;
        i = j;
    }
    return best;
}

enum geo_where geojson_text_where(const char *geometry, double lng, double lat)
{
    json_t *geo = json_loads(geometry, 0, NULL);
    struct geojson_shape shape;
    if (!geo || geojson_parse(geo, &shape) != NULL) {
        json_decref(geo);
        return GEO_OUTSIDE;
    }
    enum geo_where w = geojson_where(&shape, lng, lat);
    geojson_free(&shape);
    json_decref(geo);
    return w;
}

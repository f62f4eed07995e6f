/*
 * Plane geometry for grids: point-in-polygon on (lng, lat) pairs. Grids are
 * a few hundred metres across, so treating degrees as a plane is exact
 * enough; a point on an edge or vertex counts as on the boundary.
 */
#ifndef GL_CORE_GEO_H
#define GL_CORE_GEO_H
#include <stddef.h>

enum geo_where { GEO_OUTSIDE = 0, GEO_INSIDE = 1, GEO_BOUNDARY = 2 };

struct geo_ring {
    const double *xy; /* lng0, lat0, lng1, lat1, ...; closing point optional */
    size_t n;         /* number of points */
};

struct geo_bbox {
    double min_lng, min_lat, max_lng, max_lat;
};

enum geo_where geo_ring_where(const struct geo_ring *r, double lng, double lat);
/* A polygon: rings[0] is the outer ring, the rest are holes. */
enum geo_where geo_polygon_where(const struct geo_ring *rings, size_t nrings, double lng,
                                 double lat);
void geo_bbox_extend(struct geo_bbox *b, const struct geo_ring *r, int first);
/* Distance in metres between two points (haversine, mean Earth radius). */
double geo_distance_m(double lng1, double lat1, double lng2, double lat2);

#endif

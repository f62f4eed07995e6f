/*
 * Point-in-polygon by ray casting, with an explicit on-edge test first so
 * that border points are reported as such rather than falling either way.
 */
#include "core/geo.h"

#include <math.h>

#define EPS 1e-12

static int on_segment(double px, double py, double ax, double ay, double bx, double by)
{
    double cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
    if (fabs(cross) > EPS * (fabs(bx - ax) + fabs(by - ay) + 1))
        return 0;
    return px >= fmin(ax, bx) - EPS && px <= fmax(ax, bx) + EPS && py >= fmin(ay, by) - EPS &&
           py <= fmax(ay, by) + EPS;
}

enum geo_where geo_ring_where(const struct geo_ring *r, double lng, double lat)
{
    int inside = 0;
    size_t n = r->n;
    if (n < 3)
        return GEO_OUTSIDE;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = r->xy[2 * i], yi = r->xy[2 * i + 1];
        double xj = r->xy[2 * j], yj = r->xy[2 * j + 1];
        if (on_segment(lng, lat, xj, yj, xi, yi))
            return GEO_BOUNDARY;
        if ((yi > lat) != (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi)
            inside = !inside;
    }
    return inside ? GEO_INSIDE : GEO_OUTSIDE;
}

enum geo_where geo_polygon_where(const struct geo_ring *rings, size_t nrings, double lng,
                                 double lat)
{
    if (nrings == 0)
        return GEO_OUTSIDE;
    enum geo_where w = geo_ring_where(&rings[0], lng, lat);
    if (w != GEO_INSIDE)
        return w;
    for (size_t h = 1; h < nrings; h++) {
        enum geo_where hw = geo_ring_where(&rings[h], lng, lat);
        if (hw == GEO_BOUNDARY)
            return GEO_BOUNDARY;
        if (hw == GEO_INSIDE)
            return GEO_OUTSIDE;
    }
    return GEO_INSIDE;
}

void geo_bbox_extend(struct geo_bbox *b, const struct geo_ring *r, int first)
{
    for (size_t i = 0; i < r->n; i++) {
        double x = r->xy[2 * i], y = r->xy[2 * i + 1];
        if (first && i == 0) {
            b->min_lng = b->max_lng = x;
            b->min_lat = b->max_lat = y;
            continue;
        }
        b->min_lng = fmin(b->min_lng, x);
        b->max_lng = fmax(b->max_lng, x);
        b->min_lat = fmin(b->min_lat, y);
        b->max_lat = fmax(b->max_lat, y);
    }
}

double geo_distance_m(double lng1, double lat1, double lng2, double lat2)
{
    const double R = 6371008.8, rad = M_PI / 180;
    double dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlng / 2) * sin(dlng / 2);
    return 2 * R * asin(fmin(1, sqrt(a)));
}

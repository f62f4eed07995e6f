/*
 * /api/v1/regions, /api/v1/grids (with locate) and /api/v1/departments:
 * the territory every other record is placed in. Any signed-in user reads
 * it; admins write within their scope.
 */
#include "api/api.h"
#include "api/geojson.h"
#include "core/region.h"
#include "db/db.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Shared shape of the list/get handlers below: a transaction that appends
 * JSON to `items` (or sets `one`). */
struct collect {
    struct http_req *r;
    const char *key;
    int64_t id;
    bool geometry;
    json_t *items;
    json_t *one;
};

static void collect_reset(struct collect *c)
{
    if (c->items)
        json_array_clear(c->items);
    json_decref(c->one);
    c->one = NULL;
}

static enum MHD_Result reply_collected(struct http_req *r, int rc, struct collect *c,
                                       const char *what)
{
    if (rc < 0) {
        json_decref(c->items);
        json_decref(c->one);
        return api_reply_db_error(r, rc);
    }
    if (c->items)
        return http_reply_json(r, 200, json_pack("{s:o}", "items", c->items));
    if (!c->one)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no %s %s", what, c->key);
    return http_reply_json(r, 200, c->one);
}

/* ---- regions ---------------------------------------------------------------- */

static json_t *region_json(const struct http_req *r, const struct db_region *g)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:I}", "code", g->code, "name", g->name,
                     "level", g->level, "parent_code",
                     g->parent_code ? json_string(g->parent_code) : json_null(), "children",
                     (json_int_t)g->children, "created_at", api_time(r, g->created_at),
                     "updated_at", api_time(r, g->updated_at), "version", (json_int_t)g->version);
}

static int add_region(void *cls, const struct db_region *g)
{
    struct collect *c = cls;
    json_t *j = region_json(c->r, g);
    if (c->items)
        json_array_append_new(c->items, j);
    else
        c->one = j;
    return 0;
}

static int regions_txn(struct db_conn *conn, void *cls)
{
    struct collect *c = cls;
    collect_reset(c);
    if (c->items)
        return db_regions_list(conn, c->key, add_region, c);
    return db_region_get(conn, c->key, add_region, c);
}

enum MHD_Result api_regions_list(struct http_req *r)
{
    const char *parent = http_query(r, "parent");
    if (parent && region_level_of(parent) == LEVEL_INVALID)
        return http_reply_error(r, GL_ERR_BAD_PARAMETER, "parent",
                                "parent must be a 12-digit region code");
    struct collect c = {.r = r, .key = parent, .items = json_array()};
    int rc = db_run_transaction(r->app->db, DB_READ, regions_txn, &c);
    return reply_collected(r, rc, &c, "region");
}

enum MHD_Result api_regions_get(struct http_req *r)
{
    struct collect c = {.r = r, .key = r->params[0]};
    int rc = db_run_transaction(r->app->db, DB_READ, regions_txn, &c);
    return reply_collected(r, rc, &c, "region");
}

struct region_in {
    const char *code, *name, *parent_code;
};

const struct jspec api_region_create_spec[] = {
    JSPEC_STR(struct region_in, code, "code", 12, 12, JSPEC_REQUIRED,
              "12-digit administrative code; its shape gives the level"),
    JSPEC_STR(struct region_in, name, "name", 1, 64, JSPEC_REQUIRED, "e.g. 临河街道, 福安社区"),
    JSPEC_STR(struct region_in, parent_code, "parent_code", 12, 12, 0,
              "must be the parent the code implies; may be left out"),
    JSPEC_END,
};

struct create_ctx {
    struct http_req *r;
    const void *in;
    char parent[REGION_CODE_BUFLEN];
    bool has_parent;
    struct collect out;
    struct api_fail fail;
};

static int region_create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    const struct region_in *in = x->in;
    const char *level = region_level_name(region_level_of(in->code));
    int rc = db_region_insert(c, in->code, in->name, level, x->has_parent ? x->parent : NULL,
                              (int64_t)time(NULL));
    if (rc == DB_UNIQUE)
        return api_fail(&x->fail, GL_ERR_CONFLICT, "code", "region %s exists", in->code);
    if (rc == DB_FOREIGN)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "parent_code",
                        "parent region %s does not exist; create it first", x->parent);
    if (rc < 0)
        return rc;
    x->out.key = in->code;
    return regions_txn(c, &x->out);
}

enum MHD_Result api_regions_create(struct http_req *r)
{
    struct region_in in = {0};
    if (http_parse_body_or_reply(r, api_region_create_spec, &in, NULL) < 0)
        return r->result;
    enum region_level lv = region_level_of(in.code);
    if (lv == LEVEL_INVALID || lv == LEVEL_GRID)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "code",
                                "a region code is 12 digits: county 6+000000, town 9+000, "
                                "village 12 (grids are created under /api/v1/grids)");
    struct create_ctx x = {.r = r, .in = &in, .out = {.r = r}};
    x.has_parent = region_parent(in.code, x.parent);
    if (in.parent_code && (!x.has_parent || strcmp(in.parent_code, x.parent) != 0))
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "parent_code",
                                "code %s belongs under %s", in.code,
                                x.has_parent ? x.parent : "no parent (it is a county)");
    struct target t = {.region = in.code};
    if (http_authorize_visible_or_reply(r, ACT_TERRITORY_WRITE, &t) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_WRITE, region_create_txn, &x);
    if (rc == DB_ABORT)
        return api_reply_fail(r, &x.fail);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 201, x.out.one);
}

/* ---- grids ---------------------------------------------------------------------- */

static json_t *grid_json(const struct http_req *r, const struct db_grid *g, bool geometry)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:[f,f,f,f], s:o, s:o, s:I}", "code",
                          g->code, "name", g->name, "village_code", g->village_code, "duty_phone",
                          g->duty_phone, "households", (json_int_t)g->households, "bbox",
                          g->min_lng, g->min_lat, g->max_lng, g->max_lat, "created_at",
                          api_time(r, g->created_at), "updated_at", api_time(r, g->updated_at),
                          "version", (json_int_t)g->version);
    if (geometry) {
        json_t *geo = json_loads(g->geometry, 0, NULL);
        json_object_set_new(j, "geometry", geo ? geo : json_null());
    }
    return j;
}

static int add_grid(void *cls, const struct db_grid *g)
{
    struct collect *c = cls;
    json_t *j = grid_json(c->r, g, c->geometry);
    if (c->items)
        json_array_append_new(c->items, j);
    else
        c->one = j;
    return 0;
}

static int add_worker(void *cls, int64_t id, const char *name)
{
    json_t *workers = cls;
    json_array_append_new(workers, json_pack("{s:I, s:s}", "id", (json_int_t)id, "display_name", name));
    return 0;
}

static int grids_txn(struct db_conn *conn, void *cls)
{
    struct collect *c = cls;
    collect_reset(c);
    if (c->items)
        return db_grids_list(conn, c->key ? c->key : "", add_grid, c);
    int rc = db_grid_get(conn, c->key, add_grid, c);
    if (rc <= 0 || !c->one)
        return rc;
    json_t *workers = json_array();
    json_object_set_new(c->one, "workers", workers);
    return db_grid_workers(conn, c->key, add_worker, workers);
}

enum MHD_Result api_grids_list(struct http_req *r)
{
    const char *geometry = http_query(r, "geometry"), *prefix;
    char buf[REGION_CODE_BUFLEN];
    if (api_region_param_or_reply(r, "region", buf, &prefix) < 0)
        return r->result;
    struct collect c = {.r = r, .key = prefix ? prefix : "", .items = json_array(),
                        .geometry = !geometry || strcmp(geometry, "0") != 0};
    int rc = db_run_transaction(r->app->db, DB_READ, grids_txn, &c);
    return reply_collected(r, rc, &c, "grid");
}

enum MHD_Result api_grids_get(struct http_req *r)
{
    struct collect c = {.r = r, .key = r->params[0], .geometry = true};
    int rc = db_run_transaction(r->app->db, DB_READ, grids_txn, &c);
    return reply_collected(r, rc, &c, "grid");
}

struct locate_ctx {
    struct http_req *r;
    double lat, lng;
    json_t *hit;
    enum geo_where where;
};

static int locate_one(void *cls, const struct db_grid *g)
{
    struct locate_ctx *l = cls;
    enum geo_where w = geojson_text_where(g->geometry, l->lng, l->lat);
    /* Inside beats boundary; among equals the lowest code (the list order) wins. */
    if (w > GEO_OUTSIDE && (!l->hit || (l->where == GEO_BOUNDARY && w == GEO_INSIDE))) {
        json_decref(l->hit);
        l->hit = grid_json(l->r, g, false);
        l->where = w;
    }
    return l->where == GEO_INSIDE;
}

static int locate_txn(struct db_conn *c, void *cls)
{
    struct locate_ctx *l = cls;
    json_decref(l->hit);
    l->hit = NULL;
    return db_grids_near(c, l->lat, l->lng, locate_one, l);
}

/* Parses a coordinate query parameter; replies 400 and returns -1 on failure. */
static int coord_or_reply(struct http_req *r, const char *name, double limit, double *out)
{
    const char *s = http_query(r, name);
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    if (!s || errno || *end || !isfinite(v) || fabs(v) > limit) {
        http_reply_error(r, GL_ERR_BAD_PARAMETER, name, "%s must be a number within ±%g", name,
                         limit);
        return -1;
    }
    *out = v;
    return 0;
}

enum MHD_Result api_grids_locate(struct http_req *r)
{
    struct locate_ctx l = {.r = r};
    if (coord_or_reply(r, "lat", 90, &l.lat) < 0 || coord_or_reply(r, "lng", 180, &l.lng) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, locate_txn, &l);
    if (rc < 0) {
        json_decref(l.hit);
        return api_reply_db_error(r, rc);
    }
    if (!l.hit)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL,
                                "the point %.6f, %.6f lies outside every grid", l.lat, l.lng);
    return http_reply_json(r, 200, json_pack("{s:o, s:s}", "grid", l.hit, "position",
                                             l.where == GEO_INSIDE ? "inside" : "boundary"));
}

struct grid_in {
    const char *code, *name, *duty_phone;
    json_t *geometry;
};

const struct jspec api_grid_create_spec[] = {
    JSPEC_STR(struct grid_in, code, "code", 15, 15, JSPEC_REQUIRED,
              "the village's 12-digit code plus a 3-digit sequence"),
    JSPEC_STR(struct grid_in, name, "name", 1, 64, JSPEC_REQUIRED, "e.g. 福安社区第三网格"),
    JSPEC_OBJ(struct grid_in, geometry, "geometry", JSPEC_REQUIRED,
              "GeoJSON Polygon or MultiPolygon, [longitude, latitude] positions"),
    JSPEC_STR(struct grid_in, duty_phone, "duty_phone", 0, 20, 0, "the grid's public duty line"),
    JSPEC_END,
};

/* Checks one grid's input and fills g, the geometry written compactly
 * (the caller frees g->geometry); village receives the parent's code. */
static int grid_check(const struct grid_in *in, struct db_grid *g, char *village,
                      struct api_fail *f)
{
    if (region_level_of(in->code) != LEVEL_GRID)
        return api_fail(f, GL_ERR_INVALID_VALUE, "code",
                        "a grid code is a 12-digit village code plus 3 digits (not 000)");
    struct geojson_shape shape;
    const char *problem = geojson_parse(in->geometry, &shape);
    if (problem)
        return api_fail(f, GL_ERR_INVALID_VALUE, "geometry", "%s", problem);
    region_parent(in->code, village);
    *g = (struct db_grid){
        .code = in->code, .name = in->name, .village_code = village,
        .geometry = json_dumps(in->geometry, JSON_COMPACT), .duty_phone = in->duty_phone,
        .min_lat = shape.bbox.min_lat, .min_lng = shape.bbox.min_lng,
        .max_lat = shape.bbox.max_lat, .max_lng = shape.bbox.max_lng,
    };
    geojson_free(&shape);
    return 0;
}

static int grid_insert(struct db_conn *c, const struct db_grid *g, struct api_fail *f)
{
    int rc = db_grid_insert(c, g, (int64_t)time(NULL));
    if (rc == DB_UNIQUE)
        return api_fail(f, GL_ERR_CONFLICT, "code", "grid %s exists", g->code);
    if (rc == DB_FOREIGN)
        return api_fail(f, GL_ERR_INVALID_VALUE, "code",
                        "village %s does not exist; create it first", g->village_code);
    return rc;
}

static int grid_create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    const struct db_grid *g = x->in;
    int rc = grid_insert(c, g, &x->fail);
    if (rc < 0)
        return rc;
    x->out.key = g->code;
    x->out.geometry = true;
    return grids_txn(c, &x->out);
}

enum MHD_Result api_grids_create(struct http_req *r)
{
    struct grid_in in = {0};
    if (http_parse_body_or_reply(r, api_grid_create_spec, &in, NULL) < 0)
        return r->result;
    struct db_grid g;
    char village[REGION_CODE_BUFLEN];
    struct api_fail fail;
    if (grid_check(&in, &g, village, &fail) < 0)
        return api_reply_fail(r, &fail);
    struct target t = {.region = in.code};
    if (http_authorize_visible_or_reply(r, ACT_TERRITORY_WRITE, &t) < 0) {
        free((char *)g.geometry);
        return r->result;
    }
    struct create_ctx x = {.r = r, .in = &g, .out = {.r = r}};
    int rc = db_run_transaction(r->app->db, DB_WRITE, grid_create_txn, &x);
    free((char *)g.geometry);
    if (rc == DB_ABORT)
        return api_reply_fail(r, &x.fail);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 201, x.out.one);
}

/* ---- grids from a GeoJSON file, all or nothing -------------------------------- */

#define IMPORT_MAX 5000

struct import_in {
    const char *type;
    json_t *features;
};

const struct jspec api_grid_import_spec[] = {
    JSPEC_STR(struct import_in, type, "type", 1, 32, JSPEC_REQUIRED, "FeatureCollection"),
    JSPEC_ARR(struct import_in, features, "features", JSPEC_REQUIRED,
              "up to 5000 Features: a Polygon or MultiPolygon geometry and properties code,"
              " name [, duty_phone], as for POST /api/v1/grids"),
    JSPEC_END,
};

struct import_ctx {
    struct db_grid *grids;
    char (*villages)[REGION_CODE_BUFLEN];
    size_t n, bad; /* bad: the feature the failure names, from 1 */
    struct api_fail fail;
};

static int grids_import_txn(struct db_conn *c, void *cls)
{
    struct import_ctx *x = cls;
    for (size_t i = 0; i < x->n; i++) {
        int rc = grid_insert(c, &x->grids[i], &x->fail);
        if (rc < 0) {
            x->bad = i + 1;
            return rc;
        }
    }
    return 0;
}

/* One feature as POST /api/v1/grids would take it: its properties with
 * its geometry; NULL when it is not even shaped like a Feature. */
static json_t *feature_input(json_t *f)
{
    json_t *props = json_object_get(f, "properties"), *geometry = json_object_get(f, "geometry");
    if (!json_is_object(f) || !json_is_object(props) || !json_is_object(geometry))
        return NULL;
    json_t *in = json_copy(props);
    json_object_set(in, "geometry", geometry);
    return in;
}

enum MHD_Result api_grids_import(struct http_req *r)
{
    struct import_in in = {0};
    if (http_parse_body_or_reply(r, api_grid_import_spec, &in, NULL) < 0)
        return r->result;
    size_t n = json_array_size(in.features);
    if (strcmp(in.type, "FeatureCollection") != 0)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "type",
                                "a GeoJSON FeatureCollection is wanted");
    if (n == 0 || n > IMPORT_MAX)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "features", "1 to %d features, not %zu",
                                IMPORT_MAX, n);
    struct import_ctx x = {.grids = calloc(n, sizeof *x.grids),
                           .villages = calloc(n, sizeof *x.villages)};
    json_t *inputs = json_array();
    if (!x.grids || !x.villages)
        abort();
    /* Every feature is checked before anything is written; the first bad
     * one is named by its number in the file (from 1). */
    for (size_t i = 0; i < n && !x.bad; i++) {
        json_t *one = feature_input(json_array_get(in.features, i));
        struct grid_in g = {0};
        struct jspec_error je;
        struct target t = {0};
        x.bad = i + 1; /* until it passes */
        if (!one) {
            api_fail(&x.fail, GL_ERR_INVALID_VALUE, "features",
                     "not a Feature with properties and a geometry");
            break;
        }
        json_array_append_new(inputs, one); /* g's strings point into it */
        if (jspec_parse(one, api_grid_create_spec, &g, NULL, &je) < 0) {
            api_fail(&x.fail, je.code, je.field, "%s", je.message);
            break;
        }
        if (grid_check(&g, &x.grids[i], x.villages[i], &x.fail) < 0)
            break;
        x.n = i + 1;
        t.region = g.code;
        if (authz_decide(r->who.grants, r->who.ngrants, ACT_TERRITORY_WRITE, &t) != AUTHZ_ALLOW) {
            api_fail(&x.fail, GL_ERR_FORBIDDEN, "code",
                     "grid %s is outside the area you administer", g.code);
            break;
        }
        x.bad = 0;
    }
    int rc = x.bad ? DB_ABORT : db_run_transaction(r->app->db, DB_WRITE, grids_import_txn, &x);
    for (size_t i = 0; i < x.n; i++)
        free((char *)x.grids[i].geometry);
    free(x.grids);
    free(x.villages);
    enum MHD_Result res;
    if (rc == DB_ABORT) {
        struct api_fail f = x.fail; /* its field may point into inputs */
        snprintf(f.message, sizeof f.message, "feature %zu: %.200s; nothing was imported", x.bad,
                 x.fail.message);
        res = api_reply_fail(r, &f);
    } else if (rc < 0) {
        res = api_reply_db_error(r, rc);
    } else {
        res = http_reply_json(r, 201, json_pack("{s:I}", "imported", (json_int_t)n));
    }
    json_decref(inputs);
    return res;
}

/* ---- departments -------------------------------------------------------------- */

static json_t *dept_json(const struct http_req *r, const struct db_department *d)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)d->id, "code",
                     d->code, "name", d->name, "region_code", d->region_code, "phone", d->phone,
                     "created_at", api_time(r, d->created_at), "updated_at",
                     api_time(r, d->updated_at), "version", (json_int_t)d->version);
}

static int add_dept(void *cls, const struct db_department *d)
{
    struct collect *c = cls;
    json_t *j = dept_json(c->r, d);
    if (c->items)
        json_array_append_new(c->items, j);
    else
        c->one = j;
    return 0;
}

static int depts_txn(struct db_conn *conn, void *cls)
{
    struct collect *c = cls;
    collect_reset(c);
    if (c->items)
        return db_departments_list(conn, add_dept, c);
    return db_department_get(conn, c->id, add_dept, c);
}

enum MHD_Result api_departments_list(struct http_req *r)
{
    struct collect c = {.r = r, .items = json_array()};
    int rc = db_run_transaction(r->app->db, DB_READ, depts_txn, &c);
    return reply_collected(r, rc, &c, "department");
}

enum MHD_Result api_departments_get(struct http_req *r)
{
    struct collect c = {.r = r, .key = r->params[0]};
    if (http_param_id_or_reply(r, 0, &c.id) < 0)
        return r->result;
    int rc = db_run_transaction(r->app->db, DB_READ, depts_txn, &c);
    return reply_collected(r, rc, &c, "department");
}

struct dept_in {
    const char *code, *name, *region_code, *phone;
};

const struct jspec api_department_create_spec[] = {
    JSPEC_STR(struct dept_in, code, "code", 1, 32, JSPEC_REQUIRED, "short code, e.g. rsj"),
    JSPEC_STR(struct dept_in, name, "name", 1, 64, JSPEC_REQUIRED, "e.g. 县人力资源和社会保障局"),
    JSPEC_STR(struct dept_in, region_code, "region_code", 12, 12, JSPEC_REQUIRED,
              "the region it serves"),
    JSPEC_STR(struct dept_in, phone, "phone", 0, 20, 0, "public office phone"),
    JSPEC_END,
};

static int dept_create_txn(struct db_conn *c, void *cls)
{
    struct create_ctx *x = cls;
    const struct dept_in *in = x->in;
    struct db_department d = {.code = in->code, .name = in->name, .region_code = in->region_code,
                              .phone = in->phone};
    int rc = db_department_insert(c, &d, (int64_t)time(NULL), &x->out.id);
    if (rc == DB_UNIQUE)
        return api_fail(&x->fail, GL_ERR_CONFLICT, "code", "department %s exists", in->code);
    if (rc == DB_FOREIGN)
        return api_fail(&x->fail, GL_ERR_INVALID_VALUE, "region_code", "no region %s",
                        in->region_code);
    if (rc < 0)
        return rc;
    return depts_txn(c, &x->out);
}

enum MHD_Result api_departments_create(struct http_req *r)
{
    struct dept_in in = {0};
    if (http_parse_body_or_reply(r, api_department_create_spec, &in, NULL) < 0)
        return r->result;
    if (region_level_of(in.region_code) == LEVEL_INVALID)
        return http_reply_error(r, GL_ERR_INVALID_VALUE, "region_code",
                                "region_code must be a 12-digit region code");
    struct target t = {.region = in.region_code};
    if (http_authorize_visible_or_reply(r, ACT_TERRITORY_WRITE, &t) < 0)
        return r->result;
    struct create_ctx x = {.r = r, .in = &in, .out = {.r = r}};
    int rc = db_run_transaction(r->app->db, DB_WRITE, dept_create_txn, &x);
    if (rc == DB_ABORT)
        return api_reply_fail(r, &x.fail);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    return http_reply_json(r, 201, x.out.one);
}

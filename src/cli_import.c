/*
 * `gridline import KIND FILE`: loads regions, grids, departments,
 * households or users from a CSV file with a header row (UTF-8, with or
 * without a byte-order mark; columns in any order), or grids from a GeoJSON
 * FeatureCollection. An import is all-or-nothing: every row is checked,
 * every bad row is reported with its line number, and if there is one the
 * transaction is rolled back and nothing changes.
 */
#include "cli.h"
#include "config.h"
#include "core/authz.h"
#include "core/geo.h"
#include "core/mask.h"
#include "core/region.h"
#include "db/db.h"
#include "secret.h"

#include <csv.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COLS 16
#define MAX_ERRORS 200

/* ---- reading the file into rows ------------------------------------------ */

struct table {
    char ***rows;  /* rows[i][j]; row 0 is the header */
    size_t *ncols;
    size_t nrows, cap;
    char *cur[MAX_COLS];
    size_t ncur;
    bool too_wide;
};

static void on_field(void *s, size_t len, void *data)
{
    struct table *t = data;
    if (t->ncur == MAX_COLS) {
        t->too_wide = true;
        return;
    }
    char *f = malloc(len + 1);
    if (!f)
        abort();
    memcpy(f, s, len);
    f[len] = '\0';
    t->cur[t->ncur++] = f;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct table *t = data;
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
        t->ncols = realloc(t->ncols, t->cap * sizeof *t->ncols);
        if (!t->rows || !t->ncols)
            abort();
    }
    t->rows[t->nrows] = malloc(sizeof(char *) * (t->ncur ? t->ncur : 1));
    if (!t->rows[t->nrows])
        abort();
    memcpy(t->rows[t->nrows], t->cur, sizeof(char *) * t->ncur);
    t->ncols[t->nrows] = t->ncur;
    t->nrows++;
    t->ncur = 0;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols[i]; j++)
            free(t->rows[i][j]);
        free(t->rows[i]);
    }
    for (size_t j = 0; j < t->ncur; j++)
        free(t->cur[j]);
    free(t->rows);
    free(t->ncols);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap && !(buf = realloc(buf, cap *= 2)))
            abort();
    }
    fclose(f);
    if (!buf)
        abort();
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int read_csv(const char *text, size_t len, struct table *t, char *err, size_t errlen)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte-order mark */
        text += 3, len -= 3;
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
    size_t done = csv_parse(&p, text, len, on_field, on_row, t);
    int rc = 0;
    if (done != len || csv_fini(&p, on_field, on_row, t) != 0) {
        snprintf(err, errlen, "the file is not valid CSV near record %zu: %s", t->nrows + 1,
                 csv_strerror(csv_error(&p)));
        rc = -1;
    } else if (t->too_wide) {
        snprintf(err, errlen, "a record has more than %d columns", MAX_COLS);
        rc = -1;
    } else if (t->nrows < 1) {
        snprintf(err, errlen, "the file is empty; the first line must name the columns");
        rc = -1;
    }
    csv_free(&p);
    return rc;
}

/* ---- kinds of import ---------------------------------------------------------- */

struct import;
typedef int (*row_fn)(struct import *im, struct db_conn *c, const char *const *v);

struct kind {
    const char *name;
    const char *columns[MAX_COLS]; /* the row function's order: required ones first */
    size_t required;
    row_fn row;
};

struct import {
    const struct kind *k;
    struct table t;
    int col_of[MAX_COLS];      /* kind column -> file column, or -1 */
    size_t line;               /* of the row being imported */
    char *errors[MAX_ERRORS];
    size_t nerrors, more_errors;
    int64_t now;
    const char *password_hash; /* users */
    json_t *doc;               /* grids from GeoJSON */
    size_t done;
};

__attribute__((format(printf, 2, 3)))
static int row_error(struct import *im, const char *fmt, ...)
{
    if (im->nerrors == MAX_ERRORS) {
        im->more_errors++;
        return 0;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char line[600];
    snprintf(line, sizeof line, "line %zu: %s", im->line, msg);
    im->errors[im->nerrors++] = strdup(line);
    return 0;
}

/* Maps a store error of one row to a message; returns < 0 only for errors
 * that end the whole import (the database itself failing). */
static int store_error(struct import *im, int rc, const char *what)
{
    switch (rc) {
    case DB_UNIQUE: return row_error(im, "%s already exists", what);
    case DB_FOREIGN: return row_error(im, "%s refers to something that does not exist", what);
    case DB_CHECK: return row_error(im, "%s has a value the database refuses", what);
    default: return rc;
    }
}

static const char *opt(const char *s) { return s && *s ? s : NULL; }

static int import_region(struct import *im, struct db_conn *c, const char *const *v)
{
    enum region_level lv = region_level_of(v[0]);
    if (lv == LEVEL_INVALID || lv == LEVEL_GRID)
        return row_error(im, "code \"%s\" is not a 12-digit region code", v[0]);
    if (!*v[1])
        return row_error(im, "name is empty");
    char parent[REGION_CODE_BUFLEN];
    bool has_parent = region_parent(v[0], parent);
    if (opt(v[2]) && (!has_parent || strcmp(v[2], parent) != 0))
        return row_error(im, "parent_code %s does not match code %s", v[2], v[0]);
    int rc = db_region_insert(c, v[0], v[1], region_level_name(lv), has_parent ? parent : NULL,
                              im->now);
    return rc < 0 ? store_error(im, rc, "region (or its parent)") : 0;
}

static int grid_common(struct import *im, struct db_conn *c, const char *code, const char *name,
                       json_t *geometry, const char *phone)
{
    if (region_level_of(code) != LEVEL_GRID)
        return row_error(im, "code \"%s\" is not a 15-digit grid code", code);
    if (!name || !*name)
        return row_error(im, "name is empty");
    const char *type = json_string_value(json_object_get(geometry, "type"));
    json_t *coords = json_object_get(geometry, "coordinates");
    if (!type || (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0) ||
        !json_is_array(coords))
        return row_error(im, "geometry must be a GeoJSON Polygon or MultiPolygon");
    /* Bounding box over every position. */
    struct geo_bbox b = {0};
    bool first = true;
    json_t *polys = strcmp(type, "Polygon") == 0 ? json_pack("[O]", coords) : json_incref(coords);
    size_t i, j, k;
    json_t *poly, *ring, *pos;
    json_array_foreach(polys, i, poly) json_array_foreach(poly, j, ring) {
        if (json_array_size(ring) < 4) {
            json_decref(polys);
            return row_error(im, "geometry has a ring with fewer than four positions");
        }
        json_array_foreach(ring, k, pos) {
            double xy[2] = {json_number_value(json_array_get(pos, 0)),
                            json_number_value(json_array_get(pos, 1))};
            struct geo_ring one = {xy, 1};
            geo_bbox_extend(&b, &one, first);
            first = false;
        }
    }
    json_decref(polys);
    if (first)
        return row_error(im, "geometry has no positions");
    char village[REGION_CODE_BUFLEN];
    region_parent(code, village);
    char *text = json_dumps(geometry, JSON_COMPACT);
    struct db_grid g = {.code = code, .name = name, .village_code = village, .geometry = text,
                        .duty_phone = phone ? phone : "", .min_lat = b.min_lat,
                        .min_lng = b.min_lng, .max_lat = b.max_lat, .max_lng = b.max_lng};
    int rc = db_grid_insert(c, &g, im->now);
    free(text);
    return rc < 0 ? store_error(im, rc, "grid (or its village)") : 0;
}

static int import_grid(struct import *im, struct db_conn *c, const char *const *v)
{
    json_error_t e;
    json_t *geometry = json_loads(v[2], 0, &e);
    if (!geometry)
        return row_error(im, "geometry is not JSON: %s", e.text);
    int rc = grid_common(im, c, v[0], v[1], geometry, opt(v[3]));
    json_decref(geometry);
    return rc;
}

static int import_department(struct import *im, struct db_conn *c, const char *const *v)
{
    if (!*v[0] || !*v[1])
        return row_error(im, "code and name are required");
    if (region_level_of(v[2]) == LEVEL_INVALID)
        return row_error(im, "region_code \"%s\" is not a region code", v[2]);
    struct db_department d = {.code = v[0], .name = v[1], .region_code = v[2], .phone = opt(v[3])};
    int64_t id;
    int rc = db_department_insert(c, &d, im->now, &id);
    return rc < 0 ? store_error(im, rc, "department code (or its region)") : 0;
}

static int import_household(struct import *im, struct db_conn *c, const char *const *v)
{
    /* grid_code, address_area, head_name | address_detail, head_id_number, phone, members, tags */
    if (region_level_of(v[0]) != LEVEL_GRID)
        return row_error(im, "grid_code \"%s\" is not a grid code", v[0]);
    if (!*v[1] || !*v[2])
        return row_error(im, "address_area and head_name are required");
    if (opt(v[4]) && !id_number_valid(v[4]))
        return row_error(im, "head_id_number is not a valid resident ID number");
    if (opt(v[5]) && !phone_valid(v[5]))
        return row_error(im, "phone \"%s\" is not a phone number", v[5]);
    long members = 1;
    if (opt(v[6])) {
        char *end;
        members = strtol(v[6], &end, 10);
        if (*end || members < 1 || members > 30)
            return row_error(im, "members must be a whole number from 1 to 30");
    }
    /* Tags separated by ';' or '、'. */
    json_t *tags = json_array();
    if (opt(v[7])) {
        char *copy = strdup(v[7]);
        for (char *p = copy; p && *p;) {
            char *sep = strstr(p, "、"), *semi = strchr(p, ';');
            size_t n = semi && (!sep || semi < sep) ? (size_t)(semi - p)
                                                    : sep ? (size_t)(sep - p) : strlen(p);
            if (n)
                json_array_append_new(tags, json_stringn(p, n));
            p += n;
            p += *p == ';' ? 1 : (*p ? strlen("、") : 0);
        }
        free(copy);
    }
    char *tags_text = json_dumps(tags, JSON_COMPACT);
    json_decref(tags);
    struct db_household h = {.grid_code = v[0], .address_area = v[1], .head_name = v[2],
                             .members = members, .tags = tags_text};
    unsigned char *d = NULL, *i = NULL, *p = NULL;
    if (opt(v[3]))
        secret_seal(v[3], "households.address_detail", &d, &h.address_detail_len);
    if (opt(v[4]))
        secret_seal(v[4], "households.head_id_number", &i, &h.head_id_number_len);
    if (opt(v[5]))
        secret_seal(v[5], "households.phone", &p, &h.phone_len);
    h.address_detail = d, h.head_id_number = i, h.phone = p;
    int64_t id;
    int rc = db_household_insert(c, &h, im->now, &id);
    free(d), free(i), free(p), free(tags_text);
    return rc < 0 ? store_error(im, rc, "grid_code") : 0;
}

static int keep_dept_id(void *cls, const struct db_row *r)
{
    *(int64_t *)cls = db_col_int(r, 0);
    return 1;
}

static int import_user(struct import *im, struct db_conn *c, const char *const *v)
{
    /* username, display_name, role | scope, dept_code, phone */
    if (!*v[0] || strlen(v[0]) > 32 || strspn(v[0], "abcdefghijklmnopqrstuvwxyz"
                                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                           strlen(v[0]))
        return row_error(im, "username must be 1-32 letters, digits, '.', '_' or '-'");
    if (!*v[1])
        return row_error(im, "display_name is empty");
    if (role_parse(v[2]) < 0)
        return row_error(im, "unknown role \"%s\"", v[2]);
    if (opt(v[3]) && region_level_of(v[3]) == LEVEL_INVALID)
        return row_error(im, "scope \"%s\" is not a region or grid code", v[3]);
    if (opt(v[5]) && !phone_valid(v[5]))
        return row_error(im, "phone \"%s\" is not a phone number", v[5]);
    int64_t dept = 0;
    if (opt(v[4])) {
        int rc = db_query(c, "SELECT id FROM departments WHERE code = $1", DB_ARGS(DB_TEXT(v[4])),
                          keep_dept_id, &dept);
        if (rc < 0)
            return rc;
        if (!dept)
            return row_error(im, "no department with code \"%s\"", v[4]);
    }
    unsigned char *phone = NULL;
    size_t plen = 0;
    if (opt(v[5]))
        secret_seal(v[5], "users.phone", &phone, &plen);
    struct db_user u = {.username = v[0], .display_name = v[1], .password_hash = im->password_hash,
                        .phone = phone, .phone_len = plen};
    int64_t id;
    int rc = db_user_insert(c, &u, im->now, &id);
    free(phone);
    if (rc < 0)
        return store_error(im, rc, "username");
    if (opt(v[3]) && region_level_of(v[3]) != LEVEL_GRID) {
        int64_t n = 0;
        if ((rc = db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1",
                               DB_ARGS(DB_TEXT(v[3])), &n)) < 0)
            return rc;
        if (!n)
            return row_error(im, "scope %s does not exist", v[3]);
    }
    rc = db_role_insert(c, id, v[2], opt(v[3]), dept, im->now);
    return rc < 0 ? store_error(im, rc, "role") : 0;
}

static const struct kind kinds[] = {
    {"regions", {"code", "name", "parent_code"}, 2, import_region},
    {"grids", {"code", "name", "geometry", "duty_phone"}, 3, import_grid},
    {"departments", {"code", "name", "region_code", "phone"}, 3, import_department},
    {"households", {"grid_code", "address_area", "head_name", "address_detail", "head_id_number",
                    "phone", "members", "tags"}, 3, import_household},
    {"users", {"username", "display_name", "role", "scope", "dept_code", "phone"}, 3, import_user},
};

static int import_txn(struct db_conn *c, void *cls)
{
    struct import *im = cls;
    im->done = 0;
    for (size_t i = 1; i < im->t.nrows; i++) {
        im->line = i + 1;
        const char *v[MAX_COLS];
        size_t have = im->t.ncols[i];
        if (have == 1 && !*im->t.rows[i][0])
            continue; /* blank line */
        for (size_t k = 0; k < MAX_COLS; k++) {
            int col = im->col_of[k];
            v[k] = col >= 0 && (size_t)col < have ? im->t.rows[i][col] : "";
        }
        int rc = im->k->row(im, c, v);
        if (rc < 0)
            return rc;
        im->done++;
    }
    return im->nerrors ? DB_ABORT : 0;
}

static int map_header(struct import *im, char *err, size_t errlen)
{
    char **head = im->t.rows[0];
    size_t n = im->t.ncols[0];
    for (size_t k = 0; k < MAX_COLS; k++)
        im->col_of[k] = -1;
    for (size_t j = 0; j < n; j++) {
        size_t k;
        for (k = 0; k < MAX_COLS && im->k->columns[k]; k++)
            if (strcmp(head[j], im->k->columns[k]) == 0)
                break;
        if (k == MAX_COLS || !im->k->columns[k]) {
            snprintf(err, errlen, "line 1: unknown column \"%s\" for %s", head[j], im->k->name);
            return -1;
        }
        im->col_of[k] = (int)j;
    }
    for (size_t k = 0; k < im->k->required; k++) {
        if (im->col_of[k] < 0) {
            snprintf(err, errlen, "line 1: the required column \"%s\" is missing", im->k->columns[k]);
            return -1;
        }
    }
    return 0;
}

/* Grids from a GeoJSON FeatureCollection with properties code, name and
 * optionally duty_phone. Line numbers are feature numbers here. */
static int geojson_txn(struct db_conn *c, void *cls)
{
    struct import *im = cls;
    json_t *features = json_object_get(im->doc, "features");
    size_t i;
    json_t *f;
    im->done = 0;
    json_array_foreach(features, i, f) {
        im->line = i + 1;
        json_t *props = json_object_get(f, "properties");
        int rc = grid_common(im, c, json_string_value(json_object_get(props, "code")) ?: "",
                             json_string_value(json_object_get(props, "name")),
                             json_object_get(f, "geometry"),
                             json_string_value(json_object_get(props, "duty_phone")));
        if (rc < 0)
            return rc;
        im->done++;
    }
    return im->nerrors ? DB_ABORT : 0;
}

int cmd_import(int argc, char **argv)
{
    struct config cfg;
    bool pw_stdin = false;
    const struct cmd_flag flags[] = {
        {"password-stdin", NULL, &pw_stdin, "users: the initial password, read from standard input"},
        {NULL, NULL, NULL, NULL},
    };
    const char *usage = "gridline import regions|grids|departments|households|users FILE\n\n"
                        "CSV with a header row naming the columns (any order):\n"
                        "  regions      code, name [, parent_code]\n"
                        "  grids        code, name, geometry (GeoJSON) [, duty_phone]\n"
                        "               or FILE.geojson: a FeatureCollection, properties code, name, duty_phone\n"
                        "  departments  code, name, region_code [, phone]\n"
                        "  households   grid_code, address_area, head_name [, address_detail, head_id_number,\n"
                        "               phone, members, tags (separated by ; or 、)]\n"
                        "  users        username, display_name, role [, scope, dept_code, phone]\n"
                        "               (--password-stdin: everyone's initial password)";
    if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        int rc = config_load(&cfg, argc, argv, flags, usage);
        if (rc > 0)
            return 0;
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    const char *kind_name = argv[1], *path = argv[2];
    argv[2] = argv[0];
    int rc = config_load(&cfg, argc - 2, argv + 2, flags, usage);
    if (rc != 0)
        return rc > 0 ? 0 : 2;

    struct import im = {.now = (int64_t)time(NULL)};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].name, kind_name) == 0)
            im.k = &kinds[i];
    if (!im.k) {
        fprintf(stderr, "gridline import: unknown kind \"%s\"\n", kind_name);
        return 2;
    }
    char password[256], hash[SECRET_PWHASH_LEN];
    if (im.k->row == import_user) {
        if (!pw_stdin || cli_read_line(password, sizeof password) < 0 || strlen(password) < 8) {
            fprintf(stderr, "gridline import users: give --password-stdin and an initial password "
                            "of at least 8 characters on standard input\n");
            return 2;
        }
        secret_password_hash(password, hash);
        im.password_hash = hash;
    }
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "gridline import: cannot read %s\n", path);
        return 1;
    }
    char err[512];
    bool geojson = im.k->row == import_grid && (strstr(path, ".geojson") || strstr(path, ".json"));
    json_t *doc = NULL;
    if (geojson) {
        json_error_t je;
        doc = json_loadb(text, len, 0, &je);
        if (!doc || !json_is_array(json_object_get(doc, "features"))) {
            fprintf(stderr, "gridline import: %s is not a GeoJSON FeatureCollection%s%s\n", path,
                    doc ? "" : ": ", doc ? "" : je.text);
            json_decref(doc);
            free(text);
            return 1;
        }
        im.doc = doc;
    } else if (read_csv(text, len, &im.t, err, sizeof err) < 0 || map_header(&im, err, sizeof err) < 0) {
        fprintf(stderr, "gridline import: %s: %s\n", path, err);
        table_free(&im.t);
        free(text);
        return 1;
    }
    free(text);
    struct db *db;
    if (cli_open(&cfg, "import", &db) < 0) {
        table_free(&im.t);
        json_decref(doc);
        return 1;
    }
    rc = db_run_transaction(db, DB_WRITE, geojson ? geojson_txn : import_txn, &im);
    db_close(db);
    table_free(&im.t);
    json_decref(doc);
    if (rc == DB_ABORT) {
        fprintf(stderr, "gridline import: %s: nothing was imported; %zu row(s) need fixing:\n", path,
                im.nerrors + im.more_errors);
        for (size_t i = 0; i < im.nerrors; i++) {
            fprintf(stderr, "  %s\n", im.errors[i]);
            free(im.errors[i]);
        }
        if (im.more_errors)
            fprintf(stderr, "  ... and %zu more\n", im.more_errors);
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "gridline import: database error %d; nothing was imported\n", rc);
        return 1;
    }
    printf("imported %zu %s from %s\n", im.done, im.k->name, path);
    return 0;
}

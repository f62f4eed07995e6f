/*
 * Every endpoint of gridline. Keep this table the one place a route is
 * declared: the server dispatches from it and /api/v1/openapi.json is
 * generated from it. The web app is served for every other GET path.
 */
#include "http/routes.h"
#include "api/api.h"

const struct route http_routes[] = {
    {"GET", "/healthz", api_healthz, "health", "The process is alive.", NULL, 200, 0},
    {"GET", "/readyz", api_readyz, "health",
     "The database is reachable and its schema is current.", NULL, 200, 0},
    {"GET", "/api/v1/openapi.json", api_openapi, "meta", "This API description.", NULL, 200, 0},

    {"GET", "/api/v1/categories", api_categories_list, "categories",
     "List case categories ordered by code; ?parent=CODE keeps one category's children.", NULL,
     200, 0},
    {"POST", "/api/v1/categories", api_categories_create, "categories",
     "Create a case category (top-level or sub-category).", api_category_create_spec, 201, 0},
    {"GET", "/api/v1/categories/{id}", api_categories_get, "categories", "One case category.",
     NULL, 200, 0},

    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

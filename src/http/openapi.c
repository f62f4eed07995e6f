/*
 * The OpenAPI 3 document, generated from the route table, the request
 * specs it points to, and the error list in errors.h.
 */
#include "http/routes.h"
#include "core/kpi.h"

#include <stdio.h>
#include <string.h>

static json_t *path_params(const char *pattern)
{
    json_t *list = json_array();
    for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        json_array_append_new(list, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                              (size_t)(e - p - 1), "in", "path", "required", 1,
                                              "schema", "type", "string"));
    }
    return list;
}

static json_t *operation(const struct route *rt)
{
    char status[16];
    snprintf(status, sizeof status, "%u", rt->ok ? rt->ok : 200);
    json_t *op = json_pack("{s:s, s:[s], s:{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}}", "summary",
                           rt->summary, "tags", rt->tag, "responses", status, "description",
                           "success", "default", "description", "error (see Error.code)",
                           "content", "application/json", "schema", "$ref",
                           "#/components/schemas/Error");
    json_t *params = path_params(rt->pattern);
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (rt->body)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                      "application/json", "schema", jspec_schema(rt->body)));
    if (rt->media) {
        json_t *content = json_object();
        char types[128];
        snprintf(types, sizeof types, "%s", rt->media);
        char *save = NULL;
        for (char *t = strtok_r(types, " ", &save); t; t = strtok_r(NULL, " ", &save))
            json_object_set_new(content, t, json_pack("{s:{s:s, s:s}}", "schema", "type",
                                                      "string", "format", "binary"));
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:o}", "required", 1, "content", content));
    }
    return op;
}

/* The KPI figures as core/kpi.c defines them: what a leader reads is what
 * the code counts. */
static json_t *kpi_schema(void)
{
    json_t *props = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "key", "type", "string",
                              "description", "what the row is for (department id, code, channel)",
                              "name", "type", "string", "description", "its name");
    char desc[512];
    for (int i = 0; i < KC__COUNT; i++) {
        snprintf(desc, sizeof desc, "%s: %s", kpi_counts[i].zh, kpi_counts[i].doc);
        json_object_set_new(props, kpi_counts[i].name,
                            json_pack("{s:s, s:s}", "type", "integer", "description", desc));
    }
    for (int i = 0; i < KR__COUNT; i++) {
        snprintf(desc, sizeof desc, "%s = %s (0-1; null when the denominator is 0)",
                 kpi_rates[i].zh, kpi_rates[i].doc);
        json_object_set_new(props, kpi_rates[i].name,
                            json_pack("{s:s, s:b, s:s}", "type", "number", "nullable", 1,
                                      "description", desc));
    }
    return json_pack("{s:s, s:o}", "type", "object", "properties", props);
}

json_t *route_openapi(void)
{
    json_t *paths = json_object();
    for (const struct route *rt = http_routes; rt->pattern; rt++) {
        json_t *item = json_object_get(paths, rt->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        char m[16];
        size_t i;
        for (i = 0; rt->method[i] && i < sizeof m - 1; i++)
            m[i] = (char)(rt->method[i] | 0x20); /* OpenAPI wants lower case */
        m[i] = '\0';
        json_object_set_new(item, m, operation(rt));
    }
    json_t *codes = json_array();
    for (int e = 0; e < GL_ERR__COUNT; e++) {
        char desc[160];
        snprintf(desc, sizeof desc, "%u: %s", gl_error_status(e), gl_error_message(e));
        json_array_append_new(codes, json_pack("{s:s, s:s}", "const", gl_error_code(e),
                                               "description", desc));
    }
    json_t *error = json_pack(
        "{s:s, s:[s], s:{s:{s:s, s:[s,s], s:{s:{s:o}, s:{s:s}, s:{s:s, s:s}}}}}", "type",
        "object", "required", "error", "properties", "error", "type", "object", "required",
        "code", "message", "properties", "code", "oneOf", codes, "message", "type", "string",
        "field", "type", "string", "description", "the request field or parameter at fault");
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o, s:o}}}", "openapi", "3.0.3", "info",
                     "title", "gridline API", "version", "1",
                     "description", "Grid-based governance and mass-line service system. "
                                    "Times are RFC 3339 with offset; errors use one uniform body.",
                     "paths", paths, "components", "schemas", "Error", error, "Kpi",
                     kpi_schema());
}

/*
 * GET /api/v1/grids/{code}/card: the grid's service card (便民服务卡), the
 * card pasted on doors and handed out on visits: the grid and its village,
 * its workers and their work phones, the duty phone, and a QR code
 * (libqrencode) that opens the grid's report page. SVG, 90 x 54 mm, so it
 * prints sharp at any size and the browser supplies the Chinese fonts.
 */
#include "api/api.h"
#include "db/db.h"
#include "secret.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 4

struct card {
    struct http_req *r;
    bool found;
    char code[16], name[96], village[96], duty_phone[32];
    int64_t worker_ids[MAX_WORKERS];
    char workers[MAX_WORKERS][96], phones[MAX_WORKERS][24];
    size_t nworkers;
};

static int keep_grid(void *cls, const struct db_grid *g)
{
    struct card *k = cls;
    k->found = true;
    snprintf(k->code, sizeof k->code, "%s", g->code);
    snprintf(k->name, sizeof k->name, "%s", g->name);
    snprintf(k->duty_phone, sizeof k->duty_phone, "%s", g->duty_phone ? g->duty_phone : "");
    snprintf(k->village, sizeof k->village, "%s", g->village_code);
    return 1;
}

static int keep_village(void *cls, const struct db_region *v)
{
    struct card *k = cls;
    snprintf(k->village, sizeof k->village, "%s", v->name);
    return 1;
}

static int keep_worker(void *cls, int64_t id, const char *name)
{
    struct card *k = cls;
    if (k->nworkers == MAX_WORKERS)
        return 1;
    k->worker_ids[k->nworkers] = id;
    snprintf(k->workers[k->nworkers], sizeof k->workers[0], "%s", name);
    k->phones[k->nworkers][0] = '\0';
    k->nworkers++;
    return 0;
}

/* A grid worker's phone is their work number: public on the card. */
static int keep_phone(void *cls, const struct db_user *u)
{
    char *out = cls, *text;
    if (u->phone && secret_open(u->phone, u->phone_len, "users.phone", &text) == 0) {
        snprintf(out, 24, "%s", text);
        free(text);
    }
    return 1;
}

static int card_txn(struct db_conn *c, void *cls)
{
    struct card *k = cls;
    k->found = false;
    k->nworkers = 0;
    int rc = db_grid_get(c, k->r->params[0], keep_grid, k);
    if (rc <= 0)
        return rc;
    char village[16];
    snprintf(village, sizeof village, "%.15s", k->village);
    rc = db_region_get(c, village, keep_village, k);
    if (rc >= 0)
        rc = db_grid_workers(c, k->code, keep_worker, k);
    for (size_t i = 0; rc >= 0 && i < k->nworkers; i++)
        rc = db_user_by_id(c, k->worker_ids[i], keep_phone, k->phones[i]);
    return rc;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

/* The QR code as one path of unit squares at (x, y), `size` units wide. */
static int qr_path(FILE *f, const char *url, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    int n = q->width, quiet = 4;
    double unit = size / (n + 2 * quiet);
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#fff\"/>\n", x,
            y, size, size);
    fprintf(f, "<path fill=\"#000\" transform=\"translate(%.3f %.3f) scale(%.5f)\" d=\"",
            x + quiet * unit, y + quiet * unit, unit);
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            if (q->data[row * n + col] & 1)
                fprintf(f, "M%d %dh1v1h-1z", col, row);
    fputs("\"/>\n", f);
    QRcode_free(q);
    return 0;
}

static int render(const struct card *k, const char *url, char **svg, size_t *len)
{
    FILE *f = open_memstream(svg, len);
    if (!f)
        return -1;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90mm\" height=\"54mm\""
          " viewBox=\"0 0 900 540\" font-family=\"'Noto Sans CJK SC','Source Han Sans SC',"
          "'Microsoft YaHei','PingFang SC',sans-serif\">\n"
          "<rect width=\"900\" height=\"540\" rx=\"24\" fill=\"#fff\" stroke=\"#c8102e\""
          " stroke-width=\"6\"/>\n"
          "<rect x=\"3\" y=\"3\" width=\"894\" height=\"96\" rx=\"21\" fill=\"#c8102e\"/>\n"
          "<text x=\"40\" y=\"66\" font-size=\"44\" font-weight=\"700\" fill=\"#fff\">"
          "便民服务卡</text>\n"
          "<text x=\"860\" y=\"64\" font-size=\"26\" fill=\"#fff\" text-anchor=\"end\">"
          "Grid service card</text>\n",
          f);
    fputs("<text x=\"40\" y=\"160\" font-size=\"36\" font-weight=\"700\" fill=\"#222\">", f);
    /* "石桥村第一网格" already names its village. */
    if (strncmp(k->name, k->village, strlen(k->village)) != 0) {
        xml_text(f, k->village);
        fputs(" · ", f);
    }
    xml_text(f, k->name);
    fprintf(f, "</text>\n<text x=\"40\" y=\"198\" font-size=\"22\" fill=\"#666\">网格编码 %s"
               "</text>\n", k->code);
    int y = 250;
    fputs("<text x=\"40\" y=\"250\" font-size=\"24\" fill=\"#666\">网格员 Grid workers</text>\n", f);
    for (size_t i = 0; i < k->nworkers; i++) {
        y += 44;
        fprintf(f, "<text x=\"40\" y=\"%d\" font-size=\"30\" fill=\"#222\">", y);
        xml_text(f, k->workers[i]);
        fputs("  <tspan font-weight=\"700\">", f);
        xml_text(f, k->phones[i]);
        fputs("</tspan></text>\n", f);
    }
    if (!k->nworkers) {
        y += 44;
        fprintf(f, "<text x=\"40\" y=\"%d\" font-size=\"28\" fill=\"#999\">（待配备）</text>\n", y);
    }
    fputs("<text x=\"40\" y=\"470\" font-size=\"26\" fill=\"#222\">值班电话 Duty phone"
          "  <tspan font-weight=\"700\" fill=\"#c8102e\">", f);
    xml_text(f, k->duty_phone[0] ? k->duty_phone : "—");
    fputs("</tspan></text>\n<text x=\"40\" y=\"510\" font-size=\"22\" fill=\"#666\">"
          "有事找网格 · 扫码随手拍 Scan to report</text>\n", f);
    int rc = qr_path(f, url, 610, 130, 260);
    fputs("</svg>\n", f);
    if (fclose(f) != 0 || rc < 0) {
        free(*svg);
        *svg = NULL;
        return -1;
    }
    return 0;
}

enum MHD_Result api_grid_card(struct http_req *r)
{
    struct card k = {.r = r};
    int rc = db_run_transaction(r->app->db, DB_READ, card_txn, &k);
    if (rc < 0)
        return api_reply_db_error(r, rc);
    if (!k.found)
        return http_reply_error(r, GL_ERR_NOT_FOUND, NULL, "no grid %s", r->params[0]);
    char url[512], *svg;
    size_t len;
    snprintf(url, sizeof url, "%s/report?grid=%s", r->app->base_url, k.code);
    if (render(&k, url, &svg, &len) < 0)
        return http_reply_error(r, GL_ERR_INTERNAL, NULL, NULL);
    http_add_header(r, "Content-Disposition", "inline; filename=\"service-card.svg\"");
    return http_reply_owned(r, 200, "image/svg+xml; charset=utf-8", svg, len, "no-store");
}

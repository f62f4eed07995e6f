/*
 * CSV and XLSX writers; see export.h.
 */
#include "export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

int export_format_parse(const char *name)
{
    if (!name || strcmp(name, "json") == 0)
        return EXPORT_JSON;
    if (strcmp(name, "csv") == 0)
        return EXPORT_CSV;
    if (strcmp(name, "xlsx") == 0)
        return EXPORT_XLSX;
    return -1;
}

const char *export_mime(enum export_format f)
{
    switch (f) {
    case EXPORT_CSV:
        return "text/csv; charset=utf-8";
    case EXPORT_XLSX:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    default:
        return "application/json";
    }
}

static bool looks_like_formula(const char *s) { return s[0] && strchr("=+-@", s[0]); }

/* The text of a cell (numbers printed), in buf when it is not a string. */
static const char *cell_text(const json_t *v, char buf[32])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, 32, "%g", json_real_value(v));
    else
        buf[0] = '\0';
    return buf;
}

static void csv_text(FILE *f, const char *s, bool guard)
{
    bool formula = guard && looks_like_formula(s);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const struct export_table *t, char **out, size_t *len)
{
    FILE *f = open_memstream(out, len);
    if (!f)
        return -1;
    fputs("\xEF\xBB\xBF", f); /* so Excel reads UTF-8 */
    for (size_t c = 0; c < t->ncols; c++) {
        fputs(c ? "," : "", f);
        csv_text(f, t->headers[c], false);
    }
    fputs("\r\n", f);
    size_t i;
    json_t *row;
    json_array_foreach(t->rows, i, row) {
        for (size_t c = 0; c < t->ncols; c++) {
            char buf[32];
            const json_t *v = json_array_get(row, c);
            fputs(c ? "," : "", f);
            csv_text(f, cell_text(v, buf), json_is_string(v));
        }
        fputs("\r\n", f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* Display width of a UTF-8 string: CJK (3-byte and longer) counts two. */
static double text_width(const char *s)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            w += 1;
        else if (*p >= 0xE0)
            w += 2;
    return w;
}

static int write_xlsx(const struct export_table *t, char **out, size_t *len, char *err,
                      size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/gridline-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file for the workbook");
        return -1;
    }
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, t->title) : NULL;
    if (!ws) {
        if (wb)
            workbook_close(wb);
        unlink(path);
        snprintf(err, errlen, "cannot start the workbook");
        return -1;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bg_color(bold, 0xEEF2F7);
    double width[64] = {0};
    size_t ncols = t->ncols < 64 ? t->ncols : 64;
    for (size_t c = 0; c < ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, t->headers[c], bold);
        width[c] = text_width(t->headers[c]);
    }
    size_t i;
    json_t *row;
    json_array_foreach(t->rows, i, row) {
        lxw_row_t rn = (lxw_row_t)(i + 1);
        for (size_t c = 0; c < ncols; c++) {
            const json_t *v = json_array_get(row, c);
            char buf[32];
            if (json_is_integer(v) || json_is_real(v))
                worksheet_write_number(ws, rn, (lxw_col_t)c, json_number_value(v), NULL);
            else if (json_is_string(v))
                worksheet_write_string(ws, rn, (lxw_col_t)c, json_string_value(v), NULL);
            double w = text_width(cell_text(v, buf));
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < ncols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c] > 60 ? 60 : width[c] + 2,
                             NULL);
    worksheet_freeze_panes(ws, 1, 0);
    if (ncols)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)json_array_size(t->rows),
                             (lxw_col_t)(ncols - 1));
    lxw_error rc = workbook_close(wb);
    int result = -1;
    FILE *f = rc == LXW_NO_ERROR ? fopen(path, "rb") : NULL;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        rewind(f);
        *out = n > 0 ? malloc((size_t)n) : NULL;
        if (*out && fread(*out, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
            result = 0;
        } else {
            free(*out);
            *out = NULL;
        }
    }
    if (f)
        fclose(f);
    unlink(path);
    if (result < 0)
        snprintf(err, errlen, "cannot write the workbook: %s",
                 rc == LXW_NO_ERROR ? "reading it back failed" : lxw_strerror(rc));
    return result;
}

int export_table(const struct export_table *t, enum export_format f, char **out, size_t *len,
                 char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    if (f == EXPORT_CSV) {
        if (write_csv(t, out, len) == 0)
            return 0;
        free(*out);
        *out = NULL;
        snprintf(err, errlen, "out of memory writing CSV");
        return -1;
    }
    if (f == EXPORT_XLSX)
        return write_xlsx(t, out, len, err, errlen);
    snprintf(err, errlen, "no such export format");
    return -1;
}
